"""Layout conventions of matrix results, and the forms printed beside the matrix.

Numerator layout (the default): the Jacobian of F (m × n) with respect to X (p × q) is
∂vec F/∂(vec X)ᵀ, mn × pq, rows index F (for vectors the m × n Jacobian). Denominator
layout: its transpose. A gradient has X's shape and a Hessian ∂²f/∂vec X ∂(vec X)ᵀ is
symmetric: both are the same in either layout. vec stacks columns.

>>> title("jacobian", "numerator", "X", matrix=True)
'Jacobian ∂vec F/∂(vec X)ᵀ (numerator layout: rows index F, columns index X; vec stacks columns)'
"""

from __future__ import annotations

import sympy

from ..core.errors import SymnumError

LAYOUTS = ("numerator", "denominator")


def checked_layout(layout: str | None) -> str:
    """``layout`` as given, or the default (numerator); anything else is refused."""
    layout = layout or "numerator"
    if layout not in LAYOUTS:
        raise SymnumError(f"unknown layout {layout!r}: give numerator (the default) or "
                          "denominator")
    return layout


def shown(kind: str, layout: str, expr: sympy.Basic) -> sympy.Basic:
    """The matrix as the layout prints it: the transpose of a Jacobian in denominator layout."""
    if kind == "jacobian" and layout == "denominator":
        return transposed(expr) if hasattr(expr, "T") else expr
    return expr


def transposed(expr: sympy.Basic) -> sympy.Basic:
    """Aᵀ pushed through sums, products and Kronecker products; K_{m,n}ᵀ = K_{n,m} stays a
    symbol at numeric sizes (SymPy's transpose would write K out as a matrix of 0s and 1s).

    >>> from ..core.matrix_expr import Commutation
    >>> X = sympy.MatrixSymbol("X", 3, 4)
    >>> transposed(sympy.MatMul(sympy.KroneckerProduct(sympy.Identity(3), X), Commutation(3, 4)))
    Commutation(4, 3)*(KroneckerProduct(I, X.T))
    """
    from ..core.matrix_expr import Commutation
    if isinstance(expr, Commutation):
        return Commutation(expr.args[1], expr.args[0])
    if isinstance(expr, sympy.MatAdd):
        return sympy.MatAdd(*map(transposed, expr.args))
    if isinstance(expr, sympy.MatMul):
        scalars = [a for a in expr.args if not isinstance(a, sympy.MatrixExpr)]
        factors = [transposed(a) for a in reversed(expr.args) if isinstance(a, sympy.MatrixExpr)]
        return sympy.MatMul(*scalars, *factors)
    if isinstance(expr, sympy.KroneckerProduct):
        return sympy.KroneckerProduct(*map(transposed, expr.args))
    if expr.has(Commutation):
        return sympy.Transpose(expr)
    return expr.T.doit()


def title(kind: str, layout: str, x: str, matrix: bool) -> str:
    """The heading of the text output, which says the convention."""
    if kind == "gradient":
        return f"gradient ∂f/∂{x} (the shape of {x}, in either layout)"
    if kind == "hessian":
        if not matrix:
            return f"Hessian ∂²f/∂{x}∂{x}ᵀ"
        return (f"Hessian ∂²f/∂vec {x} ∂(vec {x})ᵀ (symmetric, the same in either layout; "
                "vec stacks columns)")
    if not matrix:
        return {"numerator": f"Jacobian ∂f/∂{x}ᵀ (numerator layout: outputs × inputs)",
                "denominator": f"Jacobian ∂fᵀ/∂{x} (denominator layout: inputs × outputs)"
                }[layout]
    return {"numerator": f"Jacobian ∂vec F/∂(vec {x})ᵀ (numerator layout: rows index F, "
                         f"columns index {x}; vec stacks columns)",
            "denominator": f"Jacobian ∂(vec F)ᵀ/∂vec {x} (denominator layout: rows index "
                           f"{x}, columns index F; vec stacks columns)"}[layout]


def operator_latex(kind: str, layout: str, v: str, matrix: bool) -> str:
    """The derivative's operator in LaTeX, in the layout's convention (F names the function
    in the matrix forms: ``F = …`` follows)."""
    if kind == "gradient":
        return rf"\frac{{\partial}}{{\partial {v}}}"
    vec = r"\operatorname{vec}"
    if kind == "hessian":
        if matrix:
            return rf"\frac{{\partial^{{2}} f}}{{\partial {vec} {v}\,\partial ({vec} {v})^\top}}"
        return rf"\frac{{\partial^{{2}}}}{{\partial {v}\,\partial {v}^\top}}"
    if not matrix:
        return rf"\frac{{\partial}}{{\partial {v}^\top}}" if layout == "numerator" else \
            rf"\frac{{\partial^\top}}{{\partial {v}}}"
    if layout == "numerator":
        return rf"\frac{{\partial {vec} F}}{{\partial ({vec} {v})^\top}}"
    return rf"\frac{{\partial ({vec} F)^\top}}{{\partial {vec} {v}}}"
