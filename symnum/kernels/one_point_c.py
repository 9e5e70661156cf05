"""A big kernel at one point as C: its program compiled once by the installed C compiler.

Straight-line Python (:mod:`symnum.kernels.one_point`) costs tens of nanoseconds a step; a
61-parameter Hessian has 21,000 steps, about 1 ms. The same steps in C
(:mod:`symnum.kernels.c_source`: parts of a few hundred steps, so ``-O1`` keeps values in
registers and still compiles in seconds, the parts' files compiled at once on several cores)
take microseconds. C doubles behave like numpy's: an overflow is inf, log(0) is -inf,
sqrt(-1) is nan, with no exception, so the C function answers at every point. Compiled with
``-ffp-contract=off`` (no fused multiply-adds) and no fast-math: the rounding of the steps
written out. The library is kept in a cache folder (``$SYMNUM_CACHE`` or
``~/.cache/symnum``), named by a hash of its source, flags and compiler, so another process
with the same kernel loads it at once. Nothing here runs at import: without a compiler, or for
a program with a function C lacks (digamma, polygamma), :func:`c_function` returns None and
the kernel uses the Python function.

A :class:`CFunction` is called with the point's values; under CPython, :meth:`CFunction.caller`
also gives the kernel's fast path: the call's tuple of floats read in C and the result written
into a fresh numpy array (no ctypes array, no per-value conversion in Python).

>>> import sympy
>>> from symnum.kernels.program import Program
>>> x = sympy.Symbol("x")
>>> for line in c_source(Program([sympy.Max(x, 0)**2], [x])).splitlines():
...     if line.startswith("    const"):
...         print(line)
    const double t2 = smx_max(0.0, in[0]);
    const double t3 = t2 * t2;
"""

from __future__ import annotations

import array
import ctypes
import functools
import hashlib
import math
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from .c_source import c_program, c_source

if TYPE_CHECKING:
    from .program import Program

__all__ = ["CFunction", "c_function", "c_source"]

# -O1 on parts of a few hundred steps: values in registers (4× faster a call than -O0, as
# fast as -O2) for about twice -O0's compile time; -O2 costs twice as much again for nothing
FLAGS = ("-O1", "-ffp-contract=off", "-fno-fast-math", "-fPIC", "-fvisibility=hidden")
# with AVX, three-operand scalar instructions: a fifth fewer (no copies), the same rounding
AVX_FLAGS = ("-mavx",)
COMPILE_TIMEOUT_S = 120
JOB_STEPS = 2_000  # a program is compiled as one file per this many steps, at once
# under CPython the library also gets one_point_py, reading the call's tuple itself
PYTHON_ENTRY = sys.implementation.name == "cpython"


class CFunction:
    """The compiled ``one_point`` of a program with ``n_in`` inputs and ``n_out`` outputs:
    called with the point's values (floats), it returns a float64 numpy array of the outputs,
    or None where the batched path must answer (no memory for a huge scratch array)."""

    def __init__(self, path: str, n_in: int, n_out: int, python: bool):
        library = ctypes.PyDLL(path) if python else ctypes.CDLL(path)
        self._raw = library.one_point
        self._raw.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
        self._raw.restype = ctypes.c_int
        self._python = library.one_point_py if python else None
        if self._python is not None:
            self._python.argtypes = [ctypes.py_object] * 3
            self._python.restype = ctypes.c_int
        self.n_in, self.n_out = n_in, n_out

    def __call__(self, values: Sequence[float]) -> object:
        import numpy as np
        point, out = array.array("d", values), np.empty(self.n_out)
        return None if self._raw(point.buffer_info()[0], out.ctypes.data) else out

    def caller(self, shape: tuple[int, ...], wrap: Callable[[object], object] | None = None
               ) -> Callable[[tuple], object] | None:
        """``call(args)``: the result (shaped ``shape``, passed through ``wrap``) at a tuple
        of ``n_in`` Python or numpy floats, or None for any other arguments (the kernel's
        general path takes them); None where the library has no ``one_point_py``."""
        import numpy as np
        function, empty, real = self._python, np.empty, float
        if function is None or math.prod(shape) != self.n_out:
            return None

        if wrap is None:
            def call(args: tuple) -> object:
                out = empty(shape)
                return None if function(args, out, real) else out
            return call
        convert = wrap

        def wrapped(args: tuple) -> object:
            out = empty(shape)
            return None if function(args, out, real) else convert(out)
        return wrapped


def c_function(program: Program) -> CFunction | None:
    """``program`` compiled as C (or loaded from the cache); None where it cannot be."""
    found = c_program(program)
    if found is None:
        return None
    path = _library(found.units(_jobs(len(program.steps)), PYTHON_ENTRY), found.text(PYTHON_ENTRY))
    if path is None:
        return None
    try:
        return CFunction(path, found.n_in, found.n_out, PYTHON_ENTRY)
    except (OSError, AttributeError):
        return None


@functools.cache
def flags() -> tuple[str, ...]:
    """The compiler flags here: :data:`FLAGS`, and :data:`AVX_FLAGS` on a Linux x86-64
    processor that has AVX (its flags in /proc/cpuinfo)."""
    if sys.platform.startswith("linux") and platform.machine() == "x86_64":
        try:
            with open("/proc/cpuinfo", encoding="utf-8") as handle:
                for line in handle:
                    if line.startswith("flags"):
                        return FLAGS + AVX_FLAGS if "avx" in line.split() else FLAGS
        except OSError:
            pass
    return FLAGS


def _compiler() -> str | None:
    return os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")


def _cache() -> str:
    root = os.environ.get("SYMNUM_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "symnum")
    return os.path.join(root, "c")


def _jobs(steps: int) -> int:
    """How many files to compile at once: one per :data:`JOB_STEPS` steps, one per core."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else \
        os.cpu_count() or 1
    return max(1, min(cores, -(-steps // JOB_STEPS)))


def _library(units: list[str], whole: str) -> str | None:
    """The path of the shared library built from ``units`` (C files linked together; from
    the cache if there, keyed by ``whole``, the one-file source), or None when no compiler
    is found or it fails."""
    compiler = _compiler()
    if compiler is None:
        return None
    key = hashlib.sha256((" ".join(flags()) + compiler + whole).encode()).hexdigest()[:32]
    folder = _cache()
    path = os.path.join(folder, f"one_point_{key}.so")
    if os.path.exists(path):
        return path
    try:
        os.makedirs(folder, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=folder) as work:
            built = os.path.join(work, "k.so")
            if not _build(compiler, units, work, built):
                return None
            os.replace(built, path)  # atomic: a process racing us loads a whole file
    except (OSError, subprocess.SubprocessError):
        return None
    return path


def _build(compiler: str, units: list[str], work: str, built: str) -> bool:
    """Compile ``units`` in ``work`` at once (one process each) and link them into
    ``built``; True when every step succeeded."""
    link = ["-shared", *(["-undefined", "dynamic_lookup"] if sys.platform == "darwin" else [])]
    files = []
    for k, text in enumerate(units):
        files.append(os.path.join(work, f"k{k}.c"))
        with open(files[-1], "w", encoding="utf-8") as handle:
            handle.write(text)
    if len(files) == 1:
        done = subprocess.run([compiler, *flags(), *link, "-o", built, files[0], "-lm"],
                              capture_output=True, timeout=COMPILE_TIMEOUT_S)
        return done.returncode == 0
    running = [subprocess.Popen([compiler, *flags(), "-c", "-o", f"{f[:-2]}.o", f],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
               for f in files]
    try:
        codes = [p.wait(timeout=COMPILE_TIMEOUT_S) for p in running]
    finally:
        for p in running:
            if p.poll() is None:
                p.kill()
                p.wait()
    if any(codes):
        return False
    done = subprocess.run([compiler, *flags(), *link, "-o", built,
                           *(f"{f[:-2]}.o" for f in files), "-lm"],
                          capture_output=True, timeout=COMPILE_TIMEOUT_S)
    return done.returncode == 0
