"""A new user's inputs to matrix calculus (issue 24 review): dimension names that hold an
x, the denominator layout at number sizes, entrywise powers of a matrix, and bad input as
one line. Numbers are compared with torch autograd."""

from __future__ import annotations

import numpy as np
import pytest
import sympy
import torch

import symnum
from symnum.core.errors import SymnumError
from symnum.core.matrix_expr import Commutation

pytestmark = pytest.mark.usefixtures("float64_torch")  # tests/conftest.py
RNG = np.random.default_rng(24)


def test_a_dimension_name_may_hold_an_x():
    """n_x, nx and max are names, not n×…: W is m×n_x, x has n_x entries."""
    r = symnum.derive("tanh(W*v)", wrt="W", shapes={"W": "max,n_x", "v": "n_x"})
    assert [str(d) for d in r.function.shapes["W"]] == ["max", "n_x"]
    W, v = RNG.normal(size=(3, 4)), RNG.normal(size=4)
    ref = torch.autograd.functional.jacobian(lambda w: torch.tanh(w @ torch.tensor(v)),
                                             torch.tensor(W)).numpy()
    assert np.allclose(r.at({"W": W, "v": v}), ref)
    assert symnum.derive("W*v", wrt="v", shapes={"W": "3x4", "v": "4"}).expr.shape == (3, 4)


def test_denominator_layout_at_number_sizes_keeps_the_commutation_matrix():
    """(vec F)ᵀ/∂vec X of X Xᵀ for X 3×4: K_{4,3}(𝐈 ⊗ Xᵀ) + Xᵀ ⊗ 𝐈, not K written out as
    a 12 × 12 matrix of 0s and 1s; its value is the transpose of torch's Jacobian in vec
    order."""
    r = symnum.derive("X*X.T", wrt="X", shapes={"X": "3,4"}, layout="denominator")
    assert r.shown.has(Commutation) and not r.shown.atoms(sympy.ImmutableMatrix)
    assert "Matrix(" not in r.text() and "K_4,3" in r.text()
    X = RNG.normal(size=(3, 4))
    T = torch.autograd.functional.jacobian(lambda x: x @ x.T, torch.tensor(X)).numpy()
    V = T.transpose(1, 0, 3, 2).reshape(9, 12)  # vec order: rows i + 3j, columns k + 3l
    value = r.shown.subs(r.variable, sympy.ImmutableMatrix(X)).doit()
    assert np.allclose(np.array(sympy.Matrix(value), dtype=float), V.T)


def test_an_entrywise_power_of_a_matrix_is_not_printed_as_a_matrix_power():
    """X**2 of a non-square X is entrywise; it prints X^∘2 (X² would read as X·X)."""
    r = symnum.derive("sum(X**2)", wrt="X", shapes={"X": "n,m"})
    assert "X^∘2" in r.text() and "X²" not in r.text()
    assert "x²" in symnum.derive("sum(x**2)", wrt="x", shapes={"x": "n"}).text()
    X = RNG.normal(size=(3, 5))
    ref = torch.autograd.functional.jacobian(lambda x: (x ** 2).sum(), torch.tensor(X))
    assert np.allclose(r.at({"X": X}), ref.numpy())


@pytest.mark.parametrize("args, words", [
    (["X*X.T", "--wrt", "X", "--shape", "X=3,4", "--what", "hessian"], "scalar function"),
    (["W*x", "--wrt", "W", "--shape", "W=m,n", "--shape", "x=n", "--what", "hessian"],
     "scalar function"),
    (["X*X.T", "--wrt", "Y", "--shape", "X=3,4"], "Y is not a declared"),
    (["X*X.T", "--wrt", "X", "--shape", "X=a,,b"], "empty dimension"),
    (["X*X.T", "--wrt", "X", "--shape", "X=n,n", "--shape", "X=m,m"], "given twice"),
])
def test_bad_matrix_input_is_one_line(cli, args, words):
    proc = cli("derive", *args)
    assert proc.returncode == 2 and words in proc.stderr
    assert proc.stderr.startswith("error:") and proc.stderr.count("\n") == 1


def test_the_hessian_of_a_matrix_function_is_refused_by_the_api():
    with pytest.raises(SymnumError, match="Hessian"):
        symnum.derive("X*X.T", wrt="X", what="hessian", shapes={"X": "m,n"})


def test_a_squared_matrix_differentiates_to_x_not_x_to_the_first():
    """d(A X^∘2) = 2A(X ⊙ dX): no X^∘1 in the vec form, LaTeX or index form, and no scalar
    between two matrices (A 2(…)); the value against torch."""
    r = symnum.derive("A*X**2", wrt="X", shapes={"X": "n,m", "A": "n,n"})
    assert not any(p.exp == 1 for p in r.expr.atoms(sympy.HadamardPower))
    assert r"\circ 1" not in r.latex() and "(X)_" not in r.text()
    assert "dF = 2A(X ⊙ dX)" in r.text()
    A, X = RNG.normal(size=(3, 3)), RNG.normal(size=(3, 5))
    ref = torch.autograd.functional.jacobian(lambda x: torch.tensor(A) @ x ** 2,
                                             torch.tensor(X)).numpy()
    assert np.allclose(r.at({"A": A, "X": X}), ref)


@pytest.mark.parametrize("expr, shapes, what, fn", [
    ("X.T*X", {"X": "1,n"}, None, lambda X: X.T @ X),
    ("A*X.T", {"X": "1,n", "A": "m,n"}, None, lambda X, A: (A @ X.T)[:, 0]),  # a column
    ("X*X.T", {"X": "1,n"}, "hessian", lambda X: (X @ X.T).sum()),
])
def test_a_row_keeps_its_axis_in_at_as_in_the_kernel(expr, shapes, what, fn):
    """A declared 1 × n row is an array (1, n): .at and the kernel give torch's layout."""
    r = symnum.derive(expr, wrt="X", what=what, shapes=shapes)
    X, A = RNG.normal(size=(1, 3)), RNG.normal(size=(2, 3))
    args = [torch.tensor(A)] if "A" in shapes else []
    oracle = torch.autograd.functional.hessian if what else torch.autograd.functional.jacobian
    ref = oracle(lambda x: fn(x, *args), torch.tensor(X)).numpy()
    values = {"X": X, "A": A}
    kernel = symnum.kernel(r)
    for got in (r.at(values), kernel(*[values[n] for n in kernel.names])):
        assert got.shape == ref.shape and np.allclose(got, ref)
