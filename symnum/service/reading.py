"""How every operation reads its request's texts: an expression in plain or LaTeX syntax, and
``NAME=DIMS`` shapes.

>>> plain(r"\\frac{1}{x}", "latex")
'((1)/(x))'
>>> len(shapes_of(("x=n", "A=n,n"))["A"])
2
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..core.errors import SymnumError


def plain(text: str, syntax: str = "plain", shapes: Sequence[str] = ()) -> str:
    """``text`` in plain syntax: LaTeX is translated (names declared in ``shapes`` are
    matrices), plain text is kept as it is."""
    if syntax != "latex":
        return text
    from ..core.latex_input import to_plain
    return to_plain(text, [s.partition("=")[0].strip() for s in shapes])


def shapes_of(texts: Sequence[str], dims: str | None = None) -> dict[str, Any]:
    """``("x=n", "A=n,n")`` as the parser's shapes; ``dims`` (sizes) needs at least one."""
    from ..core.shapes import parse_shape
    shapes: dict[str, Any] = {}
    for name, shape in map(parse_shape, texts):
        if name in shapes and shapes[name] != shape:
            raise SymnumError(f"--shape {name} is given twice, with different dimensions")
        shapes[name] = shape
    if dims and not shapes:
        raise SymnumError("--dims gives sizes to dimensions declared with --shape")
    return shapes
