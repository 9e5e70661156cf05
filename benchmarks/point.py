"""The 61-parameter MLP Hessian at one point, called from Python: symnum's kernel given
Python floats, CasADi's ``Function`` and ``jax.jit(jax.hessian(loss))``, each built and
warmed first (symnum compiles its one-point function on the first calls), checked against
each other, then called in turns; the median of every call's microseconds.

>>> found = call_times(10, calls=20)
>>> sorted(found), found["symnum"] > 0
(['casadi', 'jax', 'symnum'], True)
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import tools


def _call_us(fn: Callable[[], Any], calls: int) -> list[float]:
    clock = time.perf_counter_ns
    times = []
    for _ in range(calls):
        start = clock()
        fn()
        times.append((clock() - start) / 1000)
    return times


def call_times(n: int = 61, calls: int = 3000, rounds: int = 5) -> dict[str, float]:
    """Median microseconds a call, per tool present (symnum, casadi, jax)."""
    built: dict[str, Callable[[], Any]] = {}
    for tool in ("symnum", "casadi", "jax"):
        if tools.installed(tool):
            built[tool] = tools.build(tool, n)[1]
    values = {tool: [np.asarray(h()) for _ in range(3)][-1] for tool, h in built.items()}
    reference = values.get("casadi", values["symnum"])
    for tool, value in values.items():
        gap = np.abs(value.reshape(n, n) - reference.reshape(n, n)).max()
        assert gap < 1e-9, f"{tool}'s Hessian differs by {gap}"
    times: dict[str, list[float]] = {tool: [] for tool in built}
    for _ in range(rounds):  # in turns, so that a busy moment hits every tool
        for tool, h in built.items():
            times[tool] += _call_us(h, max(1, calls // rounds))
    return {tool: statistics.median(t) for tool, t in times.items()}
