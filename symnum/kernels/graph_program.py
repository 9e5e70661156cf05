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
from itertools import chain, islice
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
    return [n for n, m in enumerate(_marks(g, roots)) if m]


def _marks(g: Graph, roots: Sequence[int]) -> bytearray:
    """1 for each node under ``roots`` (up to the largest), else 0."""
    top = max(roots, default=-1)
    mark = bytearray(top + 1)
    for r in roots:
        mark[r] = 1
    for n, kids in zip(range(top, -1, -1), reversed(g.args[:top + 1]), strict=True):
        if mark[n]:
            for c in kids:
                mark[c] = 1
    return mark


# programs of this many steps or more are held in arrays (:mod:`.compact`): made about twice as
# fast and in a quarter of the memory, run batched about a sixth slower (the 61-parameter MLP
# Hessian's 26,000 steps: made in 13 ms instead of 27, a run at 1,000 points 110 ms instead
# of 95; the one-point C function is the same). A graph program is a big result's: its
# making is what a user waits for, and its one-point calls are compiled anyway.
COMPACT_MIN_STEPS = 10_000
Made = tuple[Callable, Callable | None, tuple]


def graph_program(g: Graph, outputs: Sequence[int], inputs: Sequence[int], backend: str,
                  names: Sequence[str], compact: bool | None = None) -> Program:
    """The program computing ``outputs`` (nodes) from one value per input node; a node C or
    the backend cannot compute raises :class:`NotNative`. ``compact``: held in arrays
    (:mod:`symnum.kernels.compact`; by default from :data:`COMPACT_MIN_STEPS` steps)."""
    b = table(backend)
    p = Program.__new__(Program)
    p.backend, p.inputs, p.names = b, tuple(inputs), tuple(names)
    p._read = None
    p.slots = {}
    with paused_gc():
        mark = _marks(g, outputs)
        if compact or (compact is None and mark.count(1) >= COMPACT_MIN_STEPS):
            _arrays(p, g, mark, outputs)
            return p
        order = [n for n, m in enumerate(mark) if m]
        del mark
        slot = [-1] * (order[-1] + 1 if order else 0)  # node → its value's index
        for i, n in enumerate(inputs):
            if n < len(slot):
                slot[n] = i
        first = len(inputs)
        body = [n for n in order if slot[n] < 0]  # one step each, in this order
        del order
        for k, n in enumerate(body, first):
            slot[n] = k
        args = g.args
        at = slot.__getitem__
        kids = [tuple(map(at, args[n])) for n in body]
        made: dict[tuple, int] = {(MUL,): 0}  # one per kind of step
        kinds = [_step(b, (MUL,))]
        kind = [0] * len(body)
        ops = g.ops
        for k, n in enumerate(body):
            if ops[n] != MUL:
                kind[k], changed = _kind(g, n, at, made, kinds, b)
                if changed is not None:
                    kids[k] = changed
        fns, intos, details = ([m[i] for m in kinds] for i in range(3))
        p.steps = [(fns[i], used) for i, used in zip(kind, kids, strict=True)]
        p.into = [intos[i] for i in kind]
        p.ops = [details[i] for i in kind]
        p.outputs = [slot[o] for o in outputs]
        p._release = _last_uses(kids, first, p.outputs, list(map(at, body)))
    return p


def _arrays(p: Program, g: Graph, mark: bytearray, outputs: Sequence[int]) -> None:
    """``p``'s steps, kinds and last uses made and held in numpy arrays (:mod:`.compact`):
    no Python object a node while they are made."""
    import numpy as np

    from .compact import Picked, Ragged, Steps, last_uses
    top, first = len(mark), len(p.inputs)
    order = np.flatnonzero(np.frombuffer(mark, np.uint8))
    slot = np.full(top, -1, np.int64)  # node → its value's index
    for i, n in enumerate(p.inputs):
        if n < top:
            slot[n] = i
    body = order[slot[order] < 0]  # one step each, in this order
    del order
    slot[body] = np.arange(first, first + len(body))
    lengths = np.fromiter(map(len, islice(g.args, top)), np.int64, top)
    starts = np.zeros(top + 1, np.int64)
    np.cumsum(lengths, out=starts[1:])
    children = np.fromiter(chain.from_iterable(islice(g.args, top)), np.int64, int(starts[-1]))
    lengths = lengths[body]
    ptr = np.zeros(len(body) + 1, np.int64)
    np.cumsum(lengths, out=ptr[1:])
    at = np.repeat(starts[body] - ptr[:-1], lengths)
    del starts, lengths
    at += np.arange(int(ptr[-1]))
    slots = Ragged(slot[children[at]], ptr)
    del children, at
    ops = np.fromiter(islice(g.ops, top), np.int64, top)[body]
    others = np.flatnonzero(ops != MUL)
    del ops
    made: dict[tuple, int] = {(MUL,): 0}  # one per kind of step
    table = [_step(p.backend, (MUL,))]
    kind = np.zeros(len(body), np.int32)
    for k, n in zip(others.tolist(), body[others].tolist(), strict=True):
        kind[k], changed = _kind(g, n, slot.item, made, table, p.backend)
        if changed is not None:
            slots.flat[ptr[k]:ptr[k + 1]] = changed
    p.outputs = slot[list(outputs)].tolist()
    del slot
    p.steps = Steps([m[0] for m in table], kind, slots)  # type: ignore[assignment]
    p.into = Picked([m[1] for m in table], kind)  # type: ignore[assignment]
    p.ops = Picked([m[2] for m in table], kind)  # type: ignore[assignment]
    p._release = last_uses(slots, first, p.outputs)  # type: ignore[assignment]


def _kind(g: Graph, n: int, slot: Callable[[int], int], made: dict[tuple, int],
          table: list[Made], b: object) -> tuple[int, tuple[int, ...] | None]:
    """(the index in ``table`` of node ``n``'s kind of step, made once; its slots where they
    change): a sum's terms −1·x become x subtracted."""
    ops, args = g.ops, g.args
    op = ops[n]
    changed = None
    if op == ADD:
        children = args[n]
        signs = tuple([ops[a] == MUL and args[a][0] == g.minus_one for a in children])
        if True in signs:
            changed = tuple([slot(args[a][1]) if s else slot(a)
                             for a, s in zip(children, signs, strict=True)])
        key: tuple = (op, signs)
    elif op == VAR:
        raise NotNative(f"no input for {g.data[n]}")
    else:
        key = (op, g.data[n]) if op == CONST or op == POW else (op,)
    i = made.get(key)
    if i is None:
        i = made[key] = len(table)
        table.append(_step(b, key))
    return i, changed


def _last_uses(kids: list[tuple[int, ...]], first: int, outputs: list[int],
               ints: list[int]) -> list[int | tuple[int, ...]]:
    """For each step, the intermediate values it uses for the last time (what
    ``Program._last_uses`` finds, with numpy for the program's dense numbering): one value
    as the int itself, the ``ints`` objects that name the steps' values (a tuple and an int
    of its own for each of 5 million steps would cost 400 MB at 1,000 parameters)."""
    import numpy as np
    steps = len(kids)
    used = np.fromiter(chain.from_iterable(kids), np.int64)
    by = np.repeat(np.arange(steps), np.fromiter(map(len, kids), np.int64, steps))
    last = np.full(first + steps, -1, np.int64)
    np.maximum.at(last, used, by)
    del used, by
    last[:first] = -1
    last[outputs] = -1
    freed = np.flatnonzero(last >= 0)
    when = last[freed]
    del last
    freed = freed[np.argsort(when, kind="stable")] - first
    counts = np.bincount(when, minlength=steps).tolist()
    del when
    values = map(ints.__getitem__, freed.tolist())
    del freed
    none: tuple[int, ...] = ()
    one = values.__next__
    return [none if c == 0 else one() if c == 1 else tuple(islice(values, c))
            for c in counts]


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
