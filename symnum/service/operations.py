"""``verify``, ``check``, ``critical``, ``plot``, ``export`` and ``parse``: a request in, a
result that renders itself out (``to_json()``, ``text()``, ``latex()``, ``exit_code``).

>>> check(CheckRequest("3*x**2", of="x**3")).exit_code
0
>>> parse(ParseRequest("x^2*sin(y)")).to_json()
{'latex': 'x^{2} \\\\sin{\\\\left(y \\\\right)}', 'text': 'x**2*sin(y)'}
>>> parse(ParseRequest("x**", partial=True)).to_json()
{'latex': 'x^{\\\\square}', 'text': 'x**…', 'complete': False, \
'message': 'waiting for the rest of the formula'}
"""

from __future__ import annotations

import keyword
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..core.errors import SymnumError
from .derive import dims_of
from .reading import plain, shapes_of
from .requests import (
    PLOT_FILES,
    PRODUCTS,
    CheckRequest,
    CriticalRequest,
    ExportRequest,
    ParseRequest,
    PlotRequest,
    VerifyRequest,
    checked,
)


@dataclass(frozen=True)
class VerifyResult:
    """A verification ``report`` of ``result``; exit code 1 only on FAIL (INCONCLUSIVE: 0,
    and the text and JSON say so)."""

    report: Any
    result: Any

    @property
    def exit_code(self) -> int:
        return 1 if self.report.verdict == "fail" else 0

    def to_json(self) -> dict[str, Any]:
        return dict(self.report.to_json())

    def latex(self) -> str:
        return str(self.result.latex())

    def text(self) -> str:
        return str(self.report.text())


def verify(request: VerifyRequest) -> VerifyResult:
    """The exact result checked against the numeric methods."""
    from ..api import derive as exact
    from ..matrix.result import MatrixResult

    request = checked(request, VerifyRequest)
    if request.implicit is not None:
        from .implicit import verify_implicit
        return VerifyResult(*verify_implicit(request))
    expr = plain(request.expr, request.syntax, request.shapes)
    if request.what == "taylor":
        from ..verification.taylor import verify_taylor
        if request.shapes or request.dims:
            raise SymnumError("a Taylor polynomial needs scalar variables (no --shape, --dims)")
        from ..higher.taylor import TaylorResult
        taylor_result = exact(expr, request.wrt, "taylor", request.order, at=request.at)
        assert isinstance(taylor_result, TaylorResult)
        return VerifyResult(verify_taylor(taylor_result, request.seed), taylor_result)
    result = exact(expr, request.wrt, request.what, request.order,
                   shapes_of(request.shapes, request.dims), vector=request.vector)
    if request.what in PRODUCTS:
        from ..core.evaluate import parse_point
        from ..higher.products import ProductResult
        from ..verification.products import verify_product
        at = parse_point(request.at) if request.at else None
        assert isinstance(result, ProductResult)
        return VerifyResult(verify_product(result, request.points, request.seed, at), result)
    if isinstance(result, MatrixResult):
        from ..verification.matrix import verify_matrix_result
        sizes: list[Mapping[Any, Any]] | None = [dims_of(request.dims)] if request.dims \
            else None
        by_components = verify_matrix_result(result, points=request.points, seed=request.seed,
                                             sizes=sizes)
        return VerifyResult(by_components, result)
    from ..core.calculus import Result
    from ..core.evaluate import parse_point
    from ..verification.verify import verify_result
    assert isinstance(result, Result)  # implicit and Taylor results went their own ways
    at = parse_point(request.at) if request.at else None
    report = verify_result(result, points=request.points, seed=request.seed, at=at)
    return VerifyResult(report, result)


@dataclass(frozen=True)
class CheckResult:
    """The verdict on a claimed derivative of ``expr``; exit code 1 when it is wrong."""

    outcome: Any
    expr: str

    @property
    def exit_code(self) -> int:
        return 0 if self.outcome.correct else 1

    def to_json(self) -> dict[str, Any]:
        from ..check.text import check_json
        return check_json(self.outcome)

    def latex(self) -> str:
        return str(self.outcome.result.latex())

    def text(self) -> str:
        from ..check.text import check_text
        return check_text(self.outcome, self.expr)


def check(request: CheckRequest) -> CheckResult | Any:
    """Is ``request.claimed`` the derivative of ``request.of``?"""
    from ..check.claim import check_claim
    from ..core.shapes import parse_shape

    request = checked(request, CheckRequest)
    if request.implicit is not None:
        from .implicit import check_implicit
        return check_implicit(request)
    if request.what == "taylor":
        return _check_taylor(request)
    if request.at is not None:
        raise SymnumError("--at is the expansion point of --what taylor; check compares "
                          "derivatives everywhere, not at one point")
    expr = plain(request.of, request.syntax, request.shapes)
    claimed = None
    if request.what == "tensor" and request.syntax == "latex":  # its slices, in order
        from ..higher.tensor_claims import latex_claim
        claimed = latex_claim(request.claimed)
    lhs = None
    if claimed is None:
        lhs, body = _printed_equation(request.claimed, request.what in PRODUCTS) \
            if request.syntax == "latex" else (None, request.claimed)
        claimed = plain(body, request.syntax, request.shapes)
    shapes = {k: ",".join(str(d) for d in v) for k, v in map(parse_shape, request.shapes)}
    outcome = check_claim(claimed, expr, request.wrt, request.what, request.order,
                          request.seed, shapes=shapes or None, vector=request.vector)
    if lhs is not None:
        printed = _printed_equation(str(outcome.result.latex()), True)[0] or ""
        if " ".join(lhs.split()) != " ".join(printed.split()):
            raise SymnumError(f"LaTeX: the left-hand side {lhs} is not this check's "
                              f"{printed}; give only the right-hand side")
    return CheckResult(outcome, expr)


_OPERATORS = (r"\frac{d", r"\frac{\partial", r"\nabla")  # how derive's LaTeX begins


def _printed_equation(text: str, product: bool = False) -> tuple[str | None, str]:
    """derive's LaTeX pasted whole (``\\frac{d}{d x} \\left(x^{2}\\right) = 2 x``):
    (its left-hand side, the right-hand side); (None, the text) for anything else. The
    left-hand side must then be the one derive prints for the check's own derivative."""
    line, equals, where = text.strip(), " = ", r" \\ \text{where}\quad "
    aligned = product and line.startswith(r"\begin{aligned}") \
        and line.endswith(r"\end{aligned}") and line.count("&=") == 2 \
        and where in line  # a product's: LHS &= RHS \\ \text{where}\quad v &= (v's own)
    if aligned:
        line, equals = line[len(r"\begin{aligned}"):].split(where, 1)[0], " &= "
    lhs, sep, rhs = line.partition(equals)
    if sep and equals not in rhs and " = " not in rhs \
            and (aligned or lhs.startswith(_OPERATORS)):
        return lhs, rhs
    return None, text


def _check_taylor(request: CheckRequest) -> Any:
    """Is the claim the Taylor polynomial of ``request.order`` about ``request.at``?"""
    from ..check.taylor import check_taylor, claim_body
    from ..core.function import Function

    if request.shapes:
        raise SymnumError("a Taylor polynomial needs scalar variables (no --shape)")
    f = Function(plain(request.of, request.syntax), request.wrt)
    f.source = request.of
    claimed = plain(claim_body(request.claimed), request.syntax)
    return check_taylor(claimed, f, request.at, request.order)


@dataclass(frozen=True)
class CriticalResult:
    """The critical ``points`` of ``function``, each classified."""

    points: Any
    function: Any
    exit_code: int = 0

    def to_json(self) -> dict[str, Any]:
        from ..analysis.critical import critical_json
        return critical_json(self.points, self.function)

    def latex(self) -> str:
        from ..analysis.critical import critical_latex
        return critical_latex(self.points, self.function)

    def text(self) -> str:
        from ..analysis.critical import critical_text
        return critical_text(self.points, self.function)


def critical(request: CriticalRequest) -> CriticalResult:
    """Solve ∇f = 0 and classify each point by the Hessian."""
    from ..analysis.critical import critical_points
    from ..core.function import Function

    request = checked(request, CriticalRequest)
    f = Function(plain(request.expr, request.syntax), request.wrt)
    return CriticalResult(critical_points(f), f)


@dataclass(frozen=True)
class PlotResult:
    """A matplotlib ``figure`` with ``panels`` panels, written to ``out`` when asked."""

    figure: Any
    out: str | None
    panels: int
    exit_code: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"out": self.out, "panels": self.panels}

    def text(self) -> str:
        return f"wrote {self.out} ({self.panels} panel{'s' if self.panels > 1 else ''})"

    def latex(self) -> str:
        return self.text()

    def svg(self) -> bytes:
        """The figure as an SVG image (no date in it: the same plot, the same bytes)."""
        import io
        out = io.BytesIO()
        self.figure.savefig(out, format="svg", bbox_inches="tight", metadata={"Date": None})
        return out.getvalue()


def plot(request: PlotRequest) -> PlotResult:
    """The figure of f over ``request.span`` (written to ``request.out`` when given)."""
    from ..analysis.plot import Descent, checked_span
    from ..analysis.plot import plot as draw

    request = checked(request, PlotRequest)
    span = checked_span(request.span)
    descent = request.descent
    if isinstance(descent, str):  # the command line's text, lr=0.1,start=1:1
        descent = Descent.parse(descent)
    if request.out is not None and os.path.splitext(request.out)[1].lower() not in PLOT_FILES:
        raise SymnumError("--out must end in .png, .pdf or .svg")
    expr = plain(request.expr, request.syntax)
    if request.at is not None and not request.taylor:
        raise SymnumError("--at is the expansion point of --taylor orders, like --taylor 1,3,5 "
                          "--at x=0")
    try:
        if request.taylor:
            from ..analysis.taylor_plot import taylor_figure
            if descent is not None:
                raise SymnumError("--descent and --taylor are separate plots: give one")
            fig = taylor_figure(expr, request.taylor, request.at, request.wrt, span,
                                request.out)
            return PlotResult(fig, request.out, len(fig.axes))
        fig = draw(expr, request.wrt, request.out, span, descent,
                   surface=request.surface)
    except OSError as err:
        raise SymnumError(f"cannot write {request.out}: {err.strerror or err}") from None
    return PlotResult(fig, request.out, len(fig.axes))


@dataclass(frozen=True)
class ExportResult:
    """The ``source`` of a standalone module defining ``name``, written to ``out`` if asked."""

    source: str
    name: str
    out: str | None = None
    exit_code: int = 0

    def module(self) -> str:
        """The module's text, ending in one newline."""
        return self.source.rstrip("\n") + "\n"

    def text(self) -> str:
        if not self.out:
            return self.source.rstrip("\n")
        module = os.path.splitext(os.path.basename(self.out))[0]
        if module.isidentifier() and not keyword.iskeyword(module):
            return f"wrote {self.out}: from {module} import {self.name}"
        usable = re.sub(r"\W", "_", module)
        usable = "_" + usable if not usable or usable[0].isdigit() else usable
        usable += "_" if keyword.iskeyword(usable) else ""
        return (f"wrote {self.out}; {module!r} is not a name Python can import: rename it to "
                f"{usable}.py, then: from {usable} import {self.name}")

    def latex(self) -> str:
        return self.text()

    def to_json(self) -> dict[str, Any]:
        return {"source": self.module(), "name": self.name, "out": self.out}


def export(request: ExportRequest) -> ExportResult:
    """The module's source for ``request`` (numpy, torch or JAX), written to ``out`` if given."""
    from ..export import export_source

    request = checked(request, ExportRequest)
    expr = plain(request.expr, request.syntax, request.shapes)
    from ..higher.route import higher_result
    shapes = shapes_of(request.shapes) or None
    if request.what in PRODUCTS:  # the direction's components are arguments too
        from ..api import derive as exact
        found: Any = exact(expr, request.wrt, request.what, request.order, shapes,
                           vector=request.vector)
    else:
        found = None if shapes else higher_result(expr, request.wrt, request.what,
                                                  request.order)
    if found is None and request.order != 1:
        raise SymnumError("export writes first derivatives, a Hessian (--what hessian) or a "
                          f"derivative tensor (--what tensor --order k), not order "
                          f"{request.order}")
    source = export_source(found if found is not None else expr, None if found else
                           request.wrt, None if found else request.what, shapes, to=request.to,
                           name=request.name)
    if request.out:
        if not request.out.endswith(".py"):
            raise SymnumError("--out must name a .py file")
        try:
            with open(request.out, "w", encoding="utf-8") as handle:
                handle.write(source)
        except OSError as err:
            raise SymnumError(f"cannot write {request.out}: {err.strerror or err}") from None
    return ExportResult(source, request.name, request.out)


@dataclass(frozen=True)
class ParseResult:
    """The expression as read: typeset (``latex``) and in plain syntax (``plain``); for a
    partial request, whether it is ``complete`` and else what it is ``waiting`` for (the
    formula then shows a box where the rest will come; empty latex: nothing to show yet)."""

    latex_text: str
    plain: str
    exit_code: int = 0
    partial: bool = False
    waiting: str | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"latex": self.latex_text, "text": self.plain}
        if self.partial:
            data["complete"] = self.waiting is None
        if self.waiting is not None:
            data["message"] = self.waiting
        return data

    def text(self) -> str:
        return self.plain

    def latex(self) -> str:
        return self.latex_text


def parse(request: ParseRequest) -> ParseResult:
    """The live preview: the expression read and typeset, nothing derived; with ``partial``,
    text still being typed (``sin(``) is waiting, not an error."""
    request = checked(request, ParseRequest)
    if not request.expr.strip():
        raise SymnumError("type an expression, like x^2*sin(y)")
    try:
        latex, text = _typeset(request.expr, request)
    except SymnumError as err:
        if not request.partial:
            raise
        from .preview import completions, open_brackets, shown
        wrong = err  # the clearest reason: "unknown function 'foo'" over "'(' never closed"
        shapes = False  # a shape that does not fit yet: sigmoid(w.T on its way to w.T*x)
        for completed, message in completions(request.expr, request.syntax):
            if completed is None:
                return ParseResult("", "", partial=True, waiting=message)
            try:
                latex, text = _typeset(completed, request)
            except SymnumError as later:
                shapes = shapes or "shape" in str(later)
                if wrong is err and "rest" in message and not str(later).startswith(
                        ("invalid syntax", "LaTeX: the")):
                    wrong = later
                continue
            return ParseResult(shown(latex), shown(text, "…"), partial=True, waiting=message)
        still_open = open_brackets(request.expr, request.syntax)
        if still_open and request.shapes and shapes:
            return ParseResult("", "", partial=True, waiting=f"waiting for '{still_open}'")
        raise wrong from None
    return ParseResult(latex, text, partial=request.partial)


def _typeset(source: str, request: ParseRequest) -> tuple[str, str]:
    """``source`` read as ``request`` says: its LaTeX and its plain text (an equation, the
    curve of implicit differentiation, side by side)."""
    import sympy

    from ..higher.equation import split_equation
    left, right = split_equation(source)
    if right is not None:
        (left_latex, left_text), (right_latex, right_text) = (
            _typeset(side, request) for side in (left, right))
        return f"{left_latex} = {right_latex}", f"{left_text} = {right_text}"

    from ..core.parse import parse as read
    from ..core.render import expr_latex

    shapes = shapes_of(request.shapes)
    expr = read(plain(source, request.syntax, request.shapes), shapes)
    if isinstance(expr, sympy.MatrixBase):
        rows = [[sympy.sstr(v) for v in row] for row in expr.tolist()]
        text = ("[" + ", ".join(r[0] for r in rows) + "]" if expr.shape[1] == 1 else
                "[" + ", ".join("[" + ", ".join(r) + "]" for r in rows) + "]")
    else:
        text = sympy.sstr(expr)
    if expr.has(sympy.MatrixSymbol):  # xᵀAx as the results print it, not x^T A x, tr(..)
        from ..matrix.printing import matrix_latex
        latex = matrix_latex(expr)
    else:
        latex = expr_latex(expr)
    return latex, text
