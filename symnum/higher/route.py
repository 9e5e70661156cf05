"""Which derivative of ``symnum.derive`` is higher calculus: a repeated ``wrt``, or several
names with ``what="derivative"`` (a mixed partial), or ``what="tensor"``; anything else is
left to the core (None).

>>> higher_result("x**2*y**3", ["x", "y", "y"], None, 1).expr
12*x*y
>>> higher_result("x*y", "x,y", "hessian", 1) is None
True
"""

from __future__ import annotations

from collections.abc import Mapping

from ..core.calculus import Result
from ..core.errors import ShapeError, SymnumError, VariableError
from ..core.function import ExprLike, Function, WrtLike, as_function
from ..core.parse import Shape
from .mixed import listed_names, mixed_partial, repeated_names
from .tensor import derivative_tensor

KINDS = ("tensor",)  # what values this layer computes (beside mixed partials)


def higher_result(expr: ExprLike | Function, wrt: WrtLike, what: str | None, order: int,
                  shapes: Mapping[str, Shape] | None = None,
                  syntax: str = "plain") -> Result | None:
    """The mixed partial or derivative tensor asked for, or None for the core's kinds."""
    names = repeated_names(wrt)
    if names is None and what == "derivative" and len(listed_names(wrt)) > 1:
        names = listed_names(wrt)  # --what derivative --wrt x,y: ∂²f/∂y∂x, x first
    if names is None and what not in KINDS:
        return None
    if names is not None:
        if what not in (None, "derivative"):
            raise VariableError(f"a {what} takes each variable once (got {', '.join(names)}); "
                                "a repeated variable asks for a mixed partial: use "
                                "--what derivative (the default)")
        if order != 1:
            raise SymnumError("give the order either by repeating variables in --wrt "
                              f"({','.join(names)}) or by --order with one variable, not both")
        f = as_function(expr, list(dict.fromkeys(names)), shapes, syntax)
        if f.is_matrix_calculus:
            raise ShapeError("mixed partials take scalar variables, not declared shapes")
        return mixed_partial(f, names)
    return derivative_tensor(as_function(expr, wrt, shapes, syntax), order)


def higher_steps(result: object) -> object | None:
    """The steps of a higher result (a mixed partial: one stage per differentiation), or
    None for the core's kinds."""
    from .mixed import MixedPartial, mixed_steps
    from .tensor import TensorResult
    if isinstance(result, MixedPartial):
        return mixed_steps(result)
    if isinstance(result, TensorResult):
        names = ",".join(v.name for v in result.variables[:1] * result.order)
        raise SymnumError("--steps derives one entry at a time: a tensor's entry is a mixed "
                          f"partial, asked with --wrt (e.g. --wrt {names} for T[1,…,1])")
    return None
