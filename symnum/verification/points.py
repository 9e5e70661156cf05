"""Where verify looks: the symbols of a result, a point given by the user (and why there may
be no derivative to check there), and seeded random points where f and the result are real,
finite, away from kinks and not blurred by float64.

>>> import symnum
>>> r = symnum.derive("log(x)")
>>> undefined(r, given_point(r, all_symbols(r), {"x": -1}))[:37]
'no derivative to check at x = -1: x ='
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Protocol

import sympy

from ..core.calculus import Result
from ..core.domain import point_notes
from ..core.errors import EvaluationError, SymnumError
from ..core.evaluate import at_point, exact_values, substitution
from . import methods
from .kinks import jumps, near_kink

SAMPLE_RANGE = 2.5  # random points are uniform in [-2.5, 2.5] per variable
MAX_TRIES = 500
ILL_CONDITIONED = 1e-4  # a random point where float64 blurs an entry by more (relative) is
#                         moved: it sits too close to a singularity for the float methods


class Context(Protocol):
    """What point selection needs of verify's context: f's float64 loss at a point."""

    def loss(self, point: dict) -> float: ...


def all_symbols(result: Result) -> list[sympy.Symbol]:
    """The variables, then the parameters of f and of the result, sorted by name."""
    free = set(result.function.expr.free_symbols) | set(result.expanded().free_symbols)
    rest = sorted((s for s in free if s not in result.variables), key=lambda s: s.name)
    return list(result.variables) + rest


def given_point(result: Result, symbols: list, at: Mapping) -> dict:
    """The user's point as exact rationals of its float64 values; every symbol needs a real
    value (an :class:`EvaluationError` otherwise)."""
    subs = substitution(set(symbols), at)
    missing = [s.name for s in symbols if s not in subs]
    if missing:
        raise EvaluationError(f"no value given for {', '.join(missing)}")
    if not all(subs[s].is_real for s in symbols):
        raise EvaluationError("verify works at real points: give real values with at=")
    return {s: sympy.Rational(float(subs[s])) for s in symbols}


def undefined(result: Result, point: dict) -> str:
    """Why there is no derivative to check at a given point, in words; "" where there is:
    f jumps there, or f or the result is not real and finite (outside the domain, a pole)."""
    where = ", ".join(f"{s.name} = {float(v):.17g}" for s, v in point.items())
    if near_kink(result, point):
        try:
            found = methods.quiet(jumps, result, point)
        except (SymnumError, ArithmeticError, ValueError):
            found = []  # mpmath cannot evaluate f there: the checks below say what they can
        if found:
            return f"the derivative does not exist at {where}: {'; '.join(found)}"
    why = problem(result, point)
    if why is None:
        return ""
    try:
        notes = point_notes(result, point)  # outside the domain of log(x), ...
    except (SymnumError, ArithmeticError, TypeError, ValueError):
        notes = []
    return f"no derivative to check at {where}: {'; '.join(notes) if notes else why}"


def random_points(result: Result, symbols: list, count: int, rng, context: Context
                  ) -> list[dict]:
    """Seeded uniform points where f and the result are real and finite and away from kinks;
    one where float64 blurs f is moved unless no other point can be found."""
    chosen: list[dict] = []
    spare: list[dict] = []
    for _ in range(MAX_TRIES):
        values = rng.uniform(-SAMPLE_RANGE, SAMPLE_RANGE, size=len(symbols))
        point = {s: sympy.Rational(float(v)) for s, v in zip(symbols, values, strict=True)}
        if problem(result, point) is None and not near_kink(result, point):
            # A point where float64 blurs f itself (next to a pole) is moved. Only f decides:
            # if the result under test decided, a wrong entry could choose where it is tested
            # (one that is 0 where the truth is not would never be looked at).
            if _blurred(context, point):
                spare.append(point)
                continue
            chosen.append(point)
            if len(chosen) == count:
                return chosen
    if len(chosen) + len(spare) >= count:
        return chosen + spare[:count - len(chosen)]
    raise EvaluationError(f"found only {len(chosen) + len(spare)} of {count} points in "
                          f"[-{SAMPLE_RANGE}, {SAMPLE_RANGE}] where f and its derivative are "
                          "real and finite")


def problem(result: Result, point: dict) -> str | None:
    """None where f and every entry of the result are real, finite float64 values at
    ``point`` (the numeric methods work in float64); else what is wrong, in words."""
    try:
        f_values = [at_point(e, point, 20) for e in result.function.outputs]
    except (EvaluationError, TypeError, ValueError, ZeroDivisionError, OverflowError):
        return "f cannot be evaluated there"
    if not all(_float64(v) for v in f_values):
        return "f is not real and finite there"
    try:
        values = exact_values(result, point, digits=20)
    except EvaluationError as err:
        return str(err)
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        return "the result cannot be evaluated there"
    return None if all(_float64(v) for v in values) else \
        "the result is not real and finite in float64 there"


def _float64(value: sympy.Expr) -> bool:
    return bool(value.is_number and value.is_real and value.is_finite
                and math.isfinite(float(value)))


def _blurred(context: Context, point: dict) -> bool:
    """Does float64 lose more than ILL_CONDITIONED (relative) of f at ``point``?"""
    try:
        return context.loss(point) > ILL_CONDITIONED
    except (SymnumError, ArithmeticError, TypeError, ValueError):
        return False
