"""A Taylor polynomial as a learner reads it: grouped by degree, (x − a) kept as it is, exact
coefficients, the remainder's order stated; in one-line Unicode text, LaTeX and the JSON
contract (``result`` in SymPy syntax that reads back).

>>> from symnum.core.function import Function
>>> from symnum.higher.taylor import taylor
>>> t = taylor(Function("exp(x + y)"), "x=0,y=0", 2)
>>> polynomial_text(t)
'T₂(x, y) = 1 + (x + y) + (x²/2 + x·y + y²/2) + O(‖(x, y) − (0, 0)‖³)'
>>> polynomial_plain(t)
'1 + x + y + x**2/2 + x*y + y**2/2'
>>> polynomial_latex(t)[:38]
'T_{2}(x, y) = 1 + \\\\left(x + y\\\\right) +'
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import sympy

from ..core.render import expr_latex, expr_str, function_letter
from ..steps.render import inline

if TYPE_CHECKING:
    from .taylor import TaylorResult

SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def unicode(expr: sympy.Basic) -> str:
    """One line of Unicode that symnum reads back: x², ·, −, e, π, √2.

    >>> unicode(sympy.sqrt(2) * sympy.Symbol("x") / 2), unicode(sympy.pi**2 / 2)
    ('√2·x/2', 'π²/2')
    """
    text = re.sub(r"√\((\d+)\)", r"√\1", inline(expr))
    text = re.sub(r"(?<![\w.])pi(?=[⁰¹²³⁴⁵⁶⁷⁸⁹])", "π", text)  # inline's \bpi\b misses π²
    return re.sub(r"(?<![\w.])E(?=[⁰¹²³⁴⁵⁶⁷⁸⁹])", "e", text)


def point_text(point: Any, latex: bool = False) -> str:
    """``x = 1`` for one variable, ``(x, y) = (0, 0)`` for several."""
    show: Callable[[sympy.Basic], str] = expr_latex if latex else unicode
    names = [show(s) for s, _ in point]
    values = [show(v) for _, v in point]
    if len(point) == 1:
        return f"{names[0]} = {values[0]}"
    return f"({', '.join(names)}) = ({', '.join(values)})"


def _signed(c: sympy.Expr, m: sympy.Expr) -> tuple[bool, sympy.Expr]:
    """(negative?, the term without its sign), (x − a) never multiplied out; a sum alone
    (log(87) − log(50)) keeps its signs: a minus before it would negate only its first term."""
    if m == 1 and isinstance(c, sympy.Add):
        return False, c
    negative = c.could_extract_minus_sign()
    c = -c if negative else c
    if c == 1:
        return negative, m
    if m == 1:
        return negative, c
    if isinstance(m, sympy.Add) and c.is_Number:  # 2*(x - 1) would become 2*x - 2
        return negative, sympy.Mul(c, m, evaluate=False)
    return negative, c * m


def _join(terms: list[tuple[sympy.Expr, sympy.Expr]], show: Callable[[sympy.Basic], str],
          minus: str, brackets: tuple[str, str] = ("(", ")"), later: bool = False) -> str:
    """The terms joined with their signs; a bare x − 1 after another term (``later``: after
    an earlier group) in brackets: 1 + (x − 1)."""
    out = ""
    for k, (c, m) in enumerate(terms):
        negative, term = _signed(c, m)
        text = show(term)
        if isinstance(term, sympy.Add) and m != 1 and (k or negative or later
                                                         or len(terms) > 1):
            text = f"{brackets[0]}{text}{brackets[1]}"
        if k == 0:
            out = f"{minus.strip()}{text}" if negative else text
        else:
            out += f" {minus.strip()} {text}" if negative else f" + {text}"
    return out


def _grouped(result: TaylorResult, show: Callable[[sympy.Basic], str], minus: str,
             left: str, right: str) -> str:
    """Degree by degree; a degree with several terms in brackets."""
    groups = [g for g in result.by_degree() if g]
    if not groups:
        return "0"
    parts = []
    for index, group in enumerate(groups):
        text = _join(group, show, minus, (left, right), later=index > 0)
        parts.append(f"{left}{text}{right}" if len(group) > 1 else text)
    out = parts[0]
    for part in parts[1:]:
        if part.startswith(minus.strip()) and not part.startswith(left):
            out += f" {minus.strip()} {part[len(minus.strip()):]}"
        else:
            out += f" + {part}"
    return out


def _name(result: TaylorResult, latex: bool) -> str:
    names = ", ".join((expr_latex if latex else unicode)(s) for s in result.variables)
    if latex:
        return f"T_{{{result.order}}}({names})"
    return f"T{str(result.order).translate(SUBSCRIPT)}({names})"


def remainder(result: TaylorResult, latex: bool = False) -> str:
    """O((x − a)^(k+1)) in one variable, O(‖(x, y) − (a, b)‖^(k+1)) in several."""
    k = result.order + 1
    if len(result.point) == 1:
        (s, a), = result.point
        h = s - a
        if latex:
            base = expr_latex(h) if a == 0 else rf"\left({expr_latex(h)}\right)"
            return rf"\mathcal{{O}}\left({base}^{{{k}}}\right)"
        base = unicode(h) if a == 0 else f"({unicode(h)})"
        return f"O({base}{str(k).translate(SUPERSCRIPT)})"
    if latex:
        names = ", ".join(expr_latex(s) for s in result.variables)
        values = ", ".join(expr_latex(v) for v in result.center)
        return (rf"\mathcal{{O}}\left(\left\lVert ({names}) - ({values}) \right\rVert^{{{k}}}"
                r"\right)")
    names = ", ".join(unicode(s) for s in result.variables)
    values = ", ".join(unicode(v) for v in result.center)
    return f"O(‖({names}) − ({values})‖{str(k).translate(SUPERSCRIPT)})"


def polynomial_text(result: TaylorResult) -> str:
    """``T₃(x) = x − x³/6 + O(x⁴)``."""
    body = _grouped(result, unicode, "−", "(", ")")
    return f"{_name(result, False)} = {body} + {remainder(result)}"


def polynomial_latex(result: TaylorResult) -> str:
    r"""``T_{3}(x) = x - \frac{x^{3}}{6} + \mathcal{O}\left(x^{4}\right)``."""
    body = _grouped(result, expr_latex, "-", r"\left(", r"\right)")
    return f"{_name(result, True)} = {body} + {remainder(result, True)}"


def polynomial_plain(result: TaylorResult) -> str:
    """The polynomial in SymPy syntax, degree by degree (what JSON ``result`` holds)."""
    terms = [pair for group in result.by_degree() for pair in group]
    return _join(terms, expr_str, " - ").replace(" -  ", " - ") if terms else "0"


def degree_texts(result: TaylorResult, show: Callable[[sympy.Basic], str] = expr_str,
                 minus: str = "-") -> list[str]:
    """Each degree's part, 0..order ("0" where there is none)."""
    return [_join(g, show, minus) if g else "0" for g in result.by_degree()]


def text(result: TaylorResult) -> str:
    """A few lines: f, where and which order, the polynomial (and its degrees)."""
    f = result.function
    letter = function_letter(f.expr)  # F when the formula has an unknown f of its own
    lines = [f"{letter}({', '.join(unicode(s) for s in result.variables)}) = {unicode(f.expr)}"]
    params = sorted(f.expr.free_symbols - set(result.variables), key=lambda s: s.name)
    if params:
        lines.append("parameters (held constant): " + ", ".join(p.name for p in params))
    about = point_text(result.point)
    if result.default_point:
        about += " (no --at given: about 0)"
    lines += [f"Taylor polynomial of order {result.order} about {about}:", "",
              "  " + polynomial_text(result)]
    if len(result.point) > 1:
        lines += ["", "by degree:"] + [f"  {k}: {part}" for k, part in
                                       enumerate(degree_texts(result, unicode, "−"))]
    if result.steps is not None:
        lines += ["", "steps (each line is a true statement; [k] numbers the steps)", "",
                  result.steps.text()]
    return "\n".join(lines)


def latex(result: TaylorResult) -> str:
    """The polynomial with its remainder (and the steps when asked) as LaTeX."""
    if result.steps is not None:
        return str(result.steps.latex())
    return polynomial_latex(result)


def to_json(result: TaylorResult) -> dict[str, Any]:
    """The contract's keys (expr, wrt, what, order, shape, result, definitions, latex) and
    ``at``, ``remainder``, ``remainder_order``, ``degrees``, ``text``."""
    data: dict[str, Any] = {
        "expr": result.function.source,
        "wrt": [s.name for s in result.variables],
        "what": "taylor",
        "order": result.order,
        "shape": [],
        "result": polynomial_plain(result),
        "definitions": [],
        "latex": polynomial_latex(result),
        "at": {s.name: expr_str(v) for s, v in result.point},
        "remainder": remainder(result),
        "remainder_order": result.order + 1,
        "degrees": degree_texts(result),
        "text": polynomial_text(result),
    }
    if result.steps is not None:
        data["steps"] = result.steps.to_json()
    return data
