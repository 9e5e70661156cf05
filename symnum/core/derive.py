"""The route to a derivative: check the request, then the symengine fast path or SymPy.

>>> from symnum.core.function import Function
>>> differentiate(Function("x**2*y"), "hessian").nested()
[[2*y, 2*x], [2*x, 0]]
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import fast
from .calculus import (
    KINDS,
    MAX_PRODUCT_TERMS,
    Result,
    derivative,
    gradient,
    hessian,
    jacobian,
    product_terms,
)
from .errors import LimitError, ShapeError, SymnumError, VariableError

if TYPE_CHECKING:
    from .function import Function


def differentiate(f: Function, what: str | None = None, order: int = 1) -> Result:
    """Compute ``what`` (default: derivative for one variable, gradient for several,
    Jacobian for a vector function).

    >>> from symnum.core.function import Function
    >>> differentiate(Function("x*y")).kind
    'gradient'
    """
    if f.is_matrix_calculus:
        raise ShapeError("matrix notation is differentiated by Function.differentiate "
                         "(symnum.matrix), not by the scalar calculus")
    if what is None:
        what = "jacobian" if f.is_vector else ("derivative" if len(f.variables) == 1
                                                else "gradient")
    if what not in KINDS:
        raise SymnumError(f"unknown kind {what!r}: choose one of {', '.join(KINDS)}")
    if what != "derivative" and order != 1:
        raise SymnumError(f"--order applies to a derivative, not a {what}")
    if not f.variables:
        raise VariableError("the expression has no variables: say which with wrt")
    terms = _check_size(f, what, order)
    if fast.applies(f, what, terms):
        if what == "hessian" and len(f.variables) >= fast.DAG_MIN_VARIABLES:
            from .dag.result import graph_result
            found = graph_result(f, what)  # forward over reverse on the graph engine
            if found is not None:
                return found
        return fast.fast_derive(f, what)
    return {"derivative": lambda: derivative(f, order), "gradient": lambda: gradient(f),
            "jacobian": lambda: jacobian(f), "hessian": lambda: hessian(f)}[what]()


def _check_size(f: Function, what: str, order: int) -> int:
    """The result's factors of products written out (:func:`product_terms`), within limits."""
    terms = product_terms(f, what, order)
    if terms > MAX_PRODUCT_TERMS:
        raise LimitError(f"the {what} would hold about {terms:,} factors of products written out "
                         f"(limit {MAX_PRODUCT_TERMS:,}): too large to compute in memory; "
                         "use fewer variables, or torch autograd for numbers")
    return terms
