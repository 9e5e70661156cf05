"""Derivative tensors: the k-th derivative of a scalar f of n variables,
T[i₁, …, i_k] = ∂ᵏf/∂x_{i₁}⋯∂x_{i_k} (k = 1 the gradient, k = 2 the Hessian), shape (n,)·k;
for a list of m expressions one per output, shape (m,) + (n,)·k (k = 1 the Jacobian).

T is symmetric (smooth f: the order of differentiation does not matter), so each multiset
of indices is derived once, from the multiset one index shorter, and the n^k entries are
filled from those C(n + k − 1, k); :attr:`TensorResult.differentiations` counts the
``diff`` calls (all orders up to k) against the n + n² + … + n^k of a naive nesting.

>>> from symnum.core.function import Function
>>> t = derivative_tensor(Function("x**3*y"), 3)
>>> t.shape, t.distinct, t.differentiations, len(t.entries())
((2, 2, 2), 4, 9, 8)
>>> t.nested()
[[[6*y, 6*x], [6*x, 0]], [[6*x, 0], [0, 0]]]
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from dataclasses import dataclass

import sympy

from ..core.calculus import MAX_PRODUCT_TERMS, Result, partial, product_terms, tidy_result
from ..core.errors import LimitError, ShapeError, SymnumError, VariableError
from ..core.function import Function
from . import tensor_render

MAX_TENSOR_ORDER = 8
MAX_TENSOR_ENTRIES = 4096  # n^k entries laid out (the distinct ones are far fewer)


@dataclass(frozen=True)
class TensorResult(Result):
    """The k-th derivative tensor (``order`` k) of a scalar function: ``matrix`` holds the
    n^k entries row-major as n^(k−1) rows of n (shared entries are the same object);
    :meth:`nested` gives the (n,)·k nested lists. A list of m expressions has one tensor per
    output, shape (m,) + (n,)·k (order 1: the Jacobian; order 2: m Hessians).

    >>> from symnum.core.function import Function
    >>> derivative_tensor(Function("x*y*z"), 3).nested()[0][1][2]
    1
    """

    differentiations: int = 0  # diff calls made, lower orders included

    @property
    def shape(self) -> tuple[int, ...]:
        outputs = (len(self.function.outputs),) if self.function.is_vector else ()
        return outputs + (len(self.variables),) * self.order

    @property
    def noun(self) -> str:
        """What it is, in words (kernels, verify and check say it)."""
        return f"derivative tensor of order {self.order}"

    def entry_name(self, index: tuple[int, ...]) -> str:
        """T[i, j, k] as a person names it: ∂³f/∂x∂y², the variables in index order (a
        list's T[a, i, j, k]: ∂³f₂/∂x∂y²)."""
        f = "f" if not self.function.is_vector else f"f{_subscript(index[0] + 1)}"
        index = index[1:] if self.function.is_vector else index
        names = [tensor_render.shown(self.variables[i]) for i in index]
        runs = [(v, len(list(g))) for v, g in itertools.groupby(names)]
        return f"∂{tensor_render.power(self.order)}{f}/" + "".join(
            f"∂{v}{tensor_render.power(c)}" for v, c in runs)

    @property
    def distinct(self) -> int:
        """Distinct entries: multisets of k indices from n, C(n + k − 1, k), per output."""
        n, k = len(self.variables), self.order
        return len(self.function.outputs) * math.comb(n + k - 1, k)

    @property
    def naive_differentiations(self) -> int:
        """diff calls without symmetry: n + n² + … + n^k, per output."""
        n = len(self.variables)
        return len(self.function.outputs) * sum(n ** j for j in range(1, self.order + 1))

    def nested(self, entries: list | None = None) -> object:
        """Entries (or per-entry values, row-major) as nested lists of shape (n,)·k."""
        flat = list(entries) if entries is not None else self.entries()
        return nest(flat, self.shape)

    def entry_orders(self) -> list[tuple[int, tuple[int, ...]]]:
        """Per entry, row-major: (output 0, how often each variable is differentiated)."""
        n = len(self.variables)
        return [(m, tuple(index.count(i) for i in range(n)))
                for m in range(len(self.function.outputs))
                for index in itertools.product(range(n), repeat=self.order)]

    def to_json(self) -> dict[str, object]:
        """The JSON contract (expr, wrt, what, order, shape, result, definitions, latex)."""
        from ..core.render import result_json
        return result_json(self)

    # How it prints (symnum.core.render.LAYOUT_HOOKS): tensor_render's functions.
    def heading(self) -> str:
        return tensor_render.heading(self)

    def operator_latex(self, f: str) -> str:
        return tensor_render.operator_latex(self, f)

    def body_text(self) -> list[str]:
        return tensor_render.body_text(self)

    def body_latex(self, order: str | None) -> str:
        return tensor_render.body_latex(self, order)

    def value_text(self, value: object) -> str:
        return tensor_render.value_text(self, value)

    def footnote(self) -> str:
        return tensor_render.footnote(self)

    def json_extra(self) -> dict[str, object]:
        return {"distinct_entries": self.distinct, "entries": len(self.matrix),
                "differentiations": self.differentiations}


def nest(flat: list, shape: tuple[int, ...]) -> object:
    """Row-major ``flat`` as nested lists of ``shape``.

    >>> nest([1, 2, 3, 4, 5, 6, 7, 8], (2, 2, 2))
    [[[1, 2], [3, 4]], [[5, 6], [7, 8]]]
    """
    if not shape:
        return flat[0]
    if len(shape) == 1:
        return list(flat)
    step = math.prod(shape[1:])
    return [nest(flat[i * step:(i + 1) * step], shape[1:]) for i in range(shape[0])]


def derivative_tensor(f: Function, order: int) -> TensorResult:
    """T = ∇ᵏf of a scalar ``f`` (or of each output of a list): each distinct entry derived
    once (see the module)."""
    if isinstance(order, bool) or not isinstance(order, int) or \
            not 1 <= order <= MAX_TENSOR_ORDER:
        raise SymnumError(f"a derivative tensor's order must be a whole number from 1 to "
                          f"{MAX_TENSOR_ORDER}, got {order!r}")
    if f.is_matrix_calculus:
        raise ShapeError("derivative tensors take scalar variables, not declared shapes")
    if not f.variables:
        raise VariableError("the expression has no variables: say which with wrt")
    n, m = len(f.variables), len(f.outputs)
    if m * n ** order > MAX_TENSOR_ENTRIES:
        raise LimitError(f"the tensor of order {order} in {n} variables has {m * n ** order:,} "
                         f"entries (limit {MAX_TENSOR_ENTRIES:,}): use fewer variables or a "
                         "lower order")
    terms = product_terms(f, "derivative", order) * math.comb(n + order - 1, order)
    if terms > MAX_PRODUCT_TERMS:
        raise LimitError(f"the tensor would hold about {terms:,} factors of products written "
                         f"out (limit {MAX_PRODUCT_TERMS:,}): use fewer variables")
    derived: dict[tuple[int, ...], sympy.Expr] = {}

    def entry(index: tuple[int, ...]) -> sympy.Expr:  # (output, sorted indices): one per multiset
        if index not in derived:
            derived[index] = f.outputs[index[0]] if len(index) == 1 else \
                partial(entry(index[:-1]), f.variables[index[-1]])
        return derived[index]

    distinct = [(a, *index) for a in range(m)
                for index in itertools.combinations_with_replacement(range(n), order)]
    column = sympy.ImmutableMatrix([entry(index) for index in distinct])
    # made readable (and given shared definitions) as the distinct entries alone, then laid out
    tidy = tidy_result("tensor", f, column, order, cls=TensorResult)
    position = {index: k for k, index in enumerate(distinct)}
    flat = [tidy.matrix[position[(a, *sorted(index))]] for a in range(m)
            for index in itertools.product(range(n), repeat=order)]
    return dataclasses.replace(tidy, matrix=sympy.ImmutableMatrix(m * n ** (order - 1), n, flat),
                               differentiations=len(derived) - m)


def _subscript(k: int) -> str:
    return str(k).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))
