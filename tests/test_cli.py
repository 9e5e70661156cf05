"""The command line, run as a user runs it: the JSON contract, exit codes, error lines."""

from __future__ import annotations

import json
import time

import pytest
import sympy


def _value(text: str, **point: float) -> float:
    expr = sympy.sympify(text)  # test-side oracle on the CLI's own output
    return float(expr.subs({sympy.Symbol(k, real=True): v for k, v in point.items()}).subs(
        {sympy.Symbol(k): v for k, v in point.items()}))


def test_derivative_at_a_point_chapter_example(cli):
    d = cli.json("derive", "(x^2 + 1)^3", "--at", "x=2")
    assert d["value"] == 300.0 and d["what"] == "derivative" and d["wrt"] == ["x"]
    assert isinstance(d["result"], str) and _value(d["result"], x=2) == 300.0


def test_json_contract_keys_and_layouts(cli):
    g = cli.json("derive", "x**3*y", "--wrt", "x,y", "--what", "gradient", "--at", "x=2,y=3")
    assert {"expr", "wrt", "what", "result", "definitions", "latex", "value"} <= set(g)
    assert g["value"] == [36.0, 8.0] and g["definitions"] == []
    j = cli.json("derive", "[x1^2, x1*x2, x2^2]", "--wrt", "x1 x2", "--at", "x1=2,x2=3")
    assert j["what"] == "jacobian" and j["value"] == [[4, 0], [3, 2], [0, 6]]
    assert all(len(row) == 2 for row in j["result"]) and len(j["result"]) == 3
    h = cli.json("derive", "x^2 + 4*x*y + y^2", "--what", "hessian")
    assert [[_value(e) for e in row] for row in h["result"]] == [[2, 4], [4, 2]]
    assert "value" not in h


def test_every_result_string_is_sympifiable_and_correct(cli):
    d = cli.json("derive", "exp(x*y)*log(1 + x^2)", "--what", "hessian", "--at", "x=0.5,y=-1")
    x, y = sympy.symbols("x y")
    f = sympy.exp(x * y) * sympy.log(1 + x**2)
    env = {sympy.Symbol(n): sympy.sympify(v) for n, v in d["definitions"]}
    for i, vi in enumerate((x, y)):
        for j, vj in enumerate((x, y)):
            mine = sympy.sympify(d["result"][i][j])
            for _ in range(len(env)):
                mine = mine.subs(env)
            mine = mine.subs({x: 0.5, y: -1})
            truth = sympy.diff(f, vi, vj).subs({x: 0.5, y: -1})
            assert abs(float(mine) - float(truth)) < 1e-12
            assert abs(d["value"][i][j] - float(truth)) < 1e-12


def test_order_and_parameters(cli):
    d = cli.json("derive", "exp(-a*x)", "--wrt", "x", "--order", "3", "--at", "x=0,a=2")
    assert d["order"] == 3 and d["value"] == -8.0


def test_text_and_latex_formats(cli):
    text = cli("derive", "x^3*y", "--what", "gradient", "--at", "x=2,y=3").stdout
    assert "gradient ∇f =" in text and "at x = 2, y = 3:" in text
    assert "[36, 8]" in text
    latex = cli("derive", "sin(x)", "--format", "latex").stdout.strip()
    assert latex == r"\frac{d}{d x} \left(\sin{\left(x \right)}\right) = \cos{\left(x \right)}"


@pytest.mark.parametrize("args", [
    ["derive", "__import__('os').system('echo hacked')"],
    ["derive", "x.__class__"],
    ["derive", "open('/etc/passwd')"],
    ["derive", "9**9**9**9"],
    ["derive", "(" * 5000 + "x" + ")" * 5000],
    ["derive", ""],
    ["derive", "x", "--wrt", "1bad"],
    ["derive", "x", "--wrt", "__class__"],
    ["derive", "x*y", "--what", "derivative"],
    ["derive", "[x, y]", "--what", "hessian"],
    ["derive", "x", "--at", "x=foo("],
    ["derive", "x", "--at", "z=1"],
    ["derive", "x", "--what", "curl"],
    ["derive", "x", "--order", "two"],
    ["derive", "f(x)", "--at", "x=1"],
    ["verify", "x", "--points", "0"],
    ["check", "[1, 2]", "--of", "x", "--wrt", "x"],
    ["check", "1"],
    ["frobnicate"],
    [],
])
def test_bad_input_is_one_error_line_and_exit_2(cli, args):
    start = time.perf_counter()
    proc = cli(*args)
    assert time.perf_counter() - start < 10
    assert proc.returncode == 2, proc
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:"), proc.stderr
    assert "Traceback" not in proc.stderr


def test_verify_passes_with_exit_0_and_reports_every_method(cli):
    proc = cli("verify", "exp(x)*sin(y)", "--wrt", "x,y", "--what", "hessian", "--points", "3")
    assert proc.returncode == 0, proc.stdout
    for method in ("mpmath", "complex-step", "richardson", "torch"):
        assert method in proc.stdout
    data = json.loads(cli("verify", "x*y", "--format", "json", "--seed", "3").stdout)
    assert data["passed"] and data["seed"] == 3


def test_check_correct_answer_symbolically(cli):
    proc = cli("check", "3*x**2", "--of", "x**3", "--wrt", "x")
    assert proc.returncode == 0 and "symbolic" in proc.stdout


def test_check_wrong_answer_gives_point_and_both_values(cli):
    proc = cli("check", "3*x", "--of", "x**3", "--wrt", "x")
    assert proc.returncode == 1
    assert "incorrect" in proc.stdout and "x = " in proc.stdout
    data = json.loads(cli("check", "3*x", "--of", "x**3", "--wrt", "x", "--format", "json").stdout)
    x = data["point"]["x"]
    assert abs(data["claimed_value"] - 3 * x) < 1e-12
    assert abs(data["expected_value"] - 3 * x**2) < 1e-12


def test_check_gradient_and_hessian_claims(cli):
    assert cli("check", "[2*x*y, x^2]", "--of", "x^2*y").returncode == 0
    assert cli("check", "[2*x*y, x^2 + 1]", "--of", "x^2*y").returncode == 1
    assert cli("check", "[[2, 4], [4, 2]]", "--of", "x^2+4*x*y+y^2",
               "--what", "hessian").returncode == 0


def test_check_falls_back_to_numeric_evidence(cli):
    from symnum.check import compare
    from symnum.check.claim import check_claim
    outcome = check_claim("x/abs(x)", "abs(x)", wrt="x")  # sign(x): no closed proof
    assert outcome.correct and outcome.how == "numeric"
    assert outcome.points_checked >= compare.MIN_POINTS


@pytest.mark.process
def test_python_dash_m_and_console_script_agree(cli):
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    script = Path(sys.executable).with_name("symnum")
    exe = str(script) if script.exists() else shutil.which("symnum")
    assert exe, "the symnum console script is not installed"
    a = subprocess.run([exe, "derive", "x^2", "--format", "json"], capture_output=True, text=True)
    b = cli.process("derive", "x^2", "--format", "json")
    assert a.returncode == b.returncode == 0, (a.stderr, b.stderr)
    assert json.loads(a.stdout) == json.loads(b.stdout) == cli.json("derive", "x^2")
    bad = cli.process("derive", "x**")  # exit status and stderr of a real process
    assert bad.returncode == 2 and not bad.stdout
    assert bad.stderr.startswith("error: ") and len(bad.stderr.splitlines()) == 1


def test_demo_runs_and_passes(cli):
    proc = cli("demo", timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "300" in proc.stdout and "PASS" in proc.stdout and r"\frac" in proc.stdout


def test_check_is_not_fooled_by_values_beyond_float64(cli):
    proc = cli("check", "100000*(x+1)**99998", "--of", "(x+1)**100000", "--wrt", "x")
    assert proc.returncode == 1, proc.stdout
    assert cli("check", "100000*(x+1)**99999", "--of", "(x+1)**100000",
               "--wrt", "x").returncode == 0


def test_negative_expressions_are_not_mistaken_for_options(cli):
    assert cli("check", "-2*sin(2*x)", "--of", "cos(2*x)", "--wrt", "x").returncode == 0
    assert cli.json("derive", "-x^2", "--at", "x=-1")["value"] == 2.0


def test_version_and_a_negative_expression_as_typed(cli):
    import symnum
    proc = cli("--version")
    assert (proc.returncode, proc.stdout.strip()) == (0, f"symnum {symnum.__version__}")
    proc = cli("check", "-2*x", "--of", "-x^2")  # argparse needs '-x^2' protected ...
    assert proc.returncode == 0
    assert "derivative of -x^2 (" in proc.stdout  # ... but the text shown is the user's


def test_report_refuses_a_folder_it_cannot_write_before_any_work(tmp_path):
    from symnum import service
    from symnum.core.errors import SymnumError

    blocked = tmp_path / "a-file"
    blocked.write_text("")

    def progress(*args):
        raise AssertionError("the catalog was computed before the folder was checked")

    with pytest.raises(SymnumError, match="cannot write into"):
        service.report(service.ReportRequest(str(blocked), pdf=False, progress=progress))
