"""A derivative tensor for people: a list of Hessian slices in text and LaTeX.

Order 1 prints as the gradient (a column), order 2 as the Hessian; from order 3 on the
tensor is a list of n×n slices ∂/∂xᵢ ∇²f (order 4: ∂²/∂xᵢ∂xⱼ ∇²f, …), each labelled with
the variables it is differentiated by. The LaTeX is ``\\nabla^{k} f = [slice, …]`` with
each slice a ``bmatrix`` under its label, which :mod:`symnum.higher.tensor_claims` reads
back.

>>> from symnum.core.function import Function
>>> from symnum.higher.tensor import derivative_tensor
>>> print(body_latex(derivative_tensor(Function("x**3*y"), 3), None))
\\left[\\; \\underbrace{\\begin{bmatrix}6 y & 6 x\\\\6 x & 0\\end{bmatrix}}_{\\partial_{x} \
\\nabla^{2} f},\\; \\underbrace{\\begin{bmatrix}6 x & 0\\\\0 & 0\\end{bmatrix}}_{\\partial_{y} \
\\nabla^{2} f} \\;\\right]
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

import sympy

from ..core.render import expr_latex, expr_text, function_letter

if TYPE_CHECKING:
    from .tensor import TensorResult

_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_SUBSCRIPT = "ᵢⱼₖₗₘₙₚqᵣₛ"  # index letters i, j, k, … as subscripts (q has none in Unicode)
_LETTERS = "ijklmnpqrs"
_NAMES = {1: "gradient ∇{f}", 2: "Hessian ∇²{f}"}


def shown(v: sympy.Symbol) -> str:
    """A variable as the formula prints it (α for alpha), its name where that takes lines."""
    text = expr_text(v)
    return text if "\n" not in text else v.name


def power(k: int) -> str:
    """k as a superscript, nothing for 1."""
    return "" if k == 1 else str(k).translate(_SUPERSCRIPT)


def heading(result: TensorResult) -> str:
    """The title: which tensor, its entries' meaning, its shape and layout.

    >>> from symnum.core.function import Function
    >>> from symnum.higher.tensor import derivative_tensor
    >>> heading(derivative_tensor(Function("x*y*z"), 3))
    '∇³f, the derivative tensor of order 3: T[i,j,k] = ∂³f/∂xᵢ∂xⱼ∂xₖ, shape 3×3×3, as 3 \
slices ∂/∂xᵢ ∇²f (xᵢ = x, y, z)'
    """
    k, n = result.order, len(result.variables)
    sup = "" if k == 1 else str(k).translate(_SUPERSCRIPT)
    letters = _LETTERS[:k] if k <= len(_LETTERS) else _LETTERS
    index = ",".join(letters)
    denominator = "".join(f"∂x{_SUBSCRIPT[i]}" for i in range(min(k, len(_SUBSCRIPT))))
    shape = "×".join([str(n)] * k)
    names = ", ".join(shown(v) for v in result.variables)
    lead = "".join(f"∂x{_SUBSCRIPT[i]}" for i in range(k - 2))
    inner = f"∂{'' if k == 3 else str(k - 2).translate(_SUPERSCRIPT)}/{lead}"
    if result.function.is_vector:
        m = len(result.function.outputs)
        title = (f"∇{sup}fₐ of each output fₐ (a = 1…{m}), the derivative tensor of order "
                 f"{k}: T[a,{index}] = ∂{sup}fₐ/{denominator}, shape {m}×{shape}")
        if k <= 2:
            return f"{title} ({'the Jacobian' if k == 1 else 'a Hessian per output'}; " \
                   f"xᵢ = {names})"
        return f"{title}, each output's as {n ** (k - 2)} slices {inner} ∇²fₐ (xᵢ = {names})"
    f = function_letter(result.function.expr)  # F when the formula has an unknown f
    title = f"∇{sup}{f}, the derivative tensor of order {k}: T[{index}] = " \
            f"∂{sup}{f}/{denominator}, shape {shape}"
    if k in _NAMES:
        return f"{title} (the {_NAMES[k].format(f=f)}; xᵢ = {names})"
    return f"{title}, as {n ** (k - 2)} slices {inner} ∇²{f} (xᵢ = {names})"


def operator_latex(result: TensorResult, f: str) -> str:
    """``\\nabla^{k}_{x, y} \\left(f\\right)``."""
    names = ", ".join(expr_latex(v) for v in result.variables)
    power = "" if result.order == 1 else f"^{{{result.order}}}"
    return rf"\nabla{power}_{{{names}}} \left({f}\right)"


def slices(result: TensorResult, values: list) -> list[tuple[tuple[sympy.Symbol, ...], list]]:
    """(the variables a slice is differentiated by, its n×n values row-major) per slice."""
    n, k = len(result.variables), result.order
    size = n * n
    return [(tuple(result.variables[i] for i in lead), values[s * size:(s + 1) * size])
            for s, lead in enumerate(itertools.product(range(n), repeat=k - 2))]


def _label(lead: tuple[sympy.Symbol, ...], a: int | None = None) -> str:
    """∂/∂x ∇²f, ∂²/∂x∂y ∇²f, … (∇²f₂ for output 2 of a list)"""
    sup = "" if len(lead) == 1 else str(len(lead)).translate(_SUPERSCRIPT)
    runs = [(v, len(list(group))) for v, group in itertools.groupby(lead)]
    return f"∂{sup}/" + "".join(f"∂{shown(v)}{'' if c == 1 else str(c).translate(_SUPERSCRIPT)}"
                                for v, c in runs) + " ∇²f" + ("" if a is None else _sub(a + 1))


def _label_latex(lead: tuple[sympy.Symbol, ...], a: int | None = None) -> str:
    f = "f" if a is None else f"f_{{{a + 1}}}"
    return " ".join(rf"\partial_{{{expr_latex(v)}}}" for v in lead) + rf" \nabla^{{2}} {f}"


def _matrix(result: TensorResult, values: list) -> sympy.ImmutableMatrix:
    n = len(result.variables)
    if result.order == 1:
        return sympy.ImmutableMatrix(n, 1, values)
    return sympy.ImmutableMatrix(n, n, values)


def _outputs(result: TensorResult, values: list) -> list[tuple[int | None, list]]:
    """(output number or None for a scalar f, that output's n^k values) per output."""
    if not result.function.is_vector:
        return [(None, values)]
    size = len(result.variables) ** result.order
    return [(a, values[a * size:(a + 1) * size]) for a in range(len(result.function.outputs))]


def _jacobian(result: TensorResult) -> bool:
    """Order 1 of a list: one m×n matrix, rows the outputs."""
    return result.function.is_vector and result.order == 1


def body_text(result: TensorResult) -> list[str]:
    """Indented lines: the matrix (order ≤ 2) or each labelled slice; per output for a list."""
    entries = result.entries()
    if _jacobian(result):
        m, n = len(result.function.outputs), len(result.variables)
        return _indented(expr_text(sympy.ImmutableMatrix(m, n, entries)))
    lines: list[str] = []
    for a, values in _outputs(result, entries):
        pad = "  "
        if a is not None:
            expr = result.function.outputs[a]
            lines.append(f"  output {a + 1}: f{_sub(a + 1)} = {_one_line(expr)}")
            pad = "    "
        if result.order <= 2:
            lines += _indented(expr_text(_matrix(result, values)), pad)
            continue
        for lead, part in slices(result, values):
            lines += [f"{pad}{_label(lead, a)} =",
                      *_indented(expr_text(_matrix(result, part)), pad + "  ")]
    return lines


def body_latex(result: TensorResult, order: str | None) -> str:
    """The right-hand side: a bmatrix, or ``[slice, …]`` with each slice labelled; a list's
    outputs each under its name."""
    entries = result.entries()
    if _jacobian(result):
        m, n = len(result.function.outputs), len(result.variables)
        return expr_latex(sympy.ImmutableMatrix(m, n, entries), order)
    shown_outputs = []
    for a, values in _outputs(result, entries):
        if result.order <= 2:
            body = expr_latex(_matrix(result, values), order)
        else:
            parts = [rf"\underbrace{{{expr_latex(_matrix(result, part), order)}}}_"
                     rf"{{{_label_latex(lead, a)}}}" for lead, part in slices(result, values)]
            body = r"\left[\; " + r",\; ".join(parts) + r" \;\right]"
        shown_outputs.append(body if a is None else rf"\underbrace{{{body}}}_{{f_{{{a + 1}}}}}")
    if not result.function.is_vector:
        return shown_outputs[0]
    return r"\left[\; " + r",\; ".join(shown_outputs) + r" \;\right]"


def value_text(result: TensorResult, value: object) -> str:
    """The value at a point, slice by slice as the result is printed."""
    flat = list(_flatten(value))
    if _jacobian(result):
        n = len(result.variables)
        return "\n".join("[" + ", ".join(_number(v) for v in flat[r * n:(r + 1) * n]) + "]"
                          for r in range(len(flat) // n))
    blocks = []
    for a, values in _outputs(result, flat):
        pad = "" if a is None else "  "
        if a is not None:
            blocks.append(f"output {a + 1}: f{_sub(a + 1)}")
        if result.order <= 2:
            blocks += [pad + line for line in _rows(result, values).splitlines()]
            continue
        for lead, part in slices(result, values):
            blocks.append(f"{pad}{_label(lead, a)} =")
            blocks += [pad + "  " + line for line in _rows(result, part).splitlines()]
    return "\n".join(blocks)


def _sub(k: int) -> str:
    return str(k).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


def _one_line(expr: sympy.Expr) -> str:
    from ..steps.render import inline
    return inline(expr)


def _rows(result: TensorResult, values: list) -> str:
    n = len(result.variables)
    width = 1 if result.order == 1 else n
    return "\n".join("[" + ", ".join(_number(v) for v in values[r * width:(r + 1) * width])
                     + "]" for r in range(len(values) // width))


def _number(value: object) -> str:
    return f"{value:.15g}" if isinstance(value, float) else str(value)


def _flatten(value: object):
    if isinstance(value, list):
        for v in value:
            yield from _flatten(v)
    else:
        yield value


def footnote(result: TensorResult) -> str:
    """How much symmetry saved: distinct entries derived of n^k, diff calls of a naive
    nesting."""
    total = len(result.matrix)
    if result.order == 1 or total == result.distinct:  # one variable: nothing to share
        return "its one entry derived once" if total == 1 else \
            f"each of the {total} entries derived once"
    return (f"symmetric (the order of differentiation does not matter): {result.distinct} "
            f"distinct entries derived, each once, of {total}; the other "
            f"{total - result.distinct} filled by symmetry ({result.differentiations} "
            f"differentiations in all, lower orders included; {result.naive_differentiations}"
            " without symmetry)")


def _indented(block: str, pad: str = "  ") -> list[str]:
    return [pad + line for line in block.splitlines()]
