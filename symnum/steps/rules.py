"""The derivation rules as data: one :class:`Step` per rule application, and a table that
names each rule and the formula it applies (text and LaTeX).

>>> RULES["product"].text
"(u·v)' = u'·v + u·v'"
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy


@dataclass(frozen=True)
class Rule:
    """A rule's name for people and its formula."""

    title: str
    text: str
    latex: str


RULES: dict[str, Rule] = {
    "constant": Rule("constant", "c' = 0", r"\frac{d}{dx} c = 0"),
    "variable": Rule("variable", "x' = 1", r"\frac{d}{dx} x = 1"),
    "constant_multiple": Rule("constant multiple", "(c·u)' = c·u'", r"(c\,u)' = c\,u'"),
    "sum": Rule("sum", "(u + v)' = u' + v'", r"(u + v)' = u' + v'"),
    "power": Rule("power", "(xⁿ)' = n·xⁿ⁻¹", r"(x^{n})' = n\,x^{n-1}"),
    "product": Rule("product", "(u·v)' = u'·v + u·v'", r"(u\,v)' = u'\,v + u\,v'"),
    "quotient": Rule("quotient", "(u/v)' = (u'·v − u·v')/v²",
                     r"\left(\frac{u}{v}\right)' = \frac{u'\,v - u\,v'}{v^{2}}"),
    "chain": Rule("chain", "(f∘g)' = f'(g)·g'", r"(f \circ g)' = f'(g)\,g'"),
    "exp": Rule("exponential", "(eˣ)' = eˣ,  (aˣ)' = aˣ·ln a",
                r"(e^{x})' = e^{x},\ (a^{x})' = a^{x} \ln a"),
    "log": Rule("logarithm", "(ln x)' = 1/x", r"(\ln x)' = \frac{1}{x}"),
    "trig": Rule("trigonometric", "sin' = cos, cos' = −sin, tan' = 1 + tan², ...",
                 r"\sin' = \cos,\ \cos' = -\sin,\ \tan' = 1 + \tan^{2}"),
    "inverse_trig": Rule("inverse trigonometric",
                         "asin' = 1/√(1 − x²), atan' = 1/(1 + x²), ...",
                         r"\arcsin' x = \frac{1}{\sqrt{1 - x^{2}}},\ "
                         r"\arctan' x = \frac{1}{1 + x^{2}}"),
    "hyperbolic": Rule("hyperbolic", "sinh' = cosh, cosh' = sinh, tanh' = 1 − tanh², ...",
                       r"\sinh' = \cosh,\ \cosh' = \sinh,\ \tanh' = 1 - \tanh^{2}"),
    "sigmoid": Rule("logistic sigmoid", "σ' = σ·(1 − σ)", r"\sigma' = \sigma\,(1 - \sigma)"),
    "abs": Rule("absolute value", "|x|' = sign(x), not differentiable at x = 0",
                r"|x|' = \operatorname{sign}(x),\ x \neq 0"),
    "piecewise": Rule("piecewise", "differentiate each piece; not differentiable where the "
                      "pieces meet", r"\text{each piece; not differentiable where pieces meet}"),
    "general_power": Rule("general power", "(f^g)' = f^g·(g'·ln f + g·f'/f)",
                          r"(f^{g})' = f^{g}\left(g' \ln f + \frac{g\,f'}{f}\right)"),
    "special_function": Rule("special function", "derivative from the function's definition",
                             r"\text{from the function's definition}"),
    "unknown_function": Rule("unknown function", "f'(u) stays symbolic", r"f'(u)"),
    "rewrite": Rule("rewrite", "a change of form that makes a rule apply",
                    r"\text{a change of form}"),
    "simplify": Rule("simplify", "the same derivative in a shorter form", r"\text{simplify}"),
    "recognise": Rule("recognise", "the function and its derivative named as a textbook does",
                      r"\text{a known function named}"),
}

# Steps read after the derivation they close (the raw derivation first, then its simplified
# or named form): rendered after their substeps, at the same depth.
CLOSING = frozenset({"simplify", "recognise"})


@dataclass(frozen=True)
class Step:
    """d(expr)/d(wrt) = result, by ``rule``, from ``substeps``.

    ``let`` names an inner expression for a chain rule (u = g(x)); ``note`` is a sentence
    for the reader (a shortcut, where the rule does not hold); ``ref`` is the number of an
    earlier identical sub-derivation this one refers to instead of repeating it.
    """

    rule: str
    expr: sympy.Expr
    wrt: sympy.Symbol
    result: sympy.Expr
    substeps: tuple[Step, ...] = ()
    let: tuple[tuple[sympy.Symbol, sympy.Expr], ...] = ()
    note: str = ""
    ref: int | None = None
    number: int | None = field(default=None, compare=False)

    def walk(self):
        """This step and every step below it, depth first."""
        for step, _ in self.walk_with_depth():
            yield step

    def walk_with_depth(self):
        """(step, depth) pairs, depth first, without recursion (deep trees are fine)."""
        stack = [(self, 0)]
        while stack:
            step, depth = stack.pop()
            yield step, depth
            stack.extend((s, depth + 1) for s in reversed(step.substeps))

    def reading(self):
        """(step, depth) in reading order: depth first, a closing step (simplify, recognise)
        after the derivation it closes, at the same depth; without recursion.

        >>> x = sympy.Symbol("x")
        >>> raw = Step("power", x**2, x, 2*x)
        >>> [s.rule for s, _ in Step("simplify", x**2, x, 2*x, (raw,)).reading()]
        ['power', 'simplify']
        """
        stack: list[tuple[Step, int, bool]] = [(self, 0, False)]
        while stack:
            step, depth, closed = stack.pop()
            if step.rule in CLOSING and step.substeps and not closed:
                stack.append((step, depth, True))
                stack.extend((s, depth, False) for s in reversed(step.substeps))
                continue
            yield step, depth
            if step.rule not in CLOSING:
                stack.extend((s, depth + 1, False) for s in reversed(step.substeps))

    def rules(self) -> list[str]:
        """Rule names in the tree, depth first."""
        return [s.rule for s in self.walk()]
