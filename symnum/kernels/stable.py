"""Numerically stable forms for kernels: exact rewrites, then shifted exponentials.

Two passes over an expression, both exact identities over the reals:

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
    shifted_form = _shift(ruled)
    return shifted_form.replace(lambda n: isinstance(n, sympy.Add) and not n.has(sympy.Max),
                                lambda n: EXPM1.rewrite(n) or n)


def _is_ratio(node: sympy.Basic) -> bool:
    return isinstance(node, sympy.Pow) and node.exp.is_negative and \
        positive_terms(node.base) is not None


def _ratio(node: sympy.Pow) -> sympy.Basic:
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


def _ratio_product(node: sympy.Mul) -> sympy.Basic:
    """Every sum of exponentials in the product shifted, numerator ones too:
    (e^y + e^z)·e^x / (e^x + e^y + e^z)² overflows unless both sums are shifted."""
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
    out = expr.replace(_is_ratio_product, _ratio_product).replace(_is_ratio, _ratio)
    if out == expr:
        return expr
    # merge the shift into the exponentials it multiplies: e^a·e^(−M) = e^(a − M)
    out = out.replace(lambda n: isinstance(n, sympy.Mul) and n.has(sympy.Max, sympy.Abs),
                      lambda n: sympy.powsimp(n, combine="exp"))
    return out.replace(lambda n: isinstance(n, sympy.exp) and n.has(sympy.Max), _split_shifted)


def _split_shifted(node: sympy.exp) -> sympy.Expr:
    """e^(x₀ + x₁ − 2M) = e^(x₀ − M)·e^(x₁ − M): the factors are the ones every other entry
    of a softmax-like result uses, so a kernel computes n exponentials instead of n².

    >>> x, y, m = sympy.symbols("x y m")
    >>> _split_shifted(sympy.exp(x + 2*y - 3*sympy.Max(x, y, m)))
    exp(x - Max(m, x, y))*exp(y - Max(m, x, y))**2
    """
    shifts = [t for t in sympy.Add.make_args(node.args[0]) if t.has(sympy.Max)]
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
