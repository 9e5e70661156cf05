"""A curve F = 0 as the user writes it: an expression (``x**2 + y**2 - 1``, read as
``... = 0``) or an equation (``x**2 + y**2 = 1``, ``==`` too, LaTeX ``x^2 + y^2 = 1``).

The text is split at its one top-level ``=`` (outside brackets and braces), and each side is
read by the one parser (:mod:`symnum.core.parse`, LaTeX through
:mod:`symnum.core.latex_input`), so an equation can do nothing an expression cannot;
``<=``, ``>=``, ``!=`` and a second ``=`` are refused.

>>> curve = read_curve("x**2 + y**2 = 1")
>>> curve.F, curve.shown
(x**2 + y**2 - 1, 'x**2 + y**2 = 1')
>>> read_curve(r"x^2 + y^2 = 1", "latex").F
x**2 + y**2 - 1
>>> read_curve("x*y - 2").equation
(x*y - 2, 0)
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy

from ..core.errors import ParseError
from ..core.render import expr_str

_OPEN, _CLOSE = "([{", ")]}"


@dataclass(frozen=True)
class Curve:
    """``lhs = rhs``, and F = lhs − rhs (F = 0 on the curve)."""

    lhs: sympy.Expr
    rhs: sympy.Expr
    written: bool  # the user wrote an equation (else: the expression, = 0 understood)

    @property
    def F(self) -> sympy.Expr:
        return self.lhs - self.rhs if self.written else self.lhs

    @property
    def equation(self) -> tuple[sympy.Expr, sympy.Expr]:
        return self.lhs, self.rhs

    @property
    def shown(self) -> str:
        """The equation in SymPy syntax, as the user wrote it (``= 0`` added for an
        expression)."""
        return f"{expr_str(self.lhs)} = {expr_str(self.rhs)}"


def split_equation(text: str) -> tuple[str, str | None]:
    """``text`` at its one top-level ``=`` or ``==``: (left, right), or (text, None).

    >>> split_equation("f(x, y) == 1")
    ('f(x, y) ', ' 1')
    >>> split_equation("x <= 1")
    Traceback (most recent call last):
    ...
    symnum.core.errors.ParseError: '<=' is a comparison: give an equation (=) or an \
expression F, read as F = 0
    """
    depth, cuts = 0, []
    k = 0
    while k < len(text):
        c = text[k]
        if c in _OPEN:
            depth += 1
        elif c in _CLOSE:
            depth -= 1
        elif c == "=" and depth == 0:
            before = text[k - 1] if k else ""
            if before and before in "<>!":
                raise ParseError(f"'{before}=' is a comparison: give an equation (=) or an "
                                 "expression F, read as F = 0")
            width = 2 if text[k:k + 2] == "==" else 1
            cuts.append((k, width))
            k += width
            continue
        k += 1
    if not cuts:
        return text, None
    if len(cuts) > 1:
        raise ParseError("give one equation, like x**2 + y**2 = 1 (this has more than one '=')")
    at, width = cuts[0]
    left, right = text[:at], text[at + width:]
    if not left.strip() or not right.strip():
        raise ParseError("an equation needs both sides, like x**2 + y**2 = 1")
    return left, right


def read_curve(source: str | sympy.Basic, syntax: str = "plain") -> Curve:
    """The curve written in ``source`` (plain or LaTeX text, a SymPy expression or Eq)."""
    if isinstance(source, sympy.Equality):
        return Curve(_read(source.lhs, syntax), _read(source.rhs, syntax), True)
    if not isinstance(source, str):
        return Curve(_read(source, syntax), sympy.Integer(0), False)
    left, right = split_equation(source)
    if right is None:
        return Curve(_read(left, syntax), sympy.Integer(0), False)
    return Curve(_read(left, syntax), _read(right, syntax), True)


def _read(side: str | sympy.Basic, syntax: str) -> sympy.Expr:
    from ..core.function import Function
    try:
        expr = Function(side, syntax=syntax).expr
    except RecursionError:
        raise ParseError("the equation is nested too deeply") from None
    if isinstance(expr, sympy.MatrixBase):
        raise ParseError("implicit differentiation needs one equation F = 0, not a list")
    return expr
