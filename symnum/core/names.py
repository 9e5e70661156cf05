"""Knowledge tables for the parser: which names are functions, which are constants; and
fresh names for the intermediate variables that steps, graphs and definitions introduce.

The function names are generated from :mod:`symnum.core.registry` (one record per function);
constants and refused names are tables here, one line per name.

>>> FUNCTIONS["ln"] is sympy.log
True
>>> with notation_recorded() as written:
...     built = FUNCTIONS["softplus"](sympy.Symbol("z"))
>>> written
[(log(exp(z) + 1), 'softplus', (z,))]
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar

import sympy

from .latex_names import GREEK
from .registry import BY_NAME, eager_integer_names

# (what a name built, the name, its arguments) while notation_recorded is open
Notation = list[tuple[sympy.Expr, str, tuple[sympy.Expr, ...]]]
_WRITTEN: ContextVar[Notation | None] = ContextVar("symnum_notation", default=None)


@contextmanager
def notation_recorded() -> Iterator[Notation]:
    """Within it, each name the parser expands into other functions (a record with a
    ``build``: sigmoid → 1/(1 + e^(−u)), softplus, relu, ...) is noted, so the steps can
    derive what the user wrote by its name."""
    written: Notation = []
    token = _WRITTEN.set(written)
    try:
        yield written
    finally:
        _WRITTEN.reset(token)


class _Builders(Mapping[str, Callable[..., sympy.Expr]]):
    """Each name the parser reads → the callable building its SymPy node, read from the
    function registry at each use (a record added to it is a name at once)."""

    def __getitem__(self, name: str) -> Callable[..., sympy.Expr]:
        record, written = BY_NAME[name], _WRITTEN.get()
        build = record.build
        if written is None or build is None:
            return record.builder

        def noted(*args: sympy.Expr) -> sympy.Expr:
            built = build(*args)
            written.append((built, record.name, tuple(args)))
            return built
        return noted

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
    "EulerGamma": sympy.EulerGamma,  # Euler's γ = −Γ′(1), as results print it
}

# Names that look like a function a user meant but that symnum does not compute: refused with
# this hint instead of becoming an undefined function that silently "works".
REFUSED_FUNCTIONS: dict[str, str] = {
    "Sum": "write a finite sum out (x1 + x2 + ...); symbolic sums are not supported",
    "sum": "sum(v) adds the entries of a vector or matrix declared with --shape; write a sum "
           "of scalars out (x1 + x2 + ...)",
    "Integral": "integrals are not supported: symnum differentiates",
    "integrate": "integrals are not supported: symnum differentiates",
}


def fresh_name(bases: Sequence[str], is_free: Callable[[str], bool]) -> str:
    """The first of ``bases`` that ``is_free`` accepts, then of the bases doubled, tripled,
    ... (``uu``, ``uuu``): never runs out, however many names an expression takes.

    >>> fresh_name(("u", "t"), lambda n: n not in {"u", "t", "uu"})
    'tt'
    """
    if not bases:
        raise ValueError("fresh_name needs at least one base name")
    repeat = 1
    while True:
        for base in bases:
            if is_free(base * repeat):
                return base * repeat
        repeat += 1


def spelled_name(name: str, free: Mapping[str, object]) -> str:
    """``name`` as f spells it: wrt=sigma finds σ (LaTeX \\sigma) and wrt=σ finds sigma.

    >>> spelled_name("sigma", {"σ": 1}), spelled_name("λ", {"lam": 1}), spelled_name("x", {})
    ('σ', 'lam', 'x')
    """
    if name in free:
        return name
    spellings = {GREEK.get(name)} | {word for word, char in GREEK.items() if char == name}
    if name == "λ" or GREEK.get(name) == "λ":
        spellings |= {"lam", "lambda_"}
    found = [s for s in spellings if s in free]
    return found[0] if len(found) == 1 else name
