"""The comparison behind ``check``: a claim against an exact result, by proof or at points.

See :mod:`symnum.check.claim` for the method; :func:`compare` is shared by scalar claims and
matrix claims at concrete sizes (:mod:`symnum.check.matrix`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sympy

from ..core.calculus import Result, safe_to_simplify
from ..core.errors import EvaluationError
from . import points as cp

EXACT_MAX_OPS = 300  # expand / cancel the difference up to this size
SIMPLIFY_MAX_OPS = 24  # sympy.simplify the difference up to this size (it searches)
MAX_EXPANDED_TERMS = 200  # a difference whose expansion has more terms is not expanded
EXPONENTIAL_MAX_OPS = 40  # trigonometric differences up to this size are tried as exponentials
EXPONENTIAL_MAX_TERMS = 40  # ... when that makes at most this many terms
MIN_POINTS = 12  # fewer valid points: more are drawn at small scales and near kinks ...
EXTRA_DRAWS = 120  # ... up to this many


@dataclass(frozen=True)
class Evidence:
    """How the verdict is known: ``proof`` (symbolic), ``numeric`` (agreement at every
    sampled point) or ``witness`` (a point where the difference is nonzero to 30 digits)."""

    method: str
    statement: str
    points: int = 0
    breakpoints: tuple[tuple[str, str], ...] = ()
    largest: float = 0.0  # the largest |coordinate| sampled
    note: str = ""  # unknown functions: how they were treated (symnum.check.unknown)
    constant: str | None = None  # the difference, when it is a nonzero constant

    def to_json(self) -> dict[str, Any]:
        return {"method": self.method, "statement": self.statement, "points": self.points,
                "breakpoints": [{"variable": v, "at": r} for v, r in self.breakpoints],
                "largest": self.largest, "note": self.note or None,
                "constant": self.constant}


@dataclass(frozen=True)
class ClaimCheck:
    """The answer: correct or not, how it was shown, a witness point when not, and a hint."""

    correct: bool
    how: str  # "symbolic" or "numeric"
    result: Any  # a Result, or a MatrixResult for matrix claims
    claimed: Any
    points_checked: int = 0
    point: dict[str, Any] | None = None
    entry: tuple[int, ...] | None = None
    claimed_value: float | str | None = None
    expected_value: float | str | None = None
    diagnosis: str | None = None
    difference: Any = None  # per entry (in the result's layout): str, or None if not exact
    evidence: Evidence | None = None
    counterexample: dict[str, Any] | None = field(default=None)

    def text(self) -> str:
        """The verdict as ``symnum check`` prints it."""
        from .text import check_text
        return check_text(self, self.result.function.source)

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, str]:
        """Jupyter's display: the verdict, the counterexample and the hint as HTML."""
        from ..core.display import bundle
        from .text import check_html
        return bundle(self.text(), {"text/html": check_html(self)}, include, exclude)

    def __str__(self) -> str:
        return self.text()

def compare(result: Result, mine: sympy.ImmutableMatrix, exact: sympy.ImmutableMatrix,
            outputs: list[sympy.Expr], seed: int = 0,
            points: list[cp.Point] | None = None, local_hints: bool = True,
            prepare: Any = None) -> ClaimCheck:
    """The verdict for a claim laid out like ``result`` (``points``: the random points to
    use instead of :func:`check_points.random_points`; ``local_hints``: diagnose mistakes
    at single rules of f, not only whole-result slips; ``prepare``: what the hints' own
    candidates go through, as claim and derivative did: unknown functions' derivatives
    as symbols, :mod:`symnum.check.unknown`)."""
    from .diagnose import diagnose
    from .unknown import decide, with_unknowns
    if prepare is None and with_unknowns(mine, exact, outputs):
        return decide(compare, result, mine, exact, outputs, seed, points, local_hints)

    forms = [exact_difference(c - e) for c, e in zip(mine, exact, strict=True)]
    shown = result.nested([None if d is None else str(d) for d, _ in forms])
    if all(zero for _, zero in forms):
        return ClaimCheck(True, "symbolic", result, mine, difference=shown,
                          evidence=Evidence("proof", "the difference simplifies to 0"))
    differences = [c - e if d is None else d for (d, _), c, e in zip(forms, mine, exact,
                                                                    strict=True)]
    outputs = [exact_floats(o) for o in outputs]
    sample = Sample.take(mine, exact, outputs, seed, points, differences)
    sample.prepare = prepare
    if not sample.wrong:
        statement = sample.statement()
        return ClaimCheck(True, "numeric", result, mine, len(sample.points), difference=shown,
                          evidence=Evidence("numeric", statement, len(sample.points),
                                            sample.breakpoint_names(), sample.largest()))
    k = min(sample.wrong)
    point = sample.wrong[k]
    form, constant = forms[k][0], _constant(forms[k][0])
    exact_witness = constant is not None or form is not None
    if constant is not None:
        statement = f"the difference is the constant {constant}"
    elif exact_witness:
        text = str(form) if len(str(form)) <= 80 else str(form)[:79] + "…"
        statement = (f"the difference simplifies to {text}, which is not 0 at "
                     f"{_point_text(point)} (evaluated there to 30 digits)")
    else:
        statement = f"the difference is nonzero at {_point_text(point)} (to 30 digits)"
    how = "symbolic" if exact_witness else "numeric"
    index = tuple(int(i) for i in np.unravel_index(k, result.shape or (1,)))
    hint = diagnose(result, mine, exact, sample, local_hints)
    return ClaimCheck(False, how, result, mine, len(sample.points),
                      {s.name: _number(v) for s, v in point.items()}, index,
                      _number(cp.value(mine[k], point)), _number(cp.value(exact[k], point)),
                      hint, shown,
                      Evidence("proof" if exact_witness else "witness", statement,
                               len(sample.points), sample.breakpoint_names(), sample.largest(),
                               "", None if constant is None else str(constant)))


@dataclass
class Sample:
    """The points where claim and derivative were compared, and where they differ."""

    points: list[cp.Point]
    wrong: dict[int, cp.Point]  # entry index → first point where it differs
    bad: list[bool]  # per point: does some entry differ there
    breakpoints: list[tuple[sympy.Symbol, sympy.Rational]]
    symbols: list[sympy.Symbol]
    differences: list[sympy.Expr]
    exponents: list[sympy.Expr]  # arguments of exp, sinh, ... (points where one is huge: out)
    unreadable: int = 0  # points where the claim could not be evaluated
    prepare: Any = None  # applied to the hints' candidates (unknown functions: symbols)

    @classmethod
    def take(cls, mine, exact, outputs, seed: int, given: list | None = None,
             differences: list | None = None) -> Sample:
        """Compare at the given or random points, then beside every kink, then at more
        small points while fewer than MIN_POINTS were in the domain. ``differences``: the
        simplified claim − derivative per entry (no cancellation left to see through)."""
        symbols = sorted(set().union(*(e.free_symbols for e in [*mine, *exact, *outputs])),
                         key=lambda s: s.name)
        args = cp.kink_arguments([*outputs, *exact, *mine])
        rng = np.random.default_rng(seed)
        sample = cls([], {}, [], [], symbols, differences or [c - e for c, e in zip(
            mine, exact, strict=True)], cp.exponents([*outputs, *exact, *mine]))
        drawn = given if given is not None else cp.random_points(symbols, rng)
        for p in drawn:
            sample._add(p, mine, exact, outputs, args)
        if args and (sample.points or drawn):  # beside kinks, also when f lives beyond them
            base = sample.points[0] if sample.points else drawn[0]
            extra, sample.breakpoints = cp.breakpoint_points(args, base)
            for p in extra:
                sample._add(p, mine, exact, outputs, args)
        for k in range(EXTRA_DRAWS):
            if len(sample.points) >= MIN_POINTS:
                break
            scale = (2.5, 1.0, 0.3, 0.05)[k % 4]
            point = {s: cp.rational(scale * rng.uniform(-1, 1)) for s in symbols}
            if sample.breakpoints and k % 2:  # near a kink, where f may only live there
                v, r = sample.breakpoints[rng.integers(len(sample.breakpoints))]
                base = sample.points[0] if sample.points else drawn[0]
                width = max(1, abs(float(r))) * (1e-3, 0.1, 1.0, 10.0)[k % 4]
                point = {**base, v: r + cp.rational(width * rng.uniform(-1, 1), 6)}
            sample._add(point, mine, exact, outputs, args)
        if not sample.points:
            if sample.unreadable:
                raise EvaluationError(
                    f"the claim cannot be evaluated at any of the {sample.unreadable} points "
                    "tried where the derivative is defined; write it without complex "
                    "intermediate values")
            raise EvaluationError("could not find points where the function and its "
                                  "derivative are real and finite to compare with the claim")
        return sample

    def _add(self, point, mine, exact, outputs, args) -> None:
        if any(cp.at_kink(a, point) for a in args):
            return  # exactly at a kink: the derivative there is a convention
        if any(cp.too_steep(e, point) for e in self.exponents):
            return  # exp(10**6): 30 digits of a cancellation there cost millions of bits
        if not all(cp.is_real_value(cp.value(o, point, 15)) for o in outputs):
            return  # outside the domain of f
        for e in exact:
            v = cp.value(e, point)
            if v is None:
                _undefined_functions(e, point)
            if not cp.is_real_value(v):
                return  # the derivative does not exist here
        verdicts = [cp.differs(d, point) for d in self.differences]
        bad = False
        for k, verdict in enumerate(verdicts):
            if verdict is None:
                claimed = cp.value(mine[k], point)
                if claimed is None or cp.is_real_value(claimed):
                    self.unreadable += 1
                    return  # the claim cannot be evaluated here: no evidence either way
                verdict = True  # not real, or infinite, where the derivative is finite
            if verdict and k not in self.wrong:
                self.wrong[k] = point
            bad = bad or bool(verdict)
        self.points.append(point)
        self.bad.append(bad)

    def statement(self) -> str:
        text = f"equal to 30 digits at {len(self.points)} points with |coordinates| up to " \
               f"{self.largest():g}"
        names = self.breakpoint_names()
        if names:
            by_var: dict[str, list[str]] = {}
            for v, r in names:
                by_var.setdefault(v, []).append(r)
            text += ", including both sides of " + "; ".join(
                f"{v} = {', '.join(rs)}" for v, rs in by_var.items())
        return text

    def breakpoint_names(self) -> tuple[tuple[str, str], ...]:
        return tuple((v.name, _short(r)) for v, r in self.breakpoints)

    def largest(self) -> float:
        return max((float(abs(v)) for p in self.points for v in p.values()), default=0.0)


def _undefined_functions(expr: sympy.Expr, point) -> None:
    # read from expr itself: f(x) stays undefined at any point, and substituting a point of
    # 20 huge rationals sends SymPy's powers into factorint, which fails on such numbers
    if expr.atoms(sympy.core.function.AppliedUndef) or expr.has(sympy.Derivative, sympy.Subs):
        raise EvaluationError("the derivative contains undefined functions and the claim "
                              "could not be shown equal symbolically")


def exact_difference(difference: sympy.Expr) -> tuple[sympy.Expr | None, bool]:
    """(the simplest form found, whether it is 0); the form is None when the difference is
    too large to simplify. Every step is bounded by the size of the expression.

    >>> x = sympy.Symbol("x")
    >>> exact_difference(sympy.sin(2*x) - 2*sympy.sin(x)*sympy.cos(x))
    (0, True)
    """
    if difference == 0:
        return sympy.S.Zero, True
    if not safe_to_simplify(difference, EXACT_MAX_OPS):
        return None, False
    forms = [difference]
    small = _expanded_terms(difference) <= MAX_EXPANDED_TERMS
    steps = [sympy.expand] if small else []
    steps.append(lambda d: sympy.cancel(sympy.together(d)))
    if small and difference.has(*_TRIG):
        steps.append(_through_exponentials)
    if sympy.count_ops(difference) <= SIMPLIFY_MAX_OPS:
        steps.append(sympy.simplify)
    for step in steps:
        try:
            form = step(difference)
        except (RecursionError, NotImplementedError, TypeError, ValueError, AttributeError,
                sympy.PolynomialError):
            continue
        if form == 0:
            return sympy.S.Zero, True
        forms.append(form)
    return min(forms, key=lambda d: (sympy.count_ops(d), len(str(d)))), False


_TRIG = (sympy.sin, sympy.cos, sympy.tan, sympy.sec, sympy.csc, sympy.cot, sympy.sinh,
         sympy.cosh, sympy.tanh, sympy.sech, sympy.csch, sympy.coth)


def _through_exponentials(d: sympy.Expr) -> sympy.Expr:
    """Trigonometric and hyperbolic functions as exponentials, then polynomial arithmetic:
    sin(2x) − 2 sin x cos x and 1 − tanh²x − sech²x become 0 without simplify's search."""
    if sympy.count_ops(d) > EXPONENTIAL_MAX_OPS:
        return d
    rewritten = d.rewrite(sympy.exp)
    if _expanded_terms(rewritten) > EXPONENTIAL_MAX_TERMS:
        return d
    return sympy.cancel(sympy.together(sympy.powsimp(sympy.expand(rewritten))))


def _expanded_terms(expr: sympy.Basic) -> int:
    """How many terms ``expand`` would make (an upper bound, without expanding)."""
    if isinstance(expr, sympy.Add):
        return sum(_expanded_terms(a) for a in expr.args)
    if isinstance(expr, sympy.Mul):
        return int(np.prod([_expanded_terms(a) for a in expr.args], dtype=float))
    if isinstance(expr, sympy.Pow) and expr.exp.is_Integer and expr.exp > 0:
        m, k = _expanded_terms(expr.base), int(expr.exp)
        return int(sympy.binomial(m + k - 1, k)) if m > 1 else 1
    return 1


def _constant(form: sympy.Expr | None) -> sympy.Expr | None:
    """``form`` when it is a number that is not 0 (shown to 30 digits), else None."""
    if form is None or form.free_symbols or not form.is_number:
        return None
    return form if cp.differs(form, {}) else None


def exact_floats(expr):
    """Floats from SymPy input read as the decimals they print as (0.1 is 1/10), like the
    parser reads text, so a claim and a function with the same decimals agree exactly."""
    if not expr.has(sympy.Float):
        return expr
    return expr.replace(lambda e: isinstance(e, sympy.Float),
                        lambda e: sympy.Rational(str(e)) if e.is_finite else e)


def _number(value: sympy.Expr | None) -> float | str | None:
    """A float when float64 can hold the value, else its 15-digit text (JSON has no inf)."""
    if value is None or not cp.is_real_value(value):
        return None if value is None else str(value.evalf(15))
    real = sympy.re(value)
    as_float = float(real)
    if np.isfinite(as_float) and (as_float != 0 or real == 0):
        return as_float
    return str(real.evalf(15))


def _short(r: sympy.Rational) -> str:
    return str(r) if r.is_Integer else f"{float(r):.10g}"


def _point_text(point: dict) -> str:
    return ", ".join(f"{s.name} = {_short(v)}" for s, v in point.items())
