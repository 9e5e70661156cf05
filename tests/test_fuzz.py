"""Fuzzing: generated text through the command line (in-process) and the Python API.

Expressions come from a grammar of tokens: names, numbers (huge ones too), operators, every
function of the name table, brackets, unicode, Python payloads, long sums and deep nesting.
The contract checked, whatever the text:

- CLI: exit code 0, 1 or 2; on 2 exactly one ``error:`` line and never "internal error"; no
  traceback anywhere; no file written in the working directory; each case in bounded time.
- API: the call returns or raises a :class:`symnum.SymnumError`, never anything else; no
  payload runs (the file it would create never appears); each case in bounded time.

Seeded (``derandomize=True``): every run tries the same 170 cases, about 20 through the
command line (and the fixed examples) and 150 through the API.

A third test runs 30 command lines of ``tests/fuzz_cases.py`` (every function of the registry,
compositions, up to 12 variables, boundary points; derive, steps, graph, verify --at, check,
export and a call of the exported module), the small version of ``benchmarks/fuzz_cli.py``.
"""

from __future__ import annotations

import faulthandler
import os
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

import symnum
from symnum import cli, edge
from symnum.cli import guard
from symnum.core.names import CONSTANTS, FUNCTIONS
from tests.fuzz_cases import cases, run_case

MARK = "FUZZ_PWNED"  # the file a payload would create in the working directory
CLI_S = 3  # SYMNUM_TIMEOUT of an in-process CLI case (giving up is a clean answer there)
API_S = 30  # an API call has no time limit of its own: one past this is a failure
HARD_S = 120  # stuck in native code past this: dump the stacks and end the run
# No "explain" phase (its tracing slows every call several times over) and no shrinking (it
# reruns slow cases for minutes); the generated cases are short to read as they come.
SETTINGS = dict(derandomize=True, deadline=None, database=None, print_blob=False,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow, HealthCheck.data_too_large])

PAYLOADS = [
    f"__import__('os').system('touch {MARK}')",
    f"open('{MARK}', 'w').write('x')",
    f"(lambda: __import__('os').system('touch {MARK}'))()",
    f"exec(\"open('{MARK}','w')\")",
    f"eval(\"__import__('os').system('touch {MARK}')\")",
    f"getattr(__builtins__, 'open')('{MARK}', 'w')",
    f"().__class__.__bases__[0].__subclasses__()[0]('{MARK}')",
    f"x.__class__.__init__.__globals__['os'].system('touch {MARK}')",
    f"sympify(\"__import__('os').system('touch {MARK}')\")",
    f"Symbol('x').subs(x, __import__('os').system('touch {MARK}'))",
    f"[__import__('os').system('touch {MARK}') for _ in (1,)]",
    f"x if __import__('os').system('touch {MARK}') else y",
    "lambda x: x", "globals()", "__builtins__", "x.__dict__", "x.func", "x.args[0]",
    "import os", "x; y", "x = 1", "x := 1", "print(x)", "x.T", "A@B", "x[0]", "{1: 2}",
    "f'{x}'", "b'x'", "x...", "await x", "yield x", "*x", "**x",
]
NAMES = ["x", "y", "z", "t", "a", "b", "x1", "x2", "w1", "u1", "t1", "c1", "q1", "r1", "s1",
         "alpha", "theta", "α", "θ", "π", "ｘ", "x_1", "_x", "X", "f", "g", "Sum", "Integral",
         "lambda", "None", "True", "import", "class", "def", "nan", "zoo", "I", "E", "e",
         "oo", "inf", "Symbol", "sympify", "Matrix", "Derivative", "Function", "eval"]
NUMBERS = ["0", "1", "2", "3", "0.5", ".5", "5.", "1e308", "1e309", "1e-320", "-1",
           "10**100", "10**4300", "2**2**2**2**2", "9" * 5000, "1" + "0" * 4301, "1_000",
           "0x1F", "0b11", "1j", "2.5e-3", "1/3", "(10**1000)**(10**1000)", "10**(10**12)",
           "sqrt(2)**(10**12)", "exp(log(2)*10**12)", "(2*I)**(10**12)", "factorial(1000)**2",
           "2**-1074", "1e-400"]
OPERATORS = ["+", "-", "*", "/", "**", "^", "%", "//", "@", "&", "|", "<", "==", ",", " ",
             "!", "'", "·", "×", "−", "²"]
ODD = ["\x00", "\n", "\t", "\u200b", "∂", "∇", "😀", "\\", "`", "$", "#", "?", ";", ":", "~",
       "\ud800", "é", "ﬁ", "Ⅸ", "²"]
FUNCTION_NAMES = sorted(FUNCTIONS) + sorted(CONSTANTS)


def _atoms() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(NAMES), st.sampled_from(NUMBERS),
                     st.sampled_from(FUNCTION_NAMES), st.sampled_from(PAYLOADS),
                     st.sampled_from(ODD), st.integers(-10**6, 10**6).map(str),
                     st.floats(allow_nan=False, allow_infinity=False).map(repr))


def _extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    call = st.tuples(st.sampled_from(FUNCTION_NAMES + ["f", "g", "open", "__import__"]),
                     st.lists(inner, min_size=0, max_size=3)).map(
        lambda t: f"{t[0]}({', '.join(t[1])})")
    binary = st.tuples(inner, st.sampled_from(OPERATORS), inner).map("".join)
    return st.one_of(
        binary, binary, call, call,
        st.tuples(st.sampled_from(["-", "+", "~", "not ", "-(", "("]), inner).map("".join),
        inner.map(lambda e: f"({e})"),
        st.lists(inner, min_size=1, max_size=4).map(lambda es: "[" + ", ".join(es) + "]"),
        st.tuples(inner, st.sampled_from(NAMES + ["__class__", "T", "diff"])).map(".".join),
        st.tuples(inner, inner).map(lambda t: f"{t[0]}[{t[1]}]"),
    )


GRAMMAR = st.recursive(_atoms(), _extend, max_leaves=12)
HEAVY = st.one_of(  # long flat sums and products, deep nesting, towers, stray text
    st.tuples(st.integers(1, 4000), st.sampled_from(["+", "*", "-"])).map(
        lambda t: t[1].join(f"x{i % 50}" for i in range(t[0]))),
    st.integers(1, 3000).map(lambda n: "(" * n + "x" + ")" * n),
    st.integers(1, 600).map(lambda n: "sin(" * n + "x" + ")" * n),
    st.integers(1, 60).map(lambda n: "x" + "**x" * n),
    st.integers(1, 400).map(lambda n: "*".join(f"x{i}" for i in range(1, n + 1))),
    st.text(max_size=40),
)
EXPRESSIONS = st.one_of(GRAMMAR, GRAMMAR, GRAMMAR, HEAVY)  # one case in four is heavy
POINTS = st.lists(st.tuples(st.sampled_from(["x", "y", "z", "x1", "w1", "t"]),
                            st.one_of(st.sampled_from(NUMBERS + PAYLOADS + ["", "x", "nan",
                                                                            "inf", "-0"]),
                                      EXPRESSIONS)),
                  min_size=1, max_size=3).map(lambda ps: ",".join(f"{k}={v}" for k, v in ps))


@st.composite
def command_lines(draw: st.DrawFn) -> list[str]:
    expr = draw(EXPRESSIONS)
    kind = draw(st.sampled_from(["derive"] * 6 + ["verify", "check", "critical"]))
    if kind == "check":
        return ["check", draw(EXPRESSIONS), "--of", expr]
    args = [kind, expr]
    if kind == "derive":
        extras = [[], ["--at", draw(POINTS)], ["--steps"], ["--steps", "graph"],
                  ["--what", draw(st.sampled_from(cli.WHATS))], ["--format", "json"],
                  ["--format", "latex"], ["--wrt", draw(st.sampled_from(NAMES + ["x,y"]))],
                  ["--order", draw(st.sampled_from(["2", "0", "-1", "10**3", "99999"]))],
                  ["--seed", draw(st.sampled_from(["-1", "1", "x", "1e3", "9" * 30]))]]
        args += draw(st.sampled_from(extras))
    if kind == "verify":
        args += ["--points", draw(st.sampled_from(["1", "2", "0", "-2"])),
                 *draw(st.sampled_from([[], ["--at", draw(POINTS)], ["--seed", "-1"]]))]
    return args


@pytest.fixture(scope="module")
def warm() -> None:
    """The verification's libraries imported before any clock starts: a limit never stops an
    import (it waits for its end), so a first torch import could take a case past its limit."""
    import scipy.special  # noqa: F401
    import torch  # noqa: F401

    import symnum
    symnum.verify(symnum.derive("log(x)"), at={"x": 0.5})  # imports JAX too, where installed


@pytest.fixture
def sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, warm: None) -> Path:
    """An empty working directory, and the CLI's own limits short enough for a fuzz run."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SYMNUM_TIMEOUT", str(CLI_S))
    # 3 GiB above what the test process holds already (the memory limit counts it all)
    monkeypatch.setenv("SYMNUM_MEMORY", str((edge.resident_size() or 0) + 3 * 2**30))
    return tmp_path


class _hard_limit:  # noqa: N801 - a context manager
    """Stuck in native code past HARD_S: dump every stack and end the run (no alarm helps)."""

    def __enter__(self) -> None:
        faulthandler.dump_traceback_later(HARD_S, exit=True, file=sys.__stderr__)

    def __exit__(self, *_: object) -> None:
        faulthandler.cancel_dump_traceback_later()


# Inputs that once ended in an internal error or ran away, tried on every run before the
# generated ones (the fuzzing campaign, and this test's own finds).
KNOWN = [
    ["derive", "exp(w1*x*y)*sin(u1*x+t1*y)*cos(c1*x*y+q1)*tanh(r1*x+s1*y)", "--wrt", "x,y",
     "--what", "hessian"],
    ["derive", "2**2**2**2**2**2*x"], ["derive", "(10**1000)**(10**1000)*x"],
    ["derive", "x*10**4300"], ["derive", "x", "--at", "x=10**4300"],
    ["derive", "factorial(1000)**2"], ["derive", "x*sqrt(2)**(10**12)"],
    ["derive", "exp(log(2)*10**12)*x"], ["derive", "(2*I)**(10**12)"],
    ["derive", "x**(10**100)", "--at", "x=2"], ["derive", "Heaviside(x)", "--at", "x=0"],
    ["derive", "sign(x)", "--at", "x=0"], ["derive", "floor(x)", "--at", "x=1"],
    ["derive", "min(x, y)", "--what", "hessian", "--at", "x=1,y=1"],
    ["derive", "f(x)", "--at", "x=1"], ["check", "f(x)", "--of", "f(x)*x"],
    ["check", "gamma(x)*polygamma(0, x)", "--of", "gamma(x)"],
    ["check", "DiracDelta(x)", "--of", "Heaviside(x)"], ["verify", "x", "--seed", "-1"],
    ["verify", "exp(1000*x)", "--points", "2"], ["verify", "log(x)", "--at", "x=1e-8"],
    ["verify", "x" + "**x" * 7, "--points", "2"],
]


def _examples(test):
    for argv in KNOWN:
        test = example(argv=argv)(test)
    return test


@settings(max_examples=20, **SETTINGS)
@_examples
@given(argv=command_lines())
def test_cli_any_text_gives_an_answer_or_one_error_line(argv, sandbox, capsys):
    start = time.monotonic()
    with _hard_limit():
        code = cli.main(argv)
    elapsed = time.monotonic() - start
    out, err = capsys.readouterr()
    assert code in (0, 1, 2), (argv, code)
    assert "Traceback" not in out + err, (argv, err)
    if code == 2:
        assert out == "", argv
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), (argv, err)
        assert "internal error" not in err, (argv, err)
    else:
        assert "error:" not in err, (argv, err)
    assert list(sandbox.iterdir()) == [], (argv, list(sandbox.iterdir()))
    assert elapsed < CLI_S + 6, (argv, elapsed)  # the limit, and a margin for a loaded machine


def _api_calls(e: str, e2: str, value: str, wrt: str | None) -> dict:
    """Calls of the public API, by name, with strings where it accepts strings."""
    return {
        "parse": lambda: symnum.core.parse(e),
        "derive": lambda: symnum.derive(e, wrt=wrt),
        "derive list": lambda: symnum.derive(["x", e], wrt="x"),
        "derive nested": lambda: symnum.derive([[e, "x"], ["y", e2]]),
        "derive tuple": lambda: symnum.derive(("x*y", e), wrt="x,y"),
        "Function": lambda: symnum.Function(e),
        "Function list": lambda: symnum.Function([e, e2]),
        "Function nested": lambda: symnum.Function([[e]]),
        "hessian": lambda: symnum.derive(e, what="hessian"),
        "at": lambda: symnum.derive("x**2*y").at({"x": value, "y": "2"}),
        "at list": lambda: symnum.derive(["x*y", e]).at({"x": [value, "1"], "y": [[value]]}),
        "at expr": lambda: symnum.derive(e, wrt="x").at({"x": value}),
        "verify": lambda: symnum.verify(e, points=1),
        "verify at": lambda: symnum.verify("x**2", at={"x": value}),
        "kernel": lambda: symnum.kernel(e),
        "kernel list": lambda: symnum.kernel([e, "x"]),
        "kernel call": lambda: symnum.kernel("x**2*y", wrt="x,y")(value, [value]),
        "graph": lambda: symnum.Function("x**2").graph().text({"x": value}),
    }


def _api_call(draw: st.DrawFn) -> tuple[str, object]:
    """One call of the public API with generated strings where it accepts strings."""
    e, e2 = draw(EXPRESSIONS), draw(EXPRESSIONS)
    value = draw(st.one_of(st.sampled_from(NUMBERS + PAYLOADS), EXPRESSIONS))
    wrt = draw(st.sampled_from(["x", "x,y", None, value]))
    calls = _api_calls(e, e2, value, wrt)
    name = draw(st.sampled_from(sorted(calls)))
    return name, calls[name]


def _run_api(name: str, call, sandbox: Path) -> None:
    try:  # the CLI's own alarm: never raised inside a __del__ or a gc callback
        with _hard_limit(), edge.limited(guard.Limits(API_S, None)):
            call()
    except symnum.SymnumError:
        pass
    except edge.TimeUp:
        pytest.fail(f"{name} ran past {API_S} s")
    assert list(sandbox.iterdir()) == [], (name, list(sandbox.iterdir()))
    assert not os.path.exists(MARK)


@pytest.mark.parametrize("name", sorted(_api_calls("", "", "", None)))
def test_every_api_entry_refuses_a_payload_in_every_string(name, sandbox):
    payload = PAYLOADS[0]
    _run_api(name, _api_calls(payload, payload, payload, payload)[name], sandbox)


@settings(max_examples=150, **SETTINGS)
@given(data=st.data())
def test_api_any_text_gives_a_result_or_a_symnum_error(data, sandbox):
    name, call = _api_call(data.draw)
    _run_api(name, call, sandbox)


REGISTRY_CASES = cases(30, seed=2026, most=12)


def test_generated_command_lines_over_the_registry_answer_cleanly(sandbox):
    """No internal error (a traceback, "internal error", an exit code other than 0, 1, 2, a
    malformed error, an exported module that raises when called) in 100 registry cases."""
    found = []
    for case in REGISTRY_CASES:
        with _hard_limit():
            record = run_case(case, sandbox)
        slow = not case.call and record["seconds"] > CLI_S + 4  # importing JAX takes a while
        if record["class"] == "internal" or slow:
            found.append((case.text()[:300], record["class"], record["detail"],
                          record["seconds"]))
        for path in sandbox.iterdir():
            if not path.name.startswith("fuzz_module_"):  # the exports' own files
                found.append((case.text()[:300], "wrote", path.name, 0))
    assert not found, found
