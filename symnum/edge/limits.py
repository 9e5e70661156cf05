"""Time and memory limits around a block of work in the main thread of a process: seconds by
an interval timer (SIGALRM), memory by a watchdog thread on the resident size and, for native
code, a hard RLIMIT_DATA. The shells set them at the process edges (:mod:`symnum.cli.guard`
for a command, :mod:`symnum.web.limits` for a worker's request), each with its own messages;
the library itself bounds its work by operation counts, never by a clock.

>>> Limits(2.5, 2**30).time_message(), Limits(2.5, 2**30).memory_message()
('gave up after 2.5 s', 'ran out of memory (limit 1G)')
>>> read_size("512M"), read_size("1.5gib"), read_size("off")
(536870912, 1610612736, None)
"""

from __future__ import annotations

import _thread
import os
import resource
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from .interrupts import can_raise, watch_collections

MIN_MEMORY = 256 * 2**20  # below this Python with SymPy cannot run a command or a request
NO_LIMIT = ("off", "none", "unlimited")
UNITS = {"": 1, "K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}
RETRY_S = 0.25  # after the time is up, raise again this often until the block ends
POLL_S = 0.02  # how often the memory watchdog looks at the resident size
# Native code (symengine, numpy) that asks for memory in one call is stopped by the kernel at
# this multiple of the limit, since the watchdog cannot interrupt it before it returns.
HARD_FACTOR = 2


class TimeUp(BaseException):
    """Raised in the main thread when the block passes its time limit.

    A BaseException, so that no ``except Exception`` (nor ``except SymnumError`` around a
    numeric method) in library code swallows it; the shell turns it into its one error line.
    """


class OutOfMemory(BaseException):
    """Raised in the main thread when the block passes its memory limit.

    A BaseException, like KeyboardInterrupt: library code that catches ``Exception`` must
    not swallow it and run on.
    """


@dataclass(frozen=True)
class Limits:
    """Limits of one block of work: seconds and bytes (None: no limit). A shell subclasses it
    to say, in its messages, how to allow more."""

    seconds: float | None
    memory: int | None

    def time_message(self) -> str:
        """The one-line error when the time limit is hit (also :class:`TimeUp`'s text)."""
        return f"gave up after {self.seconds:g} s"

    def memory_message(self) -> str:
        """The one-line error when the memory limit is hit."""
        return f"ran out of memory (limit {self.limit_text()})"

    def limit_text(self) -> str:
        """The memory limit as text: ``1G``, ``none``."""
        return "none" if self.memory is None else size_text(self.memory)


def read_size(text: str) -> int | None:
    """``512M``, ``2G``, ``1.5GiB``, a number of bytes, or ``off`` (None); a ValueError
    below MIN_MEMORY or malformed (each shell words its own error)."""
    value = text.strip().upper().removesuffix("IB").removesuffix("B")
    if value.lower() in NO_LIMIT:
        return None
    number, unit = (value[:-1], value[-1]) if value and value[-1] in UNITS else (value, "")
    try:
        size = float(number) * UNITS[unit] if number.replace(".", "", 1).isdigit() else -1.0
    except (ValueError, OverflowError):
        size = -1.0
    if not MIN_MEMORY <= size <= 2**62:
        raise ValueError(f"not a size from {size_text(MIN_MEMORY)} up: {text!r}")
    return int(size)


def size_text(size: int) -> str:
    """Bytes in the largest unit that divides them.

    >>> size_text(4 * 2**30), size_text(3 * 2**29), size_text(10**9)
    ('4G', '1536M', '1000000000 bytes')
    """
    for unit in ("T", "G", "M", "K"):
        if size % UNITS[unit] == 0:
            return f"{size // UNITS[unit]}{unit}"
    return f"{size} bytes"


def resident_size() -> int | None:
    """Resident size of this process in bytes (Linux), or None where /proc is missing."""
    try:
        with open("/proc/self/statm", "rb") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


@contextmanager
def limited(limits: Limits) -> Iterator[None]:
    """Run the block under ``limits`` (in the main thread of a POSIX process; elsewhere
    without); everything is restored after."""
    # The time limit inside: it is lifted first, so its alarm cannot cut short the lifting of
    # the memory limit (the rlimit must be restored when the CLI's main() is called from
    # Python).
    watch_collections()
    with _memory_limit(limits.memory), _time_limit(limits):
        yield


@contextmanager
def _time_limit(limits: Limits) -> Iterator[None]:
    if (limits.seconds is None or not hasattr(signal, "setitimer")
            or threading.current_thread() is not threading.main_thread()):
        yield
        return

    def expire(_signum: int, frame: object) -> None:
        if can_raise(frame):
            raise TimeUp(limits.time_message())

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, limits.seconds, RETRY_S)  # again until the block ends
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _data_size() -> int:
    """The process's data size now (what RLIMIT_DATA counts), 0 where unknown."""
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmData:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


@contextmanager
def _memory_limit(limit: int | None) -> Iterator[None]:
    """A watchdog raises :class:`OutOfMemory` in the main thread once the resident size
    passes ``limit``; RLIMIT_DATA, HARD_FACTOR × limit above the data size at the start,
    stops single native allocations that the watchdog cannot interrupt (MemoryError).
    RLIMIT_DATA, not RLIMIT_AS: mapped shared libraries (torch, CUDA) and reserved but unused
    address space do not count."""
    if limit is None or threading.current_thread() is not threading.main_thread():
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
    cap = _data_size() + HARD_FACTOR * limit
    cap = cap if hard == resource.RLIM_INFINITY else min(cap, hard)
    armed, stop = [True], threading.Event()

    def interrupt(_signum: int, frame: object) -> None:
        # An exception raised inside a __del__ or a garbage-collector callback would be printed
        # and dropped: wait for the next poll instead.
        if armed[0] and can_raise(frame):
            raise OutOfMemory

    def watch() -> None:
        while not stop.wait(POLL_S):
            size = resident_size()
            if size is None:
                return
            if size > limit:
                _thread.interrupt_main(signal.SIGUSR1)  # runs `interrupt` in the main thread

    previous = signal.signal(signal.SIGUSR1, interrupt)
    watchdog = threading.Thread(target=watch, name="symnum-memory", daemon=True)
    watchdog.start()  # before the rlimit: its stack is data too
    resource.setrlimit(resource.RLIMIT_DATA, (cap, hard))
    try:
        yield
    finally:
        armed[0] = False
        stop.set()
        watchdog.join()
        resource.setrlimit(resource.RLIMIT_DATA, (soft, hard))
        signal.signal(signal.SIGUSR1, previous)
