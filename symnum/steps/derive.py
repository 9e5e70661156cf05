"""Expression → a tree of :class:`Step` s, dispatching on the SymPy node type through the
table :data:`BUILDERS` (the rewrite engine's :class:`~symnum.core.rewrite.Table`).

Every node is a true statement d(expr)/d(wrt) = result: the result of a node is built from
its substeps by the rule's own formula. A chain rule's outer step is stated in a fresh
variable (u), so it is true on its own; a sub-derivation met twice is derived once and
referred to by number. The memo lives in one derivation: no global cache.

What the user wrote out is derived by the elementary rules: 1/(1 + e^(−x)) by the power
(reciprocal) and chain rules, log(1 + eˣ) by the logarithm's; a function written by its name
(σ as the class :class:`~symnum.core.logistic.sigmoid`, softplus as one of the ``named``
nodes) by its own rule. Naming a written-out form comes last (:mod:`symnum.steps.recognise`).

>>> x = sympy.Symbol("x", real=True)
>>> derive_steps(sympy.cos(x**3), x).rules()
['chain', 'trig', 'power']
"""

from __future__ import annotations

import dataclasses

import sympy
from sympy.core.function import AppliedUndef

from ..core.boundaries import piece_notes
from ..core.logistic import sigmoid
from ..core.names import fresh_name
from ..core.registry import BY_CLASS, CLASSES, Record
from ..core.rewrite import Rule, Table
from ..core.textbook import one_plus_exp
from ..core.unknowns import build, diff, jet
from .render import inline
from .rules import RULES, Step


def _reworded(note: str, x: sympy.Symbol) -> str:
    """A note on the whole f said of this Piecewise inside it."""
    for old, new in ((f"∂f/∂{x} is", "the slope is"), ("(f is continuous there)",
                                                        "(continuous there)"),
                     ("f goes from", "it goes from"), (f"f is continuous and ∂f/∂{x} =",
                                                                "continuous, with slope")):
        note = note.replace(old, new)
    return note


def derive_steps(expr: sympy.Expr, wrt: sympy.Symbol, named: frozenset = frozenset()) -> Step:
    """The raw derivation tree of d(expr)/d(wrt) (results not yet simplified); ``named``
    holds the nodes written by a name the parser expands (softplus(u) → log(1 + eᵘ)), each
    derived by that name's rule."""
    return _Deriver(expr, wrt, named).step(expr, wrt)


def _category(node: sympy.Basic, record: Record | None) -> str:
    """The rule a function's step is titled by: its record's (trigonometric, logarithm, ...),
    a generic one for a record whose rule the table lacks or a function without a record."""
    if isinstance(node, AppliedUndef):
        return "unknown_function"
    if record is not None and record.rule in RULES:
        return record.rule
    return "special_function"


def rule_text(record: Record | None) -> str:
    """The record's derivative rule as the steps write formulas (f' with an ASCII prime)."""
    return record.rule_text.replace("′", "'") if record is not None else ""


class _Deriver:
    """One derivation: numbering of steps and the memo of sub-derivations."""

    def __init__(self, expr: sympy.Expr, wrt: sympy.Symbol, named: frozenset = frozenset()):
        self.named = named
        taken = {s.name for s in expr.free_symbols} | {wrt.name}
        name = fresh_name(("u", "t", "s", "v", "z1", "z2"), lambda n: n not in taken)
        self.u = sympy.Symbol(name, real=True)
        self.seen: dict[tuple[sympy.Expr, sympy.Symbol], Step] = {}
        self.count = 0

    def step(self, expr: sympy.Expr, x: sympy.Symbol) -> Step:
        if not expr.has(x):
            return Step("constant", expr, x, sympy.S.Zero)
        if expr == x:
            return Step("variable", expr, x, sympy.S.One)
        key = (expr, x)
        if key in self.seen:
            first = self.seen[key]
            return Step(first.rule, expr, x, first.result, ref=first.number)
        made = self._dispatch(expr, x)
        self.count += 1
        made = dataclasses.replace(made, number=self.count)
        self.seen[key] = made
        return made

    def _dispatch(self, e: sympy.Expr, x: sympy.Symbol) -> Step:
        """The step of the first rule in :data:`BUILDERS` for ``e``'s kind."""
        found = BUILDERS.first(e, self, x)
        assert found is not None  # the last rule takes any node
        return found[1]

    def _sum(self, e: sympy.Add, x: sympy.Symbol) -> Step:
        subs = tuple(self.step(a, x) for a in e.args)
        return Step("sum", e, x, sympy.Add(*[s.result for s in subs]), subs)

    def _piecewise(self, e: sympy.Piecewise, x: sympy.Symbol) -> Step:
        subs = tuple(self.step(piece, x) for piece, _ in e.args)
        result = sympy.Piecewise(*[(s.result, c) for s, (_, c) in zip(subs, e.args,
                                                                      strict=True)])
        meets = [_reworded(n, x) for n in piece_notes(e, result, x)] \
            if len(e.args) <= 4 else []
        note = "each piece differentiated where it holds"
        return Step("piecewise", e, x, result, subs,
                    note="; ".join([note, *meets]) if meets else
                    "each piece differentiated where it holds; not differentiable where "
                    "they meet")

    def _product(self, e: sympy.Mul, x: sympy.Symbol) -> Step:
        const, dep = e.as_independent(x, as_Add=False)
        if const != 1:
            inner = self.step(dep, x)
            return Step("constant_multiple", e, x, const * inner.result, (inner,))
        num, den = sympy.fraction(e)
        if den != 1 and den.has(x) and num.has(x):
            u, v = self.step(num, x), self.step(den, x)
            result = (u.result * den - num * v.result) / den**2
            return Step("quotient", e, x, result, (u, v))
        factors = e.args
        subs = tuple(self.step(f, x) for f in factors)
        terms = [sympy.Mul(*[s.result if j == i else f for j, f in enumerate(factors)])
                 for i, s in enumerate(subs)]
        return Step("product", e, x, sympy.Add(*terms), subs)

    def _power(self, e: sympy.Pow, x: sympy.Symbol) -> Step:
        base, exponent = e.base, e.exp
        if not exponent.has(x):
            note = _ROOT if exponent.is_Rational and exponent.q != 1 else \
                _RECIPROCAL if exponent == -1 else ""
            if base == x:
                return Step("power", e, x, exponent * x ** (exponent - 1), note=note)
            return self._outer(e, x, base, lambda t: t**exponent, "power", note)
        if not base.has(x):
            if exponent == x:
                return Step("exp", e, x, e * sympy.log(base))
            return self._outer(e, x, exponent, lambda t: base**t, "exp", "")
        inner = self.step(sympy.expand_log(exponent * sympy.log(base), force=False), x)
        return Step("general_power", e, x, e * inner.result, (inner,),
                    note="logarithmic differentiation: f^g = exp(g·ln f)")

    def _function(self, e: sympy.Function, x: sympy.Symbol) -> Step:
        """A known function: its record's rule and derivative (f'(u)), with the chain rule."""
        record = BY_CLASS.get(type(e))
        rule, note = _category(e, record), rule_text(record)
        if record is not None and record.derivative and all(
                d == "0" for d in record.derivative):  # a step function: 0 between its jumps
            return Step(rule, e, x, sympy.S.Zero, note=note)
        if isinstance(e, sympy.log) and len(e.args) == 1 and e in self.named:
            softplus = one_plus_exp(e.args[0])
            if softplus is not None:
                return self._outer(e, x, softplus, lambda t: sympy.log(1 + sympy.exp(t)),
                                   "rewrite", "softplus(u) = ln(1 + eᵘ), and softplus'(u) = σ(u)",
                                   _sigma)
        if len(e.args) == 1 or _one_argument(e, x, record):
            return self._outer(e, x, e.args[0], lambda t: e.func(t, *e.args[1:]), rule, note,
                               lambda t: _outer_derivative(e.func(t, *e.args[1:]), t, record))
        return self._several(e, x, rule)

    def _jet(self, e: sympy.Basic, x: sympy.Symbol) -> Step:
        """f′(u), ∂f/∂x(x, y), ...: the next derivative of the unknown f (chain rule)."""
        j = jet(e)
        if j is None:
            return Step("special_function", e, x, diff(e, x), note="derivative from SymPy")
        if len(j.args) == 1:
            n, arg = j.order, j.args[0]
            return self._outer(e, x, arg, lambda t: build(j.name, (n,), (t,)),
                               "unknown_function", "", lambda t: build(j.name, (n + 1,), (t,)))
        return Step("unknown_function", e, x, diff(e, x))

    def _outer(self, e, x, inner, build, rule: str, note: str, derivative=None) -> Step:
        """f(x) directly when inner is x, else the chain rule with outer f(u), u = inner."""
        u = self.u if inner != x else x
        outer_expr = build(u)
        outer_result = derivative(u) if derivative else _outer_derivative(outer_expr, u)
        if inner == x:
            return Step(rule, e, x, outer_result, note=note)
        outer = Step(rule, outer_expr, u, outer_result, note=note)
        inside = self.step(inner, x)
        result = outer_result.subs(u, inner) * inside.result
        return Step("chain", e, x, result, (outer, inside), let=((u, inner),))

    def _several(self, e: sympy.Function, x: sympy.Symbol, rule: str) -> Step:
        """f(a1, ..., ak): Σ ∂f/∂ai · ai' (max, min, atan2, undefined f(x, y) ...)."""
        subs, terms, parts = [], [], []
        for i, arg in enumerate(e.args):
            if not arg.has(x):
                continue
            partial = _partial(e, i)
            inside = self.step(arg, x)
            subs.append(inside)
            terms.append(partial * inside.result)
            parts.append(f"∂/∂(argument {i + 1}) = {inline(partial)}")
        note = "; ".join([t for t in [rule_text(BY_CLASS.get(type(e)))] if t] + parts)
        if rule == "piecewise":
            note += "; not differentiable where the arguments are equal"
        return Step(rule, e, x, sympy.Add(*terms), tuple(subs), note=note)


def _one_argument(e: sympy.Function, x: sympy.Symbol, record: Record | None) -> bool:
    """f(u, c) whose record does not differentiate c (Heaviside's value at 0): f of u."""
    return record is not None and len(record.derivative) == len(e.args) and all(
        d == "" and not a.has(x) for d, a in zip(record.derivative[1:], e.args[1:],
                                                 strict=True))


def _outer_derivative(expr: sympy.Expr, u: sympy.Symbol,
                      record: Record | None = None) -> sympy.Expr:
    """d expr/du from the function's own ``fdiff`` (SymPy's table of derivatives), or from
    its record where SymPy leaves it unevaluated (sign, floor: 0 between the jumps)."""
    if isinstance(expr, sympy.Function) and expr.args[0] == u:
        if isinstance(expr, AppliedUndef):
            return sympy.Derivative(expr, u)
        found = expr.fdiff(1)
        if isinstance(found, sympy.Derivative) and record is not None:
            mine = record.partials(*expr.args, classes=CLASSES)[0]
            return found if mine is None else mine
        return found
    return sympy.diff(expr, u)


def _partial(e: sympy.Function, i: int) -> sympy.Expr:
    if isinstance(e, AppliedUndef):  # ∂f/∂(slot i), evaluated at the arguments
        orders = tuple(int(j == i) for j in range(len(e.args)))
        return build(e.func.__name__, orders, e.args)
    return e.fdiff(i + 1)


def _sigma(t: sympy.Expr) -> sympy.Expr:
    return sigmoid(t)


# What a power rule's note tells the reader about a root and a reciprocal
_ROOT = "a root is a power: √u = u^(1/2)"
_RECIPROCAL = "the reciprocal rule: 1/u = u^(−1), so (1/u)' = −u'/u²"


# Node kind → the step that derives it, in order: the first rule whose kind the node is
# (isinstance) builds its step; a Piecewise is a Function, so it comes first.
BUILDERS = Table([
    Rule("sum", RULES["sum"].text, sympy.Add, lambda e, d, x: d._sum(e, x)),
    Rule("product", RULES["product"].text, sympy.Mul, lambda e, d, x: d._product(e, x)),
    Rule("power", RULES["power"].text, sympy.Pow, lambda e, d, x: d._power(e, x)),
    Rule("piecewise", RULES["piecewise"].text, sympy.Piecewise,
         lambda e, d, x: d._piecewise(e, x)),
    Rule("max, min", "max(a, b)' = ∂max/∂a·a' + ∂max/∂b·b'",
         (sympy.Max, sympy.Min), lambda e, d, x: d._several(e, x, "piecewise")),
    Rule("function", RULES["chain"].text, sympy.Function, lambda e, d, x: d._function(e, x)),
    Rule("unknown_function", RULES["unknown_function"].text, (sympy.Derivative, sympy.Subs),
         lambda e, d, x: d._jet(e, x)),
    # No dedicated rule (a node type SymPy knows but we do not): SymPy's own derivative.
    Rule("special_function", RULES["special_function"].text, sympy.Basic,
         lambda e, d, x: Step("special_function", e, x, sympy.diff(e, x),
                              note="derivative from SymPy")),
])
