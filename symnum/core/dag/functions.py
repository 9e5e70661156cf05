"""The engine's functions, made from the function registry (:mod:`symnum.core.registry`):
every record whose SymPy class is built from one argument, smooth, and whose derivative
formula reads in the graph (rational numbers, + − * / ^ and functions of this same table)
becomes an op of :data:`~symnum.core.dag.ops.UNARY`, with that formula as its rule. Adding a
record to the registry adds it to the engine.

>>> ensure()
>>> from symnum.core.dag.ops import BY_NAME
>>> "erf" in BY_NAME, "sinh" in BY_NAME, "arcsin" in BY_NAME  # erf′ holds π: not rational
(False, True, True)
"""

from __future__ import annotations

from .graph import Graph
from .ops import BY_NAME, FIRST, UNARY, Unary
from .text import read

ARGUMENT = "u"  # the records' name for the argument in their derivative formulas


def _candidates() -> list[Unary]:
    import sympy

    from ..registry.lookup import records
    found = []
    for r in records():
        if r.sympy is None or r.build is not None or r.arity[0] != 1 or r.kink \
                or not r.derivative or not r.derivative[0] or not r.parsed:
            continue
        if not isinstance(r.sympy(sympy.Symbol("t")), r.sympy):
            continue
        names = tuple(n for n in r.names if n.isascii())
        found.append(Unary(r.name, names, r.sympy, r.derivative[0]))
    return found


def _load() -> None:
    """Fill :data:`UNARY` and :data:`BY_NAME`: the candidates whose formulas read in the
    graph using only each other (dropping any that do not, until none is dropped)."""
    rows = _candidates()
    while True:
        UNARY.clear()
        BY_NAME.clear()
        for i, row in enumerate(rows):
            UNARY[FIRST + i] = row
            BY_NAME.update(dict.fromkeys(row.names, FIRST + i))
        kept = []
        for row in UNARY.values():
            g = Graph()
            found = read(g, row.formula)
            if found is None or set(found[1]) - {ARGUMENT}:
                continue
            root, _ = found
            row.template = tuple((g.ops[n], g.args[n], g.data[n])
                                 for n in range(root + 1))
            kept.append(row)
        if len(kept) == len(rows):
            return
        rows = kept  # op codes change: read the kept formulas again


_loaded = [-1]  # the registry generation the table was made from


def ensure() -> None:
    """Make the table (again, if records were added to the registry since)."""
    from ..registry.lookup import generation
    if _loaded[0] != generation():
        _load()
        _loaded[0] = generation()
