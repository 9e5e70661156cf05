"""Kinks: where f is not differentiable (the argument of Abs, Max/Min, sign, floor,
Heaviside, a Piecewise condition crosses 0), and what to report there instead of comparing
methods: one-sided derivatives and the conventions of SymPy and torch at a kink; at a jump of
f itself (floor, sign, Heaviside, a Piecewise that does not join), that no derivative exists.

>>> import symnum
>>> r = symnum.derive("abs(x)")
>>> near_kink(r, {r.variables[0]: sympy.Float(0)})
True
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy
from sympy.core.relational import Relational

from ..core.calculus import Result
from ..core.domain import kink_loci
from ..core.errors import SymnumError
from ..core.evaluate import at_point
from . import methods

KINK_DISTANCE = 1e-6  # |argument of Abs/Max/...| below this counts as a kink
JUMP_STEP = 1e-25  # f is compared this far (relative to |x|, absolute at 0) on each side, 40 digits
JUMP_SIZE = 1e-12  # a difference above this (relative to f) is a jump, not a steep slope


@dataclass
class KinkNote:
    """At a point where f is not differentiable: one-sided derivatives and conventions."""

    variable: str
    point: dict[str, float]
    left: float
    right: float
    sympy_value: float | None
    torch_value: float | None


def _kink_arguments(result: Result) -> list[sympy.Expr]:
    args = []
    for node in sympy.preorder_traversal(sympy.Tuple(*result.function.outputs)):
        if isinstance(node, sympy.Piecewise):
            args += [r.lhs - r.rhs for _, c in node.args for r in c.atoms(Relational)]
        else:
            args += kink_loci(node)  # from the function's record: u = 0, a = b, u ∈ ℤ
    return args


def near_kink(result: Result, point: dict) -> bool:
    """Some kink argument is within KINK_DISTANCE of 0 at ``point``."""
    for arg in _kink_arguments(result):
        value = at_point(arg, point, 20)
        if value.is_real and abs(float(value)) < KINK_DISTANCE:
            return True
    return False


def kink_notes(result: Result, point: dict) -> list[KinkNote]:
    """One-sided first derivatives of f along each variable (scalar f only)."""
    import mpmath as mp

    from ..kernels.program import Program
    if result.function.is_vector:
        return []
    notes = []
    names = list(point)
    with mp.workdps(40):
        prog = Program(result.function.outputs, names, "mpmath")
        base = [mp.mpf(float(point[s])) for s in names]
        for i, var in enumerate(result.variables):
            def along(t, i=i):
                args = list(base)
                args[i] = t
                return prog.run(*args)[0]
            # a step relative to the point: mpmath's own (about 1e-20) would reach across 0
            # from x = 1e-200 and see sign's jump there as a slope of 1e44
            h = mp.mpf(10) ** -20 * (abs(base[i]) or 1)
            left = float(mp.diff(along, base[i], direction=-1, h=h))
            right = float(mp.diff(along, base[i], direction=1, h=h))
            grad = _sympy_first(result, var, point)
            notes.append(KinkNote(var.name, {s.name: float(v) for s, v in point.items()},
                                  left, right, grad, _torch_first(result, i, point)))
    return notes


def jumps(result: Result, point: dict) -> list[str]:
    """Where f itself jumps at ``point`` along a variable: "f jumps from a to b along x"
    (f on either side, at 40 digits by mpmath); empty where f is continuous there.

    >>> import symnum
    >>> r = symnum.derive("floor(x)")
    >>> jumps(r, {r.variables[0]: sympy.Integer(2)})
    ['f jumps from 1 to 2 along x']
    """
    import mpmath as mp

    from ..kernels.program import Program
    names = list(point)
    found = []
    with mp.workdps(40):
        prog = Program(result.function.outputs, names, "mpmath")
        base = [mp.mpf(float(point[s])) for s in names]
        for var in result.variables:
            i = names.index(var)
            # relative to the point itself: at x = 1e-200 a step of 1e-25 would straddle 0
            # and report sign's jump at 0 as one at 1e-200
            h = JUMP_STEP * (abs(base[i]) or 1)
            sides = []
            for t in (base[i] - h, base[i] + h):
                args = list(base)
                args[i] = t
                sides.append(prog.run(*args))
            for left, right in zip(*sides, strict=True):
                scale = max(1, abs(left), abs(right))
                if all(mp.isfinite(v) and mp.im(v) == 0 for v in (left, right)) and \
                        abs(left - right) > JUMP_SIZE * scale:
                    shown = [0.0 if abs(v) < 1e-15 * scale else float(mp.re(v))  # not -1e-25
                             for v in (left, right)]
                    found.append(f"f jumps from {shown[0]:.12g} to {shown[1]:.12g} along "
                                 f"{var.name}")
    return list(dict.fromkeys(found))


def _sympy_first(result: Result, var: sympy.Symbol, point: dict) -> float | None:
    """symnum's exact ∂f/∂var at the point (SymPy's conventions: sign(0) = 0, θ(0) = 1/2);
    None where it has no real finite value there."""
    from ..core.derive import differentiate
    try:
        entry = differentiate(result.function, "gradient").expanded()[
            list(result.variables).index(var)]
        value = at_point(entry, point, 20)
    except (SymnumError, TypeError, ValueError, ZeroDivisionError):
        return None
    return float(value) if value.is_real and value.is_finite else None


def _torch_first(result: Result, i: int, point: dict) -> float | None:
    from ..core.derive import differentiate
    try:
        grad_result = differentiate(result.function, "gradient")
        return methods.torch_autograd(grad_result, point).values[i]
    except (SymnumError, RuntimeError, ValueError, TypeError):
        return None
