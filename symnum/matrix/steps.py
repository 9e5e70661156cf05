"""Steps of a matrix derivative by the differential method.

Each node states a differential, d(expr) = result, linear in dX; the rule names the identity
used (d(XY) = dX·Y + X·dY, d tr A = tr dA, ...). The root reads the gradient off
df = tr(Gᵀ dX) (or the Jacobian off df = J dx): ∂f/∂X = G.

>>> import symnum
>>> r = symnum.derive("x.T*A*x", wrt="x", shapes={"x": "n", "A": "n,n"})
>>> [s.rule for s in matrix_steps(r).walk()]
['read_off', 'trace_form', 'product', 'transpose', 'variable', 'variable']
"""

from __future__ import annotations

from typing import Any

import sympy
from sympy.matrices.expressions.matexpr import MatrixExpr

from ..core.display import escape
from ..core.matrix_expr import Elementwise, matrix_str
from ..steps.render import latex_row
from ..steps.rules import Step
from .calculus import DIFFERENTIALS, differential
from .forms import display_form
from .printing import matrix_latex, matrix_text
from .result import MatrixResult

MATRIX_RULES: dict[str, str] = {
    "read_off": "df = tr(Gᵀ·dX) ⇒ ∂f/∂X = G  (df = J·dx ⇒ Jacobian J)",
    "trace_form": "tr(A·B) = tr(B·A), tr(Aᵀ) = tr(A), aᵀb = tr(aᵀb): df written as tr(Gᵀ·dX)",
    "constant": "dA = 0 for A that does not depend on X",
    "variable": "d(X) = dX",
    **{rule.name: rule.identity for rule in reversed(DIFFERENTIALS.rules)},
}


def _one_by_one_trace(e: sympy.Basic) -> bool:
    return isinstance(e, sympy.Trace) and tuple(e.arg.shape) == (1, 1)


def _children(e: sympy.Basic) -> tuple[sympy.Basic, ...]:
    if isinstance(e, Elementwise):
        return (e.arg,)
    if isinstance(e, sympy.Pow | sympy.HadamardPower | sympy.MatPow):
        return (e.args[0],)
    return tuple(a for a in e.args if isinstance(a, sympy.Basic))


def differential_tree(expr: sympy.Basic, x: sympy.MatrixSymbol) -> Step:
    """d(expr) as a tree of differentials, one rule per node (a 1 × 1 trace, which is the
    scalar it holds, is not a step of its own)."""
    dx = sympy.MatrixSymbol("d" + x.name, *x.shape)

    def step(e: sympy.Basic) -> Step:
        while _one_by_one_trace(e):
            e = e.arg
        if not e.has(x):
            return Step("constant", e, x, sympy.ZeroMatrix(*e.shape)
                        if isinstance(e, MatrixExpr) else sympy.S.Zero)
        if e == x:
            return Step("variable", e, x, dx)
        rule, value = DIFFERENTIALS.first(e, x, dx) or (None, differential(e, x, dx))
        subs = tuple(step(c) for c in _children(e) if c.has(x))
        return Step(rule.name if rule else "chain", e, x, value, subs,
                    note=rule.identity if rule else "")

    return step(expr)


def trace_form(expr: sympy.Basic, x: sympy.MatrixSymbol, g: sympy.Basic) -> Step:
    """d(expr) = tr(Gᵀ dX) (gᵀ dx for a vector x), from the differential tree of expr."""
    dx = sympy.MatrixSymbol("d" + x.name, *x.shape)
    form = dx.T * g if x.shape[1] == 1 else sympy.Trace(dx.T * g)  # = tr(Gᵀ dX), as shown
    note = (f"aᵀb = bᵀa (a scalar is its own transpose): df written as gᵀ·d{x.name}"
            if x.shape[1] == 1 else
            f"tr(A·B) = tr(B·A), tr(Aᵀ) = tr(A): df written as tr(Gᵀ·d{x.name})")
    return Step("trace_form", expr, x, form, (differential_tree(expr, x),),
                let=((sympy.Symbol("G"), g),), note=note)


def _gradient_form(x: sympy.MatrixSymbol, gt: sympy.Basic) -> sympy.Basic:
    """tr(Gᵀ dX), or gᵀ dx for a column x, from Gᵀ (for display: SymPy evaluates a
    transposed product badly, so the step's value is the equal tr(dXᵀ G))."""
    form = sympy.MatMul(gt, sympy.MatrixSymbol("d" + x.name, *x.shape), evaluate=False)
    return form if x.shape[1] == 1 else sympy.Trace(form)


def _read_off(kind: str, x: sympy.MatrixSymbol) -> str:
    """The identification of the derivative from the differential, in x's name."""
    if kind == "gradient" and x.shape[1] == 1:
        return f"df = gᵀ·d{x} ⇒ ∂f/∂{x} = g (the gradient has the shape of {x})"
    if kind == "gradient":
        return f"df = tr(Gᵀ·d{x}) ⇒ ∂f/∂{x} = G (the gradient has the shape of {x})"
    return f"{kind}: " + MATRIX_RULES["read_off"]


def matrix_steps(result: MatrixResult) -> Step:
    """The differential tree of f under the read-off step."""
    x, f = result.variable, result.function.expr
    if result.kind == "gradient":
        below = trace_form(f, x, result.expr)
    else:
        below = differential_tree(f, x)
    return Step("read_off", f, x, result.expr, (below,),
                note=_read_off(result.kind, x))


def _shown(step: Step) -> sympy.Basic:
    """A step's result as the result prints: σ forms, factored coefficients."""
    if step.rule == "trace_form":  # tr(Gᵀ dX) with G as the result prints (not distributed)
        g = display_form(step.let[0][1], step.expr, abbreviate=False)[0]
        return _gradient_form(step.wrt, sympy.Transpose(g))
    return display_form(step.result, step.expr, abbreviate=False)[0]


def _formula(step: Step) -> str:
    """The identity a step applies (the rule that applied, for a name with two forms)."""
    return step.note or MATRIX_RULES[step.rule]


def steps_text(root: Step, start: int = 1, indent: int = 0) -> str:
    """Two lines a step: [k] the statement, then its rule and identity; numbers from
    ``start``, ``indent`` levels in."""
    lines: list[str] = []
    for k, (s, depth) in enumerate(root.walk_with_depth(), start):
        pad = "   " * (depth + indent)
        op = f"∂/∂{s.wrt} " if s.rule == "read_off" else "d"
        lines.append(f"{pad}[{k}] {op}[{matrix_text(s.expr)}] = {matrix_text(_shown(s))}")
        lines.append(f"{pad}      {s.rule.replace('_', ' ')}: {_formula(s)}")
    return "\n".join(lines)


def steps_latex(root: Step) -> str:
    """The tree as one align* block: a row per step, indented by depth."""
    return "\\begin{align*}\n" + " \\\\\n".join(latex_rows(root)) + "\n\\end{align*}"


def latex_rows(root: Step, indent: int = 0) -> list[str]:
    """The align* rows of a tree, ``indent`` levels in."""
    return [latex_row(depth + indent, rf"\frac{{\partial}}{{\partial {matrix_latex(s.wrt)}}}"
                      if s.rule == "read_off" else "d", matrix_latex(s.expr),
                      matrix_latex(_shown(s)), s.rule.replace("_", " "))
            for s, depth in root.walk_with_depth()]


def steps_markdown(root: Step) -> str:
    """Nested bullet list: rule, the differential in inline math, the identity used."""
    lines = []
    for s, depth in root.walk_with_depth():
        op = rf"\frac{{\partial}}{{\partial {matrix_latex(s.wrt)}}}" if s.rule == "read_off" \
            else "d"
        lines.append(f"{'  ' * depth}- **{s.rule.replace('_', ' ')}**: "
                     rf"${op}\left[{matrix_latex(s.expr)}\right] = {matrix_latex(s.result)}$"
                     f" — {escape(_formula(s), quote=False)}")
    return "\n".join(lines)


def steps_json(root: Step) -> dict[str, Any]:
    """Same keys as the scalar contract; "differential": true marks d(expr) = result."""
    op = rf"\frac{{\partial}}{{\partial {matrix_latex(root.wrt)}}}" if root.rule == "read_off" \
        else "d"
    return {"rule": root.rule, "title": root.rule.replace("_", " "),
            "latex": rf"{op}\left[{matrix_latex(root.expr)}\right] = {matrix_latex(_shown(root))}",
            "expr": matrix_str(root.expr), "wrt": root.wrt.name,
            "result": matrix_str(root.result), "differential": root.rule != "read_off",
            "formula": _formula(root),
            "substeps": [steps_json(s) for s in root.substeps]}
