r"""The catalog as a LaTeX report: for every entry its statement, result, steps, claim,
verification table, study findings and figure; built into a PDF by pdflatex when installed.

>>> print(tex_text("‖x‖² ≥ 0 & 5%"))
\ensuremath{\lVert}x\ensuremath{\rVert}\ensuremath{^{2}} \ensuremath{\geq} 0 \& 5\%
>>> print(tex_text("μ̂ ∈ ℝ"))
\ensuremath{\hat{\mu}} \ensuremath{\in} \ensuremath{\mathbb{R}}
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass

import sympy
from sympy.matrices.expressions.matexpr import MatrixExpr

from ..matrix.printing import matrix_latex
from .catalog import PART_TITLES, Outcome
from .findings import Finding, Math, part_latex

_MATH = {
    "λ": r"\lambda", "μ": r"\mu", "σ": r"\sigma", "θ": r"\theta", "κ": r"\kappa",
    "ψ": r"\psi", "π": r"\pi", "ε": r"\varepsilon", "Γ": r"\Gamma", "Σ": r"\Sigma",
    "∇": r"\nabla", "∂": r"\partial", "‖": r"\lVert", "·": r"\cdot", "×": r"\times",
    "⊙": r"\odot", "≥": r"\geq", "≤": r"\leq", "≠": r"\neq", "≈": r"\approx",
    "∈": r"\in", "→": r"\to", "⇒": r"\Rightarrow", "√": r"\surd", "ℝ": r"\mathbb{R}",
    "−": "-", "′": "'", "″": "''", "∞": r"\infty", "±": r"\pm", "ℓ": r"\ell",
    "ŷ": r"\hat{y}", "ĝ": r"\hat{g}", "η": r"\eta", "α": r"\alpha",
    "β": r"\beta", "δ": r"\delta", "ξ": r"\xi", "⁺": "^{+}",
}
_SUPER = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹ⁿᵐᵀˣ⁻", "0123456789nmTx-", strict=True))
_SUB = dict(zip("₀₁₂₃₄₅₆₇₈₉ᵢ", "0123456789i", strict=True))
_TEXT = {"…": r"\ldots{}", "–": "--", "—": "---", "✓": r"\ensuremath{\checkmark}",
         "✗": r"\ensuremath{\times}", "“": "``", "”": "''", "’": "'", "é": r"\'e",
         "ö": r"\"o"}
_ESCAPE = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
           "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}",
           "^": r"\textasciicircum{}"}


def tex_text(text: str) -> str:
    """Plain text (with the Unicode mathematics symnum writes) as safe LaTeX text."""
    out = []
    bars = 0  # ‖ alternates: opening, closing, opening ...
    k = 0
    while k < len(text):
        ch = text[k]
        hat = k + 1 < len(text) and text[k + 1] == "\u0302"
        if hat:
            base = _MATH.get(ch, ch)
            out.append(rf"\ensuremath{{\hat{{{base}}}}}")
            k += 2
            continue
        if ch == "‖":
            out.append(r"\ensuremath{\rVert}" if bars % 2 else r"\ensuremath{\lVert}")
            bars += 1
        elif ch in _ESCAPE:
            out.append(_ESCAPE[ch])
        elif ch in _MATH:
            out.append(rf"\ensuremath{{{_MATH[ch]}}}")
        elif ch in _SUPER:
            out.append(rf"\ensuremath{{^{{{_SUPER[ch]}}}}}")
        elif ch in _SUB:
            out.append(rf"\ensuremath{{_{{{_SUB[ch]}}}}}")
        elif ch in _TEXT:
            out.append(_TEXT[ch])
        elif ord(ch) < 128:
            out.append(ch)
        else:
            out.append(rf"\texttt{{[{unicodedata.name(ch, hex(ord(ch))).lower()}]}}")
        k += 1
    return "".join(out)


@dataclass(frozen=True)
class Built:
    """What ``write_report`` produced: the .tex, the PDF (None without pdflatex), figures."""

    tex: str
    pdf: str | None
    figures: tuple[str, ...]
    log: str = ""


PREAMBLE = r"""\documentclass[10pt]{article}
\usepackage[margin=2cm]{geometry}
\usepackage{amsmath,amssymb,graphicx}
\setcounter{MaxMatrixCols}{64}
\usepackage[T1]{fontenc}
\setlength{\parindent}{0pt}\setlength{\parskip}{4pt}
\allowdisplaybreaks
\title{The chapter, derived and verified\\\large Mathematical foundations for deep learning,
with symnum}
\date{}
\begin{document}
\maketitle
Every entry below was derived exactly by symnum, shown step by step where the result is a
formula, and checked: numerically against independent methods (mpmath differences at 40
digits, complex step, Richardson extrapolation, torch autograd), symbolically against the
result a reader expects, and by the study's own oracles (LAPACK, quadrature, a numeric
optimiser). A \ensuremath{\checkmark} marks a check that passed.
\tableofcontents
"""

MAX_STEP_ROWS = 40
_FIT = r"\resizebox{\ifdim\width>\linewidth\linewidth\else\width\fi}{!}"
MAX_INLINE_FINDING = 90  # longer formulas in findings are displayed on their own line
MAX_INLINE_LATEX = 900


def write_report(outcomes: list[Outcome], out_dir: str, pdf: bool = True) -> Built:
    """Write report.tex and one PNG per figure into ``out_dir``; run pdflatex if asked."""
    from .figures import draw

    os.makedirs(out_dir, exist_ok=True)
    parts: list[str] = [PREAMBLE]
    figures = []
    part = None
    for o in outcomes:
        if o.entry.part != part:
            part = o.entry.part
            parts.append(rf"\section{{{tex_text(PART_TITLES.get(part, part))}}}")
        figure = None
        if o.entry.figure and o.error is None:
            figure = f"fig-{o.entry.key}.png"
            draw(o, os.path.join(out_dir, figure))
            figures.append(figure)
        parts.append(entry_tex(o, figure))
    parts.append(r"\end{document}")
    tex_path = os.path.join(out_dir, "report.tex")
    with open(tex_path, "w", encoding="utf-8") as handle:
        handle.write("\n\n".join(parts) + "\n")
    if not pdf or shutil.which("pdflatex") is None:
        return Built(tex_path, None, tuple(figures))
    log = ""
    for _ in range(2):  # twice: the table of contents needs the first run's page numbers
        proc = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error",
                               "report.tex"], cwd=out_dir, capture_output=True, text=True,
                              timeout=300)
        log = proc.stdout[-3000:]
        if proc.returncode != 0:
            from ..core.errors import SymnumError
            raise SymnumError("pdflatex failed on report.tex: " + _first_error(proc.stdout))
    return Built(tex_path, os.path.join(out_dir, "report.pdf"), tuple(figures), log)


def _first_error(log: str) -> str:
    match = re.search(r"^! .*$", log, re.MULTILINE)
    return match.group(0) if match else "see report.log"


def entry_tex(o: Outcome, figure: str | None) -> str:
    """One entry: statement, equation, steps, checks, findings and figure."""
    e = o.entry
    lines = [rf"\subsection{{{tex_text(e.title)}}}", tex_text(e.statement)]
    if o.result is not None:
        lines.append(_display(o.result.latex()))
    if o.value is not None:
        lines.append(rf"At {tex_text(e.at or '')}: \texttt{{{tex_text(str(o.value))}}}.")
    if o.steps_latex:
        rows = o.steps_latex.count(r"\\") + 1
        if rows <= MAX_STEP_ROWS:
            lines += [r"\textbf{Steps.}", r"{\footnotesize " + o.steps_latex + "}"]
        else:
            lines.append(rf"\textbf{{Steps.}} {rows} rows; \texttt{{symnum catalog --show "
                         rf"{tex_text(e.key)}}} prints them.")
    if o.study is not None and o.study.findings:
        lines.append(r"\textbf{Findings.}\begin{itemize}" + "".join(
            rf"\item {finding_tex(f)}" for f in o.study.findings) + r"\end{itemize}")
    table = _verification_table(o)
    if table:
        lines.append(table)
    marks = {True: r"$\checkmark$", False: r"$\times$"}
    others = o.checks[sum(len([c for c in r.checks if not c.skipped])
                          for _, r in o.verification):]  # the table shows the rest
    if others:
        lines.append(r"\textbf{Checks.}\begin{itemize}" + "".join(
            rf"\item[{marks[ok]}] {_check_tex(o, name)} ({tex_text(how)})"
            for name, ok, how in others) + r"\end{itemize}")
    if e.notes:
        lines.append(tex_text(e.notes))
    if figure:
        lines.append(r"\begin{center}\includegraphics[width=0.9\linewidth,height=0.4\textheight,"
                     rf"keepaspectratio]{{{figure}}}\end{{center}}")
    return "\n\n".join(lines)


def finding_tex(finding: Finding) -> str:
    r"""A finding's words as text and its formulas as mathematics (long ones displayed).

    >>> from symnum.chapter.findings import Math
    >>> print(finding_tex(Finding("stable for {} & more", (Math("lr < 1", r"\mathrm{lr} < 1"),))))
    stable for $\mathrm{lr} < 1$ \& more
    """
    pieces = finding.pieces()
    if sum(len(text) for kind, text in pieces if kind == "math") <= MAX_INLINE_FINDING:
        return "".join(tex_text(text) if kind == "words" else f"${text}$"
                       for kind, text in pieces)
    lead = pieces[0][1] if pieces[0][0] == "words" else None
    body = "".join(text if kind == "math" else _display_words(text)
                   for kind, text in (pieces[1:] if lead is not None else pieces))
    if lead is not None:  # the leading words, then the mathematics displayed
        return tex_text(lead) + _display(body, wide=True)
    return rf"{_FIT}{{$\displaystyle {body}$}}"  # on the bullet's line, shrunk to fit


def _display_words(text: str) -> str:
    """Words inside display math: upright, with a quad where they had spaces around."""
    return ((r"\quad" if text[:1] == " " else "") + rf"\text{{{tex_text(text.strip())}}}"
            + (r"\quad " if text[-1:] == " " else ""))


def _check_tex(o: Outcome, name: str) -> str:
    """A check's name; the claim's formula typeset (not the text the entry holds)."""
    if o.claim is None or name != f"claim: {o.entry.claim}":
        return tex_text(name)
    claimed = o.claim.claimed
    if isinstance(claimed, sympy.MatrixBase) and 1 in claimed.shape:  # a list: one line
        latex = (part_latex(claimed[0]) if len(claimed) == 1 else
                 r"\left[" + r",\ ".join(part_latex(e) for e in claimed) + r"\right]")
    else:
        latex = matrix_latex(claimed) if isinstance(claimed, MatrixExpr) else part_latex(claimed)
    return finding_tex(Finding("claim: {}", (Math(name, latex),)))


def _display(latex: str, wide: bool = False) -> str:
    """Display math, shrunk to the line's width where it is wider (``wide``: may be)."""
    if wide or "aligned" in latex or len(latex) > MAX_INLINE_LATEX:
        return rf"\[{_FIT}{{$\displaystyle {latex}$}}\]"
    return rf"\[{latex}\]"


def _verification_table(o: Outcome) -> str:
    rows = []
    for label, report in o.verification:
        for c in report.checks:
            if c.skipped:
                continue
            digits = min((e.digits for p in c.points for e in p), default=0.0)
            verdict = {"pass": "pass", "fail": r"\textbf{FAIL}"}.get(c.verdict, c.verdict)
            rows.append(rf"{tex_text(label.rstrip(': '))} & {tex_text(c.method)} & "
                        rf"{len(c.points)} & {digits:.1f} & {verdict} \\")
    if not rows:
        return ""
    return (r"\textbf{Verification.}\par{\small\begin{tabular}{llrrl}"
            r"where & method & points & worst digits & verdict \\ \hline "
            + " ".join(rows) + r"\end{tabular}}")
