"""SymPy → graph, and graph → symengine (for what a person reads).

:func:`from_sympy` reads the part of SymPy the engine differentiates (sums, products,
rational powers, the functions of :data:`~symnum.core.dag.ops.ROWS`, symbols and rational
numbers) and raises :class:`NotInGraph` for anything else, so the caller takes SymPy's route.
:func:`to_native` writes nodes back as symengine objects, naming each node used more than
once as a definition (what cse would find, without searching for it).

>>> import sympy
>>> from symnum.core.dag.graph import Graph
>>> g = Graph()
>>> x = sympy.Symbol("x")
>>> n = from_sympy(g, sympy.tanh(x)**2 + 3*x, {})
>>> g.text(n)
'(3*x + (tanh(x))**2)'
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import sympy

from .functions import ensure
from .graph import Graph
from .ops import ADD, BY_NAME, CONST, MUL, POW, UNARY, VAR

MAX_INLINE = 12  # operations: a bigger subexpression is named as a definition


class NotInGraph(Exception):
    """The expression holds something the graph engine does not differentiate."""


def from_sympy(g: Graph, expr: sympy.Basic, names: dict[sympy.Symbol, int]) -> int:
    """The node of ``expr``; ``names`` maps SymPy symbols to their variable nodes (new
    symbols are added to it). Iterative: deep sums do not overflow the stack."""
    ensure()
    classes = {row.sympy: op for op, row in UNARY.items()}
    done: dict[sympy.Basic, int] = {}
    stack: list[tuple[sympy.Basic, bool]] = [(expr, False)]
    while stack:
        e, ready = stack.pop()
        if e in done:
            continue
        if e.is_Symbol:
            if e not in names:
                names[e] = g.var(e.name)
            done[e] = names[e]
            continue
        if e.is_Rational:
            done[e] = g.const(Fraction(int(e.p), int(e.q)))
            continue
        if not ready:
            stack.append((e, True))
            stack.extend((a, False) for a in e.args if a not in done)
            continue
        done[e] = _node(g, e, [done.get(a, -1) for a in e.args], classes)
    return done[expr]


def _node(g: Graph, e: sympy.Basic, kids: list[int], classes: dict[type, int]) -> int:
    if isinstance(e, sympy.Add):
        return g.sum(kids)
    if isinstance(e, sympy.Mul):
        total = kids[0]
        for k in kids[1:]:
            total = g.mul(total, k)
        return total
    if isinstance(e, sympy.Pow):
        exponent = e.args[1]
        if exponent.is_Rational:
            return g.pow(kids[0], Fraction(int(exponent.p), int(exponent.q)))
        if e.args[0] == sympy.E:
            return g.apply(BY_NAME["exp"], kids[1])
        raise NotInGraph(f"a power with exponent {exponent}")
    if isinstance(e, sympy.exp):
        return g.apply(BY_NAME["exp"], kids[0])
    op = classes.get(type(e))
    if op is not None and len(kids) == 1:
        return g.apply(op, kids[0])
    raise NotInGraph(f"{type(e).__name__} is not in the graph engine")


def uses(g: Graph, roots: list[int]) -> tuple[list[int], dict[int, int]]:
    """(the nodes under ``roots`` in topological order, how many parents each has there)."""
    from .differentiate import cone
    order = cone(g, roots)
    count: dict[int, int] = dict.fromkeys(order, 0)
    for n in order:
        for c in g.args[n]:
            count[c] += 1
    for r in roots:
        count[r] = count.get(r, 0) + 1
    return order, count


def to_native(g: Graph, roots: list[int], symbols: dict[str, Any], prefix: str = "w",
              share: bool = True) -> tuple[list[tuple[Any, Any]], list[Any]]:
    """(definitions, one symengine expression per root): a node used twice or more that is
    not a leaf, a negation or a product with a constant becomes a definition
    ``prefix<k>``. ``symbols``: the symengine symbol of each variable name. ``share=False``:
    no definitions, every tree written out (the function as the user wrote it)."""
    import symengine as se
    order, count = uses(g, roots)
    root_set = set(roots)
    value: dict[int, Any] = {}
    size: dict[int, int] = {}  # operations written out under each node (1: a name)
    definitions: list[tuple[Any, Any]] = []
    ops, args, data = g.ops, g.args, g.data
    for n in order:
        op = ops[n]
        if op == CONST:
            value[n] = se.Rational(data[n].numerator, data[n].denominator)
            size[n] = 1
            continue
        if op == VAR:
            value[n] = symbols[data[n]]
            size[n] = 1
            continue
        kids = [value[c] for c in args[n]]
        if op == ADD:
            v = se.Add(*kids)
        elif op == MUL:
            v = kids[0] * kids[1]
        elif op == POW:
            k = data[n]
            v = kids[0] ** se.Rational(k.numerator, k.denominator)
        else:
            v = _function(se, op)(kids[0])
        size[n] = 1 + sum(size[c] for c in args[n])
        scaled = op == MUL and ops[args[n][0]] == CONST
        inside = count[n] - (n in root_set)  # uses inside other nodes (a root prints itself)
        if share and ((count[n] > 1 and inside and not scaled)
                      or (size[n] > MAX_INLINE and n not in root_set)):
            name = se.Symbol(f"{prefix}{len(definitions) + 1}")
            definitions.append((name, v))
            v, size[n] = name, 1
        value[n] = v
    return definitions, [value[r] for r in roots]


def _function(se: Any, op: int) -> Any:
    """symengine's function for ``op`` (its class name; else SymPy's class, converted)."""
    cls = UNARY[op].sympy
    found = getattr(se, cls.__name__, None)
    if found is not None:
        return found
    t = sympy.Dummy("t")
    template, symbol = se.sympify(cls(t)), se.sympify(t)
    return lambda a: template.xreplace({symbol: a})
