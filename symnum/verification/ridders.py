"""Ridders' extrapolation of float64 central differences, from several starts at once.

:func:`stencils` lays out every stencil point of every entry, start and stage as one array
(one vectorized evaluation of f); :func:`extrapolate` runs Ridders' tableau for one entry on
those values and returns the best value, its error estimate, the float64 rounding carried
into it, and the best value of an *independent* start (a second opinion).

>>> import numpy as np
>>> plan = stencils(np.array([1.0]), [(0,)])
>>> best = extrapolate(plan, 0, np.sin(plan.points[:, 0]))
>>> bool(abs(best.value - np.cos(1.0)) < 1e-12)
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

STARTS = (1.0, 0.1, 0.01)  # starting steps, times 0.1·max(0.01, |x|) per coordinate
STAGES = 10
SHRINK = 1.4
EPS = float(np.finfo(float).eps)

# (coefficient, step multiple along i, along j) per stencil, divided by h_i·h_j (or h_i)
_FIRST = ((0.5, 1, 0), (-0.5, -1, 0))
_SECOND = ((1.0, 1, 0), (-2.0, 0, 0), (1.0, -1, 0))
_MIXED = ((0.25, 1, 1), (-0.25, 1, -1), (-0.25, -1, 1), (0.25, -1, -1))


@dataclass
class Plan:
    """Where f is evaluated: ``points`` (rows), and per entry, start and stage the rows and
    coefficients of its stencil and the divisor."""

    points: np.ndarray
    layout: list  # [entry][start][stage] -> (rows, coefficients, divisor)


@dataclass
class Best:
    value: float
    error: float  # Ridders' own estimate
    rounding: float  # float64 rounding carried into the value
    second: float  # best value of another start
    second_error: float  # its error + rounding


def _starts(x0: np.ndarray, limit: np.ndarray) -> list[np.ndarray]:
    """Starting steps per coordinate: 0.1·max(0.01, |x|) times STARTS, steps that stay on
    x's side of 0 where |x| < 0.01, all clipped to half of ``limit`` (the distance over which
    f changes by its own size: a pole or domain edge may be that close); duplicates dropped."""
    base = 0.1 * np.maximum(np.abs(x0), 0.01)
    starts = [t * base for t in STARTS]
    small = (np.abs(x0) < 0.01) & (x0 != 0)
    if small.any():
        near = np.where(small, 0.1 * np.abs(x0), base)
        starts += [near, 0.1 * near]
    limit = np.where((limit > 0) & np.isfinite(limit), limit, np.inf)  # f = 0 says nothing
    unique: list[np.ndarray] = []
    for start in starts:
        clipped = np.minimum(start, 0.5 * limit)
        if np.all(clipped > 0) and not any(np.array_equal(clipped, u) for u in unique):
            unique.append(clipped)
    return unique


def stencils(x0: np.ndarray, pairs: list[tuple[int, ...]],
             limits: list[np.ndarray] | None = None) -> Plan:
    """Stencil points for each entry: ``(i,)`` a first derivative along i, ``(i, j)`` the
    second derivative along i and j; ``limits[k]``: the largest sensible step per coordinate
    for entry k (infinite where unknown)."""
    rows: list[np.ndarray] = []
    layout = []
    for k, pair in enumerate(pairs):
        i, j = pair if len(pair) == 2 else (pair[0], pair[0])
        shape = _FIRST if len(pair) == 1 else _SECOND if i == j else _MIXED
        limit = limits[k] if limits is not None else np.full(len(x0), np.inf)
        per_start = []
        for start in _starts(x0, limit):
            per_stage = []
            for stage in range(STAGES):
                h = start / SHRINK**stage
                idx, coefs = [], []
                for c, a, b in shape:
                    p = x0.copy()
                    p[i] += a * h[i]
                    p[j] += b * h[j]
                    idx.append(len(rows))
                    rows.append(p)
                    coefs.append(c)
                divisor = h[i] if len(pair) == 1 else h[i] * h[j]
                per_stage.append((idx, np.array(coefs), divisor))
            per_start.append(per_stage)
        layout.append(per_start)
    return Plan(np.array(rows), layout)


def extrapolate(plan: Plan, entry: int, f: np.ndarray, noise: float = 0.0) -> Best:
    """Ridders' extrapolation of ``entry`` from the values ``f`` at ``plan.points``;
    ``noise``: f's absolute float64 rounding near the point, beyond eps·|f|."""
    runs = []
    for stages in plan.layout[entry]:
        estimates = [(float(np.dot(c, f[idx]) / d),
                      float(np.dot(np.abs(c), EPS * np.abs(f[idx]) + noise) / abs(d)))
                     for idx, c, d in stages]
        runs.append(_tableau(estimates))
    order = sorted(range(len(runs)), key=lambda k: runs[k][1] + runs[k][2])
    best = runs[order[0]]
    other = runs[order[1]] if len(order) > 1 else (math.nan, math.inf, math.inf)
    return Best(best[0], best[1], best[2], other[0], other[1] + other[2])


def _tableau(estimates: list[tuple[float, float]]) -> tuple[float, float, float]:
    """(value, error estimate, rounding) from one start's stages; stages whose stencil left
    f's domain (non-finite) before the first finite one are skipped."""
    while estimates and not math.isfinite(estimates[0][0]):
        estimates = estimates[1:]
    if not estimates:
        return math.nan, math.inf, math.inf
    table = [[estimates[0]]]
    best, err, rnd = estimates[0][0], math.inf, estimates[0][1]
    for k in range(1, len(estimates)):
        if not math.isfinite(estimates[k][0]):
            break
        row = [estimates[k]]
        factor = SHRINK**2
        for m in range(1, k + 1):
            value = (row[m - 1][0] * factor - table[k - 1][m - 1][0]) / (factor - 1)
            rounding = (row[m - 1][1] * factor + table[k - 1][m - 1][1]) / (factor - 1)
            row.append((value, rounding))
            factor *= SHRINK**2
            change = max(abs(value - row[m - 1][0]), abs(value - table[k - 1][m - 1][0]))
            if change <= err:
                best, err, rnd = value, change, rounding
        table.append(row)
        if abs(row[k][0] - table[k - 1][k - 1][0]) >= 2 * err:
            break
    return best, err, rnd
