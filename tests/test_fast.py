"""The symengine fast path gives the same exact results as SymPy's own diff."""

from __future__ import annotations

import random

import pytest
import sympy

import symnum
from symnum import fast
from symnum.calculus import differentiate

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


@pytest.mark.parametrize("what", ["gradient", "hessian"])
def test_fast_path_equals_sympy_on_generated_expressions(what):
    rng = random.Random(0)
    pieces = ["sin(x*y)", "exp(-x**2)", "tanh(x + z)", "log(1 + y**2)", "x*y*z", "atan(z)",
              "sqrt(2 + x**2)", "(x - y)**3"]
    for k in range(12):
        text = " + ".join(f"({rng.choice(pieces)})*({rng.choice(pieces)})" for _ in range(3))
        f = symnum.Function(text, wrt="x,y,z")
        quick = fast.fast_derive(f, what).expanded()
        plain = differentiate(f, what).expanded() if not fast.applies(f, what) else None
        if plain is None:
            continue
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
