"""Four numeric ways to differentiate, independent of SymPy's ``diff``, each with its own error.

Each method returns an :class:`Estimate` per point: the derivative entries in the result's
row-major order, and per entry what the method knows about its own error:

- :func:`mpmath_diff`: central differences of the original expression at raised precision,
  done twice (two precisions and two steps); ``spread`` is how far the two runs differ.
- :func:`complex_step`: Im f(x + ih)/h in complex128 with two steps h (1e-20 and 1e-10 of
  the coordinate); ``spread`` is their difference: large when the complex evaluation of f is
  not accurate at complex points (a complex gamma computed through exp(log), an overflow).
- :func:`richardson`: central differences in float64 extrapolated by Ridders' method from
  several starting steps; ``spread`` is Ridders' own error estimate of the best start,
  ``rounding`` the float64 rounding of its finest stencil, ``alternate`` the best value of an
  independent start (a second opinion, needed before a disagreement counts as a failure).
- :func:`torch_autograd`: ``torch.func`` on a torch translation of the original expression.

A method that cannot evaluate sets ``problem`` to one readable line (never a library message).

>>> import symnum
>>> r = symnum.derive("x**3")
>>> e = richardson(r, {r.variables[0]: 2.0})
>>> round(e.values[0], 6), e.spread[0] < 1e-6
(12.0, True)
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import sympy

from ..core.calculus import Result, partial
from ..kernels.program import Program

MP_DIGITS = 32  # target precision of the mpmath oracle (the second run uses 16 more)
LOST = 1e-6  # f's float64 rounding beyond this (relative): Richardson cannot refute
COMPLEX_STEPS = (1e-20, 1e-10)  # complex steps, relative to max(|x|, 1e-280) (1 at x = 0)


@dataclass
class Estimate:
    """One method's values for every entry of a result at one point, with its own error."""

    values: list[float]
    step: str
    evaluations: int
    spread: list[float] = field(default_factory=list)  # the method's own error estimate
    rounding: list[float] = field(default_factory=list)  # float64 rounding of the stencil
    alternate: list[float] = field(default_factory=list)  # an independent second value
    alternate_spread: list[float] = field(default_factory=list)  # its own error estimate
    problem: str = ""  # why the method could not judge, in one readable line


def _entry_orders(result: Result) -> list[tuple[int, tuple[int, ...]]]:
    """For each entry: (output index, derivative multi-index over the variables)."""
    if hasattr(result, "entry_orders"):  # symnum.higher: mixed partials, tensors
        return result.entry_orders()
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


def _program(memo: dict | None, key: tuple, make: Callable[[], object]):
    """A compiled program (or other per-result preparation), built once per verification."""
    if memo is None:
        return make()
    if key not in memo:
        memo[key] = make()
    return memo[key]


def quiet(fn: Callable, *args):
    """Run ``fn`` with numpy's floating-point warnings and library warnings silenced: the
    methods judge non-finite values themselves and say so in words."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args)


def mpmath_diff(result: Result, point: dict, memo: dict | None = None) -> Estimate:
    """(a) mpmath's finite differences of the original f, at 32 and at 48 digits.

    The step is 2^-143 times the smallest nonzero |coordinate| involved (at most 1), so it
    never reaches across 0 (log(x) at 1e-300), and the working precision grows with the
    ratio of the largest coordinate to the step, so x + h stays exact.
    """
    import mpmath as mp

    variables, params = _split(result, point)
    first, calls = _mp_run(result, point, variables, params, MP_DIGITS, 115, memo)
    second, more = _mp_run(result, point, variables, params, MP_DIGITS + 16, 170, memo)
    spread = [float(abs(a - b)) for a, b in zip(first, second, strict=True)]
    values = [sympy.Float(mp.nstr(v, MP_DIGITS + 16), MP_DIGITS + 16) for v in second]
    return Estimate(values, "h = 2^-115·min(1, |x|) at 32 digits, then 2^-170·min(1, |x|) "
                    "at 48 digits", calls + more, spread)


def _mp_run(result: Result, point: dict, variables: list, params: list, digits: int,
            power: int, memo: dict | None) -> tuple[list, int]:
    import mpmath as mp

    coords = [abs(float(point[v])) for v in variables]
    small = min([1.0] + [c for c in coords if c > 0])
    extra = int(math.ceil(-math.log10(small) + math.log10(max([1.0] + coords))))
    with mp.workdps(digits + 20 + extra):
        program = _program(memo, ("mpmath", digits + extra, tuple(params)), lambda: Program(
            result.function.outputs, variables + params, "mpmath"))
        x = [mp.mpf(float(point[v])) for v in variables]
        fixed = [mp.mpf(float(point[p])) for p in params]
        h = mp.ldexp(1, -power) * small
        found, calls = {}, 0
        for key in _entry_orders(result):  # a Hessian's (i, j) and (j, i) are one entry
            if key in found:
                continue
            output, orders = key
            f = _Counted(program, output, fixed)
            with mp.workdps(digits + extra):
                d = mp.diff(f, x if len(x) > 1 else x[0], orders if len(x) > 1 else orders[0],
                            h=h)
            if not isinstance(d, mp.mpf):
                raise ValueError("f is not real next to this point")
            found[key] = +d
            calls += f.calls
    return [found[key] for key in _entry_orders(result)], calls


def _analytic(expr_list: Sequence[sympy.Basic]) -> bool:
    from ..kernels.backends import NON_ANALYTIC
    return not any(e.has(*NON_ANALYTIC) for e in expr_list)


def _stepped(result: Result) -> tuple[list[sympy.Basic], str]:
    """What the first-derivative methods differentiate: f itself for first derivatives,
    the exact (order-1)-th derivative / gradient for higher ones."""
    f = result.function
    if hasattr(result, "entry_orders"):  # each entry's derivative one short of it, by diff
        lower = _lower(result)
        exprs = [partial(f.outputs[m], *along) if along else f.outputs[m]
                 for m, rest in lower
                 for along in [[v for v, c in zip(f.variables, rest, strict=True)
                                for _ in range(c)]]]
        return exprs, f"the exact derivatives of order {result.order - 1} (SymPy's diff of f)"
    if result.kind in ("gradient", "jacobian") or (result.kind == "derivative"
                                                   and result.order == 1):
        return f.outputs, "f"
    # SymPy's diff as the result's own derivation takes it (calculus.hessian's first
    # derivatives), without the readable forms: simplifying them again cost 10-15 s of the
    # test suite and is no part of the check
    if result.kind == "hessian":
        return [partial(f.expr, v) for v in f.variables], "the exact gradient"
    lower = [partial(e, *[f.variables[0]] * (result.order - 1)) for e in f.outputs]
    return lower, f"the exact derivative of order {result.order - 1}"


def _lower(result: Result) -> list[tuple[int, tuple[int, ...]]]:
    """The distinct (output, orders) one differentiation short of each entry (the last
    differentiation taken along the entry's last variable), in order of first use."""
    return list(dict.fromkeys(_one_short(orders, m) for m, orders in _entry_orders(result)))


def _one_short(orders: tuple[int, ...], output: int) -> tuple[int, tuple[int, ...]]:
    rest = list(orders)
    rest[_first_var(orders)] -= 1
    return output, tuple(rest)


def complex_step_applies(result: Result, memo: dict | None = None) -> bool:
    exprs, _ = _program(memo, ("stepped",), lambda: _stepped(result))
    return _analytic(list(result.function.outputs) + exprs)


def complex_step(result: Result, point: dict, memo: dict | None = None) -> Estimate:
    """(b) Im g(x + ih e_j)/h for two steps h; no subtraction, so h can be tiny."""
    variables, params = _split(result, point)
    exprs, target = _program(memo, ("stepped",), lambda: _stepped(result))
    program = _program(memo, ("complex", tuple(params)),
                       lambda: Program(exprs, variables + params, "numpy"))
    x0 = np.array([float(point[v]) for v in variables])
    fixed = [float(point[p]) for p in params]
    n = len(variables)
    size = np.where(x0 == 0, 1.0, np.maximum(np.abs(x0), 1e-280))
    h = np.array([[s * size[j] for j in range(n)] for s in COMPLEX_STEPS]).reshape(-1)
    # one vectorized run: row (step s, variable j) moves coordinate j by i·h
    args = np.tile(x0.astype(complex), (len(h), 1))
    args[np.arange(len(h)), np.tile(np.arange(n), len(COMPLEX_STEPS))] += 1j * h
    outs = quiet(lambda: [np.broadcast_to(np.asarray(v), (len(h),))
                          for v in program.run(*args.T, *fixed)])
    derivs = np.array([np.imag(v) / h for v in outs])  # [expression, step·variable]
    picks = [(_row(result, output, orders), _first_var(orders))
             for output, orders in _entry_orders(result)]
    fine = [float(derivs[r, j]) for r, j in picks]
    coarse = [float(derivs[r, n + j]) for r, j in picks]
    spread = [abs(a - b) for a, b in zip(fine, coarse, strict=True)]
    problem = "" if all(map(math.isfinite, fine + coarse)) else \
        "f overflows (or is undefined) at complex points next to this point"
    return Estimate(fine, f"h = 1e-20·|x| and 1e-10·|x| on {target}", len(h), spread,
                    problem=problem)


def _first_var(orders: tuple[int, ...]) -> int:
    """Index of the variable the last differentiation is taken along."""
    return max(i for i, k in enumerate(orders) if k)


def _row(result: Result, output: int, orders: tuple[int, ...]) -> int:
    """Which stepped expression holds the entry: the output, or the gradient row."""
    if hasattr(result, "entry_orders"):
        return _lower(result).index(_one_short(orders, output))
    if result.kind != "hessian":
        return output
    rest = list(orders)
    rest[_first_var(orders)] -= 1
    return max(i for i, k in enumerate(rest) if k)


def richardson(result: Result, point: dict, memo: dict | None = None,
               hint: Sequence[float] | None = None, f_values: Sequence[float] | None = None,
               f_noise: Sequence[float] | None = None) -> Estimate:
    """(c) Central differences in float64 extrapolated with Ridders' method.

    Every stencil point of every start and stage is evaluated in one vectorized run. The
    starting step per coordinate is 0.1·max(0.01, |x|), and also 0.1·|x| where |x| < 0.01,
    so a point near 0 has starts that do not step across 0 (1/x at 1e-10). ``hint``: rough
    values of the entries (the exact result); with them, steps are also kept below the
    distance over which f changes by its own size, |f|/|f'| (or √(|f|/|f''|)), so that a
    stencil does not reach across a nearby pole (tan(x) at 1.5707963). ``f_values`` and
    ``f_noise``: f's exact values and float64 rounding scales at the point; the noise is
    carried into the stencil's rounding, and where float64 f has lost its digits
    (log(1 + exp(-44)) is 0 in float64) Richardson cannot refute anything.
    """
    from . import ridders

    variables, params = _split(result, point)
    second = result.kind == "hessian" or (result.kind == "derivative" and result.order == 2) \
        or (result.kind == "tensor" and result.order == 2)
    exprs, target = (result.function.outputs, "f") if second else _program(
        memo, ("stepped",), lambda: _stepped(result))
    program = _program(memo, ("richardson", tuple(params)),
                       lambda: Program(exprs, variables + params, "numpy"))
    x0 = np.array([float(point[v]) for v in variables])
    fixed = [float(point[p]) for p in params]
    entries = []
    for output, orders in _entry_orders(result):
        row = output if second else _row(result, output, orders)
        picks = [i for i, k in enumerate(orders) for _ in range(k)]
        pair = tuple(sorted((picks * 2)[:2])) if second else (_first_var(orders),)
        entries.append((row, pair))
    unique = list(dict.fromkeys(entries))  # a Hessian's (i, j) and (j, i) share a stencil
    limits = None
    if hint is not None:
        g0 = quiet(lambda: [abs(float(v)) for v in program.run(*x0, *fixed)])
        limits = _step_limits(entries, unique, g0, hint, len(x0))
    plan = ridders.stencils(x0, [pair for _, pair in unique], limits)
    outs = quiet(lambda: [np.broadcast_to(np.asarray(v, dtype=float), (len(plan.points),))
                          for v in program.run(*plan.points.T, *fixed)])
    of_f = target == "f"  # Richardson differences f itself
    noise = list(f_noise) if of_f and f_noise is not None else [0.0] * len(exprs)
    found = {key: quiet(ridders.extrapolate, plan, k, outs[key[0]], noise[key[0]])
             for k, key in enumerate(unique)}
    best = [found[key] for key in entries]
    values = [b.value for b in best]
    problem = "" if any(map(math.isfinite, values)) else \
        "f is not finite at any stencil point (overflow or a domain edge)"
    if of_f and f_values is not None and f_noise is not None and any(
            n > LOST * abs(v) for v, n in zip(f_values, f_noise, strict=True)):
        problem = "f itself loses its digits in float64 here (e.g. log(1 + tiny))"
    return Estimate(values, f"Ridders from h0 = {ridders.STARTS}·0.1·max(0.01,|x|) per "
                    f"coordinate, ÷{ridders.SHRINK} per stage, on {target}",
                    len(plan.points), [b.error for b in best], [b.rounding for b in best],
                    [b.second for b in best], [b.second_error for b in best], problem)


def _step_limits(entries: list, unique: list, g0: list[float], hint: Sequence[float],
                 n: int) -> list[np.ndarray]:
    """Per unique entry, the largest step per coordinate: |g|/|g'| along it for a first
    derivative, √(|f|/|f''|) from the diagonal second derivative for a second one."""
    reach = np.full(n, np.inf)
    first: dict[tuple, float] = {}
    for (row, pair), h in zip(entries, hint, strict=True):
        with np.errstate(all="ignore"):
            if len(pair) == 1:
                first[(row, pair)] = g0[row] / abs(h) if h else np.inf
            elif pair[0] == pair[1] and h:
                reach[pair[0]] = min(reach[pair[0]], math.sqrt(g0[row] / abs(h)))
    limits = []
    for row, pair in unique:
        limit = np.full(n, np.inf)
        if len(pair) == 1:
            limit[pair[0]] = first[(row, pair)]
        else:
            limit[list(pair)] = reach[list(pair)]
        limits.append(np.where(np.isfinite(limit) | (limit == np.inf), limit, np.inf))
    return limits


def torch_autograd(result: Result, point: dict, memo: dict | None = None) -> Estimate:
    """(d) torch.func grad / jacrev / hessian of the original f, in float64."""
    import torch
    from torch.func import grad, hessian, jacrev

    variables, params = _split(result, point)
    program = _program(memo, ("torch", tuple(params)),
                       lambda: Program(result.function.outputs, variables + params, "torch"))
    x = torch.tensor([float(point[v]) for v in variables], dtype=torch.float64)
    fixed = [torch.tensor(float(point[p]), dtype=torch.float64) for p in params]

    def outputs(v: torch.Tensor) -> torch.Tensor:
        values = program.run(*v.unbind(0), *fixed)
        return torch.stack([torch.as_tensor(o, dtype=torch.float64) + 0 * v.sum()
                            for o in values])

    out = quiet(_autograd, result, outputs, x, grad, jacrev, hessian)
    values = [float(v) for v in out.reshape(-1)]
    problem = "" if all(map(math.isfinite, values)) else \
        "f or its derivative overflows in float64 along torch's evaluation"
    return Estimate(values, "none (reverse-mode autodiff)", 1, problem=problem)


def _autograd(result: Result, outputs: Callable, x, grad, jacrev, hessian):
    import torch

    if hasattr(result, "entry_orders"):  # nested: jacfwd(… jacfwd(jacrev(f)))
        from torch.func import jacfwd
        return torch.stack(nested_autodiff(result, outputs, x, jacfwd, jacrev))
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


def nested_autodiff(result: Result, outputs: Callable, x: object, jacfwd: Callable,
                    jacrev: Callable) -> list:
    """Each entry of a mixed partial or tensor from the full order-k tensor of its output,
    jacfwd applied k − 1 times to jacrev (torch.func's or JAX's)."""
    full: dict[int, object] = {}
    values = []
    for m, orders in _entry_orders(result):
        if m not in full:
            g = jacrev(lambda v, m=m: outputs(v)[m])
            for _ in range(result.order - 1):
                g = jacfwd(g)
            full[m] = g(x)
        values.append(full[m][tuple(i for i, c in enumerate(orders) for _ in range(c))])
    return values
