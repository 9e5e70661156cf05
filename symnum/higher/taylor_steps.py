"""A Taylor polynomial's derivation, short: each derivative of f (each multi-index once) and
its value at the point, then the polynomial assembled from them. Every line is true: the
values are α!·(the coefficient), the formulas SymPy's derivatives (shown while they are
short; a long one is left at its value).

>>> from symnum.core.function import Function
>>> from symnum.higher.taylor import taylor
>>> print(taylor_steps(taylor(Function("exp(2*x)"), "x=0", 2)).text())
[1] f(x) = exp(2·x), so f(0) = 1
[2] f′(x) = 2·exp(2·x), so f′(0) = 2
[3] f″(x) = 4·exp(2·x), so f″(0) = 4
[4] T₂(x) = Σⱼ f⁽ʲ⁾(0)/j!·xʲ (j = 0..2) = 1 + 2·x + 2·x²
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sympy

from ..core.render import expr_latex, expr_str, function_letter
from .series import Index, indices
from .taylor_render import SUPERSCRIPT, polynomial_latex, polynomial_text, unicode

if TYPE_CHECKING:
    from .taylor import TaylorResult

SHOWN_FORMULAS = 60  # derivatives written out at most (the rest: values only)
FORMULA_OPS = 400  # a derivative larger than this is not written out, nor differentiated on
PRIMES = {1: "′", 2: "″", 3: "‴"}


@dataclass(frozen=True)
class DerivativeStep:
    """∂^α f = ``formula`` (None: not written out), and its ``value`` at the point."""

    alpha: Index
    formula: sympy.Expr | None
    value: sympy.Expr


@dataclass(frozen=True)
class TaylorSteps:
    """The derivatives at the point, then the assembled polynomial."""

    result: TaylorResult
    derivatives: tuple[DerivativeStep, ...]

    @property
    def letter(self) -> str:
        """F where the formula has an unknown f of its own (F′(x) = f′(x)·eˣ + …), else f."""
        return function_letter(self.result.function.expr)

    def _name(self, alpha: Index, latex: bool = False) -> str:
        names = [s.name for s in self.result.variables]
        k, f = sum(alpha), self.letter
        if len(alpha) == 1:
            if latex:
                return f if k == 0 else (f + "'" * k if k <= 3 else f"{f}^{{({k})}}")
            return f + (PRIMES.get(k) or f"⁽{str(k).translate(SUPERSCRIPT)}⁾" if k else "")
        if k == 0:
            return f
        if latex:
            down = " ".join(rf"\partial {expr_latex(s)}" + (f"^{{{a}}}" if a > 1 else "")
                            for s, a in zip(self.result.variables, alpha, strict=True) if a)
            up = r"\partial" + (f"^{{{k}}}" if k > 1 else "")
            return rf"\frac{{{up} {f}}}{{{down}}}"
        down = "".join(f"∂{n}" + (str(a).translate(SUPERSCRIPT) if a > 1 else "")
                       for n, a in zip(names, alpha, strict=True) if a)
        return f"∂{str(k).translate(SUPERSCRIPT) if k > 1 else ''}{f}/{down}"

    def _lines(self, latex: bool) -> list[str]:
        show = expr_latex if latex else unicode
        point = ", ".join(show(v) for v in self.result.center)
        args = ", ".join(show(s) for s in self.result.variables)
        lines = []
        for step in self.derivatives:
            name = self._name(step.alpha, latex)
            value = show(step.value)
            if latex:
                at = rf"{name}\left({point}\right)" if len(step.alpha) == 1 else \
                    rf"{name}\big|_{{({point})}}"
            else:
                at = f"{name}({point})"
            if step.formula is not None:
                link = r" \quad\Rightarrow\quad " if latex else ", so "
                lines.append(f"{name}({args}) = {show(step.formula)}{link}{at} = {value}")
            else:
                lines.append(f"{at} = {value}")
        lines.append(self._assembly(latex))
        return lines

    def _assembly(self, latex: bool) -> str:
        r, f = self.result, self.letter
        k = r.order
        if latex:
            head, body = polynomial_latex(r).split(" = ", 1)
            body = body.rsplit(r" + \mathcal{O}", 1)[0]
            point = ", ".join(expr_latex(v) for v in r.center)
            if len(r.point) == 1:
                h = expr_latex(r.variables[0] - r.center[0])
                h = h if r.center[0] == 0 else rf"\left({h}\right)"
                rule = rf"\sum_{{j=0}}^{{{k}}} \frac{{{f}^{{(j)}}({point})}}{{j!}} {h}^{{j}}"
            else:
                names = ", ".join(expr_latex(s) for s in r.variables)
                rule = (rf"\sum_{{|\alpha| \le {k}}} \frac{{\partial^{{\alpha}} {f}({point})}}"
                        rf"{{\alpha!}} \left(({names}) - ({point})\right)^{{\alpha}}")
            return f"{head} = {rule} = {body}"
        text = polynomial_text(r)
        head, body = text.split(" = ", 1)
        body = body.rsplit(" + O(", 1)[0]
        point = ", ".join(unicode(v) for v in r.center)
        if len(r.point) == 1:
            h = unicode(r.variables[0] - r.center[0])
            h = h if r.center[0] == 0 else f"({h})"
            rule = f"Σⱼ {f}⁽ʲ⁾({point})/j!·{h}ʲ (j = 0..{k})"
        else:
            names = ", ".join(unicode(s) for s in r.variables)
            rule = f"Σ_{{|α| ≤ {k}}} ∂^α {f}({point})/α!·(({names}) − ({point}))^α"
        return f"{head} = {rule} = {body}"

    def text(self) -> str:
        return "\n".join(f"[{k}] {line}" for k, line in enumerate(self._lines(False), 1))

    def latex(self) -> str:
        return r"\begin{aligned}" + r" \\ ".join(
            "&" + line for line in self._lines(True)) + r"\end{aligned}"

    def to_json(self) -> list[dict[str, Any]]:
        out = [{"index": list(s.alpha), "derivative": None if s.formula is None else
                expr_str(s.formula), "value": expr_str(s.value)} for s in self.derivatives]
        texts, latexes = self._lines(False), self._lines(True)
        for item, text, latex in zip(out, texts, latexes, strict=False):
            item["text"], item["latex"] = text, latex
        out.append({"assembled": expr_str(self.result.polynomial), "text": texts[-1],
                    "latex": latexes[-1]})
        return out


def taylor_steps(result: TaylorResult) -> TaylorSteps:
    """Each ∂^α f (from the one before it, each once) and ∂^α f(a) = α!·c_α."""
    variables = result.variables
    formulas: dict[Index, sympy.Expr | None] = {(0,) * len(variables): result.function.expr}
    steps = []
    for alpha in indices(len(variables), result.order):
        if sum(alpha):
            i = max(j for j, a in enumerate(alpha) if a)
            parent = formulas.get(alpha[:i] + (alpha[i] - 1,) + alpha[i + 1:])
            formula = None
            if parent is not None and len(formulas) < SHOWN_FORMULAS:
                formula = sympy.diff(parent, variables[i])
                if sympy.count_ops(formula) > FORMULA_OPS:
                    formula = None
            formulas[alpha] = formula
        value = result.coefficients.get(alpha, sympy.Integer(0)) * \
            math.prod(math.factorial(a) for a in alpha)
        steps.append(DerivativeStep(alpha, formulas[alpha], value))
    return TaylorSteps(result, tuple(steps))
