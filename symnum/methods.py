"""Four numeric ways to differentiate, independent of SymPy's ``diff``.

Each method returns a :class:`Estimate` per point: the derivative entries in the result's
row-major order, the step it used, how many function evaluations it took and (for
Richardson) an error estimate per entry.

- :func:`mpmath_diff`: central differences of the original expression at raised precision.
- :func:`complex_step`: Im f(x + ih)/h in complex128, for analytic expressions.
- :func:`richardson`: central differences in float64 with Ridders' extrapolation.
- :func:`torch_autograd`: ``torch.func`` on a torch translation of the original expression.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import sympy

from .calculus import Result, differentiate
from .program import Program

MP_DIGITS = 40  # target precision of the mpmath oracle
COMPLEX_STEP = 1e-30


@dataclass
class Estimate:
    """One method's values for every entry of a result at one point."""

    values: list[float]
    step: str
    evaluations: int
    error_estimates: list[float] = field(default_factory=list)


def _entry_orders(result: Result) -> list[tuple[int, tuple[int, ...]]]:
    """For each entry: (output index, derivative multi-index over the variables)."""
    n = len(result.variables)
    unit = lambda i, k=1: tuple(k if j == i else 0 for j in range(n))  # noqa: E731
    if result.kind == "derivative":
        return [(m, (result.order,)) for m in range(len(result.function.outputs))]
    if result.kind == "gradient":
        return [(0, unit(i)) for i in range(n)]
    if result.kind == "jacobian":
        return [(m, unit(i)) for m in range(len(result.function.outputs)) for i in range(n)]
    return [(0, tuple(a + b for a, b in zip(unit(i), unit(j), strict=True)))
            for i in range(n) for j in range(n)]


class _Counted:
    """A function of the variables that counts its evaluations."""

    def __init__(self, program: Program, output: int, fixed: Sequence):
        self.program, self.output, self.fixed, self.calls = program, output, list(fixed), 0

    def __call__(self, *args):
        self.calls += 1
        return self.program.run(*args, *self.fixed)[self.output]


def _split(result: Result, point: dict) -> tuple[list[sympy.Symbol], list[sympy.Symbol]]:
    variables = list(result.variables)
    params = sorted((s for s in point if s not in variables), key=lambda s: s.name)
    return variables, params


def mpmath_diff(result: Result, point: dict) -> Estimate:
    """(a) mpmath's finite differences of the original f at ~(order+1)·40 digits."""
    import mpmath as mp

    variables, params = _split(result, point)
    with mp.workdps(MP_DIGITS + 20):
        program = Program(result.function.outputs, variables + params, "mpmath")
        x = [mp.mpf(float(point[v])) for v in variables]
        fixed = [mp.mpf(float(point[p])) for p in params]
        values, calls, steps = [], 0, set()
        for output, orders in _entry_orders(result):
            f = _Counted(program, output, fixed)
            scale = max([1.0] + [abs(float(v)) for v, k in zip(x, orders, strict=True) if k])
            h = mp.ldexp(1, -int(MP_DIGITS * 3.33) - 10) * scale
            steps.add(mp.nstr(h, 3))
            with mp.workdps(MP_DIGITS):
                d = mp.diff(f, x if len(x) > 1 else x[0], orders if len(x) > 1 else orders[0], h=h)
            values.append(sympy.Float(mp.nstr(d, MP_DIGITS), MP_DIGITS))
            calls += f.calls
    return Estimate(values, f"h = 2^-143·max(1,|x|) ≈ {min(steps)}", calls)


def _analytic(expr_list: Sequence[sympy.Basic]) -> bool:
    from .backends import NON_ANALYTIC
    return not any(e.has(*NON_ANALYTIC) for e in expr_list)


def _stepped(result: Result) -> tuple[list[sympy.Basic], str]:
    """What the first-derivative methods differentiate: f itself for first derivatives,
    the exact (order-1)-th derivative / gradient for higher ones."""
    f = result.function
    if result.kind in ("gradient", "jacobian") or (result.kind == "derivative"
                                                   and result.order == 1):
        return f.outputs, "f"
    if result.kind == "hessian":
        return list(differentiate(f, "gradient").expanded()), "the exact gradient"
    lower = differentiate(f, "derivative", result.order - 1)
    return list(lower.expanded()), f"the exact derivative of order {result.order - 1}"


def complex_step_applies(result: Result) -> bool:
    exprs, _ = _stepped(result)
    return _analytic(list(result.function.outputs) + exprs)


def complex_step(result: Result, point: dict) -> Estimate:
    """(b) Im g(x + ih e_j)/h with h = 1e-30 (no cancellation, so h can be tiny)."""
    exprs, target = _stepped(result)
    variables, params = _split(result, point)
    program = Program(exprs, variables + params, "numpy")
    x0 = np.array([float(point[v]) for v in variables], dtype=complex)
    fixed = [complex(float(point[p])) for p in params]
    columns, calls = {}, 0
    for j in range(len(variables)):
        x = x0.copy()
        x[j] += 1j * COMPLEX_STEP
        columns[j] = [np.imag(v) / COMPLEX_STEP for v in program.run(*x, *fixed)]
        calls += 1
    values = [columns[_first_var(orders)][_row(result, output, orders)]
              for output, orders in _entry_orders(result)]
    return Estimate([float(v) for v in values], f"h = 1e-30 on {target}", calls)


def _first_var(orders: tuple[int, ...]) -> int:
    """Index of the variable the last differentiation is taken along."""
    return max(i for i, k in enumerate(orders) if k)


def _row(result: Result, output: int, orders: tuple[int, ...]) -> int:
    """Which stepped expression holds the entry: the output, or the gradient row."""
    if result.kind != "hessian":
        return output
    rest = list(orders)
    rest[_first_var(orders)] -= 1
    return max(i for i, k in enumerate(rest) if k)


def richardson(result: Result, point: dict) -> Estimate:
    """(c) Central differences in float64 extrapolated with Ridders' method."""
    variables, params = _split(result, point)
    second = result.kind == "hessian" or (result.kind == "derivative" and result.order == 2)
    exprs, target = (result.function.outputs, "f") if second else _stepped(result)
    program = Program(exprs, variables + params, "numpy")
    x0 = np.array([float(point[v]) for v in variables])
    fixed = [float(point[p]) for p in params]
    counter = [0]

    def g(row: int, x: np.ndarray) -> float:
        counter[0] += 1
        return float(program.run(*x, *fixed)[row])

    # Steps are t·scale per coordinate: a tenth of its size (a thousandth near 0), t from 1 down.
    scale = 0.1 * np.maximum(np.abs(x0), 0.01)
    values, errors = [], []
    for output, orders in _entry_orders(result):
        row = output if second else _row(result, output, orders)
        picks = [i for i, k in enumerate(orders) for _ in range(k)]
        if second:
            i, j = (picks * 2)[:2]
            value, err = _ridders(
                lambda t, i=i, j=j, r=row: _second_difference(g, r, x0, i, j, t * scale))
        else:
            i = _first_var(orders)
            value, err = _ridders(lambda t, i=i, r=row: _central(g, r, x0, i, t * scale))
        values.append(value)
        errors.append(err)
    return Estimate(values, "Ridders from h0 = (0.1, 0.01, 0.001)·max(0.01,|x|) per "
                    f"coordinate, ÷1.4 per stage, on {target}", counter[0], errors)


def _central(g: Callable, row: int, x0: np.ndarray, i: int, h: np.ndarray) -> float:
    e = np.zeros_like(x0)
    e[i] = h[i]
    return (g(row, x0 + e) - g(row, x0 - e)) / (2 * h[i])


def _second_difference(g: Callable, row: int, x0: np.ndarray, i: int, j: int,
                       h: np.ndarray) -> float:
    ei, ej = np.zeros_like(x0), np.zeros_like(x0)
    ei[i], ej[j] = h[i], h[j]
    if i == j:
        return (g(row, x0 + ei) - 2 * g(row, x0) + g(row, x0 - ei)) / (h[i] * h[i])
    return (g(row, x0 + ei + ej) - g(row, x0 + ei - ej) - g(row, x0 - ei + ej)
            + g(row, x0 - ei - ej)) / (4 * h[i] * h[j])


def _ridders(estimate: Callable[[float], float], starts: Sequence[float] = (1.0, 0.1, 0.01),
             stages: int = 10, shrink: float = 1.4) -> tuple[float, float]:
    """Extrapolate ``estimate(t)`` (error series in t²) to t → 0; return (value, error).

    Ridders' method from a few starting steps; the answer with the smallest error estimate
    wins, so a start that is too coarse for a fast-oscillating f does not decide. Written
    here rather than taken from numdifftools: it is short, and owning it keeps the step
    schedule and the error estimate explicit in the report.
    """
    best, err = math.nan, math.inf
    for start in starts:
        value, error = _ridders_from(estimate, start, stages, shrink)
        if error < err:
            best, err = value, error
    return best, err


def _ridders_from(estimate: Callable[[float], float], t: float, stages: int,
                  shrink: float) -> tuple[float, float]:
    first = estimate(t)
    while not math.isfinite(first) and t > 1e-8:  # stencil left f's domain (log, sqrt)
        t /= 10
        first = estimate(t)
    table = [[first]]
    best, err = first, math.inf
    for k in range(1, stages):
        t /= shrink
        row = [estimate(t)]
        factor = shrink**2
        for m in range(1, k + 1):
            row.append((row[m - 1] * factor - table[k - 1][m - 1]) / (factor - 1))
            factor *= shrink**2
            change = max(abs(row[m] - row[m - 1]), abs(row[m] - table[k - 1][m - 1]))
            if change <= err:
                best, err = row[m], change
        table.append(row)
        if abs(row[k] - table[k - 1][k - 1]) >= 2 * err:
            break
    return best, err


def torch_autograd(result: Result, point: dict) -> Estimate:
    """(d) torch.func grad / jacrev / hessian of the original f, in float64."""
    import torch
    from torch.func import grad, hessian, jacrev

    variables, params = _split(result, point)
    program = Program(result.function.outputs, variables + params, "torch")
    x = torch.tensor([float(point[v]) for v in variables], dtype=torch.float64)
    fixed = [torch.tensor(float(point[p]), dtype=torch.float64) for p in params]

    def outputs(v: torch.Tensor) -> torch.Tensor:
        values = program.run(*v.unbind(0), *fixed)
        return torch.stack([torch.as_tensor(o, dtype=torch.float64) + 0 * v.sum()
                            for o in values])

    with warnings.catch_warnings():
        # torch.func's jvp decompositions call torch.jit.script on first use, which warns
        # about its own deprecation; that is torch-internal noise, not the user's concern.
        warnings.filterwarnings("ignore", message=".*torch.jit.script.*",
                                category=DeprecationWarning)
        out = _autograd(result, outputs, x, grad, jacrev, hessian)
    return Estimate([float(v) for v in out.reshape(-1)], "none (reverse-mode autodiff)", 1)


def _autograd(result: Result, outputs: Callable, x, grad, jacrev, hessian):
    import torch

    if result.kind == "derivative":
        def one(v):
            return outputs(v.reshape(1))

        def scalar(m):
            g = lambda s: one(s)[m]  # noqa: E731
            for _ in range(result.order):
                g = grad(g)
            return g
        values = [scalar(m)(x[0]) for m in range(len(result.function.outputs))]
        out = torch.stack(values)
    elif result.kind == "gradient":
        out = grad(lambda v: outputs(v)[0])(x)
    elif result.kind == "jacobian":
        out = jacrev(outputs)(x)
    else:
        out = hessian(lambda v: outputs(v)[0])(x)
    return out
