"""Shared helpers: run the CLI as a user would, in-process (fast) or in a new Python.

``cli(...)`` runs ``symnum.cli.main`` in the test's own process with stdout and stderr
captured and without the process-wide time and memory limits (``process_limits=False``): one
new Python per call cost most of the suite's time. It returns the same ``CompletedProcess``
a subprocess would. ``cli.process(...)`` runs ``python -m symnum`` in a new Python: the tests
that need a real process (exit status, limits, pipes, the console script) use it and say so.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from symnum.cli.app import main

ROOT = Path(__file__).resolve().parents[1]

# XLA compiles each JAX operation the first time a process meets it (most of what JAX
# verification costs): a cache on disk, shared by the xdist workers and the processes they
# start, compiles each once per run and none on the next. It holds compiled code only.
os.environ.setdefault("JAX_COMPILATION_CACHE_DIR", str(ROOT / ".jax_cache"))
os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0")
os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES", "-1")
# The suite runs each XLA program on a few small batches: LLVM's optimisation passes cost
# more compile time than they save (22% less CPU in the registry sweep; values the same to a
# few ulp, no fast-math). XLA_FLAGS set in the environment (even empty) is kept.
os.environ.setdefault("XLA_FLAGS", "--xla_backend_optimization_level=0 "
                      "--xla_llvm_disable_expensive_passes=true")


class CLI:
    """``cli("derive", "x**2")`` → CompletedProcess; ``cli.json(...)`` → parsed stdout."""

    def __call__(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        """In-process; ``timeout`` is kept for the call's signature (no timer is set)."""
        out, err = io.StringIO(), io.StringIO()
        with contextlib.chdir(ROOT), contextlib.redirect_stdout(out), \
                contextlib.redirect_stderr(err):
            try:
                code = main(list(args), process_limits=False)
            except SystemExit as exit_:  # --help; main itself returns its code
                code = exit_.code if isinstance(exit_.code, int) else 0 if exit_.code is None else 1
        return subprocess.CompletedProcess(["symnum", *args], code, out.getvalue(),
                                           err.getvalue())

    def process(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        """A real ``python -m symnum`` process (end to end: start-up, limits, exit status)."""
        return subprocess.run([sys.executable, "-m", "symnum", *args], capture_output=True,
                              text=True, timeout=timeout, cwd=ROOT)

    def json(self, *args: str) -> dict:
        proc = self(*args, "--format", "json")
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout)


@pytest.fixture(scope="session")
def cli() -> CLI:
    return CLI()


@pytest.fixture
def float64_torch():
    """torch in float64 for one test only (a default left changed leaks into the other tests
    of the worker: torch_function's float32 promotion)."""
    import torch

    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(old)
