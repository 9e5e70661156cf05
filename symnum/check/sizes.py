"""Which sizes decide a matrix claim: the difference claim − result with the dimensions kept
as symbols first, then the sizes a polynomial in the dimensions needs.

1. The difference is simplified as a matrix expression (``doit``, ``expand``) and its terms
   grouped by their matrix part; a coefficient that cancels in every group proves the claim
   for every size. ``Trace(Identity(n))`` is ``n`` there.
2. Otherwise the coefficients left (functions of the dimensions) say where to look: a
   rational function of total degree d (numerator and denominators together) is not 0 at
   one of any d + 1 sizes, so d + 1 sizes per line of sizes are compared, and first the
   smallest sizes where every coefficient left is nonzero. A coefficient that is not
   rational in the dimensions (``Max(0, n - 4)``, ``2**n``) is searched for a nonzero value
   up to :data:`MAX_SIZE`.

>>> n = sympy.Symbol("n", integer=True)
>>> x = sympy.MatrixSymbol("x", n, 1)
>>> p = plan(x + (n - 2)*(n - 3)*x, x, [n], [{n: 2}, {n: 3}])
>>> p.proved, p.degree, [s[n] for s in p.extra]
(False, 2, [4])
>>> plan(sympy.Trace(sympy.Identity(n))*x, n*x, [n], [{n: 2}]).proved
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import product

import sympy
from sympy.matrices.expressions import MatAdd, MatMul
from sympy.matrices.expressions.matexpr import MatrixExpr

MAX_SIZE = 12  # the largest size compared (as ``--dims`` allows)
SEARCH_SIZES = range(2, MAX_SIZE + 1)  # where a coefficient's nonzero value is looked for

Sizes = dict[sympy.Symbol, int]
_SHAPED = (sympy.MatrixSymbol, sympy.Identity, sympy.ZeroMatrix, sympy.OneMatrix)


@dataclass(frozen=True)
class SizePlan:
    """``proved``: the difference is 0 for every size; ``extra``: the sizes to compare
    beyond the defaults, in order; ``degree``: the bound on the coefficients' degree in the
    dimensions (None: not rational in them); ``note``: how the sizes were chosen."""

    proved: bool
    extra: list[Sizes] = field(default_factory=list)
    degree: int | None = 0
    note: str = ""


def plan(claim: sympy.Basic, expr: sympy.Basic, dims: Sequence[sympy.Symbol],
         defaults: Sequence[Sizes]) -> SizePlan:
    """The plan for ``claim`` against the exact ``expr`` (same shape), given the sizes the
    components are compared at anyway (see the module docstring)."""
    left = residual(claim, expr)
    if left == []:
        return SizePlan(True)
    if left is None:  # SymPy could not take the difference apart: bound the whole
        degree = _degree_of(claim, dims) if _degree_of(expr, dims) == 0 else None
        coefficients: list[sympy.Expr] = []
    else:
        degree = bound(left, dims)
        coefficients = [c for c, _ in left]
    extra: list[Sizes] = []
    for sizes in _targets(coefficients, dims) + _lines(dims, degree):
        if sizes not in extra and sizes not in defaults:
            extra.append(sizes)
    return SizePlan(False, extra, degree, _note(dims, degree, defaults, extra))


def residual(claim: sympy.Basic, expr: sympy.Basic
             ) -> list[tuple[sympy.Expr, tuple]] | None:
    """The nonzero coefficients of claim − expr per matrix part, ``[]`` when the difference
    cancels, None when SymPy cannot take it apart.

    >>> n = sympy.Symbol("n", integer=True)
    >>> x = sympy.MatrixSymbol("x", n, 1)
    >>> residual(2*x, n*x)
    [(2 - n, (1, x))]
    """
    try:
        difference = (claim - expr).doit()
        if isinstance(difference, MatrixExpr):
            difference = difference.expand()
    except (TypeError, ValueError, AttributeError, NotImplementedError, RecursionError):
        return None
    if difference == 0 or isinstance(difference, sympy.ZeroMatrix):
        return []
    matrices = sorted(difference.atoms(sympy.MatrixSymbol), key=lambda m: m.name)
    groups: dict[tuple, sympy.Expr] = {}
    for term in MatAdd.make_args(difference):
        coefficient, part = term.as_coeff_mmul() if isinstance(term, MatMul) \
            else (sympy.S.One, term)
        if isinstance(part, MatMul) and len(part.args) == 1:
            part = part.args[0]  # MatMul(x) is x: one key for both
        for piece in sympy.Add.make_args(sympy.expand(coefficient)):
            pure, rest = piece.as_independent(*matrices, as_Add=False) if matrices \
                else (piece, sympy.S.One)
            key = (rest, part)
            groups[key] = groups.get(key, sympy.S.Zero) + pure
    out = [(sympy.cancel(c), key) for key, c in groups.items()]
    return [(c, key) for c, key in out if c != 0]


def bound(left: list[tuple[sympy.Expr, tuple]], dims: Sequence[sympy.Symbol]) -> int | None:
    """The degree d such that the difference times its denominators is a polynomial of
    total degree ≤ d in the dimensions (None where a dimension enters otherwise).

    >>> n = sympy.Symbol("n", integer=True)
    >>> bound([(n**2/(n + 1), ()), (n, ())], [n])
    3
    """
    numerators, denominators = 0, 0
    for c, key in left:
        if any(_dims_outside_shapes(part, dims) for part in key):
            return None
        if not c.free_symbols & set(dims):
            continue
        if not c.is_rational_function(*dims):
            return None
        num, den = sympy.fraction(sympy.cancel(c))
        numerators = max(numerators, _total_degree(num, dims))
        denominators += _total_degree(den, dims)
    return numerators + denominators


def _degree_of(expr: sympy.Basic, dims: Sequence[sympy.Symbol]) -> int | None:
    """A bound on the degree in the dimensions of a whole expression (0: none appears)."""
    if not _dims_outside_shapes(expr, dims):
        return 0
    scalars = [a for a in sympy.preorder_traversal(expr) if isinstance(a, sympy.Expr)
               and not isinstance(a, MatrixExpr) and a.free_symbols & set(dims)]
    return None if not scalars else bound([(s, ()) for s in scalars], dims)


def _total_degree(poly: sympy.Expr, dims: Sequence[sympy.Symbol]) -> int:
    used = [d for d in dims if d in poly.free_symbols]
    return sympy.Poly(poly, *used).total_degree() if used else 0


def _dims_outside_shapes(expr: sympy.Basic, dims: Sequence[sympy.Symbol]) -> bool:
    """Whether a dimension appears other than as the shape of a matrix symbol or of an
    identity, zero or ones matrix."""
    if isinstance(expr, _SHAPED):
        return False
    if expr in dims:
        return True
    return any(_dims_outside_shapes(a, dims) for a in getattr(expr, "args", ()))


def _targets(coefficients: list[sympy.Expr], dims: Sequence[sympy.Symbol]) -> list[Sizes]:
    """The smallest sizes where every coefficient left is nonzero, else where each one is."""
    if not coefficients or not dims:
        return []
    grid = sorted(product(SEARCH_SIZES, repeat=len(dims)), key=lambda s: (sum(s), s))
    grid = grid[:400]  # several dimensions: the 400 smallest assignments
    for values in grid:
        sizes = dict(zip(dims, values, strict=True))
        if all(_nonzero_at(c, sizes) for c in coefficients):
            return [sizes]
    out = []
    for c in coefficients:
        first = next((dict(zip(dims, v, strict=True)) for v in grid
                      if _nonzero_at(c, dict(zip(dims, v, strict=True)))), None)
        if first is not None and first not in out:
            out.append(first)
    return out


def _nonzero_at(c: sympy.Expr, sizes: Sizes) -> bool:
    try:
        value = c.subs(sizes)
    except (TypeError, ValueError, ZeroDivisionError):
        return False
    return value.is_zero is False or (value.is_number and value.free_symbols == set()
                                      and bool(sympy.N(value, 30) != 0))


def _lines(dims: Sequence[sympy.Symbol], degree: int | None) -> list[Sizes]:
    """degree + 1 sizes on two lines: every dimension equal, and each one more than the
    previous one (a polynomial that vanishes on one line need not on the other)."""
    if not dims or degree == 0:
        return []
    top = MAX_SIZE if degree is None else min(MAX_SIZE, degree + 2)
    if degree is None:
        top = min(top, 6)  # not a polynomial: the targets above did the search
    out = []
    for k in range(2, top + 1):
        out.append({d: k for d in dims})
        if len(dims) > 1 and k + len(dims) - 1 <= MAX_SIZE:
            out.append({d: k + i for i, d in enumerate(dims)})
    return out


def _note(dims, degree, defaults, extra) -> str:
    names = ", ".join(d.name for d in dims)
    if degree is None:
        return (f"the difference depends on {names} other than as a polynomial: sizes where "
                f"its coefficients are nonzero were looked for up to {MAX_SIZE}")
    if degree == 0:
        return ""
    count = len({tuple(s.values()) for s in [*defaults, *extra]})
    enough = "" if degree + 2 <= MAX_SIZE else f" (up to {MAX_SIZE} only)"
    return (f"the difference's coefficients are polynomials in {names} of degree at most "
            f"{degree} (denominators cleared), so {count} sizes{enough} catch any that is "
            "not 0")
