"""The limits of one request in a worker process: seconds by an interval timer, memory by a
watchdog thread on the resident size (and, for native code, a hard RLIMIT_DATA). Signals are
the server's business: the library itself bounds its work by operation counts, never by a
clock.

>>> Limits(30, 2**30).memory_message()
"ran out of memory (the server's limit is 1G per request; start it with --memory to allow more)"
>>> parse_size("512M"), parse_size("off")
(536870912, None)
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

from ..core.errors import SymnumError
from ..service.interrupts import can_raise, watch_collections

MIN_MEMORY = 256 * 2**20  # below this Python with SymPy cannot run a request
NO_LIMIT = ("off", "none", "unlimited")
UNITS = {"": 1, "K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}
RETRY_S = 0.25  # after the time is up, raise again this often until the job ends
POLL_S = 0.02  # how often the memory watchdog looks at the resident size
HARD_FACTOR = 2  # RLIMIT_DATA at this multiple of the limit, for single native allocations


class OptionError(SymnumError):
    """An option of ``symnum serve`` is malformed."""


class TimeUp(BaseException):
    """Raised in the worker's main thread when the job passes its time limit (a
    BaseException: no ``except Exception`` in library code swallows it)."""


class OutOfMemory(BaseException):
    """Raised in the worker's main thread when the job passes its memory limit."""


@dataclass(frozen=True)
class Limits:
    """Limits of one request: seconds and bytes (None: no limit)."""

    seconds: float | None
    memory: int | None

    def time_message(self) -> str:
        """The one-line error when the time limit is hit."""
        return (f"gave up after {self.seconds:g} s (the server's time limit; start it with "
                "--timeout to allow more)")

    def memory_message(self) -> str:
        """The one-line error when the memory limit is hit."""
        limit = "none" if self.memory is None else size_text(self.memory)
        return (f"ran out of memory (the server's limit is {limit} per request; start it "
                "with --memory to allow more)")


def parse_size(text: str) -> int | None:
    """``512M``, ``2G``, a number of bytes, or ``off`` (None); an :class:`OptionError` below
    MIN_MEMORY or malformed."""
    value = text.strip().upper().removesuffix("IB").removesuffix("B")
    if value.lower() in NO_LIMIT:
        return None
    number, unit = (value[:-1], value[-1]) if value[-1:] in UNITS else (value, "")
    try:
        size = float(number) * UNITS[unit] if number.replace(".", "", 1).isdigit() else -1.0
    except (ValueError, OverflowError):
        size = -1.0
    if not MIN_MEMORY <= size <= 2**62:
        raise OptionError(f"--memory must be a size from {size_text(MIN_MEMORY)} up, like "
                          f"512M or 2G (or 'off' for no limit), got {text!r}")
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
    signal.setitimer(signal.ITIMER_REAL, limits.seconds, RETRY_S)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _data_size() -> int:
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
    passes ``limit``; RLIMIT_DATA (HARD_FACTOR × limit above the data size now) stops single
    native allocations the watchdog cannot interrupt."""
    if limit is None or threading.current_thread() is not threading.main_thread():
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
    cap = _data_size() + HARD_FACTOR * limit
    cap = cap if hard == resource.RLIM_INFINITY else min(cap, hard)
    armed, stop = [True], threading.Event()

    def interrupt(_signum: int, frame: object) -> None:
        if armed[0] and can_raise(frame):
            raise OutOfMemory

    def watch() -> None:
        while not stop.wait(POLL_S):
            size = resident_size()
            if size is None:
                return
            if size > limit:
                _thread.interrupt_main(signal.SIGUSR1)

    previous = signal.signal(signal.SIGUSR1, interrupt)
    watchdog = threading.Thread(target=watch, name="symnum-memory", daemon=True)
    watchdog.start()
    resource.setrlimit(resource.RLIMIT_DATA, (cap, hard))
    try:
        yield
    finally:
        armed[0] = False
        stop.set()
        watchdog.join()
        resource.setrlimit(resource.RLIMIT_DATA, (soft, hard))
        signal.signal(signal.SIGUSR1, previous)
