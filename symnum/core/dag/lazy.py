"""Plain text derived on the graph without SymPy: :func:`graph_derive` reads the text
straight into the graph (:mod:`.text`), differentiates there and returns a
:class:`~symnum.core.dag.result.GraphResult` whose :class:`~symnum.core.function.Function`
is a :class:`LazyFunction`, the SymPy parse of the text made the first time it is read.

>>> text = " + ".join(f"tanh(w{i}*x{i})**2" for i in range(120))
>>> r = graph_derive(text, [f"w{i}" for i in range(40)], "hessian")
>>> r.shape, "expr" in r.function.__dict__  # derived, and SymPy has not read the text
((40, 40), False)
>>> str(r.function.expr)[:20]
'tanh(w0*x0)**2 + tan'
"""

from __future__ import annotations

import importlib
from typing import Any

from ..fast import DAG_MIN_VARIABLES
from ..function import Function
from .functions import ensure
from .graph import Graph, paused_gc
from .result import KINDS, GraphResult, derived
from .text import read

MIN_TEXT = 2_000  # characters: below this SymPy's own route is fast and prints simpler forms


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


def graph_derive(text: str, wrt: list[str] | None, what: str | None) -> GraphResult | None:
    """The gradient or Hessian of plain ``text`` derived on the graph, or None where SymPy's
    route applies (small or unreadable text, another kind, a name not in the text)."""
    parsing = importlib.import_module("symnum.core.parse")  # its MAX_LENGTH, as now set
    if not MIN_TEXT <= len(text) <= parsing.MAX_LENGTH or what not in KINDS:
        return None  # short: SymPy's route; too long: the parser's own refusal
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
    return derived(what, LazyFunction(text, tuple(order)), g, root, xs, names)


__all__ = ["LazyFunction", "graph_derive"]
