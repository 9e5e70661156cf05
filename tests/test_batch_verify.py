"""``symnum verify --batch`` and ``symnum catalog --verify --workers N`` on the grading runner
(symnum/batch/verifying.py, tasks.py): the same reports as the serial path. One warm worker
process serves every test here (the runner keeps its pool for the same limits)."""

from __future__ import annotations

import json
import re

import pytest

from symnum import service
from symnum.batch.jobs import GradeLimits
from symnum.batch.tables import BatchInputError
from symnum.batch.tasks import VerifyJob
from symnum.batch.verifying import catalog_outcomes, read_batch
from symnum.chapter import catalog as book

LIMITS = GradeLimits(60.0, 2**31)  # verify --batch's defaults: the same pool for both tests


def test_batch_files_are_read_and_checked_before_anything_runs(tmp_path):
    plain = tmp_path / "exprs.txt"
    plain.write_text("sin(x**2)\n# skipped\n\nx*y\n")
    assert read_batch(plain, what="gradient") == [VerifyJob(1, "sin(x**2)", None, "gradient"),
                                                  VerifyJob(4, "x*y", None, "gradient")]
    lines = tmp_path / "exprs.jsonl"
    lines.write_text('{"expression": "x.T*A*x", "wrt": ["x"], "shapes": "x=n A=n,n"}\n')
    assert read_batch(lines) == [VerifyJob(1, "x.T*A*x", "x", None, ("x=n", "A=n,n"))]
    for bad, said in (('{"expression": "x", "what": "slope"}', "line 1: unknown what 'slope'"),
                      ('{"expr": "x"}', 'line 1: an object with "expression"'),
                      ('{"expression": "x", "at": 1}', "line 1: unknown field(s) at"),
                      ("[1", "line 1: not JSON")):
        lines.write_text(bad + "\n")
        with pytest.raises(BatchInputError, match=re.escape(said)):
            read_batch(lines)


def test_verify_batch_gives_the_serial_reports_in_the_files_order(cli, tmp_path):
    exprs, out = tmp_path / "exprs.jsonl", tmp_path / "out.jsonl"
    exprs.write_text('{"expression": "x**2*y + exp(x*y)", "wrt": "x,y", "what": "hessian"}\n'
                     '{"expression": "3*x**("}\n'
                     '{"expression": "\\\\frac{1}{1+e^{-x}}", "syntax": "latex"}\n')
    proc = cli("verify", "--batch", str(exprs), "--workers", "1", "--out", str(out))
    assert proc.returncode == 1, proc.stderr  # one item is not verified: it does not read
    assert "2 of 3 verified (2 pass, 1 unreadable)" in proc.stdout
    assert "NOT VERIFIED line 2: 3*x**(" in proc.stdout
    items = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(i["line"], i["verdict"]) for i in items] == [(1, "pass"), (2, "unreadable"),
                                                          (3, "pass")]
    serial = service.verify(service.VerifyRequest("x**2*y + exp(x*y)", "x,y", "hessian"))
    assert items[0]["report"] == serial.text()
    latex = service.verify(service.VerifyRequest(r"\frac{1}{1+e^{-x}}", syntax="latex"))
    assert items[2]["report"] == latex.text()
    assert "'(' was never closed" in items[1]["report"]


def test_the_catalog_verified_by_workers_reads_as_the_serial_run():
    entries = [e for e in book.load("calculus") if e.key in ("power-chain", "nested-chain")]
    parallel = service.CatalogRun(tuple(catalog_outcomes(entries, 1, limits=LIMITS)))
    serial = service.CatalogRun(tuple(book.run_all(entries)))

    def timeless(text: str) -> str:
        return re.sub(r" +\d+\.\d\d$", "", text, flags=re.M)

    assert timeless(parallel.text()) == timeless(serial.text())
    assert "2 of 2 derivations verified" in parallel.text()
    assert parallel.latex() == serial.latex() and parallel.exit_code == serial.exit_code == 0
    untimed = [{**e, "seconds": 0} for e in serial.to_json()["entries"]]
    assert [{**e, "seconds": 0} for e in parallel.to_json()["entries"]] == untimed


@pytest.mark.parametrize(("argv", "said"), [
    (["verify", "x", "--batch", "f.txt"], "an expression or --batch FILE, not both"),
    (["verify"], "verify needs an expression"),
    (["verify", "x", "--workers", "2"], "go with --batch FILE"),
    (["catalog", "--workers", "2"], "go with catalog --verify"),
    (["catalog", "--verify", "--workers", "2", "--scheduler", "tcp://h:1"], "do not go together"),
])
def test_batch_options_out_of_place_are_one_line(cli, argv, said):
    proc = cli(*argv)
    assert proc.returncode == 2 and said in proc.stderr


def test_the_memory_watchdog_tells_an_import_from_the_lock_table_not_the_frames(tmp_path,
                                                                                 monkeypatch):
    """A worker's watchdog asks whether the main thread imports; reading that thread's
    frames from another thread crashed workers now and then (CPython 3.11)."""
    import importlib
    import threading

    from symnum.edge.interrupts import thread_importing

    (tmp_path / "probe27.py").write_text(
        "import threading\nfrom symnum.edge.interrupts import thread_importing\n"
        "SEEN = thread_importing(threading.get_ident())\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert importlib.import_module("probe27").SEEN is True
    assert thread_importing(threading.get_ident()) is False
