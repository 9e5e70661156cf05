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
from .kernels.build import Kernel
from .kernels.build import kernel as scalar_kernel
from .kernels.params import ParamsLike

if TYPE_CHECKING:
    from .matrix.kernel import MatrixKernel
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


def kernel(expr: ExprLike | Function | Result, wrt: WrtLike = None, what: str | None = None,
           backend: str = "numpy", order: int = 1, compile: bool = False,
           params: ParamsLike = None, shapes: Mapping[str, Shape] | None = None
           ) -> Kernel | MatrixKernel:
    """A batched callable (:func:`symnum.kernels.build.kernel`): one array per variable, then
    one per parameter (``params``). With ``shapes`` (or a ``MatrixResult``), arrays of the
    declared shapes with leading batch dimensions, the result in the variable's layout
    (:mod:`symnum.matrix.kernel`).

    >>> import numpy as np
    >>> k = kernel("x.T*W.T*W*x", wrt="W", shapes={"W": "m,n", "x": "n"})
    >>> k(np.ones((2, 3)), np.array([1.0, 2.0, 0.0])).tolist()  # 2 W x xᵀ: shaped like W
    [[6.0, 12.0, 0.0], [6.0, 12.0, 0.0]]
    """
    from .matrix.result import MatrixResult
    if isinstance(expr, MatrixResult) or (shapes and not isinstance(expr, Result)):
        from .matrix.kernel import matrix_kernel
        if compile or params:
            from .core.errors import SymnumError
            raise SymnumError("a matrix kernel takes its scalar parameters after the arrays "
                              "(no params= needed) and does not take compile=True")
        if what == "value":
            from .core.errors import SymnumError
            raise SymnumError("a matrix kernel evaluates a derivative: give what='gradient', "
                              "'jacobian' or 'hessian'")
        result = expr if isinstance(expr, MatrixResult) else derive(expr, wrt, what, order,
                                                                    shapes)
        if not isinstance(result, MatrixResult):
            return scalar_kernel(result, backend=backend, compile=compile)
        return matrix_kernel(result, backend)
    return scalar_kernel(expr, wrt, what, backend, order, compile, params)


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
