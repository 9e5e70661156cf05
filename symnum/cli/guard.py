"""What surrounds every command line run: limits read from the environment, third-party
warnings kept off stderr, and output written so that no fault of the terminal, the disk or
a pipe ends in a traceback.

Only :func:`symnum.cli.main` uses this module; importing the library sets no limit.

>>> limits_from({"SYMNUM_TIMEOUT": "60", "SYMNUM_MEMORY": "512M"})
Limits(seconds=60.0, memory=536870912)
>>> limits_from({"SYMNUM_MEMORY": "off"}).memory is None
True
>>> ascii_safe("d/dx [x²·exp(x)] = ℯˣ")
'd/dx [x^2*exp(x)] = e\\\\u02e3'
"""

from __future__ import annotations

import _thread
import os
import resource
import signal
import sys
import threading
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from ..core.errors import SymnumError
from ..service.interrupts import can_raise, watch_collections

DEFAULT_TIMEOUT_S = 300.0
MAX_TIMEOUT_S = 30 * 24 * 3600  # a month; "off" for no limit at all
DEFAULT_MEMORY = 4 * 2**30  # 4 GiB of resident memory
MIN_MEMORY = 256 * 2**20  # below this Python with SymPy cannot run a command
NO_LIMIT = ("off", "none", "unlimited")
UNITS = {"": 1, "K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}
RETRY_S = 0.25  # after the time is up, raise again this often until the command ends
POLL_S = 0.02  # how often the memory watchdog looks at the resident size
# Native code (symengine, numpy) that asks for memory in one call is stopped by the kernel at
# this multiple of the limit, since the watchdog cannot interrupt it before it returns.
HARD_FACTOR = 2

ENVIRONMENT_HELP = """environment:
  SYMNUM_TIMEOUT  seconds a command may run (default 300; "off" for no limit)
  SYMNUM_MEMORY   memory a command may use: bytes or with a unit, like 512M or 8G
                  (default 4G; "off" for no limit)"""


class UsageError(SymnumError):
    """The command line or its environment is malformed."""


class TimeUp(BaseException):
    """Raised in the main thread when the command passes its time limit.

    A BaseException, so that no ``except Exception`` (nor ``except SymnumError`` around a
    numeric method) in library code swallows it; the CLI turns it into its one error line.
    """


class OutOfMemory(BaseException):
    """Raised in the main thread when the command passes its memory limit.

    A BaseException, like KeyboardInterrupt: library code that catches ``Exception`` must
    not swallow it and run on.
    """


@dataclass(frozen=True)
class Limits:
    """Limits of one command: seconds and bytes (None: no limit)."""

    seconds: float | None
    memory: int | None

    def memory_message(self) -> str:
        """The one-line error shown when the memory limit is hit."""
        limit = "none" if self.memory is None else size_text(self.memory)
        return f"ran out of memory (limit {limit}; set SYMNUM_MEMORY to allow more)"


def limits_from(environ: Mapping[str, str]) -> Limits:
    """Read SYMNUM_TIMEOUT and SYMNUM_MEMORY; an invalid value is a :class:`UsageError`."""
    return Limits(_seconds(environ.get("SYMNUM_TIMEOUT")), _bytes(environ.get("SYMNUM_MEMORY")))


def _seconds(text: str | None) -> float | None:
    if text is None or not text.strip():
        return DEFAULT_TIMEOUT_S
    if text.strip().lower() in NO_LIMIT:
        return None
    try:
        seconds = float(text)
    except ValueError:
        seconds = float("nan")
    if not 0 < seconds <= MAX_TIMEOUT_S:  # also refuses nan
        raise UsageError(f"SYMNUM_TIMEOUT must be a number of seconds above 0 and at most "
                         f"{MAX_TIMEOUT_S} (or 'off' for no limit), got {text!r}")
    return seconds


def _bytes(text: str | None) -> int | None:
    if text is None or not text.strip():
        return DEFAULT_MEMORY
    value = text.strip().upper().removesuffix("IB").removesuffix("B")
    if value.lower() in NO_LIMIT:
        return None
    number, unit = (value[:-1], value[-1]) if value[-1:] in UNITS else (value, "")
    try:
        size = float(number) * UNITS[unit] if number.replace(".", "", 1).isdigit() else -1.0
    except (ValueError, OverflowError):
        size = -1.0
    if not MIN_MEMORY <= size <= 2**62:
        raise UsageError(f"SYMNUM_MEMORY must be a size from {size_text(MIN_MEMORY)} up, in "
                         f"bytes or with a unit like 512M or 8G (or 'off' for no limit), "
                         f"got {text!r}")
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


@contextmanager
def limited(limits: Limits) -> Iterator[None]:
    """Run the block under ``limits``: time by SIGALRM, memory by a watchdog thread on the
    resident size and, for native code, a hard RLIMIT_DATA. Everything is restored after."""
    # The time limit inside: it is lifted first, so its alarm cannot cut short the lifting of
    # the memory limit (the rlimit must be restored when main() is called from Python).
    watch_collections()
    with _memory_limit(limits.memory), _time_limit(limits.seconds):
        yield


@contextmanager
def _time_limit(seconds: float | None) -> Iterator[None]:
    usable = (seconds is not None and hasattr(signal, "setitimer")
              and threading.current_thread() is threading.main_thread())
    if not usable:
        yield
        return

    def expire(_signum: int, frame: object) -> None:
        if can_raise(frame):
            raise TimeUp(f"gave up after {seconds:g} s (set SYMNUM_TIMEOUT to allow more)")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds, RETRY_S)  # again until the block ends
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def forget_interrupted_work() -> None:
    """Clear SymPy's cache after a limit cut a command short: an expression interrupted while
    it computed an assumption can keep a half-written state, and the cache would hand it to
    the next command run in the same process (``main()`` called from Python)."""
    if "sympy" in sys.modules:
        from sympy.core.cache import clear_cache
        clear_cache()


def resident_size() -> int | None:
    """Resident size of this process in bytes (Linux), or None where /proc is missing."""
    try:
        with open("/proc/self/statm", "rb") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


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


@contextmanager
def quiet_warnings() -> Iterator[None]:
    """Keep third-party warnings (numpy's overflow RuntimeWarning, torch's UserWarnings) off
    stderr; a warning of a category symnum defines is shown as one ``note:`` line. Nothing is
    stored: a warning raised a million times in a loop costs no memory."""

    def show(message: Warning | str, category: type[Warning], *_: object, **__: object) -> None:
        if category.__module__.split(".")[0] == "symnum":
            note(str(message))

    with warnings.catch_warnings():
        warnings.simplefilter("default")  # once per place, as Python does by default
        warnings.showwarning = show
        yield


def note(message: str) -> None:
    """One ``note:`` line on stderr; a stderr that cannot be written is ignored."""
    if sys.stderr is not None:
        try:
            print("note: " + " ".join(message.split()), file=sys.stderr, flush=True)
        except (OSError, ValueError):
            pass


# Characters symnum prints, in an ASCII form of the same meaning; one character each where
# pretty-printed art needs its columns (brackets and lines), a few more elsewhere.
ASCII_FORMS = {
    "·": "*", "⋅": "*", "×": "x", "−": "-", "–": "-", "—": "-", "′": "'", "″": "''",
    "²": "^2", "³": "^3", "¹": "^1", "⁰": "^0", "⁴": "^4", "⁻": "^-", "ᵀ": "^T",
    "ℯ": "e", "π": "pi", "∂": "d", "∇": "nabla ", "√": "sqrt", "∞": "oo", "≤": "<=",
    "≥": ">=", "≠": "!=", "≈": "~", "→": "->", "↦": "->", "⇒": "=>", "∑": "sum", "∏": "prod",
    "∈": " in ", "…": "...", "⎛": "(", "⎜": "(", "⎝": "(", "⎞": ")", "⎟": ")", "⎠": ")",
    "⎡": "[", "⎢": "[", "⎣": "[", "⎤": "]", "⎥": "]", "⎦": "]", "⎧": "{", "⎨": "{",
    "⎩": "{", "⎪": "|", "─": "-", "│": "|", "╲": "\\", "╱": "/", "⌠": "/", "⌡": "/",
    "✓": "ok", "✗": "x",
}
_TRANSLATION = str.maketrans({k: v for k, v in ASCII_FORMS.items() if len(k) == 1})


def ascii_safe(text: str) -> str:
    """``text`` in ASCII: known symbols in their ASCII form, others as backslash escapes."""
    return text.translate(_TRANSLATION).encode("ascii", "backslashreplace").decode("ascii")


def emit(text: str) -> int:
    """Write the command's output on stdout. Returns 0, or 2 when it cannot be written
    (after one ``error:`` line), or 141 when the reader has gone (a closed pipe, as a
    Unix tool killed by SIGPIPE)."""
    stream = sys.stdout
    if stream is None:  # started with stdout closed (symnum ... >&-)
        return fail("cannot write the output: stdout is closed")
    if not _encodable(text, stream):
        note(f"the output's encoding ({getattr(stream, 'encoding', None)}) cannot show some "
             "characters: they are written in ASCII (set PYTHONIOENCODING=utf-8 for the "
             "original)")
        text = ascii_safe(text)
    try:
        stream.write(text + "\n")
        stream.flush()
    except BrokenPipeError:
        _discard_stdout()
        return 141
    except (OSError, ValueError) as err:
        _discard_stdout()
        reason = err.strerror if isinstance(err, OSError) and err.strerror else str(err)
        fail(f"cannot write the output: {reason}")
        return 2
    return 0


def _encodable(text: str, stream: object) -> bool:
    encoding = getattr(stream, "encoding", None)
    if not encoding or getattr(stream, "errors", "strict") != "strict":
        return True
    try:
        text.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def _discard_stdout() -> None:
    """Point stdout at /dev/null, so that the flush at interpreter exit has nothing to fail on
    (Python would print 'Exception ignored ... BrokenPipeError')."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # not a real file (a test's capture)
        pass


def fail(message: str) -> int:
    """One ``error:`` line on stderr; returns the exit code 2."""
    if sys.stderr is not None:  # print(file=None) would write on stdout
        try:
            print("error: " + " ".join(message.split()), file=sys.stderr, flush=True)
        except (OSError, ValueError):
            pass
    return 2
