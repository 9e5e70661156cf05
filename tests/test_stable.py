"""Kernels stay finite and correct at extreme inputs (values checked against mpmath)."""

from __future__ import annotations

import mpmath as mp
import numpy as np
import pytest
import sympy

import symnum
from symnum.stable import stabilize

BACKENDS = ["numpy", "torch"]


def _np(a):
    return a.numpy() if hasattr(a, "numpy") else np.asarray(a)


def _mp(text: str, names: str, values, what: str | None = None):
    """mpmath reference at 50 digits (test-side: lambdify of the exact result)."""
    r = symnum.derive(text, wrt=names) if what is None else symnum.derive(text, wrt=names,
                                                                          what=what)
    f = sympy.lambdify(list(r.variables), r.expanded(), modules="mpmath")
    with mp.workdps(50):
        return np.array(f(*[mp.mpf(v) for v in values]).tolist(), dtype=float).reshape(r.shape)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("point", [(1000.0, 999.0, -5.0), (-1000.0, -1000.0, -1000.0),
                                   (800.0, -800.0, 0.0), (0.1, 0.2, 0.3)])
def test_log_sum_exp_gradient_and_hessian_at_extremes(backend, point):
    text = "log(exp(x) + exp(y) + exp(z))"
    for what in ("gradient", "hessian"):
        got = _np(symnum.kernel(text, wrt="x,y,z", what=what, backend=backend)(*point))
        assert np.all(np.isfinite(got))
        np.testing.assert_allclose(got, _mp(text, "x,y,z", point, what), rtol=1e-12,
                                   atol=1e-300)
    value = float(symnum.kernel(text, wrt="x,y,z", what="value", backend=backend)(*point))
    with mp.workdps(50):
        exact = float(mp.log(sum(mp.exp(mp.mpf(v)) for v in point)))
    assert value == pytest.approx(exact, rel=1e-14)


@pytest.mark.parametrize("backend", BACKENDS)
def test_sigmoid_and_softplus_at_extremes(backend):
    xs = np.array([-1000.0, -40.0, 0.0, 40.0, 1000.0])
    for text in ("sigmoid(x)", "softplus(x)"):
        for what in ("value", "derivative"):
            got = _np(symnum.kernel(text, wrt="x", what=what, backend=backend)(xs))
            assert np.all(np.isfinite(got)), (text, what, got)
            for x, g in zip(xs, got, strict=True):
                if what == "value":
                    f = sympy.lambdify(sympy.Symbol("x", real=True), symnum.parse(text), "mpmath")
                    with mp.workdps(50):
                        expected = float(f(mp.mpf(x)))
                else:
                    expected = float(_mp(text, "x", [x]))
                assert g == pytest.approx(expected, rel=1e-12, abs=1e-300)


def test_stabilize_is_an_identity_on_ordinary_values():
    x, y = sympy.symbols("x y", real=True)
    e = sympy.exp(x) / (sympy.exp(x) + 2 * sympy.exp(y)) + sympy.log(1 + sympy.exp(x * y))
    s = stabilize(e)
    assert s != e and s.has(sympy.Max)
    for point in ({x: sympy.Rational(3, 10), y: sympy.Rational(-6, 5)}, {x: -2, y: sympy.S.Half}):
        assert abs(sympy.N(e.subs(point) - s.subs(point), 30)) < 1e-25
