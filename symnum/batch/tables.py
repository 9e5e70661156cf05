"""The tables a batch reads: ANSWERS (``student``, ``question``, ``answer``) and KEY
(``question``, ``expression``, ``wrt``, ``what``, optional ``shapes``, ``syntax``,
``points``), each a ``.csv`` file with a header or a ``.jsonl`` file of objects, chosen by
the extension. Anything malformed is a :class:`BatchInputError` naming the file and the line,
raised before any grading starts.

>>> read_points("2; sign=1; constant=1.5")
Points(full=2.0, partial=(('sign', 1.0), ('constant', 1.5)))
>>> read_points("x")
Traceback (most recent call last):
...
ValueError: points must be a number, or 'N; kind=weight; ...' (kinds: chain, power, ...
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import SymnumError

ANSWER_COLUMNS = ("student", "question", "answer")
KEY_COLUMNS = ("question", "expression", "wrt", "what", "shapes", "syntax", "points", "order",
               "vector", "at")
KEY_REQUIRED = ("question", "expression")
MAX_CELL = 1_000_000  # characters of one cell (a 100 kB answer is read, then graded under limits)
SUFFIXES = (".csv", ".jsonl")


class BatchInputError(SymnumError):
    """A table that cannot be read: the file and the line, and what is wrong there."""


@dataclass(frozen=True)
class Points:
    """Full marks and partial credit: a wrong answer whose hint is of a kind listed in
    ``partial`` (a kind of ``symnum.check.diagnose.HINT_KINDS``) gets that many."""

    full: float = 1.0
    partial: tuple[tuple[str, float], ...] = ()

    def text(self) -> str:
        """As written in a key: ``2; sign=1``."""
        return "; ".join([f"{self.full:g}", *(f"{k}={w:g}" for k, w in self.partial)])


@dataclass(frozen=True)
class KeyRow:
    """One question of the key."""

    question: str
    expression: str
    wrt: str | None = None
    what: str | None = None
    shapes: tuple[str, ...] = ()
    syntax: str = "plain"
    points: Points = Points()
    order: int = 1  # of a tensor or a Taylor polynomial
    vector: str | None = None  # the direction of hvp, jvp, vjp
    at: str | None = None  # a Taylor polynomial's expansion point (x=0)

    def canonical(self) -> dict:
        """The fields that decide a verdict, as plain data (hashed into a job's digest;
        order, vector and at only when given: the digests of keys without them stay)."""
        extra = {k: v for k, v in (("order", self.order), ("vector", self.vector),
                                   ("at", self.at)) if v not in (1, None)}
        return {"question": self.question, "expression": self.expression, "wrt": self.wrt,
                "what": self.what, "shapes": list(self.shapes), "syntax": self.syntax,
                "points": self.points.text(), **extra}


@dataclass(frozen=True)
class Answer:
    """One student's answer to one question, and the line it was read from."""

    student: str
    question: str
    answer: str
    line: int = 0


def read_points(text: str) -> Points:
    """``N`` or ``N; kind=weight; …`` (a ValueError otherwise)."""
    from ..check.diagnose import HINT_KINDS

    kinds = ", ".join(HINT_KINDS)
    usage = f"points must be a number, or 'N; kind=weight; ...' (kinds: {kinds})"
    parts = [p.strip() for p in str(text).split(";") if p.strip()]
    if not parts:
        return Points()
    try:
        full = float(parts[0])
        partial = tuple((k.strip(), float(w)) for k, w in (p.split("=", 1) for p in parts[1:]))
    except ValueError:
        raise ValueError(usage) from None
    unknown = [k for k, _ in partial if k not in HINT_KINDS]
    if unknown:
        raise ValueError(f"unknown kind {unknown[0]!r} in points (kinds: {kinds})")
    if not all(math.isfinite(v) and v >= 0 for v in (full, *(w for _, w in partial))):
        raise ValueError("points must be finite and not negative")
    return Points(full, partial)


def _records(path: Path) -> Iterator[tuple[int, dict]]:
    """(line number, the row as a dict of text) for each row of a .csv or .jsonl file."""
    if path.suffix.lower() not in SUFFIXES:
        raise BatchInputError(f"{path}: not a .csv or .jsonl file")
    try:
        handle = path.open(encoding="utf-8-sig", newline="")  # a BOM: Excel's CSV
    except OSError as err:
        raise BatchInputError(f"{path}: cannot read it ({err.strerror or err})") from None
    with handle:
        try:
            if path.suffix.lower() == ".jsonl":
                yield from _json_lines(path, handle)
            else:
                yield from _csv_rows(path, handle)
        except UnicodeDecodeError:
            raise BatchInputError(f"{path}: not UTF-8 text") from None


def _json_lines(path: Path, handle) -> Iterator[tuple[int, dict]]:
    for number, line in enumerate(handle, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as err:
            raise BatchInputError(f"{path}, line {number}: not JSON ({err.msg})") from None
        if not isinstance(row, dict):
            raise BatchInputError(f"{path}, line {number}: not a JSON object")
        yield number, {str(k): "" if v is None else v if isinstance(v, str) else
                       json.dumps(v) if isinstance(v, list | dict) else str(v)
                       for k, v in row.items()}


def _csv_rows(path: Path, handle) -> Iterator[tuple[int, dict]]:
    csv.field_size_limit(MAX_CELL)
    reader = csv.reader(handle)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise BatchInputError(f"{path}: empty (a header line is needed)") from None
    except csv.Error as err:
        raise BatchInputError(f"{path}, line 1: {err}") from None
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            raise BatchInputError(f"{path}, line {reader.line_num}: {err}") from None
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            raise BatchInputError(f"{path}, line {reader.line_num}: {len(cells)} cells, "
                                  f"but the header has {len(header)}")
        yield reader.line_num, dict(zip(header, cells, strict=True))


def _required(path: Path, number: int, row: dict, columns: tuple[str, ...]) -> None:
    missing = [c for c in columns if not str(row.get(c, "")).strip()]
    if missing:
        raise BatchInputError(f"{path}, line {number}: no {missing[0]!r} (columns: "
                              f"{', '.join(columns)})")


def _one_line(path: Path, number: int, names: tuple[str, ...]) -> None:
    if any("\n" in n or "\r" in n for n in names):
        raise BatchInputError(f"{path}, line {number}: a student or question name on more "
                              "than one line")


def read_answers(path: str | Path) -> list[Answer]:
    """The answers, in file order; a pair (student, question) at most once."""
    path = Path(path)
    answers, seen = [], {}
    for number, row in _records(path):
        _required(path, number, row, ("student", "question"))
        if "answer" not in row:
            raise BatchInputError(f"{path}, line {number}: no 'answer' column")
        pair = (row["student"].strip(), row["question"].strip())
        _one_line(path, number, pair)
        if pair in seen:
            raise BatchInputError(f"{path}, line {number}: student {pair[0]!r} answered "
                                  f"question {pair[1]!r} already on line {seen[pair]}")
        seen[pair] = number
        answers.append(Answer(*pair, str(row["answer"]), number))
    if not answers:
        raise BatchInputError(f"{path}: no answers in it")
    return answers


def read_key(path: str | Path) -> dict[str, KeyRow]:
    """The key by question, each checked: a known ``what`` and ``syntax``, points that
    read, an expression that parses (with its shapes)."""
    from ..service import DeriveRequest, ParseRequest, derive, parse
    from ..service.requests import SYNTAXES, WHATS

    path = Path(path)
    key: dict[str, KeyRow] = {}
    for number, row in _records(path):
        _required(path, number, row, KEY_REQUIRED)
        unknown = [c for c in row if c not in KEY_COLUMNS]
        if unknown:
            raise BatchInputError(f"{path}, line {number}: unknown column {unknown[0]!r} "
                                  f"(the key's columns: {', '.join(KEY_COLUMNS)})")
        question = row["question"].strip()
        _one_line(path, number, (question,))
        where = f"{path}, line {number} (question {question!r})"
        if question in key:
            raise BatchInputError(f"{where}: the question is in the key twice")
        what = row.get("what", "").strip() or None
        syntax = row.get("syntax", "").strip() or "plain"
        if what is not None and what not in WHATS:
            raise BatchInputError(f"{where}: unknown what {what!r} (one of {', '.join(WHATS)})")
        if syntax not in SYNTAXES:
            raise BatchInputError(f"{where}: syntax must be plain or latex, not {syntax!r}")
        try:
            points = read_points(row.get("points", ""))
        except ValueError as err:
            raise BatchInputError(f"{where}: {err}") from None
        shapes = tuple(s for s in _listed(row.get("shapes", ""), " ").replace(";", " ").split()
                       if s)
        order = row.get("order", "").strip() or "1"
        if not order.isdigit() or int(order) < 1:
            raise BatchInputError(f"{where}: order must be a whole number of at least 1")
        entry = KeyRow(question, row["expression"].strip(),
                       _listed(row.get("wrt", ""), ", ").strip() or None, what, shapes, syntax,
                       points, int(order), _listed(row.get("vector", ""), ", ").strip() or None,
                       row.get("at", "").strip() or None)
        try:
            parse(ParseRequest(entry.expression, entry.shapes, entry.syntax))
        except SymnumError as err:
            raise BatchInputError(f"{where}: the expression does not read: {err}") from None
        try:  # a wrt, vector or at that cannot work is the key's error, not every student's
            derive(DeriveRequest(entry.expression, entry.wrt, what, entry.order, entry.shapes,
                                 at=entry.at, syntax=syntax, vector=entry.vector))
        except SymnumError as err:
            raise BatchInputError(f"{where}: {err}") from None
        key[question] = entry
    if not key:
        raise BatchInputError(f"{path}: no questions in it")
    return key


def _listed(text: str, sep: str) -> str:
    """A JSON list (a .jsonl key's ``"wrt": ["x", "y"]``) as text joined by ``sep``."""
    if text.strip().startswith("["):
        try:
            items = json.loads(text)
        except json.JSONDecodeError:
            return text
        if isinstance(items, list):
            return sep.join(str(i) for i in items)
    return text


def unknown_questions(answers: list[Answer], key: dict[str, KeyRow], path: str | Path) -> None:
    """A BatchInputError for the first answer to a question the key lacks."""
    for answer in answers:
        if answer.question not in key:
            raise BatchInputError(f"{path}, line {answer.line}: question {answer.question!r} "
                                  "is not in the key")
