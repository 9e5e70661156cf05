"""The batched Hessian of log-sum-exp of 20 variables at 20,000 points: symnum's torch and
numpy kernels against ``jax.jit(jax.vmap(jax.hessian(logsumexp)))`` in float64, compiled
before timing. Each run times every kernel and JAX in turns (median of a few calls each) and
keeps the ratio; the target holds when every run's ratio does.

``run.py`` uses ``benchmarks/batched.py`` (the batched-kernel work's own measurement) and
this module only where that one is missing.

>>> found = rows(runs=1, points=50, calls=1)
>>> [row["label"] for row in found], len(found[0]["ratios"])
(['LSE Hessian, torch kernel', 'LSE Hessian, numpy kernel'], 1)
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np


def _median_s(fn: Callable[[], Any], calls: int) -> float:
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def rows(runs: int = 5, n: int = 20, points: int = 20_000, calls: int = 7) -> list[dict]:
    """One row a symnum kernel: label, seconds of each run (symnum, JAX) and their ratios."""
    import jax
    import torch

    import symnum
    jax.config.update("jax_enable_x64", True)
    names = ",".join(f"x{i}" for i in range(n))
    text = f"log({' + '.join(f'exp({v})' for v in names.split(','))})"
    data = np.random.default_rng(0).normal(size=(points, n))
    h = jax.jit(jax.vmap(jax.hessian(jax.scipy.special.logsumexp)))
    x = jax.device_put(data)
    expected = np.asarray(h(x).block_until_ready())  # compiled here, before any timing
    kernels = {"LSE Hessian, torch kernel": (symnum.kernel(
                   text, wrt=names, what="hessian", backend="torch"), list(torch.tensor(data).T)),
               "LSE Hessian, numpy kernel": (symnum.kernel(text, wrt=names, what="hessian"),
                                             list(data.T))}
    found = []
    for label, (k, columns) in kernels.items():
        got = np.asarray(k(*columns))
        assert np.allclose(got, expected, atol=1e-12), np.abs(got - expected).max()
        ours, theirs = [], []
        for _ in range(runs):
            ours.append(_median_s(lambda k=k, c=columns: k(*c), calls))
            theirs.append(_median_s(lambda: h(x).block_until_ready(), calls))
        found.append({"label": label, "symnum_s": ours, "jax_s": theirs,
                      "ratios": [a / b for a, b in zip(ours, theirs, strict=True)]})
    return found
