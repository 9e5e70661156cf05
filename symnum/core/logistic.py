"""The logistic sigmoid σ(u) = 1/(1 + e^(−u)) as a SymPy function, so results can say σ.

σ′ = σ(1 − σ); it prints as σ in text and LaTeX and as ``sigmoid(u)`` in SymPy syntax (which
:func:`symnum.core.parse.parse` reads back), evaluates to any precision, and
:func:`to_exponentials` writes it back as 1/(1 + e^(−u)) for code that works on exponentials.

>>> x = sympy.Symbol("x", real=True)
>>> sigmoid(x).diff(x)
sigmoid(x)*(1 - sigmoid(x))
>>> sympy.pretty(sigmoid(x)*(1 - sigmoid(x)), use_unicode=True)
'σ(x)⋅(1 - σ(x))'
>>> sympy.latex(sigmoid(2*x)**2)
'\\\\sigma^{2}\\\\left(2 x\\\\right)'
>>> sympy.N(sigmoid(sympy.Integer(2)), 20)
0.88079707797788244406
"""

from __future__ import annotations

import sympy


class sigmoid(sympy.Function):  # lower case like SymPy's sin and exp: str() is sigmoid(u)
    """The logistic function σ(u) = 1/(1 + e^(−u)), with σ′(u) = σ(u)(1 − σ(u))."""

    nargs = 1

    @classmethod
    def class_key(cls) -> tuple:
        """Before sums in a product, as a book writes it: σ(x)(1 − σ(x))."""
        return 2, 0, cls.__name__

    @classmethod
    def eval(cls, u: sympy.Expr) -> sympy.Expr | None:
        if u.is_zero:
            return sympy.S.Half
        if u is sympy.S.Infinity:
            return sympy.S.One
        if u is sympy.S.NegativeInfinity:
            return sympy.S.Zero
        return None

    def fdiff(self, argindex: int = 1) -> sympy.Expr:
        return self * (1 - self)

    def _eval_rewrite_as_exp(self, u: sympy.Expr, **hints) -> sympy.Expr:
        return 1 / (1 + sympy.exp(-u))

    def _eval_evalf(self, prec: int) -> sympy.Expr | None:
        return (1 / (1 + sympy.exp(-self.args[0])))._eval_evalf(prec)

    def _eval_is_extended_real(self) -> bool | None:
        return self.args[0].is_extended_real

    def _eval_is_positive(self) -> bool | None:
        return True if self.args[0].is_extended_real else None

    def _eval_is_finite(self) -> bool | None:
        return True if self.args[0].is_extended_real else None

    def _latex(self, printer, exp=None) -> str:
        power = "" if exp is None else f"^{{{exp}}}"
        return rf"\sigma{power}\left({printer._print(self.args[0])}\right)"

    def _pretty(self, printer):
        return printer._helper_print_function(self.func, self.args, func_name="σ")

    @staticmethod
    def _imp_(u):
        """Numeric value for ``lambdify`` (mpmath, numpy or Python numbers)."""
        import mpmath
        if isinstance(u, mpmath.mpf | mpmath.mpc):
            return 1 / (1 + mpmath.exp(-u))
        import numpy as np
        import scipy.special
        u = np.asarray(u)
        value = scipy.special.expit(u) if not np.iscomplexobj(u) else 1 / (1 + np.exp(-u))
        return value if value.ndim else value[()]


def to_exponentials(expr: sympy.Basic) -> sympy.Basic:
    """``expr`` with every σ(u) written as 1/(1 + e^(−u)).

    >>> to_exponentials(sigmoid(sympy.Symbol("z")) - 1)
    -1 + 1/(1 + exp(-z))
    """
    if not isinstance(expr, sympy.Basic) or not expr.has(sigmoid):
        return expr
    return expr.replace(lambda n: isinstance(n, sigmoid),
                        lambda n: 1 / (1 + sympy.exp(-n.args[0])))
