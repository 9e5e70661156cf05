"""Kronecker products, vec and the commutation matrix in text and LaTeX (the vec forms of
:mod:`symnum.matrix.linear`): ``(Bᵀ ⊗ A) K_m,n``, ``diag(vec(X))``, an identity factor with
its size (``xᵀ ⊗ 𝐈_m``). Mixed into the printers of :mod:`symnum.matrix.printing`.

>>> import sympy
>>> from .printing import matrix_latex, matrix_text
>>> m = sympy.Symbol("m", integer=True)
>>> x = sympy.MatrixSymbol("x", 3, 1)
>>> matrix_text(sympy.KroneckerProduct(x.T, sympy.Identity(m)))
'xᵀ ⊗ 𝐈_m'
>>> matrix_latex(sympy.KroneckerProduct(x.T, sympy.Identity(m)))
'x^\\\\top \\\\otimes \\\\mathbf{I}_{m}'
"""

from __future__ import annotations

import sympy

_RAISED = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def dimension(d: sympy.Basic) -> str:
    """A size as a subscript: n, 3, (mn) for a product, (n²) for a square.

    >>> m, n = sympy.symbols("m n", integer=True)
    >>> dimension(n), dimension(m * n), dimension(n**2)
    ('n', '(mn)', '(n²)')
    """
    if isinstance(d, sympy.Symbol | sympy.Integer):
        return str(d)
    parts = []
    for factor in sympy.Mul.make_args(d):
        base, power = factor.as_base_exp()
        parts.append(str(base) + (str(power).translate(_RAISED) if power != 1 else ""))
    return "(" + "".join(parts) + ")"


def _bare(a: sympy.Basic) -> bool:
    """A Kronecker factor printed without brackets: a name, its transpose, inverse or power,
    a call."""
    while isinstance(a, sympy.Transpose | sympy.Inverse | sympy.MatPow):
        a = a.args[0]
    return isinstance(a, sympy.MatrixSymbol | sympy.DiagMatrix | sympy.OneMatrix) or (
        type(a).__name__ in ("Vec", "Softmax", "Elementwise"))


class VecText:
    """Unicode: ⊗, vec(·), K_m,n, 𝐈_m inside a Kronecker product."""

    def _print_KroneckerProduct(self, e):
        return " ⊗ ".join(self._kron_factor(a) for a in e.args)

    def _kron_factor(self, a: sympy.Basic) -> str:
        if isinstance(a, sympy.Identity):  # 𝐈 with its size: xᵀ ⊗ 𝐈_m
            return f"𝐈_{dimension(a.shape[0])}"
        text = self._print(a)
        return text if _bare(a) else f"({text})"

    def _print_Vec(self, e):
        return f"vec({self._print(e.arg)})"

    def _print_Commutation(self, e):
        return f"K_{dimension(e.args[0])},{dimension(e.args[1])}"


class VecLatex:
    """LaTeX: \\otimes, \\operatorname{vec}, K_{m,n}, \\mathbf{I}_{m} inside a Kronecker product."""

    def _print_KroneckerProduct(self, e):
        return r" \otimes ".join(self._kron_factor(a) for a in e.args)

    def _kron_factor(self, a: sympy.Basic) -> str:
        if isinstance(a, sympy.Identity):
            return rf"\mathbf{{I}}_{{{self._print(a.shape[0])}}}"
        text = self._print(a)
        return text if _bare(a) else rf"\left({text}\right)"

    def _print_Vec(self, e):
        return rf"\operatorname{{vec}}\left({self._print(e.arg)}\right)"

    def _print_Commutation(self, e):
        return rf"K_{{{self._print(e.args[0])},{self._print(e.args[1])}}}"
