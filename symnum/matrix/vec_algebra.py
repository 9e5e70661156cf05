"""Building and tidying vec forms: vec, ⊗ with 1 ⊗ q = q and 𝐈 ⊗ 𝐈 = 𝐈, the commutation
matrix (the identity for a vector), products without identity factors and with (A ⊗ B)(C ⊗ D)
= AC ⊗ BD, and sums with a shared scalar, factor or Kronecker side taken out. Used by
:mod:`symnum.matrix.linear`.

>>> n = sympy.Symbol("n", integer=True)
>>> X = sympy.MatrixSymbol("X", n, n)
>>> kron(sympy.Identity(1), X), commutation(n, 1)
(X, I)
>>> collected(2 * kron(X, sympy.Identity(n)) + 2 * kron(X, X.T))
2*(KroneckerProduct(X, I + X.T))
"""

from __future__ import annotations

import sympy
from sympy.matrices.expressions.matexpr import MatrixExpr

from ..core.matrix_expr import Commutation, Vec


def is_zero(e: sympy.Basic) -> bool:
    return e == 0 or isinstance(e, sympy.ZeroMatrix)


def _is_one(e: sympy.Basic) -> bool:
    return isinstance(e, sympy.Identity) and e.shape == (1, 1) or e == 1


def vec(a: MatrixExpr) -> MatrixExpr:
    """vec(a), a column as it is (vec v = v, vec vᵀ = v), a number in front (vec cA = c vec A)."""
    if isinstance(a, sympy.MatMul):
        number = sympy.Mul(*[f for f in a.args if not isinstance(f, MatrixExpr)])
        if number != 1:
            return number * vec(matmul(*[f for f in a.args if isinstance(f, MatrixExpr)]))
    if a.shape[1] == 1:
        return a
    if a.shape[0] == 1:
        return a.T
    return Vec(a)


def commutation(r: sympy.Basic, s: sympy.Basic) -> MatrixExpr:
    """K_{r,s}, the identity when r or s is 1 (vec vᵀ = vec v)."""
    return sympy.Identity(r * s) if r == 1 or s == 1 else Commutation(r, s)


def _powers(a: MatrixExpr) -> MatrixExpr:
    """X·X·X as X³ (a product of one repeated factor)."""
    if isinstance(a, sympy.MatMul) and all(f == a.args[0] for f in a.args) \
            and isinstance(a.args[0], MatrixExpr):
        return sympy.MatPow(a.args[0], len(a.args))
    return a


def kron(p: MatrixExpr, q: MatrixExpr) -> MatrixExpr:
    """p ⊗ q, with 1 ⊗ q = q, p ⊗ 1 = p, 𝐈 ⊗ 𝐈 = 𝐈, (cp) ⊗ q = c(p ⊗ q)."""
    p, q = _powers(p), _powers(q)
    number = sympy.S.One
    for side in (p, q):
        if isinstance(side, sympy.MatMul) and not isinstance(side.args[0], MatrixExpr):
            number *= side.args[0]
    if number != 1:
        p, q = (matmul(*a.args[1:]) if isinstance(a, sympy.MatMul) and not isinstance(
            a.args[0], MatrixExpr) else a for a in (p, q))
        return number * kron(p, q)
    if isinstance(p, sympy.Identity) and isinstance(q, sympy.Identity):
        return sympy.Identity(p.shape[0] * q.shape[0])
    if tuple(p.shape) == (1, 1):
        return q if _is_one(p) else _scalar(p) * q
    if tuple(q.shape) == (1, 1):
        return p if _is_one(q) else _scalar(q) * p
    return sympy.KroneckerProduct(p, q)


def _scalar(e: MatrixExpr) -> sympy.Basic:
    return e if not isinstance(e, MatrixExpr) else sympy.Trace(e)


def scalars_out(factors: list[sympy.Basic]) -> tuple[sympy.Basic, list[MatrixExpr]]:
    """(number, matrices) of a product, nested products opened and each 1 × 1 run inside
    (𝟏ᵀy in s𝟏ᵀyxᵀ) taken out as a scalar."""
    number, flat = sympy.S.One, []
    for f in factors:
        for g in (f.args if isinstance(f, sympy.MatMul) else (f,)):
            if isinstance(g, MatrixExpr):
                flat.append(g)
            else:
                number *= g
    out: list[MatrixExpr] = []
    i = 0
    while i < len(flat):
        end = next((j for j in range(len(flat) - 1, i, -1) if flat[i].shape[0] == 1
                    and flat[j].shape[1] == 1), None)
        if end is not None:
            number *= sympy.Trace(sympy.MatMul(*flat[i:end + 1]))
            i = end + 1
        else:
            out.append(flat[i])
            i += 1
    return number, out


def kron_product(left: sympy.Basic, right: sympy.Basic) -> sympy.Basic:
    """left·right with (A ⊗ B)(C ⊗ D) = AC ⊗ BD where the shapes allow."""
    number, factors = sympy.S.One, [left]
    if isinstance(right, sympy.MatMul):
        number = sympy.Mul(*[f for f in right.args if not isinstance(f, MatrixExpr)])
        factors += [f for f in right.args if isinstance(f, MatrixExpr)]
    else:
        factors.append(right)
    merged: list[sympy.Basic] = []
    for f in factors:
        last = merged[-1] if merged else None
        if isinstance(last, sympy.KroneckerProduct) and isinstance(f, sympy.KroneckerProduct) \
                and len(last.args) == len(f.args) == 2 \
                and last.args[0].shape[1] == f.args[0].shape[0] \
                and last.args[1].shape[1] == f.args[1].shape[0]:
            merged[-1] = kron(matmul(last.args[0], f.args[0]), matmul(last.args[1], f.args[1]))
        else:
            merged.append(f)
    product = matmul(*merged)
    return number * product if number != 1 else product


def matmul(*factors: sympy.Basic) -> sympy.Basic:
    """A product without identity factors, its numbers in front (a zero makes it zero)."""
    number, kept = sympy.S.One, []
    for f in factors:
        for g in (f.args if isinstance(f, sympy.MatMul) else (f,)):
            if not isinstance(g, MatrixExpr):
                number *= g
            elif not isinstance(g, sympy.Identity):
                kept.append(g)
    if any(is_zero(f) for f in kept) or number == 0:
        rows, cols = factors[0].shape[0], factors[-1].shape[1]
        return sympy.ZeroMatrix(rows, cols)
    if not kept:
        product = next(f for f in factors if isinstance(f, MatrixExpr))
    else:
        product = kept[0] if len(kept) == 1 else sympy.MatMul(*kept)
    return number * product if number != 1 else product


def total(parts: list[sympy.Basic], rows: sympy.Basic, cols: sympy.Basic) -> sympy.Basic:
    parts = [p for p in parts if not is_zero(p)]
    if not parts:
        return sympy.ZeroMatrix(rows, cols)
    return parts[0] if len(parts) == 1 else sympy.MatAdd(*parts)


def collected(v: sympy.Basic) -> sympy.Basic:
    """Like terms of a vec form added up (diag(vec X) + diag(vec X) → 2·diag(vec X)), then a
    shared scalar and a shared first or last factor taken out of each sum:
    c·A·M − c·B·M → c·(A − B)·M."""
    if isinstance(v, sympy.MatAdd):
        v = sympy.MatAdd(*v.args).doit(deep=False)
    return _factored(v)


def _split(t: sympy.Basic) -> tuple[sympy.Basic, list[sympy.Basic]]:
    if isinstance(t, sympy.MatMul):
        return (sympy.Mul(*[a for a in t.args if not isinstance(a, MatrixExpr)]),
                [a for a in t.args if isinstance(a, MatrixExpr)])
    return sympy.S.One, [t]


def _kron_sum(terms: list) -> sympy.Basic | None:
    """Σ cᵢ (P ⊗ Qᵢ) = P ⊗ Σ cᵢQᵢ (and Σ cᵢ (Pᵢ ⊗ Q) = (Σ cᵢPᵢ) ⊗ Q), else None."""
    if len(terms) < 2 or not all(len(m) == 1 and isinstance(m[0], sympy.KroneckerProduct)
                                 and len(m[0].args) == 2 for _, m in terms):
        return None
    for keep in (0, 1):
        shared = terms[0][1][0].args[keep]
        if all(m[0].args[keep] == shared for _, m in terms):
            parts = [c * m[0].args[1 - keep] if c != 1 else m[0].args[1 - keep]
                     for c, m in terms]
            summed = _factored(sympy.MatAdd(*parts).doit(deep=False))
            return kron(shared, summed) if keep == 0 else kron(summed, shared)
    return None


def _factored(e: sympy.Basic) -> sympy.Basic:
    if isinstance(e, sympy.MatMul):
        number, factors = _split(e)
        inner = matmul(*[_factored(f) for f in factors])
        return number * inner if number != 1 else inner
    if not isinstance(e, sympy.MatAdd):
        return e
    terms = [_split(_factored(t)) for t in e.args]
    merged = _kron_sum(terms)
    if merged is not None:
        return merged
    scale = next((c for c, _ in terms if not c.could_extract_minus_sign()), terms[0][0])
    if scale != 1 and all((c / scale).is_number for c, _ in terms):
        terms = [(c / scale, m) for c, m in terms]
    else:
        scale = sympy.S.One
    body = total([c * matmul(*m) if c != 1 else matmul(*m) for c, m in terms], *e.shape)
    for side in (-1, 0):
        shared = terms[0][1][side]
        if len(terms) > 1 and all(m[side] == shared for _, m in terms) \
                and any(len(m) > 1 for _, m in terms):
            size = shared.shape[0] if side == -1 else shared.shape[1]
            rest = [c * matmul(*(m[:-1] if side == -1 else m[1:]) or [sympy.Identity(size)])
                    for c, m in terms]
            inner = _factored(total(rest, *((e.shape[0], size) if side == -1
                                           else (size, e.shape[1]))))
            body = matmul(inner, shared) if side == -1 else matmul(shared, inner)
            break
    return sympy.MatMul(scale, body) if scale != 1 else body  # 2*(A + B) kept, not spread
