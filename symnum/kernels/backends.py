"""Tables from SymPy node types to numeric functions: numpy, torch, JAX and mpmath.

The functions are compiled from the spellings of :mod:`symnum.core.registry` (the knowledge,
one record per function: the same source text exports write); :mod:`symnum.kernels.program`
is the generic walk that uses them (the machinery). ``torch`` and ``jax`` are imported only
when their table is first asked for (JAX is optional: :mod:`symnum.kernels.jax_kernel` says
how to get it).

>>> import numpy
>>> table("numpy").functions[sympy.sin] is numpy.sin
True
"""

from __future__ import annotations

import functools
import math
import operator
from collections.abc import Callable
from dataclasses import dataclass, field

import sympy

from ..core.registry import Spelling, kinks, live_source, non_analytic, spelled
from ..core.registry import helpers as registry_helpers

# Node types where the complex step does not apply (kinks, jumps, complex parts), and those
# whose argument crossing a point is a kink or jump: generated from the function registry.
NON_ANALYTIC = (*non_analytic(), sympy.Piecewise)
KINKS = (*kinks(), sympy.Piecewise)


@dataclass(frozen=True)
class Backend:
    """A numeric library as seen by the evaluator: functions per SymPy type, and helpers."""

    name: str
    functions: dict[type, Callable]
    constant: Callable[[sympy.Expr], object]  # a SymPy number → the backend's number
    where: Callable[[object, object, object], object]
    extra: dict[str, Callable] = field(default_factory=dict)
    # the same functions writing into a given array: into[type](*args, out=array)
    into: dict[type, Callable] = field(default_factory=dict)


def _python_number(c: sympy.Expr) -> float | complex:
    return float(c) if c.is_real else complex(c)


def _accumulate(op: Callable, in_place: Callable) -> Callable:
    """a ∘ b ∘ c ...: the first result is a new array, the rest update it in place (saves an
    allocation per term; arrays of a million entries make that most of the cost)."""
    def run(*args):
        total = op(args[0], args[1]) if len(args) > 1 else args[0]
        for a in args[2:]:
            if may_update(total, a):
                total = in_place(total, a)
            else:
                total = op(total, a)
        return total
    return run


def may_update(total: object, a: object) -> bool:
    """Whether ``total`` (a fresh array) may absorb ``a`` in place: same shape and dtype, and
    no autograd recording (torch would need the old value for its backward pass)."""
    shape = getattr(total, "shape", None)
    if not shape or getattr(a, "shape", None) != shape or \
            getattr(a, "dtype", None) != getattr(total, "dtype", None):
        return False
    if type(total).__module__.startswith("torch"):
        import torch
        return not torch.is_grad_enabled()
    return True


def fold_into(total: object, terms: list[tuple[Callable, Callable, object]], out: object,
              written: bool = False) -> object:
    """total ∘₁ a₁ ∘₂ a₂ ... written into ``out``, in order, for terms (op, in_place, a):
    scalars before the first full-size argument combine as they are, the first full-size
    step writes ``out`` (``op(x, y, out=out)``), later terms update it in place."""
    for op, in_place, a in terms:
        if written:
            in_place(out, a)
        elif getattr(a, "shape", None) == out.shape or \
                getattr(total, "shape", None) == out.shape:
            op(total, a, out=out)
            written = True
        else:
            total = op(total, a)
    return out


def _accumulate_into(op: Callable, in_place: Callable) -> Callable:
    """a ∘ b ∘ c ... written into ``out``, in the same order as :func:`_accumulate`."""
    return lambda *args, out: fold_into(args[0], [(op, in_place, a) for a in args[1:]], out)


def spelled_functions(target: str, namespace: dict[str, object]
                      ) -> tuple[dict[type, Callable], dict[type, Callable]]:
    """(functions, their ``out=`` forms) of ``target`` compiled from the registry's
    spellings: the very source text an export writes, with its helpers run once in
    ``namespace`` (the library's modules by the names the text uses). A text that calls one
    library function (``np.sin({0})``) is that function itself, no wrapper."""
    for source in registry_helpers(target).values():
        exec(compile(source, f"<symnum {target} helpers>", "exec"), namespace)  # noqa: S102
    functions: dict[type, Callable] = {}
    into: dict[type, Callable] = {}
    for record, spelling in spelled(target):
        if not isinstance(spelling, Spelling):
            continue
        direct, text = live_source(spelling, record.defaults)
        fn = eval(direct or text, namespace)  # noqa: S307 - the registry's own source text
        functions[record.sympy] = fn
        if spelling.into and direct:
            into[record.sympy] = fn
    return functions, into


def _into(lib, into: dict[type, Callable]) -> dict[type, Callable]:
    """The ``into`` table shared by numpy and torch: the registry's ``out=`` functions and
    the sums, products, maxima and minima written into ``out``."""
    into.update({
        sympy.Add: _accumulate_into(lib.add, operator.iadd),
        sympy.Mul: _accumulate_into(lib.multiply, operator.imul),
        sympy.Max: _accumulate_into(lib.maximum, lambda o, a: lib.maximum(o, a, out=o)),
        sympy.Min: _accumulate_into(lib.minimum, lambda o, a: lib.minimum(o, a, out=o)),
    })
    return into


_ARITHMETIC = {sympy.Add: _accumulate(operator.add, operator.iadd),
               sympy.Mul: _accumulate(operator.mul, operator.imul)}


@functools.cache
def table(name: str) -> Backend:
    """The backend called ``name``: "numpy", "torch", "jax" or "mpmath"."""
    if name == "numpy":
        return _numpy()
    if name == "torch":
        return _torch()
    if name == "jax":
        return _jax()
    if name == "mpmath":
        return _mpmath()
    raise ValueError(f"unknown backend {name!r}: choose numpy, torch or jax")


def _numpy() -> Backend:
    import numpy as np

    functions, into = spelled_functions("numpy", {"np": np, "math": math})
    functions.update(_ARITHMETIC)
    return Backend("numpy", functions, constant=_python_number,
                   where=lambda c, a, b: np.where(c, a, b),
                   extra={"sqrt": np.sqrt, "power": np.power, "asarray": np.asarray,
                          "and": np.logical_and, "or": np.logical_or, "not": np.logical_not,
                          "add": np.add, "subtract": np.subtract, "multiply": np.multiply,
                          "reciprocal": np.reciprocal},
                   into=_into(np, into))


def _torch() -> Backend:
    import torch

    functions, into = spelled_functions("torch", {"torch": torch, "math": math})
    functions.update(_ARITHMETIC)

    def constant(c: sympy.Expr):
        value = _python_number(c)
        return torch.tensor(value, dtype=torch.complex128 if isinstance(value, complex)
                            else torch.float64)

    return Backend("torch", functions, constant=constant,
                   where=lambda c, a, b: torch.where(c, a, b),
                   extra={"sqrt": torch.sqrt, "power": torch.pow, "asarray": torch.as_tensor,
                          "and": torch.logical_and, "or": torch.logical_or,
                          "not": torch.logical_not, "add": torch.add, "subtract": torch.subtract,
                          "multiply": torch.multiply, "reciprocal": torch.reciprocal},
                   into=_into(torch, into))


def _jax() -> Backend:
    """jax.numpy and jax.scipy.special, traceable by jit and grad. Functions with a kink
    take numpy's values, and autodiff through them takes torch's conventions: d|x|/dx =
    sign(x), 0 at 0 (JAX's own abs has 1 there, which makes jax.grad of a stable softplus
    max(0, a) + log1p(exp(-|a|)) wrong at a = 0), half of the gradient to each side of a tie
    in Max/Min. loggamma is real (nan left of 0, as scipy's), gamma keeps its sign there."""
    import jax
    import jax.nn
    import jax.numpy as jnp
    import jax.scipy.special

    functions, _ = spelled_functions("jax", {"jax": jax, "jnp": jnp, "math": math})
    functions.update(_ARITHMETIC)
    return Backend("jax", functions, constant=_python_number,
                   where=lambda c, a, b: jnp.where(c, a, b),
                   extra={"sqrt": jnp.sqrt, "power": jnp.power, "asarray": jnp.asarray,
                          "and": jnp.logical_and, "or": jnp.logical_or,
                          "not": jnp.logical_not, "add": jnp.add, "subtract": jnp.subtract,
                          "multiply": jnp.multiply, "reciprocal": jnp.reciprocal})


def _mpmath() -> Backend:
    import mpmath as mp

    functions, _ = spelled_functions("mpmath", {"mp": mp, "math": math})
    functions.update({sympy.Add: lambda *a: mp.fsum(a), sympy.Mul: lambda *a: mp.fprod(a)})

    def constant(c: sympy.Expr):
        # Exact constants (pi, 1/3) at the working precision of the caller, not float64.
        value = sympy.N(c, max(mp.mp.dps, 15) + 10)
        return mp.mpf(str(value)) if value.is_real else mp.mpc(str(sympy.re(value)),
                                                                str(sympy.im(value)))

    return Backend("mpmath", functions, constant=constant,
                   where=lambda c, a, b: a if c else b,
                   extra={"sqrt": mp.sqrt, "power": mp.power, "asarray": lambda x: x,
                          "and": lambda a, b: a and b, "or": lambda a, b: a or b,
                          "not": lambda a: not a})
