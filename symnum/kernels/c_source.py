"""A kernel's program written out as C in parts an optimising compiler takes quickly.

One C function of 20,000 statements costs gcc minutes at ``-O1`` (register allocation over
one huge block), so :mod:`symnum.kernels.one_point_c` first compiled it at ``-O0``: seconds,
but every value went through memory. Here the steps (the ``c`` dialect of
:mod:`symnum.kernels.dialects`, spelled by :func:`~symnum.kernels.source.expression`, in the
program's order) are cut into parts of :data:`PART_STEPS` steps, each its own function: a
value used only inside its part is a local the compiler keeps in a register; one a later part
reads is also stored in a scratch array ``s``; a constant is written where it is used. Each
output is stored where it is computed, into every place it fills (a Hessian's entries (i, j)
and (j, i) are one step, stored twice). The steps and their order are kept, so compiled with
``-ffp-contract=off`` and no fast-math the rounding is the steps' own. Parts can be compiled
as separate files at once (:meth:`CProgram.units`).

>>> import sympy
>>> from symnum.kernels.program import Program
>>> x, y = sympy.symbols("x y")
>>> c = c_program(Program([x * y, 2 * sympy.sin(x * y) + y, x], [x, y]), part_steps=2)
>>> print("\\n".join(c.parts))
PART void smx_part0(const double *restrict in, double *restrict s, double *restrict out) {
    const double t1 = in[0] * in[1];
    out[0] = t1;
    const double t3 = sin(t1);
    s[0] = t3;
}
PART void smx_part1(const double *restrict in, double *restrict s, double *restrict out) {
    const double t4 = 2.0 * s[0];
    const double t5 = in[1] + t4;
    out[1] = t5;
}
>>> print(c.entry)
EXPORT int one_point(const double *in, double *out) {
    double s[1];
    smx_part0(in, s, out);
    smx_part1(in, s, out);
    out[2] = in[0];
    return 0;
}
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import sympy

from ..core.errors import EvaluationError
from .dialects import dialect, used_helpers
from .source import expression, number

if TYPE_CHECKING:
    from .dialects import Dialect
    from .program import Program

PART_STEPS = 300  # steps per C function: gcc -O1 optimises one in milliseconds
STACK_MAX = 32_768  # scratch values kept on the stack (256 KiB); more are malloc'ed
_SIGNATURE = "(const double *restrict in, double *restrict s, double *restrict out)"
_PRELUDE = """#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#define PART __attribute__((visibility("hidden"), noinline))
#define EXPORT __attribute__((visibility("default")))"""
# one_point_py: the point read straight from the Python call's tuple of floats and the result
# written into a numpy array's buffer (CPython's stable ABI, resolved from the running
# interpreter; loaded with ctypes.PyDLL, so the GIL is held): no ctypes array per call.
# 0: done; 1: not a tuple of n floats (or no memory): the caller takes its general path.
_PYTHON_ENTRY = """typedef ptrdiff_t smx_size;  /* Py_ssize_t */
typedef struct {{ void *buf; void *obj; smx_size len; smx_size itemsize; int readonly;
    int ndim; char *format; smx_size *shape; smx_size *strides; smx_size *suboffsets;
    void *internal;
}} smx_buffer;
extern smx_size PyTuple_Size(void *);
extern void *PyTuple_GetItem(void *, smx_size);
extern int PyObject_IsInstance(void *, void *);
extern double PyFloat_AsDouble(void *);
extern int PyObject_GetBuffer(void *, smx_buffer *, int);
extern void PyBuffer_Release(smx_buffer *);
extern void PyErr_Clear(void);
EXPORT int one_point_py(void *args, void *result, void *real) {{
    double in[{n_in} + 1];
    if (PyTuple_Size(args) != {n_in}) {{ PyErr_Clear(); return 1; }}
    for (smx_size i = 0; i < {n_in}; i++) {{
        void *value = PyTuple_GetItem(args, i);
        if (PyObject_IsInstance(value, real) != 1) {{ PyErr_Clear(); return 1; }}
        in[i] = PyFloat_AsDouble(value);
    }}
    smx_buffer view;
    if (PyObject_GetBuffer(result, &view, 1) != 0) {{ PyErr_Clear(); return 1; }}
    int failed = view.len != {n_out} * (smx_size)sizeof(double) || one_point(in, view.buf);
    PyBuffer_Release(&view);
    return failed;
}}"""


@dataclass(frozen=True)
class CProgram:
    """The C of one program: ``header`` (includes, helpers), ``parts`` (one function each, in
    order) and ``entry`` (``int one_point(const double *in, double *out)``: 0 when done)."""

    header: str
    parts: tuple[str, ...]
    entry: str
    n_in: int
    n_out: int

    def text(self, python: bool = False) -> str:
        """The whole program as one file; ``python``: with ``one_point_py`` too."""
        return self.units(1, python)[0]

    def units(self, count: int, python: bool = False) -> list[str]:
        """The program as ``count`` files or fewer, compiled apart and linked: the parts cut
        into runs, and last the entry, its prototypes and (``python``) ``one_point_py``."""
        if count <= 1 or len(self.parts) <= 1:
            return ["\n".join([self.header, *self.parts, self._tail(python)])]
        size = -(-len(self.parts) // (count - 1))
        runs = [self.parts[k:k + size] for k in range(0, len(self.parts), size)]
        prototypes = [f"PART void smx_part{k}{_SIGNATURE};" for k in range(len(self.parts))]
        return [*("\n".join([self.header, *run]) for run in runs),
                "\n".join([self.header, *prototypes, self._tail(python)])]

    def _tail(self, python: bool) -> str:
        if not python:
            return self.entry + "\n"
        return "\n".join([self.entry, _PYTHON_ENTRY.format(n_in=self.n_in,
                                                           n_out=self.n_out), ""])


def c_program(program: Program, part_steps: int | None = None) -> CProgram | None:
    """``program`` in C (outputs in order, every place of each), ``part_steps`` steps a part
    (:data:`PART_STEPS`); None when a step has no C spelling."""
    part_steps = part_steps or PART_STEPS
    d = dialect("c")
    first = len(program.inputs)
    try:
        values, literal, of_slot = _values(program, d)
    except EvaluationError:
        return None
    values, literal, of_slot = _by_demand(values, literal, of_slot,
                                          [of_slot[i] for i in program.outputs], first)
    part_of, written = [], 0  # constants are written where used, not counted
    for k in range(len(values)):
        part_of.append(written // part_steps)
        written += first + k not in literal
    later = {i for k, (_, operands) in enumerate(values) for i in operands
             if i >= first and i not in literal and part_of[i - first] < part_of[k]}
    shared = {i: j for j, i in enumerate(sorted(later))}  # value → its place in s
    places: dict[int, list[int]] = {}
    for position, slot in enumerate(program.outputs):
        places.setdefault(of_slot[slot], []).append(position)

    def name(i: int, part: int) -> str:
        if i < first:
            return f"in[{i}]"
        if i in literal:
            return literal[i]
        return f"s[{shared[i]}]" if part_of[i - first] < part else f"t{i - first + 1}"

    parts: list[list[str]] = []
    for k, (spell, operands) in enumerate(values):
        i, local = first + k, f"t{k + 1}"
        if i in literal and i not in places:
            continue
        if part_of[k] == len(parts):
            parts.append([f"PART void smx_part{len(parts)}{_SIGNATURE} {{"])
        lines = parts[-1]
        lines.append(f"    const double {local} = "
                     f"{spell(*(name(j, part_of[k]) for j in operands))};")
        if i in shared:
            lines.append(f"    s[{shared[i]}] = {local};")
        lines += [f"    out[{p}] = {local};" for p in places.get(i, ())]
    code = tuple("\n".join([*lines, "}"]) for lines in parts)
    entry = _entry(len(shared), len(code), places, first)
    helpers = used_helpers(d, "\n".join([*code, entry]))
    return CProgram("\n".join([_PRELUDE, *helpers]), code, entry, first,
                    len(program.outputs))


Spell = Callable[..., str]
_TIMES: Spell = "{} * {}".format
_PLUS: Spell = "{} + {}".format
_MINUS: Spell = "{} - {}".format
_NEGATE: Spell = "-{}".format


def _values(program: Program, d: Dialect
            ) -> tuple[list[tuple[Spell, tuple[int, ...]]], dict[int, str], list[int]]:
    """(values, constants, the value of each program slot): the steps as C, a sum or product
    of n terms as the n − 1 operations C does in its order (``a * b * c`` is (a·b)·c; max and
    min of n folded from the left, as the other dialects do), each
    operation on the same two values written once (a·b is b·a, exactly): a product the
    program repeats in many steps, as a Hessian's entries do, is computed once. Value k
    (after the inputs) is ``values[k]``: how it is spelled from its operands' names."""
    first = len(program.inputs)
    values: list[tuple[Spell, tuple[int, ...]]] = []
    literal: dict[int, str] = {}
    known: dict[tuple, int] = {}
    of_slot = list(range(first))

    def make(spell: Spell, operands: tuple[int, ...], key: tuple | None = None) -> int:
        if key is not None and key in known:
            return known[key]
        values.append((spell, operands))
        if key is not None:
            known[key] = first + len(values) - 1
        return first + len(values) - 1

    def both(spell: Spell, a: int, b: int) -> int:  # a commutative operation
        return make(spell, (a, b), (spell, min(a, b), max(a, b)))

    for (_, slots), (kind, detail) in zip(program.steps, program.ops, strict=True):
        args = [of_slot[i] for i in slots]
        if kind == "number":
            value = make(_constant(detail, d), ())
            literal[value] = _literal(detail, d)
        elif kind is sympy.Mul:
            value = args[0]
            for a in args[1:]:
                value = both(_TIMES, value, a)
        elif kind is sympy.Add:
            signs: tuple[bool, ...] = detail  # type: ignore[assignment]  # Add: its signs
            value = make(_NEGATE, (args[0],), (_NEGATE, args[0])) if signs[0] else args[0]
            for negative, a in zip(signs[1:], args[1:], strict=True):
                value = make(_MINUS, (value, a), (_MINUS, value, a)) if negative else \
                    both(_PLUS, value, a)
        elif kind in (sympy.Max, sympy.Min):  # C's helper takes two: folded from the left
            value = args[0]
            for a in args[1:]:
                value = make(_step(kind, detail, d), (value, a))
        else:
            expression(kind, detail, ["x"] * len(args), d)  # raises where C has no form
            value = make(_step(kind, detail, d), tuple(args))
        of_slot.append(value)
    return values, literal, of_slot


def _by_demand(values: list[tuple[Spell, tuple[int, ...]]], literal: dict[int, str],
               of_slot: list[int], roots: list[int], first: int
               ) -> tuple[list[tuple[Spell, tuple[int, ...]]], dict[int, str], list[int]]:
    """The values renumbered in the order the outputs need them (depth first, each output
    in turn): a value is computed just before its first use, so fewer live across parts
    (a graph's numbering computes all of a kind first, then their uses far later). The
    operations are the same; a value no output needs is dropped."""
    order: list[int] = []
    done = bytearray(len(values))
    for root in roots:
        if root < first or done[root - first]:
            continue
        stack = [(root, 0)]
        while stack:
            value, next_operand = stack[-1]
            operands = values[value - first][1]
            while next_operand < len(operands) and (
                    operands[next_operand] < first or done[operands[next_operand] - first]):
                next_operand += 1
            if next_operand < len(operands):
                stack[-1] = (value, next_operand + 1)
                stack.append((operands[next_operand], 0))
            else:
                stack.pop()
                done[value - first] = 1
                order.append(value)
    new = list(range(first)) + [-1] * len(values)
    for position, value in enumerate(order):
        new[value] = first + position
    renamed = [(values[v - first][0], tuple(new[o] for o in values[v - first][1]))
               for v in order]
    return renamed, {new[v]: text for v, text in literal.items() if new[v] >= 0}, \
        [new[v] for v in of_slot]


def _step(kind: object, detail: object, d: Dialect) -> Spell:
    return lambda *names: expression(kind, detail, list(names), d)


def _constant(value: object, d: Dialect) -> Spell:
    return lambda: number(value, d)


def c_source(program: Program, python: bool = False) -> str | None:
    """The C of ``program`` as one file (:func:`c_program`), or None."""
    found = c_program(program)
    return None if found is None else found.text(python)


def _literal(value: object, d: Dialect) -> str:
    """A constant step written where it is used: ``(-0.5)``, ``2.0``, ``NAN``."""
    text = number(value, d)
    return f"({text})" if text.startswith("-") else text


def _entry(scratch: int, parts: int, places: dict[int, list[int]], first: int) -> str:
    """``one_point``: the scratch array, the parts in order, the outputs that are inputs."""
    on_stack = scratch <= STACK_MAX
    lines = ["EXPORT int one_point(const double *in, double *out) {"]
    lines += [f"    double s[{max(scratch, 1)}];"] if on_stack else [
        f"    double *s = malloc({scratch} * sizeof(double));", "    if (!s) return 1;"]
    lines += [f"    smx_part{k}(in, s, out);" for k in range(parts)]
    lines += [f"    out[{p}] = in[{slot}];" for slot, positions in places.items()
              if slot < first for p in positions]
    lines += [] if on_stack else ["    free(s);"]
    return "\n".join([*lines, "    return 0;", "}"])
