"""Kernels: batch shapes, broadcasting, constants, and values against mpmath."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import symnum
from symnum import EvaluationError, SymnumError

from .oracle import close, partial

BACKENDS = ["numpy", "torch"]


def _np(a):
    return a.numpy() if isinstance(a, torch.Tensor) else np.asarray(a)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("what, shape", [("gradient", (2,)), ("hessian", (2, 2))])
def test_batch_shape_is_batch_plus_result_shape(backend, what, shape):
    k = symnum.kernel("x**2*y + sin(y)", wrt="x,y", what=what, backend=backend)
    out = k(np.linspace(0, 1, 12).reshape(4, 3), 0.5)  # y broadcasts against x
    assert tuple(out.shape) == (4, 3) + shape
    assert (isinstance(out, torch.Tensor)) == (backend == "torch")


@pytest.mark.parametrize("backend", BACKENDS)
def test_jacobian_kernel_values_match_chapter_example(backend):
    k = symnum.kernel("[x1**2, x1*x2, x2**2]", wrt="x1,x2", what="jacobian", backend=backend)
    out = _np(k(np.array([2.0, 1.0]), np.array([3.0, -1.0])))
    assert out.shape == (2, 3, 2)
    np.testing.assert_array_equal(out[0], [[4, 0], [3, 2], [0, 6]])
    np.testing.assert_array_equal(out[1], [[2, 0], [-1, 1], [0, -2]])


@pytest.mark.parametrize("backend", BACKENDS)
def test_constant_entries_broadcast_to_the_batch(backend):
    k = symnum.kernel("x**2 + 4*x*y + y**2", what="hessian", backend=backend)
    out = _np(k(np.zeros(5), np.ones(5)))
    assert out.shape == (5, 2, 2)
    np.testing.assert_array_equal(out, np.broadcast_to([[2, 4], [4, 2]], (5, 2, 2)))


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("text", ["tanh(x)*exp(-y**2)", "log(1 + exp(x - y))", "erf(x)/(1 + y**2)",
                                  "relu(x) + abs(y)*x", "atan2(y, x) + sqrt(x**2 + y**2)",
                                  "gamma(x + 3)*cosh(y)", "Heaviside(x)*y**3"])
def test_gradient_kernel_values_match_mpmath(backend, text):
    f = symnum.Function(text, wrt="x,y")
    k = f.kernel("gradient", backend=backend)
    pts = [(0.3, -0.7), (1.1, 0.4), (-0.8, 1.9)]
    out = _np(k(np.array([p[0] for p in pts]), np.array([p[1] for p in pts])))
    for b, p in enumerate(pts):
        for i in range(2):
            expected = partial(f.expr, f.variables, p, [int(k == i) for k in range(2)])
            assert close(float(out[b, i]), expected, 1e-9), (p, i)


@pytest.mark.parametrize("backend", BACKENDS)
def test_value_kernel_and_keyword_arguments(backend):
    k = symnum.kernel("x*y**2", wrt="x,y", what="value", backend=backend)
    assert float(k(x=2.0, y=3.0)) == 18.0
    assert tuple(k(np.ones(3), y=np.ones((2, 1))).shape) == (2, 3)


def test_torch_kernel_agrees_with_autograd():
    k = symnum.kernel("sin(x)*y", wrt="x,y", what="gradient", backend="torch")
    x = torch.tensor([0.5, 1.5], dtype=torch.float64, requires_grad=True)
    y = torch.tensor([2.0, -1.0], dtype=torch.float64, requires_grad=True)
    g = k(x, y)
    (torch.sin(x) * y).sum().backward()
    torch.testing.assert_close(g[:, 0].detach(), x.grad)
    torch.testing.assert_close(g[:, 1].detach(), y.grad)


def test_undefined_functions_and_missing_parameters_are_clear_errors():
    with pytest.raises(EvaluationError, match="unknown function"):
        symnum.kernel("f(x)", what="derivative")(1.0)
    with pytest.raises(EvaluationError, match=r"no value for a: .*params=\('a',\)"):
        symnum.kernel("exp(-a*x)", wrt="x")
    with pytest.raises(SymnumError, match="backend"):
        symnum.kernel("x", backend="tensorflow")


def test_parameters_become_inputs_when_listed():
    k = symnum.kernel("exp(-a*x)", wrt="x,a", what="gradient")
    out = k(1.0, 2.0)
    assert close(float(out[0]), -2 * np.exp(-2.0)) and close(float(out[1]), -np.exp(-2.0))
