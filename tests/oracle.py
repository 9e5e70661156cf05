"""Independent numeric oracles for tests: mpmath differentiation of trusted test expressions.

These never use symnum's own evaluator: expressions are turned into mpmath functions by
SymPy's ``lambdify`` (fine here: the strings are ours, not a user's).
"""

from __future__ import annotations

from collections.abc import Sequence

import mpmath as mp
import sympy


def partial(expr: sympy.Expr, variables: Sequence[sympy.Symbol], point: Sequence[float],
            orders: Sequence[int], digits: int = 30) -> float:
    """∂^|orders| expr / ∂x^orders at point, by mpmath finite differences at high precision."""
    f = sympy.lambdify(list(variables), expr, modules="mpmath")
    with mp.workdps(digits):
        x = [mp.mpf(p) for p in point]
        if len(x) == 1:
            return float(mp.diff(f, x[0], orders[0]))
        return float(mp.diff(f, x, tuple(orders)))


def close(a: float, b: float, rel: float = 1e-10) -> bool:
    return abs(a - b) <= rel * max(1.0, abs(a), abs(b))
