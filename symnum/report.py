"""Render a verification :class:`~symnum.verification.Report` as text or JSON.

>>> import symnum
>>> print(symnum.verify("x**2", points=1).text().splitlines()[0])
verify derivative of x**2 with respect to x at 1 random point (seed 0)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .verification import EntryCheck, MethodCheck, Report


def _entry_name(report: Report, index: tuple[int, ...]) -> str:
    """A person's name for an entry: ∂f/∂x, ∂²f/∂x∂y, J[1,2] ..."""
    r = report.result
    names = [v.name for v in r.variables]
    if r.kind == "derivative":
        return f"entry {index[0] + 1}" if r.function.is_vector else "df/d" + names[0]
    if r.kind == "gradient":
        return f"∂f/∂{names[index[0]]}"
    if r.kind == "hessian":
        i, j = index
        return f"∂²f/∂{names[i]}²" if i == j else f"∂²f/∂{names[i]}∂{names[j]}"
    return f"∂f{index[0] + 1}/∂{names[index[1]]}"


def _point_text(point: dict[str, float]) -> str:
    return ", ".join(f"{k} = {v:.17g}" for k, v in point.items())


def _worst_line(report: Report, check: MethodCheck) -> str:
    worst = check.worst()
    if worst is None:
        return ""
    k, e = worst
    return (f"    worst: {_entry_name(report, e.index)} at {_point_text(report_points(report)[k])}"
            f"\n      exact {e.exact:.17g}, {check.method} {e.value:.17g}, "
            f"error {e.error:.2e} (tolerance {e.tolerance:.1e})")


def report_points(report: Report) -> list[dict[str, float]]:
    """The points the methods actually ran at (points at a kink are reported apart)."""
    kink_points = [n.point for n in report.kinks]
    return [p for p in report.points if p not in kink_points]


def report_text(report: Report) -> str:
    """A table per method, the worst entry for each, kinks, and the verdict."""
    r = report.result
    where = (f"{len(report.points)} random point{'s' if len(report.points) != 1 else ''} "
             f"(seed {report.seed})" if report.seed is not None
             else _point_text(report.points[0]))
    lines = [f"verify {r.kind} of {_source(report)} with respect to "
             f"{', '.join(v.name for v in r.variables)} at {where}", ""]
    lines.append(f"  {'method':<14}{'evals':>7}  {'worst error':>11}  {'digits':>6}  verdict")
    for c in report.checks:
        worst = c.worst()
        if c.skipped:
            lines.append(f"  {c.method:<14}{'':>7}  {'':>11}  {'':>6}  skipped: {c.skipped}")
            continue
        err = f"{worst[1].error:.1e}" if worst else "-"
        digits = f"{min(e.digits for p in c.points for e in p):.1f}" if worst else "-"
        lines.append(f"  {c.method:<14}{c.evaluations:>7}  {err:>11}  {digits:>6}  "
                     f"{'pass' if c.passed else 'FAIL'}")
    lines.append("")
    for c in report.checks:
        if c.skipped:
            continue
        lines.append(f"  {c.method}: {c.description}; step {c.step}; tolerance {c.tolerance}")
        if not c.passed:
            lines.append(_worst_line(report, c))
    for note in report.kinks:
        lines += [f"  kink at {_point_text(note.point)} along {note.variable}: "
                  f"left derivative {note.left:.15g}, right derivative {note.right:.15g}",
                  f"    conventions at the kink: SymPy gives {_maybe(note.sympy_value)}, "
                  f"torch autograd gives {_maybe(note.torch_value)}; not counted as a failure"]
    ran = [c for c in report.checks if not c.skipped]
    verdict = ("PASS: every method agrees with the exact result" if ran else
               "PASS: only kinks were checked (see the one-sided derivatives above)"
               ) if report.passed else (
        "FAIL: a numeric method disagrees with the exact result" if any(
            not c.skipped and not c.passed for c in report.checks)
        else "NOT CHECKED: no method could run")
    lines += ["", verdict]
    return "\n".join(lines)


def _maybe(value: float | None) -> str:
    return "undefined" if value is None else f"{value:.15g}"


def _source(report: Report) -> str:
    f = report.result.function
    return "[" + ", ".join(map(str, f.outputs)) + "]" if f.is_vector else str(f.expr)


def _entry_json(report: Report, e: EntryCheck) -> dict[str, Any]:
    return {"entry": _entry_name(report, e.index), "index": list(e.index), "exact": e.exact,
            "value": e.value, "error": e.error, "digits": round(e.digits, 2),
            "tolerance": e.tolerance, "passed": e.passed}


def report_json(report: Report) -> dict[str, Any]:
    """Everything in the report as plain JSON data."""
    pts = report_points(report)
    checks = []
    for c in report.checks:
        worst = c.worst()
        checks.append({
            "method": c.method, "description": c.description, "step": c.step,
            "evaluations": c.evaluations, "tolerance": c.tolerance,
            "passed": c.passed, "skipped": c.skipped or None,
            "worst": None if worst is None else {"point": pts[worst[0]],
                                                 **_entry_json(report, worst[1])},
            "points": [{"point": pts[k], "entries": [_entry_json(report, e) for e in p]}
                       for k, p in enumerate(c.points)],
        })
    return {"expr": _source(report), "wrt": [v.name for v in report.result.variables],
            "what": report.result.kind, "seed": report.seed, "points": report.points,
            "passed": report.passed, "checks": checks,
            "kinks": [vars(n) for n in report.kinks]}
