"""The graph's operations: the op codes, and the table of functions of one argument
(:data:`UNARY`), which :func:`symnum.core.dag.functions.ensure` fills from the function
registry.

>>> from symnum.core.dag.functions import ensure
>>> from symnum.core.dag.graph import Graph
>>> ensure()
>>> g = Graph()
>>> x = g.var("x")
>>> t = g.apply(BY_NAME["tanh"], x)
>>> g.text(UNARY[BY_NAME["tanh"]].partial(g, x))  # 1 − tanh(x)², from the record's text
'(1 + -1*(tanh(x))**2)'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .graph import Graph

CONST, VAR, ADD, MUL, POW = 0, 1, 2, 3, 4
FIRST = 10  # op codes of the functions: FIRST, FIRST + 1, ... in registry order


@dataclass
class Unary:
    """f(a): ``names`` as the parser reads them, ``sympy`` the class, ``formula`` f′(u)."""

    name: str
    names: tuple[str, ...]
    sympy: type
    formula: str
    template: tuple[tuple[int, tuple[int, ...], object], ...] = ()  # f′(u), node by node

    def partial(self, g: Graph, a: int) -> int:
        """The node of f′(a): the formula's nodes made again in ``g`` with u = a."""
        made: list[int] = []
        for op, args, data in self.template:
            kids = [made[k] for k in args]
            if op == VAR:
                made.append(a)
            elif op == CONST:
                made.append(g.const(data))  # type: ignore[arg-type]
            elif op == ADD:
                made.append(g.sum(kids))
            elif op == MUL:
                made.append(g.mul(kids[0], kids[1]))
            elif op == POW:
                made.append(g.pow(kids[0], data))  # type: ignore[arg-type]
            else:
                made.append(g.apply(op, kids[0]))
        return made[-1]


UNARY: dict[int, Unary] = {}
BY_NAME: dict[str, int] = {}  # every plain name of each function (tanh, arcsin, ln, ...)
