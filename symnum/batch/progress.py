"""A progress line for a long batch: rows done of the total, the rate and the time left,
redrawn in place on a terminal's stderr; nothing when ``quiet`` or when stderr is not a
terminal (a script, a pipe, a log).

>>> line(30, 120, 10.0)
'graded 30/120 (25%), 3.0 rows/s, about 30 s left'
>>> line(0, 120, 0.5)
'graded 0/120 (0%)'
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

REDRAW_S = 0.25  # at most this often


def _duration(seconds: float) -> str:
    seconds = round(seconds)
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min"


def line(done: int, total: int, elapsed: float) -> str:
    """The progress as words."""
    share = 100 * done // total if total else 100
    text = f"graded {done}/{total} ({share}%)"
    if done and elapsed > 0:
        rate = done / elapsed
        text += f", {rate:.1f} rows/s, about {_duration((total - done) / rate)} left"
    return text


class Progress:
    """Call :meth:`advance` per row; :meth:`close` clears the line."""

    def __init__(self, total: int, quiet: bool = False, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.total, self.done = total, 0
        self.shown = not quiet and total > 0 and _is_terminal(self.stream)
        self.started = self.drawn = time.monotonic()
        self.width = 0
        self._draw()

    def advance(self, rows: int = 1) -> None:
        """``rows`` more are done."""
        self.done += rows
        if time.monotonic() - self.drawn >= REDRAW_S or self.done >= self.total:
            self._draw()

    def _draw(self) -> None:
        if not self.shown:
            return
        text = line(self.done, self.total, time.monotonic() - self.started)
        self.stream.write("\r" + text.ljust(self.width))
        self.stream.flush()
        self.width, self.drawn = len(text), time.monotonic()

    def close(self) -> None:
        """Erase the line."""
        if self.shown:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()
            self.shown = False


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
