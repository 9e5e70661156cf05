"""Reading graph nodes (:mod:`symnum.core.dag`) the way :mod:`symnum.kernels.program` reads
symengine ones: each node as a SymPy *kind* (the key of the backend tables), its children and
a detail (a power's exponent, a sum's term signs, a number's value).

A kernel of a :class:`~symnum.core.dag.result.GraphResult` is compiled from its graph with
this reader, so it shares every subexpression the derivative engine shared and builds no
SymPy or symengine expression on the way.

>>> from symnum.core.dag.graph import Graph
>>> g = Graph()
>>> x, y = g.var("x"), g.var("y")
>>> reader = GraphReader(g)
>>> node = reader(g.sub(x, y))
>>> node.kind.__name__, node.detail
('Add', (False, True))
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sympy

from ..core.dag.ops import ADD, CONST, MUL, POW, UNARY, VAR
from .native_nodes import Node

if TYPE_CHECKING:
    from ..core.dag.graph import Graph

class GraphReader:
    """Calls as ``reader(node)`` → :class:`~symnum.kernels.native_nodes.Node`."""

    def __init__(self, g: Graph) -> None:
        self.g = g
        self.minus_one = g.minus_one

    def __call__(self, n: int) -> Node:
        g = self.g
        op = g.ops[n]
        if op == CONST:
            value = g.data[n]
            return Node("number", (), sympy.Rational(value.numerator, value.denominator))
        if op == VAR:
            return Node("symbol", ())
        args = g.args[n]
        if op == ADD:
            children, signs = [], []
            for a in args:
                negated = g.ops[a] == MUL and g.args[a][0] == self.minus_one
                children.append(g.args[a][1] if negated else a)
                signs.append(negated)
            return Node(sympy.Add, tuple(children), tuple(signs))
        if op == MUL:
            return Node(sympy.Mul, args)
        if op == POW:
            k = g.data[n]
            return Node(sympy.Pow, args, sympy.Rational(k.numerator, k.denominator))
        return Node(UNARY[op].sympy, args)
