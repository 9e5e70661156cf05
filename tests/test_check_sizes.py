"""``check`` decides matrix claims for every size (issue 28): the hand-labelled claims of
tests/size_cases.py, wrong ones by polynomial factors in n up to degree 10, by
``Trace(Identity(n))``, by transposes and at a few sizes only, get their verdicts; the verdict
says how (a matrix-expression proof, or the sizes compared); the witness is checked with
numpy."""

from __future__ import annotations

import json

import numpy as np
import pytest
import sympy

from symnum.check.claim import check_claim
from symnum.check.sizes import bound, plan, residual
from tests.size_cases import CASES, RIGHT, WRONG, Case


def test_the_case_list_is_large_and_mixed():
    assert len(CASES) >= 60 and len(RIGHT) >= 30 and len(WRONG) >= 30
    assert sum("Trace(Identity(n))" in c.claim for c in WRONG) >= 5
    assert sum("Trace(Identity(n))" in c.claim + c.of for c in RIGHT) >= 5


@pytest.mark.parametrize("case", CASES, ids=str)
def test_verdict(case: Case):
    out = check_claim(case.claim, case.of, case.wrt, case.what, shapes=case.shapes)
    assert out.correct is case.right, out.evidence
    if case.hint:
        assert case.hint in (out.diagnosis or ""), out.diagnosis


def test_the_issue_example_through_the_cli(cli):
    for claim in ("x + (n-2)*(n-3)*x", "x + (Trace(Identity(n))-2)*(Trace(Identity(n))-3)*x"):
        proc = cli("check", claim, "--of", "x.T*x/2", "--shape", "x=n", "--wrt", "x",
                   "--format", "json")
        assert proc.returncode == 1, proc.stdout
        data = json.loads(proc.stdout)
        example = data["counterexample"]
        assert example["sizes"] == {"n": 4}  # n = 2 and n = 3 are roots of (n-2)(n-3)
        x = np.array(example["inputs"]["x"], dtype=float)
        assert np.allclose(example["claimed"], x + 2 * x) and np.allclose(example["expected"], x)


def test_the_verdict_says_how_it_knows(cli):
    proc = cli("check", "Trace(Identity(n))*x", "--of", "n*x.T*x/2", "--shape", "x=n",
               "--wrt", "x")
    assert proc.returncode == 0 and "as a matrix expression, for every n" in proc.stdout
    proc = cli("check", "n*x*x.T*x", "--of", "n*(x.T*x)**2/4", "--shape", "x=n", "--wrt", "x")
    assert proc.returncode == 0, proc.stdout
    assert "sizes n = 2; n = 3" in proc.stdout and "degree at most 1" in proc.stdout


def test_sizes_beyond_the_first_ones_are_named_in_the_verdict():
    # right, but not cancelled as matrix expressions: x·xᵀ·x and (xᵀx)·x are the same vector
    out = check_claim("n**3*x*x.T*x", "n**3*(x.T*x)**2/4", wrt="x", shapes={"x": "n"})
    assert out.correct and out.how == "numeric"
    assert "n = 4, and at sizes" not in out.evidence.statement  # one list of sizes ...
    assert "n = 5" in out.evidence.statement and "degree at most 3" in out.evidence.statement


def test_the_degree_bound():
    n, m = sympy.symbols("n m", integer=True)
    x = sympy.MatrixSymbol("x", n, 1)
    assert residual(x + (n - 2) * (n - 3) * x, x) == [(n**2 - 5 * n + 6, (1, x))]
    assert bound([(n**2 / (n + 1), ()), (m * n, ())], [n, m]) == 3
    assert bound([(sympy.Max(0, n - 4), ())], [n]) is None
    p = plan(x + (n - 2) * (n - 3) * (n - 4) * (n - 5) * x, x, [n], [{n: 2}, {n: 3}])
    assert p.degree == 4 and p.extra[0] == {n: 6}  # the first size where it is not 0
    assert {n: 4} in p.extra and {n: 5} in p.extra  # and d + 1 sizes in all
    assert plan(x + sympy.Max(0, n - 4) * x, x, [n], [{n: 2}]).extra[0] == {n: 5}


def test_the_shown_difference_names_its_entry(cli):
    # claim 3x vs gradient x at n = 4: the difference is 2x in every entry; the line showed
    # only entry [0] ("2·x_1") as if it were the whole difference
    out = cli("check", "x + (n-2)*(n-3)*x", "--of", "x.T*x/2", "--shape", "x=n", "--wrt", "x")
    assert out.returncode == 1
    assert "the difference in entry [0] (claim − gradient) is 2·x_1" in out.stdout, out.stdout
