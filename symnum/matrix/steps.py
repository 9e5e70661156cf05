"""Steps of a matrix derivative by the differential method.

Each node states a differential, d(expr) = result, linear in dX; the rule names the identity
used (d(XY) = dX·Y + X·dY, d tr A = tr dA, ...). :mod:`symnum.matrix.identify` puts the
read-off steps above the tree (∂f/∂X = G from df = tr(Gᵀ dX), a Jacobian from vec dF, a
Hessian from d(∇f)); the renderers here write every kind of step.

>>> n = sympy.Symbol("n", integer=True)
>>> x, A = sympy.MatrixSymbol("x", n, 1), sympy.MatrixSymbol("A", n, n)
>>> [s.rule for s in differential_tree(x.T * A * x, x).walk()]
['product', 'transpose', 'variable', 'variable']
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

MATRIX_RULES: dict[str, str] = {
    "read_off": "df = tr(Gᵀ·dX) ⇒ ∂f/∂X = G",
    "read_off_jacobian": "vec dF = V·vec dX ⇒ ∂vec F/∂(vec X)ᵀ = V",
    "read_off_hessian": "vec d(∇f) = H·vec dX ⇒ ∂²f/∂vec X∂(vec X)ᵀ = H",
    "vec_form": "vec(A·dX·B) = (Bᵀ ⊗ A)·vec dX, vec dXᵀ = K·vec dX, vec(C ⊙ M) = diag(vec C)·vec M",
    "linear_form": "df written as J·dx",
    "second_differential": "d²f = tr(d(∇f)ᵀ·dX): df = tr(∇fᵀ·dX) differentiated, dX fixed",
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


TITLES = {"read_off": "read off the gradient", "read_off_jacobian": "read off the Jacobian",
          "read_off_hessian": "read off the Hessian", "vec_form": "vec",
          "second_differential": "second differential"}


def title(rule: str) -> str:
    """A rule's name for people: "read off the Jacobian", "trace form", "linear"."""
    return TITLES.get(rule, rule.replace("_", " "))


def _operator(step: Step) -> tuple[str, str]:
    """What a step applies to its expression, in text and LaTeX: d, vec d, d², ∂/∂X, ..."""
    x = step.wrt
    t, tex = matrix_text(x), matrix_latex(x)
    four = x.shape[1] != 1 or (isinstance(step.expr, MatrixExpr) and step.expr.shape[1] != 1)
    vec = r"\operatorname{vec}"
    table = {
        "read_off": (f"∂/∂{t} ", rf"\frac{{\partial}}{{\partial {tex}}}"),
        "read_off_jacobian": (f"∂ vec/∂(vec {t})ᵀ ", rf"\frac{{\partial {vec}}}"
                              rf"{{\partial ({vec} {tex})^\top}}") if four else
                             (f"∂/∂{t}ᵀ ", rf"\frac{{\partial}}{{\partial {tex}^\top}}"),
        "read_off_hessian": (f"∂²/∂vec {t}∂(vec {t})ᵀ ", rf"\frac{{\partial^2}}{{\partial {vec} "
                             rf"{tex}\, \partial ({vec} {tex})^\top}}") if x.shape[1] != 1 else
                            (f"∂²/∂{t}∂{t}ᵀ ", rf"\frac{{\partial^2}}{{\partial {tex}\, "
                             rf"\partial {tex}^\top}}"),
        "vec_form": ("vec d", rf"{vec}\, d") if four else ("d", "d"),
        "second_differential": ("d²", "d^2"),
    }
    return table.get(step.rule, ("d", "d"))


def _shown(step: Step) -> sympy.Basic:
    """A step's result as the result prints: σ forms, factored coefficients."""
    if step.rule == "trace_form":  # tr(Gᵀ dX) with G as the result prints (not distributed)
        g = display_form(step.let[0][1], step.expr, abbreviate=False)[0]
        compound = isinstance(g, sympy.MatMul | sympy.MatAdd | sympy.HadamardProduct)
        return _gradient_form(step.wrt, sympy.Transpose(g) if compound else g.T)
    try:
        return display_form(step.result, step.expr, abbreviate=False)[0]
    except (TypeError, ValueError, AttributeError):  # a form SymPy cannot rebuild: as derived
        return step.result


def _formula(step: Step) -> str:
    """The identity a step applies (the rule that applied, for a name with two forms)."""
    return step.note or MATRIX_RULES[step.rule]


def steps_text(root: Step, start: int = 1, indent: int = 0) -> str:
    """Two lines a step: [k] the statement, then its rule and identity; numbers from
    ``start``, ``indent`` levels in."""
    lines: list[str] = []
    for k, (s, depth) in enumerate(root.walk_with_depth(), start):
        pad = "   " * (depth + indent)
        op = _operator(s)[0]
        lines.append(f"{pad}[{k}] {op}[{matrix_text(s.expr)}] = {matrix_text(_shown(s))}")
        lines.append(f"{pad}      {title(s.rule)}: {_formula(s)}")
    return "\n".join(lines)


def steps_latex(root: Step) -> str:
    """The tree as one align* block: a row per step, indented by depth."""
    return "\\begin{align*}\n" + " \\\\\n".join(latex_rows(root)) + "\n\\end{align*}"


def latex_rows(root: Step, indent: int = 0) -> list[str]:
    """The align* rows of a tree, ``indent`` levels in."""
    return [latex_row(depth + indent, _operator(s)[1], matrix_latex(s.expr),
                      matrix_latex(_shown(s)), title(s.rule))
            for s, depth in root.walk_with_depth()]


def steps_markdown(root: Step, indent: int = 0) -> str:
    """Nested bullet list: rule, the differential in inline math, the identity used."""
    lines = []
    for s, depth in root.walk_with_depth():
        op = _operator(s)[1]
        lines.append(f"{'  ' * (depth + indent)}- **{title(s.rule)}**: "
                     rf"${op}\left[{matrix_latex(s.expr)}\right] = {matrix_latex(_shown(s))}$"
                     f" — {escape(_formula(s), quote=False)}")
    return "\n".join(lines)


def steps_json(root: Step) -> dict[str, Any]:
    """Same keys as the scalar contract; "differential": true marks d(expr) = result."""
    op = _operator(root)[1]
    return {"rule": root.rule, "title": title(root.rule),
            "latex": rf"{op}\left[{matrix_latex(root.expr)}\right] = {matrix_latex(_shown(root))}",
            "expr": matrix_str(root.expr), "wrt": root.wrt.name,
            "result": matrix_str(root.result), "differential": not root.rule.startswith("read_off"),
            "formula": _formula(root),
            "substeps": [steps_json(s) for s in root.substeps]}
