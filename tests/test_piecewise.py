"""Piecewise functions end to end: input (plain and LaTeX cases), checks of the pieces,
derivatives per piece with the kinks named, kernels (numpy, torch autograd) against mpmath
on both sides and far away, verify and check verdicts, steps, graph and critical points.

Oracles are independent of symnum: each function is also written by hand with mpmath and
differentiated by mpmath's finite differences at 40 digits."""

from __future__ import annotations

import json
import warnings

import mpmath as mp
import numpy as np
import pytest
import sympy

import symnum
from symnum.cli.app import main
from symnum.core.errors import ParseError

from .stepcheck import node_is_true

mp.mp.dps = 40
A, D = 0.7, 1.5  # the ELU scale and the Huber δ used at evaluation

# name → (plain text, wrt, parameters given at evaluation, the same function by hand (mpmath),
#         points left and right of each boundary and far away)
CASES = {
    "elu": ("Piecewise((x, x > 0), (a*(exp(x) - 1), True))", {"a": A},
            lambda x: x if x > 0 else A * (mp.exp(x) - 1), [-1000, -3, -1e-3, 1e-3, 2, 1000]),
    "huber": ("Piecewise((x**2/2, abs(x) <= d), (d*(abs(x) - d/2), True))", {"d": D},
              lambda x: x**2 / 2 if abs(x) <= D else D * (abs(x) - D / 2),
              [-1000, -1.6, -1.4, 0.3, 1.4, 1.6, 1000]),
    "smooth_l1": ("Piecewise((x**2/2, abs(x) < 1), (abs(x) - 1/2, otherwise))", {},
                  lambda x: x**2 / 2 if abs(x) < 1 else abs(x) - mp.mpf(1) / 2,
                  [-1000, -1.01, -0.99, 0.5, 0.99, 1.01, 1000]),
    "leaky_relu": ("Piecewise((x, x >= 0), (x/100, True))", {},
                   lambda x: x if x >= 0 else x / 100, [-1000, -0.5, 0.5, 1000]),
    "clip": ("Piecewise((-1, x < -1), (x, -1 <= x <= 1), (1, True))", {},
             lambda x: -1 if x < -1 else (x if x <= 1 else 1),
             [-1000, -1.01, -0.99, 0.99, 1.01, 1000]),
    "hinge": ("Piecewise((1 - x, x < 1), (0, True))", {},
              lambda x: 1 - x if x < 1 else 0, [-1000, 0.99, 1.01, 1000]),
    "hinge_squared": ("Piecewise(((1 - x)**2, x < 1), (0, True))", {},
                      lambda x: (1 - x)**2 if x < 1 else 0, [-1000, 0.99, 1.01, 1000]),
    "softplus_linear": ("Piecewise((log(1 + exp(x)), x < 20), (x, True))", {},
                        lambda x: mp.log(1 + mp.exp(x)) if x < 20 else x,
                        [-1000, -3, 19.9, 20.1, 1000]),
}


def _exact(text, params):
    """f and f' from symnum as mpmath-evaluable callables (parameters substituted)."""
    f = symnum.Function(text, wrt="x")
    result = f.differentiate()
    subs = {sympy.Symbol(k, real=True): sympy.Float(v, 40) for k, v in params.items()}
    df = result.matrix[0].xreplace(subs)
    return result, lambda x: sympy.N(df.xreplace({f.variables[0]: sympy.Float(x, 40)}), 30)


@pytest.mark.parametrize("name", list(CASES))
def test_derivative_per_piece_matches_mpmath_on_both_sides_and_far_away(name):
    text, params, by_hand, points = CASES[name]
    result, df = _exact(text, params)
    for x in points:
        expected = mp.diff(by_hand, mp.mpf(x))
        assert abs(float(df(x)) - float(expected)) <= 1e-12 * max(1, abs(float(expected))), \
            (name, x)


@pytest.mark.parametrize("name", list(CASES))
def test_kernels_match_mpmath_without_warnings_and_torch_gradients_are_finite(name):
    import torch
    text, params, by_hand, points = CASES[name]
    names = ["x", *params]
    x = np.array(points, dtype=float)
    args = [x, *(np.full_like(x, v) for v in params.values())]
    want_f = np.array([float(by_hand(mp.mpf(p))) for p in points])
    want_d = np.array([float(mp.diff(by_hand, mp.mpf(p))) for p in points])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value = symnum.kernel(text, names, what="value")(*args)
        grad = symnum.kernel(text, names, what="gradient")(*args)[..., 0]
        tx = torch.tensor(points, dtype=torch.float64, requires_grad=True)
        targs = [tx, *(torch.full_like(tx, v) for v in params.values())]
        out = symnum.kernel(text, names, what="value", backend="torch")(*targs)
        out.sum().backward()
    np.testing.assert_allclose(value, want_f, rtol=1e-13, atol=1e-300)
    np.testing.assert_allclose(grad, want_d, rtol=1e-12, atol=1e-300)
    assert torch.isfinite(tx.grad).all(), (name, tx.grad)
    np.testing.assert_allclose(tx.grad.numpy(), want_d, rtol=1e-12, atol=1e-300)


def test_boundaries_are_named_kink_jump_or_smooth_with_one_sided_derivatives():
    elu = symnum.derive(CASES["elu"][0], "x")
    assert elu.text().count("kink at x = 0: ∂f/∂x is a on the left, 1 on the right") == 1
    huber = symnum.derive(CASES["huber"][0], "x").text()
    assert "smooth join at x = d (taking d > 0): f is continuous and ∂f/∂x = d" in huber
    assert "smooth join at x = -d (taking d > 0)" in huber
    clip = symnum.derive(CASES["clip"][0], "x").text()
    assert "kink at x = -1: ∂f/∂x is 0 on the left, 1 on the right" in clip
    assert "kink at x = 1: ∂f/∂x is 1 on the left, 0 on the right" in clip
    step = symnum.derive("Piecewise((x**2, x < 1), (3*x, True))", "x").text()
    assert "jump at x = 1: f goes from 1 on the left to 3 on the right; ∂f/∂x is 2 on the " \
           "left, 3 on the right" in step
    two = symnum.derive("Piecewise((x*y, (x > 0) & (y > 0)), (0, True))", "x y").text()
    assert "the pieces meet where x = 0" in two and "the pieces meet where y = 0" in two


def test_one_sided_derivatives_at_a_point_agree_with_mpmath():
    from symnum.core.domain import point_notes
    for name, x in (("elu", 0), ("clip", 1), ("smooth_l1", -1), ("hinge_squared", 1)):
        text, params, by_hand, _ = CASES[name]
        left = float(mp.diff(by_hand, x, direction=-1))
        right = float(mp.diff(by_hand, x, direction=1))
        notes = point_notes(symnum.derive(text, ["x", *params]), {"x": x, **params})
        assert len(notes) == 1, notes
        if abs(left - right) > 1e-12:
            assert f"∂f/∂x is {left:.12g} from the left, {right:.12g} from the right" in notes[0]
        else:
            assert "join smoothly" in notes[0]


def test_nested_piecewise_inside_functions_and_two_variables():
    text = "log(1 + Piecewise((x, x > 0), (exp(x) - 1, True))**2)"

    def by_hand(x):
        p = x if x > 0 else mp.exp(x) - 1
        return mp.log(1 + p**2)

    result, df = _exact(text, {})
    for x in (-700, -2, -0.1, 0.1, 3, 700):
        assert abs(float(df(x)) - float(mp.diff(by_hand, mp.mpf(x)))) < 1e-13
    two = symnum.derive("Piecewise((x*y**2, x > y), (x + y, True))", "x y", "gradient")

    def g(a, b):
        return a * b**2 if a > b else a + b

    for x, y in ((2.0, 1.0), (-1.0, 3.0), (0.5, -2.0)):
        grad = [float(v) for v in two.at({"x": x, "y": y})]
        assert grad == pytest.approx([float(mp.diff(lambda t, y=y: g(t, y), x)),
                                      float(mp.diff(lambda t, x=x: g(x, t), y))], rel=1e-12)
    assert symnum.verify(two, points=4).passed
    both = "Piecewise((x*y**2, (x > 0) & (y > 0)), (x + y, True))"
    # on a boundary where f jumps (x + y = 1 on the left, x·y² = 0 on the right): no gradient
    on_jump = symnum.verify(both, "x y", "gradient", at={"x": 0, "y": 1})
    assert on_jump.verdict == "inconclusive" and "f jumps from 1 to 0 along x" in on_jump.undefined
    assert symnum.verify(both, "x y", "gradient", at={"x": 0, "y": 0}).passed  # continuous there
    wrong = symnum.check_claim("[Piecewise((y**2, (x > 0) & (y > 0)), (1, True)), "
                               "Piecewise((x*y, (x > 0) & (y > 0)), (1, True))]", both, "x y",
                               "gradient")
    assert not wrong.correct and wrong.point["x"] > 0 and wrong.point["y"] > 0


LATEX = [
    (r"\begin{cases} x & x > 0 \\ a(e^x - 1) & \text{otherwise} \end{cases}",
     CASES["elu"][0]),
    (r"\begin{cases} \frac{1}{2}x^2 & \text{if } |x| \le \delta \\ "
     r"\delta\left(|x| - \frac{1}{2}\delta\right) & \text{otherwise} \end{cases}",
     "Piecewise((x**2/2, abs(x) <= delta), (delta*(abs(x) - delta/2), True))"),
    (r"\begin{cases} -1 & x < -1 \\ x & -1 \leq x \leq 1 \\ 1 & x > 1 \end{cases}",
     CASES["clip"][0]),
    (r"\begin{cases} xy & x > 0, y > 0 \\ 0 & \text{else} \end{cases}",
     "Piecewise((x*y, (x > 0) & (y > 0)), (0, True))"),
    (r"\log\left(1 + \begin{cases} x^2 & x \geq 0 \\ 0 & \text{otherwise}\end{cases}\right)",
     "log(1 + Piecewise((x**2, x >= 0), (0, True)))"),
    (r"\mathbb{1}_{x > 0}\, x + \mathbb{1}[x \le 0]\, \alpha x",
     "Piecewise((x, x > 0), (alpha*x, True))"),
]


@pytest.mark.parametrize("latex, plain", LATEX, ids=range(len(LATEX)))
def test_latex_cases_give_the_derivative_of_the_plain_form(latex, plain):
    a = symnum.Function(latex, syntax="latex")
    b = symnum.Function(plain)
    assert set(a.variables) == set(b.variables)
    for v in b.variables:
        da, db = sympy.diff(a.expr, v), sympy.diff(b.expr, v)
        for point in ((-2.3, 0.7, 1.1), (0.4, -1.9, 0.6), (1.7, 2.2, 2.9)):
            at = dict(zip(sorted(b.expr.free_symbols, key=str), point, strict=False))
            assert float(da.subs(at)) == pytest.approx(float(db.subs(at)), rel=1e-14, abs=1e-14)


BAD = [
    ("Piecewise((x, x), (0, True))", "is not a comparison"),
    ("Piecewise((x, x > 0))", "does not say what f is where x <= 0"),
    ("Piecewise((x, x > 0), (0, x < 0))", "does not say what f is at x = 0"),
    ("Piecewise((x, x > 0), (y, x > 1), (0, True))", "piece 2 of Piecewise (y where x > 1) "
                                                      "is never used"),
    ("Piecewise((x, True), (y, x > 1))", "is never used"),
    ("Piecewise((x, I*x > 0), (0, True))", "not a real scalar"),
    ("Piecewise((x, x == 0), (0, True))", "use <, >, <= or >="),
    ("Piecewise((x, x > 0 & y > 0), (0, True))", "bind tighter than comparisons"),
    ("Piecewise(x, x > 0)", "must be a pair"),
    ("Piecewise((I*x, x > 0), (0, True))", "must be real"),
    ("Piecewise((x, x > 0), (0, True)) > 1", "comparisons are not allowed"),
    ("Piecewise((x, __import__('os') > 0), (0, True))", "not allowed"),
    ("x > 0", "comparisons are not allowed"),
]


@pytest.mark.parametrize("text, message", BAD, ids=range(len(BAD)))
def test_bad_piecewise_is_refused_with_a_clear_message(text, message):
    with pytest.raises(ParseError, match=None) as err:
        symnum.parse(text)
    assert message in str(err.value)


@pytest.mark.parametrize("latex, message", [
    (r"\begin{cases} x & x \\ 0 & \text{otherwise}\end{cases}", "is not a comparison"),
    (r"\begin{cases} x & x > 0 \\ 0 & \text{sometimes}\end{cases}", "condition word"),
    (r"\begin{cases} x \\ 0 \end{cases}", "value & condition"),
    (r"\begin{cases} x & x > 0 \end{cases}", "does not say what f is"),
    (r"\begin{aligned} x \end{aligned}", "not allowed"),
])
def test_bad_latex_cases_are_refused(latex, message):
    with pytest.raises(ParseError) as err:
        symnum.parse_latex(latex)
    assert message in str(err.value)


def test_verify_passes_and_treats_the_boundary_as_a_kink():
    assert symnum.verify(CASES["elu"][0], "x", points=5).passed
    at_kink = symnum.verify(CASES["elu"][0], "x", at={"x": 0, "a": 2})
    assert at_kink.passed
    far = symnum.verify(CASES["elu"][0], "x", at={"x": 1000, "a": 2})
    huber = symnum.verify(CASES["huber"][0], ["x", "d"], at={"x": 2, "d": 2})
    assert huber.passed and "smooth at x = 2, d = 2 along x: left and right derivatives " \
        "agree (2)" in huber.text()
    torch_check = next(c for c in far.checks if c.method == "torch")
    assert far.passed and torch_check.verdict == "pass"  # no NaN from the unused piece


@pytest.mark.parametrize("claim, correct, side", [
    ("Piecewise((1, x > 0), (a*exp(x), True))", True, None),
    ("Heaviside(x) + a*exp(x)*Heaviside(-x)", True, None),
    ("Piecewise((0, x > 0), (a*exp(x), True))", False, 1),     # wrong on the right
    ("Piecewise((1, x > 0), (exp(x), True))", False, -1),      # wrong on the left (a ≠ 1)
    ("Heaviside(x) + exp(x)*Heaviside(-x)", False, -1),
])
def test_check_judges_piecewise_and_heaviside_claims(claim, correct, side):
    answer = symnum.check_claim(claim, CASES["elu"][0], "x")
    assert answer.correct is correct
    if not correct:
        x = float(answer.point["x"])
        assert x * side > 0, answer.point


def test_steps_are_true_and_name_the_kink():
    tree = symnum.Function(CASES["elu"][0], wrt="x").steps().trees[0]
    assert "piecewise" in tree.rules()
    for node in tree.walk():
        assert node_is_true(node.expr, node.wrt, node.result)
    text = symnum.Function(CASES["elu"][0], wrt="x").steps().text()
    assert "kink at x = 0: the slope is a on the left, 1 on the right" in text


def test_cli_json_parses_back_and_graph_and_critical_points(capsys):
    assert main(["derive", CASES["huber"][0], "--wrt", "x", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    back = symnum.parse(data["result"])
    assert sympy.simplify(back - symnum.derive(CASES["huber"][0], "x").matrix[0]) == 0
    assert any("smooth join" in b for b in data["boundaries"])
    assert main(["derive", CASES["elu"][0], "--wrt", "x", "--steps", "graph",
                 "--at", "x=-1, a=2"]) == 0
    out = capsys.readouterr().out
    assert f"∂f/∂x = x̄ = {float(2 * mp.exp(-1)):.6g}" in out
    assert main(["derive", CASES["elu"][0], "--wrt", "x", "--at", "x=0, a=2"]) == 0
    assert "kink of Piecewise" in capsys.readouterr().out  # the one-sided values: see below
    assert main(["derive", CASES["elu"][0], "--wrt", "x", "--at", "x=0, a=1"]) == 0
    assert "join smoothly" in capsys.readouterr().out  # ELU with a = 1 is C¹
    assert main(["derive", "Piecewise((x, x < 1), (x + 1, True))", "--at", "x=1"]) == 0
    assert "jumps from 1 to 2" in capsys.readouterr().out
    points = symnum.Function("Piecewise((x**2 - 2*x, x > 0), (-3*x, True))").critical_points()
    assert [(str(p.point), p.kind) for p in points] == [("{x: 1}", "minimum")]
    kink = symnum.Function("Piecewise((2*x, x > 0), (-x, True))").critical_points()
    assert [(str(p.point), p.kind) for p in kink] == [("{x: 0}", "minimum")]


def test_plot_draws_a_piecewise_function(tmp_path):
    out = tmp_path / "huber.png"
    assert main(["plot", "Piecewise((x**2/2, abs(x) < 1), (abs(x) - 1/2, True))",
                 "--out", str(out)]) == 0
    assert out.stat().st_size > 10_000


def test_critical_point_inside_a_piece_with_a_transcendental_equation():
    points = symnum.Function("Piecewise((x, x > 0), (exp(x) - 1, True)) + x**2"
                             ).critical_points()
    root = mp.findroot(lambda t: mp.exp(t) + 2 * t, -0.3)  # f' on the left piece
    assert [p.kind for p in points] == ["minimum"]
    assert abs(mp.mpf(str(sympy.N(points[0].point[sympy.Symbol("x", real=True)], 35))) - root) \
        < 1e-25


def test_exported_torch_module_has_finite_gradients_far_from_the_boundary():
    import torch

    from symnum.export import export_source
    namespace: dict = {}
    exec(compile(export_source(CASES["elu"][0].replace("a*", "0.7*"), "x", what="value",
                               to="torch"), "elu_torch", "exec"), namespace)
    x = torch.tensor([-1000.0, -1.0, 0.5, 1000.0], dtype=torch.float64, requires_grad=True)
    namespace["f"](x).sum().backward()
    want = [float(mp.diff(CASES["elu"][2], mp.mpf(v))) for v in (-1000, -1, 0.5, 1000)]
    np.testing.assert_allclose(x.grad.numpy(), want, rtol=1e-13, atol=1e-300)


def test_second_derivative_has_no_dirac_delta_where_the_piece_is_smooth():
    text, params, by_hand, _ = CASES["smooth_l1"]
    second = symnum.derive(text, "x", order=2).matrix[0]
    assert not second.has(sympy.DiracDelta), second
    x = sympy.Symbol("x", real=True)
    for v in (-3, -0.5, 0.5, 3):
        assert float(second.subs(x, v)) == pytest.approx(float(mp.diff(by_hand, v, 2)), abs=1e-12)


def test_plot_does_not_draw_a_jump_as_a_vertical_line():
    from symnum.analysis.plot import plot
    fig = plot("Piecewise((x, x < 1), (x + 1, True))")
    _, y = fig.axes[0].get_lines()[0].get_data()  # f: rises by 1 at x = 1
    steps = np.abs(np.diff(np.asarray(y, dtype=float)))
    assert np.isnan(y).sum() == 1 and np.nanmax(steps) < 0.1
