"""The scale sweep: every tool on MLP Hessians of growing size, each in a fresh process
(:mod:`child`), with its build time, one evaluation, peak memory and the largest entry of
its difference with CasADi's Hessian (an independent oracle; JAX's where CasADi did not
finish). A tool stopped at one size (time limit, memory cap) is not run at larger ones.
Saves the plot (log axes: build seconds, evaluation seconds, peak MiB against parameters).

>>> from child import Measured
>>> m = Measured("casadi", 10, {"derive": 0.01, "ready": 0.001}, 1e-4, 5e-5, 60.0)
>>> print(row(m, m))
    10  casadi              –    0.010    0.001    0.011     0.100     0.050        60  oracle
"""

from __future__ import annotations

import numpy as np
import tools
from child import Measured, measure

SLOW = ("sympy", "symengine")  # run only where they finish under their own, shorter limit
ORACLES = ("casadi", "jax")
COLORS = ("tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple", "tab:brown")


class Sweep:
    """Measurements by (tool, params), run on first request and kept (the build ratios and
    the 1,000-parameter build reuse the sweep's runs)."""

    def __init__(self, limit_s: float, slow_limit_s: float, cap_mib: float) -> None:
        self.limit_s, self.slow_limit_s, self.cap_mib = limit_s, slow_limit_s, cap_mib
        self.found: dict[tuple[str, int], Measured] = {}
        self.skipped: dict[tuple[str, int], str] = {}

    def get(self, tool: str, n: int) -> Measured | None:
        """``tool`` at ``n`` parameters, or None where it was stopped at a smaller size."""
        if (tool, n) in self.found:
            return self.found[(tool, n)]
        stopped = [m for (t, k), m in self.found.items() if t == tool and k < n and m.stopped]
        if stopped:
            self.skipped[(tool, n)] = f"stopped at {stopped[0].n}"
            return None
        limit = self.slow_limit_s if tool in SLOW else self.limit_s
        found = self.found[(tool, n)] = measure(tool, n, limit, self.cap_mib)
        return found

    def oracle(self, n: int) -> Measured | None:
        """CasADi's finished measurement at ``n`` (JAX's if CasADi did not finish)."""
        for tool in ORACLES:
            m = self.found.get((tool, n))
            if m is not None and m.hessian is not None:
                return m
        return None


def gap(m: Measured, oracle: Measured | None) -> str:
    """max |H − H_oracle| as text; 'oracle' for the oracle itself."""
    if oracle is m:
        return "oracle"
    if m.hessian is None or oracle is None or oracle.hessian is None:
        return "–"
    return f"{np.abs(m.hessian - oracle.hessian).max():.1e}"


HEADER = (f"{'params':>6}  {'tool':<12}{'parse':>9}{'derive':>9}{'ready':>9}{'build':>9}"
          f"{'first ms':>10}{'eval ms':>10}{'peak MiB':>10}  max |H − H_casadi|")


def _s(value: float | None, scale: float = 1.0) -> str:
    return f"{value * scale:9.3f}" if value is not None else f"{'–':>9}"


def row(m: Measured, oracle: Measured | None) -> str:
    """One printed line of the sweep's table."""
    ph = m.phases
    text = (f"{m.n:>6}  {m.tool:<12}{_s(ph.get('parse'))}{_s(ph.get('derive'))}"
            f"{_s(ph.get('ready'))}{_s(m.build)} {_s(m.first, 1e3)} {_s(m.evaluate, 1e3)}"
            f"{m.peak_mib:>10.0f}  {gap(m, oracle)}")
    return text + (f"  stopped: {m.stopped}" if m.stopped else "")


def run(sweep: Sweep, sizes: list[int], tool_names: list[str]) -> None:
    """Measure and print every tool at every size (oracles first at each size)."""
    print(HEADER)
    order = [t for t in ORACLES if t in tool_names] + [t for t in tool_names if t not in ORACLES]
    for n in sizes:
        measured = [(t, sweep.get(t, n)) for t in order]
        oracle = sweep.oracle(n)
        for tool in tool_names:  # printed in the table's order
            m = dict(measured)[tool]
            if m is None:
                print(f"{n:>6}  {tool:<12}{'not run: ' + sweep.skipped[(tool, n)]:>27}")
            else:
                print(row(m, oracle))


def as_json(sweep: Sweep) -> list[dict]:
    """Every measurement as plain data (no Hessians), with its gap to the oracle."""
    out = []
    for (tool, n), m in sweep.found.items():
        g = gap(m, sweep.oracle(n))
        out.append({"tool": tool, "params": n, "phases": m.phases, "build_s": m.build,
                    "build_peak_mib": m.build_peak_mib,
                    "first_s": m.first, "evaluate_s": m.evaluate, "peak_mib": m.peak_mib,
                    "stopped": m.stopped, "max_gap_vs_oracle": g,
                    "warm_up_s": m.warm_up})
    return out


def plot(sweep: Sweep, path: str, tool_names: list[str]) -> None:
    """Three log–log panels against parameters: build seconds, one evaluation, peak MiB."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    panels = (("build: to something evaluable (s)", lambda m: m.build),
              ("one evaluation of the Hessian (s)", lambda m: m.evaluate),
              ("peak memory of the process (MiB)", lambda m: None if m.stopped
               else m.peak_mib))
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.8), constrained_layout=True)
    for tool in tool_names:
        color = COLORS[list(tools.TOOLS).index(tool) % len(COLORS)]
        points = sorted((n, m) for (t, n), m in sweep.found.items() if t == tool)
        for ax, (_, value) in zip(axes, panels, strict=True):
            xy = [(n, value(m)) for n, m in points if value(m) is not None and value(m) > 0]
            if xy:
                ax.plot(*zip(*xy, strict=True), marker="o", color=color, label=tool)
        late = [n for n, m in points if m.stopped.endswith(" s") and m.build is None]
        if late:  # a cross at the time limit: it took longer than this
            axes[0].plot(late, [sweep.limit_s if tool not in SLOW else sweep.slow_limit_s]
                         * len(late), "x", color=color, markersize=10,
                         label=f"{tool}: stopped at the time limit")
        big = [n for n, m in points if m.stopped.endswith(" GB")]
        if big:  # a cross at the memory cap: it needed more than this
            axes[2].plot(big, [sweep.cap_mib] * len(big), "x", color=color, markersize=10,
                         label=f"{tool}: stopped at the memory cap")
    for ax, (title, _) in zip(axes, panels, strict=True):
        ax.set(xscale="log", yscale="log", xlabel="parameters of the MLP (log)",
               ylabel=title.rsplit("(", 1)[1].rstrip(")") + " (log)", title=title)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle("Exact Hessian of a tanh-MLP loss: each tool in a fresh process "
                 "(benchmarks/run.py)")
    fig.savefig(path, dpi=110)
    plt.close(fig)


def available(names: list[str] | None = None) -> list[str]:
    """The tools installed here, in the tables' order."""
    return [t for t in (names or list(tools.TOOLS)) if tools.installed(t)]
