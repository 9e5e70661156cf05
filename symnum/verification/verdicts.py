"""Each method's error model: a tolerance per entry and point, and a verdict per entry.

Verdicts are ``pass`` (the method agrees within what its own error model allows),
``fail`` (it disagrees, and the method is sure of its own value) and ``inconclusive`` (the
method cannot tell here: it overflowed, its two independent estimates disagree with each
other, or its error bound is too wide to confirm anything, or it cannot resolve the entry at
all: a pass within more than 1e-6 of a nonzero entry confirms nothing). See
docs/VERIFICATION.md.

The float64 rounding scale of an entry (:func:`rounding_scales`) is measured, not assumed:
the exact entry is evaluated in float64 at the point and at points a few units in the last
place away; the spread of those values against the 30-digit value is how much float64
arithmetic blurs this entry here (cancellation between large terms, an ill-conditioned
argument, an inaccurate special function), together with eps·|entry|, eps·(size of f and
of the largest entry) and the smallest normal float64.

>>> judge("torch", exact=2.0, value=2.0 + 1e-15, unit=4.4e-16, spread=0.0, rounding=0.0,
...       alternate=None, alternate_spread=0.0, accuracy=0.0)[0]
'pass'
>>> judge("torch", exact=2.0, value=2.0 + 2e-8, unit=4.4e-16, spread=0.0, rounding=0.0,
...       alternate=None, alternate_spread=0.0, accuracy=0.0)[0]
'fail'
>>> judge("torch", exact=1e-12, value=1e-12, unit=4.4e-4, spread=0.0, rounding=0.0,
...       alternate=None, alternate_spread=0.0, accuracy=0.0)[0]  # f ~ 1e12 blurs it
'inconclusive'
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import sympy

EPS = float(np.finfo(float).eps)
ROUNDING_SAFETY = 32.0  # float64 methods pass within 32 × the entry's rounding scale
RIDDERS_SAFETY = 10.0  # Richardson passes within 10 × (its own error estimate + rounding)
MPMATH_SAFETY = 100.0  # mpmath passes within 100 × the gap between its two runs ...
MPMATH_FLOOR = 1e-24  # ... plus this relative floor (the exact value has 30 digits)
MPMATH_SIZE = 1e-6  # ... of max(|entry|, 1e-6 × the computation's float64 size), i.e. 1e-30·|f|
MPMATH_AGREE = 1e-12  # mpmath's two runs farther apart than this (relative): inconclusive
VAGUE = 1e-6  # a tolerance wider than this (relative) confirms nothing: inconclusive
PERTURBED = 8  # points a few ulps away used to measure an entry's rounding scale
TINY = float(np.finfo(float).tiny)  # smallest normal float64: no rounding scale is below it
UNDERFLOW = 1e-290  # entries smaller than this live among float64's subnormal intermediates

# Relative accuracy of torch's float64 special functions where it is below float64 rounding
# (measured against mpmath: torch's trigamma/polygamma are good to ~5e-10).
TORCH_ACCURACY: dict[type, float] = {sympy.polygamma: 1e-8, sympy.zeta: 1e-8}
# The same for JAX's special functions (jax.scipy.special; measured against mpmath).
JAX_ACCURACY: dict[type, float] = {sympy.polygamma: 1e-8, sympy.zeta: 1e-8}

Verdict = tuple[str, float, str]  # (verdict, absolute tolerance, reason when not a pass)


def rounding_scales(program, point_values: list[float], exact: list[float], size: float
                    ) -> list[float]:
    """Per entry: the absolute float64 rounding scale (see the module docstring).

    ``program`` evaluates the exact entries in numpy; ``size`` is max(|f|, max |entry|).
    """
    x = np.array(point_values, dtype=float)
    rng = np.random.default_rng(12345)
    wiggle = 1 + 4 * EPS * rng.uniform(-1, 1, size=(PERTURBED, len(x)))
    wiggle[0] = 1.0
    pts = x * wiggle
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            outs = [np.broadcast_to(np.asarray(v, dtype=float), (PERTURBED,))
                    for v in program.run(*pts.T)]
        except (TypeError, ValueError, ZeroDivisionError, ArithmeticError):
            outs = None
    scales = []
    for k, e in enumerate(exact):
        noise = 0.0
        if outs is not None:
            spread = np.abs(outs[k] - e)
            noise = float(spread.max()) if np.all(np.isfinite(spread)) else 0.0
        scales.append(max(noise, EPS * abs(e), EPS * size, TINY))
    return scales


def torch_accuracy(entry: sympy.Expr) -> float:
    """Relative accuracy to grant torch on an entry that uses its weaker special functions."""
    return max([0.0] + [acc for kind, acc in TORCH_ACCURACY.items() if entry.has(kind)])


def jax_accuracy(entry: sympy.Expr) -> float:
    """Relative accuracy to grant JAX on an entry that uses its weaker special functions."""
    return max([0.0] + [acc for kind, acc in JAX_ACCURACY.items() if entry.has(kind)])


def judge(method: str, exact: float, value: float, unit: float, spread: float,
          rounding: float, alternate: float | None, alternate_spread: float,
          accuracy: float, loss: float = 0.0, gap: float | None = None) -> Verdict:
    """The verdict of ``method`` on one entry. ``unit``: the entry's float64 rounding scale;
    ``spread``: the method's own error estimate; ``rounding``: rounding of its stencil;
    ``alternate``: an independent second value (Richardson); ``accuracy``: relative
    accuracy of the library's special functions; ``loss``: the relative float64 error of f
    itself here (f's rounding scale / |f|): a float method that evaluates f's graph (1 − σ(z)
    at z = 20 keeps 8 digits) loses about as much in the derivative. ``gap``: |value − exact|
    when the caller knows it better than float64 does (mpmath's 48-digit value against the
    30-digit exact value: two float64 roundings are ~1e-16 apart, far above mpmath's
    tolerance); by default ``abs(value - exact)``."""
    unit = max(unit, loss * abs(exact))
    if not math.isfinite(value):
        return "inconclusive", math.inf, "its value is not finite here (overflow)"
    if gap is None:
        gap = abs(value - exact)
    verdict = _judge(method, exact, value, gap, unit, spread, rounding, alternate,
                     alternate_spread, accuracy)
    if verdict[0] == "pass" and exact != 0 and verdict[1] > VAGUE * abs(exact):
        return "inconclusive", verdict[1], ("the entry is too small next to f for this "
                                            "method to resolve it")
    if method == "mpmath":
        return verdict
    if verdict[0] == "fail" and max(abs(exact), abs(value)) < UNDERFLOW:
        return "inconclusive", verdict[1], "the entry is too small for float64 here (underflow)"
    if verdict[1] > VAGUE * max(abs(exact), unit / EPS) and verdict[0] != "inconclusive":
        return "inconclusive", verdict[1], "float64 loses too many digits here to judge"
    return verdict


def _judge(method: str, exact: float, value: float, gap: float, unit: float, spread: float,
           rounding: float, alternate: float | None, alternate_spread: float,
           accuracy: float) -> Verdict:
    scale = max(abs(exact), unit / EPS)
    if method == "mpmath":  # no float64 here: judged on the entry, floored at 30 digits of f
        scale = max(abs(exact), MPMATH_SIZE * unit / EPS)
        if spread > MPMATH_AGREE * scale:
            return "inconclusive", math.inf, "its two precisions disagree at this point"
        tol = MPMATH_SAFETY * spread + MPMATH_FLOOR * scale
        return ("pass" if gap <= tol else "fail"), tol, "" if gap <= tol else "disagrees"
    if method == "complex-step":
        tol = ROUNDING_SAFETY * unit
        if not math.isfinite(spread) or spread > tol:
            return "inconclusive", tol, ("its two steps disagree: f's complex evaluation is "
                                         "inaccurate or not analytic here")
        return ("pass" if gap <= tol else "fail"), tol, "" if gap <= tol else "disagrees"
    if method in ("torch", "jax"):  # reverse-mode autodiff of f in float64
        tol = ROUNDING_SAFETY * unit + accuracy * abs(exact)
        return ("pass" if gap <= tol else "fail"), tol, "" if gap <= tol else "disagrees"
    return _judge_richardson(exact, value, unit, spread, rounding, alternate,
                             alternate_spread, scale, gap)


def _judge_richardson(exact: float, value: float, unit: float, spread: float, rounding: float,
                      alternate: float | None, alternate_spread: float, scale: float,
                      gap: float) -> Verdict:
    tol = RIDDERS_SAFETY * (spread + rounding) + ROUNDING_SAFETY * unit
    if gap <= tol:
        if tol <= VAGUE * scale:
            return "pass", tol, ""
        return "inconclusive", tol, "its error estimate is too wide to confirm the value"
    other_tol = RIDDERS_SAFETY * alternate_spread + ROUNDING_SAFETY * unit
    if (alternate is not None and math.isfinite(alternate)
            and abs(alternate - value) <= tol + other_tol and abs(alternate - exact) > other_tol):
        return "fail", tol, "disagrees (two independent starting steps agree with each other)"
    return "inconclusive", tol, ("its starting steps disagree with each other "
                                 "(a singularity or domain edge nearby?)")
