"""The index form in text and LaTeX: ∂F_ij/∂X_kl = Σ_a A_ia B_aj δ_kl … .

An entry of a named matrix is written W_ik (a vector's x_k), of any other matrix (X⁻¹)_ik;
a 1 × 1 factor is the scalar it is; the sums come first, then the coefficient.

>>> import sympy
>>> from .index_form import IndexForm, IndexTerm
>>> n = sympy.Symbol("n", integer=True)
>>> X = sympy.MatrixSymbol("X", n, n)
>>> form = IndexForm((IndexTerm.variable(),)).between(X.I, X.I).scaled(-1)
>>> print(index_latex(form.finished((n, n), (n, n)), "F", "X"))
\\frac{\\partial F_{ij}}{\\partial X_{kl}} = - \\left(X^{-1}\\right)_{ik} \\left(X^{-1}\\right)_{lj}
"""

from __future__ import annotations

import sympy

from .index_form import ZERO, IndexForm, IndexTerm
from .printing import matrix_latex, matrix_text


def _subscript(row: sympy.Basic, col: sympy.Basic) -> str:
    return "".join(str(i) for i in (row, col) if i != ZERO)


def _entry_text(m: sympy.Basic, row, col) -> str:
    if row is None:
        text = matrix_text(m)
        return f"({text})" if isinstance(m, sympy.Add) else text
    sub = _subscript(row, col)
    text = matrix_text(m)
    if not sub:
        return f"({text})"
    named = isinstance(m, sympy.MatrixSymbol) and len(m.name) == 1
    return f"{text}_{sub}" if named else f"({text})_{sub}"


def _entry_latex(m: sympy.Basic, row, col) -> str:
    if row is None:
        text = matrix_latex(m)
        return rf"\left({text}\right)" if isinstance(m, sympy.Add) else text
    sub = _subscript(row, col)
    text = matrix_latex(m)
    if not sub:
        return rf"\left({text}\right)"
    if isinstance(m, sympy.MatrixSymbol):
        return f"{_base(text)}_{{{sub}}}"
    return rf"\left({text}\right)_{{{sub}}}"


def _base(text: str) -> str:
    """A name that carries a subscript already (W_{1}) bracketed before another: (W_1)_{ik}."""
    return rf"\left({text}\right)" if "_" in text else text


def _coefficient_text(c: sympy.Basic) -> str:
    """A scalar coefficient, a quotient as (a/b): (1/√d), not d^(−1/2)."""
    numerator, denominator = sympy.fraction(c, exact=True)
    if denominator == 1:
        return matrix_text(c)
    below = matrix_text(denominator)
    if isinstance(denominator, sympy.Add | sympy.Mul):
        below = f"({below})"
    return f"({matrix_text(numerator)}/{below})"


def _split_sign(t: IndexTerm) -> tuple[bool, sympy.Basic]:
    c = t.coefficient
    return (True, -c) if c.could_extract_minus_sign() else (False, c)


def _term(t: IndexTerm, latex: bool) -> tuple[bool, str]:
    negative, c = _split_sign(t)
    parts = []
    if c != 1:
        text = matrix_latex(c) if latex else _coefficient_text(c)
        grouped = isinstance(c, sympy.Add) or isinstance(c, sympy.Trace) and isinstance(
            c.arg, sympy.MatMul) and tuple(c.arg.shape) == (1, 1)
        parts.append((rf"\left({text}\right)" if latex else f"({text})") if grouped else text)
    if t.summed:
        names = ",".join(str(s) for s in t.summed)
        parts.append(rf"\sum_{{{names}}}" if latex else f"Σ_{names}")
    for m, row, col in t.factors:
        parts.append((_entry_latex if latex else _entry_text)(m, row, col))
    for a, b in t.deltas:
        sub = _subscript(*sorted((a, b), key=str))
        parts.append(rf"\delta_{{{sub}}}" if latex else f"δ_{sub}")
    return negative, " ".join(parts) if parts else "1"


def _free_letters(form: IndexForm) -> IndexForm:
    """Summation indices renamed where a name in the form uses their letter (Σ_a (𝟏 − a²)_a
    would read a as both): the first letters of a, b, c, d, e, g, p, q, r free in it."""
    taken = {str(s) for t in form.terms for m, _, _ in t.factors for s in
             m.atoms(sympy.Symbol, sympy.MatrixSymbol)} | set("ijkl")
    letters = [c for c in "abcdegpqrtuvw" if c not in taken]
    terms = []
    for t in form.terms:
        if any(str(s) in taken for s in t.summed):
            t = t.renamed({s: sympy.Symbol(c) for s, c in zip(t.summed, letters, strict=False)})
        terms.append(t)
    return IndexForm(tuple(terms), form.shapes)


def _sum(form: IndexForm, latex: bool) -> str:
    form = _free_letters(form)
    if not form.terms:
        return "0"
    minus = "-" if latex else "−"
    out = ""
    pieces = [_term(t, latex) for t in form.terms]
    pieces = [p for p in pieces if not p[0]] + [p for p in pieces if p[0]]
    for k, (negative, text) in enumerate(pieces):
        if k == 0:
            out = f"{minus} {text}" if negative and latex else (minus + text if negative else text)
        else:
            out += f" {minus} {text}" if negative else f" + {text}"
    return out


def _names(form: IndexForm, f: str, x: str) -> tuple[str, str]:
    (m, n), (p, q) = form.shapes
    return (_subscript(sympy.Symbol("i") if m != 1 else ZERO, sympy.Symbol("j") if n != 1
                       else ZERO),
            _subscript(sympy.Symbol("k") if p != 1 else ZERO, sympy.Symbol("l") if q != 1
                       else ZERO))


def index_text(form: IndexForm, f: str, x: str, second: bool = False) -> str:
    """One line: ∂F_ij/∂X_kl = … (the Hessian: ∂²f/∂X_ij∂X_kl)."""
    out_sub, in_sub = _names(form, f, x)
    head = f"∂²{f}/∂{x}_{out_sub}∂{x}_{in_sub}" if second else \
        f"∂{f}_{out_sub}/∂{x}_{in_sub}" if out_sub else f"∂{f}/∂{x}_{in_sub}"
    return f"{head} = {_sum(form, False)}"


def index_latex(form: IndexForm, f: str, x: str, second: bool = False) -> str:
    out_sub, in_sub = _names(form, f, x)
    if second:
        head = (rf"\frac{{\partial^{{2}} {f}}}{{\partial {_base(x)}_{{{out_sub}}}\,"
                rf"\partial {_base(x)}_{{{in_sub}}}}}")
    else:
        top = f"{f}_{{{out_sub}}}" if out_sub else f
        head = rf"\frac{{\partial {top}}}{{\partial {_base(x)}_{{{in_sub}}}}}"
    return f"{head} = {_sum(form, True)}"
