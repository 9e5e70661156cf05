"""How a kernel's output values become its result array of shape ``batch + shape``.

Most results stack one value per entry (:class:`Stacked`). A symmetric n×n matrix whose
off-diagonal entries are c·uᵢ·uⱼ (the Hessian of g(h₁(x₁) + … + hₙ(xₙ)) + Σ kᵢ(xᵢ):
log-sum-exp, log of a sum of squares, a norm, one example's logistic loss) is one batched outer
product plus its diagonal (:class:`RankOne`): the program computes 2n + 1 values instead of
n(n+1)/2, and the result's memory is written in one pass instead of n² strided ones.

>>> x, y, z = sympy.symbols("x y z")
>>> layout = layout_for(list(sympy.hessian(sympy.log(x**2 + y**2 + z**2), (x, y, z))), (3, 3))
>>> type(layout).__name__, layout.outputs[1:4]
('RankOne', [x, y, z])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import sympy

from .memory import huge_pages
from .outer import outer_into
from .workspace import Workspace

STACK_ROWS_MIN = 8  # entries from which values are stacked as rows, then transposed
RANK_ONE_MIN_SIZE = 3  # c·uᵢ·uⱼ is read off three entries (i, j), (i, k), (j, k)

Powers = dict[sympy.Basic, sympy.Rational]  # a product as base → exponent


@dataclass(frozen=True)
class Arrays:
    """One call's array functions: the backend, the result's dtype and device. ``eager``:
    new results may be written with ``out=`` (not while autograd records, nor while
    torch.compile traces)."""

    torch: bool
    dtype: object
    device: object = None
    eager: bool = False
    scratch: Workspace | None = None  # where intermediate arrays come from (and go back to)
    lent: list = field(default_factory=list)  # the scratch arrays this call took

    def temporary(self, shape: tuple[int, ...]) -> object:
        """An uninitialised intermediate array, from the scratch pool when there is one (a
        fresh array of megabytes costs page faults on every call); :meth:`give_back` returns
        it once the result is written."""
        if self.scratch is None:
            return self.new(shape)
        array = self.scratch.empty(shape, self.dtype, self.device, self.torch)
        self.lent.append(array)
        return array

    def give_back(self) -> None:
        """Return the intermediate arrays taken by :meth:`temporary` to the pool."""
        while self.lent and self.scratch is not None:
            self.scratch.give(self.lent.pop())

    @property
    def numpy(self) -> bool:
        """numpy arrays (values at one point may be stacked as plain numbers)."""
        return not self.torch

    def full(self, value: object, batch: tuple[int, ...]) -> object:
        """``value`` (array or number) broadcast to ``batch``, on the device."""
        if self.torch:
            import torch
            if not (torch.is_tensor(value) and value.device == self.device):
                value = torch.as_tensor(value, device=self.device, dtype=value.dtype if
                                        torch.is_tensor(value) else self.dtype)
            return torch.broadcast_to(value, batch)
        import numpy as np
        return np.broadcast_to(np.asarray(value), batch)

    def stack(self, values: Sequence[object], batch: tuple[int, ...], out: object = None,
              axis: int = -1):
        """The values broadcast to ``batch`` and stacked on a last (or the given) axis."""
        full = [self.full(v, batch) for v in values]
        if self.torch:
            import torch
            return torch.stack(full, dim=axis, out=out)
        import numpy as np
        return np.stack(full, axis=axis, out=out)

    def copy(self, target: object, source: object) -> None:
        """``source`` (broadcast) written into ``target``."""
        if self.torch:
            target.copy_(source)
        else:
            import numpy as np
            np.copyto(target, source)

    def transpose_into(self, rows: object, target: object) -> object:
        """``rows`` (contiguous, shape (k,) + batch) copied into ``target`` (contiguous,
        batch + (k,)): one blocked transposition, where stacking k values straight onto a last
        axis writes k strided columns, each through every cache line of the result."""
        k = rows.shape[0]
        source, dest = rows.reshape((k, -1)).T, target.reshape((-1, k))
        if self.torch:
            dest.copy_(source)
        else:
            import numpy as np
            np.copyto(dest, source)
        return target

    def new(self, shape: tuple[int, ...]) -> object:
        """An uninitialised array (huge pages for a big torch one, as numpy does itself); a
        call's result on the CPU comes from the scratch pool's recycled results
        (:meth:`Workspace.result`)."""
        if self.eager and self.scratch is not None and \
                (not self.torch or getattr(self.device, "type", None) == "cpu"):
            return self.scratch.result(shape, self.dtype, self.torch)
        if self.torch:
            import torch
            return huge_pages(torch.empty(shape, dtype=self.dtype, device=self.device))
        import numpy as np
        return np.empty(shape, dtype=self.dtype)

    def zeros(self, shape: tuple[int, ...]) -> object:
        if self.torch:
            import torch
            return torch.zeros(shape, dtype=self.dtype, device=self.device)
        import numpy as np
        return np.zeros(shape, dtype=self.dtype)

    def root_and_sign(self, c: object) -> tuple[object, object | None]:
        """(r, s) with c = s·r² and s = ±1 or 0; s is None (meaning 1) for complex c."""
        if self.torch:
            import torch
            c = torch.as_tensor(c)
            return (torch.sqrt(c), None) if c.is_complex() else \
                (torch.sqrt(torch.abs(c)), torch.sign(c))
        import numpy as np
        c = np.asarray(c)
        return (np.sqrt(c), None) if np.iscomplexobj(c) else (np.sqrt(np.abs(c)), np.sign(c))

    def where_diagonal(self, n: int, diagonal: object, elsewhere: object) -> object:
        """n×n matrices (batched like ``diagonal``, shape batch + (n,)) holding ``diagonal``
        on their diagonals and ``elsewhere`` (broadcast) off them."""
        if self.torch:
            import torch
            eye = torch.eye(n, dtype=torch.bool, device=self.device)
            return torch.where(eye, diagonal[..., :, None], elsewhere)
        import numpy as np
        return np.where(np.eye(n, dtype=bool), diagonal[..., :, None], elsewhere)

    def multiply(self, a: object, b: object, out: object = None) -> object:
        if self.torch:
            import torch
            return torch.mul(a, b, out=out)
        import numpy as np
        return np.multiply(a, b, out=out)


@dataclass(frozen=True)
class Rows:
    """A scratch array of shape (outputs,) + batch and a view of each of its rows."""

    block: object
    views: list

    def targets(self, slots: Sequence[int]) -> dict[int, object]:
        """The program's output slots → the row each writes into (a slot that is several
        outputs writes the first; the others are copies)."""
        found: dict[int, object] = {}
        for slot, view in zip(slots, self.views, strict=True):
            found.setdefault(slot, view)
        return found


class Stacked:
    """One output value per entry, stacked on a last axis and reshaped."""

    def __init__(self, entries: Sequence[object], shape: tuple[int, ...]):
        self.outputs = list(entries)
        self.shape = shape

    def expand(self, values: Sequence[object]) -> Sequence[object]:
        """The values of the outputs, one per entry of the result: the same here."""
        return values

    def rows(self, batch: tuple[int, ...], arrays: Arrays) -> Rows | None:
        """A scratch array with one row (shaped like the batch) per output, that the
        program may write its outputs straight into; None where the values are stacked
        directly (few entries, one point) or repeat into place (:class:`Gathered`)."""
        if type(self) is not Stacked or not batch or len(self.outputs) < STACK_ROWS_MIN:
            return None
        block = arrays.temporary((len(self.outputs),) + batch)
        return Rows(block, [block[i] for i in range(len(self.outputs))])

    def assemble(self, values: list, batch: tuple[int, ...], arrays: Arrays,
                 out: object = None, rows: Rows | None = None) -> object:
        """The result (into ``out`` when given); ``rows`` (from :meth:`rows`): values the
        program wrote into them are there already, the others are copied in."""
        if not values:
            return arrays.zeros(batch + self.shape) if out is None else out
        if batch == () and out is None and arrays.numpy:  # one point: nothing to broadcast
            import numpy as np
            return np.array(values).reshape(self.shape)
        flat = batch + (len(values),)
        target = out.reshape(flat) if out is not None else \
            arrays.new(flat) if arrays.eager and batch else None
        if target is not None and arrays.eager and batch and len(values) >= STACK_ROWS_MIN:
            if rows is not None and any(v is r for v, r in zip(values, rows.views,
                                                              strict=True)):
                for v, r in zip(values, rows.views, strict=True):
                    if v is not r:  # not written by its step: a number, a repeat, no out=
                        arrays.copy(r, arrays.full(v, batch))
                block = rows.block
            else:
                block = arrays.stack(values, batch, arrays.temporary((len(values),) + batch), 0)
            stacked = arrays.transpose_into(block, target)
        else:
            stacked = arrays.stack(values, batch, target)
        return stacked.reshape(batch + self.shape) if out is None else out


class Gathered(Stacked):
    """A result whose entries repeat (a symmetric derivative tensor: C(n + k − 1, k) distinct
    entries of n^k): the program computes each distinct entry once, and the values are
    stacked into place.

    >>> x, y = sympy.symbols("x y")
    >>> layout = layout_for([x, y, y, x, y, x, x, y], (2, 2, 2))
    >>> type(layout).__name__, layout.outputs, layout.expand(["a", "b"])[:4]
    ('Gathered', [x, y], ['a', 'b', 'b', 'a'])
    """

    def __init__(self, entries: Sequence[object], shape: tuple[int, ...]):
        distinct = list(dict.fromkeys(entries))
        position = {e: k for k, e in enumerate(distinct)}
        super().__init__(distinct, shape)
        self.index = [position[e] for e in entries]

    def expand(self, values: Sequence[object]) -> list:
        """The distinct entries' values, one per entry of the result (row-major)."""
        return [values[k] for k in self.index]

    def assemble(self, values: list, batch: tuple[int, ...], arrays: Arrays,
                 out: object = None) -> object:
        return super().assemble(self.expand(values), batch, arrays, out)


GATHER_MIN_RANK = 3  # tensors of order 3 and more; Hessians keep Stacked or RankOne


class RankOne:
    """A symmetric n×n result with entries (i, j), i ≠ j, equal to c·uᵢ·uⱼ: the outputs are
    ``[c, u₁ … uₙ, diagonal₁ … diagonalₙ]``. ``c = 0`` is a diagonal matrix."""

    def __init__(self, n: int, c: sympy.Basic, u: Sequence[sympy.Basic],
                 diagonal: Sequence[sympy.Basic]):
        self.n = n
        self.shape = (n, n)
        self.diagonal_only = c == 0
        self.outputs = [c, *u, *diagonal]

    def assemble(self, values: list, batch: tuple[int, ...], arrays: Arrays,
                 out: object = None) -> object:
        n = self.n
        c, u, diagonal = values[0], values[1:n + 1], values[n + 1:]
        # eager: every intermediate written into a scratch array, then the result chunk by
        # chunk (products, then diagonal) in one pass (:mod:`symnum.kernels.outer`)
        eager = out is not None or arrays.eager
        vectors = batch + (n,)
        along = arrays.stack(diagonal, batch, arrays.temporary(vectors) if eager else None)
        signed = vector = None
        if not self.diagonal_only:
            # c·uᵢ·uⱼ as (s·vᵢ)·vⱼ with v = √|c|·u, s = sign c: (c·uᵢ)·uⱼ would round
            # differently from (c·uⱼ)·uᵢ, and a Hessian must come out exactly symmetric
            root, sign = arrays.root_and_sign(arrays.full(c, batch))
            stacked = arrays.stack(u, batch, arrays.temporary(vectors) if eager else None)
            vector = arrays.multiply(stacked, root[..., None], stacked if eager else None)
            signed = vector if sign is None else arrays.multiply(
                vector, sign[..., None], arrays.temporary(vectors) if eager else None)
        if not eager:  # one expression: autograd and inductor fuse it
            product = 0.0 if vector is None else signed[..., :, None] * vector[..., None, :]
            return arrays.where_diagonal(n, along, product)
        result = out if out is not None else arrays.new(batch + self.shape)
        return outer_into(result, signed, vector, along)


def layout_for(entries: Sequence[object], shape: tuple[int, ...]) -> Stacked | RankOne:
    """:class:`RankOne` where the entries (SymPy, row by row) have that form, :class:`Gathered`
    for a tensor whose entries repeat, else :class:`Stacked`."""
    if len(shape) >= GATHER_MIN_RANK and all(isinstance(e, sympy.Basic) for e in entries) \
            and len(set(entries)) < len(entries):
        return Gathered(entries, shape)
    if len(shape) == 2 and shape[0] == shape[1] >= RANK_ONE_MIN_SIZE and \
            all(isinstance(e, sympy.Basic) for e in entries):
        found = _rank_one(list(entries), shape[0])
        if found is not None:
            return found
    return Stacked(entries, shape)


def _rank_one(entries: list[sympy.Basic], n: int) -> RankOne | None:
    """The c, u of off-diagonal entries c·uᵢ·uⱼ, read exactly off their numbers and factors
    (base → exponent maps), or None. The candidate comes from the entries (0,1), (0,2),
    (1,2) and (i,0), (i,1); every other entry is then checked, stopping at the first that
    differs, so a matrix without the form costs a few factorisations."""
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
    if any(entries[i * n + j] != entries[j * n + i] for i, j in pairs):
        return None
    diagonal = [entries[i * n + i] for i in range(n)]
    zero = [entries[i * n + j] == 0 for i, j in pairs]
    if all(zero):
        return RankOne(n, sympy.S.Zero, [sympy.S.One] * n, diagonal)
    if any(zero):
        return None
    found: dict[tuple[int, int], tuple[sympy.Basic, Powers]] = {}

    def factors(i: int, j: int) -> tuple[sympy.Basic, Powers]:
        key = (min(i, j), max(i, j))
        if key not in found:
            found[key] = _factors(entries[key[0] * n + key[1]])
        return found[key]

    def number(i: int, j: int) -> sympy.Basic:
        return factors(i, j)[0]

    def exponent(i: int, j: int, base: sympy.Basic) -> sympy.Basic:
        return factors(i, j)[1].get(base, sympy.S.Zero)

    # the numbers are κ·aᵢ·aⱼ: take a₀ = 1, then aⱼ = number(0, j)/κ and
    # κ = number(0, 1)·number(0, 2)/number(1, 2)
    kappa = number(0, 1) * number(0, 2) / number(1, 2)
    scales = [sympy.S.One] + [number(0, j) / kappa for j in range(1, n)]
    others = [(1, 2), (0, 2)] + [(0, 1)] * (n - 2)
    u: list[Powers] = [{} for _ in range(n)]
    common: Powers = {}
    for base in set().union(*(factors(i, j)[1] for i, (j, _) in enumerate(others)),
                            factors(1, 2)[1]):
        # e(i,j) = e_c + e_i + e_j, so (e(i,j) + e(i,k) - e(j,k))/2 = e_i + e_c/2
        half = [(exponent(i, j, base) + exponent(i, k, base) - exponent(j, k, base)) / 2
                for i, (j, k) in enumerate(others)]
        split = _split(half, exponent(0, 1, base))
        if split is None:
            return None
        e_c, e_u = split
        if e_c:
            common[base] = e_c
        for i, e in enumerate(e_u):
            if e:
                u[i][base] = e
    for i, j in pairs:
        if factors(i, j)[1] != _combined(common, _combined(u[i], u[j], 1), 1) or \
                number(i, j) != kappa * scales[i] * scales[j]:
            return None
    c = kappa * _product(common)
    return RankOne(n, c, [a * _product(p) for a, p in zip(scales, u, strict=True)], diagonal)


def _split(half: list[sympy.Rational], first: sympy.Rational
           ) -> tuple[sympy.Rational, list[sympy.Rational]] | None:
    """One base's exponents (e_c, [e_1 … e_n]) from eᵢ + e_c/2 (``half``) and e(0,1)
    (``first``): the eᵢ are fixed up to a shift taken from c. Tried: the least eᵢ as 0 (c
    holds what every entry shares), then the largest. Accepted when every eᵢ is an integer
    (a fractional power of a base that may be negative is not real) and no two exponents
    have opposite signs (c·uᵢ would multiply and divide by the base: 0/0 where it is 0)."""
    for shift in (min(half), max(half)):
        e_u = [h - shift for h in half]
        e_c = first - e_u[0] - e_u[1]
        signs = {e > 0 for e in [e_c, *e_u] if e != 0}
        if all(e.is_integer for e in e_u) and len(signs) <= 1:
            return e_c, e_u
    return None


def _factors(expr: sympy.Basic) -> tuple[sympy.Basic, Powers]:
    """expr as (numeric coefficient, {base: rational exponent}), common factors of a sum
    pulled out first; exp(x) is its own base, and exp(a + b) stays one (as two factors it
    could overflow where it does not as one)."""
    if expr.is_Add:  # a sum of terms with common factors: pull them out (a product)
        expr = sympy.factor_terms(expr)
    coefficient, rest = expr.as_coeff_Mul()
    powers: Powers = {}
    for factor in sympy.Mul.make_args(rest):
        base, exponent = (factor.base, factor.exp) if factor.is_Pow and \
            factor.exp.is_Rational else (factor, sympy.S.One)
        if base != 1:
            powers[base] = powers.get(base, sympy.S.Zero) + exponent
    return coefficient, {b: e for b, e in powers.items() if e != 0}


def _combined(a: Powers, b: Powers, sign: int) -> Powers:
    """a·b (sign 1) or a/b (sign -1) as exponent maps."""
    total = dict(a)
    for base, exponent in b.items():
        total[base] = total.get(base, sympy.S.Zero) + sign * exponent
    return {base: e for base, e in total.items() if e != 0}


def _product(powers: Powers) -> sympy.Basic:
    return sympy.Mul(*(base**exponent for base, exponent in powers.items()))
