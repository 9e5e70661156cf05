"""Every public path either answers or raises a SymnumError (never a raw exception), for
scalar, vector and matrix functions; matrix results verify and show steps; Result.at takes
arrays; the one-variable gradient is a list of one; derive --at explains kinks and domains."""

from __future__ import annotations

import json

import mpmath as mp
import numpy as np
import pytest
import sympy

import symnum
from symnum import Function, ShapeError, SymnumError
from symnum.core.domain import point_notes
from symnum.matrix.result import MatrixResult
from symnum.verification.matrix import MatrixReport

FUNCTIONS = {
    "one variable": ("sin(x)*x", None, None),
    "two variables": ("x**2*y + exp(y)", None, None),
    "vector": ("[x*y, x + y]", None, None),
    "quadratic form": ("x.T*A*x", "x", {"A": "n,n", "x": "n"}),
    "linear map": ("A*x", "x", {"A": "m,n", "x": "n"}),
    "matrix variable": ("Trace(W.T*W)", "W", {"W": "m,n"}),
}
POINTS = [{"x": 0.5, "y": 2.0}, {"x": "1/3", "y": "pi"},
          {"x": np.array([0.5, 1.5]), "y": np.array([2.0, 3.0])}, {"x": np.float64(0.5)}, {}]


def _answers_or_refuses(call) -> object:
    try:
        return call()
    except SymnumError as err:
        assert str(err) and "\n" not in str(err)  # one line a person can read
        return err


def _calls(f: Function):
    yield lambda: f.differentiate()
    for what in ("derivative", "gradient", "jacobian", "hessian"):
        yield lambda what=what: symnum.derive(f, what=what)
    yield lambda: f.verify(points=1)
    if not f.is_matrix_calculus:  # see test_api_verify_of_a_matrix_function
        yield lambda: symnum.verify(f, points=1)
    yield lambda: f.steps().text()
    yield lambda: f.steps().latex()
    yield lambda: f.steps().to_json()
    yield lambda: f.graph().text()
    yield lambda: f.critical_points()
    yield lambda: f.kernel()
    if not f.is_matrix_calculus:  # see test_kernel_of_a_matrix_function
        yield lambda: f.kernel("gradient")(1.0, 2.0)
        yield lambda: symnum.kernel(f, what="gradient")


@pytest.mark.parametrize("name", FUNCTIONS)
def test_no_raw_exception_through_the_public_api(name):
    text, wrt, shapes = FUNCTIONS[name]
    f = Function(text, wrt, shapes)
    for call in _calls(f):
        _answers_or_refuses(call)
    result = f.differentiate()
    for method in ("text", "latex", "__str__"):
        assert isinstance(getattr(result, method)(), str)
    assert result._repr_mimebundle_()["text/plain"] == result.text()
    if isinstance(result, symnum.Result):
        for point in POINTS:
            _answers_or_refuses(lambda point=point: result.at(point))
        _answers_or_refuses(lambda: symnum.kernel(result)(1.0, 2.0))


@pytest.mark.parametrize("name", ["quadratic form", "linear map", "matrix variable"])
def test_matrix_functions_verify_by_components_and_show_differential_steps(name):
    text, wrt, shapes = FUNCTIONS[name]
    f = Function(text, wrt, shapes)
    report = f.verify(points=2)
    assert isinstance(report, MatrixReport) and report.passed
    assert len(report.runs) == 2 and "PASS" in report.text()
    assert json.loads(json.dumps(report.to_json(), default=str))["passed"] is True
    steps = f.steps()
    assert steps.to_json()[0]["rule"] in ("read_off", "read_off_jacobian")  # gradient, Jacobian
    assert steps.text().startswith(f"[1] ∂/∂{wrt}")  # ∂/∂x [f] or ∂/∂xᵀ [F]


def test_matrix_verification_rejects_a_wrong_matrix_result():
    f = Function("x.T*A*x", "x", {"A": "n,n", "x": "n"})
    right = f.differentiate()
    a, x = (next(m for m in f.expr.atoms(sympy.MatrixSymbol) if m.name == n) for n in "Ax")
    wrong = MatrixResult(right.kind, f, right.variable, 2 * a * x)  # true only for A = Aᵀ
    assert not symnum.verification.matrix.verify_matrix_result(wrong, points=2).passed
    with pytest.raises(SymnumError, match="random matrices"):
        f.verify(at={"x": 1})


def test_api_verify_of_a_matrix_function():
    f = Function("x.T*A*x", "x", {"A": "n,n", "x": "n"})
    assert symnum.verify(f, points=1).passed
    assert symnum.verify(f.differentiate(), points=1).passed


def test_kernel_of_a_matrix_function():
    f = Function("x.T*A*x", "x", {"A": "n,n", "x": "n"})
    with pytest.raises(SymnumError):
        symnum.kernel(f, what="gradient")


def test_graph_of_a_matrix_function_is_refused_not_misdrawn():
    f = Function("x.T*A*x", "x", {"A": "n,n", "x": "n"})
    with pytest.raises(ShapeError, match="steps"):
        f.graph()


def test_result_at_with_arrays_is_elementwise_in_layout():
    r = symnum.derive("x**2*y + sin(x)", what="gradient")
    xs, ys = np.linspace(-2, 2, 7), np.linspace(1, 3, 7)
    values = r.at({"x": xs, "y": ys})
    assert values.shape == (7, 2)
    np.testing.assert_allclose(values[:, 0], 2 * xs * ys + np.cos(xs), rtol=1e-14)
    np.testing.assert_allclose(values[:, 1], xs**2, rtol=1e-14)
    h = symnum.derive("x**2*y", what="hessian").at({"x": [1.0, 2.0], "y": 3})
    np.testing.assert_allclose(h, [[[6, 2], [2, 0]], [[6, 4], [4, 0]]])
    d = symnum.derive("exp(x)").at({"x": np.zeros((2, 3))})
    assert d.shape == (2, 3) and np.all(d == 1)
    assert symnum.derive("exp(x)").at({"x": np.array(0.0)}) == 1.0  # 0-d: a number


def test_result_at_never_runs_text_as_code():
    r = symnum.derive("x**2", wrt="x")
    assert r.at({"x": "pi/4"}) == pytest.approx(float(mp.pi / 2))
    for bad in ("__import__('os').getpid()", "x.__class__"):
        with pytest.raises(SymnumError):
            r.at({"x": bad})
    with pytest.raises(SymnumError, match="kernel"):
        r.at({"x": np.array(["a", "b"])})
    with pytest.raises(SymnumError, match="mapping"):
        r.at([1.0])


def test_one_variable_gradient_is_a_list_of_one(cli):
    g = symnum.derive("x**2", wrt="x", what="gradient")
    assert g.shape == (1,) and g.nested() == [2 * sympy.Symbol("x", real=True)]
    assert g.at({"x": 3}) == [6.0]
    d = symnum.derive("x**2", wrt="x")
    assert d.shape == () and d.kind == "derivative"
    assert symnum.derive("x**2", wrt="x", what="derivative").shape == ()
    out = symnum.kernel("x**2", what="gradient")(np.arange(4.0))
    assert out.shape == (4, 1) and out[:, 0].tolist() == [0.0, 2.0, 4.0, 6.0]
    data = cli.json("derive", "x**2", "--what", "gradient", "--at", "x=3")
    assert data["shape"] == [1] and data["result"] == ["2*x"] and data["value"] == [6.0]


KINK_NOTES = [  # (f, point, words the note must contain, the value shown)
    ("abs(x)", "x=0", ["kink", "sign(0) = 0"], 0.0),
    ("relu(x)", "x=0", ["kink", "Heaviside(0) = 1/2"], 0.5),
    ("floor(x)", "x=1", ["jump", "between the jumps"], 0.0),
    ("Heaviside(x)", "x=0", ["jump", "Dirac delta"], None),
    ("sign(x)", "x=0", ["jump", "Dirac delta"], None),
    ("log(x)", "x=-1", ["outside the domain of log(x)"], -1.0),
    ("asin(x)", "x=2", ["outside the domain of asin(x)"], None),
    ("sqrt(1 - x)", "x=2", ["outside the domain"], None),
]


@pytest.mark.parametrize("text, at, words, value", KINK_NOTES)
def test_derive_at_a_kink_or_outside_the_domain_says_so(cli, text, at, words, value):
    data = cli.json("derive", text, "--at", at)
    assert len(data["notes"]) == 1 and all(w in data["notes"][0] for w in words)
    if value is not None:
        assert data["value"] == value
    proc = cli("derive", text, "--at", at)
    assert proc.returncode == 0 and "note: " in proc.stdout


def test_no_note_where_f_is_smooth_and_real(cli):
    assert cli.json("derive", "abs(x) + log(y)", "--at", "x=1,y=2")["notes"] == []
    assert point_notes(symnum.derive("Max(x, y)"), {"x": 1, "y": 2}) == []
    notes = point_notes(symnum.derive("Max(x, y)"), {"x": 2, "y": 2})
    assert len(notes) == 1 and "kink of Max(x, y)" in notes[0]
    assert "notes" not in cli.json("derive", "abs(x)")  # only with --at


def test_notes_agree_with_one_sided_slopes():
    """Where a note says 'kink', the one-sided slopes (mpmath) really differ; where it is
    silent they agree."""
    x = sympy.Symbol("x", real=True)
    for text, at in [("abs(x - 1)", 1), ("Max(x, 2 - x)", 1), ("abs(x - 1)", 2)]:
        f = sympy.lambdify(x, symnum.Function(text).expr, "mpmath")
        with mp.workdps(30):
            left = mp.diff(f, mp.mpf(at), direction=-1)
            right = mp.diff(f, mp.mpf(at), direction=1)
        noted = bool(point_notes(symnum.derive(text), {"x": at}))
        assert noted == (abs(left - right) > 1e-10)


def test_matrix_result_at_given_matrices_matches_finite_differences():
    rng = np.random.default_rng(3)
    a, x = rng.normal(size=(3, 3)), rng.normal(size=3)
    r = symnum.derive("x.T*A*x", wrt="x", shapes={"x": "n", "A": "n,n"})
    step = 1e-6
    numeric = [((x + step * e) @ a @ (x + step * e) - (x - step * e) @ a @ (x - step * e))
               / (2 * step) for e in np.eye(3)]
    np.testing.assert_allclose(r.at({"x": x, "A": a}), numeric, rtol=1e-7)
    w = rng.normal(size=(2, 4))
    g = symnum.derive("Trace(W.T*W)", wrt="W", shapes={"W": "m,n"}).at({"W": w})
    assert g.shape == (2, 4)
    np.testing.assert_allclose(g, 2 * w, rtol=1e-14)
    with pytest.raises(SymnumError, match="do not fit"):
        r.at({"x": x, "A": np.eye(2)})
