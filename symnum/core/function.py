"""``Function``: the object a user holds — an expression (or a vector of them) and its variables.

>>> f = Function("x**2*y")
>>> f.variables
(x, y)
>>> f.gradient().entries()
[2*x*y, x**2]
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeAlias

import sympy

from .errors import ParseError, ShapeError, SymnumError, VariableError
from .hooks import HOOKS, need
from .names import Notation, notation_recorded, spelled_name
from .parse import Shape, as_number, check_name, parse, split_names
from .shapes import declared_shapes

if TYPE_CHECKING:  # for annotations only: the types the layers above return
    from ..analysis.critical import CriticalPoint
    from ..analysis.graph import Graph
    from ..kernels.build import Kernel
    from ..matrix.derivation import MatrixDerivation
    from ..matrix.kernel import MatrixKernel
    from ..matrix.result import MatrixResult
    from ..steps import Derivation
    from ..verification.implicit import ImplicitReport
    from ..verification.matrix import MatrixReport
    from ..verification.products import ProductReport
    from ..verification.verify import Report
    from .calculus import Result

ExprLike: TypeAlias = str | sympy.Basic
SYNTAXES = ("plain", "latex")
WrtLike: TypeAlias = str | sympy.Symbol | Iterable[str | sympy.Symbol] | None


class Function:
    """A scalar or vector function of ordered variables; strings are parsed safely.

    Symbols a SymPy input brings without assumptions are made real (so d|x|/dx = sign(x)).

    >>> Function("[x1**2, x1*x2]", wrt="x1 x2").is_vector
    True
    """

    expr: sympy.Basic
    wrt: tuple[str, ...]
    shapes: dict[str, Shape]
    source: str
    notation: tuple[tuple[sympy.Expr, str, tuple[sympy.Expr, ...]], ...]
    variables: tuple[sympy.Symbol, ...]

    def __init__(self, expr: ExprLike, wrt: WrtLike = None,
                 shapes: Mapping[str, Shape] | None = None, syntax: str = "plain"):
        shapes = declared_shapes(shapes)
        source = expr if isinstance(expr, str) else str(expr)
        if syntax not in SYNTAXES:
            raise ParseError(f"unknown syntax {syntax!r}: choose one of {', '.join(SYNTAXES)}")
        written: Notation
        with notation_recorded() as written:  # sigmoid(x) as the user wrote it, for the steps
            if isinstance(expr, str) and syntax == "latex":
                from .latex_input import parse_latex
                value = parse_latex(expr, shapes)
            else:
                value = parse(expr, shapes) if isinstance(expr, str) else _from_sympy(expr, shapes)
        if isinstance(value, sympy.MatrixBase) and not shapes:
            value = sympy.ImmutableMatrix(value)
            if value.cols != 1 and value.rows != 1:
                raise ShapeError("a vector function must be a flat list of expressions")
            value = value.reshape(len(value), 1)
        self.expr = value
        self.shapes = shapes
        self.source = source
        self.notation = tuple(written)  # (what a name such as sigmoid built, name, arguments)
        self.variables = _variables(value, wrt)
        self.wrt = tuple(v.name for v in self.variables)

    @property
    def is_vector(self) -> bool:
        """True for a list of expressions (a map to R^m)."""
        return isinstance(self.expr, sympy.MatrixBase)

    @property
    def is_matrix_calculus(self) -> bool:
        """True when declared matrices or vectors appear (matrix notation results)."""
        from .shapes import has_matrices
        return bool(self.shapes) and has_matrices(self.expr)

    @property
    def outputs(self) -> list[sympy.Expr]:
        """The output expressions, as a list (one entry for a scalar function)."""
        return list(self.expr) if self.is_vector else [self.expr]

    @property
    def parameters(self) -> tuple[sympy.Symbol, ...]:
        """Free symbols that are not differentiated, sorted by name."""
        free = set().union(*(e.free_symbols for e in self.outputs))
        return tuple(sorted(free - set(self.variables), key=lambda s: s.name))

    def derivative(self, order: int = 1) -> Result:
        """d^n f / dx^n for a function of one variable (elementwise for a vector)."""
        from .calculus import derivative
        return derivative(self, order)

    def gradient(self) -> Result:
        """∇f, a vector of n partial derivatives of a scalar function."""
        from .calculus import gradient
        return gradient(self)

    def jacobian(self) -> Result:
        """The m × n Jacobian (outputs × variables)."""
        from .calculus import jacobian
        return jacobian(self)

    def hessian(self) -> Result:
        """The n × n Hessian of a scalar function; from 40 variables on, the one
        ``differentiate("hessian")`` (and :func:`symnum.derive`) makes on the graph engine."""
        from .fast import DAG_MIN_VARIABLES
        if len(self.variables) >= DAG_MIN_VARIABLES and not self.is_vector \
                and not self.is_matrix_calculus:
            from .derive import differentiate
            return differentiate(self, "hessian")
        from .calculus import hessian
        return hessian(self)

    def differentiate(self, what: str | None = None, order: int = 1,
                      layout: str | None = None) -> Result | MatrixResult:
        """Dispatch on ``what`` (derivative, gradient, jacobian, hessian; None = natural choice);
        matrix notation goes to :mod:`symnum.matrix` (through :mod:`symnum.core.hooks`) in
        ``layout`` (numerator, the default, or denominator)."""
        if self.is_matrix_calculus:
            if order != 1:
                raise SymnumError("--order applies to scalar derivatives, not to matrix calculus")
            return need(HOOKS.matrix_differentiate, "matrix_differentiate")(self, what, layout)
        if layout not in (None, "numerator"):
            if layout != "denominator":
                raise SymnumError(f"unknown layout {layout!r}: give numerator (the default) "
                                  "or denominator")
            raise SymnumError("the denominator layout is for matrix notation (declare shapes "
                              "with --shape); a Jacobian of a list of expressions is outputs "
                              "× inputs")
        from .derive import differentiate
        return differentiate(self, what, order)

    # The conveniences below are computed by the layers above core, plugged into
    # symnum.core.hooks by symnum.api when symnum is imported (core never imports up).

    def steps(self, what: str | None = None, order: int = 1) -> Derivation | MatrixDerivation:
        """The step-by-step derivation (a :class:`symnum.steps.Derivation`; for matrix
        notation the differential derivation of :mod:`symnum.matrix.steps`)."""
        return need(HOOKS.steps, "steps")(self, what, order)

    def graph(self) -> Graph:
        """The computational graph for the backpropagation view (:mod:`symnum.analysis.graph`)."""
        return need(HOOKS.graph, "graph")(self)

    def plot(self, out: str | None = None, span: tuple[float, float] = (-3.0, 3.0),
             descent: str | None = None) -> Any:
        """The figure of :func:`symnum.analysis.plot.plot` (f, f′, f″; or surface, contours,
        gradient field and, with ``descent="lr=0.1,start=1:1,steps=20"``, the descent path)."""
        return need(HOOKS.plot, "plot")(self, out, span, descent)

    def critical_points(self) -> list[CriticalPoint]:
        """Solutions of ∇f = 0, each classified (see :mod:`symnum.analysis.critical`)."""
        return need(HOOKS.critical_points, "critical_points")(self)

    def latex(self) -> str:
        """LaTeX of the function itself."""
        from .render import expr_latex
        return expr_latex(self.expr)

    def verify(self, what: str | None = None, **options: Any
               ) -> Report | MatrixReport | ImplicitReport | ProductReport:
        """Check the exact derivative numerically (see :func:`symnum.verify`; matrix notation
        by components at concrete sizes)."""
        return need(HOOKS.verify, "verify")(self, what, options.pop("order", 1), **options)

    def kernel(self, what: str | None = None, backend: str = "numpy", order: int = 1,
               compile: bool = False, params: object = None) -> Kernel | MatrixKernel:
        """:func:`symnum.kernel` of this function, with its defaults: a batched callable for
        the natural derivative (as :meth:`differentiate` picks it), ``what="value"`` for the
        function itself; ``compile=True`` fuses a torch kernel with torch.compile;
        ``params``: symbols held constant, extra array arguments after the variables."""
        return need(HOOKS.kernel, "kernel")(self, what, backend, order, compile, params)

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, str]:
        """Jupyter's display: the function in LaTeX (and its repr for terminals)."""
        from .display import bundle, math_block
        return bundle(repr(self), {"text/latex": math_block(self.latex())}, include, exclude)

    def __repr__(self) -> str:
        names = ", ".join(v.name for v in self.variables)
        return f"Function({self.source!r}, wrt=({names}))"


def as_function(expr: ExprLike | Function, wrt: WrtLike = None,
                shapes: Mapping[str, Shape] | None = None, syntax: str = "plain") -> Function:
    """Return ``expr`` as a :class:`Function` (unchanged if it already is one and wrt is None).

    >>> as_function("x*y", "y").variables
    (y,)
    """
    if isinstance(expr, Function):
        return expr if wrt is None else Function(expr.expr, wrt, expr.shapes)
    return Function(expr, wrt, shapes, syntax)


def _from_sympy(expr: object, shapes: Mapping[str, Shape] | None = None) -> sympy.Basic:
    """Accept SymPy input, numbers, and lists (of lists) of expressions; every string in
    them goes through :func:`symnum.core.parse.parse`. Plain symbols become real ones.

    >>> _from_sympy(["x**2", sympy.Symbol("y")])
    Matrix([
    [x**2],
    [   y]])
    """
    if isinstance(expr, list | tuple):
        expr = _matrix_of(expr, shapes)
    elif isinstance(expr, str):
        expr = parse(expr, shapes)
    elif not isinstance(expr, sympy.Basic | sympy.MatrixBase):
        if not isinstance(expr, numbers.Number):
            raise ParseError(f"cannot use {type(expr).__name__} as an expression: give text, "
                             "a SymPy expression, a number or a list of them")
        expr = as_number(expr, "expression")
    real = {s: sympy.Symbol(s.name, real=True) for s in expr.free_symbols
            if isinstance(s, sympy.Symbol) and s.is_real is None}
    return expr.xreplace(real) if real else expr


def _matrix_of(items: list | tuple, shapes: Mapping[str, Shape] | None) -> sympy.ImmutableMatrix:
    """A vector (flat list) or matrix (list of rows) whose entries are read one by one."""
    if not items:
        raise ParseError("empty list")
    if all(isinstance(i, list | tuple) for i in items):
        rows = [[_entry(e, shapes) for e in row] for row in items]
        if len({len(r) for r in rows}) != 1 or not rows[0]:
            raise ParseError("rows of a matrix must be non-empty and of equal lengths")
        return sympy.ImmutableMatrix(rows)
    if any(isinstance(i, list | tuple) for i in items):
        raise ParseError("a list must hold only expressions (a vector) or only lists (a matrix)")
    return sympy.ImmutableMatrix([_entry(e, shapes) for e in items])


def _entry(item: object, shapes: Mapping[str, Shape] | None) -> sympy.Expr:
    value = _from_sympy(item, shapes)
    if not isinstance(value, sympy.Expr):
        raise ParseError("each entry of a list must be a scalar expression")
    return value


def _variables(expr: sympy.Basic, wrt: WrtLike) -> tuple[sympy.Symbol, ...]:
    """Resolve ``wrt`` names to the expression's own symbols (default: all, sorted by name)."""
    free = {s.name: s for s in expr.free_symbols if isinstance(s, sympy.Symbol)
            and not s.is_integer}  # dimension symbols of shapes are not variables
    free.update({m.name: m for m in expr.atoms(sympy.MatrixSymbol)})
    if wrt is None:
        if not free:
            return ()
        return tuple(free[n] for n in sorted(free))
    names: Sequence[str]
    if isinstance(wrt, str):
        names = split_names(wrt)
    elif isinstance(wrt, sympy.Symbol):
        names = [wrt.name]
    elif not isinstance(wrt, list | tuple | set | frozenset):
        raise VariableError("wrt names the variables: text like 'x,y', a symbol or a list of "
                            f"them; got {wrt!r}")
    else:
        names = [check_name(w.name if isinstance(w, sympy.Symbol) else str(w)) for w in wrt]
    if len(set(names)) != len(names):
        raise VariableError(f"a variable is listed twice in {', '.join(names)}")
    if not names:
        raise VariableError("no variables to differentiate with respect to")
    return tuple(free.get(spelled_name(n, free), None) or sympy.Symbol(check_name(n), real=True)
                 for n in names)
