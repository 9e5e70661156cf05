"""Knowledge tables for the parser: which names are functions, which are constants.

The function names are generated from :mod:`symnum.core.registry` (one record per function);
constants and refused names are tables here, one line per name.

>>> FUNCTIONS["ln"] is sympy.log
True
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

import sympy

from .registry import BY_NAME, eager_integer_names


class _Builders(Mapping[str, Callable[..., sympy.Expr]]):
    """Each name the parser reads → the callable building its SymPy node, read from the
    function registry at each use (a record added to it is a name at once)."""

    def __getitem__(self, name: str) -> Callable[..., sympy.Expr]:
        return BY_NAME[name].builder

    def __contains__(self, name: object) -> bool:
        return name in BY_NAME

    def __iter__(self) -> Iterator[str]:
        return iter(BY_NAME)

    def __len__(self) -> int:
        return len(BY_NAME)


# name -> the callable building the SymPy node; generated from the function registry
FUNCTIONS: Mapping[str, Callable[..., sympy.Expr]] = _Builders()

# Functions whose integer arguments SymPy evaluates eagerly: big ones would hang.
EAGER_INTEGER_FUNCTIONS = eager_integer_names()

# Unicode names (σ, Γ, ψ): applied they are the function, alone a variable's name
UNICODE_FUNCTIONS = frozenset(n for n, r in BY_NAME.items() if n in r.unicode)

CONSTANTS: dict[str, sympy.Expr] = {
    "pi": sympy.pi, "E": sympy.E, "e": sympy.E, "I": sympy.I,
    "oo": sympy.oo, "inf": sympy.oo, "infinity": sympy.oo, "π": sympy.pi,
}

# Names that look like a function a user meant but that symnum does not compute: refused with
# this hint instead of becoming an undefined function that silently "works".
REFUSED_FUNCTIONS: dict[str, str] = {
    "Sum": "write a finite sum out (x1 + x2 + ...); symbolic sums are not supported",
    "sum": "sum(v) adds the entries of a vector or matrix declared with --shape; write a sum "
           "of scalars out (x1 + x2 + ...)",
    "Integral": "integrals are not supported: symnum differentiates",
    "integrate": "integrals are not supported: symnum differentiates",
    "Derivative": "write the expression itself; symnum takes its derivatives",
    "diff": "write the expression itself; symnum takes its derivatives",
    "Subs": "substitutions are not supported: write the expression with the value in it",
}
