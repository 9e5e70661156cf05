"""The results file (``.csv`` with a header, or ``.jsonl``): one row per (student, question),
appended as rows finish, each batch flushed and fsynced, so that a crash or SIGKILL loses at
most the batch being written, and the same command then continues where it stopped.

On open, a torn last line (a write cut short) is cut off, and the rows there are read: a job
whose pair is there with the same digest (same key row, same answer) is done. A changed
digest is graded again and appended; when the run ends the file is rewritten once (a temp
file, then ``os.replace``) with one row per pair, the latest, every other line kept byte for
byte.

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "results.csv"
>>> with Store(path) as store:
...     store.add(Row("ann", "q1", "correct", 1.0, "", 0.1, "ab12"))
>>> Store(path).done
{('ann', 'q1'): 'ab12'}
"""

from __future__ import annotations

import csv
import io
import json
import os
import time
from pathlib import Path

from .jobs import ROW_COLUMNS, Row
from .tables import SUFFIXES, BatchInputError

BATCH_ROWS = 20  # rows written together (one write, one fsync) ...
BATCH_S = 1.0  # ... or fewer, once this long has passed since the last write


class Store:
    """The results at ``path``: :attr:`done` maps each finished pair to its digest;
    :meth:`add` appends, :meth:`close` writes what is left and tidies the file."""

    def __init__(self, path: str | Path, batch: int = BATCH_ROWS) -> None:
        self.path = Path(path)
        if self.path.suffix.lower() not in SUFFIXES:
            raise BatchInputError(f"{self.path}: the results file must end in .csv or .jsonl")
        self.jsonl = self.path.suffix.lower() == ".jsonl"
        self.batch = batch
        self.lines: dict[tuple[str, str], bytes] = {}  # the latest line of each pair
        self.done: dict[tuple[str, str], str] = {}
        self.gave_up: set[tuple[str, str]] = set()  # pairs whose latest row gave up
        self.duplicated = False
        self.header = b""
        self._pending: list[bytes] = []
        self._written = time.monotonic()
        self._read()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _read(self) -> None:
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return
        except OSError as err:
            raise BatchInputError(f"{self.path}: cannot read it ({err.strerror})") from None
        whole = data[:data.rfind(b"\n") + 1]  # a torn last line (SIGKILL mid-write) is cut
        if len(whole) < len(data):
            with self.path.open("r+b") as handle:
                handle.truncate(len(whole))
                os.fsync(handle.fileno())
        lines = whole.splitlines(keepends=True)
        if not self.jsonl and lines:
            self.header, lines = lines[0], lines[1:]
            if next(csv.reader([self.header.decode("utf-8", "replace")]), []) \
                    != list(ROW_COLUMNS):
                raise BatchInputError(f"{self.path}: not a results file of symnum grade (its "
                                      f"header is not {','.join(ROW_COLUMNS)})")
        for number, line in enumerate(lines, 2 - self.jsonl):
            if line.strip():
                row = self._row(line, number)
                pair = (row.student, row.question)
                self.duplicated = self.duplicated or pair in self.lines
                self.lines.pop(pair, None)  # the latest wins, at its own place
                self.lines[pair], self.done[pair] = line, row.digest
                self._note(row)

    def _row(self, line: bytes, number: int) -> Row:
        try:
            text = line.decode("utf-8")
            if self.jsonl:
                return Row.from_record(json.loads(text))
            return Row.from_record(dict(zip(ROW_COLUMNS, next(csv.reader([text])),
                                            strict=True)))
        except (ValueError, KeyError, TypeError, StopIteration):
            raise BatchInputError(f"{self.path}, line {number}: not a row of symnum grade's "
                                  "results") from None

    def _note(self, row: Row) -> None:
        pair = (row.student, row.question)
        if row.verdict == "gave up":
            self.gave_up.add(pair)
        else:
            self.gave_up.discard(pair)

    def rows(self) -> list[Row]:
        """Every finished row, one per pair (after :meth:`close`: what the file holds)."""
        return [self._row(line, 0) for line in self.lines.values()]

    def _line(self, row: Row) -> bytes:
        record = row.record()
        if self.jsonl:
            return (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerow([record[c] for c in ROW_COLUMNS])
        return out.getvalue().encode("utf-8")

    def add(self, row: Row) -> None:
        """Keep ``row``; written with its batch."""
        line = self._line(row)
        pair = (row.student, row.question)
        self.duplicated = self.duplicated or pair in self.lines
        self.lines.pop(pair, None)
        self.lines[pair], self.done[pair] = line, row.digest
        self._note(row)
        self._pending.append(line)
        if len(self._pending) >= self.batch or time.monotonic() - self._written > BATCH_S:
            self.flush()

    def flush(self) -> None:
        """Append the pending rows in one write, then flush and fsync."""
        if not self._pending and self.path.exists():
            return
        head = b""
        if not self.jsonl and not self.header:
            self.header = head = (",".join(ROW_COLUMNS) + "\n").encode()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("ab") as handle:
            handle.write(head + b"".join(self._pending))
            handle.flush()
            os.fsync(handle.fileno())
        self._pending.clear()
        self._written = time.monotonic()

    def close(self) -> None:
        """Write the pending rows; then, if a pair has two rows (a regraded answer), rewrite
        the file atomically with the latest of each."""
        self.flush()
        if not self.duplicated:
            return
        temporary = self.path.with_name(self.path.name + ".tmp")
        with temporary.open("wb") as handle:
            handle.write(self.header + b"".join(self.lines.values()))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.path)
        self.duplicated = False
