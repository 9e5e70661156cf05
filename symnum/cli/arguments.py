"""The command line's arguments: the parser of every subcommand, the checks made before any
work, and :func:`run` (arguments in, the command's output and exit code out, with no limits),
which :func:`symnum.cli.main` runs under its limits.

>>> run(["derive", "x**3", "--format", "json"])[0][:29]
'{"expr": "x**3", "wrt": ["x"]'
"""

from __future__ import annotations

import argparse
import difflib
import os
import shlex
from collections.abc import Sequence

from ..service.requests import (
    EXPORT_WHATS,
    FORMATS,
    INTEGER_BOUNDS,
    SYNTAXES,
    TARGETS,
    WHATS,
    whole_number,
)
from . import guard
from .commands import COMMANDS
from .guard import UsageError

# Integer options checked after parsing, whichever command has them: (lowest, highest or None
# where the library states its own bound, as for --order and --points).
INTEGER_OPTIONS = {**INTEGER_BOUNDS, "port": (0, 65535), "workers": (1, 64)}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse would print usage and exit; we want one line
        raise UsageError(message)


class _Version(argparse.Action):
    """``--version``: ``symnum X.Y.Z`` on stdout, then exit; the version is read only then
    (the package metadata costs an import that no other command needs)."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS,
                 default: str = argparse.SUPPRESS, help: str | None = None) -> None:
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: object, option_string: str | None = None) -> None:
        from .. import __version__
        print(f"symnum {__version__}", flush=True)
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with its subcommands."""
    parser = _Parser(prog="symnum", description="Exact derivatives, shown and verified.",
                     epilog=guard.ENVIRONMENT_HELP,
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action=_Version, help="show the version and exit")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    def common(p: argparse.ArgumentParser, expr_help: str, optional: bool = False) -> None:
        p.add_argument("expr", help=expr_help, nargs="?" if optional else None)
        p.add_argument("--wrt", help="variables, comma- or space-separated (default: all); "
                       "one repeated (x,y,y) asks for the mixed partial, differentiated in "
                       "that order")
        p.add_argument("--what", choices=WHATS, help="default: derivative for one variable, "
                       "gradient for several, jacobian for a list; tensor: the derivative "
                       "tensor of --order k (shape n×…×n); taylor: the Taylor polynomial of "
                       "--order k about --at")
        p.add_argument("--order", type=int, default=1, help="order of a derivative, a "
                       "tensor or a Taylor polynomial (up to 20)")
        p.add_argument("--format", choices=FORMATS, default="text")
        p.add_argument("--shape", action="append", default=[], metavar="NAME=DIMS",
                       help="declare a vector (x=n) or matrix (W=m,n) for matrix calculus "
                       "(with tr, det, inv, sum, softmax: of a matrix row by row, "
                       "layernorm(x[, eps]), var)")
        p.add_argument("--dims", help="sizes for numbers with matrices, e.g. n=3,m=2")
        implicit(p)
        vector(p)
        syntax(p)

    def implicit(p: argparse.ArgumentParser) -> None:
        p.add_argument("--implicit", metavar="Y", help="implicit differentiation: EXPR = 0 "
                       "(or an equation, like 'x**2 + y**2 = 1') defines Y as a function of "
                       "--wrt; gives dY/dx = -F_x/F_Y (--order k: higher orders)")

    def vector(p: argparse.ArgumentParser) -> None:
        p.add_argument("--vector", metavar="V", help="the direction of --what hvp, jvp or vjp: "
                       "a name (v: components v_x, v_y, ... after the variables; u: u_1, "
                       "u_2, ... after the outputs; default v for hvp and jvp, u for vjp) or "
                       "the components, like 1,0,2")

    def syntax(p: argparse.ArgumentParser) -> None:
        p.add_argument("--from", dest="syntax", choices=SYNTAXES, default="plain",
                       help="how the expression is written: plain (x^2*sin(y), x², 2x) or "
                            r"latex (\frac{1}{1+e^{-x}}, x^\top A x)")

    d = sub.add_parser("derive", help="exact derivative, gradient, Jacobian or Hessian")
    common(d, "the function, e.g. 'x**2*sin(y)' or '[x*y, x+y]'")
    d.add_argument("--at", help="evaluate at a point, e.g. x=1,y=2; with --what taylor the "
                   "expansion point (its variables are expanded; default: 0 for each)")
    d.add_argument("--seed", type=int, default=0, help="seed of random matrices (with --dims)")
    d.add_argument("--layout", choices=("numerator", "denominator"), default="numerator",
                   help="of a Jacobian in matrix notation: numerator (the default: ∂vec F/"
                        "∂(vec X)ᵀ, rows index F) or denominator (its transpose); a gradient "
                        "has X's shape in both")
    d.add_argument("--steps", nargs="?", const="tree", choices=("tree", "graph"),
                   help="show the derivation: rule by rule (tree, the default) or as "
                        "backpropagation on the computational graph (graph)")
    v = sub.add_parser("verify", help="check the exact result with four numeric methods")
    common(v, "the function (or --batch FILE)", optional=True)
    v.add_argument("--points", type=int, default=5, help="random points (default 5)")
    v.add_argument("--seed", type=int, default=0, help="seed of the random points")
    v.add_argument("--at", help="check at this point instead of random ones (with --what "
                   "taylor: the expansion point)")
    v.add_argument("--batch", metavar="FILE", help="verify every expression of FILE: one a "
                   "line (--wrt, --what apply to each), or .jsonl objects with expression, "
                   "wrt, what, shapes, syntax; exit 1 if any is not verified")
    v.add_argument("--out", help="with --batch: the results as .csv or .jsonl")
    batch_options(v, "item", 60.0, "2G")
    c = sub.add_parser("check", help="is CLAIMED the derivative of --of EXPR?")
    c.add_argument("claimed", help="the claimed derivative (a list for a gradient)")
    c.add_argument("--of", required=True, dest="expr", help="the function")
    c.add_argument("--wrt", help="variables, comma- or space-separated (default: all)")
    c.add_argument("--what", choices=WHATS, help="taylor: is CLAIMED the Taylor "
                   "polynomial of --order about --at?")
    c.add_argument("--order", type=int, default=1)
    c.add_argument("--at", help="the expansion point of a Taylor polynomial, e.g. x=0,y=0")
    c.add_argument("--seed", type=int, default=0, help="seed of the random points")
    c.add_argument("--format", choices=FORMATS, default="text")
    c.add_argument("--shape", action="append", default=[], metavar="NAME=DIMS",
                   help="declare a vector (x=n) or matrix (A=n,n): the claim is then in "
                        "matrix notation, checked by components at small sizes")
    implicit(c)
    vector(c)
    syntax(c)
    k = sub.add_parser("critical", help="solve ∇f = 0 and classify each point by the Hessian")
    k.add_argument("expr", help="the function")
    k.add_argument("--wrt", help="variables, comma- or space-separated (default: all)")
    k.add_argument("--format", choices=FORMATS, default="text")
    syntax(k)
    g = sub.add_parser("plot", help="f with f′, f″ (one variable); surface, contours, "
                                    "gradient field and descent path (two)")
    g.add_argument("expr", help="the function")
    g.add_argument("--wrt", help="variables, comma- or space-separated (default: all)")
    g.add_argument("--out", default="symnum-plot.png", help="file to write (png, pdf, svg)")
    g.add_argument("--range", dest="span", default="-3,3", help="plot range, like -3,3")
    g.add_argument("--descent", help="gradient descent path: lr=0.05,start=2:1,steps=30")
    g.add_argument("--taylor", metavar="ORDERS", help="draw f against its Taylor polynomials "
                   "of these orders, like 1,2,3,5 (one variable; about --at)")
    g.add_argument("--at", help="the expansion point of --taylor, like x=0 (default 0)")
    g.add_argument("--format", choices=FORMATS, default="text")
    syntax(g)
    e = sub.add_parser("export", help="write a standalone numpy / torch / JAX module")
    e.add_argument("expr", help="the function")
    e.add_argument("--wrt", help="variables, comma- or space-separated (default: all)")
    e.add_argument("--what", choices=EXPORT_WHATS, help="value (the function itself) "
                   "or a derivative; default: as for derive")
    e.add_argument("--order", type=int, default=1, help="order of a derivative tensor "
                   "(--what tensor)")
    e.add_argument("--shape", action="append", default=[], metavar="NAME=DIMS",
                   help="a vector (x=3) or matrix (A=3,3) argument, with numbers")
    e.add_argument("--to", choices=TARGETS, default="numpy",
                   help="the module's backend (default numpy)")
    e.add_argument("--name", default="f", help="the function's name in the module (default f)")
    vector(e)
    e.add_argument("--out", help="write the module to this .py file instead of stdout")
    syntax(e)
    sub.add_parser("demo", help="derive, verify and typeset a few examples")
    n = sub.add_parser("functions", help="the functions symnum reads: names, LaTeX, domain, "
                                         "kinks (from its function registry)")
    n.add_argument("--format", choices=("text", "markdown", "json", "latex"), default="text")
    a = sub.add_parser("catalog", help="the chapter's derivations: list, show one, or "
                                       "verify all")
    a.add_argument("--part", help="only this part (linear_algebra, calculus, probability, "
                                  "full_picture, exercises)")
    a.add_argument("--show", metavar="KEY", help="derive, verify and show one entry in full")
    a.add_argument("--verify", action="store_true", help="derive and verify every entry; "
                   "exit 1 if any fails")
    a.add_argument("--format", choices=FORMATS, default="text")
    batch_options(a, "entry", 600.0, "4G")
    r = sub.add_parser("report", help="a LaTeX/PDF report of the whole catalog")
    r.add_argument("--out", required=True, help="directory for report.tex, figures, PDF")
    r.add_argument("--part", help="only this part")
    r.add_argument("--no-pdf", action="store_true", help="write the .tex only")
    r.add_argument("--format", choices=FORMATS, default="text")
    w = sub.add_parser("serve", help="the workbench: a local web page for deriving, checking "
                                     "and plotting")
    w.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1: this computer only)")
    w.add_argument("--port", type=int, default=8000, help="port (default 8000; 0: any free one)")
    w.add_argument("--open", action="store_true", help="open the page in a web browser")
    w.add_argument("--timeout", type=float, default=30.0,
                   help="seconds one request may compute (default 30)")
    w.add_argument("--memory", default="2G",
                   help="memory one request may use, like 512M or 2G (default 2G)")
    w.add_argument("--workers", type=int, help="worker processes computing requests "
                   "(default: 4 to 8, by the number of CPU cores)")
    w.add_argument("--allow-host", action="append", default=[], metavar="NAME",
                   help="also answer requests addressed to NAME (repeatable; * for any name); "
                   "by default only localhost, 127.0.0.1, [::1] and the --host address are "
                   "answered, so that no other site's page can reach the server by DNS "
                   "rebinding")
    grade(sub)
    return parser


# The kinds of hints partial credit can name (symnum.check.diagnose.HINT_KINDS; a test keeps
# the two the same): written out so that the command line's start-up loads no SymPy.
GRADE_EPILOG = """\
KEY columns: question, expression, wrt, what (derivative, gradient, jacobian, hessian, ...),
optional shapes (x=n A=n,n), syntax (plain or latex), points, order (tensor, taylor),
vector (hvp, jvp, vjp: u, w), at (taylor: x=0). ANSWERS columns: student, question, answer.
Both .csv (with a header) or .jsonl, by the extension; RESULTS too.

points: full marks (default 1), or partial credit by the kind of hint a wrong answer gets,
like '2; sign=1; constant=1.5'. Kinds: chain, power, exponential, trig, quotient, product,
sign, constant, variable, order, entries, transpose, term, region, symmetric.

Verdicts: correct, incorrect (with a hint; a transposed matrix or vector is incorrect, with
the hint transpose), unreadable (the answer does not read or has another shape), gave up
(its time or memory limit, or its worker stopped). Run the same command again after a
crash: finished rows are kept, the rest graded; an edited key row or answer is graded
again; --retry also grades again the answers that gave up.
"""


def batch_options(p: argparse.ArgumentParser, item: str, seconds: float, memory: str) -> None:
    """--workers, --scheduler, --timeout and --memory of a batch on the grading runner."""
    p.add_argument("--workers", type=int, help=f"run each {item} in one of N local worker "
                   "processes (default: in this process, one after the other)")
    p.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                   help="run on this Dask cluster instead (needs symnum[dask])")
    p.add_argument("--timeout", type=float, default=seconds,
                   help=f"with --workers or --scheduler: seconds per {item} (default "
                   f"{seconds:g}); past it: gave up")
    p.add_argument("--memory", default=memory, help=f"with --workers or --scheduler: memory "
                   f"per {item} (default {memory}; 'off': none)")


def grade(sub: argparse._SubParsersAction) -> None:
    """``symnum grade ANSWERS --key KEY --out RESULTS``."""
    g = sub.add_parser("grade", help="grade students' answers against a key, resumably",
                       epilog=GRADE_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    g.add_argument("answers", help="the answers: .csv or .jsonl with student, question, answer")
    g.add_argument("--key", required=True, help="the key: .csv or .jsonl, one row a question")
    g.add_argument("--out", required=True, help="the results (.csv or .jsonl); an existing "
                   "file is continued")
    g.add_argument("--workers", type=int, default=1, help="local worker processes (default 1)")
    g.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                   help="grade on this Dask cluster instead (needs symnum[dask])")
    g.add_argument("--timeout", type=float, default=20.0,
                   help="seconds per answer (default 20); past it: gave up")
    g.add_argument("--memory", default="1G",
                   help="memory per answer, like 512M or 2G (default 1G; 'off': none)")
    g.add_argument("--retry", action="store_true", help="grade again the answers that gave "
                   "up in RESULTS (say with a larger --timeout or --memory)")
    g.add_argument("--quiet", action="store_true", help="no progress line")
    g.add_argument("--report", metavar="REPORT.html",
                   help="also write an HTML report: correct rates, the most common wrong "
                   "answers with their hints, students' totals (one self-contained file)")
    g.set_defaults(unlimited=True)  # a batch: per-answer limits, none on the whole run


def parse_arguments(argv: Sequence[str]) -> argparse.Namespace:
    """The command line read and checked (a :class:`UsageError` on bad arguments); a LaTeX
    expression is read by the service (``args.syntax``).

    >>> parse_arguments(["derive", "--from", "latex", "--", r"\\frac{1}{x}"]).syntax
    'latex'
    """
    protected = _protect_negative(list(argv))
    parser = build_parser()
    try:
        args = parser.parse_args(protected)
    except UsageError as err:
        raise UsageError(f"{err}{_dash_hint(parser, list(argv))}") from None
    for name, value in vars(args).items():  # the space added above is not the user's text
        if isinstance(value, str) and value.startswith(" -") and value in protected \
                and value[1:] in argv:
            setattr(args, name, value[1:])
    if args.command is None:
        raise UsageError("choose a command: derive, verify, check, critical, plot, export, "
                         "functions, catalog, report, demo, grade or serve (see --help)")
    _check_integers(args)
    if args.command == "grade":
        _check_grade(args)
    if args.command in ("verify", "catalog"):
        _check_batch(args)
    return args


def _check_batch(args: argparse.Namespace) -> None:
    """verify's --batch and catalog's --workers/--scheduler, before any work."""
    if args.command == "verify":
        if args.batch is not None and args.expr is not None:
            raise UsageError("give an expression or --batch FILE, not both")
        if args.batch is None and args.expr is None:
            raise UsageError("verify needs an expression (or --batch FILE)")
        if args.batch is None and (args.out or args.workers or args.scheduler):
            raise UsageError("--out, --workers and --scheduler go with --batch FILE")
        args.unlimited = args.batch is not None  # a limit per item, none on the whole run
    elif args.workers or args.scheduler:
        if not args.verify or args.show:
            raise UsageError("--workers and --scheduler go with catalog --verify")
        args.unlimited = True
    if args.workers and args.scheduler:
        raise UsageError("--workers and --scheduler do not go together")
    if getattr(args, "unlimited", False):
        _check_grade(args)


def _check_grade(args: argparse.Namespace) -> None:
    """--timeout and --memory of ``grade``, read before any work."""
    from ..edge.limits import MIN_MEMORY, read_size, size_text

    report = getattr(args, "report", None)
    if report is not None and not os.path.isdir(os.path.dirname(report) or "."):
        raise UsageError(f"--report: the folder of {report} does not exist")
    if args.scheduler is not None and args.workers not in (None, 1):
        raise UsageError("--workers is for local processes; a Dask cluster (--scheduler) "
                         "runs on its own workers")
    if not 0 < args.timeout <= 86400:
        raise UsageError(f"--timeout must be a number of seconds above 0, got {args.timeout:g}")
    try:
        args.memory = read_size(args.memory)
    except ValueError:
        raise UsageError(f"--memory must be a size from {size_text(MIN_MEMORY)} up, like 512M "
                         f"or 2G (or 'off' for no limit), got {args.memory!r}") from None


def run(argv: Sequence[str]) -> tuple[str, int]:
    """Run one command without limits or a safety net: (its output, its exit code); bad
    arguments or input raise :class:`SymnumError`.

    >>> run(["check", "--of", "x**2", "--format", "json", "--", "2*x"])[1]
    0
    """
    args = parse_arguments(argv)
    if args.command == "serve":
        raise UsageError("serve is not a command that returns an output")
    return COMMANDS[args.command](args)


def _check_integers(args: argparse.Namespace) -> None:
    """--seed -1, --points 0 and the like: one clear line, before any work."""
    for name, (low, high) in INTEGER_OPTIONS.items():
        value = getattr(args, name, None)
        if value is None:
            continue
        whole_number(name, value, low, high)


def _protect_negative(argv: list[str]) -> list[str]:
    """Keep ``-sin(x)`` an expression: argparse would read a leading '-' as an option.

    >>> _protect_negative(["check", "-sin(x)", "--of", "cos(x)", "-h"])
    ['check', ' -sin(x)', '--of', 'cos(x)', '-h']
    """
    return [" " + a if len(a) > 1 and a[0] == "-" and a[1] != "-" and a != "-h" else a
            for a in argv]


def _dash_hint(parser: argparse.ArgumentParser, argv: list[str]) -> str:
    """Where an argument that starts with '--' is no option (``derive "--x"``): how to give
    it as an expression.

    >>> _dash_hint(build_parser(), ["derive", "--x"])[:22]
    '; --x is not an option'
    >>> _dash_hint(build_parser(), ["derive", "x", "--wrtt", "x"])
    '; did you mean --wrt?'
    """
    known = {o for action in parser._actions for o in action.option_strings}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            known |= {o for sub in action.choices.values() for a in sub._actions
                      for o in a.option_strings}
    words = argv[:argv.index("--")] if "--" in argv else argv
    strange = [a for a in words if a.startswith("--") and a.split("=")[0] not in known]
    if not strange:
        return ""
    close = difflib.get_close_matches(strange[0].split("=")[0], sorted(known), 1, 0.75)
    if close:
        return f"; did you mean {close[0]}?"
    return (f"; {strange[0]} is not an option: an expression that starts with '-' goes "
            f"after --, as in: symnum {shlex.quote(argv[0])} -- {shlex.quote(strange[0])}")
