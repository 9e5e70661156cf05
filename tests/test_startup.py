"""Start-up: what a new process loads for ``import symnum`` and for ``symnum derive "x^2"``;
how the CLI ends a process.

Real processes (the one thing an in-process test cannot see), each run under ``python -X
importtime``, which names on stderr every module the process imports: ``import symnum``
loads symnum's top module alone (every public name comes on first use), and the CLI's
derive loads SymPy and core but no numerical library, no web stack and no capability it
does not use. Modules are checked, never seconds (``benchmarks/startup.py`` times both).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from symnum.cli.app import main

ROOT = Path(__file__).resolve().parents[1]

# What only some commands need: never loaded by import symnum or a plain derive.
HEAVY = ("numpy", "scipy", "torch", "jax", "matplotlib", "symengine", "starlette", "uvicorn",
         "jinja2", "numexpr", "casadi", "dask", "distributed")
NOT_FOR_DERIVE = ("symnum.kernels", "symnum.steps", "symnum.matrix", "symnum.verification",
                  "symnum.check", "symnum.analysis", "symnum.export", "symnum.chapter",
                  "symnum.web", "importlib.metadata")
MARK = "-- imported --"


def imported(*args: str) -> tuple[list[str], str, str]:
    """A new ``python -X importtime ARGS`` process: the modules it imported up to the line
    ``MARK`` on its stderr (all of them without one), its stdout, and what else its stderr
    said."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-X", "importtime", *args], capture_output=True,
                          text=True, timeout=120, cwd=ROOT, env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    timed, _, rest = proc.stderr.partition(MARK)
    names = [line.rsplit("|", 1)[1].strip() for line in timed.splitlines()
             if line.startswith("import time:")]
    said = "\n".join(line for line in proc.stderr.splitlines()
                     if not line.startswith("import time:") and line != MARK)
    return names[1:], proc.stdout, said  # names[0] is the header's "imported package"


def _of(names: list[str], packages: tuple[str, ...]) -> list[str]:
    return sorted({n for n in names if any(n == p or n.startswith(p + ".") for p in packages)})


def test_import_symnum_loads_its_top_module_alone_and_a_convenience_plugs_the_layers():
    code = ("import sys, symnum\n"
            f"print({MARK!r}, file=sys.stderr, flush=True)\n"
            "from symnum.core.function import Function\n"  # core only: no layer plugged yet
            "from symnum.core.hooks import plugged\n"
            "f = Function('x**2*y')\n"
            "with plugged(steps=None):\n"  # plugs the layers first: loading them cannot undo it
            "    try:\n"
            "        f.steps()\n"
            "    except symnum.SymnumError as err:\n"
            "        print(str(err).split(',')[0])\n"
            "print(f.kernel()(1.0, 2.0).tolist(), type(f.steps()).__name__)\n"
            "print(dir(symnum).count('derive'))\n")
    names, out, said = imported("-c", code)
    assert _of(names, ("symnum",)) == ["symnum"]
    assert not _of(names, HEAVY + ("sympy", "mpmath", "importlib.metadata"))
    assert out.splitlines() == ["steps is computed by symnum.steps",
                                "[4.0, 1.0] Derivation", "1"]
    assert not said


def test_the_clis_derive_loads_sympy_and_core_but_nothing_it_does_not_use():
    names, out, said = imported("-m", "symnum", "derive", "x^2", "--format", "json")
    assert '"result": "2*x"' in out and not said
    assert "sympy" in names and "symnum.core.calculus" in names
    assert not _of(names, HEAVY + NOT_FOR_DERIVE)


def test_a_small_hessian_needs_neither_symengine_nor_numpy():
    """symengine (and numpy, which it imports) is for large results: a small one never
    imports it, even to ask whether it is installed."""
    names, out, said = imported("-c", "import symnum; print(symnum.derive('x**2*y', "
                                "what='hessian').nested())")
    assert out.strip() == "[[2*y, 2*x], [2*x, 0]]" and not said
    assert not _of(names, HEAVY)


def test_main_called_from_a_module_returns_its_code(monkeypatch, capsys):
    """Only the program itself (a module run as ``__main__``) ends the process in ``main()``:
    a host that sets ``sys.argv`` and calls it gets the exit code back."""
    monkeypatch.setattr(sys, "argv", ["symnum", "derive", "x**2", "--format", "json"])
    assert main(process_limits=False) == 0
    assert '"result": "2*x"' in capsys.readouterr().out
