"""``symnum verify --batch FILE`` and ``symnum catalog --verify --workers N``: verification
in bulk on the grading runner (:mod:`.runner`: local worker processes or a Dask cluster, each
item under its own time and memory limit), the results in the order of the input, the same
whichever way they ran.

A batch file is one expression per line (``--wrt``/``--what`` of the command apply to each;
blank lines and ``#`` comments skipped), or, ending in ``.jsonl``, one JSON object per line
with ``expression`` and optional ``wrt``, ``what``, ``shapes`` (a list or ``"x=n A=n,n"``),
``syntax``.

>>> import pathlib, tempfile
>>> path = pathlib.Path(tempfile.mkdtemp()) / "exprs.jsonl"
>>> _ = path.write_text('{"expression": "x**2*y", "what": "hessian"}\\n')
>>> read_batch(path)
[VerifyJob(number=1, expression='x**2*y', wrt=None, what='hessian', shapes=(), syntax='plain')]
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .jobs import GradeLimits
from .runner import run
from .tables import BatchInputError
from .tasks import CATALOG, CatalogJob, ItemRow, VerifyJob

SYNTAXES = ("plain", "latex")
FIELDS = ("expression", "wrt", "what", "shapes", "syntax")
OUT_COLUMNS = ("line", "expression", "wrt", "what", "verdict", "seconds", "report")


def read_batch(path: str | Path, wrt: str | None = None, what: str | None = None,
               syntax: str = "plain") -> list[VerifyJob]:
    """The jobs of a batch file (every line checked before any runs)."""
    from ..service.requests import WHATS

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise BatchInputError(f"{path}: cannot read it ({err})") from None
    jobs = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        where = f"{path}, line {number}"
        if path.suffix.lower() == ".jsonl":
            job = _json_job(line, number, where)
        else:
            job = VerifyJob(number, line.strip(), wrt, what, syntax=syntax)
        if job.what is not None and job.what not in WHATS:
            raise BatchInputError(f"{where}: unknown what {job.what!r}: choose one of "
                                  f"{', '.join(WHATS)}")
        if job.syntax not in SYNTAXES:
            raise BatchInputError(f"{where}: syntax must be plain or latex, not {job.syntax!r}")
        jobs.append(job)
    if not jobs:
        raise BatchInputError(f"{path}: no expression in it")
    return jobs


def _json_job(line: str, number: int, where: str) -> VerifyJob:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as err:
        raise BatchInputError(f"{where}: not JSON ({err.msg})") from None
    if not isinstance(data, dict) or not isinstance(data.get("expression"), str):
        raise BatchInputError(f'{where}: an object with "expression" (text) is needed')
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise BatchInputError(f"{where}: unknown field(s) {', '.join(unknown)}: the fields "
                              f"are {', '.join(FIELDS)}")
    shapes = data.get("shapes") or ()
    shapes = tuple(shapes.split()) if isinstance(shapes, str) else tuple(map(str, shapes))
    wrt = data.get("wrt")
    wrt = ",".join(wrt) if isinstance(wrt, list) else wrt
    return VerifyJob(number, data["expression"], wrt, data.get("what"), shapes,
                     data.get("syntax") or "plain")


def run_items(jobs: Sequence[VerifyJob], workers: int = 1, scheduler: str | None = None,
              limits: GradeLimits | None = None) -> list[ItemRow]:
    """Every job run on the runner; the rows in the jobs' order."""
    found: dict[str, ItemRow] = {}
    for row in run(jobs, workers=workers, scheduler=scheduler,  # type: ignore[arg-type]
                   limits=limits or GradeLimits(60.0, 2**31)):
        found[row.label] = row  # type: ignore[attr-defined]
    return [found[job.label] for job in jobs]


@dataclass(frozen=True)
class VerifiedBatch:
    """The rows of a ``verify --batch`` run, with the jobs they answer."""

    jobs: tuple[VerifyJob, ...]
    rows: tuple[ItemRow, ...]

    @property
    def exit_code(self) -> int:
        """1 when an item failed or could not be verified (inconclusive is no failure)."""
        return 0 if all(r.verdict in ("pass", "inconclusive") for r in self.rows) else 1

    def counts(self) -> dict[str, int]:
        counted: dict[str, int] = {}
        for row in self.rows:
            counted[row.verdict] = counted.get(row.verdict, 0) + 1
        return counted

    def text(self) -> str:
        """A line per item, then the reports of those not verified."""
        lines = [f"  {'line':<6}{'verdict':<14}{'seconds':>8}  expression"]
        for job, row in zip(self.jobs, self.rows, strict=True):
            mark = "✓" if row.verdict in ("pass", "inconclusive") else "✗"
            lines.append(f"{mark} {job.number:<6}{row.verdict:<14}{row.seconds:>8.2f}  "
                         f"{_short(job.expression)}{_asked(job)}")
        counts = ", ".join(f"{n} {v}" for v, n in self.counts().items())
        good = sum(r.verdict in ("pass", "inconclusive") for r in self.rows)
        lines += ["", f"{good} of {len(self.rows)} verified ({counts})"]
        for job, row in zip(self.jobs, self.rows, strict=True):
            if row.verdict not in ("pass", "inconclusive"):
                lines.append(f"NOT VERIFIED line {job.number}: {_short(job.expression)}")
                lines += ["  " + line for line in row.text.splitlines() if line.strip()]
        return "\n".join(lines)

    def latex(self) -> str:
        return self.text()

    def to_json(self) -> dict[str, Any]:
        return {"passed": self.exit_code == 0, "items": self.records()}

    def records(self) -> list[dict[str, Any]]:
        return [{"line": j.number, "expression": j.expression, "wrt": j.wrt, "what": j.what,
                 "verdict": r.verdict, "seconds": round(r.seconds, 3), "report": r.text}
                for j, r in zip(self.jobs, self.rows, strict=True)]

    def write(self, path: str | Path) -> None:
        """The rows as .csv or .jsonl (by the extension), written whole then renamed."""
        path = Path(path)
        if path.suffix.lower() == ".jsonl":
            text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in self.records())
        else:
            out = io.StringIO()
            writer = csv.DictWriter(out, OUT_COLUMNS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(self.records())
            text = out.getvalue()
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)


def verify_file(path: str | Path, *, wrt: str | None = None, what: str | None = None,
                syntax: str = "plain", workers: int = 1, scheduler: str | None = None,
                limits: GradeLimits | None = None, out: str | Path | None = None
                ) -> VerifiedBatch:
    """``symnum verify --batch``: every expression of ``path`` verified; written to ``out``
    (.csv or .jsonl) when given."""
    if out is not None and Path(out).suffix.lower() not in (".csv", ".jsonl"):
        raise BatchInputError(f"{out}: the results file must end in .csv or .jsonl")
    jobs = read_batch(path, wrt, what, syntax)
    batch = VerifiedBatch(tuple(jobs), tuple(run_items(jobs, workers, scheduler, limits)))
    if out is not None:
        batch.write(out)
    return batch


@dataclass
class SettledOutcome:
    """A catalog entry's outcome as a worker sent it back: the attributes the catalog's
    text, LaTeX and JSON read (:func:`symnum.chapter.catalog.summary_text`, ``outcome_json``)."""

    entry: Any
    seconds: float
    checks: list[tuple[str, bool, str]]
    passed: bool
    verification: list[tuple[str, Any]]
    study: Any
    result: Any
    error: str | None


@dataclass(frozen=True)
class _Verdict:
    verdict: str


@dataclass(frozen=True)
class _Facts:
    facts: Any


@dataclass(frozen=True)
class _Text:
    value: str

    def string(self) -> str:
        return self.value


def catalog_outcomes(entries: Iterable[Any], workers: int = 1, scheduler: str | None = None,
                     limits: GradeLimits | None = None) -> list[SettledOutcome]:
    """``symnum catalog --verify --workers N``: each entry run in a worker; the outcomes in
    the catalog's order, as the serial run's text and JSON read them."""
    entries = list(entries)
    jobs = [CatalogJob(k, e.key) for k, e in enumerate(entries, 1)]
    rows = run_items(jobs, workers, scheduler, limits or GradeLimits(600.0, 2**32))
    return [_outcome(e, r) for e, r in zip(entries, rows, strict=True)]


def _outcome(entry: Any, row: ItemRow) -> SettledOutcome:
    s = row.settled
    if not s:  # the worker gave up on it, or it could not run
        return SettledOutcome(entry, row.seconds, [("runs without error", False, row.text)],
                              False, [], None, None, row.text)
    assert row.kind == CATALOG
    return SettledOutcome(entry, s["seconds"], [tuple(c) for c in s["checks"]], s["passed"],
                          [(label, _Verdict(v)) for label, v in s["verification"]],
                          None if s["facts"] is None else _Facts(s["facts"]),
                          None if s["result"] is None else _Text(s["result"]), s["error"])


def _asked(job: VerifyJob) -> str:
    parts = [job.what or "", f"in {job.wrt}" if job.wrt else ""]
    said = " ".join(p for p in parts if p)
    return f"  ({said})" if said else ""


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"
