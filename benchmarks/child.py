"""One tool on one MLP in a fresh Python process: no cache warmed by an earlier run, and the
peak memory is this tool's alone. The parent (:func:`measure`) stops it at a time limit or
a memory cap and keeps what it printed so far.

    python benchmarks/child.py TOOL PARAMS [--evaluate] [--save FILE.npy]

prints one JSON object a line as it goes: the warm-up's seconds, each phase's seconds, the
peak memory once built (``peak_mib``), ``first`` (the first call's seconds), ``evaluate``
(median seconds of later calls, with --evaluate) and the peak at the end; the Hessian at
theta0 goes to FILE.npy.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def peak_mib(pid: int | str = "self") -> float:
    """A process's peak resident memory (VmHWM) in MiB; 0 once it is gone. Not ru_maxrss:
    Linux carries that across exec from the parent."""
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _say(**values: object) -> None:
    print(json.dumps(values), flush=True)


def run(tool: str, n: int, evaluate: bool, save: str | None) -> None:
    """The child's work: build, first call, (later calls), peak — printed as it goes."""
    import tools
    __import__(tools.TOOLS[tool])  # the import is not the build
    _say(warm_up=tools.warm_up(tool))
    phases, hessian = tools.build(tool, n)
    for name, seconds in phases.items():
        _say(phase=name, s=seconds)
    _say(peak_mib=peak_mib())
    start = time.perf_counter()
    value = np.asarray(hessian())
    _say(first=time.perf_counter() - start)
    if save:
        np.save(save, np.asarray(value, dtype=float).reshape(n, n))
    if evaluate:
        calls = []
        for _ in range(7):  # the first two warm up (compile a one-point function)
            start = time.perf_counter()
            hessian()
            calls.append(time.perf_counter() - start)
        _say(evaluate=statistics.median(calls[2:]))
    _say(peak_mib=peak_mib())


@dataclass
class Measured:
    """What a child reported: phases (seconds, in order), first call, evaluate, peak MiB,
    the Hessian (None when not saved), and ``stopped``: '' when it finished, else why not."""
    tool: str
    n: int
    phases: dict[str, float] = field(default_factory=dict)
    first: float | None = None
    evaluate: float | None = None
    peak_mib: float = 0.0
    hessian: np.ndarray | None = None
    stopped: str = ""
    wall: float = 0.0
    warm_up: float | None = None
    build_peak_mib: float | None = None  # the peak when the build was done

    @property
    def build(self) -> float | None:
        """Seconds to something evaluable (sum of the phases), None if it did not finish
        or has no build (torch.func traces at every call)."""
        return sum(self.phases.values()) if "ready" in self.phases else None


def measure(tool: str, n: int, limit_s: float, cap_mib: float, evaluate: bool = True,
            keep_hessian: bool = True) -> Measured:
    """Run the child; stop it past ``limit_s`` seconds or ``cap_mib`` resident (the machine
    is shared), keeping what it printed."""
    found = Measured(tool, n)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "h.npy")
        argv = [sys.executable, os.path.join(HERE, "child.py"), tool, str(n)]
        argv += ["--evaluate"] * evaluate + (["--save", path] if keep_hessian else [])
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(
            [os.path.dirname(HERE), os.environ.get("PYTHONPATH", "")]))
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, env=env)
        peak = 0.0
        while proc.poll() is None:
            found.wall = time.perf_counter() - start
            peak = max(peak, peak_mib(proc.pid))
            if found.wall > limit_s:
                found.stopped = f"> {limit_s:.0f} s"
            elif peak > cap_mib:
                found.stopped = f"> {cap_mib / 1024:.1f} GB"
            if found.stopped:
                proc.kill()
                break
            time.sleep(0.05)
        out, err = proc.communicate()
        found.wall = time.perf_counter() - start
        for line in out.splitlines():
            _read(found, json.loads(line))
        found.peak_mib = max(found.peak_mib, peak)
        if proc.returncode and not found.stopped:
            found.stopped = "error: " + (err.strip().splitlines() or ["?"])[-1][:120]
        if keep_hessian and os.path.exists(path):
            found.hessian = np.load(path)
    return found


def _read(found: Measured, line: dict) -> None:
    if "phase" in line:
        found.phases[line["phase"]] = line["s"]
    elif "peak_mib" in line:
        found.peak_mib = max(found.peak_mib, line["peak_mib"])
        if found.first is None:  # printed right after the build
            found.build_peak_mib = line["peak_mib"]
    elif "first" in line:
        found.first = line["first"]
    elif "evaluate" in line:
        found.evaluate = line["evaluate"]
    elif "warm_up" in line:
        found.warm_up = line["warm_up"]


if __name__ == "__main__":
    sys.path.insert(0, HERE)
    args = sys.argv[1:]
    save = args[args.index("--save") + 1] if "--save" in args else None
    run(args[0], int(args[1]), "--evaluate" in args, save)
