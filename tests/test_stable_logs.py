"""The log families (symnum.kernels.stable_logs): log tanh, log(eˣ − 1), log(1 − e⁻ˣ),
log1mexp, log sinh, log cosh, log coth, log(1 ± tanh), log(1 − e^(−x²)), log(cosh x − 1)
(the README's stability rows, tests/stable_cases.py) and log(expm1) given as SymPy, their
values and first and second derivatives as symnum derives them, on numpy, torch and JAX,
live kernels and exported modules, at ±1e-8 … ±800 wherever the true value is a finite float64.

Oracle: SymPy's diff of the text (sympified here, not read by symnum's parser) evaluated by
mpmath at 60 digits and more. Rule: 1e-9 relative, or 1e-14 absolute where the true value
is below 1e-5; no warnings; nothing non-finite.
"""

from __future__ import annotations

import functools
import warnings

import mpmath as mp
import numpy as np
import pytest
import sympy
from sympy.codegen.cfunctions import expm1

import symnum
from symnum.export.module import export_source

from . import stable_cases
from .test_stable import BACKENDS

_X = sympy.Symbol("x", real=True)
_LOCALS = {"x": _X, "log1mexp": lambda t: sympy.log(1 - sympy.exp(-t))}
_MAGNITUDES = [1e-8, 1e-4, 0.1, 0.7, 1.0, 3.0, 10.0, 40.0, 200.0, 800.0]
POINTS = sorted([*_MAGNITUDES, *(-m for m in _MAGNITUDES)])
TINY = 1e-5  # below it the rule is absolute: 1e-14


@functools.cache
def truths(text: str, order: int) -> tuple[float | None, ...]:
    """The exact ∂ᵒʳᵈᵉʳ at each point as a float64, None where it is not a finite real."""
    expr = sympy.sympify(text, locals=_LOCALS) if isinstance(text, str) else text
    f = sympy.lambdify([_X], sympy.diff(expr, _X, order), "mpmath")
    out: list[float | None] = []
    for p in POINTS:
        with mp.workdps(60 + int(0.9 * abs(p))):  # e^(−2·800) beside 1: 695 digits
            v = mp.mpmathify(f(mp.mpf(p)))
        if isinstance(v, mp.mpc) and abs(v.imag) > 1e-40 * max(1, abs(v.real)):
            v = None  # complex (left of the domain)
        elif v is not None:
            v = mp.re(v)
        finite = v is not None and mp.isfinite(v) and abs(v) < 1.79e308
        out.append(float(v) if finite else None)
    return tuple(out)


def right(got: float, exact: float) -> bool:
    """The rule of the stability table."""
    if not np.isfinite(got):
        return False
    return abs(got - exact) <= (1e-14 if abs(exact) < TINY else 1e-9 * abs(exact))


def _callable(expr: object, order: int, backend: str, exported: bool):
    result = symnum.derive(expr, wrt=[_X], order=order) if order else None
    if not exported:
        return symnum.kernel(result, backend=backend) if order else \
            symnum.kernel(expr, wrt=[_X], what="value", backend=backend)
    source = export_source(result, to=backend) if order else \
        export_source(expr, wrt=[_X], what="value", to=backend)
    namespace: dict[str, object] = {}
    exec(compile(source, "<export>", "exec"), namespace)  # noqa: S102 - symnum's own export
    return namespace["f"]


def _array(values: list[float], backend: str) -> object:
    if backend == "torch":
        import torch
        return torch.tensor(values, dtype=torch.float64)
    if backend == "jax":
        import jax.numpy as jnp
        return jnp.asarray(values)
    return np.array(values)


def wrong_values(expr: object, order: int, backend: str, exported: bool) -> list[tuple]:
    """(point, got, exact) wherever the kernel misses the rule (one batched call)."""
    exact = truths(expr, order) if isinstance(expr, str) else _sympy_truths(expr, order)
    f = _callable(sympy.sympify(expr, locals=_LOCALS) if isinstance(expr, str) else expr,
                  order, backend, exported)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = np.asarray(f(_array(POINTS, backend)), dtype=float).reshape(-1)
    return [(p, g, t) for p, g, t in zip(POINTS, got, exact, strict=True)
            if t is not None and not right(g, t)]


@functools.cache
def _sympy_truths(expr: sympy.Expr, order: int) -> tuple[float | None, ...]:
    return truths(expr.replace(expm1, lambda t: sympy.exp(t) - 1), order)


@pytest.mark.parametrize("how", ["live", "export"])
@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("family", stable_cases.LOG_FAMILIES, ids=lambda f: f.name)
def test_log_families_of_the_stability_table(family, backend, how):
    """The README's rows (tests/stable_cases.py, its 68 points and its oracles)."""
    if "log1mexp" not in family.text:  # SymPy has no log1mexp: its oracle is its definition
        assert stable_cases.same_function(family)
    true = stable_cases.exact(family)
    for what in stable_cases.WHATS:
        got = stable_cases.evaluate(family, what, backend, how)
        assert not stable_cases.wrong(got, true[what]).any(), (what, got, true[what])


@pytest.mark.parametrize("backend", BACKENDS)
def test_log_of_expm1_given_as_sympy(backend):
    expr = sympy.log(expm1(_X))
    for order in (0, 1, 2):
        assert wrong_values(expr, order, backend, False) == [], order


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("text", ["log(1 - exp(-x**2))", "log(cosh(x) - 1)"])
def test_derived_results_of_the_reviewed_rows(text, backend):
    # symnum.derive's Result, then a kernel and an export: the Hessian of log(1 − e^(−x²))
    # was (…)/(1 − e^(x²))², nan from x = 38; log(cosh x − 1) and its gradient inf at 800
    for order in (0, 1, 2):
        for exported in (False, True):
            assert wrong_values(text, order, backend, exported) == [], (order, exported)


def test_the_oracle_sees_the_old_failures():
    # the plain forms (no stable rules) miss: eˣ overflows at 800, 1 − tanh x is 0 at 40
    assert not right(float("inf"), truths("log(exp(x) - 1)", 0)[POINTS.index(800.0)])
    assert not right(float("-inf"), truths("log(1 - tanh(x))", 0)[POINTS.index(40.0)])
    assert truths("log(tanh(x))", 0)[POINTS.index(-1.0)] is None  # complex: not counted
