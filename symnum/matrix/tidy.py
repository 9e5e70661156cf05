"""Tidy forms of matrix results, as a textbook prints them: identities evaluated, like terms
collected, a shared number or factor taken out, Hadamard products of sums distributed, and
diag/reciprocal pairs cancelled. Each family of rewrites is a table run by
:func:`symnum.core.rewrite.rewrite`.

>>> import sympy
>>> n = sympy.Symbol("n", integer=True)
>>> A, x = sympy.MatrixSymbol("A", n, n), sympy.MatrixSymbol("x", n, 1)
>>> tidy(A * x + A.T * x)
(A + A.T)*x
"""

from __future__ import annotations

import sympy
from sympy.matrices.expressions.matexpr import MatrixExpr

from ..core.rewrite import Rule, Table, rewrite
from .factoring import POWERS, SIGNS, TRANSPOSED_SUMS, factor_common
from .forms import softmax_forms


def tidy(e: sympy.Basic) -> sympy.Basic:
    """Evaluate identities (Iᵀ = I, (Aᵀ)ᵀ = A), cancel diag/Hadamard pairs, then factor a
    shared right or left factor."""
    e = softmax_forms(rewrite(e.doit(), POWERS).doit())
    e = _scalar_first(rewrite(e, COLLECT))
    forms = [e]
    if e.has(sympy.HadamardPower):  # the shortest of: as it is, expanded, ⊙ distributed
        forms.append(_cancel(e.expand().doit()))
        if forms[-1].has(sympy.HadamardProduct):
            forms.append(_cancel(_distribute_hadamard(forms[-1])))
    return min((_factored(f) for f in forms), key=lambda f: (len(str(f)), sympy.count_ops(f)))


def _factored(e: sympy.Basic) -> sympy.Basic:
    """Shared factors and numbers taken out, signs and transposes tidied."""
    if isinstance(e, sympy.MatMul) and any(isinstance(a, sympy.MatAdd) and a.has(
            sympy.OneMatrix) for a in e.args):
        spread = e.expand().doit()  # (Wᵀs𝟏ᵀ − Wᵀ)y → Wᵀs𝟏ᵀy − Wᵀy, factored again below
        if isinstance(spread, sympy.MatAdd):
            factored = factor_common(_factor_coefficient(spread), left_first=True)
            if not isinstance(factored, sympy.MatAdd):
                e = factored
    if isinstance(e, sympy.MatAdd):  # a 𝟏ᵀ is best kept inside: Wᵀ(s(𝟏ᵀy) − y)
        e = factor_common(_factor_coefficient(e), left_first=e.has(sympy.OneMatrix))
    e = rewrite(e, POWERS, SIGNS, TRANSPOSED_SUMS)  # last: doit() spreads (x − μ)ᵀ again
    return rewrite(rewrite(e, SHARED), SCALAR_FIRST) if e.has(sympy.HadamardProduct) else e


def _shared_factors(e: sympy.MatAdd) -> sympy.Basic | None:
    """c·(P ⊙ A) − c·(P ⊙ B) → c·(P ⊙ (A − B)): the scalar factors (not numbers) and the
    Hadamard factor that every term shares, taken out (None when no Hadamard factor is
    shared: then the terms are left as they are)."""
    split = []
    for t in e.args:
        args = t.args if isinstance(t, sympy.MatMul) else (t,)
        matrices = [a for a in args if isinstance(a, MatrixExpr)]
        if len(matrices) != 1 or not isinstance(matrices[0], sympy.HadamardProduct):
            return None
        split.append((sympy.Mul(*[a for a in args if not isinstance(a, MatrixExpr)]),
                      matrices[0].args))
    shared = [a for a in split[0][1] if all(a in factors for _, factors in split)]
    if not shared:
        return None
    numbers = [sympy.Mul(*[f for f in sympy.Mul.make_args(c) if f.is_Rational]) for c, _ in split]
    common = sympy.gcd_list([abs(q) for q in numbers]) * sympy.Mul(*[
        f for f in sympy.Mul.make_args(split[0][0]) if not f.is_Number
        and all(f in sympy.Mul.make_args(c) for c, _ in split)])
    rest = []
    for c, factors in split:
        others = [a for a in factors if a != shared[0]]
        body = others[0] if len(others) == 1 else sympy.HadamardProduct(*others)
        rest.append(c / common * body)
    inner = sympy.HadamardProduct(shared[0], sympy.MatAdd(*rest))
    return inner if common == 1 else sympy.MatMul(common, inner)


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


# The tidy forms' rewrites, each table one pass (run by symnum.core.rewrite).
COLLECT = Table([Rule("collect", "Aᵀ(½Ax − ½b) + ½Aᵀ(Ax − b) = Aᵀ(Ax − b)", sympy.MatAdd,
                      _collect_terms)])
FACTOR_COEFFICIENT = Table([Rule("common number", "2Wx + 2b − 2y = 2(Wx + b − y)",
                                 sympy.MatAdd, _factor_coefficient)])
SPREAD = Table([Rule("distribute ⊙", "(a + b) ⊙ c = a ⊙ c + b ⊙ c", sympy.HadamardProduct,
                     _spread)])
SHARED = Table([Rule("shared factor", "c·(P ⊙ A) − c·(P ⊙ B) = c·(P ⊙ (A − B))", sympy.MatAdd,
                    _shared_factors)])
SCALAR_FIRST = Table([Rule("scalar first", "A·(c·B) = c·A·B", sympy.MatMul, _scalar_first)])
CANCELS = (Table([Rule("diag", "diag(v)·w = v ⊙ w", sympy.MatMul, _diag_times_vector)]),
           Table([Rule("reciprocal", "v ⊙ v^(∘−1) ⊙ w = w", sympy.HadamardProduct,
                       _reciprocal_pair)]),
           Table([Rule("dot reciprocal", "vᵀ·(v^(∘−1) ⊙ w) = 𝟏ᵀ·w", sympy.MatMul,
                       _dot_reciprocal)]))
