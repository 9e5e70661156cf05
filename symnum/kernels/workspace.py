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

from collections import defaultdict


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
