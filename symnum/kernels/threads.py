"""One intra-op thread for torch while a kernel writes a big result on the CPU.

Writing a batched result (tens of megabytes) is bound by memory, not arithmetic: a second
thread gains little, and torch runs every operation over more than 32,768 entries as an OpenMP
team whose threads all wait for the slowest. On a machine whose cores other processes also
want, a team member waiting for a core makes each such operation cost a scheduler time slice:
the 20-variable log-sum-exp Hessian at 20,000 points (about ten such operations) measured 390
ms with two threads and 80 ms with one on this project's loaded 2-core machine (README, Speed).
:func:`one_thread` lowers torch's intra-op threads to one for the duration and puts the count
back; calls from several threads at once share one lowering (the first in saves the count, the
last out restores it). Where torch's parallel backend is not OpenMP it changes nothing.
:func:`busy` says when: while the machine is busy.

>>> import torch
>>> before = torch.get_num_threads()
>>> with one_thread():
...     inside = torch.get_num_threads()
>>> inside == 1 or not torch.backends.openmp.is_available(), torch.get_num_threads() == before
(True, True)
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager


def busy() -> bool:
    """Whether a kernel's call runs on one thread: while the machine is busy (a
    load average of at least one process per core: a 1000×1000 grid gradient measured 59 ms
    on one thread and 304 ms on two at load average 6.8 on 2 cores). On a quiet machine the
    second thread pays even for the 64 MB log-sum-exp Hessian of 20,000 points (its one
    product into the result: 7.4 ms on two threads, 9.6 ms chunked on one).

    In a process forked from one that ran kernels it is always busy: the parent's OpenMP
    team and thread pool do not exist in the child, and torch's intra-op team or numpy's
    threads per core would wait for them forever (a multiprocessing worker hung)."""
    if _state["forked"]:
        return True
    try:
        return os.getloadavg()[0] >= (os.cpu_count() or 1)
    except (OSError, AttributeError):  # no load average on this system
        return False


_lock = threading.Lock()
_state = {"depth": 0, "saved": 1, "forked": False}


def _after_fork_in_child() -> None:
    """A forked child: one thread from now on, and a lock no parent thread holds."""
    global _lock
    _lock = threading.Lock()
    _state.update(depth=0, forked=True)


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


@contextmanager
def one_thread() -> Iterator[None]:
    """torch's intra-op threads set to one inside the block (OpenMP builds)."""
    import torch
    if not torch.backends.openmp.is_available():
        yield
        return
    with _lock:
        if _state["depth"] == 0:
            _state["saved"] = torch.get_num_threads()
            if _state["saved"] > 1:
                torch.set_num_threads(1)
        _state["depth"] += 1
    try:
        yield
    finally:
        with _lock:
            _state["depth"] -= 1
            if _state["depth"] == 0 and _state["saved"] > 1:
                torch.set_num_threads(_state["saved"])
