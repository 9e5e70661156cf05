"""Critical points: solve ∇f = 0 exactly where SymPy can, classify each point by the
Hessian there (minimum, maximum, saddle, or degenerate); with parameters, state when the
point exists and how its kind depends on them; where f has kinks (|h|, Max, Piecewise, ...)
solve each smooth piece and list the kink points with their one-sided slopes.

>>> [p.kind for p in critical_points("x**3 - 3*x + y**2")]
['saddle', 'minimum']
>>> (p,) = critical_points("a*x**2 + b*x", wrt="x")
>>> p.point, condition_text(p.conditions), cases_text(p.cases)
({x: -b/(2*a)}, 'a ≠ 0', 'minimum if a > 0, maximum if a < 0')
>>> (k,) = critical_points("abs(x - 1)")
>>> k.kind, k.kink, k.one_sided
('minimum', True, ((x, -1.0, 1.0),))
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy

from ..core.budget import work_budget
from ..core.errors import EvaluationError, ShapeError
from ..core.function import ExprLike, Function, WrtLike, as_function
from ..core.unknowns import numbers_refused
from .kinks import (
    MAX_PIECES,
    compare_neighbours,
    count_pieces,
    kink_loci,
    one_sided,
    smooth_pieces,
)
from .render import (
    PERIODIC,
    cases_text,
    condition_text,
    critical_json,
    critical_latex,
    critical_text,
)

__all__ = ["CriticalPoint", "critical_points", "critical_text", "critical_json",
           "critical_latex", "condition_text", "cases_text", "PERIODIC"]

SOLVE_OBJECTS = 500_000  # SymPy objects all solving of one call may build together
TIDY_OBJECTS = 25_000  # ... and simplifying one value or condition (work, not the clock)
STEPS = (sympy.floor, sympy.ceiling)
MAX_POINTS = 50
SOLVE_ERRORS = (NotImplementedError, ValueError, TypeError, AttributeError,
                sympy.PolynomialError)


@dataclass(frozen=True)
class CriticalPoint:
    """A point where ∇f = 0 (or a kink of f), f's value, the verdict and its conditions.

    ``kind`` is minimum, maximum, saddle, degenerate, neither (a kink of a function of one
    variable that is no extremum), depends (on parameters: see ``cases``) or kink (at a
    kink that depends on parameters). ``conditions`` must hold for the point to be a critical
    point (a ≠ 0 where the formula divides by a); ``cases`` are (kind, condition) pairs;
    ``one_sided`` holds (variable, left slope, right slope) at a kink.
    """

    point: dict[sympy.Symbol, sympy.Expr]
    value: sympy.Expr
    eigenvalues: tuple[sympy.Expr, ...]
    kind: str
    conditions: tuple[sympy.Basic, ...] = ()
    cases: tuple[tuple[str, sympy.Basic], ...] = ()
    one_sided: tuple[tuple[sympy.Symbol, float, float], ...] = ()

    @property
    def kink(self) -> bool:
        """True where f is not differentiable (the one-sided slopes differ)."""
        if not self.eigenvalues and not self.one_sided:
            return True  # a kink found with parameters (its slopes are in ``cases``)
        return any(abs(left - right) > 1e-9 * max(1.0, abs(left), abs(right))
                   for _, left, right in self.one_sided)

    @property
    def condition_number(self) -> float | None:
        """|λ|max / |λ|min of the Hessian (None when an eigenvalue is 0 or symbolic)."""
        if not self.eigenvalues or not all(e.is_number for e in self.eigenvalues):
            return None
        sizes = [abs(float(e)) for e in self.eigenvalues]
        return None if min(sizes) == 0 else max(sizes) / min(sizes)


def critical_points(expr: ExprLike | Function, wrt: WrtLike = None) -> list[CriticalPoint]:
    """All real solutions of ∇f = 0 that SymPy finds (and kinks of f), each classified."""
    f = as_function(expr, wrt)
    if f.is_vector or f.is_matrix_calculus:
        raise ShapeError("critical points need a scalar function of scalar variables")
    if not f.variables:
        raise EvaluationError("the expression has no variables: say which with wrt")
    numbers_refused(f.expr, "critical points are numbers solving ∇f = 0")
    if any(n.has(*f.variables) for n in f.expr.atoms(*STEPS)):
        raise EvaluationError("floor and ceiling are steps: ∇f = 0 on every flat stretch, so "
                              "the critical points are not isolated; symnum lists isolated "
                              "points only")
    if count_pieces(f.expr, f.variables) > MAX_PIECES:
        raise EvaluationError(f"f has more than {MAX_PIECES} smooth pieces (too many kinks "
                              "from abs, max, min, piecewise) to solve each one")
    with work_budget(SOLVE_OBJECTS) as ran_out:
        points = _search(f.expr, list(f.variables))
    if ran_out():
        raise EvaluationError("SymPy could not solve ∇f = 0 within its work budget "
                              f"({SOLVE_OBJECTS:,} objects built)")
    return sorted(points, key=lambda p: [_order_key(p.point[v]) for v in f.variables])


def _order_key(value: sympy.Expr) -> tuple:
    return (0, float(value), "") if value.is_number else (1, 0.0, str(value))


def _search(expr: sympy.Expr, variables: list[sympy.Symbol],
            strict: bool = True) -> list[CriticalPoint]:
    """Smooth critical points of every piece, then the kink points, without repeats.
    ``strict=False`` (f restricted to a kink locus) skips pieces where f is constant."""
    points: list[CriticalPoint] = []
    for piece, region in smooth_pieces(expr, variables):
        try:
            points += _smooth_points(piece, region, variables)
        except EvaluationError:
            if strict:
                raise
    seen = [p.point for p in points]
    for p in _kink_points(expr, variables):
        if p.point not in seen:
            seen.append(p.point)
            points.append(p)
    if len(points) > MAX_POINTS:
        raise EvaluationError(f"more than {MAX_POINTS} critical points")
    return points


def _smooth_points(piece: sympy.Expr, region: sympy.Basic,
                   variables: list[sympy.Symbol]) -> list[CriticalPoint]:
    gradient = [sympy.diff(piece, v) for v in variables]
    if all(g == 0 for g in gradient):
        where = "" if region is sympy.true else f" where {condition_text((region,))}"
        raise EvaluationError(f"f is constant{where}: every point there is critical; "
                              "symnum lists isolated points only")
    try:
        solutions = sympy.solve(gradient, variables, dict=True)
    except SOLVE_ERRORS:
        equations = ", ".join(f"{g} = 0" for g in gradient)
        shown = f" ({equations})" if len(equations) <= 80 else ""
        raise EvaluationError(f"SymPy finds no closed form for the solutions of ∇f = 0{shown}; "
                              "locate them numerically (symnum plot shows f and f′)") from None
    points = []
    for solution in solutions:
        if set(solution) != set(variables) or any(
                v.has(*variables) for v in solution.values()):
            raise EvaluationError("∇f = 0 has infinitely many solutions (a curve or surface "
                                  "of critical points); symnum lists isolated points only")
        if any(v.is_real is False or (v.is_number and not v.is_real)
               for v in solution.values()):
            continue  # complex solutions are not critical points of a real function
        inside = region.xreplace(solution) if region is not sympy.true else sympy.true
        inside = _tidy_condition(inside)
        if inside is sympy.false:
            continue  # the solution of this piece lies where another piece holds
        residual = _residual(gradient, solution)
        if residual is sympy.false:
            continue  # spurious (squaring both sides, for example)
        conditions = _merge(_existence(solution, piece) + tuple(
            c for c in (inside, residual) if c is not sympy.true))
        if sympy.false in conditions:
            continue
        points.append(_classify(piece, variables, solution, conditions))
    return points


ZERO_RESIDUAL = sympy.Float(10) ** -25  # |∇f| below this at a solved point counts as 0


def _merge(conditions: tuple) -> tuple:
    """Conditions on one parameter as one interval condition; others as they are."""
    if len(conditions) < 2 or len(set().union(*(c.free_symbols for c in conditions))) != 1:
        return conditions
    return (_tidy_condition(sympy.And(*conditions)),)


def _residual(gradient: list, solution: dict) -> sympy.Basic:
    """Where ∇f really vanishes at the solution: true, false, or a condition on parameters."""
    conditions = []
    for g in gradient:
        left = _tidy(g.xreplace(solution))
        if left == 0:
            continue
        if left.is_number:
            # N at 30 digits of an exact zero may print as 0.e-164: it is zero to that accuracy
            return sympy.false if abs(sympy.N(left, 30)) > ZERO_RESIDUAL else sympy.true
        conditions.append(sympy.Eq(left, 0))
    return _tidy_condition(sympy.And(*conditions))


def _existence(solution: dict, piece: sympy.Expr | None = None) -> tuple[sympy.Basic, ...]:
    """Conditions on parameters: no division by 0, no even root or log of a negative number
    (in the point or in f there: variables are real)."""
    found: list[sympy.Basic] = []
    values = list(solution.values())
    if piece is not None:
        with sympy.evaluate(False):
            values.append(piece.xreplace(solution))
    for value in values:
        _, factors = sympy.factor_list(sympy.denom(sympy.together(value)))
        found += [sympy.Ne(base, 0) for base, _ in factors if base.free_symbols]
        found += [sympy.Ge(p.base, 0) for p in value.atoms(sympy.Pow)
                  if p.exp.is_Rational and p.exp.q % 2 == 0 and p.base.free_symbols]
        found += [sympy.Gt(g.args[0], 0) for g in value.atoms(sympy.log)
                  if g.args[0].free_symbols]
    found = list(dict.fromkeys(found))
    if len(set().union(*(c.free_symbols for c in found))) == 1:
        found = [sympy.And(*found)]  # one parameter: one interval condition
    tidy = [_tidy_condition(c) for c in found]
    return tuple(dict.fromkeys(c for c in tidy if c is not sympy.true))


def _classify(piece: sympy.Expr, variables: list[sympy.Symbol], solution: dict,
              conditions: tuple) -> CriticalPoint:
    at = sympy.hessian(piece, variables).xreplace(solution).applyfunc(sympy.cancel)
    value = _tidy(piece.xreplace(solution))
    point = {v: solution[v] for v in variables}
    if at.free_symbols:  # the verdict depends on the parameters
        eigenvalues: tuple = ()  # kept empty when the budget runs out
        with work_budget(TIDY_OBJECTS):
            eigenvalues = tuple(e for e, k in at.eigenvals().items() for _ in range(k))
        cases = _cases(at, conditions)
        kind = cases[0][0] if len(cases) == 1 else "depends"  # the only possible case
        return CriticalPoint(point, value, tuple(sorted(eigenvalues, key=str)), kind,
                             conditions, () if kind != "depends" else cases)
    eigenvalues = tuple(sorted((sympy.nsimplify(e) if e.is_number else e for e, k in
                                at.eigenvals().items() for _ in range(k)),
                               key=lambda e: float(e)))
    signs = [sympy.sign(sympy.N(e, 30)) for e in eigenvalues]
    if 0 in signs:
        kind = "degenerate"
    elif all(s > 0 for s in signs):
        kind = "minimum"
    elif all(s < 0 for s in signs):
        kind = "maximum"
    else:
        kind = "saddle"
    return CriticalPoint(point, value, eigenvalues, kind, conditions)


def _cases(hessian: sympy.Matrix, conditions: tuple) -> tuple[tuple[str, sympy.Basic], ...]:
    """The second-derivative test with parameters, by the leading principal minors."""
    n = hessian.rows
    minors = [sympy.factor(hessian[:k, :k].det()) for k in range(1, n + 1)]
    lowest = sympy.And(*[m > 0 for m in minors])
    highest = sympy.And(*[(-1) ** k * m > 0 for k, m in enumerate(minors, 1)])
    det = minors[-1]
    tests = [("minimum", lowest), ("maximum", highest)]
    if n == 2:
        tests.append(("saddle", det < 0))
    elif n > 2:
        tests.append(("saddle", sympy.And(sympy.Ne(det, 0), sympy.Not(lowest),
                                          sympy.Not(highest))))
    tests.append(("degenerate", sympy.Eq(det, 0)))
    cases = []
    for kind, test in tests:
        if _tidy_condition(sympy.And(test, *conditions)) is sympy.false:
            continue  # cannot happen where the point exists
        cases.append((kind, _tidy_condition(test)))
    return tuple(cases)


def _tidy(expr: sympy.Expr) -> sympy.Expr:
    with work_budget(TIDY_OBJECTS):
        return sympy.simplify(expr)
    return expr


def _tidy_condition(cond: sympy.Basic) -> sympy.Basic:
    """A condition in one parameter as intervals (-2 < a < 2); others as given."""
    if cond in (sympy.true, sympy.false) or not isinstance(cond, sympy.Basic):
        return sympy.true if cond else sympy.false
    symbols = cond.free_symbols
    if len(symbols) != 1:
        return cond
    (p,) = symbols
    with work_budget(TIDY_OBJECTS):
        try:
            return cond.as_set().as_relational(p)
        except SOLVE_ERRORS:
            pass
    return cond


def _kink_points(expr: sympy.Expr, variables: list[sympy.Symbol]) -> list[CriticalPoint]:
    """Points on a kink locus h = 0 that are critical for f restricted to the locus."""
    candidates: list[dict] = []
    for h in kink_loci(expr, variables):
        v = next(w for w in variables if h.has(w))
        try:
            roots = sympy.solve(h, v)
        except SOLVE_ERRORS:
            raise EvaluationError(f"SymPy cannot solve {h} = 0 (where f has a kink)") from None
        rest = [w for w in variables if w != v]
        for r in roots:
            if r.is_real is False:
                continue
            subs = [{}] if not rest else [p.point for p in _search(expr.subs(v, r), rest, False)]
            for s in subs:
                point = {w: (r.xreplace(s) if w == v else s[w]) for w in variables}
                if point not in candidates:
                    candidates.append(point)
    return [p for p in (_classify_kink(expr, variables, c) for c in candidates) if p]


def _classify_kink(expr: sympy.Expr, variables: list[sympy.Symbol],
                   point: dict) -> CriticalPoint | None:
    value = _tidy(expr.xreplace(point))
    if (expr.free_symbols - set(variables)) or not all(v.is_number for v in point.values()):
        return _parametric_kink(expr, variables, point, value)
    slopes = tuple((w, *one_sided(expr, point, w)) for w in variables)
    if any(left * right > 0 for _, left, right in slopes):
        return None  # f rises (or falls) through the kink along some axis: not critical
    return CriticalPoint(point, value, (), compare_neighbours(expr, point, variables),
                         (), (), slopes)


def _parametric_kink(expr: sympy.Expr, variables: list[sympy.Symbol], point: dict,
                     value: sympy.Expr) -> CriticalPoint | None:
    """One variable: the one-sided slopes as limits of f′ decide (min where the slope goes
    from negative to positive); otherwise the kind is left open."""
    conditions = _existence(point)
    if len(variables) != 1:
        return CriticalPoint(point, value, (), "kink", conditions)
    (x,) = variables
    slope = sympy.diff(expr, x)
    with work_budget(2 * TIDY_OBJECTS) as ran_out:
        left, right = (sympy.limit(slope, x, point[x], side) for side in "-+")
    if ran_out() or any(s.has(sympy.Limit, sympy.nan) or s.is_finite is False
                        for s in (left, right)):
        return CriticalPoint(point, value, (), "kink", conditions)
    cases = []
    for kind, test in (("minimum", sympy.And(left < 0, right > 0)),
                       ("maximum", sympy.And(left > 0, right < 0))):
        test = _tidy_condition(sympy.And(test, *conditions))
        if test is not sympy.false:
            cases.append((kind, test))
    if not cases:
        return None  # f rises or falls through the kink for every value of the parameters
    if len(cases) == 1 and cases[0][1] is sympy.true:
        return CriticalPoint(point, value, (), cases[0][0], conditions)
    return CriticalPoint(point, value, (), "depends", conditions, tuple(cases))
