"""A kernel's program written out as straight-line Python source, one line per step.

:class:`~symnum.kernels.program.Program` records each step as an operation: a kind (the SymPy
class whose backend entry computes it, or "number") and a detail (a power's exponent, a sum's
signs, a number's value), read from SymPy nodes by :func:`describe` and from symengine nodes
by :func:`~symnum.kernels.native_nodes.read`. :func:`body` turns those steps into assignments
``t7 = math.exp(t3)`` through a :class:`~symnum.kernels.dialects.Dialect` (the table that spells
each kind in plain Python floats, numpy, torch or JAX): every shared subexpression is one local
computed once, in the program's order. The one-point path (:mod:`symnum.kernels.one_point`)
and the standalone export (:mod:`symnum.export`) compile or write that source.

>>> import sympy
>>> from symnum.kernels.program import Program
>>> from symnum.kernels.dialects import dialect
>>> x = sympy.Symbol("x")
>>> lines, outputs = body(Program([sympy.sin(x)**2 + sympy.sin(x)], [x]), dialect("math"))
>>> print("\\n".join(lines)); outputs
t1 = math.sin(v0)
t2 = t1 * t1
t3 = t2 + t1
['t3']
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sympy

from ..core.errors import EvaluationError

if TYPE_CHECKING:
    from .dialects import Dialect
    from .program import Program

_RELATIONS = {sympy.StrictLessThan: "<", sympy.LessThan: "<=", sympy.StrictGreaterThan: ">",
              sympy.GreaterThan: ">=", sympy.Eq: "==", sympy.Ne: "!="}


def describe(node: sympy.Basic, signs: tuple[bool, ...] | None = None
             ) -> tuple[object, object]:
    """(kind, detail) of a SymPy node the way the program computes it: "number" with its
    value, Pow with its exponent when that is a number (the base is then the one child),
    Add with its terms' signs (``signs``), Piecewise, relations and logic by their classes,
    any other function by its class."""
    if node in (sympy.true, sympy.false):
        return "number", bool(node)
    if node.is_number and not node.free_symbols and not isinstance(node, sympy.Piecewise):
        return "number", node
    if isinstance(node, sympy.Pow):
        return sympy.Pow, node.exp if node.exp.is_number else None
    if isinstance(node, sympy.Add):
        return sympy.Add, signs
    return type(node), None


def number(value: object, d: Dialect) -> str:
    """A constant in the dialect's spelling: a float literal, a bool, inf, nan, complex."""
    if isinstance(value, bool):
        return repr(value)
    if not isinstance(value, sympy.Basic):
        value = sympy.sympify(value)
    if value.is_real is False or (value.is_real is None and sympy.im(value) != 0):
        return d.constant(complex(value))
    if value.is_infinite:
        return d.constant(float("inf") if value.is_positive else float("-inf"))
    if value is sympy.nan:
        return d.constant(float("nan"))
    return d.constant(float(value))


def expression(kind: object, detail: object, args: list[str], d: Dialect) -> str:
    """The source of one step from its arguments' names."""
    if kind == "number":
        return number(detail, d)
    if kind is sympy.Add:
        terms = [f"-{args[0]}" if detail[0] else args[0]]
        terms += [f"{'-' if negative else '+'} {a}" for negative, a in
                  zip(detail[1:], args[1:], strict=True)]
        return " ".join(terms)
    if kind is sympy.Mul:
        return " * ".join(args)
    if kind is sympy.Pow:
        return d.power(args, detail)
    if kind is sympy.Piecewise:
        return d.piecewise(args)
    if kind in _RELATIONS:
        return f"{args[0]} {_RELATIONS[kind]} {args[1]}"
    if kind in (sympy.And, sympy.Or, sympy.Not):
        return d.logic(kind, args)
    template = d.functions.get(kind)
    if template is None:
        name = getattr(kind, "__name__", str(kind))
        why = d.unsupported.get(kind)
        raise EvaluationError(f"{name} has no {d.name} form" + (f": {why}" if why else
                              " in symnum's function registry"))
    return template(*args)


def body(program: Program, d: Dialect, release: bool = False
         ) -> tuple[list[str], list[str]]:
    """(assignment lines, the names of the outputs) for ``program``'s steps; inputs are
    ``v0, v1, …``. ``release``: ``del`` each intermediate after its last use (arrays)."""
    first = len(program.inputs)
    names = [f"v{i}" for i in range(first)] + [f"t{k + 1}" for k in range(len(program.steps))]
    lines = []
    keep = set(program.outputs)
    for k, ((_, slots), (kind, detail)) in enumerate(zip(program.steps, program.ops,
                                                         strict=True)):
        lines.append(f"{names[first + k]} = "
                     f"{expression(kind, detail, [names[i] for i in slots], d)}")
        if release:
            done = [names[i] for i in program.released(k) if i >= first and i not in keep]
            if done:
                lines.append(f"del {', '.join(done)}")
    return lines, [names[i] for i in program.outputs]
