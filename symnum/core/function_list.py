"""The list of the functions symnum reads, generated from the function registry at run time:
the docs' function list (``symnum functions``) and the web page's help show it, so a function
added to the registry is listed without any other edit.

>>> row = next(r for r in function_rows() if r.name == "asin")
>>> row.call, row.also, row.latex
('asin(u)', ['arcsin'], '\\\\arcsin{\\\\left(u \\\\right)}')
>>> print(functions_markdown([row]))
| function | also written | LaTeX | what it is | real domain; not smooth at |
|---|---|---|---|---|
| `asin(u)` | `arcsin` | `\\arcsin{\\left(u \\right)}` | the arcsine | -1 ≤ u ≤ 1 |
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from . import registry
from .latex_names import written
from .registry import Record


@dataclass(frozen=True)
class FunctionRow:
    """One function as the docs list it."""

    name: str
    call: str  # asin(u), atan2(y, x), max(a, b, ...)
    also: list[str]  # aliases and Unicode names
    latex: str  # what symnum writes for it
    latex_in: list[str]  # more LaTeX it reads
    textbook: str
    description: str
    domain: str  # where it is real ("" everywhere)
    not_smooth: str  # "kink at u = 0" ("" smooth)
    rule: str  # its derivative, as steps state it


def function_rows(records: Iterable[Record] | None = None) -> list[FunctionRow]:
    """A row per function the parser reads, in the registry's order."""
    return [_row(r) for r in (registry.records() if records is None else records) if r.parsed]


def _row(r: Record) -> FunctionRow:
    params = list(r.params[:r.arity[0]])
    if r.arity[1] is None:
        params.append("...")
    elif r.arity[1] > r.arity[0]:
        params += [f"[{p}]" for p in r.params[r.arity[0]:r.arity[1]]]
    return FunctionRow(
        name=r.name, call=f"{r.name}({', '.join(params)})", also=[*r.aliases, *r.unicode],
        latex=written(r, list(r.params[:r.arity[0]])) if r.latex else "",
        latex_in=[t for t in r.latex_in if t != r.latex], textbook=r.textbook,
        description=r.description, domain=r.domain.replace("{u}", "u"),
        not_smooth=f"{r.kink} at {r.kink_at}" if r.kink else "", rule=r.rule_text)


def functions_text(rows: list[FunctionRow]) -> str:
    """One function a line: its call, other names, what it is, domain and kinks.

    >>> print(functions_text([r for r in function_rows() if r.name in ("sin", "log")]))
    sin(u)  the sine
    log(u)  the natural logarithm (log(x, b): to the base b) (also ln; real for u > 0)
    """
    width = max(len(r.call) for r in rows) + 2 if rows else 0
    lines = []
    for r in rows:
        notes = [f"also {', '.join(r.also)}" if r.also else "",
                 f"real for {r.domain}" if r.domain else "", r.not_smooth]
        more = "; ".join(n for n in notes if n)
        lines.append(f"{r.call:<{width}}{r.description}" + (f" ({more})" if more else ""))
    return "\n".join(lines)


def functions_markdown(rows: list[FunctionRow]) -> str:
    """A Markdown table for the docs."""
    def cell(text: str) -> str:
        return text.replace("|", "\\|")
    lines = ["| function | also written | LaTeX | what it is | real domain; not smooth at |",
             "|---|---|---|---|---|"]
    for r in rows:
        where = "; ".join(t for t in (r.domain, r.not_smooth) if t)
        also = ", ".join(f"`{a}`" for a in r.also)
        lines.append(f"| `{r.call}` | {also} | `{cell(r.latex)}` | {cell(r.description)} "
                     f"| {cell(where)} |")
    return "\n".join(lines)


def functions_json(rows: list[FunctionRow]) -> str:
    """The rows as JSON: a list of objects with the fields of :class:`FunctionRow`."""
    return json.dumps([asdict(r) for r in rows], ensure_ascii=False)
