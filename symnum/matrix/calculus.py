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
from ..core.rewrite import Rule, Table, rewrite
from .forms import softmax_forms


def _zero(e: sympy.Basic) -> sympy.Basic:
    return sympy.ZeroMatrix(*e.shape) if isinstance(e, MatrixExpr) else sympy.S.Zero


def _is_zero(e: sympy.Basic) -> bool:
    return e == 0 or isinstance(e, sympy.ZeroMatrix)


def differential(e: sympy.Basic, X: sympy.MatrixSymbol, dX: sympy.MatrixSymbol) -> sympy.Basic:
    """d e, linear in dX (zero when e does not depend on X)."""
    if not e.has(X):
        return _zero(e)
    if e == X:
        return dX
    d = lambda a: differential(a, X, dX)  # noqa: E731 - the rules below read as a table
    if isinstance(e, sympy.MatAdd | sympy.Add):
        parts = [p for p in (d(a) for a in e.args) if not _is_zero(p)]
        return _add(parts, e)
    if isinstance(e, sympy.MatMul | sympy.Mul):
        terms = []
        for i, a in enumerate(e.args):
            if a.has(X):
                terms.append(type(e)(*e.args[:i], d(a), *e.args[i + 1:]))
        return _add(terms, e)
    if isinstance(e, sympy.Transpose):
        return sympy.Transpose(d(e.arg))
    if isinstance(e, sympy.Inverse):
        return -e * d(e.arg) * e
    if isinstance(e, sympy.MatPow) and e.exp.is_Integer and e.exp > 0:
        base, k = e.base, int(e.exp)
        return _add([sympy.MatMul(*([base] * i), d(base), *([base] * (k - 1 - i)))
                     for i in range(k)], e)
    if isinstance(e, sympy.Trace):
        return sympy.Trace(d(e.arg))
    if isinstance(e, sympy.Determinant):
        return e * sympy.Trace(sympy.Inverse(e.arg) * d(e.arg))
    if isinstance(e, sympy.HadamardProduct):
        return _add([sympy.HadamardProduct(*e.args[:i], d(a), *e.args[i + 1:])
                     for i, a in enumerate(e.args) if a.has(X)], e)
    if isinstance(e, sympy.HadamardPower):
        return e.exp * sympy.HadamardProduct(sympy.HadamardPower(e.base, e.exp - 1), d(e.base))
    if isinstance(e, Elementwise):
        return sympy.HadamardProduct(e.derivative_entries(), d(e.arg))
    if isinstance(e, Softmax):
        return (sympy.DiagMatrix(e) - e * e.T) * d(e.arg)
    if isinstance(e, sympy.DiagMatrix):
        return sympy.DiagMatrix(d(e.arg))
    if isinstance(e, sympy.Pow) and not e.exp.has(X):
        return e.exp * e.base ** (e.exp - 1) * d(e.base)
    if isinstance(e, sympy.Function) and len(e.args) == 1:
        return e.fdiff(1) * d(e.args[0])
    raise ShapeError(f"no matrix differential rule for {type(e).__name__} ({e})")


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
        raise ShapeError(f"a gradient needs a scalar function, but f is {f.shape[0]}×"
                         f"{f.shape[1]}; ask for the Jacobian")
    dX = sympy.MatrixSymbol("d" + X.name, *X.shape)
    df = differential(f, X, dX)
    if _is_zero(df):
        return sympy.ZeroMatrix(*X.shape)
    terms = [c * _extract(None, m, dX) for c, m in _linear_terms(df, dX)]
    return tidy(sympy.MatAdd(*terms) if len(terms) > 1 else terms[0])


def jacobian(f: sympy.Basic, x: sympy.MatrixSymbol) -> sympy.Basic:
    """J with df = J·dx for a vector f (m×1) of a vector x (n×1): m × n."""
    if not isinstance(f, MatrixExpr) or f.shape[1] != 1 or x.shape[1] != 1:
        raise ShapeError("a Jacobian in matrix notation needs a column-vector function of a "
                         "column vector (declare --shape x=n)")
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
    """The n × n Hessian of a scalar f of a column vector x (the Jacobian of the gradient)."""
    if x.shape[1] != 1:
        raise ShapeError("a Hessian with respect to a matrix has four indices; ask for the "
                         "gradient, or differentiate with respect to a vector")
    return tidy(jacobian(gradient(f, x), x))


def tidy(e: sympy.Basic) -> sympy.Basic:
    """Evaluate identities (Iᵀ = I, (Aᵀ)ᵀ = A), cancel diag/Hadamard pairs, then factor a
    shared right or left factor."""
    e = softmax_forms(e.doit())
    e = _scalar_first(rewrite(e, COLLECT))
    if e.has(sympy.HadamardPower):
        expanded = _cancel(e.expand().doit())
        if expanded.has(sympy.HadamardProduct):
            expanded = _cancel(_distribute_hadamard(expanded))
        if sympy.count_ops(expanded) < sympy.count_ops(e):
            e = expanded
    if isinstance(e, sympy.MatMul) and any(isinstance(a, sympy.MatAdd) and a.has(
            sympy.OneMatrix) for a in e.args):
        spread = e.expand().doit()  # (Wᵀs𝟏ᵀ − Wᵀ)y → Wᵀs𝟏ᵀy − Wᵀy, factored again below
        if isinstance(spread, sympy.MatAdd):
            factored = _factor_common(_factor_coefficient(spread), left_first=True)
            if not isinstance(factored, sympy.MatAdd):
                e = factored
    if isinstance(e, sympy.MatAdd):  # a 𝟏ᵀ is best kept inside: Wᵀ(s(𝟏ᵀy) − y)
        e = _factor_common(_factor_coefficient(e), left_first=e.has(sympy.OneMatrix))
    return e


def _collect_terms(e: sympy.MatAdd) -> sympy.Basic:
    """Aᵀ((1/2)Ax − (1/2)b) + (1/2)Aᵀ(Ax − b) → Aᵀ(Ax − b): numbers out of the inner sums,
    then like terms collected (kept only when shorter)."""
    terms = [_scalar_first(rewrite(t, FACTOR_COEFFICIENT)) for t in e.args]
    out = sympy.MatAdd(*terms, evaluate=True)
    return out if sympy.count_ops(out) < sympy.count_ops(e) else e


def _scalar_first(term: sympy.Basic) -> sympy.Basic:
    """A·((1/2)·B) → (1/2)·A·B without spreading the 1/2 into a sum (as doit() would)."""
    if not isinstance(term, sympy.MatMul):
        return term
    coefficient, factors = sympy.S.One, []
    for a in term.args:
        for b in (a.args if isinstance(a, sympy.MatMul) else (a,)):
            if isinstance(b, MatrixExpr):
                factors.append(b)
            else:
                coefficient *= b
    return sympy.MatMul(coefficient, *factors) if coefficient != 1 else sympy.MatMul(*factors)


def _distribute_hadamard(e: sympy.Basic) -> sympy.Basic:
    """(a + b) ⊙ c → a ⊙ c + b ⊙ c, 𝟏 ⊙ a → a, (−a) ⊙ b → −(a ⊙ b), then collect:
    (𝟏 − y) ⊙ σ − (𝟏 − σ) ⊙ y → σ − y."""
    return rewrite(e, SPREAD).doit()


def _spread(node: sympy.HadamardProduct) -> sympy.Basic | None:
    """A Hadamard product of sums as a sum of Hadamard products (None without a sum)."""
    if not any(isinstance(b, sympy.MatAdd) for b in node.args):
        return None
    terms = [[]]
    for a in node.args:
        parts = a.args if isinstance(a, sympy.MatAdd) else (a,)
        terms = [t + [p] for t in terms for p in parts]
    out = []
    for t in terms:
        coefficient, factors = sympy.S.One, []
        for p in t:
            if isinstance(p, sympy.MatMul) and p.args[0].is_Number:
                coefficient *= p.args[0]
                p = sympy.MatMul(*p.args[1:]).doit()
            if not isinstance(p, sympy.OneMatrix):
                factors.append(p)
        body = sympy.HadamardProduct(*factors).doit() if len(factors) > 1 else (
            factors[0] if factors else sympy.OneMatrix(*node.shape))
        out.append(coefficient * body)
    return sympy.MatAdd(*out).doit()


def _factor_coefficient(e: sympy.MatAdd) -> sympy.Basic:
    """2·W·x + 2·b − 2·y → 2·(W·x + b − y) when every term shares a number."""
    coefficients = [a.args[0] if isinstance(a, sympy.MatMul) and a.args[0].is_Number else 1
                    for a in e.args]
    common = sympy.gcd_list([abs(sympy.Rational(c)) for c in coefficients])
    if common in (0, 1) or not all(sympy.Rational(c).is_Rational for c in coefficients):
        return e
    return sympy.MatMul(common, sympy.MatAdd(*[a / common for a in e.args]).doit())


def _cancel(e: sympy.Basic) -> sympy.Basic:
    """diag(v)·w = v ⊙ w;  v ⊙ v^(∘−1) ⊙ w = w;  vᵀ·(v^(∘−1) ⊙ w) = 1ᵀ·w (the rules of
    :data:`CANCELS`, one pass each, evaluated, until nothing changes)."""
    for _ in range(10):
        new = rewrite(e, *CANCELS).doit()
        if new == e:
            break
        e = new
    return e.doit()


def _diag_index(args: tuple) -> int | None:
    """i with args[i] = diag(v) and args[i + 1] a column vector."""
    return next((i for i, a in enumerate(args) if isinstance(a, sympy.DiagMatrix)
                 and i + 1 < len(args) and isinstance(args[i + 1], MatrixExpr)
                 and args[i + 1].shape[1] == 1), None)


def _diag_times_vector(node: sympy.MatMul) -> sympy.Basic | None:
    args = list(node.args)
    i = _diag_index(node.args)
    if i is None:
        return None
    w = args[i + 1]
    merged = sympy.HadamardProduct(args[i].args[0], *(
        w.args if isinstance(w, sympy.HadamardProduct) else (w,)))
    return sympy.MatMul(*args[:i], merged, *args[i + 2:])


def _reciprocal_pair(node: sympy.HadamardProduct) -> sympy.Basic | None:
    args = list(node.args)
    power = next((a for a in args if isinstance(a, sympy.HadamardPower) and a.exp == -1
                  and a.base in args), None)
    if power is None:
        return None
    args.remove(power)
    args.remove(power.base)
    return args[0] if len(args) == 1 else (sympy.HadamardProduct(*args) if args else
                                           sympy.OneMatrix(*power.shape))


def _dot_reciprocal(node: sympy.MatMul) -> sympy.Basic | None:
    args = list(node.args)
    i = next((i for i, a in enumerate(args) if isinstance(a, sympy.Transpose)
              and i + 1 < len(args) and isinstance(args[i + 1], sympy.HadamardProduct)
              and sympy.HadamardPower(a.arg, -1) in args[i + 1].args), None)
    if i is None:
        return None
    v = args[i].arg
    rest = [a for a in args[i + 1].args if a != sympy.HadamardPower(v, -1)]
    inner = rest[0] if len(rest) == 1 else sympy.HadamardProduct(*rest)
    return sympy.MatMul(*args[:i], sympy.OneMatrix(1, v.shape[0]), inner, *args[i + 2:])


def _factor_common(e: sympy.MatAdd, left_first: bool = False) -> sympy.Basic:
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
        if all(m[-1] == last for _, m in terms) and not (
                left_first and all(m[0] == first for _, m in terms)):
            return sympy.MatMul(sympy.MatAdd(*[c * sympy.MatMul(*m[:-1]) for c, m in terms])
                                .doit(), last)
        first = terms[0][1][0]
        if all(m[0] == first for _, m in terms):
            return sympy.MatMul(first, sympy.MatAdd(*[c * sympy.MatMul(*m[1:]) for c, m in terms])
                                .doit())
    return _factor_some(e, terms)


def _factor_some(e: sympy.MatAdd, terms: list) -> sympy.Basic:
    """Ax + Aᵀx + b → (A + Aᵀ)x + b: the terms that share a right factor, grouped."""
    groups: dict[sympy.Basic, list] = {}
    for c, m in terms:
        if len(m) >= 2:
            groups.setdefault(m[-1], []).append((c, m))
    last, shared = max(groups.items(), key=lambda kv: len(kv[1]), default=(None, []))
    if len(shared) < 2:
        return e
    grouped = sympy.MatMul(sympy.MatAdd(*[c * sympy.MatMul(*m[:-1]) for c, m in shared])
                           .doit(), last)
    rest = [c * sympy.MatMul(*m) if len(m) > 1 else c * m[0] for c, m in terms
            if (c, m) not in shared]
    return sympy.MatAdd(grouped, *rest)


# The tidy forms' rewrites, each table one pass (run by symnum.core.rewrite).
COLLECT = Table([Rule("collect", "Aᵀ(½Ax − ½b) + ½Aᵀ(Ax − b) = Aᵀ(Ax − b)", sympy.MatAdd,
                      _collect_terms)])
FACTOR_COEFFICIENT = Table([Rule("common number", "2Wx + 2b − 2y = 2(Wx + b − y)",
                                 sympy.MatAdd, _factor_coefficient)])
SPREAD = Table([Rule("distribute ⊙", "(a + b) ⊙ c = a ⊙ c + b ⊙ c", sympy.HadamardProduct,
                     _spread)])
CANCELS = (Table([Rule("diag", "diag(v)·w = v ⊙ w", sympy.MatMul, _diag_times_vector)]),
           Table([Rule("reciprocal", "v ⊙ v^(∘−1) ⊙ w = w", sympy.HadamardProduct,
                       _reciprocal_pair)]),
           Table([Rule("dot reciprocal", "vᵀ·(v^(∘−1) ⊙ w) = 𝟏ᵀ·w", sympy.MatMul,
                       _dot_reciprocal)]))
