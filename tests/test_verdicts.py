"""No false alarms: `verify` never says FAIL on a correct result (the false-alarm suite), and
the results a new user met at singularities, overflow and special functions get a verdict
they can believe, in readable words.

The suite runs every case of tests/verdict_cases.py at one random point, the seed rotating
with the case's number (benchmarks/verdict_rates.py runs all 10 seeds at 5 points each).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import symnum
from tests.verdict_cases import CASES

RAW = ("ufunc", "Traceback", "not supported for the input types", "string-float",
       "Error:", "mpf(")


def _readable(report) -> None:
    for c in report.checks:
        assert c.verdict in ("pass", "fail", "inconclusive")
        if c.verdict == "inconclusive":
            assert c.reason and "\n" not in c.reason
            assert not any(r in c.reason for r in RAW), c.reason


def test_the_suite_has_200_correct_results():
    assert len(CASES) >= 200
    assert len({(e, tuple(sorted(o.items()))) for e, o in CASES}) == len(CASES)


# Families of one form at growing sizes run at their smallest, a middle and their largest size
# here; the sizes between (log-sum-exp Hessians of 4, 6–10, 12 and 15 variables, with
# and without −x₁, softmax gradients of 9 and 10) cost several times as much and find nothing
# the others do not: benchmarks/verdict_rates.py runs every size.
def _sibling(text: str, options: dict) -> bool:
    size = text.count("exp(")
    if options.get("what") == "hessian" and text.startswith(("log(exp(x1)", "-x1 + log(exp(x1)")):
        return size in (4, 6, 7, 8, 9, 10, 12, 15)
    softmax = options.get("what") == "gradient" and text.startswith("exp(x1)/(")
    return softmax and size - 1 in (9, 10)


LARGE_SIBLINGS = {n for n, (text, options) in enumerate(CASES) if _sibling(text, options)}


@pytest.mark.parametrize("number", [n for n in range(len(CASES)) if n not in LARGE_SIBLINGS])
def test_no_false_alarm(number):
    text, options = CASES[number]
    report = symnum.verify(symnum.derive(text, **options), points=1, seed=number % 10)
    assert report.verdict != "fail", report.text()
    _readable(report)


@pytest.mark.parametrize("text, at", [
    ("1/x", {"x": 1e-10}), ("log(x)", {"x": 1e-300}), ("tan(x)", {"x": 1.5707963}),
    ("gamma(x)", {"x": -1.5}), ("log(1 + exp(1000*x))", {"x": 0.9}), ("x^1000", {"x": 1.5}),
    ("factorial(x)", {"x": -2.417}), ("log(x)", {"x": 1e-8}), ("exp(1000*x)", {"x": 0.5}),
])
def test_near_singularities_and_overflow_the_right_result_passes(text, at):
    report = symnum.verify(text, at=at)
    assert report.verdict == "pass", report.text()  # mpmath at 32/48 digits confirms
    _readable(report)


@pytest.mark.parametrize("text, order, at", [
    ("log(1 - sigmoid(z))", 1, {"z": 20}), ("log(1 - sigmoid(z))", 2, {"z": 40}),
    ("-(t*log(sigmoid(z)) + (1 - t)*log(1 - sigmoid(z)))", 2, {"z": 15, "t": 0.3}),
    ("log(1 - tanh(z)^2)", 2, {"z": 9}), ("log(1 - tanh(z)^2)", 1, {"z": 19}),
    ("log(1 + exp(-20*z))", 1, {"z": 2.2152805278618377}),
])
def test_large_logits_where_float64_f_loses_digits_do_not_fail(text, order, at):
    report = symnum.verify(symnum.derive(text, wrt="z", order=order), at=at)
    assert report.verdict == "pass", report.text()
    _readable(report)


@pytest.mark.parametrize("text, options", [
    ("log(1+exp(-y*(w1*x1+w2*x2+b)))", {"wrt": "w1,w2,b", "what": "hessian"}),
    ("log(exp(a)+exp(b)+exp(c))", {"what": "hessian"}),
    ("exp(x)*sin(y)", {"wrt": "x,y", "what": "hessian"}),
])
def test_the_reported_false_alarms_are_gone(text, options):
    result = symnum.derive(text, **options)
    for seed in range(7):
        report = symnum.verify(result, points=2, seed=seed)
        assert report.verdict == "pass", report.text()
        assert {c.method for c in report.checks if c.verdict == "pass"} >= {"mpmath", "torch"}


def test_a_complex_evaluation_that_loses_digits_is_inconclusive_not_a_failure():
    # scipy's complex gamma loses the imaginary part's digits at x - 2.4 + 1e-20 i
    report = symnum.verify("gamma(x)", at={"x": -2.417})
    step = next(c for c in report.checks if c.method == "complex-step")
    assert step.verdict == "inconclusive" and "two steps disagree" in step.reason
    assert report.verdict == "pass"


def test_a_function_without_a_complex_version_says_so_in_words():
    report = symnum.verify("digamma(x)", points=2)
    step = next(c for c in report.checks if c.method == "complex-step")
    assert step.verdict == "inconclusive" and "complex version" in step.reason
    assert report.verdict == "pass"
    _readable(report)


def test_a_random_point_next_to_a_pole_is_moved():
    import numpy as np
    first = float(np.random.default_rng(5).uniform(-2.5, 2.5, size=1)[0])
    pole = f"{first + 1e-13:.17g}"  # the seed's first draw lands 1e-13 from the pole
    report = symnum.verify(f"1/(x - {pole})", points=2, seed=5)
    assert report.verdict == "pass"
    assert all(abs(p["x"] - first) > 1e-6 for p in report.points)


def test_inconclusive_when_no_method_can_confirm():
    # only the complex step, where scipy's complex gamma loses its digits
    result = symnum.derive("gamma(x)")
    report = symnum.verify(result, at={"x": -2.417}, methods_used=("complex-step",))
    assert report.verdict == "inconclusive" and not report.passed
    assert "INCONCLUSIVE" in report.text() and report.to_json()["verdict"] == "inconclusive"


@pytest.mark.parametrize("args", [["verify", "exp(1000*x)"],
                                  ["verify", "log(x)", "--at", "x=1e-8"]])
def test_no_warning_reaches_the_user_from_the_cli(cli, args):
    proc = cli(*args)
    assert proc.returncode == 0, proc.stderr
    assert "Warning" not in proc.stderr and "ufunc" not in proc.stdout
    assert "PASS" in proc.stdout


@pytest.mark.process
def test_no_warning_reaches_the_user_of_a_real_process_with_warnings_as_errors():
    """End to end (a new Python with -W error: import-time warnings count too)."""
    proc = subprocess.run([sys.executable, "-W", "error", "-m", "symnum", "verify", "digamma(x)"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "Warning" not in proc.stderr and "ufunc" not in proc.stdout
    assert "PASS" in proc.stdout


def test_cli_json_carries_the_verdict(cli):
    proc = cli("verify", "log(exp(a)+exp(b))", "--what", "hessian", "--format", "json",
               "--points", "2")
    data = json.loads(proc.stdout)
    assert proc.returncode == 0 and data["verdict"] == "pass" and data["passed"] is True
    assert data["summary"].startswith("PASS")
    assert all(c["verdict"] in ("pass", "inconclusive") for c in data["checks"])
