"""Kinks: where f is not differentiable (the argument of Abs, Max/Min, sign, floor,
Heaviside, a Piecewise condition crosses 0), and what to report there instead of comparing
methods: one-sided derivatives and the conventions of SymPy and torch.

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
            left = float(mp.diff(along, base[i], direction=-1))
            right = float(mp.diff(along, base[i], direction=1))
            grad = _sympy_first(result, var, point)
            notes.append(KinkNote(var.name, {s.name: float(v) for s, v in point.items()},
                                  left, right, grad, _torch_first(result, i, point)))
    return notes


def _sympy_first(result: Result, var: sympy.Symbol, point: dict) -> float | None:
    value = at_point(sympy.diff(result.function.expr, var), point, 20)
    return float(value) if value.is_real and value.is_finite else None


def _torch_first(result: Result, i: int, point: dict) -> float | None:
    from ..core.derive import differentiate
    try:
        grad_result = differentiate(result.function, "gradient")
        return methods.torch_autograd(grad_result, point).values[i]
    except (SymnumError, RuntimeError, ValueError, TypeError):
        return None
