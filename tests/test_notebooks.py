"""Every notebook runs top to bottom in a real Jupyter kernel, as committed."""

from __future__ import annotations

import os

import nbformat
import pytest
from nbclient import NotebookClient

HERE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "notebooks")
NOTEBOOKS = sorted(f for f in os.listdir(HERE) if f.endswith(".ipynb"))


def test_one_notebook_per_part_of_the_chapter():
    assert [n.split("_", 1)[0] for n in NOTEBOOKS] == ["1", "2", "3", "4", "5"]


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_executes(name):
    nb = nbformat.read(os.path.join(HERE, name), as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []  # run from scratch, not from the committed outputs
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": HERE}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any(o.output_type == "stream" for o in outputs)


def test_notebooks_use_only_the_public_api():
    for name in NOTEBOOKS:
        nb = nbformat.read(os.path.join(HERE, name), as_version=4)
        code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
        assert "symnum._" not in code and "from symnum." not in code, name
