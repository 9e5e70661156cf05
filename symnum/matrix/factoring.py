"""The last passes of :func:`symnum.matrix.tidy.tidy`: shared factors taken out of any sum,
signs as books write them, transposed sums formed once, trivial entrywise powers and the
logistic function written out removed. Each family is a table run by
:func:`symnum.core.rewrite.rewrite`.

>>> import sympy
>>> from symnum.core.rewrite import rewrite
>>> n = sympy.Symbol("n", integer=True)
>>> P, x, m = (sympy.MatrixSymbol(a, n, k) for a, k in (("P", n), ("x", 1), ("m", 1)))
>>> rewrite(sympy.MatAdd(sympy.MatMul(P, x - m), sympy.MatMul(-1, P.T, m - x)), SIGNS)
(P + P.T)*(-m + x)
"""

from __future__ import annotations

import sympy
from sympy.matrices.expressions.matexpr import MatrixExpr

from ..core.matrix_expr import Elementwise
from ..core.rewrite import Rule, Table
from .forms import has_minus, negated


def _is_negative(t: sympy.Basic) -> bool:
    return isinstance(t, sympy.MatMul) and has_minus(sympy.Mul(
        *[a for a in t.args if not isinstance(a, MatrixExpr)]))


def _sign_out(node: sympy.MatMul) -> sympy.Basic | None:
    """(−P − Pᵀ)(x − μ) → −(P + Pᵀ)(x − μ): a sum of negative terms gives its sign to the
    product."""
    for i, a in enumerate(node.args):
        if isinstance(a, sympy.MatAdd) and all(_is_negative(t) for t in a.args):
            args = list(node.args)
            args[i] = sympy.MatAdd(*[negated(t) for t in a.args])
            return negated(sympy.MatMul(*args))
    return None


def _sign_in(node: sympy.MatMul) -> sympy.Basic | None:
    """−((𝟏 − h²) ⊙ Wᵀ(y − s))x → ((𝟏 − h²) ⊙ Wᵀ(s − y))x: a product's minus sign (its
    number negative) taken into a sum met once in it (a factor, or inside a ⊙ factor) with
    no more positive terms than negative ones; never into 𝟏 − σ (as books write it)."""
    if not _scalar_and_matrices(node)[0].as_coeff_Mul()[0].is_negative:
        return None
    sums = [a for a in _sums_in(node) if sum(map(_is_negative, a.args)) * 2 >= len(a.args)
            and _count(node, a) == 1 and not any(
                isinstance(_split(t)[1], sympy.OneMatrix) for t in a.args)]
    if not sums:
        return None
    chosen = sums[0]
    flipped = sympy.MatAdd(*[negated(t) for t in chosen.args])
    return negated(node.xreplace({chosen: flipped}))


def _sums_in(e: sympy.Basic) -> list[sympy.MatAdd]:
    """The sums that are factors of the product e, or of its ⊙ factors' products."""
    out = []
    for a in e.args:
        if isinstance(a, sympy.MatAdd):
            out.append(a)
        elif isinstance(a, sympy.HadamardProduct | sympy.MatMul):
            out += _sums_in(a)
    return out


def _count(e: sympy.Basic, node: sympy.Basic) -> int:
    return sum(1 for a in sympy.preorder_traversal(e) if a == node)


def _ones_first(node: sympy.MatMul) -> sympy.Basic | None:
    """2(y − vᵀs)((s − 𝟏) ⊙ s ⊙ v)xᵀ → 2(vᵀs − y)((𝟏 − s) ⊙ s ⊙ v)xᵀ: 𝟏 − s as books write it,
    the sign given to a scalar sum (or to the product)."""
    sums = [a for a in _sums_in(node) if _count(node, a) == 1 and any(
        isinstance(_split(t)[1], sympy.OneMatrix) and _is_negative(t) for t in a.args)
        and sum(map(_is_negative, a.args)) == 1]
    if not sums:
        return None
    flipped = node.xreplace({sums[0]: sympy.MatAdd(*[negated(t) for t in sums[0].args])})
    scalar, rest = _scalar_and_matrices(flipped)
    for f in sympy.Mul.make_args(scalar):
        if isinstance(f, sympy.Add):  # (y − vᵀs) → (vᵀs − y)
            scalar = sympy.Mul(*[g for g in sympy.Mul.make_args(scalar) if g is not f],
                               sympy.Add(*[-t for t in f.args]), evaluate=False)
            return sympy.MatMul(scalar, *rest)
    return negated(flipped)


def _scalar_and_matrices(node: sympy.MatMul) -> tuple[sympy.Expr, list[sympy.Basic]]:
    return (sympy.Mul(*[a for a in node.args if not isinstance(a, MatrixExpr)]),
            [a for a in node.args if isinstance(a, MatrixExpr)])


def _scalar_sign(node: sympy.MatMul) -> sympy.Basic | None:
    """−(y − σ)x → (σ − y)x, −(tanh² − 1)x → (1 − tanh²)x: a product's minus sign taken into
    a scalar sum with no more positive terms than negative ones."""
    scalar, rest = _scalar_and_matrices(node)
    if not scalar.as_coeff_Mul()[0].is_negative:
        return None
    for f in sympy.Mul.make_args(scalar):
        if isinstance(f, sympy.Add) and 2 * sum(
                t.could_extract_minus_sign() for t in f.args) >= len(f.args):
            others = [g for g in sympy.Mul.make_args(-scalar) if g is not f and g != -f]
            flipped = sympy.Add(*[-t for t in f.args])
            if sympy.Mul(*others, f) != -scalar:
                return None
            return sympy.MatMul(sympy.Mul(*others, flipped, evaluate=False), *rest)
    return None


def _distribute_number(node: sympy.MatMul) -> sympy.Basic | None:
    """(1/2)·((A + Aᵀ)x − 2b) → (1/2)(A + Aᵀ)x − b, when that is shorter."""
    if not (len(node.args) == 2 and node.args[0].is_Number
            and isinstance(node.args[1], sympy.MatAdd)):
        return None
    c, total = node.args
    terms = []
    for t in total.args:
        k, m = _split(t)
        k = c * k
        terms.append(m if k == 1 else sympy.MatMul(k, *(m.args if isinstance(
            m, sympy.MatMul) else (m,))))
    out = sympy.MatAdd(*terms)
    return out if len(str(out)) < len(str(node)) else None


def _factor_inner(node: sympy.MatAdd) -> sympy.Basic | None:
    """Ax + Aᵀx → (A + Aᵀ)x and a shared scalar taken out ((1/t)A + (1/t)B → (1/t)(A + B)),
    in a sum anywhere in the result, when that is shorter."""
    out = _factor_scalar(node)
    out = factor_common(out, left_first=out.has(sympy.OneMatrix)) \
        if isinstance(out, sympy.MatAdd) else out
    return out if out != node and len(str(out)) <= len(str(node)) else None


def _factor_scalar(e: sympy.MatAdd) -> sympy.Basic:
    """(1/t)·A + (1/t)·B → (1/t)·(A + B): a scalar factor (not a number) every term has."""
    marks = [sympy.Dummy() for _ in e.args]
    parts = [_split(t) for t in e.args]
    total = sympy.factor_terms(sympy.Add(*[c * d for (c, _), d in zip(parts, marks,
                                                                        strict=True)]))
    common = sympy.Mul(*[f for f in sympy.Mul.make_args(total)
                         if not f.has(*marks) and not f.is_Number])
    if common == 1:
        return e
    return sympy.MatMul(common, sympy.MatAdd(*[
        sympy.MatMul(sympy.cancel(c / common), m) if sympy.cancel(c / common) != 1 else m
        for c, m in parts]))


def _split(t: sympy.Basic) -> tuple[sympy.Expr, sympy.Basic]:
    """(c, M) with t = c·M, c the scalar part."""
    args = t.args if isinstance(t, sympy.MatMul) else (t,)
    factors = [a for a in args if isinstance(a, MatrixExpr)]
    return (sympy.Mul(*[a for a in args if not isinstance(a, MatrixExpr)]),
            sympy.MatMul(*factors) if len(factors) > 1 else factors[0])


def _flatten(node: sympy.MatMul) -> sympy.Basic | None:
    """(1/2)·((A + B)·x) → (1/2)·(A + B)·x, nothing else evaluated."""
    if not any(isinstance(a, sympy.MatMul) for a in node.args):
        return None
    return sympy.MatMul(*[b for a in node.args
                          for b in (a.args if isinstance(a, sympy.MatMul) else (a,))])


def _one_sign(node: sympy.MatAdd) -> sympy.Basic | None:
    """P(x − μ) − Pᵀ(μ − x) → (P + Pᵀ)(x − μ): a sum and its negation, met as factors of
    two terms, written one way (the first met), then a shared factor taken out."""
    seen: dict[frozenset, sympy.MatAdd] = {}
    terms, changed = [], False
    for t in node.args:
        factors = list(t.args) if isinstance(t, sympy.MatMul) else [t]
        flips = 0
        for k, f in enumerate(factors):
            if not isinstance(f, sympy.MatAdd):
                continue
            key, flipped = frozenset(f.args), frozenset(negated(u) for u in f.args)
            if key not in seen and flipped in seen:
                factors[k], flips = seen[flipped], flips + 1
            else:
                seen.setdefault(key, f)
        if flips % 2:
            t, changed = negated(sympy.MatMul(*factors)), True
        elif flips:
            t, changed = sympy.MatMul(*factors), True
        terms.append(t)
    if not changed:
        return None
    out = sympy.MatAdd(*terms)
    factored = factor_common(out)
    return factored if factored != out else out


def _trivial_power(node: sympy.HadamardPower) -> sympy.Basic | None:
    """A^∘1 = A, A^∘0 = 𝟏 (the rule d(A^∘p) = p A^∘(p−1) ⊙ dA makes them)."""
    if node.exp == 1:
        return node.base
    if node.exp == 0:
        return sympy.OneMatrix(*node.shape)
    return None


def _ones_out(node: sympy.HadamardProduct) -> sympy.Basic | None:
    """𝟏 ⊙ A = A."""
    rest = [a for a in node.args if not isinstance(a, sympy.OneMatrix)]
    if len(rest) == len(node.args):
        return None
    if not rest:
        return sympy.OneMatrix(*node.shape)
    return rest[0] if len(rest) == 1 else sympy.HadamardProduct(*rest)


def _diag_ones(node: sympy.DiagMatrix) -> sympy.Basic | None:
    """diag(𝟏) = 𝐈."""
    return sympy.Identity(node.shape[0]) if isinstance(node.args[0], sympy.OneMatrix) else None


def _sigmoid_ratio(node: sympy.HadamardProduct) -> sympy.Basic | None:
    """exp(u) ⊙ (exp(u) + 𝟏)^∘(−1) = σ(u), (𝟏 + exp(−u))^∘(−1) = σ(u): the logistic
    function written out."""
    args = list(node.args)
    for k, a in enumerate(args):
        if not (isinstance(a, sympy.HadamardPower) and a.exp == -1
                and isinstance(a.base, sympy.MatAdd) and len(a.base.args) == 2):
            continue
        ones = [t for t in a.base.args if isinstance(t, sympy.OneMatrix)]
        exps = [t for t in a.base.args if isinstance(t, Elementwise) and t.name == "exp"]
        if len(ones) != 1 or len(exps) != 1:
            continue
        u = exps[0].arg
        if exps[0] in args:
            args.remove(exps[0])
            args[args.index(a)] = Elementwise("sigmoid", u)
        else:
            args[k] = Elementwise("sigmoid", negated(u))
        return args[0] if len(args) == 1 else sympy.HadamardProduct(*args)
    return None


def _untransposed(t: sympy.Basic) -> sympy.Basic | None:
    """u with t = c·uᵀ (xᵀAᵀ = (Ax)ᵀ: every matrix factor transposed), else None."""
    args = t.args if isinstance(t, sympy.MatMul) else (t,)
    scalars = [a for a in args if not isinstance(a, MatrixExpr)]
    factors = [a for a in args if isinstance(a, MatrixExpr)]
    if not factors or not all(isinstance(f, sympy.Transpose) for f in factors):
        return None
    inner = [f.arg for f in reversed(factors)]
    return sympy.MatMul(*scalars, *inner) if scalars or len(inner) > 1 else inner[0]


def _inverse_transposed_sum(node: sympy.Inverse) -> sympy.Basic | None:
    """(Aᵀ + Xᵀ)⁻¹ → ((A + X)ᵀ)⁻¹, printed (A + X)⁻ᵀ."""
    a = node.arg
    if not (isinstance(a, sympy.MatAdd) and len(a.args) > 1):
        return None
    inner = [_untransposed(t) for t in a.args]
    if any(u is None for u in inner):
        return None
    return sympy.Inverse(sympy.Transpose(sympy.MatAdd(*inner)))


def _transposed_sum(node: sympy.MatMul) -> sympy.Basic | None:
    """(x − μ)(xᵀ − μᵀ) → (x − μ)(x − μ)ᵀ: a sum of transposes in a product, transposed
    once."""
    for i, a in enumerate(node.args):
        if isinstance(a, sympy.MatAdd) and len(a.args) > 1:
            inner = [_untransposed(t) for t in a.args]
            if any(u is None for u in inner):
                continue
            args = list(node.args)
            args[i] = sympy.Transpose(sympy.MatAdd(*inner))
            return sympy.MatMul(*args)
    return None


def factor_common(e: sympy.MatAdd, left_first: bool = False) -> sympy.Basic:
    """A·x + Aᵀ·x → (A + Aᵀ)·x; x·a − x·b → x·(a − b), when every term shares it (a shared
    right factor first, unless ``left_first``)."""
    terms = []
    for a in e.args:
        args = a.args if isinstance(a, sympy.MatMul) else (a,)
        terms.append((sympy.Mul(*[f for f in args if not isinstance(f, MatrixExpr)]),
                      [f for f in args if isinstance(f, MatrixExpr)]))
    if all(len(m) >= 2 for _, m in terms):
        last = terms[0][1][-1]
        first = terms[0][1][0]
        if all(_same(m[-1], last) for _, m in terms) and not (
                left_first and all(_same(m[0], first) for _, m in terms)):
            return sympy.MatMul(sympy.MatAdd(*[c * sympy.MatMul(*m[:-1]) for c, m in terms])
                                .doit(), last)
        first = terms[0][1][0]
        if all(_same(m[0], first) for _, m in terms):
            return sympy.MatMul(first, sympy.MatAdd(*[c * sympy.MatMul(*m[1:]) for c, m in terms])
                                .doit())
    return _factor_some(e, terms)


def _same(a: sympy.Basic, b: sympy.Basic) -> bool:
    """a = b as trees, the order of a sum's terms aside (x − μ built as −μ + x)."""
    return a == b or sympy.srepr(a) == sympy.srepr(b)


def _factor_some(e: sympy.MatAdd, terms: list) -> sympy.Basic:
    """Ax + Aᵀx + b → (A + Aᵀ)x + b: the terms that share a right factor, grouped."""
    groups: dict[str, list] = {}
    for c, m in terms:
        if len(m) >= 2:
            groups.setdefault(sympy.srepr(m[-1]), []).append((c, m))
    shared = max(groups.values(), key=len, default=[])
    if len(shared) < 2:
        return e
    last = shared[0][1][-1]
    grouped = sympy.MatMul(sympy.MatAdd(*[c * sympy.MatMul(*m[:-1]) for c, m in shared])
                           .doit(), last)
    rest = [c * sympy.MatMul(*m) if len(m) > 1 else c * m[0] for c, m in terms
            if (c, m) not in shared]
    return sympy.MatAdd(grouped, *rest)


# The last passes, each table one walk (run by symnum.core.rewrite).
SIGNS = Table([Rule("one sign", "P(x − μ) − Pᵀ(μ − x) = (P + Pᵀ)(x − μ)", sympy.MatAdd,
                     _one_sign),
               Rule("sign out", "(−A − B)x = −(A + B)x", sympy.MatMul, _sign_out),
               Rule("sign in", "−(a − b) = b − a", sympy.MatMul, _sign_in),
               Rule("𝟏 first", "(y − a)(s − 𝟏) = (a − y)(𝟏 − s)", sympy.MatMul, _ones_first),
               Rule("scalar sign", "−(y − σ)x = (σ − y)x", sympy.MatMul, _scalar_sign),
               Rule("flatten", "a·(B·C) = a·B·C", sympy.MatMul, _flatten),
               Rule("factor", "Ax + Bx = (A + B)x", sympy.MatAdd, _factor_inner),
               Rule("number in", "½((A + Aᵀ)x − 2b) = ½(A + Aᵀ)x − b", sympy.MatMul,
                    _distribute_number)])
TRANSPOSED_SUMS = Table([Rule("transposed sum", "a(aᵀ − bᵀ) = a(a − b)ᵀ", sympy.MatMul,
                              _transposed_sum),
                         Rule("inverse of a transposed sum", "(Aᵀ + Xᵀ)⁻¹ = (A + X)⁻ᵀ",
                              sympy.Inverse, _inverse_transposed_sum)])
POWERS = Table([Rule("trivial power", "A^∘1 = A, A^∘0 = 𝟏", sympy.HadamardPower,
                     _trivial_power),
                Rule("ones", "𝟏 ⊙ A = A", sympy.HadamardProduct, _ones_out),
                Rule("sigmoid", "eᵘ ⊙ (eᵘ + 𝟏)^∘(−1) = σ(u)", sympy.HadamardProduct,
                     _sigmoid_ratio),
                Rule("identity", "diag(𝟏) = 𝐈", sympy.DiagMatrix, _diag_ones)])
