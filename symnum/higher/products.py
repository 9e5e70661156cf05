"""Products with a direction, derived without forming the matrix: the Hessian-vector product
H·v = ∇(∇f·v) (the gradient of the directional derivative: forward over reverse, in formula
form), the Jacobian-vector product J·v = d/dt f(x + t·v) at t = 0 (for a scalar f, the
directional derivative ∇f·v) and the vector-Jacobian product uᵀJ = ∇(uᵀf) (for a scalar f,
u_1·∇f).

The direction is named by a prefix: ``v`` gives the components v_x, v_y, … named after the
variables (hvp, jvp), ``u`` gives u_1, u_2, … one per output (vjp); or it is given as its
components (``"1,0,2"``: numbers or expressions, one per variable or output).

>>> r = product("x**2*y**3", "hvp")
>>> r.nested()
[2*y**2*(v_x*y + 3*v_y*x), 6*x*y*(v_x*y + v_y*x)]
>>> product("[x*y, x + y]", "jvp", "1,0").nested()
[y, 1]
>>> product("[x*y, x + y]", "vjp").nested()
[u_1*y + u_2, u_1*x + u_2]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sympy

from ..core.budget import work_budget
from ..core.calculus import (
    MAX_PRODUCT_TERMS,
    SIMPLIFY_RESULT_OBJECTS,
    SIMPLIFY_TOTAL_OPS,
    Result,
    common_subexpressions,
    partial,
    product_terms,
    readable,
)
from ..core.errors import LimitError, ParseError, ShapeError, SymnumError, VariableError
from ..core.function import ExprLike, Function, WrtLike, as_function
from ..core.parse import check_name, parse
from ..core.textbook import arguments, textbook_form

PRODUCTS = ("hvp", "jvp", "vjp")
PREFIXES = {"hvp": "v", "jvp": "v", "vjp": "u"}  # the direction's name when none is given
COLLECT_MAX = 6  # directions of more components are not collected (one simplify each)
COLLECT_OBJECTS = 20_000  # SymPy objects one entry's (or coefficient's) simplify may build
NAMES = {"hvp": "Hessian-vector product", "jvp": "Jacobian-vector product",
         "vjp": "vector-Jacobian product"}


@dataclass(frozen=True)
class Direction:
    """The direction of a product: its ``components`` (symbols named ``prefix``_x, … or
    given values, then ``prefix`` is None) and what they are ``along`` (the variables for
    hvp and jvp, the outputs for vjp).

    >>> Direction.read(None, "hvp", Function("x*y")).texts()
    ['v_x', 'v_y']
    """

    components: tuple[sympy.Expr, ...]
    prefix: str | None
    along: str  # "variables" or "outputs"

    @property
    def symbols(self) -> tuple[sympy.Symbol, ...]:
        """The direction's own symbols, in order (none for given values)."""
        return self.components if self.prefix is not None else ()  # type: ignore[return-value]

    def texts(self) -> list[str]:
        from ..core.render import expr_str
        return [expr_str(c) for c in self.components]

    @classmethod
    def read(cls, vector: str | None, what: str, f: Function) -> Direction:
        """The direction ``vector`` (a prefix, components, or None: the default prefix)."""
        along = "outputs" if what == "vjp" else "variables"
        count = len(f.outputs) if along == "outputs" else len(f.variables)
        text = PREFIXES[what] if vector is None else str(vector).strip()
        if text.startswith("[") and text.endswith("]") or \
                text.startswith("(") and text.endswith(")"):
            text = text[1:-1]
        items = [t.strip() for t in text.split(",")]
        if len(items) == 1 and items[0].isidentifier():
            return cls(_named(items[0], what, f), items[0], along)
        if any(not t for t in items):
            raise ParseError(f"--vector {vector!r}: give a name (like v) or the components, "
                             "like 1,0,2")
        if len(items) != count:
            which = "outputs" if along == "outputs" else "variables"
            names = ", ".join(v.name for v in f.variables) if along == "variables" else \
                f"{count} of them"
            given = f"{len(items)} component" + ("s" if len(items) != 1 else "")
            raise ShapeError(f"--vector has {given} but the {what} needs {count}, one per "
                             f"{which[:-1]} ({names}); or give a name, like --vector v")
        components = tuple(_component(t, f) for t in items)
        return cls(components, None, along)


def _named(prefix: str, what: str, f: Function) -> tuple[sympy.Symbol, ...]:
    check_name(prefix, "direction")
    if what == "vjp":
        names = [f"{prefix}_{k}" for k in range(1, len(f.outputs) + 1)]
    else:
        names = [f"{prefix}_{v.name}" for v in f.variables]
    taken = {s.name for e in f.outputs for s in e.free_symbols} | set(f.wrt)
    clash = [n for n in names if n in taken]
    if clash:
        raise VariableError(f"{clash[0]} is already a name in the expression; name the "
                            "direction otherwise, like --vector w")
    return tuple(sympy.Symbol(n, real=True) for n in names)


def _component(text: str, f: Function) -> sympy.Expr:
    value = parse(text)
    if not isinstance(value, sympy.Expr) or isinstance(value, sympy.MatrixBase):
        raise ParseError(f"--vector: each component is a number or an expression, got {text!r}")
    inside = sorted(s.name for s in value.free_symbols & set(f.variables))
    if inside:
        raise VariableError(f"--vector: the component {text!r} depends on {', '.join(inside)}; "
                            "a direction is held fixed (numbers, or symbols that are not "
                            "variables)")
    return value


@dataclass(frozen=True)
class ProductResult(Result):
    """An exact product with its ``direction``; ``matrix`` is a column of the components
    (``shape`` (n,) for hvp and vjp, the output's shape for jvp), ``route`` the intermediate
    formula it was derived through (the directional derivative for hvp, uᵀf for vjp)."""

    direction: Direction | None = None
    route: sympy.Expr | None = None

    @property
    def shape(self) -> tuple[int, ...]:
        if self.kind == "jvp" and not self.function.is_vector:
            return ()
        return (len(self.matrix),)

    @property
    def noun(self) -> str:
        """What it is, in words (``check`` says "the claim is the Hessian-vector product")."""
        if self.kind == "jvp" and not self.function.is_vector:
            return "directional derivative"
        return NAMES[self.kind]

    @property
    def inputs(self) -> tuple[sympy.Symbol, ...]:
        """A kernel's arguments: the variables, then the direction's symbols."""
        assert self.direction is not None
        return self.variables + self.direction.symbols

    def latex(self) -> str:
        from .product_render import product_latex
        return product_latex(self)

    def text(self) -> str:
        from .product_render import product_text
        return product_text(self)

    def to_json(self) -> dict[str, Any]:
        """The JSON contract's keys, with ``vector`` (the direction's symbols or values)."""
        from .product_render import product_json
        return product_json(self)


def product(expr: ExprLike | Function, what: str, vector: str | None = None,
            wrt: WrtLike = None, syntax: str = "plain") -> ProductResult:
    """The exact ``what`` ("hvp", "jvp", "vjp") of ``expr`` along ``vector`` (see the
    module docstring)."""
    if what not in PRODUCTS:
        raise SymnumError(f"unknown product {what!r}: choose hvp, jvp or vjp")
    f = as_function(expr, wrt, None, syntax)
    if f.is_matrix_calculus:
        raise ShapeError(f"the {what} takes scalar variables, not declared shapes")
    if not f.variables:
        raise VariableError("the expression has no variables: say which with wrt")
    if what == "hvp" and f.is_vector:
        raise ShapeError("a Hessian-vector product needs a scalar function; for a list of "
                         "expressions ask for the jvp or vjp")
    terms = product_terms(f, "hessian" if what == "hvp" else "jacobian")
    if terms > MAX_PRODUCT_TERMS:
        raise LimitError(f"the {what} would hold about {terms:,} factors of products written "
                         f"out (limit {MAX_PRODUCT_TERMS:,}); use fewer variables")
    direction = Direction.read(vector, what, f)
    entries, route = ROUTES[what](f, direction.components)
    matrix = sympy.ImmutableMatrix(_tidy(entries, f, direction))
    definitions, reduced = common_subexpressions(matrix, f)
    return ProductResult(what, f, reduced, definitions, 1, direction, route)


def _hvp(f: Function, v: tuple[sympy.Expr, ...]) -> tuple[list[sympy.Expr], sympy.Expr]:
    """∇(∇f·v): the directional derivative first (by the chain rule along x + t·v, so that
    each inner argument keeps its own w·v), then its gradient."""
    slope = directional(f.expr, f.variables, v)
    return [partial(slope, x) for x in f.variables], slope


def _jvp(f: Function, v: tuple[sympy.Expr, ...]) -> tuple[list[sympy.Expr], sympy.Expr]:
    """d/dt f(x + t·v) at t = 0, each output."""
    entries = [directional(e, f.variables, v) for e in f.outputs]
    return entries, sympy.Add(*(c * x for c, x in zip(v, f.variables, strict=True)))


def directional(expr: sympy.Expr, variables: tuple[sympy.Symbol, ...],
                v: tuple[sympy.Expr, ...]) -> sympy.Expr:
    """d/dt expr(x + t·v) at t = 0: ∇expr·v as the chain rule writes it (tanh(w·x)
    gives (1 − tanh²(w·x))·(w·v), not a sum over the variables).

    >>> x, y, a, b = sympy.symbols("x y a b", real=True)
    >>> directional(sympy.sin(2*x - y), (x, y), (a, b))
    (2*a - b)*cos(2*x - y)
    """
    t = sympy.Dummy("t", real=True)
    moved = {x: x + t * c for x, c in zip(variables, v, strict=True)}
    slope = partial(moved_along(expr, moved), t).xreplace({t: sympy.Integer(0)})
    return slope.replace(lambda n: isinstance(n, sympy.Subs), lambda n: n.doit())


def moved_along(expr: sympy.Expr, moved: dict) -> sympy.Expr:
    """expr(x + t·v): f′(x) in expr becomes f′ at x + t·v (SymPy's Subs), as f(x) does."""
    if expr.has(sympy.Derivative):  # xreplace would ask for a derivative wrt x + t·v
        return expr.subs(moved, simultaneous=True)
    return expr.xreplace(moved)


def _vjp(f: Function, u: tuple[sympy.Expr, ...]) -> tuple[list[sympy.Expr], sympy.Expr]:
    """∇(uᵀf): the outputs weighted by u, then the gradient of that one scalar."""
    weighted = sympy.Add(*(c * e for c, e in zip(u, f.outputs, strict=True)))
    return [partial(weighted, x) for x in f.variables], weighted


ROUTES = {"hvp": _hvp, "jvp": _jvp, "vjp": _vjp}


def _tidy(entries: list[sympy.Expr], f: Function, direction: Direction) -> list[sympy.Expr]:
    """Each entry in its most readable form: simplified while the whole result is small
    (core's budgets), or collected by the direction's components when that is shorter; a
    large result keeps the chain rule's form (each inner argument's w·v once)."""
    preferred = arguments(sympy.Add(*f.outputs)) if any(e.has(sympy.exp) for e in entries) \
        else frozenset()
    if sum(sympy.count_ops(e) for e in entries) > SIMPLIFY_TOTAL_OPS:
        return entries
    tidy = list(entries)  # what is kept when the budget runs out
    with work_budget(SIMPLIFY_RESULT_OBJECTS):
        for k, e in enumerate(entries):
            best = textbook_form(e, readable(e, True, COLLECT_OBJECTS), preferred)
            collected = _collected(e, direction.symbols)
            if collected is not None and sympy.count_ops(collected) < sympy.count_ops(best):
                best = collected
            tidy[k] = best
    return tidy


def _collected(e: sympy.Expr, symbols: tuple[sympy.Symbol, ...]) -> sympy.Expr | None:
    """Σ (∂e/∂v_j)·v_j with each coefficient readable (an entry is linear in v)."""
    if not symbols or len(symbols) > COLLECT_MAX or not e.free_symbols & set(symbols):
        return None
    rest = e.xreplace({s: sympy.Integer(0) for s in symbols})
    terms = [readable(sympy.diff(e, s), True, COLLECT_OBJECTS) * s for s in symbols]
    return sympy.Add(readable(rest, True, COLLECT_OBJECTS), *terms)
