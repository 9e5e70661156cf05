"""False-alarm and detection rates of `symnum verify` on the suites in tests/verdict_cases.py.

    python benchmarks/verdict_rates.py [--seeds 10] [--points 2] [--part all|alarms|mutants]
                                       [--suite main|low-degree|all] [--first-seed 0]

Suites: ``main`` (CASES, the false-alarm suite) and ``low-degree`` (LOW_DEGREE: Hessians and
gradients of low-degree polynomials and rational functions with integer coefficients).

alarms: every correct result of the suite at each seed (``points`` random points per call):
how many verdicts are pass / inconclusive / FAIL (a FAIL is a false alarm; each is listed).
mutants: every case with one entry changed (scaled by 1 + 1e-4, 1e-6, 1e-8, a dropped term,
a sign flip), one call per case, kind and seed: the share detected (verdict FAIL).
The numbers in docs/VERIFICATION.md come from this script.
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
import time
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import sympy  # noqa: E402

import symnum  # noqa: E402
from tests.test_mutants import KINDS, mutant  # noqa: E402
from tests.verdict_cases import CASES, LOW_DEGREE  # noqa: E402

SUITES = {"main": CASES, "low-degree": LOW_DEGREE, "all": CASES + LOW_DEGREE}


def alarms(cases: list, seeds: range, points: int) -> None:
    counts: collections.Counter = collections.Counter()
    started = time.time()
    for number, (text, options) in enumerate(cases):
        if number % 20 == 0:
            print(f"  [{number} cases: {dict(counts)}, {time.time() - started:.0f} s]", flush=True)
        result = symnum.derive(text, **options)
        for seed in seeds:
            report = symnum.verify(result, points=points, seed=seed)
            counts[report.verdict] += 1
            if report.verdict != "pass":
                why = "; ".join(f"{c.method}: {c.reason}" for c in report.checks
                                if c.verdict != "pass")
                print(f"  {report.verdict.upper():<12} {text} {options} seed {seed}: {why}")
    total = sum(counts.values())
    print(f"false alarms: {counts['fail']} FAIL of {total} verify calls "
          f"({len(cases)} correct results × seeds {seeds.start}–{seeds.stop - 1} × {points} "
          f"points); "
          f"pass {counts['pass']}, inconclusive {counts['inconclusive']} "
          f"[{time.time() - started:.0f} s]")


def mutants(cases: list, seeds: int) -> None:
    found: dict[str, list[int]] = {kind: [0, 0] for kind in KINDS}
    same: collections.Counter = collections.Counter()
    verdicts: collections.Counter = collections.Counter()
    started = time.time()
    for number, (text, options) in enumerate(cases):
        if number % 20 == 0:
            print(f"  [{number} cases: {found}, {time.time() - started:.0f} s]", flush=True)
        good = symnum.derive(text, **options)
        for kind in KINDS:
            for seed in range(seeds):
                bad = mutant(good, kind, seed=number + seed)
                if bad is None:
                    continue
                report = symnum.verify(bad, points=1, seed=seed)
                if _same_at_points(good, bad, report.points):
                    same[kind] += 1  # e.g. an inactive hinge: the mutant is 0 there too
                    continue
                found[kind][1] += 1
                verdicts[report.verdict] += 1
                if report.verdict == "fail":
                    found[kind][0] += 1
                else:
                    print(f"  missed {kind}: {text} {options} seed {seed}: {report.verdict}")
    for kind, (hit, total) in found.items():
        print(f"mutants, {kind:<14} detected {hit} of {total} ({100 * hit / max(total, 1):.1f} %)"
              f"; {same[kind]} more equal the correct result at the sampled point")
    print(f"missed mutants: {verdicts['pass']} PASS (false acceptances), "
          f"{verdicts['inconclusive']} INCONCLUSIVE [{time.time() - started:.0f} s]")


def _same_at_points(good, bad, points: list[dict]) -> bool:
    """The mutant's entries equal the correct ones at every sampled point (nothing to see)."""
    for p in points:
        subs = {s: p[s.name] for s in good.expanded().free_symbols | bad.expanded().free_symbols}
        for a, b in zip(good.expanded(), bad.expanded(), strict=True):
            if a != b and abs(complex(sympy.N((a - b).xreplace(subs), 30))) > 0:
                return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--points", type=int, default=2)
    parser.add_argument("--mutant-seeds", type=int, default=1)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--part", choices=("all", "alarms", "mutants"), default="all")
    parser.add_argument("--suite", choices=tuple(SUITES), default="all")
    args = parser.parse_args()
    warnings.simplefilter("error")  # a warning reaching the user is a bug too
    cases = SUITES[args.suite]
    if args.part in ("all", "alarms"):
        alarms(cases, range(args.first_seed, args.first_seed + args.seeds), args.points)
    if args.part in ("all", "mutants"):
        mutants(cases, args.mutant_seeds)


if __name__ == "__main__":
    main()
