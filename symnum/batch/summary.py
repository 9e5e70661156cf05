"""What a grading run found, as data: per question (verdicts, correct rate, mean points, the
most common mistakes and wrong answers with their hints) and per student (points of the
possible); :meth:`Summary.text` is the few lines ``symnum grade`` prints at the end, and
:func:`symnum.batch.report.write_report` the HTML page.

>>> from symnum.batch.jobs import Row
>>> from symnum.batch.tables import KeyRow
>>> key = {"q1": KeyRow("q1", "x**3", "x")}
>>> rows = [Row("ann", "q1", "correct", 1.0), Row("bob", "q1", "incorrect", 0.0,
...         "the sign is wrong: the claim is minus the derivative")]
>>> s = summary(rows, key, {("bob", "q1"): "-3*x**2"})
>>> s.questions[0].rate, s.questions[0].wrong[0].answer, s.questions[0].mistakes
(0.5, '-3*x**2', (('wrong sign', 1),))
>>> print(s.text())
2 answers from 2 students to 1 question: 1 correct, 1 incorrect
question  correct    mean points  most common mistake
q1        1/2   50%  0.5/1        wrong sign (1)
students' totals (of 1): mean 0.5 (50%), median 0.5, lowest 0, highest 1
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..check.diagnose import hint_kind
from .jobs import VERDICTS, Row
from .tables import Answer, KeyRow

# A mistake's name in the summary, by the kind of its hint (symnum.check.diagnose.HINT_KINDS;
# a test keeps the two the same); a wrong answer with no known kind was found wrong at a point.
MISTAKES = {
    "chain": "chain-rule factor missing",
    "power": "power rule misapplied",
    "exponential": "exponential taken for a power",
    "trig": "derivative of sin/cos has the wrong sign",
    "quotient": "quotient rule misapplied",
    "product": "product-rule term missing",
    "sign": "wrong sign",
    "constant": "constant factor off",
    "variable": "derivative in the wrong variable",
    "order": "wrong order of derivative",
    "entries": "entries in the wrong order",
    "transpose": "transposed",
    "term": "a term missing",
    "region": "wrong only in a region",
    "symmetric": "holds only for a symmetric matrix",
}
AT_A_POINT = "wrong at a point"
NOT_CORRECT = ("incorrect", "unreadable", "gave up")
WRONG_SHOWN = 5  # wrong answers listed per question
STUDENTS_SHOWN = 6  # students named per wrong answer


@dataclass(frozen=True)
class WrongAnswer:
    """One answer (as written; the same after spaces are removed counts as one) that was not
    correct, how many gave it and who, its verdict and hint."""

    answer: str
    count: int
    verdict: str
    hint: str
    students: tuple[str, ...]


@dataclass(frozen=True)
class QuestionStats:
    """One question: its key row (None for a question no longer in the key), its verdicts in
    :data:`VERDICTS` order, mean points, the mistakes by kind and the wrong answers, most
    common first."""

    question: str
    key: KeyRow | None
    counts: tuple[tuple[str, int], ...]
    answered: int
    correct: int
    points: float
    full: float
    mistakes: tuple[tuple[str, int], ...]
    wrong: tuple[WrongAnswer, ...]

    @property
    def rate(self) -> float:
        """The share of its answers that are correct."""
        return self.correct / self.answered if self.answered else 0.0


@dataclass(frozen=True)
class StudentTotal:
    """One student: points of the possible (every question of the key), verdict counts."""

    student: str
    points: float
    possible: float
    counts: tuple[tuple[str, int], ...]

    @property
    def share(self) -> float:
        return self.points / self.possible if self.possible else 0.0


@dataclass(frozen=True)
class Summary:
    """A run's rows, read per question and per student."""

    rows: tuple[Row, ...]
    questions: tuple[QuestionStats, ...]
    students: tuple[StudentTotal, ...]
    possible: float

    def counts(self) -> dict[str, int]:
        """Rows per verdict, in :data:`VERDICTS` order (only those present)."""
        counted = Counter(r.verdict for r in self.rows)
        return {v: counted[v] for v in VERDICTS if counted[v]}

    def text(self) -> str:
        """A few lines: the verdicts, a table of questions, the students' totals."""
        verdicts = ", ".join(f"{n} {v}" for v, n in self.counts().items()) or "no rows"
        lines = [f"{_n(len(self.rows), 'answer')} from {_n(len(self.students), 'student')} "
                 f"to {_n(len(self.questions), 'question')}: {verdicts}"]
        if not self.questions:
            return lines[0]
        width = max(8, *(len(q.question) for q in self.questions))
        table = [("question", "correct", "mean points", "most common mistake")]
        for q in self.questions:
            top = f"{q.mistakes[0][0]} ({q.mistakes[0][1]})" if q.mistakes else "-"
            if not q.answered:
                table.append((q.question, "-", "-", "nobody answered it"))
                continue
            table.append((q.question, f"{q.correct}/{q.answered}  {q.rate:4.0%}",
                          f"{q.points:.3g}/{q.full:g}", top))
        cells = [max(len(r[i]) for r in table) for i in range(3)]
        cells[0] = width
        lines += ["  ".join(c.ljust(w) for c, w in zip(r[:3], cells, strict=True)) + "  "
                  + r[3] for r in table]
        totals = [s.points for s in self.students]
        if totals:
            mean = statistics.fmean(totals)
            share = f" ({mean / self.possible:.0%})" if self.possible else ""
            lines.append(f"students' totals (of {self.possible:g}): mean {mean:.3g}{share}, "
                         f"median {statistics.median(totals):.3g}, lowest {min(totals):g}, "
                         f"highest {max(totals):g}")
        return "\n".join(lines)


def summary(rows: Iterable[Row], key: Mapping[str, KeyRow],
            answers: Mapping[tuple[str, str], str] | Iterable[Answer] | None = None
            ) -> Summary:
    """The summary of ``rows`` graded against ``key``; ``answers`` ((student, question) →
    answer text, or the :class:`Answer` rows read) name the wrong answers, otherwise they are
    told apart by their hints alone."""
    rows = tuple(rows)
    texts = _answer_texts(answers)
    by_question: dict[str, list[Row]] = defaultdict(list)
    by_student: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        by_question[row.question].append(row)
        by_student[row.student].append(row)
    order = list(key) + sorted(q for q in by_question if q not in key)  # nobody's too
    questions = tuple(_question(q, key.get(q), by_question[q], texts) for q in order)
    possible = sum(k.points.full for k in key.values()) if key else \
        sum(q.full for q in questions)
    students = tuple(StudentTotal(s, sum(r.points for r in by_student[s]), possible,
                                  _counts(by_student[s])) for s in sorted(by_student))
    return Summary(rows, questions, students, possible)


def mistake(row: Row) -> str:
    """The name of what is wrong with a row that is not correct."""
    if row.verdict != "incorrect":
        return row.verdict
    return MISTAKES.get(hint_kind(row.hint) or "", AT_A_POINT)


def _question(question: str, key: KeyRow | None, rows: list[Row],
              texts: Mapping[tuple[str, str], str]) -> QuestionStats:
    correct = sum(r.verdict == "correct" for r in rows)
    wrong = [r for r in rows if r.verdict in NOT_CORRECT]
    mistakes = Counter(mistake(r) for r in wrong).most_common()
    full = key.points.full if key is not None else max((r.points for r in rows), default=1.0)
    return QuestionStats(question, key, tuple(_counts(rows).items()), len(rows), correct,
                         statistics.fmean(r.points for r in rows) if rows else 0.0, full,
                         tuple(mistakes),
                         _wrong_answers(wrong, texts))


def _wrong_answers(wrong: list[Row], texts: Mapping[tuple[str, str], str]
                   ) -> tuple[WrongAnswer, ...]:
    """The wrong answers, grouped by their text (or, unknown, by hint), most common first."""
    groups: dict[str, list[Row]] = defaultdict(list)
    shown: dict[str, str] = {}
    for row in wrong:
        text = texts.get((row.student, row.question))
        group = "".join(text.split()) if text is not None else "\0" + row.verdict + row.hint
        groups[group].append(row)
        shown.setdefault(group, text if text is not None else "")
    ranked = sorted(groups.items(), key=lambda item: -len(item[1]))  # stable: first seen first
    return tuple(WrongAnswer(shown[g], len(rs), rs[0].verdict, rs[0].hint,
                             tuple(r.student for r in rs[:STUDENTS_SHOWN]))
                 for g, rs in ranked[:WRONG_SHOWN])


def _counts(rows: list[Row]) -> dict[str, int]:
    counted = Counter(r.verdict for r in rows)
    return {v: counted[v] for v in VERDICTS if counted[v]}


def _answer_texts(answers: Mapping[tuple[str, str], str] | Iterable[Answer] | None
                  ) -> Mapping[tuple[str, str], str]:
    if answers is None:
        return {}
    if isinstance(answers, Mapping):
        return answers
    return {(a.student, a.question): a.answer for a in answers}


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")
