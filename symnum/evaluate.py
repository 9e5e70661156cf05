"""Exact values of results at points, and the ``x=1,y=2`` point syntax.

>>> parse_point("x=1/2, y=pi")
{'x': 1/2, 'y': pi}
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

import sympy

from .errors import EvaluationError, VariableError
from .parse import check_name, parse

if TYPE_CHECKING:
    from .calculus import Result


def parse_point(text: str) -> dict[str, sympy.Expr]:
    """Read ``"x=1, y=2"`` (values may be constant expressions like ``pi/4``)."""
    point: dict[str, sympy.Expr] = {}
    for item in [p for p in re.split(r"[,;]\s*(?=[^\W\d]\w*\s*=)|\s+(?=[^\W\d]\w*\s*=)",
                                      text.strip()) if p.strip()]:
        if "=" not in item:
            raise VariableError(f"expected name=value in {item.strip()!r}")
        name, value = (s.strip() for s in item.split("=", 1))
        check_name(name)
        if name in point:
            raise VariableError(f"{name!r} is given twice")
        number = parse(value.rstrip(",").strip() or "?")
        if not isinstance(number, sympy.Expr) or number.free_symbols or not number.is_number:
            raise VariableError(f"the value of {name} must be a number, got {value!r}")
        point[name] = number
    if not point:
        raise VariableError("no point given: use name=value pairs like x=1,y=2")
    return point


def substitution(symbols: set, point: Mapping) -> dict:
    """Map the expression's symbols to the point's values (keys may be names or symbols)."""
    by_name = {(k.name if isinstance(k, sympy.Symbol) else str(k)): v for k, v in point.items()}
    subs = {}
    for s in symbols:
        if s.name in by_name:
            value = by_name[s.name]
            subs[s] = value if isinstance(value, sympy.Basic) else sympy.sympify(value)
    return subs


def exact_values(result: Result, point: Mapping, digits: int = 30) -> list[sympy.Expr]:
    """The result's entries at ``point``, evaluated exactly then to ``digits`` digits."""
    full = result.expanded()
    subs = substitution(full.free_symbols | result.function.expr.free_symbols, point)
    missing = sorted(s.name for s in full.free_symbols if s not in subs)
    if missing:
        raise VariableError(f"no value given for {', '.join(missing)}")
    values = []
    for entry in full:
        value = sympy.N(entry.xreplace(subs), digits)
        if not value.is_number or value.has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo):
            raise EvaluationError(f"the result is not defined at this point ({entry} = {value})")
        values.append(value)
    return values
