"""Piecewise pieces evaluated only where they hold: the "double where" for kernels.

A batched Piecewise computes every piece on every element and keeps the one whose condition
holds. A piece that overflows where it is not used (eˣ at x = 1000 in ELU's negative piece)
is harmless forward, but reverse-mode autodiff multiplies its zero cotangent by eˣ = inf:
NaN. So each variable of a piece is replaced by ``Piecewise((x, region), (x₀, True))`` with
x₀ a fixed point inside the piece's region: outside the region the piece sees x₀ and stays
finite, and no gradient reaches x from there. Values where the piece holds are unchanged.

>>> x = sympy.Symbol("x", real=True)
>>> guard_pieces(sympy.Piecewise((x, x > 0), (sympy.exp(x) - 1, True)))
Piecewise((x, x > 0), (exp(Piecewise((x, x <= 0), (-1, True))) - 1, True))
"""

from __future__ import annotations

import sympy
from sympy.core.relational import Relational

from ..core.cases import region_of

_X = sympy.Dummy("x", real=True)


def guard_pieces(expr: sympy.Basic) -> sympy.Basic:
    """``expr`` with the pieces of every Piecewise guarded (see the module docstring)."""
    if not isinstance(expr, sympy.Basic) or not expr.has(sympy.Piecewise):
        return expr
    return expr.replace(lambda n: isinstance(n, sympy.Piecewise), _guarded)


def _guarded(node: sympy.Piecewise) -> sympy.Basic:
    pieces, before = [], sympy.false
    for piece, cond in node.args:
        region = sympy.And(cond, sympy.Not(before))
        pieces.append((_guard(piece, region), cond))
        before = sympy.Or(before, cond)
    return sympy.Piecewise(*pieces, evaluate=False)


def _guard(piece: sympy.Expr, region: sympy.Basic) -> sympy.Expr:
    """``piece`` with its variables held at a point of ``region`` outside it."""
    if region is sympy.true or piece.is_polynomial() or not piece.free_symbols:
        return piece
    points = inside(region)
    if not points:
        return piece
    return piece.xreplace({v: sympy.Piecewise((v, region), (p, True))
                           for v, p in points.items() if piece.has(v)})


def inside(region: sympy.Basic) -> dict[sympy.Symbol, sympy.Expr]:
    """A point strictly inside ``region``, a conjunction of conditions on one variable each
    (empty if the region is not of that form or its parts have no numeric interior).

    >>> x, y = sympy.symbols("x y", real=True)
    >>> inside((x > 1) & (y <= 0) & (x < 2))
    {x: 3/2, y: -1}
    """
    parts = region.args if isinstance(region, sympy.And) else (region,)
    groups: dict[sympy.Symbol, list] = {}
    for part in parts:
        symbols = part.free_symbols
        if len(symbols) != 1 or not all(isinstance(r, Relational) for r in part.atoms(
                Relational)):
            return {}
        groups.setdefault(next(iter(symbols)), []).append(part)
    point = {}
    for v, conds in sorted(groups.items(), key=lambda item: item[0].name):
        where = region_of(sympy.And(*conds).xreplace({v: _X}))
        p = None if where is None else _interior_point(where)
        if p is None:
            return {}
        point[v] = p
    return point


def _interior_point(where: sympy.Set) -> sympy.Expr | None:
    if isinstance(where, sympy.Union):
        where = where.args[0]
    if not isinstance(where, sympy.Interval) or where.measure == 0:
        return None
    low, high = where.inf, where.sup
    if low.is_infinite and high.is_infinite:
        return sympy.S.Zero
    if low.is_infinite:
        return sympy.floor(high) - 1 if high.is_number else None
    if high.is_infinite:
        return sympy.ceiling(low) + 1 if low.is_number else None
    return (low + high) / 2 if low.is_number and high.is_number else None
