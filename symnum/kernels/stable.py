"""Numerically stable forms for kernels: exact rewrites, then shifted exponentials.

Two passes over an expression, both exact identities over the reals, each a table of rules
run by :func:`symnum.core.rewrite.rewrite`:

1. the rules of :mod:`symnum.kernels.stable_rules`, bottom-up: logs of products split, log-sum-exp
   and softplus as max + log1p, 1 − σ(a) as σ(−a), log(1 + t) as log1p, sinh/cosh as
   tanh, 1 − tanh² as 1/cosh²;
2. every product holding a negative power of a sum of exponentials (sigmoid, softmax, their
   derivatives, 1/cosh²) has each such sum shifted by its largest exponent, numerator sums
   too (:mod:`symnum.kernels.stable_sums`), the shifts merged into one exponential; then eᵃ − 1
   left unshifted becomes expm1(a).

The forms are found, not matched: binary cross-entropy, log σ, log cosh, swish and their
derivatives come out finite at logits of ±800 because their parts do. Values are unchanged
where the plain form is finite, up to rounding.

>>> import sympy
>>> x, y, z = sympy.symbols("x y z", real=True)
>>> stabilize(sympy.log(sympy.exp(x) + sympy.exp(y)))
log1p(exp(-Abs(x - y))) + Max(x, y)
>>> stabilize(sympy.log(sympy.exp(x) + sympy.exp(y) + sympy.exp(z)))
log(exp(x - Max(x, y, z)) + exp(y - Max(x, y, z)) + exp(z - Max(x, y, z))) + Max(x, y, z)
>>> stabilize(sympy.log(1 / (1 + sympy.exp(-z))))  # log σ(z)
-log1p(exp(-Abs(z))) - Max(0, -z)
"""

from __future__ import annotations

import sympy

from ..core.logistic import to_exponentials
from ..core.registry.special import erfcx
from ..core.rewrite import Rule, Table, rewrite
from .stable_asymptotic import ASYMPTOTIC
from .stable_erf import FOLD, LEFT
from .stable_rules import EXPM1, apply_rules
from .stable_sums import Terms, positive_terms, shifted, signed_terms


def stabilize(expr: sympy.Basic) -> sympy.Basic:
    """The same expression in a form whose float64 evaluation neither overflows nor cancels
    where the exact value is an ordinary number (σ is written out first, so the rules see
    its exponentials: σ(a)(1 − σ(a)) becomes a product of two shifted ratios)."""
    expr = to_exponentials(expr)
    try:
        ruled = apply_rules(expr)
    except RecursionError:  # a very deep expression: the shifts below still apply
        ruled = expr
    if ruled.has(erfcx):  # sums of erfcx that cancel far right: their series there
        ruled = rewrite(ruled, ASYMPTOTIC, LEFT, FOLD)
    return rewrite(_shift(ruled), EXPM1_UNSHIFTED)


def _is_ratio(node: sympy.Basic) -> bool:
    return isinstance(node, sympy.Pow) and node.exp.is_negative and \
        positive_terms(node.base) is not None


def _ratio(node: sympy.Pow) -> sympy.Basic | None:
    if not _is_ratio(node):
        return None
    shift, rest = shifted(positive_terms(node.base))
    return sympy.exp(node.exp * shift) * rest**node.exp


def _power_of_sum(node: sympy.Basic) -> tuple[Terms, sympy.Expr] | None:
    """(terms, k) for a factor (Σ cᵢeᵃⁱ)ᵏ that a ratio shifts: a positive sum to a rational
    power, or a signed one (a numerator) to a positive integer power."""
    base, exponent = (node.base, node.exp) if isinstance(node, sympy.Pow) else \
        (node, sympy.S.One)
    if not exponent.is_Rational:
        return None
    pairs = positive_terms(base)
    if pairs is None and exponent.is_Integer and exponent > 0:
        pairs = signed_terms(base)
    return None if pairs is None else (pairs, exponent)


def _is_ratio_product(node: sympy.Basic) -> bool:
    return isinstance(node, sympy.Mul) and any(_is_ratio(a) for a in node.args)


def _ratio_product(node: sympy.Mul) -> sympy.Basic | None:
    """Every sum of exponentials in the product shifted, numerator ones too:
    (e^y + e^z)·e^x / (e^x + e^y + e^z)² overflows unless both sums are shifted."""
    if not _is_ratio_product(node):
        return None
    factors = []
    for a in node.args:
        found = _power_of_sum(a)
        if found is None:
            factors.append(a)
            continue
        pairs, exponent = found
        shift, rest = shifted(pairs)
        factors += [sympy.exp(exponent * shift), rest**exponent]
    return sympy.powsimp(sympy.Mul(*factors), combine="exp")


def _shift(expr: sympy.Basic) -> sympy.Basic:
    out = rewrite(expr, *SHIFTS)
    return expr if out == expr else rewrite(out, *MERGES)


def _merged(node: sympy.Mul) -> sympy.Basic | None:
    """e^a·e^(−M) = e^(a − M): the shift merged into the exponentials it multiplies."""
    return sympy.powsimp(node, combine="exp") if node.has(sympy.Max, sympy.Abs) else None


def _split_shifted(node: sympy.exp) -> sympy.Expr | None:
    """e^(x₀ + x₁ − 2M) = e^(x₀ − M)·e^(x₁ − M): the factors are the ones every other entry
    of a softmax-like result uses, so a kernel computes n exponentials instead of n².

    >>> x, y, m = sympy.symbols("x y m")
    >>> _split_shifted(sympy.exp(x + 2*y - 3*sympy.Max(x, y, m)))
    exp(x - Max(m, x, y))*exp(y - Max(m, x, y))**2
    """
    shifts = [t for t in sympy.Add.make_args(node.args[0]) if t.has(sympy.Max)]
    if not shifts:
        return None
    if len(shifts) != 1:
        return node
    count, shift = shifts[0].as_coeff_Mul()
    rest = (node.args[0] - shifts[0]).as_coefficients_dict()
    if not (count.is_Integer and count < 0 and isinstance(shift, sympy.Max)) or \
            any(not (c.is_Integer and c > 0) for c in rest.values()) or \
            sum(rest.values()) != -count or 1 in rest:
        return node
    return sympy.Mul(*[sympy.Pow(sympy.exp(term - shift), c, evaluate=False) if c != 1
                       else sympy.exp(term - shift) for term, c in rest.items()],
                     evaluate=False)


# One pass each, in order: products holding a ratio, then the ratios left alone ...
SHIFTS = (Table([Rule("shifted product", "Π(Σ cᵢeᵃⁱ)ᵏ·… = Π e^(kM)·(Σ cᵢe^(aᵢ−M))ᵏ·…, "
                     "M = max aᵢ", sympy.Mul, _ratio_product)]),
          Table([Rule("shifted ratio", "(Σ cᵢeᵃⁱ)^(−k) = e^(−kM)·(Σ cᵢe^(aᵢ−M))^(−k)",
                      sympy.Pow, _ratio)]))
# ... then the shifts merged into the exponentials, and split again per term.
MERGES = (Table([Rule("merged shift", "eᵃ·e^(−M) = e^(a−M)", sympy.Mul, _merged)]),
          Table([Rule("split shift", "e^(a + b − 2M) = e^(a−M)·e^(b−M)", sympy.exp,
                      _split_shifted)]))
# Last, eᵃ − 1 left unshifted: expm1(a).
EXPM1_UNSHIFTED = Table([Rule(EXPM1.name, EXPM1.identity, sympy.Add,
                              lambda n: None if n.has(sympy.Max) else EXPM1.rewrite(n))])
