"""Property tests: for random expression trees, the exact derivative agrees with numerics."""

from __future__ import annotations

import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import symnum

from .oracle import close, partial

UNARY = ["sin({})", "cos({})", "tanh({})", "atan({})", "sigmoid({})", "log(1 + ({})^2)",
         "sqrt(1 + ({})^2)", "exp(tanh({}))", "({})^2", "({})^3"]
BINARY = ["({}) + ({})", "({}) - ({})", "({})*({})", "({})/(2 + ({})^2)"]
leaves = st.sampled_from(["x", "y", "z", "2", "3", "1/2", "x*y"])

trees = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.builds(lambda f, a: f.format(a), st.sampled_from(UNARY), inner),
        st.builds(lambda f, a, b: f.format(a, b), st.sampled_from(BINARY), inner, inner),
    ),
    max_leaves=6,
)
SETTINGS = settings(max_examples=15, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(trees)
def test_gradient_matches_an_independent_mpmath_oracle(text):
    f = symnum.Function(text, wrt="x,y,z")
    grad = symnum.derive(f, what="gradient")
    point = (0.3, -0.6, 0.8)
    values = grad.at(dict(zip(("x", "y", "z"), point, strict=True)))
    for i in range(3):
        orders = [int(k == i) for k in range(3)]
        assert close(values[i], partial(f.expr, f.variables, point, orders), 1e-9), (text, i)


@SETTINGS
@given(trees)
def test_verify_passes_on_random_trees(text):
    free = sorted(s.name for s in symnum.core.parse(text).free_symbols) or ["x"]
    report = symnum.verify(text, wrt=",".join(free), what="gradient", points=2)
    assert report.passed, report.text()


@settings(max_examples=4, deadline=None, derandomize=True)
@given(trees.filter(lambda t: "x" in t and "y" in t))
def test_hessian_is_symmetric_and_verified(text):
    r = symnum.derive(text, wrt="x,y", what="hessian")
    full = r.expanded()
    assert sympy.simplify(full[0, 1] - full[1, 0]) == 0
    report = symnum.verify(r, points=1)
    assert report.passed, report.text()
