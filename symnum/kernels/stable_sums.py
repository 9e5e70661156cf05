"""Sums of exponentials, read and shifted: the data the stable rewrites work on.

A sum Σ cᵢ·e^aᵢ overflows when some aᵢ is large although ratios and logarithms of such sums
are ordinary numbers. Written as e^M·Σ cᵢ·e^(aᵢ−M) with M = max aᵢ, every shifted term is at
most |cᵢ| and, for positive cᵢ, the sum is at least the smallest cᵢ: no overflow, and no
0·∞ when the e^M of numerator and denominator are combined into one exponential.

cosh a = ½eᵃ + ½e⁻ᵃ and sinh a = ½eᵃ − ½e⁻ᵃ are such sums too (:func:`hyperbolic_terms`).

>>> x, y = sympy.symbols("x y", real=True)
>>> positive_terms(1 + 2*sympy.exp(x))
[(1, 0), (2, x)]
>>> signed_terms(2*x + (2 - x)*(sympy.exp(x) + 1))  # multiplied out, collected
[(x + 2, 0), (2 - x, x)]
>>> shifted([(1, x), (1, y)])
(Max(x, y), exp(x - Max(x, y)) + exp(y - Max(x, y)))
"""

from __future__ import annotations

import functools

import sympy

Terms = list[tuple[sympy.Expr, sympy.Expr]]  # (coefficient cᵢ, exponent aᵢ) of Σ cᵢ·e^aᵢ

EXPAND_MAX_OPS = 200  # a numerator bigger than this is not multiplied out to be shifted


def hyperbolic_terms(expr: sympy.Basic) -> Terms | None:
    """cosh a and sinh a as sums of two exponentials."""
    if isinstance(expr, sympy.cosh | sympy.sinh):
        a = expr.args[0]
        half = sympy.S.Half
        return [(half, a), (half if isinstance(expr, sympy.cosh) else -half, -a)]
    return None


def positive_terms(expr: sympy.Basic, multiplied: bool = False) -> Terms | None:
    """Σ cᵢ·e^aᵢ with every cᵢ a positive number, two terms or more and some aᵢ ≠ 0
    (a constant term has aᵢ = 0, c·cosh a is two terms; a product of such sums, as SymPy
    writes the derivative of a log-sum-exp, (eˣ + 1)·e⁴ˣ + 1, is multiplied out); None for
    anything else, and for sums already shifted. (cosh a alone is not such a sum here:
    1/cosh²a only underflows, to the right 0.)

    >>> x = sympy.Symbol("x", real=True)
    >>> positive_terms((sympy.exp(x) + 1)*sympy.exp(4*x) + 1)
    [(1, 0), (1, 4*x), (1, 5*x)]
    >>> positive_terms(sympy.E*sympy.exp(x) + 1)
    [(1, 0), (E, x)]
    """
    if not isinstance(expr, sympy.Add):
        return None
    pairs = []
    for term in expr.args:
        coefficient, rest = term.as_coeff_Mul()
        if not coefficient.is_positive:
            return None
        if rest == 1:
            pairs.append((coefficient, sympy.S.Zero))
        elif isinstance(rest, sympy.exp):
            pairs.append((coefficient, rest.args[0]))
        elif isinstance(rest, sympy.cosh):  # 1 + cosh a = 1 + ½eᵃ + ½e⁻ᵃ
            pairs += [(coefficient * c, a) for c, a in hyperbolic_terms(rest)]
        elif (split := exp_split(rest))[0].is_number and split[0].is_positive:
            pairs.append((coefficient * split[0], split[1]))  # e·eˣ, √2·eˣ: a number times eᵃ
        elif multiplied or not rest.has(sympy.exp) or \
                sympy.count_ops(expr) > EXPAND_MAX_OPS:
            return None
        else:
            out = sympy.expand(expr, mul=True, multinomial=True, power_exp=False,
                               power_base=False, log=False)
            return None if out == expr else positive_terms(out, multiplied=True)
    return pairs if _unshifted(pairs) else None


def _unshifted(pairs: Terms) -> bool:
    """Some exponent is not 0, and none holds a max (the sum is not shifted already)."""
    return any(a != 0 for _, a in pairs) and not any(a.has(sympy.Max) for _, a in pairs)


def exp_split(term: sympy.Basic) -> tuple[sympy.Expr, sympy.Expr]:
    """A product as (c, a) with term = c·e^a, the exponentials that are its factors
    combined into e^a (those inside other functions stay in c)."""
    rest, exponents = [], []
    for factor in sympy.Mul.make_args(term):
        if isinstance(factor, sympy.exp):
            exponents.append(factor.args[0])
        elif factor.is_Pow and isinstance(factor.base, sympy.exp) and factor.exp.is_number:
            exponents.append(factor.base.args[0] * factor.exp)
        else:  # tanh(log(1 + eˣ)) and the like: bounded or not, a coefficient
            rest.append(factor)
    return sympy.Mul(*rest), sympy.Add(*exponents)


def signed_terms(expr: sympy.Basic) -> Terms | None:
    """Σ cᵢ·e^aᵢ with coefficients of any sign (any expressions but exponentials), products
    over sums multiplied out and terms of the same exponent collected; None when ``expr``
    is not such a sum of two exponents or more."""
    found = hyperbolic_terms(expr) or positive_terms(expr)
    if found is not None:
        return found
    if not isinstance(expr, sympy.Add) or not expr.has(sympy.exp) or \
            sympy.count_ops(expr) > EXPAND_MAX_OPS:
        return None
    groups: dict[sympy.Expr, sympy.Expr] = {}
    expanded = sympy.expand(expr, mul=True, multinomial=True, power_exp=False,
                            power_base=False, log=False)
    for term in sympy.Add.make_args(expanded):
        c, a = exp_split(term)
        groups[a] = groups.get(a, sympy.S.Zero) + c
    pairs = [(c, a) for a, c in groups.items() if c != 0]
    return pairs if len(pairs) >= 2 and _unshifted(pairs) else None


@functools.lru_cache(maxsize=1024)
def largest(exponents: tuple[sympy.Expr, ...]) -> sympy.Expr:
    """max(a, b, ...), built once per set (SymPy's Max compares its arguments pairwise, and
    a Hessian of log-sum-exp of 20 variables asks for the same one 400 times); max(a, −a)
    is |a|."""
    if len(exponents) == 2 and exponents[0] == -exponents[1]:
        return sympy.Abs(exponents[0])
    return sympy.Max(*exponents)


def shifted(pairs: Terms) -> tuple[sympy.Expr, sympy.Expr]:
    """(M, Σ cᵢ·e^(aᵢ − M)) with M the largest exponent."""
    shift = largest(tuple(a for _, a in pairs))
    return shift, sympy.Add(*[c * sympy.exp(a - shift) for c, a in pairs])


def hyperbolic_powers(node: sympy.Mul) -> dict[sympy.Basic, sympy.Integer]:
    """The integer powers of sinh and cosh factors in a product, by factor.

    >>> a = sympy.Symbol("a")
    >>> dict(sorted(hyperbolic_powers(sympy.sinh(a)**2 / sympy.cosh(a) * a).items(), key=str))
    {cosh(a): -1, sinh(a): 2}
    """
    powers = {}
    for f in node.args:
        base, k = f.as_base_exp()
        if isinstance(base, sympy.sinh | sympy.cosh) and k.is_Integer:
            powers[base] = k
    return powers
