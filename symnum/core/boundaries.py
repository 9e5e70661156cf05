"""Where the pieces of a Piecewise meet: a kink, a jump or a smooth join, with the one-sided
derivatives there.

For each condition of a Piecewise that involves one differentiation variable x, the boundary
points b solve lhs = rhs; on each side of b (at b ∓ ε) the pieces that hold are found, and
the one-sided values of f and of ∂f/∂x are those pieces' exact values at b. Parameters in a
boundary are taken positive (δ in Huber's loss), and the note says so.

>>> import symnum
>>> boundary_notes(symnum.derive("Piecewise((x, x > 0), (a*(exp(x) - 1), True))", "x"))
['kink at x = 0: ∂f/∂x is a on the left, 1 on the right (f is continuous there)']
"""

from __future__ import annotations

import sympy
from sympy.core.relational import Relational

MAX_BOUNDARIES = 12  # points reported at most
_EPSILON = sympy.Rational(1, 10**30)  # the sides of a boundary are b ∓ this ...
_SAMPLE = (sympy.Rational(13, 10), sympy.Rational(17, 10), sympy.Rational(23, 10))  # params


def boundary_notes(result: object) -> list[str]:
    """What happens where the pieces of f meet, per differentiation variable (scalar f)."""
    f = result.function
    if f.is_vector or not isinstance(f.expr, sympy.Expr) or not f.expr.has(sympy.Piecewise):
        return []
    if result.kind not in ("derivative", "gradient") or result.order != 1:
        return []
    expr = f.expr
    derivatives = result.expanded() if hasattr(result, "expanded") else result.matrix
    notes: list[str] = []
    for i, x in enumerate(result.variables):
        df = list(derivatives)[i] if result.kind == "gradient" else list(derivatives)[0]
        for note in piece_notes(expr, df, x, f.variables):
            if note not in notes:
                notes.append(note)
        if len(notes) >= MAX_BOUNDARIES:  # a sum of many pieces: say so, do not list all
            return notes[:MAX_BOUNDARIES] + ["... (more boundaries not listed)"]
    return notes


def piece_notes(expr: sympy.Expr, df: sympy.Expr, x: sympy.Symbol,
                variables: tuple = ()) -> list[str]:
    """Notes on the boundaries in x of the Piecewise nodes of ``expr`` (``df`` = ∂expr/∂x);
    symbols not in ``variables`` are parameters.

    >>> x = sympy.Symbol("x", real=True)
    >>> piece_notes(sympy.Piecewise((1 - x, x < 1), (0, True)), sympy.Piecewise((-1, x < 1),
    ...             (0, True)), x)
    ['kink at x = 1: ∂f/∂x is -1 on the left, 0 on the right (f is continuous there)']
    """
    notes = []
    for h in _loci(expr, x, variables):
        notes += [n for n in _notes_at(expr, df, x, h, variables or (x,))
                  if n not in notes][:MAX_BOUNDARIES]
    return notes


def _loci(expr: sympy.Expr, x: sympy.Symbol, variables: tuple) -> list[sympy.Expr]:
    """lhs − rhs of the Piecewise conditions that depend on x."""
    loci = []
    for node in sympy.preorder_traversal(expr):
        if isinstance(node, sympy.Piecewise):
            for _, cond in node.args:
                loci += [r.lhs - r.rhs for r in cond.atoms(Relational) if r.has(x)]
    return list(dict.fromkeys(loci))


def _notes_at(expr, df, x, h, variables) -> list[str]:
    if any(v != x and h.has(v) for v in variables):
        first = min((v for v in variables if h.has(v)), key=lambda v: v.name)
        return [_meet(h, first)]
    # parameters in a boundary are taken positive, while finding it and simplifying there
    positive = {p: sympy.Dummy(p.name, positive=True) for p in h.free_symbols if p != x}
    back = {d: p for p, d in positive.items()}
    try:
        points = sympy.solve(h.xreplace(positive), x)
    except (NotImplementedError, TypeError, ValueError):
        return []
    sample = dict(zip(positive.values(), _SAMPLE * 9, strict=False))
    notes = []
    for b in points:
        if not isinstance(b, sympy.Expr) or b.is_real is False or b.has(sympy.I):
            continue
        sides = _sides(expr.xreplace(positive), df.xreplace(positive), x, b, sample)
        if sides is None:
            notes.append(_meet(x - b.xreplace(back), x))
            continue
        assumed = "" if not b.free_symbols else \
            " (taking " + ", ".join(f"{back[p]} > 0" for p in
                                    sorted(b.free_symbols, key=str)) + ")"
        shown = [str(v.xreplace(back)) for v in (b, *sides)]
        notes.append(_say(x, shown[0] + assumed, *shown[1:], *sides))
    return notes


def _meet(h: sympy.Expr, x: sympy.Symbol) -> str:
    """The pieces meet where h = 0, said as x = ... when h is linear in x."""
    shown = f"{h} = 0"
    if h.is_polynomial(x) and sympy.degree(h, x) == 1:
        shown = f"{x} = {sympy.solve(h, x)[0]}"
    return f"the pieces meet where {shown}: f may not be differentiable there"


def _side(expr: sympy.Basic, x: sympy.Symbol, b: sympy.Expr, step: sympy.Expr,
          sample: dict) -> sympy.Basic:
    """``expr`` with each Piecewise replaced by its piece that holds at x = b + step."""
    where = {x: b.xreplace(sample) + step, **sample}

    def choose(node: sympy.Piecewise) -> sympy.Basic:
        for piece, cond in node.args:
            if cond is sympy.true or bool(cond.xreplace(where)):
                return piece
        return sympy.nan

    return expr.replace(lambda n: isinstance(n, sympy.Piecewise), choose)


def _sides(expr, df, x, b, sample) -> tuple | None:
    """(f left, f right, ∂f left, ∂f right) at x = b, or None if a condition stays open."""
    try:
        f_left, f_right, d_left, d_right = [
            sympy.simplify(_side(e, x, b, s, sample).subs(x, b))
            for e, s in ((expr, -_EPSILON), (expr, _EPSILON), (df, -_EPSILON), (df, _EPSILON))]
    except TypeError:  # a condition on another variable: nothing sure to say
        return None
    values = (f_left, f_right, d_left, d_right)
    if any(v.has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo) for v in values):
        return None
    return values


def _say(x, at, f_left, f_right, d_left, d_right, *exact) -> str:
    fl, fr, dl, dr = exact
    if sympy.simplify(fl - fr) != 0:
        return (f"jump at {x} = {at}: f goes from {f_left} on the left to {f_right} on the "
                f"right; ∂f/∂{x} is {d_left} on the left, {d_right} on the right")
    if sympy.simplify(dl - dr) != 0:
        return (f"kink at {x} = {at}: ∂f/∂{x} is {d_left} on the left, {d_right} on the right "
                "(f is continuous there)")
    return f"smooth join at {x} = {at}: f is continuous and ∂f/∂{x} = {d_left} on both sides"


def one_sided(expr: sympy.Expr, x: sympy.Symbol, point: dict) -> tuple | None:
    """((f left, f right), (∂f/∂x left, ∂f/∂x right), whether the pieces differ) as floats at
    ``point`` (all symbols given), the pieces chosen at x ∓ ε; None where a piece's value is
    not a real number."""
    b = point[x]
    rest = {k: v for k, v in point.items() if k != x}
    out, pieces = [], []
    for s in (-_EPSILON, _EPSILON):
        try:
            piece = _side(expr, x, b, s, rest)
        except TypeError:
            return None
        pieces.append(piece)
        at = {**rest, x: b}
        out.append((sympy.N(piece.xreplace(at), 20), sympy.N(sympy.diff(piece, x).xreplace(at),
                                                              20)))
    values = [v for pair in out for v in pair]
    if not all(v.is_real and v.is_finite for v in values):
        return None
    (fl, dl), (fr, dr) = out
    return (float(fl), float(fr)), (float(dl), float(dr)), pieces[0] != pieces[1]
