"""Batches other than grading that run on the same runner and workers: one expression
verified (``symnum verify --batch``) and one catalog entry derived and verified (``symnum
catalog --verify --workers N``). A job says its ``kind`` in the dict it travels as; the
worker's :func:`perform` runs it under its own limits and writes a record that
:func:`row_from` reads back in the runner's process.

>>> job = VerifyJob(1, "sin(x**2)", "x")
>>> record, _ = perform(job.to_dict(), VerifyLimits(None, None))
>>> row = row_from(record)
>>> row.verdict, row.text.splitlines()[0]
('pass', 'verify derivative of sin(x**2) with respect to x at 5 random points (seed 0)')
"""

from __future__ import annotations

import hashlib
import json
import time
import warnings
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from ..core.errors import SymnumError
from ..edge import limits as edge
from ..edge.limits import OutOfMemory, TimeUp, limited, resident_size

VERIFY, CATALOG = "verify", "catalog"


class VerifyLimits(edge.Limits):
    """The limits of one item of a batch, in its words."""

    def time_message(self) -> str:
        return f"gave up after {self.seconds:g} s (the limit per item; --timeout allows more)"

    def memory_message(self) -> str:
        return (f"ran out of memory (the limit per item is {self.limit_text()}; --memory "
                "allows more)")


@dataclass(frozen=True)
class VerifyJob:
    """One expression of a ``verify --batch`` file, ``number`` its line."""

    number: int
    expression: str
    wrt: str | None = None
    what: str | None = None
    shapes: tuple[str, ...] = ()
    syntax: str = "plain"

    kind = VERIFY

    @property
    def label(self) -> str:
        return f"line {self.number}"

    @property
    def digest(self) -> str:
        """16 hex digits of sha256 over what decides the verdict."""
        text = json.dumps([self.expression, self.wrt, self.what, list(self.shapes),
                           self.syntax], ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, **asdict(self)}

    def gave_up(self, hint: str, seconds: float = 0.0) -> ItemRow:
        """The row of a job its worker did not finish."""
        return ItemRow(self.kind, self.label, "gave up", hint.replace("answer", "item"),
                       seconds, self.digest)


@dataclass(frozen=True)
class CatalogJob(VerifyJob):
    """One entry of the catalog, by its key (``expression``)."""

    kind = CATALOG

    @property
    def label(self) -> str:
        return self.expression


@dataclass(frozen=True)
class ItemRow:
    """A finished item: its verdict, the full text (a verify report) and, for a catalog
    entry, its outcome as plain data (``settled``)."""

    kind: str
    label: str
    verdict: str
    text: str
    seconds: float = 0.0
    digest: str = ""
    settled: dict[str, Any] = field(default_factory=dict)

    def record(self) -> dict[str, Any]:
        return asdict(self)


def row_from(record: dict[str, Any]) -> ItemRow:
    """The row a worker's record (:meth:`ItemRow.record`) stands for."""
    return ItemRow(**record)


def job_from(data: dict[str, Any]) -> VerifyJob:
    """The job :meth:`VerifyJob.to_dict` wrote."""
    data = dict(data)
    kind = data.pop("kind")
    return (CatalogJob if kind == CATALOG else VerifyJob)(
        **{**data, "shapes": tuple(data.get("shapes") or ())})


_WARM: set[str] = set()  # kinds this process has run once (imports loaded off the clock)


def perform(data: dict[str, Any], limits: edge.Limits) -> tuple[dict[str, Any], bool]:
    """Run the job ``data`` under ``limits`` (as :class:`VerifyLimits`): its row's record,
    and whether the worker should end (memory ran out: it may not all come back)."""
    job = job_from(data)
    limits = VerifyLimits(limits.seconds, limits.memory)
    if job.kind not in _WARM:  # torch, JAX, mpmath: loaded before the first item's clock
        _WARM.add(job.kind)
        try:
            _run(VerifyJob(0, "x**2", "x"))
        except Exception:  # noqa: BLE001 - a warm-up that fails changes no verdict
            pass
    started = time.perf_counter()
    held = resident_size() or 0
    enforced = replace(limits, memory=None if limits.memory is None else limits.memory + held)
    ended = False
    try:
        with warnings.catch_warnings(), limited(enforced):
            warnings.simplefilter("ignore")
            verdict, text, settled = _run(job)
    except SymnumError as err:
        verdict, text, settled = "unreadable", str(err), {}
    except TimeUp:
        verdict, text, settled = "gave up", limits.time_message(), {}
    except (MemoryError, OutOfMemory):
        verdict, text, settled, ended = "gave up", limits.memory_message(), {}, True
    except RecursionError:
        verdict, text, settled = "unreadable", "the expression is too deeply nested", {}
    except Exception as err:  # noqa: BLE001 - one item never stops the batch
        verdict, text, settled = "gave up", f"internal error ({type(err).__name__}): {err}", {}
    row = ItemRow(job.kind, job.label, verdict, text, time.perf_counter() - started,
                  job.digest, settled)
    return row.record(), ended


def _run(job: VerifyJob) -> tuple[str, str, dict[str, Any]]:
    """The verdict, the text and (for a catalog entry) the settled outcome of one job."""
    if job.kind == CATALOG:
        from ..chapter import catalog as book

        outcome = book.run(book.find(job.expression))
        settled = settle(outcome)
        return ("pass" if settled["passed"] else "fail"), "", settled
    from ..service import VerifyRequest, verify

    result = verify(VerifyRequest(job.expression, job.wrt, job.what, shapes=job.shapes,
                                  syntax=job.syntax))
    return result.report.verdict, result.text(), {}


def settle(outcome: Any) -> dict[str, Any]:
    """What the catalog's text, LaTeX and JSON read of an ``Outcome``, as plain data."""
    from ..chapter.catalog import _result_string

    return {"key": outcome.entry.key, "seconds": outcome.seconds,
            "checks": [[str(name), bool(ok), str(how)] for name, ok, how in outcome.checks],
            "passed": bool(outcome.passed),
            "verification": [[label, report.verdict] for label, report in outcome.verification],
            "facts": [str(f) for f in outcome.study.facts] if outcome.study else None,
            "result": _result_string(outcome.result), "error": outcome.error}
