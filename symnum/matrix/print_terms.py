"""Sums and products in the order a textbook prints them: positive terms first, scalars
out of nested products, 1 × 1 runs of matrix factors grouped (shared by the printers and the
JSON ``result``).

>>> n = sympy.Symbol("n", integer=True)
>>> A, B = sympy.MatrixSymbol("A", n, n), sympy.MatrixSymbol("B", n, n)
>>> flat(sympy.MatMul(A, sympy.MatMul(2, B)))
[A, 2, B]
"""

from __future__ import annotations

import sympy
from sympy.matrices.expressions.matexpr import MatrixExpr

from .forms import has_minus, negated


def is_one_by_one(e: sympy.Basic) -> bool:
    """A 1 × 1 matrix expression (a scalar in disguise: xᵀAx)."""
    return isinstance(e, MatrixExpr) and tuple(e.shape) == (1, 1)


def negative(term: sympy.Basic) -> bool:
    """Does the term print with a leading minus?"""
    if isinstance(term, sympy.MatMul):
        return has_minus(sympy.Mul(*[a for a in term.args if not isinstance(a, MatrixExpr)]))
    return has_minus(term)


def minus(term: sympy.Basic) -> sympy.Basic:
    """−term, printed without its minus after a " − "."""
    return negated(term) if isinstance(term, MatrixExpr) else -term


def ordered_terms(terms: list[sympy.Basic]) -> list[sympy.Basic]:
    """Positive terms first (a − b, not −b + a), otherwise SymPy's order."""
    return [t for t in terms if not negative(t)] + [t for t in terms if negative(t)]


def scalar_groups(factors: list[sympy.Basic]) -> list[sympy.Basic | tuple]:
    """Matrix factors with each inner run that is 1×1 (𝟏ᵀy in softmax(z)𝟏ᵀy) as a tuple."""
    out: list[sympy.Basic | tuple] = []
    i = 0
    while i < len(factors):
        end = None
        if factors[i].shape[0] == 1 and len(factors) > 1:
            for j in range(len(factors) - 1, i - 1, -1):
                if factors[j].shape[1] == 1 and (i, j) != (0, len(factors) - 1):
                    end = j
                    break
        if end is not None and end > i:
            out.append(tuple(factors[i:end + 1]))
            i = end + 1
        else:
            out.append(factors[i])
            i += 1
    return out


def flat(e: sympy.MatMul) -> list[sympy.Basic]:
    """A product's factors with nested products opened: A·(2·(X ⊙ dX)) prints 2A(X ⊙ dX)."""
    return [f for a in e.args for f in (flat(a) if isinstance(a, sympy.MatMul) else [a])]
