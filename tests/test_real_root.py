"""Odd roots of real variables are real: ∛x at −8 is −2 and d/dx ∛x there is 1/12."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
import sympy

import symnum
from symnum.core.real_root import RealRoot


def real_root(b, n: int):
    return -mpmath.root(-b, n) if b < 0 else mpmath.root(b, n)


@pytest.mark.parametrize("text", ["cbrt(x)", "root(x, 3)", "x**(1/3)", "x^(1/3)"])
def test_cube_root_and_its_derivative_at_minus_eight_are_the_textbook_values(text):
    assert symnum.derive(text, order=1).at({"x": -8}) == pytest.approx(1 / 12, rel=1e-15)
    assert symnum.derive(text, order=2).at({"x": -8}) == pytest.approx(1 / 144, rel=1e-15)


@pytest.mark.parametrize("text, oracle", [
    ("x**(2/3)", lambda x: real_root(x, 3) ** 2),
    ("x**(-1/5)", lambda x: 1 / real_root(x, 5)),
    ("root(x**2 - 3*x, 5)", lambda x: real_root(x**2 - 3 * x, 5)),
    ("sin(x)*cbrt(x - 1)", lambda x: mpmath.sin(x) * real_root(x - 1, 3)),
])
@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_kernels_match_mpmath_on_both_sides_of_zero(text, oracle, backend):
    points = [-7.5, -2.25, -0.3, 0.4, 1.7, 6.0]
    with mpmath.workdps(40):
        values = [float(oracle(mpmath.mpf(p))) for p in points]
        slopes = [float(mpmath.diff(oracle, mpmath.mpf(p))) for p in points]
    arrays = np.array(points)
    if backend == "torch":
        import torch
        arrays = torch.tensor(points, dtype=torch.float64)
    value = np.asarray(symnum.kernel(text, what="value", backend=backend)(arrays))
    slope = np.asarray(symnum.kernel(text, what="derivative", backend=backend)(arrays))
    assert value == pytest.approx(values, rel=1e-13)
    assert slope == pytest.approx(slopes, rel=1e-11)


def test_verify_confirms_real_roots_with_every_method():
    report = symnum.verify("cbrt(x)*exp(x)", what="derivative", order=2)
    assert report.passed
    assert all(not c.skipped for c in report.checks)


def test_printed_forms_read_back_and_typeset_as_roots():
    result = symnum.derive("x**(2/3) + root(x, 5)")
    assert sympy.expand(symnum.core.parse(str(result.expr)) - result.expr) == 0
    assert r"\sqrt[3]{x}" in result.latex() and r"\sqrt[5]{x}" in result.latex()


def test_nonnegative_bases_and_even_roots_keep_ordinary_powers():
    x = sympy.Symbol("x", real=True)
    assert symnum.core.parse("exp(x)**(1/3)") == sympy.exp(x / 3)
    assert symnum.core.parse("(x**2 + 1)**(1/3)") == (x**2 + 1) ** sympy.Rational(1, 3)
    assert symnum.core.parse("x**(1/2)") == sympy.sqrt(x)
    assert symnum.core.parse("cbrt(x)**3") == x
    assert RealRoot(sympy.Integer(-27), 3) == -3
