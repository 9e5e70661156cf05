"""Piecewise input: ``Piecewise((expr, condition), ..., (expr, True))`` read from the AST.

Conditions are real comparisons (``<``, ``>``, ``<=``, ``>=``, also ``≤ ≥`` and chains like
``-1 <= x <= 1``) joined by ``And``/``&``/``and``, ``Or``/``|``/``or``, ``Not``; the last piece
may hold ``True`` or ``otherwise``. Each comparison's sides go through the parser's whitelist
like any expression. The pieces are checked: a condition that is not a real comparison, a
piece that can never apply, or a region no piece covers is an error that says what to write.

>>> from symnum.core.parse import parse
>>> parse("Piecewise((x, x > 0), (a*(exp(x) - 1), True))")
Piecewise((x, x > 0), (a*(exp(x) - 1), True))
>>> parse("Piecewise((-1, x < -1), (x, -1 <= x <= 1), (1, otherwise))")
Piecewise((-1, x < -1), (x, x <= 1), (1, True))
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Callable

import sympy
from sympy.core.relational import Relational

from .errors import ParseError

MAX_PIECES = 32  # pieces in one Piecewise
_COMPARISONS: dict[type, Callable[[sympy.Expr, sympy.Expr], sympy.Basic]] = {
    ast.Lt: lambda a, b: sympy.StrictLessThan(a, b),
    ast.LtE: lambda a, b: sympy.LessThan(a, b),
    ast.Gt: lambda a, b: sympy.StrictGreaterThan(a, b),
    ast.GtE: lambda a, b: sympy.GreaterThan(a, b),
}
_EQUALITY = (ast.Eq, ast.NotEq, ast.Is, ast.IsNot, ast.In, ast.NotIn)
_LOGIC: dict[str, Callable[..., sympy.Basic]] = {"And": sympy.And, "Or": sympy.Or,
                                                 "Not": sympy.Not}
_OTHERWISE = frozenset({"otherwise", "True"})
HINT = "write pieces as Piecewise((x, x > 0), (-x, True))"

Build = Callable[[ast.AST, int], sympy.Basic]


def build_piecewise(args: list[ast.AST], build: Build, depth: int) -> sympy.Basic:
    """The Piecewise of the call arguments ``args``; ``build`` makes an expression node."""
    if not args:
        raise ParseError(f"Piecewise() needs pieces: {HINT}")
    if len(args) > MAX_PIECES:
        raise ParseError(f"Piecewise has {len(args)} pieces (limit {MAX_PIECES})")
    pieces: list[tuple[sympy.Expr, sympy.Basic]] = []
    for k, arg in enumerate(args, 1):
        if not isinstance(arg, ast.Tuple) or len(arg.elts) != 2:
            raise ParseError(f"piece {k} of Piecewise must be a pair (expression, condition): "
                             f"{HINT}")
        expr = build(arg.elts[0], depth)
        if not isinstance(expr, sympy.Expr) or isinstance(expr, sympy.MatrixExpr):
            raise ParseError(f"piece {k} of Piecewise must be a scalar expression")
        if expr.has(sympy.I) or expr.is_real is False:
            raise ParseError(f"piece {k} of Piecewise must be real, not {expr}")
        pieces.append((expr, condition(arg.elts[1], build, depth, k)))
    return checked(pieces)


def condition(node: ast.AST, build: Build, depth: int, k: int) -> sympy.Basic:
    """A condition node → a SymPy boolean of real comparisons."""
    if depth > 100:
        raise ParseError("condition nested too deeply")
    if isinstance(node, ast.Constant) and node.value is True:
        return sympy.true
    if isinstance(node, ast.Name) and node.id in _OTHERWISE:
        return sympy.true
    if isinstance(node, ast.Compare):
        return _comparison(node, build, depth, k)
    if isinstance(node, ast.BoolOp):
        parts = [condition(v, build, depth + 1, k) for v in node.values]
        return (sympy.And if isinstance(node.op, ast.And) else sympy.Or)(*parts)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitAnd | ast.BitOr):
        parts = [condition(v, build, depth + 1, k) for v in (node.left, node.right)]
        return (sympy.And if isinstance(node.op, ast.BitAnd) else sympy.Or)(*parts)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not | ast.Invert):
        return sympy.Not(condition(node.operand, build, depth + 1, k))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
            and node.func.id in _LOGIC and not node.keywords and node.args:
        parts = [condition(v, build, depth + 1, k) for v in node.args]
        if node.func.id == "Not" and len(parts) != 1:
            raise ParseError("Not(...) takes one condition")
        return _LOGIC[node.func.id](*parts)
    shown = ast.unparse(node)
    raise ParseError(f"the condition of piece {k} of Piecewise, {shown!r}, is not a "
                     "comparison: write one like x > 0, -1 <= x <= 1 or True")


def _comparison(node: ast.Compare, build: Build, depth: int, k: int) -> sympy.Basic:
    """``a < b``, or a chain ``a <= b < c`` (a <= b and b < c)."""
    operands = [node.left, *node.comparators]
    for side in operands:
        if isinstance(side, ast.BinOp) and isinstance(side.op, ast.BitAnd | ast.BitOr):
            raise ParseError("'&' and '|' bind tighter than comparisons: write "
                             "(x > 0) & (y > 0) or And(x > 0, y > 0)")
    values = [build(side, depth) for side in operands]
    parts = []
    for op, a, b in zip(node.ops, values, values[1:], strict=False):
        if isinstance(op, _EQUALITY):
            raise ParseError(f"piece {k} of Piecewise: use <, >, <= or >= in conditions (a "
                             "piece on = or != alone holds on a single point)")
        for side in (a, b):
            if not isinstance(side, sympy.Expr) or isinstance(side, sympy.MatrixExpr) \
                    or side.has(sympy.I) or side.is_real is False:
                raise ParseError(f"piece {k} of Piecewise compares {side}, which is not a "
                                 "real scalar: conditions compare real expressions")
        try:
            parts.append(_COMPARISONS[type(op)](a, b))
        except TypeError as err:
            raise ParseError(f"piece {k} of Piecewise: cannot compare {a} and {b} "
                             f"({' '.join(str(err).split())[:80]})") from None
    return sympy.And(*parts)


def checked(pieces: list[tuple[sympy.Expr, sympy.Basic]]) -> sympy.Basic:
    """The Piecewise of ``pieces`` after checks: every piece can apply, all x are covered."""
    before: sympy.Basic = sympy.false
    for k, (expr, cond) in enumerate(pieces, 1):
        if cond is sympy.false:
            raise ParseError(f"the condition of piece {k} of Piecewise is never true")
        if not isinstance(cond, sympy.logic.boolalg.Boolean):
            raise ParseError(f"the condition of piece {k} of Piecewise is not a condition")
        if before is sympy.true:
            raise ParseError(f"piece {k} of Piecewise is never used: an earlier piece "
                             "already holds everywhere")
        if _never(sympy.And(cond, sympy.Not(before))):
            raise ParseError(f"piece {k} of Piecewise ({expr} where {cond}) is never used: "
                             "the earlier pieces already cover that region")
        before = sympy.Or(before, cond)
    if before is not sympy.true:
        if not _always(before):
            raise ParseError(f"Piecewise does not say what f is {_uncovered(before)}: end with "
                             "a piece (expression, True) for the rest")
        pieces = pieces[:-1] + [(pieces[-1][0], sympy.true)]
    result = sympy.Piecewise(*pieces)
    if not isinstance(result, sympy.Piecewise) and result.has(sympy.nan):
        raise ParseError("Piecewise is undefined somewhere: end with a piece (expression, True)")
    return result


def _uncovered(covered: sympy.Basic) -> str:
    """Where no piece holds, in words: 'for x in {0}' or 'where not (x > y or ...)'."""
    region = _region(covered)
    if region is not None:
        (x,) = covered.free_symbols
        rest = sympy.S.Reals - region
        if isinstance(rest, sympy.FiniteSet):
            return f"at {x} = " + ", ".join(str(p) for p in rest)
        try:
            return f"where {_plain(rest.as_relational(x))}"
        except (NotImplementedError, TypeError, AttributeError):
            return f"for {x} in {rest}"
    return f"where not ({_plain(covered)})"


def _plain(cond: sympy.Basic) -> str:
    return str(cond).replace("&", "and").replace("|", "or")


def _region(cond: sympy.Basic) -> sympy.Set | None:
    """The set where ``cond`` holds, for conditions on one variable (else None)."""
    symbols = cond.free_symbols
    if len(symbols) != 1 or not all(isinstance(a, Relational)
                                    for a in cond.atoms(Relational)):
        return None
    (x,) = symbols
    found = region_of(cond.xreplace({x: _X}))  # one solve per shape of condition
    return None if found is None else found.xreplace({_X: x})


_X = sympy.Dummy("x", real=True)


@functools.lru_cache(maxsize=512)
def region_of(cond: sympy.Basic) -> sympy.Set | None:
    """``cond.as_set()``, remembered: a sum of 60 Huber terms solves |x| <= 1 once."""
    try:
        return cond.as_set()
    except (NotImplementedError, TypeError, ValueError):
        return None


def _never(cond: sympy.Basic) -> bool:
    if cond is sympy.false:
        return True
    region = _region(cond)
    return region is not None and region.is_empty is True


def _always(cond: sympy.Basic) -> bool:
    if cond is sympy.true:
        return True
    region = _region(cond)
    return region is not None and (region == sympy.S.UniversalSet or
                                   (sympy.S.Reals - region).is_empty is True)


def without_deltas(expr: sympy.Basic) -> sympy.Basic:
    """Dirac deltas dropped from the pieces whose region does not reach their support:
    (sign(x))' = 2δ(x) is 0 where |x| > 1 (Huber's second derivative).

    >>> x = sympy.Symbol("x", real=True)
    >>> without_deltas(sympy.Piecewise((1, abs(x) <= 1), (2*sympy.DiracDelta(x), True)))
    Piecewise((1, Abs(x) <= 1), (0, True))
    """
    if not (expr.has(sympy.Piecewise) and expr.has(sympy.DiracDelta)):
        return expr
    return expr.replace(lambda n: isinstance(n, sympy.Piecewise) and n.has(sympy.DiracDelta),
                        _piece_deltas)


def _piece_deltas(node: sympy.Piecewise) -> sympy.Basic:
    pieces, before = [], sympy.false
    for piece, cond in node.args:
        region = _region(sympy.And(cond, sympy.Not(before)))
        if region is not None and piece.has(sympy.DiracDelta):
            piece = piece.replace(lambda n, where=region: isinstance(n, sympy.DiracDelta)
                                  and _misses(n.args[0], where), lambda n: sympy.S.Zero)
        pieces.append((piece, cond))
        before = sympy.Or(before, cond)
    return sympy.Piecewise(*pieces)


def _misses(u: sympy.Expr, region: sympy.Set) -> bool:
    """u = 0 has no solution in the closure of ``region`` (u of one variable)."""
    if len(u.free_symbols) != 1:
        return False
    (x,) = u.free_symbols
    try:
        zeros = sympy.solveset(u, x, sympy.S.Reals)
        return sympy.Intersection(zeros, region.closure).is_empty is True
    except (NotImplementedError, TypeError, ValueError):
        return False
