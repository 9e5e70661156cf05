"""What each operation is asked: one frozen dataclass per operation, plain values only (text as
the user typed it, numbers, tuples), so a request can be built by any front end, compared,
hashed and sent to a worker process.

Every request reads its expressions in ``syntax`` ("plain" or "latex"); shapes are
``NAME=DIMS`` texts (``"x=n"``, ``"A=n,n"``). :func:`checked` states the bounds of the whole
numbers, with the messages both front ends show.

>>> DeriveRequest("x**2*sin(y)", wrt="x,y", steps="tree").what is None
True
>>> checked(VerifyRequest("x", points=0))
Traceback (most recent call last):
...
symnum.service.requests.RequestError: --points must be a whole number of at least 1, got 0
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields, is_dataclass
from typing import Any, TypeVar

from ..core.errors import SymnumError

CORE_WHATS = ("derivative", "gradient", "jacobian", "hessian")
PRODUCTS = ("hvp", "jvp", "vjp")  # products with a direction (--vector)
WHATS = (*CORE_WHATS, "tensor", *PRODUCTS, "taylor")
EXPORT_WHATS = ("value", *CORE_WHATS, "tensor", *PRODUCTS)
SYNTAXES = ("plain", "latex")
STEPS = ("tree", "graph")
LAYOUTS = ("numerator", "denominator")  # of a Jacobian in matrix notation (numerator: default)
TARGETS = ("numpy", "torch", "jax")
FORMATS = ("text", "latex", "json")
PLOT_FILES = (".png", ".pdf", ".svg")
# Whole-number fields: (lowest, highest or None where the library states its own bound).
INTEGER_BOUNDS = {"seed": (0, 2**32 - 1), "order": (1, None), "points": (1, None)}
# Fields given as text (or None): anything else is refused with one line, not a TypeError.
TEXT_FIELDS = ("dims", "at", "out", "name", "part", "show", "to", "syntax", "what", "steps",
               "layout", "implicit", "vector")


class RequestError(SymnumError):
    """A request's field is out of its range (the message names the field as an option)."""


@dataclass(frozen=True)
class PointRequest:
    """What ``derive`` and ``verify`` are both asked: ``expr`` and which derivative of it
    (``wrt``, ``what``, ``order``), its ``shapes`` and their sizes ``dims``, a point ``at``
    like ``x=1,y=2`` (or a random one from ``seed``)."""

    expr: str
    wrt: str | None = None
    what: str | None = None
    order: int = 1
    shapes: tuple[str, ...] = ()
    dims: str | None = None
    at: str | None = None
    seed: int = 0


@dataclass(frozen=True)
class DeriveRequest(PointRequest):
    """``derive``: the exact derivative, its value and notes ``at`` a point; ``steps`` "tree"
    (rule by rule), "graph" (backpropagation) or None; ``dims`` sizes for matrices;
    ``layout`` of a Jacobian in matrix notation: "numerator" (None: the default) or
    "denominator"; ``vector`` the direction of ``what`` "hvp", "jvp" or "vjp": a prefix
    (``"v"``: components v_x, v_y, … named after the variables; ``"u"``: u_1, u_2, … after
    the outputs) or the components themselves (``"1,0,2"``)."""

    steps: str | None = None
    syntax: str = "plain"
    layout: str | None = None
    implicit: str | None = None  # y: expr = 0 (or the equation expr) defines y(x); dy/dx
    vector: str | None = None


@dataclass(frozen=True)
class VerifyRequest(PointRequest):
    """``verify``: the exact result against numeric methods at ``points`` random points (or
    ``at`` one point); ``vector`` as for :class:`DeriveRequest`."""

    points: int = 5
    syntax: str = "plain"
    implicit: str | None = None  # y: verify dy/dx on the curve expr = 0 (points on it)
    vector: str | None = None


@dataclass(frozen=True)
class CheckRequest:
    """``check``: is ``claimed`` the derivative of ``of``? With ``implicit`` (y): is it
    dy/dx on the curve ``of`` = 0 (equal where the curve's equation holds)? ``vector``: the
    direction of a product, as for :class:`DeriveRequest`. With what "taylor": is it the
    Taylor polynomial of ``order`` about ``at``?"""

    claimed: str
    of: str
    wrt: str | None = None
    what: str | None = None
    order: int = 1
    seed: int = 0
    shapes: tuple[str, ...] = ()
    syntax: str = "plain"
    implicit: str | None = None  # y: the claim is dy/dx on the curve ``of`` = 0
    vector: str | None = None
    at: str | None = None  # the expansion point of a claimed Taylor polynomial


@dataclass(frozen=True)
class CriticalRequest:
    """``critical``: solve ∇f = 0 and classify each point."""

    expr: str
    wrt: str | None = None
    syntax: str = "plain"


@dataclass(frozen=True)
class PlotRequest:
    """``plot``: f, f′, f″ over ``span`` (one variable), contours and a ``descent`` path (two);
    written to ``out`` when given; ``surface=False`` leaves out the 3-D panel; ``taylor``
    orders: f against its Taylor polynomials about ``at`` instead."""

    expr: str
    wrt: str | None = None
    span: tuple[float, float] = (-3.0, 3.0)
    descent: Any = None  # a symnum.analysis.plot.Descent, its text (lr=0.1,start=1:1), or None
    out: str | None = None
    surface: bool = True
    syntax: str = "plain"
    taylor: Any = ()  # orders of Taylor polynomials drawn against f ("1,3,5" or a tuple)
    at: str | None = None  # their expansion point


@dataclass(frozen=True)
class ExportRequest:
    """``export``: a standalone numpy / torch / JAX module, returned or written to ``out``."""

    expr: str
    wrt: str | None = None
    what: str | None = None
    shapes: tuple[str, ...] = ()
    to: str = "numpy"
    name: str = "f"
    out: str | None = None
    syntax: str = "plain"
    order: int = 1  # of a derivative tensor (what="tensor")
    vector: str | None = None  # the direction of a product (hvp, jvp, vjp)


@dataclass(frozen=True)
class ParseRequest:
    """``parse``: the expression read and typeset, nothing derived (the page's preview);
    ``partial``: the text may still be being typed, and incomplete text is an answer that
    says what it waits for (:mod:`symnum.service.preview`), not an error."""

    expr: str
    shapes: tuple[str, ...] = ()
    syntax: str = "plain"
    partial: bool = False


@dataclass(frozen=True)
class CatalogRequest:
    """``catalog``: list the chapter's entries (of one ``part``), ``show`` one in full, or
    ``verify`` all; ``progress`` is called as entries finish (a progress bar)."""

    part: str | None = None
    show: str | None = None
    verify: bool = False
    progress: Callable[..., Any] | None = None


@dataclass(frozen=True)
class ReportRequest:
    """``report``: the catalog as a LaTeX (and PDF) report in the folder ``out``."""

    out: str
    part: str | None = None
    pdf: bool = True
    progress: Callable[..., Any] | None = None


@dataclass(frozen=True)
class DemoRequest:
    """``demo``: derive, verify and typeset a few examples."""


R = TypeVar("R")


def checked(request: R, kind: type[R] | None = None) -> R:
    """``request`` (a ``kind``) if its whole numbers, texts, choices and syntax are in range,
    else a :class:`RequestError` naming the field as the command line's option."""
    if kind is not None and not isinstance(request, kind):
        raise RequestError(f"expected a {kind.__name__}, got {request!r}")
    if not is_dataclass(request) or isinstance(request, type):
        raise RequestError(f"expected one of symnum.service's requests, got {request!r}")
    names = {f.name for f in fields(request)}
    for name in TEXT_FIELDS:
        value = getattr(request, name, None)
        if name in names and value is not None and not isinstance(value, str):
            raise RequestError(f"--{'from' if name == 'syntax' else name} must be text, "
                               f"got {value!r}")
    shapes = getattr(request, "shapes", ())
    if isinstance(shapes, str) or not all(isinstance(s, str) for s in shapes):
        raise RequestError("shapes are NAME=DIMS texts, one each, like ('x=n', 'A=n,n'); "
                           f"got {shapes!r}")
    for name, (low, high) in INTEGER_BOUNDS.items():
        if name in names:
            value = getattr(request, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise RequestError(f"--{name} must be a whole number, got {value!r}")
            whole_number(name, value, low, high)
    for name, choices in (("what", EXPORT_WHATS if isinstance(request, ExportRequest)
                           else WHATS), ("syntax", SYNTAXES), ("steps", STEPS),
                          ("to", TARGETS), ("layout", LAYOUTS)):
        value = getattr(request, name, None)
        if name in names and value is not None and value not in choices:
            option = "from" if name == "syntax" else name
            raise RequestError(f"argument --{option}: invalid choice: {value!r} (choose from "
                               + ", ".join(repr(c) for c in choices) + ")")
    if getattr(request, "vector", None) is not None and \
            getattr(request, "what", None) not in PRODUCTS:
        raise RequestError("--vector is the direction of a product: use it with --what hvp, "
                           "jvp or vjp")
    return request


def whole_number(name: str, value: int, low: int, high: int | None) -> None:
    """One clear line when ``value`` of option ``name`` is outside ``low..high``.

    >>> whole_number("seed", 3, 0, 9)
    """
    if value < low or (high is not None and value > high):
        bound = f"from {low} to {high}" if high is not None else f"of at least {low}"
        raise RequestError(f"--{name} must be a whole number {bound}, got {value}")
