"""Every notebook runs top to bottom in a real Jupyter kernel, as committed, and shows symnum's
objects through their rich displays (LaTeX, Markdown, HTML), not as printed text.

The five notebooks share one kernel (one worker runs them): starting a kernel and importing
symnum, SymPy, torch, JAX and matplotlib into it cost more than most notebooks' own work.
Before each notebook the kernel forgets every name the previous one defined (``%reset -f``),
so a notebook that leans on a name it does not define itself still fails.
"""

from __future__ import annotations

import importlib.util
import os
import re

import nbformat
import pytest
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

from symnum.core.display import katex_safe

HERE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "notebooks")
NOTEBOOKS = sorted(f for f in os.listdir(HERE) if f.endswith(".ipynb"))
_spec = importlib.util.spec_from_file_location("notebook_build", os.path.join(HERE, "build.py"))
build = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build)


def test_one_notebook_per_part_of_the_chapter():
    assert [n.split("_", 1)[0] for n in NOTEBOOKS] == ["1", "2", "3", "4", "5"]


@pytest.fixture(scope="session")
def kernel():
    """One Jupyter kernel, started in notebooks/, for every notebook of the worker."""
    km = KernelManager(kernel_name="python3")
    km.start_kernel(cwd=HERE)
    yield km
    km.shutdown_kernel(now=True)


@pytest.mark.xdist_group("notebooks")
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_executes(name, kernel):
    nb = nbformat.read(os.path.join(HERE, name), as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []  # run from scratch, not from the committed outputs
    # as a new kernel: no name of the notebook run before, no figure left open
    nb.cells.insert(0, nbformat.v4.new_code_cell(
        "%reset -f\nimport sys\nif 'matplotlib.pyplot' in sys.modules:\n"
        "    sys.modules['matplotlib.pyplot'].close('all')\ndel sys"))
    client = NotebookClient(nb, timeout=600, km=kernel)
    try:
        client.execute()
    finally:
        if client.kc is not None:  # the kernel stays for the next notebook, its client goes
            client.kc.stop_channels()
    assert not nb.cells[0].outputs, nb.cells[0].outputs
    del nb.cells[0]
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert not [o for o in outputs if o.output_type == "stream" and o.name == "stderr"]
    rich = [o for o in outputs if o.output_type in ("display_data", "execute_result")]
    shown = {mime for o in rich for mime in o.data}
    assert build.RICH[name.removesuffix(".ipynb")] <= shown, shown
    for o in rich:
        assert "text/plain" in o.data
        if "text/latex" in o.data:
            latex = o.data["text/latex"]
            assert latex.startswith("$$") and latex.endswith("$$") and katex_safe(latex)
        if "text/markdown" in o.data:
            math = re.findall(r"\$\$?([^$]+)\$\$?", o.data["text/markdown"])
            assert math and all(katex_safe(m) for m in math)
        if "text/html" in o.data:
            assert "<script" not in o.data["text/html"]
            if "verdict" in o.data["text/html"] or "CORRECT" in o.data["text/html"]:
                assert re.search(r">(PASS|FAIL|INCONCLUSIVE|CORRECT|INCORRECT)</strong>",
                                 o.data["text/html"])


def test_notebooks_show_objects_not_printed_text():
    for name in NOTEBOOKS:
        nb = nbformat.read(os.path.join(HERE, name), as_version=4)
        code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
        assert ".text()" not in code and ".facts" not in code, name


def test_notebooks_use_only_the_public_api():
    for name in NOTEBOOKS:
        nb = nbformat.read(os.path.join(HERE, name), as_version=4)
        code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
        assert "symnum._" not in code and "from symnum." not in code, name
