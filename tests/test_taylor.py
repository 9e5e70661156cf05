"""Taylor polynomials (``--what taylor``): exact coefficients against mpmath, the remainder's
order in several variables, refusals where f is not analytic, the derivation's steps, and
symnum reading back what it prints (text, LaTeX, JSON into ``check``)."""

from __future__ import annotations

import json

import mpmath
import pytest
import sympy

import symnum
from symnum.core.errors import SymnumError
from symnum.core.function import Function
from symnum.higher.taylor import taylor
from symnum.higher.taylor_steps import taylor_steps

# (f, its LaTeX for --of, point, order): printed, then read back by check
READ_BACK = [("exp(x)*cos(y)", r"e^{x} \cos(y)", "x=1,y=0", 3),
             ("sqrt(2)*sin(pi*x)", r"\sqrt{2} \sin(\pi x)", "x=1/4", 3)]


@pytest.mark.parametrize("expr, latex, at, order", READ_BACK)
def test_text_latex_and_json_read_back_as_correct(cli, expr, latex, at, order):
    asked = ["--what", "taylor", "--at", at, "--order", str(order)]
    data = cli.json("derive", expr, *asked)
    assert data["what"] == "taylor" and data["shape"] == [] and data["definitions"] == []
    assert data["remainder"].startswith("O(") and data["remainder_order"] == order + 1
    text = cli("derive", expr, *asked).stdout
    line = next(s.strip() for s in text.splitlines() if s.strip().startswith("T") and "=" in s[:12])
    assert "O(" in line and "exp(" not in line  # e, π, √2 as a learner writes them
    latex_out = cli("derive", expr, *asked, "--format", "latex").stdout.strip()
    assert r"\mathcal{O}" in latex_out
    for claim, of, syntax in [(data["result"], expr, "plain"), (line, expr, "plain"),
                              (latex_out, latex, "latex")]:
        proc = cli("check", "--from", syntax, "--of", of, *asked, "--", claim)
        assert proc.returncode == 0 and proc.stdout.startswith("correct"), (claim, proc)


def test_a_wrong_claim_names_the_wrong_degree(cli):
    proc = cli("check", "1 + x + x**2 + x**3/6", "--of", "exp(x)", "--what", "taylor",
               "--at", "x=0", "--order", "3")
    assert proc.returncode == 1
    assert "hint: the degree-2 part is wrong: the claim has x², T₃ has x²/2" in proc.stdout


@pytest.mark.parametrize("expr, at", [("exp(sin(x))", 0), ("cos(x)", "pi/4"),
                                      ("log(1 + x)/(2 + x)", 1), ("sin(x)/x", 0)])
def test_coefficients_agree_with_mpmath_taylor(expr, at):
    order = 8
    t = taylor(Function(expr), f"x={at}", order)
    f = sympy.lambdify(sympy.Symbol("x", real=True), Function(expr).expr, "mpmath")
    with mpmath.workdps(40):
        a = mpmath.mpf(sympy.N(sympy.sympify(at), 50))
        if expr == "sin(x)/x":
            f = lambda x: mpmath.sinc(x)  # noqa: E731  (0/0 at the point itself)
        expected = mpmath.taylor(f, a, order)
        for j, value in enumerate(expected):
            mine = sympy.N(t.coefficients.get((j,), 0), 40)
            assert abs(mine - sympy.Float(str(value), 40)) < 1e-25, (expr, j)


def test_the_remainder_shrinks_like_h_to_the_order_plus_one_in_three_variables():
    """Independent of how T was computed: f − T_k at a + h·d is O(h^(k+1)) (mpmath's f)."""
    expr, at, order = "exp(x*y)*cos(z) + log(2 + x + y*z)", {"x": 0.5, "y": -1, "z": 0}, 3
    t = symnum.derive(expr, what="taylor", at=at, order=order)
    x, y, z = t.variables
    f = sympy.lambdify((x, y, z), t.function.expr, "mpmath")
    p = sympy.lambdify((x, y, z), t.polynomial, "mpmath")
    with mpmath.workdps(50):
        d = (mpmath.mpf("0.3"), mpmath.mpf("-0.7"), mpmath.mpf("0.5"))
        errors = []
        for h in (mpmath.mpf("1e-2"), mpmath.mpf("5e-3")):
            point = [mpmath.mpf(a) + h * di for a, di in zip(at.values(), d, strict=True)]
            errors.append(abs(f(*point) - p(*point)))
        assert abs(mpmath.log(errors[0] / errors[1], 2) - (order + 1)) < 0.1


@pytest.mark.parametrize("expr, at, why", [
    ("log(x)", "x=0", "outside the domain"), ("abs(x)", "x=0", "kink"),
    ("sqrt(x)", "x=0", "not differentiable"), ("1/(x*y)", "x=0,y=1", "pole"),
    ("[x, y]", "x=0,y=0", "each entry"), ("x**2", "y=0", "does not appear")])
def test_points_without_a_taylor_polynomial_are_one_clear_error(cli, expr, at, why):
    proc = cli("derive", expr, "--what", "taylor", "--at", at, "--order", "2")
    assert proc.returncode == 2 and proc.stderr.startswith("error: ") and why in proc.stderr
    assert proc.stderr.count("\n") == 1


def test_order_is_capped_with_a_message():
    with pytest.raises(SymnumError, match="from 1 to 20"):
        symnum.derive("exp(x)", what="taylor", at="x=0", order=21)


def test_order_20_is_fast_and_exact():
    t = symnum.derive("exp(sin(x))", what="taylor", at="x=0", order=20)
    assert t.coefficients[(20,)] == sympy.Rational(27069353, 3283268567040000)


def test_steps_are_true_statements():
    t = taylor(Function("exp(x)*sin(x + y)"), "x=0,y=pi/2", 3)
    steps = taylor_steps(t)
    at = dict(t.point)
    for step in steps.derivatives:
        wrt = [v for v, k in zip(t.variables, step.alpha, strict=True) for _ in range(k)]
        exact = sympy.diff(t.function.expr, *wrt) if wrt else t.function.expr
        assert abs(sympy.N(exact.subs(at) - step.value, 30)) < 1e-25
        if step.formula is not None:
            assert sympy.expand(step.formula - exact) == 0
    polynomial = t.to_json()["text"].split(" = ", 1)[1].rsplit(" + O(", 1)[0]
    assert steps.text().splitlines()[-1].endswith(" = " + polynomial)


def test_api_point_forms_and_no_point():
    a = symnum.derive("exp(x)", what="taylor", at={"x": 0}, order=2)
    b = symnum.derive("exp(x)", what="taylor", at="x=0", order=2)
    c = symnum.derive("exp(x)", what="taylor", order=2)  # no point: about 0, and it says so
    assert a.polynomial == b.polynomial == c.polynomial == 1 + a.variables[0] + \
        a.variables[0] ** 2 / 2
    assert "no --at given" in c.text() and json.loads(json.dumps(a.to_json()))["at"] == \
        {"x": "0"}


def test_verify_passes_a_true_polynomial_and_fails_a_wrong_one(cli):
    proc = cli("verify", "exp(x)*sin(y)", "--what", "taylor", "--at", "x=0,y=pi/3",
               "--order", "3")
    assert proc.returncode == 0 and ": PASS" in proc.stdout.splitlines()[0]
    from dataclasses import replace

    from symnum.verification.taylor import verify_taylor
    t = taylor(Function("exp(x)"), "x=0", 3)
    wrong = replace(t, coefficients={**t.coefficients, (2,): sympy.Rational(1, 3)})
    assert verify_taylor(wrong).verdict == "fail"


def test_kernel_of_the_polynomial_and_the_plot_against_f():
    import numpy as np

    from symnum.service import PlotRequest, plot
    k = symnum.kernel("exp(x)", what="taylor", at="x=0", order=3)
    assert np.allclose(k(np.array([0.5, -1.0])), [1 + 0.5 + 0.125 + 0.125 / 6, 1 - 1 + 0.5 - 1 / 6])
    figure = plot(PlotRequest("1/(1 + x**2)", taylor="2,4,8", at="x=0")).figure
    ax = figure.axes[0]
    assert [line.get_label() for line in ax.get_lines()][:4] == \
        ["f(x) = 1/(x² + 1)", "T₂", "T₄", "T₈"]
    low, high = ax.get_ylim()  # clipped to f's range: the polynomials blow up past |x| = 1
    assert -1 < low < 0 and 1 < high < 2.5
