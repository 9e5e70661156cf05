"""Implicit differentiation: F(x, y) = 0 defines y = y(x) near a point where F_y ≠ 0, and
dy/dx = −F_x/F_y; higher orders differentiate that again with y = y(x) and substitute the
lower ones; several variables (F(x, w, z) = 0, z implicit) give partials ∂z/∂x = −F_x/F_z,
the others held constant.

Each order is first written in x and y only; then, where dividing by F (as polynomials) gives
a shorter form, the form that holds on the curve (d²y/dx² = −(x² + y²)/y³ = −1/y³ on
x² + y² = 1), and the result says that it used the curve's equation.

>>> r = implicit_derivative("x**2 + y**2 = 1", "y")
>>> r.result, r.wrt
(-x/y, (x,))
>>> r2 = implicit_derivative("x**2 + y**2 - 1", "y", order=2)
>>> r2.general, r2.result, r2.uses_curve
(-(x**2 + y**2)/y**3, -1/y**3, True)
>>> implicit_derivative("x*y*z + z**3 - 1", "z", "x").result
-y*z/(x*y + 3*z**2)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sympy

from ..core.calculus import partial, readable, safe_to_simplify
from ..core.errors import EvaluationError, SymnumError, VariableError
from ..core.function import ExprLike
from ..core.parse import split_names
from .equation import Curve, read_curve
from .on_curve import curve_points, reduce_on_curve, substitute_on_curve

MAX_ORDER = 6  # each order differentiates a quotient: the forms grow fast
ON_CURVE = 1e-9  # |F| at a point, relative to the size of F's terms there: on the curve
NEAR_CURVE = 1e-4  # ... up to this: near it (the value is given, with a note); past: refused


class ImplicitError(SymnumError):
    """The request cannot define an implicit function (which variable, which point)."""


@dataclass(frozen=True)
class ImplicitResult:
    """d^k y/dx^k (or a partial) of the function y defined by ``curve`` (F = 0).

    ``forms[k]``: the derivative after k + 1 differentiations (``wrt[:k + 1]``) in the
    variables only, lower orders substituted; ``on_curve[k]``: a shorter form that holds
    where F = 0, or None; ``first``: each variable's first partial −F_v/F_y."""

    curve: Curve
    dependent: sympy.Symbol
    wrt: tuple[sympy.Symbol, ...]
    forms: tuple[sympy.Expr, ...]
    on_curve: tuple[sympy.Expr | None, ...]
    first: tuple[tuple[sympy.Symbol, sympy.Expr], ...]
    source: str = ""
    kind = "derivative"

    @property
    def F(self) -> sympy.Expr:
        return self.curve.F

    @property
    def order(self) -> int:
        return len(self.wrt)

    @property
    def others(self) -> tuple[sympy.Symbol, ...]:
        """The variables of F besides y, in name order."""
        return tuple(sorted(self.F.free_symbols - {self.dependent}, key=lambda s: s.name))

    @property
    def partial(self) -> bool:
        """∂ notation: y is a function of several variables."""
        return len(self.others) > 1

    @property
    def set_name(self) -> str:
        """What F = 0 is: a curve (two variables), a surface (three), else a level set."""
        return {2: "curve", 3: "surface"}.get(len(self.F.free_symbols), "level set")

    @property
    def general(self) -> sympy.Expr:
        """The last order written in the variables, before any use of F = 0."""
        return self.forms[-1]

    @property
    def uses_curve(self) -> bool:
        return self.on_curve[-1] is not None

    @property
    def result(self) -> sympy.Expr:
        """The answer: the form on the curve when one is shorter, else the general one."""
        return self.on_curve[-1] if self.uses_curve else self.forms[-1]

    def at(self, point: Mapping[str | sympy.Symbol, Any]) -> float:
        """The value at a point of the curve (an :class:`ImplicitError` off it, or where
        F_y = 0: no implicit function there)."""
        return value_at(self, point)[0]

    def text(self) -> str:
        from .implicit_render import implicit_text
        return implicit_text(self)

    def latex(self) -> str:
        from .implicit_render import implicit_latex
        return implicit_latex(self)

    def to_json(self) -> dict[str, Any]:
        from .implicit_render import implicit_json
        return implicit_json(self)

    def __str__(self) -> str:
        return self.text()

    def _repr_latex_(self) -> str:
        return f"$${self.latex()}$$"


def implicit_derivative(expr: ExprLike, implicit: str | sympy.Symbol,
                        wrt: str | sympy.Symbol | Sequence[str | sympy.Symbol] | None = None,
                        order: int = 1, syntax: str = "plain") -> ImplicitResult:
    """The derivative of ``implicit`` (y) defined by ``expr`` = 0 (or the equation ``expr``)
    with respect to ``wrt`` (default: the one other variable), ``order`` times; a repeated
    or mixed ``wrt`` ("x,x" or "x,w") differentiates in that order."""
    curve = read_curve(expr, syntax)
    F = curve.F
    y = _dependent(F, implicit)
    variables = _wrt(F, y, wrt, order)
    if not F.has(y):
        raise ImplicitError(f"{y} does not appear in the equation")
    Fy = partial(F, y)
    if Fy == 0:
        raise ImplicitError(f"∂F/∂{y} = 0 everywhere: the equation does not define {y}")
    first = {v: tidy(-partial(F, v) / Fy) for v in dict.fromkeys(variables)}
    forms: list[sympy.Expr] = []
    reduced: list[sympy.Expr | None] = []
    current = None
    for v in variables:
        if current is None:
            general = first[v]
        else:
            general = tidy(partial(current, v) + partial(current, y) * first[v])
        shorter = reduce_on_curve(general, F) if F.is_polynomial(*F.free_symbols) else \
            substitute_on_curve(general, F)
        forms.append(general)
        reduced.append(shorter)
        current = shorter if shorter is not None else general
    source = expr if isinstance(expr, str) else str(expr)
    return ImplicitResult(curve, y, variables, tuple(forms), tuple(reduced),
                          tuple(first.items()), source)


def tidy(expr: sympy.Expr) -> sympy.Expr:
    """The shorter of the readable form and one fraction, never a fraction inside a fraction.

    >>> x, y = sympy.symbols("x y", real=True)
    >>> tidy((1 - 1/x) / (1 + 1/y))
    y*(x - 1)/(x*(y + 1))
    """
    candidates = [readable(expr)]
    if safe_to_simplify(expr, 400):
        candidates.append(sympy.factor(sympy.together(expr)))
    return min(candidates, key=lambda e: (_nested(e), sympy.count_ops(e)))


def _nested(expr: sympy.Expr) -> bool:
    """A reciprocal inside the numerator or denominator (1/cos(xy) over x)."""
    top, bottom = sympy.fraction(expr)
    return any(p.exp.is_negative for part in (top, bottom) for p in part.atoms(sympy.Pow))


def _dependent(F: sympy.Expr, implicit: str | sympy.Symbol) -> sympy.Symbol:
    name = implicit.name if isinstance(implicit, sympy.Symbol) else str(implicit).strip()
    names = split_names(name) if name else []
    if len(names) != 1:
        raise ImplicitError(f"--implicit names one variable (the one F = 0 defines), like "
                            f"--implicit y; got {implicit!r}")
    by_name = {s.name: s for s in F.free_symbols}
    if names[0] not in by_name:
        have = ", ".join(sorted(by_name)) or "no variables"
        raise ImplicitError(f"--implicit {names[0]}: {names[0]} does not appear in the "
                            f"equation (it has {have})")
    return by_name[names[0]]


def _wrt(F: sympy.Expr, y: sympy.Symbol, wrt: Any, order: int) -> tuple[sympy.Symbol, ...]:
    """The variables to differentiate by, in order (``order`` repeats a single one)."""
    if isinstance(order, bool) or not isinstance(order, int) or order < 1:
        raise ImplicitError(f"--order must be a whole number of at least 1, got {order!r}")
    others = {s.name: s for s in F.free_symbols if s != y}
    if wrt is None or (isinstance(wrt, str) and not wrt.strip()):
        if len(others) != 1:
            listed = ", ".join(sorted(others)) or "none"
            raise ImplicitError(f"which variable is {y} a function of? The equation has "
                                f"{listed} besides {y}: name one with --wrt, like --wrt "
                                f"{min(others) if others else 'x'}")
        names = [next(iter(others))]
    elif isinstance(wrt, sympy.Symbol):
        names = [wrt.name]
    elif isinstance(wrt, str):
        names = split_names(wrt)
    else:
        names = [w.name if isinstance(w, sympy.Symbol) else str(w) for w in wrt]
    for name in names:
        if name == y.name:
            raise ImplicitError(f"--wrt {name}: {name} is the implicit variable; "
                                f"differentiate it with respect to another one")
        if name not in others:
            raise VariableError(f"--wrt {name}: {name} does not appear in the equation")
    if len(names) > 1 and order != 1:
        raise ImplicitError("give either several --wrt variables (a mixed partial) or "
                            "--order, not both")
    variables = tuple(others[n] for n in names) * (order if len(names) == 1 else 1)
    if len(variables) > MAX_ORDER:
        raise ImplicitError(f"implicit derivatives go up to order {MAX_ORDER} (the forms "
                            f"grow fast); got {len(variables)}")
    return variables


def value_at(result: ImplicitResult, point: Mapping[str | sympy.Symbol, Any]
             ) -> tuple[float, list[str]]:
    """The result's value at ``point`` and notes (near, not on, the curve); an
    :class:`ImplicitError` when the point is off the curve, incomplete, or F_y = 0 there."""
    from ..core.evaluate import substitution
    from ..core.unknowns import numbers_refused
    F, y = result.F, result.dependent
    numbers_refused(F, "a value at a point needs numbers")  # f(x) in F: no number for f
    symbols = F.free_symbols
    subs = substitution(symbols, point)
    extra = {str(k) for k in point} - {s.name for s in symbols}
    if extra:
        raise VariableError(f"{', '.join(sorted(extra))} does not appear in the equation")
    missing = [s for s in sorted(symbols, key=lambda s: s.name) if s not in subs]
    if missing == [y]:
        found = curve_points(F, y, {s: float(v) for s, v in subs.items()})
        options = " or ".join(f"{y} = {float(p[y]):.10g}" for p in found)
        hint = f": on the curve there, {options}" if found else \
            f"; no point of the curve has {_where(subs)}"
        raise ImplicitError(f"give {y} too (a point of the curve){hint}")
    if missing:
        raise ImplicitError("give a value for every variable of the equation: missing "
                            + ", ".join(s.name for s in missing))
    notes: list[str] = []
    residual = abs(complex(F.subs(subs).evalf(30)))
    scale = 1 + sum(abs(complex(t.subs(subs).evalf(30))) for t in sympy.Add.make_args(F))
    if residual > NEAR_CURVE * scale:
        raise ImplicitError(f"the point {_where(subs)} is not on the curve "
                            f"{result.curve.shown}: there F = {residual:.4g} ≠ 0; "
                            f"give a point where F = 0{_suggest(result, subs)}")
    if residual > ON_CURVE * scale:
        notes.append(f"the point is near the curve, not on it (F = {residual:.2g} there): "
                     "the value is the formula's at this point")
    Fy = partial(F, y).subs(subs).evalf(30)
    if abs(complex(Fy)) <= 1e-12 * scale:
        raise ImplicitError(f"∂F/∂{y} = 0 at {_where(subs)}: the curve is not the graph of "
                            f"a function {y}({', '.join(str(v) for v in result.wrt[:1])}) "
                            "there (no implicit function; the tangent may be vertical), so "
                            "the derivative is undefined")
    value = complex(result.result.subs(subs).evalf(30))
    if abs(value.imag) > 1e-12 * (1 + abs(value.real)):
        raise EvaluationError(f"the derivative is not real at {_where(subs)}")
    return value.real, notes


def _where(subs: Mapping[sympy.Symbol, Any]) -> str:
    return ", ".join(f"{s} = {number_text(v)}" for s, v in
                     sorted(subs.items(), key=lambda kv: kv[0].name))


def number_text(value: Any) -> str:
    """A coordinate as a person typed it: 0.6, not 3/5 (π/4 stays π/4).

    >>> number_text(sympy.Rational(3, 5)), number_text(sympy.pi / 4)
    ('0.6', 'pi/4')
    """
    if isinstance(value, sympy.Rational) or isinstance(value, float | int):
        return f"{float(value):.15g}"
    return sympy.sstr(value)


def _suggest(result: ImplicitResult, subs: Mapping[sympy.Symbol, Any]) -> str:
    y = result.dependent
    fixed = {s: float(v) for s, v in subs.items() if s != y}
    try:
        found = curve_points(result.F, y, fixed)
    except (TypeError, ValueError):
        return ""
    if not found:
        return ""
    options = " or ".join(f"{y} = {float(p[y]):.10g}" for p in found)
    return f" (at {_where(fixed)}: {options})" if fixed else f" ({options})"
