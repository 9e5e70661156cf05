"""When a signal handler of a process edge (the CLI's limits, a web worker's limits) may
raise: not inside a ``__del__`` or a garbage-collector callback, where Python would print the
exception as 'Exception ignored' and drop it, and not while a module is being imported, where
it would leave a half-initialised module behind (torch imported again after an interrupted
import fails with "duplicate registrations" in every later command of the same process). The
edges' timers fire again shortly, so their handlers wait for a better moment. No signal is
set here: :mod:`symnum.edge.limits` sets them, for the CLI and the web workers; the library
bounds its own work by operation counts.

>>> import sys
>>> can_raise(sys._getframe()), importing(sys._getframe())
(True, False)
"""

from __future__ import annotations

import gc
from types import CodeType, FrameType

IMPORT_SYSTEM = "<frozen importlib._bootstrap"  # its frames (and _bootstrap_external's)
_COLLECTING = [False]  # set while the garbage collector runs (its callbacks included)


def _gc_started(phase: str, _info: dict[str, int]) -> None:
    if phase == "start":
        _COLLECTING[0] = True


def _gc_stopped(phase: str, _info: dict[str, int]) -> None:
    if phase == "stop":
        _COLLECTING[0] = False


def watch_collections() -> None:
    """Keep our start callback first and our stop callback last among gc.callbacks, so the
    flag covers every other callback of the collection (idempotent)."""
    for callback in (_gc_started, _gc_stopped):
        while callback in gc.callbacks:
            gc.callbacks.remove(callback)
    gc.callbacks.insert(0, _gc_started)
    gc.callbacks.append(_gc_stopped)


def can_raise(frame: FrameType | None | object) -> bool:
    """May a signal handler raise in ``frame``? Not during a collection, a ``__del__`` or
    an import."""
    if _COLLECTING[0]:
        return False
    codes = (_gc_started.__code__, _gc_stopped.__code__)
    while isinstance(frame, FrameType):
        code = _code(frame)
        if code is None or code.co_name == "__del__" or code in codes \
                or code.co_filename.startswith(IMPORT_SYSTEM):
            return False
        frame = frame.f_back
    return True


def importing(frame: FrameType | None | object) -> bool:
    """Is a module being imported in ``frame`` or a frame that called it?"""
    while isinstance(frame, FrameType):
        code = _code(frame)
        if code is None or code.co_filename.startswith(IMPORT_SYSTEM):
            return True
        frame = frame.f_back
    return False


def thread_importing(ident: int) -> bool:
    """Is the thread ``ident`` importing a module (does it hold a module's import lock)?
    Read from importlib's table of module locks, never from that thread's frames: another
    thread's frame read while it runs can be half made, and reading one crashed grading
    workers now and then (a segfault in CPython 3.11's PyType_IsSubtype, in the memory
    watchdog's thread). Where importlib keeps no such table, the frames are read.

    >>> import threading
    >>> thread_importing(threading.get_ident())
    False
    """
    from importlib import _bootstrap

    locks = getattr(_bootstrap, "_module_locks", None)
    if not isinstance(locks, dict):
        import sys
        return importing(sys._current_frames().get(ident))
    for ref in list(locks.values()):
        lock = ref() if callable(ref) else None
        if lock is not None and getattr(lock, "owner", None) == ident \
                and getattr(lock, "count", 1):
            return True
    return False


def _code(frame: FrameType | object) -> CodeType | None:
    """The frame's code, or None where it cannot be told: another thread's frame, read
    while that thread is entering a call, can hold its function there for an instant (the
    memory watchdog died of "'function' object has no attribute 'co_filename'").

    >>> import sys
    >>> class Entering:
    ...     f_code = len
    >>> _code(Entering()) is None, _code(sys._getframe()) is not None
    (True, True)
    """
    code = getattr(frame, "f_code", None)
    return code if isinstance(code, CodeType) else None
