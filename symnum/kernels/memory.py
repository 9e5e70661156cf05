"""New big torch arrays backed by transparent huge pages where Linux offers them.

A fresh array of tens of megabytes is mapped one 4 KiB page at a time on first write: 16,000
page faults for 64 MB, which on a virtual machine costs more than writing the array three
times. numpy asks Linux for 2 MiB pages on its big arrays (``madvise(MADV_HUGEPAGE)``); torch
does so only when the process starts with ``THP_MEM_ALLOC_ENABLE=1``. :func:`huge_pages`
gives the same advice for a torch array a kernel is about to fill. No library exposes this for
an existing torch array, hence the few lines of ctypes; the advice is harmless where it is
ignored (other systems, THP turned off, memory already touched).

>>> import torch
>>> a = huge_pages(torch.empty(1 << 20, dtype=torch.float64))  # 8 MiB
>>> a.shape
torch.Size([1048576])
"""

from __future__ import annotations

import ctypes
import functools
import sys
from collections.abc import Callable

MIN_BYTES = 1 << 22  # numpy's threshold: smaller arrays come from malloc's reused memory
HUGE_PAGE = 1 << 21
MADV_HUGEPAGE = 14  # from <sys/mman.h> on Linux


@functools.cache
def _madvise() -> Callable[[int, int, int], int] | None:
    """libc's madvise, or None where there is none to call."""
    if sys.platform != "linux":
        return None
    try:
        madvise = ctypes.CDLL(None, use_errno=True).madvise
    except (OSError, AttributeError):
        return None
    madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    madvise.restype = ctypes.c_int
    return madvise


def huge_pages(array: object) -> object:
    """``array`` (a new CPU torch tensor, not yet written) after asking for huge pages over
    the whole 2 MiB pages inside it; other arrays are returned as they are."""
    size = array.numel() * array.element_size()
    madvise = _madvise() if array.device.type == "cpu" and size >= MIN_BYTES else None
    if madvise is not None:
        start = -(-array.data_ptr() // HUGE_PAGE) * HUGE_PAGE
        end = (array.data_ptr() + size) // HUGE_PAGE * HUGE_PAGE
        if end > start:
            madvise(start, end - start, MADV_HUGEPAGE)  # advice: its failure changes nothing
    return array
