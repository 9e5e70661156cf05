"""The sections of ``run.py``, one function each: it prints its table and puts the values the
targets read (:data:`report.TARGETS`) into ``values`` and its data into ``data``.

>>> sorted(SECTIONS)
['batched', 'big', 'builds', 'point', 'startup', 'sweep']
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import mlp
from child import Measured, measure
from sweep import Sweep


@dataclass
class Context:
    """What every section reads (settings, the shared sweep) and writes (values, data)."""
    quick: bool
    sweep: Sweep
    tools: list[str]
    runs: int = 3
    plot_path: str = ""
    values: dict[str, float | None] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)


def _med(xs: list[float]) -> float:
    return statistics.median(xs)


def builds(ctx: Context) -> None:
    """1. symnum's derive (from the text: reading it is part of derive) and ready-to-evaluate
    (kernel) against CasADi's SX build with hessian, and its Function: each run a fresh
    process timed inside it, after imports and a warm-up; runs alternate between the tools;
    medians and their ratio."""
    sizes = [61] if ctx.quick else [61, 161]
    runs = 1 if ctx.quick else max(3, ctx.runs)
    print("symnum: derive = symnum.derive(text, wrt=..., what='hessian'), ready = "
          "symnum.kernel(result); CasADi: derive = SX loss + hessian, ready = Function")
    print(f"{'params':>6}  {'tool':<8}{'derive':>8}{'ready':>8}{'sum':>8}"
          f"{'runs (sum)':>30}{'peak MiB':>10}")
    for n in sizes:
        found: dict[str, list[Measured]] = {"symnum": [], "casadi": []}
        for i in range(runs):
            for tool in found:  # the first run is the sweep's (kept for its table)
                m = ctx.sweep.get(tool, n) if i == 0 else measure(
                    tool, n, ctx.sweep.limit_s, ctx.sweep.cap_mib, evaluate=False,
                    keep_hessian=False)
                if m is not None and m.build is not None:
                    found[tool].append(m)
        medians = {}
        for tool, ms in found.items():
            if not ms:
                print(f"{n:>6}  {tool:<8}did not finish")
                continue
            phases = {p: _med([m.phases[p] for m in ms]) for p in ms[0].phases}
            medians[tool] = _med([m.build for m in ms if m.build is not None])
            cells = "".join(f"{phases[p]:8.3f}" if p in phases else f"{'–':>8}"
                            for p in ("derive", "ready"))
            runs_text = " ".join(f"{m.build:.3f}" for m in ms if m.build is not None)
            print(f"{n:>6}  {tool:<8}{cells}{medians[tool]:8.3f}{runs_text:>30}"
                  f"{max(m.peak_mib for m in ms):10.0f}")
            ctx.data.setdefault("builds", []).append(
                {"params": n, "tool": tool, "median_phases_s": phases,
                 "median_build_s": medians[tool], "runs_s": [m.build for m in ms]})
        if len(medians) == 2:
            ratio = medians["symnum"] / medians["casadi"]
            ctx.values[f"build_{n}"] = ratio
            print(f"{'':>6}  symnum / CasADi = {ratio:.2f} (median build over median build)")


def big(ctx: Context) -> None:
    """2. The largest MLP's Hessian built by each fast tool in a fresh process: time to
    something evaluable and peak memory once built (symnum: ≤ 60 s, < 2 GB), and the peak
    after the evaluations of the sweep (the first call, then seven more)."""
    n = 61 if ctx.quick else 1001
    print(f"MLP of {mlp.describe(n)}; build = every phase up to something evaluable")
    for tool in [t for t in ctx.tools if t in ("symnum", "casadi", "jax", "torch.func")]:
        m = ctx.sweep.get(tool, n)
        if m is None:
            continue
        build = (f"{m.build:.2f} s" if m.build is not None else "did not finish"
                 if m.stopped else "none (traced at every call)")
        phases = ", ".join(f"{p} {s:.2f} s" for p, s in m.phases.items())
        built = f"{m.build_peak_mib:6.0f}" if m.build_peak_mib else f"{'–':>6}"
        print(f"  {tool:<11} build {build:<28} peak {built} MiB built, {m.peak_mib:6.0f} MiB "
              f"with evaluations   ({phases})" + (f"  stopped: {m.stopped}" if m.stopped else ""))
        if tool == "symnum" and n >= 1000:
            ctx.values["big_build_s"] = m.build if m.build is not None else float("inf")
            ctx.values["big_peak_mib"] = m.build_peak_mib or m.peak_mib


def _as_rows(runs: list[list[tuple]]) -> list[dict]:
    """benchmarks/batched.py's rows of each run, (label, symnum s, JAX s, what JAX runs),
    gathered by label: seconds and ratio of every run."""
    found: dict[str, dict] = {}
    for rows in runs:
        for label, ours, theirs, *_ in rows:
            row = found.setdefault(label, {"label": label, "symnum_s": [], "jax_s": [],
                                           "ratios": []})
            row["symnum_s"].append(ours)
            row["jax_s"].append(theirs)
            row["ratios"].append(ours / theirs)
    return list(found.values())


def _batched_rows(ctx: Context) -> tuple[str, list[dict], list[dict]]:
    """(where the numbers come from, the log-sum-exp rows, other workloads' rows)."""
    runs = 2 if ctx.quick else max(5, ctx.runs)
    try:
        import batched  # benchmarks/batched.py, the batched-kernel work's measurement
    except ImportError:
        import lse
        return "benchmarks/lse.py", lse.rows(runs=runs), []
    lse_runs = [batched.lse_hessian(3 if ctx.quick else 7) for _ in range(runs)]
    others = [] if ctx.quick else [batched.softmax_jacobian(7) + batched.mlp_example_hessian(7)]
    return ("benchmarks/batched.py (each run: best of 7 calls, in turns with JAX)",
            _as_rows(lse_runs), _as_rows(others))


def batched(ctx: Context) -> None:
    """3. The batched log-sum-exp Hessian, 20 variables × 20,000 points, against
    jax.jit(jax.vmap(jax.hessian(logsumexp))) in float64 (compiled first): the ratio of
    each run; then batched.py's other workloads, one run."""
    import torch
    source, rows, others = _batched_rows(ctx)
    from symnum.kernels.threads import busy
    # a kernel lowers torch to one thread while the machine is busy: say which it was
    threads = 1 if busy() else torch.get_num_threads()
    print(f"(measured by {source}; symnum's torch kernels on {threads} thread"
          f"{'s' if threads > 1 else ''}{' (machine busy)' if busy() else ''})")
    print(f"{'workload':<72}{'symnum ms':>10}{'JAX ms':>9}{'ratio min':>10}"
          f"{'median':>8}{'max':>7}  runs")
    for row in rows + others:
        r = row["ratios"]
        ms = [_med(row[k]) * 1e3 for k in ("symnum_s", "jax_s")]
        print(f"{row['label'][:71]:<72}{ms[0]:10.2f}{ms[1]:9.2f}{min(r):10.3f}{_med(r):8.3f}"
              f"{max(r):7.3f}  {len(r)}")
    for kind in ("torch", "numpy"):  # the plain kernels decide the target
        plain = [row for row in rows if row["label"].endswith(f"{kind} kernel")]
        if plain:
            ctx.values[f"lse_{kind}"] = max(plain[0]["ratios"])
    ctx.data["batched"] = {"source": source, "rows": rows + others}


def point(ctx: Context) -> None:
    """4. The 61-parameter Hessian at one point from Python: median microseconds a call."""
    import point as one_point
    found = one_point.call_times(61, calls=500 if ctx.quick else 5000)
    for tool, us in found.items():
        what = {"symnum": "kernel(*floats)", "casadi": "Function(theta)",
                "jax": "jit(hessian)(theta)"}[tool]
        print(f"  {tool:<8}{what:<22}{us:9.1f} µs")
    ctx.values["point_us"] = found.get("symnum")
    ctx.data["point_us"] = found


def startup(ctx: Context) -> None:
    """5. Start-up, whole processes (.pyc files used as a user's are), runs interleaved:
    the commands, environment and clock of benchmarks/startup.py (the start-up work's own
    measurement), with ``import sympy`` beside them for scale."""
    import startup as measured
    repeats = 2 if ctx.quick else 5
    env = measured.environment()
    names = ["import sympy", *measured.TARGETS]
    for name in names:  # writes the bytecode caches
        measured.seconds(measured.COMMANDS[name], env)
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in names}
    for _ in range(repeats):
        for name in names:
            times[name].append(measured.seconds(measured.COMMANDS[name], env))
    print("(benchmarks/startup.py's commands; wall clock, and CPU = user + system seconds)")
    for name, ts in times.items():
        walls = [w for w, _ in ts]
        print(f"  {name:<24} median {_med(walls):6.3f} s  (CPU {_med([c for _, c in ts]):.3f} s)"
              "   runs " + " ".join(f"{w:.3f}" for w in walls))
    keys = {"import symnum": "import_s", 'symnum derive "x^2"': "derive_s"}
    for name, key in keys.items():
        ctx.values[key] = _med([w for w, _ in times[name]])
    ctx.data["startup_s"] = {name: [w for w, _ in ts] for name, ts in times.items()}


def sweep(ctx: Context) -> None:
    """6. Every tool, MLPs of growing size, each run in a fresh process."""
    import sweep as scale
    sizes = [10, 61] if ctx.quick else sorted(mlp.SHAPES)
    print("sizes: " + "; ".join(mlp.describe(n) for n in sizes))
    print(f"limits: {ctx.sweep.limit_s:.0f} s a run ({', '.join(scale.SLOW)}: "
          f"{ctx.sweep.slow_limit_s:.0f} s), {ctx.sweep.cap_mib / 1024:.1f} GB resident; "
          "build = parse + derive + ready (s; symnum's derive reads the text itself); "
          "first = the first call; eval = median of later calls")
    scale.run(ctx.sweep, sizes, ctx.tools)
    if ctx.plot_path:
        scale.plot(ctx.sweep, ctx.plot_path, ctx.tools)
        print(f"plot: {ctx.plot_path}")


SECTIONS: dict[str, Callable[[Context], None]] = {
    "builds": builds, "big": big, "batched": batched, "point": point, "startup": startup,
    "sweep": sweep}
TITLES = {
    "builds": "1. Building the exact Hessian of the MLP loss: symnum against CasADi",
    "big": "2. The 1,001-parameter Hessian: build time and peak memory",
    "batched": "3. Batched log-sum-exp Hessian (20 × 20,000) against jitted JAX",
    "point": "4. The 61-parameter Hessian at one point, from Python",
    "startup": "5. Start-up",
    "sweep": "6. Scale sweep (every tool; max |H − H_CasADi| against CasADi's Hessian)"}
