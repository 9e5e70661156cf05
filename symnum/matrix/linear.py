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
from . import calculus
from .calculus import differential, gradient_of_linear
from .index_form import IndexForm, IndexTerm
from .tidy import tidy
from .vec_algebra import (
    collected,
    commutation,
    is_zero,
    kron,
    kron_product,
    matmul,
    scalars_out,
    total,
    vec,
)


@dataclass(frozen=True)
class LinearMap:
    """vec dF = vec·vec dX, and dF's entries as ``index`` (terms in indices i, j / k, l)."""

    vec: sympy.Basic
    index: IndexForm


def linear_map(dF: sympy.Basic, dX: sympy.MatrixSymbol) -> LinearMap:
    """The linear map dX ↦ dF of a matrix (or vector) dF linear in dX."""
    p, q = dX.shape
    m, n = dF.shape
    if is_zero(dF) or not dF.has(dX):
        return LinearMap(sympy.ZeroMatrix(m * n, p * q), IndexForm(()))
    if dF == dX:
        return LinearMap(sympy.Identity(p * q), IndexForm((IndexTerm.variable(),)))
    if dF == dX.T:
        return LinearMap(commutation(p, q), IndexForm((IndexTerm.variable(True),)))
    if hasattr(dF, "_linear_form"):
        return linear_map(dF._linear_form(), dX)
    if isinstance(dF, sympy.MatAdd):
        maps = [linear_map(a, dX) for a in dF.args]
        return LinearMap(total([t.vec for t in maps], m * n, p * q),
                         IndexForm(tuple(term for t in maps for term in t.index.terms)))
    if isinstance(dF, sympy.MatMul):
        return _product(dF, dX)
    if isinstance(dF, sympy.Transpose):
        inner = linear_map(dF.arg, dX)
        r, s = dF.arg.shape
        return LinearMap(matmul(commutation(r, s), inner.vec), inner.index.transposed())
    if isinstance(dF, sympy.HadamardProduct):
        k = next(i for i, a in enumerate(dF.args) if a.has(dX))
        rest = dF.args[:k] + dF.args[k + 1:]
        c = rest[0] if len(rest) == 1 else sympy.HadamardProduct(*rest)
        inner = linear_map(dF.args[k], dX)
        return LinearMap(matmul(sympy.DiagMatrix(vec(c)), inner.vec), inner.index.hadamard(c))
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
        n_before, before = scalars_out(args[:k])
        n_after, after = scalars_out(args[k + 1:])
        coefficient = n_before * n_after
        factors = [*before, args[k], *after]
    else:
        coefficient, factors = scalars_out(args)
    if coefficient.has(dX):  # s·H with s = tr(Gᵀ·dX) = vec(G)ᵀ·vec(dX)
        h = matmul(*factors) if factors else sympy.Identity(1)
        g = tidy(gradient_of_linear(coefficient, dX))
        number, vg = sympy.S.One, vec(g)
        if isinstance(vg, sympy.MatMul) and not isinstance(vg.args[0], MatrixExpr):
            number, vg = vg.args[0], matmul(*vg.args[1:])
        outer = matmul(vec(h), vg.T)
        return LinearMap(number * outer if number != 1 else outer,
                         IndexForm((IndexTerm.outer(h, g),)))
    k = next(i for i, a in enumerate(factors) if a.has(dX))
    inner = linear_map(factors[k], dX)
    r, s = factors[k].shape
    a = matmul(*factors[:k]) if k else sympy.Identity(r)
    b = matmul(*factors[k + 1:]) if k + 1 < len(factors) else sympy.Identity(s)
    left = kron(b.T, a)
    product = kron_product(left, inner.vec)
    return LinearMap(coefficient * product if coefficient != 1 else product,
                     inner.index.between(a, b).scaled(coefficient))


def vec_form(dF: sympy.Basic, dX: sympy.MatrixSymbol) -> sympy.Basic:
    """The mn × pq matrix V with vec dF = V·vec dX (numerator layout)."""
    return linear_map(dF, dX).vec


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
