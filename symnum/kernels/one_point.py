"""A kernel at one point: its program compiled once into straight-line Python over floats.

The batched path runs one numpy call per step; at one point each call costs a microsecond or
more of dispatch on a single number, so a 61-parameter Hessian (21,000 steps) took 16 ms. Here
the same steps (:mod:`symnum.kernels.source`, spelled by the ``math`` dialect of
:mod:`symnum.kernels.dialects`) become one Python function whose intermediates are locals,
compiled with :func:`compile` the first time a kernel is called with Python or numpy scalars
(the second time for a program of over 2,000 steps, so one call does not pay for compiling)
and kept on the kernel: a line costs tens of nanoseconds.

Python source needs nothing installed and compiles a small program in milliseconds. A
program of 500 steps or more is compiled as C instead where a C compiler is installed
(:mod:`symnum.kernels.one_point_c`, cached on disk): seconds of compiling once, then
microseconds a call (8 µs for the 61-parameter Hessian, against 1 ms in Python; a kernel
called with floats then hands them to the C directly, ``CFunction.caller``). Both mean what
the batched path means: the same stable forms, kinks (max and min propagate nan,
Heaviside(0) = ½) and constants, values equal up to rounding.
Where Python floats would differ from numpy (math.log(0) raises where numpy returns -inf, an
exponential overflows, 1/0) the function raises, and the kernel answers from the batched path
instead, so infinities and nans come out exactly as there.

>>> import symnum
>>> k = symnum.kernel("log(exp(x) + exp(y))", wrt="x,y", what="hessian")
>>> k(1000.0, 1000.0).tolist()  # one point: the compiled function
[[0.25, -0.25], [-0.25, 0.25]]
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import sympy

from .dialects import dialect, used_helpers
from .one_point_c import c_function
from .source import body

if TYPE_CHECKING:
    from .program import Program

C_MIN_STEPS = 500  # smaller programs: Python compiles in milliseconds, C in a second
C_MAX_STEPS = 200_000  # larger ones: the C compiler would take minutes
EAGER_MAX_STEPS = 2_000  # larger programs are compiled on their second call at one point
# larger programs get no one-point function: Python's compiler needs about 3 KB a step (the
# 161-parameter MLP Hessian's 523,000 steps: 9.6 s and 1.3 GB, then 40 ms a call; the
# 401-parameter one's 1.6 million: 4.5 GB), so they run the batched program at the point
# (0.7 s a call at 523,000 steps, no memory beyond the program's)
PYTHON_MAX_STEPS = 600_000
# raised by the compiled function where floats and numpy would part ways
_FALL_BACK = (ArithmeticError, ValueError, TypeError)


def floats(args: Sequence[object]) -> list[float] | None:
    """The arguments as Python floats when every one is a real Python or numpy scalar, else
    None (arrays, tensors, complex numbers, text: the batched path takes or refuses them)."""
    import numpy as np
    values = []
    for a in args:
        kind = type(a)
        if kind is float:
            values.append(a)
        elif kind is int or kind is bool or isinstance(a, np.floating | np.integer | np.bool_):
            try:
                values.append(float(a))
            except OverflowError:
                return None
        else:
            return None
    return values


def source(program: Program) -> str | None:
    """The Python source of ``one_point(v0, v1, …)`` returning the output values as a list,
    with the helpers it calls; None when a constant is complex (the batched path handles
    complex arithmetic)."""
    if any(kind == "number" and isinstance(detail, sympy.Basic) and detail.is_real is not True
           for kind, detail in program.ops):
        return None
    d = dialect("math")
    lines, outputs = body(program, d)
    inputs = ", ".join(f"v{i}" for i in range(len(program.inputs)))
    text = "\n".join([f"def one_point({inputs}):", *(f"    {line}" for line in lines),
                      f"    return [{', '.join(outputs)}]", ""])
    return "\n".join(used_helpers(d, text) + [text])


def compiled(program: Program, c_min_steps: int | None = None
             ) -> Callable[[list[float]], object] | None:
    """The one-point function of ``program`` (values → output values): C for a program of
    ``c_min_steps`` (:data:`C_MIN_STEPS`) steps or more where a compiler is installed, else
    Python up to :data:`PYTHON_MAX_STEPS` steps; None where there is none."""
    low = C_MIN_STEPS if c_min_steps is None else c_min_steps
    if low <= len(program.steps) <= C_MAX_STEPS:
        found = c_function(program)
        if found is not None:
            return found
    if len(program.steps) > PYTHON_MAX_STEPS:
        return None
    function = python_function(program)
    return None if function is None else (lambda values: function(*values))


def worth_compiling(program: Program) -> int:
    """The call at one point from which compiling pays: the first for a small program, the
    second for a big one (compiling 20,000 steps takes seconds; one batched run, 25 ms)."""
    return 1 if len(program.steps) <= EAGER_MAX_STEPS else 2


def python_function(program: Program) -> Callable[..., list] | None:
    """The compiled Python function ``one_point(v0, v1, …)`` of ``program``, or None."""
    text = source(program)
    if text is None:
        return None
    namespace: dict = {"math": math}
    if "_scipy_special" in text:
        import scipy.special
        namespace["_scipy_special"] = scipy.special
    exec(compile(text, "<symnum one-point kernel>", "exec"), namespace)  # noqa: S102 - our code
    return namespace["one_point"]


def run(function: Callable[[list[float]], object], values: list[float]) -> object | None:
    """The outputs at ``values``, or None where the batched path must answer."""
    try:
        return function(values)
    except _FALL_BACK:
        return None
