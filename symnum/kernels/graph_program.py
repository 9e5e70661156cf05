"""A :class:`~symnum.kernels.program.Program` made straight from graph nodes.

The graph (:mod:`symnum.core.dag`) already holds every subexpression once, numbered in a
topological order, so the program is one pass over the nodes the outputs need: no tree walk,
no search for shared parts, one step per node, the operation of each kind of step made once
and shared. For a 61-parameter MLP Hessian (26,000 nodes) that is a few hundredths of a
second; the generic compiler reading the same nodes took about 20 times as long.

>>> from symnum.core.dag.graph import Graph
>>> g = Graph()
>>> x, y = g.var("x"), g.var("y")
>>> p = graph_program(g, [g.sub(g.mul(x, y), x)], [x, y], "numpy", ["x", "y"])
>>> float(p.run(3.0, 2.0)[0]), p.ops[-1][1]
(3.0, (False, True))
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import sympy

from ..core.dag.graph import paused_gc
from ..core.dag.ops import ADD, CONST, MUL, POW, UNARY, VAR
from .backends import table
from .native_nodes import NotNative
from .program import Program, _power, _power_into, _signed_sum, _signed_sum_into

if TYPE_CHECKING:
    from ..core.dag.graph import Graph


def needed(g: Graph, roots: Sequence[int]) -> list[int]:
    """The nodes under ``roots``, in increasing order (one pass down the numbering)."""
    top = max(roots, default=-1)
    mark = bytearray(top + 1)
    for r in roots:
        mark[r] = 1
    args = g.args
    for n in range(top, -1, -1):
        if mark[n]:
            for c in args[n]:
                mark[c] = 1
    return [n for n in range(top + 1) if mark[n]]


def graph_program(g: Graph, outputs: Sequence[int], inputs: Sequence[int], backend: str,
                  names: Sequence[str]) -> Program:
    """The program computing ``outputs`` (nodes) from one value per input node; a node C or
    the backend cannot compute raises :class:`NotNative`."""
    b = table(backend)
    p = Program.__new__(Program)
    p.backend, p.inputs, p.names = b, tuple(inputs), tuple(names)
    p._read = None
    steps: list[tuple[Callable, tuple[int, ...]]] = []
    into: list[Callable | None] = []
    kinds: list[tuple[object, object]] = []
    order = needed(g, outputs)
    slot = [-1] * (order[-1] + 1 if order else 0)  # node → its value's index
    for i, n in enumerate(inputs):
        if n < len(slot):
            slot[n] = i
    made: dict[tuple, tuple[Callable, Callable | None, tuple]] = {}  # one per kind of step
    first = len(inputs)
    ops, args, data, minus_one = g.ops, g.args, g.data, g.minus_one
    at = slot.__getitem__
    negated = bytearray(len(slot))  # the nodes −1·x: a sum subtracts x instead
    for n in order:
        if ops[n] == MUL and args[n][0] == minus_one:
            negated[n] = 1
    product = made[(MUL,)] = _step(b, (MUL,))
    step, write, kind = steps.append, into.append, kinds.append
    with paused_gc():
        for n in order:
            if slot[n] >= 0:
                continue
            op = ops[n]
            children = args[n]
            if op == MUL:
                found = product
            elif op == ADD:
                signs = tuple([negated[a] for a in children])
                if 1 in signs:
                    children = tuple([args[a][1] if s else a
                                      for a, s in zip(children, signs, strict=True)])
                key: tuple = (op, signs)
                found = made.get(key) or made.setdefault(key, _step(b, (op, tuple(
                    map(bool, signs)))))
            elif op == VAR:
                raise NotNative(f"no input for {data[n]}")
            else:
                key = (op, data[n]) if op == CONST or op == POW else (op,)
                found = made.get(key) or made.setdefault(key, _step(b, key))
            slot[n] = first + len(steps)
            step((found[0], tuple(map(at, children))))
            write(found[1])
            kind(found[2])
    p.steps, p.into, p.ops = steps, into, kinds
    p.slots = {}
    p.outputs = [slot[o] for o in outputs]
    with paused_gc():
        p._release = _last_uses(steps, first, p.outputs)
    return p


def _last_uses(steps: list[tuple[Callable, tuple[int, ...]]], first: int,
               outputs: list[int]) -> list[tuple[int, ...]]:
    """For each step, the intermediate values it uses for the last time (what
    ``Program._last_uses`` finds, with lists for the program's dense numbering)."""
    last = [-1] * (first + len(steps))
    for k, (_, used) in enumerate(steps):
        for i in used:
            last[i] = k
    for i in outputs:
        last[i] = -1
    release: dict[int, list[int]] = {}
    for i in range(first, len(last)):
        if last[i] >= 0:
            release.setdefault(last[i], []).append(i)
    none: tuple[int, ...] = ()
    return [tuple(release[k]) if k in release else none for k in range(len(steps))]


def _step(b: object, key: tuple) -> tuple[Callable, Callable | None, tuple]:
    """(operation, its out= form, (kind, detail) for source.py) of one kind of step."""
    op = key[0]
    if op == CONST:
        number = sympy.Rational(key[1].numerator, key[1].denominator)
        const = b.constant(number)  # type: ignore[attr-defined]
        return (lambda: const), None, ("number", number)
    if op == ADD:
        kind, detail = sympy.Add, key[1]
    elif op == MUL:
        kind, detail = sympy.Mul, None
    elif op == POW:
        kind, detail = sympy.Pow, sympy.Rational(key[1].numerator, key[1].denominator)
    else:
        kind, detail = UNARY[op].sympy, None
    return (*_operation(b, kind, detail), (kind, detail))


def _operation(b: object, kind: object, detail: object) -> tuple[Callable, Callable | None]:
    """(operation, its out= form) for one kind of step on backend ``b``."""
    into = b.into  # type: ignore[attr-defined]
    if kind is sympy.Add:
        return _signed_sum(detail), _signed_sum_into(detail, b) if into else None  # type: ignore[arg-type]
    if kind is sympy.Pow:
        return _power(detail, b), _power_into(detail, b) if into else None  # type: ignore[arg-type]
    fn = b.functions.get(kind)  # type: ignore[attr-defined]
    if fn is None:
        raise NotNative(f"{getattr(kind, '__name__', kind)} has no {b.name} function")  # type: ignore[attr-defined]
    return fn, into.get(kind) if into else None
