"""Fuzz the command line: thousands of generated commands over the function registry, each
run in-process (``symnum.cli.main`` with argv) in a worker process, classified as ok, clean
error, limit, internal error or hang; a JSON summary.

    python benchmarks/fuzz_cli.py [--count 2400] [--seed 0] [--workers 2] [--timeout 20]
                                  [--out fuzz_summary.json] [--first 0]

The cases are ``tests/fuzz_cases.py``'s (seeded: the same command lines for the same
``--count`` and ``--seed``). Each worker runs its cases under the command line's own limits
(``SYMNUM_TIMEOUT`` = ``--timeout`` seconds, ``SYMNUM_MEMORY`` 3 GiB above what the worker
holds); a case that has not answered ``--timeout`` + 60 seconds after it started is a hang:
its worker is killed and replaced. Exit code 1 when any internal error or hang was found.
"""

from __future__ import annotations

import argparse
import collections
import json
import multiprocessing
import os
import re
import sys
import tempfile
import time
from pathlib import Path

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from symnum import edge  # noqa: E402
from symnum.core.registry import BY_NAME  # noqa: E402
from tests.fuzz_cases import Case, cases, run_case  # noqa: E402

GRACE_S = 60  # past the CLI's own time limit, a case that has not answered is a hang


def _worker(connection, timeout: float) -> None:
    """Run the cases sent on ``connection`` until None comes; answer each with its record."""
    os.environ["SYMNUM_TIMEOUT"] = str(timeout)
    os.environ["SYMNUM_MEMORY"] = str((edge.resident_size() or 0) + 3 * 2**30)
    with tempfile.TemporaryDirectory(prefix="symnum-fuzz-") as workdir:
        while (case := connection.recv()) is not None:
            connection.send(run_case(case, Path(workdir)))


class _Slot:
    """One worker process and the case it is running."""

    def __init__(self, context, timeout: float):
        self.timeout = timeout
        self.parent, child = context.Pipe()
        self.process = context.Process(target=_worker, args=(child, timeout), daemon=True)
        self.process.start()
        self.case: Case | None = None
        self.started = 0.0

    def give(self, case: Case) -> None:
        self.case, self.started = case, time.monotonic()
        self.parent.send(case)

    def overdue(self) -> bool:
        return time.monotonic() - self.started > self.timeout + GRACE_S

    def kill(self) -> None:
        self.process.kill()
        self.process.join()


def run(all_cases: list[Case], workers: int, timeout: float, log) -> list[dict]:
    """Every case through ``workers`` processes; a stuck or dead worker is replaced."""
    context = multiprocessing.get_context("fork")
    slots = [_Slot(context, timeout) for _ in range(workers)]
    todo = collections.deque(all_cases)
    records: list[dict] = []
    for slot in slots:
        if todo:
            slot.give(todo.popleft())
    while any(s.case is not None for s in slots):
        for i, slot in enumerate(slots):
            if slot.case is None:
                continue
            record = None
            if slot.parent.poll(0.05):
                try:
                    record = slot.parent.recv()
                except EOFError:  # the worker died (a native crash)
                    record = _lost(slot, "internal", "the worker process died")
            elif not slot.process.is_alive():
                record = _lost(slot, "internal", "the worker process died")
            elif slot.overdue():
                record = _lost(slot, "hang", f"no answer after {timeout + GRACE_S:g} s")
            if record is None:
                continue
            records.append(record)
            log(record, len(records), len(all_cases))
            if record.get("lost"):
                slot.kill()
                slots[i] = slot = _Slot(context, timeout)
            slot.case = None
            if todo:
                slot.give(todo.popleft())
    for slot in slots:
        slot.parent.send(None)
        slot.process.join(5)
    return sorted(records, key=lambda r: r["number"])


def _lost(slot: _Slot, verdict: str, detail: str) -> dict:
    case = slot.case
    return {"number": case.number, "argv": list(case.argv), "class": verdict, "code": None,
            "detail": detail, "seconds": round(time.monotonic() - slot.started, 3),
            "lost": True}


def summary(records: list[dict], seed: int, seconds: float) -> dict:
    """Counts by class and by command, the slowest cases, and every finding in full."""
    by_class = collections.Counter(r["class"] for r in records)
    by_command: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for r in records:
        argv = r["argv"]
        kind = argv[0] + (" --steps graph" if "graph" in argv else
                          " --steps" if "--steps" in argv else
                          " --at" if argv[0] in ("derive", "verify") and "--at" in argv else "")
        by_command[kind][r["class"]] += 1
    text = "\n".join(" ".join(r["argv"]) for r in records)
    covered = sorted(n for n in BY_NAME if re.search(rf"(?<!\w){re.escape(n)}\(", text))
    return {
        "inputs": len(records), "seed": seed, "seconds": round(seconds, 1),
        "functions": {"registered": len(BY_NAME), "used": len(covered),
                      "unused": sorted(set(BY_NAME) - set(covered))},
        "counts": {k: by_class.get(k, 0) for k in ("ok", "error", "limit", "internal", "hang")},
        "by_command": {k: dict(v) for k, v in sorted(by_command.items())},
        "findings": [r for r in records if r["class"] in ("internal", "hang")],
        "limits": [r for r in records if r["class"] == "limit"],
        "slowest": sorted(records, key=lambda r: -r["seconds"])[:20],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=2400)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--first", type=int, default=0, help="skip the cases before this one")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=20.0)
    parser.add_argument("--out", default="fuzz_summary.json")
    args = parser.parse_args()
    chosen = cases(args.count, args.seed)[args.first:]
    started = time.monotonic()

    def log(record: dict, done: int, total: int) -> None:
        if record["class"] in ("internal", "hang", "limit"):
            print(f"[{done}/{total}] {record['class'].upper()} #{record['number']} "
                  f"{json.dumps(record['argv'])}: {record['detail']}", flush=True)
        elif done % 100 == 0:
            print(f"[{done}/{total}] {time.monotonic() - started:.0f} s", flush=True)

    records = run(chosen, args.workers, args.timeout, log)
    result = summary(records, args.seed, time.monotonic() - started)
    Path(args.out).write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps({k: result[k] for k in ("inputs", "seconds", "counts", "functions")}))
    return 1 if result["counts"]["internal"] or result["counts"]["hang"] else 0


if __name__ == "__main__":
    sys.exit(main())
