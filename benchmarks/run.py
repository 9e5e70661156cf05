"""symnum side by side with CasADi, JAX, torch.func and SymPy, in one run, against the
"Done when" targets of issue 26 (speed II):

    python benchmarks/run.py [--quick] [--only builds,big,batched,point,startup,sweep]

1. building the exact Hessian of a tanh-MLP loss (61 and 161 parameters), symnum (from the
   loss as text, public API) against CasADi (SX, hessian, Function), medians of 3 runs;
2. the 1,001-parameter Hessian: build time and peak memory, each tool in a fresh process;
3. the batched log-sum-exp Hessian (20 × 20,000) against jitted JAX, ratio of every run;
4. the 61-parameter Hessian at one point from Python (µs a call) against CasADi and JAX;
5. start-up: ``import symnum`` and ``symnum derive "x^2"``, whole processes, median of 5;
6. a scale sweep to 1,001 parameters for every tool (fresh processes; time, memory, and the
   largest difference with CasADi's Hessian), plotted to benchmarks/scaling.png;
7. the summary: each target, the measured value, PASS or MISS; all of it also written to
   benchmarks/last_run.json (``python benchmarks/report.py`` turns it into Markdown).

``--quick`` is a smoke run (smaller sizes, fewer repeats; its verdicts decide nothing), written
to scaling_quick.png and last_run_quick.json so that it never replaces the full run's.
Ratios are symnum's time over the other tool's, measured in this one run on this machine.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.dirname(HERE)]

import report  # noqa: E402
import sections  # noqa: E402
import sweep  # noqa: E402


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="a smoke run: smaller sizes, fewer repeats")
    parser.add_argument("--only", default=",".join(sections.SECTIONS),
                        help="the sections to run, comma-separated (default: all)")
    parser.add_argument("--kernels", action="store_true",
                        help="only the one-point and batched kernels (--only point,batched)")
    parser.add_argument("--runs", type=int, default=3,
                        help="runs of each build (at least 3) and of the batched kernels "
                             "(at least 5)")
    parser.add_argument("--limit", type=float, default=600,
                        help="seconds a tool may take on one MLP before it is stopped")
    parser.add_argument("--slow-limit", type=float, default=None,
                        help="the same for SymPy and symengine (default 120; --quick: 20)")
    parser.add_argument("--cap-gb", type=float, default=6,
                        help="resident memory at which a tool's process is stopped")
    parser.add_argument("--plot", default=None,
                        help="default benchmarks/scaling.png (--quick: scaling_quick.png)")
    parser.add_argument("--json", default=None,
                        help="default benchmarks/last_run.json (--quick: last_run_quick.json)")
    args = parser.parse_args(argv)
    quick = "_quick" if args.quick else ""  # a smoke run leaves the README's run and plot be
    if args.plot is None:
        args.plot = os.path.join(HERE, f"scaling{quick}.png")
    if args.json is None:
        args.json = report.LAST_RUN.replace(".json", f"{quick}.json")
    return args


def main(argv: list[str] | None = None) -> dict:
    """Run the chosen sections, print the summary, write the JSON; return the run."""
    args = arguments(argv)
    only = ["point", "batched"] if args.kernels else args.only.split(",")
    unknown = set(only) - set(sections.SECTIONS)
    if unknown:
        raise SystemExit(f"unknown section(s) {', '.join(sorted(unknown))}: choose from "
                         f"{', '.join(sections.SECTIONS)}")
    env = report.environment()
    print(f"{env['date_utc']} UTC, {env['machine']}, {env['cores']} cores, Python "
          f"{env['python']}, load average {env['load_average'][0]:.1f}"
          + ("  (QUICK: a smoke run, not a decision)" if args.quick else ""))
    tools = sweep.available()
    missing = [t for t in ("symnum", "casadi", "jax", "torch.func", "sympy", "symengine")
               if t not in tools]
    if missing:
        print(f"not installed here: {', '.join(missing)} (pip install -e '.[bench]')")
    slow_limit = args.slow_limit or (20 if args.quick else 120)
    ctx = sections.Context(quick=args.quick, runs=args.runs, tools=tools,
                           sweep=sweep.Sweep(args.limit, slow_limit, args.cap_gb * 1024),
                           plot_path=args.plot if "sweep" in only else "")
    started = time.perf_counter()
    for name in sections.SECTIONS:
        if name in only:
            print(f"\n== {sections.TITLES[name]}")
            sections.SECTIONS[name](ctx)
    print(f"\n== 7. Summary ({time.perf_counter() - started:.0f} s; load average "
          f"{os.getloadavg()[0]:.1f} now)" + ("  QUICK: a smoke run, not a decision"
                                              if args.quick else ""))
    print("\n".join(report.summary_lines(ctx.values)))
    run = {"quick": args.quick, "sections": only, "environment": env, "values": ctx.values,
           "data": ctx.data, "sweep": sweep.as_json(ctx.sweep)}
    if args.json:
        report.write(run, args.json)
        print(f"results: {args.json}")
    return run


if __name__ == "__main__":
    main()
