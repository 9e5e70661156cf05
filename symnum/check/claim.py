"""Is a claimed formula the derivative of an expression? A proof either way where SymPy has
one, else evidence at many points, and a hint when the claim is a classic mistake.

1. Exact: each entry's difference claim − derivative is simplified, with every step bounded
   by the size of the expression (never by time): 0 proves the claim; a nonzero constant, or
   a closed form that is not 0 at an exact rational point, proves it wrong.
2. Numeric: the difference is evaluated at exact rational points on several scales and on
   both sides of every kink (:mod:`symnum.check.points`), to 30 correct digits of the
   difference itself, so "equal" is relative to the derivative's own size, however small.
   The claim is correct only if it agrees at every point.
3. When it is wrong: the point, the entry and both values, and a diagnosis
   (:mod:`symnum.check.diagnose`) stated only when it holds at every point.

>>> check_claim("3*x**2", "x**3", wrt="x").correct
True
>>> check_claim("3*x", "x**3", wrt="x").correct
False
>>> check_claim("-3*x**2", "x**3", wrt="x").diagnosis
'the sign is wrong: the claim is minus the derivative'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sympy

from ..core.calculus import Result, _almost_everywhere
from ..core.errors import ShapeError, SymnumError
from ..core.function import ExprLike, Function, WrtLike, _from_sympy, as_function
from ..core.logistic import to_exponentials
from ..core.parse import parse
from ..core.unknown_parse import arguments_known
from .compare import ClaimCheck, compare, exact_floats

if TYPE_CHECKING:
    from .implicit import ImplicitCheck


def check_claim(claimed: ExprLike, of: ExprLike | Function, wrt: WrtLike = None,
                what: str | None = None, order: int = 1, seed: int = 0,
                shapes: dict | None = None, vector: str | None = None,
                implicit: str | None = None) -> ClaimCheck | ImplicitCheck:
    """Compare ``claimed`` with the exact ``what`` of ``of`` (see the module docstring).

    ``shapes`` declares vectors and matrices (``{"x": "n", "A": "n,n"}``): the claim is then
    in matrix notation and compared by components at small sizes. ``what`` "hvp", "jvp" or
    "vjp": the product along ``vector`` (:mod:`symnum.check.products`).

    >>> check_claim("[y, x]", "x*y", what="gradient").correct
    True

    ``implicit="y"``: is ``claimed`` dy/dx on the curve ``of`` = 0 (or the equation ``of``)?
    Equal on the curve is enough (:mod:`symnum.check.implicit`).

    >>> check_claim("-x*y/(1 - x**2)", "x**2 + y**2 = 1", implicit="y").correct
    True
    """
    if implicit is not None:
        from .implicit import check_implicit_claim
        curve = of.expr if isinstance(of, Function) else of
        return check_implicit_claim(claimed, curve, implicit, wrt, order, seed, what=what)
    if what in ("hvp", "jvp", "vjp") and not shapes:
        if order != 1:
            raise SymnumError(f"--order applies to a derivative, not a {what}")
        from .products import check_product
        return check_product(claimed, of, what, vector, wrt, seed)
    from ..higher.route import higher_result
    from ..higher.tensor import TensorResult
    higher = None if shapes else higher_result(of, wrt, what, order)  # x,y,y; a tensor
    f = higher.function if higher is not None else \
        as_function(of, wrt, shapes) if shapes else as_function(of, wrt)
    result = higher if higher is not None else f.differentiate(what, order)
    if f.is_matrix_calculus:
        from .matrix import check_matrix_claim
        return check_matrix_claim(claimed, result, seed)
    if isinstance(result, TensorResult):
        from ..higher.tensor_claims import claimed_tensor
        laid_out = claimed_tensor(claimed, result)
    else:
        laid_out = _as_layout(claimed, result, f)
    mine = _almost_everywhere(exact_floats(to_exponentials(laid_out)))
    exact = exact_floats(to_exponentials(result.expanded()))  # σ compared as exponentials
    return compare(result, mine, exact, f.outputs, seed)


def _as_layout(claimed: ExprLike, result: Result, f: Function) -> sympy.ImmutableMatrix:
    with arguments_known(f.expr):  # a bare f′ or ∂f/∂x in the claim: f's arguments in f
        value = parse(claimed, f.shapes) if isinstance(claimed, str) else _from_sympy(claimed)
    matrix = sympy.ImmutableMatrix(value) if isinstance(value, sympy.MatrixBase | list) \
        else sympy.ImmutableMatrix([value])
    want = result.shape or (1,)
    if len(want) == 1 and 1 in matrix.shape and len(matrix) == want[0]:
        return matrix.reshape(want[0], 1)
    if len(want) == 2 and matrix.shape == want:
        return matrix
    have, need = _describe(matrix.shape), _describe(result.shape)
    raise ShapeError(f"the claimed answer is {have}, but the {result.kind} is {need}")


def _describe(shape: tuple[int, ...]) -> str:
    if shape in ((), (1,), (1, 1)):
        return "a single expression"
    if len(shape) == 1 or 1 in shape:
        return f"a list of {max(shape)} entries"
    return f"a {shape[0]}×{shape[1]} matrix"
