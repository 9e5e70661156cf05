"""The index form of a derivative: ∂F_ij/∂X_kl as sums of products of entries and δ's.

Built alongside the vec form by :mod:`symnum.matrix.linear`: each term holds a number or
scalar coefficient, entries A_ab of matrices, Kronecker deltas δ_ab and the indices summed
over. Placeholders stand for F's indices (i, j) and X's (k, l) until the term is placed in a
larger product; deltas with a summed index are used up (Σ_a A_ia δ_ak = A_ik). An index of a
dimension of size 1 (a vector's column) is left out when printed.

>>> import sympy
>>> n = sympy.Symbol("n", integer=True)
>>> A, B = sympy.MatrixSymbol("A", n, n), sympy.MatrixSymbol("B", n, n)
>>> form = IndexForm((IndexTerm.variable(),)).between(A, B).finished((n, n), (n, n))
>>> [(str(m), i, j) for m, i, j in form.terms[0].factors]
[('A', i, k), ('B', l, j)]
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace

import sympy
from sympy.matrices.expressions.matexpr import MatrixExpr

R, C, K, L = (sympy.Symbol(f"_{name}") for name in "RCKL")  # placeholders
ZERO = sympy.Integer(0)  # the index of a dimension of size 1
_counter = itertools.count()


def _fresh() -> sympy.Symbol:
    return sympy.Symbol(f"_s{next(_counter)}")


def entry(m: sympy.Basic, row: sympy.Basic, col: sympy.Basic) -> tuple[list, list]:
    """The factors and deltas of the entry m_row,col: (Aᵀ)_ab = A_ba, 𝐈_ab = δ_ab, 𝟏_ab = 1."""
    if isinstance(m, sympy.Inverse) and isinstance(m.arg, sympy.Transpose):
        m = sympy.Transpose(sympy.Inverse(m.arg.arg))
    if isinstance(m, sympy.Transpose):
        return entry(m.arg, col, row)
    if isinstance(m, sympy.Identity):
        return [], [(row, col)]
    if isinstance(m, sympy.OneMatrix):
        return [], []
    if isinstance(m, sympy.MatMul):
        number, rest = sympy.S.One, []
        for a in m.args:
            if isinstance(a, MatrixExpr):
                rest.append(a)
            else:
                number *= a
        if number != 1:
            factors, deltas = entry(sympy.MatMul(*rest) if len(rest) > 1 else rest[0], row, col)
            return [(number, None, None), *factors], deltas
        if all(a.shape[1] == 1 for a in rest[:-1]):  # an outer product: (u vᵀ)_ij = u_i v_j
            found: tuple[list, list] = ([], [])
            for k, a in enumerate(rest):
                f, d = entry(a, row if k == 0 else ZERO, col if k == len(rest) - 1 else ZERO)
                found[0].extend(f)
                found[1].extend(d)
            return found
    return [(m, row, col)], []


@dataclass(frozen=True)
class IndexTerm:
    """coefficient · Π factors · Π δ, summed over ``summed``."""

    coefficient: sympy.Basic = sympy.S.One
    factors: tuple = ()  # (matrix, row index, column index); (scalar, None, None)
    deltas: tuple = ()  # (index, index)
    summed: tuple = ()

    @staticmethod
    def variable(transposed: bool = False) -> IndexTerm:
        """∂(dX)_ij/∂X_kl = δ_ik δ_jl (δ_il δ_jk for dXᵀ)."""
        return IndexTerm(deltas=((R, L), (C, K)) if transposed else ((R, K), (C, L)))

    @staticmethod
    def outer(h: sympy.Basic, g: sympy.Basic) -> IndexTerm:
        """tr(Gᵀ dX)·H: H_ij G_kl."""
        fh, dh = entry(h, R, C)
        fg, dg = entry(g, K, L)
        return IndexTerm(factors=tuple(fh + fg), deltas=tuple(dh + dg))

    def renamed(self, names: dict) -> IndexTerm:
        def rename(i):
            return names.get(i, i)
        return IndexTerm(self.coefficient,
                         tuple((m, rename(r), rename(c)) for m, r, c in self.factors),
                         tuple((rename(a), rename(b)) for a, b in self.deltas),
                         tuple(rename(s) for s in self.summed))


@dataclass(frozen=True)
class IndexForm:
    """A sum of :class:`IndexTerm`; ``shapes`` (F's, X's) once :meth:`finished`."""

    terms: tuple[IndexTerm, ...]
    shapes: tuple = ()

    def _each(self, change) -> IndexForm:
        return replace(self, terms=tuple(change(t) for t in self.terms))

    def transposed(self) -> IndexForm:
        """Mᵀ: the output indices swapped."""
        return self._each(lambda t: t.renamed({R: C, C: R}))

    def hadamard(self, c: sympy.Basic) -> IndexForm:
        """C ⊙ M: times C_ij."""
        factors, deltas = entry(c, R, C)

        def times(t: IndexTerm) -> IndexTerm:
            return replace(t, factors=tuple(factors) + t.factors, deltas=tuple(deltas) + t.deltas)
        return self._each(times)

    def between(self, a: sympy.Basic, b: sympy.Basic) -> IndexForm:
        """A·M·B: Σ_uv A_iu M_uv B_vj (no sum over a dimension of size 1)."""
        def place(t: IndexTerm) -> IndexTerm:
            u = ZERO if a.shape[1] == 1 else _fresh()
            v = ZERO if b.shape[0] == 1 else _fresh()
            inner = t.renamed({R: u, C: v})
            fa, da = entry(a, R, u)
            fb, db = entry(b, v, C)
            summed = tuple(s for s in (u, v) if s != ZERO) + inner.summed
            return IndexTerm(inner.coefficient, tuple(fa) + inner.factors + tuple(fb),
                             tuple(da) + inner.deltas + tuple(db), summed)
        return self._each(place)

    def scaled(self, c: sympy.Basic) -> IndexForm:
        return self if c == 1 else self._each(lambda t: replace(t, coefficient=c * t.coefficient))

    def finished(self, out_shape: tuple, in_shape: tuple) -> IndexForm:
        """Placeholders as i, j, k, l (left out where a dimension is 1), deltas used up."""
        i, j, k, l_ = sympy.symbols("i j k l")
        names = {R: ZERO if out_shape[0] == 1 else i, C: ZERO if out_shape[1] == 1 else j,
                 K: ZERO if in_shape[0] == 1 else k, L: ZERO if in_shape[1] == 1 else l_}
        terms = [_contract(t.renamed(names)) for t in self.terms]
        terms = [t for t in terms if t is not None]
        letters = iter("abcdefghmnopqrstuvw")
        out = []
        for t in terms:
            dummies = {s: sympy.Symbol(next(letters)) for s in t.summed}
            out.append(t.renamed(dummies))
            letters = iter("abcdefghmnopqrstuvw")
        return IndexForm(tuple(out), (tuple(out_shape), tuple(in_shape)))

    def each_part(self, change) -> IndexForm:
        """Every coefficient and factor changed (as printed: σ forms, s for softmax(x))."""
        return self._each(lambda t: replace(
            t, coefficient=change(t.coefficient),
            factors=tuple((change(m), r, c) for m, r, c in t.factors)))

    def collected(self) -> IndexForm:
        """Equal terms added up (X_ij δ_ik δ_jl twice: 2 X_ij δ_ik δ_jl)."""
        totals: dict = {}
        for t in self.terms:
            key = (t.factors, t.deltas, t.summed)
            totals[key] = totals.get(key, 0) + t.coefficient
        return replace(self, terms=tuple(IndexTerm(c, *key) for key, c in totals.items()
                                         if c != 0))


def _contract(t: IndexTerm) -> IndexTerm | None:
    """Use up each δ with a summed index; None for a term that is 0 (δ of 0 and 1)."""
    deltas, summed = list(t.deltas), list(t.summed)
    changed = True
    while changed:
        changed = False
        for n, (a, b) in enumerate(deltas):
            if a == b:
                deltas.pop(n)
                changed = True
                break
            gone, kept = (a, b) if a in summed else (b, a) if b in summed else (None, None)
            if gone is not None:
                deltas.pop(n)
                summed.remove(gone)
                t = IndexTerm(t.coefficient, t.factors, tuple(deltas), tuple(summed)) \
                    .renamed({gone: kept})
                deltas, summed = list(t.deltas), list(t.summed)
                changed = True
                break
    scalars = [m for m, row, _ in t.factors if row is None]
    factors = tuple(f for f in t.factors if f[1] is not None)
    return IndexTerm(sympy.Mul(t.coefficient, *scalars), factors, tuple(deltas), tuple(summed))
