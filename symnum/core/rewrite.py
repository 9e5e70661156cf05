"""One rewrite engine: a table of rules, run over a SymPy tree.

The knowledge is a :class:`Table` of :class:`Rule` s (a name, the identity for people, the
kind of node it looks at, and a function giving the replacement or None); the machinery is
:func:`rewrite`, one generic walk shared by the stable forms of kernels, the textbook forms
of results and matrix results, and the dispatch of the steps' derivation rules.

- **order**: ``"bottom-up"`` (children first, then the rebuilt node) or ``"top-down"`` (the
  node first, then the children of what it became);
- **repeat**: one pass (a rule's result is not looked at again) or to a fixed point (a
  result is walked again until no rule applies, at most ``rounds`` rewrites per node);
- a **memo**: a subtree met twice is rewritten once (per run);
- no recursion: a tree 5,000 levels deep is fine;
- deterministic: children in order, rules in table order, the first that changes the node
  wins;
- a :class:`Budget` of operations (each rule tried on a node is one; never the clock): when
  it runs out the walk stops rewriting and returns what it has, every rewrite made so far
  kept;
- ``check(new, old)``: the result is kept only if the check says it is the same (the
  textbook forms compare values at random points).

>>> x = sympy.Symbol("x")
>>> log_exp = Rule("log exp", "log(eᵃ) = a", sympy.log,
...                lambda n: n.args[0].args[0] if isinstance(n.args[0], sympy.exp) else None)
>>> rewrite(sympy.log(sympy.exp(x)) + sympy.sin(sympy.log(sympy.exp(2*x))), Table([log_exp]))
x + sin(2*x)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import sympy

ROUNDS = 8  # rewrites of one node, to a fixed point, before the walk moves on


@dataclass(frozen=True)
class Rule:
    """``rewrite(node, *context)`` for nodes of ``kind``: the replacement, or None where the
    rule does not apply (a replacement equal to the node counts as None)."""

    name: str
    identity: str  # the formula, for people (docs, tests)
    kind: type | tuple[type, ...]
    rewrite: Callable[..., Any]


class Table:
    """Rules in order, found by the kind of node they look at (``isinstance``, so a rule for
    ``sympy.Function`` sees every function).

    >>> t = Table([Rule("any", "", sympy.Basic, lambda n: None),
    ...            Rule("sums", "", sympy.Add, lambda n: None)])
    >>> [r.name for r in t.rules_for(sympy.Symbol("x") + 1)]
    ['any', 'sums']
    """

    def __init__(self, rules: Iterable[Rule]):
        self.rules: tuple[Rule, ...] = tuple(rules)
        self._by_type: dict[type, tuple[Rule, ...]] = {}

    def __iter__(self) -> Iterator[Rule]:
        return iter(self.rules)

    def __len__(self) -> int:
        return len(self.rules)

    def rules_for(self, node: object) -> tuple[Rule, ...]:
        """The rules that look at ``node``'s kind, in table order (cached per type)."""
        kind = type(node)
        found = self._by_type.get(kind)
        if found is None:
            found = self._by_type[kind] = tuple(
                r for r in self.rules if issubclass(kind, r.kind))
        return found

    def first(self, node: object, *context: Any,
              budget: Budget | None = None) -> tuple[Rule, Any] | None:
        """The first rule that changes ``node``, with its result; None when none does (or the
        budget ran out before one did). ``context`` is passed on to each rule."""
        for rule in self.rules_for(node):
            if budget is not None and not budget.spend():
                return None
            out = rule.rewrite(node, *context)
            if out is not None and out is not node and out != node:
                return rule, out
        return None


class Budget:
    """A count of operations (a rule tried on a node), shared by the runs it is passed to.

    >>> b = Budget(2)
    >>> b.spend(), b.spend(), b.spend(), b.exhausted
    (True, True, False, True)
    """

    def __init__(self, operations: int):
        self.left = operations
        self.spent = 0

    @property
    def exhausted(self) -> bool:
        return self.left <= 0

    def spend(self, operations: int = 1) -> bool:
        """Take ``operations`` from the budget; False (and nothing taken) when it is empty."""
        if self.left <= 0:
            return False
        self.left -= operations
        self.spent += operations
        return True


def rewrite(expr: sympy.Basic, *passes: Table | Iterable[Rule], order: str = "bottom-up",
            repeat: bool = False, rounds: int = ROUNDS, budget: Budget | int | None = None,
            check: Callable[[sympy.Basic, sympy.Basic], bool] | None = None) -> sympy.Basic:
    """``expr`` with the rules applied over the whole tree (see the module's docstring); each
    table in ``passes`` is one walk over the result of the one before, the budget shared.

    >>> x = sympy.Symbol("x")
    >>> halve = Rule("halve", "f(2a) = f(a)", sympy.Function,
    ...              lambda n: n.func(n.args[0] / 2) if n.args[0].is_even else None)
    >>> rewrite(sympy.sin(8), [halve]), rewrite(sympy.sin(8), [halve], repeat=True)
    (sin(4), sin(1))
    """
    if order not in _WALKS:
        raise ValueError(f"order is 'bottom-up' or 'top-down', not {order!r}")
    if isinstance(budget, int):
        budget = Budget(budget)
    out = expr
    for rules in passes:
        table = rules if isinstance(rules, Table) else Table(rules)
        out = _WALKS[order](out, table, repeat, rounds, budget)
    if out is not expr and check is not None and not check(out, expr):
        return expr
    return out


def _leaf(node: sympy.Basic) -> bool:
    return not isinstance(node, sympy.Basic) or node.is_Atom or not node.args


def _rebuilt(node: sympy.Basic, children: list[sympy.Basic]) -> sympy.Basic:
    """``node`` with new children (itself, unevaluated forms kept, when they are equal)."""
    args = tuple(children)
    return node if args == node.args else node.func(*args)


_ENTER, _BUILD, _STORE = 0, 1, 2


def _bottom_up(expr: sympy.Basic, table: Table, repeat: bool, rounds: int,
               budget: Budget | None) -> sympy.Basic:
    """Children first; a node's rewrite walked again (``repeat``) with one round fewer.

    An explicit stack of frames (node, rounds left, phase) stands in for recursion; ``done``
    holds finished subtrees, the children of the node being rebuilt on top."""
    memo: dict[sympy.Basic, sympy.Basic] = {}
    done: list[sympy.Basic] = []
    stack: list[tuple[sympy.Basic, int, int]] = [(expr, rounds, _ENTER)]
    while stack:
        node, left, phase = stack.pop()
        if phase == _ENTER:
            if _leaf(node):
                done.append(node)
            elif node in memo:
                done.append(memo[node])
            elif budget is not None and budget.exhausted:
                done.append(node)  # out of budget: the subtree as it is
            else:
                stack.append((node, left, _BUILD))
                stack.extend((a, rounds, _ENTER) for a in reversed(node.args))
        elif phase == _BUILD:
            count = len(node.args)
            new = _rebuilt(node, done[-count:])
            del done[-count:]
            found = table.first(new, budget=budget) if left > 0 else None
            if found is None:
                memo[node] = new
                done.append(new)
            elif repeat:
                stack.append((node, left, _STORE))
                stack.append((found[1], left - 1, _ENTER))
            else:
                memo[node] = found[1]
                done.append(found[1])
        else:  # _STORE: the walk of a rewrite is done
            memo[node] = done[-1]
    return done[-1]


def _top_down(expr: sympy.Basic, table: Table, repeat: bool, rounds: int,
              budget: Budget | None) -> sympy.Basic:
    """The node first (again and again while a rule applies, with ``repeat``), then the
    children of what it became; with ``repeat``, a node whose children changed is looked at
    again, with one round fewer."""
    memo: dict[sympy.Basic, sympy.Basic] = {}
    done: list[sympy.Basic] = []
    # frames: (node as met, its current form, rounds left, phase)
    stack: list[tuple[sympy.Basic, sympy.Basic, int, int]] = [(expr, expr, rounds, _ENTER)]
    while stack:
        original, node, left, phase = stack.pop()
        if phase == _ENTER:
            if _leaf(original):
                done.append(original)
                continue
            if original in memo:
                done.append(memo[original])
                continue
            if budget is not None and budget.exhausted:
                done.append(node)
                continue
            while left > 0 and not _leaf(node) and (
                    found := table.first(node, budget=budget)) is not None:
                node, left = found[1], (left - 1 if repeat else 0)
            if _leaf(node):
                memo[original] = node
                done.append(node)
                continue
            stack.append((original, node, left, _BUILD))
            stack.extend((a, a, rounds, _ENTER) for a in reversed(node.args))
        elif phase == _BUILD:
            count = len(node.args)
            new = _rebuilt(node, done[-count:])
            del done[-count:]
            if repeat and new is not node and left > 0:
                stack.append((original, new, left, _STORE))
                stack.append((new, new, left - 1, _ENTER))
            else:
                memo[original] = new
                done.append(new)
        else:
            memo[original] = done[-1]
    return done[-1]


_WALKS = {"bottom-up": _bottom_up, "top-down": _top_down}
