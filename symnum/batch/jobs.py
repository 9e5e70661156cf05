"""One answer to grade (:class:`Job`) and its verdict (:class:`Row`): the service's ``check``
under the answer's own time and memory limits, mapped to ``correct``, ``incorrect``,
``unreadable`` (the answer does not read, or has the wrong shape) or ``gave up`` (a limit
reached, or the worker grading it stopped).

>>> key = KeyRow("q1", "x**3", "x")
>>> row = grade(Job("ann", "q1", "3*x**2", key), GradeLimits(None, None))
>>> row.verdict, row.points, row.hint
('correct', 1.0, '')
>>> row = grade(Job("bob", "q1", "-3*x**2", key), GradeLimits(None, None))
>>> row.verdict, row.hint
('incorrect', 'the sign is wrong: the claim is minus the derivative')
>>> grade(Job("cy", "q1", "3*x**", key), GradeLimits(None, None)).verdict
'unreadable'
"""

from __future__ import annotations

import hashlib
import json
import re
import time
import warnings
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from ..core.errors import SymnumError
from ..edge import limits as edge
from ..edge.limits import OutOfMemory, TimeUp, limited, resident_size
from .tables import KeyRow, Points

VERDICTS = ("correct", "incorrect", "unreadable", "gave up")
ROW_COLUMNS = ("student", "question", "verdict", "points", "hint", "seconds", "digest")
MAX_HINT = 300  # characters of a hint kept in the results


class GradeLimits(edge.Limits):
    """The limits of one answer, in ``symnum grade``'s words."""

    def time_message(self) -> str:
        return (f"gave up after {self.seconds:g} s (the limit per answer; --timeout allows "
                "more)")

    def memory_message(self) -> str:
        return (f"ran out of memory (the limit per answer is {self.limit_text()}; --memory "
                "allows more)")


@dataclass(frozen=True)
class Job:
    """A student's answer to a question of the key."""

    student: str
    question: str
    answer: str
    key: KeyRow

    @property
    def digest(self) -> str:
        """16 hex digits of sha256 over the key row and the answer: a rerun regrades a pair
        only when this changed."""
        text = json.dumps({"key": self.key.canonical(), "answer": self.answer},
                          sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]

    def to_dict(self) -> dict[str, Any]:
        """Plain data for a pipe or a Dask task."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Job:
        """The job :meth:`to_dict` wrote."""
        key = dict(data["key"])
        points = key.pop("points")
        key = KeyRow(**{**key, "shapes": tuple(key["shapes"]),
                        "points": Points(points["full"],
                                         tuple(tuple(p) for p in points["partial"]))})
        return cls(data["student"], data["question"], data["answer"], key)


@dataclass(frozen=True)
class Row:
    """A verdict, as the results file keeps it."""

    student: str
    question: str
    verdict: str
    points: float = 0.0
    hint: str = ""
    seconds: float = 0.0
    digest: str = field(default="")

    def record(self) -> dict[str, Any]:
        """The row as the results file's columns."""
        points = round(float(self.points), 6)
        return {**asdict(self), "points": int(points) if points.is_integer() else points,
                "seconds": round(self.seconds, 3)}

    @classmethod
    def from_record(cls, data: dict[str, Any]) -> Row:
        """A row read back (from CSV its cells are text)."""
        return cls(str(data["student"]), str(data["question"]), str(data["verdict"]),
                   float(data.get("points") or 0), str(data.get("hint") or ""),
                   float(data.get("seconds") or 0), str(data.get("digest") or ""))


def one_line(text: str) -> str:
    """A hint on one line, at most MAX_HINT characters."""
    text = " ".join(str(text).split())
    return text if len(text) <= MAX_HINT else text[:MAX_HINT - 1] + "…"


def gave_up(job: Job, hint: str, seconds: float = 0.0) -> Row:
    """The row of a job that could not be finished."""
    return Row(job.student, job.question, "gave up", 0.0, one_line(hint), seconds, job.digest)


def grade(job: Job, limits: GradeLimits) -> Row:
    """Grade one answer under ``limits``: seconds, and bytes this answer may add to what the
    process holds already (SymPy and symnum, loaded before). Limits are enforced in the main
    thread of a POSIX process (:func:`symnum.edge.limited`), as the runner's workers are."""
    started = time.perf_counter()
    held = resident_size() or 0
    enforced = replace(limits, memory=None if limits.memory is None else limits.memory + held)
    try:
        with warnings.catch_warnings(), limited(enforced):
            warnings.simplefilter("ignore")
            verdict, points, hint = _check(job)
    except SymnumError as err:
        verdict, points, hint = "unreadable", 0.0, str(err)
    except TimeUp:
        verdict, points, hint = "gave up", 0.0, limits.time_message()
    except (MemoryError, OutOfMemory):
        verdict, points, hint = "gave up", 0.0, limits.memory_message()
    except RecursionError:
        verdict, points, hint = "unreadable", 0.0, "the answer is too deeply nested to read"
    except Exception as err:  # noqa: BLE001 - one answer never stops the run
        verdict, points, hint = "gave up", 0.0, f"internal error ({type(err).__name__}): {err}"
    return Row(job.student, job.question, verdict, points, one_line(hint),
               time.perf_counter() - started, job.digest)


def _check(job: Job) -> tuple[str, float, str]:
    from ..check.diagnose import hint_kind
    from ..service import CheckRequest, check

    if not job.answer.strip():
        return "unreadable", 0.0, "no answer"
    key = job.key

    def checked(answer: str) -> Any:
        return check(CheckRequest(answer, key.expression, key.wrt, key.what, key.order,
                                  shapes=key.shapes, syntax=key.syntax, vector=key.vector,
                                  at=key.at))
    try:
        result = checked(job.answer)
    except SymnumError:  # f'(x) = 2x, \nabla f = [...]: the right-hand side is the answer
        sides = re.split(r"(?<![<>=!])=(?!=)", job.answer)
        if len(sides) < 2 or not sides[-1].strip():
            raise
        result = checked(sides[-1])
    outcome: Any = getattr(result, "outcome", result)  # a Taylor check is its own outcome
    if outcome.correct:
        return "correct", key.points.full, ""
    diagnosis = getattr(outcome, "diagnosis", None)
    hint = diagnosis or getattr(outcome, "hint", None) or _first_lines(result.text())
    strange = unknown_names(outcome, key)
    glued = [(n, _split(n, _known(outcome, key))) for n in strange]
    if glued and all(parts for _, parts in glued):  # 2xy: the name xy, meant as x*y
        return "unreadable", 0.0, "; ".join(
            f"{n} is not a name in the question: write {'*'.join(p)} for a product"
            for n, p in glued)
    if strange:
        hint = f"{', '.join(strange)}: not in the question; {hint}"
    return "incorrect", dict(key.points.partial).get(hint_kind(diagnosis), 0.0), hint


def _first_lines(text: str) -> str:
    """Where the claim is wrong, and when it is off by a constant, by which (2*x + 10**-20
    and 2*x print the same at a point)."""
    lines = text.splitlines()
    hint = lines[0].removeprefix("incorrect: ")
    offset = next((line for line in lines[1:3] if " is the constant " in line), None)
    return f"{hint}; {offset.removesuffix(', shown symbolically')}" if offset else hint


def _known(outcome: Any, key: KeyRow) -> set[str]:
    """The names a right answer may use: the function's and its derivative's (hvp's v_x),
    wrt, the vector's and the shapes' dimensions."""
    names = set(re.findall(r"[^\W\d]\w*", " ".join((key.wrt or "", key.vector or "",
                                                      *key.shapes))))
    for source in (outcome.result.function.expr, outcome.result.expr):
        names |= {str(s) for s in getattr(source, "free_symbols", ())}
    return names


def unknown_names(outcome: Any, key: KeyRow) -> list[str]:
    """Names in a wrong answer that the question does not have (``2xy`` reads as 2 times
    a name ``xy``; ``+ C``); none when the outcome cannot say."""
    try:
        claimed = {str(s) for s in outcome.claimed.free_symbols}
        return sorted(claimed - _known(outcome, key))
    except AttributeError:
        return []


def _split(name: str, known: set[str]) -> list[str]:
    """``name`` as two or more known names and digits glued together (``xy`` → x, y), or []."""
    def parts(rest: str) -> list[str] | None:
        if not rest:
            return []
        for size in range(len(rest), 0, -1):
            head = rest[:size]
            if head in known or head.isdigit():
                tail = parts(rest[size:])
                if tail is not None:
                    return [head, *tail]
        return None
    found = parts(name)
    return found if found and len(found) > 1 else []
