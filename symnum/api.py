"""The module-level functions of the public API: ``derive``, ``kernel``, ``verify``.

>>> derive("x**2*y", wrt="x,y", what="hessian").nested()
[[2*y, 2*x], [2*x, 0]]
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .core.calculus import Result
from .core.function import ExprLike, Function, WrtLike, as_function
from .core.parse import Shape
from .kernels.build import kernel

if TYPE_CHECKING:
    from .verification.verify import Report


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
    """Check an exact result against independent numeric methods (:mod:`symnum.verification`).
    A matrix-notation result is checked by components at concrete sizes (a ``MatrixReport``).

    >>> verify("sin(x)*y", what="gradient", points=2).passed
    True
    """
    from .matrix.result import MatrixResult
    from .verification.matrix import verify_matrix_result
    from .verification.verify import verify_result
    result = target if isinstance(target, Result | MatrixResult) else \
        derive(target, wrt, what, order)
    if isinstance(result, MatrixResult):  # by components at concrete sizes
        return verify_matrix_result(result, **options)
    return verify_result(result, **options)


__all__ = ["derive", "kernel", "verify", "Function"]
