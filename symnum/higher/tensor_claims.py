"""A claimed derivative tensor read back: nested lists as text (the JSON ``result``, quoted
entries or not), Python lists, or the LaTeX symnum prints (its ``bmatrix`` slices, in order).

Accepted layouts for a tensor of order k in n variables: nested lists of shape (n,)·k, or
the printed slices, n^(k−2) matrices of n×n (order 1: a row or a column of n).

>>> from symnum.core.function import Function
>>> from symnum.higher.tensor import derivative_tensor
>>> t = derivative_tensor(Function("x**3*y"), 3)
>>> list(claimed_tensor('[[["6*y", "6*x"], ["6*x", "0"]], [["6*x", "0"], ["0", "0"]]]', t))
[6*y, 6*x, 6*x, 0, 6*x, 0, 0, 0]
>>> latex_claim(r"\\left[ \\begin{bmatrix}1 & x\\\\x & 0\\end{bmatrix}, "
...             r"\\begin{bmatrix}x & 0\\\\0 & 0\\end{bmatrix} \\right]")
'[[[1, x], [x, 0]], [[x, 0], [0, 0]]]'
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import sympy

from ..core.errors import ParseError, ShapeError
from ..core.function import _from_sympy
from ..core.parse import parse

if TYPE_CHECKING:
    from .tensor import TensorResult

_BLOCK = re.compile(r"\\begin\{[bp]?matrix\}(.*?)\\end\{[bp]?matrix\}", re.S)
_OPEN, _CLOSE = "([{", ")]}"


def latex_claim(text: str) -> str | None:
    """The matrices (``bmatrix`` slices) of a LaTeX tensor, in order, as nested-list text in
    plain syntax; None where the text holds no matrix (read it as an expression)."""
    from ..core.latex_input import to_plain

    if " = " in text:  # the printed equation: its right-hand side (a list's f is a matrix)
        text = text.split(" = ", 1)[1]
    blocks = _BLOCK.findall(text)
    if not blocks:
        return None
    read = [to_plain(r"\begin{bmatrix}" + block + r"\end{bmatrix}") for block in blocks]
    return read[0] if len(read) == 1 else "[" + ", ".join(read) + "]"


def claimed_tensor(claimed: object, result: TensorResult) -> sympy.ImmutableMatrix:
    """The claim's entries laid out as ``result.matrix`` (n^(k−1) rows of n), or a
    ShapeError saying what was given and what the tensor is."""
    nested = _nested(claimed)
    flat, shape = _flatten(nested)
    n, k = len(result.variables), result.order
    m = len(result.function.outputs) if result.function.is_vector else 1
    allowed = [result.shape]
    if k >= 2:
        allowed.append((m * n ** (k - 2), n, n))  # the printed slices, in order
    if k == 1:
        allowed += [(m * n, 1), (1, m * n), (m, n)]
    if shape not in allowed:
        given = "a single expression" if not shape else "×".join(map(str, shape))
        slices = f", or its {m * n ** (k - 2)} slices of {n}×{n}" if k >= 3 else ""
        raise ShapeError(f"the claimed answer is {given}, but the {result.noun} is "
                         f"{'×'.join(map(str, result.shape))} (nested lists{slices})")
    return sympy.ImmutableMatrix(m * n ** (k - 1), n, flat)


def _nested(claimed: object) -> object:
    """Nested Python lists of SymPy expressions from text, lists or SymPy matrices."""
    if isinstance(claimed, str):
        return _read(claimed.strip())
    if isinstance(claimed, list | tuple):
        return [_nested(c) for c in claimed]
    if isinstance(claimed, sympy.MatrixBase):
        return claimed.tolist()
    return _from_sympy(claimed)


def _read(text: str) -> object:
    """``[a, [b, c]]`` split at its top-level commas, each entry read by the parser (a
    quoted entry, as JSON writes it, without its quotes)."""
    if len(text) >= 2 and text[0] == "[" and _closing(text, 0) == len(text) - 1:
        inner = text[1:-1].strip()
        return [_read(part.strip()) for part in _split(inner)] if inner else []
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        text = text[1:-1]
    return parse(text)


def _closing(text: str, start: int) -> int:
    depth = 0
    for i in range(start, len(text)):
        if text[i] in _OPEN:
            depth += 1
        elif text[i] in _CLOSE:
            depth -= 1
            if depth == 0:
                return i
    raise ParseError("unbalanced brackets in the claimed tensor")


def _split(text: str) -> list[str]:
    parts, depth, start, quote = [], 0, 0, ""
    for i, c in enumerate(text):
        if quote:
            quote = "" if c == quote else quote
        elif c in "\"'":
            quote = c
        elif c in _OPEN:
            depth += 1
        elif c in _CLOSE:
            depth -= 1
        elif c == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    return parts + [text[start:]]


def _flatten(nested: object) -> tuple[list[sympy.Expr], tuple[int, ...]]:
    """Row-major entries and the shape of regular nested lists."""
    if isinstance(nested, sympy.MatrixBase):
        nested = nested.tolist()
    if not isinstance(nested, list):
        if not isinstance(nested, sympy.Expr):
            raise ParseError("each entry of the claimed tensor must be an expression")
        return [nested], ()
    parts = [_flatten(item) for item in nested]
    shapes = {shape for _, shape in parts}
    if len(shapes) > 1:
        raise ShapeError("the claimed tensor's lists must be of equal lengths at each level")
    inner = shapes.pop() if shapes else ()
    flat = [e for entries, _ in parts for e in entries]
    return flat, (len(nested), *inner)
