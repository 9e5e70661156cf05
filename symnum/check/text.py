"""``check`` verdicts as text and JSON: the verdict, how it is known, where a wrong claim
differs (point, entry, both values), the difference when exact, and the hint.

>>> from symnum.check.claim import check_claim
>>> print(check_text(check_claim("2*x + 1e-9", "x^2", wrt="x"), "x^2"))
incorrect: at x = 0.685 the claim gives 1.370000001, but the derivative is 1.37
the difference (claim − derivative) is the constant 1/1000000000, shown symbolically
the derivative of x^2 is: 2·x
"""

from __future__ import annotations

from typing import Any

from ..core.display import html_table, paragraph, preformatted, verdict_html

SHOWN_CHARS = 120  # a difference longer than this is not printed in the text


def check_text(outcome, expr: str) -> str:
    """The verdict in a few lines a learner can act on."""
    kind = getattr(outcome.result, "noun", outcome.result.kind)  # symnum.higher's say it
    evidence = outcome.evidence
    if outcome.correct:
        how = (f"shown symbolically: {evidence.statement}" if outcome.how == "symbolic"
               else f"numeric evidence: {evidence.statement}; simplification could not "
                    "decide" + (f"; {evidence.note}" if evidence.note else ""))
        return f"correct: the claim is the {kind} of {expr} ({how})"
    if outcome.counterexample is not None:
        lines = _counterexample_lines(outcome)
    elif outcome.point is None:
        lines = [f"incorrect: {outcome.diagnosis}"]
    else:
        at = ", ".join(f"{k} = {_g(v)}" for k, v in outcome.point.items())
        where = "" if not outcome.result.shape else f" entry {list(outcome.entry)}:"
        claimed = "undefined" if outcome.claimed_value is None else _g(outcome.claimed_value)
        lines = [f"incorrect: at {at}{where} the claim gives {claimed}, but the {kind} is "
                 f"{_g(outcome.expected_value)}"]
    if evidence is not None and evidence.note:
        lines.append(f"({evidence.note})")
    difference = _difference(outcome)
    constant = evidence.constant if evidence is not None else None
    if outcome.point is None:
        pass  # the shapes alone decide
    elif constant is not None:
        lines.append(f"the difference (claim − {kind}) is the constant {constant}, shown "
                     "symbolically")
    elif difference is not None and len(difference) <= SHOWN_CHARS:
        by = " in components" if outcome.counterexample is not None else ""
        if isinstance(outcome.difference, list) and len(outcome.difference) > 1 \
                and outcome.entry is not None:  # one entry of the difference, say which
            by = f" in entry {list(outcome.entry)}"
        exact = ", exactly" if outcome.how == "symbolic" else ""
        lines.append(f"the difference{by} (claim − {kind}) is {_readable(difference, outcome)}"
                     f"{exact}")
    if outcome.diagnosis and outcome.point is not None:
        lines.append(f"hint: {outcome.diagnosis}")
    lines.append(f"the {kind} of {expr} is: {_expected(outcome)}")
    return "\n".join(lines)


def check_html(outcome) -> str:
    """For notebooks: CORRECT or INCORRECT first, then the evidence, a table of the values
    where a wrong claim differs, the hint and the derivative; every text escaped."""
    expr = outcome.result.function.source
    lines = check_text(outcome, expr).splitlines()
    verdict = "correct" if outcome.correct else "incorrect"
    kind = getattr(outcome.result, "noun", outcome.result.kind)  # symnum.higher's say it
    if outcome.point is not None and outcome.counterexample is None:
        scalar = outcome.entry is None or not outcome.result.shape
        where = ", ".join(f"{k} = {_g(v)}" for k, v in outcome.point.items())
        claimed = "undefined" if outcome.claimed_value is None else _g(outcome.claimed_value)
        row = [where] + ([] if scalar else [str(list(outcome.entry))]) \
            + [claimed, _g(outcome.expected_value)]
        parts = [verdict_html(verdict, f"the claim is not the {kind} of {expr}"),
                 html_table(["point"] + ([] if scalar else ["entry"])
                            + ["the claim gives", f"the {kind}"], [row])]
        lines = lines[1:]
    elif outcome.counterexample is not None:
        parts = [verdict_html(verdict, lines[0]), preformatted("\n".join(lines[1:3]))]
        lines = lines[3:]
    else:
        parts = [verdict_html(verdict, lines[0])]
        lines = lines[1:]
    return "".join(parts + [paragraph(line) for line in lines])


def check_json(outcome) -> dict[str, Any]:
    """The verdict as JSON: the keys of earlier versions, plus ``diagnosis``,
    ``difference`` (per entry, None where not simplified) and ``evidence``."""
    result = outcome.result
    expected = result.nested([str(e) for e in result.expanded()]) \
        if hasattr(result, "nested") else result.string()  # SymPy syntax, as in derive
    data = {"correct": outcome.correct, "how": outcome.how, "what": result.kind,
            "expected": expected, "points_checked": outcome.points_checked,
            "point": outcome.point, "entry": outcome.entry,
            "claimed_value": outcome.claimed_value, "expected_value": outcome.expected_value,
            "diagnosis": outcome.diagnosis, "difference": outcome.difference,
            "evidence": outcome.evidence.to_json() if outcome.evidence else None}
    if outcome.counterexample is not None:
        data["counterexample"] = outcome.counterexample
    return data


def _difference(outcome) -> str | None:
    shown = outcome.difference
    if isinstance(shown, list):
        entry = outcome.entry
        if entry is not None and _depth(shown) == len(entry) > 1:  # a tensor of order 3: 3
            for i in entry:
                shown = shown[i]
            return shown
        flat = [d for row in shown for d in (row if isinstance(row, list) else [row])]
        k = 0
        if entry is not None and len(flat) > 1:
            cols = len(shown[0]) if isinstance(shown[0], list) else 1
            k = entry[0] * cols + (entry[1] if len(entry) > 1 else 0)
        return flat[k]
    return shown


def _depth(nested: Any) -> int:
    return 1 + _depth(nested[0]) if isinstance(nested, list) and nested else 0


def _expected(outcome) -> str:
    result = outcome.result
    if hasattr(result, "nested") and not result.shape:
        return _inline(result.expr)  # σ(x)·(1 − σ(x)), as the steps print it
    if hasattr(result, "nested"):
        from ..core.render import for_display  # ∂f/∂x(x, y), not Derivative(f(x, y), x)
        return str(result.nested([for_display(e) for e in result.expanded()]))
    return result.unicode()  # a matrix result, as a textbook prints it


def _inline(expr) -> str:
    from ..steps.render import inline
    return inline(expr)


def _readable(difference: str, outcome) -> str:
    """The difference in textbook form (2·σ(x)², not 2*exp(2*x)/(exp(x) + 1)**2), read back
    from its SymPy text by the one parser; the text itself where that fails."""
    from ..core.errors import SymnumError
    from ..core.parse import parse
    from ..core.textbook import arguments, textbook
    try:
        expr = parse(difference)
        function = outcome.result.function.expr
        return _inline(textbook(expr, arguments(function)))
    except (SymnumError, TypeError, ValueError):
        return difference


def _counterexample_lines(outcome) -> list[str]:
    c = outcome.counterexample
    sizes = ", ".join(f"{k} = {v}" for k, v in c["sizes"].items())
    inputs = "; ".join(f"{k} = {v}" for k, v in c["inputs"].items())
    kind = getattr(outcome.result, "noun", outcome.result.kind)  # symnum.higher's say it
    return [f"incorrect: with {sizes + ' and ' if sizes else ''}{inputs}",
            f"  the claim gives    {c['claimed']}",
            f"  but the {kind} is {c['expected']}"]


def _g(value: float | str) -> str:
    return f"{value:.12g}" if isinstance(value, float) else str(value)
