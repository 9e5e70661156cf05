"""A Taylor polynomial checked against oracles that know nothing of how it was computed:

1. mpmath's derivatives of f at the point (``mpmath.diff``, 30 digits, f evaluated by the
   registry's mpmath spellings), each ∂^α f(a) against α!·(the coefficient);
2. the remainder's order: f − T_k at a + h·d for two small h along a seeded direction d
   must shrink like h^(k+1) (f and T_k at 50 digits).

Parameters (free symbols that are not expanded) get seeded values first.

>>> from symnum.core.function import Function
>>> from symnum.higher.taylor import taylor
>>> report = verify_taylor(taylor(Function("exp(x)*cos(y)"), "x=1,y=0", 3))
>>> report.verdict, report.checked
('pass', 10)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sympy

from ..higher.series import indices
from ..higher.taylor import TaylorResult
from ..higher.taylor_render import SUBSCRIPT, point_text

DIGITS = 30
TOLERANCE = 1e-12  # relative to max(1, |∂^α f(a)|)
MAX_CHECKED = 84  # multi-indices checked by mpmath.diff (3 variables, order 6)
STEPS = (sympy.Rational(1, 100), sympy.Rational(1, 200))


@dataclass(frozen=True)
class TaylorReport:
    """``verdict`` pass, fail or inconclusive; the ``worst`` derivative (α, exact, mpmath,
    error), the remainder's observed ``slope`` (log₂ of the error ratio; expected ≥ k + 1)."""

    result: TaylorResult
    verdict: str
    checked: int
    worst: tuple[Any, ...] | None
    slope: float | None
    errors: tuple[float, ...] = ()
    notes: tuple[str, ...] = field(default=())

    def text(self) -> str:
        r = self.result
        lines = [f"verify the Taylor polynomial of order {r.order} of {r.function.source} "
                 f"about {point_text(r.point)}: {self.verdict.upper()}"]
        if self.worst is not None:
            alpha, exact, value, error = self.worst
            lines.append(f"  mpmath.diff ({DIGITS} digits): {self.checked} derivatives ∂^α f at "
                         f"the point; worst α = {list(alpha)}: exact {exact:.17g}, mpmath "
                         f"{value:.17g}, error {error:.2e} (tolerance {TOLERANCE:.0e}·max(1, "
                         "|value|))")
        name = f"T{str(r.order).translate(SUBSCRIPT)}"
        if self.slope is not None:
            lines.append(f"  remainder: |f − {name}| at h = 1/100, 1/200 along a seeded "
                         f"direction: {self.errors[0]:.3e}, {self.errors[1]:.3e}; it shrinks "
                         f"like h^{self.slope:.2f} (expected at least h^{r.order + 1})")
        elif self.errors:
            lines.append(f"  remainder: |f − {name}| is {max(self.errors):.1e} at "
                         "h = 1/100 and 1/200 (f is this polynomial there)")
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        worst = None
        if self.worst is not None:
            alpha, exact, value, error = self.worst
            worst = {"index": list(alpha), "exact": exact, "mpmath": value, "error": error}
        return {"verdict": self.verdict, "what": "taylor", "order": self.result.order,
                "at": {s.name: str(v) for s, v in self.result.point},
                "derivatives_checked": self.checked, "worst": worst,
                "remainder_slope": self.slope, "remainder_errors": list(self.errors),
                "notes": list(self.notes)}


def verify_taylor(result: TaylorResult, seed: int = 0) -> TaylorReport:
    """Both checks of the module docstring; fail if either disagrees."""

    rng = np.random.default_rng(seed)
    f = result.function
    params = sorted(f.expr.free_symbols - set(result.variables), key=lambda s: s.name)
    values = {p: sympy.Rational(int(rng.integers(5, 20)), 10) for p in params}
    notes = [f"parameters set to {', '.join(f'{p} = {v}' for p, v in values.items())}"] \
        if params else []
    evaluate = _mpmath_function(f.expr, result.variables, params, values)
    center = [sympy.N(a, DIGITS + 20) for a in result.center]
    verdict, checked, worst = "pass", 0, None
    try:
        try:
            checked, worst = _derivatives(result, evaluate, center, values, False)
        except (ValueError, ZeroDivisionError):  # 0/0 at the point itself: sin(x)/x at 0
            checked, worst = _derivatives(result, evaluate, center, values, True)
            notes.append("f is 0/0 at the point: mpmath.diff evaluated it only beside it")
    except (ValueError, TypeError, ZeroDivisionError, OverflowError) as err:
        return TaylorReport(result, "inconclusive", checked, worst, None,
                            notes=(*notes, "mpmath could not evaluate f near the point"
                                   + (f": {err}" if str(err) else "")))
    if worst is not None and worst[3] > TOLERANCE:
        verdict = "fail"
    if checked < len(indices(len(center), result.order)):
        notes.append(f"mpmath.diff checked the first {checked} multi-indices; the remainder "
                     "check covers every degree")
    slope, errors = _remainder(result, evaluate, values, rng)
    if slope is not None and slope < result.order + 1 - 0.3:
        verdict = "fail"
    return TaylorReport(result, verdict, checked, worst, slope, errors, tuple(notes))


def _derivatives(result: TaylorResult, evaluate: Any, center: list[sympy.Expr],
                 values: dict[sympy.Symbol, sympy.Expr], singular: bool
                 ) -> tuple[int, tuple[Any, ...] | None]:
    """mpmath.diff's ∂^α f(a) against α!·c_α: (how many, the worst (α, exact, mpmath, error)).
    ``singular``: f is never evaluated at the point itself."""
    import mpmath

    checked, worst = 0, None
    with mpmath.workdps(DIGITS):
        a = [mpmath.mpf(str(c)) for c in center]
        for alpha in indices(len(a), result.order)[:MAX_CHECKED]:
            exact = float(sympy.N(result.derivative_at(alpha).xreplace(values), DIGITS))
            at = tuple(a) if len(a) > 1 else a[0]
            value = float(mpmath.diff(evaluate, at, alpha if len(a) > 1 else alpha[0],
                                      singular=singular))
            error = abs(value - exact) / max(1.0, abs(exact))
            checked += 1
            if worst is None or error > worst[3]:
                worst = (alpha, exact, value, error)
    return checked, worst


def _mpmath_function(expr: sympy.Expr, variables: tuple[sympy.Symbol, ...],
                     params: list[sympy.Symbol], values: dict[sympy.Symbol, sympy.Expr]):
    """f as an mpmath function of the expansion variables (the registry's spellings)."""
    from ..kernels.program import Program

    program = Program([expr], list(variables) + params, "mpmath")
    fixed = [sympy.N(values[p], DIGITS + 20) for p in params]

    def f(*x: Any) -> Any:
        import mpmath
        value = program.run(*x, *[mpmath.mpf(str(v)) for v in fixed])[0]
        if isinstance(value, mpmath.mpc):
            if abs(value.imag) > abs(value) * mpmath.mpf(10) ** (-mpmath.mp.dps + 5):
                raise ValueError("f is not real near the point")
            value = value.real
        return value
    return f


def _remainder(result: TaylorResult, evaluate: Any, values: dict[sympy.Symbol, sympy.Expr],
               rng: np.random.Generator) -> tuple[float | None, tuple[float, ...]]:
    """log₂(e(h)/e(h/2)) of e(h) = |f − T_k|(a + h·d), or None where both are ~0."""
    import mpmath

    direction = rng.uniform(-1, 1, len(result.point))
    direction /= max(1e-3, float(np.linalg.norm(direction)))
    polynomial = result.polynomial.xreplace(values)
    errors = []
    with mpmath.workdps(50):
        for h in STEPS:
            point = [a + h * sympy.Rational(str(round(float(d), 6)))
                     for a, d in zip(result.center, direction, strict=True)]
            exact = sympy.N(polynomial.xreplace(dict(zip(result.variables, point, strict=True))),
                            50)
            f = evaluate(*[mpmath.mpf(str(sympy.N(p, 50))) for p in point])
            errors.append(float(abs(f - mpmath.mpf(str(exact)))))
    if max(errors) < 1e-40 or min(errors) == 0:
        return None, tuple(errors)
    return math.log2(errors[0] / errors[1]), tuple(errors)
