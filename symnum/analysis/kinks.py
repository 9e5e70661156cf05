"""Where f is not smooth: its smooth pieces, the kink loci between them, and the local
picture at a kink (one-sided derivatives, f compared with its neighbours).

A non-smooth node is replaced by each of its pieces, valid where a condition holds
strictly (|h| = h where h > 0 and −h where h < 0); the loci h = 0 between pieces are where
f may have a kink.

>>> import sympy
>>> x = sympy.Symbol("x", real=True)
>>> [(str(e), str(c)) for e, c in smooth_pieces(sympy.Abs(x - 1))]
[('x - 1', 'x - 1 > 0'), ('1 - x', 'x - 1 < 0')]
>>> [str(h) for h in kink_loci(sympy.Max(0, x) + sympy.Abs(x))]
['x', '-x']
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import numpy as np
import sympy

from ..core import domain
from ..core.registry import BY_CLASS

MAX_PIECES = 64  # sign patterns solved at most (2 per |h|, so about 6 kinks)
NEIGHBOUR_RADIUS = sympy.Rational(1, 10**8)  # f is compared at this distance ...
SIDE_STEP = sympy.Rational(1, 10**20)  # ... one-sided slopes use this step ...
DIGITS = 50  # ... both evaluated at this precision


def _extremes(node: sympy.Basic, better: Callable) -> list:
    """Max/Min: argument i where it beats every other one strictly."""
    args = node.args
    return [(a, sympy.And(*[better(a, b) for b in args if b is not a])) for a in args]


def _piecewise(node: sympy.Piecewise) -> list:
    pieces, before = [], sympy.true
    for expr, cond in node.args:
        pieces.append((expr, sympy.And(before, cond)))
        before = sympy.And(before, sympy.Not(cond))
    return pieces


def pieces(node: sympy.Basic) -> list[tuple[sympy.Expr, sympy.Basic]]:
    """The smooth pieces of a non-smooth node, each with the (open) region it holds in: a
    Piecewise's own, else its record's ``pieces`` (empty for a smooth node).

    >>> x = sympy.Symbol("x", real=True)
    >>> pieces(sympy.Abs(x - 1))
    [(x - 1, x - 1 > 0), (1 - x, x - 1 < 0)]
    """
    if isinstance(node, sympy.Piecewise):
        return _piecewise(node)
    record = BY_CLASS.get(type(node))
    if record is None or not record.pieces:
        return []
    if record.arity[1] is None:  # max, min of any number: where one beats every other
        a, b = record.params[:2]
        region = record.pieces[0][1]
        return _extremes(node, lambda p, q: sympy.sympify(region, locals={a: p, b: q}))
    at = dict(zip(record.params, node.args, strict=False))
    return [(sympy.sympify(value, locals=at), sympy.sympify(where, locals=at))
            for value, where in record.pieces]


def _kink_nodes(expr: sympy.Basic, variables: Sequence[sympy.Symbol]) -> list[sympy.Basic]:
    """Non-smooth nodes that depend on the variables, innermost first, each once."""
    found = [n for n in sympy.postorder_traversal(expr)
             if n.has(*variables) and pieces(n)]
    return list(dict.fromkeys(found))


def smooth_pieces(expr: sympy.Expr, variables: Sequence[sympy.Symbol] | None = None,
                  ) -> Iterator[tuple[sympy.Expr, sympy.Basic]]:
    """(smooth expression, open region where it equals ``expr``) for every sign pattern."""
    variables = list(variables) if variables is not None else sorted(expr.free_symbols,
                                                                     key=str)
    nodes = _kink_nodes(expr, variables)
    if not nodes:
        yield expr, sympy.true
        return
    node = nodes[0]
    for piece, region in pieces(node):
        for rest, more in smooth_pieces(expr.xreplace({node: piece}), variables):
            yield rest, sympy.And(region, more)


def count_pieces(expr: sympy.Expr, variables: Sequence[sympy.Symbol]) -> int:
    """An upper bound on the number of smooth pieces (the product over kink nodes)."""
    total = 1
    for node in _kink_nodes(expr, variables):
        total *= len(pieces(node))
    return total


def kink_loci(expr: sympy.Expr, variables: Sequence[sympy.Symbol] | None = None,
              ) -> list[sympy.Expr]:
    """Expressions h with h = 0 where two pieces of ``expr`` meet."""
    variables = list(variables) if variables is not None else sorted(expr.free_symbols,
                                                                     key=str)
    loci: list[sympy.Expr] = []
    for node in _kink_nodes(expr, variables):
        loci += domain.kink_loci(node)  # Piecewise conditions, or from the function's record
    return [h for h in dict.fromkeys(loci) if h.has(*variables)]


def one_sided(expr: sympy.Expr, point: dict, var: sympy.Symbol) -> tuple[float, float]:
    """(left, right) slopes of ``expr`` along ``var`` at ``point``, to about 15 digits."""
    base = sympy.N(expr.xreplace(point), DIGITS)

    def slope(step: sympy.Expr) -> float:
        moved = {**point, var: point[var] + step}
        value = float(sympy.N((sympy.N(expr.xreplace(moved), DIGITS) - base) / step, DIGITS))
        return round(value, 12) + 0.0  # the O(step) error (and a -0.0) rounds away

    return slope(-SIDE_STEP), slope(SIDE_STEP)


def compare_neighbours(expr: sympy.Expr, point: dict, variables: Sequence[sympy.Symbol],
                       ) -> str:
    """minimum / maximum / saddle (neither, for one variable) / flat, by f at neighbours
    along the axes, the diagonals and 16 seeded random directions."""
    n = len(variables)
    eye = np.eye(n, dtype=int)
    directions = [s * eye[i] for i in range(n) for s in (1, -1)]
    directions += [eye[i] + s * eye[j] for i in range(n) for j in range(i + 1, n)
                   for s in (1, -1)]
    directions += [-d for d in directions[2 * n:]]
    if n > 1:
        directions += list(np.random.default_rng(0).normal(size=(16, n)).round(6))
    base = sympy.N(expr.xreplace(point), DIGITS)
    signs = set()
    for d in directions:
        moved = {v: point[v] + NEIGHBOUR_RADIUS * sympy.nsimplify(float(c), rational=True)
                 for v, c in zip(variables, d, strict=True)}
        difference = sympy.N(expr.xreplace({**point, **moved}), DIGITS) - base
        signs.add(0 if abs(difference) < sympy.Float(10) ** (10 - DIGITS) else
                  (1 if difference > 0 else -1))
    if signs == {1}:
        return "minimum"
    if signs == {-1}:
        return "maximum"
    if signs <= {0, 1} or signs <= {0, -1}:
        return "degenerate"
    return "saddle" if n > 1 else "neither"
