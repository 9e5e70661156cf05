"""SymPy expressions → a straight-line program run on a numeric backend.

Each distinct subexpression is computed once (SymPy nodes hash by structure, so shared
subtrees are shared steps). The walk is iterative, so deep expressions do not overflow.

>>> prog = Program([sympy.sympify("sin(x)**2 + sin(x)")], [sympy.Symbol("x")], "mpmath")
>>> round(float(prog.run(0.5)[0]), 6)
0.709274
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Sequence

import sympy
from sympy.core.function import AppliedUndef

from .backends import Backend, may_update, table
from .errors import EvaluationError

_RELATIONS: dict[type, Callable] = {
    sympy.StrictLessThan: operator.lt, sympy.LessThan: operator.le,
    sympy.StrictGreaterThan: operator.gt, sympy.GreaterThan: operator.ge,
    sympy.Eq: operator.eq, sympy.Ne: operator.ne,
}


class Program:
    """Evaluate ``outputs`` (after ``definitions``) from values of ``inputs`` on ``backend``."""

    def __init__(self, outputs: Sequence[sympy.Basic], inputs: Sequence[sympy.Symbol],
                 backend: str | Backend = "numpy",
                 definitions: Sequence[tuple[sympy.Symbol, sympy.Basic]] = ()):
        self.backend = table(backend) if isinstance(backend, str) else backend
        self.inputs = tuple(inputs)
        self.steps: list[tuple[Callable, tuple[int, ...]]] = []
        self.slots: dict[sympy.Basic, int] = {s: i for i, s in enumerate(self.inputs)}
        for name, value in definitions:
            self.slots[name] = self._compile(value)
        self.outputs = [self._compile(e) for e in outputs]
        self._release: list[tuple[int, ...]] | None = None

    def run(self, *args: object) -> list[object]:
        """Values of the outputs for one value (scalar or array) per input."""
        if len(args) != len(self.inputs):
            names = ", ".join(s.name for s in self.inputs)
            raise EvaluationError(f"expected {len(self.inputs)} values ({names}), got {len(args)}")
        values: list[object] = list(args)
        for (fn, slots), done in zip(self.steps, self._releases(), strict=True):
            values.append(fn(*[values[i] for i in slots]))
            for i in done:  # last use: free the array now, so the next step can reuse it
                values[i] = None
        return [values[i] for i in self.outputs]

    def _releases(self) -> list[tuple[int, ...]]:
        """For each step, the intermediate values it uses for the last time (computed once)."""
        if self._release is None:
            first = len(self.inputs)
            last: dict[int, int] = {}
            for k, (_, slots) in enumerate(self.steps):
                for i in slots:
                    last[i] = k
            keep = set(self.outputs)
            release: list[list[int]] = [[] for _ in self.steps]
            for i, k in last.items():
                if i >= first and i not in keep:
                    release[k].append(i)
            self._release = [tuple(r) for r in release]
        return self._release

    def _compile(self, root: sympy.Basic) -> int:
        stack: list[tuple[sympy.Basic, bool]] = [(root, False)]
        while stack:
            node, ready = stack.pop()
            if node in self.slots:
                continue
            children = _children(node)
            if ready or not children:
                self._emit(node, children)
            else:
                stack.append((node, True))
                stack.extend((c, False) for c in reversed(children) if c not in self.slots)
        return self.slots[root]

    def _emit(self, node: sympy.Basic, children: tuple[sympy.Basic, ...]) -> None:
        fn = self._operation(node)
        self.slots[node] = len(self.inputs) + len(self.steps)
        self.steps.append((fn, tuple(self.slots[c] for c in children)))

    def _operation(self, node: sympy.Basic) -> Callable:
        b = self.backend
        if node.is_Symbol:
            raise EvaluationError(f"no value for {node}: add it to the variables "
                                  "or give it a value")
        if node.is_number and not node.free_symbols and not isinstance(node, sympy.Piecewise):
            const = b.constant(node)
            return lambda: const
        if isinstance(node, sympy.Pow):
            return _power(node.exp, b)
        if isinstance(node, sympy.Piecewise):
            return _piecewise(b)
        if type(node) in _RELATIONS:
            return _RELATIONS[type(node)]
        if isinstance(node, sympy.And | sympy.Or | sympy.Not):
            return _logic(type(node), b)
        if node in (sympy.true, sympy.false):
            truth = bool(node)
            return lambda: truth
        if isinstance(node, sympy.Add):
            return _signed_sum(tuple(_negated(a) is not None for a in node.args))
        fn = b.functions.get(type(node))
        if fn is not None:
            return fn
        if isinstance(node, AppliedUndef):
            raise EvaluationError(f"{node.func} is an undefined function: it has no numeric value")
        raise EvaluationError(f"{type(node).__name__} cannot be evaluated with {b.name}")


def _children(node: sympy.Basic) -> tuple[sympy.Basic, ...]:
    if node.is_Atom or (node.is_number and not isinstance(node, sympy.Piecewise)):
        return ()
    if isinstance(node, sympy.Pow):
        return (node.base,) if node.exp.is_number else node.args
    if isinstance(node, sympy.Piecewise):
        return tuple(part for pair in node.args for part in pair)
    if isinstance(node, sympy.Add) and not node.is_number:
        return tuple(_negated(a) or a for a in node.args)
    return node.args


def _negated(term: sympy.Basic) -> sympy.Basic | None:
    """t when term is −t (so a sum subtracts t instead of negating it first)."""
    if isinstance(term, sympy.Mul) and term.args[0] == -1:
        return sympy.Mul(*term.args[1:])
    return None


def _signed_sum(signs: tuple[bool, ...]) -> Callable:
    """a0 ± a1 ± ...: one array operation per term, no separate negations."""
    def add(*args):
        total = args[0] if not signs[0] else -args[0]
        fresh = signs[0]  # a new array may be updated in place; an input may not
        for negative, a in zip(signs[1:], args[1:], strict=True):
            if fresh and may_update(total, a):
                total = operator.isub(total, a) if negative else operator.iadd(total, a)
            else:
                total = total - a if negative else total + a
                fresh = hasattr(total, "shape")
        return total
    return add


def _power(exponent: sympy.Basic, b: Backend) -> Callable:
    if not exponent.is_number:
        return b.extra["power"]
    if exponent == sympy.S.Half:
        return b.extra["sqrt"]
    if exponent == -sympy.S.Half:
        sqrt = b.extra["sqrt"]
        return lambda x: 1 / sqrt(x)
    if exponent.is_Integer:
        k = int(exponent)
        if k == -1:
            return lambda x: 1 / x
        return (lambda x: x * x) if k == 2 else (lambda x: x**k if k > 0 else 1 / x ** (-k))
    e = float(exponent) if exponent.is_real else complex(exponent)
    power = b.extra["power"]
    return lambda x: power(x, e)


def _piecewise(b: Backend) -> Callable:
    def choose(*parts):
        pairs = list(zip(parts[::2], parts[1::2], strict=True))
        value = float("nan")
        for expr, cond in reversed(pairs):
            value = expr if cond is True else b.where(cond, expr, value)
        return value
    return choose


def _logic(kind: type, b: Backend) -> Callable:
    if kind is sympy.Not:
        return b.extra["not"]
    pair = b.extra["and" if kind is sympy.And else "or"]
    return lambda *args: functools.reduce(pair, args)
