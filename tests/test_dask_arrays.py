"""A numpy kernel on Dask arrays (symnum/kernels/dask_arrays.py): a lazy Dask array back,
equal to the bit to the numpy kernel on the same data, whatever the chunks."""

from __future__ import annotations

import numpy as np
import pytest

import symnum
from symnum.core.errors import EvaluationError

da = pytest.importorskip("dask.array")
dask = pytest.importorskip("dask")

RNG = np.random.default_rng(27)
X, Y = RNG.normal(size=1000), RNG.normal(size=1000)


@pytest.fixture(scope="module", autouse=True)
def _synchronous():
    with dask.config.set(scheduler="synchronous"):  # no threads: small blocks, CPU shared
        yield


def test_a_gradient_on_misaligned_chunks_and_mixed_arguments_is_the_numpy_kernels_to_the_bit():
    k = symnum.kernel("log(1 + exp(x*y)) + sin(x)*y**3", wrt="x,y", what="gradient")
    want = k(X, Y)
    both = k(da.from_array(X, chunks=300), da.from_array(Y, chunks=170))  # unified by dask
    assert isinstance(both, da.Array) and both.shape == (1000, 2)
    assert both.chunks[1] == (2,) and np.array_equal(both.compute(), want)
    mixed = k(da.from_array(X, chunks=400), Y)  # a numpy array beside a Dask one
    assert np.array_equal(mixed.compute(), want)
    assert k(X, da.from_array(Y, chunks=250)).dtype == want.dtype


def test_a_hessian_adds_its_axes_and_parameters_are_numbers_or_arrays():
    k = symnum.kernel("exp(-a*x*y) + x**2*y", wrt="x,y", what="hessian", params="a")
    grid = da.from_array(X[:200, None], chunks=(64, 1))  # a column against a row: a grid
    h = k(grid, Y[None, :30], 0.5)
    assert h.shape == (200, 30, 2, 2) and h.chunks[2:] == ((2,), (2,))
    assert np.array_equal(h.compute(), k(X[:200, None], Y[None, :30], 0.5))
    a = da.from_array(np.linspace(0, 1, 1000), chunks=500)
    assert np.array_equal(k(X, Y, a).compute(), k(X, Y, np.linspace(0, 1, 1000)))


def test_nothing_is_computed_until_compute():
    calls: list[tuple[int, ...]] = []

    def counted(block: np.ndarray) -> np.ndarray:
        calls.append(block.shape)
        return block

    x = da.from_array(X, chunks=250).map_blocks(counted, meta=np.array((), float))
    k = symnum.kernel("x**3*y", wrt="x,y", what="gradient")
    g = k(x, 2.0)
    total = g.sum(axis=0)
    assert calls == []  # the kernel, the sum: only a graph so far
    assert np.allclose(total.compute(), k(X, 2.0).sum(axis=0), rtol=1e-13)
    assert len(calls) == 4 and np.array_equal(g.compute(), k(X, 2.0))


def test_a_value_kernel_a_constant_result_and_what_dask_cannot_take():
    x = da.from_array(X, chunks=333)
    linear = symnum.kernel("3*x + y", wrt="x,y", what="gradient")  # constants: broadcast
    assert np.array_equal(linear(x, 1.0).compute(), np.broadcast_to([3.0, 1.0], (1000, 2)))
    value = symnum.kernel("x*y", wrt="x,y", what="value")
    assert value(x, Y).shape == (1000,)
    with pytest.raises(EvaluationError, match="out= cannot take Dask"):
        value(x, Y, out=np.empty(1000))


def test_the_readmes_chunked_gradient_in_small():
    """README "Kernels on arrays larger than memory", at 10⁵ points instead of 10⁸."""
    n, chunk = 10**5, 10**4
    k = symnum.kernel("log(1 + exp(-y*(w1*x1 + w2*x2)))", wrt="w1, w2", params="x1, x2, y")
    x1 = da.random.default_rng(0).standard_normal(n, chunks=chunk)
    x2 = da.random.default_rng(1).standard_normal(n, chunks=chunk)
    y = da.sign(x1 + x2)
    mean = k(0.5, -0.25, x1, x2, y).mean(axis=0)
    assert mean.shape == (2,)
    eager = k(0.5, -0.25, *(np.asarray(v) for v in (x1, x2, y))).mean(axis=0)
    assert np.allclose(mean.compute(), eager, rtol=1e-12)
