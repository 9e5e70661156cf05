"""benchmarks/run.py's smallest pieces, in-process, so that the benchmark does not rot: the
10-parameter MLP's Hessian built by symnum (public API) and by CasADi agree, a child's
report is read, the sweep's row, JSON and plot, and the summary's verdicts and Markdown.
The measurement itself (timings, fresh processes) runs only in the benchmark."""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

import numpy as np
import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"
MODULES = ("mlp", "tools", "child", "sweep", "report", "sections", "run")


@pytest.fixture
def bench(monkeypatch):
    """The benchmark's modules by name, imported from benchmarks/ and forgotten after."""
    monkeypatch.syspath_prepend(str(BENCH))
    yield {name: importlib.import_module(name) for name in MODULES}
    for name in MODULES:
        sys.modules.pop(name, None)


def test_symnum_and_casadi_build_the_same_hessian(bench):
    tools = bench["tools"]
    phases, hessian = tools.build("symnum", 10)
    assert list(phases) == ["derive", "ready"]
    ours = np.asarray(hessian())
    if tools.installed("casadi"):  # the bench extra; without it, the loss's own symmetry
        theirs = np.asarray(tools.build("casadi", 10)[1]())
        assert np.abs(ours - theirs).max() < 1e-12
    assert ours.shape == (10, 10) and np.allclose(ours, ours.T)


def test_a_child_report_makes_a_row_json_and_plot(bench, tmp_path):
    child, sweep = bench["child"], bench["sweep"]
    found = child.Measured("symnum", 10)
    for line in ('{"phase": "parse", "s": 0.5}', '{"phase": "derive", "s": 0.25}',
                 '{"phase": "ready", "s": 0.25}', '{"first": 0.002}', '{"peak_mib": 120.5}'):
        child._read(found, json.loads(line))
    assert found.build == 1.0 and found.first == 0.002 and found.peak_mib == 120.5
    oracle = child.Measured("casadi", 10, {"derive": 0.01, "ready": 0.001}, 1e-4, 5e-5, 60)
    found.hessian, oracle.hessian = np.ones((10, 10)), np.ones((10, 10)) + 0.5
    stopped = child.Measured("sympy", 61, {"parse": 0.1}, stopped="> 20 s")
    s = sweep.Sweep(600, 20, 6144)
    s.found = {("casadi", 10): oracle, ("symnum", 10): found, ("sympy", 61): stopped}
    assert s.get("sympy", 161) is None and s.skipped[("sympy", 161)] == "stopped at 61"
    assert sweep.row(found, oracle).endswith("5.0e-01")
    assert "stopped: > 20 s" in sweep.row(stopped, None)
    assert {m["tool"] for m in sweep.as_json(s)} == {"casadi", "symnum", "sympy"}
    sweep.plot(s, str(tmp_path / "scaling.png"), ["symnum", "casadi", "sympy"])
    assert (tmp_path / "scaling.png").stat().st_size > 10_000


def test_the_summary_decides_each_target_and_writes_markdown(bench, tmp_path):
    report = bench["report"]
    values = {"build_61": 1.4, "build_161": 1.6, "big_peak_mib": 2000.0, "point_us": 9.0}
    lines = report.summary_lines(values)
    rows = zip(report.TARGETS, lines[2:-1], strict=True)
    verdicts = {t.key: line.split()[-1] for t, line in rows}
    assert verdicts["build_61"] == "PASS" and verdicts["build_161"] == "MISS"
    assert verdicts["big_peak_mib"] == "MISS" and verdicts["point_us"] == "PASS"
    assert verdicts["import_s"] == "–"  # not run
    path = tmp_path / "last_run.json"
    report.write({"quick": True, "values": values, "environment": report.environment(),
                  "sweep": []}, str(path))
    text = report.markdown(json.loads(path.read_text()))
    assert "| building the 61-parameter Hessian" in text and "**PASS**" in text


def test_the_command_line_reads_its_sections(bench):
    run = bench["run"]
    assert run.arguments(["--quick", "--only", "builds,sweep"]).only == "builds,sweep"
    quick, full = run.arguments(["--quick"]), run.arguments([])
    assert quick.plot.endswith("scaling_quick.png") and full.plot.endswith("scaling.png")
    assert quick.json.endswith("last_run_quick.json") and full.json.endswith("last_run.json")
    with pytest.raises(SystemExit, match="unknown section"):
        run.main(["--only", "everything", "--json", ""])
