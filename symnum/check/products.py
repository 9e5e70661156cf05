"""Claims about a product with a direction (hvp, jvp, vjp): the claim may name the
direction's components as symnum prints them (v_x, u_1) or as its LaTeX reads back (v_{x}
is read as vx): both are the component.

>>> check_product("[2*v_x*y + 2*v_y*x, 2*v_x*x]", "x**2*y", "hvp").correct
True
>>> check_product("[2*vx*y, 2*vx*x]", "x**2*y", "hvp").correct
False
"""

from __future__ import annotations

import sympy

from ..core.calculus import _almost_everywhere
from ..core.errors import ShapeError
from ..core.function import ExprLike, Function, WrtLike, _from_sympy, as_function
from ..core.logistic import to_exponentials
from ..core.parse import parse
from ..higher.products import NAMES, ProductResult, product
from .compare import ClaimCheck, compare, exact_floats


def check_product(claimed: ExprLike, of: ExprLike | Function, what: str,
                  vector: str | None = None, wrt: WrtLike = None, seed: int = 0) -> ClaimCheck:
    """Compare ``claimed`` with the exact ``what`` of ``of`` along ``vector``."""
    f = as_function(of, wrt)
    result = product(f, what, vector)
    laid_out = _as_column(claimed, result)
    mine = _almost_everywhere(exact_floats(to_exponentials(_components(laid_out, result, f))))
    exact = exact_floats(to_exponentials(result.expanded()))
    return compare(result, mine, exact, f.outputs, seed)


def _as_column(claimed: ExprLike, result: ProductResult) -> sympy.ImmutableMatrix:
    """The claim as a column of the product's length (a single expression for a scalar)."""
    value = parse(claimed) if isinstance(claimed, str) else _from_sympy(claimed)
    matrix = sympy.ImmutableMatrix(value) if isinstance(value, sympy.MatrixBase | list) \
        else sympy.ImmutableMatrix([value])
    want = len(result.matrix)
    if 1 in matrix.shape and len(matrix) == want:
        return matrix.reshape(want, 1)
    have = "a single expression" if len(matrix) == 1 else f"a list of {len(matrix)} entries"
    need = "a single expression" if not result.shape else f"a list of {want} entries"
    raise ShapeError(f"the claimed answer is {have}, but the {NAMES[result.kind]} is {need}")


def _components(claim: sympy.ImmutableMatrix, result, f: Function) -> sympy.ImmutableMatrix:
    """The claim with vx, u1 (the LaTeX reading of v_{x}, u_{1}) taken as the components
    v_x, u_1, where the function has no such name of its own."""
    taken = {s.name for e in f.outputs for s in e.free_symbols}
    joined = {s.name.replace("_", ""): s for s in result.direction.symbols}
    renames = {s: joined[s.name] for s in claim.free_symbols
               if s.name in joined and s.name not in taken}
    return claim.xreplace(renames) if renames else claim
