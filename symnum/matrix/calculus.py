"""Matrix calculus in matrix notation, by differentials.

For a scalar f of a matrix (or vector) X, compute the differential df with the rules
d(XY) = dX·Y + X·dY, d(X⁻¹) = −X⁻¹·dX·X⁻¹, d tr X = tr dX, d det X = det X · tr(X⁻¹dX),
d f(A) = f'(A) ⊙ dA (elementwise), d softmax(z) = (diag s − s sᵀ) dz and the scalar chain
rule; then read the gradient off df = tr(Gᵀ dX): ∂f/∂X = G, which has X's shape. For a
vector function of a vector x, read the Jacobian off df = J dx; the Hessian is the Jacobian
of the gradient. SymPy's matrix expressions hold the trees; the rules are ours.

>>> import sympy
>>> k = sympy.Symbol("k", integer=True)
>>> A, b = sympy.MatrixSymbol("A", k, k), sympy.MatrixSymbol("b", k, 1)
>>> gradient(b.T * A * b, b)
(A + A.T)*b
"""

from __future__ import annotations

import sympy
from sympy.matrices.expressions.matexpr import MatrixExpr

from ..core.errors import ShapeError
from ..core.matrix_expr import Elementwise, Softmax
from ..core.matrix_layers import LayerNorm, RowSoftmax, Variance
from ..core.rewrite import Rule, Table
from .tidy import tidy


def _zero(e: sympy.Basic) -> sympy.Basic:
    return sympy.ZeroMatrix(*e.shape) if isinstance(e, MatrixExpr) else sympy.S.Zero


def _is_zero(e: sympy.Basic) -> bool:
    return e == 0 or isinstance(e, sympy.ZeroMatrix)


def differential(e: sympy.Basic, X: sympy.MatrixSymbol, dX: sympy.MatrixSymbol) -> sympy.Basic:
    """d e, linear in dX (zero when e does not depend on X), by the first rule of
    :data:`DIFFERENTIALS` for e's kind."""
    if not e.has(X):
        return _zero(e)
    if e == X:
        return dX
    found = DIFFERENTIALS.first(e, X, dX)
    if found is None:
        raise ShapeError(f"no matrix differential rule for {type(e).__name__} ({e})")
    return found[1]


def _d_sum(e: sympy.Basic, X: sympy.MatrixSymbol, dX: sympy.MatrixSymbol) -> sympy.Basic:
    parts = [p for p in (differential(a, X, dX) for a in e.args) if not _is_zero(p)]
    return _add(parts, e)


def _d_product(e: sympy.Basic, X: sympy.MatrixSymbol, dX: sympy.MatrixSymbol) -> sympy.Basic:
    terms = [type(e)(*e.args[:i], differential(a, X, dX), *e.args[i + 1:])
             for i, a in enumerate(e.args) if a.has(X)]
    return _add(terms, e)


def _d_matrix_power(e: sympy.MatPow, X: sympy.MatrixSymbol,
                    dX: sympy.MatrixSymbol) -> sympy.Basic | None:
    if not (e.exp.is_Integer and e.exp > 0):
        return None
    base, k = e.base, int(e.exp)
    d = differential(base, X, dX)
    return _add([sympy.MatMul(*([base] * i), d, *([base] * (k - 1 - i))) for i in range(k)], e)


def _d_hadamard(e: sympy.HadamardProduct, X: sympy.MatrixSymbol,
                dX: sympy.MatrixSymbol) -> sympy.Basic:
    return _add([sympy.HadamardProduct(*e.args[:i], differential(a, X, dX), *e.args[i + 1:])
                 for i, a in enumerate(e.args) if a.has(X)], e)


def _d_scalar_power(e: sympy.Pow, X: sympy.MatrixSymbol,
                    dX: sympy.MatrixSymbol) -> sympy.Basic | None:
    if e.exp.has(X):
        return None
    return e.exp * e.base ** (e.exp - 1) * differential(e.base, X, dX)


def _d_chain(e: sympy.Function, X: sympy.MatrixSymbol,
             dX: sympy.MatrixSymbol) -> sympy.Basic | None:
    return e.fdiff(1) * differential(e.args[0], X, dX) if len(e.args) == 1 else None


def _d_layer(e: sympy.Basic, arg: sympy.Basic, X: sympy.MatrixSymbol,
             dX: sympy.MatrixSymbol) -> sympy.Basic:
    """A layer node's differential (core.matrix_layers) at the differential of its argument."""
    return e.differential(differential(arg, X, dX))


def _add(parts: list[sympy.Basic], like: sympy.Basic) -> sympy.Basic:
    if not parts:
        return _zero(like)
    if isinstance(parts[0], MatrixExpr):
        return sympy.MatAdd(*parts) if len(parts) > 1 else parts[0]
    return sympy.Add(*parts)


def _linear_terms(df: sympy.Basic, dX: sympy.MatrixSymbol) -> list[tuple[sympy.Expr, sympy.Basic]]:
    """Split a scalar df into (coefficient, factor holding dX) pairs."""
    if isinstance(df, MatrixExpr):  # (MatAdd and MatMul subclass Add and Mul: test first)
        return [(sympy.S.One, df)]
    df = sympy.expand(df, deep=False)
    if isinstance(df, sympy.Add):
        return [t for a in df.args for t in _linear_terms(a, dX)]
    if isinstance(df, sympy.Mul):
        holding = [a for a in df.args if a.has(dX)]
        if len(holding) != 1:
            raise ShapeError("internal error: the differential is not linear")
        rest = sympy.Mul(*[a for a in df.args if not a.has(dX)])
        return [(rest * c, f) for c, f in _linear_terms(holding[0], dX)]
    if isinstance(df, sympy.Trace):
        return [(sympy.S.One, df.arg)]
    return [(sympy.S.One, df)]


def _extract(L: sympy.Basic | None, M: sympy.Basic, dX: sympy.MatrixSymbol) -> sympy.Basic:
    """G with tr(L·M) = tr(Gᵀ·dX); L = None means the identity."""
    if M == dX:
        return sympy.Identity(dX.shape[0]) if L is None else L.T
    if M == dX.T:
        return sympy.Identity(dX.shape[0]) if L is None else L
    if isinstance(M, sympy.MatAdd):
        return sympy.MatAdd(*[_extract(L, a, dX) for a in M.args])
    if isinstance(M, sympy.MatMul):
        scalars = [a for a in M.args if not isinstance(a, MatrixExpr)]
        factors = [a for a in M.args if isinstance(a, MatrixExpr)]
        coefficient = sympy.Mul(*scalars)
        if coefficient.has(dX):  # a scalar linear in dX times a constant matrix
            rest = sympy.MatMul(*factors)
            inner = rest if L is None else L * rest
            return sympy.Trace(inner).doit() * _extract(None, coefficient, dX)
        k = next(i for i, a in enumerate(factors) if a.has(dX))
        before, after = factors[:k], factors[k + 1:]
        new_l = sympy.MatMul(*after, *([L] if L is not None else []), *before)
        new_l = None if not (after or before or L is not None) else new_l
        return coefficient * _extract(new_l, factors[k], dX)
    if isinstance(M, sympy.Transpose):
        return _extract(None if L is None else L.T, M.arg, dX)
    if isinstance(M, sympy.HadamardProduct):
        k = next(i for i, a in enumerate(M.args) if a.has(dX))
        others = sympy.HadamardProduct(*(M.args[:k] + M.args[k + 1:])) if len(M.args) > 2 \
            else M.args[1 - k]
        left = sympy.Identity(M.shape[0]) if L is None else L
        return _extract(sympy.HadamardProduct(left.T, others).T, M.args[k], dX)
    if isinstance(M, sympy.Trace):
        return _extract(L, M.arg, dX)
    if isinstance(M, sympy.Mul | sympy.Add):
        return sympy.MatAdd(*[c * _extract(L, f, dX) for c, f in _linear_terms(M, dX)])
    raise ShapeError(f"cannot read the gradient off a term with {type(M).__name__}")


def gradient(f: sympy.Basic, X: sympy.MatrixSymbol) -> sympy.Basic:
    """∂f/∂X for a scalar f (or 1×1 matrix expression), in X's shape."""
    if isinstance(f, MatrixExpr) and tuple(f.shape) != (1, 1):
        raise ShapeError(f"a gradient or Hessian needs a scalar function, but f is {f.shape[0]}×"
                         f"{f.shape[1]}; ask for the Jacobian")
    dX = sympy.MatrixSymbol("d" + X.name, *X.shape)
    df = differential(f, X, dX)
    if _is_zero(df):
        return sympy.ZeroMatrix(*X.shape)
    terms = [c * _extract(None, m, dX) for c, m in _linear_terms(df, dX)]
    return tidy(sympy.MatAdd(*terms) if len(terms) > 1 else terms[0])


def jacobian(f: sympy.Basic, x: sympy.MatrixSymbol) -> sympy.Basic:
    """J with df = J·dx for a vector f (m×1) of a vector x (n×1): m × n (for a matrix F or X
    the vec form is :func:`symnum.matrix.linear.jacobian`'s)."""
    if not isinstance(f, MatrixExpr):
        raise ShapeError("a Jacobian in matrix notation needs a vector or matrix function; "
                         "ask for the gradient of a scalar")
    if f.shape[1] != 1 or x.shape[1] != 1:
        raise ShapeError("here a Jacobian needs a column-vector function of a column vector; "
                         "symnum.matrix.linear.jacobian gives the vec form of any")
    dx = sympy.MatrixSymbol("d" + x.name, *x.shape)
    return tidy(_jac(differential(f, x, dx), dx))


def _jac(M: sympy.Basic, dx: sympy.MatrixSymbol) -> sympy.Basic:
    """J with M = J·dx for M linear in dx and a column vector."""
    if _is_zero(M):
        return sympy.ZeroMatrix(M.shape[0], dx.shape[0])
    if M == dx:
        return sympy.Identity(dx.shape[0])
    if isinstance(M, sympy.MatAdd):
        return sympy.MatAdd(*[_jac(a, dx) for a in M.args])
    if isinstance(M, sympy.MatMul):
        scalars = [a for a in M.args if not isinstance(a, MatrixExpr)]
        factors = [a for a in M.args if isinstance(a, MatrixExpr)]
        coefficient = sympy.Mul(*scalars)
        if coefficient.has(dx):  # (gᵀdx)·v = v·gᵀ·dx
            return sympy.MatMul(*factors) * gradient_of_linear(coefficient, dx).T
        k = next(i for i, a in enumerate(factors) if a.has(dx))
        before, after = factors[:k], factors[k + 1:]
        if factors[k] == dx.T or isinstance(factors[k], sympy.Transpose):
            # A·(Nᵀ·B) with Nᵀ·B a scalar: = A·Bᵀ·N
            a = sympy.MatMul(*before) if before else None
            b = sympy.MatMul(*after)
            inner = _jac(factors[k].arg, dx)
            return coefficient * (b.T * inner if a is None else a * b.T * inner)
        scale = sympy.Trace(sympy.MatMul(*after)) if after else sympy.S.One
        head = sympy.MatMul(*before) * _jac(factors[k], dx) if before else _jac(factors[k], dx)
        return coefficient * scale * head
    if isinstance(M, sympy.HadamardProduct):
        k = next(i for i, a in enumerate(M.args) if a.has(dx))
        others = sympy.HadamardProduct(*(M.args[:k] + M.args[k + 1:])) if len(M.args) > 2 \
            else M.args[1 - k]
        return sympy.DiagMatrix(others) * _jac(M.args[k], dx)
    raise ShapeError(f"cannot read the Jacobian off a term with {type(M).__name__}")


def gradient_of_linear(s: sympy.Basic, dx: sympy.MatrixSymbol) -> sympy.Basic:
    """g with s = gᵀ·dx for a scalar s linear in dx."""
    terms = [c * _extract(None, m, dx) for c, m in _linear_terms(s, dx)]
    return sympy.MatAdd(*terms) if len(terms) > 1 else terms[0]


def hessian(f: sympy.Basic, x: sympy.MatrixSymbol) -> sympy.Basic:
    """The n × n Hessian of a scalar f of a column vector x (the Jacobian of the gradient;
    with respect to a matrix: :func:`symnum.matrix.linear.hessian`)."""
    if x.shape[1] != 1:
        raise ShapeError("here a Hessian is with respect to a vector; "
                         "symnum.matrix.linear.hessian gives the vec form for a matrix")
    return tidy(jacobian(gradient(f, x), x))


# The differential rules, a node's kind → its differential (X, dX passed along); the names
# are the steps' rule names (matrix.steps).
DIFFERENTIALS = Table([
    Rule("sum", "d(A + B) = dA + dB", (sympy.MatAdd, sympy.Add), _d_sum),
    Rule("linear", "d(A·X·B) = A·dX·B for constant A, B", (sympy.MatMul, sympy.Mul),
         lambda e, X, dX: _d_product(e, X, dX) if sum(a.has(X) for a in e.args) == 1 else None),
    Rule("product", "d(A·B) = dA·B + A·dB", (sympy.MatMul, sympy.Mul), _d_product),
    Rule("transpose", "d(Aᵀ) = (dA)ᵀ", sympy.Transpose,
         lambda e, X, dX: sympy.Transpose(differential(e.arg, X, dX))),
    Rule("inverse", "d(A⁻¹) = −A⁻¹·dA·A⁻¹", sympy.Inverse,
         lambda e, X, dX: -e * differential(e.arg, X, dX) * e),
    Rule("power", "d(Aᵏ) = Σ Aⁱ·dA·Aᵏ⁻¹⁻ⁱ", sympy.MatPow, _d_matrix_power),
    Rule("trace", "d tr(A) = tr(dA)", sympy.Trace,
         lambda e, X, dX: sympy.Trace(differential(e.arg, X, dX))),
    Rule("determinant", "d det(A) = det(A)·tr(A⁻¹·dA)", sympy.Determinant,
         lambda e, X, dX: e * sympy.Trace(sympy.Inverse(e.arg) * differential(e.arg, X, dX))),
    Rule("hadamard", "d(A ⊙ B) = dA ⊙ B + A ⊙ dB", sympy.HadamardProduct, _d_hadamard),
    Rule("hadamard", "d(A^∘p) = p·A^∘(p−1) ⊙ dA", sympy.HadamardPower,
         lambda e, X, dX: e.exp * sympy.HadamardProduct(
             e.base if e.exp == 2 else sympy.HadamardPower(e.base, e.exp - 1),
             differential(e.base, X, dX))),
    Rule("elementwise", "d f(A) = f'(A) ⊙ dA", Elementwise,
         lambda e, X, dX: sympy.HadamardProduct(e.derivative_entries(),
                                                differential(e.arg, X, dX))),
    Rule("softmax", "d softmax(z) = (diag(s) − s·sᵀ)·dz", Softmax,
         lambda e, X, dX: (sympy.DiagMatrix(e) - e * e.T) * differential(e.arg, X, dX)),
    Rule("softmax_rows", "d softmax(S) = P ⊙ (dS − (P ⊙ dS)𝟏𝟏ᵀ), P = softmax(S) row by row",
         RowSoftmax, lambda e, X, dX: _d_layer(e, e.arg, X, dX)),
    Rule("layernorm", "d layernorm(x) = (dx − 𝟏𝟏ᵀdx/n − y yᵀdx/n)/√(var(x) + ε)", LayerNorm,
         lambda e, X, dX: _d_layer(e, e.arg, X, dX)),
    Rule("variance", "d var(x) = (2/n)(x − μ𝟏)ᵀdx", Variance,
         lambda e, X, dX: _d_layer(e, e.arg, X, dX)),
    Rule("diag", "d diag(v) = diag(dv)", sympy.DiagMatrix,
         lambda e, X, dX: sympy.DiagMatrix(differential(e.args[0], X, dX))),
    Rule("power", "d(sᵖ) = p·sᵖ⁻¹·ds for a scalar s", sympy.Pow, _d_scalar_power),
    Rule("chain", "d g(s) = g'(s)·ds for a scalar function g", sympy.Function, _d_chain),
])
