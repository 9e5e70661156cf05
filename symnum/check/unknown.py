"""Claims with unknown functions, decided symbolically: f(x), f′(x), f″(x), f′(g(x)),
∂f/∂x(x, y), ... each become an independent unknown (a symbol named as it is written), and the
difference claim − derivative is simplified in them.

Why this decides: at a point, the values f(a), f′(a), f″(a), ... of a smooth f can be any
numbers at all, and so can f at distinct points a, b. A difference that simplifies to 0 in
these unknowns is 0 for every f; one that is an explicit nonzero expression in them is
nonzero for the f that takes the values of a witness point, shown exactly there. Random
numbers only pick that witness: they never decide alone.

>>> from symnum.check.claim import check_claim
>>> check_claim("f'(x)*g(x) + f(x)*g'(x)", "f(x)*g(x)", wrt="x").evidence.statement
'the difference simplifies to 0 with f(x), f′(x), g(x), g′(x) as independent unknowns'
>>> check_claim("f'(g(x))", "f(g(x))", wrt="x").diagnosis  # doctest: +ELLIPSIS
'a chain-rule factor is missing: in f(g(x)), the derivative of the inner g(x) ...'
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import sympy

from ..core.unknowns import Jet, has_unknowns, jet_name, replace_jets

NOTE = ("f, f′, f″, … at each argument are independent unknowns: the verdict holds for "
        "every function")


class Jets:
    """One symbol per derivative of an unknown function at its arguments (merged when the
    arguments are equal as expressions)."""

    def __init__(self) -> None:
        self.found: list[tuple[str, tuple[int, ...], tuple[sympy.Expr, ...], sympy.Symbol]] = []

    def symbol(self, j: Jet) -> sympy.Symbol:
        args = tuple(sympy.expand(a) for a in j.args)
        for name, orders, known, symbol in self.found:
            if (name, orders) == (j.name, j.orders) and all(
                    sympy.expand(a - b) == 0 for a, b in zip(args, known, strict=True)):
                return symbol
        shown = f"{jet_name(j)}({', '.join(_text(a) for a in j.args)})"
        symbol = sympy.Symbol(shown, real=True)
        self.found.append((j.name, j.orders, args, symbol))
        return symbol

    def __call__(self, expr: sympy.Basic) -> sympy.Basic:
        """``expr`` with its jets as symbols (innermost first: f′(g(x)) is f′ at G)."""
        if expr is None or not has_unknowns(expr):
            return expr
        return replace_jets(expr, self.symbol)

    def names(self) -> str:
        return ", ".join(symbol.name for *_, symbol in sorted(
            self.found, key=lambda j: (j[0], sum(j[1]), [-n for n in j[1]], j[3].name)))


def _text(arg: sympy.Expr) -> str:
    from ..core.render import expr_str
    return expr_str(arg)


def with_unknowns(mine: list, exact: list, outputs: list) -> bool:
    return any(has_unknowns(e) for e in [*mine, *exact, *outputs])


def decide(compare: Callable[..., Any], result, mine, exact, outputs, seed: int,
           points, local_hints: bool):
    """``compare`` on the claim and derivative with every jet a symbol; the evidence then
    says which unknowns, and that the verdict holds for every function."""
    jets = Jets()
    order = sorted(exact, key=lambda e: -sympy.count_ops(e))  # derivative's names first
    for e in order:
        jets(e)
    swapped = [[jets(e) for e in group] for group in (mine, exact, outputs)]
    outcome = compare(result, sympy.ImmutableMatrix(swapped[0]).reshape(*mine.shape),
                      sympy.ImmutableMatrix(swapped[1]).reshape(*exact.shape),
                      swapped[2], seed, points, local_hints, prepare=jets)
    evidence = outcome.evidence
    if evidence is None:
        return outcome
    statement = evidence.statement
    if outcome.correct and outcome.how == "symbolic":
        statement += f" with {jets.names()} as independent unknowns"
    note = NOTE if outcome.how == "symbolic" else (
        f"{NOTE}; simplification could not decide, so these are values of "
        f"{jets.names()} chosen at random")
    point = outcome.point
    if point is not None:  # the variables first, then the values of f, f′, ...
        unknowns = {symbol.name for *_, symbol in jets.found}
        point = {k: point[k] for k in sorted(point, key=lambda k: k in unknowns)}
    return dataclasses.replace(outcome, point=point, evidence=dataclasses.replace(
        evidence, statement=statement, note=note))
