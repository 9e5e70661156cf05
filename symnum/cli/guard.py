"""What surrounds every command line run: limits read from the environment (enforced by
:mod:`symnum.edge.limits`, shared with the web workers), third-party warnings kept off
stderr, and output written so that no fault of the terminal, the disk or a pipe ends in a
traceback.

Only :func:`symnum.cli.main` uses this module; importing the library sets no limit.

>>> limits_from({"SYMNUM_TIMEOUT": "60", "SYMNUM_MEMORY": "512M"})
Limits(seconds=60.0, memory=536870912)
>>> limits_from({"SYMNUM_MEMORY": "off"}).memory is None
True
>>> ascii_safe("d/dx [x²·exp(x)] = ℯˣ")
'd/dx [x^2*exp(x)] = e\\\\u02e3'
"""

from __future__ import annotations

import atexit
import contextlib
import os
import sys
import threading
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from ..core.errors import SymnumError
from ..edge import limits as edge
from ..edge.limits import MIN_MEMORY, NO_LIMIT, size_text

DEFAULT_TIMEOUT_S = 300.0
MAX_TIMEOUT_S = 30 * 24 * 3600  # a month; "off" for no limit at all
DEFAULT_MEMORY = 4 * 2**30  # 4 GiB of resident memory

ENVIRONMENT_HELP = """environment:
  SYMNUM_TIMEOUT  seconds a command may run (default 300; "off" for no limit)
  SYMNUM_MEMORY   memory a command may use: bytes or with a unit, like 512M or 8G
                  (default 4G; "off" for no limit)"""


class UsageError(SymnumError):
    """The command line or its environment is malformed."""


class Limits(edge.Limits):
    """Limits of one command: seconds and bytes (None: no limit), run under
    :func:`symnum.edge.limited`."""

    def time_message(self) -> str:
        """The one-line error shown when the time limit is hit."""
        return f"gave up after {self.seconds:g} s (set SYMNUM_TIMEOUT to allow more)"

    def memory_message(self) -> str:
        """The one-line error shown when the memory limit is hit."""
        return f"ran out of memory (limit {self.limit_text()}; set SYMNUM_MEMORY to allow more)"


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
    try:
        return edge.read_size(text)
    except ValueError:
        raise UsageError(f"SYMNUM_MEMORY must be a size from {size_text(MIN_MEMORY)} up, in "
                         f"bytes or with a unit like 512M or 8G (or 'off' for no limit), "
                         f"got {text!r}") from None


def forget_interrupted_work() -> None:
    """Clear SymPy's cache after a limit cut a command short: an expression interrupted while
    it computed an assumption can keep a half-written state, and the cache would hand it to
    the next command run in the same process (``main()`` called from Python)."""
    if "sympy" in sys.modules:
        from sympy.core.cache import clear_cache
        clear_cache()


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


def end_process(code: int) -> int:
    """End the process with ``code`` now that the command is done: stdout and stderr flushed,
    the ``atexit`` handlers run, then ``os._exit``, skipping the interpreter's teardown (it
    frees every SymPy object one by one, a large share of a small command's time). With a
    non-daemon thread still running, returns ``code`` for Python's own exit instead."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError, AttributeError):
            stream.flush()
    main_thread = threading.main_thread()
    if any(t is not main_thread and t.is_alive() and not t.daemon
           for t in threading.enumerate()):
        return code
    atexit._run_exitfuncs()
    os._exit(code)
