"""The JAX side of a kernel: inputs as float64 JAX arrays, the result assembled without
writing into arrays (JAX arrays are immutable), so ``jax.jit``, ``jax.grad`` and ``jax.vmap``
trace a kernel like any JAX function.

JAX is optional: symnum imports and runs without it, and ``backend="jax"`` without JAX is a
SymnumError saying how to install it. JAX computes in float32 unless 64-bit mode is on; a JAX
kernel refuses to run in float32 (it would lose half the digits the exact result has) and says
how to switch it on: ``jax.config.update("jax_enable_x64", True)`` at the start of the
program, or ``JAX_ENABLE_X64=1`` in the environment.

>>> import jax, symnum
>>> jax.config.update("jax_enable_x64", True)
>>> k = symnum.kernel("log(exp(x) + exp(y))", wrt="x,y", what="gradient", backend="jax")
>>> jax.jit(k)(1000.0, 1000.0).tolist()
[0.5, 0.5]
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass

from ..core.errors import EvaluationError, SymnumError
from .inputs import _complex_refusal, _numpy_array

INSTALL = "pip install jax (the CPU build is enough), or pip install 'symnum[jax]'"
X64 = ("JAX computes in float32 unless 64-bit mode is on, and a JAX kernel needs float64: "
       "call jax.config.update('jax_enable_x64', True) at the start of the program (or set "
       "JAX_ENABLE_X64=1) before using backend='jax'")


def jax_available() -> bool:
    """Whether JAX can be imported (without importing it)."""
    try:
        return importlib.util.find_spec("jax") is not None
    except (ImportError, ValueError):
        return False


def require_jax() -> None:
    """A SymnumError unless JAX is installed and in 64-bit mode."""
    try:
        import jax
    except ImportError:
        raise SymnumError(f"backend='jax' needs JAX, which is not installed: {INSTALL}") from None
    if not jax.config.jax_enable_x64:
        raise SymnumError(X64)


def as_jax_array(value: object, name: str, complex_ok: bool = False) -> object:
    """``value`` as a float64 (or complex128) JAX array; JAX arrays and jit/grad tracers are
    converted in JAX, so tracing goes through; anything else is checked as for numpy."""
    import jax
    import jax.numpy as jnp

    dtype = jnp.complex128 if complex_ok else jnp.float64
    if isinstance(value, jax.Array):
        if jnp.iscomplexobj(value) and not complex_ok:
            raise _complex_refusal(name, "jax")
        return jnp.asarray(value, dtype=dtype)
    if type(value).__module__.startswith("torch"):
        value = value.detach().cpu().numpy()
    return jnp.asarray(_numpy_array(value, name, "jax", complex_ok), dtype=dtype)


def broadcast_shape(arrays: list) -> tuple[int, ...]:
    """The shape the inputs broadcast to, or an EvaluationError naming their shapes."""
    import numpy as np
    shapes = [tuple(a.shape) for a in arrays]
    try:
        return tuple(np.broadcast_shapes(*shapes))
    except ValueError:
        raise EvaluationError("the inputs' shapes do not broadcast together: " +
                              ", ".join(str(s) for s in shapes)) from None


@dataclass(frozen=True)
class JaxArrays:
    """The array functions :mod:`symnum.kernels.assembly` calls, in JAX (never ``out=``)."""

    dtype: object
    torch: bool = False
    numpy: bool = False
    eager: bool = False

    def full(self, value: object, batch: tuple[int, ...]) -> object:
        import jax.numpy as jnp
        return jnp.broadcast_to(jnp.asarray(value, dtype=self.dtype), batch)

    def stack(self, values, batch: tuple[int, ...], out: object = None) -> object:
        import jax.numpy as jnp
        return jnp.stack([self.full(v, batch) for v in values], axis=-1)

    def zeros(self, shape: tuple[int, ...]) -> object:
        import jax.numpy as jnp
        return jnp.zeros(shape, dtype=self.dtype)

    def root_and_sign(self, c: object) -> tuple[object, object | None]:
        import jax.numpy as jnp
        c = jnp.asarray(c)
        return (jnp.sqrt(c), None) if jnp.iscomplexobj(c) else (jnp.sqrt(jnp.abs(c)),
                                                                 jnp.sign(c))

    def where_diagonal(self, n: int, diagonal: object, elsewhere: object) -> object:
        import jax.numpy as jnp
        return jnp.where(jnp.eye(n, dtype=bool), diagonal[..., :, None], elsewhere)

    def multiply(self, a: object, b: object, out: object = None) -> object:
        return a * b


def run_jax(program: object, layout: object, arrays: list, complex_input: bool,
            out: object = None) -> object:
    """The kernel's result for JAX inputs: batch shape + result shape."""
    import jax.numpy as jnp

    require_jax()
    if out is not None:
        raise EvaluationError("out= is not available with backend='jax': JAX arrays cannot "
                              "be written into; use the returned array")
    batch = broadcast_shape(arrays)
    values = program.run(*arrays)
    dtype = jnp.complex128 if complex_input else jnp.float64
    return layout.assemble(values, batch, JaxArrays(dtype))
