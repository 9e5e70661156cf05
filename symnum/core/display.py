"""Rich display in notebooks: the pieces each object's ``_repr_mimebundle_`` is built from.

Jupyter (JupyterLab, VS Code, nbviewer) asks an object for a dict of mime types and shows the
richest it can render; ``text/plain`` is always there for terminals. LaTeX goes out as ``$$ ...
$$`` display math and only when every macro in it is one KaTeX renders (VS Code typesets with
KaTeX, which knows fewer macros than MathJax); HTML escapes every text it is given.

>>> bundle("x²", {"text/latex": math_block("x^{2}"), "text/html": None})
{'text/plain': 'x²', 'text/latex': '$$x^{2}$$'}
>>> html_table(["name", "value"], [["<v1>", "1 < 2"]])[-68:]
'<tbody><tr><td>&lt;v1&gt;</td><td>1 &lt; 2</td></tr></tbody></table>'
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence

# Control sequences KaTeX renders (checked with KaTeX 0.16), as SymPy and symnum write them.
KATEX_MACROS = frozenset("""
alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi
pi varpi rho varrho sigma varsigma tau upsilon phi varphi chi psi omega Gamma Delta Theta
Lambda Xi Pi Sigma Upsilon Phi Psi Omega
frac dfrac tfrac binom sqrt left right middle cdot times div pm mp circ odot otimes oplus
cdots ldots dots vdots ddots
sin cos tan cot sec csc sinh cosh tanh coth arcsin arccos arctan log ln exp max min
sup inf lim det operatorname mathrm mathbf mathit mathbb mathcal mathsf text textbf textit
hat bar tilde vec dot ddot overline underline underbrace partial nabla infty
leq geq neq le ge ne lt gt approx equiv sim propto in notin subset subseteq cup cap setminus
to rightarrow leftarrow Rightarrow Leftarrow mapsto implies iff forall exists neg wedge vee
lfloor rfloor lceil rceil lvert rvert lVert rVert vert Vert langle rangle
begin end quad qquad hspace displaystyle textstyle scriptstyle limits nolimits sum prod int
top intercal mathop mathrel mathbin mathord boldsymbol ell hbar prime emptyset
""".split()) | {",", ":", ";", "!", " ", "{", "}", "|", "\\", "_", "%", "&", "#", "$"}
# Environments KaTeX renders inside $$ ... $$ (no equation, no align*: those are top level).
KATEX_ENVIRONMENTS = frozenset({"aligned", "matrix", "bmatrix", "pmatrix", "vmatrix", "cases",
                                "array", "gathered", "smallmatrix"})
MAX_LATEX_CHARS = 40_000  # longer LaTeX is not sent (a notebook would stall typesetting it)

_MACRO = re.compile(r"\\([A-Za-z]+|.)")
_ENVIRONMENT = re.compile(r"\\(?:begin|end)\{([^}]*)\}")
_VERDICT_COLOURS = {"pass": "#1a7f37", "correct": "#1a7f37", "fail": "#cf222e",
                    "incorrect": "#cf222e", "inconclusive": "#9a6700"}


def escape(text: object, quote: bool = True) -> str:
    """Text as HTML: ``<``, ``>``, ``&`` (and quotes, unless ``quote=False``, as Markdown
    text needs) escaped."""
    return html.escape(str(text), quote=quote)


def katex_safe(latex: str) -> bool:
    """Whether KaTeX renders every macro and environment in ``latex``.

    >>> katex_safe(r"\\frac{d}{d x} \\left(x^{2}\\right) = 2 x"), katex_safe(r"\\mathscr{L}")
    (True, False)
    """
    macros = set(_MACRO.findall(latex))
    environments = set(_ENVIRONMENT.findall(latex))
    return macros <= KATEX_MACROS and environments <= KATEX_ENVIRONMENTS


def math_block(latex: str) -> str | None:
    """``$$latex$$`` for display, or None when KaTeX could not render it or it is too long."""
    if len(latex) > MAX_LATEX_CHARS or not katex_safe(latex):
        return None
    return f"$${latex}$$"


def bundle(text: str, rich: Mapping[str, str | None], include: Iterable[str] | None = None,
           exclude: Iterable[str] | None = None) -> dict[str, str]:
    """The mime bundle: ``text/plain`` and each rich rendering that exists, filtered as
    Jupyter asks (``include``: only these; ``exclude``: not these)."""
    data = {"text/plain": text, **{k: v for k, v in rich.items() if v is not None}}
    if include is not None:
        wanted = set(include)
        data = {k: v for k, v in data.items() if k in wanted}
    if exclude is not None:
        data = {k: v for k, v in data.items() if k not in set(exclude)}
    return data


def html_table(header: Sequence[str], rows: Iterable[Sequence[object]],
               caption: str | None = None) -> str:
    """An HTML table; every cell is text, escaped."""
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>"
                   for row in rows)
    title = f"<caption>{escape(caption)}</caption>" if caption else ""
    return f"<table>{title}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def verdict_html(verdict: str, summary: str) -> str:
    """The verdict word in capitals, bold and coloured, then its one-line summary.

    >>> verdict_html("fail", "FAIL: torch disagrees")
    '<p><strong style="color:#cf222e">FAIL</strong>: torch disagrees</p>'
    """
    word = verdict.upper()
    rest = summary[len(word):] if summary.upper().startswith(word) else f": {summary}"
    colour = _VERDICT_COLOURS.get(verdict.lower(), "inherit")
    return f'<p><strong style="color:{colour}">{escape(word)}</strong>{escape(rest)}</p>'


def paragraph(text: str) -> str:
    """One escaped paragraph."""
    return f"<p>{escape(text)}</p>"


def preformatted(text: str) -> str:
    """Escaped text in a <pre> block (kept as the terminal shows it)."""
    return f"<pre>{escape(text)}</pre>"


def details(summary: str, body: str, open_: bool = False) -> str:
    """A foldable Markdown section: plain-text summary (escaped), Markdown body."""
    flag = " open" if open_ else ""
    return f"<details{flag}><summary>{escape(summary)}</summary>\n\n{body}\n\n</details>"
