"""How each step of a program is spelled in Python source: floats, numpy, torch or JAX.

The functions' spellings come from :mod:`symnum.core.registry` (one record per function), the
same text the live backend tables of :mod:`symnum.kernels.backends` are compiled from, so
generated source and batched kernels agree: ``max`` and ``min`` propagate nan like
``numpy.maximum``, Heaviside(0) is its second argument (½ unless given), sign(0) = 0. Here
are the special forms (powers, Piecewise, logic, constants); :mod:`symnum.kernels.source` is
the walk.

``math`` is the one-point dialect (Python floats, :mod:`symnum.kernels.one_point`): a domain
or overflow error raises (math.log(0), math.exp(1000)) and the caller then takes the batched
path, which answers -inf or inf like numpy. Where the standard library has no function
(digamma, polygamma, binomial), the one-point dialect calls scipy on the float.

>>> dialect("numpy").functions[sympy.Max]("x", "y")
'np.maximum(x, y)'
>>> dialect("c").unsupported[sympy.polygamma]
"C's <math.h> has no digamma, polygamma or binomial"
>>> dialect("math").functions[sympy.Max]("x", "y")
'(x if x >= y or x != x else y)'
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import sympy

from ..core.errors import EvaluationError
from ..core.registry import Record, Spelling, Unsupported, spelled
from ..core.registry import helpers as registry_helpers

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
    unsupported: dict[type, str] = field(default_factory=dict)  # class → why it has no form

    def constant(self, value: bool | float | complex) -> str:
        if isinstance(value, bool):
            return ("1.0" if value else "0.0") if self.name == "c" else repr(value)
        if isinstance(value, complex):
            if self.name == "c":
                raise EvaluationError("complex constants have no C spelling here")
            if value == value and abs(value) != float("inf"):
                return repr(value)
            # repr(complex(nan, nan)) is "(nan+nanj)", no Python expression
            return f"complex({self.constant(value.real)}, {self.constant(value.imag)})"
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
        text = args[0]
        for b in args[1:]:  # name(name(a, b), c): numpy's pairwise functions folded left
            text = f"{both if kind is sympy.And else either}({text}, {b})"
        return text


def _template(record: Record, spelling: Spelling) -> Template:
    """The record's spelling as a template of argument names; trailing optional arguments
    left out take the record's defaults (Heaviside(u) is Heaviside(u, ½))."""
    low = record.arity[0]

    def spell(*args: str) -> str:
        missing = record.defaults[len(args) - low:] if len(args) < low + len(record.defaults) \
            else ()
        return spelling.format([*args, *missing])
    return spell


def _tables(target: str) -> tuple[dict[type, Template], dict[type, str]]:
    """(templates, reasons a function has no spelling) for ``target`` from the registry."""
    functions: dict[type, Template] = {}
    unsupported: dict[type, str] = {}
    for record, spelling in spelled(target):
        if isinstance(spelling, Unsupported):
            unsupported[record.sympy] = spelling.reason
        else:
            functions[record.sympy] = _template(record, spelling)
    return functions, unsupported


def _make(name: str, imports: tuple[str, ...], pow_name: str, sqrt_name: str, where: str,
          logic: tuple[str, str, str], inf: str, extra: dict[str, str] | None = None
          ) -> Dialect:
    functions, unsupported = _tables(name)
    return Dialect(name, imports, functions, pow_name, sqrt_name, where, logic, inf,
                   {**(extra or {}), **registry_helpers(name)}, unsupported)


def _math() -> Dialect:
    return _make("math", ("import math",), "math.pow", "math.sqrt", "", ("", "", ""),
                 "math.inf")


def _numpy() -> Dialect:
    return _make("numpy", ("import math", "import numpy as np"), "np.power", "np.sqrt",
                 "np.where", ("np.logical_and", "np.logical_or", "np.logical_not"), "np.inf")


def _torch() -> Dialect:
    return _make("torch", ("import math", "import torch"), "torch.pow", "torch.sqrt", "_where",
                 ("torch.logical_and", "torch.logical_or", "torch.logical_not"), "math.inf",
                 {"_where": _TORCH_WHERE})


def _jax() -> Dialect:
    return _make("jax", ("import math", "import jax", "import jax.numpy as jnp",
                         "import jax.scipy.special"), "jnp.power", "jnp.sqrt", "jnp.where",
                 ("jnp.logical_and", "jnp.logical_or", "jnp.logical_not"), "jnp.inf")


def _c() -> Dialect:
    """C doubles with <math.h>: inf and nan as numpy gives them, no exceptions. A program
    that needs a function C lacks (digamma, polygamma, binomial) has no C form."""
    return _make("c", ("#include <math.h>",), "pow", "sqrt", "", ("", "", ""), "INFINITY")


_TORCH_WHERE = '''
def _where(condition, a, b):
    if isinstance(condition, bool):
        return a if condition else b
    return torch.where(condition, a, b)
'''


@functools.cache
def dialect(name: str) -> Dialect:
    """The dialect called ``name``: "math", "numpy", "torch", "jax" or "c"."""
    makers = {"math": _math, "numpy": _numpy, "torch": _torch, "jax": _jax, "c": _c}
    if name not in makers:
        raise ValueError(f"unknown dialect {name!r}")
    return makers[name]()


def used_helpers(d: Dialect, source: str) -> list[str]:
    """The helper definitions ``source`` uses, in the table's order (a helper may use an
    earlier one), with the helpers those use."""
    def uses(text: str, name: str) -> bool:
        return re.search(rf"(?<![\w.]){re.escape(name)}\b", text) is not None

    needed = {name for name in d.helpers if uses(source, name)}
    changed = True
    while changed:  # helpers that use helpers
        changed = False
        for name in list(needed):
            for other in d.helpers:
                if other not in needed and uses(d.helpers[name], other):
                    needed.add(other)
                    changed = True
    return [d.helpers[name] for name in d.helpers if name in needed]
