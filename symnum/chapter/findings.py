r"""Findings: a study's sentences with their mathematics kept as mathematics.

A :class:`Finding` is words with ``{}`` holes and the formulas that fill them: SymPy objects,
formulas written by hand (:class:`Math`: text and LaTeX), numbers (:func:`number`) and
equations (:func:`eq`). Its text reads in a terminal (Unicode, as symnum prints steps); its
pieces give the report and the notebooks the LaTeX of each formula, from SymPy's printer.

>>> lam = sympy.Symbol("λ")
>>> f = Finding("characteristic polynomial {}", (eq(Math("p(λ)", r"p(\lambda)"),
...                                                   lam**2 - 5*lam + 6),))
>>> f.text()
'characteristic polynomial p(λ) = λ² − 5·λ + 6'
>>> f.pieces()[1]
('math', 'p(\\lambda) = \\lambda^{2} - 5 \\lambda + 6')
>>> number(1.47e-11, ".3g").latex
'1.47 \\times 10^{-11}'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sympy

from ..core.display import escape
from ..core.render import expr_latex
from ..steps.render import inline

_GREEK = dict(zip("αβγδεζηθικλμνξπρστυφχψωΓΔΘΛΞΠΣΦΨΩ", (
    r"\alpha \beta \gamma \delta \epsilon \zeta \eta \theta \iota \kappa \lambda \mu \nu \xi "
    r"\pi \rho \sigma \tau \upsilon \phi \chi \psi \omega \Gamma \Delta \Theta \Lambda \Xi "
    r"\Pi \Sigma \Phi \Psi \Omega").split(), strict=True))


@dataclass(frozen=True)
class Math:
    """A formula written by hand, in both forms."""

    text: str
    latex: str


Part = sympy.Basic | Math | int | float


@dataclass(frozen=True)
class Finding:
    """Words with ``{}`` holes, and the formulas that fill them in order."""

    words: str
    math: tuple[Part, ...] = ()

    def __post_init__(self) -> None:
        if self.words.count("{}") != len(self.math):
            raise ValueError(f"{self.words!r} has {self.words.count('{}')} holes for "
                             f"{len(self.math)} formulas")

    def text(self) -> str:
        """Unicode text for terminals."""
        words = self.words.split("{}")
        return words[0] + "".join(part_text(m) + w for m, w in zip(self.math, words[1:],
                                                                   strict=True))

    def pieces(self) -> list[tuple[str, str]]:
        """("words", text) and ("math", LaTeX) in reading order, for typesetting."""
        out: list[tuple[str, str]] = []
        for k, words in enumerate(self.words.split("{}")):
            if k:
                out.append(("math", part_latex(self.math[k - 1])))
            if words:
                out.append(("words", words))
        return out

    def markdown(self) -> str:
        """Markdown with inline math (KaTeX-safe), the words escaped."""
        return "".join(f"${text}$" if kind == "math" else escape(text, quote=False)
                       for kind, text in self.pieces())

    def __str__(self) -> str:
        return self.text()


def part_text(part: Part) -> str:
    if isinstance(part, Math):
        return part.text
    if isinstance(part, sympy.MatrixBase):
        rows = [", ".join(inline(e) for e in part.row(r)) for r in range(part.rows)]
        return "[" + ", ".join(rows) + "]" if part.cols == 1 else \
            "[" + ", ".join(f"[{r}]" for r in rows) + "]"
    if isinstance(part, sympy.Basic):
        return inline(part)
    return str(part)


def part_latex(part: Part) -> str:
    if isinstance(part, Math):
        return part.latex
    if isinstance(part, sympy.Basic):
        names = {s: "".join(_GREEK.get(c, c) + (" " if c in _GREEK else "") for c in s.name)
                 .strip() for s in part.free_symbols if any(c in _GREEK for c in s.name)}
        return expr_latex(part.xreplace({s: sympy.Symbol(n, **s.assumptions0)
                                         for s, n in names.items()}))
    return str(part)


def number(value: float, spec: str = "g") -> Math:
    """A number formatted by ``spec``; in LaTeX, 1e-05 is 1 × 10⁻⁵."""
    text = format(value, spec)
    mantissa, _, exponent = text.partition("e")
    if not exponent or not mantissa.replace(".", "").lstrip("-").isdigit():
        return Math(text, text.replace("inf", r"\infty").replace("nan", r"\mathrm{nan}"))
    if float(mantissa) == 0 or int(exponent) == 0:
        return Math(text, mantissa)
    power = rf"10^{{{int(exponent)}}}"
    return Math(text, power if mantissa == "1" else rf"{mantissa} \times {power}")


def numbers(values: Sequence[float], spec: str = "g") -> Math:
    """A list of numbers, comma separated."""
    parts = [number(v, spec) for v in values]
    return Math(", ".join(p.text for p in parts), r",\ ".join(p.latex for p in parts))


def eq(*sides: Part) -> Math:
    """a = b (= c ...) as one formula."""
    return Math(" = ".join(part_text(s) for s in sides),
                " = ".join(part_latex(s) for s in sides))


def matrix_of_numbers(rows: Sequence[Sequence[float]], spec: str = ".4g") -> Math:
    """A numeric matrix: [[a, b], [c, d]] in text, a bmatrix in LaTeX."""
    cells = [[number(v, spec) for v in row] for row in rows]
    text = "[" + ", ".join("[" + ", ".join(c.text for c in row) + "]" for row in cells) + "]"
    body = r" \\ ".join(" & ".join(c.latex for c in row) for row in cells)
    return Math(text, rf"\begin{{bmatrix}}{body}\end{{bmatrix}}")
