"""The chapter catalog: every entry derives and verifies, the CLI lists, shows and verifies,
the studies agree with independent computations, the figures hold what they should, and
the report compiles to a PDF."""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import subprocess

import matplotlib.image as mpimg
import mpmath
import numpy as np
import pytest
import sympy

from symnum import cli
from symnum.chapter import catalog, figures, studies
from symnum.chapter.catalog import Derivation
from symnum.chapter.document import finding_tex, tex_text, write_report
from symnum.core.display import katex_safe

NEEDS_LATEX = pytest.mark.skipif(
    shutil.which("pdflatex") is None and not os.environ.get("SYMNUM_REQUIRE_LATEX"),
    reason="pdflatex not installed (CI sets SYMNUM_REQUIRE_LATEX)")


# the whole catalog runs once (a module fixture): one worker runs every test that reads it
pytestmark = pytest.mark.xdist_group("catalog")


@pytest.fixture(scope="session")  # module scope ran it twice: the group's worker interleaves
def outcomes() -> list[catalog.Outcome]:
    return catalog.run_all(catalog.load(), points=2)  # the CLI's default is 3


def test_every_catalog_entry_derives_and_verifies(outcomes):
    failed = {o.entry.key: [c for c in o.checks if not c[1]] for o in outcomes if not o.passed}
    assert not failed
    assert len(outcomes) >= 30
    for o in outcomes:  # every entry checks something: a derivation is verified numerically
        assert o.checks, o.entry.key
        if o.entry.expr is not None:
            assert o.verification and o.steps_latex, o.entry.key


def test_catalog_covers_each_part_and_the_chapters_topics():
    entries = catalog.load()
    assert {e.part for e in entries} == set(catalog.PARTS)
    exprs = {e.expr for e in entries}
    for needed in ["x**2", "(x**2 + 1)**3", "sin(exp(x**2))", "[x1**2, x1*x2, x2**2]",
                   "x**2 + 4*x*y + y**2", "x**2 + y**2"]:
        assert needed in exprs
    studies_used = {e.study for e in entries}
    assert {"eigen", "low_rank", "classify", "descent", "gaussian_mle", "init_spectrum",
            "gradient_check", "information", "iterations_vs_condition"} <= studies_used
    assert [e.key[:3] for e in entries if e.part == "exercises"] == ["ex1", "ex2", "ex3",
                                                                    "ex4", "ex5"]


def test_a_wrong_claim_fails_its_entry():
    wrong = Derivation("bad", "Wrong", "d/dx sin x is not sin x", expr="sin(x)", claim="sin(x)")
    outcome = catalog.run(wrong)
    assert not outcome.passed
    assert ("claim: sin(x)", False, "symbolic") in outcome.checks
    assert "FAILED bad" in catalog.summary_text([outcome])


def test_an_entry_that_raises_fails_without_stopping_the_run():
    broken = Derivation("broken", "Broken", "not an expression", expr="x +* 2")
    outcome = catalog.run(broken)
    assert not outcome.passed and outcome.error


def test_cli_catalog_lists_every_entry(cli):
    proc = cli("catalog")
    assert proc.returncode == 0
    for e in catalog.load():
        assert e.key in proc.stdout and e.title in proc.stdout
    data = cli.json("catalog")
    assert len(data["entries"]) == len(catalog.load())
    first = data["entries"][0]
    assert {"key", "title", "part", "statement"} <= set(first)


def test_cli_catalog_verify_a_part_with_progress_and_summary(cli):
    proc = cli("catalog", "--verify", "--part", "calculus")
    assert proc.returncode == 0, proc.stderr
    assert "7 of 7 derivations verified" in proc.stdout
    assert "7/7" in proc.stderr  # the progress bar
    data = cli.json("catalog", "--verify", "--part", "exercises")
    assert data["passed"] and all(e["passed"] for e in data["entries"])


def test_cli_catalog_exit_code_1_when_an_entry_fails(monkeypatch, capsys):
    bad = Derivation("bad", "Wrong", "wrong on purpose", expr="x**3", claim="3*x", part="calculus")
    monkeypatch.setattr(catalog, "load", lambda part=None: [bad])
    assert cli.main(["catalog", "--verify"]) == 1
    assert "0 of 1 derivations verified" in capsys.readouterr().out


def test_cli_catalog_show_and_bad_input(cli):
    data = cli.json("catalog", "--show", "saddle")
    assert data["passed"] and any("saddle" in f for f in data["facts"])
    text = cli("catalog", "--show", "square").stdout
    assert "steps:" in text and "power" in text
    for args in (["catalog", "--show", "nope"], ["catalog", "--part", "nope"],
                 ["catalog", "--show", "square", "--verify"]):
        proc = cli(*args)
        assert proc.returncode == 2 and proc.stderr.startswith("error: ")
        assert len(proc.stderr.strip().splitlines()) == 1 and not proc.stdout


# -- studies against independent computations -------------------------------------------

def test_eigen_study_matches_numpy_on_a_nonsymmetric_matrix():
    study = studies.eigen([[2, 1], [0, 3]])
    assert study.passed
    assert np.allclose(sorted(study.data["eigenvalues"]), [2, 3])
    assert "λ² − 5·λ + 6" in study.facts[0]
    assert ("math", r"p(\lambda) = \lambda^{2} - 5 \lambda + 6") in study.findings[0].pieces()


def test_low_rank_error_is_eckart_young_by_reconstruction():
    A = [[2, 0, 1], [1, 3, 0], [0, 1, 4], [1, 1, 1]]
    study = studies.low_rank([[2, 0], [1, 3], [0, 1]], ranks=[1])
    assert study.passed
    s = np.linalg.svd(np.array(A, dtype=float), compute_uv=False)
    assert s[0] > s[1]  # the oracle itself is sane
    sigma = np.linalg.svd(np.array([[2, 0], [1, 3], [0, 1]], dtype=float), compute_uv=False)
    assert f"{sigma[1]:.6g}" in study.facts[1]


def test_gaussian_mle_matches_numpy_on_the_same_samples():
    study = studies.gaussian_mle(n_samples=50, seed=7, mu=-1.0, sigma=0.5)
    assert study.passed
    data = np.random.default_rng(7).normal(-1.0, 0.5, 50)
    assert math.isclose(study.data["mu_hat"], data.mean(), rel_tol=1e-12)
    assert math.isclose(study.data["sigma_hat"], data.std(), rel_tol=1e-12)


def test_split_sums_makes_indexed_sums_linear():
    i, n, m = sympy.symbols("i n mu")
    x = sympy.IndexedBase("x")
    out = studies.split_sums(sympy.Sum(3 * (x[i] - m) ** 2, (i, 1, n)))
    expected = 3 * sympy.Sum(x[i] ** 2, (i, 1, n)) - 6 * m * sympy.Sum(x[i], (i, 1, n)) \
        + 3 * m**2 * n
    assert sympy.expand(out - expected) == 0


def test_descent_study_fails_when_the_bound_is_wrong(monkeypatch):
    study = studies.descent("x**2 + 10*y**2", "x,y", [1.0, 1.0], [0.05, 0.15], steps=100)
    assert study.passed
    assert math.isclose(study.data["bound"], 0.1)
    assert np.abs(study.data["paths"][0.15][-1]).max() > 1e3  # truly diverged


def test_gradient_check_uses_the_relative_error():
    study = studies.gradient_check("x1*exp(x2) + x2**3", "x1,x2", [0.3, 0.4])
    assert study.passed and study.data["good"] < 1e-8 < 1e-3 < study.data["bad"]


def test_density_study_catches_an_unnormalised_density():
    good = studies.density("log(lam) - lam*x", "x", (0, "inf"), {"lam": 1.5})
    bad = studies.density("log(2*lam) - lam*x", "x", (0, "inf"), {"lam": 1.5})
    assert good.passed and not bad.passed


def test_iterations_follow_the_contraction_rate():
    study = studies.iterations_vs_condition([4, 40])
    rate = lambda k: (k - 1) / (k + 1)  # noqa: E731
    for kappa, count in zip([4, 40], study.data["counts"], strict=True):
        assert abs(count - math.log(1e-6) / math.log(rate(kappa))) <= 1.5


def test_torch_gamma_has_a_finite_gradient_at_integers():
    import torch

    import symnum
    k = symnum.kernel("gamma(x)", wrt="x", what="derivative", backend="torch")
    value = k(torch.tensor([2.0, 3.0], dtype=torch.float64))
    expected = [float(mpmath.diff(mpmath.gamma, 2)), float(mpmath.diff(mpmath.gamma, 3))]
    assert np.allclose(value.numpy(), expected, rtol=1e-12)


# -- figures -----------------------------------------------------------------------------

def _valid_png(path) -> None:
    with open(path, "rb") as handle:
        assert handle.read(8) == b"\x89PNG\r\n\x1a\n"
    image = mpimg.imread(path)
    assert image.ndim == 3 and image.shape[0] > 200 and image.shape[1] > 200
    assert image.std() > 0.01  # not blank


def test_every_figure_is_a_valid_image_with_its_artists(outcomes, tmp_path):
    drawn = {}
    for o in outcomes:
        if o.entry.figure:
            path = tmp_path / f"{o.entry.key}.png"
            drawn[o.entry.figure] = figures.draw(o, str(path))
            _valid_png(path)
    assert set(drawn) == set(figures.FIGURES)
    dot = drawn["dot_product"]
    assert len(dot.axes) == 3 and all(len(ax.patches) == 2 for ax in dot.axes)
    eig = drawn["eigen_circle"].axes[0]
    assert len(eig.patches) == 2 and len(eig.lines) >= 4
    descent = drawn["descent"].axes[0]
    assert descent.collections  # contours
    assert sum(1 for line in descent.lines if line.get_label().startswith("lr =")) == 3
    assert len(drawn["densities"].axes) == 6
    ll = drawn["loglik"].axes[0]
    assert ll.collections and any(line.get_marker() == "*" for line in ll.lines)
    assert len(drawn["init_spectrum"].axes[0].collections) == 2  # Xavier and He scatters
    assert len(drawn["epochs"].axes[0].lines) == 2
    assert len(drawn["singular_spectrum"].axes) == 2
    assert len(drawn["function"].axes[0].lines) >= 3  # f, f′, f″


def test_descent_figure_plots_the_studys_own_iterates(outcomes):
    o = next(o for o in outcomes if o.entry.key == "ex1-gradient-descent")
    ax = figures.draw(o).axes[0]
    line = next(li for li in ax.lines if li.get_label().startswith("lr = 0.05"))
    path = o.study.data["paths"][0.05]
    assert np.allclose(line.get_xdata()[:5], path[:5, 0])


# -- the report --------------------------------------------------------------------------

def test_all_catalog_text_converts_to_latex_without_unknown_characters(outcomes):
    for o in outcomes:
        facts = o.study.facts if o.study else []
        for text in (o.entry.title, o.entry.statement, o.entry.notes, *facts,
                     *(f"{name} {how}" for name, _, how in o.checks)):
            assert "\\texttt{[" not in tex_text(text), text


def test_findings_are_typeset_as_mathematics_not_sympy_strings(outcomes):
    findings = [f for o in outcomes if o.study for f in o.study.findings]
    assert len(findings) > 20
    for f in findings:
        tex = finding_tex(f)
        assert not re.search(r"\*\*|sqrt\(|Sum\(|\\texttt", tex), tex
        math = [text for kind, text in f.pieces() if kind == "math"]
        assert math and all(katex_safe(m) for m in math), f.text()
        assert f.markdown().count("$") == 2 * len(math)


@NEEDS_LATEX
def test_report_of_the_whole_catalog_builds_a_pdf(outcomes, tmp_path):
    built = write_report(outcomes, str(tmp_path))
    assert built.pdf and os.path.getsize(built.pdf) > 50_000
    pages = subprocess.run(["pdfinfo", built.pdf], capture_output=True, text=True).stdout
    assert int(next(li.split()[-1] for li in pages.splitlines() if li.startswith("Pages"))) > 20
    with open(built.tex, encoding="utf-8") as handle:
        tex = handle.read()
    for o in outcomes:
        assert tex_text(o.entry.title) in tex
    assert len(built.figures) == sum(1 for o in outcomes if o.entry.figure)


@NEEDS_LATEX
def test_cli_report_for_one_part(cli, tmp_path):
    proc = cli("report", "--out", str(tmp_path), "--part", "linear_algebra", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["passed"] and data["pdf"] and os.path.exists(data["pdf"])
    assert all(os.path.exists(tmp_path / f) for f in data["figures"])
