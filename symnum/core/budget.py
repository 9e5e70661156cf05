"""Budgets for heuristics that can run away (``sympy.simplify`` on a medium expression).

Exact results never depend on them: when a budget runs out, the caller keeps the form it
already has. A form that is printed is chosen under :func:`work_budget`, which counts the
process's CPU time, so the same input prints the same result under any load; the wall-clock
:func:`time_budget` only bounds how long a refusal may take. Both use interval timers, so they
act in the main thread of a POSIX process; elsewhere the code runs without a limit.

>>> with time_budget(1.0) as ran_out:
...     _ = sum(range(10))
>>> ran_out()
False
"""

from __future__ import annotations

import contextlib
import gc
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

RETRY_S = 0.05  # after the budget runs out, raise again this often until the block ends


class BudgetExceeded(BaseException):
    """Raised inside the guarded block when its time is up (caught by ``time_budget``).

    A BaseException, like KeyboardInterrupt: library code that catches ``Exception`` (SymPy
    does, inside simplify) must not swallow it and run on without a limit.
    """


# clock name -> (interval timer, its signal, how its elapsed time is read)
CLOCKS = {
    "wall": (signal.ITIMER_REAL, signal.SIGALRM, time.monotonic),
    # Process CPU time: the same work costs the same seconds on a busy machine, so a result
    # that depends on this budget does not change with the machine's load.
    "cpu": (getattr(signal, "ITIMER_PROF", None), getattr(signal, "SIGPROF", None),
            time.process_time),
}


@contextmanager
def time_budget(seconds: float, clock: str = "wall") -> Iterator[Callable[[], bool]]:
    """Run the block for at most ``seconds`` of ``clock`` ("wall" or "cpu"); yields a
    function telling if it ran out.

    An outer timer of the same clock (the CLI's overall limit) is suspended and resumed with
    its remaining time; if it runs out first, its own handler acts.
    """
    timer, signum, now = CLOCKS[clock]
    expired = [False]
    usable = (threading.current_thread() is threading.main_thread()
              and hasattr(signal, "setitimer") and timer is not None and seconds > 0)
    if not usable:
        yield lambda: expired[0]
        return
    outer_handler = signal.getsignal(signum)
    outer_left, _ = signal.getitimer(timer)
    start = now()
    armed = [True]

    def expire(number: int, frame: object) -> None:
        if armed[0] and can_raise(frame):
            if outer_left and now() - start >= outer_left - 1e-3 and callable(outer_handler):
                outer_handler(number, frame)  # the caller's own limit ran out: its error
            raise BudgetExceeded

    watch_collections()

    signal.signal(signum, expire)
    # The timer repeats every RETRY_S after it first fires: an exception raised while Python
    # runs a __del__ or a garbage-collection callback (either can run at any moment) would be
    # printed and dropped, so the handler waits for the next tick instead of raising there.
    first = min(seconds, outer_left) if outer_left else seconds
    signal.setitimer(timer, first, RETRY_S)
    try:
        yield lambda: expired[0]
    except BudgetExceeded:
        expired[0] = True
        # The interruption may have left a half-built object in SymPy's caches (an
        # assumptions dict without a key it promised): start them afresh.
        import sympy
        sympy.core.cache.clear_cache()
    finally:
        armed[0] = False
        signal.setitimer(timer, 0)
        signal.signal(signum, outer_handler)
        if outer_left:
            signal.setitimer(timer, max(outer_left - (now() - start), 0.001))


def work_budget(seconds: float) -> contextlib.AbstractContextManager[Callable[[], bool]]:
    """:func:`time_budget` on the process's CPU time: work, not the wall clock.

    >>> with work_budget(0.5) as ran_out:
    ...     _ = sum(range(10))
    >>> ran_out()
    False
    """
    return time_budget(seconds, "cpu")


_COLLECTING = [False]  # set while the garbage collector runs (its callbacks included)


def _gc_started(phase: str, _info: dict) -> None:
    if phase == "start":
        _COLLECTING[0] = True


def _gc_stopped(phase: str, _info: dict) -> None:
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


def can_raise(frame) -> bool:
    """May a signal handler raise here? Not inside a ``__del__`` or a garbage-collector
    callback: Python would print the exception as 'Exception ignored' and drop it. The
    timers fire again shortly, so the handlers wait for a better moment."""
    if _COLLECTING[0]:
        return False
    codes = (_gc_started.__code__, _gc_stopped.__code__)
    while frame is not None:
        if frame.f_code.co_name == "__del__" or frame.f_code in codes:
            return False
        frame = frame.f_back
    return True
