"""Test-side check that a step is a true statement, independent of symnum's own code.

Undefined functions are replaced by concrete smooth ones (so f'(g(x)) can be evaluated),
then d(expr)/d(wrt) is computed by mpmath finite differences and compared with the step's
result at random points; where it is cheap, SymPy also checks it symbolically.
"""

from __future__ import annotations

import random

import mpmath as mp
import sympy
from sympy.core.function import AppliedUndef


def concrete(expr: sympy.Basic) -> sympy.Basic:
    """f(a1, a2, ...) → sin(a1 + 2·a2 + ...) + a1/3 for every undefined f; then doit()."""
    def stand_in(node):
        total = sum((k + 1) * a for k, a in enumerate(node.args))
        return sympy.sin(total) + node.args[0] / 3
    def as_subs(d):  # Derivative(f(g(x)), g(x)) → Subs(Derivative(f(ξ), ξ), ξ, g(x))
        xi = sympy.Dummy("xi")
        (var, count), = d.variable_count
        return sympy.Subs(sympy.Derivative(d.expr.subs(var, xi), (xi, count)), xi, var)

    expr = expr.replace(lambda n: isinstance(n, sympy.Derivative) and len(n.variable_count) == 1
                        and not n.variable_count[0][0].is_Symbol, as_subs)
    replaced = expr.replace(lambda n: isinstance(n, AppliedUndef), stand_in)
    return replaced.doit()


def node_is_true(expr: sympy.Expr, wrt: sympy.Symbol, result: sympy.Expr, seed: int = 0,
                 points: int = 2) -> bool:
    """d(expr)/d(wrt) == result, numerically at random points (mpmath, 30 digits)."""
    e, r = concrete(expr), concrete(result)
    free = sorted((e.free_symbols | r.free_symbols | {wrt}), key=lambda s: s.name)
    rng = random.Random(seed)
    checked = 0
    for _ in range(60):
        point = {s: sympy.Float(rng.uniform(-2, 2), 30) for s in free}
        rest = {s: v for s, v in point.items() if s != wrt}
        g = sympy.lambdify([wrt], e.xreplace(rest), modules="mpmath")
        expected_value = sympy.N(r.xreplace(point), 30)
        if not (expected_value.is_real and expected_value.is_finite):
            continue
        with mp.workdps(30):
            try:
                numeric = mp.diff(g, mp.mpf(str(point[wrt])))
            except (ValueError, ZeroDivisionError, TypeError):
                continue
        if not isinstance(numeric, mp.mpf) or not mp.isfinite(numeric):
            continue
        if abs(float(numeric) - float(expected_value)) > 1e-9 * max(1, abs(float(expected_value))):
            return False
        checked += 1
        if checked == points:
            return True
    return checked > 0 or sympy.simplify(sympy.diff(e, wrt) - r) == 0
