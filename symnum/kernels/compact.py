"""A big graph program held in arrays: its steps, kinds and last uses made as they are read.

A program of millions of steps (a 1,000-parameter Hessian has 5 million) held as Python
tuples costs about 180 bytes a step: a tuple (operation, slots), the slots' tuple, an int
object for each value. :func:`compact_program` holds the same program in numpy arrays (about
40 bytes a step) and yields the same tuples, one at a time, wherever the program is read
(running it, writing its C or Python source): a program is only ever read in order.

>>> from symnum.core.dag.graph import Graph
>>> from symnum.kernels.graph_program import graph_program
>>> g = Graph()
>>> x, y = g.var("x"), g.var("y")
>>> outputs = [g.sub(g.mul(x, y), x), g.mul(g.add(x, y), y)]
>>> small = graph_program(g, outputs, [x, y], "numpy", ["x", "y"])
>>> big = graph_program(g, outputs, [x, y], "numpy", ["x", "y"], compact=True)
>>> [s for _, s in big.steps] == [s for _, s in small.steps], list(big.ops) == small.ops
(True, True)
>>> [float(v) for v in big.run(3.0, 2.0)], [big.released(k) for k in range(len(big.steps))]
([3.0, 10.0], [(), (), (2,), (3,), (), (6,)])
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import chain, islice
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

CHUNK = 1 << 16  # steps turned into Python objects at a time while a program is read


class Ragged:
    """Tuples of ints of different lengths: tuple ``k`` is ``flat[ptr[k]:ptr[k + 1]]``."""

    def __init__(self, flat: np.ndarray, ptr: np.ndarray) -> None:
        self.flat, self.ptr = flat, ptr

    def __len__(self) -> int:
        return len(self.ptr) - 1

    def __getitem__(self, k: int) -> tuple[int, ...]:
        return tuple(self.flat[self.ptr[k]:self.ptr[k + 1]].tolist())

    def __iter__(self) -> Iterator[tuple[int, ...]]:
        import numpy as np
        for a in range(0, len(self), CHUNK):
            bounds = self.ptr[a:a + CHUNK + 1]
            values = iter(self.flat[bounds[0]:bounds[-1]].tolist())
            one = values.__next__
            for n in np.diff(bounds).tolist():
                yield (one(), one()) if n == 2 else (one(),) if n == 1 else () if n == 0 \
                    else tuple(islice(values, n))


class Picked:
    """``table[kind[k]]`` for each step ``k`` (the steps' operations, out= forms, kinds)."""

    def __init__(self, table: list[Any], kind: np.ndarray) -> None:
        self.table, self.kind = table, kind

    def __len__(self) -> int:
        return len(self.kind)

    def __iter__(self) -> Iterator[Any]:
        pick = self.table.__getitem__
        for a in range(0, len(self.kind), CHUNK):
            yield from map(pick, self.kind[a:a + CHUNK].tolist())


class Steps(Picked):
    """(operation, slots) for each step."""

    def __init__(self, table: list[Any], kind: np.ndarray, slots: Ragged) -> None:
        super().__init__(table, kind)
        self.slots = slots

    def __iter__(self) -> Iterator[tuple[Callable, tuple[int, ...]]]:
        return zip(super().__iter__(), self.slots, strict=True)


def ragged(rows: Iterator[tuple[int, ...]] | list[tuple[int, ...]], count: int,
           lengths: Iterator[int]) -> Ragged:
    """The :class:`Ragged` of ``count`` tuples (``lengths``: their lengths, in order)."""
    import numpy as np
    sizes = np.fromiter(lengths, np.int64, count)
    ptr = np.zeros(count + 1, np.int64)
    np.cumsum(sizes, out=ptr[1:])
    flat = np.fromiter(chain.from_iterable(rows), np.int64, int(ptr[-1]))
    return Ragged(flat, ptr)


def last_uses(slots: Ragged, first: int, outputs: list[int]) -> Ragged:
    """For each step, the intermediate values it uses for the last time."""
    import numpy as np
    steps = len(slots)
    by = np.repeat(np.arange(steps), np.diff(slots.ptr))
    last = np.full(first + steps, -1, np.int64)
    np.maximum.at(last, slots.flat, by)
    del by
    last[:first] = -1
    last[outputs] = -1
    freed = np.flatnonzero(last >= 0)
    when = last[freed]
    del last
    order = np.argsort(when, kind="stable")
    ptr = np.zeros(steps + 1, np.int64)
    np.cumsum(np.bincount(when, minlength=steps), out=ptr[1:])
    return Ragged(freed[order], ptr)


__all__ = ["Picked", "Ragged", "Steps", "last_uses", "ragged"]
