"""The chapter's operations: ``catalog`` (list, show one, verify all), ``report`` (the
LaTeX/PDF report) and ``demo``; each result renders itself like the others.

>>> listing = catalog(CatalogRequest(part="calculus"))
>>> listing.exit_code, listing.to_json()["entries"][0]["key"] != ""
(0, True)
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from typing import Any

from ..core.errors import SymnumError
from .requests import CatalogRequest, DemoRequest, ReportRequest


class ConflictError(SymnumError):
    """Two fields of a request that do not go together."""


@dataclass(frozen=True)
class CatalogListing:
    """The catalog's ``entries`` (``symnum catalog``)."""

    entries: tuple[Any, ...]
    exit_code: int = 0

    def to_json(self) -> dict[str, Any]:
        from ..chapter import catalog as book
        return {"entries": [book.entry_json(e) for e in self.entries]}

    def latex(self) -> str:
        from ..chapter.document import tex_text
        return ("\\begin{itemize}\n" + "\n".join(
            f"\\item \\textbf{{{tex_text(e.title)}}}: {tex_text(e.statement)}"
            for e in self.entries) + "\n\\end{itemize}")

    def text(self) -> str:
        from ..chapter import catalog as book
        return book.listing_text(list(self.entries))


@dataclass(frozen=True)
class CatalogEntry:
    """One entry derived and verified in full (``symnum catalog --show KEY``)."""

    outcome: Any

    @property
    def exit_code(self) -> int:
        return 0 if self.outcome.passed else 1

    def to_json(self) -> dict[str, Any]:
        from ..chapter import catalog as book
        return book.outcome_json(self.outcome)

    def latex(self) -> str:
        from ..chapter.document import entry_tex
        return entry_tex(self.outcome, None)

    def text(self) -> str:
        from ..chapter import catalog as book
        return book.outcome_text(self.outcome)


@dataclass(frozen=True)
class CatalogRun:
    """Every entry derived and verified (``symnum catalog --verify``)."""

    outcomes: tuple[Any, ...]

    @property
    def exit_code(self) -> int:
        return 0 if all(o.passed for o in self.outcomes) else 1

    def to_json(self) -> dict[str, Any]:
        from ..chapter import catalog as book
        return {"passed": self.exit_code == 0,
                "entries": [book.outcome_json(o) for o in self.outcomes]}

    def latex(self) -> str:
        from ..chapter.document import tex_text
        rows = " \\\\\n".join(
            f"{tex_text(o.entry.key)} & {'pass' if o.passed else 'FAIL'} & "
            f"{sum(ok for _, ok, _ in o.checks)}/{len(o.checks)}" for o in self.outcomes)
        return ("\\begin{tabular}{llr}\nentry & verdict & checks \\\\ \\hline\n"
                + rows + "\n\\end{tabular}")

    def text(self) -> str:
        from ..chapter import catalog as book
        return book.summary_text(list(self.outcomes))


def catalog(request: CatalogRequest) -> CatalogListing | CatalogEntry | CatalogRun:
    """List the entries, show one (``show``) or verify all (``verify``)."""
    from ..chapter import catalog as book

    if request.show:
        if request.verify:
            raise ConflictError("--show and --verify do not go together")
        return CatalogEntry(book.run(book.find(request.show)))
    entries = book.load(request.part)
    if not request.verify:
        return CatalogListing(tuple(entries))
    return CatalogRun(tuple(book.run_all(entries, progress=request.progress)))


@dataclass(frozen=True)
class ReportResult:
    """The report ``built`` (its .tex, PDF and figures) from ``outcomes``."""

    built: Any
    outcomes: tuple[Any, ...]

    @property
    def passed(self) -> bool:
        return all(o.passed for o in self.outcomes)

    @property
    def exit_code(self) -> int:
        return 0 if self.passed else 1

    def to_json(self) -> dict[str, Any]:
        return {"tex": self.built.tex, "pdf": self.built.pdf,
                "figures": list(self.built.figures), "entries": len(self.outcomes),
                "passed": self.passed}

    def latex(self) -> str:
        with open(self.built.tex, encoding="utf-8") as handle:
            return handle.read()

    def text(self) -> str:
        pdf = self.built.pdf or "not built (pdflatex is not installed, or --no-pdf)"
        return "\n".join([f"{len(self.outcomes)} entries, {len(self.built.figures)} figures, "
                          f"{'all verified' if self.passed else 'SOME FAILED'}",
                          f"LaTeX: {self.built.tex}", f"PDF:   {pdf}"])


def report(request: ReportRequest) -> ReportResult:
    """Derive and verify the catalog, and write its report into ``request.out``."""
    from ..chapter import catalog as book
    from ..chapter.document import write_report

    entries = book.load(request.part)
    _writable_folder(request.out)  # before minutes of work, not after
    outcomes = book.run_all(entries, progress=request.progress)
    built = write_report(outcomes, request.out, pdf=request.pdf)
    return ReportResult(built, tuple(outcomes))


def _writable_folder(out: str) -> None:
    """Make the folder ``out`` (and its parents) or say in one line why it cannot be."""
    try:
        os.makedirs(out, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=out)
    except OSError as err:
        raise SymnumError(f"cannot write into {out}: {err.strerror or err}") from None
    probe.close()


@dataclass(frozen=True)
class DemoResult:
    """The demo's text; exit code 1 when one of its examples failed."""

    output: str
    ok: bool

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1

    def to_json(self) -> dict[str, Any]:
        return {"text": self.output, "passed": self.ok}

    def text(self) -> str:
        return self.output

    def latex(self) -> str:
        return self.output


def demo(request: DemoRequest) -> DemoResult:
    """Derive, verify and typeset a few examples."""
    from ..chapter.demo import run_demo
    output, ok = run_demo()
    return DemoResult(output, ok)
