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
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from .interrupts import can_raise, thread_importing, watch_collections

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


class _DataCap:
    """RLIMIT_DATA's soft limit during a block: ``cap`` outside imports, the limit from before
    inside them. A native library's initialiser run by an import may retry a failed
    allocation forever (OpenBLAS's thread setup, loaded by scipy.special, spun for good), and
    an import is never interrupted (:mod:`.interrupts`), so imports run without the cap and
    the watchdog ends the block right after one. Lifted by this finder, put first on
    ``sys.meta_path``, before any module is loaded; set again by the watchdog once the main
    thread is out of every import."""

    def __init__(self, cap: int, before: tuple[int, int]) -> None:
        self.cap, self.before, self.armed = cap, before, False
        self.lock = threading.Lock()  # the main thread lifts, the watchdog arms

    def arm(self, on: bool) -> None:
        """Set the cap (``on``) or lift it; with ``lock`` held."""
        if on != self.armed:
            resource.setrlimit(resource.RLIMIT_DATA,
                               (self.cap if on else self.before[0], self.before[1]))
            self.armed = on

    def find_spec(self, *_args: object) -> None:
        """An import starts: lift the cap, and leave the finding to the other finders."""
        with self.lock:
            self.arm(False)

    def follow(self, main: int) -> None:
        """Arm the cap unless the main thread (its id ``main``) is importing."""
        with self.lock:
            self.arm(not thread_importing(main))


@contextmanager
def _memory_limit(limit: int | None) -> Iterator[None]:
    """A watchdog raises :class:`OutOfMemory` in the main thread once the resident size
    passes ``limit``; RLIMIT_DATA, HARD_FACTOR × limit above the data size at the start,
    stops single native allocations that the watchdog cannot interrupt (MemoryError), outside
    imports (:class:`_DataCap`). RLIMIT_DATA, not RLIMIT_AS: mapped shared libraries (torch,
    CUDA) and reserved but unused address space do not count."""
    if limit is None or threading.current_thread() is not threading.main_thread():
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
    cap = _data_size() + HARD_FACTOR * limit
    data_cap = _DataCap(cap if hard == resource.RLIM_INFINITY else min(cap, hard), (soft, hard))
    armed, stop, main = [True], threading.Event(), threading.get_ident()

    def interrupt(_signum: int, frame: object) -> None:
        # An exception raised inside a __del__, a garbage-collector callback or an import
        # would be dropped or leave a half-made module: wait for the next poll instead.
        if armed[0] and can_raise(frame):
            raise OutOfMemory

    def watch() -> None:
        while not stop.wait(POLL_S):
            data_cap.follow(main)
            size = resident_size()
            if size is not None and size > limit:
                _thread.interrupt_main(signal.SIGUSR1)  # runs `interrupt` in the main thread

    previous = signal.signal(signal.SIGUSR1, interrupt)
    watchdog = threading.Thread(target=watch, name="symnum-memory", daemon=True)
    watchdog.start()  # before the rlimit: its stack is data too
    sys.meta_path.insert(0, data_cap)  # type: ignore[arg-type]
    data_cap.follow(main)
    try:
        yield
    finally:
        armed[0] = False
        stop.set()
        watchdog.join()
        while data_cap in sys.meta_path:
            sys.meta_path.remove(data_cap)  # type: ignore[arg-type]
        resource.setrlimit(resource.RLIMIT_DATA, (soft, hard))
        signal.signal(signal.SIGUSR1, previous)
