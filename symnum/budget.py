"""A time budget for heuristics that can run away (``sympy.simplify`` on a medium expression).

Exact results never depend on it: when the budget runs out, the caller keeps the form it
already has. Uses a real-time interval timer, so it only acts in the main thread of a POSIX
process; elsewhere the code runs without a limit.

>>> with time_budget(1.0) as ran_out:
...     _ = sum(range(10))
>>> ran_out()
False
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager


class BudgetExceeded(Exception):
    """Raised inside the guarded block when its time is up (caught by ``time_budget``)."""


@contextmanager
def time_budget(seconds: float) -> Iterator[Callable[[], bool]]:
    """Run the block for at most ``seconds``; yields a function telling if it ran out.

    An outer timer (the CLI's overall limit) is suspended and resumed with its remaining time.
    """
    expired = [False]
    usable = (threading.current_thread() is threading.main_thread()
              and hasattr(signal, "setitimer") and seconds > 0)
    if not usable:
        yield lambda: expired[0]
        return
    outer_handler = signal.getsignal(signal.SIGALRM)
    outer_left, _ = signal.getitimer(signal.ITIMER_REAL)
    start = time.monotonic()

    def expire(*_: object) -> None:
        raise BudgetExceeded

    signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, min(seconds, outer_left) if outer_left else seconds)
    try:
        yield lambda: expired[0]
    except BudgetExceeded:
        expired[0] = True
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, outer_handler)
        if outer_left:
            signal.setitimer(signal.ITIMER_REAL, max(outer_left - (time.monotonic() - start),
                                                     0.001))
