"""Kernels stay finite and correct at extreme inputs: the stable rewrites
(symnum.kernels.stable) are
exact identities, and the public kernels of deep-learning losses and their derivatives match
mpmath at ±40, ±800, ±1e4 on every backend (JAX where installed), without a warning.

Oracles: SymPy's own diff of the text (sympified here: the strings are the tests' own) and
mpmath at a precision that resolves the exact value (e⁻¹⁰⁰⁰⁰ needs 4,343 digits)."""

from __future__ import annotations

import functools
import os
import warnings

import mpmath as mp
import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st
from sympy.codegen.cfunctions import expm1, log1p

import symnum
from symnum.core.registry.normal import ndtr
from symnum.core.registry.special import erfcx
from symnum.kernels.stable import stabilize
from symnum.kernels.stable_rules import CANCEL, EXPM1, RULES


def _jax_ready() -> bool:
    """JAX importable (required when SYMNUM_REQUIRE_JAX is set), in float64 mode."""
    try:
        import jax
    except ImportError:
        if os.environ.get("SYMNUM_REQUIRE_JAX"):
            raise
        return False
    jax.config.update("jax_enable_x64", True)
    return True


BACKENDS = ["numpy", "torch"] + (["jax"] if _jax_ready() else [])
# one worker runs this file: the backends of one family share its simplified derivatives
pytestmark = pytest.mark.xdist_group("stable")
LOGITS = [0.0, 0.5, -3.0, 40.0, -40.0, 800.0, -800.0, 1e4, -1e4]
LABELLED = [(z, y) for z in (0.5, 40.0, -40.0, 800.0, -800.0) for y in (1.0, 0.0)] + [(3.0, 0.3)]
SPREAD = [(1000.0, 999.0, -5.0), (-800.0, -800.0, -800.0), (800.0, -800.0, 0.0),
          (40.0, -40.0, 0.25)]

# (text, variables, points): each family as people write it, derived by symnum
FAMILIES = [
    ("sigmoid(z)", "z", LOGITS),
    ("log(sigmoid(z))", "z", LOGITS),
    ("log(1 - sigmoid(z))", "z", LOGITS),
    ("softplus(z)", "z", LOGITS),
    ("log(cosh(x))", "x", LOGITS),
    ("x*sigmoid(x)", "x", LOGITS),
    ("x*tanh(softplus(x))", "x", LOGITS),
    ("tanh(x)", "x", LOGITS),
    ("(exp(x) - exp(-x))/(exp(x) + exp(-x))", "x", LOGITS),
    ("sigmoid(2*x)/sigmoid(x)", "x", LOGITS),
    ("-(y*log(sigmoid(z)) + (1 - y)*log(1 - sigmoid(z)))", "z,y", LABELLED),
    ("-y*log(exp(z)/(1 + exp(z))) - (1 - y)*log(1/(1 + exp(z)))", "z,y", LABELLED),
    ("log(1 + exp(z)) - y*z", "z,y", LABELLED),
    ("log(exp(a) + exp(b) + exp(c))", "a,b,c", SPREAD),
    ("log(cosh(w*u))", "w,u", [(400.0, 1.0), (-1e4, 0.5), (30.0, -1.0), (0.3, 2.0)]),
    ("x*tanh(x)", "x", LOGITS),
    # SymPy writes their derivatives over (eˣ + 1)·e⁴ˣ + 1 and e·eˣ + 1 + e³: sums once
    # multiplied out, or with a constant factor e, that were not shifted (nan at x ≥ 175)
    ("log(exp(x) + exp(2*x) + exp(-3*x))", "x", LOGITS),
    ("exp(x)/(exp(x) + exp(2) + exp(-1))", "x", LOGITS),
]
_LOCALS = {"sigmoid": lambda t: 1 / (1 + sympy.exp(-t)),
           "softplus": lambda t: sympy.log(1 + sympy.exp(t))}


def _symbols(wrt: str) -> list[sympy.Symbol]:
    return [sympy.Symbol(v, real=True) for v in wrt.split(",")]


@functools.cache
def _exact(text: str, wrt: str, point: tuple[float, ...], orders: tuple[int, ...]) -> float:
    """∂^orders of the text at the point: SymPy's diff, evaluated by mpmath."""
    names = _symbols(wrt)
    expr = sympy.sympify(text, locals={**_LOCALS, **{s.name: s for s in names}})
    for s, k in zip(names, orders, strict=True):
        expr = sympy.diff(expr, s, k) if k else expr
    f = sympy.lambdify(names, expr, "mpmath")
    with mp.workdps(50 + int(0.44 * max(abs(p) for p in point))):
        return float(f(*[mp.mpf(p) for p in point]))


def _orders(n: int, what: str) -> list[tuple[int, ...]]:
    if what == "value":
        return [(0,) * n]
    if what == "gradient":
        return [tuple(int(i == k) for k in range(n)) for i in range(n)]
    return [tuple(int(i == k) + int(j == k) for k in range(n)) for i in range(n)
            for j in range(n)]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(("text", "wrt", "points"), FAMILIES, ids=[f[0] for f in FAMILIES])
def test_families_match_mpmath_at_extreme_logits(backend, text, wrt, points):
    n = len(wrt.split(","))
    for what in ("value", "gradient", "hessian"):
        k = symnum.kernel(text, wrt=wrt, what=what, backend=backend)
        for point in points:
            point = point if isinstance(point, tuple) else (point,)
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                got = np.asarray(k(*point), dtype=float).reshape(-1)
            for g, orders in zip(got, _orders(n, what), strict=True):
                exact = _exact(text, wrt, point, orders)
                # 1e-40: mpmath's own rounding where the exact value is 0 (at 50+ digits)
                assert np.isfinite(g) and abs(g - exact) <= 1e-9 * abs(exact) + 1e-40, \
                    (what, point, orders, g, exact)


@pytest.mark.parametrize("backend", BACKENDS)
def test_batched_kernels_are_finite_across_the_logit_range(backend):
    z = np.linspace(-1000.0, 1000.0, 4001)
    for text in ("-(y*log(sigmoid(z)) + (1 - y)*log(1 - sigmoid(z)))", "log(cosh(z))"):
        for what in ("value", "gradient", "hessian"):
            k = symnum.kernel(text, wrt="z,y" if "y" in text else "z", what=what,
                              backend=backend)
            args = (z, 0.25) if "y" in text else (z,)
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                got = np.asarray(k(*args), dtype=float)
            assert np.all(np.isfinite(got)), (text, what)


def _plain(expr: sympy.Basic) -> sympy.Basic:
    """log1p and expm1 written out, so that SymPy evaluates both sides the same way."""
    return expr.replace(log1p, lambda t: sympy.log(1 + t)).replace(
        expm1, lambda t: sympy.exp(t) - 1)


def _agree(before: sympy.Basic, after: sympy.Basic, names: list[sympy.Symbol],
           points: list[tuple[float, ...]]) -> None:
    for point in points:
        at = {s: sympy.Float(p, 60) for s, p in zip(names, point, strict=True)}
        a, b = (sympy.N(_plain(e).subs(at), 40) for e in (before, after))
        assert abs(a - b) <= 1e-30 * max(1, abs(a)), (before, after, point, a, b)


_x, _y = sympy.symbols("x y", real=True)
_sig = 1 / (1 + sympy.exp(-_x))
# one node each rule rewrites: the table is covered, every identity checked numerically
SAMPLES = {
    "log of a product": sympy.log(sympy.exp(_x) * _sig**3 * _y**2),
    "log-sum-exp": sympy.log(2 * sympy.exp(_x) + 3 * sympy.exp(-_y) + 1),
    "log1p": sympy.log(1 + _x**2),
    "complement": 1 - _sig,
    "expm1": 3 * sympy.exp(_x * _y) - 3 + _x,
    "max offset": _x - sympy.Max(_x, _y) + sympy.sin(_y),
    "sech²": 2 - 2 * sympy.tanh(_x) ** 2,
    "tanh": sympy.sinh(_x) ** 3 / sympy.cosh(_x) ** 2 * _y,
    "hyperbolic quotient": (_x * _y + sympy.sinh(2 * _x) / 2 + sympy.cosh(2 * _x))
    / sympy.cosh(_x) ** 3,
    # the log families (stable_logs.py)
    "log of eᵃ − 1": sympy.log(3 * sympy.exp(_x * _y) - 3),
    "log tanh, log sinh": sympy.log(sympy.coth(_x**2 + sympy.S.Half)),
    "expm1 ratio": sympy.exp(2 * _x) * _y / (1 - sympy.exp(-_x)) ** 2,
    "half angle": sympy.sinh(2 * _x) ** 3 * _y / sympy.sinh(_x) ** 2,
    "coth": sympy.cosh(_x) ** 3 / sympy.sinh(_x) ** 2 * _y,
    "1 ± tanh": 3 - 3 * sympy.tanh(_x * _y) + _x,
    "cosh − 1": 2 * sympy.cosh(_x) - 2 + _y,
    "tanh fraction": _y * (sympy.tanh(_x) ** 2 - 1) / (sympy.tanh(_x) - 1),
    "difference of squares": 3 - 3 / _x**2,
    "perfect square": sympy.sin(_x) ** 2 - 2 * sympy.sin(_x) * _y + _y**2 + _x,
    "gamma ratio": _y * sympy.gamma(_x + sympy.Rational(2, 5))
    / sympy.gamma(_x + sympy.Rational(3, 20)),
    # the error-function family (stable_erf.py)
    "erf complement": 3 - 3 * sympy.erf(_x * _y) + _y,
    "log Φ": sympy.log(sympy.erfc(_x - _y)),
    "erfcx": _y * sympy.exp(-2 * _x**2 + _y) / sympy.erfc(_x) ** 2,
    "erfcx in a sum": sympy.exp(-_x**2 / 2) * (_y / ndtr(_x) + sympy.erfc(_x)),
    "over erfcx": _y * (2 * _x * erfcx(_x) - 3) ** 2 / erfcx(_x) ** 3,
}


@pytest.mark.parametrize("rule", [*RULES, EXPM1, *CANCEL], ids=lambda r: r.name)
def test_every_rule_is_an_exact_identity(rule):
    node = SAMPLES[rule.name]
    out = rule.rewrite(node)
    assert out is not None and out != node
    points = [(a, b) for a in (-30.0, -2.5, -0.3, 0.7, 3.0, 30.0) for b in (-1.5, 0.4, 2.0)]
    _agree(node, out, [_x, _y], points)


def test_the_branches_beyond_the_samples_are_exact():
    # log sinh of an even power (both signs), a numerator sum spread over 1 − eᵃ
    rules = {r.name: r for r in RULES}
    for name, node in [("log tanh, log sinh", sympy.log(sympy.sinh(_x * _y) ** 2)),
                       ("expm1 ratio", (_y - (1 - sympy.exp(_x**2)) * _x)
                        / (1 - sympy.exp(_x**2)) ** 2)]:
        out = rules[name].rewrite(node)
        assert out is not None and out != node
        _agree(node, out, [_x, _y], [(a, b) for a in (-3.0, -0.3, 0.7, 2.0)
                                     for b in (-1.5, 0.4, 2.0)])


def test_the_samples_cover_the_table():
    assert set(SAMPLES) == {r.name for r in (*RULES, *CANCEL)} | {EXPM1.name}


_ATOMS = ["x", "y", "2", "(-1)", "(1/2)"]
_UNARY = ["exp({})", "log(1 + exp({}))", "1/(1 + exp(-({})))", "tanh({})", "log(cosh({}))",
          "({})*sigmoid({})", "1 - sigmoid({})", "exp({}) - 1", "log(sigmoid({}))"]
_BINARY = ["({}) + ({})", "({}) - ({})", "({})*({})", "({})/(1 + exp({}))"]


@st.composite
def _expressions(draw, depth: int = 3) -> str:
    if depth == 0 or draw(st.integers(0, 3)) == 0:
        return draw(st.sampled_from(_ATOMS))
    if draw(st.booleans()):
        inner = draw(_expressions(depth - 1))
        return draw(st.sampled_from(_UNARY)).format(inner, inner)
    return draw(st.sampled_from(_BINARY)).format(draw(_expressions(depth - 1)),
                                                 draw(_expressions(depth - 1)))


@settings(max_examples=40, deadline=None, derandomize=True)
@given(text=_expressions())
def test_stabilize_is_an_identity_on_random_expressions(text):
    expr = sympy.sympify(text, locals={**_LOCALS, "x": _x, "y": _y})
    for e in (expr, sympy.diff(expr, _x)):
        _agree(e, stabilize(e), [_x, _y], [(0.3, -1.2), (-2.0, 0.5), (1.7, 2.2)])


def test_stabilize_leaves_ordinary_values_as_they_are():
    e = sympy.exp(_x) / (sympy.exp(_x) + 2 * sympy.exp(_y)) + sympy.log(1 + sympy.exp(_x * _y))
    s = stabilize(e)
    assert s != e and s.has(sympy.Max)
    _agree(e, s, [_x, _y], [(0.3, -1.2), (-2.0, 0.5)])
