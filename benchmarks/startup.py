"""Start-up: ``import symnum`` and ``symnum derive "x^2"`` as whole processes, medians of 5.

    python benchmarks/startup.py [--runs 5]

Each command runs as a new process, as a user types it, with bytecode cached (one unmeasured
run first writes the ``.pyc`` files; ``PYTHONDONTWRITEBYTECODE`` is removed from the
children's environment). The CLI is the ``symnum`` script next to this Python when there is
one, else ``python -m symnum``; this checkout comes first on ``PYTHONPATH``. For scale, the
same medians of a bare ``python -c pass`` and of ``import sympy`` (SymPy alone, which the
derive must load) are printed beside them, and each process's CPU time (user + system) as a
multiple of ``import sympy``'s: on a loaded machine the wall clock mostly measures waiting
for a core, and those multiples are what to compare.
Which modules each process loads is checked by ``tests/test_startup.py``, not here. Unix only
(the children's CPU time comes from :mod:`resource`, the load from ``os.getloadavg``).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"import symnum": 0.25, 'symnum derive "x^2"': 0.5}  # seconds (issue 26)


def cli() -> list[str]:
    """The ``symnum`` command: the installed script beside this Python, or ``-m symnum``."""
    script = Path(sys.executable).parent / "symnum"
    return [str(script)] if script.exists() else [sys.executable, "-m", "symnum"]


COMMANDS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "import sympy": [sys.executable, "-c", "import sympy"],
    "import symnum": [sys.executable, "-c", "import symnum"],
    'symnum derive "x^2"': [*cli(), "derive", "x^2"],
}


def environment() -> dict[str, str]:
    """The children's environment: this checkout first, bytecode written and read."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
    return env


def seconds(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall-clock and CPU (user + system) seconds of one whole process (it must succeed)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    env = environment()
    for command in COMMANDS.values():  # writes the bytecode caches
        seconds(command, env)
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in COMMANDS}
    for _ in range(runs):  # interleaved, so that a burst of load hits every command alike
        for name, command in COMMANDS.items():
            times[name].append(seconds(command, env))
    load = os.getloadavg()[0]
    print(f"start-up, median of {runs} whole processes (load average {load:.2f}, "
          f"{os.cpu_count()} cores); CPU: user + system seconds of the process")
    sympy_cpu = statistics.median(c for _, c in times["import sympy"])
    for name, values in times.items():
        wall = statistics.median(w for w, _ in values)
        cpu = statistics.median(c for _, c in values)
        target = TARGETS.get(name)
        verdict = "" if target is None else \
            f"   target ≤ {target:.2f} s: {'met' if wall <= target else 'NOT met'}"
        print(f"  {name:<22} {wall:6.3f} s  (min {min(w for w, _ in values):.3f}; CPU "
              f"{cpu:.3f} s, {cpu / sympy_cpu:.2f}× import sympy's){verdict}")


if __name__ == "__main__":
    main()
