"""Stable forms of the log families: log(eᵃ − 1), log(1 − e⁻ᵃ), log tanh, log sinh, log coth,
1 ± tanh, cosh − 1, and the ratios their derivatives hold; and what the registry's grid
(tests/test_stable_registry.py) found: 1 − u² near u = ±1, a² − 2ab + b², Γ(a)/Γ(b).

Each function is a rule of :data:`symnum.kernels.stable_rules.RULES` (exact identities over
the reals, run before the shifts). The logarithms become :class:`log1mexp` (log(1 − e⁻ᵃ),
which the registry spells as log(−expm1(−a)) below ln 2 and log1p(−e⁻ᵃ) above): no overflow
at a = 800 and no cancellation at a = 10⁻⁸. A ratio eᵇ/(eᵃ − 1)ᵏ is shifted by
M = max(a, 0) = (a + |a|)/2, so that its exponential never overflows and its denominator is
an expm1 that never cancels.

>>> a = sympy.Symbol("a", real=True)
>>> log_of_expm1(sympy.log(sympy.exp(a) - 1))
a + log1mexp(a)
>>> log_of_hyperbolic(sympy.log(sympy.tanh(a)))
log1mexp(2*a) - log1p(exp(-2*a))
>>> expm1_ratio(sympy.exp(a) / (sympy.exp(a) - 1))
-exp(a/2 - Abs(a)/2)/(expm1(-Abs(a))*sign(a))
>>> tanh_complement(1 - sympy.tanh(a))
2/(exp(2*a) + 1)
>>> cosh_minus_one(sympy.cosh(4*a) - 1)
2*sinh(2*a)**2
"""

from __future__ import annotations

import sympy
from sympy.codegen.cfunctions import expm1, log1p

from ..core.registry.activations import log1mexp
from ..core.rewrite import Rule, Table
from .stable_sums import hyperbolic_powers

_LOG2 = sympy.log(2)


def expm1_base(base: sympy.Basic) -> tuple[sympy.Expr, sympy.Expr] | None:
    """(C, a) with ``base`` = C·(eᵃ − 1), C a number: K − K·eᵃ, c·eᵃ − c, c·expm1(a).

    >>> a = sympy.Symbol("a")
    >>> expm1_base(1 - sympy.exp(-a)), expm1_base(3*expm1(a))
    ((-1, -a), (3, a))
    """
    c, rest = base.as_coeff_Mul()
    if isinstance(rest, expm1):
        return c, rest.args[0]
    if not (isinstance(base, sympy.Add) and len(base.args) == 2):
        return None
    k, term = base.as_coeff_Add()
    c, e = term.as_coeff_Mul()
    if k != 0 and c == -k and isinstance(e, sympy.exp):
        return c, e.args[0]
    return None


def log_of_expm1(node: sympy.log) -> sympy.Basic | None:
    """log(C·(eᵃ − 1)) = log C + a + log1mexp(a) (C > 0; a > 0 in the domain) and
    log(C·(1 − eᵃ)) = log C + log1mexp(−a) (a < 0): finite at a = ±800, exact near 0."""
    found = expm1_base(node.args[0])
    if found is None:
        return None
    c, a = found
    if c.is_positive:
        return sympy.log(c) + a + log1mexp(a)
    return sympy.log(-c) + log1mexp(-a)


def log_of_hyperbolic(node: sympy.log) -> sympy.Basic | None:
    """log tanh a = log1mexp(2a) − log1p(e⁻²ᵃ), log coth a its negative, log sinhⁿa =
    n·(a + log1mexp(2a) − log 2) (a > 0 in their domain; nan left of it, as before) and
    for even n the same of |a| (log(cosh a − 1) = log 2 + 2·log|sinh(a/2)|)."""
    f, n = node.args[0].as_base_exp()
    if isinstance(f, sympy.sinh) and n.is_Integer and n.is_positive:
        a = sympy.Abs(f.args[0]) if n.is_even else f.args[0]  # sinh²ᵏa > 0 on both sides
        return n * (a + log1mexp(2 * a) - _LOG2)
    if n != 1 or not isinstance(f, sympy.tanh | sympy.coth):
        return None
    a = f.args[0]
    ratio = log1mexp(2 * a) - log1p(sympy.exp(-2 * a))
    return ratio if isinstance(f, sympy.tanh) else -ratio


def _sum_over_expm1(node: sympy.Mul, base: sympy.Expr) -> sympy.Basic | None:
    """A numerator Σ tᵢ holding exponentials spread over (C·(eᵃ − 1))ᵏ: Σ tᵢ/(…)ᵏ, each
    term shifted on its own (log(1 − e^(−x²))'s second derivative is
    (−2x² + (1 − e^(x²))(2x² − 1))/(1 − e^(x²))², whose (1 − e^(x²)) factors cancel)."""
    for g in node.args:
        if isinstance(g, sympy.Add) and g.has(sympy.exp) and \
                any(base in sympy.Mul.make_args(t) or t.has(sympy.exp) for t in g.args):
            rest = node / g
            return sympy.Add(*[rest * t for t in g.args])
    return None


def expm1_ratio(node: sympy.Mul) -> sympy.Basic | None:
    """eᵇ·(C·(eᵃ − 1))⁻ᵏ = e^(b − kM)·(−C·sign(a)·expm1(−|a|))⁻ᵏ with M = (a + |a|)/2:
    the derivatives of log(eᵃ − 1) and log1mexp (eᵃ/(eᵃ − 1), eᵃ/(eᵃ − 1)²) are finite at
    a = ±800 and exact near 0."""
    for f in node.args:
        if not (f.is_Pow and f.exp.is_Integer and f.exp < 0):
            continue
        found = expm1_base(f.base)
        if found is None or (isinstance(f.base, expm1) and
                             (not node.has(sympy.exp) or found[1].is_nonpositive)):
            continue  # 1/expm1(a) alone or a ≤ 0: already exact, and nothing overflows
        spread = _sum_over_expm1(node, f.base)
        if spread is not None:
            return spread
        c, a = found
        k = -f.exp
        rest, b = [], sympy.S.Zero
        for g in node.args:
            if g is f:
                continue
            if isinstance(g, sympy.exp):
                b += g.args[0]
            elif g.is_Pow and isinstance(g.base, sympy.exp) and g.exp.is_number:
                b += g.base.args[0] * g.exp
            else:
                rest.append(g)
        shift = (a + sympy.Abs(a)) / 2
        sign = 1 if a.is_nonnegative else -1 if a.is_nonpositive else sympy.sign(a)
        below = -c * sign * expm1(-sympy.Abs(a))
        return sympy.Mul(*rest) * sympy.exp(b - k * shift) / below**k
    return None


def tanh_complement(node: sympy.Add) -> sympy.Basic | None:
    """K ± K·tanh a = 2K/(1 + e^(∓2a)): 1 − tanh a at a = 40 is 2e⁻⁸⁰, not 0; the sums of
    exponentials left are shifted and their logs split by the other rules."""
    constant, rest = node.as_coeff_Add()
    if constant == 0:
        return None
    for term in sympy.Add.make_args(rest):
        c, t = term.as_coeff_Mul()
        if isinstance(t, sympy.tanh) and abs(c) == abs(constant):
            s = c / constant
            return rest - term + 2 * constant / (1 + sympy.exp(-2 * s * t.args[0]))
    return None


def cosh_minus_one(node: sympy.Add) -> sympy.Basic | None:
    """c·cosh a − c = 2c·sinh²(a/2): no cancellation near a = 0 (log coth's second
    derivative 8/(cosh 4a − 1))."""
    constant, rest = node.as_coeff_Add()
    for term in sympy.Add.make_args(rest):
        c, t = term.as_coeff_Mul()
        if constant != 0 and c == -constant and isinstance(t, sympy.cosh):
            return rest - term + 2 * c * sympy.sinh(t.args[0] / 2) ** 2
    return None


def half_angle(node: sympy.Mul) -> sympy.Basic | None:
    """sinhᵖ2a·sinh⁻ᵠa = 2ᵖ·sinhᵖa·coshᵖa·sinh⁻ᵠa (or over coshᵠa), which the coth rule
    then turns into tanhs: sinh a/(cosh a − 1) = sinh a/(2·sinh²(a/2)) = 1/tanh(a/2), not
    ∞/∞ at a = 800."""
    below = {f.base.args[0] for f in node.args if f.is_Pow and f.exp.is_Integer and
             f.exp < 0 and isinstance(f.base, sympy.sinh | sympy.cosh)}
    for f in node.args:
        base, p = f.as_base_exp()
        if isinstance(base, sympy.sinh) and p.is_Integer and p > 0 and \
                base.args[0] / 2 in below:
            a = base.args[0] / 2
            return node / f * (2 * sympy.sinh(a) * sympy.cosh(a)) ** p
    return None


def coth_ratio(node: sympy.Mul) -> sympy.Basic | None:
    """coshᵖa·sinh⁻ᵠa = cosh^(p−q)a / tanhᵠa (p ≥ q) or sinh^(p−q)a / tanhᵖa (p < q):
    cosh a / sinh a at a = 800 is 1/tanh a, not ∞/∞."""
    powers = hyperbolic_powers(node)
    for base, p in powers.items():
        if not isinstance(base, sympy.cosh) or p <= 0:
            continue
        partner = sympy.sinh(base.args[0])
        q = -powers.get(partner, sympy.S.Zero)
        if q <= 0:
            continue
        t = sympy.tanh(base.args[0])
        new = base ** (p - q) / t**q if p >= q else partner ** (p - q) / t**p
        return node / (base**p * partner ** (-q)) * new
    return None


def tanh_fraction(node: sympy.Mul) -> sympy.Basic | None:
    """A rational function of one tanh a, its common factors cancelled:
    (tanh²a − 1)/(tanh a − 1) = tanh a + 1 (log(1 − tanh a)'s second derivative, whose
    uncancelled form is eᵃ-sized terms that cancel at a = 40)."""
    if not any(f.is_Pow and f.exp.is_negative and isinstance(f.base, sympy.Add) and
               any(isinstance(t.as_base_exp()[0], sympy.tanh)
                   for g in f.base.args for t in sympy.Mul.make_args(g))
               for f in node.args):
        return None  # no denominator that is a sum of tanh's powers: nothing walked
    found = node.atoms(sympy.tanh)
    if len(found) != 1:
        return None
    t, tanh = sympy.Dummy("t"), found.pop()
    plain = node.xreplace({tanh: t})
    if not plain.is_rational_function(t):
        return None
    cancelled = sympy.cancel(plain)
    if sympy.count_ops(cancelled) >= sympy.count_ops(plain):
        return None
    return cancelled.xreplace({t: tanh})


def difference_of_squares(node: sympy.Add) -> sympy.Basic | None:
    """c − c·u² = c·(1 − u)(1 + u) and c − c/u² = c·(u − 1)(u + 1)/u²: no cancellation
    near u = ±1 (atanh′ = 1/(1 − u²), asec′ = 1/(u²·√(1 − 1/u²)))."""
    constant, rest = node.as_coeff_Add()
    if constant == 0 or isinstance(rest, sympy.Add):
        return None
    c, square = rest.as_coeff_Mul()
    if c != -constant or not (square.is_Pow and abs(square.exp) == 2) or \
            square.base.has(sympy.exp, sympy.tanh):
        return None
    u = square.base
    if square.exp == 2:
        return constant * (1 - u) * (1 + u)
    return constant * (u - 1) * (u + 1) / u**2


def perfect_square(node: sympy.Add) -> sympy.Basic | None:
    """a² − 2ab + b² = (a − b)²: the difference is taken before it is squared (binomial's
    second derivative holds (ψ(n + 1) − ψ(n − k + 1))² written out, which cancels for large
    n)."""
    squares = {t.base: t for t in node.args if t.is_Pow and t.exp == 2 and not t.base.is_Add}
    for term in node.args:
        c, rest = term.as_coeff_Mul()
        factors = sympy.Mul.make_args(rest)
        if abs(c) != 2 or len(factors) != 2 or not all(f in squares for f in factors):
            continue
        a, b = factors
        return node - squares[a] - squares[b] - term + (a + sympy.sign(c) * b) ** 2
    return None


def gamma_ratio(node: sympy.Mul) -> sympy.Basic | None:
    """Γ(a)/Γ(b) with a − b a number (binomial(x, k), written out): exp(log Γ(a) − log Γ(b))
    right of 0, sin(πb)/sin(πa)·exp(log Γ(1 − b) − log Γ(1 − a)) left of 1 (the
    reflection; one of each when a and b are on either side), where the Γs themselves
    overflow past 171 and underflow left of −171."""
    tops = [f for f in node.args if isinstance(f, sympy.gamma) and not f.is_number]
    bottoms = [f.base for f in node.args if f.is_Pow and f.exp == -1 and
               isinstance(f.base, sympy.gamma) and not f.is_number]
    for top in tops:
        for bottom in bottoms:
            a, b = top.args[0], bottom.args[0]
            if not (a - b).is_number:
                continue
            lg = sympy.loggamma
            right = sympy.exp(lg(a) - lg(b))
            left = sympy.sin(sympy.pi * b) / sympy.sin(sympy.pi * a) * \
                sympy.exp(lg(1 - b) - lg(1 - a))
            apart = (sympy.pi / sympy.sin(sympy.pi * a) * sympy.exp(-lg(1 - a) - lg(b)),
                     sympy.sin(sympy.pi * b) / sympy.pi * sympy.exp(lg(a) - lg(1 - b)))
            ratio = sympy.Piecewise((right, (a > 0) & (b > 0)), (left, (a < 1) & (b < 1)),
                                    (apart[0], a < 1), (apart[1], True))
            return node / top * bottom * ratio
    return None

# Rows of stable_rules.RULES: the logs before log1p takes log(1 − e⁻ᵃ), the ratios after.
LOG_FAMILIES = [
    Rule("log of eᵃ − 1", "log(eᵃ − 1) = a + log1mexp(a); log(1 − eᵃ) = log1mexp(−a)",
         sympy.log, log_of_expm1),
    Rule("log tanh, log sinh", "log tanh a = log1mexp(2a) − log1p(e⁻²ᵃ); log sinh a = "
         "a + log1mexp(2a) − log 2", sympy.log, log_of_hyperbolic),
    Rule("expm1 ratio", "eᵇ/(eᵃ − 1)ᵏ = e^(b − kM)/(sign(a)·(1 − e^−|a|))ᵏ, M = max(a, 0)",
         sympy.Mul, expm1_ratio),
    Rule("half angle", "sinh 2a / sinhᵠa = 2·sinh a·cosh a / sinhᵠa", sympy.Mul, half_angle),
    Rule("coth", "cosh a / sinh a = 1/tanh a", sympy.Mul, coth_ratio),
    Rule("1 ± tanh", "1 ± tanh a = 2/(1 + e^(∓2a))", sympy.Add, tanh_complement),
    Rule("cosh − 1", "cosh a − 1 = 2·sinh²(a/2)", sympy.Add, cosh_minus_one),
    Rule("difference of squares", "1 − u² = (1 − u)(1 + u); 1 − 1/u² = (u − 1)(u + 1)/u²",
         sympy.Add, difference_of_squares),
    Rule("perfect square", "a² − 2ab + b² = (a − b)²", sympy.Add, perfect_square),
    Rule("gamma ratio", "Γ(a)/Γ(b) = exp(log Γ(a) − log Γ(b)) (a, b > 0), by reflection "
         "left of 1", sympy.Mul, gamma_ratio),
]

# Before the rules (which would rewrite the numerator and denominator first): fractions of
# one tanh cancelled.
CANCEL = Table([Rule("tanh fraction", "(tanh²a − 1)/(tanh a − 1) = tanh a + 1", sympy.Mul,
                     tanh_fraction)])
