"""LaTeX output compiles with pdflatex (installed by .ci/run) and has the expected shape."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

import symnum

CASES = [
    ("(x^2 + 1)^3", None, None),
    ("x^3*y", "gradient", None),
    ("[x1^2, x1*x2, x2^2]", "jacobian", None),
    ("x^2 + 4*x*y + y^2", "hessian", None),
    ("exp(sin(x*y) + cos(y*z))*log(x^2 + y^2 + z^2 + 1)", "hessian", None),
    ("f(g(x))", None, None),
    ("f(x^2)", None, 2),
    ("relu(x)*abs(y)", "gradient", None),
]


def _document(body: list[str]) -> str:
    equations = "\n".join(rf"\[ {line} \]" for line in body)
    return ("\\documentclass{article}\n\\usepackage{amsmath}\n\\usepackage[margin=1.5cm]{geometry}"
            f"\n\\begin{{document}}\n{equations}\n\\end{{document}}\n")


@pytest.mark.skipif(shutil.which("pdflatex") is None and not os.environ.get(
    "SYMNUM_REQUIRE_LATEX"), reason="pdflatex not installed (CI sets SYMNUM_REQUIRE_LATEX)")
def test_every_kind_of_result_compiles(tmp_path):
    body = [symnum.derive(text, what=what, order=order or 1).latex()
            for text, what, order in CASES]
    (tmp_path / "doc.tex").write_text(_document(body))
    proc = subprocess.run(["pdflatex", "-halt-on-error", "-interaction=nonstopmode", "doc.tex"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout[-2000:]
    assert (tmp_path / "doc.pdf").stat().st_size > 1000


def test_latex_golden_strings():
    assert symnum.derive("x^2*y", what="gradient").latex() == (
        r"\nabla_{x, y} \left(x^{2} y\right) = \begin{bmatrix}2 x y\\x^{2}\end{bmatrix}")
    assert symnum.derive("sin(x)", order=2).latex() == (
        r"\frac{d^{2}}{d x^{2}} \left(\sin{\left(x \right)}\right) = - \sin{\left(x \right)}")
