"""The catalog: declarative derivations (the chapter's examples and exercises, in the
``symnum.derivations`` package, the folder ``derivations/`` of the repository), each derived,
shown step by step, verified and studied in one call.

>>> entry = Derivation("square", "Square", "d/dx x² = 2x", expr="x**2", claim="2*x")
>>> outcome = run(entry)
>>> outcome.passed, str(outcome.result.expr)
(True, '2*x')
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from ..core.errors import SymnumError
from .entry import Derivation

PARTS = ("linear_algebra", "calculus", "probability", "full_picture", "exercises")
PART_TITLES = {"linear_algebra": "Linear algebra", "calculus": "Calculus",
               "probability": "Probability and information theory",
               "full_picture": "The full forward-backward picture",
               "exercises": "Exercises"}


@dataclass
class Outcome:
    """What running an entry gave: the result, its steps, the verification, the claim
    check, the study, and any error (an entry that raises fails, it does not stop the run)."""

    entry: Derivation
    result: Any = None
    steps_text: str | None = None
    steps_latex: str | None = None
    verification: list = field(default_factory=list)  # [(label, Report)]
    claim: Any = None
    study: Any = None
    value: Any = None
    error: str | None = None
    seconds: float = 0.0

    @property
    def checks(self) -> list[tuple[str, bool, str]]:
        """Every check made, as (name, passed, how)."""
        found = []
        for label, report in self.verification:
            for c in report.checks:
                if not c.skipped:  # inconclusive is no failure; the report's verdict decides
                    note = "" if c.verdict != "inconclusive" else " (inconclusive)"
                    found.append((f"{label}{c.method}{note}", c.verdict != "fail",
                                  c.description))
        if self.claim is not None:
            found.append((f"claim: {self.entry.claim}", self.claim.correct, self.claim.how))
        if self.study is not None:
            found.extend(self.study.checks)
        if self.error:
            found.append(("runs without error", False, self.error))
        return found

    @property
    def passed(self) -> bool:
        checks = self.checks
        confirmed = all(report.verdict == "pass" for _, report in self.verification)
        return bool(checks) and confirmed and all(ok for _, ok, _ in checks)


def load(part: str | None = None) -> list[Derivation]:
    """Every entry of the catalog (or of one part), in the chapter's order."""
    if part is not None and part not in PARTS:
        raise SymnumError(f"unknown part {part!r}: choose one of {', '.join(PARTS)}")
    # the catalog's data (the folder derivations/, installed as symnum.derivations); its
    # modules import only .entry, so this import closes no circle
    from ..derivations import calculus, exercises, full_picture, linear_algebra, probability
    modules = {"linear_algebra": linear_algebra, "calculus": calculus, "probability": probability,
               "full_picture": full_picture, "exercises": exercises}
    entries = []
    for name in PARTS if part is None else (part,):
        entries.extend(replace(e, part=name) for e in modules[name].ENTRIES)
    keys = [e.key for e in entries]
    if len(set(keys)) != len(keys):
        raise SymnumError("catalog keys must be unique")
    return entries


def find(key: str) -> Derivation:
    for entry in load():
        if entry.key == key:
            return entry
    raise SymnumError(f"no catalog entry {key!r}; `symnum catalog` lists them")


def run(entry: Derivation, verify: bool = True, points: int = 3) -> Outcome:
    """Derive, take the steps, verify, check the claim and run the study of one entry."""
    from .studies import STUDIES

    outcome = Outcome(entry)
    start = time.perf_counter()
    try:
        if entry.expr is not None:
            _derive(entry, outcome, verify, points)
        if entry.study is not None:
            outcome.study = STUDIES[entry.study](**entry.options)
    except SymnumError as err:
        outcome.error = str(err)
    outcome.seconds = time.perf_counter() - start
    return outcome


def _derive(entry: Derivation, outcome: Outcome, verify: bool, points: int) -> None:
    from ..check.claim import check_claim
    from ..core.evaluate import parse_point
    from ..core.function import Function
    from ..core.shapes import parse_shape
    from ..verification.matrix import verify_matrix

    shapes = dict(parse_shape(f"{k}={v}") for k, v in entry.shapes.items()) or None
    f = Function(entry.expr, entry.wrt, shapes)
    result = f.differentiate(entry.what)
    outcome.result = result
    if f.is_matrix_calculus:
        from ..matrix.derivation import matrix_derivation
        steps = matrix_derivation(result)
        outcome.steps_text, outcome.steps_latex = steps.text(), steps.latex()
    else:
        steps = f.steps(entry.what)
        outcome.steps_text, outcome.steps_latex = steps.text(), steps.latex()
    if f.is_matrix_calculus:
        if verify:
            outcome.verification = [(f"sizes {', '.join(f'{k}={v}' for k, v in s.items())}: ",
                                     r) for s, r in verify_matrix(result, points=points)]
        return
    if entry.at:
        outcome.value = result.at(parse_point(entry.at))
    if verify:
        from ..verification.verify import verify_result
        outcome.verification = [(f"at {p}: ", verify_result(result, at=parse_point(p)))
                                for p in entry.verify_at] or [
            ("", verify_result(result, points=points))]
    if entry.claim is not None:
        outcome.claim = check_claim(entry.claim, f, what=entry.what)


def run_all(entries: Iterable[Derivation], verify: bool = True,
            progress: Callable[[int, int, Derivation], None] | None = None,
            points: int = 3) -> list[Outcome]:
    """Run every entry (:func:`run`), verifying each at ``points`` random points."""
    entries = list(entries)
    outcomes = []
    for k, entry in enumerate(entries):
        if progress:
            progress(k, len(entries), entry)
        outcomes.append(run(entry, verify, points))
    if progress:
        progress(len(entries), len(entries), None)
    return outcomes


def progress_bar(stream=None, width: int = 28) -> Callable:
    """A one-line progress bar on a terminal, one line per entry otherwise, on ``stream``
    (default: ``sys.stderr`` as it is when the bar is made, also when it was redirected).

    Twelve lines of code do not justify a dependency (tqdm) for the one bar symnum draws.
    """
    stream = sys.stderr if stream is None else stream
    live = hasattr(stream, "isatty") and stream.isatty()

    def show(done: int, total: int, entry: Derivation | None) -> None:
        filled = width * done // max(total, 1)
        bar = "█" * filled + "·" * (width - filled)
        label = entry.title if entry else "done"
        if live:
            stream.write(f"\r[{bar}] {done}/{total} {label[:40]:<40}")
            if entry is None:
                stream.write("\n")
        elif entry is not None:
            stream.write(f"[{bar}] {done + 1}/{total} {label}\n")
        stream.flush()
    return show


def listing_text(entries: list[Derivation]) -> str:
    """The catalog as a reader's table of contents."""
    lines: list[str] = []
    width = max((len(e.key) for e in entries), default=0) + 2
    part = None
    for e in entries:
        if e.part != part:
            part = e.part
            lines += ["", PART_TITLES[part]] if lines else [PART_TITLES[part]]
        lines.append(f"  {e.key:<{width}}{e.title}")
    lines += ["", f"{len(entries)} derivations; `symnum catalog --verify` checks them all, "
              "`symnum catalog --show KEY` shows one"]
    return "\n".join(lines)


def entry_json(e: Derivation) -> dict[str, Any]:
    return {"key": e.key, "title": e.title, "part": e.part, "statement": e.statement,
            "expr": e.expr, "wrt": e.wrt, "what": e.what, "shapes": e.shapes,
            "claim": e.claim, "study": e.study, "figure": e.figure, "notes": e.notes}


def summary_text(outcomes: list[Outcome]) -> str:
    """One row per entry (verdict, checks passed, seconds), then the failures in full."""
    width = max((len(o.entry.key) for o in outcomes), default=5) + 2
    lines = [f"{'':2}{'entry':<{width}}{'part':<16}{'checks':>8}{'seconds':>9}"]
    for o in outcomes:
        checks = o.checks
        good = sum(ok for _, ok, _ in checks)
        mark = "✓" if o.passed else "✗"
        lines.append(f"{mark} {o.entry.key:<{width}}{o.entry.part:<16}{good:>4}/{len(checks):<3}"
                     f"{o.seconds:>9.2f}")
    failed = [o for o in outcomes if not o.passed]
    lines += ["", f"{len(outcomes) - len(failed)} of {len(outcomes)} derivations verified"]
    for o in failed:
        lines.append(f"FAILED {o.entry.key}:")
        lines += [f"  ✗ {name}: {how}" for name, ok, how in o.checks if not ok]
        lines += [f"  ? {label or 'verification'}no method confirmed every entry (inconclusive)"
                  for label, report in o.verification if report.verdict == "inconclusive"]
    return "\n".join(lines)


def outcome_text(o: Outcome) -> str:
    """One entry in full: statement, result, steps, checks, study facts."""
    import textwrap

    e = o.entry
    lines = [f"{e.title}  [{e.key}, {PART_TITLES.get(e.part, e.part)}]",
             textwrap.fill(e.statement, 90)]
    if o.result is not None:
        lines += ["", str(o.result)]
    if o.value is not None:
        lines += [f"at {e.at}: {o.value}"]
    if o.steps_text:
        lines += ["", "steps:", o.steps_text]
    if o.study is not None:
        lines += ["", "findings:"] + [textwrap.fill(f, 90, initial_indent="  ",
                                                    subsequent_indent="    ")
                                      for f in o.study.facts]
    if e.notes:
        lines += ["", e.notes]
    lines += ["", "checks:"] + [f"  {'✓' if ok else '✗'} {name} ({how})"
                                for name, ok, how in o.checks]
    return "\n".join(lines)


def outcome_json(o: Outcome) -> dict[str, Any]:
    data = entry_json(o.entry)
    data.update(passed=o.passed, seconds=round(o.seconds, 3),
                checks=[{"name": n, "passed": ok, "how": how} for n, ok, how in o.checks],
                facts=o.study.facts if o.study else [],
                result=_result_string(o.result), error=o.error)
    return data


def _result_string(result: Any) -> str | None:
    if result is None:
        return None
    if hasattr(result, "string"):
        return result.string()
    return str(result.expr)
