"""Is a claimed polynomial the Taylor polynomial of f of order k about a point? Decided
exactly: the claim is correct iff claim − T_k is 0 as a polynomial in (x − a). A wrong
claim gets the lowest degree whose part differs (the claim's part and the true one), or the
terms past the order, or the reason it is not a polynomial.

What symnum prints reads back: ``T₃(x) = … + O(x⁴)``, its LaTeX and the JSON ``result``
(:func:`claim_body` drops the name and the remainder).

>>> from symnum.core.function import Function
>>> check_taylor("1 + x + x**2/2 + O(x**3)", Function("exp(x)"), "x=0", 2).correct
True
>>> print(check_taylor("1 + x + x**2", Function("exp(x)"), "x=0", 2).hint)
the degree-2 part is wrong: the claim has x², T₂ has x²/2
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import sympy

from ..core.function import Function
from ..core.parse import parse
from ..higher.series import Index
from ..higher.taylor import PointLike, TaylorResult, taylor
from ..higher.taylor_render import (
    SUBSCRIPT,
    degree_texts,
    point_text,
    polynomial_plain,
    polynomial_text,
    unicode,
)

# T₃(x) =, T_{3}(x, y) =, T_3(x) = at the start; + O(…), + \mathcal{O}(…) at the end
_NAME = re.compile(r"^\s*T\s*(?:_\s*\{?\s*\d+\s*\}?|[₀-₉]+)?\s*(?:\\left)?\([^=]*\)\s*=")
_REMAINDER = re.compile(r"\+\s*(?:\\mathcal\s*\{\s*O\s*\}|\\mathcal\s*O|\\operatorname"
                        r"\{O\}|O)\s*(?:\\left|\\big|\\Big)?\s*\(.*$", re.S)


def claim_body(text: str) -> str:
    """The polynomial of a claim written as symnum prints it (name and remainder dropped).

    >>> claim_body(r"T_{2}(x) = 1 + x + \\mathcal{O}\\left(x^{3}\\right)")
    '1 + x'
    >>> claim_body("T₂(x, y) = 1 + (x + y) + O(‖(x, y) − (0, 0)‖³)")
    '1 + (x + y)'
    """
    return _REMAINDER.sub("", _NAME.sub("", text, count=1)).strip()


@dataclass(frozen=True)
class TaylorCheck:
    """The verdict on ``claimed`` against the true polynomial ``result``: ``correct``, and
    for a wrong claim the ``hint`` (which degree differs) and ``wrong_degrees``."""

    claimed: sympy.Expr
    result: TaylorResult
    correct: bool
    hint: str | None = None
    wrong_degrees: tuple[int, ...] = ()
    how: str = "symbolic"

    @property
    def exit_code(self) -> int:
        return 0 if self.correct else 1

    def _about(self) -> str:
        r = self.result
        return (f"the Taylor polynomial of order {r.order} of {r.function.source} about "
                f"{point_text(r.point)}")

    def text(self) -> str:
        if self.correct:
            return (f"correct: the claim is {self._about()} (shown symbolically: claim − "
                    f"T{str(self.result.order).translate(SUBSCRIPT)} is 0 as a polynomial)")
        lines = [f"incorrect: the claim is not {self._about()}"]
        if self.hint:
            lines.append(f"hint: {self.hint}")
        lines.append(f"the Taylor polynomial is: {polynomial_text(self.result)}")
        return "\n".join(lines)

    def latex(self) -> str:
        return self.result.latex()

    def to_json(self) -> dict[str, Any]:
        return {"correct": self.correct, "how": self.how, "what": "taylor",
                "expected": polynomial_plain(self.result), "claimed": str(self.claimed),
                "order": self.result.order,
                "at": {s.name: str(v) for s, v in self.result.point},
                "wrong_degrees": list(self.wrong_degrees), "diagnosis": self.hint,
                "remainder": self.result.remainder()}


def check_taylor(claimed: str | sympy.Expr, of: Function, at: PointLike = None,
                 order: int = 1) -> TaylorCheck:
    """Compare ``claimed`` with the Taylor polynomial of ``of`` (see the module docstring)."""
    result = taylor(of, at, order)
    value = parse(claim_body(claimed)) if isinstance(claimed, str) else sympy.sympify(claimed)
    if isinstance(value, sympy.MatrixBase | list | tuple):
        return TaylorCheck(sympy.Integer(0), result, False, "the claim is a list; a Taylor "
                           "polynomial is one expression")
    h = {s: s + a for s, a in result.point}  # x → (x − a) + a: the claim in powers of x − a
    # f′(1), f′(0): numbers to the polynomial, though SymPy's Subs names x inside them
    frozen = {a: sympy.Dummy() for a in value.atoms(sympy.Subs)
              | result.polynomial.atoms(sympy.Subs)}
    variables = result.variables
    if value.xreplace(frozen).has(sympy.Derivative):  # f′(y): not a number, not moved by h
        return TaylorCheck(value, result, False, "the claim is not a polynomial in "
                           f"{', '.join(s.name for s in variables)}")
    mine = sympy.expand(value.xreplace(frozen).xreplace(h))
    if not mine.is_polynomial(*variables):
        return TaylorCheck(value, result, False, "the claim is not a polynomial in "
                           f"{', '.join(s.name for s in variables)}")
    truth = sympy.expand(result.polynomial.xreplace(frozen).xreplace(h))
    claim_parts = _by_degree(mine, variables)
    true_parts = _by_degree(truth, variables)
    wrong = [d for d in sorted(set(claim_parts) | set(true_parts))
             if not _same(claim_parts.get(d, {}), true_parts.get(d, {}))]
    if not wrong:
        return TaylorCheck(value, result, True)
    k = result.order
    low = wrong[0]
    name = f"T{str(k).translate(SUBSCRIPT)}"
    if low > k:
        hint = (f"the claim has terms of degree {low}, past the order {k}: a Taylor "
                f"polynomial of order {k} stops at degree {k}")
    else:
        yours = _part_text(value, result, low)
        theirs = degree_texts(result, unicode, "−")[low]
        hint = f"the degree-{low} part is wrong: the claim has {yours}, {name} has {theirs}"
    return TaylorCheck(value, result, False, hint, tuple(wrong))


def _by_degree(expr: sympy.Expr, variables: tuple[sympy.Symbol, ...]
               ) -> dict[int, dict[Index, sympy.Expr]]:
    """Coefficients of a polynomial in ``variables`` (standing for x − a), by total degree."""
    parts: dict[int, dict[Index, sympy.Expr]] = {}
    if expr == 0:
        return parts
    for monomial, c in sympy.Poly(expr, *variables).terms():
        parts.setdefault(sum(monomial), {})[tuple(monomial)] = c
    return parts


def _same(a: dict[Index, sympy.Expr], b: dict[Index, sympy.Expr]) -> bool:
    for alpha in set(a) | set(b):
        d = sympy.expand(a.get(alpha, 0) - b.get(alpha, 0))
        if d != 0 and not (d.is_number and sympy.simplify(d) == 0):
            return False
    return True


def _part_text(value: sympy.Expr, result: TaylorResult, degree: int) -> str:
    """The claim's part of ``degree``, written in powers of (x − a) as the polynomial is."""
    h = {s: s + a for s, a in result.point}
    parts = _by_degree(sympy.expand(value.xreplace(h)), result.variables).get(degree, {})
    if not parts:
        return "nothing (0)"
    shifted = TaylorResult(result.function, result.point, result.order,
                           {alpha: parts[alpha] for alpha in parts})
    return degree_texts(shifted, unicode, "−")[degree] if degree <= result.order else "?"
