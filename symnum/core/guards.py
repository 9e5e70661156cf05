"""Size guards on numbers: what SymPy would compute eagerly, and what Python could print.

SymPy evaluates powers and exponentials of numbers as soon as they are built
(``sqrt(2)**(10**12)`` is ``2**(5*10**11)``, an integer of 60 GB); these checks estimate the size
first, with mpmath floats, and refuse what could not be computed or printed.

>>> check_power_size(sympy.Integer(2), sympy.Integer(100))
>>> check_power_size(sympy.sqrt(2), sympy.Integer(10**12))
Traceback (most recent call last):
symnum.core.errors.ParseError: the number sqrt(2)**1000000000000 is too large to compute
"""

from __future__ import annotations

import mpmath
import sympy

from .errors import ParseError

MAX_NUMBER_DIGITS = 4_000  # any number in a parsed expression (Python prints up to 4,300)
MAX_POWER_BITS = 13_000  # a numeric power SymPy would compute eagerly (~3,900 digits)
MAX_EXP_ARGUMENT = 9_000  # |a| in exp(a) for a number a: SymPy turns exp(k·log 2) into 2**k
MAX_TOWER = 10  # stacked variable exponents (x**x**x... is differentiated at cubic cost)
MAX_NUMERIC_POWER = 10_000  # exponent of a non-rational number of modulus about one


def check_numbers(value: sympy.Basic) -> None:
    """Refuse numbers too long to print (a product of big powers, factorial(1000)**2)."""
    for atom in value.atoms(sympy.Rational):
        for part in (atom.p, atom.q):
            if part.bit_length() > MAX_NUMBER_DIGITS * 3.33:
                raise ParseError(f"a number in the expression has more than "
                                 f"{MAX_NUMBER_DIGITS} digits")


def check_power_size(base: sympy.Basic, exponent: sympy.Basic) -> None:
    """Refuse numeric powers SymPy would expand into gigantic numbers: ``9**9**9**9``, but
    also ``sqrt(2)**(10**12)`` and ``(2*I)**(10**12)``, whose bases are not plain numbers."""
    if not (_is_number(base) and _is_number(exponent)):
        return
    power = _magnitude(exponent)
    if base.is_Rational:  # SymPy computes p**k/q**k exactly: its size is that of p and q
        size = float(max(abs(base.p), abs(base.q)).bit_length()) if base not in (0, 1, -1) \
            else 0.0
    else:
        size = _log2_magnitude(base)
        if size is not None and abs(size) < 1 and power is not None and power > MAX_NUMERIC_POWER \
                and base not in (sympy.I, -sympy.I, -1):
            size = None  # (1/2 + √3/2·i)**(10**12): small, but nothing SymPy can reduce
    if size == 0:
        return  # 0 or ±1: powers stay small
    if size is None or power is None or power * abs(size) > MAX_POWER_BITS:
        shown = f"({short(base)})" if isinstance(base, sympy.Add | sympy.Mul) or (
            base.is_Rational and not base.is_Integer) else short(base)
        raise ParseError(f"the number {shown}**{short(exponent)} is too large to compute")


def tower_height(expr: sympy.Basic) -> int:
    """How many variable exponents are stacked in ``expr`` (x**x**x has 2)."""
    heights = [1 + tower_height(p.exp) for p in expr.atoms(sympy.Pow) if p.exp.free_symbols]
    heights += [1 + tower_height(e.args[0]) for e in expr.atoms(sympy.exp)
                if e.args[0].free_symbols and e.args[0].atoms(sympy.Pow, sympy.exp)]
    return max(heights, default=0)


def check_exp_size(argument: sympy.Basic) -> None:
    """exp(k·log 2) is 2**k to SymPy: refuse numeric arguments a float could not hold anyway."""
    if _is_number(argument):
        size = _magnitude(argument)
        if size is None or size > MAX_EXP_ARGUMENT:
            raise ParseError(f"exp({short(argument)}) is too large to compute")


def _is_number(x: sympy.Basic) -> bool:
    return isinstance(x, sympy.Expr) and not x.free_symbols and bool(x.is_number)


def _magnitude(x: sympy.Expr) -> float | None:
    """|x| as a float (inf when huge), without building x exactly; None if unknown."""
    try:
        value = x.evalf(15)  # evalf works with mpmath floats: 2**2**2**2**2 stays cheap
        return float(abs(mpmath.mpmathify(complex(value) if not value.is_real else value)))
    except (TypeError, ValueError, OverflowError, AttributeError):
        try:
            return float(mpmath.fabs(mpmath.mpf(abs(x).evalf(15))))
        except (TypeError, ValueError, OverflowError, AttributeError):
            return None


def _log2_magnitude(x: sympy.Expr) -> float | None:
    """log2 |x|, or None when it cannot be estimated; 0.0 for |x| = 1 and for 0."""
    if x.is_zero:
        return 0.0
    try:
        value = abs(x).evalf(30)
        if not value.is_number or value.is_zero:
            return None
        return float(mpmath.log(mpmath.mpf(value), 2))
    except (TypeError, ValueError, OverflowError, AttributeError):
        return None


def short(x: sympy.Basic) -> str:
    try:
        text = str(x)
    except ValueError:  # an integer too long for Python to print
        return "(a very large number)"
    return text if len(text) < 30 else text[:12] + "..." + text[-6:]
