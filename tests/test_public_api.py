"""The public surface: ``symnum/__init__.py`` lists it, each name shows an example, the docs
list it; ``symnum.kernel(f)`` and ``Function.kernel()`` build the same thing; the seam
(:mod:`symnum.core.hooks`) through which core's conveniences reach the layers above."""

from __future__ import annotations

import inspect
import tomllib
from pathlib import Path

import mpmath
import numpy as np
import pytest

import symnum
from symnum.core.errors import SymnumError
from symnum.core.hooks import HOOKS, PROVIDERS, plug_layers, plugged

ROOT = Path(__file__).resolve().parent.parent
PUBLIC = [n for n in symnum.__all__ if n != "__version__"]


@pytest.mark.parametrize("name", PUBLIC)
def test_every_public_name_has_a_docstring_with_an_example(name):
    obj = getattr(symnum, name)
    doc = inspect.getdoc(obj) or ""
    assert ">>>" in doc, f"symnum.{name} has no example in its docstring"


def test_the_architecture_lists_the_public_surface():
    text = (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
    missing = [n for n in PUBLIC if f"`{n}`" not in text]
    assert not missing, f"docs/ARCHITECTURE.md does not list {missing}"


def test_the_package_ships_its_types():
    assert (ROOT / "symnum" / "py.typed").exists()
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "py.typed" in data["tool"]["setuptools"]["package-data"]["symnum"]


# The natural derivative, by an independent oracle (mpmath's numerical differentiation).
CASES = [("sin(x)*exp(x)", "x", lambda x: mpmath.sin(x) * mpmath.exp(x)),
         ("x**2*y + log(1 + y**2)", "x,y", lambda x, y: x**2 * y + mpmath.log(1 + y**2))]


def _oracle_derivative(func, point):
    if len(point) == 1:
        return [float(mpmath.diff(func, point[0]))]
    grads = []
    for i in range(len(point)):
        order = tuple(int(j == i) for j in range(len(point)))
        grads.append(float(mpmath.diff(func, point, order)))
    return grads


@pytest.mark.parametrize("text, wrt, func", CASES)
def test_kernel_and_function_kernel_agree_on_the_natural_derivative(text, wrt, func):
    points = [(0.3, -1.2), (1.7, 0.4)]
    f = symnum.Function(text, wrt=wrt)
    n = len(f.variables)
    module_level, method = symnum.kernel(text, wrt=wrt), f.kernel()
    for point in points:
        args = point[:n]
        expected = _oracle_derivative(func, [mpmath.mpf(a) for a in args])
        got_module = np.atleast_1d(module_level(*args)).tolist()
        got_method = np.atleast_1d(method(*args)).tolist()
        assert got_module == got_method
        assert got_module == pytest.approx(expected, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("text, wrt, func", CASES)
def test_what_value_is_the_function_itself_in_both(text, wrt, func):
    f = symnum.Function(text, wrt=wrt)
    args = (0.3, -1.2)[:len(f.variables)]
    expected = float(func(*[mpmath.mpf(a) for a in args]))
    assert float(symnum.kernel(text, wrt=wrt, what="value")(*args)) == pytest.approx(expected)
    assert float(f.kernel("value")(*args)) == pytest.approx(expected)


def test_every_convenience_is_plugged_in_once_one_is_needed():
    """``import symnum`` loads no layer; the first convenience that meets an empty slot has
    ``symnum.api`` plug them all (a fresh process: tests/test_startup.py)."""
    plug_layers()
    assert set(PROVIDERS) == {name for name in vars(HOOKS)}
    assert all(getattr(HOOKS, name) is not None for name in PROVIDERS)


def test_core_without_the_layers_above_still_differentiates_and_says_what_is_missing():
    f = symnum.Function("x**2*y")
    with plugged(kernel=None, steps=None, compile_kernel=None):
        assert f.gradient().nested() == symnum.derive("x**2*y").nested()
        with pytest.raises(SymnumError, match="symnum.kernels"):
            f.kernel()
        with pytest.raises(SymnumError, match="symnum.steps"):
            f.steps()
        with pytest.raises(SymnumError, match="symnum.kernels"):
            f.gradient().at({"x": np.array([1.0, 2.0]), "y": 3.0})
    assert f.gradient().at({"x": np.array([1.0]), "y": 3.0}).tolist() == [[6.0, 1.0]]


def test_an_unknown_hook_is_an_error():
    with pytest.raises(SymnumError, match="no hook named"):
        HOOKS.plug(kernal=print)


@pytest.mark.parametrize("call, message", [
    (lambda: symnum.derive("x.T*A*x", wrt="x", shapes="x=n A=n,n"), "shapes map each"),
    (lambda: symnum.derive("x.T*x", wrt="x", shapes={"x": 2.5}), "the shape of x"),
    (lambda: symnum.derive("x**2", wrt=3), "wrt names the variables"),
    (lambda: symnum.Function("sin(x)").plot(span="a"), "plot range"),
    (lambda: symnum.Function("sin(x)").plot(span=(3, -3)), "plot range"),
    (lambda: symnum.Function("sin(x)").plot(span=(0, float("inf"))), "plot range"),
])
def test_misuse_of_the_api_is_a_symnum_error_with_one_clear_line(call, message):
    with pytest.raises(SymnumError, match=message) as err:
        call()
    assert "\n" not in str(err.value)
