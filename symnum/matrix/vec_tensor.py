"""4-index results as arrays: the vec form V (mn × pq) of ∂F/∂X as the (m, n, p, q) array
T[i, j, k, l] = V[i + m·j, k + p·l] (column-major vec), never through a Kronecker product.

Each factor of a term of V is read as a 4-index tensor (:class:`Factor`: an output pair and
an input pair of index labels, fast index first, and the arrays that carry them):
P ⊗ Q is Q[i, k]·P[j, l] (so c·(Bᵀ ⊗ A) is c·A[i, k]·B[l, j]), the commutation matrix swaps
the pairs (δᵢₗ·δⱼₖ), diag(vec C) is C[i, j]·δᵢₖ·δⱼₗ, vec C is C[i, j], a plain matrix M is
M[i, k] on vectors; products contract the pairs, and each term is one einsum. A δ between a
summed index and another is a renaming; only a δ between two output indices is an identity
array. What does not read this way (a Kronecker product of three, a plain matrix between
matrix-shaped pairs) is computed as the dense V and laid out (``_unvec``).

>>> import sympy
>>> from symnum.matrix.array_code import ArrayCode
>>> m, n, p, q = sympy.symbols("m n p q", integer=True)
>>> A, B = sympy.MatrixSymbol("A", m, p), sympy.MatrixSymbol("B", q, n)
>>> code = ArrayCode("numpy", {"A": "A", "B": "B"}, {m: "m", n: "n", p: "p", q: "q"})
>>> tensor(code, sympy.KroneckerProduct(B.T, A), (m, n), (p, q)), code.lines[-1]
('_t2', '_t2 = A[..., :, None, :, None] * _t1[..., None, :, None, :]')
>>> tensor(code, sympy.KroneckerProduct(B.T, A) * sympy.KroneckerProduct(B, A.T),
...        (m, n), (m, n)), code.lines[-1]
('_t4', "_t4 = np.einsum('...ie,...jf,...ek,...fl->...ijkl', A, _t1, _t3, B, optimize=True)")
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sympy
from sympy.matrices.expressions.matexpr import MatrixExpr

from ..core.matrix_expr import Commutation, Vec
from .array_code import ArrayCode


class NotFour(Exception):
    """A factor that does not read as a 4-index tensor: the dense fallback computes it."""


@dataclass
class Factor:
    """A 4-index tensor: labels (out fast, out slow), (in fast, in slow) and its operands."""

    out: tuple[str, str]
    inp: tuple[str, str]
    operands: list[tuple[str, str]] = field(default_factory=list)  # (array, its labels)
    eyes: list[tuple[str, str]] = field(default_factory=list)  # δ between two labels
    number: sympy.Basic = sympy.S.One  # a numeric coefficient


class _Labels:
    """Fresh einsum labels, each with its size."""

    def __init__(self):
        self._pool = iter("ijklabcdefghmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
        self.size: dict[str, sympy.Basic] = {}

    def new(self, size: object) -> str:
        try:
            label = next(self._pool)
        except StopIteration:
            raise NotFour("too many indices for one einsum") from None
        self.size[label] = sympy.sympify(size)
        return label

    def pair(self, sizes: tuple) -> tuple[str, str]:
        return self.new(sizes[0]), self.new(sizes[1])


def tensor(code: ArrayCode, v: sympy.Basic, f_shape: tuple, x_shape: tuple) -> str:
    """The name of a (..., m, n, p, q) array of the vec-form matrix ``v`` of ∂F/∂X, F of
    shape ``f_shape`` (m, n), X of ``x_shape`` (p, q)."""
    sizes = [code.size(d) for d in (*f_shape, *x_shape)]
    try:
        return _einsums(code, v, tuple(f_shape), tuple(x_shape))
    except NotFour:
        return code.emit(code.op["unvec"](code.value(v), *sizes))


def _einsums(code: ArrayCode, v: sympy.Basic, out: tuple, inp: tuple) -> str:
    names = []
    for coefficient, chain in _expand(v):
        labels = _Labels()
        i, j = labels.pair(out)
        k, m = labels.pair(inp)
        f = _read(code, coefficient, chain, labels, (i, j), (k, m))
        names.append(_einsum(code, f, labels, (i, j, k, m), out + inp))
    total = names[0]
    for other in names[1:]:
        total = code.emit(f"{total} + {other}")
    return total


def _expand(e: sympy.Basic) -> list[tuple[sympy.Expr, list[MatrixExpr]]]:
    """``e`` as a sum of products: (scalar coefficient, matrix factors) per term."""
    if isinstance(e, sympy.MatAdd):
        return [t for a in e.args for t in _expand(a)]
    if isinstance(e, sympy.MatMul):
        coefficient = sympy.Mul(*[a for a in e.args if not isinstance(a, MatrixExpr)])
        terms: list[tuple[sympy.Expr, list[MatrixExpr]]] = [(coefficient, [])]
        for a in e.args:
            if isinstance(a, MatrixExpr):
                terms = [(c * d, fs + gs) for c, fs in terms for d, gs in _expand(a)]
        return terms
    if isinstance(e, sympy.Transpose) and isinstance(e.arg, sympy.MatAdd | sympy.MatMul):
        return [(c, [sympy.Transpose(f) for f in reversed(fs)]) for c, fs in _expand(e.arg)]
    return [(sympy.S.One, [e])]


def _read(code: ArrayCode, coefficient: sympy.Expr, chain: list[MatrixExpr], labels: _Labels,
          out: tuple, inp: tuple) -> Factor:
    """coefficient × the product of ``chain`` as a Factor whose pairs are the labels ``out``
    and ``inp`` (of known sizes)."""
    chain = [a for a in chain if not isinstance(a, sympy.Identity)]
    factors = [_factor(code, a, labels) for a in chain]
    if not factors:  # the identity: δ between the pairs
        f = Factor(out, inp, [], [(out[0], inp[0]), (out[1], inp[1])])
    else:
        f = factors[0]
        for g in factors[1:]:
            f = _compose(f, g, labels)
        _match(f.out, out, labels)
        _match(f.inp, inp, labels)
        f.eyes += [(f.out[0], out[0]), (f.out[1], out[1]), (f.inp[0], inp[0]),
                   (f.inp[1], inp[1])]
        f.out, f.inp = out, inp
    number, rest = coefficient.as_coeff_Mul()
    if rest != 1:
        f.operands.append((code.emit(f"{code.value(rest)}[..., 0, 0]"), ""))
    f.number = number
    return f


def _match(have: tuple, want: tuple, labels: _Labels) -> None:
    for a, b in zip(have, want, strict=True):
        if sympy.simplify(labels.size[a] - labels.size[b]) != 0:
            raise NotFour(f"index sizes {labels.size[a]} and {labels.size[b]} differ")


def _compose(f: Factor, g: Factor, labels: _Labels) -> Factor:
    """f·g: f's input pair contracted with g's output pair."""
    _match(f.inp, g.out, labels)
    return Factor(f.out, g.inp, f.operands + g.operands,
                  f.eyes + g.eyes + [(f.inp[0], g.out[0]), (f.inp[1], g.out[1])])


def _factor(code: ArrayCode, e: MatrixExpr, labels: _Labels) -> Factor:
    """One factor of a product, by the first rule of :data:`FACTORS` for its kind."""
    for kind, read in FACTORS:
        if isinstance(e, kind):
            return read(code, e, labels)
    if isinstance(e, sympy.MatMul | sympy.MatAdd):
        raise NotFour("a sum or product inside a factor")
    return _plain(code, e, labels)


def _plain(code: ArrayCode, e: MatrixExpr, labels: _Labels) -> Factor:
    """A matrix M acting on vectors: M[i, k], the slow indices of size 1."""
    i, k = labels.new(e.shape[0]), labels.new(e.shape[1])
    return Factor((i, labels.new(1)), (k, labels.new(1)), [(code.value(e), i + k)])


def _kron(code: ArrayCode, e: sympy.KroneckerProduct, labels: _Labels) -> Factor:
    if len(e.args) != 2:
        raise NotFour("a Kronecker product of more than two factors")
    slow, fast = e.args
    i, j = labels.new(fast.shape[0]), labels.new(slow.shape[0])
    k, m = labels.new(fast.shape[1]), labels.new(slow.shape[1])
    f = Factor((i, j), (k, m))
    for part, pair in ((fast, (i, k)), (slow, (j, m))):
        if isinstance(part, sympy.Identity):  # I ⊗ A, A ⊗ I: a δ, often only a renaming
            f.eyes.append(pair)
        else:
            f.operands.append((code.value(part), "".join(pair)))
    return f


def _transpose(code: ArrayCode, e: sympy.Transpose, labels: _Labels) -> Factor:
    f = _factor(code, e.arg, labels)
    return Factor(f.inp, f.out, f.operands, f.eyes)


def _diag(code: ArrayCode, e: sympy.DiagMatrix, labels: _Labels) -> Factor:
    v = e.args[0]
    inner = _vec_arg(v)
    if inner is None:
        if v.shape[1] != 1:
            raise NotFour("diag of a row")
        inner = v
    i, j = labels.new(inner.shape[0]), labels.new(inner.shape[1])
    k, m = labels.new(inner.shape[0]), labels.new(inner.shape[1])
    return Factor((i, j), (k, m), [(code.value(inner), i + j)], [(i, k), (j, m)])


def _vec(code: ArrayCode, e: MatrixExpr, labels: _Labels) -> Factor:
    inner = _vec_arg(e)
    i, j = labels.new(inner.shape[0]), labels.new(inner.shape[1])
    return Factor((i, j), (labels.new(1), labels.new(1)), [(code.value(inner), i + j)])


def _commutation(code: ArrayCode, e: Commutation, labels: _Labels) -> Factor:
    rows, cols = _commutation_dims(e)  # K vec A = vec Aᵀ for A rows × cols
    i, j = labels.new(cols), labels.new(rows)
    k, m = labels.new(rows), labels.new(cols)
    return Factor((i, j), (k, m), [], [(i, m), (j, k)])


def _vec_arg(e: sympy.Basic) -> MatrixExpr | None:
    """C where ``e`` is vec C, else None."""
    return e.arg if isinstance(e, Vec) else None


def _commutation_dims(e: Commutation) -> tuple:
    """(rows, cols) of the A whose vec the commutation matrix ``e`` turns into vec Aᵀ."""
    return tuple(e.args[:2])


def _einsum(code: ArrayCode, f: Factor, labels: _Labels, out: tuple, sizes: tuple) -> str:
    """One einsum for the factor, its output in the order ``out``; δs between a summed index
    and another become renamings."""
    rename = {}

    def find(a: str) -> str:
        while a in rename:
            a = rename[a]
        return a
    keep = []
    for a, b in f.eyes:
        a, b = find(a), find(b)
        if a == b:
            continue
        if a not in out:
            rename[a] = b
        elif b not in out:
            rename[b] = a
        else:
            keep.append((a, b))
    operands = [(name, "".join(find(c) for c in subs)) for name, subs in f.operands]
    for a, b in dict.fromkeys(keep):
        operands.append((code.op["eye"](code.size(labels.size[a])), a + b))
    present = {c for _, subs in operands for c in subs}
    missing = [c for c in out if c not in present]
    if any(sympy.sympify(labels.size[c]) != 1 for c in missing):
        raise NotFour("an output index that no array carries")
    if not operands:
        raise NotFour("a constant term")
    target = "".join(c for c in out if c in present)
    if f.number != 1:  # into the smallest operand: cheaper than a pass over the result
        first, subs = min(operands, key=lambda o: len(o[1]))
        scaled = code.emit(f"{float(f.number)!r} * {first}")
        operands[operands.index((first, subs))] = (scaled, subs)
    if all(len(set(subs)) == len(subs) for _, subs in operands) and \
            sorted(c for _, subs in operands for c in subs) == sorted(target):
        name = code.emit(_outer(code, operands, target))  # no index summed: broadcasting
    else:
        batched = [not n.startswith(("np.eye", "torch.eye", "jnp.eye")) for n, _ in operands]
        spec = ",".join(("..." if b else "") + subs for (_, subs), b in
                        zip(operands, batched, strict=True)) + \
            ("->..." if any(batched) else "->") + target
        name = code.emit(code.op["einsum"](spec, *[n for n, _ in operands]))
    if missing:
        shape = ", ".join(code.size(d) for d in sizes)
        name = code.emit(f"{name}.reshape({name}.shape[:{name}.ndim - {len(target)}] + "
                         f"({shape}))")
    return name


# node kind → its reading as a 4-index factor; anything else that is
# not a sum or a product is a plain matrix acting on vectors
def _outer(code: ArrayCode, operands: list[tuple[str, str]], target: str) -> str:
    """A product with no index summed, as broadcasting: A[i, k]·B[l, j] is
    A[..., :, None, :, None] * Bᵀ[..., None, :, None, :] (torch's einsum is slow at this)."""
    factors = []
    for name, subs in operands:
        if len(subs) == 2 and target.index(subs[0]) > target.index(subs[1]):
            name, subs = code.transpose(name), subs[::-1]
        index = ", ".join(":" if c in subs else "None" for c in target)
        factors.append(f"{name}[..., {index}]")
    return " * ".join(factors)


FACTORS: list[tuple[type, Callable[[ArrayCode, Any, _Labels], Factor]]] = [
    (sympy.KroneckerProduct, _kron),
    (sympy.Transpose, _transpose),
    (sympy.DiagMatrix, _diag),
    (Vec, _vec),
    (Commutation, _commutation),
]
