"""``derive``, ``verify`` and ``check`` with ``implicit`` (y): the expression = 0, or the
equation, defines y as a function of ``wrt`` (:mod:`symnum.higher.implicit`).

>>> from symnum.service.requests import DeriveRequest
>>> answer = derive_implicit(DeriveRequest("x**2 + y**2 = 1", at="x=0.6,y=0.8",
...                                        implicit="y"))
>>> answer.to_json()["result"], answer.to_json()["value"]
('-x/y', -0.75)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..core.errors import SymnumError
from .requests import CheckRequest, DeriveRequest, VerifyRequest

if TYPE_CHECKING:
    from ..higher.implicit import ImplicitResult
    from ..verification.implicit import ImplicitReport


@dataclass(frozen=True)
class ImplicitDeriveResult:
    """An implicit derivative, with its value and notes at ``point`` and its ``steps``."""

    result: Any
    point: dict[str, Any] | None = None
    value: float | None = None
    notes: tuple[str, ...] = ()
    steps: tuple[Any, ...] | None = None
    exit_code: int = 0

    def to_json(self) -> dict[str, Any]:
        """The contract's JSON (``implicit`` added), ``value``/``notes`` and ``steps``."""
        from ..higher.implicit_render import steps_json
        data: dict[str, Any] = self.result.to_json()
        if self.point is not None:
            data["value"] = self.value
            data["notes"] = list(self.notes)
        if self.steps is not None:
            data["steps"] = steps_json(list(self.steps))
        return data

    def latex(self) -> str:
        from ..higher.implicit_render import steps_latex
        return str(self.result.latex()) if self.steps is None else \
            steps_latex(list(self.steps))

    def text(self) -> str:
        from ..higher.implicit import number_text
        from ..higher.implicit_render import name_of, steps_text
        text = str(self.result.text())
        if self.point is not None:
            at = ", ".join(f"{k} = {number_text(v)}" for k, v in self.point.items())
            name = name_of(self.result, self.result.order).text
            text += f"\n\nat {at}:\n  {name} = {self.value:.15g}"
            text += "".join(f"\nnote: {n}" for n in self.notes)
        if self.steps is not None:
            text += "\n\n" + steps_text(list(self.steps), self.result)
        return text


def derive_implicit(request: DeriveRequest) -> ImplicitDeriveResult:
    """The implicit derivative ``request`` asks for (its value at ``at``, its steps)."""
    from ..core.evaluate import parse_point
    from ..higher.implicit import value_at

    _plain_only(request.shapes, request.dims, request.layout)
    if request.steps == "graph":
        raise SymnumError("--steps graph is for an explicit function; implicit "
                          "differentiation shows its steps with --steps")
    result = _implicit(request.expr, request.wrt, request.what, request.order,
                       request.syntax, request.implicit)
    point: dict[str, Any] | None = None
    value: float | None = None
    notes: list[str] = []
    if request.at:
        point = {str(k): v for k, v in parse_point(request.at).items()}
        value, notes = value_at(result, point)
    steps = None
    if request.steps:
        from ..higher.implicit_render import implicit_steps
        steps = tuple(implicit_steps(result))
    return ImplicitDeriveResult(result, point, value, tuple(notes), steps)


def verify_implicit(request: VerifyRequest) -> tuple[ImplicitReport, ImplicitResult]:
    """The implicit derivative checked at points of the curve against independent numbers:
    (the report, the result), which the service's ``VerifyResult`` holds."""
    from ..core.evaluate import parse_point
    from ..core.unknowns import numbers_refused
    from ..verification.implicit import verify_implicit as check_numbers

    _plain_only(request.shapes, request.dims, None)
    result = _implicit(request.expr, request.wrt, request.what, request.order,
                       request.syntax, request.implicit)
    numbers_refused(result.F, "verify compares numbers")  # f(x) in F: nothing to evaluate
    at = parse_point(request.at) if request.at else None
    report = check_numbers(result, points=request.points, seed=request.seed, at=at)
    return report, result


def _implicit(expr: str, wrt: str | None, what: str | None, order: int, syntax: str,
              implicit: str | None) -> ImplicitResult:
    from ..api import derive
    from ..higher.implicit import ImplicitResult
    result = derive(expr, wrt, what, order, syntax=syntax, implicit=implicit)
    assert isinstance(result, ImplicitResult)
    return result


@dataclass(frozen=True)
class ImplicitCheckResult:
    """The verdict on a claimed implicit derivative; exit code 1 when it is wrong."""

    outcome: Any

    @property
    def exit_code(self) -> int:
        return 0 if self.outcome.correct else 1

    def to_json(self) -> dict[str, Any]:
        return dict(self.outcome.to_json())

    def latex(self) -> str:
        return str(self.outcome.result.latex())

    def text(self) -> str:
        return str(self.outcome.text())


def check_implicit(request: CheckRequest) -> ImplicitCheckResult:
    """Is ``request.claimed`` the implicit derivative, equal to it on the curve?"""
    from ..check.implicit import check_implicit_claim

    _plain_only(request.shapes, None, None)
    assert request.implicit is not None
    outcome = check_implicit_claim(request.claimed, request.of, request.implicit,
                                   request.wrt, request.order, request.seed,
                                   syntax=request.syntax, what=request.what)
    return ImplicitCheckResult(outcome)


def refuse_equation(text: str) -> None:
    """An equation without ``implicit``: say how to differentiate it implicitly.

    >>> refuse_equation("x**2 + y**2 = 1")
    Traceback (most recent call last):
    ...
    symnum.core.errors.SymnumError: an equation: to differentiate y defined by it, add \
--implicit y (and --wrt x); else give the expression only
    """
    from ..higher.equation import split_equation
    try:
        left, right = split_equation(text)
    except SymnumError:
        return  # not an equation symnum reads: the parser says what is wrong
    if right is None:
        return
    raise SymnumError("an equation: to differentiate y defined by it, add --implicit y (and "
                      "--wrt x); else give the expression only")


def _plain_only(shapes: tuple[str, ...], dims: str | None, layout: str | None) -> None:
    if shapes or dims:
        raise SymnumError("--implicit takes scalar variables: leave out --shape and --dims")
    if layout not in (None, "numerator"):
        raise SymnumError("--layout is for matrix notation, not --implicit")
