"""Stable forms of the error-function family: exact identities, one rule each.

erf(u) → ±1 and erfc(u) → 0 or 2 in the tails, so 1 + erf(u) (the normal distribution
function Φ), log erfc(u) and e^(u²)·erfc(u) lose every digit there, and their derivatives
are 0/0. The rules write them with the functions made for the tails: Φ itself (``ndtr``:
SymPy writes erfc(−u) as 2 − erfc(u), which cancels, so Φ stands for it), log Φ
(``logndtr``) and erfcx(u) = e^(u²)·erfc(u), each computed by scipy, torch and JAX's own
functions (:mod:`symnum.core.registry.normal`). Quotients over erfcx, as log Φ″(u) is
derived, are spread into terms over erfcx(w)ᵏ, each 0 where erfcx(w) overflows. Every rule
is an identity over the reals.

>>> x = sympy.Symbol("x", real=True)
>>> apply_erf_rules(1 + sympy.erf(x))  # 1 + erf x = 2Φ(√2·x)
2*ndtr(sqrt(2)*x)
>>> apply_erf_rules(sympy.log(sympy.erfc(x)))  # log erfc x = log 2 + log Φ(−√2·x)
logndtr(-sqrt(2)*x) + log(2)
>>> apply_erf_rules(sympy.exp(-x**2) / sympy.erfc(x))  # 0/0 far right: 1/erfcx(x)
1/erfcx(x)
"""

from __future__ import annotations

import sympy

from ..core.registry.normal import logndtr, ndtr
from ..core.registry.special import erfcx
from ..core.rewrite import Rule, Table, rewrite
from .stable_sums import exp_split

_SQRT2 = sympy.sqrt(2)
_SPREAD_POWER = 3  # (Σ tᵢ)ⁿ over erfcx(w)ᵏ is multiplied out up to this n


def _tail(node: sympy.Basic) -> tuple[sympy.Expr, sympy.Expr, sympy.Expr] | None:
    """(s, w, m) for erfc(u) = e^(−s)·m·erfcx(w) and Φ(t) = e^(−t²/2)·erfcx(−t/√2)/2."""
    if isinstance(node, sympy.erfc):
        u = node.args[0]
        return u**2, u, sympy.S.One
    if isinstance(node, ndtr):
        t = node.args[0]
        return t**2 / 2, -t / _SQRT2, sympy.S.Half
    return None


def erf_complement(node: sympy.Add) -> sympy.Basic | None:
    """c + c·erf(u) = 2c·Φ(√2u); c·erf(u) − c = −2c·Φ(−√2u); c·erfc(u) − c = −c·erf(u);
    c·erfc(u) − 2c = −2c·Φ(√2u); c − c·Φ(t) = c·Φ(−t): the complement without cancelling."""
    constant, rest = node.as_coeff_Add()
    if constant == 0:
        return None
    for term in sympy.Add.make_args(rest):
        c, f = term.as_coeff_Mul()
        new = None
        if isinstance(f, sympy.erf):
            u = f.args[0]
            new = 2 * c * ndtr(_SQRT2 * u) if constant == c else \
                -2 * c * ndtr(-_SQRT2 * u) if constant == -c else None
        elif isinstance(f, sympy.erfc):
            u = f.args[0]
            new = -c * sympy.erf(u) if constant == -c else \
                -2 * c * ndtr(_SQRT2 * u) if constant == -2 * c else None
        elif isinstance(f, ndtr) and constant == -c:
            new = -c * ndtr(-f.args[0])
        if new is not None:
            return rest - term + new
    return None


def log_tail(node: sympy.log) -> sympy.Basic | None:
    """log Φ(t) = logndtr(t); log erfc(u) = log 2 + logndtr(−√2u)."""
    arg = node.args[0]
    if isinstance(arg, ndtr):
        return logndtr(arg.args[0])
    if isinstance(arg, sympy.erfc):
        return sympy.log(2) + logndtr(-_SQRT2 * arg.args[0])
    return None


def scaled_tail(node: sympy.Mul) -> sympy.Basic | None:
    """eᵃ·erfc(u)ᵏ = e^(a − k·u²)·erfcx(u)ᵏ (and Φ(t) = e^(−t²/2)·erfcx(−t/√2)/2) where that
    makes the exponent simpler: e^(−u²)/erfc(u) = 1/erfcx(u), no 0/0 far right."""
    if not any(_tail(f.as_base_exp()[0]) is not None for f in node.args):
        return None
    c, a = exp_split(node)
    if a == 0:
        return None
    shift, factors = sympy.S.Zero, []
    for f in sympy.Mul.make_args(c):
        base, k = f.as_base_exp()
        found = _tail(base) if k.is_Integer else None
        if found is None:
            factors.append(f)
            continue
        s, w, m = found
        shift += k * s
        factors.append((m * erfcx(w)) ** k)
    if shift == 0:
        return None
    exponent = sympy.expand(a - shift)
    if exponent != 0 and sympy.count_ops(exponent) >= sympy.count_ops(sympy.expand(a)):
        return None
    return sympy.Mul(*factors) * sympy.exp(exponent)


def _has_tail(term: sympy.Basic) -> bool:
    return any(_tail(f.as_base_exp()[0]) is not None for f in sympy.Mul.make_args(term))


def tail_sum(node: sympy.Mul) -> sympy.Basic | None:
    """r·(Σ tᵢ) = Σ r·tᵢ where that lets :func:`scaled_tail` take some term apart:
    e^(−t²/2)·(y/Φ(t) + (1 − y)/Φ(−t)) is 0·∞ far out, its terms are not."""
    sums = [f for f in node.args if isinstance(f, sympy.Add)]
    if not sums or not node.has(sympy.erfc, ndtr):
        return None
    for f in sums:
        if f.has(sympy.exp, sympy.erfc, ndtr):
            rest = node / f
            terms = [rest * t for t in f.args]
            new = [(scaled_tail(t) if isinstance(t, sympy.Mul) else None) for t in terms]
            if any(n is not None for n in new):
                return sympy.Add(*[t if n is None else n
                                   for n, t in zip(new, terms, strict=True)])
    return None


def erfcx_quotient(node: sympy.Mul) -> sympy.Basic | None:
    """r·(Σ tᵢ)ⁿ/erfcx(w)ᵏ = Σ r·sⱼ/erfcx(w)ᵏ (the power multiplied out) when the sum holds
    erfcx(w): log Φ″(u) = −√2(√π·u·erfcx(w) + √2)/(π·erfcx(w)²) is ∞/∞ where erfcx(w)
    overflows (w = −u/√2 ≪ 0), its terms −√2·u/(√π·erfcx(w)) and −2/(π·erfcx(w)²) are 0."""
    for f in node.args:
        atom, k = f.as_base_exp()
        if not (isinstance(atom, erfcx) and k.is_Integer and k < 0):
            continue
        for g in node.args:
            base, n = g.as_base_exp()
            if isinstance(base, sympy.Add) and n.is_Integer and 0 < n <= _SPREAD_POWER \
                    and base.has(atom):
                terms = sympy.Add.make_args(sympy.expand_multinomial(g) if n > 1 else g)
                rest = node / g
                return sympy.Add(*[rest * t for t in terms])
    return None


def left_tail(node: sympy.Mul) -> sympy.Basic | None:
    """eᵃ·erfcx(w)ᵏ (k < 0) = e^(a + k·w²)·erfc(w)ᵏ for w < 0, with erfc(w) = 2Φ(−√2w):
    far left erfcx(w) and eᵃ may both overflow (inf/inf) where e^(a + kw²) is 0."""
    atoms = node.atoms(erfcx)
    if len(atoms) != 1:
        return None
    c, a = exp_split(node)
    if a == 0:
        return None
    (atom,) = atoms
    k = sum((e for b, e in (f.as_base_exp() for f in sympy.Mul.make_args(c)) if b == atom),
            sympy.S.Zero)
    if not (k.is_Integer and k < 0) or (c / atom**k).has(erfcx):
        return None
    w = atom.args[0]
    left = c / atom**k * sympy.exp(a + k * w**2) * (2 * ndtr(-_SQRT2 * w)) ** k
    return sympy.Piecewise((left, w < 0), (node, True))


ERF_RULES = Table([
    Rule("erf complement", "1 + erf(u) = 2Φ(√2u); 2 − erfc(u) = 2Φ(√2u); 1 − Φ(t) = Φ(−t)",
         sympy.Add, erf_complement),
    Rule("log Φ", "log Φ(t) = logndtr(t); log erfc(u) = log 2 + logndtr(−√2u)", sympy.log,
         log_tail),
    Rule("erfcx", "eᵃ·erfc(u)ᵏ = e^(a − ku²)·erfcx(u)ᵏ", sympy.Mul, scaled_tail),
    Rule("erfcx in a sum", "eᵃ·(Σ tᵢ) = Σ eᵃ·tᵢ, each term then scaled", sympy.Mul,
         tail_sum),
    Rule("over erfcx", "(Σ tᵢ)/erfcx(w)ᵏ = Σ tᵢ/erfcx(w)ᵏ when the tᵢ hold erfcx(w)",
         sympy.Mul, erfcx_quotient),
])


def folded(node: sympy.Piecewise) -> sympy.Basic | None:
    """A Piecewise whose pieces hold Piecewise, as one: the far-left form of a term inside
    the series' "elsewhere" piece (w > 8, then w < 0 per term) becomes (series, w > 8),
    (far-left terms, w < 0), (the sum, elsewhere): no case inside a case, whose guarded
    pieces (kernels.guarded) would put a Piecewise into a condition (an ITE no backend
    evaluates)."""
    if not any(piece.has(sympy.Piecewise) for piece, _ in node.args):
        return None
    out = sympy.piecewise_fold(node)
    return out if isinstance(out, sympy.Piecewise) and not any(
        piece.has(sympy.Piecewise) for piece, _ in out.args) else None


# applied once each, in order, after the rules and the series (stable.py)
LEFT = Table([Rule("erfcx far left", "eᵃ/erfcx(w)ᵏ = e^(a − kw²)/erfc(w)ᵏ for w < 0",
                   sympy.Mul, left_tail)])
FOLD = Table([Rule("cases folded", "(a if p else (b if q else c) + d) = "
                   "(a if p, b + d if q, c + d)", sympy.Piecewise, folded)])


def apply_erf_rules(expr: sympy.Basic, rounds: int = 8) -> sympy.Basic:
    """``expr`` with the rules applied bottom-up, to a fixed point."""
    return rewrite(expr, ERF_RULES, repeat=True, rounds=rounds)
