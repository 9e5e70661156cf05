"""How each step of a program is spelled in Python source: floats, numpy, torch or JAX.

One table per dialect, one line per function (the knowledge); :mod:`symnum.kernels.source` is
the walk. The spellings compute what the backend tables of :mod:`symnum.kernels.backends`
compute, so generated source and batched kernels agree: ``max`` and ``min`` propagate nan
like ``numpy.maximum``, Heaviside(0) is its second argument (½ unless given), sign(0) = 0.

``math`` is the one-point dialect (Python floats, :mod:`symnum.kernels.one_point`): a domain
or overflow error raises (math.log(0), math.exp(1000)) and the caller then takes the batched
path, which answers -inf or inf like numpy. Where the standard library has no function
(digamma, polygamma, binomial), the one-point dialect calls scipy on the float.

>>> dialect("numpy").functions[sympy.Max]("x", "y")
'np.maximum(x, y)'
>>> dialect("math").functions[sympy.Max]("x", "y")
'(x if x >= y or x != x else y)'
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

import sympy
from sympy.codegen.cfunctions import expm1, log1p

from ..core.errors import EvaluationError
from ..core.real_root import RealRoot
from .dialect_helpers import HELPERS

Template = Callable[..., str]


@dataclass(frozen=True)
class Dialect:
    """Spellings for one target: ``functions`` per SymPy class, and the special forms."""

    name: str
    imports: tuple[str, ...]
    functions: dict[type, Template]
    pow_name: str  # power(a, b) for a non-numeric or fractional exponent
    sqrt_name: str
    where: str  # where(c, a, b) for Piecewise
    logic_names: tuple[str, str, str]  # and, or, not
    inf: str
    helpers: dict[str, str] = field(default_factory=dict)  # name → source, added when used

    def constant(self, value: bool | float | complex) -> str:
        if isinstance(value, bool):
            return ("1.0" if value else "0.0") if self.name == "c" else repr(value)
        if isinstance(value, complex):
            if self.name == "c":
                raise EvaluationError("complex constants have no C spelling here")
            return repr(value)
        if value != value:
            return "NAN" if self.name == "c" else self.inf.replace("inf", "nan")
        if value in (float("inf"), float("-inf")):
            return self.inf if value > 0 else f"-{self.inf}"
        return repr(value)

    def power(self, args: list[str], exponent: sympy.Basic | None) -> str:
        """a ** b the way :func:`symnum.kernels.program._power` computes it."""
        if exponent is None:
            return f"{self.pow_name}({args[0]}, {args[1]})"
        a = args[0]
        if exponent == sympy.S.Half:
            return f"{self.sqrt_name}({a})"
        if exponent == -sympy.S.Half:
            return f"1 / {self.sqrt_name}({a})"
        if exponent.is_Integer:
            k = int(exponent)
            if k == -1:
                return f"1 / {a}"
            if k == 2:
                return f"{a} * {a}"
            if self.name == "c":
                return f"pow({a}, {k}.0)" if k > 0 else f"1 / pow({a}, {-k}.0)"
            return f"{a} ** {k}" if k > 0 else f"1 / {a} ** {-k}"
        e = float(exponent) if exponent.is_real else complex(exponent)
        return f"{self.pow_name}({a}, {e!r})"

    def piecewise(self, args: list[str]) -> str:
        """The first pair (value, condition) whose condition holds; nan when none does."""
        pairs = list(zip(args[::2], args[1::2], strict=True))
        value = self.constant(float("nan"))
        for expr, cond in reversed(pairs):
            if self.name == "c":
                value = f"({cond} ? {expr} : {value})"
            elif self.name == "math":
                value = f"({expr} if {cond} else {value})"
            else:
                value = f"{self.where}({cond}, {expr}, {value})"
        return value

    def logic(self, kind: type, args: list[str]) -> str:
        if self.name == "c":
            if kind is sympy.Not:
                return f"!{args[0]}"
            return f" {'&&' if kind is sympy.And else '||'} ".join(f"({a})" for a in args)
        if self.name == "math":
            if kind is sympy.Not:
                return f"not {args[0]}"
            return f" {'and' if kind is sympy.And else 'or'} ".join(f"({a})" for a in args)
        both, either, negate = self.logic_names
        if kind is sympy.Not:
            return f"{negate}({args[0]})"
        return _nested(both if kind is sympy.And else either)(*args)


def _call(name: str) -> Template:
    return lambda *a: f"{name}({', '.join(a)})"


def _nested(name: str) -> Template:
    """name(name(a, b), c): numpy's pairwise functions folded left, like functools.reduce."""
    def spell(*a: str) -> str:
        text = a[0]
        for b in a[1:]:
            text = f"{name}({text}, {b})"
        return text
    return spell


def _recip(name: str) -> Template:
    return lambda a: f"1 / {name}({a})"


def _of_recip(name: str) -> Template:
    return lambda a: f"{name}(1 / {a})"


# SymPy class → (math name, numpy/torch/JAX name) for the functions every dialect has
_ELEMENTWISE = {
    sympy.sin: ("sin", "sin"), sympy.cos: ("cos", "cos"), sympy.tan: ("tan", "tan"),
    sympy.asin: ("asin", "arcsin"), sympy.acos: ("acos", "arccos"),
    sympy.atan: ("atan", "arctan"), sympy.sinh: ("sinh", "sinh"), sympy.cosh: ("cosh", "cosh"),
    sympy.tanh: ("tanh", "tanh"), sympy.asinh: ("asinh", "arcsinh"),
    sympy.acosh: ("acosh", "arccosh"), sympy.atanh: ("atanh", "arctanh"),
    sympy.exp: ("exp", "exp"), sympy.log: ("log", "log"), log1p: ("log1p", "log1p"),
    expm1: ("expm1", "expm1"),
}
# reciprocal functions: (function, its reciprocal's class, or the inverse of 1/x)
_RECIPROCALS = {sympy.cot: sympy.tan, sympy.sec: sympy.cos, sympy.csc: sympy.sin,
                sympy.coth: sympy.tanh, sympy.sech: sympy.cosh, sympy.csch: sympy.sinh}
_INVERSE_RECIPROCALS = {sympy.acot: sympy.atan, sympy.asec: sympy.acos, sympy.acsc: sympy.asin,
                        sympy.acoth: sympy.atanh}


def _common(prefix: str, column: int) -> dict[type, Template]:
    """The elementwise functions and their reciprocals, spelled ``prefix.name``."""
    name = {k: f"{prefix}.{v[column]}" for k, v in _ELEMENTWISE.items()}
    table: dict[type, Template] = {k: _call(n) for k, n in name.items()}
    table.update({k: _recip(name[v]) for k, v in _RECIPROCALS.items()})
    table.update({k: _of_recip(name[v]) for k, v in _INVERSE_RECIPROCALS.items()})
    return table


def _math() -> Dialect:
    table = _common("math", 0)
    table.update({
        sympy.atan2: _call("math.atan2"), sympy.Abs: _call("abs"),
        sympy.Max: lambda *a: _fold2(a, "{0} if {0} >= {1} or {0} != {0} else {1}", "_max"),
        sympy.Min: lambda *a: _fold2(a, "{0} if {0} <= {1} or {0} != {0} else {1}", "_min"),
        sympy.sign: lambda a: f"(1.0 if {a} > 0 else -1.0 if {a} < 0 else {a})",
        sympy.Heaviside: lambda a, h=None: _heaviside_inline(a, h),
        sympy.DiracDelta: lambda a: f"(math.inf if {a} == 0 else 0.0)",
        sympy.floor: lambda a: f"float(math.floor({a}))",
        sympy.ceiling: lambda a: f"float(math.ceil({a}))",
        sympy.re: lambda a: a, sympy.im: lambda a: "0.0", sympy.conjugate: lambda a: a,
        sympy.arg: lambda a: f"math.atan2(0.0, {a})",
        sympy.erf: _call("math.erf"), sympy.erfc: _call("math.erfc"),
        sympy.gamma: _call("math.gamma"),
        sympy.loggamma: lambda a: f"(math.lgamma({a}) if {a} > 0 else _bail())",
        sympy.factorial: lambda a: f"math.gamma({a} + 1)",
        sympy.digamma: lambda a: f"float(_scipy_special.psi({a}))",
        sympy.polygamma: lambda n, a: f"float(_scipy_special.polygamma(int({n}), {a}))",
        sympy.binomial: lambda n, k: f"float(_scipy_special.binom({n}, {k}))",
        RealRoot: lambda b, n: f"(math.cbrt({b}) if {n} == 3 else _real_root({b}, {n}))",
    })
    return Dialect("math", ("import math",), table, "math.pow", "math.sqrt", "", ("", "", ""),
                   "math.inf", HELPERS["math"])


def _fold2(args: tuple[str, ...], pattern: str, helper: str) -> str:
    if len(args) == 2:
        return "(" + pattern.format(*args) + ")"
    return f"{helper}({', '.join(args)})"


def _heaviside_inline(a: str, h: str | None) -> str:
    h = "0.5" if h is None else h
    return f"(1.0 if {a} > 0 else 0.0 if {a} < 0 else {h} if {a} == 0 else {a})"


def _array_common(prefix: str) -> dict[type, Template]:
    """numpy, torch and jax.numpy spell these alike."""
    table = _common(prefix, 1)
    table.update({
        sympy.atan2: _call(f"{prefix}.arctan2"), sympy.Abs: _call(f"{prefix}.abs"),
        sympy.sign: _call(f"{prefix}.sign"), sympy.floor: _call(f"{prefix}.floor"),
        sympy.ceiling: _call(f"{prefix}.ceil"),
        sympy.Heaviside: lambda a, h="0.5": f"_heaviside({a}, {h})",
        sympy.DiracDelta: lambda a: f"_dirac({a})",
        sympy.re: _call(f"{prefix}.real"), sympy.im: _call(f"{prefix}.imag"),
        sympy.conjugate: _call(f"{prefix}.conj"), sympy.arg: _call(f"{prefix}.angle"),
        sympy.Max: _nested(f"{prefix}.maximum"), sympy.Min: _nested(f"{prefix}.minimum"),
        RealRoot: lambda b, n: f"_real_root({b}, {n})",
        sympy.factorial: lambda a: f"_gamma({a} + 1)", sympy.gamma: _call("_gamma"),
    })
    return table


def _numpy() -> Dialect:
    table = _array_common("np")
    table.update({
        sympy.erf: _call("_erf"), sympy.erfc: _call("_erfc"),
        sympy.loggamma: _call("_loggamma"), sympy.digamma: lambda a: f"_polygamma(0, {a})",
        sympy.polygamma: _call("_polygamma"), sympy.binomial: _call("_binomial"),
    })
    return Dialect("numpy", ("import math", "import numpy as np"), table, "np.power",
                   "np.sqrt", "np.where", ("np.logical_and", "np.logical_or", "np.logical_not"),
                   "np.inf", HELPERS["numpy"])


def _torch() -> Dialect:
    table = _array_common("torch")
    table.update({
        sympy.atan2: _call("_arctan2"), sympy.Max: _call("_maximum"),
        sympy.Min: _call("_minimum"),
        sympy.erf: _call("torch.special.erf"), sympy.erfc: _call("torch.special.erfc"),
        sympy.loggamma: _call("torch.lgamma"), sympy.digamma: _call("torch.special.digamma"),
        sympy.polygamma: lambda n, a: f"torch.special.polygamma(int({n}), {a})",
    })
    return Dialect("torch", ("import math", "import torch"), table, "torch.pow", "torch.sqrt",
                   "_where", ("torch.logical_and", "torch.logical_or", "torch.logical_not"),
                   "math.inf", HELPERS["torch"])


def _jax() -> Dialect:
    table = _array_common("jnp")
    table.update({
        sympy.erf: _call("jax.scipy.special.erf"), sympy.erfc: _call("jax.scipy.special.erfc"),
        sympy.loggamma: _call("jax.scipy.special.gammaln"),
        sympy.digamma: _call("jax.scipy.special.digamma"),
        sympy.polygamma: lambda n, a: f"jax.scipy.special.polygamma(int({n}), {a})",
        sympy.gamma: _call("jax.scipy.special.gamma"),
        sympy.factorial: lambda a: f"jax.scipy.special.gamma({a} + 1)",
        sympy.Abs: _call("_abs"),
    })
    return Dialect("jax", ("import math", "import jax", "import jax.numpy as jnp",
                           "import jax.scipy.special"), table, "jnp.power", "jnp.sqrt",
                   "jnp.where", ("jnp.logical_and", "jnp.logical_or", "jnp.logical_not"),
                   "jnp.inf", HELPERS["jax"])


def _c() -> Dialect:
    """C doubles with <math.h>: inf and nan as numpy gives them, no exceptions. No digamma,
    polygamma or binomial: a program that needs them has no C form."""
    table = {k: _call(v[0]) for k, v in _ELEMENTWISE.items()}
    table.update({k: _recip(v.__name__) for k, v in _RECIPROCALS.items()})
    table.update({k: _of_recip(v.__name__) for k, v in _INVERSE_RECIPROCALS.items()})
    table.update({
        sympy.atan2: _call("atan2"), sympy.Abs: _call("fabs"),
        sympy.Max: _nested("smx_max"), sympy.Min: _nested("smx_min"),
        sympy.sign: _call("smx_sign"),
        sympy.Heaviside: lambda a, h="0.5": f"smx_heaviside({a}, {h})",
        sympy.DiracDelta: lambda a: f"({a} == 0 ? INFINITY : 0.0)",
        sympy.floor: _call("floor"), sympy.ceiling: _call("ceil"),
        sympy.re: lambda a: a, sympy.im: lambda a: "0.0", sympy.conjugate: lambda a: a,
        sympy.arg: lambda a: f"atan2(0.0, {a})",
        sympy.erf: _call("erf"), sympy.erfc: _call("erfc"), sympy.gamma: _call("tgamma"),
        sympy.loggamma: _call("smx_loggamma"), sympy.factorial: lambda a: f"tgamma({a} + 1)",
        RealRoot: _call("smx_real_root"),
    })
    return Dialect("c", ("#include <math.h>",), table, "pow", "sqrt", "", ("", "", ""),
                   "INFINITY", HELPERS["c"])


@functools.cache
def dialect(name: str) -> Dialect:
    """The dialect called ``name``: "math", "numpy", "torch", "jax" or "c"."""
    makers = {"math": _math, "numpy": _numpy, "torch": _torch, "jax": _jax, "c": _c}
    if name not in makers:
        raise ValueError(f"unknown dialect {name!r}")
    return makers[name]()


def used_helpers(d: Dialect, source: str) -> list[str]:
    """The helper definitions ``source`` calls, in the table's order (a helper may use an
    earlier one)."""
    needed = {name for name in d.helpers if f"{name}(" in source}
    changed = True
    while changed:  # helpers that call helpers
        changed = False
        for name in list(needed):
            for other in d.helpers:
                if other not in needed and f"{other}(" in d.helpers[name]:
                    needed.add(other)
                    changed = True
    return [d.helpers[name] for name in d.helpers if name in needed]
