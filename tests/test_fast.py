"""The symengine fast path gives the same exact results as SymPy's own diff."""

from __future__ import annotations

import random
import re

import numpy as np
import pytest
import sympy
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import symnum
from symnum.core import fast
from symnum.kernels import build as kernel_module

from .test_properties import trees

pytestmark = pytest.mark.skipif(not fast.available(), reason="symengine is not installed")


def _same(a: sympy.Matrix, b: sympy.Matrix, symbols, seed: int) -> bool:
    rng = random.Random(seed)
    for _ in range(2):
        point = {s: sympy.Float(rng.uniform(-1.5, 1.5), 30) for s in symbols}
        for x, y in zip(a.xreplace(point), b.xreplace(point), strict=True):
            x, y = sympy.N(x, 25), sympy.N(y, 25)
            if abs(x - y) > 1e-18 * max(1, abs(y)):
                return False
    return True


@pytest.mark.parametrize("what,dag", [("gradient", 40), ("hessian", 40), ("hessian", 1)])
def test_fast_path_equals_sympy_on_generated_expressions(what, dag, monkeypatch):
    monkeypatch.setattr(fast, "DAG_MIN_VARIABLES", dag)  # 1: the Hessian on the graph
    rng = random.Random(0)
    pieces = ["sin(x*y)", "exp(-x**2)", "tanh(x + z)", "log(1 + y**2)", "x*y*z", "atan(z)",
              "sqrt(2 + x**2)", "(x - y)**3"]
    for k in range(12):
        text = " + ".join(f"({rng.choice(pieces)})*({rng.choice(pieces)})" for _ in range(3))
        f = symnum.Function(text, wrt="x,y,z")
        quick = fast.fast_derive(f, what).expanded()
        plain = (sympy.hessian(f.expr, f.variables) if what == "hessian"
                 else sympy.Matrix([f.expr.diff(v) for v in f.variables]))  # SymPy's own diff
        assert _same(quick, plain, f.variables, k), text


def test_large_expressions_take_the_fast_path_and_stay_exact(monkeypatch):
    terms = " + ".join(f"w{i}*tanh(a{i}*x + b{i})" for i in range(12))
    f = symnum.Function(f"({terms} - y)**2", wrt=[f"w{i}" for i in range(12)] + ["x"])
    monkeypatch.setattr(fast, "FAST_MIN_OPS", 50)
    assert fast.applies(f, "hessian")
    quick = symnum.derive(f, what="hessian")
    assert quick.definitions and quick.shape == (13, 13)
    monkeypatch.setattr(fast, "FAST_MIN_OPS", 10**9)  # force the plain SymPy path
    plain = symnum.derive(f, what="hessian")
    symbols = sorted(f.expr.free_symbols, key=lambda s: s.name)
    assert _same(quick.expanded(), plain.expanded(), symbols, 1)


def test_fast_path_results_verify(monkeypatch):
    terms = " + ".join(f"exp(-(x - {i})**2/(1 + y**2))*sin({i}*y + x)" for i in range(1, 9))
    f = symnum.Function(terms, wrt="x,y")
    monkeypatch.setattr(fast, "FAST_MIN_OPS", 50)
    assert fast.applies(f, "hessian")
    assert symnum.verify(f, what="hessian", points=2).passed


def _mlp_text(n_in: int, n_hidden: int, n_points: int) -> tuple[str, list[str]]:
    rng = random.Random(n_in * 100 + n_hidden)
    terms = []
    for _ in range(n_points):
        hidden = " + ".join(
            f"V{h}*tanh({' + '.join(f'W{h}_{i}*({rng.randint(-9, 9)}/10)' for i in range(n_in))}"
            f" + b{h})" for h in range(n_hidden))
        terms.append(f"({hidden} + c - ({rng.randint(-9, 9)}/10))**2")
    params = ([f"W{h}_{i}" for h in range(n_hidden) for i in range(n_in)]
              + [f"b{h}" for h in range(n_hidden)] + [f"V{h}" for h in range(n_hidden)] + ["c"])
    return f"({' + '.join(terms)})/{n_points}", params


def test_cli_json_of_a_fast_hessian_is_exact_text(cli):
    """The JSON strings (printed by symengine, never through SymPy objects) parse back, with
    their definitions, to SymPy's own Hessian at a random point."""
    text, params = _mlp_text(4, 8, 2)  # 49 parameters: the Hessian on the gradient's graph
    assert len(params) >= fast.DAG_MIN_VARIABLES
    data = cli.json("derive", text, "--wrt", ",".join(params), "--what", "hessian")
    assert data["definitions"] and len(data["result"]) == len(params)
    loss = sympy.sympify(text)
    symbols = {s.name: s for s in loss.free_symbols}
    rng = random.Random(3)
    point = {s: sympy.Rational(rng.randint(-20, 20), 10) for s in symbols.values()}
    values = dict(point)
    for name, value in data["definitions"]:
        values[sympy.Symbol(name)] = sympy.sympify(value, locals=symbols).xreplace(values)
    xs = [symbols[p] for p in params]
    for i in range(0, len(params), 5):
        for j in range(0, len(params), 6):
            ours = sympy.sympify(data["result"][i][j], locals=symbols).xreplace(values)
            theirs = sympy.diff(loss, xs[i], xs[j]).xreplace(point)
            assert abs(sympy.N(ours - theirs, 30)) < 1e-20, (params[i], params[j])
    assert r"\begin{bmatrix}" in data["latex"]
    assert not re.search(r"(?<![\\\w])[utx]\d", data["latex"]), "an internal name is left"
    assert r"V_{0}" in data["latex"] and "W_{1 0}" in data["latex"]


def test_text_and_latex_of_a_fast_result_use_the_users_names(monkeypatch):
    monkeypatch.setattr(fast, "FAST_MIN_OPS", 10)
    f = symnum.Function("x0*exp(x1*y) + x1**2*sin(x0) + alpha*x0*x1*y", wrt="x0,x1,y,alpha")
    r = fast.fast_derive(f, "hessian")
    text, latex = r.text(), r.latex()
    assert r"\alpha" in latex and "x_{0}" in latex and "alpha*x0" in text.replace(" ", "")
    assert "[2, 1] = " in text
    exact = sympy.hessian(f.expr, f.variables)
    assert sympy.simplify(r.expanded() - exact) == sympy.zeros(4, 4)


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(trees, st.sampled_from(["gradient", "hessian"]), st.sampled_from([1, 40]))
def test_property_fast_path_and_its_printed_text_equal_sympy(text, what, dag):
    """Random trees: the fast path (cse route or graph route) and the text it prints (parsed
    back with its definitions) both equal SymPy's own derivatives."""
    f = symnum.Function(text, wrt="x,y,z")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(fast, "DAG_MIN_VARIABLES", dag)
        result = fast.fast_derive(f, what)
    plain = (sympy.hessian(f.expr, f.variables) if what == "hessian"
             else sympy.Matrix([f.expr.diff(v) for v in f.variables]))
    assert _same(result.expanded(), plain, f.variables, 5), text
    names = {s.name: s for s in f.variables}
    values = {}
    for name, value in result.native.definition_texts():
        values[sympy.Symbol(name)] = sympy.sympify(value, locals=names).xreplace(values)
    printed = sympy.Matrix([sympy.sympify(t, locals=names).xreplace(values)
                            for t in result.native.entry_texts()])
    assert _same(printed, sympy.Matrix(list(plain)), f.variables, 6), text


@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_kernel_of_a_large_fast_result_matches_torch_autograd(backend):
    """A large Hessian compiles straight from its symengine form (no SymPy objects built)
    and its values agree with autograd on the same loss."""
    text, params = _mlp_text(4, 8, 3)  # 49 parameters
    f = symnum.Function(text, wrt=",".join(params))
    result = symnum.derive(f, what="hessian")
    assert result.expr_ops() > kernel_module.STABLE_EXPAND_MAX_OPS
    k = symnum.kernel(result, backend=backend)
    assert "_sympy" not in result.__dict__  # the SymPy form was never needed
    loss = sympy.lambdify(list(f.variables), f.expr, modules=[{"tanh": torch.tanh}])
    rng = np.random.default_rng(5)
    thetas = torch.tensor(rng.normal(0, 0.7, size=(3, len(params))))
    got = k(**{v.name: thetas[:, i].numpy() for i, v in enumerate(f.variables)})
    for b in range(3):
        expected = torch.autograd.functional.hessian(lambda t: loss(*t), thetas[b])
        np.testing.assert_allclose(np.asarray(got[b]), expected.numpy(), rtol=1e-10,
                                   atol=1e-12)


def test_gradient_of_a_long_product_takes_the_fast_path_and_is_exact():
    # x0·x1·…·x312: SymPy's product rule took about three minutes (a fuzz example found it)
    import time

    import mpmath
    import numpy as np

    import symnum
    n = 313
    start = time.process_time()
    k = symnum.kernel("*".join(f"x{i}" for i in range(n)))
    assert time.process_time() - start < 30
    point = np.linspace(0.95, 1.05, n)
    got = k(*point)
    for i in (0, 100, 312):
        exact = mpmath.fprod([mpmath.mpf(float(point[j])) for j in range(n) if j != i])
        assert float(got[i]) == pytest.approx(float(exact), rel=1e-12)
