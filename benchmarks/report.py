"""The issue's "Done when" targets as a table, the summary of a run against them (PASS/MISS),
the run's JSON (``benchmarks/last_run.json``) and, from that JSON, the README's Markdown.

    python benchmarks/report.py [benchmarks/last_run.json] [--write]

prints the run's Markdown; ``--write`` puts it into README.md between
``<!-- speed-run:start -->`` and ``<!-- speed-run:end -->``.

>>> print(summary_lines({"build_61": 2.5})[2])
building the 61-parameter Hessian, symnum / CasADi (in-process)       ≤ 1.5       2.5       MISS
"""

from __future__ import annotations

import json
import math
import os
import platform
import re
import sys
import time
from dataclasses import dataclass

HERE = os.path.dirname(os.path.abspath(__file__))
LAST_RUN = os.path.join(HERE, "last_run.json")
GB_MIB = 2e9 / 2**20  # 2 GB in MiB


@dataclass(frozen=True)
class Target:
    """One "Done when" line: the measured value under ``key`` must be ``≤`` (or ``<``)
    ``bound`` (in ``unit``)."""
    key: str
    text: str
    bound: float
    unit: str = "×"
    strict: bool = False

    def passes(self, value: float) -> bool:
        return value < self.bound if self.strict else value <= self.bound

    def bound_text(self) -> str:
        unit = "" if self.unit == "×" else " " + self.unit
        return f"{'<' if self.strict else '≤'} {self.bound:g}{unit}"


TARGETS = (
    Target("build_61", "building the 61-parameter Hessian, symnum / CasADi (in-process)", 1.5),
    Target("build_161", "building the 161-parameter Hessian, symnum / CasADi (in-process)", 1.5),
    Target("big_build_s", "building the 1,001-parameter Hessian (fresh process)", 60, "s"),
    Target("big_peak_mib", "… its process's peak memory once built (2 GB)", round(GB_MIB),
           "MiB", strict=True),
    Target("lse_torch", "batched log-sum-exp Hessian, torch kernel / jitted JAX, worst run",
           0.5),
    Target("lse_numpy", "batched log-sum-exp Hessian, numpy kernel / jitted JAX, worst run",
           0.5),
    Target("point_us", "61-parameter Hessian at one point from Python, median", 10, "µs"),
    Target("import_s", "`import symnum`, whole process, median of 5 (--quick: 2)", 0.25, "s"),
    Target("derive_s", '`symnum derive "x^2"`, whole process, median of 5 (--quick: 2)', 0.5, "s"),
)
NOT_HERE = ("held-out checks of the earlier issues, catalog and notebooks unchanged: "
            "the test suite decides these, not this benchmark")


def verdict(target: Target, value: float | None) -> str:
    return "–" if value is None else ("PASS" if target.passes(value) else "MISS")


def _value(value: float | None) -> str:
    if value is None:
        return "not run"
    if not math.isfinite(value):
        return "stopped"
    return f"{value:.0f}" if abs(value) >= 1000 else f"{value:.3g}"


def _finite(value: float | None) -> float | str | None:
    """JSON has no infinity: a run stopped at its limit is written "stopped"."""
    return value if value is None or math.isfinite(value) else "stopped"


def summary_lines(values: dict[str, float | None]) -> list[str]:
    """The printed summary: one line a target, its measured value and PASS/MISS."""
    lines = [f"{'target':<70}{'bound':<12}{'measured':<10}verdict", "-" * 99]
    for t in TARGETS:
        value = values.get(t.key)
        lines.append(f"{t.text:<70}{t.bound_text():<12}{_value(value):<10}{verdict(t, value)}")
    lines.append(f"({NOT_HERE})")
    return lines


def environment() -> dict:
    """The machine and its load, for the JSON and the header."""
    return {"date_utc": time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
            "machine": platform.processor() or platform.machine(), "cores": os.cpu_count(),
            "python": platform.python_version(), "load_average": os.getloadavg()}


def write(run: dict, path: str = LAST_RUN) -> None:
    """The run as JSON, with the summary's verdicts."""
    run = dict(run, environment=dict(run.get("environment", {}), end_load=os.getloadavg()))
    run["summary"] = [{"target": t.text, "bound": t.bound_text(), "key": t.key,
                       "measured": _finite(run["values"].get(t.key)),
                       "verdict": verdict(t, run["values"].get(t.key))} for t in TARGETS]
    run["values"] = {k: _finite(v) for k, v in run["values"].items()}
    with open(path, "w") as handle:
        json.dump(run, handle, indent=1)
        handle.write("\n")


def markdown(run: dict) -> str:
    """The README's tables from a run's JSON: the targets, then the sweep."""
    env = run["environment"]
    lines = ["| target | bound | measured | |", "| --- | --- | --- | --- |"]
    for row in run["summary"]:
        shown = row["measured"] if isinstance(row["measured"], str) else _value(row["measured"])
        lines.append(f"| {row['target']} | {row['bound']} | {shown} | "
                     f"**{row['verdict']}** |")
    lines += ["", "| params | tool | build s | one evaluation ms | peak MiB | "
              "max \\|H − H_CasADi\\| | stopped |", "| --- | --- | --- | --- | --- | --- | --- |"]
    for m in sorted(run.get("sweep", []), key=lambda m: (m["params"], m["tool"])):
        build = f"{m['build_s']:.3g}" if m["build_s"] is not None else "–"
        ev = f"{m['evaluate_s'] * 1e3:.3g}" if m["evaluate_s"] is not None else "–"
        lines.append(f"| {m['params']} | {m['tool']} | {build} | {ev} | {m['peak_mib']:.0f} | "
                     f"{m['max_gap_vs_oracle']} | {m['stopped']} |")
    lines += ["", f"One run of `python benchmarks/run.py{' --quick' if run.get('quick') else ''}` "
              f"on {env['date_utc']} UTC, {env['machine']} with {env['cores']} cores, Python "
              f"{env['python']}, load average {env['load_average'][0]:.1f} at the start and "
              f"{env['end_load'][0]:.1f} at the end."]
    return "\n".join(lines)


def write_readme(text: str, path: str = os.path.join(os.path.dirname(HERE), "README.md")
                 ) -> None:
    """Replace the Markdown between README.md's speed-run markers with ``text``."""
    with open(path, encoding="utf-8") as handle:
        readme = handle.read()
    pattern = re.compile(r"(<!-- speed-run:start -->\n).*?(<!-- speed-run:end -->)", re.S)
    if not pattern.search(readme):
        raise SystemExit("README.md has no <!-- speed-run:start/end --> markers")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(pattern.sub(lambda m: m.group(1) + text + "\n" + m.group(2), readme))


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--write"]
    with open(args[0] if args else LAST_RUN) as handle:
        text = markdown(json.load(handle))
    print(text)
    if "--write" in sys.argv:
        write_readme(text)
