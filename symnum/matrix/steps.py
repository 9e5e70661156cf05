"""Steps of a matrix derivative by the differential method.

Each node states a differential, d(expr) = result, linear in dX; the rule names the identity
used (d(XY) = dX·Y + X·dY, d tr A = tr dA, ...). The root reads the gradient off
df = tr(Gᵀ dX) (or the Jacobian off df = J dx): ∂f/∂X = G.

>>> import symnum
>>> r = symnum.derive("x.T*A*x", wrt="x", shapes={"x": "n", "A": "n,n"})
>>> [s.rule for s in matrix_steps(r).walk()]
['read_off', 'product', 'transpose', 'variable', 'variable']
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sympy
from sympy.matrices.expressions.matexpr import MatrixExpr

from ..core.display import bundle, escape, math_block
from ..core.matrix_expr import Elementwise, matrix_str
from ..steps.render import latex_row
from ..steps.rules import Step
from .calculus import DIFFERENTIALS, differential
from .forms import display_form
from .printing import matrix_latex, matrix_text
from .result import MatrixResult

MATRIX_RULES: dict[str, str] = {
    "read_off": "df = tr(Gᵀ·dX) ⇒ ∂f/∂X = G  (df = J·dx ⇒ Jacobian J)",
    "constant": "dA = 0 for A that does not depend on X",
    "variable": "d(X) = dX",
    "sum": "d(A + B) = dA + dB",
    "product": "d(A·B) = dA·B + A·dB",
    "transpose": "d(Aᵀ) = (dA)ᵀ",
    "inverse": "d(A⁻¹) = −A⁻¹·dA·A⁻¹",
    "power": "d(Aᵏ) = Σ Aⁱ·dA·Aᵏ⁻¹⁻ⁱ;  d(sᵖ) = p·sᵖ⁻¹·ds for a scalar s",
    "trace": "d tr(A) = tr(dA)",
    "determinant": "d det(A) = det(A)·tr(A⁻¹·dA)",
    "hadamard": "d(A ⊙ B) = dA ⊙ B + A ⊙ dB",
    "elementwise": "d f(A) = f'(A) ⊙ dA",
    "softmax": "d softmax(z) = (diag(s) − s·sᵀ)·dz,  s = softmax(z)",
    "softmax_rows": "d softmax(S) = P ⊙ (dS − (P ⊙ dS)𝟏𝟏ᵀ),  P = softmax(S) row by row",
    "layernorm": "d layernorm(x) = (dx − 𝟏𝟏ᵀdx/n − y yᵀdx/n)/√(var(x) + ε),  y = layernorm(x)",
    "variance": "d var(x) = (2/n)(x − μ𝟏)ᵀdx,  μ = 𝟏ᵀx/n",
    "diag": "d diag(v) = diag(dv)",
    "chain": "d g(s) = g'(s)·ds for a scalar function g",
}


def _rule(e: sympy.Basic) -> str:
    """The name of the differential rule for e's kind (matrix.calculus.DIFFERENTIALS)."""
    return next((rule.name for rule in DIFFERENTIALS.rules_for(e)), "chain")


def _children(e: sympy.Basic) -> tuple[sympy.Basic, ...]:
    if isinstance(e, Elementwise):
        return (e.arg,)
    if isinstance(e, sympy.Pow | sympy.HadamardPower | sympy.MatPow):
        return (e.args[0],)
    return tuple(a for a in e.args if isinstance(a, sympy.Basic))


def matrix_steps(result: MatrixResult) -> Step:
    """The differential tree of f under the read-off step."""
    x = result.variable
    dx = sympy.MatrixSymbol("d" + x.name, *x.shape)

    def step(e: sympy.Basic) -> Step:
        if not e.has(x):
            return Step("constant", e, x, sympy.ZeroMatrix(*e.shape)
                        if isinstance(e, MatrixExpr) else sympy.S.Zero)
        if e == x:
            return Step("variable", e, x, dx)
        subs = tuple(step(c) for c in _children(e) if c.has(x))
        return Step(_rule(e), e, x, differential(e, x, dx), subs)

    tree = step(result.function.expr)
    return Step("read_off", result.function.expr, x, result.expr, (tree,),
                note=f"{result.kind}: " + MATRIX_RULES["read_off"])


@dataclass(frozen=True)
class MatrixDerivation:
    """The differential derivation of a matrix result, with the renderings of
    :class:`symnum.steps.Derivation` (text, latex, markdown, to_json)."""

    result: MatrixResult
    root: Step

    @property
    def trees(self) -> tuple[Step, ...]:
        return (self.root,)

    def text(self) -> str:
        return steps_text(self.root)

    def latex(self) -> str:
        return steps_latex(self.root)

    def markdown(self) -> str:
        """Markdown for notebooks: a nested list of differentials, then the result."""
        shown = math_block(self.result.latex())
        return steps_markdown(self.root) + ("" if shown is None else f"\n\n**Result**\n\n{shown}")

    def to_json(self) -> list[dict[str, Any]]:
        return [steps_json(self.root)]

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, str]:
        """Jupyter's display: the Markdown derivation (and the text for terminals)."""
        return bundle(self.text(), {"text/markdown": self.markdown()}, include, exclude)

    def __str__(self) -> str:
        return self.text()


def matrix_derivation(result: MatrixResult) -> MatrixDerivation:
    """:func:`matrix_steps` wrapped like a scalar derivation.

    >>> import symnum
    >>> f = symnum.Function("x.T*A*x", wrt="x", shapes={"x": "n", "A": "n,n"})
    >>> print(f.steps().text().splitlines()[0])
    [1] ∂/∂x [xᵀAx] = (A + Aᵀ)x
    """
    return MatrixDerivation(result, matrix_steps(result))


def _shown(step: Step) -> sympy.Basic:
    """A step's result as the result prints: σ forms, factored coefficients."""
    return display_form(step.result, step.expr, abbreviate=False)[0]


def steps_text(root: Step) -> str:
    lines: list[str] = []
    for k, (s, depth) in enumerate(root.walk_with_depth(), 1):
        pad = "   " * depth
        op = f"∂/∂{s.wrt} " if s.rule == "read_off" else "d"
        lines.append(f"{pad}[{k}] {op}[{matrix_text(s.expr)}] = {matrix_text(_shown(s))}")
        lines.append(f"{pad}      {s.rule.replace('_', ' ')}: {MATRIX_RULES[s.rule]}")
    return "\n".join(lines)


def steps_latex(root: Step) -> str:
    rows = [latex_row(depth, rf"\frac{{\partial}}{{\partial {matrix_latex(s.wrt)}}}"
                      if s.rule == "read_off" else "d", matrix_latex(s.expr),
                      matrix_latex(_shown(s)), s.rule.replace("_", " "))
            for s, depth in root.walk_with_depth()]
    return "\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}"


def steps_markdown(root: Step) -> str:
    """Nested bullet list: rule, the differential in inline math, the identity used."""
    lines = []
    for s, depth in root.walk_with_depth():
        op = rf"\frac{{\partial}}{{\partial {matrix_latex(s.wrt)}}}" if s.rule == "read_off" \
            else "d"
        lines.append(f"{'  ' * depth}- **{s.rule.replace('_', ' ')}**: "
                     rf"${op}\left[{matrix_latex(s.expr)}\right] = {matrix_latex(s.result)}$"
                     f" — {escape(MATRIX_RULES[s.rule], quote=False)}")
    return "\n".join(lines)


def steps_json(root: Step) -> dict[str, Any]:
    """Same keys as the scalar contract; "differential": true marks d(expr) = result."""
    op = rf"\frac{{\partial}}{{\partial {matrix_latex(root.wrt)}}}" if root.rule == "read_off" \
        else "d"
    return {"rule": root.rule, "title": root.rule.replace("_", " "),
            "latex": rf"{op}\left[{matrix_latex(root.expr)}\right] = {matrix_latex(root.result)}",
            "expr": matrix_str(root.expr), "wrt": root.wrt.name,
            "result": matrix_str(root.result), "differential": root.rule != "read_off",
            "formula": MATRIX_RULES[root.rule],
            "substeps": [steps_json(s) for s in root.substeps]}
