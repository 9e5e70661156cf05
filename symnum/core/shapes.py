"""Declared shapes of matrix variables: ``--shape W=m,n`` and ``shapes={"W": "m,n"}``.

>>> parse_shape("W=m,n")
('W', (m, n))
>>> parse_shape("H=n_x,max"), parse_shape("A=3x4")
(('H', (n_x, max)), ('A', (3, 4)))
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

import sympy

from .errors import VariableError
from .parse import Shape, check_name

MAX_DIMENSION = 1_000  # a number dimension in --shape ...
MAX_ENTRIES = 10_000  # ... and the entries of one declared matrix: verification expands them


def parse_shape(text: str) -> tuple[str, Shape]:
    """``"W=m,n"`` → ("W", (m, n)); ``"x=3"`` → ("x", (3,)) (a column vector)."""
    if "=" not in text:
        raise VariableError(f"--shape needs NAME=DIMS, like x=n or W=m,n (got {text!r})")
    name, dims = (s.strip() for s in text.split("=", 1))
    check_name(name, "matrix")
    parts = re.split(r"\s*[,×]\s*|\s+x\s+|\s+|(?<=\d)x(?=\d)", dims.strip())
    if "" in parts and dims.strip():
        raise VariableError(f"--shape {name}: an empty dimension in {dims!r}")
    parts = [p for p in parts if p]  # "m,n", "m×n", "m x n", "3x4"; a name may hold x (n_x)
    if not 1 <= len(parts) <= 2:
        raise VariableError(f"--shape {name}: give one dimension (a vector) or two (a matrix)")
    shape = []
    for p in parts:
        if p.isdigit():
            if not 1 <= int(p[:12]) <= MAX_DIMENSION or len(p) > 12:
                raise VariableError(f"--shape {name}: a number dimension must be from 1 to "
                                    f"{MAX_DIMENSION} (or use a name, like n)")
            shape.append(sympy.Integer(int(p)))
        else:
            shape.append(sympy.Symbol(check_name(p, "dimension"), integer=True))
    entries = math.prod(int(d) for d in shape if d.is_Integer)
    if entries > MAX_ENTRIES:
        raise VariableError(f"--shape {name}: {entries} entries is more than {MAX_ENTRIES} "
                            "(use names for dimensions; --dims gives small sizes to check)")
    return name, tuple(shape)


def has_matrices(expr: sympy.Basic) -> bool:
    """Does ``expr`` hold a declared matrix or vector?"""
    return bool(expr.atoms(sympy.MatrixSymbol))


def declared_shapes(shapes: Mapping | None) -> dict[str, Shape]:
    """Shapes from the API: {"W": "m,n"} or {"W": (m, n)}; names and dims are checked.

    >>> declared_shapes({"W": "m,n", "x": (3,)})
    {'W': (m, n), 'x': (3,)}
    """
    if shapes is not None and not isinstance(shapes, Mapping):
        raise VariableError("shapes map each matrix or vector name to its dimensions, like "
                            f"{{'x': 'n', 'A': 'n,n'}}; got {shapes!r}")
    out = {}
    for name, dims in (shapes or {}).items():
        if isinstance(dims, bool) or not isinstance(dims, str | int | sympy.Basic | tuple
                                                    | list):
            raise VariableError(f"the shape of {name} is dimensions like 'n,n', (3, 3) or 3; "
                                f"got {dims!r}")
        if isinstance(dims, int | sympy.Basic):
            dims = (dims,)  # {"x": 3}: a vector
        if isinstance(dims, str):
            out.update([parse_shape(f"{name}={dims}")])
        else:
            out.update([parse_shape(f"{name}={','.join(str(d) for d in dims)}")])
    return out
