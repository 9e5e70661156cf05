"""Scratch arrays reused across kernel calls, so big batches do not pay for fresh memory.

A fresh array of a million float64 values costs the operating system ~2,000 page faults on
first touch; on a virtual machine that is as slow as the arithmetic done in it. A kernel keeps
the arrays its intermediate steps wrote into and hands them out again on the next call.

>>> import numpy as np
>>> w = Workspace()
>>> a = w.take(np.zeros(3))
>>> w.give(a)
>>> w.take(np.ones(3)) is a
True
"""

from __future__ import annotations

import functools
import math
import sys
from collections import defaultdict

RESULT_MIN_BYTES = 1 << 22  # results from 4 MiB (numpy's huge-page threshold) are recycled
RESULTS_KEPT = 2  # buffers kept per shape (a loop holding one result while computing the next)
# a result buffer nobody else holds is referred to by the pool's list and getrefcount's argument
_UNHELD = 2


def _key(like: object) -> tuple:
    # dtypes and devices hash as themselves (numpy's dtype, torch's dtype and device): no
    # str(), which cost 1.7 ms a call of a 126-step numpy kernel (5 µs each)
    return (like.shape, like.dtype, getattr(like, "device", None))


class Workspace:
    """A pool of arrays by (shape, dtype, device); not shared between threads at once
    (a kernel swaps its workspace out while it runs, so a concurrent call gets a new one)."""

    def __init__(self) -> None:
        self._free: dict[tuple, list] = defaultdict(list)
        self._keys: dict[tuple, tuple] = {}
        self._results: dict[tuple, list] = {}

    def take(self, like: object) -> object:
        """An array shaped and typed like ``like`` (contents undefined)."""
        free = self._free.get(_key(like))
        if free:
            return free.pop()
        if type(like).__module__.startswith("torch"):
            import torch
            return torch.empty_like(like, memory_format=torch.contiguous_format)
        import numpy as np
        return np.empty_like(like, order="C")

    def empty(self, shape: tuple[int, ...], dtype: object, device: object = None,
              torch: bool = False) -> object:
        """An array of that shape and dtype (torch: on ``device``), contents undefined."""
        spec = (tuple(shape), dtype, device, torch)
        free = self._free.get(self._keys.get(spec, ()))
        if free:
            return free.pop()
        if torch:
            import torch as torch_module
            array = torch_module.empty(shape, dtype=dtype, device=device)
        else:
            import numpy as np
            array = np.empty(shape, dtype=dtype)
        self._keys[spec] = _key(array)  # the key give() files it under
        return array

    def give(self, array: object) -> None:
        """Return ``array`` (taken from :meth:`take`) for reuse."""
        self._free[_key(array)].append(array)

    def result(self, shape: tuple[int, ...], dtype: object, torch: bool = False) -> object:
        """A new CPU result array of ``shape``: the memory of an earlier result of that shape
        when no array made from it is alive any more, else fresh memory.

        A fresh array of tens of megabytes costs the operating system a page fault per page
        on first write (16,000 for a 64 MB Hessian batch: a third of the call); a loop that
        drops each result before the next call gets memory already mapped. The result is a
        view of a numpy buffer the pool keeps (``torch.from_numpy`` for torch, whose storage
        holds the buffer), so any array still sharing that memory, view or tensor, holds a
        reference to the buffer and keeps it from being handed out again.

        >>> import numpy as np
        >>> w = Workspace()
        >>> a = w.result((1024, 1024), np.float64)
        >>> address, row = a.ctypes.data, a[0]
        >>> del a
        >>> w.result((1024, 1024), np.float64).ctypes.data == address  # a's row is alive
        False
        >>> del row
        >>> w.result((1024, 1024), np.float64).ctypes.data == address  # nothing of a is
        True
        """
        import numpy as np
        kind = _numpy_dtype(dtype) if torch else np.dtype(dtype)
        if kind.itemsize * math.prod(shape) < RESULT_MIN_BYTES:
            buffer = np.empty(shape, kind)
        else:
            kept = self._results.setdefault((tuple(shape), kind, torch), [])
            free = [i for i in range(len(kept)) if sys.getrefcount(kept[i]) == _UNHELD]
            if free:
                buffer = kept[free[0]]
            else:
                buffer = np.empty(shape, kind)
                if len(kept) >= RESULTS_KEPT:
                    del kept[0]
                kept.append(buffer)
        if torch:
            import torch as torch_module
            return torch_module.from_numpy(buffer)
        return buffer[...]


@functools.cache
def _numpy_dtype(dtype: object) -> object:
    """numpy's dtype for a torch dtype."""
    import torch
    return torch.empty((), dtype=dtype).numpy().dtype
