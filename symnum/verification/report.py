"""Render a verification :class:`~symnum.verification.verify.Report` as text or JSON.

>>> import symnum
>>> print(symnum.verify("x**2", points=1).text().splitlines()[0])
verify derivative of x**2 with respect to x at 1 random point (seed 0)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..core.display import html_table, paragraph, preformatted, verdict_html

if TYPE_CHECKING:
    from .verify import EntryCheck, MethodCheck, Report


_SUPERSCRIPT = {2: "²", 3: "³", 4: "⁴", 5: "⁵", 6: "⁶", 7: "⁷", 8: "⁸", 9: "⁹"}


def _entry_name(report: Report, index: tuple[int, ...]) -> str:
    """A person's name for an entry: ∂f/∂x, ∂²f/∂x∂y, J[1,2] ..."""
    r = report.result
    if hasattr(r, "entry_name"):  # a mixed partial or a tensor (symnum.higher)
        return r.entry_name(index)
    names = [v.name for v in r.variables]
    if r.kind == "derivative":
        if r.function.is_vector:
            return f"entry {index[0] + 1}"
        power = "" if r.order == 1 else _SUPERSCRIPT.get(r.order, f"^{r.order}")
        return f"d{power}f/d{names[0]}{power}"
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


def _failure_lines(report: Report) -> list[str]:
    """The failing entry: where, both values, and every method's error against tolerance."""
    failing = next(c for c in report.checks if c.verdict == "fail")
    k, e = failing.worst()
    lines = [f"  {_entry_name(report, e.index)} at {_point_text(report_points(report)[k])}: "
             f"exact {e.exact:.17g}"]
    for c in report.checks:
        if c.skipped or len(c.points) <= k:
            continue
        other = next(o for o in c.points[k] if o.index == e.index)
        lines.append(f"    {c.method:<13} {other.value:.17g}  error {other.error:.2e} vs "
                     f"tolerance {other.tolerance:.1e}: {_word(other.verdict)}")
    return lines


def _word(verdict: str) -> str:
    return {"pass": "pass", "fail": "FAIL", "inconclusive": "inconclusive"}[verdict]


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
    lines = [f"verify {getattr(r, 'noun', r.kind)} of {_source(report)} with respect to "
             f"{', '.join(v.name for v in r.variables)} at {where}", ""]
    if report.undefined:  # no method ran: there is nothing to compare them with
        return "\n".join([*lines, verdict_line(report)])
    lines.append(f"  {'method':<14}{'evals':>7}  {'worst error':>11}  {'digits':>6}  verdict")
    for c in report.checks:
        worst = c.worst()
        if c.skipped:
            lines.append(f"  {c.method:<14}{'':>7}  {'':>11}  {'':>6}  "
                         f"inconclusive: {c.skipped}")
            continue
        err = f"{worst[1].error:.1e}" if worst else "-"
        digits = f"{min(e.digits for p in c.points for e in p):.1f}" if worst else "-"
        word = _word(c.verdict) + (f": {c.reason}" if c.verdict == "inconclusive" else "")
        lines.append(f"  {c.method:<14}{c.evaluations:>7}  {err:>11}  {digits:>6}  {word}")
    lines.append("")
    for c in report.checks:
        if c.skipped:
            continue
        lines.append(f"  {c.method}: {c.description}; step {c.step}; tolerance {c.tolerance}")
        if c.verdict == "inconclusive":  # a failure is shown in full below
            lines.append(_worst_line(report, c))
    for note in report.kinks:
        lines += [f"  {_kink_text(note)}",
                  f"    conventions at the kink: SymPy gives {_maybe(note.sympy_value)}, "
                  f"torch autograd gives {_maybe(note.torch_value)}; not counted as a failure"]
    lines += ["", verdict_line(report)]
    if report.verdict == "fail":
        lines += _failure_lines(report)
    return "\n".join(lines)


def verdict_line(report: Report) -> str:
    """One line: PASS / FAIL / INCONCLUSIVE and what it rests on."""
    if report.undefined:
        return f"INCONCLUSIVE: {report.undefined}"
    ran = [c for c in report.checks if not c.skipped]
    if report.verdict == "fail":
        names = ", ".join(c.method for c in ran if c.verdict == "fail")
        return f"FAIL: {names} disagree{'s' if ',' not in names else ''} with the exact result"
    if report.verdict == "pass":
        agree = [c.method for c in ran if c.verdict == "pass"]
        if not any(c.points for c in ran):
            return "PASS: only kinks were checked (see the one-sided derivatives above)"
        if len(agree) == len(report.checks):
            return "PASS: every method agrees with the exact result"
        if agree:
            rest = [c.method for c in report.checks if c.method not in agree]
            return (f"PASS: confirmed by {', '.join(agree)}; no method disagrees "
                    f"({', '.join(rest)}: inconclusive)")
        return "PASS: every entry is confirmed by at least one method; no method disagrees"
    if not ran or not any(c.points for c in ran):
        return "INCONCLUSIVE: no method could run here"
    return ("INCONCLUSIVE: no method disagrees, but some entry is confirmed by none "
            "(see the reasons above)")


def report_html(report: Report) -> str:
    """For notebooks: the verdict first (PASS / FAIL / INCONCLUSIVE), then a table per method,
    the failing entry or the kinks; every text escaped."""
    rows = []
    for c in report.checks:
        worst = c.worst()
        if c.skipped:
            rows.append([c.method, c.description, "", "", "", f"inconclusive: {c.skipped}"])
            continue
        digits = f"{min(e.digits for p in c.points for e in p):.1f}" if worst else "-"
        word = _word(c.verdict) + (f": {c.reason}" if c.verdict == "inconclusive" else "")
        rows.append([c.method, c.description, c.evaluations,
                     f"{worst[1].error:.1e}" if worst else "-", digits, word])
    title = report_text(report).split("\n", 1)[0]
    parts = [verdict_html(report.verdict, verdict_line(report)), paragraph(title),
             html_table(["method", "how", "evaluations", "worst error", "digits", "verdict"],
                        rows)]
    if report.verdict == "fail":
        parts.append(preformatted("\n".join(_failure_lines(report))))
    for note in report.kinks:
        parts.append(paragraph(f"{_kink_text(note)} (not counted as a failure)"))
    return "".join(parts)


def _kink_text(note) -> str:
    """The one-sided derivatives at a kink; where they agree (pieces that join smoothly, as
    Huber's loss at ±δ), say so."""
    where = f"{_point_text(note.point)} along {note.variable}"
    if abs(note.left - note.right) <= 1e-12 * max(1.0, abs(note.left), abs(note.right)):
        return (f"smooth at {where}: left and right derivatives agree ({note.left:.15g}), "
                "though f changes form there")
    return f"kink at {where}: left derivative {note.left:.15g}, right derivative {note.right:.15g}"


def _maybe(value: float | None) -> str:
    return "undefined" if value is None else f"{value:.15g}"


def _source(report: Report) -> str:
    f = report.result.function
    return "[" + ", ".join(map(str, f.outputs)) + "]" if f.is_vector else str(f.expr)


def _entry_json(report: Report, e: EntryCheck) -> dict[str, Any]:
    return {"entry": _entry_name(report, e.index), "index": list(e.index), "exact": e.exact,
            "value": e.value, "error": e.error, "digits": round(e.digits, 2),
            "tolerance": e.tolerance, "passed": e.passed, "verdict": e.verdict,
            "reason": e.reason or None}


def report_json(report: Report) -> dict[str, Any]:
    """Everything in the report as plain JSON data."""
    pts = report_points(report)
    checks = []
    for c in report.checks:
        worst = c.worst()
        checks.append({
            "method": c.method, "description": c.description, "step": c.step,
            "evaluations": c.evaluations, "tolerance": c.tolerance,
            "passed": c.passed, "verdict": c.verdict, "reason": c.reason or None,
            "skipped": c.skipped or None,
            "worst": None if worst is None else {"point": pts[worst[0]],
                                                 **_entry_json(report, worst[1])},
            "points": [{"point": pts[k], "entries": [_entry_json(report, e) for e in p]}
                       for k, p in enumerate(c.points)],
        })
    r = report.result
    return {"expr": _source(report), "wrt": list(getattr(r, "wrt_names", [v.name for v in
                                                                          r.variables])),
            "what": r.kind, "order": r.order, "seed": report.seed, "points": report.points,
            "passed": report.passed, "verdict": report.verdict,
            "summary": verdict_line(report), "undefined": report.undefined or None,
            "checks": checks,
            "kinks": [vars(n) for n in report.kinks]}
