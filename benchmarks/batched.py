"""Batched derivative kernels against JAX's fastest form, ``jax.jit(jax.vmap(...))`` with
64-bit floats, compiled before timing, in one run: the log-sum-exp Hessian of 20 variables at
20,000 points (issue 26's target: at most 0.5× JAX), the softmax Jacobian at the same points,
and the per-example Hessian of a small tanh network's squared loss over a batch of examples.

    python benchmarks/batched.py [--repeat 7]

Each pair is timed in turns (drift hits both), best of ``repeat``; every symnum result is
checked against JAX's first. ``rows()`` gives (workload, symnum s, JAX s, what JAX runs) for
``benchmarks/run.py``'s table.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable

import numpy as np

POINTS = 20_000


def _jax():
    import jax
    jax.config.update("jax_enable_x64", True)
    return jax


def _best_in_turns(ours: Callable, theirs: Callable, repeat: int) -> tuple[float, float]:
    """Best-of-``repeat`` seconds of two callables, run in turns."""
    a = b = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        ours()
        a = min(a, time.perf_counter() - start)
        start = time.perf_counter()
        theirs()
        b = min(b, time.perf_counter() - start)
    return a, b


def _kernels(text: str, wrt: str, what: str, params: str | None = None) -> dict:
    import symnum
    return {backend: symnum.kernel(text, wrt=wrt, what=what, backend=backend, params=params)
            for backend in ("torch", "numpy")}


def _columns(data: np.ndarray) -> dict:
    """One contiguous array per column, for numpy and for torch."""
    import torch
    columns = [np.ascontiguousarray(c) for c in data.T]
    return {"numpy": columns, "torch": [torch.from_numpy(c) for c in columns]}


def _compare(label: str, kernels: dict, columns: dict, jitted: Callable, jax_input: object,
             repeat: int, extra: dict | None = None) -> list[tuple[str, float, float, str]]:
    """Rows for the torch and numpy kernels against ``jitted(jax_input)``, after checking
    that both agree with it."""
    expected = np.asarray(jitted(jax_input).block_until_ready())
    theirs = lambda: jitted(jax_input).block_until_ready()  # noqa: E731
    runs = {backend: (lambda k=k, c=columns[backend]: k(*c, **(extra or {})))
            for backend, k in kernels.items()}
    for backend, run in runs.items():
        got = np.asarray(run())
        assert np.allclose(got, expected, rtol=1e-9, atol=1e-12), (label, backend)
    return [(f"{label}, {backend} kernel", *_best_in_turns(run, theirs, repeat),
             "jax.jit(vmap)") for backend, run in runs.items()]


def lse_hessian(repeat: int, n: int = 20) -> list[tuple[str, float, float, str]]:
    """Hessian of log(Σ exp(xᵢ)) at POINTS points: torch and numpy kernels, torch into a
    reused ``out=``, and writing a fresh array of the result's size (the floor for any
    kernel that returns a new array)."""
    import torch

    from symnum.kernels.memory import huge_pages
    jax = _jax()
    names = ",".join(f"x{i}" for i in range(n))
    text = f"log({' + '.join(f'exp(x{i})' for i in range(n))})"
    kernels = _kernels(text, names, "hessian")
    data = np.random.default_rng(0).normal(size=(POINTS, n))
    columns = _columns(data)
    jitted = jax.jit(jax.vmap(jax.hessian(jax.scipy.special.logsumexp)))
    x = jax.numpy.asarray(data)
    label = f"LSE Hessian {n} vars × {POINTS:,}"
    rows = _compare(label, kernels, columns, jitted, x, repeat)
    out = torch.empty((POINTS, n, n), dtype=torch.float64)
    theirs = lambda: jitted(x).block_until_ready()  # noqa: E731
    reused = lambda: kernels["torch"](*columns["torch"], out=out)  # noqa: E731
    fill = lambda: huge_pages(torch.empty((POINTS, n, n), dtype=torch.float64)).fill_(1.0)  # noqa: E731
    rows.append((f"{label}, torch kernel into a reused out=", *_best_in_turns(reused, theirs,
                                                                              repeat),
                 "jax.jit(vmap)"))
    rows.append((f"{label}, (floor: fill a new array of that size)",
                 *_best_in_turns(fill, theirs, repeat), "jax.jit(vmap)"))
    return rows


def softmax_jacobian(repeat: int, n: int = 10) -> list[tuple[str, float, float, str]]:
    """Jacobian of softmax(x) (n outputs) at POINTS points."""
    jax = _jax()
    names = [f"x{i}" for i in range(n)]
    total = " + ".join(f"exp({v})" for v in names)
    text = "[" + ", ".join(f"exp({v})/({total})" for v in names) + "]"
    kernels = _kernels(text, ",".join(names), "jacobian")
    data = np.random.default_rng(1).normal(size=(POINTS, n))
    jitted = jax.jit(jax.vmap(jax.jacfwd(jax.nn.softmax)))
    return _compare(f"softmax Jacobian {n} vars × {POINTS:,}", kernels, _columns(data),
                    jitted, jax.numpy.asarray(data), repeat)


def mlp_example_hessian(repeat: int, inputs: int = 2, hidden: int = 4
                        ) -> list[tuple[str, float, float, str]]:
    """Hessian of one example's squared loss (v·tanh(W·x + b) + c − y)² in the network's
    hidden·(inputs + 2) + 1 parameters, at POINTS examples (x, y) and fixed parameters."""
    jax = _jax()
    jnp = jax.numpy
    W = [[f"W{h}_{i}" for i in range(inputs)] for h in range(hidden)]
    params = [w for row in W for w in row] + [f"b{h}" for h in range(hidden)] + \
        [f"V{h}" for h in range(hidden)] + ["c"]
    xs = [f"x{i}" for i in range(inputs)]
    units = [f"V{h}*tanh({' + '.join(f'{W[h][i]}*{xs[i]}' for i in range(inputs))} + b{h})"
             for h in range(hidden)]
    text = f"({' + '.join(units)} + c - y)**2"
    kernels = _kernels(text, ",".join(params), "hessian", params=",".join(xs + ["y"]))
    rng = np.random.default_rng(2)
    theta = rng.normal(0, 0.5, size=len(params))
    data = rng.uniform(-1, 1, size=(POINTS, inputs + 1))

    def loss(t, row):
        w = t[:hidden * inputs].reshape(hidden, inputs)
        b, v, c = t[hidden * inputs:hidden * (inputs + 1)], t[-hidden - 1:-1], t[-1]
        return (v @ jnp.tanh(w @ row[:inputs] + b) + c - row[inputs]) ** 2

    jitted = jax.jit(jax.vmap(jax.hessian(loss), in_axes=(None, 0)))
    t = jnp.asarray(theta)
    columns = _columns(data)
    import torch
    with_theta = {"numpy": [*theta, *columns["numpy"]],
                  "torch": [*(torch.tensor(v) for v in theta), *columns["torch"]]}
    return _compare(f"MLP loss Hessian, {len(params)} params, per example × {POINTS:,}",
                    kernels, with_theta, lambda d: jitted(t, d), jnp.asarray(data), repeat)


def rows(repeat: int = 7) -> list[tuple[str, float, float, str]]:
    """(workload, symnum seconds, JAX seconds, what JAX runs) for every comparison."""
    return lse_hessian(repeat) + softmax_jacobian(repeat) + mlp_example_hessian(repeat)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f}")
    print(f"{'workload':<72}{'symnum ms':>10}{'JAX ms':>9}{'ratio':>7}")
    for label, ours, theirs, _ in rows(args.repeat):
        print(f"{label:<72}{ours * 1e3:10.2f}{theirs * 1e3:9.2f}{ours / theirs:7.2f}")
    print(f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
