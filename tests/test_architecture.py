"""docs/ARCHITECTURE.md stays true: its rooms table lists every module of every folder, and
no module that does not exist; its floors quote the layer order of tests/test_layers.py."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from tests.test_layers import LAYERS

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
MODULE = re.compile(r"\*\*`([\w.]+)`\*\*")  # a module in the rooms table: **`name`**


def rooms() -> dict[str, set[str]]:
    """Each row of the rooms table: folder → the modules it names in bold."""
    table = DOC.split("## 2. The rooms", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in table.splitlines():
        cells = line.split(" | ")
        if line.startswith("| `") and len(cells) >= 3:
            rows[cells[0].strip("| `")] = set(MODULE.findall(cells[-1]))
    return rows


def folder_path(folder: str) -> Path:
    """``core/registry/`` → symnum/core/registry; ``symnum/`` → symnum; ``derivations/``
    stays at the top (it installs as symnum.derivations)."""
    if folder in ("symnum/", "derivations/"):
        return ROOT / folder.rstrip("/")
    return ROOT / "symnum" / folder.rstrip("/")


def modules_in(path: Path) -> set[str]:
    return {p.stem for p in path.glob("*.py")} - {"__init__"} | (
        {"__init__"} if path.name == "symnum" else set())


def test_the_rooms_table_lists_every_module_and_no_other():
    table = rooms()
    folders = {p.parent for p in (ROOT / "symnum").rglob("*.py")} | {ROOT / "derivations"}
    assert {folder_path(f) for f in table} == folders, "a folder missing or extra in the rooms"
    for folder, listed in table.items():
        actual = modules_in(folder_path(folder))
        assert listed == actual, (f"{folder}: not listed {sorted(actual - listed)}, "
                                  f"listed but absent {sorted(listed - actual)}")


def test_the_floors_quote_the_layer_order():
    quoted = re.search(r"LAYERS = (\[.*?\])", DOC, re.S)
    assert quoted is not None and ast.literal_eval(quoted.group(1)) == LAYERS
