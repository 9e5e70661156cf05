"""4-index results as arrays: the vec form V (mn × pq) of ∂F/∂X as the (m, n, p, q) array.

T[i, j, k, l] = V[i + m·j, k + p·l] (column-major vec). A term c·(Bᵀ ⊗ A) is
einsum('ik,lj->ijkl', A, B), never the Kronecker product; anything else is computed as the
dense V and laid out (``_unvec``).
"""

from __future__ import annotations

import sympy

from .array_code import ArrayCode


def tensor(code: ArrayCode, v: sympy.Basic, f_shape: tuple, x_shape: tuple) -> str:
    """The name of a (..., m, n, p, q) array of the vec-form matrix ``v``."""
    m, n = (code.size(d) for d in f_shape)
    p, q = (code.size(d) for d in x_shape)
    return code.emit(code.op["unvec"](code.value(v), m, n, p, q))
