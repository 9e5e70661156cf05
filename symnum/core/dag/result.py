"""Big gradients, Jacobians and Hessians derived on the graph, with SymPy only for reading.

:func:`graph_derive` reads plain text straight into the graph (:mod:`.text`), differentiates
there (:mod:`.differentiate`) and returns a :class:`GraphResult`: a
:class:`~symnum.core.fast.FastResult` whose printable symengine form and whose
:class:`~symnum.core.function.Function` (the SymPy parse of the text) are built the first
time someone reads them. A kernel is compiled from the graph itself
(:mod:`symnum.kernels.graph_program`), so deriving and evaluating a 161-parameter network's
Hessian never builds a SymPy object.

>>> text = " + ".join(f"tanh(w{i}*x{i})**2" for i in range(120))
>>> r = graph_derive(text, [f"w{i}" for i in range(40)], "hessian")
>>> r.shape, r.kind, str(r.matrix[0, 1])
((40, 40), 'hessian', '0')
>>> import sympy
>>> w0, x0 = sympy.symbols("w0 x0", real=True)
>>> sympy.simplify(r.expanded()[0, 0] - sympy.diff(sympy.tanh(w0*x0)**2, w0, 2))
0
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from ..fast import DAG_MIN_VARIABLES, FastResult, NativeForm
from ..function import Function
from .convert import to_native
from .differentiate import gradient, hessian, jacobian
from .functions import ensure
from .graph import Graph, paused_gc
from .text import read

MIN_TEXT = 2_000  # characters: below this SymPy's own route is fast and prints simpler forms
KINDS = ("gradient", "hessian")


class LazyFunction(Function):
    """The :class:`Function` of a text, parsed by SymPy the first time anything but its
    source, names and shapes is read."""

    def __init__(self, text: str, names: tuple[str, ...]) -> None:  # noqa: D107
        self.__dict__.update(source=text, wrt=names, shapes={})

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        real = Function(self.source, wrt=list(self.wrt))
        self.__dict__.update(real.__dict__)
        return getattr(real, name)


class GraphResult(FastResult):
    """A gradient or Hessian held as graph nodes; see the module docstring."""

    graph: Graph
    graph_entries: list[int]  # row-major, one node per entry
    graph_inputs: list[int]  # the variables' nodes, in order
    graph_names: dict[str, int]  # every name in the text (variables and parameters)

    def __init__(self, kind: str, function: Function, graph: Graph, entries: list[int],
                 inputs: list[int], shape: tuple[int, int], names: dict[str, int]) -> None:
        for key, value in (("kind", kind), ("function", function), ("order", 1),
                           ("graph_names", names),
                           ("graph", graph), ("graph_entries", entries),
                           ("graph_inputs", inputs), ("_layout", shape)):
            object.__setattr__(self, key, value)

    @property
    def graph_complete(self) -> bool:
        """Whether the variables are all the names the text holds (no parameters)."""
        return len(self.graph_inputs) == len(self.graph_names)

    @cached_property
    def native(self) -> NativeForm:  # type: ignore[override]
        """The printable symengine form: a node used twice or more is a definition."""
        import symengine as se
        import sympy

        from ..calculus import definition_prefix
        names = sorted(self.graph_names)
        inner = {name: se.Symbol(f"u{i}") for i, name in enumerate(names)}
        unique = list(dict.fromkeys(self.graph_entries))
        definitions, values = to_native(self.graph, unique, inner, prefix="x")
        by_node = dict(zip(unique, values, strict=True))
        prefix = definition_prefix(self.function, sympy.ImmutableMatrix([]))
        symbols = {s.name: s for s in self.function.expr.free_symbols}
        mapping = {inner[n]: symbols[n] for n in names}
        mapping.update({k: sympy.Symbol(f"{prefix}{i}", real=True)
                        for i, (k, _) in enumerate(definitions, 1)})
        return NativeForm(tuple(definitions), tuple(by_node[e] for e in self.graph_entries),
                          mapping, ())

    def expr_ops(self) -> int:
        return len(self.graph)  # big: a kernel is compiled from the graph, never expanded


def graph_derive(text: str, wrt: list[str] | None, what: str | None) -> GraphResult | None:
    """The gradient or Hessian of plain ``text`` derived on the graph, or None where SymPy's
    route applies (small or unreadable text, another kind, a name not in the text)."""
    if len(text) < MIN_TEXT or what not in KINDS:
        return None
    ensure()
    with paused_gc():
        return _derive(text, wrt, what)


def _derive(text: str, wrt: list[str] | None, what: str) -> GraphResult | None:
    g = Graph()
    found = read(g, text)
    if found is None:
        return None
    root, names = found
    order = sorted(names) if wrt is None else wrt
    if what == "hessian" and len(order) < DAG_MIN_VARIABLES:
        return None
    if any(n not in names for n in order) or len(set(order)) != len(order):
        return None  # the parser's own checks and messages
    xs = [names[n] for n in order]
    f = LazyFunction(text, tuple(order))
    n = len(xs)
    if what == "gradient":
        return GraphResult("gradient", f, g, gradient(g, root, xs), xs, (n, 1),
                           names)
    rows = hessian(g, root, xs)
    return GraphResult("hessian", f, g, [e for row in rows for e in row], xs, (n, n),
                       names)


__all__ = ["GraphResult", "LazyFunction", "graph_derive", "jacobian"]
