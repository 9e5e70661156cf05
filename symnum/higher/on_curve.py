"""Working on a curve F = 0: shorter forms that use the curve's equation, and points on it.

- :func:`reduce_on_curve`: an expression's numerator and denominator divided by F as
  polynomials (each remainder equals the original wherever F = 0); the shortest result, if
  shorter than what it started from. d²y/dx² = −(x² + y²)/y³ on x² + y² = 1 is −1/y³.
- :func:`in_ideal`: a proof that an expression vanishes wherever F = 0 (F divides its
  numerator).
- :func:`curve_points`: points of the curve by root finding (mpmath ``findroot`` in the
  dependent variable, the others at seeded random values), each with F_y ≠ 0 there, so the
  curve is the graph of a function near it.

>>> import sympy
>>> x, y = sympy.symbols("x y", real=True)
>>> reduce_on_curve(-(x**2 + y**2) / y**3, x**2 + y**2 - 1)
-1/y**3
>>> in_ideal(x**2 + y**2 - 1 + (x**2 + y**2 - 1) * x, x**2 + y**2 - 1)
True
>>> [round(p[y], 6) for p in curve_points(x**2 + y**2 - 1, y, {x: 0.6})]
[-0.8, 0.8]
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Mapping
from typing import Any

import sympy

from ..core.budget import work_budget
from ..core.calculus import safe_to_simplify

REDUCE_OBJECTS = 60_000  # SymPy objects one reduction may build (a count, never a clock)
STARTS = (-3.0, -1.0, -0.3, 0.3, 1.0, 3.0)  # findroot's starting guesses, times the scale
DIGITS = 30  # working precision of the points


def reduce_on_curve(expr: sympy.Expr, F: sympy.Expr) -> sympy.Expr | None:
    """A shorter form of ``expr`` equal to it wherever F = 0, or None (none found)."""
    if not isinstance(expr, sympy.Expr) or not safe_to_simplify(expr, 400):
        return None
    gens = sorted(F.free_symbols, key=lambda s: s.name)
    numerator, denominator = sympy.fraction(sympy.together(expr))
    best, size = None, sympy.count_ops(expr)
    for order in _orders(gens):
        candidate = None
        try:
            with work_budget(REDUCE_OBJECTS) as ran_out:
                top = _remainder(numerator, F, order)
                bottom = _remainder(denominator, F, order)
                if bottom != 0:  # else the denominator vanishes on the whole curve
                    candidate = min((sympy.factor(top) / sympy.factor(bottom),
                                     sympy.factor(top) / sympy.factor(denominator),
                                     numerator / sympy.factor(bottom)), key=sympy.count_ops)
        except (sympy.PolynomialError, RecursionError, NotImplementedError, TypeError,
                ValueError):
            continue
        if candidate is None or ran_out():
            continue
        if sympy.count_ops(candidate) < size:
            best, size = candidate, sympy.count_ops(candidate)
    return best


def solved_atoms(F: sympy.Expr) -> list[tuple[sympy.Expr, sympy.Expr]]:
    """The function values F is linear in, each solved from F = 0 (a constant coefficient):
    on sin(xy) = x, sin(xy) is x there.

    >>> x, y = sympy.symbols("x y", real=True)
    >>> solved_atoms(sympy.sin(x*y) - x)
    [(sin(x*y), x)]
    """
    found = []
    for atom in sorted(F.atoms(sympy.Function), key=sympy.default_sort_key):
        if not atom.free_symbols:
            continue
        slot = sympy.Dummy("a")
        linear = F.xreplace({atom: slot})
        coefficient = sympy.diff(linear, slot)
        if not coefficient.is_number or coefficient == 0 or sympy.diff(linear, slot, 2) != 0:
            continue
        rest = sympy.expand(linear - coefficient * slot)
        if not rest.has(slot):
            found.append((atom, -rest / coefficient))
    return found


def substitute_on_curve(expr: sympy.Expr, F: sympy.Expr) -> sympy.Expr | None:
    """A shorter form of ``expr`` with a function value F is linear in replaced by its value
    on the curve (sin(xy) → x on sin(xy) = x), or None."""
    if not isinstance(expr, sympy.Expr) or not safe_to_simplify(expr, 400):
        return None
    best, size = None, sympy.count_ops(expr)
    for atom, value in solved_atoms(F):
        if not expr.has(atom):
            continue
        candidate = sympy.factor(sympy.together(expr.xreplace({atom: value})))
        if sympy.count_ops(candidate) < size:
            best, size = candidate, sympy.count_ops(candidate)
    return best


def in_ideal(expr: sympy.Expr, F: sympy.Expr) -> bool:
    """True when F divides the numerator of ``expr`` as polynomials: ``expr`` is 0 wherever
    F = 0 (and it is defined). False: no such proof, not a proof of the opposite."""
    numerator = sympy.fraction(sympy.together(expr))[0]
    if numerator == 0:
        return True
    gens = sorted(F.free_symbols, key=lambda s: s.name)
    proved = False
    try:
        with work_budget(REDUCE_OBJECTS):
            proved = any(_remainder(numerator, F, order) == 0 for order in _orders(gens)[:2])
    except (sympy.PolynomialError, RecursionError, NotImplementedError, TypeError,
            ValueError):  # not a polynomial: no proof
        return False
    return proved


def _orders(gens: list[sympy.Symbol]) -> list[tuple[sympy.Symbol, ...]]:
    """Generator orders to divide in (lex): every order for up to three, else two."""
    if len(gens) <= 3:
        return list(itertools.permutations(gens))
    return [tuple(gens), tuple(reversed(gens))]


def _remainder(p: sympy.Expr, F: sympy.Expr, order: tuple[sympy.Symbol, ...]) -> sympy.Expr:
    if not p.free_symbols & set(order):
        return p
    _, remainder = sympy.reduced(sympy.expand(p), [sympy.expand(F)], *order, order="lex")
    return remainder


def curve_points(F: sympy.Expr, dependent: sympy.Symbol, fixed: Mapping[sympy.Symbol, float],
                 scale: float = 1.0) -> list[dict[sympy.Symbol, Any]]:
    """The points of F = 0 with the other variables at ``fixed``: each real root in
    ``dependent`` that findroot reaches from :data:`STARTS` (times ``scale``), with F_y ≠ 0
    there; sorted by the root, each to :data:`DIGITS` digits (an mpmath number)."""
    import mpmath

    values = {s: sympy.Float(v, DIGITS) for s, v in fixed.items()}
    g = sympy.lambdify(dependent, F.subs(values), "mpmath")
    dg = sympy.lambdify(dependent, sympy.diff(F, dependent).subs(values), "mpmath")
    roots: list[float] = []
    with mpmath.workdps(DIGITS):
        for start in STARTS:
            try:
                root = mpmath.findroot(g, start * scale, tol=mpmath.mpf(10) ** (-DIGITS + 6))
                if isinstance(root, mpmath.mpc):
                    if abs(root.imag) > 1e-20:
                        continue
                    root = root.real
                if abs(g(root)) > 1e-20 or abs(dg(root)) < 1e-8:
                    continue
            except (ValueError, ZeroDivisionError, OverflowError, TypeError, ArithmeticError):
                continue
            if all(abs(root - r) > 1e-9 * (1 + abs(r)) for r in roots):
                roots.append(root)
    return [{**dict(fixed), dependent: r} for r in sorted(roots)]


def sample_points(F: sympy.Expr, dependent: sympy.Symbol, count: int = 6,
                  seed: int = 0, tries: int = 40) -> list[dict[sympy.Symbol, Any]]:
    """About ``count`` points of the curve: the other variables at seeded random values in
    (−1.5, 1.5), every root found for each (several branches), until ``count`` are found."""
    rng = random.Random(seed)
    others = sorted(F.free_symbols - {dependent}, key=lambda s: s.name)
    found: list[dict[sympy.Symbol, float]] = []
    for _ in range(tries):
        fixed = {s: round(rng.uniform(-1.5, 1.5), 3) for s in others}
        found += curve_points(F, dependent, fixed)
        if len(found) >= count:
            break
    return found
