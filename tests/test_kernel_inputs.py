"""Kernel arguments: numbers or arrays of real numbers are taken; anything else is an
EvaluationError that names the variable and what a kernel takes, on both backends. Text is
refused (never parsed), complex values are refused (never cut to their real part), and no
warning reaches the caller."""

from __future__ import annotations

import warnings
from fractions import Fraction

import numpy as np
import pytest
import sympy
import torch

import symnum
from symnum import EvaluationError

BACKENDS = ["numpy", "torch"]

WRONG = [None, "2.0", b"2.0", "__import__('os').system('true')", ["1", "2"],
         np.array(["1.0", "2.0"]), {"x": 1.0}, {1.0}, object(), [[1.0], [2.0, 3.0]],
         sympy.Symbol("t"), np.datetime64("2020-01-01"), 10**400]
COMPLEX = [1 + 2j, np.array([1.0 + 1e-9j, 2.0]), [1.0, 2j], torch.tensor([1.0 + 1.0j]),
           np.complex128(3.0)]


def _kernel(backend: str) -> symnum.Kernel:
    return symnum.kernel("x**2*y", wrt="x,y", what="gradient", backend=backend)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("value", WRONG, ids=lambda v: type(v).__name__)
def test_wrong_types_are_evaluation_errors_naming_the_variable(backend, value):
    k = _kernel(backend)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(EvaluationError) as err:
            k(value, 1.0)
    message = str(err.value)
    assert message.startswith("x: ") and "real numbers" in message and backend in message
    assert "\n" not in message


@pytest.mark.parametrize("backend", BACKENDS)
def test_strings_are_never_read_as_numbers(backend):
    k = _kernel(backend)
    for text in ("3", "1e3", " 2 ", "nan"):
        with pytest.raises(EvaluationError, match="never text"):
            k(text, 1.0)
        with pytest.raises(EvaluationError, match="never text"):
            k(y=text, x=1.0)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("value", COMPLEX, ids=lambda v: type(v).__name__)
def test_complex_inputs_are_refused_not_dropped(backend, value):
    k = _kernel(backend)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # numpy's ComplexWarning / torch's UserWarning
        with pytest.raises(EvaluationError, match="complex values.*real part"):
            k(1.0, value)


@pytest.mark.parametrize("backend", BACKENDS)
def test_real_numbers_of_every_kind_are_taken(backend):
    k = _kernel(backend)
    expected = np.array([12.0, 9.0])  # ∇(x²y) at (3, 2): (2xy, x²)
    for x, y in [(3, 2), (3.0, 2.0), (np.float32(3.0), np.int8(2)), ([3.0], [2]),
                 (np.array([3]), np.array([2.0])), (torch.tensor([3.0]), torch.tensor([2])),
                 (Fraction(3), sympy.Integer(2)), (sympy.Float(3.0), True + True),
                 (np.array([3.0], dtype=object), 2.0)]:
        got = np.asarray(k(x, y), dtype=float).reshape(-1, 2)
        np.testing.assert_array_equal(got[0], expected)


def test_torch_inputs_keep_their_gradients():
    k = symnum.kernel("x**2*y", wrt="x,y", what="value", backend="torch")
    x = torch.tensor(3.0, dtype=torch.float64, requires_grad=True)
    k(x, 2.0).backward()
    assert x.grad.item() == 12.0


@pytest.mark.parametrize("backend", BACKENDS)
def test_wrong_counts_and_names_are_evaluation_errors(backend):
    k = _kernel(backend)
    with pytest.raises(EvaluationError, match="expected 2 values"):
        k(1.0)
    with pytest.raises(EvaluationError, match="expected 2 values"):
        k(1.0, 2.0, 3.0)
    with pytest.raises(EvaluationError, match="unknown variable"):
        k(1.0, z=2.0)


@pytest.mark.parametrize("backend", BACKENDS)
def test_overflow_inside_a_kernel_warns_nothing(backend):
    """Where the exact value is out of float64's range the result says so (inf), quietly."""
    k = symnum.kernel("exp(x) + 1/x + log(x)", wrt="x", what="value", backend=backend)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = np.asarray(k(np.array([1000.0, 0.0, -1.0])), dtype=float)
    assert got[0] == np.inf and np.isnan(got[2])


@pytest.mark.parametrize("value", [np.array([1j, 2.0]), [1j, 2], np.array([1, 2j], dtype=object),
                                   [np.complex64(1)]])
def test_result_at_refuses_a_complex_array_instead_of_dropping_its_imaginary_part(value):
    # d(x²)/dx at 1j is 2j: before, .at() cast the array to float (a ComplexWarning) → 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(symnum.SymnumError, match="real numbers"):
            symnum.derive("x**2").at({"x": value})
    assert symnum.derive("x**2").at({"x": [Fraction(1, 2), 2]}).tolist() == [1.0, 4.0]
