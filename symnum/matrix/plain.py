"""The JSON ``result`` of a matrix result: SymPy syntax (that of
:func:`symnum.core.matrix_expr.matrix_str`) as short as a textbook's formula, which
:func:`symnum.core.parse.parse` reads back with the same shapes.

A 1×1 product is the scalar it is (``exp(-y*w.T*x)``, ``(v.T*h)*x``, never
``Trace(w.T*x)``), 𝟏ᵀv is ``sum(v)``, a product's scalar coefficient is not bracketed
(``-y*sigmoid(u)*x``, ``2*lam*w``) and positive terms come first (``OneMatrix(m, 1) - s``).

>>> import sympy
>>> n = sympy.Symbol("n", integer=True)
>>> w, x = sympy.MatrixSymbol("w", n, 1), sympy.MatrixSymbol("x", n, 1)
>>> matrix_plain(-2 * sympy.exp(sympy.Trace(w.T * x)) * sympy.Trace(w.T * x) * x)
'-2*exp(w.T*x)*(w.T*x)*x'
"""

from __future__ import annotations

import re

import sympy
from sympy.matrices.expressions.matexpr import MatrixExpr
from sympy.printing.precedence import PRECEDENCE, precedence

from ..core.matrix_expr import _MatrixStr
from .forms import has_minus
from .print_terms import is_one_by_one as _is_one_by_one
from .print_terms import ordered_terms as _ordered_terms
from .print_terms import scalar_groups as _scalar_groups


class _Bare(sympy.Symbol):
    """A 1×1 product written bare in a product of scalars: after the names (-y*w.T*x)."""

    @classmethod
    def class_key(cls) -> tuple:
        return 2, 1, cls.__name__


def _ones_times(e: sympy.Basic) -> sympy.Basic | None:
    """v when e is 𝟏ᵀv (the sum of v's entries, ``sum(v)``), else None."""
    if isinstance(e, sympy.MatMul) and len(e.args) == 2 and isinstance(e.args[0], sympy.OneMatrix) \
            and e.args[1].shape[1] == 1:
        return e.args[1]
    return None


def _is_call(text: str) -> bool:
    """``name(...)`` as one call (``f(a)*g(b)`` is not)."""
    match = re.match(r"[A-Za-z_]\w*\(", text)
    if not match or not text.endswith(")"):
        return False
    depth = 0
    for k, ch in enumerate(text[match.end() - 1:], match.end() - 1):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth == 0:
            return k == len(text) - 1
    return False


class _Plain(_MatrixStr):
    """SymPy syntax for the JSON ``result``: a 1×1 product is a scalar (``exp(-y*w.T*x)``,
    ``(v.T*h)*x``, not ``Trace(v.T*h)``), bracketed where it meets other factors; positive
    terms first (``OneMatrix(m, 1) - s``, not ``-s + OneMatrix(m, 1)``)."""

    bracketed = False  # set for the coefficient of a matrix product: (w.T*x)*x, not w.T*x*x

    def parenthesize(self, item, level, strict=False):
        if isinstance(item, sympy.Trace) and _is_one_by_one(item.arg) \
                and level >= PRECEDENCE["Mul"]:
            text = self._print(item)
            return text if text.startswith("sum(") else f"({text})"
        text = self._print(item)
        if _is_call(text):
            return text  # HadamardProduct(a, b), KroneckerProduct(A, B): no brackets
        return super().parenthesize(item, level, strict)

    def _print_Inverse(self, e):
        if isinstance(e.arg, sympy.Transpose) and not isinstance(e.arg.arg, sympy.MatrixSymbol):
            return f"Inverse({self._print(e.arg.arg)}).T"  # not Inverse((A + X).T)
        return super()._print_Inverse(e)

    def _print_Trace(self, e):
        if not _is_one_by_one(e.arg):
            return f"Trace({self._print(e.arg)})"
        ones = _ones_times(e.arg)
        return f"sum({self._print(ones)})" if ones is not None else self._print(e.arg)

    def _print_Mul(self, e):
        # one 1×1 product among scalars is written bare (-y*w.T*x); two are bracketed
        bracketed, self.bracketed = self.bracketed, False
        traces = [a for a in e.args if isinstance(a, sympy.Trace) and _is_one_by_one(a.arg)]
        if len(traces) == 1 and not bracketed:
            return super()._print_Mul(e.xreplace({traces[0]: _Bare(self._print(traces[0]))}))
        return super()._print_Mul(e)

    def _print_MatMul(self, e):
        """2*lam*w, -y*sigmoid(u)*x, (1/2)*A, (a + b)*x, x/sqrt(x.T*x); 1×1 runs as scalars:
        s*sum(y)."""
        args = [b for a in e.args for b in (a.args if isinstance(a, sympy.MatMul) else (a,))]
        coefficient = sympy.Mul(*[a for a in args if not isinstance(a, MatrixExpr)])
        sign = ""
        if has_minus(coefficient):
            sign, coefficient = "-", -coefficient
        numerator, denominator = sympy.fraction(coefficient, exact=True)
        if denominator.is_Number:  # (1/2)*A, not A/2
            numerator, denominator = coefficient, sympy.S.One
        parts = []
        if numerator != 1:
            self.bracketed = True
            text = self.parenthesize(numerator, PRECEDENCE["Mul"]) if isinstance(
                numerator, sympy.Trace) else self._print(numerator)
            self.bracketed = False
            fraction = any(f.is_Rational and not f.is_Integer
                           for f in sympy.Mul.make_args(numerator))  # (1/2)*A
            parts.append(f"({text})" if isinstance(numerator, sympy.Add) or fraction
                         else text)
        for g in _scalar_groups([a for a in args if isinstance(a, MatrixExpr)]):
            if isinstance(g, tuple):
                product = sympy.MatMul(*g)
                ones = _ones_times(product)
                parts.append(f"sum({self._print(ones)})" if ones is not None
                             else f"({self._print(product)})")
            else:
                parts.append(self.parenthesize(g, PRECEDENCE["Mul"]))
        if denominator == 1:
            return sign + "*".join(parts)
        self.bracketed = True
        below = self._print(denominator)  # x/sqrt(x.T*x), (A + A.T)*x/(x.T*A*x)
        self.bracketed = False
        if not isinstance(denominator, sympy.Symbol | sympy.Function | sympy.Pow):
            below = f"({below})"  # a power binds first: x/(x.T*x)**2, x/sqrt(x.T*x)
        return f"{sign}{'*'.join(parts)}/{below}"

    def _print_Add(self, e, order=None):
        terms = self._as_ordered_terms(e, order=order)
        out = ""
        for k, term in enumerate(_ordered_terms(terms)):
            text = self._print(term)
            sign = "-" if text.startswith("-") and not term.is_Add else "+"
            text = text[1:] if sign == "-" else text
            if term.is_Add or PRECEDENCE["Add"] > precedence(term):
                text = f"({text})"
            out += (("-" if sign == "-" else "") if k == 0 else f" {sign} ") + text
        return out


def matrix_plain(expr: sympy.Basic) -> str:
    """The JSON ``result`` of a matrix result: SymPy syntax that
    :func:`symnum.core.parse.parse` reads back with the same shapes.

    >>> n = sympy.Symbol("n", integer=True)
    >>> w, x = sympy.MatrixSymbol("w", n, 1), sympy.MatrixSymbol("x", n, 1)
    >>> matrix_plain(sympy.exp(-sympy.Trace(w.T * x)) * x)
    'exp(-w.T*x)*x'
    """
    return _Plain().doprint(expr)
