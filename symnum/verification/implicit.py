"""An implicit derivative against numbers that know nothing of its formula, at points of the
curve F = 0 (found by root finding, or the user's point):

- branch: y(x) solved from F(x, y) = 0 by mpmath ``findroot`` (40 digits) near the point at
  every x mpmath's finite differences ask for; ``mpmath.diff`` of that branch (partials for
  several variables) is the derivative of the function the curve defines;
- torch: ∇F and ∇²F of F itself by torch.func (float64), put into the implicit function
  theorem: y′ = −F_x/F_y, and for order 2
  y_ab = −(F_ab + F_ay·y_b + F_by·y_a + F_yy·y_a·y_b)/F_y.

>>> from symnum.higher.implicit import implicit_derivative
>>> report = verify_implicit(implicit_derivative("x**2 + y**2 = 1", "y", order=2), points=2)
>>> report.verdict
'pass'
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import sympy

from ..core.errors import SymnumError
from ..core.function import Function
from ..higher.implicit import ImplicitResult, value_at
from ..higher.on_curve import sample_points

BRANCH_DIGITS = 40
TOLERANCE = {"branch": 1e-12, "torch": 1e-9}  # relative to 1 + |exact value|


@dataclass
class ImplicitReport:
    """Per method: the worst error over the points and its verdict; overall ``verdict``."""

    result: ImplicitResult
    points: list[dict[str, float]]
    errors: dict[str, float] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)
    exact: list[float] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        if not self.points or not self.errors:
            return "inconclusive"
        return "pass" if all(e <= TOLERANCE[m] for m, e in self.errors.items()) else "fail"

    @property
    def passed(self) -> bool:
        return self.verdict == "pass"

    def text(self) -> str:
        from ..higher.implicit_render import name_of
        r = self.result
        name = name_of(r, r.order).text
        count = len(self.points)
        lines = [f"verify {name} on the {r.set_name} {r.curve.shown} at {count} "
                 f"point{'s' if count != 1 else ''} of the {r.set_name}", ""]
        lines.append("  method   worst error  verdict")
        for method, error in self.errors.items():
            ok = "pass" if error <= TOLERANCE[method] else "FAIL"
            lines.append(f"  {method:<8} {error:11.1e}  {ok}")
        for method, problem in self.problems.items():
            lines.append(f"  {method:<8} {'—':>11}  skipped: {problem}")
        lines += ["", *(f"  {m}: {self.described(m)}" for m in self.errors), "",
                  f"points (on the {r.set_name}):"]
        for p, v in zip(self.points, self.exact, strict=False):
            at = ", ".join(f"{k} = {x:.6g}" for k, x in p.items())
            lines.append(f"  {at}: {name} = {v:.12g}")
        lines += ["", f"verdict: {self.verdict.upper()}"]
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        """The keys of every verify report (``verdict``, ``summary``, ``points``, ``checks``
        with each method's ``worst`` error), and ``implicit``, ``exact``."""
        r = self.result
        checks = []
        for method, error in self.errors.items():
            ok = error <= TOLERANCE[method]
            digits = 30.0 if error == 0 else round(min(30.0, -math.log10(error)), 1)
            checks.append({"method": method, "description": self.described(method),
                           "tolerance": f"{TOLERANCE[method]:g} relative", "passed": ok,
                           "verdict": "pass" if ok else "fail", "reason": None,
                           "skipped": None, "worst": {"error": error, "digits": digits}})
        for method, problem in self.problems.items():
            checks.append({"method": method, "description": self.described(method),
                           "passed": None, "verdict": "skipped", "reason": None,
                           "skipped": problem, "worst": {}})
        summary = {"pass": "PASS: every method agrees with the exact result on the curve",
                   "fail": "FAIL: a method disagrees with the exact result",
                   "inconclusive": "INCONCLUSIVE: no point of the curve to check at"}
        from ..higher.implicit_render import wrt_names
        return {"expr": r.curve.shown, "wrt": wrt_names(r), "what": "derivative",
                "implicit": r.dependent.name, "order": r.order, "points": self.points,
                "passed": self.passed, "verdict": self.verdict,
                "summary": summary[self.verdict], "exact": self.exact, "checks": checks}

    def described(self, method: str) -> str:
        y = self.result.dependent.name
        x = ", ".join(dict.fromkeys(v.name for v in self.result.wrt))
        if method == "branch":
            return (f"{y} solved from F = 0 by mpmath findroot (40 digits) at each {x} "
                    "mpmath.diff asks for, then its finite differences")
        return (f"∇F, ∇²F of F by torch.func (float64), then −F_{x}/F_{y} (and the "
                "second-order formula of the implicit function theorem)")


def verify_implicit(result: ImplicitResult, points: int = 5, seed: int = 0,
                    at: Mapping[str, Any] | None = None) -> ImplicitReport:
    """Check ``result`` at ``points`` seeded points of the curve (or at the point ``at``)."""
    import mpmath
    F, y = result.F, result.dependent
    symbols = sorted(F.free_symbols, key=lambda s: s.name)
    if at is not None:
        value_at(result, at)  # on the curve, F_y ≠ 0: else a clear error
        chosen = [{s: mpmath.mpf(float(sympy.sympify(at[s.name]))) for s in symbols}]
    else:
        chosen = sample_points(F, y, points, seed)[:points]
    report = ImplicitReport(result, [{s.name: float(p[s]) for s in symbols} for p in chosen])
    exact = sympy.lambdify(symbols, result.result, "mpmath")
    for p in chosen:
        with mpmath.workdps(30):
            report.exact.append(float(mpmath.re(exact(*[p[s] for s in symbols]))))
    errors: dict[str, list[float]] = {"branch": []}
    for p, want in zip(chosen, report.exact, strict=True):
        errors["branch"].append(abs(_branch(result, p, symbols) - want) / (1 + abs(want)))
    if result.order <= 2:
        try:
            values = [_torch(result, p, symbols) for p in chosen]
            errors["torch"] = [abs(v - w) / (1 + abs(w))
                               for v, w in zip(values, report.exact, strict=True)]
        except ImportError:
            report.problems["torch"] = "torch is not installed"
    else:
        report.problems["torch"] = "the second-order formula covers orders 1 and 2"
    report.errors = {m: max(e) if e else math.inf for m, e in errors.items()}
    return report


def _branch(result: ImplicitResult, p: Mapping[sympy.Symbol, Any], symbols: list) -> float:
    """The derivative of the branch of F = 0 through ``p``, by mpmath.diff of findroot."""
    import mpmath
    y = result.dependent
    inputs = list(dict.fromkeys(result.wrt))
    counts = tuple(result.wrt.count(v) for v in inputs)
    g = sympy.lambdify(symbols, result.F, "mpmath")
    with mpmath.workdps(BRANCH_DIGITS):
        start = mpmath.mpf(p[y])

        def branch(*values: Any) -> Any:
            point = dict(p) | dict(zip(inputs, values, strict=True))
            return mpmath.findroot(lambda t: g(*[t if s == y else point[s] for s in symbols]),
                                   start)
        try:
            where = [mpmath.mpf(p[v]) for v in inputs]
            value = mpmath.diff(branch, tuple(where), counts) if len(inputs) > 1 else \
                mpmath.diff(branch, where[0], counts[0])
        except (ValueError, ZeroDivisionError) as err:
            raise SymnumError(f"findroot lost the branch near {p}: {err}") from None
        return float(mpmath.re(value))


def _torch(result: ImplicitResult, p: Mapping[sympy.Symbol, Any], symbols: list) -> float:
    """−F_x/F_y (order 1) or the second-order formula, from torch.func's ∇F and ∇²F."""
    from .methods import torch_autograd
    y = result.dependent
    f = Function(result.F, wrt=symbols)
    point = {s: float(p[s]) for s in symbols}
    index = {s: k for k, s in enumerate(symbols)}
    grad = torch_autograd(f.gradient(), point).values
    first = {v: -grad[index[v]] / grad[index[y]] for v in result.wrt}
    if result.order == 1:
        return first[result.wrt[0]]
    n = len(symbols)
    hess = torch_autograd(f.hessian(), point).values
    H = lambda a, b: hess[index[a] * n + index[b]]  # noqa: E731
    a, b = result.wrt
    return -(H(a, b) + H(a, y) * first[b] + H(b, y) * first[a]
             + H(y, y) * first[a] * first[b]) / grad[index[y]]
