"""A big kernel at one point as C: its program compiled once by the installed C compiler.

Straight-line Python (:mod:`symnum.kernels.one_point`) costs tens of nanoseconds a step; a
61-parameter Hessian has 21,000 steps, about 1 ms. The same steps in C (spelled by the ``c``
dialect of :mod:`symnum.kernels.dialects`) take microseconds. C doubles also behave like
numpy's: an overflow is inf, log(0) is -inf, sqrt(-1) is nan, with no exception, so the C
function answers at every point. It is compiled with ``-O0 -ffp-contract=off`` (no fused
multiply-adds, no fast-math: the same rounding as the steps written out; 4 s for the
61-parameter Hessian, 30 µs a call) and kept in a cache
folder (``$SYMNUM_CACHE`` or ``~/.cache/symnum``), named by a hash of its source, so another
process with the same kernel loads it at once. Without a compiler, or for a program with a
function C lacks (digamma, polygamma), :func:`c_function` returns None and the kernel uses the
Python function.

>>> import sympy
>>> from symnum.kernels.program import Program
>>> x = sympy.Symbol("x")
>>> print(c_source(Program([sympy.Max(x, 0)**2], [x])).splitlines()[-3])
    const double t3 = t2 * t2;
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..core.errors import EvaluationError
from .dialects import dialect, used_helpers
from .source import body

if TYPE_CHECKING:
    from .program import Program

# -O0: optimising one function of 20,000 statements takes gcc minutes (register allocation
# over one huge block) for a few microseconds a call; unoptimised it compiles in seconds
FLAGS = ("-O0", "-ffp-contract=off", "-fno-fast-math", "-shared", "-fPIC")
COMPILE_TIMEOUT_S = 120


def c_source(program: Program) -> str | None:
    """``void one_point(const double *in, double *out)`` for ``program``, or None when a
    step has no C spelling."""
    d = dialect("c")
    try:
        lines, outputs = body(program, d)
    except EvaluationError:
        return None
    n = len(program.inputs)
    code = [f"    const double v{i} = in[{i}];" for i in range(n)]
    code += [f"    const double {line};" for line in lines]
    code += [f"    out[{k}] = {name};" for k, name in enumerate(outputs)]
    text = "\n".join(["void one_point(const double *in, double *out) {", *code, "}", ""])
    return "\n".join([*d.imports, *used_helpers(d, text), text])


def _compiler() -> str | None:
    return os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")


def _cache() -> str:
    root = os.environ.get("SYMNUM_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "symnum")
    return os.path.join(root, "c")


def _library(source: str) -> str | None:
    """The path of the shared library built from ``source`` (from the cache if there), or
    None when no compiler is found or it fails."""
    compiler = _compiler()
    if compiler is None:
        return None
    key = hashlib.sha256((" ".join(FLAGS) + compiler + source).encode()).hexdigest()[:32]
    folder = _cache()
    path = os.path.join(folder, f"one_point_{key}.so")
    if os.path.exists(path):
        return path
    try:
        os.makedirs(folder, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=folder) as work:
            c_file, built = os.path.join(work, "k.c"), os.path.join(work, "k.so")
            with open(c_file, "w", encoding="utf-8") as handle:
                handle.write(source)
            done = subprocess.run([compiler, *FLAGS, "-o", built, c_file, "-lm"],
                                  capture_output=True, timeout=COMPILE_TIMEOUT_S)
            if done.returncode != 0:
                return None
            os.replace(built, path)  # atomic: a process racing us loads a whole file
    except (OSError, subprocess.SubprocessError):
        return None
    return path


def c_function(program: Program) -> Callable[[list[float]], object] | None:
    """A callable from the point's values (a list of floats) to a float64 numpy array of the
    outputs, running the compiled C; None where there is none."""
    source = c_source(program)
    path = None if source is None else _library(source)
    if path is None:
        return None
    try:
        function = ctypes.CDLL(path).one_point
    except OSError:
        return None
    function.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
    function.restype = None
    import numpy as np
    n_in, n_out = len(program.inputs), len(program.outputs)
    inputs_type = ctypes.c_double * max(n_in, 1)

    def run(values: list[float]) -> object:
        out = np.empty(n_out)
        function(inputs_type(*values), out.ctypes.data)
        return out
    return run
