"""Textbook forms of matrix results: rewrites that keep the value, for results and display.

``softmax_forms`` turns exp(z)/(𝟏ᵀexp(z)) into softmax(z) inside a result (so the Hessian of
log(𝟏ᵀeˣ) is diag(s) − ssᵀ); ``sigma_form`` writes a scalar in eᵘ as a rational function of
σ(u) when that is shorter (−y·e⁻ʸᵗ/(1 + e⁻ʸᵗ) → −y σ(−y t)); ``display_form`` prepares a
result for printing: σ forms in scalar coefficients and a name for a softmax or σ(u) that
appears more than once (s = softmax(x)).

>>> import sympy
>>> u = sympy.Symbol("u")
>>> sigma_form(sympy.exp(u) / (1 + sympy.exp(u))**2) == Sigma(u) * (1 - Sigma(u))
True
"""

from __future__ import annotations

import sympy
from sympy.matrices.expressions.matexpr import MatrixExpr

from ..core.logistic import sigmoid
from ..core.matrix_expr import Elementwise, Softmax
from ..core.matrix_layers import LayerNorm, RowSoftmax
from ..core.rewrite import Rule, Table, rewrite


class Sigma(sympy.Function):
    """The logistic function σ(u) = 1/(1 + e⁻ᵘ), for display only (its value is the same)."""

    nargs = 1

    def _sympystr(self, printer) -> str:
        return f"σ({printer._print(self.args[0])})"

    def _latex(self, printer) -> str:
        return rf"\sigma\left({printer._print(self.args[0])}\right)"

    def _eval_rewrite_as_exp(self, u, **kwargs):
        return 1 / (1 + sympy.exp(-u))


def _is_ones_exp_sum(e: sympy.Basic) -> sympy.Basic | None:
    """z when e is 𝟏ᵀexp(z) (as a scalar), else None."""
    if isinstance(e, sympy.Trace):
        e = e.arg
    if isinstance(e, sympy.MatMul) and len(e.args) == 2 \
            and isinstance(e.args[0], sympy.OneMatrix) and e.args[0].shape[0] == 1 \
            and isinstance(e.args[1], Elementwise) and e.args[1].name == "exp":
        return e.args[1].arg
    return None


def _softmax_matmul(e: sympy.MatMul) -> sympy.Basic | None:
    """exp(z)·(1/𝟏ᵀexp(z)) in a product as softmax(z); None for a product without both."""
    if not any(_is_ones_exp_sum(b) is not None for s in e.args if not isinstance(s, MatrixExpr)
               for b in sympy.Mul.make_args(s) for b in [b.as_base_exp()[0]]):
        return None
    scalars = [a for a in e.args if not isinstance(a, MatrixExpr)]
    factors = list(a for a in e.args if isinstance(a, MatrixExpr))
    coefficient = sympy.Mul(*scalars)
    for base, power in coefficient.as_powers_dict().items():
        z = _is_ones_exp_sum(base)
        if z is None or not (power.is_Integer and power < 0):
            continue
        exp_z = Elementwise("exp", z)
        swapped = 0
        for i, f in enumerate(factors):
            if swapped == -power:
                break
            if f == exp_z:
                factors[i], swapped = Softmax(z), swapped + 1
            elif f == exp_z.T:
                factors[i], swapped = Softmax(z).T, swapped + 1
        coefficient = coefficient * base**swapped
    return sympy.MatMul(coefficient, *factors).doit() if coefficient != 1 else (
        sympy.MatMul(*factors) if len(factors) > 1 else factors[0])


def softmax_forms(e: sympy.Basic) -> sympy.Basic:
    """exp(z)·(1/𝟏ᵀexp(z)) → softmax(z) wherever a product holds both.

    >>> n = sympy.Symbol("n", integer=True)
    >>> z = sympy.MatrixSymbol("z", n, 1)
    >>> e = Elementwise("exp", z)
    >>> softmax_forms(e / sympy.Trace(sympy.OneMatrix(1, n) * e))
    softmax(z)
    """
    return rewrite(e, SOFTMAX)


SOFTMAX = Table([Rule("softmax", "exp(z)/(𝟏ᵀexp(z)) = softmax(z)", sympy.MatMul,
                      _softmax_matmul)])


def _sign_normal(e: sympy.Expr, s: sympy.Symbol) -> sympy.Expr:
    """(s − 1)ᵏ → (−1)ᵏ(1 − s)ᵏ in a product, so σ(1 − σ) prints as textbooks write it."""
    sign, factors = 1, []
    for f in sympy.Mul.make_args(e):
        base, power = f.as_base_exp()
        if base == s - 1 and power.is_Integer:
            sign *= (-1) ** int(power)
            f = (1 - s) ** power
        factors.append(f)
    for i, f in enumerate(factors):  # −σ(1 − σ)(2σ − 1) is σ(1 − σ)(1 − 2σ)
        base, power = f.as_base_exp()
        if sign == -1 and f.is_Number and f.is_negative:
            sign, factors[i] = 1, -f
        elif sign == -1 and isinstance(base, sympy.Add) and power.is_Integer and power % 2 \
                and _negative_constant(base, s):
            sign, factors[i] = 1, sympy.expand(-base) ** power
    if sign == -1:
        factors.insert(0, sympy.S.NegativeOne)
    return sympy.Mul(*factors)


def _negative_constant(base: sympy.Expr, s: sympy.Symbol) -> bool:
    """base is a·s − c with c > 0 (2σ − 1, to be written 1 − 2σ under a minus sign)."""
    if not base.has(s):
        return False
    poly = sympy.Poly(base, s)
    constant = poly.coeff_monomial(1)
    return poly.degree() == 1 and constant.is_number and bool(constant < 0)


def sigma_form(e: sympy.Expr, prefer: sympy.Basic = sympy.S.Zero) -> sympy.Expr:
    """e with every eᵏᵘ written through σ(u) (or σ(−u)) when that is shorter, else e; on a
    tie, the u of an exponential in ``prefer`` (the function) wins: σ(−y wᵀx) for the
    logistic loss log(1 + exp(−y wᵀx))."""
    if isinstance(e, MatrixExpr) or not e.has(sympy.exp):
        return e
    best, best_ops = e, sympy.count_ops(e)
    wanted = _sigma_arguments(prefer)
    arguments = sorted({a.args[0] for a in e.atoms(sympy.exp)},
                       key=lambda u: (sympy.expand(u) not in wanted, sympy.default_sort_key(u)))
    s, t = sympy.Dummy("s"), sympy.Dummy("t")
    for u in arguments:
        powers = {}
        for a in e.atoms(sympy.exp):
            k = sympy.cancel(a.args[0] / u)
            if k.is_Integer and k != 0:
                powers[a] = t ** k
        forms = ((s / (1 - s), Sigma(u)), ((1 - s) / s, Sigma(-u)))  # the function's σ first
        for value, sigma in sorted(forms, key=lambda f: sympy.expand(f[1].args[0]) not in wanted):
            candidate = sympy.factor(sympy.cancel(e.xreplace(powers).subs(t, value)))
            if candidate.has(t):
                continue
            candidate = _sign_normal(candidate, s)
            # each σ(±u) costs what u costs, and one for σ (the sign of u is free)
            size = sympy.count_ops(-u if u.could_extract_minus_sign() else u) + 1
            ops = sympy.count_ops(candidate) + candidate.count(s) * size
            if ops < best_ops:
                best, best_ops = candidate.xreplace({s: sigma}), ops
    return best


def _sigma_arguments(function: sympy.Basic) -> set[sympy.Basic]:
    """The u of the σ(u) a function has: 1/(1 + e⁻ᵘ) is σ(u), so its derivatives read best in
    σ(u); any other eᵘ (log(1 + eᵘ), whose derivative is σ(u)) gives u itself."""
    found = set()
    for node in sympy.preorder_traversal(function):
        if isinstance(node, sympy.Pow) and node.exp.is_negative \
                and isinstance(node.base, sympy.Add):
            terms = node.base.args
            if len(terms) == 2 and sympy.S.One in terms:
                found |= {sympy.expand(-t.args[0].doit()) for t in terms
                          if isinstance(t, sympy.exp)}
    exponents = {sympy.expand(a.args[0].doit()) for a in function.atoms(sympy.exp)}
    return found | {u for u in exponents if sympy.expand(-u) not in found}


def _sigma_coefficients(e: sympy.Basic, prefer: sympy.Basic) -> sympy.Basic:
    def coefficient_form(m: sympy.MatMul) -> sympy.Basic | None:
        scalars = [a for a in m.args if not isinstance(a, MatrixExpr)]
        if not any(isinstance(b, sympy.Add) or b.has(sympy.exp) for b in scalars):
            return None
        factors = [a for a in m.args if isinstance(a, MatrixExpr)]
        coefficient = positive_sums(sympy.factor_terms(sigma_form(sympy.Mul(*scalars),
                                                                  prefer)))
        return sympy.MatMul(coefficient, *factors)

    rule = Rule("σ coefficients", "a scalar coefficient in eᵘ as a function of σ(u)",
                sympy.MatMul, coefficient_form)
    if not isinstance(e, MatrixExpr):
        try:
            return positive_sums(sympy.factor_terms(sigma_form(e, prefer)))
        except TypeError:  # tr((2λwᵀ + 2(wᵀXᵀ − yᵀ)X)dw): SymPy cannot factor inside
            return rewrite(e, [rule])
    return rewrite(e, [rule])


def positive_sums(c: sympy.Expr) -> sympy.Expr:
    """A product's minus sign taken into a sum with no more positive terms than negative
    ones, never into 1 − σ (as books write it): −(y − σ) → σ − y, −(tanh² − 1) → 1 − tanh²,
    −2σ(1 − σ)(y − σ) → 2σ(1 − σ)(σ − y).

    >>> y, s = sympy.symbols("y s")
    >>> positive_sums(-2 * s * (1 - s) * (y - s))
    2*s*(1 - s)*(s - y)
    """
    number, rest = c.as_coeff_Mul()
    if not number.is_negative:
        return c
    factors = list(sympy.Mul.make_args(rest))
    for k, f in enumerate(factors):
        if isinstance(f, sympy.Add) and 2 * sum(t.could_extract_minus_sign() for t in f.args) \
                >= len(f.args) and not any(t.is_Number and t > 0 for t in f.args):
            factors[k] = sympy.Add(*[-t for t in f.args])
            return sympy.Mul(*([-number] if number != -1 else []), *factors, evaluate=False)
    return c


def _joined_determinants(e: sympy.Basic, function: sympy.Basic) -> sympy.Basic:
    """det(A)det(B)det(X) → det(AXB) where the function has det(AXB) (SymPy splits it).

    >>> n = sympy.Symbol("n", integer=True)
    >>> A, X = sympy.MatrixSymbol("A", n, n), sympy.MatrixSymbol("X", n, n)
    >>> _joined_determinants(sympy.Determinant(A) * sympy.Determinant(X) * X.T.I,
    ...                      sympy.Determinant(A * X))
    Determinant(A*X)*X.T**(-1)
    """
    for det in sorted(function.atoms(sympy.Determinant), key=sympy.default_sort_key):
        split = det.doit()
        if split == det or not isinstance(split, sympy.Mul | sympy.Pow):
            continue
        need = split.as_powers_dict()

        def joined(scalar: sympy.Expr, need=need, split=split, det=det) -> sympy.Expr | None:
            have = scalar.as_powers_dict()
            if not all((have.get(b, 0) - p).is_nonnegative for b, p in need.items()):
                return None
            return scalar / split * det

        def node_rule(node: sympy.Basic, joined=joined) -> sympy.Basic | None:
            if not isinstance(node, sympy.MatMul):
                return joined(node)
            scalars = sympy.Mul(*[a for a in node.args if not isinstance(a, MatrixExpr)])
            new = joined(scalars)
            return None if new is None else sympy.MatMul(
                new, *[a for a in node.args if isinstance(a, MatrixExpr)])

        e = rewrite(e, [Rule("det of a product", "det(A)det(X)det(B) = det(AXB)",
                             (sympy.MatMul, sympy.Mul), node_rule)])
    return e


def _count(e: sympy.Basic, node: sympy.Basic) -> int:
    return sum(1 for a in sympy.preorder_traversal(e) if a == node)


# names for a repeated block (s = softmax(z), s = σ(Xw), h = tanh(Wx + b)), by function
BLOCK_NAMES = {"sigmoid": ("s", "p", "q"), "tanh": ("h", "a", "g"),
               "RowSoftmax": ("P", "A", "S"), "LayerNorm": ("u", "v", "z")}


def _repeated_block(e: sympy.Basic, small: bool = True) -> sympy.Basic | None:
    """The smallest softmax(z) or f(Wx + b) (not f of a bare name: exp(x) stays; with
    ``small`` False, not f(Xw) either) met more than once in e, else None."""
    def named(a: sympy.Basic) -> bool:
        if not isinstance(a, Elementwise):
            return True
        return not isinstance(a.arg, sympy.MatrixSymbol) if small \
            else sympy.count_ops(a.arg) >= 2

    blocks = [a for a in e.atoms(Softmax, Elementwise, RowSoftmax, LayerNorm)
              if _count(e, a) > 1 and named(a)]
    return min(blocks, key=lambda a: (sympy.count_ops(a), sympy.default_sort_key(a)),
               default=None)


def _fresh(e: sympy.Basic, names: tuple[str, ...]) -> str:
    taken = {getattr(a, "name", None) for a in e.atoms(sympy.Symbol, sympy.MatrixSymbol)}
    return next((n for n in names if n not in taken), names[-1] + "_")


def display_form(e: sympy.Basic, function: sympy.Basic = sympy.S.Zero, abbreviate: bool = True,
                 small_blocks: bool = True
                 ) -> tuple[sympy.Basic, list[tuple[sympy.Basic, sympy.Basic]]]:
    """The result as printed: σ forms (σ(u) with the u of ``function`` where there is a
    choice), and (name, value) definitions for repeated parts (``small_blocks`` False, as
    LaTeX has it: σ(Xw) stays written out, so that the equation reads back; tanh(Wx + b) is
    named).

    >>> n = sympy.Symbol("n", integer=True)
    >>> s = Softmax(sympy.MatrixSymbol("x", n, 1))
    >>> display_form(sympy.DiagMatrix(s) - s * s.T)
    (DiagMatrix(s) - s*s.T, [(s, softmax(x))])
    """
    e = _joined_determinants(_sigma_coefficients(e, function), function)
    definitions: list[tuple[sympy.Basic, sympy.Basic]] = []
    if not abbreviate:
        return e, definitions
    while (node := _repeated_block(e, small_blocks)) is not None:  # innermost first: h, σ(Vh + c)
        taken = sympy.Tuple(e, *(n for n, _ in definitions))
        key = getattr(node, "name", None) if isinstance(node, Elementwise) else type(node).__name__
        name = sympy.MatrixSymbol(_fresh(taken, BLOCK_NAMES.get(key, ("s", "p", "q"))),
                                  *node.shape)
        definitions.append((name, node))
        e = e.xreplace({node: name})
    for node in sorted(e.atoms(Sigma), key=sympy.default_sort_key):
        if _count(e, node) > 1:
            name = sympy.Symbol(_fresh(sympy.Tuple(e, *(n for n, _ in definitions)),
                                       ("σ", "s", "p")))
            definitions.append((name, node))
            e = e.xreplace({node: name})
    if definitions:  # xreplace spread 2(vᵀh − t) into 2vᵀh − 2t: factor it again
        e = _sigma_coefficients(e, function)
    return e, definitions


def plain_form(e: sympy.Basic, function: sympy.Basic = sympy.S.Zero) -> sympy.Basic:
    """The result as the JSON ``result`` writes it: the σ forms of :func:`display_form` (as
    ``sigmoid``, which :func:`symnum.core.parse.parse` reads), no named parts.

    >>> u = sympy.Symbol("u")
    >>> plain_form(sympy.exp(u) / (1 + sympy.exp(u)), sympy.log(1 + sympy.exp(u)))
    sigmoid(u)
    """
    shown = display_form(e, function, abbreviate=False)[0]
    return shown.replace(lambda a: isinstance(a, Sigma), lambda a: sigmoid(a.args[0]))


def negated(t: sympy.Basic) -> sympy.Basic:
    """−t, the sign in t's coefficient: never spread into a sum or a transposed sum, as
    SymPy's −t (which evaluates) does.

    >>> n = sympy.Symbol("n", integer=True)
    >>> x, m = sympy.MatrixSymbol("x", n, 1), sympy.MatrixSymbol("m", n, 1)
    >>> negated(sympy.MatMul(x, sympy.Transpose(x - m)))
    -x*(-m + x).T
    """
    if not isinstance(t, sympy.MatMul):
        return sympy.MatMul(-1, t)
    coefficient = -sympy.Mul(*[a for a in t.args if not isinstance(a, MatrixExpr)])
    factors = [a for a in t.args if isinstance(a, MatrixExpr)]
    if coefficient != 1:
        return sympy.MatMul(coefficient, *factors)
    return sympy.MatMul(*factors) if len(factors) > 1 else factors[0]


def has_minus(c: sympy.Basic) -> bool:
    """c prints with a minus sign in front: −2y, −(a + b); not 1 − t² (which SymPy would
    turn into −(t² − 1))."""
    if isinstance(c, sympy.Add):
        return all(t.could_extract_minus_sign() for t in c.args)
    return c.could_extract_minus_sign()
