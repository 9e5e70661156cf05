"""A matrix kernel called with Dask arrays: a lazy Dask array back, one task per block of
the batch (as :mod:`symnum.kernels.dask_arrays` does for scalar variables).

Each matrix or vector argument keeps its declared dimensions last; those dimensions are
joined into one chunk (a kernel needs a whole x or A per batch entry), the batch keeps its
chunks. The result's own dimensions (a gradient shaped like W, a Hessian n × n) are new axes
of one chunk each.

>>> import dask.array as da, numpy as np, symnum
>>> k = symnum.kernel("x.T*A*x", wrt="x", shapes={"A": "n,n", "x": "n"})
>>> g = k(np.eye(2), da.ones((4, 2), chunks=(2, 1)))    # lazy: (4, 2), chunked (2, 2) × (2,)
>>> g.chunks, g.compute()[0].tolist()
(((2, 2), (2,)), [2.0, 2.0])
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..core.errors import EvaluationError
from ..kernels.dask_arrays import refuse

if TYPE_CHECKING:
    from .kernel import MatrixKernel


def matrix_dask_call(kernel: MatrixKernel, values: Sequence[object], out: object) -> Any:
    """``kernel(*values)`` as a lazy Dask array of shape batch + the result's own shape."""
    import dask.array as da
    import numpy as np

    refuse(kernel.backend, out)
    declared = [len(kernel.shapes[n]) for n in kernel.matrices] + [0] * len(kernel.scalars)
    arrays = [v if isinstance(v, da.Array) else np.asarray(v, dtype=float) for v in values]
    for a, d, name in zip(arrays, declared, kernel.names, strict=True):
        if a.ndim < d:
            raise EvaluationError(f"{name} needs {d} dimension(s) last (its declared shape), "
                                  f"got an array of shape {tuple(a.shape)}")
    try:  # as the numpy kernel says it, not Dask's "Chunks do not add up to shape"
        np.broadcast_shapes(*(a.shape[:a.ndim - d] for a, d in zip(arrays, declared,
                                                                   strict=True)))
    except ValueError:
        shapes = ", ".join(str(tuple(a.shape)) for a in arrays)
        raise EvaluationError(f"the inputs' batch shapes do not broadcast together: {shapes}"
                              ) from None
    # the result's own shape and dtype: the kernel on one entry (no batch) of each argument
    sample: Any = kernel(*(np.zeros(a.shape[a.ndim - d:]) for a, d in zip(arrays, declared,
                                                                       strict=True)))
    own = tuple(np.shape(sample))
    batch_ndim = max(a.ndim - d for a, d in zip(arrays, declared, strict=True))
    batch = tuple(range(batch_ndim))
    pairs: list[object] = []
    fresh = batch_ndim + len(own)  # indices of declared dimensions: each its own, whole
    for a, d in zip(arrays, declared, strict=True):
        if a.ndim == 0:
            pairs += [a if isinstance(a, da.Array) else a[()], None]
            continue
        whole = {axis: -1 for axis in range(a.ndim - d, a.ndim)}
        a = a.rechunk(whole) if isinstance(a, da.Array) else da.from_array(a, chunks=a.shape)
        pairs += [a, batch[batch_ndim - (a.ndim - d):] + tuple(range(fresh, fresh + d))]
        fresh += d
    extra = tuple(range(batch_ndim, batch_ndim + len(own)))
    dtype = np.asarray(sample).dtype
    return da.blockwise(_Blocks(kernel, own), batch + extra, *pairs,
                        new_axes=dict(zip(extra, own, strict=True)), dtype=dtype,
                        meta=np.empty((0,) * (batch_ndim + len(own)), dtype=dtype),
                        align_arrays=True, concatenate=True)


class _Blocks:
    """The task's function: the kernel on one block of each argument (picklable)."""

    def __init__(self, kernel: MatrixKernel, own: tuple[int, ...]):
        self.kernel, self.own = kernel, own

    def __dask_tokenize__(self) -> str:
        """The kernel's own name for Dask's graph keys (not a hash of its pickle)."""
        token = getattr(self.kernel, "_dask_token", None)
        if token is None:
            token = self.kernel._dask_token = uuid.uuid4().hex  # type: ignore[attr-defined]
        return token

    def __call__(self, *blocks: Any) -> object:
        import numpy as np
        result = np.asarray(self.kernel(*(np.asarray(b) for b in blocks)))
        declared = [len(self.kernel.shapes[n]) for n in self.kernel.matrices]
        declared += [0] * len(self.kernel.scalars)
        batch = np.broadcast_shapes(*(np.shape(b)[:np.ndim(b) - d]
                                      for b, d in zip(blocks, declared, strict=True)))
        shape = batch + self.own
        return result if result.shape == shape else np.broadcast_to(result, shape)
