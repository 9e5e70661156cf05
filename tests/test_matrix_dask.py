"""A matrix kernel (shapes=) called with Dask arrays: lazy, the numpy kernel's values, with
the declared dimensions chunked or not (they were computed at once into memory before);
shapes that do not broadcast are the numpy kernel's one-line error, not Dask's."""

from __future__ import annotations

import numpy as np
import pytest

import symnum
from symnum.core.errors import EvaluationError

da = pytest.importorskip("dask.array")


def test_a_matrix_kernel_on_dask_arrays_is_lazy_and_equals_numpy():
    rng = np.random.default_rng(0)
    g = symnum.kernel("x.T*A*x", wrt="x", shapes={"x": "n", "A": "n,n"})
    h = symnum.kernel("x.T*A*x", wrt="x", what="hessian", shapes={"x": "n", "A": "n,n"})
    xs, a, many = rng.random((50, 3)), rng.random((3, 3)), rng.random((50, 3, 3))
    for chunks in [(20, 3), (15, 2), (50, 1)]:  # uneven; chunked along x's own axis too
        lazy = g(da.from_array(xs, chunks=chunks), a)
        assert isinstance(lazy, da.Array) and lazy.chunks[1] == (3,)
        assert np.array_equal(lazy.compute(), g(xs, a))
    lazy = h(xs, da.from_array(many, chunks=(7, 2, 3)))
    assert lazy.shape == (50, 3, 3) and np.array_equal(lazy.compute(), h(xs, many))
    with pytest.raises(EvaluationError, match="x needs 1 dimension"):
        g(da.ones((), chunks=()), a)
    with pytest.raises(EvaluationError, match="do not broadcast together"):
        g(da.from_array(xs, chunks=10), rng.random((7, 3, 3)))
    scalar = symnum.kernel("x**2*y", wrt="x,y", what="gradient")
    with pytest.raises(EvaluationError, match="do not broadcast together: .5,., .3,."):
        scalar(da.ones(5, chunks=2), np.ones(3))
    with pytest.raises(EvaluationError, match="out= cannot take Dask"):
        g(da.from_array(xs, chunks=10), a, out=np.empty((50, 3)))
