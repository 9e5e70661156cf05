"""``symnum grade``'s run: read the key and the answers (every error before any grading),
skip what the results file already holds with the same digest, grade the rest on the runner
(the same answer to the same question once, whoever gave it), keep each row in the store as
it finishes.

>>> Graded([Row("a", "q", "correct", 1.0), Row("b", "q", "gave up")], {}, 1, 1, 2.0).text(
...     "r.csv")
'graded 1 answer in 2.0 s (1 already in r.csv): 1 correct, 1 gave up → r.csv'
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

from ..core.errors import SymnumError
from .jobs import VERDICTS, GradeLimits, Job, Row
from .progress import Progress
from .runner import run
from .store import Store
from .tables import KeyRow, read_answers, read_key, unknown_questions


@dataclass
class Graded:
    """The outcome of a run: every row of the results file (one per pair), the key, how
    many were graded now and how many were there already, the seconds it took."""

    rows: list[Row]
    key: dict[str, KeyRow]
    graded: int
    kept: int
    seconds: float

    def counts(self) -> dict[str, int]:
        """Rows per verdict, in :data:`VERDICTS` order (only those present)."""
        counted = Counter(r.verdict for r in self.rows)
        return {v: counted[v] for v in VERDICTS if counted[v]}

    def text(self, out: str | Path) -> str:
        """One line: what was done, the verdicts, where they are."""
        verdicts = ", ".join(f"{n} {v}" for v, n in self.counts().items())
        plural = "" if self.graded == 1 else "s"
        kept = f" ({self.kept} already in {out})" if self.kept else ""
        return (f"graded {self.graded} answer{plural} in {self.seconds:.1f} s{kept}: "
                f"{verdicts or 'no rows'} → {out}")


def jobs_of(answers_path: str | Path, key_path: str | Path) -> tuple[list[Job], dict]:
    """The jobs of an answers file against a key, both checked first."""
    key = read_key(key_path)
    answers = read_answers(answers_path)
    unknown_questions(answers, key, answers_path)
    return [Job(a.student, a.question, a.answer, key[a.question]) for a in answers], key


def grade_files(answers_path: str | Path, key_path: str | Path, out: str | Path, *,
                workers: int = 1, scheduler: str | None = None,
                limits: GradeLimits | None = None, quiet: bool = False,
                retry: bool = False) -> Graded:
    """Grade every answer not already in ``out`` with the same digest (``retry``: nor one
    that gave up there), on ``workers`` local processes or the Dask cluster at
    ``scheduler``; the rows of ``out`` after the run."""
    started = time.monotonic()
    jobs, key = jobs_of(answers_path, key_path)
    store = Store(out)
    todo = [j for j in jobs if store.done.get((j.student, j.question)) != j.digest
            or retry and (j.student, j.question) in store.gave_up]
    alike: dict[str, list[Job]] = {}  # the same answer to the same key row: graded once
    for job in todo:
        alike.setdefault(job.digest, []).append(job)
    progress = Progress(len(todo), quiet)
    try:
        with store:
            for row in run([same[0] for same in alike.values()], workers=workers,
                           scheduler=scheduler, limits=limits):
                for job in alike[row.digest]:
                    store.add(replace(row, student=job.student, question=job.question))
                    progress.advance()
    except KeyboardInterrupt:
        raise SymnumError(f"interrupted; the {len(store.lines)} rows finished are kept in "
                          f"{out}: run the same command again to continue") from None
    finally:
        progress.close()
    return Graded(store.rows(), key, len(todo), len(jobs) - len(todo),
                  time.monotonic() - started)
