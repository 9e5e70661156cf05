"""Kernels with parameters: extra array arguments after the variables, broadcast with them,
held constant (not differentiated); checked against mpmath and torch autograd."""

from __future__ import annotations

import mpmath as mp
import numpy as np
import pytest
import torch

import symnum
from symnum import EvaluationError, VariableError


def _logistic_grad_mp(w: float, x: float, y: float) -> float:
    """d/dw log(1 + exp(-y w x)) by mpmath differentiation at 40 digits."""
    with mp.workdps(40):
        return float(mp.diff(lambda t: mp.log(1 + mp.exp(-y * t * x)), mp.mpf(w)))


@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_parameters_broadcast_with_the_variable(backend):
    k = symnum.kernel("log(1 + exp(-y*w*x))", wrt="w", params=("x", "y"), backend=backend)
    w = np.array([-1.5, 0.0, 0.7, 3.0])
    x = np.array([[2.0], [-0.5], [800.0]])  # a column: the result is 3 × 4
    out = np.asarray(k(w, x, -1.0))
    assert out.shape == (3, 4)
    for i in range(3):
        for j in range(4):
            exact = _logistic_grad_mp(w[j], x[i, 0], -1.0)
            assert abs(out[i, j] - exact) <= 1e-12 * max(1.0, abs(exact)), (i, j)


def test_parameters_by_name_and_the_order_of_arguments():
    k = symnum.kernel("a*x**2 + b*x", wrt="x", params="b, a")  # k(x, b, a)
    assert [v.name for v in k.variables] == ["x", "b", "a"]
    assert float(k(2.0, 3.0, 5.0)) == pytest.approx(2 * 5 * 2 + 3)
    assert float(k(x=2.0, a=5.0, b=3.0)) == pytest.approx(23.0)
    f = symnum.Function("a*x**2 + b*x", wrt="x")
    assert float(f.kernel("derivative", params="a, b")(2.0, 5.0, 3.0)) == pytest.approx(23.0)


def test_hessian_in_the_variables_only_matches_torch_autograd():
    expr = "log(exp(a*w1 + w2) + exp(w1 - b*w2)) + c*w1**2"
    k = symnum.kernel(expr, wrt="w1,w2", what="hessian", params="a,b,c", backend="torch")
    rng = np.random.default_rng(3)
    a, b, c = (torch.tensor(v) for v in rng.normal(size=3))
    for w in rng.normal(scale=30, size=(4, 2)):  # large logits too

        def f(v):
            return torch.logsumexp(torch.stack([a * v[0] + v[1], v[0] - b * v[1]]), 0) + \
                c * v[0] ** 2
        expected = torch.autograd.functional.hessian(f, torch.tensor(w))
        got = k(float(w[0]), float(w[1]), a, b, c)
        torch.testing.assert_close(got, expected, rtol=1e-10, atol=1e-12)


def test_parameters_of_a_derived_result_and_kinks():
    r = symnum.derive("Max(0, 1 - y*w*x)", wrt="w")  # hinge loss: -y*x*Heaviside(1 - y*w*x)
    k = symnum.kernel(r, params=("x", "y"))
    w = np.array([-2.0, 0.1, 2.0])
    got = k(w, 1.5, 1.0)
    # left of the kink (margin < 1) the slope is -y*x, right of it 0
    assert got.tolist() == [-1.5, -1.5, 0.0]


def test_missing_and_misnamed_parameters_are_clear_errors():
    with pytest.raises(EvaluationError, match=r"no value for x, y: .*params=\('x', 'y'\)"):
        symnum.kernel("log(1 + exp(-y*w*x))", wrt="w")
    with pytest.raises(VariableError, match="both a variable"):
        symnum.kernel("w*x", wrt="w", params="w")
    with pytest.raises(VariableError, match="twice"):
        symnum.kernel("w*x", wrt="w", params="x, x")
    k = symnum.kernel("w*x", wrt="w", params="x")
    with pytest.raises(EvaluationError, match="expected 2 values"):
        k(1.0)
    with pytest.raises(EvaluationError, match="do not broadcast"):
        k(np.ones(3), np.ones(4))
