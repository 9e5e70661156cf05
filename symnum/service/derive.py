"""``derive``: a :class:`DeriveRequest` in, a result that renders itself as text, LaTeX and
JSON out; a matrix expression gives a :class:`MatrixDeriveResult`.

>>> answer = derive(DeriveRequest("x**3", at="x=2"))
>>> answer.to_json()["result"], answer.to_json()["value"]
('3*x**2', 12.0)
>>> derive(DeriveRequest(r"\\frac{1}{x}", syntax="latex")).to_json()["result"]
'-1/x**2'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..core.errors import EvaluationError, SymnumError
from ..core.render import result_json, result_latex, result_text
from .reading import plain, shapes_of
from .requests import DeriveRequest, RequestError, checked

if TYPE_CHECKING:
    from .implicit import ImplicitDeriveResult


@dataclass(frozen=True)
class DeriveResult:
    """An exact result with what was asked along: its ``value`` and ``notes`` at ``point``,
    the rule-by-rule ``steps`` or the computational ``graph``."""

    result: Any
    point: dict[str, Any] | None = None
    value: Any = None
    notes: tuple[str, ...] = ()
    steps: Any = None
    graph: Any = None
    exit_code: int = 0

    def to_json(self) -> dict[str, Any]:
        """The contract's JSON object (``expr``, ``wrt``, ``what``, ``result``, ...)."""
        data = product_json(self.result, self.value) if _product(self.result) else \
            result_json(self.result, self.value)
        if self.point is not None:
            data["value"] = None if self.value == "undefined" else self.value
            data["notes"] = list(self.notes)
        if self.graph is not None:
            from ..analysis.graph import graph_json
            data["graph"] = graph_json(self.graph, self.point)
        elif self.steps is not None:
            data["steps"] = self.steps.to_json()
        return data

    def latex(self) -> str:
        """The result (or its steps, or its graph) as LaTeX."""
        if self.graph is not None:
            from ..analysis.graph import graph_latex
            return graph_latex(self.graph, self.point)
        if self.steps is not None:
            return str(self.steps.latex())
        return self.result.latex() if _product(self.result) else result_latex(self.result)

    def text(self) -> str:
        """The result as a person reads it, with notes and steps."""
        if self.graph is not None:
            from ..analysis.graph import graph_text
            return graph_text(self.graph, self.point) + "".join(f"\nnote: {n}"
                                                                for n in self.notes)
        text = product_text(self.result, self.value, self.point) if _product(self.result) \
            else result_text(self.result, self.value, self.point)
        if self.point is not None and self.notes:
            text += "\n" + "\n".join(f"note: {n}" for n in self.notes)
        if self.steps is not None:
            text += ("\n\nsteps (each line is a true statement; [k] numbers the steps)\n\n"
                     + self.steps.text())
        return text


@dataclass(frozen=True)
class MatrixDeriveResult:
    """A matrix-calculus result, with its differential ``steps`` and its value on random
    matrices (``extra``: sizes, inputs, value) when sizes or a point were asked."""

    result: Any
    steps: Any = None
    extra: dict[str, Any] | None = None
    seed: int = 0
    exit_code: int = 0

    def to_json(self) -> dict[str, Any]:
        """The result's JSON with ``steps`` and the random value when asked."""
        from ..matrix.result import result_json as matrix_json
        data = matrix_json(self.result, self.extra or {})
        if self.steps is not None:
            data["steps"] = self.steps.to_json()
        return data

    def latex(self) -> str:
        """The result (or its steps) as LaTeX."""
        if self.steps is not None:
            return str(self.steps.latex())
        return str(self.result.latex())

    def text(self) -> str:
        """The result, its steps and its value on random matrices, as text."""
        text: str = self.result.text()
        if self.steps is not None:
            text += "\n\nsteps (each line is a true statement)\n\n" + self.steps.text()
        if self.extra:
            sizes = ", ".join(f"{k} = {v}" for k, v in self.extra["sizes"].items())
            text += (f"\n\non random matrices (seed {self.seed}, {sizes}):\n"
                     + "\n".join(f"  {k} = {v}" for k, v in self.extra["inputs"].items())
                     + f"\nvalue:\n  {self.extra['value']}")
        return text


def derive(request: DeriveRequest) -> DeriveResult | MatrixDeriveResult | ImplicitDeriveResult \
        | Any:
    """The exact derivative asked by ``request``, evaluated and explained as it asks."""
    from ..api import derive as exact
    from ..core.calculus import Result
    from ..core.evaluate import parse_point

    request = checked(request, DeriveRequest)
    if request.implicit is not None:
        from .implicit import derive_implicit
        return derive_implicit(request)
    from .implicit import refuse_equation
    refuse_equation(request.expr)
    if request.what == "taylor":
        return _taylor(request)
    expr = plain(request.expr, request.syntax, request.shapes)
    shapes = shapes_of(request.shapes, request.dims)
    result = exact(expr, request.wrt, request.what, request.order, shapes,
                   layout=request.layout, vector=request.vector)
    if not isinstance(result, Result):  # implicit and Taylor results went their own ways
        from ..matrix.result import MatrixResult  # (loaded only for one: numpy comes along)
        assert isinstance(result, MatrixResult)
        return _matrix(result, request)
    value, point, notes = None, None, []
    if request.at:
        from ..core.domain import point_notes
        from ..core.names import spelled_name
        point = parse_point(request.at)
        known = {s.name for s in result.function.expr.free_symbols} | set(result.function.wrt)
        direction: Any = getattr(result, "direction", None)  # of a product: v_x, v_y, ...
        known |= {s.name for s in direction.symbols} if direction is not None else set()
        point = {spelled_name(k, dict.fromkeys(known)): v for k, v in point.items()}
        unknown = sorted(set(point) - known)
        if unknown:
            raise SymnumError(f"{', '.join(unknown)} does not appear in the expression")
        if direction is not None:
            missing = [s.name for s in direction.symbols if s.name not in point]
            if missing:
                raise SymnumError(f"--at gives no value for the direction's {', '.join(missing)}"
                                  f": add them (like {missing[0]}=1), or give the direction as "
                                  "numbers with --vector, like --vector "
                                  + ",".join(["1"] + ["0"] * (len(direction.symbols) - 1)))
        notes = point_notes(result, point)
        try:
            value = _plain(result.at(point))
        except EvaluationError:
            if not notes:  # nothing explains it: the error is the answer
                raise
            value = "undefined"  # at a jump: the notes say why
    if request.steps == "graph":
        from ..analysis.graph import build_graph
        if result.function.is_vector:
            raise SymnumError("the backpropagation view (--steps graph) needs a scalar "
                              "function")
        graph = build_graph(result.function.expr, result.variables)
        return DeriveResult(result, point, value, tuple(notes), graph=graph)
    steps: Any = None
    if request.steps and _product(result):
        from ..higher.product_steps import product_steps
        steps = product_steps(result)  # type: ignore[arg-type]
    elif request.steps:
        from ..higher.route import higher_steps
        steps = higher_steps(result)  # a mixed partial: one stage per differentiation
        if steps is None:
            from ..steps import derivation
            steps = derivation(result)
    return DeriveResult(result, point, value, tuple(notes), steps)


def _product(result: Any) -> bool:
    """Whether ``result`` is a product with a direction (hvp, jvp, vjp)."""
    from ..higher.products import ProductResult
    return isinstance(result, ProductResult)


def product_text(result: Any, value: Any, point: Any) -> str:
    from ..higher.product_render import product_text as text
    return text(result, value, point)


def product_json(result: Any, value: Any) -> dict[str, Any]:
    from ..higher.product_render import product_json as data
    return data(result, value)
def _taylor(request: DeriveRequest) -> Any:
    """The Taylor polynomial about ``request.at`` (a ``TaylorResult``, rendering itself),
    with its derivation when ``steps`` asks."""
    from dataclasses import replace

    from ..api import derive as exact
    if request.shapes or request.dims:
        raise SymnumError("a Taylor polynomial needs scalar variables (no --shape, --dims)")
    if request.steps == "graph":
        raise SymnumError("--steps graph is for derivatives; use --steps for the Taylor "
                          "polynomial's derivation")
    from ..higher.taylor import TaylorResult
    result = exact(plain(request.expr, request.syntax), request.wrt, "taylor", request.order,
                   at=request.at)
    assert isinstance(result, TaylorResult)
    if request.steps:
        from ..higher.taylor_steps import taylor_steps
        result = replace(result, steps=taylor_steps(result))
    return result


def _matrix(result: Any, request: DeriveRequest) -> MatrixDeriveResult:
    from ..matrix.result import default_sizes, parse_sizes, random_value

    steps = None
    if request.steps == "graph":
        raise SymnumError("--steps graph needs scalar variables; use --steps for the "
                          "differential derivation of a matrix derivative")
    if request.steps:
        from ..matrix.derivation import matrix_derivation
        steps = matrix_derivation(result)
    extra = None
    if request.dims or request.at:
        from ..core.evaluate import parse_point
        sizes = parse_sizes(request.dims, result.function) if request.dims else \
            default_sizes(result.function)
        scalars = parse_point(request.at) if request.at else None
        extra = random_value(result, sizes, request.seed, scalars)
    return MatrixDeriveResult(result, steps, extra, request.seed)


def _plain(value: object) -> object:
    """A value as JSON and the text show it: floats as they are, complex numbers the way
    sympify reads them (1.5 - 0.5*I), numbers beyond float64 as text."""
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, complex):
        return f"{value.real:.17g} {'-' if value.imag < 0 else '+'} {abs(value.imag):.17g}*I"
    return value if isinstance(value, float) else str(value)


def dims_of(text: str) -> dict[str, int]:
    """``n=3,m=2`` as {"n": 3, "m": 2} (checked against the shapes later).

    >>> dims_of("n=3, m=2")
    {'n': 3, 'm': 2}
    """
    sizes = {}
    for item in [p for p in text.replace(",", " ").split() if p]:
        name, _, value = item.partition("=")
        if not value.isdigit():
            raise RequestError(f"--dims {item!r}: give sizes like n=3,m=2")
        sizes[name] = int(value[:6])
    return sizes
