"""The JAX backend: values against mpmath and the numpy kernel (same stable forms, same kink
values), jit and grad, float64 only, and symnum without JAX installed."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import mpmath as mp
import numpy as np
import pytest
import sympy

import symnum
from symnum import SymnumError
from symnum.core.calculus import Result

from .conftest import ROOT

if not os.environ.get("SYMNUM_REQUIRE_JAX"):
    pytest.importorskip("jax")
import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402

jax.config.update("jax_enable_x64", True)

# (expression, variables, what, points): varied functions, large inputs, special functions
CASES = [
    ("log(exp(x) + exp(y) + exp(z))", "x,y,z", "hessian", [(1000.0, 999.0, -1000.0),
                                                          (0.1, -0.2, 0.3)]),
    ("log(1 + exp(-y*x))", "x,y", "gradient", [(800.0, -1.0), (-30.0, 2.0)]),
    ("x*log(1/(1+exp(-z))) + (1-x)*log(1 - 1/(1+exp(-z)))", "x,z", "gradient",
     [(0.3, 700.0), (0.9, -650.0)]),
    ("erf(x)*loggamma(y) + digamma(y)*sin(x)", "x,y", "gradient", [(0.4, 2.5), (-1.2, 7.0)]),
    ("tanh(x*y)**2 + exp(-x**2)*y**3", "x,y", "hessian", [(0.7, -1.3), (-8.0, 2.0)]),
    ("[x**3*y, exp(-x**2)*cos(y), log(cosh(x - y))]", "x,y", "jacobian", [(1.1, -0.4),
                                                                          (300.0, -300.0)]),
]


def _mp_value(expr: sympy.Basic, names: list[sympy.Symbol], point) -> list[float]:
    f = sympy.lambdify(names, expr, modules="mpmath")
    with mp.workdps(40):
        value = f(*[mp.mpf(p) for p in point])
    flat = value.tolist() if hasattr(value, "tolist") else [value]
    return [float(v) for row in flat for v in (row if isinstance(row, list) else [row])]


@pytest.mark.parametrize("expr, wrt, what, points", CASES)
def test_values_match_mpmath_and_the_numpy_kernel(expr, wrt, what, points):
    r = symnum.derive(expr, wrt=wrt, what=what)
    k = symnum.kernel(r, backend="jax")
    ref = symnum.kernel(r)
    exact = r.expanded()
    for p in points:
        got = np.asarray(k(*p))
        assert got.dtype == np.float64 and np.all(np.isfinite(got))
        np.testing.assert_allclose(got, ref(*p), rtol=1e-12, atol=1e-300)
        oracle = _mp_value(exact, list(r.variables), p)
        np.testing.assert_allclose(got.reshape(-1), oracle, rtol=1e-10, atol=1e-14)
    batch = [np.array([p[i] for p in points]) for i in range(len(points[0]))]
    assert k(*batch).shape == (len(points), *r.shape)


def test_kinks_take_the_numpy_kernels_values():
    x, y = sympy.symbols("x y", real=True)
    expr = sympy.Max(x, 0) + sympy.Min(x, y) + abs(y) + sympy.Heaviside(x) + sympy.sign(y) + \
        sympy.Piecewise((x**2, x < 1), (2 * x - 1, True))
    k = symnum.kernel(expr, wrt="x,y", what="gradient", backend="jax")
    ref = symnum.kernel(expr, wrt="x,y", what="gradient")
    x = np.array([-1.0, 0.0, 0.0, 1.0, 2.0])
    y = np.array([0.0, 0.0, 3.0, -1.0, 2.0])
    np.testing.assert_array_equal(np.asarray(k(x, y)), ref(x, y))
    value = symnum.kernel(expr, wrt="x,y", what="value", backend="jax")
    np.testing.assert_array_equal(np.asarray(value(x, y)),
                                  symnum.kernel(expr, wrt="x,y", what="value")(x, y))


def test_jit_grad_and_vmap_trace_the_kernel():
    f = symnum.kernel("log(1 + exp(-y*w*x)) + w**2/2", wrt="w", what="value", params="x, y",
                      backend="jax")
    g = symnum.kernel("log(1 + exp(-y*w*x)) + w**2/2", wrt="w", params="x, y", backend="jax")
    w = jnp.linspace(-3.0, 3.0, 7)
    x, y = 2.0, -1.0
    np.testing.assert_allclose(jax.vmap(jax.grad(f), in_axes=(0, None, None))(w, x, y),
                               jax.jit(g)(w, x, y), rtol=1e-13)
    # large margins: the stable form keeps the value and slope finite
    assert float(jax.jit(f)(900.0, 2.0, 1.0)) == pytest.approx(900.0**2 / 2)
    assert float(jax.jit(g)(-900.0, 2.0, 1.0)) == pytest.approx(-900.0 - 2.0)


def test_constant_entries_broadcast_and_out_is_refused():
    k = symnum.kernel("x + 2*y", wrt="x,y", what="gradient", backend="jax")
    assert np.asarray(k(jnp.ones((2, 3)), 0.0)).tolist() == [[[1.0, 2.0]] * 3] * 2
    with pytest.raises(symnum.EvaluationError, match="out="):
        k(1.0, 2.0, out=np.empty(2))
    with pytest.raises(symnum.EvaluationError, match="string"):
        k("1", 2.0)


def test_float32_mode_is_refused_with_the_fix():
    with jax.enable_x64(False):
        with pytest.raises(SymnumError, match=r"jax_enable_x64"):
            symnum.kernel("x**2", backend="jax")


def test_symnum_works_without_jax():
    script = textwrap.dedent("""
        import sys
        class Block:
            def find_spec(self, name, path=None, target=None):
                if name == "jax" or name.startswith("jax."):
                    raise ImportError("blocked")
        sys.meta_path.insert(0, Block())
        import numpy as np, symnum
        print(symnum.kernel("x**2*y", wrt="x,y", what="gradient")(2.0, 3.0).tolist())
        report = symnum.verify("sin(x)*y", points=1)
        print(report.verdict, [c.method for c in report.checks])
        try:
            symnum.kernel("x**2", backend="jax")
        except symnum.SymnumError as err:
            print("error:", err)
        print("jax" in sys.modules)
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=ROOT, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "[12.0, 4.0]"
    assert lines[1] == "pass ['mpmath', 'complex-step', 'richardson', 'torch']"
    assert lines[2].startswith("error: backend='jax' needs JAX") and "pip install" in lines[2]
    assert lines[3] == "False"


@pytest.mark.parametrize("text, options", [
    ("log(1 + exp(-y*(w1*x1 + w2*x2)))", {"wrt": "w1,w2", "what": "hessian"}),
    ("Max(0, a*b - 1) + abs(a)*exp(-b**2)", {"what": "gradient"}),
    ("[erf(x)*y, loggamma(y**2 + 1), atan2(x, y)]", {"what": "jacobian"}),
    ("tanh(x)**3", {"what": "derivative", "order": 3}),
])
def test_verify_runs_jax_as_a_fifth_method(text, options):
    report = symnum.verify(text, points=3, seed=2, **options)
    methods = {c.method: c for c in report.checks}
    assert list(methods) == ["mpmath", "complex-step", "richardson", "torch", "jax"]
    assert methods["jax"].verdict == "pass" and report.verdict == "pass"
    assert "jax" in report.text()


def test_a_wrong_entry_fails_with_jax_alone():
    good = symnum.derive("log(exp(x) + exp(y)) * sin(x*y)", what="hessian")
    m = good.expanded().as_mutable()
    m[0, 1] = m[1, 0] = m[0, 1] * (1 + 1e-7)
    bad = Result(good.kind, good.function, m.as_immutable())
    from symnum.verification.verify import verify_result
    alone = verify_result(bad, points=2, methods_used=("jax",))
    assert alone.verdict == "fail" and alone.checks[0].method == "jax"
    assert verify_result(good, points=2, methods_used=("jax",)).verdict == "pass"
