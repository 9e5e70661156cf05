"""Kernels of matrix-notation results: arrays of the declared shapes in, the result in the
variable's layout out.

``symnum.kernel("x.T*W.T*W*x", wrt="W", shapes={"W": "m,n", "x": "n"})`` takes one array per
declared matrix or vector, in the order the shapes were declared (then scalar parameters,
sorted by name), each with its declared dimensions last and any leading batch dimensions
(broadcast together). The sizes of the dimensions (m, n) are read from the arrays; the
result comes back as batch + its own shape: a gradient shaped like W (m, n), a gradient with
respect to a vector as (n,), a Jacobian (outputs, inputs), a Hessian (n, n). For each new
assignment of sizes the result is expanded into components once (the same expansion that
``verify`` checks) and compiled into an ordinary kernel, so the stable forms and kink
conventions are those of :mod:`symnum.kernels.build`; results with more than
``MAX_COMPONENTS`` input entries are refused (the expansion grows with the sizes).

>>> import numpy as np, symnum
>>> k = symnum.kernel("x.T*A*x", wrt="x", shapes={"A": "n,n", "x": "n"})
>>> k(np.array([[1.0, 2.0], [0.0, 3.0]]), np.array([1.0, 1.0])).tolist()  # (A + Aᵀ)x
[4.0, 8.0]
"""

from __future__ import annotations

import math
from collections.abc import Callable

import sympy

from ..core.errors import EvaluationError, LimitError, SymnumError, VariableError
from ..kernels.build import BACKENDS, Kernel, compile_kernel
from .array_function import MatrixCode, matrix_code
from .result import MatrixResult, _components, explicit

MAX_COMPONENTS = 2_000  # entries of all declared arrays together, per size assignment


class MatrixKernel:
    """A batched callable for a :class:`MatrixResult` (see the module docstring)."""

    def __init__(self, result: MatrixResult, backend: str = "numpy"):
        if backend not in BACKENDS:
            raise EvaluationError(f"unknown backend {backend!r}: choose numpy, torch or jax")
        if backend == "jax":
            from ..kernels.jax_kernel import require_jax
            require_jax()
        self.result = result
        self.backend = backend
        f = result.function
        self.shapes = dict(f.shapes)
        used = {m.name for m in f.expr.atoms(sympy.MatrixSymbol)}
        self.matrices = [n for n in self.shapes if n in used]
        self.scalars = sorted((s for s in f.expr.free_symbols | result.expr.free_symbols
                               if isinstance(s, sympy.Symbol) and not s.is_integer
                               and s.name not in self.shapes), key=lambda s: s.name)
        self.names = tuple(self.matrices + [s.name for s in self.scalars])
        self._kernels: dict[tuple, tuple[Kernel, tuple[int, ...]]] = {}
        self.code: MatrixCode | None = None  # None: the components' fallback
        self._function: Callable | None = None
        try:
            self.code = matrix_code(result, backend, self.matrices,
                                    [s.name for s in self.scalars], into=backend != "jax")
        except SymnumError:
            return
        self._function = self.code.function()

    def __repr__(self) -> str:
        inputs = ", ".join(f"{n}: {'×'.join(map(str, self.shapes[n]))}" if n in self.shapes
                           else n for n in self.names)
        how = "matrix code" if self.code is not None else "components"
        return (f"<MatrixKernel {self.backend} ({how}): {self.result.kind} "
                f"{self.result.string()}; inputs {inputs} (leading batch dimensions allowed)>")

    def __call__(self, *args: object, out: object = None, **named: object) -> object:
        """The result for arrays of the declared shapes (batch dimensions broadcast); ``out``
        (numpy, torch) a contiguous float64 array of the result's shape to write into."""
        values = list(args)
        if named:
            unknown = sorted(set(named) - set(self.names[len(args):]))
            if unknown:
                raise EvaluationError(f"unknown input(s) {', '.join(unknown)}")
            try:
                values += [named[n] for n in self.names[len(args):]]
            except KeyError as err:
                raise EvaluationError(f"no value given for {err.args[0]}") from None
        if len(values) != len(self.names):
            raise EvaluationError(f"expected {len(self.names)} values ({', '.join(self.names)}),"
                                  f" got {len(values)}")
        from ..kernels.dask_arrays import holds_dask
        if holds_dask(values):  # a lazy Dask array back, block by block
            from .dask_blocks import matrix_dask_call
            return matrix_dask_call(self, values, out)
        arrays = [self._array(v, n) for v, n in zip(values, self.names, strict=True)]
        sizes = self._sizes(arrays)
        if out is not None:
            self._check_out(out, arrays, sizes)
        if self._function is not None:
            if out is None:
                return self._function(*arrays)
            if any(getattr(a, "requires_grad", False) for a in arrays):  # torch's out= and
                out.copy_(self._function(*arrays))  # autograd do not mix: copied, recorded
                return out
            return self._function(*arrays, out)
        k, shape = self._kernel(sizes)
        parts = []
        for name, a in zip(self.matrices, arrays[:len(self.matrices)], strict=True):
            dims = len(self.shapes[name])
            if dims == 1:
                parts += [a[..., i] for i in range(a.shape[-1])]
            else:
                parts += [a[..., i, j] for i in range(a.shape[-2]) for j in range(a.shape[-1])]
        value = k(*parts, *arrays[len(self.matrices):])
        batch = tuple(value.shape[:-1])
        four = self._four(sizes)
        if four is not None:
            (m, n, p, q), shape = four  # the vec form, column-major, as (m, n, p, q)
            value = value.reshape(batch + (n, m, q, p)).swapaxes(-4, -3).swapaxes(-2, -1)
        value = value.reshape(batch + shape)
        if out is None:
            return value
        out[...] = value
        return out

    def _check_out(self, out: object, arrays: list, sizes: dict) -> None:
        """An EvaluationError unless ``out`` is a contiguous float64 array of the result's
        shape (batch + the result's own)."""
        import numpy as np
        if self.backend == "jax":
            raise EvaluationError("out= is not available with backend='jax': JAX arrays "
                                  "cannot be written into; use the returned array")
        leading = [tuple(a.shape[:len(a.shape) - len(self.shapes[n])])
                   for n, a in zip(self.matrices, arrays, strict=True)]
        leading += [tuple(a.shape) for a in arrays[len(self.matrices):]]
        x, f = self.result.variable, self.result.function.expr
        own = () if self.result.kind == "gradient" else tuple(x.shape) \
            if self.result.kind == "hessian" else tuple(getattr(f, "shape", ()))
        dims = [d for d in own if d != 1] + [d for d in x.shape if d != 1]
        shape = tuple(np.broadcast_shapes(*leading)) + tuple(
            int(sympy.sympify(d).subs(sizes)) for d in dims)
        contiguous = out.is_contiguous() if hasattr(out, "is_contiguous") else \
            getattr(getattr(out, "flags", None), "c_contiguous", False)
        dtype = str(getattr(out, "dtype", "")).replace("torch.", "")
        if tuple(getattr(out, "shape", ())) != shape or dtype != "float64" or not contiguous:
            raise EvaluationError(f"out must be a contiguous {self.backend} array of shape "
                                  f"{shape} and dtype float64")

    def _four(self, sizes: dict) -> tuple[tuple[int, ...], tuple[int, ...]] | None:
        """For a 4-index result: (m, n, p, q) and the array's shape (a vector's one axis)."""
        x, f = self.result.variable, self.result.function.expr
        if self.result.kind == "gradient" or (x.shape[1] == 1 and (
                self.result.kind == "hessian" or f.shape[1] == 1)):
            return None
        out = tuple(x.shape) if self.result.kind == "hessian" else tuple(f.shape)
        full = tuple(int(sympy.sympify(d).subs(sizes)) for d in out + tuple(x.shape))
        dims = tuple(s for s, d in zip(full, out + tuple(x.shape), strict=True)
                     if not (d == 1 and s == 1))
        return full, dims

    def _array(self, value: object, name: str) -> object:
        """The value as the backend's float64 array, checked by the kernels' own rules."""
        from ..kernels.inputs import as_array
        if self.backend == "jax":
            from ..kernels.jax_kernel import as_jax_array
            return as_jax_array(value, name)
        return as_array(value, name, self.backend)

    def _sizes(self, arrays: list) -> dict[sympy.Symbol, int]:
        """The dimensions' sizes read off the arrays' last axes, or a VariableError."""
        sizes: dict[sympy.Symbol, int] = {}
        for name, a in zip(self.matrices, arrays[:len(self.matrices)], strict=True):
            dims = self.shapes[name]
            if len(a.shape) < len(dims):
                raise VariableError(f"{name} is declared {'×'.join(map(str, dims))}: give an "
                                    f"array with {len(dims)} last dimension(s), got shape "
                                    f"{tuple(a.shape)}")
            for d, size in zip(dims, tuple(a.shape)[len(a.shape) - len(dims):], strict=True):
                expected = sizes.setdefault(d, size) if isinstance(d, sympy.Symbol) else int(d)
                if expected != size:
                    raise VariableError(_misfit(name, dims, tuple(a.shape), d, expected))
        return sizes

    def _kernel(self, sizes: dict[sympy.Symbol, int]) -> tuple[Kernel, tuple[int, ...]]:
        key = tuple(sorted((d.name, s) for d, s in sizes.items()))
        if key not in self._kernels:
            self._kernels[key] = self._compile(sizes)
        return self._kernels[key]

    def _compile(self, sizes: dict[sympy.Symbol, int]) -> tuple[Kernel, tuple[int, ...]]:
        f = self.result.function
        comps = _components(f, sizes)
        count = sum(math.prod(c.shape) for c in comps.values())
        if count > MAX_COMPONENTS:
            raise LimitError(f"the arrays hold {count} entries (more than {MAX_COMPONENTS}): "
                             "a matrix kernel expands the result into components per size")
        by_name = {m.name: c for m, c in comps.items()}
        inputs = [s for n in self.matrices for s in by_name[n]] + self.scalars
        derived = explicit(self.result.expr, f, sizes, comps)
        if isinstance(derived, sympy.MatrixBase):
            rows, cols = derived.shape
            vector = cols == 1 and tuple(self.result.expr.shape)[1] == 1
            shape = (rows,) if vector else (rows, cols)
            entries = sympy.ImmutableMatrix(list(derived))
        else:
            shape, entries = (), sympy.ImmutableMatrix([derived])
        return compile_kernel(entries, inputs, self.backend), shape


def matrix_kernel(result: MatrixResult, backend: str = "numpy") -> MatrixKernel:
    """A batched callable for a matrix-notation result (the module docstring)."""
    return MatrixKernel(result, backend)



def _misfit(name: str, dims: tuple, shape: tuple, dim: object, expected: int) -> str:
    """The one-line message for an array whose size disagrees with its declared dimension.

    >>> _misfit("x", (3,), (4,), 3, 3)
    'x is declared 3: give an array whose last dimension(s) are 3, got shape (4,)'
    """
    declared = "×".join(map(str, dims))
    if isinstance(dim, sympy.Symbol):
        return (f"{name} is declared {declared} and {dim} = {expected} from the arrays before "
                f"it, but {name} has shape {shape}: the sizes do not fit together")
    return (f"{name} is declared {declared}: give an array whose last dimension(s) are "
            f"{', '.join(map(str, dims))}, got shape {shape}")
