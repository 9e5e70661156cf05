"""The table of exact identities that make kernels stable, one rule per line of knowledge.

Each :class:`~symnum.core.rewrite.Rule` looks at one kind of node (log, a sum, a product) and
returns the same value written so that float64 neither overflows nor cancels, or None where
it does not apply; the engine of :mod:`symnum.core.rewrite` runs the table. Every identity
holds over the reals (tests check each with SymPy and mpmath); the ones for logarithms ask
that the factors they take apart are positive, which is read off the structure (numbers,
exponentials, sums of exponentials with positive coefficients).

>>> z = sympy.Symbol("z", real=True)
>>> sigmoid = 1 / (1 + sympy.exp(-z))
>>> apply_rules(sympy.log(sigmoid))  # log σ(z) = −log(1 + e⁻ᶻ) = −softplus(−z)
-log1p(exp(-Abs(z))) - Max(0, -z)
>>> apply_rules(1 - sigmoid)  # 1 − σ(z) without the cancellation
1/(exp(z) + 1)
"""

from __future__ import annotations

import sympy
from sympy.codegen.cfunctions import expm1, log1p

from ..core.rewrite import Rule, Table, rewrite
from .stable_erf import ERF_RULES
from .stable_logs import CANCEL, LOG_FAMILIES
from .stable_sums import (
    hyperbolic_powers,
    hyperbolic_terms,
    largest,
    positive_terms,
    shifted,
    signed_terms,
)

COMBINE_MAX_OPS = 150  # a sum bigger than this is not put over a common denominator
COMBINE_MAX_TERMS = 6
# softmax's p − p² over n exponentials stays as it is for n > 4: combined, each of its n
# diagonal entries would need its own n − 1 shifted exponentials (a Hessian n times slower)
COMBINE_MAX_EXPONENTIALS = 4


def _positive(f: sympy.Basic) -> bool:
    """Positive for every real value of its variables, read off the structure."""
    if f.is_number:
        return f.is_positive is True
    if isinstance(f, sympy.exp | sympy.cosh):
        return f.args[0].is_extended_real is True
    if f.is_Pow:
        return f.exp.is_extended_real is True and _positive(f.base)
    return positive_terms(f) is not None


def split_log(node: sympy.log) -> sympy.Basic | None:
    """log(p·q^k·w) = log p + k·log q + log w for p, q > 0; log(e^a) = a."""
    arg = node.args[0]
    if not (arg.is_Mul or arg.is_Pow or isinstance(arg, sympy.exp)):
        return None
    pieces, rest = [], []
    for f in sympy.Mul.make_args(arg):
        if isinstance(f, sympy.exp) and f.args[0].is_extended_real:
            pieces.append(f.args[0])
        elif f.is_Pow and _positive(f.base) and f.exp.is_extended_real:
            pieces.append(f.exp * sympy.log(f.base))
        elif _positive(f):
            pieces.append(sympy.log(f))
        else:
            rest.append(f)
    if not pieces:
        return None
    return sympy.Add(*pieces, *([sympy.log(sympy.Mul(*rest))] if rest else []))


def log_sum_exp(node: sympy.log) -> sympy.Basic | None:
    """log(Σ cᵢeᵃⁱ) = M + log Σ cᵢe^(aᵢ−M), M = max aᵢ; for two terms
    log(eᵃ + eᵇ) = max(a, b) + log1p(e^−|a−b|) (softplus, log cosh); a common cᵢ comes out."""
    arg = node.args[0]
    pairs = hyperbolic_terms(arg) if isinstance(arg, sympy.cosh) else positive_terms(arg)
    if pairs is None:
        return None
    common = pairs[0][0] if all(c == pairs[0][0] for c, _ in pairs) else sympy.S.One
    pairs = [(c / common, a) for c, a in pairs]
    if len(pairs) == 2:
        a, b = (x + sympy.log(c) for c, x in pairs)
        return sympy.log(common) + largest((a, b)) + log1p(sympy.exp(-sympy.Abs(a - b)))
    shift, rest = shifted(pairs)
    return sympy.log(common) + shift + sympy.log(rest)


def log_one_plus(node: sympy.log) -> sympy.Basic | None:
    """log(1 + t) = log1p(t)."""
    one, t = node.args[0].as_coeff_Add()
    return log1p(t) if one == 1 and t != 0 else None


def _denominators(term: sympy.Basic) -> list[sympy.Basic]:
    return [f for f in sympy.Mul.make_args(term) if f.is_Pow and f.exp.is_negative]


def _exp_sum_denominator(base: sympy.Basic) -> bool:
    return isinstance(base, sympy.Add) and positive_terms(base) is not None


def _multiplied_out(expr: sympy.Basic) -> sympy.Basic:
    return sympy.expand(expr, mul=True, multinomial=True, power_exp=False, power_base=False,
                        log=False)


def complement(node: sympy.Add) -> sympy.Basic | None:
    """c − d/P = (c·P − d)/P when that cancels or collects terms (1 − σ(a) = σ(−a),
    σ(z) − y = ((1 − y)·eᶻ − y)/(1 + eᶻ)); only over denominators that are sums of
    exponentials (whose quotient is then shifted)."""
    if len(node.args) > COMBINE_MAX_TERMS:
        return None
    below = list(dict.fromkeys(f.base for t in node.args for f in _denominators(t)))
    if not below or not all(_exp_sum_denominator(f) for f in below) or \
            sum(len(positive_terms(f)) for f in below) > COMBINE_MAX_EXPONENTIALS or \
            sympy.count_ops(node) > COMBINE_MAX_OPS:
        return None
    numerator, denominator = sympy.fraction(sympy.together(node))
    apart = sum(len(sympy.Add.make_args(_multiplied_out(t * denominator))) for t in node.args)
    terms = signed_terms(numerator)  # collected by exponential: (1 − y)·eᶻ − y
    if terms is None:
        numerator = sympy.expand_mul(numerator)
        count = len(sympy.Add.make_args(numerator))
    else:
        numerator = sympy.Add(*[c * sympy.exp(a) for c, a in terms])
        count = len(terms)
    return numerator / denominator if count < apart else None


def exp_minus_one(node: sympy.Add) -> sympy.Basic | None:
    """c·eᵃ − c = c·expm1(a)."""
    constant, rest = node.as_coeff_Add()
    for term in sympy.Add.make_args(rest):
        c, e = term.as_coeff_Mul()
        if constant != 0 and c == -constant and isinstance(e, sympy.exp):
            return rest - term + c * expm1(e.args[0])
    return None


def max_offset(node: sympy.Add) -> sympy.Basic | None:
    """a − max(a, b, …) = min(0, a − b, …) in a sum with other terms (log σ(z) = z −
    softplus(z)): the small remainder of two large numbers is not lost to the others."""
    if len(node.args) < 3:  # a − max alone (a shifted exponent) is exact enough as it is
        return None
    for term in node.args:
        c, m = term.as_coeff_Mul()
        if not isinstance(m, sympy.Max):
            continue
        others = set(sympy.Add.make_args(node - term))
        for a in (a for a in m.args if not a.is_number):
            rest = node - term + c * a  # the sum less −c·(a − max): a's terms cancel
            if set(sympy.Add.make_args(rest)) <= others:
                return rest - c * sympy.Min(0, *[a - b for b in m.args if b != a])
    return None


def sech_squared(node: sympy.Add) -> sympy.Basic | None:
    """c − c·tanh²a = c/cosh²a."""
    constant, rest = node.as_coeff_Add()
    for term in sympy.Add.make_args(rest):
        c, t = term.as_coeff_Mul()
        if constant != 0 and c == -constant and t.is_Pow and t.exp == 2 and \
                isinstance(t.base, sympy.tanh):
            return rest - term + constant / sympy.cosh(t.base.args[0]) ** 2
    return None


def tanh_ratio(node: sympy.Mul) -> sympy.Basic | None:
    """sinhᵖa·cosh⁻ᵠa = tanhᵖa·cosh^(p−q)a (p ≤ q) or tanhᵠa·sinh^(p−q)a (p > q)."""
    powers = hyperbolic_powers(node)
    for base, p in powers.items():
        if not isinstance(base, sympy.sinh) or p <= 0:
            continue
        partner = sympy.cosh(base.args[0])
        q = -powers.get(partner, sympy.S.Zero)
        if q <= 0:
            continue
        t = sympy.tanh(base.args[0])
        new = t**p * partner ** (p - q) if p <= q else t**q * base ** (p - q)
        return node / (base**p * partner ** (-q)) * new
    return None


def _double_angles(expr: sympy.Basic, a: sympy.Expr) -> sympy.Basic:
    """sinh 2a = 2·sinh a·cosh a and cosh 2a = cosh²a + sinh²a, for the given a."""
    return expr.xreplace({sympy.sinh(2 * a): 2 * sympy.sinh(a) * sympy.cosh(a),
                          sympy.cosh(2 * a): sympy.cosh(a) ** 2 + sympy.sinh(a) ** 2})


def hyperbolic_quotient(node: sympy.Mul) -> sympy.Basic | None:
    """(Σ tᵢ)/coshᵠa = Σ tᵢ/coshᵠa when some tᵢ is sinh or cosh of a or 2a (double angles
    written out): (aw + ½sinh 2a)/cosh²a = aw/cosh²a + tanh a, which is not ∞/∞ at a = 400."""
    for f in node.args:
        base, q = f.as_base_exp()
        if not (isinstance(base, sympy.cosh) and q.is_Integer and q < 0):
            continue
        a = base.args[0]
        kinds = {sympy.sinh(a), sympy.cosh(a), sympy.sinh(2 * a), sympy.cosh(2 * a)}
        for g in node.args:
            if isinstance(g, sympy.Add) and any(t.has(*kinds) for t in g.args):
                rest = node / g
                return sympy.Add(*[rest * t for t in
                                   sympy.Add.make_args(sympy.expand_mul(_double_angles(g, a)))])
    return None


# Applied after the shifts (stable.py): a numerator eᵃ − 1 is shifted as a sum first.
EXPM1 = Rule("expm1", "c·eᵃ − c = c·expm1(a)", sympy.Add, exp_minus_one)

RULES = Table([
    Rule("log of a product", "log(p·q^k) = log p + k·log q (p, q > 0); log eᵃ = a",
         sympy.log, split_log),
    *LOG_FAMILIES[:2],
    Rule("log-sum-exp", "log Σ cᵢeᵃⁱ = M + log Σ cᵢe^(aᵢ−M); log(eᵃ + eᵇ) = "
         "max(a, b) + log1p(e^−|a−b|)", sympy.log, log_sum_exp),
    Rule("log1p", "log(1 + t) = log1p(t)", sympy.log, log_one_plus),
    Rule("complement", "c − d/P = (cP − d)/P, terms cancelled exactly: 1 − σ(a) = σ(−a)",
         sympy.Add, complement),
    Rule("max offset", "a − max(a, b) = min(0, a − b)", sympy.Add, max_offset),
    Rule("sech²", "1 − tanh²a = 1/cosh²a", sympy.Add, sech_squared),
    Rule("tanh", "sinh a / cosh a = tanh a", sympy.Mul, tanh_ratio),
    *LOG_FAMILIES[2:],
    Rule("hyperbolic quotient", "(t + sinh 2a)/cosh²a = t/cosh²a + 2·tanh a",
         sympy.Mul, hyperbolic_quotient),
    *ERF_RULES,  # the error-function family (stable_erf.py)
])


def apply_rules(expr: sympy.Basic, rounds: int = 8) -> sympy.Basic:
    """``expr`` with the rules applied bottom-up (children first), each result rewritten
    again (to a fixed point), at most ``rounds`` times per node."""
    return rewrite(rewrite(expr, CANCEL), RULES, repeat=True, rounds=rounds)
