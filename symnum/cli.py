"""The ``symnum`` command line: derive, verify, check, critical, plot, catalog, report, demo.

A thin shell over the public API. Every :class:`SymnumError` (and any other failure: running
out of time or memory, an output that cannot be written) becomes one ``error:`` line on stderr
and exit code 2; nothing is printed on stdout then. The limits and the safety net around a
command live in :mod:`symnum.guard`.

>>> main(["derive", "x**2", "--format", "json"])  # doctest: +ELLIPSIS
{"expr": "x**2", ...}
0
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from . import guard
from .errors import SymnumError
from .guard import UsageError

FORMATS = ("text", "latex", "json")
WHATS = ("derivative", "gradient", "jacobian", "hessian")
# Integer options checked after parsing, whichever command has them: (lowest, highest or None
# where the library states its own bound, as for --order and --points).
INTEGER_OPTIONS = {"seed": (0, 2**32 - 1), "order": (1, None), "points": (1, None)}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse would print usage and exit; we want one line
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with its subcommands."""
    parser = _Parser(prog="symnum", description="Exact derivatives, shown and verified.",
                     epilog=guard.ENVIRONMENT_HELP,
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    def common(p: argparse.ArgumentParser, expr_help: str) -> None:
        p.add_argument("expr", help=expr_help)
        p.add_argument("--wrt", help="variables, comma- or space-separated (default: all)")
        p.add_argument("--what", choices=WHATS, help="default: derivative for one variable, "
                       "gradient for several, jacobian for a list")
        p.add_argument("--order", type=int, default=1, help="order of a derivative")
        p.add_argument("--format", choices=FORMATS, default="text")
        p.add_argument("--shape", action="append", default=[], metavar="NAME=DIMS",
                       help="declare a vector (x=n) or matrix (W=m,n) for matrix calculus")
        p.add_argument("--dims", help="sizes for numbers with matrices, e.g. n=3,m=2")

    d = sub.add_parser("derive", help="exact derivative, gradient, Jacobian or Hessian")
    common(d, "the function, e.g. 'x**2*sin(y)' or '[x*y, x+y]'")
    d.add_argument("--at", help="evaluate at a point, e.g. x=1,y=2")
    d.add_argument("--seed", type=int, default=0, help="seed of random matrices (with --dims)")
    d.add_argument("--steps", nargs="?", const="tree", choices=("tree", "graph"),
                   help="show the derivation: rule by rule (tree, the default) or as "
                        "backpropagation on the computational graph (graph)")
    v = sub.add_parser("verify", help="check the exact result with four numeric methods")
    common(v, "the function")
    v.add_argument("--points", type=int, default=5, help="random points (default 5)")
    v.add_argument("--seed", type=int, default=0, help="seed of the random points")
    v.add_argument("--at", help="check at this point instead of random ones")
    c = sub.add_parser("check", help="is CLAIMED the derivative of --of EXPR?")
    c.add_argument("claimed", help="the claimed derivative (a list for a gradient)")
    c.add_argument("--of", required=True, dest="expr", help="the function")
    c.add_argument("--wrt", help="variables, comma- or space-separated (default: all)")
    c.add_argument("--what", choices=WHATS)
    c.add_argument("--order", type=int, default=1)
    c.add_argument("--seed", type=int, default=0, help="seed of the random points")
    c.add_argument("--format", choices=FORMATS, default="text")
    c.add_argument("--shape", action="append", default=[], metavar="NAME=DIMS",
                   help="declare a vector (x=n) or matrix (A=n,n): the claim is then in "
                        "matrix notation, checked by components at small sizes")
    k = sub.add_parser("critical", help="solve ∇f = 0 and classify each point by the Hessian")
    k.add_argument("expr", help="the function")
    k.add_argument("--wrt", help="variables, comma- or space-separated (default: all)")
    k.add_argument("--format", choices=FORMATS, default="text")
    g = sub.add_parser("plot", help="f with f′, f″ (one variable); surface, contours, "
                                    "gradient field and descent path (two)")
    g.add_argument("expr", help="the function")
    g.add_argument("--wrt", help="variables, comma- or space-separated (default: all)")
    g.add_argument("--out", default="symnum-plot.png", help="file to write (png, pdf, svg)")
    g.add_argument("--range", dest="span", default="-3,3", help="plot range, like -3,3")
    g.add_argument("--descent", help="gradient descent path: lr=0.05,start=2:1,steps=30")
    g.add_argument("--format", choices=FORMATS, default="text")
    sub.add_parser("demo", help="derive, verify and typeset a few examples")
    a = sub.add_parser("catalog", help="the chapter's derivations: list, show one, or "
                                       "verify all")
    a.add_argument("--part", help="only this part (linear_algebra, calculus, probability, "
                                  "full_picture, exercises)")
    a.add_argument("--show", metavar="KEY", help="derive, verify and show one entry in full")
    a.add_argument("--verify", action="store_true", help="derive and verify every entry; "
                   "exit 1 if any fails")
    a.add_argument("--format", choices=FORMATS, default="text")
    r = sub.add_parser("report", help="a LaTeX/PDF report of the whole catalog")
    r.add_argument("--out", required=True, help="directory for report.tex, figures, PDF")
    r.add_argument("--part", help="only this part")
    r.add_argument("--no-pdf", action="store_true", help="write the .tex only")
    r.add_argument("--format", choices=FORMATS, default="text")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the exit code (0 ok, 1 a check failed, 2 bad input or a limit
    reached, 141 when the reader of the output has gone, like a Unix tool on SIGPIPE)."""
    limits = guard.Limits(guard.DEFAULT_TIMEOUT_S, guard.DEFAULT_MEMORY)
    try:
        limits = guard.limits_from(os.environ)
        args = build_parser().parse_args(_protect_negative(sys.argv[1:] if argv is None
                                                           else list(argv)))
        if args.command is None:
            raise UsageError("choose a command: derive, verify, check, critical, plot, "
                             "catalog, report or demo (see --help)")
        _check_integers(args)
        with guard.quiet_warnings(), guard.limited(limits):
            out, code = _COMMANDS[args.command](args)
    except SymnumError as err:
        return guard.fail(str(err))
    except guard.TimeUp as err:
        guard.forget_interrupted_work()
        return guard.fail(str(err))
    except (MemoryError, guard.OutOfMemory):
        guard.forget_interrupted_work()
        return guard.fail(limits.memory_message())
    except KeyboardInterrupt:
        return guard.fail("interrupted")
    except RecursionError:
        return guard.fail("the expression is too deeply nested to handle")
    except Exception as err:  # noqa: BLE001 - the promise is: never a traceback
        if _out_of_memory(err):
            return guard.fail(limits.memory_message())
        return guard.fail(f"internal error ({type(err).__name__}): {err}; please report it")
    written = guard.emit(str(out))
    return code if written == 0 else written


def _out_of_memory(err: Exception) -> bool:
    """torch and symengine report a failed allocation as a RuntimeError."""
    text = str(err).lower()
    return isinstance(err, RuntimeError) and any(
        s in text for s in ("can't allocate memory", "bad_alloc", "out of memory"))


def _check_integers(args: argparse.Namespace) -> None:
    """--seed -1, --points 0 and the like: one clear line, before any work."""
    for name, (low, high) in INTEGER_OPTIONS.items():
        value = getattr(args, name, None)
        if value is None:
            continue
        if value < low or (high is not None and value > high):
            bound = f"from {low} to {high}" if high is not None else f"of at least {low}"
            raise UsageError(f"--{name} must be a whole number {bound}, got {value}")


def _protect_negative(argv: list[str]) -> list[str]:
    """Keep ``-sin(x)`` an expression: argparse would read a leading '-' as an option.

    >>> _protect_negative(["check", "-sin(x)", "--of", "cos(x)", "-h"])
    ['check', ' -sin(x)', '--of', 'cos(x)', '-h']
    """
    return [" " + a if len(a) > 1 and a[0] == "-" and a[1] != "-" and a != "-h" else a
            for a in argv]


def _derive(args: argparse.Namespace) -> tuple[str, int]:
    from .api import derive
    from .errors import EvaluationError
    from .evaluate import parse_point
    from .render import dumps, result_json, result_latex, result_text

    result = derive(args.expr, args.wrt, args.what, args.order, _shapes(args))
    if _is_matrix_result(result):
        return _matrix_derive(result, args), 0
    value, point, notes = None, None, []
    if args.at:
        point = parse_point(args.at)
        known = {s.name for s in result.function.expr.free_symbols} | set(result.function.wrt)
        unknown = sorted(set(point) - known)
        if unknown:
            raise SymnumError(f"{', '.join(unknown)} does not appear in the expression")
        from .domain import point_notes
        notes = point_notes(result, point)
        try:
            value = _plain(result.at(point))
        except EvaluationError:
            if not notes:  # nothing explains it: the error is the answer
                raise
            value = "undefined"  # at a jump: the notes say why
    if args.steps == "graph":
        return _graph_output(result, point, args.format, value, notes), 0
    steps = None
    if args.steps:
        from .steps import derivation
        steps = derivation(result)
    if args.format == "json":
        data = result_json(result, value)
        if point is not None:
            data["value"], data["notes"] = None if value == "undefined" else value, notes
        if steps is not None:
            data["steps"] = steps.to_json()
        return dumps(data), 0
    if args.format == "latex":
        return steps.latex() if steps is not None else result_latex(result), 0
    text = result_text(result, value, point)
    if point is not None and notes:
        text += "\n" + "\n".join(f"note: {n}" for n in notes)
    if steps is not None:
        text += "\n\nsteps (each line is a true statement; [k] numbers the steps)\n\n" + \
            steps.text()
    return text, 0


def _graph_output(result, point, fmt: str, value, notes: list | None = None) -> str:
    from .graph import build_graph, graph_json, graph_latex, graph_text
    from .render import dumps, result_json

    if result.function.is_vector:
        raise SymnumError("the backpropagation view (--steps graph) needs a scalar function")
    graph = build_graph(result.function.expr, result.variables)
    if fmt == "json":
        data = result_json(result, value)
        if point is not None:
            data["value"], data["notes"] = None if value == "undefined" else value, notes
        data["graph"] = graph_json(graph, point)
        return dumps(data)
    if fmt == "latex":
        return graph_latex(graph, point)
    return graph_text(graph, point) + "".join(f"\nnote: {n}" for n in notes or [])


def _is_matrix_result(result: object) -> bool:
    from .matrix import MatrixResult
    return isinstance(result, MatrixResult)


def _shapes(args: argparse.Namespace) -> dict:
    from .matrix import parse_shape
    shapes = dict(parse_shape(s) for s in args.shape)
    if args.dims and not shapes:
        raise SymnumError("--dims gives sizes to dimensions declared with --shape")
    return shapes


def _matrix_derive(result, args: argparse.Namespace) -> str:
    from .matrix import default_sizes, parse_sizes, random_value, result_json
    from .render import dumps

    steps = None
    if args.steps == "graph":
        raise SymnumError("--steps graph needs scalar variables; use --steps for the "
                          "differential derivation of a matrix derivative")
    if args.steps:
        from .matrix_steps import matrix_steps
        steps = matrix_steps(result)
    extra = {}
    if args.dims or args.at:
        from .evaluate import parse_point
        sizes = parse_sizes(args.dims, result.function) if args.dims else \
            default_sizes(result.function)
        scalars = parse_point(args.at) if args.at else None
        extra = random_value(result, sizes, args.seed, scalars)
    if args.format == "json":
        data = result_json(result, extra)
        if steps is not None:
            from .matrix_steps import steps_json
            data["steps"] = [steps_json(steps)]
        return dumps(data)
    if args.format == "latex":
        if steps is not None:
            from .matrix_steps import steps_latex
            return steps_latex(steps)
        return result.latex()
    text = result.text()
    if steps is not None:
        from .matrix_steps import steps_text
        text += "\n\nsteps (differentials; each line is a true statement)\n\n" + \
            steps_text(steps)
    if extra:
        sizes = ", ".join(f"{k} = {v}" for k, v in extra["sizes"].items())
        text += (f"\n\non random matrices (seed {args.seed}, {sizes}):\n"
                 + "\n".join(f"  {k} = {v}" for k, v in extra["inputs"].items())
                 + f"\nvalue:\n  {extra['value']}")
    return text


def _plain(value: object) -> object:
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, complex):  # written the way sympify reads it: 1.5 - 0.5*I
        return f"{value.real:.17g} {'-' if value.imag < 0 else '+'} {abs(value.imag):.17g}*I"
    return value if isinstance(value, float) else str(value)  # beyond float64


def _verify(args: argparse.Namespace) -> tuple[str, int]:
    from .api import derive
    from .evaluate import parse_point
    from .render import dumps
    from .verification import verify_result

    result = derive(args.expr, args.wrt, args.what, args.order, _shapes(args))
    if _is_matrix_result(result):
        return _matrix_verify(result, args)
    at = parse_point(args.at) if args.at else None
    report = verify_result(result, points=args.points, seed=args.seed, at=at)
    code = 1 if report.verdict == "fail" else 0  # INCONCLUSIVE: 0, and says so in the text
    if args.format == "json":
        return dumps(report.to_json()), code
    if args.format == "latex":
        return result.latex(), code
    return report.text(), code


def _matrix_verify(result, args: argparse.Namespace) -> tuple[str, int]:
    from .matrix import verify_matrix_result
    from .render import dumps

    sizes = [_dims_of(args.dims)] if args.dims else None
    report = verify_matrix_result(result, points=args.points, seed=args.seed, sizes=sizes)
    code = 1 if report.verdict == "fail" else 0  # INCONCLUSIVE: 0, and says so in the text
    if args.format == "json":
        return dumps(report.to_json()), code
    if args.format == "latex":
        return result.latex(), code
    return report.text(), code


def _dims_of(text: str) -> dict[str, int]:
    """``--dims n=3,m=2`` as {"n": 3, "m": 2} (checked against the shapes later)."""
    sizes = {}
    for item in [p for p in text.replace(",", " ").split() if p]:
        name, _, value = item.partition("=")
        if not value.isdigit():
            raise UsageError(f"--dims {item!r}: give sizes like n=3,m=2")
        sizes[name] = int(value[:6])
    return sizes


def _check(args: argparse.Namespace) -> tuple[str, int]:
    from .check import check_claim
    from .check_text import check_json
    from .matrix import parse_shape
    from .render import dumps

    shapes = {k: ",".join(str(d) for d in v) for k, v in map(parse_shape, args.shape)}
    outcome = check_claim(args.claimed, args.expr, args.wrt, args.what, args.order, args.seed,
                          shapes=shapes or None)
    code = 0 if outcome.correct else 1
    if args.format == "json":
        return dumps(check_json(outcome)), code
    if args.format == "latex":
        return outcome.result.latex(), code
    return _check_text(outcome, args.expr), code


def _check_text(outcome, expr: str) -> str:
    from .check_text import check_text
    return check_text(outcome, expr)


def _demo(args: argparse.Namespace) -> tuple[str, int]:
    from .demo import run_demo
    text, ok = run_demo()
    return text, 0 if ok else 1


def _critical(args: argparse.Namespace) -> tuple[str, int]:
    from .analysis import critical_json, critical_latex, critical_points, critical_text
    from .function import Function
    from .render import dumps

    f = Function(args.expr, args.wrt)
    points = critical_points(f)
    if args.format == "json":
        return dumps(critical_json(points, f)), 0
    if args.format == "latex":
        return critical_latex(points, f), 0
    return critical_text(points, f), 0


def _plot(args: argparse.Namespace) -> tuple[str, int]:
    import math
    import os

    from .plot import Descent, plot
    from .render import dumps

    try:
        low, high = (float(v) for v in args.span.split(","))
    except ValueError:
        raise SymnumError("--range needs two numbers, like -3,3") from None
    if not all(math.isfinite(v) for v in (low, high, high - low)):
        raise SymnumError("--range needs two finite numbers (not too far apart), like -3,3")
    if not low < high:
        raise SymnumError("--range: the first number must be below the second")
    if os.path.splitext(args.out)[1].lower() not in (".png", ".pdf", ".svg"):
        raise SymnumError("--out must end in .png, .pdf or .svg")
    descent = Descent.parse(args.descent) if args.descent else None
    fig = plot(args.expr, args.wrt, args.out, (low, high), descent)
    panels = len(fig.axes)
    if args.format == "json":
        return dumps({"out": args.out, "panels": panels}), 0
    return f"wrote {args.out} ({panels} panel{'s' if panels > 1 else ''})", 0


def _catalog(args: argparse.Namespace) -> tuple[str, int]:
    from . import catalog
    from .render import dumps

    if args.show:
        if args.verify:
            raise UsageError("--show and --verify do not go together")
        outcome = catalog.run(catalog.find(args.show))
        code = 0 if outcome.passed else 1
        if args.format == "json":
            return dumps(catalog.outcome_json(outcome)), code
        if args.format == "latex":
            from .document import entry_tex
            return entry_tex(outcome, None), code
        return catalog.outcome_text(outcome), code
    entries = catalog.load(args.part)
    if not args.verify:
        if args.format == "json":
            return dumps({"entries": [catalog.entry_json(e) for e in entries]}), 0
        if args.format == "latex":
            from .document import tex_text
            return ("\\begin{itemize}\n" + "\n".join(
                f"\\item \\textbf{{{tex_text(e.title)}}}: {tex_text(e.statement)}"
                for e in entries) + "\n\\end{itemize}"), 0
        return catalog.listing_text(entries), 0
    outcomes = catalog.run_all(entries, progress=catalog.progress_bar())
    code = 0 if all(o.passed for o in outcomes) else 1
    if args.format == "json":
        return dumps({"passed": code == 0,
                      "entries": [catalog.outcome_json(o) for o in outcomes]}), code
    if args.format == "latex":
        from .document import tex_text
        rows = " \\\\\n".join(
            f"{tex_text(o.entry.key)} & {'pass' if o.passed else 'FAIL'} & "
            f"{sum(ok for _, ok, _ in o.checks)}/{len(o.checks)}" for o in outcomes)
        return ("\\begin{tabular}{llr}\nentry & verdict & checks \\\\ \\hline\n"
                + rows + "\n\\end{tabular}"), code
    return catalog.summary_text(outcomes), code


def _report(args: argparse.Namespace) -> tuple[str, int]:
    from . import catalog
    from .document import write_report
    from .render import dumps

    outcomes = catalog.run_all(catalog.load(args.part), progress=catalog.progress_bar())
    built = write_report(outcomes, args.out, pdf=not args.no_pdf)
    passed = all(o.passed for o in outcomes)
    code = 0 if passed else 1
    if args.format == "json":
        return dumps({"tex": built.tex, "pdf": built.pdf, "figures": list(built.figures),
                      "entries": len(outcomes), "passed": passed}), code
    if args.format == "latex":
        with open(built.tex, encoding="utf-8") as handle:
            return handle.read(), code
    pdf = built.pdf or "not built (pdflatex is not installed, or --no-pdf)"
    return "\n".join([f"{len(outcomes)} entries, {len(built.figures)} figures, "
                      f"{'all verified' if passed else 'SOME FAILED'}",
                      f"LaTeX: {built.tex}", f"PDF:   {pdf}"]), code


_COMMANDS = {"derive": _derive, "verify": _verify, "check": _check, "critical": _critical,
             "plot": _plot, "demo": _demo, "catalog": _catalog, "report": _report}


if __name__ == "__main__":
    sys.exit(main())
