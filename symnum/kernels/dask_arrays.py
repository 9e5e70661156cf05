"""A numpy kernel called with Dask arrays: a Dask array back, lazily, block by block.

The batch dimensions keep the inputs' chunks (chunks that differ between arguments are
unified by Dask); a gradient, Jacobian or Hessian adds its dimensions as new axes of one
chunk each. Nothing is computed until ``.compute()`` (or ``.store``, ``to_zarr``...), so the
inputs and the result may be larger than memory: each task evaluates the kernel on one block.
Numbers, numpy arrays and Dask arrays mix freely, broadcast as numpy broadcasts. Dask is
imported only here and only when an argument is a Dask array.

>>> import dask.array as da, numpy as np
>>> from symnum.kernels.build import kernel
>>> k = kernel("x**2*y", wrt="x,y", what="gradient")
>>> g = k(da.arange(4.0, chunks=2), 3.0)   # lazy: a Dask array of shape (4, 2)
>>> g.chunks
((2, 2), (2,))
>>> g.compute().tolist()
[[0.0, 0.0], [6.0, 1.0], [12.0, 4.0], [18.0, 9.0]]
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..core.errors import EvaluationError

if TYPE_CHECKING:
    from .build import Kernel


def holds_dask(args: Sequence[object]) -> bool:
    """Whether any argument is a Dask array (never imports Dask: one not yet imported
    cannot have made one)."""
    if "dask.array" not in sys.modules:
        return False
    array = sys.modules["dask.array"].Array
    return any(isinstance(a, array) for a in args)


def refuse(backend: str, out: object) -> None:
    """The EvaluationError for what Dask arrays cannot take: a kernel not on numpy, ``out=``
    (shared with :mod:`symnum.matrix.dask_blocks`)."""
    if backend != "numpy":
        raise EvaluationError(f"Dask arrays need a numpy kernel, not {backend}: "
                              "build it with backend='numpy'")
    if out is not None:
        raise EvaluationError("out= cannot take Dask arrays: the result is a lazy Dask array; "
                              "write it with its .store() or .to_zarr()")


def dask_call(kernel: Kernel, args: Sequence[object], out: object = None) -> Any:
    """``kernel(*args)`` as a lazy Dask array of shape ``batch + kernel.shape``: one task per
    block of the broadcast batch, each running the kernel on numpy blocks."""
    import dask.array as da
    import numpy as np

    refuse(kernel.backend, out)
    dtype = np.dtype(complex if kernel.complex_input else float)
    arrays: list[Any] = [a if isinstance(a, da.Array) else kernel._as_array(a, v.name)
              for a, v in zip(args, kernel.variables, strict=True)]
    try:  # as the numpy kernel says it, not Dask's "Chunks do not add up to shape"
        np.broadcast_shapes(*(a.shape for a in arrays))
    except ValueError:
        shapes = ", ".join(str(tuple(a.shape)) for a in arrays)
        raise EvaluationError(f"the inputs' shapes do not broadcast together: {shapes}") \
            from None
    batch_ndim = max(a.ndim for a in arrays)
    batch = tuple(range(batch_ndim))
    # indices aligned to the right, as numpy broadcasts; numbers and 0-d arrays pass whole
    pairs: list[object] = []
    for a in arrays:
        if a.ndim == 0:
            pairs += [a if isinstance(a, da.Array) else a[()], None]
        else:
            pairs += [a if isinstance(a, da.Array) else da.from_array(a, chunks=a.shape),
                      batch[batch_ndim - a.ndim:]]
    extra = tuple(range(batch_ndim, batch_ndim + len(kernel.shape)))
    return da.blockwise(_Blocks(kernel), batch + extra, *pairs,
                        new_axes=dict(zip(extra, kernel.shape, strict=True)),
                        dtype=dtype, meta=np.empty((0,) * len(batch + extra), dtype=dtype),
                        align_arrays=True, concatenate=True)


class _Blocks:
    """The task's function: the kernel on one block of each argument (a class, not a
    closure, so a distributed scheduler can pickle it with its kernel)."""

    def __init__(self, kernel: Kernel):
        self.kernel = kernel

    def __dask_tokenize__(self) -> str:
        """The kernel's own name for Dask's graph keys (hashing the kernel by pickling it
        would cost more than evaluating a small one): the same kernel, the same key."""
        token = getattr(self.kernel, "_dask_token", None)
        if token is None:
            token = self.kernel._dask_token = uuid.uuid4().hex  # type: ignore[attr-defined]
        return token

    def __call__(self, *blocks: object) -> object:
        import numpy as np
        result = self.kernel(*(np.asarray(b) for b in blocks))
        batch = np.broadcast_shapes(*(np.shape(b) for b in blocks))
        shape = batch + self.kernel.shape
        return result if np.shape(result) == shape else np.broadcast_to(result, shape)
