"""Check an exact :class:`Result` against independent numeric methods → :class:`Report`.

The exact result is evaluated at 30 digits (SymPy's ``evalf``); each method's value is
compared entry by entry. The error of an entry is ``|method − exact| / scale`` with
``scale = max(|exact|, 1e-3·max|exact entries at that point|, 1e-6·(1 + |f|))``, so an entry
that is tiny next to its neighbours, or an exactly-zero result, is judged on the size of the
computation rather than on a relative error of 0/0.

>>> verify_result(__import__("symnum").derive("x**3*y"), points=2).passed
True
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import sympy
from sympy.core.relational import Relational

from . import methods
from .backends import KINKS
from .calculus import Result
from .errors import EvaluationError, SymnumError
from .evaluate import exact_values, substitution

# Tolerances on the scaled error (see the module docstring and docs/VERIFICATION.md).
TOLERANCES: dict[str, float] = {"mpmath": 1e-12, "complex-step": 1e-12, "torch": 1e-12}
RICHARDSON_SAFETY = 10.0  # Richardson passes within 10 × its own error estimate ...
RICHARDSON_FLOOR = 1e-9  # ... or within this scaled error, whichever is larger,
RICHARDSON_CEILING = 1e-6  # but never looser than this: a vague estimate confirms nothing
KINK_DISTANCE = 1e-6  # |argument of Abs/Max/...| below this (× scale) counts as a kink
SAMPLE_RANGE = 2.5  # random points are uniform in [-2.5, 2.5] per variable
MAX_TRIES = 500

_METHODS: dict[str, tuple[str, Callable]] = {
    "mpmath": ("mpmath central differences at 40+ digits on f", methods.mpmath_diff),
    "complex-step": ("complex step in complex128", methods.complex_step),
    "richardson": ("float64 central differences + Ridders' extrapolation", methods.richardson),
    "torch": ("torch.func autograd in float64 on f", methods.torch_autograd),
}


@dataclass(frozen=True)
class EntryCheck:
    """One entry at one point: exact value, the method's value, scaled error, digits."""

    index: tuple[int, ...]
    exact: float
    value: float
    error: float
    tolerance: float

    @property
    def digits(self) -> float:
        return 30.0 if self.error == 0 else max(0.0, min(30.0, -math.log10(self.error)))

    @property
    def passed(self) -> bool:
        return self.error <= self.tolerance


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
    def passed(self) -> bool:
        return not self.skipped and all(e.passed for p in self.points for e in p)

    def worst(self) -> tuple[int, EntryCheck] | None:
        """(point number, entry) with the largest error relative to its tolerance."""
        pairs = [(k, e) for k, p in enumerate(self.points) for e in p]
        return max(pairs, key=lambda ke: ke[1].error / ke[1].tolerance) if pairs else None


@dataclass
class KinkNote:
    """At a point where f is not differentiable: one-sided derivatives and conventions."""

    variable: str
    point: dict[str, float]
    left: float
    right: float
    sympy_value: float | None
    torch_value: float | None


@dataclass
class Report:
    """The outcome of :func:`verify_result`; ``bool(report)`` is the verdict."""

    result: Result
    points: list[dict[str, float]]
    seed: int | None
    checks: list[MethodCheck]
    kinks: list[KinkNote] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        ran = [c for c in self.checks if not c.skipped]
        return bool(ran or self.kinks) and all(c.passed for c in ran)

    def __bool__(self) -> bool:
        return self.passed

    def text(self) -> str:
        from .report import report_text
        return report_text(self)

    def to_json(self) -> dict:
        from .report import report_json
        return report_json(self)

    def __str__(self) -> str:
        return self.text()


def verify_result(result: Result, points: int = 5, seed: int | None = 0,
                  at: Mapping | None = None, methods_used: tuple[str, ...] | None = None,
                  ) -> Report:
    """Compare ``result`` with every applicable numeric method at random points (or ``at``).

    Points are drawn from a seeded generator and redrawn where f or the result is not real
    and finite, or where an argument of Abs/Max/Min/Piecewise/... is within 1e-6 of 0.
    """
    if not isinstance(points, int) or isinstance(points, bool) or not 1 <= points <= 1000:
        raise SymnumError("points must be an integer from 1 to 1000")
    symbols = _all_symbols(result)
    if at is not None:
        chosen = [_given_point(result, symbols, at)]
    else:
        chosen = _random_points(result, symbols, points, np.random.default_rng(seed))
    report = Report(result, [{s.name: float(v) for s, v in p.items()} for p in chosen],
                    seed if at is None else None, [])
    smooth = [p for p in chosen if not _near_kink(result, p)]
    for p in chosen:
        if p not in smooth:
            report.kinks.extend(_kink_notes(result, p))
    for name in methods_used or tuple(_METHODS):
        report.checks.append(_run_method(name, result, smooth))
    return report


def _all_symbols(result: Result) -> list[sympy.Symbol]:
    free = set(result.function.expr.free_symbols) | set(result.expanded().free_symbols)
    rest = sorted((s for s in free if s not in result.variables), key=lambda s: s.name)
    return list(result.variables) + rest


def _given_point(result: Result, symbols: list, at: Mapping) -> dict:
    subs = substitution(set(symbols), at)
    missing = [s.name for s in symbols if s not in subs]
    if missing:
        raise EvaluationError(f"no value given for {', '.join(missing)}")
    point = {s: sympy.Float(float(subs[s]), 40) for s in symbols}
    if not _defined(result, point):
        raise EvaluationError("f or its derivative is not real and finite at the given point")
    return point


def _random_points(result: Result, symbols: list, count: int, rng) -> list[dict]:
    chosen: list[dict] = []
    for _ in range(MAX_TRIES):
        values = rng.uniform(-SAMPLE_RANGE, SAMPLE_RANGE, size=len(symbols))
        point = {s: sympy.Float(float(v), 40) for s, v in zip(symbols, values, strict=True)}
        if _defined(result, point) and not _near_kink(result, point):
            chosen.append(point)
            if len(chosen) == count:
                return chosen
    raise EvaluationError(f"found only {len(chosen)} of {count} points in [-{SAMPLE_RANGE}, "
                          f"{SAMPLE_RANGE}] where f and its derivative are real and finite")


def _defined(result: Result, point: dict) -> bool:
    try:
        values = [sympy.N(e.xreplace(point), 20) for e in result.function.outputs]
        values += exact_values(result, point, digits=20)
    except (EvaluationError, TypeError, ValueError, ZeroDivisionError):
        return False
    # float64 must hold every value too: the numeric methods work in float64
    return all(v.is_number and v.is_real and v.is_finite and math.isfinite(float(v))
               for v in values)


def _kink_arguments(result: Result) -> list[sympy.Expr]:
    args = []
    for node in sympy.preorder_traversal(sympy.Tuple(*result.function.outputs)):
        if isinstance(node, sympy.Piecewise):
            args += [c.lhs - c.rhs for _, c in node.args if isinstance(c, Relational)]
        elif isinstance(node, sympy.Max | sympy.Min):
            args += [a - b for i, a in enumerate(node.args) for b in node.args[i + 1:]]
        elif isinstance(node, KINKS):
            args.append(node.args[0] - (sympy.floor(node.args[0]) if isinstance(
                node, sympy.floor | sympy.ceiling) else 0))
    return args


def _near_kink(result: Result, point: dict) -> bool:
    for arg in _kink_arguments(result):
        value = sympy.N(arg.xreplace(point), 20)
        if value.is_real and abs(float(value)) < KINK_DISTANCE:
            return True
    return False


def _kink_notes(result: Result, point: dict) -> list[KinkNote]:
    """One-sided first derivatives of f along each variable (scalar f only)."""
    import mpmath as mp

    from .program import Program
    if result.function.is_vector:
        return []
    notes = []
    names = list(point)
    with mp.workdps(40):
        prog = Program(result.function.outputs, names, "mpmath")
        base = [mp.mpf(float(point[s])) for s in names]
        for i, var in enumerate(result.variables):
            def along(t, i=i):
                args = list(base)
                args[i] = t
                return prog.run(*args)[0]
            left = float(mp.diff(along, base[i], direction=-1))
            right = float(mp.diff(along, base[i], direction=1))
            grad = _sympy_first(result, var, point)
            notes.append(KinkNote(var.name, {s.name: float(v) for s, v in point.items()},
                                  left, right, grad, _torch_first(result, i, point)))
    return notes


def _sympy_first(result: Result, var: sympy.Symbol, point: dict) -> float | None:
    value = sympy.N(sympy.diff(result.function.expr, var).xreplace(point), 20)
    return float(value) if value.is_real and value.is_finite else None


def _torch_first(result: Result, i: int, point: dict) -> float | None:
    from .calculus import differentiate
    try:
        grad_result = differentiate(result.function, "gradient")
        return methods.torch_autograd(grad_result, point).values[i]
    except (SymnumError, RuntimeError, ValueError):
        return None


def _run_method(name: str, result: Result, points: list[dict]) -> MethodCheck:
    description, method = _METHODS[name]
    tol = TOLERANCES.get(name, RICHARDSON_FLOOR)
    label = (f"{RICHARDSON_SAFETY:g} × own error estimate, within [{RICHARDSON_FLOOR:g}, "
             f"{RICHARDSON_CEILING:g}]"
             if name == "richardson" else f"{tol:g}")
    check = MethodCheck(name, description, label)
    if not points:
        check.skipped = "no point away from a kink"
        return check
    if name == "complex-step" and not methods.complex_step_applies(result):
        check.skipped = "not analytic (Abs, sign, Max/Min, Piecewise, floor ...)"
        return check
    for point in points:
        try:
            estimate = method(result, point)
        except (EvaluationError, RuntimeError, TypeError, ValueError, ZeroDivisionError) as err:
            check.skipped = f"cannot evaluate: {' '.join(str(err).split())[:120]}"
            return check
        check.step, check.evaluations = estimate.step, check.evaluations + estimate.evaluations
        check.points.append(_compare(result, point, estimate, name))
    return check


def _compare(result: Result, point: dict, estimate: methods.Estimate, name: str
             ) -> list[EntryCheck]:
    exact_hp = exact_values(result, point, digits=30)
    exact = [float(v) for v in exact_hp]
    f_size = max(abs(float(sympy.N(e.xreplace(point), 20))) for e in result.function.outputs)
    biggest = max(abs(v) for v in exact)
    floor = max(1e-3 * biggest, 1e-6 * (1 + f_size))
    shape = result.shape or (1,)
    entries = []
    for k, (e, m) in enumerate(zip(exact, estimate.values, strict=True)):
        scale = max(abs(e), floor)
        if name == "mpmath":  # compare at 30 digits: this oracle is far better than float64
            error = float(abs(sympy.Float(str(m), 30) - exact_hp[k])) / scale
        else:
            error = abs(float(m) - e) / scale if math.isfinite(float(m)) else math.inf
        m = float(m)
        if name == "richardson":
            tol = min(max(RICHARDSON_SAFETY * estimate.error_estimates[k] / scale,
                          RICHARDSON_FLOOR), RICHARDSON_CEILING)
        else:
            tol = TOLERANCES[name]
        entries.append(EntryCheck(tuple(int(i) for i in np.unravel_index(k, shape)),
                                  e, m, error, tol))
    return entries
