"""Big gradients and Hessians held on the graph, with SymPy only for reading.

A :class:`GraphResult` is a :class:`~symnum.core.fast.FastResult` whose printable symengine
form is made from the graph the first time someone reads it. :func:`graph_result` derives
one from a :class:`~symnum.core.function.Function` (its SymPy expression read into the
graph); :func:`symnum.core.dag.lazy.graph_derive` from plain text without SymPy at all. A
kernel is compiled from the graph itself (:mod:`symnum.kernels.graph_program`).

>>> from symnum.core.function import Function
>>> names = [f"w{i}" for i in range(40)]
>>> f = Function(" + ".join(f"tanh(w{i}*x{i})**2" for i in range(120)), wrt=names)
>>> r = graph_result(f, "hessian")
>>> r.shape, r.kind, str(r.matrix[0, 1])
((40, 40), 'hessian', '0')
>>> import sympy
>>> w0, x0 = sympy.symbols("w0 x0", real=True)
>>> sympy.simplify(r.expanded()[0, 0] - sympy.diff(sympy.tanh(w0*x0)**2, w0, 2))
0
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from ..fast import FastResult, NativeForm
from .convert import to_native
from .differentiate import gradient, hessian, jacobian
from .functions import ensure
from .graph import Graph, paused_gc

KINDS = ("gradient", "hessian")

if TYPE_CHECKING:
    from ..function import Function


class GraphResult(FastResult):
    """A gradient or Hessian held as graph nodes; see the module docstring."""

    graph: Graph
    graph_root: int  # the function's node
    graph_entries: list[int]  # row-major, one node per entry
    graph_inputs: list[int]  # the variables' nodes, in order
    graph_names: dict[str, int]  # every name in the text (variables and parameters)

    def __init__(self, kind: str, function: Function, graph: Graph, root: int,
                 entries: list[int], inputs: list[int], shape: tuple[int, int],
                 names: dict[str, int]) -> None:
        for key, value in (("kind", kind), ("function", function), ("order", 1),
                           ("graph_root", root),
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

        from ..calculus import DEFINITION_PREFIXES
        names = sorted(self.graph_names)
        inner = {name: se.Symbol(f"u{i}") for i, name in enumerate(names)}
        unique = list(dict.fromkeys(self.graph_entries))
        definitions, values = to_native(self.graph, unique, inner, prefix="x")
        by_node = dict(zip(unique, values, strict=True))
        _, (function,) = to_native(self.graph, [self.graph_root], inner, share=False)
        prefix = next(p for p in (p * k for k in range(1, 9) for p in DEFINITION_PREFIXES)
                      if not any(n.startswith(p) and n[len(p):].isdigit() for n in names))
        mapping = {inner[n]: sympy.Symbol(n, real=True) for n in names}  # as parse makes them
        mapping.update({k: sympy.Symbol(f"{prefix}{i}", real=True)
                        for i, (k, _) in enumerate(definitions, 1)})
        return NativeForm(tuple(definitions), tuple(by_node[e] for e in self.graph_entries),
                          mapping, (function,))

    @property
    def variables(self) -> tuple:  # type: ignore[override]
        """The variables as the parser makes them (real symbols), without parsing the text."""
        import sympy
        return tuple(sympy.Symbol(name, real=True) for name in self.wrt_names)

    @property
    def wrt_names(self) -> list[str]:
        """The variables' names (the JSON's wrt), without parsing the text."""
        return [self.graph.data[n] for n in self.graph_inputs]

    def expr_ops(self) -> int:
        """Operations in the entries written out (every shared node counted where used)."""
        from ..dag.differentiate import cone
        size: dict[int, int] = {}
        args = self.graph.args
        for n in cone(self.graph, list(set(self.graph_entries))):
            kids = args[n]
            size[n] = max(0, len(kids) - 1) + sum(size[c] for c in kids) if kids else 0
        return sum(size[e] for e in self.graph_entries)


def graph_result(f: Function, kind: str) -> GraphResult | None:
    """The gradient or Hessian of a :class:`Function` (its SymPy expression read into the
    graph), or None where the graph does not hold the expression."""
    import sympy

    from .convert import NotInGraph, from_sympy
    if kind not in KINDS or f.is_vector or f.is_matrix_calculus:
        return None
    symbols = f.expr.free_symbols | set(f.variables)
    if len({s.name for s in symbols}) != len(symbols) or \
            not all(isinstance(s, sympy.Symbol) for s in symbols):
        return None
    ensure()
    with paused_gc():
        g = Graph()
        names: dict = {}
        try:
            root = from_sympy(g, f.expr, names)
        except NotInGraph:
            return None
        xs = [names[v] if v in names else g.var(v.name) for v in f.variables]
        return derived(kind, f, g, root, xs, {s.name: node for s, node in names.items()})


def derived(kind: str, f: Function, g: Graph, root: int, xs: list[int],
            names: dict[str, int]) -> GraphResult:
    """The gradient or Hessian of ``root`` along ``xs`` in ``g``, which is then sealed (the
    index that made it is not needed to read or compile it)."""
    n = len(xs)
    if kind == "gradient":
        entries, shape = gradient(g, root, xs), (n, 1)
    else:
        entries, shape = [e for row in hessian(g, root, xs) for e in row], (n, n)
    g.seal()
    return GraphResult(kind, f, g, root, entries, xs, shape, names)


__all__ = ["GraphResult", "derived", "graph_result", "jacobian"]
