"""Hessians assembled as one batched outer product plus a diagonal (``RankOne``), the plain
stacked layout where that form does not hold, and the two programs' shared exponentials.
Values are checked against mpmath finite differences and torch.func, never against symnum."""

from __future__ import annotations

import numpy as np
import pytest
import sympy
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import symnum
from symnum.kernels.assembly import RankOne, Stacked, layout_for
from symnum.kernels.memory import huge_pages
from symnum.kernels.program import Program

from .oracle import close, partial

BACKENDS = ["numpy", "torch"]
OUTER = {"log": "log({})", "square": "({})**2", "sqrt": "sqrt(1 + ({})**2)", "tanh": "tanh({})",
         "inverse": "1/(2 + ({})**2)", "exp": "exp(({})/4)"}
INNER = {"exp": "exp({})", "square": "{}**2", "sin": "sin({})", "soft": "log(1 + {}**2)",
         "linear": "3*{}", "cube": "{}**3/5"}
SEPARATE = ["", "cos({})", "{}**4/7", "exp(-{})"]


def _hessian_oracle(text: str, names: list[str], point: list[float], i: int, j: int) -> float:
    symbols = sympy.symbols(names)
    expr = sympy.sympify(text, locals=dict(zip(names, symbols, strict=True)))
    orders = [int(k == i) + int(k == j) for k in range(len(names))]
    return partial(expr, symbols, point, orders)


def _composite(outer: str, inner: list[str], separate: list[str], names: list[str]) -> str:
    """g(h₁(x₁) + … + hₙ(xₙ)) + Σ kᵢ(xᵢ): the form whose Hessian is diagonal + rank one."""
    total = " + ".join(INNER[h].format(v) for h, v in zip(inner, names, strict=True))
    extra = [k.format(v) for k, v in zip(separate, names, strict=True) if k]
    inner_sum = "1 + " + total if outer == "log" else total
    return " + ".join([OUTER[outer].format(inner_sum)] + extra)


def _draw_composite(data: st.DataObject, outer: str, n: int) -> tuple[str, list[str]]:
    inner = data.draw(st.lists(st.sampled_from(sorted(INNER)), min_size=n, max_size=n))
    if outer == "log":  # keep the logarithm's argument positive: squares and exponentials
        inner = [h if h in ("exp", "square", "soft") else "square" for h in inner]
    # SymPy and symengine write exp(a)·exp(b) as exp(a + b) and exp(log(b)/4) as b**(1/4):
    # such entries stay stacked (see below), so at most one exponential meets another, and
    # none meets a logarithm (log-sum-exp's stable form keeps its exponentials apart and is
    # tested on its own)
    if outer == "exp":
        inner = [h if h not in ("exp", "soft") else "square" for h in inner]
    inner = [h if h != "exp" or "exp" not in inner[:i] else "soft" for i, h in enumerate(inner)]
    separate = data.draw(st.lists(st.sampled_from(SEPARATE), min_size=n, max_size=n))
    names = [f"x{i}" for i in range(n)]
    return _composite(outer, inner, separate, names), names


@settings(max_examples=12, deadline=None, derandomize=True)
@given(outer=st.sampled_from(sorted(OUTER)), n=st.integers(3, 5), data=st.data())
def test_composites_of_sums_read_as_rank_one_exactly(outer, n, data):
    """On SymPy's own Hessian: c·uᵢ·uⱼ equals each off-diagonal entry at random points."""
    text, names = _draw_composite(data, outer, n)
    symbols = sympy.symbols(names)
    expr = sympy.sympify(text, locals=dict(zip(names, symbols, strict=True)))
    entries = list(sympy.hessian(expr, symbols))
    layout = layout_for(entries, (n, n))
    assert isinstance(layout, RankOne), text
    c, u = layout.outputs[0], layout.outputs[1:n + 1]
    assert layout.outputs[n + 1:] == [entries[i * n + i] for i in range(n)]
    for point in np.random.default_rng(n).uniform(-0.9, 0.9, size=(2, n)):
        at = dict(zip(symbols, point, strict=True))
        for i in range(n):
            for j in range(i + 1, n):
                product = (c * u[i] * u[j]).evalf(30, subs=at)
                assert close(float(product), float(entries[i * n + j].evalf(30, subs=at)),
                             1e-12), (text, i, j)


@settings(max_examples=6, deadline=None, derandomize=True)
@given(outer=st.sampled_from(sorted(OUTER)), data=st.data(),
       backend=st.sampled_from(BACKENDS))
def test_rank_one_kernels_of_ten_variables_match_mpmath(outer, data, backend):
    """Ten variables: the fast path's Hessian (no simplification, so its form is fixed)."""
    text, names = _draw_composite(data, outer, 10)
    k = symnum.kernel(text, wrt=",".join(names), what="hessian", backend=backend)
    assert isinstance(k.layout, RankOne), text
    points = np.random.default_rng(10).uniform(-0.9, 0.9, size=(2, 10))
    got = np.asarray(k(*points.T))
    assert got.shape == (2, 10, 10)
    np.testing.assert_array_equal(got, np.swapaxes(got, 1, 2))  # exactly symmetric
    for b, point in enumerate(points):
        for i, j in [(0, 1), (3, 8), (9, 2), (4, 4), (7, 7)]:
            expected = _hessian_oracle(text, names, list(point), i, j)
            assert close(float(got[b, i, j]), expected, 1e-8), (text, b, i, j)


@settings(max_examples=1, deadline=None, derandomize=True)  # ~10 s each: simplified Hessians
@given(outer=st.sampled_from(sorted(OUTER)), n=st.integers(3, 4), data=st.data(),
       backend=st.sampled_from(BACKENDS))
def test_small_composite_kernels_match_mpmath(outer, n, data, backend):
    """Whichever layout the simplified entries allow, the values are the Hessian's."""
    text, names = _draw_composite(data, outer, n)
    k = symnum.kernel(text, wrt=",".join(names), what="hessian", backend=backend)
    point = list(np.random.default_rng(n).uniform(-0.9, 0.9, size=n))
    got = np.asarray(k(*point))
    for i in range(n):
        for j in range(i, n):
            expected = _hessian_oracle(text, names, point, i, j)
            assert close(float(got[i, j]), expected, 1e-8), (text, i, j)
            assert got[j, i] == got[i, j]


@pytest.mark.parametrize("text", ["x*y*z + x**2*y", "(x + y)**2 + (y + z)**3",
                                  "exp(x*y) + sin(y + z) + x*z", "x*y + sin(y*z) + z*x",
                                  # entries exp(S/4 + z)·…: an exponential of a sum is not split
                                  # (exp(a)·exp(b) can overflow where exp(a + b) does not)
                                  "exp((x**3 + y**3 + exp(z))/4)",
                                  # exp(log(1 + z**2)/4) becomes (1 + z**2)**(1/4): c would
                                  # hold a power that u divides by again
                                  "exp((x**3 + y**3 + log(1 + z**2))/4)"])
def test_hessians_without_that_form_stay_stacked_and_correct(text):
    names = ["x", "y", "z"]
    k = symnum.kernel(text, wrt="x,y,z", what="hessian", backend="numpy")
    assert isinstance(k.layout, Stacked)
    point = [0.3, -0.7, 1.1]
    got = k(*point)
    for i in range(3):
        for j in range(3):
            assert close(float(got[i, j]), _hessian_oracle(text, names, point, i, j), 1e-8)


def test_one_pair_off_the_pattern_is_enough_to_refuse_it():
    x, y, z, w = symbols = sympy.symbols("x y z w")

    def matrix(entry):
        return [entry(a, b) if i != j else a**3 for i, a in enumerate(symbols)
                for j, b in enumerate(symbols)]

    def rank_one(a, b):
        return 2 * a * b / (x + y + z + w)

    assert isinstance(layout_for(matrix(rank_one), (4, 4)), RankOne)
    for odd in (lambda a, b: rank_one(a, b) + (1 if {a, b} == {z, w} else 0),
                lambda a, b: rank_one(a, b) * (w if {a, b} == {z, w} else 1),
                lambda a, b: rank_one(a, b) * (3 if {a, b} == {x, y} else 1)):
        assert isinstance(layout_for(matrix(odd), (4, 4)), Stacked)
    unsymmetric = matrix(rank_one)
    unsymmetric[1] = unsymmetric[1] + x  # entry (0, 1) differs from (1, 0)
    assert isinstance(layout_for(unsymmetric, (4, 4)), Stacked)


@pytest.mark.parametrize("backend", BACKENDS)
def test_separable_functions_give_a_diagonal(backend):
    text = "sin(x) + y**3 + exp(z) + log(1 + w**2)"
    k = symnum.kernel(text, wrt="x,y,z,w", what="hessian", backend=backend)
    assert isinstance(k.layout, RankOne) and k.layout.diagonal_only
    x = np.linspace(-1, 1, 5)
    got = np.asarray(k(x, 2 * x, x + 0.5, x - 0.25))
    expected = np.zeros((5, 4, 4))
    for b in range(5):
        point = [x[b], 2 * x[b], x[b] + 0.5, x[b] - 0.25]
        for i in range(4):
            expected[b, i, i] = _hessian_oracle(text, ["x", "y", "z", "w"], point, i, i)
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-12)


def _lse(n: int) -> tuple[str, list[str]]:
    names = [f"x{i}" for i in range(n)]
    return f"log({' + '.join(f'exp({v})' for v in names)})", names


@pytest.mark.parametrize("scale", [1.0, 900.0])
def test_log_sum_exp_hessian_matches_torch_func_at_extremes(scale):
    text, names = _lse(6)
    k = symnum.kernel(text, wrt=",".join(names), what="hessian", backend="torch")
    assert isinstance(k.layout, RankOne)
    data = torch.tensor(np.random.default_rng(3).normal(size=(50, 6))) * scale
    got = k(*data.T)
    expected = torch.func.vmap(torch.func.hessian(lambda v: torch.logsumexp(v, 0)))(data)
    assert torch.isfinite(got).all()
    torch.testing.assert_close(got, expected, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("backend", BACKENDS)
def test_rank_one_broadcasts_columns_rows_points_and_writes_out(backend):
    text, names = _lse(4)
    k = symnum.kernel(text, wrt=",".join(names), what="hessian", backend=backend)
    column, row = np.linspace(-1, 1, 3)[:, None], np.linspace(0, 2, 4)[None, :]
    got = np.asarray(k(column, row, 0.5, row))
    assert got.shape == (3, 4, 4, 4)
    for a in range(3):
        for b in range(4):
            one = np.asarray(k(column[a, 0], row[0, b], 0.5, row[0, b]))
            assert one.shape == (4, 4)
            np.testing.assert_allclose(got[a, b], one, rtol=1e-14)
            point = [column[a, 0], row[0, b], 0.5, row[0, b]]
            assert close(float(one[1, 3]), _hessian_oracle(text, names, point, 1, 3), 1e-8)
    out = np.empty((3, 4, 4, 4)) if backend == "numpy" else torch.empty(3, 4, 4, 4,
                                                                         dtype=torch.float64)
    assert k(column, row, 0.5, row, out=out) is out
    np.testing.assert_array_equal(np.asarray(out), got)


def test_rank_one_kernels_carry_autograd():
    text, names = _lse(3)
    k = symnum.kernel(text, wrt=",".join(names), what="hessian", backend="torch")
    inputs = tuple(torch.tensor([0.3, -1.2], dtype=torch.float64, requires_grad=True)
                   for _ in names)
    assert torch.autograd.gradcheck(lambda *a: k(*a), inputs)


def test_huge_pages_leave_arrays_as_they_are():
    big = torch.empty(1 << 20, dtype=torch.float64)
    assert huge_pages(big) is big
    big.fill_(2.0)
    assert float(big.sum()) == 2.0 * (1 << 20)
    small, meta = torch.empty(3), torch.empty(1 << 20, device="meta")
    assert huge_pages(small) is small and huge_pages(meta) is meta


def test_a_multiple_of_a_computed_exponent_reuses_its_exponential():
    x, m = sympy.symbols("x m")
    exprs = [sympy.exp(x - m) + sympy.exp(2 * x - 2 * m) - sympy.exp(3 * x - 3 * m),
             sympy.exp(x / 2) + sympy.exp(-2 * x + 2 * m)]
    program = Program(exprs, [x, m], "numpy")
    exponentials = sum(fn is np.exp for fn, _ in program.steps)
    assert exponentials == 4  # exp(x - m) once; exp(x/2), exp(-2x + 2m) have no partner
    for point in [(0.3, 1.1), (-2.0, 0.5)]:
        values = program.run(*point)
        for value, expr in zip(values, exprs, strict=True):
            exact = expr.evalf(30, subs={x: point[0], m: point[1]})
            assert close(float(value), float(exact), 1e-14)
