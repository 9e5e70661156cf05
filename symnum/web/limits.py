"""The limits of one request in a worker process, in the server's words: the timer, watchdog
and rlimit are :mod:`symnum.edge.limits`' (shared with the command line); the library itself
bounds its work by operation counts, never by a clock.

>>> Limits(30, 2**30).memory_message()
"ran out of memory (the server's limit is 1G per request; start it with --memory to allow more)"
>>> parse_size("512M"), parse_size("off")
(536870912, None)
"""

from __future__ import annotations

from ..core.errors import SymnumError
from ..edge import limits as edge
from ..edge.limits import MIN_MEMORY, size_text


class OptionError(SymnumError):
    """An option of ``symnum serve`` is malformed."""


class Limits(edge.Limits):
    """Limits of one request: seconds and bytes (None: no limit)."""

    def time_message(self) -> str:
        """The one-line error when the time limit is hit."""
        return (f"gave up after {self.seconds:g} s (the server's time limit; start it with "
                "--timeout to allow more)")

    def memory_message(self) -> str:
        """The one-line error when the memory limit is hit."""
        return (f"ran out of memory (the server's limit is {self.limit_text()} per request; "
                "start it with --memory to allow more)")


def parse_size(text: str) -> int | None:
    """``512M``, ``2G``, a number of bytes, or ``off`` (None); an :class:`OptionError` below
    MIN_MEMORY or malformed."""
    try:
        return edge.read_size(text)
    except ValueError:
        raise OptionError(f"--memory must be a size from {size_text(MIN_MEMORY)} up, like "
                          f"512M or 2G (or 'off' for no limit), got {text!r}") from None
