"""Implicit differentiation (issue 25, item 5): dy/dx = −F_x/F_y on F = 0, higher orders that
use the curve's equation, its steps, values at points of the curve, ``check`` modulo the
curve, and verification against numbers that know nothing of the formula (mpmath findroot
of the branch, torch.func of F). Oracles are hand-derived: on x² + y² = 1, y′ = −x/y and
y″ = −(x² + y²)/y³ = −1/y³; on the folium x³ + y³ = 3xy, y″ = −2xy/(y² − x)³.
"""

from __future__ import annotations

import dataclasses
import json

import pytest
import sympy

import symnum
from symnum.core.errors import SymnumError

CIRCLE = "x**2 + y**2 = 1"
x, y = sympy.symbols("x y", real=True)


def _check(cli, claim: str, *options: str, of: str = CIRCLE):
    return cli("check", "--of", of, "--implicit", "y", *options, "--", claim)


def test_text_latex_and_json_read_back_as_correct(cli):
    """Each format of derive's answer, fed to check as it was printed, is correct; the
    second derivative says that it used the curve's equation."""
    for order, general, on_curve in ((1, "-x/y", None),
                                     (2, "-(x**2 + y**2)/y**3", "-1/y**3")):
        args = ("derive", CIRCLE, "--implicit", "y", "--wrt", "x", "--order", str(order))
        data = cli.json(*args)
        assert data["implicit"] == "y" and data["what"] == "derivative"
        assert data["order"] == order and data["shape"] == [] and data["definitions"] == []
        assert data["general"] == general
        assert data["result"] == (on_curve or general)
        assert data["uses_curve"] is (on_curve is not None)
        text = cli(*args).stdout
        latex = cli(*args, "--format", "latex").stdout.strip()
        assert latex == data["latex"]
        if on_curve:
            assert "on the curve x² + y² = 1" in text and r"\text{on the curve }" in latex
        lines = [line for line in text.splitlines() if "=" in line][1:]  # past the curve
        order_opt = ("--order", str(order))
        for claim in [*lines, data["result"], data["general"]]:
            proc = _check(cli, claim, *order_opt)
            assert proc.returncode == 0 and proc.stdout.startswith("correct:"), (claim, proc)
        proc = _check(cli, latex, *order_opt, "--from", "latex", of="x^2 + y^2 = 1")
        assert proc.returncode == 0 and proc.stdout.startswith("correct:"), proc


def test_steps_values_and_clear_refusals(cli):
    proc = cli("derive", "x**2 + y**2 - 1", "--implicit", "y", "--at", "x=0.6,y=0.8",
               "--steps")
    assert proc.returncode == 0, proc.stderr
    assert "dy/dx = −x/y" in proc.stdout and "dy/dx = -0.75" in proc.stdout
    assert "F_x + F_y·y′ = 0" in proc.stdout and "y′ = −F_x/F_y = −x/y" in proc.stdout
    data = cli.json("derive", CIRCLE, "--implicit", "y", "--order", "2", "--steps",
                    "--at", "x=0.6,y=0.8")
    assert data["value"] == pytest.approx(-1 / 0.8**3)
    assert data["steps"][-1]["text"] == "y″ = −1/y³"
    assert "on the curve" in data["steps"][-1]["why"]
    refusals = {
        ("--at", "x=0.6,y=0.7"): "not on the curve",
        ("--at", "x=1,y=0"): "no implicit function",
        ("--at", "x=0.6"): "y = -0.8 or y = 0.8",
        ("--implicit", "t"): "t does not appear",
        ("--what", "gradient"): "gives a derivative",
    }
    for extra, words in refusals.items():
        implicit = () if "--implicit" in extra else ("--implicit", "y")
        proc = cli("derive", CIRCLE, *implicit, *extra)
        assert proc.returncode == 2 and words in proc.stderr, (extra, proc.stderr)
        assert proc.stderr.startswith("error:") and len(proc.stderr.splitlines()) == 1
    proc = cli("derive", "x*y*z + z**3 = 1", "--implicit", "z")
    assert proc.returncode == 2 and "--wrt" in proc.stderr


def test_python_api_several_variables_and_latex_input():
    r = symnum.derive("x**2 + y**2 = 1", implicit="y", wrt="x", order=2)
    assert r.result == -1 / y**3 and r.uses_curve
    assert r.at({"x": 0.6, "y": 0.8}) == pytest.approx(-1 / 0.512)
    assert symnum.derive(r"x^2 + y^2 = 1", implicit="y", syntax="latex").result == -x / y
    assert symnum.derive("x**2 + y**2 == 1", implicit="y").result == -x / y
    folium = symnum.derive("x**3 + y**3 = 3*x*y", implicit="y", order=2)
    assert sympy.simplify(folium.result - (-2 * x * y / (y**2 - x)**3)) == 0
    z_x = symnum.derive("x*y*z + z**3 = 1", implicit="z", wrt="x")
    assert z_x.partial and z_x.text().splitlines()[-1] == "∂z/∂x = −y·z/(x·y + 3·z²)"
    with pytest.raises(SymnumError, match="comparison"):
        symnum.derive("x**2 + y**2 <= 1", implicit="y")


def test_check_decides_on_the_curve(cli):
    """Equal on the curve is correct; on one branch it says which; wrong gets a point of the
    curve and a hint. (The scratch sweep of 33 claims: no false acceptance.)"""
    assert _check(cli, "-x*y/(1 - x**2)").returncode == 0  # = −x/y where x² + y² = 1
    proc = _check(cli, "-x/sqrt(1 - x**2)")
    assert proc.returncode == 0 and "correct on the branch y = √(1 − x²)" in proc.stdout
    proc = _check(cli, "x/y")
    assert proc.returncode == 1 and "the sign is wrong" in proc.stdout
    assert "of the curve the claim gives" in proc.stdout
    proc = _check(cli, "-1/y**2", "--order", "2", "--format", "json")
    data = json.loads(proc.stdout)
    assert proc.returncode == 1 and data["correct"] is False and data["implicit"] == "y"
    x0, y0 = data["point"]["x"], data["point"]["y"]
    assert x0**2 + y0**2 == pytest.approx(1) and data["expected_value"] == pytest.approx(-1 / y0**3)
    proc = cli("check", "--of", "x*y*z + z**3 = 1", "--implicit", "z", "--wrt", "x", "--",
               "-y*z**2/(1 + 2*z**3)")  # x·y = (1 − z³)/z on the surface
    assert proc.returncode == 0, proc.stdout


def test_verify_against_findroot_and_torch(cli):
    proc = cli("verify", CIRCLE, "--implicit", "y", "--order", "2", "--points", "3",
               "--format", "json")
    data = json.loads(proc.stdout)
    assert proc.returncode == 0 and data["verdict"] == "pass"
    assert [c["method"] for c in data["checks"]] == ["branch", "torch"]
    for p, exact in zip(data["points"], data["exact"], strict=True):
        assert p["x"] ** 2 + p["y"] ** 2 == pytest.approx(1)
        assert exact == pytest.approx(-1 / p["y"] ** 3)
    from symnum.verification.implicit import verify_implicit
    r = symnum.derive("x*y*z + z**3 = 1", implicit="z", wrt="x,y")
    assert verify_implicit(r, points=2).verdict == "pass"
    wrong = dataclasses.replace(r, forms=(r.forms[0], r.forms[1] * 1.001), on_curve=(None, None))
    report = verify_implicit(wrong, points=2)
    assert report.verdict == "fail" and report.errors["branch"] > 1e-6


def test_web_parameter():
    from symnum import service
    from symnum.web.params import request_for

    op, request = request_for("derive", {"expr": CIRCLE, "implicit": "y", "order": "2"})
    assert request.implicit == "y"
    assert service.derive(request).to_json()["result"] == "-1/y**3"
    op, request = request_for("check", {"claimed": "-x/y", "of": CIRCLE, "implicit": "y"})
    assert service.check(request).exit_code == 0
