"""The real odd root: ∛x is −2 at x = −8, as a textbook says (SymPy's x**(1/3) is complex there).

Variables are real, so an odd root (``cbrt(x)``, ``root(x, 5)``, ``x**(2/3)``) is read as the
real root, and its derivatives stay real: d/dx ∛x = 1/(3·∛x²), which is 1/12 at x = −8.

>>> x = sympy.Symbol("x", real=True)
>>> RealRoot(x, 3).diff(x)
1/(3*cbrt(x)**2)
>>> RealRoot(x, 3).diff(x).subs(x, -8)
1/12
>>> RealRoot(-2, 3)
-2**(1/3)
"""

from __future__ import annotations

import mpmath
import sympy
from sympy.core.function import ArgumentIndexError


class RealRoot(sympy.Function):
    """RealRoot(b, n): the real n-th root of b for an odd n ≥ 3 (sign(b)·|b|^(1/n))."""

    nargs = 2
    is_real = True

    @classmethod
    def eval(cls, base: sympy.Expr, n: sympy.Expr):
        if not (n.is_Integer and n.is_odd and n >= 3):
            raise ValueError("the real root needs an odd integer degree of at least 3")
        if base.is_number and base.is_extended_real:
            return sympy.real_root(base, n)
        if base.is_nonnegative:
            return sympy.root(base, n)
        return None

    def fdiff(self, argindex: int = 1) -> sympy.Expr:
        if argindex != 1:
            raise ArgumentIndexError(self, argindex)
        base, n = self.args
        return 1 / (n * RealRoot(base, n) ** (n - 1))

    def _eval_evalf(self, prec: int) -> sympy.Expr | None:
        base = self.args[0]._eval_evalf(prec)
        if base is None or not base.is_Number:
            return None
        value = mpmath.mpf(base._to_mpmath(prec))
        n = int(self.args[1])
        root = mpmath.root(abs(value), n)
        return sympy.Float._new((-root if value < 0 else root)._mpf_, prec)

    def _eval_power(self, exponent: sympy.Expr) -> sympy.Expr | None:
        base, n = self.args
        if exponent.is_Integer and exponent % n == 0:
            return base ** (exponent / n)  # (∛x)³ = x
        return None

    def _eval_is_positive(self) -> bool | None:
        return self.args[0].is_positive

    def _eval_is_negative(self) -> bool | None:
        return self.args[0].is_negative

    def _eval_is_zero(self) -> bool | None:
        return self.args[0].is_zero

    def _sympystr(self, printer) -> str:
        base, n = self.args
        if n == 3:
            return f"cbrt({printer._print(base)})"
        return f"root({printer._print(base)}, {n})"

    def _latex(self, printer, exp: str | None = None) -> str:
        base, n = self.args
        text = rf"\sqrt[{n}]{{{printer._print(base)}}}"
        return rf"\left({text}\right)^{{{exp}}}" if exp is not None else text

    def _pretty(self, printer):
        return printer._print_nth_root(self.args[0], self.args[1])


def real_power(base: sympy.Expr, exponent: sympy.Expr) -> sympy.Expr | None:
    """base**exponent with a real odd root when the exponent is p/q, q odd and base may be
    negative; None when the ordinary power is already real.

    >>> real_power(sympy.Symbol("x", real=True), sympy.Rational(2, 3))
    cbrt(x)**2
    """
    if not (exponent.is_Rational and not exponent.is_Integer and exponent.q % 2 == 1):
        return None
    if base.is_nonnegative or not base.is_extended_real:
        return None
    return RealRoot(base, exponent.q) ** exponent.p


def cbrt(base: sympy.Expr) -> sympy.Expr:
    """The real cube root (``cbrt`` in the parser)."""
    return _root(base, sympy.Integer(3))


def root(base: sympy.Expr, n: sympy.Expr) -> sympy.Expr:
    """The n-th root: real for an odd integer n, SymPy's principal root otherwise."""
    return _root(base, n)


def _root(base: sympy.Expr, n: sympy.Expr) -> sympy.Expr:
    if n.is_Integer and n.is_odd and n >= 3 and base.is_extended_real \
            and not base.is_nonnegative:
        return RealRoot(base, n)
    return sympy.root(base, n)
