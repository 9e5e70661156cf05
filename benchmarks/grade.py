"""``symnum grade`` at scale: 1,000 generated answers (right and wrong, known truth; every
text different, so that each is graded) graded with 1 and 2 local workers (rows per second,
and the ratio), against one ``symnum check`` process per answer (30 such processes timed,
scaled to the whole set).

    python benchmarks/grade.py [--answers 1000] [--processes 30] [--workers 1,2]

Prints a table, the machine's load (``uptime``) before and after, and checks every verdict
against the truth the answers were generated with. The README's "Scale" section shows its
numbers.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sympy

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# The key: (question, expression, wrt, what). Answers are made from each one's exact result.
KEY = [
    ("chain", "sin(x**2)", "x", "derivative"),
    ("product", "x**2*log(x)", "x", "derivative"),
    ("quotient", "exp(x)/(1 + x**2)", "x", "derivative"),
    ("sigmoid", "1/(1 + exp(-x))", "x", "derivative"),
    ("power", "(3*x + 1)**5", "x", "derivative"),
    ("trig", "cos(x)*tan(x**3)", "x", "derivative"),
    ("gradient", "x**2*y + exp(x*y)", "x,y", "gradient"),
    ("softplus", "log(1 + exp(w*x + b))", "w,b", "gradient"),
    ("norm", "sqrt(x**2 + y**2 + z**2)", "x,y,z", "gradient"),
    ("hessian", "x**3 + x*y**2", "x,y", "hessian"),
]
# A wrong answer made from the right one f′: the classic mistakes and a few arbitrary ones.
WRONG = [lambda d, v: -d, lambda d, v: 2 * d, lambda d, v: d + 1, lambda d, v: d * v[0],
         lambda d, v: d.subs(v[0], 2 * v[0])]


def exact(expression: str, wrt: str, what: str) -> list | sympy.Expr:
    """The right answer as SymPy: an expression, a list, or a list of lists."""
    f = sympy.sympify(expression)
    names = sympy.symbols(wrt.replace(",", " "))
    names = names if isinstance(names, tuple) else (names,)
    if what == "derivative":
        return sympy.diff(f, names[0])
    if what == "gradient":
        return [sympy.diff(f, v) for v in names]
    return [[sympy.diff(f, a, b) for b in names] for a in names]


def written(value: list | sympy.Expr, rng: random.Random) -> str:
    """An answer as a student might write it: expanded or as it came, lists as [a, b]; each
    text made unique (k·(…)/k, k random), so that none is graded once for many students."""
    if isinstance(value, list):
        return "[" + ", ".join(written(v, rng) for v in value) + "]"
    k = rng.randrange(2, 10**6)
    return f"{k}*({sympy.expand(value) if rng.random() < 0.4 else value})/{k}"


def wrong(value: list | sympy.Expr, names: tuple, rng: random.Random) -> list | sympy.Expr:
    """The right answer with one entry (or the expression) spoiled."""
    if isinstance(value, list):
        spoiled = list(value)
        i = rng.randrange(len(spoiled))
        spoiled[i] = wrong(spoiled[i], names, rng)
        return spoiled
    mistake = rng.choice(WRONG)
    bad = mistake(value, names)
    return bad if sympy.simplify(bad - value) != 0 else value + 1


def generate(n: int, folder: Path, seed: int = 27) -> tuple[Path, Path, dict]:
    """ANSWERS and KEY files for ``n`` answers, and the truth: (student, question) → correct."""
    rng = random.Random(seed)
    key_path, answers_path = folder / "key.csv", folder / "answers.csv"
    with key_path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["question", "expression", "wrt", "what"])
        w.writerows(KEY)
    rights = {q: exact(e, wrt, what) for q, e, wrt, what in KEY}
    truth = {}
    with answers_path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["student", "question", "answer"])
        for i in range(n):
            question, _, wrt, _ = KEY[i % len(KEY)]
            student = f"s{i // len(KEY):04d}"
            names = sympy.symbols(wrt.replace(",", " "))
            names = names if isinstance(names, tuple) else (names,)
            right = rng.random() < 0.5
            value = rights[question] if right else wrong(rights[question], names, rng)
            w.writerow([student, question, written(value, rng)])
            truth[(student, question)] = right
    return answers_path, key_path, truth


def grade_run(answers: Path, key: Path, workers: int, folder: Path
              ) -> tuple[float, list, float, float]:
    """Seconds of one ``grade_files`` run (workers' start-up included), its rows, and the
    CPU seconds of this process and of its workers (stopped after the run, to count them)."""
    from symnum.batch.grading import grade_files
    from symnum.batch.jobs import GradeLimits
    from symnum.batch.runner import close_pools

    out = folder / f"results-{workers}.csv"
    out.unlink(missing_ok=True)
    before = [resource.getrusage(who) for who in (resource.RUSAGE_SELF,
                                                   resource.RUSAGE_CHILDREN)]
    started = time.perf_counter()
    graded = grade_files(answers, key, out, workers=workers, limits=GradeLimits(20.0, 2**30),
                         quiet=True)
    seconds = time.perf_counter() - started
    close_pools()
    cpu = [_cpu(resource.getrusage(who)) - _cpu(b) for who, b in
           zip((resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN), before, strict=True)]
    return seconds, graded.rows, cpu[0], cpu[1]


def _cpu(usage: resource.struct_rusage) -> float:
    return usage.ru_utime + usage.ru_stime


def per_process(answers: Path, key: Path, count: int) -> list[float]:
    """Seconds of ``symnum check`` as one new process per answer, for ``count`` answers."""
    keyed = {r["question"]: r for r in csv.DictReader(key.open())}
    rows = list(csv.DictReader(answers.open()))[:count]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    seconds = []
    for row in rows:
        k = keyed[row["question"]]
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "symnum", "check", row["answer"], "--of",
                        k["expression"], "--wrt", k["wrt"], "--what", k["what"]],
                       capture_output=True, env=env, cwd=ROOT, check=False)
        seconds.append(time.perf_counter() - started)
    return seconds


def available_speedup(work: int = 2 * 10**7) -> float:
    """What two processes get over one on this machine now: the same pure-Python loop run
    by one process, then by two at once (2 on an idle machine with 2 free cores)."""
    code = f"sum(range({work}))"

    def timed(copies: int) -> float:
        started = time.perf_counter()
        procs = [subprocess.Popen([sys.executable, "-c", code]) for _ in range(copies)]
        for p in procs:
            p.wait()
        return time.perf_counter() - started

    one, two = min(timed(1) for _ in range(2)), min(timed(2) for _ in range(2))
    return 2 * one / two


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--answers", type=int, default=1000)
    parser.add_argument("--processes", type=int, default=30)
    parser.add_argument("--workers", default="1,2")
    args = parser.parse_args()
    print(f"load before: {uptime()}  ({os.cpu_count()} cores)")
    print(f"two busy processes get {available_speedup():.2f}× one on this machine now")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        answers, key, truth = generate(args.answers, folder)
        runs, cpus = {}, {}
        for workers in (int(w) for w in args.workers.split(",")):
            seconds, rows, parent, children = grade_run(answers, key, workers, folder)
            wrong = sum((r.verdict == "correct") != truth[(r.student, r.question)] for r in rows)
            others = sum(r.verdict not in ("correct", "incorrect") for r in rows)
            runs[workers] = seconds
            cpus[workers] = (parent, children)
            for r in rows:
                if r.verdict not in ("correct", "incorrect"):
                    print(f"    {r.student} {r.question}: {r.verdict}: {r.hint}")
            print(f"  {workers} worker(s): {seconds:.1f} s, {len(rows)} rows, {wrong} wrong "
                  f"verdicts, {others} neither correct nor incorrect", flush=True)
        processes = per_process(answers, key, args.processes) if args.processes else []
    n = args.answers
    one = runs.get(1)
    print()
    print("| run | answers | seconds | rows/s | per answer | speed-up | CPU s: runner + "
          "workers |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for workers, seconds in runs.items():
        ratio = f"{one / seconds:.2f}×" if one else ""
        parent, children = cpus[workers]
        print(f"| `symnum grade --workers {workers}` | {n:,} | {seconds:.1f} | {n / seconds:.1f} "
              f"| {1000 * seconds / n:.0f} ms | {ratio} | {parent:.1f} + {children:.1f} |")
    if processes:
        each = statistics.median(processes)
        print(f"| one `symnum check` process per answer ({len(processes)} timed, scaled) | {n:,} "
              f"| {each * n:.0f} | {1 / each:.1f} | {1000 * each:.0f} ms | "
              f"{(one or each * n) / (each * n):.2f}× | |")
        if one:
            print(f"\nper-answer overhead of a process per answer: "
                  f"{1000 * (each - one / n):.0f} ms ({each * n / one:.1f}× the 1-worker grade)")
    print(f"two busy processes get {available_speedup():.2f}× one on this machine now")
    print(f"load after: {uptime()}")


if __name__ == "__main__":
    main()
