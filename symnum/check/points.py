"""Where ``check`` compares a claim with the exact derivative, and how it compares at a point.

Points lie on several scales (|x| from 1e-3 to 1e3) and on both sides of every place where an
expression changes form: the zeros of the arguments of Heaviside, sign, Abs, Max/Min,
floor/ceiling, Piecewise conditions, log and fractional powers. Coordinates are exact
rationals, so every kink decision is exact; a difference is evaluated by SymPy's evalf, which
raises its working precision through cancellation until the difference has 30 correct digits
or is 0 to hundreds of digits. So a claim off by 1e-12 where the derivative itself is of size
1e-12 differs, and rounding never makes a right claim differ.

>>> x = sympy.Symbol("x", real=True)
>>> differs(sympy.sin(2*x) - 2*sympy.sin(x)*sympy.cos(x), {x: sympy.Rational(1, 3)})
False
>>> differs(x**2 / 10**12, {x: sympy.Rational(1, 3)})
True
>>> [str(r) for r in roots_along(sympy.Min(sympy.Max(0, x), 6) - 6, x, {})]
['6']
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping

import numpy as np
import sympy
from mpmath.libmp import NoConvergence  # nroots' "did not converge"
from sympy.core.relational import Relational

from ..core.calculus import safe_to_simplify
from ..core.errors import SymnumError
from ..core.registry import BY_CLASS, Record

Point = dict[sympy.Symbol, sympy.Rational]

SCALES = (1.0, 1e-3, 0.1, 10.0, 100.0, 1000.0)  # magnitudes of the coordinates
PER_SCALE = 3  # points with every coordinate on one scale
MIXED = 4  # points with a scale drawn per coordinate
UNIFORM = 6  # points uniform in [-2.5, 2.5] (drawn first: the witness shown is ordinary)
SIGNIFICANT = 3  # digits of a random coordinate (short rationals, readable witnesses)
DIGITS = 30  # correct digits asked of every difference
EXACT_POWER = 64  # expressions with larger integer powers are evaluated without exact steps
MAX_EXPONENT = 20_000  # points where exp's argument is larger are left out (e^20000 ~ 1e8686)
MAXN = 120  # digits evalf may work at to see through cancellation
TRUSTED_BITS = 24  # a nonzero difference needs this many correct bits to count
MAX_LINES = 24  # (argument, variable) pairs searched for zeros
MAX_ROOTS = 6  # zeros kept per line, nearest to 0 first
MAX_POLY_DEGREE = 8  # larger polynomials are scanned numerically
SIDE = 1e-6  # a point beside a zero r is r ± SIDE·max(1, |r|) (less when zeros are close)
AROUND = (sympy.Rational(1, 10), sympy.Rational(1))  # more points at r ± these·max(1, |r|)
SCAN = np.concatenate([-np.logspace(3.3, -4, 120), [0.0], np.logspace(-4, 3.3, 120)])

_GROWTH = (sympy.exp, sympy.sinh, sympy.cosh, sympy.tanh, sympy.sech, sympy.csch,
           sympy.coth)


def kink_arguments(exprs: Iterable[sympy.Basic]) -> list[sympy.Expr]:
    """Expressions whose zeros are where something changes form, in a stable order.

    >>> x = sympy.Symbol("x", real=True)
    >>> kink_arguments([sympy.Max(0, x - 1) + sympy.Abs(x)])
    [x, 1 - x]
    """
    found: dict[sympy.Expr, None] = {}
    for expr in exprs:
        for node in sympy.preorder_traversal(expr):
            for arg in _arguments(node):
                arg = sympy.expand(arg) if safe_to_simplify(arg, 30) else arg
                if arg.free_symbols and not arg.is_number:
                    found.setdefault(arg, None)
    return sorted(found, key=lambda a: (sympy.count_ops(a), sympy.default_sort_key(a)))


def _arguments(node: sympy.Basic) -> list[sympy.Expr]:
    record = BY_CLASS.get(type(node))
    if record is not None and record.kink == "kink" and record.kink_at == "a = b":
        args = list(node.args)  # max, min: where two arguments tie
        return [a - b for i, a in enumerate(args) for b in args[i + 1:]]
    if record is not None and (record.kink or not record.analytic or _edge_at_zero(record)):
        return [node.args[0]]  # |u|, sign, floor, δ ...; log, whose domain ends at 0
    if isinstance(node, sympy.Piecewise):
        return [r.lhs - r.rhs for _, c in node.args for r in _relations(c)]
    if isinstance(node, sympy.Pow) and node.exp.is_Rational and not node.exp.is_Integer:
        return [node.base]
    return []


def _edge_at_zero(record: Record) -> bool:
    """Does the record's real domain end where its argument is 0 (log, loggamma)?"""
    test = record.domain_test
    return test is not None and not bool(test(sympy.S.Zero)) and bool(
        test(sympy.Rational(1, 10**6)))


def _relations(condition: sympy.Basic) -> list[Relational]:
    """The comparisons inside a condition (x < 6, or (x > 0) & (x < 6))."""
    if isinstance(condition, Relational):
        return [condition]
    return [r for a in getattr(condition, "args", ()) for r in _relations(a)] \
        if isinstance(condition, sympy.And | sympy.Or | sympy.Not) else []


def random_points(symbols: list[sympy.Symbol], rng: np.random.Generator) -> list[Point]:
    """Seeded points: uniform in [-2.5, 2.5] first, then on every scale, then mixed scales."""
    n = len(symbols)
    draws = [rng.uniform(-2.5, 2.5, n) for _ in range(UNIFORM)]
    for scale in SCALES:
        draws += [scale * rng.uniform(0.3, 1, n) * rng.choice([-1, 1], n)
                  for _ in range(PER_SCALE)]
    draws += [rng.choice(SCALES, n) * rng.uniform(0.3, 1, n) * rng.choice([-1, 1], n)
              for _ in range(MIXED)]
    return [dict(zip(symbols, (rational(v) for v in d), strict=True)) for d in draws]


def rational(value: float, digits: int = SIGNIFICANT) -> sympy.Rational:
    """A short exact rational near ``value``: ``rational(0.684808)`` is 137/200."""
    return sympy.Rational(f"{value:.{digits}g}")


def breakpoint_points(args: list[sympy.Expr], base: Point) -> tuple[list[Point], list]:
    """Points on both sides of each zero of each argument, moving one variable of ``base``;
    also the midpoints between neighbouring zeros. Returns the points and the (variable,
    zero) pairs found."""
    points: list[Point] = []
    lines = [(a, v) for a in args for v in sorted(a.free_symbols, key=lambda s: s.name)
             if v in base][:MAX_LINES]
    zeros: dict[sympy.Symbol, list[sympy.Rational]] = {}
    for arg, v in lines:
        known = zeros.setdefault(v, [])
        known += [r for r in roots_along(arg, v, base) if r not in known]
    for v, found in zeros.items():
        ordered = sorted(found)
        for k, r in enumerate(ordered):
            gaps = [abs(r - o) for o in ordered if o != r]
            side = min([sympy.Rational(SIDE) * max(1, abs(r))] + [g / 3 for g in gaps])
            wide = [w * max(1, abs(r)) for w in AROUND if all(w * max(1, abs(r)) < g / 2
                                                               for g in gaps)]
            points += [{**base, v: r + sign * step} for step in [side, *wide]
                       for sign in (-1, 1)]
            if k:
                points.append({**base, v: (r + ordered[k - 1]) / 2})
    return points, [(v, r) for v, found in zeros.items() for r in found]


def roots_along(arg: sympy.Expr, v: sympy.Symbol, base: Mapping) -> list[sympy.Rational]:
    """Real zeros of ``arg`` as a function of ``v`` (other variables at ``base``), as exact
    rationals: from the polynomial when it is one, else sign changes on a log-spaced scan."""
    g = arg.xreplace({s: base[s] for s in arg.free_symbols if s != v and s in base})
    if g.free_symbols != {v}:
        return []
    zeros: list[sympy.Rational] = []
    try:
        if g.is_polynomial(v) and sympy.degree(g, v) <= MAX_POLY_DEGREE:
            zeros = [sympy.Rational(r) for r in sympy.Poly(g, v).nroots(n=30, maxsteps=200)
                     if r.is_real]
        else:
            zeros = _scan(g, v)
    except (sympy.PolynomialError, NoConvergence, NotImplementedError, SymnumError,
            TypeError, ValueError, ZeroDivisionError):
        zeros = []
    unique = sorted(set(zeros), key=lambda r: (abs(r), r))
    return unique[:MAX_ROOTS]


def _scan(g: sympy.Expr, v: sympy.Symbol) -> list[sympy.Rational]:
    from ..kernels.program import Program  # symnum's numpy table: every registered function
    program = Program([g], [v], "numpy")

    def fn(t: np.ndarray) -> object:
        return program.run(t)[0]

    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        values = np.asarray(fn(SCAN), dtype=complex) * np.ones_like(SCAN)
        ok = np.isfinite(values) & (np.abs(values.imag) <= 1e-12 * np.abs(values.real) + 1e-300)
        real = values.real
        zeros = []
        for k in range(len(SCAN) - 1):
            if not (ok[k] and ok[k + 1]):
                continue
            a, b = SCAN[k], SCAN[k + 1]
            fa, fb = real[k], real[k + 1]
            if fa == 0 and (k == 0 or real[k - 1] != 0):
                zeros.append(a)
            elif fa * fb < 0:
                zeros.append(_bisect(fn, a, b, fa))
    return [_snap(g, v, z) for z in zeros]


def _snap(g: sympy.Expr, v: sympy.Symbol, z: float) -> sympy.Rational:
    """The shortest decimal near ``z`` where ``g`` is exactly 0 (6 rather than 6.0000000001),
    else ``z`` itself."""
    for digits in range(1, 13):
        q = rational(z, digits)
        at = value(g, {v: q})
        if at is not None and at.is_number and not _solid(at):
            return q
    return sympy.Rational(z)


def _bisect(fn, a: float, b: float, fa: float) -> float:
    def at(t: float) -> float:
        return float(np.real(np.asarray(fn(np.array([t])), dtype=complex).ravel()[0]))

    for _ in range(80):
        m = 0.5 * (a + b)
        fm = at(m)
        if fm == 0 or m in (a, b):
            return m
        if (fm < 0) == (fa < 0):
            a, fa = m, fm
        else:
            b = m
    return 0.5 * (a + b)


def value(expr: sympy.Expr, point: Mapping, digits: int = DIGITS) -> sympy.Expr | None:
    """``expr`` at ``point`` to ``digits`` digits; None when it cannot be evaluated there."""
    try:
        expr = sympy.sympify(expr)
        if _exact_is_cheap(expr):  # exact: a pole gives zoo, a kink decides exactly
            out = expr.xreplace(dict(point)).evalf(digits, maxn=MAXN)
        else:  # (x + 1)**99999 at a rational would be a 10**5-digit fraction
            out = expr.evalf(digits, subs=dict(point), maxn=MAXN)
    except (ValueError, TypeError, ZeroDivisionError, ArithmeticError):
        return None
    return out if out.is_number and not out.has(sympy.Function, sympy.Derivative) or \
        out in (sympy.zoo, sympy.nan, sympy.oo, -sympy.oo) else None


def _exact_is_cheap(expr: sympy.Expr) -> bool:
    return all(not (p.exp.is_Integer and abs(p.exp) > EXACT_POWER) for p in expr.atoms(sympy.Pow))


def exponents(exprs: Iterable[sympy.Basic]) -> list[sympy.Expr]:
    """Arguments whose size makes evaluation explode: of exp and the hyperbolic functions,
    and variable exponents of powers."""
    found: dict[sympy.Expr, None] = {}
    for expr in exprs:
        for node in sympy.preorder_traversal(expr):
            if isinstance(node, _GROWTH):
                found.setdefault(node.args[0], None)
            elif isinstance(node, sympy.Pow) and node.exp.free_symbols:
                found.setdefault(node.exp * sympy.log(1 + abs(node.base)), None)
    return [a for a in found if a.free_symbols]


def too_steep(arg: sympy.Expr, point: Mapping) -> bool:
    """Whether |arg| at ``point`` is beyond :data:`MAX_EXPONENT`."""
    v = value(arg, point, 15)
    return v is not None and v.is_number and bool(abs(v) > MAX_EXPONENT)


def at_kink(arg: sympy.Expr, point: Mapping) -> bool:
    """Whether ``arg`` is 0 at ``point`` (to the precision evalf reaches)."""
    v = value(arg, point)
    return v is not None and not _solid(v)


def is_real_value(v: sympy.Expr | None) -> bool:
    """A finite real number (an imaginary part that evaluates to noise counts as 0)."""
    if v is None or v.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        return False
    re, im = v.as_real_imag()
    return bool(re.is_finite) and not _solid(im)


def differs(difference: sympy.Expr, point: Mapping) -> bool | None:
    """True when the difference is shown nonzero at ``point`` (at two precisions), False
    when it is 0 to the precision reached, None when it cannot be evaluated there."""
    first = value(difference, point)
    if first is None:
        return None
    if first.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        return True
    if not _solid(first):
        return False
    second = value(difference, point, 2 * DIGITS)
    if second is None or not _solid(second):
        return False
    return bool(abs(second - first) <= sympy.Float(1e-6) * abs(second))


def _solid(v: sympy.Expr) -> bool:
    """A number with enough correct bits to be told apart from 0."""
    for part in v.as_real_imag():
        if part != 0 and (not isinstance(part, sympy.Float) or part._prec >= TRUSTED_BITS):
            return True
    return False
