"""The kernel's fast paths: scratch arrays reused between calls on big batches, ``out=``, and
``compile=True`` (torch.compile). Values are checked against mpmath and torch autograd."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import symnum
from symnum import EvaluationError, SymnumError
from symnum.kernels.assembly import RankOne

from .oracle import close, partial

BACKENDS = ["numpy", "torch"]
BIG = 30_000  # above the size from which steps write into reused scratch arrays
SAMPLE = [0, 1, 7777, BIG - 1]

# Every kind of step that has an ``out=`` form: powers (2, -1, -2, 1/2, -1/2, 3/2, x^y),
# sums with a negated first term, Max/Min, log1p and shifted exponentials from the stable
# forms, and the functions of the ``into`` table.
TEXTS = ["x**3*y - sin(x*y)/y**2 + sqrt(x**2 + 1) - 1/sqrt(y**2 + 2)",
         "-exp(x) - cosh(y)*atan(x) + (x**2 + y**2)**1.5",
         "log(exp(x) + exp(y) + exp(x*y)) + erf(x - y)",
         "log(1 + exp(x - y)) + Max(x, y, 0.5)*tanh(y) - Min(x, y)",
         "(y**2 + 2)**x + asinh(x) * log(y**2 + 1)"]


def _np(a):
    return a.numpy() if isinstance(a, torch.Tensor) else np.asarray(a)


def _points(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.uniform(-1.5, 1.5, BIG), rng.uniform(-1.5, 1.5, BIG)


def _check_gradient(f: symnum.Function, out: np.ndarray, x: np.ndarray, y: np.ndarray) -> None:
    for b in SAMPLE:
        for i in range(2):
            expected = partial(f.expr, f.variables, (x[b], y[b]), [int(k == i) for k in range(2)])
            assert close(float(out[b, i]), expected, 1e-9), (b, i)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("text", TEXTS)
def test_big_batches_match_mpmath_call_after_call(backend, text):
    f = symnum.Function(text, wrt="x,y")
    k = f.kernel("gradient", backend=backend)
    x1, y1 = _points(1)
    first = k(x1, y1)
    kept = _np(first).copy()
    x2, y2 = _points(2)
    second = _np(k(x2, y2))  # reuses the first call's scratch arrays
    np.testing.assert_array_equal(_np(first), kept)  # the first result was not overwritten
    _check_gradient(f, kept, x1, y1)
    _check_gradient(f, second, x2, y2)


@pytest.mark.parametrize("backend", BACKENDS)
def test_inputs_are_never_written_to(backend):
    k = symnum.kernel("x*y + x**2", wrt="x,y", what="gradient", backend=backend)
    x, y = _points()
    xs, ys = x.copy(), y.copy()
    for _ in range(2):
        out = _np(k(x, y))
    np.testing.assert_array_equal(x, xs)
    np.testing.assert_array_equal(y, ys)
    np.testing.assert_allclose(out[:, 0], y + 2 * x, rtol=1e-15)
    np.testing.assert_array_equal(out[:, 1], x)


@pytest.mark.parametrize("backend", BACKENDS)
def test_out_receives_the_result(backend):
    k = symnum.kernel("x**2*y + sin(y)", wrt="x,y", what="hessian", backend=backend)
    x, y = _points()
    expected = _np(k(x, y))
    out = np.empty((BIG, 2, 2)) if backend == "numpy" else torch.empty(BIG, 2, 2,
                                                                          dtype=torch.float64)
    got = k(x, y, out=out)
    assert got is out
    np.testing.assert_array_equal(_np(out), expected)
    assert close(float(_np(out)[5, 1, 1]), -np.sin(y[5]), 1e-14)


@pytest.mark.parametrize("backend", BACKENDS)
def test_out_of_the_wrong_shape_dtype_or_layout_is_an_error(backend):
    k = symnum.kernel("x*y", wrt="x,y", what="gradient", backend=backend)
    lib = np if backend == "numpy" else torch
    wrong = [lib.zeros((4, 3)), lib.zeros((4, 2), dtype=lib.float32), lib.zeros((2, 4)).T]
    for out in wrong:
        with pytest.raises(EvaluationError, match="out must be a contiguous"):
            k(np.ones(4), np.ones(4), out=out)


def _grid() -> tuple[torch.Tensor, torch.Tensor]:
    x = np.linspace(-2, 2, 200)
    return tuple(torch.tensor(a) for a in np.meshgrid(x, x, indexing="ij"))


def test_compiled_kernel_matches_autograd_on_a_grid():
    text = "sin(exp(x**2/4))*cos(y) + x*y**2"
    k = symnum.kernel(text, wrt="x,y", what="gradient", backend="torch", compile=True)
    X, Y = _grid()
    got = k(X, Y)
    assert k.fused.failure is None
    xt, yt = X.clone().requires_grad_(), Y.clone().requires_grad_()
    f = torch.sin(torch.exp(xt**2 / 4)) * torch.cos(yt) + xt * yt**2
    expected = torch.stack(torch.autograd.grad(f.sum(), (xt, yt)), -1)
    torch.testing.assert_close(got, expected, rtol=1e-13, atol=1e-13)
    row = k(X[0], Y[0])  # a new shape compiles again
    torch.testing.assert_close(row, expected[0], rtol=1e-13, atol=1e-13)
    out = torch.empty_like(expected)
    assert k(X, Y, out=out) is out
    torch.testing.assert_close(out, expected, rtol=1e-13, atol=1e-13)


def test_compiled_hessian_with_stable_forms_matches_torch_func():
    names = [f"x{i}" for i in range(4)]
    text = f"log({' + '.join(f'exp({v})' for v in names)})"
    k = symnum.kernel(text, wrt=",".join(names), what="hessian", backend="torch", compile=True)
    data = torch.tensor(np.random.default_rng(0).normal(size=(500, 4)) * 300)  # e^±900
    got = k(*data.T)
    assert k.fused.failure is None
    expected = torch.func.vmap(torch.func.hessian(lambda v: torch.logsumexp(v, 0)))(data)
    assert torch.isfinite(got).all()
    torch.testing.assert_close(got, expected, rtol=1e-10, atol=1e-12)
    assert isinstance(k.layout, RankOne)  # built as one outer product plus the diagonal
    assert torch.equal(got, got.transpose(1, 2))
    out = torch.empty(expected.shape, dtype=torch.float64)
    assert k(*data.T, out=out) is out
    assert torch.equal(out, got)


def test_compiled_kernel_keeps_autograd_through_it():
    k = symnum.kernel("x**2*y", wrt="x,y", what="gradient", backend="torch", compile=True)
    x = torch.tensor([1.5, -2.0], dtype=torch.float64, requires_grad=True)
    g = k(x, 3.0)  # an input needs gradients: the eager program runs, recording the graph
    (dgx,) = torch.autograd.grad(g[:, 0].sum(), x)  # ∂(2xy)/∂x = 2y
    torch.testing.assert_close(dgx, torch.full_like(x, 6.0))


def test_compile_failure_warns_and_runs_eagerly(monkeypatch):
    def broken(fn, **_):
        def call(*_args):
            raise RuntimeError("no C++ compiler\nmore detail")
        return call
    monkeypatch.setattr(torch, "compile", broken)
    k = symnum.kernel("x*y", wrt="x,y", what="gradient", backend="torch", compile=True)
    with pytest.warns(RuntimeWarning, match=r"torch.compile failed \(no C\+\+ compiler\)"):
        out = k(torch.tensor([2.0]), torch.tensor([3.0]))
    assert out.tolist() == [[3.0, 2.0]]
    assert k(torch.tensor([1.0]), torch.tensor([5.0])).tolist() == [[5.0, 1.0]]  # no warning


def test_compile_needs_the_torch_backend():
    with pytest.raises(SymnumError, match="compile=True needs backend='torch'"):
        symnum.kernel("x*y", wrt="x,y", what="gradient", backend="numpy", compile=True)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_column_and_a_row_give_the_whole_grid(backend):
    f = symnum.Function("sin(exp(x**2/4))*cos(y) + x*y**2", wrt="x,y")
    k = f.kernel("gradient", backend=backend)
    x, y = np.linspace(-2, 2, 300), np.linspace(-1, 3, 200)
    grid = _np(k(x[:, None], y[None, :]))
    assert grid.shape == (300, 200, 2)
    X, Y = np.meshgrid(x, y, indexing="ij")
    np.testing.assert_allclose(grid, _np(k(X, Y)), rtol=1e-15, atol=0)
    for i, j in [(0, 0), (123, 45), (299, 199)]:
        for d in range(2):
            expected = partial(f.expr, f.variables, (x[i], y[j]), [int(k == d) for k in range(2)])
            assert close(float(grid[i, j, d]), expected, 1e-9)


@pytest.mark.parametrize("backend", BACKENDS)
def test_inputs_that_do_not_broadcast_are_a_clear_error(backend):
    k = symnum.kernel("x*y", wrt="x,y", what="gradient", backend=backend)
    with pytest.raises(EvaluationError, match=r"do not broadcast together: \(3,\), \(4,\)"):
        k(np.ones(3), np.ones(4))


@pytest.mark.parametrize("batch", [5, BIG])
@pytest.mark.parametrize("text, what", [("x**2*y", "hessian"), ("x**2 + 4*x*y + y**2", "hessian"),
                                        ("relu(x)*y + Max(x, y)", "gradient"),
                                        ("log(exp(x) + exp(y) + exp(2*x))", "hessian"),
                                        ("gamma(x + 3)*y + abs(x)", "gradient")])
def test_results_stay_on_the_inputs_device(text, what, batch):
    """Constant entries are created on the inputs' device. The meta device (shapes only)
    stands in for CUDA, which CI does not have: a tensor left on the CPU fails the same way."""
    k = symnum.kernel(text, wrt="x,y", what=what, backend="torch")
    x = torch.zeros(batch, dtype=torch.float64, device="meta")
    got = k(x, x)
    assert got.device.type == "meta"
    assert tuple(got.shape) == (batch,) + ((2, 2) if what == "hessian" else (2,))


def test_a_program_too_big_for_a_one_point_function_runs_batched_at_a_point(monkeypatch):
    import symnum.kernels.one_point as one_point
    monkeypatch.setattr(one_point, "PYTHON_MAX_STEPS", 3)
    monkeypatch.setattr(one_point, "C_MAX_STEPS", 3)
    k = symnum.kernel("sin(x*y) + exp(x)*y**3", wrt="x,y", what="hessian")
    assert len(k.program.steps) > 3 and one_point.compiled(k.program) is None
    for _ in range(3):  # past the call from which compiling would pay
        got = k(0.5, 2.0)
    x, y = 0.5, 2.0
    s, c, e = math.sin(x * y), math.cos(x * y), math.exp(x)
    expected = [[-y * y * s + e * y**3, c - x * y * s + 3 * e * y * y],
                [c - x * y * s + 3 * e * y * y, -x * x * s + 6 * e * y]]
    assert np.allclose(got, expected, rtol=1e-13)
