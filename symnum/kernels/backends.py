"""Tables from SymPy node types to numeric functions: numpy, torch, JAX and mpmath.

One line per function (the knowledge); :mod:`symnum.kernels.program` is the generic walk that uses
them (the machinery). ``torch`` and ``jax`` are imported only when their table is first asked
for (JAX is optional: :mod:`symnum.kernels.jax_kernel` says how to get it).

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
from sympy.codegen.cfunctions import expm1, log1p

from ..core.logistic import sigmoid
from ..core.real_root import RealRoot

# Node types that are smooth where they are defined; the complex step applies to them.
NON_ANALYTIC = (sympy.Abs, sympy.sign, sympy.Max, sympy.Min, sympy.Piecewise, sympy.floor,
                sympy.ceiling, sympy.Heaviside, sympy.re, sympy.im, sympy.conjugate, sympy.arg,
                sympy.DiracDelta)
# Node types whose argument crossing 0 is a kink or jump.
KINKS = (sympy.Abs, sympy.sign, sympy.Heaviside, sympy.floor, sympy.ceiling, sympy.Max,
         sympy.Min, sympy.Piecewise)


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


# Functions that numpy, scipy.special and torch all let write into an ``out`` array.
_UNARY_INTO = {sympy.sin: "sin", sympy.cos: "cos", sympy.tan: "tan", sympy.asin: "arcsin",
               sympy.acos: "arccos", sympy.atan: "arctan", sympy.sinh: "sinh",
               sympy.cosh: "cosh", sympy.tanh: "tanh", sympy.asinh: "arcsinh",
               sympy.acosh: "arccosh", sympy.atanh: "arctanh", sympy.exp: "exp",
               sympy.log: "log", sympy.Abs: "abs", sympy.floor: "floor",
               sympy.ceiling: "ceil", log1p: "log1p", expm1: "expm1"}


def _into(lib, special) -> dict[type, Callable]:
    """The ``into`` table shared by numpy and torch (same names, same ``out=`` keyword)."""
    into: dict[type, Callable] = {t: getattr(lib, name) for t, name in _UNARY_INTO.items()}
    into.update({
        sympy.erf: special.erf, sympy.erfc: special.erfc,
        sympy.Add: _accumulate_into(lib.add, operator.iadd),
        sympy.Mul: _accumulate_into(lib.multiply, operator.imul),
        sympy.Max: _accumulate_into(lib.maximum, lambda o, a: lib.maximum(o, a, out=o)),
        sympy.Min: _accumulate_into(lib.minimum, lambda o, a: lib.minimum(o, a, out=o)),
    })
    return into


def _reduce(op: Callable) -> Callable:
    return lambda *args: functools.reduce(op, args)


def _common(lib, special) -> dict[type, Callable]:
    """Entries shared by numpy and torch, which spell most functions the same way."""
    recip = lambda f: lambda x: 1 / f(x)  # noqa: E731 - a table of one-liners reads best
    return {
        sympy.sin: lib.sin, sympy.cos: lib.cos, sympy.tan: lib.tan,
        sympy.cot: recip(lib.tan), sympy.sec: recip(lib.cos), sympy.csc: recip(lib.sin),
        sympy.asin: lib.arcsin, sympy.acos: lib.arccos, sympy.atan: lib.arctan,
        sympy.acot: lambda x: lib.arctan(1 / x), sympy.asec: lambda x: lib.arccos(1 / x),
        sympy.acsc: lambda x: lib.arcsin(1 / x), sympy.atan2: lib.arctan2,
        sympy.sinh: lib.sinh, sympy.cosh: lib.cosh, sympy.tanh: lib.tanh,
        sympy.coth: recip(lib.tanh), sympy.sech: recip(lib.cosh), sympy.csch: recip(lib.sinh),
        sympy.asinh: lib.arcsinh, sympy.acosh: lib.arccosh, sympy.atanh: lib.arctanh,
        sympy.acoth: lambda x: lib.arctanh(1 / x),
        sympy.exp: lib.exp, sympy.log: lib.log, sympy.Abs: lib.abs, sympy.sign: lib.sign,
        sympy.floor: lib.floor, sympy.ceiling: lib.ceil,
        sympy.Max: _reduce(lib.maximum), sympy.Min: _reduce(lib.minimum),
        sympy.Add: _accumulate(operator.add, operator.iadd),
        sympy.Mul: _accumulate(operator.mul, operator.imul),
        sympy.re: lib.real, sympy.im: lib.imag,
        sympy.erf: special.erf, sympy.erfc: special.erfc, log1p: lib.log1p,
        expm1: lib.expm1,
    }


def _real_root(lib, b, n, complex_input: bool):
    """The real n-th root (odd n) of real ``b``; for complex ``b`` (the complex step) its
    analytic continuation from the real axis: −(−b)^(1/n) left of 0, b^(1/n) right of it."""
    n = int(round(float(n)))
    if complex_input:
        return lib.where(b.real < 0, -((-b) ** (1.0 / n)), b ** (1.0 / n))
    return lib.sign(b) * lib.abs(b) ** (1.0 / n)


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
    import scipy.special as sc

    functions = _common(np, sc)
    functions.update({
        sympy.Heaviside: lambda x, h0=0.5: np.heaviside(x, h0),
        sympy.DiracDelta: lambda x: np.where(x == 0, np.inf, 0.0),
        sympy.gamma: sc.gamma, sympy.loggamma: sc.loggamma, sympy.digamma: sc.psi,
        sympy.polygamma: lambda n, x: sc.polygamma(np.asarray(np.real(n)).astype(int), x),
        sympy.factorial: lambda x: sc.gamma(x + 1), sympy.binomial: sc.binom,
        sympy.conjugate: np.conj, sympy.arg: np.angle,
        sigmoid: lambda x: 1 / (1 + np.exp(-x)) if np.iscomplexobj(x) else sc.expit(x),
        RealRoot: lambda b, n: np.cbrt(b) if n == 3 and not np.iscomplexobj(b)
        else _real_root(np, b, n, np.iscomplexobj(b)),
    })
    return Backend("numpy", functions, constant=_python_number,
                   where=lambda c, a, b: np.where(c, a, b),
                   extra={"sqrt": np.sqrt, "power": np.power, "asarray": np.asarray,
                          "and": np.logical_and, "or": np.logical_or, "not": np.logical_not,
                          "add": np.add, "subtract": np.subtract, "multiply": np.multiply,
                          "reciprocal": np.reciprocal},
                   into=_into(np, sc))


def _torch() -> Backend:
    import torch

    def gamma(x):
        # torch has lgamma only; the reflection formula gives the sign for x < 0. Each branch
        # sees a harmless stand-in where it is not used: torch.where passes gradients into
        # both, and a nan in the unused one (sin(2π)·lgamma(−1) at x = 2) poisons the result.
        right = x > 0
        pos = torch.exp(torch.lgamma(torch.where(right, x, torch.ones_like(x))))
        left = torch.where(right, torch.full_like(x, 0.5), x)
        neg = math.pi / (torch.sin(math.pi * left) * torch.exp(torch.lgamma(1 - left)))
        return torch.where(right, pos, neg)

    functions = _common(torch, torch.special)
    functions.update({
        sympy.Abs: torch.abs, sympy.sign: torch.sign,
        sympy.Heaviside: lambda x, h0=0.5: torch.heaviside(x, torch.full_like(x, float(h0))),
        sympy.DiracDelta: lambda x: torch.where(x == 0, torch.inf, 0.0 * x),
        sympy.gamma: gamma, sympy.loggamma: torch.lgamma, sympy.digamma: torch.special.digamma,
        sympy.polygamma: lambda n, x: torch.special.polygamma(int(n), x),
        sympy.factorial: lambda x: gamma(x + 1),
        sympy.conjugate: torch.conj, sympy.arg: torch.angle, sigmoid: torch.sigmoid,
        RealRoot: lambda b, n: _real_root(torch, b, n, torch.is_complex(torch.as_tensor(b))),
    })
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
                   into=_into(torch, torch.special))


def _jax() -> Backend:
    """jax.numpy and jax.scipy.special: the numpy spellings, traceable by jit and grad.
    Functions with a kink (Abs, Max, Heaviside, ...) take numpy's values, and autodiff
    through them takes torch's conventions: d|x|/dx = sign(x), 0 at 0 (JAX's own abs has 1
    there, which makes jax.grad of a stable softplus max(0, a) + log1p(exp(-|a|)) wrong at
    a = 0), half of the gradient to each side of a tie in Max/Min. loggamma is real (nan left
    of 0, as scipy's), gamma keeps its sign there."""
    import jax
    import jax.numpy as jnp
    import jax.scipy.special as js

    @jax.custom_jvp
    def absolute(x):
        return jnp.abs(x)

    @absolute.defjvp
    def _absolute_jvp(primals, tangents):
        (x,), (t,) = primals, tangents
        return jnp.abs(x), jnp.sign(x) * t

    def binomial(n, k):
        return js.gamma(n + 1) / (js.gamma(k + 1) * js.gamma(n - k + 1))

    functions = _common(jnp, js)
    functions.update({
        sympy.Abs: absolute, sympy.Heaviside: lambda x, h0=0.5: jnp.heaviside(x, h0),
        sympy.DiracDelta: lambda x: jnp.where(x == 0, jnp.inf, 0.0 * x),
        sympy.gamma: js.gamma,
        sympy.loggamma: lambda x: jnp.where(x > 0, js.gammaln(jnp.where(x > 0, x, 1.0)),
                                            jnp.nan),
        sympy.digamma: js.digamma,
        sympy.polygamma: lambda n, x: js.polygamma(int(n), x),
        sympy.factorial: lambda x: js.gamma(x + 1), sympy.binomial: binomial,
        sympy.conjugate: jnp.conj, sympy.arg: jnp.angle, sigmoid: jax.nn.sigmoid,
        RealRoot: lambda b, n: jnp.cbrt(b) if int(n) == 3 and not jnp.iscomplexobj(b)
        else _real_root(jnp, b, n, jnp.iscomplexobj(b)),
    })
    return Backend("jax", functions, constant=_python_number,
                   where=lambda c, a, b: jnp.where(c, a, b),
                   extra={"sqrt": jnp.sqrt, "power": jnp.power, "asarray": jnp.asarray,
                          "and": jnp.logical_and, "or": jnp.logical_or,
                          "not": jnp.logical_not, "add": jnp.add, "subtract": jnp.subtract,
                          "multiply": jnp.multiply, "reciprocal": jnp.reciprocal})


def _mpmath() -> Backend:
    import mpmath as mp

    functions = {
        sympy.sin: mp.sin, sympy.cos: mp.cos, sympy.tan: mp.tan, sympy.cot: mp.cot,
        sympy.sec: mp.sec, sympy.csc: mp.csc, sympy.asin: mp.asin, sympy.acos: mp.acos,
        sympy.atan: mp.atan, sympy.acot: mp.acot, sympy.asec: mp.asec, sympy.acsc: mp.acsc,
        sympy.atan2: mp.atan2, sympy.sinh: mp.sinh, sympy.cosh: mp.cosh, sympy.tanh: mp.tanh,
        sympy.coth: mp.coth, sympy.sech: mp.sech, sympy.csch: mp.csch, sympy.asinh: mp.asinh,
        sympy.acosh: mp.acosh, sympy.atanh: mp.atanh, sympy.acoth: mp.acoth,
        sympy.exp: mp.exp, sympy.log: mp.log, sympy.Abs: abs, sympy.sign: mp.sign,
        sympy.floor: mp.floor, sympy.ceiling: mp.ceil, sympy.Max: max, sympy.Min: min,
        sympy.Add: lambda *a: mp.fsum(a), sympy.Mul: lambda *a: mp.fprod(a), log1p: mp.log1p,
        expm1: mp.expm1,
        sympy.re: mp.re, sympy.im: mp.im, sympy.conjugate: mp.conj, sympy.arg: mp.arg,
        sympy.erf: mp.erf, sympy.erfc: mp.erfc, sympy.gamma: mp.gamma,
        sympy.loggamma: mp.loggamma, sympy.digamma: mp.digamma,
        sympy.polygamma: lambda n, x: mp.polygamma(int(n), x),
        sympy.factorial: mp.factorial, sympy.binomial: mp.binomial,
        sympy.Heaviside: lambda x, h0=0.5: mp.mpf(1) if x > 0 else (mp.mpf(0) if x < 0 else h0),
        sympy.DiracDelta: lambda x: mp.inf if x == 0 else mp.mpf(0),
        sigmoid: lambda x: 1 / (1 + mp.exp(-x)),
        RealRoot: lambda b, n: (-((-b) ** (mp.mpf(1) / int(n))) if mp.re(b) < 0
                                else b ** (mp.mpf(1) / int(n))),
    }
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
