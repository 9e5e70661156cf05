"""A result in one of the three formats every front end offers.

>>> from symnum.service import DeriveRequest, derive
>>> render(derive(DeriveRequest("x**2")), "json")[:29]
'{"expr": "x**2", "wrt": ["x"]'
"""

from __future__ import annotations

from typing import Any, Protocol

from ..core.render import dumps
from .requests import FORMATS, RequestError


class Rendered(Protocol):
    """What every result of the service offers."""

    @property
    def exit_code(self) -> int: ...

    def to_json(self) -> dict[str, Any]: ...

    def text(self) -> str: ...

    def latex(self) -> str: ...


def render(result: Rendered, fmt: str = "text") -> str:
    """``result`` as ``fmt``: "text", "latex" or "json" (deterministic JSON text), or
    "markdown" for a result that offers it (the list of functions)."""
    if fmt == "markdown" and hasattr(result, "markdown"):
        return str(result.markdown())
    if fmt not in FORMATS:
        raise RequestError(f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")
    if fmt == "json":
        return dumps(result.to_json())
    return result.latex() if fmt == "latex" else result.text()
