"""The module-level functions of the public API: ``derive``, ``kernel``, ``verify``.

>>> derive("x**2*y", wrt="x,y", what="hessian").nested()
[[2*y, 2*x], [2*x, 0]]
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .calculus import Result
from .function import ExprLike, Function, WrtLike, as_function
from .kernels import kernel
from .parse import Shape

if TYPE_CHECKING:
    from .verification import Report


def derive(expr: ExprLike | Function, wrt: WrtLike = None, what: str | None = None,
           order: int = 1, shapes: Mapping[str, Shape] | None = None,
           syntax: str = "plain") -> Result:
    """The exact ``what`` (derivative, gradient, jacobian, hessian) of ``expr``.

    ``what=None`` picks the natural one: derivative (one variable), gradient (several),
    Jacobian (a list of expressions). ``syntax="latex"`` reads LaTeX.

    >>> derive(r"\\frac{1}{2} x^2", syntax="latex").expr
    x
    """
    return as_function(expr, wrt, shapes, syntax).differentiate(what, order)


def verify(target: Result | ExprLike | Function, wrt: WrtLike = None, what: str | None = None,
           order: int = 1, **options: Any) -> Report:
    """Check an exact result against independent numeric methods; see :mod:`symnum.verification`.
    A matrix-notation result is checked by components at concrete sizes (a ``MatrixReport``).

    >>> verify("sin(x)*y", what="gradient", points=2).passed
    True
    """
    from .matrix import MatrixResult, verify_matrix_result
    from .verification import verify_result
    result = target if isinstance(target, Result | MatrixResult) else \
        derive(target, wrt, what, order)
    if isinstance(result, MatrixResult):  # by components at concrete sizes
        return verify_matrix_result(result, **options)
    return verify_result(result, **options)


__all__ = ["derive", "kernel", "verify", "Function"]
