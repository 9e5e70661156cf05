"""The command line under faults: terminal encoding, a full disk, a closed pipe, bad limits,
memory and time limits reached, third-party warnings. Each run is a real process, as a user's.

Whatever goes wrong, the promise holds: no traceback; a failure is one ``error:`` line and
exit code 2; a reader that has gone ends the run quietly.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from symnum.cli import guard
from tests.conftest import ROOT


def run(*args: str, env: dict | None = None, stdout=subprocess.PIPE, code: str | None = None,
        timeout: float = 60) -> subprocess.CompletedProcess:
    """``python -m symnum ARGS`` (or ``python -c CODE``) with extra environment variables."""
    command = [sys.executable, "-c", code] if code else [sys.executable, "-m", "symnum", *args]
    return subprocess.run(command, stdout=stdout, stderr=subprocess.PIPE, timeout=timeout,
                          cwd=ROOT, env={**os.environ, **(env or {})})


def one_error(proc: subprocess.CompletedProcess) -> str:
    """The single ``error:`` line of a failed run (exit 2, nothing else on stderr)."""
    err = proc.stderr.decode()
    assert proc.returncode == 2, (proc.returncode, err)
    assert "Traceback" not in err and "Exception ignored" not in err, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    return lines[0]


@pytest.mark.process
def test_an_ascii_terminal_gets_ascii_text_and_one_note():
    proc = run("derive", "exp(x)*sin(x)*y**2", "--wrt", "x", "--steps",
               env={"PYTHONIOENCODING": "ascii"})
    err = proc.stderr.decode()
    assert proc.returncode == 0, err
    proc.stdout.decode("ascii")  # every byte is ASCII
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("note: ") and "ascii" in lines[0], err
    # the same derivation, readable: product dots as '*', powers as '^2'
    out = proc.stdout.decode()
    assert "product rule" in out and "result: y^2*(sin(x) + cos(x))*exp(x)" in out, out


@pytest.mark.process
def test_a_utf8_terminal_gets_the_original_characters_and_no_note():
    proc = run("derive", "exp(x)*sin(x)", "--steps", env={"PYTHONIOENCODING": "utf-8"})
    assert proc.returncode == 0 and proc.stderr == b""
    assert "·" in proc.stdout.decode()


@pytest.mark.process
def test_a_full_disk_is_one_error_line_and_exit_2():
    with open("/dev/full", "wb") as full:
        proc = run("derive", "x**2", stdout=full)
    assert "No space left" in one_error(proc)


@pytest.mark.process
def test_a_closed_pipe_ends_quietly():
    with subprocess.Popen([sys.executable, "-m", "symnum", "derive", "exp(x)*sin(x)",
                           "--steps"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          cwd=ROOT) as proc:
        proc.stdout.close()  # the reader is gone before symnum writes (imports take longer)
        err = proc.stderr.read().decode()
        assert proc.wait(timeout=60) == 141  # as a Unix tool killed by SIGPIPE
    assert err == ""


@pytest.mark.parametrize("name,value", [
    ("SYMNUM_TIMEOUT", "abc"), ("SYMNUM_TIMEOUT", "-1"), ("SYMNUM_TIMEOUT", "0"),
    ("SYMNUM_TIMEOUT", "nan"), ("SYMNUM_TIMEOUT", "1e400"), ("SYMNUM_MEMORY", "abc"),
    ("SYMNUM_MEMORY", "-1"), ("SYMNUM_MEMORY", "0"), ("SYMNUM_MEMORY", "4X"),
    ("SYMNUM_MEMORY", "1K"), ("SYMNUM_MEMORY", "1e400"),
])
def test_a_bad_limit_is_refused_without_running(name, value):
    with pytest.raises(guard.UsageError, match=name):
        guard.limits_from({name: value})


def test_limits_read_from_the_environment():
    assert guard.limits_from({}) == guard.Limits(300.0, 4 * 2**30)
    assert guard.limits_from({"SYMNUM_TIMEOUT": "2.5", "SYMNUM_MEMORY": "1.5g"}) == \
        guard.Limits(2.5, 3 * 2**29)
    assert guard.limits_from({"SYMNUM_MEMORY": "512MiB"}).memory == 512 * 2**20
    assert guard.limits_from({"SYMNUM_MEMORY": str(2**30)}).memory == 2**30
    assert guard.limits_from({"SYMNUM_TIMEOUT": "off", "SYMNUM_MEMORY": "OFF"}) == \
        guard.Limits(None, None)


@pytest.mark.process
def test_a_bad_limit_on_the_command_line_is_one_error_line():
    assert "SYMNUM_TIMEOUT" in one_error(run("derive", "x", env={"SYMNUM_TIMEOUT": "abc"}))


@pytest.mark.parametrize("args", [
    ["verify", "x", "--seed", "-1"], ["derive", "x", "--seed=-1"],
    ["verify", "x", "--points", "-2"], ["derive", "x", "--order", "-1"],
    ["check", "1", "--of", "x", "--seed", "-7"], ["verify", "x", "--seed", str(2**40)],
])
def test_a_negative_or_huge_integer_option_is_one_error_line(args, capsys):
    from symnum.cli import main
    assert main(args) == 2
    out, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert out == "" and len(lines) == 1 and lines[0].startswith("error: --"), err


@pytest.mark.process
def test_running_out_of_memory_is_one_error_line():
    """A command that allocates past SYMNUM_MEMORY step by step (well within the machine's
    memory) stops with the memory error; so does one native allocation past the backstop."""
    code = ("import sys; from symnum import cli\n"
            "cli.COMMANDS['derive'] = lambda args: "  # 1 GB in steps: the watchdog stops it
            "(str(len([bytearray(10**6) for _ in range(1000)])), 0)\n"
            "cli.COMMANDS['verify'] = lambda args: (str(len(bytearray(2**31))), 0)\n"  # 2 GB
            "sys.exit(cli.main(sys.argv[1:]))")
    for command in ("derive", "verify"):
        proc = run(env={"SYMNUM_MEMORY": "256M"}, code=code.replace("sys.argv[1:]",
                                                                   f"['{command}', 'x']"))
        assert one_error(proc) == ("error: ran out of memory (limit 256M; set SYMNUM_MEMORY "
                                   "to allow more)")
    assert run(env={"SYMNUM_MEMORY": "2G"}, code=code.replace(
        "sys.argv[1:]", "['derive', 'x']")).returncode == 0  # the same under a higher limit


@pytest.mark.process
def test_the_default_limits_let_derive_verify_and_plot_run(tmp_path):
    for args in (["derive", "exp(x*y)", "--what", "hessian", "--at", "x=1,y=2"],
                 ["verify", "sin(x)*y", "--points", "2"],
                 ["plot", "x**2 + y**2", "--out", str(tmp_path / "p.png")]):
        proc = run(*args, env={"SYMNUM_MEMORY": "", "SYMNUM_TIMEOUT": ""})
        assert proc.returncode == 0 and proc.stderr == b"", (args, proc.stderr)


@pytest.mark.process
def test_a_slow_command_gives_up_at_the_time_limit():
    code = ("import sys, time; from symnum import cli\n"
            "cli.COMMANDS['derive'] = lambda args: time.sleep(30)\n"
            "sys.exit(cli.main(['derive', 'x']))")
    start = time.monotonic()
    line = one_error(run(env={"SYMNUM_TIMEOUT": "0.5"}, code=code))
    assert time.monotonic() - start < 20
    assert line == "error: gave up after 0.5 s (set SYMNUM_TIMEOUT to allow more)"


def test_unexpected_exceptions_and_third_party_warnings_never_reach_the_user(capsys,
                                                                             monkeypatch):
    import warnings

    import numpy as np

    from symnum import cli

    def noisy(args):
        with np.errstate(all="warn"):
            np.exp(np.array([1000.0]))  # RuntimeWarning: overflow
        warnings.warn("a library's UserWarning", UserWarning, stacklevel=1)
        return "done", 0

    def broken(args):
        raise {"recursion": RecursionError, "overflow": OverflowError,
               "stop": StopIteration}[args.expr]("deep inside")

    monkeypatch.setitem(cli.COMMANDS, "derive", noisy)
    assert cli.main(["derive", "x"]) == 0
    assert capsys.readouterr() == ("done\n", "")
    monkeypatch.setitem(cli.COMMANDS, "derive", broken)
    for kind in ("recursion", "overflow", "stop"):
        assert cli.main(["derive", kind]) == 2
        out, err = capsys.readouterr()
        assert out == "" and err.startswith("error: ") and err.count("\n") == 1, err


@pytest.mark.process
def test_help_documents_the_limits():
    proc = run("--help")
    text = proc.stdout.decode()
    assert proc.returncode == 0 and "SYMNUM_TIMEOUT" in text and "SYMNUM_MEMORY" in text


def test_the_limits_are_restored_after_a_command(capsys):
    import resource
    import signal

    from symnum.cli import main
    before = (resource.getrlimit(resource.RLIMIT_DATA), signal.getsignal(signal.SIGALRM),
              signal.getsignal(signal.SIGUSR1), signal.getitimer(signal.ITIMER_REAL))
    assert main(["derive", "x**2"]) == 0
    assert main(["derive", "x**"]) == 2
    after = (resource.getrlimit(resource.RLIMIT_DATA), signal.getsignal(signal.SIGALRM),
             signal.getsignal(signal.SIGUSR1), signal.getitimer(signal.ITIMER_REAL))
    assert after == before
    capsys.readouterr()


@pytest.mark.parametrize("span", ["-1e308,1e308", "-inf,inf", "nan,1", "1,nan"])
def test_a_plot_range_that_is_not_two_finite_numbers_is_one_error_line(span, tmp_path, capsys):
    from symnum.cli import main
    assert main(["plot", "x**2", "--range", span, "--out", str(tmp_path / "p.png")]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("error: --range") and err.count("\n") == 1, err
    assert list(tmp_path.iterdir()) == []


def test_a_warning_of_symnums_own_category_is_one_note(capsys):
    import warnings

    class Advice(UserWarning):
        """Stands for a warning category defined inside symnum."""

    Advice.__module__ = "symnum.advice"
    with guard.quiet_warnings():
        for _ in range(3):  # the same place: one note, as Python shows a warning once
            warnings.warn("the kernel runs eagerly", Advice, stacklevel=1)
        warnings.warn("overflow encountered in exp", RuntimeWarning, stacklevel=1)
    assert capsys.readouterr() == ("", "note: the kernel runs eagerly\n")
