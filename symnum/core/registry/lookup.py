"""The registry's lookups: every record, and the tables other modules are generated from.

>>> BY_NAME["ln"].sympy is sympy.log
True
>>> BY_CLASS[sympy.erf].textbook
'error function'
>>> sympy.Abs in kinks() and sympy.sin not in non_analytic()
True
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator

import sympy

from . import activations, elementary, nonsmooth, normal, special
from .record import Record, Spelling, Target

RECORDS: tuple[Record, ...] = (*elementary.RECORDS, *special.RECORDS, *normal.RECORDS,
                               *nonsmooth.RECORDS, *activations.RECORDS)
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


def eager_integer_classes() -> tuple[type, ...]:
    """The SymPy classes that evaluate exactly at integers (loggamma(10**6) is log(999999!)).

    >>> sympy.loggamma in eager_integer_classes()
    True
    """
    return tuple(r.sympy for r in records() if r.eager_integer and r.sympy is not None)


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


_generation = [0]


def records() -> tuple[Record, ...]:
    """Every record registered now: :data:`RECORDS`, with those :func:`added` for a while."""
    return RECORDS


def generation() -> int:
    """A number that changes whenever the records do: tables built from them key on it."""
    return _generation[0]


@contextlib.contextmanager
def added(*new: Record) -> Iterator[None]:
    """The registry with ``new`` records for a while, as if they were in a table module: the
    parser, the LaTeX reader and printer, steps, ``check``, the notes and the function list
    all see them (tests show that adding a function is adding one record).

    >>> fake = Record("twice", None, "2u", "doubling", build=lambda u: 2 * u)
    >>> with added(fake):
    ...     "twice" in BY_NAME
    True
    >>> "twice" in BY_NAME
    False
    """
    global RECORDS
    saved = (RECORDS, dict(BY_NAME), dict(BY_CLASS), dict(CLASSES))
    RECORDS = (*RECORDS, *new)
    BY_NAME.update({n: r for r in new for n in r.names})
    BY_CLASS.update({r.sympy: r for r in new if r.sympy is not None})
    CLASSES.update({r.sympy.__name__: r.sympy for r in new if r.sympy is not None})
    _changed()
    try:
        yield
    finally:
        RECORDS = saved[0]
        for table, before in zip((BY_NAME, BY_CLASS, CLASSES), saved[1:], strict=True):
            table.clear()
            table.update(before)
        _changed()


def _changed() -> None:
    _generation[0] += 1
    helpers.cache_clear()
