"""The registry's lookups: every record, and the tables other modules are generated from.

>>> BY_NAME["ln"].sympy is sympy.log
True
>>> BY_CLASS[sympy.erf].textbook
'error function'
>>> sympy.Abs in kinks() and sympy.sin not in non_analytic()
True
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import sympy

from . import activations, elementary, nonsmooth, special
from .record import Record, Spelling, Target

RECORDS: tuple[Record, ...] = (*elementary.RECORDS, *special.RECORDS, *nonsmooth.RECORDS,
                               *activations.RECORDS)
"""Every function symnum knows, one record each."""

BY_NAME: dict[str, Record] = {n: r for r in RECORDS for n in r.names}
"""Each name the parser reads (plain, alias, Unicode) → its record."""

BY_CLASS: dict[type, Record] = {r.sympy: r for r in RECORDS if r.sympy is not None}
"""Each SymPy class → its record (notation such as relu has no class of its own)."""

CLASSES: dict[str, type] = {cls.__name__: cls for cls in BY_CLASS}
"""SymPy class names → classes: the names derivative texts are written in."""


def parser_functions() -> dict[str, Callable[..., sympy.Expr]]:
    """Every name the parser reads → the callable that builds its expression."""
    return {name: r.builder for name, r in BY_NAME.items()}


def eager_integer_names() -> frozenset[str]:
    """Names whose integer arguments SymPy evaluates eagerly (big ones would hang)."""
    return frozenset(n for r in RECORDS if r.eager_integer for n in r.names)


def non_analytic() -> tuple[type, ...]:
    """The classes the complex step cannot see through (kinks, jumps, complex parts)."""
    return tuple(r.sympy for r in RECORDS if r.sympy is not None and not r.analytic)


def kinks() -> tuple[type, ...]:
    """The classes whose argument crossing a point is a kink or a jump."""
    return tuple(r.sympy for r in RECORDS if r.sympy is not None and r.kink)


def spelled(target: str) -> list[tuple[Record, Target]]:
    """(record, how ``target`` computes it) for every record with a class of its own."""
    return [(r, r.spell[target]) for r in RECORDS if r.sympy is not None and target in r.spell]


@functools.cache
def helpers(target: str) -> dict[str, str]:
    """Every helper ``target``'s spellings call: name → source, in the records' order (a
    helper may use one listed before it). One name, one source: two records that need the
    same helper share it."""
    found: dict[str, str] = {}
    for _, spelling in spelled(target):
        if not isinstance(spelling, Spelling):
            continue
        for name, source in spelling.helpers:
            if found.setdefault(name, source) != source:
                raise ValueError(f"two different {target} helpers are called {name}")
    return found
