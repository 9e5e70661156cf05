"""Results in the forms a deep-learning textbook prints: σ(x)(1 − σ(x)), σ(z) − y, ...

SymPy writes σ′ as e^(−x)/(1 + e^(−x))²; a textbook writes σ(x)(1 − σ(x)). The rewrites are
a table of exact identities (:data:`RULES`), applied bottom-up at the end of a derivation by
the engine of :mod:`symnum.core.rewrite`:

- logistic: (1 + eᵛ)^(−k)·e^(m·v) = σ(v)^m·σ(−v)^(k−m) for integers 0 ≤ m ≤ k, so
  1/(1 + e^(−u)) = σ(u), eᵘ/(1 + eᵘ) = σ(u) and e^(−u)/(1 + e^(−u))² = σ(u)σ(−u);
- complement: σ(−u) = 1 − σ(u), towards the arguments the function itself has (σ(x)(1 − σ(x))
  for σ(x); σ(−y·w·x) stays for the logistic loss log(1 + e^(−y·w·x)));
- factored: a polynomial in σ is factored (σ″ = σ(1 − σ)(1 − 2σ)) when that is shorter.

A form is used only when it is the same value: each rule is an identity, and the rewritten
result is compared with the original at random points (20 digits) before it is kept.

>>> x, y, z = sympy.symbols("x y z", real=True)
>>> textbook(sympy.exp(-x) / (1 + sympy.exp(-x))**2, preferred={x})
sigmoid(x)*(1 - sigmoid(x))
>>> softplus = sympy.log(1 + sympy.exp(z))
>>> textbook(sympy.exp(z) / (sympy.exp(z) + 1) - y, preferred=arguments(softplus))
-y + sigmoid(z)
"""

from __future__ import annotations

import random

import sympy

from .logistic import sigmoid, to_exponentials
from .rewrite import Rule, Table, rewrite
from .unknowns import has_unknowns

FACTOR_MAX_OPS = 60  # polynomials in σ up to this size are tried factored
CHECK_POINTS = 2
CHECK_DIGITS = 20


def one_plus_exp(base: sympy.Basic) -> sympy.Expr | None:
    """v when ``base`` is 1 + eᵛ, else None."""
    if not isinstance(base, sympy.Add) or len(base.args) != 2:
        return None
    one, other = sorted(base.args, key=lambda a: not a.is_Number)
    if one == 1 and isinstance(other, sympy.exp):
        return other.args[0]
    return None


def _denominator(factor: sympy.Basic) -> tuple[sympy.Expr, int] | None:
    """(v, k) for a factor (1 + eᵛ)^(−k), k a positive integer."""
    if not (factor.is_Pow and factor.exp.is_Integer and factor.exp < 0):
        return None
    v = one_plus_exp(factor.base)
    return None if v is None else (v, int(-factor.exp))


def _multiple(a: sympy.Expr, v: sympy.Expr) -> int | None:
    """m when a = m·v for a positive integer m."""
    ratio = sympy.cancel(a / v)
    return int(ratio) if ratio.is_Integer and ratio > 0 else None


def logistic(node: sympy.Basic) -> sympy.Basic | None:
    """(1 + eᵛ)^(−k)·e^(m·v) = σ(v)^m·σ(−v)^(k−m), the exponential absorbed as far as it
    goes (e^(m·v) with m > k leaves e^((m−k)·v))."""
    factors = list(sympy.Mul.make_args(node))
    changed = False
    for i, factor in enumerate(factors):
        found = _denominator(factor)
        if found is None:
            continue
        v, k = found
        m = 0
        for j, other in enumerate(factors):
            if isinstance(other, sympy.exp) and (m := _multiple(other.args[0], v) or 0):
                absorbed = min(m, k)
                factors[j] = sympy.exp((m - absorbed) * v)
                m = absorbed
                break
        factors[i] = sigmoid(v) ** m * sigmoid(-v) ** (k - m)
        changed = True
    return sympy.Mul(*factors) if changed else None


def complement_towards(preferred: frozenset) -> Table:
    """σ(w) = 1 − σ(−w) where −w is an argument the function has and w is not."""
    def towards(node: sympy.Basic) -> sympy.Basic | None:
        w = node.args[0]
        if -w in preferred and (w not in preferred or w.could_extract_minus_sign()):
            return 1 - sigmoid(-w)  # σ(x) and σ(−x) both in f: σ(x) it is
        return None
    return Table([Rule("complement", "σ(w) = 1 − σ(−w), towards the function's own −w",
                       sigmoid, towards)])


def factored(expr: sympy.Expr) -> sympy.Expr | None:
    """A sum that is a polynomial in σ's, factored, each factor's sign the way a book writes
    it: σ(1 − σ)(1 − 2σ), not σ(σ − 1)(2σ − 1)."""
    if not isinstance(expr, sympy.Add) or sympy.count_ops(expr) > FACTOR_MAX_OPS:
        return None
    atoms = sorted(expr.atoms(sigmoid), key=sympy.default_sort_key)
    if not atoms:
        return None
    stand_in = {a: sympy.Dummy(f"s{i}") for i, a in enumerate(atoms)}
    poly = expr.xreplace(stand_in)
    if not poly.is_polynomial():  # in σ and every other symbol: x/(x² + 3)·σ stays
        return None
    try:
        coeff, factors = sympy.factor_list(poly)
    except (sympy.PolynomialError, NotImplementedError):
        return None
    if any(b.free_symbols - set(stand_in.values()) and b.free_symbols & set(stand_in.values())
           for b, _ in factors):  # x·σ + σ stays: only factors in σ alone read as a book's
        return None
    sign, parts = sympy.S.One, []
    for base, power in factors:
        if isinstance(base, sympy.Add) and base.as_coeff_Add()[0] < 0:
            base, sign = -base, sign * (-1) ** power
        parts.append(base ** power)
    back = {d: a for a, d in stand_in.items()}
    out = sympy.Mul(sign * coeff, *[p.xreplace(back) for p in parts])
    return out if size(out) <= size(expr) else None


def expand_sigmoids(expr: sympy.Expr, preferred: frozenset = frozenset()) -> sympy.Expr:
    """Multiplied out, then factored in σ where that reads better: terms cancel
    (σ(z)(1 − y) − y(1 − σ(z)) = σ(z) − y) and σ − σ² becomes σ(1 − σ).

    >>> z, y = sympy.symbols("z y")
    >>> expand_sigmoids(sigmoid(z)*(1 - y) - y*(1 - sigmoid(z)))
    -y + sigmoid(z)
    """
    if sympy.count_ops(expr) > FACTOR_MAX_OPS:
        return expr
    expanded = _expand(expr)
    if expanded.has(sympy.exp):  # eᶻ·σ(−z) = σ(z) once the product is multiplied out
        again = rewrite(to_exponentials(expanded), *LOGISTIC,
                        complement_towards(frozenset(preferred)))
        expanded = _expand(again)
    return factored(expanded) or expanded


def _expand(expr: sympy.Expr) -> sympy.Expr:
    """Products multiplied out, the arguments of functions left as they are."""
    calls = sorted(expr.atoms(sympy.Function), key=sympy.default_sort_key)
    stand_in = {c: sympy.Dummy(f"f{i}") for i, c in enumerate(calls)}
    return sympy.expand_mul(expr.xreplace(stand_in)).xreplace(
        {d: c for c, d in stand_in.items()})


def size(expr: sympy.Expr) -> int:
    """Operations, a leading minus sign not counted (−σ(1 − σ) is as short as σ² − σ)."""
    ops = sympy.count_ops(expr)
    return min(ops, sympy.count_ops(-expr)) if expr.could_extract_minus_sign() else ops


# In order: products first (so an exponential is absorbed into its ratio), then lone powers.
RULES = Table([
    Rule("logistic ratio", "(1 + eᵛ)^(−k)·e^(m·v) = σ(v)^m·σ(−v)^(k−m), 0 ≤ m ≤ k",
         sympy.Mul, logistic),
    Rule("logistic", "(1 + eᵛ)^(−k) = σ(−v)^k: 1/(1 + e^(−u)) = σ(u)", sympy.Pow, logistic),
])
LOGISTIC = tuple(Table([rule]) for rule in RULES)  # one pass each, in table order


def arguments(expr: sympy.Basic) -> frozenset:
    """The σ arguments a function has: u of 1/(1 + e^(−u)) and eᵘ/(1 + eᵘ), and of
    softplus log(1 + eᵘ), whose derivative is σ(u).

    >>> x = sympy.Symbol("x", real=True)
    >>> sorted(arguments(1 / (1 + sympy.exp(-2*x)) + sympy.log(1 + sympy.exp(-x))), key=str)
    [-x, 2*x]
    """
    found = set()
    ruled = rewrite(expr, *LOGISTIC)
    found |= {s.args[0] for s in ruled.atoms(sigmoid)}
    for node in sympy.preorder_traversal(expr):
        if isinstance(node, sympy.log) and len(node.args) == 1:
            v = one_plus_exp(node.args[0])
            if v is not None:
                found.add(v)
    return frozenset(found)


def textbook(expr: sympy.Basic, preferred: frozenset = frozenset()) -> sympy.Basic:
    """``expr`` in textbook form (σ for logistic patterns), or ``expr`` itself where no rule
    applies or the rewrite could not be confirmed equal."""
    if not isinstance(expr, sympy.Expr) or not expr.has(sympy.exp):
        return expr
    try:
        out = rewrite(expr, *LOGISTIC)
        if not out.has(sigmoid):
            return expr
        out = rewrite(out, complement_towards(frozenset(preferred)))
        out = factored(out) or out
    except (RecursionError, TypeError, ValueError, sympy.PolynomialError):
        return expr
    return out if same_value(out, expr) else expr


def with_sigma(expr: sympy.Basic) -> sympy.Basic:
    """A function as a book writes it: its logistic patterns as σ (for display).

    >>> with_sigma(sympy.log(1 / (1 + sympy.exp(-sympy.Symbol("z")))))
    log(sigmoid(z))
    """
    if isinstance(expr, sympy.MatrixBase):
        return expr.applyfunc(with_sigma)
    if not isinstance(expr, sympy.Expr) or not expr.has(sympy.exp):
        return expr
    try:
        return rewrite(expr, *LOGISTIC,
                       check=lambda new, old: new.has(sigmoid) and same_value(new, old))
    except (RecursionError, TypeError, ValueError):
        return expr


def textbook_form(raw: sympy.Expr, plain: sympy.Expr, preferred: frozenset) -> sympy.Expr:
    """The form to print for a derivative: ``raw`` (SymPy's) and ``plain`` (its simplest
    form) in textbook form where a rule applies, cancelled and factored in σ, then the one
    with σ in place of exponentials, the shortest, a product before a sum.

    >>> x = sympy.Symbol("x", real=True)
    >>> raw = sympy.exp(-x) / (1 + sympy.exp(-x))**2
    >>> textbook_form(raw, raw, frozenset({x}))
    sigmoid(x)*(1 - sigmoid(x))
    """
    if not isinstance(raw, sympy.Expr):
        return plain
    if not raw.has(sympy.exp):
        return hyperbolic(plain)
    found = dict.fromkeys(t for t in (textbook(raw, preferred), textbook(plain, preferred))
                          if t.has(sigmoid))
    if not found:  # softmax-like: (1 − s)·s with s = eˣ/(eˣ + eʸ), not e^(x+y)/(e^2x + ...)
        return min(dict.fromkeys([plain, sympy.factor_terms(raw)]), key=_order)
    candidates = dict.fromkeys([plain, *found])
    for t in found:
        candidates.update(dict.fromkeys([sympy.factor_terms(t), expand_sigmoids(t, preferred)]))
    best = min(candidates, key=_order)
    return best if best == plain or same_value(best, raw) else plain


def _tanh_factor(node: sympy.Mul) -> sympy.Expr | None:
    """sinhᵐ(a)·coshⁿ(a) with n ≤ −m < 0 as tanhᵐ(a)·cosh^(m+n)(a)."""
    powers: dict[tuple[type, sympy.Expr], sympy.Expr] = {}
    for f in node.args:
        base, k = f.as_base_exp()
        if isinstance(base, sympy.sinh | sympy.cosh):
            powers[(type(base), base.args[0])] = k
    changed = False
    for (kind, a), m in list(powers.items()):
        n = powers.get((sympy.cosh, a))
        if kind is sympy.sinh and m.is_Integer and m > 0 and n is not None and n.is_Integer \
                and n <= -m:
            powers[(sympy.sinh, a)], powers[(sympy.cosh, a)] = 0, m + n
            powers[(sympy.tanh, a)] = m
            changed = True
    if not changed:
        return None
    rest = [f for f in node.args if not isinstance(f.as_base_exp()[0], sympy.sinh | sympy.cosh)]
    return sympy.Mul(*rest, *(kind(a) ** k for (kind, a), k in powers.items()))


HYPERBOLIC = Table([Rule("tanh", "sinhᵐa·coshⁿa = tanhᵐa·cosh^(m+n)a, n ≤ −m < 0",
                         sympy.Mul, _tanh_factor)])


def hyperbolic(expr: sympy.Basic) -> sympy.Basic:
    """sinh/cosh as a book writes it: tanh (d/dx log cosh x = tanh x).

    >>> x = sympy.Symbol("x", real=True)
    >>> hyperbolic(2 * sympy.sinh(x) / sympy.cosh(x))
    2*tanh(x)
    """
    if not isinstance(expr, sympy.Expr) or not expr.has(sympy.sinh):
        return expr
    return rewrite(expr, HYPERBOLIC)


def _order(e: sympy.Expr) -> tuple:
    """Fewer exponentials left (σ where it applies), then the shortest, then a book's order."""
    return (len(e.atoms(sympy.exp)), size(e), *book_order(e), -int(e.has(sigmoid)),
            len(str(e)))


def book_order(expr: sympy.Expr) -> tuple[int, int]:
    """Between forms of one size, the one a book prints: a product before a sum
    (x(1 − tanh²u), not x − x·tanh²u), a number outside a sum (2(1 − t²), not 2 − 2t²).

    >>> t = sympy.tanh(sympy.Symbol("u"))
    >>> book_order((2 - 2*t**2)*t), book_order(sympy.Mul(2, 1 - t**2, t)), book_order(t - t**3)
    ((1, 1), (1, 0), (2, 0))
    """
    spread = sum(1 for a in sympy.preorder_traversal(expr)
                 if a.is_Add and abs(a.as_coeff_Add()[0]) not in (0, 1))
    return len(sympy.Add.make_args(expr)), spread


def same_value(new: sympy.Expr, old: sympy.Expr, seed: int = 0) -> bool:
    """Whether two forms agree at random rational points to 20 digits (a check that a rule
    was applied right, on top of each rule being an identity)."""
    free = sorted(old.free_symbols | new.free_symbols, key=lambda s: s.name)
    rng = random.Random(seed)
    lowered = to_exponentials(new)
    for _ in range(CHECK_POINTS):
        point = {s: sympy.Rational(rng.randint(-1500, 1500), 1000) for s in free}
        a = sympy.N(lowered.xreplace(point), CHECK_DIGITS)
        b = sympy.N(old.xreplace(point), CHECK_DIGITS)
        if not (a.is_number and b.is_number):
            return False
        if abs(a - b) > sympy.Float(10) ** (5 - CHECK_DIGITS) * max(1, abs(b)):
            return False
    return True


def quotient_forms(expr: sympy.Expr) -> list[sympy.Expr]:
    """With unknown functions, the quotient rule's own form over one denominator,
    (f′·g − f·g′)/g², as a candidate (SymPy's shortest nests a fraction in a fraction).

    >>> quotient_forms(sympy.sympify("Derivative(f(x), x)/g(x) - f(x)/g(x)**2"))
    [(-f(x) + g(x)*Derivative(f(x), x))/g(x)**2]
    """
    return [sympy.together(expr)] if has_unknowns(expr) else []


def nested_quotient(expr: sympy.Expr) -> int:
    """1 for a form with unknown functions that is not over one denominator, else 0."""
    return int(has_unknowns(expr) and sympy.together(expr) != expr)

