"""Parameters of a kernel: symbols that are not differentiated but get a value slot.

``kernel("log(1 + exp(-y*w*x))", wrt="w", params=("x", "y"))`` differentiates in ``w`` only
and takes ``x`` and ``y`` as extra array arguments after the variables (broadcast with them).
A symbol that is neither a variable nor a parameter is an error that names it and says how
to give it a value.

>>> import sympy
>>> w, x = sympy.symbols("w x", real=True)
>>> resolve_params(w * x, (w,), "x")
(x,)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TypeAlias

import sympy

from ..core.errors import EvaluationError, VariableError
from ..core.parse import check_name, split_names

ParamsLike: TypeAlias = str | sympy.Symbol | Iterable[str | sympy.Symbol] | None


def _names(params: ParamsLike) -> list[str]:
    if params is None:
        return []
    if isinstance(params, str):
        return split_names(params)
    if isinstance(params, sympy.Symbol):
        return [params.name]
    return [check_name(p.name if isinstance(p, sympy.Symbol) else str(p)) for p in params]


def resolve_params(expr: sympy.Basic, variables: Sequence[sympy.Symbol],
                   params: ParamsLike) -> tuple[sympy.Symbol, ...]:
    """The parameter symbols of ``expr`` named by ``params`` (in that order), or a
    VariableError for a name listed twice or also a variable. A name ``expr`` does not use
    still gets a slot (its value is ignored), so a kernel's signature does not depend on
    what a derivative happens to keep."""
    names = _names(params)
    if len(set(names)) != len(names):
        raise VariableError(f"a parameter is listed twice in {', '.join(names)}")
    taken = {v.name for v in variables}
    both = [n for n in names if n in taken]
    if both:
        raise VariableError(f"{', '.join(both)} is both a variable (wrt) and a parameter: "
                            "list it in one of them")
    free = {s.name: s for s in expr.free_symbols if isinstance(s, sympy.Symbol)}
    return tuple(free.get(n) or sympy.Symbol(n, real=True) for n in names)


def check_complete(expr: sympy.Basic, inputs: Sequence[sympy.Symbol]) -> None:
    """An EvaluationError naming the symbols of ``expr`` without a value slot."""
    given = {s.name for s in inputs}
    missing = sorted({s.name for s in expr.free_symbols if isinstance(s, sympy.Symbol)
                      and not s.is_integer} - given)
    if missing:
        raise EvaluationError(
            f"no value for {', '.join(missing)}: list {'it' if len(missing) == 1 else 'them'} "
            f"in wrt to differentiate, or pass params={tuple(missing)!r} to give "
            f"{'it' if len(missing) == 1 else 'them'} as extra array arguments after the "
            "variables")


def check_real_constants(exprs: Sequence[sympy.Basic]) -> None:
    """An EvaluationError naming a constant of ``exprs`` that is not a real number (I, zoo,
    nan): kernels and exported modules compute real float64 values.

    >>> check_real_constants([sympy.Symbol("x") * sympy.I])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    symnum.core.errors.EvaluationError: the expression holds I, which is not a real number: ...
    """
    for expr in exprs:
        stack = [expr]
        while stack:  # the largest constant parts: asec(1e-8) is one, not 1e-8
            node = stack.pop()
            if not node.is_number:
                stack.extend(a for a in node.args if isinstance(a, sympy.Basic))
                continue
            if node in (sympy.nan, sympy.zoo) or not _real(node):
                said = {sympy.zoo: "zoo (complex infinity: a pole or 1/0)",
                        sympy.nan: "nan (undefined)"}.get(node, str(node))
                raise EvaluationError(f"the expression holds {said}, which is not a real "
                                      "number: kernels and exported modules compute real "
                                      "float64 values")


def _real(constant: sympy.Basic) -> bool:
    """Real (or ±∞) where SymPy can tell, else by its value; True where neither can."""
    if constant.is_extended_real is not None:
        return bool(constant.is_extended_real)
    try:
        value = sympy.N(constant, 15)
    except (ValueError, TypeError, ArithmeticError):
        return True  # the kernel's own evaluation decides
    return not (value.is_number and value.as_real_imag()[1] != 0)
