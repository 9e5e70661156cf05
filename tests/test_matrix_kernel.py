"""Kernels of matrix-notation results (arrays of the declared shapes with batch dimensions,
results in the variable's layout) against torch autograd of hand-written torch code, and
verify of MatrixResults: a transposed wrong answer fails."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch

import symnum
from symnum import EvaluationError, VariableError

f64 = torch.float64


def _autograd(fn, *inputs, wrt=0, hessian=False, batch=()):
    """Per batch sample, torch's gradient (or Hessian) of fn in the input number ``wrt``."""
    out = []
    for index in np.ndindex(*batch):
        args = [a[index] if a.dim() > 0 and a.shape[:len(batch)] == batch else a
                for a in inputs]
        if hessian:
            out.append(torch.autograd.functional.hessian(
                lambda v, args=args: fn(*args[:wrt], v, *args[wrt + 1:]), args[wrt]))
        else:
            v = args[wrt].clone().requires_grad_()
            (g,) = torch.autograd.grad(fn(*args[:wrt], v, *args[wrt + 1:]), v)
            out.append(g)
    return torch.stack(out).reshape(*batch, *out[0].shape)


@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_gradient_in_a_matrix_has_its_shape_and_batches(backend):
    k = symnum.kernel("x.T*W.T*W*x", wrt="W", shapes={"W": "m,n", "x": "n"}, backend=backend)
    gen = torch.Generator().manual_seed(1)
    W, x = torch.randn(4, 3, 5, generator=gen, dtype=f64), torch.randn(5, generator=gen,
                                                                       dtype=f64)
    got = torch.as_tensor(np.asarray(k(W.numpy() if backend == "numpy" else W, x)))
    assert got.shape == (4, 3, 5)  # batch of 4, shaped like W (m = 3, n = 5 from the arrays)
    expected = _autograd(lambda W, x: (W @ x) @ (W @ x), W, x, batch=(4,))
    torch.testing.assert_close(got, expected, rtol=1e-12, atol=1e-12)


def test_vector_gradient_with_a_scalar_parameter_at_large_margins():
    k = symnum.kernel("log(1 + exp(-y*w.T*x))", wrt="w", shapes={"w": "n", "x": "n"})
    assert k.names == ("w", "x", "y")
    w = np.array([[0.5, -1.0, 2.0], [300.0, 200.0, -100.0]])  # margins 1.0·y and 1000·y
    x = np.array([1.0, 1.5, 1.5])
    got = k(w, x, -1.0)
    assert got.shape == (2, 3) and np.all(np.isfinite(got))
    expected = _autograd(lambda w, x, y: torch.nn.functional.softplus(-y * (w @ x)),
                         torch.tensor(w), torch.tensor(x), torch.tensor(-1.0, dtype=f64),
                         batch=(2,))
    np.testing.assert_allclose(got, expected.numpy(), rtol=1e-12, atol=1e-300)


def test_jacobian_and_hessian_layouts():
    gen = torch.Generator().manual_seed(2)
    W, x = torch.randn(2, 3, generator=gen, dtype=f64), torch.randn(3, generator=gen, dtype=f64)
    J = symnum.kernel("tanh(W*x)", wrt="x", shapes={"W": "m,n", "x": "n"})(W.numpy(), x.numpy())
    expected = torch.autograd.functional.jacobian(lambda v: torch.tanh(W @ v), x)
    assert J.shape == (2, 3)  # outputs × inputs
    np.testing.assert_allclose(J, expected.numpy(), rtol=1e-12)
    A = torch.randn(3, 3, generator=gen, dtype=f64)
    H = symnum.kernel("x.T*A*x", wrt="x", what="hessian", shapes={"A": "n,n", "x": "n"},
                      backend="torch")(A, x)
    torch.testing.assert_close(H, _autograd(lambda A, v: v @ A @ v, A, x, wrt=1, hessian=True))


def test_jax_backend_and_errors():
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    k = symnum.kernel("x.T*W.T*W*x", wrt="W", shapes={"W": "m,n", "x": "n"}, backend="jax")
    W, x = np.arange(6.0).reshape(2, 3), np.array([1.0, 0.0, -1.0])
    np.testing.assert_allclose(np.asarray(jax.jit(k)(W, x)), 2 * np.outer(W @ x, x))
    with pytest.raises(VariableError, match="sizes do not fit"):
        k(W, np.ones(4))
    with pytest.raises(VariableError, match="2 last dimension"):
        k(np.ones(3), x)
    with pytest.raises(EvaluationError, match="expected 2 values"):
        k(W)
    fixed = symnum.kernel("x.T*A*x", wrt="x", shapes={"x": "3", "A": "3,3"})
    with pytest.raises(VariableError, match=r"^x is declared 3: .* got shape \(4,\)$"):
        fixed(np.ones(4), np.eye(4))


def test_verify_takes_a_matrix_result_and_fails_a_transposed_answer():
    r = symnum.derive("x.T*A*y", wrt="A", shapes={"A": "n,n", "x": "n", "y": "n"})
    assert symnum.verify(r, points=1).verdict == "pass"
    wrong = dataclasses.replace(r, expr=r.expr.T)  # y xᵀ instead of x yᵀ: same shape
    report = symnum.verify(wrong, points=1)
    assert report.verdict == "fail" and "FAIL" in report.text()
