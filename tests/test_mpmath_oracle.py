"""The mpmath oracle compares like with like: its 48-digit value against the exact entry at 30
digits, at the same binary point, and the error it prints is the number it judged.

A false alarm once came from rounding both to float64 first (∂²f/∂y² of x²y + y³ at seed 0:
two adjacent doubles, 1e-16 apart, judged against a tolerance of 1e-24).
"""

from __future__ import annotations

import dataclasses

import pytest
import sympy

import symnum
from symnum.core.calculus import Result

CASES = [  # low-degree polynomials, rational functions, transcendental functions
    ("x^2*y + y^3", "hessian"), ("x^2*y + y^3", "gradient"), ("x*y", "hessian"),
    ("x^3 - 3*x*y^2", "hessian"), ("x^2 + y^2 + z^2 - x*y*z", "hessian"),
    ("(x + 2*y)^4 - 7*x*y^3", "hessian"), ("x^5*y^2 - y^7/3 + 11", "gradient"),
    ("x/(1 + y^2)", "hessian"), ("(x^2 - y)/(x^2 + y^2 + 1)", "hessian"),
    ("1/(3 + x + y^2)", "gradient"), ("exp(x)*sin(y)", "hessian"),
    ("log(1 + x^2 + y^2)", "hessian"), ("atan(x*y) + cos(x - y)", "hessian"),
    ("sqrt(4 + x^2)*exp(-y^2)", "gradient"), ("tanh(x + 2*y)*x", "hessian"),
]
SEEDS = range(8)


def _mpmath(result, seed: int, points: int = 3):
    report = symnum.verify(result, points=points, seed=seed, methods_used=("mpmath",))
    return report, report.checks[0]


@pytest.mark.parametrize("text, what", CASES)
def test_correct_results_never_fail_the_mpmath_oracle(text, what):
    result = symnum.derive(text, what=what)
    for seed in SEEDS:
        report, check = _mpmath(result, seed)
        assert check.verdict == "pass", report.text()
        for entry in (e for p in check.points for e in p):  # what it prints is what it judged
            assert entry.error <= entry.tolerance, report.text()


@pytest.mark.parametrize("seed", [0, 3])
def test_the_reported_hessian_passes_with_every_method(seed):
    report = symnum.verify(symnum.derive("x^2*y + y^3", what="hessian"), seed=seed)
    assert report.verdict == "pass", report.text()
    assert "FAIL" not in report.text()


def _wrong(result: Result, index: int, delta: sympy.Expr) -> Result:
    full = result.expanded()
    entries = list(full)
    entries[index] = entries[index] + delta
    matrix = sympy.ImmutableMatrix(*full.shape, entries)
    if type(result) is not Result:
        return Result(result.kind, result.function, matrix, (), result.order)
    return dataclasses.replace(result, matrix=matrix, definitions=())


@pytest.mark.parametrize("relative", [1e-20, 1e-12])
def test_a_small_wrong_entry_fails_and_the_failure_shows_its_error(relative):
    good = symnum.derive("x^2*y + y^3", what="hessian")
    bad = _wrong(good, 3, sympy.Float(relative, 30) * sympy.Symbol("y"))
    for seed in range(3):
        report, check = _mpmath(bad, seed, points=1)
        assert report.verdict == "fail", report.text()
        worst = check.worst()[1]
        assert worst.verdict == "fail" and worst.error > worst.tolerance > 0


def test_a_wrong_entry_below_what_mpmath_resolves_is_inconclusive_not_a_pass():
    # ∂f/∂x = 1e-200 next to f ~ 1e200: 48 digits cannot see an error of 1e-30 of f here
    good = symnum.derive("x*1e-200 + y*1e200", what="gradient")
    bad = _wrong(good, 0, sympy.Float("1e-210", 30))
    for result in (good, bad):
        report = symnum.verify(result, points=1)
        assert report.verdict == "inconclusive", report.text()
        assert "too small next to f" in report.text()
