"""The module-level functions of the public API (``derive``, ``kernel``, ``verify``), and
the layer that plugs the capabilities into core's conveniences (:mod:`symnum.core.hooks`).

Imports only core at module level, so ``import symnum`` (which Python runs before any
``symnum.core`` module) stays light; each capability is imported when first used.

>>> derive("x**2*y", wrt="x,y", what="hessian").nested()
[[2*y, 2*x], [2*x, 0]]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import sympy

from .core.calculus import Result
from .core.errors import SymnumError
from .core.function import ExprLike, Function, WrtLike, as_function
from .core.hooks import HOOKS
from .core.parse import Shape

PRODUCTS = ("hvp", "jvp", "vjp")  # symnum.higher.products: what takes a direction (vector)
WHATS = ("derivative", "gradient", "jacobian", "hessian", "tensor", *PRODUCTS, "taylor")

if TYPE_CHECKING:
    from .analysis.critical import CriticalPoint
    from .analysis.graph import Graph
    from .higher.implicit import ImplicitResult
    from .higher.products import ProductResult
    from .higher.taylor import TaylorResult
    from .kernels.build import Kernel
    from .kernels.params import ParamsLike
    from .matrix.derivation import MatrixDerivation
    from .matrix.kernel import MatrixKernel
    from .matrix.result import MatrixResult
    from .steps import Derivation
    from .verification.implicit import ImplicitReport
    from .verification.matrix import MatrixReport
    from .verification.products import ProductReport
    from .verification.taylor import TaylorReport
    from .verification.verify import Report


def derive(expr: ExprLike | Function, wrt: WrtLike = None, what: str | None = None,
           order: int = 1, shapes: Mapping[str, Shape] | None = None,
           syntax: str = "plain", layout: str | None = None, *,
           implicit: str | None = None, vector: str | None = None,
           at: str | Mapping[str, Any] | None = None
           ) -> Result | MatrixResult | ImplicitResult | ProductResult | TaylorResult:
    """The exact ``what`` (derivative, gradient, jacobian, hessian; tensor; hvp, jvp, vjp;
    taylor) of ``expr``.

    ``what=None`` picks the natural one: derivative (one variable), gradient (several),
    Jacobian (a list of expressions). ``syntax="latex"`` reads LaTeX. With ``shapes``
    (declared vectors and matrices) the result is in matrix notation, a ``MatrixResult``,
    in ``layout`` "numerator" (the default: a Jacobian is ∂vec F/∂(vec X)ᵀ, outputs × inputs)
    or "denominator" (its transpose); a gradient has X's shape in both.

    >>> derive(r"\\frac{1}{2} x^2", syntax="latex").expr
    x

    ``implicit="y"``: ``expr`` = 0 (or the equation ``expr``, like ``x**2 + y**2 = 1``)
    defines y as a function of ``wrt``; the result is dy/dx = −F_x/F_y (``order`` k: the
    k-th derivative), an :class:`~symnum.higher.implicit.ImplicitResult`.

    >>> derive("x**2 + y**2 = 1", implicit="y", wrt="x", order=2).result
    -1/y**3

    ``what="hvp"``, ``"jvp"``, ``"vjp"``: the product with the direction ``vector`` (a
    prefix: "v" gives v_x, v_y, … after the variables, "u" gives u_1, u_2, … after the
    outputs; or the components, "1,0,2"), a
    :class:`~symnum.higher.products.ProductResult` (:mod:`symnum.higher.products`).

    >>> derive("x**2*y", what="hvp", vector="w").nested()
    [2*(w_x*y + w_y*x), 2*w_x*x]

    A variable repeated in ``wrt`` asks for a mixed partial, taken in the order listed
    (``wrt="x,y,y"``: ∂/∂x, then ∂/∂y twice); ``what="tensor"`` with ``order`` k for the
    k-th derivative tensor, nested lists of shape (n,)·k (:mod:`symnum.higher`).

    >>> derive("x**2*y**3", wrt="x,y,y").expr, derive("x**3*y", what="tensor", order=3).shape
    (12*x*y, (2, 2, 2))

    ``what="taylor"``: the Taylor polynomial of ``order`` about the point ``at``
    (``"x=0,y=0"`` or ``{"x": 0}``; none: 0 for every variable), a
    :class:`~symnum.higher.taylor.TaylorResult` with ``.polynomial``.

    >>> derive("exp(x)", what="taylor", at={"x": 0}, order=3).polynomial
    x**3/6 + x**2/2 + x + 1
    """
    if what == "taylor":
        if implicit is not None or vector is not None:
            raise SymnumError("a Taylor polynomial takes at= (its point), not implicit= or "
                              "vector=")
        from .higher.taylor import taylor
        return taylor(as_function(expr, wrt, shapes, syntax), at, order)
    if at is not None:
        raise SymnumError("at= is the expansion point of what='taylor'; for a value of a "
                          "derivative use .at(point) on the result")
    if implicit is not None:
        return _implicit(expr, wrt, what, order, shapes, syntax, implicit)
    if what in PRODUCTS:
        if shapes or layout not in (None, "numerator"):
            raise SymnumError(f"the {what} takes scalar variables, not shapes or a layout")
        if order != 1:
            raise SymnumError(f"--order applies to a derivative, not a {what}")
        from .higher.products import product
        return product(expr, what, vector, wrt, syntax)
    if vector is not None:
        raise SymnumError("vector is the direction of a product: give what='hvp', 'jvp' "
                          "or 'vjp'")
    if what is not None and what not in WHATS:  # core alone would list only its four
        raise SymnumError(f"unknown what {what!r}: choose one of {', '.join(WHATS)}")
    fast = _on_graph(expr, wrt, what, order, shapes, syntax, layout)
    if fast is not None:
        return fast
    from .higher.route import higher_result
    found = higher_result(expr, wrt, what, order, shapes, syntax)
    if found is not None:
        return found
    return as_function(expr, wrt, shapes, syntax).differentiate(what, order, layout)


def _on_graph(expr: object, wrt: WrtLike, what: str | None, order: int,
              shapes: Mapping[str, Shape] | None, syntax: str, layout: str | None
              ) -> Result | None:
    """A big gradient or Hessian of plain text, derived on the graph engine
    (:mod:`symnum.core.dag.result`), or None for every other request."""
    if not isinstance(expr, str) or syntax != "plain" or shapes or order != 1 \
            or layout not in (None, "numerator") or what not in ("gradient", "hessian"):
        return None
    from .core.parse import check_name, split_names
    if isinstance(wrt, str):
        names: list[str] | None = split_names(wrt)
    elif wrt is None:
        names = None
    elif isinstance(wrt, list | tuple) and all(isinstance(w, str) for w in wrt):
        names = [check_name(w) for w in wrt]
    else:
        return None
    from .core.dag.lazy import graph_derive
    return graph_derive(expr, names, what)


def kernel(expr: ExprLike | Function | Result, wrt: WrtLike = None, what: str | None = None,
           backend: str = "numpy", order: int = 1, compile: bool = False,
           params: ParamsLike = None, shapes: Mapping[str, Shape] | None = None, *,
           vector: str | None = None, at: str | Mapping[str, Any] | None = None
           ) -> Kernel | MatrixKernel:
    """A batched callable (:func:`symnum.kernels.build.kernel`): one array per variable, then
    one per parameter (``params``). Like :func:`derive`, it computes the natural derivative
    unless told otherwise (``what="value"`` for the function itself); ``Function.kernel()``
    is this function with the same defaults. With ``shapes`` (or a ``MatrixResult``), arrays of the
    declared shapes with leading batch dimensions, the result in the variable's layout
    (:mod:`symnum.matrix.kernel`).

    >>> import numpy as np
    >>> k = kernel("x.T*W.T*W*x", wrt="W", shapes={"W": "m,n", "x": "n"})
    >>> k(np.ones((2, 3)), np.array([1.0, 2.0, 0.0])).tolist()  # 2 W x xᵀ: shaped like W
    [[6.0, 12.0, 0.0], [6.0, 12.0, 0.0]]

    ``what="hvp"``, ``"jvp"`` or ``"vjp"`` (or a product result): the arguments are the
    variables (in ``wrt`` order), then the direction's components (v_x, v_y, … in the
    variables' order; u_1, u_2, … for a vjp; none when ``vector`` gives numbers), then the
    parameters; the output has shape batch + (n,) (a jvp: batch + the outputs' shape).

    >>> h = kernel("x**2*y", what="hvp")  # h(x, y, v_x, v_y) = H(x, y)·(v_x, v_y)
    >>> h(np.array([1.0, 2.0]), 3.0, 1.0, 0.0).tolist()
    [[6.0, 2.0], [6.0, 4.0]]

    ``what="taylor"`` (or a Taylor result): the polynomial's values, one array per
    expansion variable (then the parameters).

    >>> kernel("exp(x)", what="taylor", at="x=0", order=2)(np.array([0.0, 1.0])).tolist()
    [1.0, 2.5]
    """
    from .kernels.build import kernel as scalar_kernel
    from .matrix.result import MatrixResult
    if what == "taylor" or getattr(expr, "kind", None) == "taylor":
        from .higher.taylor import TaylorResult as Taylor
        expansion = expr if isinstance(expr, Taylor) else \
            derive(expr, wrt, "taylor", order, at=at)
        assert isinstance(expansion, Taylor)
        polynomial = Function(expansion.polynomial, wrt=[s.name for s in expansion.variables])
        return scalar_kernel(polynomial, None, "value", backend, 1, compile, params)
    if what in PRODUCTS or getattr(expr, "kind", None) in PRODUCTS:
        return _product_kernel(expr, wrt, what, backend, order, compile, params, vector)
    if isinstance(expr, MatrixResult) or (shapes and not isinstance(expr, Result)):
        from .matrix.kernel import matrix_kernel
        if compile or params:
            raise SymnumError("a matrix kernel takes its scalar parameters after the arrays "
                              "(no params= needed) and does not take compile=True")
        if what == "value":
            raise SymnumError("a matrix kernel evaluates a derivative: give what='gradient', "
                              "'jacobian' or 'hessian'")
        result = expr if isinstance(expr, MatrixResult) else derive(expr, wrt, what, order,
                                                                    shapes)
        if not isinstance(result, MatrixResult):
            return scalar_kernel(result, backend=backend, compile=compile)
        return matrix_kernel(result, backend)
    if params is None and not shapes:  # big plain text: derived on the graph, no SymPy
        on_graph = _on_graph(expr, wrt, what, order, None, "plain", None)
        if on_graph is not None:
            return scalar_kernel(on_graph, backend=backend, compile=compile)
    if not isinstance(expr, Result):
        from .higher.route import higher_result
        found = higher_result(expr, wrt, what, order)  # a tensor: shape batch + (n,)·k
        if found is not None:
            return scalar_kernel(found, backend=backend, compile=compile, params=params)
    return scalar_kernel(expr, wrt, what, backend, order, compile, params)


def _product_kernel(expr: Any, wrt: WrtLike, what: str | None, backend: str, order: int,
                    compile: bool, params: ParamsLike, vector: str | None) -> Kernel:
    """A kernel of a product: variables, then the direction's components, then params."""
    from .higher.products import ProductResult
    from .kernels.build import compile_kernel
    from .kernels.params import check_complete, resolve_params
    result = expr if isinstance(expr, ProductResult) else derive(expr, wrt, what, order,
                                                                 vector=vector)
    assert isinstance(result, ProductResult)
    everything = sympy.Tuple(*result.function.outputs, *result.expanded())
    extra = resolve_params(everything, result.inputs, params)
    check_complete(everything, result.inputs + extra)
    return compile_kernel(result, result.inputs + extra, backend, compile=compile)


def _implicit(expr: ExprLike | Function, wrt: WrtLike, what: str | None, order: int,
              shapes: Mapping[str, Shape] | None, syntax: str, implicit: str
              ) -> ImplicitResult:
    from .higher.implicit import implicit_derivative
    if what not in (None, "derivative"):
        raise SymnumError(f"implicit differentiation gives a derivative (dy/dx and higher "
                          f"orders), not what={what!r}")
    if shapes:
        raise SymnumError("implicit differentiation takes scalar variables, not shapes")
    if isinstance(expr, Function):
        expr = expr.expr
    return implicit_derivative(expr, implicit, wrt, order, syntax)


VERIFY_OPTIONS = ("points", "seed", "at", "methods_used")  # verify_result's keywords


def verify(target: Result | MatrixResult | ExprLike | Function, wrt: WrtLike = None,
           what: str | None = None, order: int = 1,
           **options: Any
           ) -> Report | MatrixReport | ImplicitReport | ProductReport | TaylorReport:
    """Check an exact result against independent numeric methods (:mod:`symnum.verification`).
    A matrix-notation result is checked by components at concrete sizes (a ``MatrixReport``);
    ``implicit="y"`` (or an implicit result) at points of the curve (an ``ImplicitReport``);
    a product (``what="hvp"``, ``"jvp"``, ``"vjp"`` with ``vector=``) against torch autograd,
    mpmath's differences and JAX (a ``ProductReport``); ``what="taylor"`` with ``at=``
    against mpmath's derivatives at the point and the remainder's order (a
    ``TaylorReport``).

    >>> verify("sin(x)*y", what="gradient", points=2).passed
    True
    >>> verify("exp(x)", what="taylor", at="x=1", order=4).verdict
    'pass'
    """
    if what == "taylor" or getattr(target, "kind", None) == "taylor":
        from .verification.taylor import verify_taylor
        unknown = sorted(set(options) - {"at", "seed", "points"})
        if unknown:
            raise SymnumError(f"verify of a Taylor polynomial takes at, seed; not "
                              f"{', '.join(unknown)}")
        taylor_result = target if getattr(target, "kind", None) == "taylor" else \
            derive(target, wrt, "taylor", order, at=options.get("at"))
        return verify_taylor(taylor_result, seed=options.get("seed", 0))  # type: ignore
    from .higher.implicit import ImplicitResult
    from .matrix.result import MatrixResult
    from .verification.matrix import verify_matrix_result
    from .verification.verify import verify_result
    implicit, vector = options.pop("implicit", None), options.pop("vector", None)
    result = target if isinstance(target, Result | MatrixResult | ImplicitResult) else \
        derive(target, wrt, what, order, implicit=implicit, vector=vector)
    if what in PRODUCTS or getattr(result, "kind", None) in PRODUCTS:
        from .verification.products import verify_product
        unknown = sorted(set(options) - {"points", "seed", "at"})
        if unknown:
            raise SymnumError(f"verify of a product takes points, seed, at; not "
                              f"{', '.join(unknown)}")
        return verify_product(result, **options)  # type: ignore[arg-type]
    if isinstance(result, ImplicitResult):  # at points of the curve F = 0
        from .verification.implicit import verify_implicit
        return verify_implicit(result, **options)
    if isinstance(result, MatrixResult):  # by components at concrete sizes
        return verify_matrix_result(result, **options)
    unknown = sorted(set(options) - set(VERIFY_OPTIONS))
    if unknown:
        raise SymnumError(f"verify takes {', '.join(VERIFY_OPTIONS)} (and sizes for matrix "
                          f"notation); not {', '.join(unknown)}")
    assert isinstance(result, Result)
    return verify_result(result, **options)


# Core's conveniences, computed here (each imports its capability when first called) and
# plugged into symnum.core.hooks below: core never imports up.

def _matrix_differentiate(f: Function, what: str | None, layout: str | None) -> MatrixResult:
    from .matrix.result import matrix_differentiate
    return matrix_differentiate(f, what, layout)


def _steps(f: Function, what: str | None, order: int) -> Derivation | MatrixDerivation:
    from .matrix.result import MatrixResult
    result = f.differentiate(what, order)
    if isinstance(result, MatrixResult):  # the differential derivation of matrix calculus
        from .matrix.derivation import matrix_derivation
        return matrix_derivation(result)
    from .steps import derivation
    return derivation(result)


def _function_kernel(f: Function, what: str | None, backend: str, order: int, compile: bool,
                     params: ParamsLike) -> Kernel | MatrixKernel:
    return kernel(f, None, what, backend, order, compile, params)


def _function_verify(f: Function, what: str | None, order: int, /,
                     **options: Any) -> Report | MatrixReport | ImplicitReport | ProductReport:
    report = verify(f, None, what, order, **options)
    assert not hasattr(report, "slope"), "Function.verify does not take what='taylor'"
    return report


def _graph(f: Function) -> Graph:
    from .analysis.graph import build_graph
    return build_graph(f.expr, f.variables)


def _plot(f: Function, out: str | None, span: tuple[float, float],
          descent: str | None) -> Any:
    from .analysis.plot import Descent, plot
    return plot(f, out=out, span=span, descent=Descent.parse(descent) if descent else None)


def _critical_points(f: Function) -> list[CriticalPoint]:
    from .analysis.critical import critical_points
    return critical_points(f)


def _compile_kernel(result: Result, symbols: Sequence[sympy.Symbol]) -> Kernel:
    from .kernels.build import compile_kernel
    return compile_kernel(result, symbols)


# One assignment per slot, so that mypy checks each function against its slot's type.
HOOKS.matrix_differentiate = _matrix_differentiate
HOOKS.steps = _steps
HOOKS.kernel = _function_kernel
HOOKS.verify = _function_verify
HOOKS.graph = _graph
HOOKS.plot = _plot
HOOKS.critical_points = _critical_points
HOOKS.compile_kernel = _compile_kernel

__all__ = ["derive", "kernel", "verify", "Function"]
