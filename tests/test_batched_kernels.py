"""Batched Hessians and Jacobians written into their result (symnum.kernels.outer: diag + w·vᵀ
chunk by chunk; intermediates from the kernel's scratch pool; one torch thread for small
batches): values against torch.func on small batches, chunk boundaries, out=, grids, and
results that stay theirs after the next call."""

from __future__ import annotations

import functools
import os
import threading
import warnings

import numpy as np
import pytest
import torch
from torch.func import hessian, jacfwd, vmap

import symnum
import symnum.kernels.outer as outer
from symnum.kernels import threads
from symnum.kernels.assembly import RankOne
from symnum.kernels.threads import one_thread
from symnum.kernels.workspace import Workspace

BACKENDS = ["numpy", "torch"]
N = 3
NAMES = ",".join(f"x{i}" for i in range(N))
LSE = f"log({' + '.join(f'exp(x{i})' for i in range(N))})"


@functools.cache
def _kernel(text: str, what: str, backend: str, wrt: str = NAMES, params: str | None = None):
    return symnum.kernel(text, wrt=wrt, what=what, backend=backend, params=params)


def _data(points: int, seed: int = 0) -> torch.Tensor:
    return torch.tensor(np.random.default_rng(seed).normal(size=(points, N)))


def _call(k, data: torch.Tensor, backend: str, **kw):
    columns = [c.contiguous() for c in data.T]
    got = k(*(columns if backend == "torch" else [c.numpy() for c in columns]), **kw)
    return torch.as_tensor(np.asarray(got)) if backend == "numpy" else got


@pytest.fixture(params=[1 << 21, 1], ids=["one chunk", "a chunk per point"])
def chunk(request, monkeypatch):
    monkeypatch.setattr(outer, "CHUNK_BYTES", request.param)


@pytest.mark.parametrize("backend", BACKENDS)
def test_log_sum_exp_hessian_matches_torch_func(backend, chunk):
    k = _kernel(LSE, "hessian", backend)
    assert isinstance(k.layout, RankOne)
    data = _data(7)
    expected = vmap(hessian(lambda v: torch.logsumexp(v, 0)))(data)
    got = _call(k, data, backend)
    assert torch.allclose(got, expected, atol=1e-13)
    assert torch.equal(got, got.transpose(-1, -2))  # exactly symmetric
    out = torch.full(expected.shape, float("nan"), dtype=torch.float64)
    target = out if backend == "torch" else out.numpy()
    columns = [c.contiguous() if backend == "torch" else c.numpy() for c in data.T]
    assert k(*columns, out=target) is target
    assert torch.allclose(out, expected, atol=1e-13)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_result_is_not_overwritten_by_the_next_call(backend):
    k = _kernel(LSE, "hessian", backend)
    first_data, second_data = _data(3, 1), _data(3, 2)
    first = _call(k, first_data, backend).clone()
    kept = _call(k, first_data, backend)
    _call(k, second_data, backend)  # scratch arrays come back; the result is not one of them
    assert torch.equal(kept, first)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_grid_batch_and_a_diagonal_hessian(backend, chunk):
    """A column, a row and a number broadcast to a 3×4 grid (two batch axes); a separable
    function has a diagonal Hessian (zero off it)."""
    x = np.linspace(-1, 1, 3)[:, None]
    y = np.linspace(0.5, 2, 4)[None, :]
    k = _kernel("log(x**2 + y**2 + z**2)", "hessian", backend, "x,y,z")
    d = _kernel("x**4 + y**3 + exp(z)", "hessian", backend, "x,y,z")
    assert isinstance(k.layout, RankOne) and d.layout.diagonal_only
    args = (x, y, 0.5) if backend == "numpy" else (torch.tensor(x), torch.tensor(y), 0.5)
    got, diagonal = np.asarray(k(*args)), np.asarray(d(*args))
    assert got.shape == diagonal.shape == (3, 4, 3, 3)
    X, Y = np.broadcast_arrays(x, y)
    points = torch.tensor(np.stack([X.ravel(), Y.ravel(), np.full(X.size, 0.5)], -1))
    expected = vmap(hessian(lambda v: torch.log((v * v).sum())))(points)
    assert np.allclose(got.reshape(-1, 3, 3), expected.numpy(), atol=1e-13)
    assert np.allclose(diagonal[..., 0, 0], 12 * X**2) and np.allclose(diagonal[..., 0, 1], 0)
    assert np.allclose(diagonal[..., 1, 1], 6 * Y) and np.allclose(diagonal[..., 2, 2],
                                                                   np.exp(0.5))


@pytest.mark.parametrize("backend", BACKENDS)
def test_softmax_jacobian_and_an_example_loss_hessian(backend):
    """Other batched derivatives through the same paths: the softmax Jacobian, and the
    Hessian in its parameters of one example's loss, at a batch of examples."""
    total = " + ".join(f"exp(x{i})" for i in range(3))
    text = "[" + ", ".join(f"exp(x{i})/({total})" for i in range(3)) + "]"
    k = _kernel(text, "jacobian", backend, "x0,x1,x2")
    data = _data(6, 3)[:, :3]
    expected = vmap(jacfwd(lambda v: torch.softmax(v, 0)))(data)
    assert torch.allclose(_call(k, data, backend), expected, atol=1e-13)

    loss = "(v*exp(w*x + b) + c - y)**2"  # one unit of a network, its squared loss
    k = _kernel(loss, "hessian", backend, "w,b,v,c", "x,y")
    theta = torch.tensor([0.3, -0.7, 0.9, 0.05], dtype=torch.float64)
    x = torch.linspace(-1, 1, 5, dtype=torch.float64)
    y = torch.linspace(0, 1, 5, dtype=torch.float64)

    def example(t, xi, yi):
        return (t[2] * torch.exp(t[0] * xi + t[1]) + t[3] - yi) ** 2

    expected = vmap(hessian(example), in_dims=(None, 0, 0))(theta, x, y)
    args = [*theta, x, y] if backend == "torch" else [*theta.numpy(), x.numpy(), y.numpy()]
    assert torch.allclose(torch.as_tensor(np.asarray(k(*args))), expected, atol=1e-12)


def test_one_thread_nests_and_restores():
    before = torch.get_num_threads()
    done = []

    def worker():
        with one_thread():
            done.append(torch.get_num_threads())

    with one_thread():
        with one_thread():
            inner = torch.get_num_threads()
        thread = threading.Thread(target=worker)
        thread.start()
        thread.join()
        still = torch.get_num_threads()
    assert torch.get_num_threads() == before
    if torch.backends.openmp.is_available():
        assert inner == still == 1 and done == [1]


def test_kernels_go_to_one_thread_only_on_a_busy_machine(monkeypatch):
    monkeypatch.setattr(threads.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(threads.os, "getloadavg", lambda: (0.5, 0.5, 0.5))
    assert not threads.busy()
    monkeypatch.setattr(threads.os, "getloadavg", lambda: (2.5, 1.0, 1.0))
    assert threads.busy()


def test_calls_from_two_threads_at_once_never_share_a_workspace(monkeypatch):
    import symnum.kernels.build as build

    class Slow(Workspace):  # a thread switch while the new workspace is made
        def __init__(self) -> None:
            super().__init__()
            threading.Event().wait(0.02)

    k = symnum.kernel("x*y + sin(x)", wrt="x,y", what="gradient")
    monkeypatch.setattr(build, "Workspace", Slow)
    seen, arrays, both = [], k._arrays, threading.Barrier(2, timeout=10)

    def running(*args):  # both calls are running when they say which workspace they hold
        seen.append(id(args[-1]))
        both.wait()
        return arrays(*args)

    monkeypatch.setattr(k, "_arrays", running)
    calls = [threading.Thread(target=k, args=(np.ones(4), np.ones(4))) for _ in range(2)]
    for call in calls:
        call.start()
    for call in calls:
        call.join()
    assert len(seen) == 2 and seen[0] != seen[1]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork")
def test_a_forked_child_runs_kernels_on_one_thread(monkeypatch):
    # the parent's OpenMP team and numpy's thread pool are not in a forked child: a torch
    # kernel (or a big numpy Hessian on a quiet machine) there waited for them forever
    monkeypatch.setattr(threads.os, "getloadavg", lambda: (0.0, 0.0, 0.0))
    assert not threads.busy()
    read, write = os.pipe()
    with warnings.catch_warnings():  # JAX, if another test loaded it, warns about any fork
        warnings.simplefilter("ignore")
        pid = os.fork()
    if pid == 0:  # the child: says whether it would use one thread, and leaves
        try:
            os.write(write, b"1" if threads.busy() and outer._parts(1 << 30) == 1 else b"0")
        finally:
            os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    assert os.read(read, 1) == b"1"
    assert not threads.busy()  # the parent is not affected


def test_workspace_hands_back_the_array_it_was_given():
    w = Workspace()
    a = w.empty((2, 3), np.float64)
    w.give(a)
    assert w.empty((2, 3), np.float64) is a
    t = w.empty((4,), torch.float64, torch.device("cpu"), torch=True)
    w.give(t)
    assert w.empty((4,), torch.float64, torch.device("cpu"), torch=True) is t
    assert w.empty((4,), torch.float64, torch.device("cpu"), torch=True) is not t


@pytest.mark.parametrize("backend", BACKENDS)
def test_many_entries_are_stacked_as_rows_then_transposed(backend):
    """A Jacobian of 10 entries (from STACK_ROWS_MIN on: stacked as rows, then one
    transposition into the result) on a 3×4 grid, new and into out=, constants included."""
    k = _kernel("[x*y, x + y, sin(x), exp(y), 3]", "jacobian", backend, "x,y")
    x, y = np.linspace(-1, 1, 3)[:, None], np.linspace(0.5, 2, 4)[None, :]
    X, Y = np.broadcast_arrays(x, y)
    one, zero = np.ones_like(X), np.zeros_like(X)
    expected = np.stack([Y, X, one, one, np.cos(X), zero, zero, np.exp(Y), zero, zero],
                        -1).reshape(3, 4, 5, 2)
    args = (x, y) if backend == "numpy" else (torch.tensor(x), torch.tensor(y))
    assert np.allclose(np.asarray(k(*args)), expected, atol=1e-15)
    out = np.full((3, 4, 5, 2), np.nan)
    target = out if backend == "numpy" else torch.from_numpy(out)
    assert k(*args, out=target) is target and np.allclose(out, expected, atol=1e-15)


@pytest.mark.parametrize("backend", BACKENDS)
def test_outputs_written_straight_into_the_rows(backend):
    """At 10,000 points the program writes each output into its row of the scratch (a
    repeated entry, an input and a number are copied in), then one transposition."""
    k = _kernel("x*y*z + sin(x)*y**2 + exp(z)*x + 2*z", "hessian", backend, "x,y,z")
    h = _kernel("x*y*z + sin(x)*y**2 + exp(z)*x + 2*z", "gradient", backend, "x,y,z")
    rng = np.random.default_rng(5)
    x, y, z = (rng.normal(size=10_000) for _ in range(3))
    args = (x, y, z) if backend == "numpy" else tuple(map(torch.tensor, (x, y, z)))
    got = np.asarray(k(*args))
    k(*(a[::-1].copy() if backend == "numpy" else a.flip(0) for a in args))  # reuses rows
    c, s, e = np.cos(x), np.sin(x), np.exp(z)
    expected = np.stack([-s * y**2, z + 2 * c * y, y + e, z + 2 * c * y, 2 * s, x,
                         y + e, x, e * x], -1).reshape(-1, 3, 3)
    assert np.allclose(got, expected, atol=1e-12)
    assert np.allclose(np.asarray(h(*args)), np.stack([y * z + c * y**2 + e, x * z + 2 * s * y,
                                                        x * y + e * x + 2], -1), atol=1e-12)


@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_a_result_still_held_is_never_overwritten_by_the_next_call(backend):
    """Big results are recycled (Workspace.result) only once nothing of them is alive."""
    k = symnum.kernel("x**2*y + exp(y)*z", wrt="x,y,z", what="hessian", backend=backend)
    points = 70_000  # a 5 MB result: recycled
    rng = np.random.default_rng(3)
    first = [rng.normal(size=points) for _ in range(3)]
    second = [rng.normal(size=points) for _ in range(3)]
    if backend == "torch":
        first, second = ([torch.from_numpy(a) for a in arrays] for arrays in (first, second))
    held = k(*first)
    row = held[5]
    copy = _np(held).copy()
    again = k(*second)
    assert not np.shares_memory(_np(again), _np(held))
    assert np.array_equal(_np(held), copy) and np.array_equal(_np(row), copy[5])
    address = _np(again).ctypes.data
    del again
    third = k(*second)
    assert _np(third).ctypes.data == address  # dropped: its memory again
    del held, row
    assert not np.shares_memory(_np(k(*first)), _np(third))


def _np(array: object) -> np.ndarray:
    return array.numpy() if isinstance(array, torch.Tensor) else np.asarray(array)


def test_numpy_rank_one_results_written_by_threads_equal_one_threads(monkeypatch):
    rng = np.random.default_rng(4)
    w, v, d = (rng.normal(size=(3_000, 7)) for _ in range(3))
    monkeypatch.setattr(outer, "CHUNK_BYTES", 7 * 7 * 8 * 100)  # 30 chunks
    monkeypatch.setattr(outer, "_parts", lambda size: 1)
    alone = outer.outer_into(np.empty((3_000, 7, 7)), w, v, d)
    monkeypatch.setattr(outer, "_parts", lambda size: 3)
    shared = outer.outer_into(np.full((3_000, 7, 7), np.nan), w, v, d)
    assert np.array_equal(alone, shared)
    assert np.array_equal(alone[:, 2, 5], w[:, 2] * v[:, 5])
    assert np.array_equal(alone[:, 4, 4], d[:, 4])
