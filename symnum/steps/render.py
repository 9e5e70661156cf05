"""Step trees → text (one rule per line, a numbered tree), LaTeX (align*), Markdown, JSON.

>>> import sympy
>>> inline(sympy.sympify("3*x**2*sin(x**3)"))
'3·x²·sin(x³)'
"""

from __future__ import annotations

import re
from typing import Any

import sympy

from ..core.display import escape
from ..core.registry import BY_CLASS
from ..core.render import expr_latex, expr_str, for_display
from .rules import CLOSING, RULES, Step

_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def inline(expr: sympy.Basic) -> str:
    """One-line Unicode math: superscript integer powers, · for products, √, π."""
    text = re.sub(r"\bsigmoid\(", "σ(", expr_str(for_display(expr)))
    text = re.sub(r"\*\*\((-?\d+)\)", lambda m: m.group(1).translate(_SUPERSCRIPT), text)
    text = re.sub(r"\*\*(\d+)", lambda m: m.group(1).translate(_SUPERSCRIPT), text)
    text = text.replace("**", "^").replace("*", "·").replace("sqrt(", "√(")
    text = re.sub(r"\bpi\b", "π", text)
    text = re.sub(r"\bE\b", "e", text)
    text = re.sub(r"(^|[(\s,])-", lambda m: m.group(1) + "−", text)
    return text.replace("Abs(", "abs(").replace(" - ", " − ")


def _latex(expr: sympy.Basic) -> str:
    """A step's expression in LaTeX, as the step holds it: the user's own form (σ only where
    σ was written by name or a closing step named it)."""
    return expr_latex(expr)


def _operator(step: Step, partial: bool, latex: bool) -> str:
    """d/dx, or ∂/∂x for a variable of a function of several variables."""
    x = sympy.latex(step.wrt) if latex else step.wrt.name
    if latex:
        return rf"\frac{{\partial}}{{\partial {x}}}" if partial else rf"\frac{{d}}{{d {x}}}"
    return f"∂/∂{x}" if partial else f"d/d{x}"


def _display_numbers(root: Step) -> dict[int, int]:
    """Numbers in reading order (derivation numbers are post-order): depth first, a closing
    step after the derivation it closes."""
    numbers: dict[int, int] = {}
    for k, (step, _) in enumerate(root.reading(), 1):
        if step.number is not None:
            numbers[step.number] = k
    return numbers


# Structural rules show their formula; function rules state it in the step itself.
_FORMULA_SHOWN = frozenset({"sum", "product", "quotient", "chain", "power", "constant_multiple",
                            "general_power", "simplify", "rewrite", "recognise"})


def _explanation(step: Step, numbers: dict[int, int]) -> str:
    rule = RULES[step.rule]
    parts = [rule.title + (" rule" if step.rule in ("chain", "product", "quotient", "sum",
                                                     "power") else "")]
    if step.let:
        parts[0] += ", " + ", ".join(f"{inline(u)} = {inline(v)}" for u, v in step.let)
    if step.ref is not None:
        return f"{parts[0]} (derived in [{numbers.get(step.ref, step.ref)}])"
    if step.rule in _FORMULA_SHOWN:
        parts.append(rule.text)
    if step.note:
        parts.append(step.note)
    return ": ".join(parts[:2]) + "".join("; " + p for p in parts[2:])


def tree_text(root: Step, partial: frozenset = frozenset()) -> str:
    """The tree, one step per line: [k] statement, then rule and formula."""
    numbers = _display_numbers(root)
    lines: list[str] = []
    for k, (step, depth) in enumerate(root.reading(), 1):
        statement = (f"{_operator(step, step.wrt in partial, False)} "
                     f"[{inline(step.expr)}] = {inline(step.result)}")
        lines.append(f"{'   ' * depth}[{k}] {statement}")
        lines.append(f"{'   ' * depth}      {_explanation(step, numbers)}")
    return "\n".join(lines)


def tree_latex_lines(root: Step, partial: frozenset = frozenset()) -> list[str]:
    """align* rows: indented statement & rule name."""
    numbers = _display_numbers(root)
    rows: list[str] = []
    for k, (step, depth) in enumerate(root.reading(), 1):
        title = RULES[step.rule].title
        if step.let:
            title += ", " + ", ".join(f"${_latex(u)} = {_latex(v)}$" for u, v in step.let)
        if step.ref is not None:
            title += f" (see [{numbers.get(step.ref, step.ref)}])"
        elif formula := _formula_latex(step):
            title += f": ${formula}$"
        rows.append(latex_row(depth, f"[{k}]\\ {_operator(step, step.wrt in partial, True)}",
                              _latex(step.expr), _latex(step.result), title))
    return rows


def _formula_latex(step: Step) -> str:
    """A function's step states its derivative as its record writes it (\\sec'(u) = ...)."""
    record = BY_CLASS.get(type(step.expr))
    if record is None or step.rule in _FORMULA_SHOWN:
        return ""
    return record.rule_latex


def latex_row(depth: int, lhs: str, expr: str, result: str, title: str) -> str:
    """One align* row of a derivation: indented statement && rule name."""
    return (rf"&\hspace{{{1.5 * depth:g}em}}{lhs}\left[{expr}\right] = {result} "
            rf"&& \text{{{title}}}")


def tree_markdown(root: Step, partial: frozenset = frozenset()) -> str:
    """Nested bullet list with inline LaTeX math; the words are escaped for Markdown."""
    numbers = _display_numbers(root)
    lines: list[str] = []
    for step, depth in root.reading():
        op = _operator(step, step.wrt in partial, True)
        lines.append(f"{'  ' * depth}- **{RULES[step.rule].title}**: "
                     f"${op}\\left[{_latex(step.expr)}\\right] = {_latex(step.result)}$"
                     + (f" — {_markdown_words(_explanation(step, numbers))}"
                        if step.rule not in ("constant", "variable") else ""))
    return "\n".join(lines)


def _markdown_words(explanation: str) -> str:
    """The explanation without the rule's title (bold already), its let kept: "u = x²; ..."."""
    head, colon, rest = explanation.partition(": ")
    if not colon:  # a reference: "chain rule (derived in [3])"
        return escape(explanation, quote=False)
    let = head.split(", ", 1)[1] if ", " in head else ""
    return escape("; ".join(p for p in (let, rest) if p), quote=False)


def statement_latex(step: Step, partial: bool = False) -> str:
    """The step's statement in LaTeX: d/dx [expr] = result."""
    return (rf"{_operator(step, partial, True)}\left[{_latex(step.expr)}\right] = "
            f"{_latex(step.result)}")


def tree_json(root: Step, partial: frozenset = frozenset()) -> dict[str, Any]:
    """The JSON contract: rule, expr, wrt, result, substeps (+ title, latex, formula,
    formula_shown, note, let, id, ref, closing); ``latex`` is the statement typeset,
    ``title`` the rule's name for people; a ``closing`` step (simplify, recognise) is read
    after its substeps."""
    return {
        "rule": root.rule,
        "title": RULES[root.rule].title,
        "latex": statement_latex(root, root.wrt in partial),
        "expr": str(root.expr),
        "wrt": root.wrt.name,
        "result": str(root.result),
        "formula": RULES[root.rule].text,
        # False where the note states this function's own rule (sec'(u) = sec(u)·tan(u)),
        # which the family's formula (sin' = cos, ...) would only repeat: the text omits it
        "formula_shown": root.rule in _FORMULA_SHOWN or not root.note,
        "note": root.note,
        "let": [[str(u), str(v)] for u, v in root.let],
        "id": root.number,
        "ref": root.ref,
        "closing": root.rule in CLOSING,
        "substeps": [tree_json(s, partial) for s in root.substeps],
    }
