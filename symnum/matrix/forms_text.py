"""The forms printed under a matrix Jacobian or Hessian: the differential (dF = A dX B),
the bilinear form of a Hessian (d²f), the index form (∂F_ij/∂X_kl) and, for a four-index
result, the layout of its arrays.

>>> import symnum
>>> r = symnum.derive("inv(X)", wrt="X", shapes={"X": "n,n"})
>>> print("\\n".join(forms_lines(r)[1:3]))
differential:  dF = −X⁻¹ dX X⁻¹
index form:    ∂F_ij/∂X_kl = −(X⁻¹)_ik (X⁻¹)_lj
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sympy

from .forms import display_form
from .index_print import index_latex, index_text
from .layout import title
from .printing import matrix_latex, matrix_text

if TYPE_CHECKING:
    from .result import MatrixResult


def _names(result: MatrixResult) -> tuple[str, str]:
    """F for a Jacobian in the vec form, else f; the variable's name."""
    return ("F" if result.kind == "jacobian" and result.is_four_index else "f"), \
        result.variable.name


def _array_shape(result: MatrixResult) -> str:
    return "(" + ", ".join(str(d) for d in _dims(result)) + ")"


class _Shown:
    """An expression as the result prints: σ forms, then the result's named parts (s)."""

    def __init__(self, result: MatrixResult, small_blocks: bool = True):
        self.function = result.function.expr
        self.names = display_form(result.shown, self.function,  # innermost first
                                  small_blocks=small_blocks)[1]

    def __call__(self, e: sympy.Basic) -> sympy.Basic:
        if e.has(sympy.exp):
            try:
                e = display_form(e, self.function, abbreviate=False)[0]
            except (TypeError, ValueError, AttributeError):  # SymPy's factoring of a sum of
                pass  # traces of matrix sums: keep the exponentials
        for name, value in self.names:  # in order: s = softmax(W2 a + b2) holds a
            e = e.xreplace({value: name})
        return e


def forms_lines(result: MatrixResult) -> list[str]:
    """Text lines (after a blank one) with the differential, d²f and the index form; the
    result's named parts (s = softmax(x)) by their names."""
    if result.kind == "gradient" or result.differential is None:
        return []
    f, x = _names(result)
    shown = _Shown(result)
    lines = [""]
    if result.kind == "hessian":
        lines.append(f"differentials: df = {matrix_text(shown(result.differential))}"
                     f",  d²f = {matrix_text(shown(result.bilinear))}")
    else:
        lines.append(f"differential:  d{f} = {matrix_text(shown(result.differential))}")
    if result.index is not None:
        index = result.index.each_part(shown)
        lines.append(f"index form:    {index_text(index, f, x, result.kind == 'hessian')}")
    if result.is_four_index:
        lines.append(f"as an array (kernels, .at): shape {_array_shape(result)}, "
                     f"T[{_array_index(result)}] = the index form")
    return lines


def _array_index(result: MatrixResult) -> str:
    (m, n), (p, q) = result.index.shapes if result.index is not None else ((0, 0), (0, 0))
    names = [a for a, d in zip("ijkl", (m, n, p, q), strict=True) if d != 1]
    return ", ".join(names)


def forms_latex(result: MatrixResult) -> list[str]:
    """The same forms as LaTeX equations."""
    if result.kind == "gradient" or result.differential is None:
        return []
    f, x = _names(result)
    shown = _Shown(result, small_blocks=False)  # as the LaTeX result names them
    out = []
    if result.kind == "hessian":
        out.append(rf"d{f} = {matrix_latex(shown(result.differential))},\quad "
                   rf"d^{{2}}{f} = {matrix_latex(shown(result.bilinear))}")
    else:
        out.append(rf"d{f} = {matrix_latex(shown(result.differential))}")
    if result.index is not None:
        out.append(index_latex(result.index.each_part(shown), f,
                               matrix_latex(result.variable), result.kind == "hessian"))
    return out


def forms_json(result: MatrixResult) -> dict[str, object]:
    """The JSON fields of the forms: ``differential`` (SymPy syntax, in dX), ``bilinear``
    (d²f), ``index`` and ``index_latex``, ``forms_latex`` (each as an equation), the
    ``convention`` (the layout in words); for a four-index result ``array_shape`` (the
    kernels' and ``.at``'s)."""
    from .forms import plain_form
    from .plain import matrix_plain
    if result.kind == "gradient" or result.differential is None:
        return {}
    f, x = _names(result)
    second = result.kind == "hessian"
    function = result.function.expr  # as the JSON result: σ forms, no Trace of a 1 × 1
    data: dict[str, object] = {"differential": matrix_plain(plain_form(result.differential,
                                                                       function))}
    if second:
        data["bilinear"] = matrix_plain(plain_form(result.bilinear, function))
    if result.index is not None:
        plain = result.index.each_part(lambda e: display_form(e, function, abbreviate=False)[0])
        data["index"] = index_text(plain, f, x, second)
        data["index_latex"] = index_latex(result.index, f, matrix_latex(result.variable), second)
    data["forms_latex"] = forms_latex(result)
    data["convention"] = title(result.kind, result.layout, x, result.is_four_index)
    if result.is_four_index:
        data["array_shape"] = [str(d) for d in _dims(result)]
    return data


def _dims(result: MatrixResult) -> list:
    f, x = result.function.expr, result.variable
    return [d for d in (*(f.shape if result.kind == "jacobian" else x.shape), *x.shape)
            if d != 1]
