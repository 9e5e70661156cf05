"""The one-point C path (symnum.kernels.c_source, one_point_c): cut into parts, products
shared, compiled in several files, it gives the Python function's values bit for bit and
torch's Hessian; a kernel called with floats reads them in C; without a compiler the Python
function answers; the library is cached by its source."""

from __future__ import annotations

import functools
import shutil

import numpy as np
import pytest
import sympy

import symnum
from symnum.kernels import c_source, one_point, one_point_c
from symnum.kernels.one_point import python_function
from symnum.kernels.one_point_c import CFunction, c_function
from symnum.kernels.program import Program

needs_cc = pytest.mark.skipif(not (shutil.which("cc") or shutil.which("gcc")),
                              reason="no C compiler installed")
X = [(0.5, -0.25), (0.75, 0.5), (-1.0, 0.25)]
Y = [0.5, -0.5, 0.25]
THETA = [0.3, -0.7, 0.2, 1.1, -0.4]


@functools.cache
def _mlp() -> Program:
    """The Hessian of a one-unit tanh network's squared loss (5 parameters, 3 points)."""
    w0, w1, b, v, c = params = sympy.symbols("w0 w1 b v c")
    loss = sum((v * sympy.tanh(w0 * x0 + w1 * x1 + b) + c - y) ** 2
               for (x0, x1), y in zip(X, Y, strict=True))
    return Program(list(sympy.hessian(loss, params)), params)


def _torch_hessian() -> np.ndarray:
    torch = pytest.importorskip("torch")

    def loss(t):
        out = 0
        for (x0, x1), y in zip(X, Y, strict=True):
            r = t[3] * torch.tanh(t[0] * x0 + t[1] * x1 + t[2]) + t[4] - y
            out = out + r * r
        return out
    return torch.autograd.functional.hessian(loss, torch.tensor(THETA, dtype=torch.float64)
                                             ).numpy()


@needs_cc
def test_parts_and_files_give_the_python_functions_values_bit_for_bit(tmp_path, monkeypatch):
    monkeypatch.setenv("SYMNUM_CACHE", str(tmp_path))
    program = _mlp()
    python = np.array(python_function(program)(*THETA))
    expected = _torch_hessian().reshape(-1)
    whole = c_source.c_program(program)
    assert len(whole.parts) == 1 and "s[" not in whole.parts[0]
    for part_steps, jobs in [(c_source.PART_STEPS, 1), (7, 1), (7, 3)]:
        monkeypatch.setenv("SYMNUM_CACHE", str(tmp_path / f"{part_steps}-{jobs}"))
        monkeypatch.setattr(c_source, "PART_STEPS", part_steps)
        monkeypatch.setattr(one_point_c, "_jobs", lambda steps, jobs=jobs: jobs)
        function = c_function(program)
        assert isinstance(function, CFunction)
        got = function(THETA)
        assert np.array_equal(got, python), part_steps  # the same operations in order
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)
    assert len(c_source.c_program(program, part_steps=7).parts) > 10
    assert len(list(tmp_path.rglob("one_point_*.so"))) == 3


def test_products_repeated_by_steps_are_written_once():
    a, b, c, d = xs = sympy.symbols("a b c d")
    program = Program([a * b * c, a * b * d, b * a * c + 1, a - b - d, a], xs)
    text = c_source.c_program(program).text()
    assert text.count(" * ") == 3  # a·b once, then (a·b)·c and (a·b)·d
    assert "t1 = in[0] * in[1];" in text and "= 1.0 + t2;" in text
    assert "t6 = in[0] - in[1];" in text and "t7 = t6 - in[3];" in text  # C's order
    assert "out[4] = in[0];" in text  # an output that is an input


@needs_cc
def test_the_scratch_array_can_live_on_the_heap(tmp_path, monkeypatch):
    monkeypatch.setenv("SYMNUM_CACHE", str(tmp_path))
    monkeypatch.setattr(c_source, "STACK_MAX", 0)
    monkeypatch.setattr(c_source, "PART_STEPS", 5)
    program = _mlp()
    assert "malloc(" in c_source.c_program(program).entry
    assert np.array_equal(c_function(program)(THETA), python_function(program)(*THETA))


@needs_cc
@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_a_kernel_called_with_floats_reads_them_in_c(tmp_path, monkeypatch, backend):
    monkeypatch.setenv("SYMNUM_CACHE", str(tmp_path))
    monkeypatch.setattr(one_point, "C_MIN_STEPS", 0)
    k = symnum.kernel("x*log(exp(x) + exp(y)) + Max(x, y)*y", wrt="x,y", what="hessian",
                      backend=backend)
    batched = np.asarray(k(np.array([0.5]), np.array([-1.5])))[0]
    first = k(0.5, -1.5)
    assert isinstance(k._one_point, CFunction)
    if not one_point_c.PYTHON_ENTRY:
        pytest.skip("not CPython: no fast path")
    assert k._fast is not None
    fast = k(0.5, -1.5)
    assert type(fast) is type(first) and tuple(fast.shape) == (2, 2)
    np.testing.assert_allclose(np.asarray(fast), batched, rtol=1e-14, atol=1e-15)
    assert np.array_equal(np.asarray(fast), np.asarray(first))
    assert fast is not k(0.5, -1.5)  # a new array each call
    # other arguments leave the fast path: numpy floats take it, ints and arrays do not
    assert k._fast((np.float64(0.5), -1.5)) is not None
    for args in [(1, -1.5), (np.float32(0.5), -1.5), (np.array(0.5), -1.5), (0.5,),
                 (0.5, -1.5, 2.0), ("0.5", -1.5), (True, 1.0)]:
        assert k._fast(args) is None, args
    assert np.asarray(k(np.array([0.5, 1.0]), -1.5)).shape == (2, 2, 2)
    assert np.asarray(k(1, 2)).tolist() == np.asarray(k(1.0, 2.0)).tolist()
    with pytest.raises(symnum.EvaluationError):
        k(0.5)


@pytest.mark.parametrize("lookup", ["missing CC", "no compiler"])
def test_without_a_compiler_the_python_function_answers(tmp_path, monkeypatch, lookup):
    monkeypatch.setenv("SYMNUM_CACHE", str(tmp_path))
    monkeypatch.setattr(one_point, "C_MIN_STEPS", 0)
    if lookup == "missing CC":
        monkeypatch.setenv("CC", str(tmp_path / "no-such-cc"))
    else:
        monkeypatch.delenv("CC", raising=False)
        monkeypatch.setattr(shutil, "which", lambda name: None)
    assert c_function(_mlp()) is None
    k = symnum.kernel("x*log(exp(x) + exp(y))", wrt="x,y", what="hessian")
    got = k(0.5, -1.5)
    assert k._one_point and not isinstance(k._one_point, CFunction) and k._fast is None
    np.testing.assert_allclose(got, k(np.array([0.5]), np.array([-1.5]))[0], rtol=1e-14)
    assert not list(tmp_path.rglob("*.so"))


@needs_cc
def test_the_library_is_cached_by_its_source(tmp_path, monkeypatch):
    monkeypatch.setenv("SYMNUM_CACHE", str(tmp_path))
    x, y = sympy.symbols("x y")
    assert c_function(Program([sympy.sin(x) * y], [x, y]))([0.5, 2.0]).tolist() == \
        [np.sin(0.5) * 2.0]
    builds: list = []
    monkeypatch.setattr(one_point_c, "_build", lambda *args: builds.append(args) and False)
    again = c_function(Program([sympy.sin(x) * y], [x, y]))  # loaded from the cache
    assert again([0.5, 2.0]).tolist() == [np.sin(0.5) * 2.0] and not builds
    assert c_function(Program([sympy.cos(x) * y], [x, y])) is None and builds  # built anew
    assert len(list((tmp_path / "c").glob("one_point_*.so"))) == 1


def test_a_function_c_lacks_has_no_c_program():
    x = sympy.Symbol("x")
    assert c_source.c_program(Program([sympy.polygamma(1, x) * x], [x])) is None
    assert c_function(Program([sympy.digamma(x)], [x])) is None
