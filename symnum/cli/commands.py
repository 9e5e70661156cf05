"""The commands of the command line, one function each: arguments in, (text, exit code) out.

Each reads its arguments into a request of :mod:`symnum.service`, runs the operation and
renders the result in ``--format``; :mod:`symnum.cli.arguments` parses the arguments,
:mod:`symnum.cli.app` applies the limits and writes the output.
"""

from __future__ import annotations

import argparse
import math
from typing import Any

from .. import service
from ..core.errors import SymnumError


def _rendered(result: service.Rendered, fmt: str) -> tuple[str, int]:
    return service.render(result, fmt), result.exit_code


def _derive(args: argparse.Namespace) -> tuple[str, int]:
    return _rendered(service.derive(service.DeriveRequest(
        args.expr, args.wrt, args.what, args.order, tuple(args.shape), args.dims, args.at,
        args.seed, args.steps, args.syntax, args.layout, implicit=args.implicit,
        vector=args.vector)), args.format)


def _verify(args: argparse.Namespace) -> tuple[str, int]:
    if args.batch is not None:
        from ..batch.jobs import GradeLimits
        from ..batch.verifying import verify_file
        return _rendered(verify_file(
            args.batch, wrt=args.wrt, what=args.what, syntax=args.syntax,
            workers=args.workers or 1, scheduler=args.scheduler,
            limits=GradeLimits(args.timeout, args.memory), out=args.out), args.format)
    return _rendered(service.verify(service.VerifyRequest(
        args.expr, args.wrt, args.what, args.order, tuple(args.shape), args.dims, args.at,
        args.seed, args.points, args.syntax, implicit=args.implicit,
        vector=args.vector)), args.format)


def _check(args: argparse.Namespace) -> tuple[str, int]:
    return _rendered(service.check(service.CheckRequest(
        args.claimed, args.expr, args.wrt, args.what, args.order, args.seed,
        tuple(args.shape), args.syntax, implicit=args.implicit,
        vector=args.vector, at=args.at)), args.format)


def _critical(args: argparse.Namespace) -> tuple[str, int]:
    return _rendered(service.critical(service.CriticalRequest(args.expr, args.wrt,
                                                              args.syntax)), args.format)


def _plot(args: argparse.Namespace) -> tuple[str, int]:
    from ..analysis.plot import Descent

    try:
        low, high = (float(v) for v in args.span.split(","))
    except ValueError:
        raise SymnumError("--range needs two numbers, like -3,3") from None
    if not all(math.isfinite(v) for v in (low, high, high - low)):
        raise SymnumError("--range needs two finite numbers (not too far apart), like -3,3")
    if not low < high:
        raise SymnumError("--range: the first number must be below the second")
    descent = Descent.parse(args.descent) if args.descent else None
    request = service.PlotRequest(args.expr, args.wrt, (low, high), descent, args.out,
                                  taylor=args.taylor or (), at=args.at,
                                  syntax=args.syntax)
    return _rendered(service.plot(request), args.format)


def _export(args: argparse.Namespace) -> tuple[str, int]:
    return _rendered(service.export(service.ExportRequest(
        args.expr, args.wrt, args.what, tuple(args.shape), args.to, args.name, args.out,
        args.syntax, args.order, vector=args.vector)), "text")


def _demo(args: argparse.Namespace) -> tuple[str, int]:
    return _rendered(service.demo(service.DemoRequest()), "text")


def _catalog(args: argparse.Namespace) -> tuple[str, int]:
    from ..chapter.catalog import progress_bar
    progress = progress_bar() if args.verify and not args.show else None
    if args.workers or args.scheduler:  # each entry in a worker process (symnum.batch)
        from ..batch.jobs import GradeLimits
        from ..batch.verifying import catalog_outcomes
        from ..chapter.catalog import load
        outcomes = catalog_outcomes(load(args.part), args.workers or 1, args.scheduler,
                                    GradeLimits(args.timeout, args.memory))
        return _rendered(service.CatalogRun(tuple(outcomes)), args.format)
    return _rendered(service.catalog(service.CatalogRequest(
        args.part, args.show, args.verify, progress)), args.format)


def _report(args: argparse.Namespace) -> tuple[str, int]:
    from ..chapter.catalog import progress_bar
    return _rendered(service.report(service.ReportRequest(
        args.out, args.part, not args.no_pdf, progress_bar())), args.format)


def _functions(args: argparse.Namespace) -> tuple[str, int]:
    listing = service.functions(service.FunctionsRequest())
    if args.format == "markdown":
        return listing.markdown(), listing.exit_code
    return _rendered(listing, args.format)


def _grade(args: argparse.Namespace) -> tuple[str, int]:
    from ..batch.grading import grade_files
    from ..batch.jobs import GradeLimits

    graded = grade_files(args.answers, args.key, args.out, workers=args.workers,
                         scheduler=args.scheduler, limits=GradeLimits(args.timeout, args.memory),
                         quiet=args.quiet, retry=args.retry)
    return "\n".join([graded.text(args.out), *_grade_summary(graded, args)]), 0


def _grade_summary(graded: Any, args: argparse.Namespace) -> list[str]:
    """The summary's lines after a grading run, and the report written when asked."""
    from ..batch.report import write_report
    from ..batch.summary import summary
    from ..batch.tables import read_answers

    if not graded.rows:
        return []
    answers = read_answers(args.answers) if args.report else None
    found = summary(graded.rows, graded.key, answers)
    lines = found.text().splitlines()[1:]  # its first line says what graded.text() said
    if args.report:
        write_report(found, args.report, source=f"{args.answers} graded against {args.key} "
                     f"→ {args.out}")
        lines.append(f"report → {args.report}")
    return lines


COMMANDS = {"derive": _derive, "verify": _verify, "check": _check, "critical": _critical,
            "plot": _plot, "export": _export, "demo": _demo, "catalog": _catalog, "report": _report,
            "functions": _functions, "grade": _grade}
