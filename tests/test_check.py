"""``symnum check`` cannot be fooled: every hand-labelled claim of tests/check_cases.py gets its
verdict (no false acceptance, no false rejection) and the hint its label names; the witness
values, counterexample matrices and differences are checked against independent arithmetic."""

from __future__ import annotations

import inspect
import json
from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy

from symnum.check import claim as claim_module
from symnum.check import compare, diagnose
from symnum.check import matrix as check_matrix
from symnum.check import points as check_points
from symnum.check.claim import check_claim
from tests.check_cases import CASES, RIGHT, WRONG, Case


def test_the_case_list_is_large_and_balanced():
    assert len(CASES) >= 100 and len(RIGHT) >= 50 and len(WRONG) >= 50
    assert sum(bool(c.hint) for c in WRONG) >= 30  # every classic mistake, named
    assert sum(bool(c.shapes) for c in CASES) >= 10  # matrix claims


@pytest.mark.parametrize("case", CASES, ids=str)
def test_verdict_and_hint(case: Case):
    out = check_claim(case.claim, case.of, case.wrt, case.what, case.order,
                      shapes=case.shapes or None)
    assert out.correct is case.right, (out.point, out.diagnosis)
    if case.right:
        assert out.diagnosis is None
        assert out.evidence.method in ("proof", "numeric")
    else:
        assert out.evidence.method in ("proof", "witness")
        if case.hint:
            assert case.hint in (out.diagnosis or ""), out.diagnosis


def test_the_issue_examples_through_the_cli(cli):
    proc = cli("check", "Heaviside(x)", "--of", "min(max(0,x),6)")
    assert proc.returncode == 1 and proc.stdout.startswith("incorrect:"), proc.stdout
    data = json.loads(cli("check", "Heaviside(x)", "--of", "min(max(0,x),6)",
                          "--format", "json").stdout)
    x = data["point"]["x"]
    assert x > 6  # the only place where it is wrong; values from the definition of min/max:
    assert data["claimed_value"] == 1.0 and data["expected_value"] == 0.0
    assert "x > 6" in data["diagnosis"]
    assert {"variable": "x", "at": "6"} in data["evidence"]["breakpoints"]

    proc = cli("check", "0", "--of", "1e-12*x^2")
    assert proc.returncode == 1, proc.stdout
    data = json.loads(cli("check", "0", "--of", "1e-12*x^2", "--format", "json").stdout)
    assert data["expected_value"] == pytest.approx(2e-12 * data["point"]["x"], rel=1e-15)

    proc = cli("check", "2*x + 1e-9", "--of", "x^2")
    assert proc.returncode == 1
    assert "the constant 1/1000000000" in proc.stdout
    data = json.loads(cli("check", "2*x + 1e-9", "--of", "x^2", "--format", "json").stdout)
    assert data["how"] == "symbolic" and data["difference"] == "1/1000000000"


def test_json_keeps_its_keys_and_adds_the_new_ones(cli):
    data = json.loads(cli("check", "3*x", "--of", "x^3", "--format", "json").stdout)
    old = {"correct", "how", "what", "expected", "points_checked", "point", "entry",
           "claimed_value", "expected_value"}
    assert old | {"diagnosis", "difference", "evidence"} <= set(data)
    x = data["point"]["x"]
    assert data["claimed_value"] == pytest.approx(3 * x, rel=1e-15)
    assert data["expected_value"] == pytest.approx(3 * x**2, rel=1e-15)
    assert sympy.simplify(sympy.sympify(data["difference"]) - (3 * sympy.Symbol("x")
                                                               - 3 * sympy.Symbol("x")**2)) == 0


def test_numeric_evidence_says_where_it_looked(cli):
    proc = cli("check", "x/abs(x)", "--of", "abs(x)")
    assert proc.returncode == 0
    assert "numeric evidence" in proc.stdout and "both sides of x = 0" in proc.stdout
    out = check_claim("x/abs(x)", "abs(x)")
    assert out.evidence.largest >= 100  # points far from the origin too
    assert out.evidence.points >= compare.MIN_POINTS
    proof = check_claim("3*x^2", "x^3")
    assert proof.how == "symbolic" and proof.evidence.method == "proof"


def test_the_witness_is_right_by_independent_arithmetic():
    for claim, of, true in [("cos(3*x)", "sin(3*x)", lambda x: 3 * mpmath.cos(3 * x)),
                            ("x^2*cos(x)", "x^2*sin(x)",
                             lambda x: 2 * x * mpmath.sin(x) + x**2 * mpmath.cos(x))]:
        out = check_claim(claim, of)
        x = mpmath.mpf(Fraction(str(out.point["x"])).numerator) / Fraction(
            str(out.point["x"])).denominator
        assert out.expected_value == pytest.approx(float(true(x)), rel=1e-14)
        assert abs(out.claimed_value - out.expected_value) > 1e-6 * abs(out.expected_value)


def test_wrong_only_in_a_tiny_interval_beside_a_kink():
    out = check_claim("Heaviside(x - 1e-9)", "relu(x)")
    assert not out.correct and 0 < out.point["x"] < 1e-9


def test_claims_from_sympy_with_piecewise_and_floats():
    x = sympy.Symbol("x", real=True)
    step = sympy.Piecewise((0, x < 0), (1, x < 6), (0, True))
    assert check_claim(step, "min(max(0, x), 6)").correct
    wrong = sympy.Piecewise((0, x < 0), (1, x < 7), (0, True))
    out = check_claim(wrong, "min(max(0, x), 6)")
    assert not out.correct and 6 < out.point["x"] < 7
    assert check_claim(sympy.Float(0.2) * x, "0.1*x^2").correct


def test_matrix_counterexample_by_numpy(cli):
    out = check_claim("2*A*x", "x.T*A*x", wrt="x", shapes={"A": "n,n", "x": "n"})
    c = out.counterexample
    a, x = np.array(c["inputs"]["A"], dtype=float), np.array(c["inputs"]["x"], dtype=float)
    assert not np.allclose(a, a.T)
    assert np.allclose(c["claimed"], 2 * a @ x) and np.allclose(c["expected"], (a + a.T) @ x)
    assert not np.allclose(c["claimed"], c["expected"])
    assert a.shape == (2, 2) and np.all(a == np.round(a))  # small integer matrices
    proc = cli("check", "2*A*x", "--of", "x.T*A*x", "--wrt", "x", "--shape", "A=n,n",
               "--shape", "x=n")
    assert proc.returncode == 1 and "symmetric A" in proc.stdout and "A = [[" in proc.stdout
    proc = cli("check", "A + A.T", "--of", "x.T*A*x", "--wrt", "x", "--shape", "A=n,n",
               "--shape", "x=n", "--what", "hessian")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_matrix_claims_of_the_wrong_shape():
    from symnum.core.errors import ShapeError
    with pytest.raises(ShapeError, match="n×n"):
        check_claim("A", "x.T*A*x", wrt="x", shapes={"A": "n,n", "x": "n"})


def test_same_input_same_output(cli):
    args = ("check", "2*relu(x)", "--of", "relu(x)^2 + relu(-x)^2", "--format", "json")
    assert cli(*args).stdout == cli(*args).stdout


def test_no_decision_depends_on_the_clock():
    for module in (claim_module, compare, check_points, check_matrix, diagnose):
        source = inspect.getsource(module)
        assert "time_budget" not in source and "monotonic" not in source
        assert "perf_counter" not in source


def test_differs_sees_relative_differences_and_ignores_rounding():
    x = sympy.Symbol("x", real=True)
    at = {x: sympy.Rational(1, 3)}
    assert check_points.differs(sympy.exp(x) * 10**-40, at)  # tiny but real
    assert not check_points.differs(sympy.sin(x)**2 + sympy.cos(x)**2 - 1, at)
    assert not check_points.differs(sympy.log(1 + sympy.exp(x)) - sympy.log(
        sympy.exp(-x) + 1) - x, at)
    assert check_points.differs(1 / (x - sympy.Rational(1, 3)), at)  # undefined claim


def test_breakpoints_are_found_exactly_or_numerically():
    x, y = sympy.symbols("x y", real=True)
    roots = check_points.roots_along(x**2 - 2, x, {})
    assert [float(r) for r in sorted(roots)] == pytest.approx([-2**0.5, 2**0.5], rel=1e-12)
    assert check_points.roots_along(sympy.sin(x) - sympy.Rational(1, 2), x, {})
    assert check_points.roots_along(sympy.Max(0, x) - 6, x, {}) == [6]
    assert check_points.roots_along(x * y - 3, x, {y: 2}) == [sympy.Rational(3, 2)]


def test_undefined_functions_are_decided_symbolically(cli):
    x = sympy.Symbol("x", real=True)
    f = sympy.Function("f")
    assert check_claim(2 * f(x) * f(x).diff(x), f(x)**2, wrt="x").correct
    assert check_claim(sympy.cos(f(x)) * f(x).diff(x), sympy.sin(f(x)), wrt="x").correct
    out = check_claim(2 * sympy.cos(f(x)) * f(x).diff(x), sympy.sin(f(x)), wrt="x")
    assert not out.correct and out.how == "symbolic" and "independent unknowns" in out.evidence.note
    proc = cli("check", "2*f(x)", "--of", "f(x)^2", "--wrt", "x")
    assert proc.returncode == 1 and "independent unknowns" in proc.stdout


def test_a_wrong_sigma_claim_reads_in_sigma():
    """The difference and the derivative print in textbook form, and the printed difference
    reads back to the true difference (hand-derived: σ(1 + σ) − σ(1 − σ) = 2σ²)."""
    from symnum.check.text import check_text
    from symnum.core.parse import parse
    text = check_text(check_claim("sigmoid(x)*(1 + sigmoid(x))", "sigmoid(x)", wrt="x"),
                      "sigmoid(x)").splitlines()
    assert text[2] == "the derivative of sigmoid(x) is: σ(x)·(1 − σ(x))"
    shown = text[1].removeprefix("the difference (claim − derivative) is ").removesuffix(
        ", exactly")
    assert "exp" not in shown, text
    expr = parse(shown)
    for x in ("-2.5", "0.3", "4.0"):
        with mpmath.workdps(40):
            s = 1 / (1 + mpmath.exp(-mpmath.mpf(x)))  # σ(x)
            value = expr.subs(next(iter(expr.free_symbols)), sympy.Rational(x)).evalf(35)
            assert abs(mpmath.mpf(str(value)) - 2 * s**2) < mpmath.mpf("1e-25")
