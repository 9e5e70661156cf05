"""Check an exact :class:`Result` against independent numeric methods → :class:`Report`.

The exact result is evaluated at 30 digits (SymPy's ``evalf``); each method's value is
compared entry by entry against a tolerance from that method's own error model at that point
and entry (:mod:`symnum.verification.verdicts`). Each method says pass, fail or
inconclusive per entry; the report's :attr:`Report.verdict` is ``"fail"`` if any method fails
with confidence, ``"pass"`` if every entry at every point is confirmed by at least one method
and none fails, ``"inconclusive"`` otherwise, and at a given point where there is no
derivative to check (f jumps there, or f or the result is not real and finite: outside the
domain, a pole), with :attr:`Report.undefined` saying why. ``error`` and ``tolerance`` in an
:class:`EntryCheck` are relative to ``max(|exact|, the entry's rounding scale / eps)``.

>>> verify_result(__import__("symnum").derive("x**3*y"), points=2).verdict
'pass'
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import sympy

from ..core.calculus import Result
from ..core.errors import SymnumError
from ..core.evaluate import at_point, exact_values
from ..core.unknowns import numbers_refused
from ..kernels.program import Program
from . import jax_method, methods, verdicts
from .kinks import KinkNote, kink_notes, near_kink
from .points import all_symbols, given_point, random_points, undefined

_METHODS: dict[str, tuple[str, Callable, str]] = {  # name: (what it does, method, tolerance)
    "mpmath": ("mpmath central differences on f at 32 and 48 digits", methods.mpmath_diff,
               f"{verdicts.MPMATH_SAFETY:g} × the gap between its two runs + "
               f"{verdicts.MPMATH_FLOOR:g} relative"),
    "complex-step": ("complex step in complex128, two steps", methods.complex_step,
                     f"{verdicts.ROUNDING_SAFETY:g} × the entry's float64 rounding scale; "
                     "the two steps must agree within it"),
    "richardson": ("float64 central differences + Ridders' extrapolation", methods.richardson,
                   f"{verdicts.RIDDERS_SAFETY:g} × (own error estimate + stencil rounding) "
                   f"+ {verdicts.ROUNDING_SAFETY:g} × rounding scale"),
    "torch": ("torch.func autograd in float64 on f", methods.torch_autograd,
              f"{verdicts.ROUNDING_SAFETY:g} × the entry's float64 rounding scale"),
    "jax": ("JAX autodiff in float64 on f (when JAX is installed)", jax_method.jax_autodiff,
            f"{verdicts.ROUNDING_SAFETY:g} × the entry's float64 rounding scale"),
}
_OPTIONAL = {"jax": jax_method.available}  # methods that run only where their library is


@dataclass(frozen=True)
class EntryCheck:
    """One entry at one point: exact value, the method's value, error against tolerance
    (both relative to the entry's scale), the verdict and, unless a pass, why."""

    index: tuple[int, ...]
    exact: float
    value: float
    error: float
    tolerance: float
    verdict: str = "pass"
    reason: str = ""

    @property
    def digits(self) -> float:
        return 30.0 if self.error == 0 else max(0.0, min(30.0, -math.log10(self.error)))

    @property
    def passed(self) -> bool:
        return self.verdict == "pass"


@dataclass
class MethodCheck:
    """All points for one method."""

    method: str
    description: str
    tolerance: str
    step: str = ""
    evaluations: int = 0
    points: list[list[EntryCheck]] = field(default_factory=list)
    skipped: str = ""

    @property
    def verdict(self) -> str:
        """``fail`` if an entry fails, ``pass`` if all pass, else ``inconclusive``."""
        entries = [e for p in self.points for e in p]
        if any(e.verdict == "fail" for e in entries):
            return "fail"
        if self.skipped or not entries or any(e.verdict != "pass" for e in entries):
            return "inconclusive"
        return "pass"

    @property
    def passed(self) -> bool:
        return self.verdict == "pass"

    @property
    def reason(self) -> str:
        """Why the method is inconclusive (or fails), in one line."""
        if self.skipped:
            return self.skipped
        entries = [e for p in self.points for e in p]
        for wanted in ("fail", "inconclusive"):
            for e in entries:
                if e.verdict == wanted:
                    return e.reason
        return ""

    def worst(self) -> tuple[int, EntryCheck] | None:
        """(point number, entry) of a failure, else with the largest error per tolerance."""
        pairs = [(k, e) for k, p in enumerate(self.points) for e in p]
        if not pairs:
            return None
        rank = {"fail": 2, "inconclusive": 1, "pass": 0}
        return max(pairs, key=lambda ke: (rank[ke[1].verdict],
                                          _ratio(ke[1].error, ke[1].tolerance)))


def _ratio(error: float, tolerance: float) -> float:
    """error / tolerance, with 0/0 = 0, x/0 = inf and x/inf = 0."""
    if tolerance > 0 and math.isfinite(tolerance):
        return error / tolerance
    return 0.0 if error == 0 or tolerance > 0 else math.inf


@dataclass
class Report:
    """The outcome of :func:`verify_result`; ``bool(report)`` is the verdict."""

    result: Result
    points: list[dict[str, float]]
    seed: int | None
    checks: list[MethodCheck]
    kinks: list[KinkNote] = field(default_factory=list)
    undefined: str = ""  # at a given point: why there is no derivative to check there

    @property
    def verdict(self) -> str:
        """``fail`` if a method fails; ``pass`` if every entry at every point is confirmed by
        at least one method (or only kinks were examined); else ``inconclusive`` (also where
        there is no derivative to check)."""
        if self.undefined:
            return "inconclusive"
        ran = [c for c in self.checks if not c.skipped]
        if any(c.verdict == "fail" for c in ran):
            return "fail"
        grid = [c.points for c in ran]
        if not any(grid):
            return "pass" if self.kinks else "inconclusive"
        for k in range(max(len(g) for g in grid)):
            entries = max((len(g[k]) for g in grid if len(g) > k), default=0)
            if not entries or not all(any(len(g) > k and g[k][i].passed for g in grid)
                                      for i in range(entries)):
                return "inconclusive"
        return "pass"

    @property
    def passed(self) -> bool:
        """No method fails and every entry was confirmed by at least one."""
        return self.verdict == "pass"

    def __bool__(self) -> bool:
        return self.passed

    def text(self) -> str:
        from .report import report_text
        return report_text(self)

    def to_json(self) -> dict:
        from .report import report_json
        return report_json(self)

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, str]:
        """Jupyter's display: an HTML table with the verdict (and the text for terminals)."""
        from ..core.display import bundle
        from .report import report_html
        return bundle(self.text(), {"text/html": report_html(self)}, include, exclude)

    def __str__(self) -> str:
        return self.text()


def verify_result(result: Result, points: int = 5, seed: int | None = 0,
                  at: Mapping | None = None, methods_used: tuple[str, ...] | None = None,
                  ) -> Report:
    """Compare ``result`` with every applicable numeric method at random points (or ``at``).

    Points are drawn from a seeded generator and redrawn where f or the result is not real
    and finite, or where an argument of Abs/Max/Min/Piecewise/... is within 1e-6 of 0.
    """
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)
                             or not 0 <= seed < 2**32):
        raise SymnumError(f"seed must be a whole number from 0 to 2**32 - 1, got {seed!r}")
    if not isinstance(points, int) or isinstance(points, bool) or not 1 <= points <= 1000:
        raise SymnumError("points must be an integer from 1 to 1000")
    numbers_refused(result.function.expr, "verify compares numbers")
    symbols = all_symbols(result)
    context = _Context(result, symbols)
    if at is not None:
        chosen = [given_point(result, symbols, at)]
        why = undefined(result, chosen[0])
        if why:
            return Report(result, [{s.name: float(v) for s, v in chosen[0].items()}], None, [],
                          undefined=why)
    else:
        chosen = random_points(result, symbols, points, np.random.default_rng(seed), context)
    report = Report(result, [{s.name: float(v) for s, v in p.items()} for p in chosen],
                    seed if at is None else None, [])
    smooth = [p for p in chosen if not near_kink(result, p)]
    for p in chosen:
        if p not in smooth:
            report.kinks.extend(methods.quiet(kink_notes, result, p))
    for name in methods_used or available_methods():
        report.checks.append(_run_method(name, result, smooth, context))
    _arbitrate(report.checks)
    return report


def available_methods() -> tuple[str, ...]:
    """The methods verify runs: the four always, JAX where it is installed."""
    return tuple(name for name in _METHODS if name not in _OPTIONAL or _OPTIONAL[name]())


def _arbitrate(checks: list[MethodCheck]) -> None:
    """A float64 method's disagreement on an entry that mpmath confirms (its 32- and 48-digit
    runs agree with the exact value to ~24 digits) is that method's own rounding, not an
    error in the result: inconclusive, not FAIL. Without mpmath's confirmation it stands."""
    oracle = next((c for c in checks if c.method == "mpmath" and not c.skipped), None)
    if oracle is None:
        return
    for check in checks:
        if check is oracle:
            continue
        for k, entries in enumerate(check.points):
            if k >= len(oracle.points):
                break
            confirmed = {e.index for e in oracle.points[k] if e.passed}
            check.points[k] = [dataclasses.replace(e, verdict="inconclusive", reason=(
                "off by more than its float64 error model allows, but mpmath confirms the "
                "exact value: rounding in this method's float64 evaluation of f"))
                if e.verdict == "fail" and e.index in confirmed else e for e in entries]


_WHY: dict[str, str] = {  # a method that raised: what to tell the user, per method
    "mpmath": "f cannot be evaluated in mpmath here (an undefined or untranslated function, "
              "or f is not real next to this point)",
    "complex-step": "numpy/scipy has no complex version of a function in f",
    "richardson": "f cannot be evaluated in numpy here",
    "torch": "torch has no translation of a function in f, or cannot differentiate it",
    "jax": "JAX has no translation of a function in f, or cannot differentiate it",
}


def _run_method(name: str, result: Result, points: list[dict], context: _Context
                ) -> MethodCheck:
    description, method, label = _METHODS[name]
    check = MethodCheck(name, description, label)
    if not points:
        check.skipped = "no point away from a kink"
        return check
    if name == "complex-step" and not methods.complex_step_applies(result, context.memo):
        check.skipped = "not analytic (Abs, sign, Max/Min, Piecewise, floor ...)"
        return check
    for point in points:
        try:
            if name == "richardson":
                estimate = methods.quiet(method, result, point, context.memo,
                                         context.at(point)[1], *context.f_at(point))
            else:
                estimate = methods.quiet(method, result, point, context.memo)
        except SymnumError as err:
            check.skipped = " ".join(str(err).split())[:160]
            return check
        except (ArithmeticError, RuntimeError, TypeError, ValueError, AttributeError,
                NotImplementedError, IndexError):
            check.skipped = _WHY[name]
            return check
        check.step, check.evaluations = estimate.step, check.evaluations + estimate.evaluations
        check.points.append(_compare(point, estimate, name, context))
    return check


class _Context:
    """What every method's verdict at a point needs: exact values (30 digits), the float64
    rounding scale of each entry, and the accuracy granted to torch and JAX per entry."""

    def __init__(self, result: Result, symbols: list[sympy.Symbol]):
        self.result, self.symbols = result, symbols
        self.entries = list(result.expanded())
        self.accuracy = {"torch": [verdicts.torch_accuracy(e) for e in self.entries],
                         "jax": [verdicts.jax_accuracy(e) for e in self.entries]}
        try:
            self.program = Program(list(result.matrix), symbols, "numpy",
                                   definitions=result.definitions)
        except (SymnumError, TypeError, ValueError, KeyError, AttributeError):
            self.program = None  # no float64 program: the rounding scale falls back to eps
        try:
            self.f_program = Program(result.function.outputs, symbols, "numpy")
        except (SymnumError, TypeError, ValueError, KeyError, AttributeError):
            self.f_program = None
        self.f_cache: dict[tuple, tuple] = {}
        self.cache: dict[tuple, tuple] = {}
        self.memo: dict = {}  # compiled programs, shared by the points of one method

    def at(self, point: dict) -> tuple[list, list[float], list[float]]:
        """(exact values at 30 digits, as floats, rounding scales) at ``point``."""
        key = tuple(float(point[s]) for s in self.symbols)
        if key not in self.cache:
            exact_hp = exact_values(self.result, point, digits=30)
            exact = [float(v) for v in exact_hp]
            f_values = [float(at_point(e, point, 30)) for e in self.result.function.outputs]
            size = max([abs(v) for v in f_values + exact])
            if self.program is None:
                units = [verdicts.EPS * max(abs(e), size) for e in exact]
            else:
                units = verdicts.rounding_scales(self.program, list(key), exact, size)
            f_units = None
            if self.f_program is not None:
                f_units = verdicts.rounding_scales(self.f_program, list(key), f_values,
                                                   max(abs(v) for v in f_values))
            self.cache[key] = (exact_hp, exact, units)
            self.f_cache[key] = (f_values, f_units)
        return self.cache[key]

    def loss(self, point: dict) -> float:
        """The relative float64 error of f itself at ``point`` (0 when unknown)."""
        values, noise = self.f_at(point)
        if noise is None:
            return 0.0
        return max(min(1.0, n / abs(v)) if v else 0.0 for v, n in zip(values, noise, strict=True))

    def f_at(self, point: dict) -> tuple[list[float], list[float] | None]:
        """(f's values, f's own float64 rounding scales) at ``point``."""
        self.at(point)
        return self.f_cache[tuple(float(point[s]) for s in self.symbols)]


def _compare(point: dict, estimate: methods.Estimate, name: str, context: _Context
             ) -> list[EntryCheck]:
    exact_hp, exact, units = context.at(point)
    shape = context.result.shape or (1,)
    entries = []
    for k, (e, m) in enumerate(zip(exact, estimate.values, strict=True)):
        def pick(values: list, default: float = 0.0, k: int = k) -> float:
            return float(values[k]) if values else default
        value = float(m)
        gap = _gap(m, value, e, exact_hp[k], name)  # judged and reported: the same number
        verdict, tol, reason = verdicts.judge(
            name, e, value, units[k], pick(estimate.spread), pick(estimate.rounding),
            pick(estimate.alternate, math.nan) if estimate.alternate else None,
            pick(estimate.alternate_spread, math.inf), context.accuracy[name][k] if name in
            context.accuracy else 0.0, context.loss(point), gap)
        if estimate.problem and verdict != "pass":
            verdict, reason = "inconclusive", estimate.problem
        scale = max(abs(e), units[k] / verdicts.EPS)
        entries.append(EntryCheck(tuple(int(i) for i in np.unravel_index(k, shape)), e,
                                  value, _ratio(gap, scale), _ratio(tol, scale), verdict,
                                  reason))
    return entries


def _gap(raw, value: float, exact: float, exact_hp: sympy.Expr, name: str) -> float:
    """|method − exact|. mpmath's 48-digit value is compared with the 30-digit exact value at
    30 digits (both are taken at the same binary point): rounding both to float64 first
    would leave a gap of an ulp, ~1e-16 relative, against mpmath's tolerance of ~1e-24."""
    if not math.isfinite(value):
        return math.inf
    if name == "mpmath":
        return float(abs(sympy.Float(raw, 30) - exact_hp))
    return abs(value - exact)
