"""The README's stability table: each family of tests/stable_cases.py, measured.

    python benchmarks/stability.py [--write] [--group NAME] [--backends numpy,torch,jax]

For every family (one row each, in the order of ``GROUPS``): the value, the first and the
second derivative that symnum derives, computed by live kernels and exported modules on
numpy, torch and JAX at the family's points, against mpmath at 60 digits. A row says how
many points, how many evaluations (entries × points × backends × live/exported, only where
the true value is a finite float64), how many missed the rule (1e-9 relative, or 1e-14
absolute where the true value is below 1e-5) and the largest relative error measured where
the true value is at least 1e-5. ``--write`` puts the table into README.md between the
markers ``<!-- stability:start -->`` and ``<!-- stability:end -->``.

To add rows, add families to a list of tests/stable_cases.py and name it in ``GROUPS``.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)

import numpy as np  # noqa: E402

from tests import stable_cases  # noqa: E402

HOWS = ("live", "export")
HEADER = ("| family | points | evaluations | wrong | largest relative error |\n"
          "|---|---:|---:|---:|---:|")


def measure(family: stable_cases.Family, backends: list[str]) -> tuple[int, int, float]:
    """(evaluations, wrong, largest relative error) of one family."""
    true = stable_cases.exact(family)
    count = bad = 0
    largest = 0.0
    for what in stable_cases.WHATS:
        for backend in backends:
            for how in HOWS:
                got = stable_cases.evaluate(family, what, backend, how)
                count += int(np.isfinite(true[what]).sum())
                bad += int(stable_cases.wrong(got, true[what]).sum())
                largest = max(largest, stable_cases.relative_error(got, true[what]))
    return count, bad, largest


def row(family: stable_cases.Family, backends: list[str]) -> str:
    count, bad, largest = measure(family, backends)
    return f"| {family.name} | {len(family.points)} | {count:,} | {bad} | {largest:.1e} |"


def write(table: str, path: str = os.path.join(ROOT, "README.md")) -> None:
    with open(path, encoding="utf-8") as f:
        text = f.read()
    pattern = re.compile(r"(<!-- stability:start -->\n).*?(<!-- stability:end -->)", re.S)
    if not pattern.search(text):
        raise SystemExit("README.md has no stability markers")
    with open(path, "w", encoding="utf-8") as f:
        f.write(pattern.sub(lambda m: m.group(1) + table + "\n" + m.group(2), text))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="update README.md's table")
    parser.add_argument("--group", help="only this group of families")
    parser.add_argument("--backends", default="numpy,torch,jax")
    options = parser.parse_args()
    backends = options.backends.split(",")
    if "jax" in backends and not stable_cases.enable_jax():
        backends.remove("jax")
    lines = [HEADER]
    started = time.time()
    for group, families in stable_cases.GROUPS.items():
        if options.group and group != options.group:
            continue
        for family in families:
            lines.append(row(family, backends))
            print(lines[-1], flush=True)
    table = "\n".join(lines)
    print(f"[{', '.join(backends)}; live and exported; {time.time() - started:.0f} s]")
    if options.write:
        write(table)


if __name__ == "__main__":
    main()
