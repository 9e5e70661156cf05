"""Packaging: what ``pip install symnum`` puts on a user's machine.

The wheel is built from a copy of the tree (the backend called directly, no network) and read
as a zip: every module of the library is in it, the catalog's data is ``symnum/derivations``
(never a top-level ``derivations`` that another project could collide with), the licence is
an SPDX expression with its file, and the build says no warning.
"""

from __future__ import annotations

import email
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
BUILD = ("import sys\nfrom setuptools import build_meta\n"
         "print(build_meta.build_wheel(sys.argv[1]))")


def test_every_folder_of_the_library_is_a_listed_package():
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    folders = {".".join(p.relative_to(ROOT).parts) for p in [ROOT / "symnum",
               *(ROOT / "symnum").rglob("*")] if p.is_dir() and p.name != "__pycache__"}
    assert folders <= listed, f"add to packages in pyproject.toml: {sorted(folders - listed)}"
    assert PYPROJECT["tool"]["setuptools"]["package-dir"] == {"symnum.derivations": "derivations"}
    assert not any(p.startswith("derivations") for p in listed)


def test_the_licence_is_an_spdx_expression_with_its_file():
    project = PYPROJECT["project"]
    assert project["license"] == "MIT" and project["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License") and "the symnum authors" in text


def test_the_catalog_data_imports_as_symnum_derivations():
    import symnum.derivations.calculus as part

    folder = Path(part.__file__).parent  # a checkout's top-level derivations/ (editable)
    assert folder.name == "derivations" and (folder.parent / "symnum").is_dir(), folder
    assert part.ENTRIES


# the wheel is built once (a module fixture): one worker runs the tests that read it
pytestmark = pytest.mark.xdist_group("packaging")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    pytest.importorskip("setuptools", minversion="77")  # the [test] extra installs it
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, src / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for folder in ("symnum", "derivations"):
        shutil.copytree(ROOT / folder, src / folder, ignore=ignore)
    out = tmp_path_factory.mktemp("dist")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    proc = subprocess.run([sys.executable, "-c", BUILD, str(out)], cwd=src, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    log = (proc.stdout + proc.stderr).lower()
    assert "warning" not in log and "deprecat" not in log, log
    return out / proc.stdout.strip().splitlines()[-1]


def test_the_wheel_holds_every_module_and_the_catalog_inside_symnum(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    modules = {p.relative_to(ROOT).as_posix() for p in (ROOT / "symnum").rglob("*.py")}
    assert modules <= names, modules - names
    data = {f"symnum/derivations/{p.name}" for p in (ROOT / "derivations").glob("*.py")}
    assert data <= names and "symnum/derivations/__init__.py" in names
    assert not any(n.startswith("derivations/") for n in names)
    assert "symnum/web/templates/index.html" in names
    assert any(n.startswith("symnum/web/static/vendor/katex/fonts/") for n in names)


def test_the_wheel_metadata_names_the_licence(wheel):
    archive = zipfile.ZipFile(wheel)
    info = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
    metadata = email.message_from_bytes(archive.read(info))
    assert metadata["License-Expression"] == "MIT"
    assert metadata["License-File"] == "LICENSE"
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in archive.namelist())


def test_grouped_tests_run_on_one_worker(request):
    """Under `make test` (xdist, --dist loadgroup) a grouped test's id carries its group, so the
    group's shared fixtures are built once; pytest 9.2 with xdist 3.8 silently dropped it."""
    if not (os.environ.get("PYTEST_XDIST_WORKER") and request.config.getvalue("loadgroup")):
        pytest.skip("not run by xdist with --dist loadgroup")
    assert request.node.nodeid.endswith("@packaging"), request.node.nodeid
