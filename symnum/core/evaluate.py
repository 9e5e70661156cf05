"""Exact values of results at points, and the ``x=1,y=2`` point syntax.

>>> parse_point("x=1/2, y=pi")
{'x': 1/2, 'y': pi}
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

import sympy

from .budget import work_budget
from .errors import EvaluationError, VariableError
from .names import spelled_name  # a Greek variable by either spelling: μ or mu
from .parse import MAX_EAGER_INTEGER, as_number, check_name
from .registry.lookup import eager_integer_classes
from .unknowns import numbers_refused

EVALUATION_OBJECTS = 500_000  # SymPy objects built: a safety net; normal points build few
# functions SymPy evaluates exactly at integers (the registry's eager_integer records) are
# evaluated in floating point at points above MAX_EAGER_INTEGER
MAX_PRINTABLE_BITS = 10**300  # binary exponent of a value symnum prints
EXACT_MAX_BITS = 20_000  # exact substitution only while powers of the point stay this small

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
        point[name] = as_number(value.rstrip(",").strip() or "?", f"value of {name}")
    if not point:
        raise VariableError("no point given: use name=value pairs like x=1,y=2")
    return point


def substitution(symbols: set, point: Mapping) -> dict:
    """Map the expression's symbols to the point's values (keys may be names or symbols);
    values are numbers or text read by the parser (:func:`symnum.core.parse.as_number`).

    >>> substitution({sympy.Symbol("x")}, {"x": "pi/4"})
    {x: pi/4}
    """
    if not isinstance(point, Mapping):
        raise VariableError("a point is a mapping of names to numbers, like {'x': 1.5}")
    names = {s.name: s for s in symbols}
    by_name = {spelled_name(k.name if isinstance(k, sympy.Symbol) else str(k), names): v
               for k, v in point.items()}
    subs = {}
    for s in symbols:
        if s.name in by_name:
            given = by_name[s.name]
            subs[s] = as_number(given, f"value of {s.name}")
            if s.is_real and not _real_value(subs[s]):
                raise VariableError(f"{s.name} is a real variable: its value must be a real "
                                    f"number, got {given!r}")
    return subs


def _real_value(value: sympy.Expr) -> bool:
    """A real number, also where SymPy cannot tell at once (then by its value)."""
    if value.is_extended_real is not None:
        return bool(value.is_extended_real)
    return sympy.N(value, 20).as_real_imag()[1] == 0


def at_point(expr: sympy.Expr, subs: Mapping, digits: int = 30) -> sympy.Expr:
    """``expr`` at the point ``subs`` to ``digits`` digits, in bounded time and memory.

    Exact substitution first (sin(pi) is 0, 1/(x - 1) at 1 is undefined), unless a power
    of the point would be a huge exact number (x**(10**100) at 2, x**1000000 at 1.0001):
    then the powers are evaluated in floating point by mpmath.

    >>> at_point(sympy.Symbol("x")**(10**100), {sympy.Symbol("x"): sympy.Integer(2)}, 5)
    2.5518e+3010299956639811952137388947244930267681898814621085413104274611271081892744245094869272521181861720
    """
    cheap = _exact_is_cheap(expr, subs)
    with work_budget(EVALUATION_OBJECTS) as ran_out:
        try:
            if cheap:
                value = sympy.N(expr.xreplace(subs), digits)
            else:
                with sympy.evaluate(False):
                    held = expr.xreplace(subs)
                value = sympy.N(held, digits)
        except OverflowError:  # mpmath's erfc and ncdf convert |x| > ~1e154 to a float
            raise EvaluationError("could not evaluate at this point: mpmath overflows on an "
                                  "argument this large") from None
        except ValueError as err:  # digamma(-oo): "cannot convert to mpmath number"
            raise EvaluationError(f"could not evaluate at this point ({err})") from None
    if ran_out():
        raise EvaluationError("could not evaluate at this point within its work budget "
                              "(the numbers are too large?)")
    return value


def _exact_is_cheap(expr: sympy.Expr, subs: Mapping) -> bool:
    big = [v for v in subs.values() if isinstance(v, sympy.Rational)
           and abs(v) > MAX_EAGER_INTEGER]
    if big and expr.has(*eager_integer_classes()):  # loggamma(10**6) exactly is log(999999!)
        return False
    bits = max((max(abs(v.p), abs(v.q)).bit_length() if isinstance(v, sympy.Rational) else 64
                for v in subs.values()), default=1)
    for power in expr.atoms(sympy.Pow):
        exponent = power.exp
        if exponent.is_Rational and abs(exponent.p) * bits > EXACT_MAX_BITS \
                and power.base.free_symbols & subs.keys():
            return False
    return True


def exact_values(result: Result, point: Mapping, digits: int = 30) -> list[sympy.Expr]:
    """The result's entries at ``point``, evaluated exactly then to ``digits`` digits."""
    full = result.expanded()
    subs = substitution(full.free_symbols | result.function.expr.free_symbols, point)
    missing = sorted(s.name for s in full.free_symbols if s not in subs)
    if missing:
        raise VariableError(f"no value given for {name_list(missing)}")
    numbers_refused(full, "a value at a point needs numbers")
    values = []
    seen: dict[sympy.Expr, sympy.Expr] = {}  # a Hessian's (j, i) is its (i, j): once
    for entry in full:
        if entry in seen:
            values.append(seen[entry])
            continue
        try:
            value = at_point(entry, subs, digits)
        except (TypeError, ValueError, ZeroDivisionError) as err:
            raise EvaluationError(f"cannot evaluate {entry} at this point") from err
        _check_printable(value)
        if not _is_finite_number(value):
            raise EvaluationError(f"the result is not defined at this point ({entry} is "
                                  f"{_UNDEFINED.get(value, value)} there)")
        values.append(value)
        seen[entry] = value
    return values


_UNDEFINED = {sympy.zoo: "infinite (a pole)", sympy.oo: "+∞", -sympy.oo: "−∞",
              sympy.nan: "undefined"}
"""SymPy's words for no finite value, as a reader says them (not zoo, nan)."""


def _is_finite_number(value: sympy.Expr) -> bool:
    """A finite real or complex float (not DiracDelta(0), which SymPy calls finite)."""
    if not value.is_number or value.has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo):
        return False
    return all(part.is_Number for part in value.as_real_imag())


def name_list(names: list[str], shown: int = 8) -> str:
    """``a, b, c`` for a few names, ``a, b, ... and 312 more`` for many.

    >>> name_list([f"x{i}" for i in range(20)], 3)
    'x0, x1, x2 and 17 more'
    """
    if len(names) <= shown:
        return ", ".join(names)
    return ", ".join(names[:shown]) + f" and {len(names) - shown} more"


def _check_printable(value: sympy.Expr) -> None:
    """Refuse values whose decimal exponent alone would take ages to print
    (exp(exp(exp(x))) at 10 is about 10^(10^9565))."""
    for part in value.as_real_imag() if value.is_number else ():
        if isinstance(part, sympy.Float) and part:
            _sign, _man, exponent, bits = part._mpf_
            if abs(exponent + bits) > MAX_PRINTABLE_BITS:
                digits = int(abs(exponent + bits).bit_length() * 0.30103)  # of the exponent
                raise EvaluationError(f"the value is about 10^(±10^{digits}): too large to "
                                      "print")
