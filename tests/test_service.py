"""The service: every operation called with a typed request (no argv, no command line), its
answers checked against independent numbers (mpmath, finite differences), its bad requests
refused with one line; and the web page imports nothing of the command line."""

from __future__ import annotations

import ast
import dataclasses
import math
import pickle
from pathlib import Path

import mpmath
import pytest

from symnum import service
from symnum.core.errors import SymnumError

WEB = Path(__file__).resolve().parent.parent / "symnum" / "web"


def test_derive_at_a_point_agrees_with_mpmath():
    answer = service.derive(service.DeriveRequest("x**2*sin(y)", wrt="x,y", at="x=1.5,y=0.7"))
    grad = answer.to_json()["value"]
    expected = [mpmath.diff(lambda x: x**2 * mpmath.sin(0.7), 1.5),
                mpmath.diff(lambda y: 1.5**2 * mpmath.sin(y), 0.7)]
    assert grad == pytest.approx([float(e) for e in expected], rel=1e-12)
    assert answer.exit_code == 0 and answer.to_json()["wrt"] == ["x", "y"]


def test_derive_reads_latex_and_gives_steps_or_the_graph():
    latex = service.derive(service.DeriveRequest(r"\frac{1}{1+e^{-x}}", syntax="latex",
                                                 steps="tree"))
    plain = service.derive(service.DeriveRequest("1/(1+exp(-x))", steps="tree"))
    assert latex.to_json() == plain.to_json() and latex.to_json()["steps"]
    graph = service.derive(service.DeriveRequest("x*exp(-x**2)", at="x=1", steps="graph"))
    assert graph.to_json()["graph"] and graph.steps is None
    assert graph.to_json()["value"] == pytest.approx(-math.exp(-1), rel=1e-14)


def test_a_matrix_derivative_on_random_matrices():
    answer = service.derive(service.DeriveRequest("x.T*A*x", wrt="x", shapes=("x=n", "A=n,n"),
                                                  dims="n=2", steps="tree"))
    assert isinstance(answer, service.MatrixDeriveResult)
    assert answer.extra["sizes"] == {"n": 2} and "steps" in answer.to_json()


def test_verify_and_check_give_their_verdicts_and_exit_codes():
    verified = service.verify(service.VerifyRequest("exp(x)*sin(y)", what="hessian", points=2))
    assert verified.to_json()["verdict"] == "pass" and verified.exit_code == 0
    right = service.check(service.CheckRequest("cos(x) + 1", of="sin(x) + x"))
    wrong = service.check(service.CheckRequest("cos(x)", of="sin(x) + x"))
    assert (right.exit_code, wrong.exit_code) == (0, 1)
    assert right.to_json()["correct"] is True and wrong.to_json()["correct"] is False


def test_critical_points_are_where_the_gradient_vanishes():
    answer = service.critical(service.CriticalRequest("x**3 - 3*x"))
    found = sorted((float(next(iter(p.point.values()))), p.kind) for p in answer.points)
    assert [x for x, _ in found] == pytest.approx([-1.0, 1.0])
    # f'' = 6x: a maximum at -1, a minimum at 1
    assert [kind for _, kind in found] == ["maximum", "minimum"]


def test_export_writes_a_module_that_matches_finite_differences(tmp_path):
    answer = service.export(service.ExportRequest("x*sin(y)", wrt="x,y", name="grad"))
    namespace: dict = {}
    exec(compile(answer.module(), "<export>", "exec"), namespace)
    got = [float(v) for v in namespace["grad"](1.5, 0.7)]
    h = 1e-6
    f = lambda x, y: x * math.sin(y)  # noqa: E731
    fd = [(f(1.5 + h, 0.7) - f(1.5 - h, 0.7)) / (2 * h), (f(1.5, 0.7 + h) - f(1.5, 0.7 - h))
          / (2 * h)]
    assert got == pytest.approx(fd, rel=1e-8)
    out = tmp_path / "grad_module.py"
    written = service.export(service.ExportRequest("x*sin(y)", wrt="x,y", name="grad",
                                                   out=str(out)))
    assert out.read_text() == answer.source
    assert written.text() == f"wrote {out}: from grad_module import grad"


def test_parse_and_plot(tmp_path):
    assert service.parse(service.ParseRequest("x^2")).to_json()["text"] == "x**2"
    figure = service.plot(service.PlotRequest("x**3 - 3*x", span=(-2.0, 2.0), surface=False))
    assert figure.panels >= 1 and figure.svg().startswith(b"<?xml")
    out = tmp_path / "p.svg"
    service.plot(service.PlotRequest("x**2", out=str(out)))
    assert out.stat().st_size > 0


def test_the_catalog_lists_and_shows_entries():
    listing = service.catalog(service.CatalogRequest(part="calculus"))
    assert listing.entries and all(e.part == "calculus" for e in listing.entries)
    with pytest.raises(SymnumError, match="do not go together"):
        service.catalog(service.CatalogRequest(show="x", verify=True))


@pytest.mark.parametrize("request_, message", [
    (service.DeriveRequest("x", order=0), "--order must be a whole number of at least 1"),
    (service.VerifyRequest("x", seed=-1), "--seed must be a whole number from 0"),
    (service.DeriveRequest("x", what="curl"), "invalid choice: 'curl'"),
    (service.ExportRequest("x", to="fortran"), "invalid choice: 'fortran'"),
    (service.DeriveRequest("x", steps="forest"), "invalid choice: 'forest'"),
    (service.DeriveRequest("x +"), "invalid syntax"),
    (service.DeriveRequest("x**2", at="y=1"), "y does not appear"),
    (service.DeriveRequest("x", dims="n=2"), "--dims gives sizes"),
    (service.PlotRequest("x", span=(1.0, -1.0)), "plot range"),
    (service.ParseRequest(" "), "type an expression"),
    # fields of the wrong type: one line naming the field, not a TypeError from inside
    (service.DeriveRequest("x", order="2"), "--order must be a whole number, got '2'"),
    (service.VerifyRequest("x", points=None), "--points must be a whole number, got None"),
    (service.DeriveRequest("x", seed=1.5), "--seed must be a whole number, got 1.5"),
    (service.DeriveRequest("x", at={"x": 1}), "--at must be text"),
    (service.DeriveRequest("x.T*x", wrt="x", shapes="x=n"), "shapes are NAME=DIMS texts"),
    (service.PlotRequest("x", span="-3,3"), "plot range"),
])
def test_bad_requests_are_one_line_errors(request_, message):
    operation = {service.DeriveRequest: service.derive, service.VerifyRequest: service.verify,
                 service.ExportRequest: service.export, service.PlotRequest: service.plot,
                 service.ParseRequest: service.parse}[type(request_)]
    with pytest.raises(SymnumError, match=message.replace("(", r"\(")) as err:
        operation(request_)
    assert "\n" not in str(err.value)


def test_a_request_of_another_operation_or_an_unknown_format_is_refused():
    with pytest.raises(SymnumError, match="expected a DeriveRequest"):
        service.derive(service.VerifyRequest("x"))
    result = service.derive(service.DeriveRequest("x**2"))
    with pytest.raises(SymnumError, match="unknown format 'xml'"):
        service.render(result, "xml")
    listing = service.functions(service.FunctionsRequest())
    assert service.render(listing, "markdown") == listing.markdown()


def test_a_descent_given_as_text_is_read():
    figure = service.plot(service.PlotRequest("x**2 + y**2", descent="lr=0.1,start=1:1",
                                              surface=False)).figure
    assert len(figure.axes[0].get_lines()) >= 1  # the path


def test_requests_are_frozen_values_a_worker_can_receive():
    request = service.DeriveRequest("x**2", shapes=("x=n",))
    with pytest.raises(dataclasses.FrozenInstanceError):
        request.expr = "y"  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(request)) == request and hash(request)


def test_the_web_page_imports_nothing_of_the_command_line():
    for path in WEB.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                names = [("." * node.level) + (node.module or "")]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            for name in names:
                assert not (name.startswith("..cli") or name.startswith("symnum.cli")), \
                    f"{path.name} imports {name}"


def test_no_signal_or_clock_shapes_what_the_library_computes():
    """Timers and signals live at the process edges only (edge/, which the shells cli/ and
    web/ share, the shells themselves, and batch/'s worker processes); the library bounds
    its work by counts (symnum.core.budget counts SymPy objects built)."""
    package = WEB.parent
    for path in package.rglob("*.py"):
        if path.relative_to(package).parts[0] in ("cli", "web", "edge", "batch"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                     [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not {"signal", "resource"} & set(names), f"{path} imports {names}"
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                    and node.value.id == "time":
                assert node.attr not in ("process_time", "monotonic"), \
                    f"{path} reads the clock ({node.attr})"


def test_a_work_budget_counts_objects_not_seconds():
    import sympy

    from symnum.core.budget import work_budget
    expr = sympy.sympify("sin(x)**2 + cos(x)**2 + tanh(y)*exp(y)")
    spent = []
    for _ in range(3):  # the first run also makes a few objects SymPy keeps for good
        sympy.core.cache.clear_cache()
        with work_budget(10**7) as meter:
            sympy.simplify(expr)
        spent.append(meter.spent)
    # the same work, counted the same (to a few per thousand: set orders follow the hashes)
    assert spent[1] > 1000 and abs(spent[1] - spent[2]) <= spent[1] // 100 and not meter()
    with work_budget(spent[1] // 2) as meter:
        sympy.core.cache.clear_cache()
        sympy.simplify(expr)
    assert meter() and meter.spent == spent[1] // 2 + 1
    with work_budget(5) as outer, work_budget(10**6) as inner:
        sympy.Symbol("a") + sympy.Symbol("b") * 3
    assert outer() and not inner()  # the outer block's budget is the outer block's to catch
