"""Numerically stable forms for kernels: sums of exponentials are shifted by their maximum.

log(Σ eᵃⁱ) becomes M + log(Σ eᵃⁱ⁻ᴹ) with M = max aᵢ, and a sum of exponentials under a
negative power (softmax, sigmoid, their derivatives) is shifted the same way, the shift
moved into the numerator's exponentials. Exact identities: values are unchanged where the
plain form is finite, and finite where it would overflow (log-sum-exp of values near 1000).

Two terms use log1p: log(eᵃ + eᵇ) = max(a, b) + log1p(e^−|a−b|).

>>> import sympy
>>> x, y, z = sympy.symbols("x y z", real=True)
>>> stabilize(sympy.log(sympy.exp(x) + sympy.exp(y)))
log1p(exp(-Abs(x - y))) + Max(x, y)
>>> stabilize(sympy.log(sympy.exp(x) + sympy.exp(y) + sympy.exp(z)))
log(exp(x - Max(x, y, z)) + exp(y - Max(x, y, z)) + exp(z - Max(x, y, z))) + Max(x, y, z)
"""

from __future__ import annotations

import functools

import sympy
from sympy.codegen.cfunctions import log1p


def _exponents(total: sympy.Basic) -> list[tuple[sympy.Expr, sympy.Expr]] | None:
    """(coefficient, exponent) per term when every term is c·exp(a) with c > 0, else None."""
    if not isinstance(total, sympy.Add) or total.has(sympy.Max):  # Max: already shifted
        return None
    pairs = []
    for term in total.args:
        coefficient, rest = term.as_coeff_Mul()
        if rest == 1 and coefficient.is_positive:
            pairs.append((coefficient, sympy.S.Zero))
        elif isinstance(rest, sympy.exp) and coefficient.is_positive:
            pairs.append((coefficient, rest.args[0]))
        else:
            return None
    return pairs if sum(1 for _, a in pairs if a != 0) >= 1 and len(pairs) >= 2 else None


@functools.lru_cache(maxsize=1024)
def _largest(exponents: tuple[sympy.Expr, ...]) -> sympy.Expr:
    """Max(a, b, ...), built once per set: SymPy's Max compares its arguments pairwise, and a
    Hessian of log-sum-exp of 20 variables asks for the same one 400 times."""
    return sympy.Max(*exponents)


def _shifted(pairs: list[tuple[sympy.Expr, sympy.Expr]]) -> tuple[sympy.Expr, sympy.Expr]:
    """(M, Σ c·exp(a − M)) with M the largest exponent."""
    shift = _largest(tuple(a for _, a in pairs))
    return shift, sympy.Add(*[c * sympy.exp(a - shift) for c, a in pairs])


def stabilize(expr: sympy.Basic) -> sympy.Basic:
    """The same expression with overflow-safe log-sum-exp and exponential ratios."""
    def is_log_of_exps(node):
        return isinstance(node, sympy.log) and _exponents(node.args[0]) is not None

    def log_of_exps(node):
        pairs = _exponents(node.args[0])
        if len(pairs) == 2:  # log(e^a + e^b) = max(a, b) + log1p(e^-|a - b|): exact near 0 too
            a, b = (x + sympy.log(c) for c, x in pairs)
            return sympy.Max(a, b) + log1p(sympy.exp(-sympy.Abs(a - b)))
        shift, rest = _shifted(pairs)
        return shift + sympy.log(rest)

    def is_ratio(node):
        return isinstance(node, sympy.Pow) and node.exp.is_negative and \
            _exponents(node.base) is not None

    def ratio(node):
        shift, rest = _shifted(_exponents(node.base))
        return sympy.exp(node.exp * shift) * rest**node.exp

    def power_of_exps(node) -> tuple | None:
        is_power = isinstance(node, sympy.Pow)
        base, exponent = (node.base, node.exp) if is_power else (node, sympy.S.One)
        pairs = _exponents(base)
        return None if pairs is None or not exponent.is_Rational else (pairs, exponent)

    def is_ratio_product(node):
        return isinstance(node, sympy.Mul) and any(is_ratio(a) for a in node.args)

    def ratio_product(node):
        # shift every sum of exponentials in the product, numerator ones too:
        # (e^y + e^z)·e^x / (e^x + e^y + e^z)² overflows unless both sums are shifted
        factors = []
        for a in node.args:
            found = power_of_exps(a)
            if found is None:
                factors.append(a)
                continue
            pairs, exponent = found
            shift, rest = _shifted(pairs)
            factors += [sympy.exp(exponent * shift), rest**exponent]
        return sympy.powsimp(sympy.Mul(*factors), combine="exp")

    out = (expr.replace(is_log_of_exps, log_of_exps).replace(is_ratio_product, ratio_product)
           .replace(is_ratio, ratio))
    if out == expr:
        return expr
    # merge the shift into the exponentials it multiplies: e^a·e^(−M) = e^(a − M)
    out = out.replace(lambda n: isinstance(n, sympy.Mul) and n.has(sympy.Max),
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
