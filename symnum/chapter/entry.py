"""One catalog entry as data: :class:`Derivation`. The modules of ``symnum.derivations``
(the folder ``derivations/``) import it to list their entries; :mod:`symnum.chapter.catalog`
imports those modules to run them, so the entries' type lives here, below both.

>>> Derivation("square", "Square", "d/dx x² = 2x", expr="x**2", claim="2*x").claim
'2*x'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Derivation:
    """One catalog entry. ``expr`` (with ``wrt``, ``what``, ``shapes``) is derived and
    verified; ``claim`` is the result a reader expects, checked against the exact one;
    ``study`` names a computation in :mod:`symnum.chapter.studies` run with ``options``; ``figure``
    names a drawing in :mod:`symnum.chapter.figures`."""

    key: str
    title: str
    statement: str
    expr: str | None = None
    wrt: str | None = None
    what: str | None = None
    shapes: dict[str, str] = field(default_factory=dict)
    at: str | None = None
    verify_at: tuple[str, ...] = ()  # points inside f's domain, when random ones are not
    claim: str | None = None
    study: str | None = None
    options: dict[str, Any] = field(default_factory=dict)
    figure: str | None = None
    span: tuple[float, float] = (-2.5, 2.5)  # the figure's range for f, f′, f″
    notes: str = ""
    part: str = ""
