"""Sums of erfcx that cancel far right, written as their asymptotic series there.

The derivatives of erfcx(w) = e^(w²)·erfc(w) are polynomials in w times erfcx(w) plus
polynomials: erfcx″(w) = (4w² + 2)·erfcx(w) − 4w/√π. Far right erfcx(w) ≈ 1/(w√π), so the
two parts agree in their leading terms and the sum (≈ 2/(√π·w³)) loses digits as w⁴ grows:
an exact identity cannot help, the cancellation is in the numbers. Here such a sum of
erfcx(w)ᵏ times rational functions of w becomes a Piecewise: for w > 8 the sum's asymptotic
series in h = 1/w, with the cancelling terms cancelled exactly (SymPy's rational
arithmetic), from erfcx(w) = (h/√π)·Σ (−1)ʲ(2j − 1)!!/2ʲ·h²ʲ truncated after 24 terms
(the first left out is below 1e-17 of the sum for w > 8); the sum as it was elsewhere.

>>> w = sympy.Symbol("w", real=True)
>>> s = asymptotic_sum((4*w**2 + 2)*erfcx(w) - 4*w/sympy.sqrt(sympy.pi))
>>> s.args[0][1], float(s.args[0][0].subs(w, 100) * 100**3 * sympy.sqrt(sympy.pi))
(w > 8, 1.999400224895059)
"""

from __future__ import annotations

import functools

import sympy

from ..core.registry.special import erfcx
from ..core.rewrite import Rule, Table

FROM = 8  # the series is used right of this
TERMS = 24
OPS_MAX = 200  # larger sums are left as they are
_H = sympy.Dummy("h", positive=True)
_W = sympy.Dummy("w", positive=True)


@functools.cache
def _series(k: int) -> tuple[sympy.Rational, ...]:
    """a₀, a₁, … with erfcx(w)ᵏ = (h/√π)ᵏ·Σ aⱼ·h²ʲ + O(h^(k + 2·TERMS))."""
    base = [sympy.Integer(-1) ** j * sympy.factorial2(2 * j - 1) / 2**j for j in range(TERMS)]
    if k < 0:  # the reciprocal series: Σ cⱼdₖ₋ⱼ = 0 for k > 0
        inverse = [sympy.S.One]
        for n in range(1, TERMS):
            inverse.append(-sum(base[j] * inverse[n - j] for j in range(1, n + 1)))
        base, k = inverse, -k
    out = [sympy.S.One] + [sympy.S.Zero] * (TERMS - 1)
    for _ in range(k):
        out = [sum(out[j] * base[n - j] for j in range(n + 1)) for n in range(TERMS)]
    return tuple(out)


def _laurent(expr: sympy.Expr) -> dict[int, sympy.Expr] | None:
    """{power of h: coefficient} of ``expr``, a rational function of w whose denominator is
    a power of w (in h = 1/w: a polynomial over a power of h); None otherwise."""
    num, den = sympy.fraction(sympy.together(expr.subs(_W, 1 / _H)))
    try:
        top, bottom = sympy.Poly(num, _H), sympy.Poly(den, _H)
    except sympy.PolynomialError:
        return None
    if len(bottom.terms()) != 1:
        return None
    (shift,), scale = bottom.terms()[0]
    return {p - shift: c / scale for (p,), c in top.terms()}


def _linear_in(w: sympy.Expr) -> tuple[sympy.Symbol, sympy.Expr] | None:
    """(v, v written in terms of the dummy w) for a symbol v that w is linear in, one with a
    constant slope first: b = −√2·w − a·x for w = −(a·x + b)/√2 divides by nothing, so a
    factor a³ beside erfcx(w) stays a³ (a = −(√2·w + b)/x would put x in denominators)."""
    def key(v: sympy.Symbol) -> tuple[bool, str]:
        return not sympy.diff(w, v).is_number, v.name

    for v in sorted(w.free_symbols, key=key):
        slope = sympy.diff(w, v)
        if slope != 0 and not slope.has(v):
            return v, (_W - sympy.expand(w - slope * v)) / slope
    return None


def asymptotic_sum(node: sympy.Add) -> sympy.Basic | None:
    """Piecewise((series, w > 8), (node, True)) for a sum of erfcx(w)ᵏ times rational
    functions of w that has a term without erfcx or two powers of it; None otherwise. With
    erfcx of several arguments (y/Φ(t) + (1 − y)/Φ(−t)), the terms of each argument alone."""
    found = sorted(node.atoms(erfcx), key=sympy.default_sort_key)
    if not found or sympy.count_ops(node) > OPS_MAX:
        return None
    if len(found) == 1:
        return _one(node, found[0])
    groups = {atom: [t for t in node.args if t.has(atom)] for atom in found}
    if any(len(ts) < 2 or any(t.has(*(set(found) - {a})) for t in ts)
           for a, ts in groups.items()):
        return None
    parts = [_one(sympy.Add(*ts), a) for a, ts in groups.items()]
    if all(p is None for p in parts):
        return None
    rest = [t for t in node.args if not t.has(erfcx)]
    return sympy.Add(*rest, *[p if p is not None else sympy.Add(*groups[a])
                              for p, a in zip(parts, groups, strict=True)])


def _one(node: sympy.Add, atom: erfcx) -> sympy.Basic | None:
    """:func:`asymptotic_sum` for a sum whose only erfcx is ``atom``."""
    w = atom.args[0]
    solved = _linear_in(w)
    if solved is None:
        return None
    total: dict[int, sympy.Expr] = {}
    powers, valid = set(), []  # valid: the first order each erfcx term's series leaves out
    for term in node.args:
        k = sum((e for b, e in (f.as_base_exp() for f in sympy.Mul.make_args(term))
                 if b == atom), sympy.S.Zero)
        if not k.is_Integer:
            return None
        powers.add(int(k))
        rest = sympy.expand((term / atom**k).subs(solved[0], solved[1]))
        if rest.has(solved[0]) or rest.has(erfcx):
            return None
        laurent = _laurent(rest)
        if laurent is None:
            return None
        scale = sympy.sqrt(sympy.pi) ** -k
        if k != 0:
            valid.append(min(laurent) + k + 2 * TERMS)
        for p, c in laurent.items():
            for j, a in enumerate(_series(int(k))):
                total[p + k + 2 * j] = total.get(p + k + 2 * j, 0) + c * a * scale
    if len(powers) < 2:
        return None
    series = sympy.Add(*[sympy.expand(c) * _H**p for p, c in total.items() if p < min(valid)])
    return sympy.Piecewise((series.subs(_H, 1 / w), w > FROM), (node, True))


ASYMPTOTIC = Table([Rule("erfcx series", "P·erfcx(w) + Q = Σ cⱼ·w^(−j) for w > 8",
                         sympy.Add, asymptotic_sum)])
