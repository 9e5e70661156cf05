"""SymPy expressions → a straight-line program run on a numeric backend.

Each distinct subexpression is computed once (SymPy nodes hash by structure, so shared
subtrees are shared steps). The walk is iterative, so deep expressions do not overflow.

>>> prog = Program([sympy.sympify("sin(x)**2 + sin(x)")], [sympy.Symbol("x")], "mpmath")
>>> round(float(prog.run(0.5)[0]), 6)
0.709274
"""

from __future__ import annotations

import functools
import math
import operator
from collections.abc import Callable, Sequence

import sympy
from sympy.core.function import AppliedUndef

from ..core.errors import EvaluationError
from ..core.unknowns import numbers_refused
from .backends import Backend, fold_into, may_update, table
from .guarded import guard_pieces
from .native_nodes import Node, NotNative, read
from .source import describe
from .workspace import Workspace

WORKSPACE_MIN_SIZE = 10_000  # smaller arrays are cheap to allocate: no scratch reuse

_RELATIONS: dict[type, Callable] = {
    sympy.StrictLessThan: operator.lt, sympy.LessThan: operator.le,
    sympy.StrictGreaterThan: operator.gt, sympy.GreaterThan: operator.ge,
    sympy.Eq: operator.eq, sympy.Ne: operator.ne,
}


class Program:
    """Evaluate ``outputs`` (after ``definitions``) from values of ``inputs`` on ``backend``.

    ``native=True``: the expressions are symengine objects (:mod:`symnum.kernels.native_nodes`
    reads them); a node it cannot read raises :class:`NotNative`.
    """

    def __init__(self, outputs: Sequence[sympy.Basic], inputs: Sequence[sympy.Symbol],
                 backend: str | Backend = "numpy",
                 definitions: Sequence[tuple[sympy.Symbol, sympy.Basic]] = (),
                 native: bool = False):
        self.backend = table(backend) if isinstance(backend, str) else backend
        self.names = tuple(s.name for s in inputs)  # graph programs set theirs
        self.inputs = tuple(inputs)
        self._read: dict | None = {} if native else None
        self.steps: list[tuple[Callable, tuple[int, ...]]] = []
        self.into: list[Callable | None] = []  # per step: the same operation writing into out
        self.ops: list[tuple[object, object]] = []  # per step: (kind, detail), for source.py
        self.slots: dict[sympy.Basic, int] = {s: i for i, s in enumerate(self.inputs)}
        if not native:  # autograd (torch, and exported torch/JAX code): no NaN from unused pieces
            outputs = [guard_pieces(e) for e in outputs]
            definitions = [(name, guard_pieces(value)) for name, value in definitions]
        for name, value in definitions:
            self.slots[name] = self._compile(value)
        self.outputs = [self._compile(e) for e in outputs]
        # computed now, not on the first run: torch.compile guards on the program's state,
        # and a cache filled while it traced would make it compile a second time
        self._release = self._last_uses()

    def run(self, *args: object) -> list[object]:
        """Values of the outputs for one value (scalar or array) per input."""
        return self.execute(args)[0]

    def execute(self, args: Sequence[object], workspace: Workspace | None = None,
                rows: dict[int, object] | None = None) -> tuple[list[object], list[object]]:
        """(output values, the outputs that are workspace arrays). With a workspace, steps on
        big arrays write into its arrays and give them back at their last use; the caller
        gives back the outputs once it has copied them. ``rows``: an output's slot → the
        array its step writes straight into (a row of the result's scratch), where the step
        has an ``out=`` form and its result that array's shape, dtype and device.

        numpy's floating-point warnings are off while it runs: an exponential overflowing in
        a branch that is then not selected, or a 0·inf the stable forms avoid, is expected,
        and an inf or nan that does reach a result is in the result, not on stderr."""
        self.check_count(args)
        if self.backend.name == "numpy":
            import numpy as np
            with np.errstate(all="ignore"):
                return self._steps(args, workspace, rows or {})
        return self._steps(args, workspace, rows or {})

    def _steps(self, args: Sequence[object], workspace: Workspace | None,
               rows: dict[int, object]) -> tuple[list[object], list[object]]:
        values: list[object] = list(args)
        owned: set[int] = set()  # ids of the values that are workspace arrays
        steps = zip(self.steps, self.into, self._release, strict=True)
        for (fn, slots), into, done in steps:
            inputs = [values[i] for i in slots]
            row = rows.get(len(values))
            like = _target(inputs) if into is not None and (
                workspace is not None or row is not None) else None
            if like is not None and row is not None and _fits(like, row):
                values.append(into(*inputs, out=row))
            elif like is None or workspace is None:
                values.append(fn(*inputs))
            else:
                values.append(into(*inputs, out=workspace.take(like)))
                owned.add(id(values[-1]))
            if done.__class__ is int:  # one value (graph programs): no tuple of its own
                done = (done,)
            for i in done:  # last use: free the array now, so the next step can reuse it
                if id(values[i]) in owned:
                    owned.discard(id(values[i]))
                    workspace.give(values[i])
                values[i] = None
        outputs = [values[i] for i in self.outputs]
        mine = {id(v): v for v in outputs if id(v) in owned}
        return outputs, list(mine.values())

    def check_count(self, args: Sequence[object]) -> None:
        """An EvaluationError unless there is one value per input."""
        if len(args) != len(self.inputs):
            names = ", ".join(self.names)
            raise EvaluationError(f"expected {len(self.inputs)} values ({names}), got {len(args)}")

    def released(self, k: int) -> tuple[int, ...]:
        """The values step ``k`` uses for the last time."""
        done = self._release[k]
        return (done,) if isinstance(done, int) else done

    def _last_uses(self) -> list[tuple[int, ...]]:
        """For each step, the intermediate values it uses for the last time."""
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
        return [tuple(r) for r in release]

    def _compile(self, root: sympy.Basic) -> int:
        stack: list[tuple[sympy.Basic, bool]] = [(root, False)]
        while stack:
            node, ready = stack.pop()
            if node in self.slots:
                continue
            cheaper = self._cheaper(node)
            if cheaper is not None:  # compiled first; the node then names the same step
                if cheaper in self.slots:
                    self.slots[node] = self.slots[cheaper]
                else:
                    stack.extend([(node, False), (cheaper, False)])
                continue
            children = _children(node) if self._read is None else self._native(node).children
            if ready or not children:
                self._emit(node, children)
            else:
                stack.append((node, True))
                stack.extend((c, False) for c in reversed(children) if c not in self.slots)
        return self.slots[root]

    def _cheaper(self, node: sympy.Basic) -> sympy.Basic | None:
        """exp(k·a) as exp(a)**k (k = 2, 3) when exp(a) is already a step: a product instead
        of an exponential and the arithmetic of its argument (softmax Hessians hold both)."""
        if self._read is not None or not isinstance(node, sympy.exp):
            return None
        k, a = node.args[0].primitive()
        if k not in (2, 3) or sympy.exp(a) not in self.slots:
            return None
        return sympy.Pow(sympy.exp(a), k, evaluate=False)

    def _emit(self, node: sympy.Basic, children: tuple[sympy.Basic, ...]) -> None:
        if self._read is None:
            fn, into = self._operation(node), self._writer(node) if children else None
            signs = tuple(_negated(a) is not None for a in node.args) \
                if isinstance(node, sympy.Add) else None
            self.ops.append(describe(node, signs))
        else:
            info = self._native(node)
            fn, into = self._native_operation(node, info)
            self.ops.append((info.kind, info.detail))
        self.slots[node] = len(self.inputs) + len(self.steps)
        self.steps.append((fn, tuple(self.slots[c] for c in children)))
        self.into.append(into)

    def _native(self, node: object) -> Node:
        found = self._read.get(node)
        if found is None:
            found = self._read[node] = read(node)
        return found

    def _native_operation(self, node: object, info: Node) -> tuple[Callable, Callable | None]:
        """(operation, its out= form) for a symengine node."""
        b = self.backend
        if info.kind == "symbol":
            raise NotNative(f"no input for {node}")
        if info.kind == "number":
            const = b.constant(info.detail)
            return (lambda: const), None
        if info.kind is sympy.Pow:
            if len(info.children) == 1:  # the exponent is a number, kept as the detail
                return _power(info.detail, b), _power_into(info.detail, b) if b.into else None
            return b.extra["power"], b.extra["power"] if b.into else None
        if info.kind is sympy.Add:
            return _signed_sum(info.detail), \
                _signed_sum_into(info.detail, b) if b.into else None
        fn = b.functions.get(info.kind)
        if fn is None:
            raise NotNative(f"{info.kind.__name__} has no {b.name} function")
        return fn, b.into.get(info.kind)

    def _writer(self, node: sympy.Basic) -> Callable | None:
        """The step's operation in ``out=`` form, where the backend has one."""
        b = self.backend
        if not b.into:
            return None
        if isinstance(node, sympy.Pow):
            return _power_into(node.exp, b)
        if isinstance(node, sympy.Add):
            return _signed_sum_into(tuple(_negated(a) is not None for a in node.args), b)
        return b.into.get(type(node))

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
            numbers_refused(node, "a kernel computes numbers")
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


def _signed_sum_into(signs: tuple[bool, ...], b: Backend) -> Callable:
    """:func:`_signed_sum` written into ``out``, terms in the same order."""
    plus = (b.extra["add"], operator.iadd)
    minus = (b.extra["subtract"], operator.isub)

    def total_into(*args, out):
        total, written = args[0], False
        if signs[0] and getattr(total, "shape", None) == out.shape:
            total, written = b.extra["multiply"](total, -1.0, out=out), True
        elif signs[0]:
            total = -total
        terms = [(*(minus if negative else plus), a)
                 for negative, a in zip(signs[1:], args[1:], strict=True)]
        return fold_into(total, terms, out, written)
    return total_into


def _power_into(exponent: sympy.Basic, b: Backend) -> Callable | None:
    power, reciprocal = b.extra["power"], b.extra["reciprocal"]
    if not exponent.is_number:
        return power
    if not exponent.is_real:
        return None
    if exponent == 2:
        return lambda x, out: b.extra["multiply"](x, x, out=out)
    if exponent == -1:
        return reciprocal
    if exponent.is_negative:  # x^-k = 1 / x^k, the reciprocal taken in place
        positive = _power_into(-exponent, b)
        return lambda x, out: reciprocal(positive(x, out=out), out=out)
    if exponent == sympy.S.Half:
        return b.extra["sqrt"]
    e = int(exponent) if exponent.is_Integer else float(exponent)
    return lambda x, out: power(x, e, out=out)


def _target(inputs: list[object]) -> object | None:
    """The array an ``out=`` step result is shaped and typed like, or None when the inputs
    mix dtypes, shapes or devices (the plain step then decides the result's type)."""
    like = None
    for a in inputs:
        shape = getattr(a, "shape", None)
        if shape is None:
            if isinstance(a, complex):
                return None
            continue
        if like is None or (len(shape) and not len(like.shape)):
            like = a
    if like is None or len(like.shape) == 0 or math.prod(like.shape) < WORKSPACE_MIN_SIZE:
        return None
    device = getattr(like, "device", None)
    for a in inputs:  # a constant kept on the CPU beside CUDA arrays: the plain step copes
        shape = getattr(a, "shape", None)
        if shape is not None and ((len(shape) and shape != like.shape) or
                                  a.dtype != like.dtype or getattr(a, "device", None) != device):
            return None
    return like


def _fits(like: object, row: object) -> bool:
    """Whether a step shaped and typed like ``like`` may write its result into ``row``."""
    return tuple(like.shape) == tuple(row.shape) and like.dtype == row.dtype and \
        getattr(like, "device", None) == getattr(row, "device", None)


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
