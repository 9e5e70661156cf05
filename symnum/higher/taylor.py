"""Taylor polynomials: T_k(x) = Σ_{|α| ≤ k} ∂^α f(a)/α!·(x − a)^α of a scalar function of
any number of variables about a point, with exact coefficients (e, π, √2 stay symbols) and
the order of the remainder.

The expansion variables are those the point names (``at="x=0,y=0"``, or ``{"x": 0}``); with
no point, every variable of f (its ``wrt``) about 0 (a Maclaurin polynomial), and the output
says so. The coefficients come from :mod:`symnum.higher.series` (each once, exactly); a
point where f is not analytic (a kink, outside the domain, a pole, a root of 0) is refused
with the reason, and for one variable a removable singularity (sin(x)/x at 0) is expanded
by SymPy's series instead.

>>> from symnum.core.function import Function
>>> t = taylor(Function("exp(x)"), "x=1", 2)
>>> t.text().splitlines()[-1]
'  T₂(x) = e + e·(x − 1) + e·(x − 1)²/2 + O((x − 1)³)'
>>> t.to_json()["result"]
'E + E*(x - 1) + E*(x - 1)**2/2'
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import sympy

from ..core.errors import EvaluationError, LimitError, ShapeError, VariableError
from ..core.function import Function
from . import taylor_render as render
from .series import Index, NotAnalytic, coefficients, indices

MAX_ORDER = 20  # highest order asked for
MAX_TERMS = 500  # multi-indices |α| ≤ k: C(n + k, k); past this the polynomial is too big

PointLike = str | Mapping[Any, Any] | None


@dataclass(frozen=True)
class TaylorResult:
    """The Taylor polynomial of ``function`` of ``order`` about ``point`` ((symbol, value)
    pairs, one per expansion variable), its nonzero ``coefficients`` ∂^α f(a)/α! by
    multi-index; ``default_point``: no point was given (0 was taken)."""

    function: Function
    point: tuple[tuple[sympy.Symbol, sympy.Expr], ...]
    order: int
    coefficients: dict[Index, sympy.Expr]
    default_point: bool = False
    steps: Any = None
    kind = "taylor"
    shape = ()
    exit_code = 0

    @property
    def variables(self) -> tuple[sympy.Symbol, ...]:
        return tuple(s for s, _ in self.point)

    @property
    def center(self) -> tuple[sympy.Expr, ...]:
        return tuple(v for _, v in self.point)

    def monomial(self, alpha: Index) -> sympy.Expr:
        """(x − a)^α, each factor kept as x − a (not expanded)."""
        return sympy.Mul(*((s - a) ** k for (s, a), k in zip(self.point, alpha, strict=True)))

    def terms(self) -> list[tuple[Index, sympy.Expr, sympy.Expr]]:
        """(α, coefficient, (x − a)^α), by degree, x before y."""
        return [(alpha, c, self.monomial(alpha)) for alpha, c in self.coefficients.items()]

    def by_degree(self) -> list[list[tuple[sympy.Expr, sympy.Expr]]]:
        """The (coefficient, monomial) pairs of each degree 0..order."""
        groups: list[list[tuple[sympy.Expr, sympy.Expr]]] = [[] for _ in range(self.order + 1)]
        for alpha, c, m in self.terms():
            groups[sum(alpha)].append((c, m))
        return groups

    @property
    def polynomial(self) -> sympy.Expr:
        """The polynomial as one SymPy expression."""
        return sympy.Add(*(c * m for _, c, m in self.terms()))

    @property
    def expr(self) -> sympy.Expr:
        return self.polynomial

    def derivative_at(self, alpha: Index) -> sympy.Expr:
        """∂^α f(a) = α!·(the coefficient of (x − a)^α)."""
        c = self.coefficients.get(alpha, sympy.Integer(0))
        return c * sympy.prod(math.factorial(a) for a in alpha)

    def at(self, point: Mapping[Any, Any]) -> float | complex | sympy.Expr:
        """The polynomial's value at ``point`` (names or symbols to numbers), exact first.

        >>> from symnum.core.function import Function
        >>> taylor(Function("exp(x)"), "x=0", 3).at({"x": 1})
        2.6666666666666665
        """
        from ..core.evaluate import substitution
        subs = substitution(self.polynomial.free_symbols | set(self.variables), point)
        value = sympy.N(self.polynomial.xreplace(subs), 20)
        if not value.is_number:
            missing = sorted(s.name for s in value.free_symbols)
            raise VariableError(f"no value given for {', '.join(missing)}")
        return float(value) if value.is_real else complex(value)

    def remainder(self, latex: bool = False) -> str:
        """O((x − a)^(k+1)) in one variable, O(‖(x, y) − (a, b)‖^(k+1)) in several."""
        return render.remainder(self, latex)

    def text(self) -> str:
        return render.text(self)

    def latex(self) -> str:
        return render.latex(self)

    def to_json(self) -> dict[str, Any]:
        return render.to_json(self)

    def __str__(self) -> str:
        return self.text()


def taylor(f: Function, at: PointLike = None, order: int = 1) -> TaylorResult:
    """The Taylor polynomial of ``f`` of ``order`` about ``at`` (see the module docstring).

    >>> from symnum.core.function import Function
    >>> taylor(Function("exp(x)*sin(y)"), "x=0,y=0", 3).polynomial
    x**2*y/2 + x*y - y**3/6 + y
    """
    if f.is_matrix_calculus:
        raise ShapeError("a Taylor polynomial needs scalar variables (no --shape)")
    if f.is_vector:
        raise ShapeError("a Taylor polynomial is of one scalar function: expand each entry "
                         "of the list on its own")
    if isinstance(order, bool) or not isinstance(order, int) or not 1 <= order <= MAX_ORDER:
        raise LimitError(f"--order of a Taylor polynomial must be a whole number from 1 to "
                         f"{MAX_ORDER}, got {order!r}")
    g, point, default = _expansion(f, at)
    n = len(point)
    if not n:
        raise VariableError(f"{f.source} has no variable to expand in: a constant is its own "
                            "Taylor polynomial")
    if math.comb(n + order, order) > MAX_TERMS:
        raise LimitError(f"a Taylor polynomial of order {order} in {n} variables has "
                         f"{math.comb(n + order, order):,} coefficients (at most {MAX_TERMS} "
                         "are computed): lower --order or expand in fewer variables")
    where = render.point_text(point)
    notes = _notes(g, point)
    if notes:  # the reason, without what a shown value would rest on
        reason = notes[0].split("; the value shown")[0]
        raise EvaluationError(f"no Taylor polynomial of {f.source} about {where}: {reason}")
    variables = tuple(s for s, _ in point)
    center = tuple(v for _, v in point)
    try:
        found = coefficients(g.expr, variables, center, order)
    except NotAnalytic as err:
        found = _removable(g.expr, variables, center, order, err) if n == 1 else None
        if found is None:
            more = "" if n == 1 else ("; where f is 0/0 at the point, symnum expands in one "
                                      "variable only")
            raise EvaluationError(f"no Taylor polynomial of {f.source} about {where}: {err}"
                                  f"{more}") from None
    return TaylorResult(g, point, order, found, default)


def _expansion(f: Function, at: PointLike
               ) -> tuple[Function, tuple[tuple[sympy.Symbol, sympy.Expr], ...], bool]:
    """The function with the expansion variables as its ``wrt`` and the point, in order."""
    from ..core.evaluate import parse_point
    from ..core.names import spelled_name
    from ..core.parse import as_number

    if at is None or (isinstance(at, str) and not at.strip()):
        return f, tuple((v, sympy.Integer(0)) for v in f.variables), True
    if not isinstance(at, str | Mapping):
        raise VariableError(f"the expansion point is text like 'x=0,y=1' or a mapping like "
                            f"{{'x': 0}}, not {type(at).__name__}")
    given = parse_point(at) if isinstance(at, str) else dict(at)
    free = {s.name: s for s in f.expr.free_symbols} | {v.name: v for v in f.variables}
    values = {}
    for key, value in given.items():
        name = spelled_name(key.name if isinstance(key, sympy.Symbol) else str(key), free)
        if name not in free:
            raise VariableError(f"--at names {name}, which does not appear in {f.source}")
        number = as_number(value, f"value of {name}")
        if number.free_symbols:
            raise VariableError(f"the expansion point needs numbers: {name} = {number}")
        if not number.is_finite:  # oo, -oo: a Taylor polynomial is about a finite point
            raise VariableError(f"the expansion point needs finite numbers: {name} = {number}")
        if isinstance(number, sympy.Float):  # 0.5 is meant as 1/2: exact coefficients
            number = sympy.Rational(str(number))
        values[name] = number
    wrt_named = [v.name for v in f.variables] if f.wrt and set(f.wrt) != set(free) else None
    if wrt_named is not None and set(wrt_named) != set(values):
        missing = [n for n in wrt_named if n not in values]
        raise VariableError(f"--at gives the expansion point: name a value for each of "
                            f"{', '.join(wrt_named)} (missing: {', '.join(missing) or '-'}; "
                            f"extra: {', '.join(sorted(set(values) - set(wrt_named))) or '-'})")
    order = [v.name for v in f.variables if v.name in values] + \
        [n for n in values if n not in {v.name for v in f.variables}]
    g = Function(f.expr, wrt=order)
    g.source = f.source
    return g, tuple((free[n], values[n]) for n in order), False


def _notes(g: Function, point: tuple[tuple[sympy.Symbol, sympy.Expr], ...]) -> list[str]:
    """Kinks, jumps and points outside the domain (:func:`symnum.core.domain.point_notes`)."""
    from ..core.domain import point_notes
    return point_notes(SimpleNamespace(function=g), {s.name: v for s, v in point})


def _removable(expr: sympy.Expr, variables: tuple[sympy.Symbol, ...],
               center: tuple[sympy.Expr, ...], order: int, err: NotAnalytic
               ) -> dict[Index, sympy.Expr] | None:
    """One variable where a node is 0/0 (sin(x)/x at 0): SymPy's series from both sides,
    taken only when both are the same polynomial (None otherwise)."""
    t = sympy.Dummy("t")
    x, a = variables[0], center[0]
    found = []
    for side in ("+", "-"):
        try:
            series = sympy.series(expr.xreplace({x: a + t}), t, 0, order + 1, dir=side)
        except (ValueError, NotImplementedError, TypeError, ZeroDivisionError):
            return None
        poly = series.removeO()
        if not poly.is_polynomial(t) or poly.has(sympy.zoo, sympy.nan, sympy.oo):
            return None
        found.append(sympy.Poly(poly, t).all_coeffs()[::-1])
    if found[0] != found[1]:
        return None
    return {(j,): sympy.expand(c) for j, c in enumerate(found[0]) if c != 0}


def all_indices(result: TaylorResult) -> list[Index]:
    """Every multi-index of the result's order (zeros included), by degree."""
    return indices(len(result.point), result.order)


