"""A hash-consed expression graph: every distinct subexpression is one node, built once.

Nodes are small integers, numbered in the order they are made, so a node's children always
have smaller numbers (the numbering is a topological order). Constants are exact
(:class:`fractions.Fraction`). Making a node folds constants and drops the neutral elements
(x + 0, x·1, x·0, x^1), so derivatives that vanish cost nothing.

This is what CasADi's SX graph is to its users: plain Python ints and tuples instead of
SymPy objects, about 1 µs a node instead of tens (SymPy builds, sorts and hashes each tree).

>>> g = Graph()
>>> x, y = g.var("x"), g.var("y")
>>> e = g.mul(g.add(x, y), g.add(y, x))  # x + y is one node, however it is written
>>> g.add(x, y) == g.add(y, x), g.mul(x, g.const(0)) == g.const(0)
(True, True)
>>> g.text(g.pow(e, 2))
'((x + y)*(x + y))**2'
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from fractions import Fraction
from typing import Any

from .ops import ADD, CONST, MUL, POW, UNARY, VAR

Key = tuple


class _Sealed(dict):
    """The index of a sealed graph: every lookup refuses."""

    def get(self, key: object, default: object = None) -> object:
        raise RuntimeError("this graph is sealed: it makes no new nodes")


@contextmanager
def paused_gc() -> Iterator[None]:
    """Python's cycle collector off while a graph or program is built: it would scan the
    million new tuples again and again (a third of the time at 161 parameters) for cycles
    that plain ints and tuples cannot form."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            _settle()
            gc.enable()


def _settle() -> None:
    """Move the objects made while the collector was off into its oldest generation, as
    :func:`gc.freeze` then :func:`gc.unfreeze` do: otherwise the first allocation after
    ``gc.enable()`` scans them all as young objects (0.15 s for a program of 500,000 steps),
    only to promote them. Skipped where the process keeps objects frozen itself."""
    if gc.get_freeze_count() == 0:
        gc.freeze()
        gc.unfreeze()


class Graph:
    """Nodes of an expression DAG: ``ops[n]``, ``args[n]`` (children) and ``data[n]`` (a
    constant's value, a variable's name, a power's exponent)."""

    zero: int
    one: int
    minus_one: int

    def __init__(self) -> None:
        self.ops: list[int] = []
        self.args: list[tuple[int, ...]] = []
        self.data: list[Any] = []  # Fraction, str or None
        self._index: dict[Key, int] = {}
        self._muls: dict[tuple[int, int], int] = {}  # a product's children → it (shared)
        self._products: dict[tuple[int, int], int] = {}
        self.zero = self.const(0)
        self.one = self.const(1)
        self.minus_one = self.const(-1)

    def __len__(self) -> int:
        return len(self.ops)

    def _node(self, key: Key, op: int, args: tuple[int, ...], data: object = None) -> int:
        found = self._index.get(key)
        if found is not None:
            return found
        n = len(self.ops)
        self.ops.append(op)
        self.args.append(args)
        self.data.append(data)
        self._index[key] = n
        return n

    def seal(self) -> None:
        """Drop the index that finds a node by its parts: a graph that will make no more
        nodes keeps a third less memory (making a node after this raises)."""
        self._index = _Sealed()
        self._muls = _Sealed()
        self._products = _Sealed()

    # -- leaves ------------------------------------------------------------------------
    def const(self, value: int | Fraction) -> int:
        value = Fraction(value)
        return self._node((CONST, value), CONST, (), value)

    def var(self, name: str) -> int:
        return self._node((VAR, name), VAR, (), name)

    def value(self, n: int) -> Fraction | None:
        """The constant at ``n``, or None."""
        return self.data[n] if self.ops[n] == CONST else None

    # -- operations (folding constants and neutral elements) ---------------------------
    def add(self, a: int, b: int) -> int:
        return self.sum((a, b))

    def sum(self, terms: Sequence[int]) -> int:
        """One node for a sum of any number of terms (constants folded into one term)."""
        ops = self.ops
        kept = [t for t in terms if ops[t] != CONST]
        if len(kept) < len(terms):
            c = sum((self.data[t] for t in terms if ops[t] == CONST), Fraction(0))
            if c != 0:
                kept.append(self.const(c))
        if len(kept) < 2:
            return kept[0] if kept else self.zero
        kept.sort()
        key = (ADD, *kept)
        found = self._index.get(key)
        if found is not None:
            return found
        return self._new(key, ADD, key[1:])

    def mul(self, a: int, b: int) -> int:
        ops = self.ops
        if ops[a] == CONST or ops[b] == CONST:
            return self._scale(a, b) if ops[a] == CONST else self._scale(b, a)
        key = (a, b) if a < b else (b, a)
        found = self._muls.get(key)
        if found is not None:
            return found
        return self._product(key)

    def _scale(self, c: int, b: int) -> int:
        """The constant node ``c`` times ``b``; a product keeps its constant first."""
        ops = self.ops
        if ops[b] == CONST:
            return self._times(c, b)
        if c == self.zero:
            return c
        if c == self.one:
            return b
        if ops[b] == MUL and ops[self.args[b][0]] == CONST:  # c·(d·x) = (c·d)·x
            inner, rest = self.args[b]
            return self._scale(self._times(c, inner), rest)
        key = (c, b)
        found = self._muls.get(key)
        if found is not None:
            return found
        return self._product(key)

    def _times(self, c: int, d: int) -> int:
        """The constant c·d (remembered: Fraction arithmetic costs microseconds)."""
        pair = (c, d) if c < d else (d, c)
        found = self._products.get(pair)
        if found is None:
            found = self._products[pair] = self.const(self.data[c] * self.data[d])
        return found

    def _new(self, key: Key, op: int, args: tuple[int, ...]) -> int:
        n = len(self.ops)
        self.ops.append(op)
        self.args.append(args)
        self.data.append(None)
        self._index[key] = n
        return n

    def _product(self, key: tuple[int, int]) -> int:
        """A new product node whose children are ``key``: the index's key is its args (one
        tuple a product, not two)."""
        n = self._muls[key] = len(self.ops)
        self.ops.append(MUL)
        self.args.append(key)
        self.data.append(None)
        return n

    def neg(self, a: int) -> int:
        return self.mul(self.minus_one, a)

    def sub(self, a: int, b: int) -> int:
        return self.add(a, self.neg(b))

    def pow(self, a: int, k: int | Fraction) -> int:
        """``a`` to the constant power ``k``."""
        k = Fraction(k)
        if k == 1:
            return a
        if k == 0:
            return self.one
        c = self.value(a)
        if c is not None and k.denominator == 1 and (c != 0 or k > 0):
            return self.const(c ** int(k))
        if self.ops[a] == POW and k.denominator == 1:  # (x^j)^k = x^(j·k) for an integer k
            (base,) = self.args[a]
            return self.pow(base, self.data[a] * k)
        return self._node((POW, a, k), POW, (a,), k)

    def div(self, a: int, b: int) -> int:
        return self.mul(a, self.pow(b, -1))

    def apply(self, op: int, a: int) -> int:
        """A function of one argument (an op of :data:`~symnum.core.dag.ops.UNARY`)."""
        return self._node((op, a), op, (a,))

    # -- reading -----------------------------------------------------------------------
    def text(self, n: int) -> str:
        """Plain text of the tree under ``n`` (shared nodes written out: small graphs only)."""
        op, args = self.ops[n], self.args[n]
        if op == CONST:
            return str(self.data[n])
        if op == VAR:
            return str(self.data[n])
        if op == ADD:
            return "(" + " + ".join(self.text(a) for a in args) + ")"
        if op == MUL:
            return f"{self.text(args[0])}*{self.text(args[1])}"
        if op == POW:
            return f"({self.text(args[0])})**{self.data[n]}"
        return f"{UNARY[op].name}({self.text(args[0])})"
