"""Is a claimed formula the derivative of an expression? Symbolic proof, else numeric evidence.

>>> check_claim("3*x**2", "x**3", wrt="x").correct
True
>>> check_claim("3*x", "x**3", wrt="x").correct
False
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy

from .budget import time_budget
from .calculus import Result, safe_to_simplify
from .errors import EvaluationError, ShapeError
from .function import ExprLike, Function, WrtLike, _from_sympy, as_function
from .parse import parse

SIMPLIFY_MAX_OPS = 400  # larger differences go straight to numeric evidence
SIMPLIFY_BUDGET_S = 5.0
NUMERIC_POINTS = 20
AGREEMENT = 1e-10  # relative difference still counted as equal (values at 30 digits)


@dataclass(frozen=True)
class ClaimCheck:
    """The answer: correct or not, how it was shown, and a witness point when not."""

    correct: bool
    how: str  # "symbolic" or "numeric"
    result: Result
    claimed: sympy.ImmutableMatrix
    points_checked: int = 0
    point: dict[str, float] | None = None
    entry: tuple[int, ...] | None = None
    claimed_value: float | str | None = None
    expected_value: float | str | None = None


def check_claim(claimed: ExprLike, of: ExprLike | Function, wrt: WrtLike = None,
                what: str | None = None, order: int = 1, seed: int = 0) -> ClaimCheck:
    """Compare ``claimed`` with the exact ``what`` of ``of``: first symbolically, entry by
    entry; where simplification cannot decide, at 20 seeded random points to 30 digits."""
    f = as_function(of, wrt)
    result = f.differentiate(what, order)
    mine = _as_layout(claimed, result, f)
    exact = result.expanded()
    differences = [c - e for c, e in zip(mine, exact, strict=True)]
    if all(_is_zero(d) for d in differences):
        return ClaimCheck(True, "symbolic", result, mine)
    return _numeric(result, mine, exact, np.random.default_rng(seed))


def _as_layout(claimed: ExprLike, result: Result, f: Function) -> sympy.ImmutableMatrix:
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


def _is_zero(difference: sympy.Expr) -> bool:
    if difference == 0:
        return True
    if not safe_to_simplify(difference, SIMPLIFY_MAX_OPS):
        return False
    with time_budget(SIMPLIFY_BUDGET_S):
        try:
            return sympy.expand(difference) == 0 or sympy.simplify(difference) == 0
        except (RecursionError, NotImplementedError, TypeError, ValueError):
            return False
    return False  # out of time: numeric evidence decides


def _numeric(result: Result, mine, exact, rng) -> ClaimCheck:
    symbols = sorted(set(mine.free_symbols) | set(exact.free_symbols)
                     | set(result.function.expr.free_symbols), key=lambda s: s.name)
    checked = 0
    for _ in range(50 * NUMERIC_POINTS):
        point = {s: sympy.Float(float(v), 40) for s, v in
                 zip(symbols, rng.uniform(-2.5, 2.5, size=len(symbols)), strict=True)}
        expected = [_value(e, point) for e in exact]
        if any(v is None for v in expected):
            continue  # outside the domain of the true derivative
        got = [_value(c, point) for c in mine]
        for k, (c, e) in enumerate(zip(got, expected, strict=True)):
            # compared as 30-digit SymPy floats: (x + 1)**99999 overflows float64
            if c is None or abs(c - e) > AGREEMENT * max(1, abs(e)):
                index = tuple(int(i) for i in np.unravel_index(k, result.shape or (1,)))
                return ClaimCheck(False, "numeric", result, mine, checked + 1,
                                  {s.name: float(v) for s, v in point.items()}, index,
                                  None if c is None else _number(c), _number(e))
        checked += 1
        if checked == NUMERIC_POINTS:
            return ClaimCheck(True, "numeric", result, mine, checked)
    raise EvaluationError("could not find points where the derivative can be evaluated "
                          "to compare with the claim")


def _number(value: sympy.Float) -> float | str:
    """A float when float64 can hold it, else its 15-digit text (JSON has no inf)."""
    as_float = float(value)
    return as_float if np.isfinite(as_float) or not value.is_finite else str(value.evalf(15))


def _value(expr: sympy.Expr, point: dict) -> sympy.Float | None:
    value = sympy.N(expr.xreplace(point), 30)
    if value.has(sympy.Derivative, sympy.Subs) or value.free_symbols:
        raise EvaluationError("the derivative contains undefined functions and the claim "
                              "could not be shown equal symbolically")
    if not (value.is_number and value.is_real and value.is_finite):
        return None
    return value
