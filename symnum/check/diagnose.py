"""Which classic mistake a wrong claim is: a one-line hint, stated only when it holds.

A hypothesis is an alternative answer built from f: the derivative with one wrong rule at one
node (a missing chain-rule factor, a power not lowered, the product rule's u'·v', a flipped
sign), or a whole-result slip (a sign, a constant factor, another variable, another order, a
transpose, a missing term). It is stated only when the claim equals it, entry by entry, at
every point where the claim was compared (exact differences to 30 digits, as in ``check``).

>>> from symnum.check.claim import check_claim
>>> print(check_claim("cos(x^2)", "sin(x^2)", wrt="x").diagnosis)  # doctest: +ELLIPSIS
a chain-rule factor is missing: in sin(x**2), the derivative of the inner x**2 (2*x) is not ...
>>> check_claim("3*x^3", "x^3", wrt="x").diagnosis
'the power rule lowers the exponent: d/dx x**3 = 3*x**2, not 3*x**3'
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import sympy

from ..core.calculus import safe_to_simplify
from ..core.registry import BY_CLASS
from ..core.unknowns import build, is_unknown
from . import points as cp

MAX_NODES = 40  # nodes of f tried for local mistakes, outermost first
MAX_TERMS = 12  # terms of an entry tried as the missing one
MAX_SHOWN = 60  # characters of an expression in a hint
Hypothesis = tuple[str, list[sympy.Expr]]


@dataclass(frozen=True)
class Mistake:
    """A wrong local rule: the derivative a learner writes for ``node`` with respect to v."""

    applies: Callable[[sympy.Basic, sympy.Symbol], bool]
    wrong: Callable[[sympy.Basic, sympy.Symbol], sympy.Expr]
    message: str  # formatted with node, inner, inner_d, v, right, wrong


def _inner(node: sympy.Basic) -> sympy.Expr:
    return node.base if isinstance(node, sympy.Pow) else node.args[0]


def _outer_d(node: sympy.Basic) -> sympy.Expr:
    """g'(u) for g(u), or n·b^(n−1) for b^n."""
    if isinstance(node, sympy.Pow):
        return node.exp * node.base ** (node.exp - 1)
    return node.fdiff(1)


def _is_chain(node: sympy.Basic, v: sympy.Symbol) -> bool:
    record = BY_CLASS.get(type(node))  # a step function (a jump) has no chain-rule factor
    one_arg = isinstance(node, sympy.Function) and len(node.args) == 1 and not (
        record is not None and record.kink == "jump")
    power = isinstance(node, sympy.Pow) and node.exp.is_number
    return (one_arg or power) and sympy.diff(_inner(node), v) != 1


def _is_power(node: sympy.Basic, v: sympy.Symbol) -> bool:
    return isinstance(node, sympy.Pow) and node.exp.is_number and node.exp not in (0, 1) \
        and v in node.base.free_symbols


def _is_exponential(node: sympy.Basic, v: sympy.Symbol) -> bool:
    return (isinstance(node, sympy.exp) or isinstance(node, sympy.Pow)
            and v not in node.base.free_symbols and v in node.exp.free_symbols)


def _exponent(node: sympy.Basic) -> sympy.Expr:
    return node.args[0] if isinstance(node, sympy.exp) else node.exp


def _base(node: sympy.Basic) -> sympy.Expr:
    return sympy.E if isinstance(node, sympy.exp) else node.base


def _split(node: sympy.Basic, v: sympy.Symbol) -> tuple[sympy.Expr, sympy.Expr, sympy.Expr]:
    """c·a·b for a product: c free of v, a its first factor with v, b the rest."""
    c, rest = node.as_independent(v, as_Add=False)
    factors = sorted(sympy.Mul.make_args(rest), key=_is_reciprocal)  # a numerator first
    return c, factors[0], sympy.Mul(*factors[1:])


def _is_reciprocal(factor: sympy.Expr) -> bool:
    return isinstance(factor, sympy.Pow) and bool(factor.exp.is_negative)


def _is_product(node: sympy.Basic, v: sympy.Symbol) -> bool:
    if not isinstance(node, sympy.Mul):
        return False
    return len(sympy.Mul.make_args(node.as_independent(v, as_Add=False)[1])) >= 2


def _is_quotient(node: sympy.Basic, v: sympy.Symbol) -> bool:
    if not _is_product(node, v):
        return False
    _, a, b = _split(node, v)
    return not _is_reciprocal(a) and any(_is_reciprocal(p) for p in sympy.Mul.make_args(b))


def _product(node, v, how: str) -> sympy.Expr:
    c, a, b = _split(node, v)
    da, db = sympy.diff(a, v), sympy.diff(b, v)
    return c * {"both": da * db, "first": da * b, "second": a * db,
                "quotient": da * b - a * db}[how]


def _is_unknown_of(node: sympy.Basic, v: sympy.Symbol, arguments: int) -> bool:
    """An unknown f(u) (``arguments`` 1) or f(u, w, ...) (2: two or more) with an argument
    that holds v and is not v itself: where the chain rule multiplies."""
    many = len(getattr(node, "args", ())) >= 2
    return is_unknown(node) and (many if arguments == 2 else len(node.args) == 1) and any(
        a.has(v) and a != v for a in node.args)


def _unknown_at(node: sympy.Basic, v: sympy.Symbol) -> sympy.Expr:
    """f′(v)·u′ for f(u): the outer derivative taken at the variable, not at u."""
    return build(node.func.__name__, (1,), (v,)) * sympy.diff(node.args[0], v)


def _unknown_unchained(node: sympy.Basic, v: sympy.Symbol) -> sympy.Expr:
    """Σ ∂ᵢf over the arguments that hold v, none multiplied by its argument's derivative."""
    n = len(node.args)
    return sympy.Add(*[build(node.func.__name__, tuple(int(k == i) for k in range(n)),
                             node.args) for i, a in enumerate(node.args) if a.has(v)])


MISTAKES = (
    Mistake(_is_chain, lambda n, v: _outer_d(n),
            "a chain-rule factor is missing: in {node}, the derivative of the inner {inner} "
            "({inner_d}) is not multiplied in"),
    Mistake(_is_power, lambda n, v: n.exp * n * sympy.diff(n.base, v),
            "the power rule lowers the exponent: d/d{v} {node} = {right}, not {wrong}"),
    Mistake(lambda n, v: _is_power(n, v) and n.exp != -1,
            lambda n, v: n.base ** (n.exp - 1) * sympy.diff(n.base, v),
            "the power rule's factor {exp} is missing: d/d{v} {node} = {right}"),
    Mistake(_is_exponential,
            lambda n, v: _exponent(n) * _base(n) ** (_exponent(n) - 1) * sympy.diff(
                _exponent(n), v),
            "{node} is an exponential, not a power: d/d{v} {node} = {right}, not {wrong}"),
    Mistake(lambda n, v: isinstance(n, sympy.cos),
            lambda n, v: sympy.sin(n.args[0]) * sympy.diff(n.args[0], v),
            "the derivative of cos is −sin: d/d{v} {node} = {right}"),
    Mistake(lambda n, v: isinstance(n, sympy.sin),
            lambda n, v: -sympy.cos(n.args[0]) * sympy.diff(n.args[0], v),
            "the derivative of sin is +cos: d/d{v} {node} = {right}"),
    Mistake(_is_quotient, lambda n, v: _product(n, v, "quotient"),
            "the quotient rule's minus sign is flipped in d/d{v} {node} = {right}"),
    Mistake(_is_product, lambda n, v: _product(n, v, "both"),
            "the product rule is (uv)' = u'v + uv', not u'v': d/d{v} {node} = {right}"),
    Mistake(_is_product, lambda n, v: _product(n, v, "quotient"),
            "the product rule adds its two terms: d/d{v} {node} = {right}"),
    Mistake(_is_product, lambda n, v: -_product(n, v, "quotient"),
            "the product rule adds its two terms: d/d{v} {node} = {right}"),
    Mistake(_is_product, lambda n, v: _product(n, v, "first"),
            "a term of the product rule is missing: d/d{v} {node} = {right}"),
    Mistake(_is_product, lambda n, v: _product(n, v, "second"),
            "a term of the product rule is missing: d/d{v} {node} = {right}"),
    Mistake(lambda n, v: _is_unknown_of(n, v, 1), lambda n, v: _unknown_at(n, v),
            "the chain rule evaluates the outer derivative at the inner {inner}: "
            "d/d{v} {node} = {right}, not {wrong}"),
    Mistake(lambda n, v: _is_unknown_of(n, v, 2), _unknown_unchained,
            "a chain-rule factor is missing: in {node}, each partial derivative is multiplied "
            "by the derivative of its argument: d/d{v} {node} = {right}"),
)


def diagnose(result, mine, exact, sample, local: bool = True) -> str | None:
    """The first hypothesis the claim equals on every wrong entry at every point, else where
    it differs (one side of a kink), else None. ``local=False``: whole-result slips only."""
    hypotheses = _hypotheses(result, mine, exact, sample) if local else \
        _whole(result, mine, exact, sample)
    for message, candidate in hypotheses:
        if _holds(candidate, mine, sample):
            return message
    return _region(sample) if local else None


def _region(sample) -> str | None:
    """'the claim differs only where x > 6' (or 6 < x < 7): one variable, and the points
    where it differs are exactly those between two of its kinks."""
    if len(sample.symbols) != 1:
        return None
    v = sample.symbols[0]
    cuts = sorted({r for w, r in sample.breakpoints if w == v})
    bounds = [None, *cuts, None]
    marked = [(p[v], bad) for p, bad in zip(sample.points, sample.bad, strict=True)]
    for i, low in enumerate(bounds):
        for high in bounds[i + 1:]:
            if low is None and high is None:
                continue
            inside = [bad for t, bad in marked if (low is None or t > low)
                      and (high is None or t < high)]
            outside = [bad for t, bad in marked if (low is not None and t < low)
                       or (high is not None and t > high)]
            if inside and outside and all(inside) and not any(outside):
                where = (f"{v} > {_num(low)}" if high is None else f"{v} < {_num(high)}"
                         if low is None else f"{_num(low)} < {v} < {_num(high)}")
                return (f"the claim differs only where {where}: it agrees at every point "
                        "sampled outside, and differs at every one inside")
    return None


def _num(r: sympy.Rational) -> str:
    return str(r) if r.is_Integer else f"{float(r):.6g}"


def _whole(result, mine, exact, sample) -> Iterator[Hypothesis]:
    """A sign or a factor off in the whole result; only in the entries that differ when an
    entry the claim has right is not 0 (then minus or twice the whole would be wrong)."""
    kind = getattr(result, "noun", result.kind)  # 'mixed partial ∂³f/∂y²∂x' says which
    right = [e for k, e in enumerate(exact) if k not in sample.wrong]
    where, there = ("", "") if all(e == 0 for e in right) else \
        (f" in the entr{'y' if len(sample.wrong) == 1 else 'ies'} where it differs", "there ")
    yield f"the sign is wrong{where}: {there}the claim is minus the {kind}", [-e for e in exact]
    factor = _factor(mine, exact, sample)
    if factor is not None:
        yield (f"a constant factor is off{where}: {there}the claim is {factor} times the "
               f"{kind}", [factor * e for e in exact])


def _holds(candidate: list[sympy.Expr], mine, sample) -> bool:
    wrong = sorted(sample.wrong)
    if sample.prepare is not None:  # unknown functions' derivatives as symbols, like mine
        candidate = [None if c is None else sample.prepare(c) for c in candidate]
    if any(candidate[k] is None for k in wrong):
        return False
    first = [cp.differs(mine[k] - candidate[k], sample.wrong[k]) for k in wrong]
    if any(d is not False for d in first):
        return False
    return all(cp.differs(mine[k] - candidate[k], p) is False
               for p in sample.points for k in wrong)


def _hypotheses(result, mine, exact, sample) -> Iterator[Hypothesis]:
    kind = result.kind
    f = result.function
    yield from _local(result, exact, sample)
    yield from _whole(result, mine, exact, sample)
    if kind == "derivative" and not f.is_vector and not hasattr(result, "sequence"):
        x = f.variables[0]  # (a mixed partial, x then y, has no single variable or order)
        for y in sorted(f.expr.free_symbols - {x}, key=lambda s: s.name):
            yield (f"the claim is the derivative with respect to {y}, not {x}",
                   [sympy.diff(f.expr, y, result.order)])
        orders = [result.order - 1, result.order + 1]
        for n in orders:
            name = "the function itself, not its derivative" if n == 0 else \
                f"the derivative of order {n}, not {result.order}"
            yield f"the claim is {name}", [sympy.diff(f.expr, x, n) if n else f.expr]
    if kind == "gradient" and len(exact) > 1:
        yield ("the entries are in the wrong order: the gradient lists ∂f/∂"
               + ", ∂f/∂".join(f.wrt), list(reversed(list(exact))))
    if kind in ("jacobian", "hessian") and exact.is_square and exact != exact.T:
        yield f"the claim is the transpose of the {kind}", list(exact.T)
    if len(sample.wrong) == 1:
        k = next(iter(sample.wrong))
        where = f" (entry {k})" if len(exact) > 1 else ""
        terms = list(sympy.Add.make_args(exact[k]))
        if len(terms) == 1 and safe_to_simplify(exact[k], 40):
            terms = list(sympy.Add.make_args(sympy.expand(exact[k])))
        for t in terms[:MAX_TERMS] if len(terms) > 1 else []:
            candidate = list(exact)
            candidate[k] = exact[k] - t
            yield f"a term is missing{where}: {_show(t)}", candidate


def _factor(mine, exact, sample) -> sympy.Rational | None:
    k = min(sample.wrong)
    p = sample.wrong[k]
    c, e = cp.value(mine[k], p), cp.value(exact[k], p)
    if not (cp.is_real_value(c) and cp.is_real_value(e)) or e == 0 or c == 0:
        return None
    ratio = float(sympy.re(c) / sympy.re(e))
    factor = sympy.Rational(ratio).limit_denominator(1000)
    return None if factor in (0, 1, -1) else factor


def _entries(result) -> list[tuple[sympy.Expr, sympy.Symbol]] | None:
    """(output, variable) of each entry of a first-order result, in order."""
    f = result.function
    if result.kind == "derivative" and result.order == 1:
        return [(o, f.variables[0]) for o in f.outputs]
    if result.kind == "gradient":
        return [(f.expr, v) for v in f.variables]
    if result.kind == "jacobian":
        return [(o, v) for o in f.outputs for v in f.variables]
    return None


def _local(result, exact, sample) -> Iterator[Hypothesis]:
    entries = _entries(result)
    if entries is None:
        return
    k = min(sample.wrong)
    nodes: dict[sympy.Basic, None] = {}
    for out, _ in entries:
        for node in sympy.preorder_traversal(out):
            if node.free_symbols and not node.is_Symbol and len(nodes) < MAX_NODES:
                nodes.setdefault(node, None)
    s = sympy.Dummy("s")
    for node in nodes:
        for mistake in MISTAKES:
            v = entries[k][1]
            if v not in node.free_symbols or not _applies(mistake, node, v):
                continue
            candidate = [_mutant(out, w, node, mistake, s) for out, w in entries]
            right, wrong = sympy.diff(node, v), mistake.wrong(node, v)
            inner = _inner(node) if node.args else node
            yield mistake.message.format(
                node=_show(node), inner=_show(inner), inner_d=_show(sympy.diff(inner, v)),
                v=v, right=_show(right), wrong=_show(wrong),
                exp=_show(getattr(node, "exp", ""))), candidate


def _applies(mistake: Mistake, node: sympy.Basic, v: sympy.Symbol) -> bool:
    try:
        return bool(mistake.applies(node, v))
    except (TypeError, ValueError, AttributeError):
        return False


def _mutant(out, v, node, mistake: Mistake, s) -> sympy.Expr | None:
    """d out/dv with the wrong rule at ``node`` (the right one everywhere else)."""
    if v not in node.free_symbols or not _applies(mistake, node, v):
        return sympy.diff(out, v)
    try:
        outer = out.xreplace({node: s})
        return (sympy.diff(outer, v) + sympy.diff(outer, s) * mistake.wrong(node, v)) \
            .xreplace({s: node})
    except (TypeError, ValueError, AttributeError, sympy.core.function.ArgumentIndexError):
        return None


def _show(expr) -> str:
    from ..core.render import for_display
    text = str(for_display(expr))  # f′(x), not Derivative(f(x), x)
    return text if len(text) <= MAX_SHOWN else text[:MAX_SHOWN - 1] + "…"


# The stable names of the hints' kinds (partial credit in ``symnum grade`` keys refers to
# them): each kind, and how its messages above begin (or, with a leading "…", what they hold).
HINT_KINDS = {
    "chain": ("a chain-rule factor is missing", "the chain rule evaluates"),
    "power": ("the power rule",),
    "exponential": ("… is an exponential, not a power",),
    "trig": ("the derivative of cos is", "the derivative of sin is"),
    "quotient": ("the quotient rule",),
    "product": ("the product rule", "a term of the product rule"),
    "sign": ("the sign is wrong",),
    "constant": ("a constant factor is off",),
    "variable": ("the claim is the derivative with respect to",),
    "order": ("the claim is the function itself", "the claim is the derivative of order"),
    "entries": ("the entries are in the wrong order",),
    "transpose": ("the claim is the transpose",),
    "term": ("a term is missing",),
    "region": ("the claim differs only where",),
    "symmetric": ("the claim holds only for a symmetric",),  # check.matrix's
}


def hint_kind(hint: str | None) -> str | None:
    """The kind of a diagnosis (a key of :data:`HINT_KINDS`), or None.

    >>> hint_kind("the sign is wrong: the claim is minus the derivative")
    'sign'
    >>> hint_kind("exp(x**2) is an exponential, not a power: ..."), hint_kind(None)
    ('exponential', None)
    """
    for kind, starts in HINT_KINDS.items():
        for start in starts:
            if start.startswith("… ") and start[2:] in (hint or "") or \
                    (hint or "").startswith(start):
                return kind
    return None
