"""The functions symnum reads, listed from the function registry (``symnum functions``).

>>> listing = functions(FunctionsRequest())
>>> "asin(u)" in listing.text() and listing.exit_code
0
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ..core.function_list import (
    FunctionRow,
    function_rows,
    functions_markdown,
    functions_text,
)


@dataclass(frozen=True)
class FunctionsRequest:
    """List every function (no options yet)."""


@dataclass(frozen=True)
class FunctionList:
    """The rows of the list, renderable as text, Markdown, LaTeX (a table) or JSON."""

    rows: list[FunctionRow] = field(default_factory=list)
    exit_code: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"functions": [json.loads(json.dumps(r.__dict__)) for r in self.rows]}

    def text(self) -> str:
        return functions_text(self.rows)

    def markdown(self) -> str:
        return functions_markdown(self.rows)

    def latex(self) -> str:
        body = " \\\\\n".join(rf"\texttt{{{r.name}}} & ${r.latex}$ & {r.textbook}"
                              for r in self.rows)
        return "\\begin{tabular}{lll}\n" + body + "\n\\end{tabular}"


def functions(request: FunctionsRequest) -> FunctionList:
    """Every function the parser reads, from the registry as it is now."""
    return FunctionList(function_rows())
