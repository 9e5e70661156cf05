"""The linear map in a differential: dF = L(dX) read off as a matrix and as indices.

For F of shape m × n and X of shape p × q, a differential dF linear in dX is a sum of terms
A·dX·B, A·dXᵀ·B, C ⊙ (…) and s·G with s a scalar linear in dX. Its vec form (numerator
layout, vec column-major) is the mn × pq matrix V with vec dF = V·vec dX:

    A·dX·B → Bᵀ ⊗ A        A·dXᵀ·B → (Bᵀ ⊗ A)·K        C ⊙ M → diag(vec C)·V_M
    tr(Gᵀ dX)·H → vec(H)·vec(G)ᵀ        Mᵀ → K·V_M

(K the commutation matrix, K·vec(Mᵀ)… see :class:`symnum.core.matrix_expr.Commutation`).
The index form ∂F_ij/∂X_kl is built alongside (:mod:`symnum.matrix.index_form`). A node
that is linear in its argument but none of the above can give ``_linear_form()``, an equal
expression of these nodes.

>>> import sympy
>>> n = sympy.Symbol("n", integer=True)
>>> X, dX = sympy.MatrixSymbol("X", n, n), sympy.MatrixSymbol("dX", n, n)
>>> vec_form(-X.I * dX * X.I, dX)
-(KroneckerProduct(X.T**(-1), X**(-1)))
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy
from sympy.matrices.expressions.matexpr import MatrixExpr

from ..core.errors import ShapeError
from ..core.matrix_expr import Commutation, Vec
from . import calculus
from .calculus import differential, gradient_of_linear
from .index_form import IndexForm, IndexTerm
from .tidy import tidy


@dataclass(frozen=True)
class LinearMap:
    """vec dF = vec·vec dX, and dF's entries as ``index`` (terms in indices i, j / k, l)."""

    vec: sympy.Basic
    index: IndexForm


def _is_zero(e: sympy.Basic) -> bool:
    return e == 0 or isinstance(e, sympy.ZeroMatrix)


def _is_one(e: sympy.Basic) -> bool:
    return isinstance(e, sympy.Identity) and e.shape == (1, 1) or e == 1


def vec(a: MatrixExpr) -> MatrixExpr:
    """vec(a), a column as it is (vec v = v, vec vᵀ = v), a number in front (vec cA = c vec A)."""
    if isinstance(a, sympy.MatMul):
        number = sympy.Mul(*[f for f in a.args if not isinstance(f, MatrixExpr)])
        if number != 1:
            return number * vec(_mul(*[f for f in a.args if isinstance(f, MatrixExpr)]))
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
    """p ⊗ q, with 1 ⊗ q = q, p ⊗ 1 = p, 𝐈 ⊗ 𝐈 = 𝐈."""
    p, q = _powers(p), _powers(q)
    if isinstance(p, sympy.Identity) and isinstance(q, sympy.Identity):
        return sympy.Identity(p.shape[0] * q.shape[0])
    if tuple(p.shape) == (1, 1):
        return q if _is_one(p) else _scalar(p) * q
    if tuple(q.shape) == (1, 1):
        return p if _is_one(q) else _scalar(q) * p
    return sympy.KroneckerProduct(p, q)


def _scalar(e: MatrixExpr) -> sympy.Basic:
    return e if not isinstance(e, MatrixExpr) else sympy.Trace(e)


def _flat(factors: list[sympy.Basic]) -> tuple[sympy.Basic, list[MatrixExpr]]:
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


def _kron_product(left: sympy.Basic, right: sympy.Basic) -> sympy.Basic:
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
            merged[-1] = kron(_mul(last.args[0], f.args[0]), _mul(last.args[1], f.args[1]))
        else:
            merged.append(f)
    product = _mul(*merged)
    return number * product if number != 1 else product


def _mul(*factors: sympy.Basic) -> sympy.Basic:
    """A product without identity factors, its numbers in front (a zero makes it zero)."""
    number, kept = sympy.S.One, []
    for f in factors:
        for g in (f.args if isinstance(f, sympy.MatMul) else (f,)):
            if not isinstance(g, MatrixExpr):
                number *= g
            elif not isinstance(g, sympy.Identity):
                kept.append(g)
    if any(_is_zero(f) for f in kept) or number == 0:
        rows, cols = factors[0].shape[0], factors[-1].shape[1]
        return sympy.ZeroMatrix(rows, cols)
    if not kept:
        product = next(f for f in factors if isinstance(f, MatrixExpr))
    else:
        product = kept[0] if len(kept) == 1 else sympy.MatMul(*kept)
    return number * product if number != 1 else product


def _add(parts: list[sympy.Basic], rows: sympy.Basic, cols: sympy.Basic) -> sympy.Basic:
    parts = [p for p in parts if not _is_zero(p)]
    if not parts:
        return sympy.ZeroMatrix(rows, cols)
    return parts[0] if len(parts) == 1 else sympy.MatAdd(*parts)


def linear_map(dF: sympy.Basic, dX: sympy.MatrixSymbol) -> LinearMap:
    """The linear map dX ↦ dF of a matrix (or vector) dF linear in dX."""
    p, q = dX.shape
    m, n = dF.shape
    if _is_zero(dF) or not dF.has(dX):
        return LinearMap(sympy.ZeroMatrix(m * n, p * q), IndexForm(()))
    if dF == dX:
        return LinearMap(sympy.Identity(p * q), IndexForm((IndexTerm.variable(),)))
    if dF == dX.T:
        return LinearMap(commutation(p, q), IndexForm((IndexTerm.variable(True),)))
    if hasattr(dF, "_linear_form"):
        return linear_map(dF._linear_form(), dX)
    if isinstance(dF, sympy.MatAdd):
        maps = [linear_map(a, dX) for a in dF.args]
        return LinearMap(_add([t.vec for t in maps], m * n, p * q),
                         IndexForm(tuple(term for t in maps for term in t.index.terms)))
    if isinstance(dF, sympy.MatMul):
        return _product(dF, dX)
    if isinstance(dF, sympy.Transpose):
        inner = linear_map(dF.arg, dX)
        r, s = dF.arg.shape
        return LinearMap(_mul(commutation(r, s), inner.vec), inner.index.transposed())
    if isinstance(dF, sympy.HadamardProduct):
        k = next(i for i, a in enumerate(dF.args) if a.has(dX))
        rest = dF.args[:k] + dF.args[k + 1:]
        c = rest[0] if len(rest) == 1 else sympy.HadamardProduct(*rest)
        inner = linear_map(dF.args[k], dX)
        return LinearMap(_mul(sympy.DiagMatrix(vec(c)), inner.vec), inner.index.hadamard(c))
    if isinstance(dF, sympy.DiagMatrix):  # diag(v) = 𝐈 ⊙ (v𝟏ᵀ)
        v = dF.args[0]
        size = v.shape[0]
        return linear_map(sympy.HadamardProduct(sympy.Identity(size),
                                                v * sympy.OneMatrix(1, size)), dX)
    raise ShapeError(f"cannot read a linear map off a term with {type(dF).__name__}")


def _product(dF: sympy.MatMul, dX: sympy.MatrixSymbol) -> LinearMap:
    args = [g for a in dF.args for g in (a.args if isinstance(a, sympy.MatMul) else (a,))]
    k = next(i for i, a in enumerate(args) if a.has(dX))
    if isinstance(args[k], MatrixExpr):  # 1 × 1 runs taken out on either side
        n_before, before = _flat(args[:k])
        n_after, after = _flat(args[k + 1:])
        coefficient = n_before * n_after
        factors = [*before, args[k], *after]
    else:
        coefficient, factors = _flat(args)
    if coefficient.has(dX):  # s·H with s = tr(Gᵀ·dX) = vec(G)ᵀ·vec(dX)
        h = _mul(*factors) if factors else sympy.Identity(1)
        g = tidy(gradient_of_linear(coefficient, dX))
        number, vg = sympy.S.One, vec(g)
        if isinstance(vg, sympy.MatMul) and not isinstance(vg.args[0], MatrixExpr):
            number, vg = vg.args[0], _mul(*vg.args[1:])
        outer = _mul(vec(h), vg.T)
        return LinearMap(number * outer if number != 1 else outer,
                         IndexForm((IndexTerm.outer(h, g),)))
    k = next(i for i, a in enumerate(factors) if a.has(dX))
    inner = linear_map(factors[k], dX)
    r, s = factors[k].shape
    a = _mul(*factors[:k]) if k else sympy.Identity(r)
    b = _mul(*factors[k + 1:]) if k + 1 < len(factors) else sympy.Identity(s)
    left = kron(b.T, a)
    product = _kron_product(left, inner.vec)
    return LinearMap(coefficient * product if coefficient != 1 else product,
                     inner.index.between(a, b).scaled(coefficient))


def vec_form(dF: sympy.Basic, dX: sympy.MatrixSymbol) -> sympy.Basic:
    """The mn × pq matrix V with vec dF = V·vec dX (numerator layout)."""
    return linear_map(dF, dX).vec


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
        inner = _mul(*[_factored(f) for f in factors])
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
    body = _add([c * _mul(*m) if c != 1 else _mul(*m) for c, m in terms], *e.shape)
    for side in (-1, 0):
        shared = terms[0][1][side]
        if len(terms) > 1 and all(m[side] == shared for _, m in terms) \
                and any(len(m) > 1 for _, m in terms):
            size = shared.shape[0] if side == -1 else shared.shape[1]
            rest = [c * _mul(*(m[:-1] if side == -1 else m[1:]) or [sympy.Identity(size)])
                    for c, m in terms]
            inner = _factored(_add(rest, *((e.shape[0], size) if side == -1
                                           else (size, e.shape[1]))))
            body = _mul(inner, shared) if side == -1 else _mul(shared, inner)
            break
    return scale * body if scale != 1 else body


def differential_of(f: sympy.Basic, X: sympy.MatrixSymbol
                    ) -> tuple[sympy.Basic, sympy.MatrixSymbol]:
    """(dF, dX) for F = f."""
    dX = sympy.MatrixSymbol("d" + X.name, *X.shape)
    return differential(f, X, dX), dX


def jacobian_map(f: sympy.Basic, X: sympy.MatrixSymbol) -> tuple[sympy.Basic, LinearMap]:
    """(dF, its linear map) for a matrix or vector F of X; the index form finished."""
    dF, dX = differential_of(f, X)
    found = linear_map(dF, dX)
    index = found.index.finished(tuple(f.shape), tuple(X.shape)).collected()
    return dF, LinearMap(collected(found.vec), index)


def hessian_map(f: sympy.Basic, X: sympy.MatrixSymbol,
                gradient: sympy.Basic) -> tuple[sympy.Basic, sympy.Basic, LinearMap]:
    """(df, d²f, the linear map dX ↦ d∇f) for a scalar f of X with gradient ``gradient``:
    the Hessian is the Jacobian of the gradient, and d²f = tr(d∇fᵀ·dX) (df with dX fixed).

    >>> n = sympy.Symbol("n", integer=True)
    >>> X = sympy.MatrixSymbol("X", n, n)
    >>> df, d2f, found = hessian_map(sympy.log(sympy.Determinant(X)), X, X.I.T)
    >>> d2f, found.vec
    (-Trace(X**(-1)*dX*X**(-1)*dX), -(KroneckerProduct(X**(-1), X.T**(-1)))*Commutation(n, n))
    """
    dX = sympy.MatrixSymbol("d" + X.name, *X.shape)
    dG, found = jacobian_map(gradient, X)
    df = rotated(sympy.Trace(gradient.T * dX).doit())  # df = tr(∇fᵀ·dX)
    terms = dG.args if isinstance(dG, sympy.MatAdd) else (dG,)
    d2f = rotated(sympy.Add(*[sympy.Trace(t.T * dX).doit() for t in terms]))  # tr(d∇fᵀ·dX)
    return df, d2f, found


def rotated(e: sympy.Basic) -> sympy.Basic:
    """Each trace of a product turned (tr(AB) = tr(BA)) to start at a row, so that it is a
    1 × 1 product: tr(x xᵀ dWᵀ dW) → xᵀ dWᵀ dW x.

    >>> n = sympy.Symbol("n", integer=True)
    >>> x, A = sympy.MatrixSymbol("x", n, 1), sympy.MatrixSymbol("A", n, n)
    >>> rotated(2 * sympy.Trace(A * x * x.T))
    2*Trace(x.T*A*x)
    """
    def turn(t: sympy.Trace) -> sympy.Basic:
        arg = t.arg
        if not isinstance(arg, sympy.MatMul):
            return t
        number = sympy.Mul(*[a for a in arg.args if not isinstance(a, MatrixExpr)])
        factors = [a for a in arg.args if isinstance(a, MatrixExpr)]
        start = next((i for i, a in enumerate(factors) if a.shape[0] == 1), 0)
        turned = sympy.MatMul(*factors[start:], *factors[:start])
        return number * sympy.Trace(turned) if number != 1 else sympy.Trace(turned)
    return e.replace(lambda a: isinstance(a, sympy.Trace), turn)


@dataclass(frozen=True)
class Forms:
    """What a matrix derivative is read off: the vec form ``expr`` (None: the caller's own),
    the ``differential`` dF (df), the ``index`` form and, for a Hessian, ``bilinear`` d²f."""

    expr: sympy.Basic | None
    differential: sympy.Basic | None
    index: IndexForm | None = None
    bilinear: sympy.Basic | None = None


def derivative_forms(kind: str, f: sympy.Basic, X: sympy.MatrixSymbol,
                     gradient: sympy.Basic | None = None) -> Forms:
    """The forms of the ``kind`` (gradient, jacobian, hessian) of f with respect to X;
    ``expr`` is the vec form for a matrix F or X (a Hessian: with respect to a matrix X).

    >>> m, n = sympy.symbols("m n", integer=True)
    >>> W, x = sympy.MatrixSymbol("W", m, n), sympy.MatrixSymbol("x", n, 1)
    >>> forms = derivative_forms("jacobian", W * x, W)
    >>> forms.differential, forms.expr, len(forms.index.terms)
    (dW*x, KroneckerProduct(x.T, I), 1)
    """
    if kind == "gradient":
        return Forms(None, differential_of(f, X)[0])
    if kind == "jacobian":
        dF, found = jacobian_map(f, X)
        four = f.shape[1] != 1 or X.shape[1] != 1
        return Forms(found.vec if four else None, dF, found.index)
    df, d2f, found = hessian_map(f, X, gradient)
    return Forms(found.vec if X.shape[1] != 1 else None, df, found.index, d2f)


def jacobian(f: sympy.Basic, X: sympy.MatrixSymbol) -> sympy.Basic:
    """The Jacobian in numerator layout: m × n for a vector f of a vector x
    (:func:`symnum.matrix.calculus.jacobian`), else the vec form ∂vec F/∂(vec X)ᵀ, mn × pq.

    >>> n = sympy.Symbol("n", integer=True)
    >>> X = sympy.MatrixSymbol("X", n, n)
    >>> jacobian(X * X, X)
    KroneckerProduct(I, X) + KroneckerProduct(X.T, I)
    """
    if isinstance(f, MatrixExpr) and f.shape[1] == 1 and X.shape[1] == 1:
        return calculus.jacobian(f, X)
    if not isinstance(f, MatrixExpr):
        raise ShapeError("a Jacobian in matrix notation needs a vector or matrix function; "
                         "ask for the gradient of a scalar")
    return jacobian_map(f, X)[1].vec


def hessian(f: sympy.Basic, X: sympy.MatrixSymbol) -> sympy.Basic:
    """The Hessian: n × n for a vector x (:func:`symnum.matrix.calculus.hessian`), else
    ∂²f/∂vec X ∂(vec X)ᵀ, pq × pq (the vec form of d∇f)."""
    if X.shape[1] == 1:
        return calculus.hessian(f, X)
    return jacobian_map(calculus.gradient(f, X), X)[1].vec
