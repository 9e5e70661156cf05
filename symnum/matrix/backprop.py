"""The backward pass of a network (:mod:`symnum.matrix.network`) as text, LaTeX and JSON.

The layers are named first (z_l, a_l, f), then each equation is a numbered statement with
its rule: the output error δ_L = ∂f/∂z_L (derived by differentials under it), the backward
recursion, and the gradient asked for, last also in the user's variables.

>>> import symnum
>>> from symnum.matrix.network import backward_pass
>>> r = symnum.derive("sum(tanh(W2*tanh(W1*x)))", wrt="W1",
...                   shapes={"W1": "h,n", "x": "n", "W2": "m,h"})
>>> print(backprop_text(backward_pass(r)).splitlines()[-3])
[7] ∂f/∂W1 = δ1 xᵀ
"""

from __future__ import annotations

from typing import Any

import sympy

from ..core.display import escape
from ..core.matrix_expr import matrix_str
from ..steps.rules import Step
from .forms import display_form
from .network import BACKPROP_RULES, BackwardPass, Equation
from .printing import matrix_latex, matrix_text
from .steps import latex_rows, steps_json, steps_markdown, steps_text, trace_form

DEFINITIONS = ("layer", "activation", "loss", "loss_of_z")
HEADING = "backward pass (backpropagation on the layers of f as written; δₗ = ∂f/∂zₗ)"


def _greek(e: sympy.Basic) -> sympy.Basic:
    """delta2 → δ2 for text (LaTeX writes \\delta_{2} from the name delta2)."""
    return e.xreplace({m: sympy.MatrixSymbol("δ" + m.name[5:], *m.shape)
                       for m in e.atoms(sympy.MatrixSymbol) if m.name.startswith("delta")})


def _text(e: sympy.Basic) -> str:
    return matrix_text(_greek(e))


def _lhs_text(q: Equation) -> str:
    if q.rule in ("output_error", "backward"):
        return f"{_text(q.name)} = ∂f/∂{q.wrt}"
    if q.wrt is not None:
        return f"∂f/∂{q.wrt}"
    return str(q.name) if isinstance(q.name, sympy.Symbol) else _text(q.name)


def _lhs_latex(q: Equation) -> str:
    d = r"\frac{{\partial f}}{{\partial {}}}"
    if q.rule in ("output_error", "backward"):
        return f"{matrix_latex(q.name)} = " + d.format(matrix_latex(q.wrt))
    if q.wrt is not None:
        return d.format(matrix_latex(q.wrt))
    return "f" if isinstance(q.name, sympy.Symbol) else matrix_latex(q.name)


def _substeps(q: Equation) -> tuple[Step, ...]:
    """The output error's derivation: d f in z_L, written as δᵀ dz_L, and its tree."""
    if q.rule != "output_error":
        return ()
    return (trace_form(q.of, q.wrt, q.formula),)


def _result_shown(bp: BackwardPass) -> sympy.Basic:
    """The gradient in the user's variables, as the result prints (the last formula with
    the names put back, tidied; the tests check that the two are equal)."""
    r = bp.result
    return display_form(r.expr, r.function.expr, abbreviate=False)[0]


def backprop_text(bp: BackwardPass) -> str:
    """The layers, then the numbered equations with their rules (see the module example)."""
    defs = [(f"{_lhs_text(q)} = {_text(q.formula)}", q) for q in bp.equations
            if q.rule in DEFINITIONS]
    width = max(len(t) for t, _ in defs) + 3
    lines = [HEADING, ""]
    seen: set[str] = set()
    for t, q in defs:
        title, formula, _ = BACKPROP_RULES[q.rule]
        said = f"{title}: {formula}" if q.rule not in seen else title
        lines.append(f"  {t.ljust(width)}{said}")
        seen.add(q.rule)
    lines.append("")
    k = 1
    for q in bp.equations:
        if q.rule in DEFINITIONS:
            continue
        title, formula, _ = BACKPROP_RULES[q.rule]
        lines.append(f"[{k}] {_lhs_text(q)} = {_text(q.formula)}")
        lines.append(f"      {title}: {formula}")
        k += 1
        for sub in _substeps(q):
            lines.append(steps_text(sub, start=k, indent=1))
            k += sum(1 for _ in sub.walk())
    lines.append(f"      in your variables: {matrix_text(_result_shown(bp))}")
    return "\n".join(lines)


def backprop_latex_rows(bp: BackwardPass) -> list[str]:
    """align* rows: the layers, then each equation with its rule, then the result."""
    rows = [r"&\text{backward pass: } \delta_l = \partial f/\partial z_l"]
    for q in bp.equations:
        title, _, formula = BACKPROP_RULES[q.rule]
        rows.append(rf"&{_lhs_latex(q)} = {matrix_latex(q.formula)} "
                    rf"&& \text{{{title}: }} {formula}")
        for sub in _substeps(q):
            rows.extend(latex_rows(sub, indent=1))
    rows.append(rf"&\phantom{{=}}= {matrix_latex(_result_shown(bp))}")
    return rows


def backprop_latex(bp: BackwardPass) -> str:
    """The backward pass as one align* block."""
    return "\\begin{align*}\n" + " \\\\\n".join(backprop_latex_rows(bp)) + "\n\\end{align*}"


def backprop_markdown(bp: BackwardPass) -> str:
    """A bullet list for notebooks: each equation in inline math with its rule."""
    lines = [f"**{escape(HEADING, quote=False)}**", ""]
    for q in bp.equations:
        title, text, _ = BACKPROP_RULES[q.rule]
        lines.append(f"- **{title}**: ${_lhs_latex(q)} = {matrix_latex(q.formula)}$ — "
                     f"{escape(text, quote=False)}")
        lines.extend(steps_markdown(sub, indent=1) for sub in _substeps(q))
    lines.append(f"- in your variables: ${matrix_latex(_result_shown(bp))}$")
    return "\n".join(lines)


def backprop_json(bp: BackwardPass) -> dict[str, Any]:
    """A tree like a step tree's JSON: the root states the gradient through the last
    equation; its substeps are the equations in order (``value``: in the user's variables)."""
    def node(q: Equation) -> dict[str, Any]:
        title, text, latex = BACKPROP_RULES[q.rule]
        return {"rule": q.rule, "title": title, "name": matrix_str(q.name),
                "latex": rf"{_lhs_latex(q)} = {matrix_latex(q.formula)}",
                "expr": matrix_str(q.of if q.of is not None else bp.result.function.expr),
                "wrt": None if q.wrt is None else matrix_str(q.wrt),
                "result": matrix_str(q.formula), "value": matrix_str(q.value),
                "formula": text, "formula_latex": latex, "differential": False,
                "substeps": [steps_json(s) for s in _substeps(q)]}

    last = bp.equations[-1]
    x = bp.result.variable
    return {"rule": "backward_pass", "title": "backward pass", "label": HEADING,
            "latex": rf"\frac{{\partial f}}{{\partial {matrix_latex(x)}}} = "
                     rf"{matrix_latex(last.formula)} = {matrix_latex(_result_shown(bp))}",
            "expr": matrix_str(bp.result.function.expr), "wrt": x.name,
            "result": bp.result.string(), "differential": False,
            "formula": "δ_L = ∂f/∂z_L; δₗ = (Wₗ₊₁ᵀ δₗ₊₁) ⊙ σ′(zₗ); ∂f/∂Wₗ = δₗ aₗ₋₁ᵀ",
            "substeps": [node(q) for q in bp.equations]}
