"""Kernels at one point (Python floats → the compiled straight-line function) mean what the
batched path means: the same values up to rounding, the same infinities and nans, the same
kinks; and both agree with mpmath at 50 digits on SymPy's own derivatives."""

from __future__ import annotations

import functools
import math
import shutil

import mpmath
import numpy as np
import pytest
import sympy

import symnum
from symnum.kernels.build import Kernel
from symnum.kernels.one_point import compiled, run
from symnum.kernels.one_point_c import CFunction, c_function

# the tests share each case's derivative (worked out once): one worker runs them all
pytestmark = pytest.mark.xdist_group("one_point")

# (expression, variables, what, points): ordinary points, kinks, large arguments
CASES = [
    ("log(exp(x) + exp(y) + exp(z))", "x,y,z", "hessian",
     [(0.1, 0.2, -0.3), (1000.0, 999.0, -1000.0)]),
    ("log(1 + exp(-y*w*x))", "w,x,y", "hessian", [(0.5, -1.0, 2.0), (40.0, 20.0, 1.0)]),
    ("log(1 + exp(x))", "x", "hessian", [(-800.0,), (0.0,), (800.0,)]),
    ("x*log(1/(1 + exp(-x)))", "x", "derivative", [(-800.0,), (800.0,), (0.25,)]),
    ("Max(x, 0)**2 + Abs(y)*x + Min(x, y, 2)", "x,y", "gradient",
     [(0.0, 0.0), (0.0, 1.0), (-2.0, 0.0), (3.0, 4.0)]),
    ("Heaviside(x) + sign(y)*x + floor(x)*ceiling(y)", "x,y", "value",
     [(0.0, 0.0), (-1.5, 2.5), (2.5, -3.0)]),
    ("erf(x)*exp(-y**2) + loggamma(y) + erfc(x*y)", "x,y", "gradient", [(0.3, 0.7), (-2.0, 4.5)]),
    ("polygamma(1, x) + digamma(x)*x + gamma(x)", "x", "derivative", [(0.5,), (3.0,), (-1.5,)]),
    ("[x*y, sin(x) + 3, atan2(y, x), 7]", "x,y", "jacobian", [(0.5, 2.0), (-1.0, 0.5)]),
    ("tanh(x*y)/cosh(y) + asinh(x) + acot(y) + sec(x)", "x,y", "hessian",
     [(0.3, 0.9), (-2.0, 1.5)]),
    ("(x**2 + y**2)**(1/3) + x**(-3) + y**5/x", "x,y", "gradient", [(1.5, -2.0), (-0.5, 3.0)]),
    ("cbrt(x) + x**y", "x,y", "gradient", [(2.0, 0.5), (8.0, 2.0)]),
    ("cbrt(x)*y", "x,y", "gradient", [(-8.0, 2.0), (27.0, -1.0)]),
]
# where floats and numpy part ways, the batched path answers: inf, -inf, nan as numpy gives
EDGES = [
    ("log(x)", "x", "value", (0.0,), -math.inf),
    ("exp(x)", "x", "value", (1000.0,), math.inf),
    ("sqrt(x)", "x", "value", (-1.0,), math.nan),
    ("1/x", "x", "value", (0.0,), math.inf),
    ("loggamma(x)", "x", "value", (-1.5,), math.nan),
    ("Max(x, 1)", "x", "value", (math.nan,), math.nan),
    ("Max(1, x)", "x", "value", (math.nan,), math.nan),
    ("x**3", "x", "value", (1e200,), math.inf),
    ("cosh(x)", "x", "value", (-1000.0,), math.inf),
]


def _exact(text: str, wrt: str, what: str) -> list[sympy.Basic]:
    """SymPy's own derivative (not symnum's), as a flat list of entries."""
    expr = symnum.parse(text)
    names = {s.name: s for s in expr.free_symbols}
    xs = [names[n] for n in wrt.split(",")]
    if what == "value":
        return list(expr) if isinstance(expr, sympy.MatrixBase) else [expr]
    if what == "derivative":
        return [sympy.diff(expr, xs[0])]
    if what == "gradient":
        return [sympy.diff(expr, x) for x in xs]
    if what == "hessian":
        return [sympy.diff(expr, a, b) for a in xs for b in xs]
    return [sympy.diff(e, x) for e in expr for x in xs]


@functools.cache
def _kernel_input(text: str, wrt: str, what: str) -> object:
    """What ``symnum.kernel`` is given: the derivative worked out once per case (the costly
    step, the same for every backend and test), or the text itself for a value."""
    return text if what == "value" else symnum.derive(text, wrt=wrt, what=what)


def _kernel(text: str, wrt: str, what: str, backend: str = "numpy") -> Kernel:
    """A new kernel of a case (its own one-point state) over the shared derivative."""
    if what == "value":
        return symnum.kernel(text, wrt=wrt, what=what, backend=backend)
    return symnum.kernel(_kernel_input(text, wrt, what), backend=backend)


@functools.cache
def _oracle(text: str, wrt: str, what: str, point: tuple[float, ...]) -> list[float]:
    """mpmath's values of SymPy's derivative at ``point`` (worked out once for both backends)."""
    names = wrt.split(",")
    return [_mp(e, dict(zip(names, point, strict=True))) for e in _exact(text, wrt, what)]


def _mp(entry: sympy.Basic, point: dict[str, float]) -> float:
    subs = {s: sympy.Float(point[s.name], 60) for s in entry.free_symbols}
    value = sympy.N(entry.subs(subs), 50)
    return float(mpmath.mpf(str(value))) if value.is_real else math.nan


@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_one_point_equals_batched_and_mpmath(backend):
    for text, wrt, what, points in CASES:
        k = _kernel(text, wrt, what, backend)
        for point in points:
            one = np.asarray(k(*point), dtype=float)
            assert k._one_point and run(k._one_point, list(point)) is not None, (text, point)
            batched = np.asarray(k(*[np.array([v]) for v in point]), dtype=float)[0]
            assert one.shape == batched.shape == tuple(k.shape), (text, one.shape)
            # torch's own polygamma is off by 4e-11 relative; the one-point path uses scipy's
            close = 1e-9 if backend == "torch" and "gamma" in text else 1e-13
            np.testing.assert_allclose(one, batched, rtol=close, atol=1e-300,
                                       err_msg=f"{text} at {point}")
            exact = _oracle(text, wrt, what, point)
            np.testing.assert_allclose(one.reshape(-1), exact, rtol=1e-11, atol=1e-11,
                                       err_msg=f"{text} at {point} against mpmath")


def test_where_floats_and_numpy_part_ways_the_batched_path_answers():
    for text, wrt, what, point, expected in EDGES:
        k = symnum.kernel(text, wrt=wrt, what=what)
        got = float(k(*point))
        batched = float(k(np.array(point[0]))) if len(point) == 1 else None
        assert (got == expected) or (math.isnan(got) and math.isnan(expected)), (text, got)
        assert (got == batched) or (math.isnan(got) and math.isnan(batched)), (text, got)


@pytest.mark.skipif(not (shutil.which("cc") or shutil.which("gcc")),
                    reason="no C compiler installed")
def test_the_c_function_means_what_the_batched_path_means(tmp_path, monkeypatch):
    """Big programs run as C; the same cases compiled as C (forced) agree with the batched
    path, infinities and nans included (C doubles need no fallback)."""
    monkeypatch.setenv("SYMNUM_CACHE", str(tmp_path))
    for text, wrt, what, points in CASES:
        k = _kernel(text, wrt, what)
        function = compiled(k.program, c_min_steps=0)
        if "gamma(" in text:  # C has no digamma: the Python function stands in
            assert c_function(k.program) is None and function is not None
            continue
        for point in points:
            c = np.asarray(run(function, list(point)), dtype=float)
            batched = np.asarray(k(*[np.array([v]) for v in point]), dtype=float)[0]
            if k.layout.__class__.__name__ == "Stacked":
                np.testing.assert_allclose(c.reshape(batched.shape), batched, rtol=1e-13,
                                           atol=1e-300, err_msg=f"{text} at {point}")
    for text, wrt, what, point, expected in EDGES:
        k = symnum.kernel(text, wrt=wrt, what=what)
        got = float(run(compiled(k.program, c_min_steps=0), list(point))[0])
        assert (got == expected) or (math.isnan(got) and math.isnan(expected)), (text, got)


def test_scalars_of_every_kind_take_the_one_point_path_and_arrays_do_not():
    k = symnum.kernel("x**2*y", wrt="x,y", what="gradient")
    for x, y in [(3, 2.0), (np.float32(3.0), np.int64(2)), (True, 2.0), (np.float64(3.0), 2)]:
        assert k(x, y).tolist() == [2 * float(x) * float(y), float(x) ** 2]
    assert k(np.array([1.0, 3.0]), 2.0).shape == (2, 2)
    assert k(x=3.0, y=2.0).tolist() == [12.0, 9.0]
    with pytest.raises(symnum.EvaluationError):
        k("3", 2.0)
    with pytest.raises(symnum.EvaluationError):
        k(1j, 2.0)


@pytest.mark.skipif(not (shutil.which("cc") or shutil.which("gcc")),
                    reason="no C compiler installed")
def test_big_programs_run_as_c_and_very_big_ones_compile_on_their_second_call(tmp_path,
                                                                              monkeypatch):
    monkeypatch.setenv("SYMNUM_CACHE", str(tmp_path))
    for n in (12, 22):
        names = [f"x{i}" for i in range(n)]
        text = " + ".join(f"tanh({a}*{b} + {a})" for i, a in enumerate(names)
                          for b in names[i + 1:])
        k = symnum.kernel(text, wrt=",".join(names), what="hessian")
        steps = len(k.program.steps)
        point = [0.05 * i - 0.3 for i in range(n)]
        batched = k(*[np.array([v]) for v in point])[0]
        first = k(*point)
        assert (k._one_point is None) == (steps > 2000), steps  # one call: no compiling
        second = k(*point)
        assert isinstance(k._one_point, CFunction), steps  # C, cached in tmp_path
        assert list(tmp_path.rglob("one_point_*.so"))
        np.testing.assert_allclose(first, batched, rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(second, batched, rtol=1e-13, atol=1e-15)
