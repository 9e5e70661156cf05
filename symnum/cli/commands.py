"""The commands of the command line, one function each: arguments in, (text, exit code) out.

Each calls the public API and renders; :mod:`symnum.cli.arguments` parses the arguments,
:mod:`symnum.cli.app` applies the limits and writes the output.
"""

from __future__ import annotations

import argparse

from ..core.errors import SymnumError
from .guard import UsageError


def _derive(args: argparse.Namespace) -> tuple[str, int]:
    from ..api import derive
    from ..core.errors import EvaluationError
    from ..core.evaluate import parse_point
    from ..core.render import dumps, result_json, result_latex, result_text

    result = derive(args.expr, args.wrt, args.what, args.order, _shapes(args))
    if _is_matrix_result(result):
        return _matrix_derive(result, args), 0
    value, point, notes = None, None, []
    if args.at:
        point = parse_point(args.at)
        known = {s.name for s in result.function.expr.free_symbols} | set(result.function.wrt)
        from ..core.function import spelled_name
        point = {spelled_name(k, dict.fromkeys(known)): v for k, v in point.items()}
        unknown = sorted(set(point) - known)
        if unknown:
            raise SymnumError(f"{', '.join(unknown)} does not appear in the expression")
        from ..core.domain import point_notes
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
        from ..steps import derivation
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
    from ..analysis.graph import build_graph, graph_json, graph_latex, graph_text
    from ..core.render import dumps, result_json

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
    from ..matrix.result import MatrixResult
    return isinstance(result, MatrixResult)


def _shapes(args: argparse.Namespace) -> dict:
    from ..core.shapes import parse_shape
    shapes = dict(parse_shape(s) for s in args.shape)
    if args.dims and not shapes:
        raise SymnumError("--dims gives sizes to dimensions declared with --shape")
    return shapes


def _matrix_derive(result, args: argparse.Namespace) -> str:
    from ..core.render import dumps
    from ..matrix.result import default_sizes, parse_sizes, random_value, result_json

    steps = None
    if args.steps == "graph":
        raise SymnumError("--steps graph needs scalar variables; use --steps for the "
                          "differential derivation of a matrix derivative")
    if args.steps:
        from ..matrix.steps import matrix_steps
        steps = matrix_steps(result)
    extra = {}
    if args.dims or args.at:
        from ..core.evaluate import parse_point
        sizes = parse_sizes(args.dims, result.function) if args.dims else \
            default_sizes(result.function)
        scalars = parse_point(args.at) if args.at else None
        extra = random_value(result, sizes, args.seed, scalars)
    if args.format == "json":
        data = result_json(result, extra)
        if steps is not None:
            from ..matrix.steps import steps_json
            data["steps"] = [steps_json(steps)]
        return dumps(data)
    if args.format == "latex":
        if steps is not None:
            from ..matrix.steps import steps_latex
            return steps_latex(steps)
        return result.latex()
    text = result.text()
    if steps is not None:
        from ..matrix.steps import steps_text
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
    from ..api import derive
    from ..core.evaluate import parse_point
    from ..verification.verify import verify_result

    result = derive(args.expr, args.wrt, args.what, args.order, _shapes(args))
    if _is_matrix_result(result):
        return _matrix_verify(result, args)
    at = parse_point(args.at) if args.at else None
    report = verify_result(result, points=args.points, seed=args.seed, at=at)
    return _report_output(report, result, args.format)


def _matrix_verify(result, args: argparse.Namespace) -> tuple[str, int]:
    from ..verification.matrix import verify_matrix_result

    sizes = [_dims_of(args.dims)] if args.dims else None
    report = verify_matrix_result(result, points=args.points, seed=args.seed, sizes=sizes)
    return _report_output(report, result, args.format)


def _report_output(report, result, fmt: str) -> tuple[str, int]:
    """A verification report in the asked format; exit 1 only on FAIL (INCONCLUSIVE: 0, and
    the text and JSON say so)."""
    from ..core.render import dumps

    code = 1 if report.verdict == "fail" else 0
    if fmt == "json":
        return dumps(report.to_json()), code
    if fmt == "latex":
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
    from ..check.claim import check_claim
    from ..check.text import check_json
    from ..core.render import dumps
    from ..core.shapes import parse_shape

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
    from ..check.text import check_text
    return check_text(outcome, expr)


def _demo(args: argparse.Namespace) -> tuple[str, int]:
    from ..chapter.demo import run_demo
    text, ok = run_demo()
    return text, 0 if ok else 1


def _critical(args: argparse.Namespace) -> tuple[str, int]:
    from ..analysis.critical import critical_json, critical_latex, critical_points, critical_text
    from ..core.function import Function
    from ..core.render import dumps

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

    from ..analysis.plot import Descent, plot
    from ..core.render import dumps

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
    try:
        fig = plot(args.expr, args.wrt, args.out, (low, high), descent)
    except OSError as err:
        raise SymnumError(f"cannot write {args.out}: {err.strerror or err}") from None
    panels = len(fig.axes)
    if args.format == "json":
        return dumps({"out": args.out, "panels": panels}), 0
    return f"wrote {args.out} ({panels} panel{'s' if panels > 1 else ''})", 0


def _export(args: argparse.Namespace) -> tuple[str, int]:
    import os

    from ..export import export_source

    text = export_source(args.expr, args.wrt, args.what, _shapes_of(args.shape) or None,
                         to=args.to, name=args.name)
    if not args.out:
        return text.rstrip("\n"), 0
    if not args.out.endswith(".py"):
        raise SymnumError("--out must name a .py file")
    try:
        with open(args.out, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as err:
        raise SymnumError(f"cannot write {args.out}: {err.strerror or err}") from None
    module = os.path.splitext(os.path.basename(args.out))[0]
    return f"wrote {args.out}: from {module} import {args.name}", 0


def _shapes_of(texts: list[str]) -> dict:
    from ..core.shapes import parse_shape
    return dict(parse_shape(s) for s in texts)


def _catalog(args: argparse.Namespace) -> tuple[str, int]:
    from ..chapter import catalog
    from ..core.render import dumps

    if args.show:
        if args.verify:
            raise UsageError("--show and --verify do not go together")
        outcome = catalog.run(catalog.find(args.show))
        code = 0 if outcome.passed else 1
        if args.format == "json":
            return dumps(catalog.outcome_json(outcome)), code
        if args.format == "latex":
            from ..chapter.document import entry_tex
            return entry_tex(outcome, None), code
        return catalog.outcome_text(outcome), code
    entries = catalog.load(args.part)
    if not args.verify:
        if args.format == "json":
            return dumps({"entries": [catalog.entry_json(e) for e in entries]}), 0
        if args.format == "latex":
            from ..chapter.document import tex_text
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
        from ..chapter.document import tex_text
        rows = " \\\\\n".join(
            f"{tex_text(o.entry.key)} & {'pass' if o.passed else 'FAIL'} & "
            f"{sum(ok for _, ok, _ in o.checks)}/{len(o.checks)}" for o in outcomes)
        return ("\\begin{tabular}{llr}\nentry & verdict & checks \\\\ \\hline\n"
                + rows + "\n\\end{tabular}"), code
    return catalog.summary_text(outcomes), code


def _report(args: argparse.Namespace) -> tuple[str, int]:
    from ..chapter import catalog
    from ..chapter.document import write_report
    from ..core.render import dumps

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


COMMANDS = {"derive": _derive, "verify": _verify, "check": _check, "critical": _critical,
            "plot": _plot, "export": _export, "demo": _demo, "catalog": _catalog, "report": _report}
