"""The route a product was derived by, as steps (each a true equation): for H·v the gradient,
the directional derivative ∇f·v, then its gradient; for J·v the function moved along the
direction, its derivative in t, then t = 0; for uᵀJ the weighted sum uᵀf, then its gradient.

>>> from symnum.higher.products import product
>>> print(product_steps(product("x**2*y", "hvp")).text())
[1] gradient: ∇f = [2·x·y, x²]
[2] directional derivative: ∇f·v = v_x·(2·x·y) + v_y·x² = x·(2·v_x·y + v_y·x)
[3] its gradient: H·v = ∇(∇f·v) = [2·(v_x·y + v_y·x), 2·v_x·x]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sympy

from ..core.calculus import partial, readable
from ..core.names import fresh_name
from ..core.render import expr_str, function_letter
from ..core.textbook import arguments, textbook_form, with_sigma

if TYPE_CHECKING:
    from .products import ProductResult


@dataclass(frozen=True)
class ProductStep:
    """One equation of the route: ``rule`` (its name), the left side in words (``lhs``,
    ``lhs_latex``), an optional middle form (``middle``: the sum c₁·e₁ + c₂·e₂ + … written
    out, as (c, e) pairs) and the
    ``value`` (an expression or a list of them). ``exact``: what the left side is, as SymPy
    computes it directly, so that a test can check the step."""

    rule: str
    lhs: str
    lhs_latex: str
    value: Any
    middle: tuple[tuple[Any, Any], ...] = ()
    exact: Any = None


@dataclass(frozen=True)
class ProductSteps:
    """The steps of a product, rendered as text, LaTeX and JSON."""

    result: ProductResult
    steps: tuple[ProductStep, ...]

    def text(self) -> str:
        from ..steps.render import inline as plain_inline

        def inline(e: Any) -> str:
            return str(plain_inline(with_sigma(e)))
        lines = []
        for k, s in enumerate(self.steps, 1):
            middle = " = " + " + ".join(f"{inline(c)}·{_grouped(inline(e), e)}"
                                        for c, e in s.middle) if s.middle else ""
            lines.append(f"[{k}] {s.rule}: {s.lhs}{middle} = {self._shown(s.value, inline)}")
        return "\n".join(lines)

    def equation_latex(self, step: ProductStep) -> str:
        """One step's equation in LaTeX: its left side = the sum written out = its value."""
        from .product_render import latex_of as plain_latex

        def latex_of(result: Any, e: Any) -> str:
            return plain_latex(result, with_sigma(e))

        def shown(value: Any) -> str:
            if isinstance(value, list | tuple):
                return r"\begin{bmatrix}" + r" \\ ".join(latex_of(self.result, e)
                                                        for e in value) + r"\end{bmatrix}"
            return latex_of(self.result, value)
        middle = " = " + " + ".join(
            f"{latex_of(self.result, c)} " + _grouped(latex_of(self.result, e), e, True)
            for c, e in step.middle) if step.middle else ""
        return f"{step.lhs_latex}{middle} = {shown(step.value)}"

    def latex(self) -> str:
        rows = [rf"&\text{{{s.rule}:}}\quad {self.equation_latex(s)}" for s in self.steps]
        return r"\begin{aligned}" + r" \\ ".join(rows) + r"\end{aligned}"

    def to_json(self) -> list[dict[str, Any]]:
        """One object a step (the page draws each as a row: ``latex`` and its ``title``)."""
        def plain(value: Any) -> Any:
            return [expr_str(e) for e in value] if isinstance(value, list | tuple) \
                else expr_str(value)
        return [{"rule": s.rule, "title": s.rule, "lhs": s.lhs, "value": plain(s.value),
                 "latex": self.equation_latex(s),
                 **({"middle": [[expr_str(c), expr_str(e)] for c, e in s.middle]}
                    if s.middle else {})}
                for s in self.steps]

    @staticmethod
    def _shown(value: Any, inline: Any) -> str:
        if isinstance(value, list | tuple):
            return "[" + ", ".join(inline(e) for e in value) + "]"
        return str(inline(value))


def product_steps(result: ProductResult) -> ProductSteps:
    """The steps of ``result``'s route (see the module docstring)."""
    return ProductSteps(result, tuple(_ROUTES[result.kind](result)))


def _entries(result: ProductResult) -> list[sympy.Expr]:
    full = list(result.expanded())
    return full


def _named(result: ProductResult) -> str:
    direction = result.direction
    assert direction is not None
    return direction.prefix or ("u" if result.kind == "vjp" else "v")


def _written(pairs: list[tuple[sympy.Expr, sympy.Expr]]) -> tuple[tuple[Any, Any], ...]:
    """The terms c·e of a weighted sum that are not 0 (none when fewer than two)."""
    terms = tuple((c, e) for c, e in pairs if c != 0 and e != 0)
    return terms if len(terms) > 1 else ()


def _grouped(shown: str, e: sympy.Expr, latex: bool = False) -> str:
    """``shown`` in brackets where a product would read it wrongly (a sum, a product)."""
    if isinstance(e, sympy.Add | sympy.Mul) or (e.is_Number and e < 0):
        return rf"\left({shown}\right)" if latex else f"({shown})"
    return shown


def _nice(e: sympy.Expr, f: sympy.Basic) -> sympy.Expr:
    """``e`` as a result prints it: readable, in textbook form (σ(x)(1 − σ(x)))."""
    preferred = arguments(f) if e.has(sympy.exp) else frozenset()
    return textbook_form(e, readable(e), preferred)


def _hvp(result: ProductResult) -> list[ProductStep]:
    f, v = result.function, result.direction.components  # type: ignore[union-attr]
    name, F = _named(result), function_letter(f.expr)  # F: the formula has an unknown f
    grad = [_nice(partial(f.expr, x), f.expr) for x in f.variables]
    slope = sympy.Add(*(c * g for c, g in zip(v, grad, strict=True)))
    return [
        ProductStep("gradient", f"∇{F}", rf"\nabla {F}", grad,
                    exact=[partial(f.expr, x) for x in f.variables]),
        ProductStep("directional derivative", f"∇{F}·{name}", rf"\nabla {F} \cdot {name}",
                    _nice(slope, f.expr), _written(list(zip(v, grad, strict=True))),
                    exact=sum(c * partial(f.expr, x) for c, x in zip(v, f.variables,
                                                                      strict=True))),
        ProductStep("its gradient", f"H·{name} = ∇(∇{F}·{name})",
                    rf"\nabla^{{2}} {F} \, {name} = \nabla\left(\nabla {F} \cdot {name}\right)",
                    _entries(result), exact=[partial(slope, x) for x in f.variables]),
    ]


def _jvp(result: ProductResult) -> list[ProductStep]:
    f, v = result.function, result.direction.components  # type: ignore[union-attr]
    name, F = _named(result), function_letter(f.expr)  # F: the formula has an unknown f
    taken = {s.name for e in f.outputs for s in e.free_symbols} | \
        {s.name for c in v for s in c.free_symbols}
    t = sympy.Symbol(fresh_name(("t", "s", "tau"), lambda n: n not in taken), real=True)
    moved = {x: x + t * c for x, c in zip(f.variables, v, strict=True)}
    from .products import moved_along
    shifted = [moved_along(e, moved) for e in f.outputs]
    slopes = [partial(e, t) for e in shifted]
    scalar = not f.is_vector

    def one(values: list[sympy.Expr]) -> Any:
        return values[0] if scalar else values
    at_zero = [s.xreplace({t: sympy.Integer(0)}).replace(
        lambda n: isinstance(n, sympy.Subs), lambda n: n.doit()) for s in slopes]
    lhs = f"∇{F}·{name}" if scalar else f"J·{name}"
    lhs_latex = rf"\nabla {F} \cdot {name}" if scalar else rf"J \, {name}"
    return [
        ProductStep("move along the direction", f"{F}(x + {t}·{name})",
                    rf"{F}\left(x + {t} \, {name}\right)", one(shifted), exact=one(shifted)),
        ProductStep("derivative in " + t.name, f"d/d{t} {F}(x + {t}·{name})",
                    rf"\frac{{d}}{{d {t}}} {F}\left(x + {t} \, {name}\right)",
                    one([readable(s, False) for s in slopes]), exact=one(slopes)),
        ProductStep(f"at {t} = 0", lhs, lhs_latex, one(_entries(result)), exact=one(at_zero)),
    ]


def _vjp(result: ProductResult) -> list[ProductStep]:
    f, u = result.function, result.direction.components  # type: ignore[union-attr]
    name, F = _named(result), function_letter(f.expr)  # F: the formula has an unknown f
    weighted = sympy.Add(*(c * e for c, e in zip(u, f.outputs, strict=True)))
    lhs = f"{name}ᵀ{F}" if f.is_vector else f"{name}_1·{F}"
    lhs_latex = rf"{name}^{{\top}} {F}" if f.is_vector else rf"{name}_{{1}} {F}"
    product = f"{name}ᵀJ" if f.is_vector else f"{name}_1·∇{F}"
    product_latex = rf"{name}^{{\top}} J" if f.is_vector else rf"{name}_{{1}} \nabla {F}"
    return [
        ProductStep("weighted sum of the outputs", lhs, lhs_latex, readable(weighted),
                    _written(list(zip(u, f.outputs, strict=True))),
                    exact=weighted),
        ProductStep("its gradient", f"{product} = ∇({lhs})",
                    rf"{product_latex} = \nabla\left({lhs_latex}\right)", _entries(result),
                    exact=[partial(weighted, x) for x in f.variables]),
    ]


_ROUTES = {"hvp": _hvp, "jvp": _jvp, "vjp": _vjp}
