"""Inputs that once ended in an internal error (issues 23 and 28), each answered now: a
verdict in words, a result, or one ``error:`` line (a :class:`SymnumError` from Python).

The command line runs in-process (the ``cli`` fixture); the web's answers to the same cases
are in ``tests/test_web_api.py``; the generated inputs of ``tests/test_fuzz.py`` and
``benchmarks/fuzz_cli.py`` cover the rest.
"""

from __future__ import annotations

import importlib.util
import re
import sys

import mpmath as mp
import numpy as np
import pytest
import sympy

import symnum
from symnum import SymnumError


def _clean(proc) -> None:
    """No traceback, no internal error; exit 2 only as one ``error:`` line."""
    assert proc.returncode in (0, 1, 2), proc
    assert "Traceback" not in proc.stdout + proc.stderr
    assert "internal error" not in proc.stderr, proc.stderr
    if proc.returncode == 2:
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr


# verify where there is no derivative: (expression, point, what the verdict line says)
NO_DERIVATIVE = [
    ("floor(x)", "x=1", "f jumps from 0 to 1 along x"),
    ("floor(x)", "x=0", "f jumps from -1 to 0 along x"),
    ("ceiling(x)", "x=2", "f jumps from 2 to 3 along x"),
    ("sign(x)", "x=0", "f jumps from -1 to 1 along x"),
    ("Heaviside(x)", "x=0", "f jumps from 0 to 1 along x"),
    ("Piecewise((x, x < 0), (x + 1, True))", "x=0", "f jumps from 0 to 1 along x"),
    ("3*floor(x)*y + x", "x=1,y=2", "f jumps from 1 to 7 along x"),
    ("log(x)", "x=-1", "outside the domain of log(x)"),
    ("sqrt(x)", "x=-1", "outside the domain of sqrt(x)"),
    ("acos(x)", "x=2", "outside the domain of acos(x)"),
    ("sqrt(x)", "x=0", "1/(2*sqrt(x)) is infinite"),
    ("1/x", "x=0", "f is not real and finite there"),
]


@pytest.mark.parametrize("expr, at, words", NO_DERIVATIVE)
def test_verify_where_no_derivative_exists_is_an_inconclusive_verdict(cli, expr, at, words):
    proc = cli("verify", expr, "--at", at)
    _clean(proc)
    assert proc.returncode == 0 and proc.stderr == ""
    last = proc.stdout.strip().splitlines()[-1]
    assert last.startswith("INCONCLUSIVE: ") and words in last, last
    data = cli.json("verify", expr, "--at", at)
    assert data["verdict"] == "inconclusive" and words in data["undefined"]
    assert data["checks"] == [] and data["summary"] == last


@pytest.mark.parametrize("expr, left, right", [("abs(x)", -1.0, 1.0), ("Max(x, 0)", 0.0, 1.0),
                                               ("relu(x)", 0.0, 1.0)])
def test_verify_at_a_kink_still_reports_the_one_sided_derivatives(cli, expr, left, right):
    proc = cli("verify", expr, "--at", "x=0")
    _clean(proc)
    assert proc.returncode == 0 and "PASS: only kinks were checked" in proc.stdout
    report = symnum.verify(expr, at={"x": 0})
    assert report.verdict == "pass" and (report.kinks[0].left, report.kinks[0].right) == (
        left, right)


def test_a_kink_next_to_a_step_function_of_another_variable_has_its_conventions():
    """SymPy's derivative of floor(y) is unevaluated: the convention is symnum's own (0)."""
    report = symnum.verify("abs(x) + floor(y)", at={"x": 0, "y": 0.5})
    assert report.verdict == "pass"
    by_name = {n.variable: n for n in report.kinks}
    assert by_name["x"].sympy_value == 0.0 and by_name["y"].sympy_value == 0.0


def test_the_python_verify_at_a_jump_is_the_same_verdict():
    report = symnum.verify("floor(x)", at={"x": 1})
    assert report.verdict == "inconclusive" and not report
    assert "does not exist at x = 1" in report.undefined
    assert "INCONCLUSIVE" in report._repr_mimebundle_()["text/html"]



@pytest.mark.parametrize("expr, at", [("sign(x)", 1e-200), ("ceiling(x)", 1e-300),
                                      ("Heaviside(x)", -1e-310)])
def test_a_point_next_to_a_jump_is_not_the_jump(cli, expr, at):
    """sign is constant on (0, ∞): at x = 1e-200 its derivative is 0, not missing, and the
    one-sided derivatives are 0 (steps of 1e-25 or 1e-20 reached across 0: 'f jumps', 1e44)."""
    proc = cli("verify", expr, "--at", f"x={at!r}")
    _clean(proc)
    assert proc.returncode == 0 and "does not exist" not in proc.stdout
    report = symnum.verify(expr, at={"x": at})
    assert report.verdict == "pass" and not report.undefined
    assert [(n.left, n.right) for n in report.kinks] == [(0.0, 0.0)]


def test_a_tiny_point_outside_the_domain_is_written_as_the_user_wrote_it(cli):
    proc = cli("verify", "sqrt(x)", "--at", "x=-1e-300")
    _clean(proc)
    assert "x = -1e-300 is outside the domain of sqrt(x)" in proc.stdout
    assert len(proc.stdout.splitlines()[-1]) < 200

# the step namer: every one of its fixed names taken
NAMES_TAKEN = [
    ["sin(u*t*s*v*z1*z2*x**2)", "--wrt", "x", "--steps"],
    ["sin(v1*h1*a1*q1*x)", "--wrt", "x", "--steps", "graph"],
    ["sin(u*t*s*v*z1*z2*uu*tt*ss*vv*z1z1*z2z2*x**2)", "--wrt", "x", "--steps"],
    ["sin(v1*h1*a1*q1*vv1*hh1*aa1*qq1*x)", "--wrt", "x", "--steps", "graph"],
]


@pytest.mark.parametrize("argv", NAMES_TAKEN)
def test_the_step_namer_never_runs_out_of_names(cli, argv):
    proc = cli("derive", *argv)
    _clean(proc)
    assert proc.returncode == 0, proc.stderr


def test_forty_variables_and_many_subexpressions_get_distinct_step_names():
    names = " + ".join(f"exp(w{i}*x)*sin(v{i}*x)" for i in range(1, 41))
    expr = f"{names} + u*t*s*v*z1*z2*h1*a1*q1*x"
    derivation = symnum.Function(expr, wrt="x").steps()
    text = derivation.text()
    assert "result:" in text
    x = sympy.Symbol("x", real=True)
    want = sympy.diff(symnum.parse(expr).subs({s: sympy.Symbol(s.name, real=True)
                                               for s in symnum.parse(expr).free_symbols}), x)
    assert sympy.simplify(symnum.derive(expr, wrt="x").expanded()[0] - want) == 0
    graph = symnum.Function(expr, wrt="x").graph()
    defined = [str(n.name) for n in graph.nodes]
    assert len(defined) == len(set(defined))
    taken = {s.name for s in symnum.parse(expr).free_symbols}
    assert not taken & set(defined)


@pytest.mark.parametrize("expr", ["sign(x)", "sign(x)*x"])
@pytest.mark.parametrize("steps", [["--steps"], ["--steps", "graph"]])
def test_steps_of_sign(cli, expr, steps):
    proc = cli("derive", expr, "--wrt", "x", *steps)
    _clean(proc)
    assert proc.returncode == 0 and proc.stdout


def test_an_expression_that_starts_with_two_dashes_is_told_to_follow_double_dash(cli):
    proc = cli("derive", "--x")
    _clean(proc)
    assert proc.returncode == 2 and "goes after --" in proc.stderr
    assert "symnum derive -- --x" in proc.stderr
    assert cli("derive", "--", "--x").returncode == 0
    assert "did you mean --wrt?" in cli("derive", "x", "--wrtt", "x").stderr


@pytest.mark.parametrize("name, module", [("bad-name.py", "bad_name"), ("1st.py", "_1st"),
                                          ("class.py", "class_")])
def test_export_to_a_file_python_cannot_import_suggests_a_valid_name(cli, tmp_path, name,
                                                                     module):
    proc = cli("export", "x**2", "--out", str(tmp_path / name))
    assert proc.returncode == 0 and (tmp_path / name).exists()
    suggestion = re.search(r"from (\S+) import f", proc.stdout).group(1)
    assert suggestion == module and suggestion.isidentifier()
    assert "import" in proc.stdout and f"from {name[:-3]} import" not in proc.stdout


ORACLES = {"gamma(x)": mp.gamma, "factorial(x)": lambda x: mp.gamma(x + 1),
           "binomial(x, 2)": lambda x: x * (x - 1) / 2, "loggamma(x)": mp.loggamma}


@pytest.mark.parametrize("expr", sorted(ORACLES))
def test_numpy_exports_of_the_gamma_family_run_when_called(cli, tmp_path, expr):
    path = tmp_path / "exported.py"
    proc = cli("export", expr, "--to", "numpy", "--what", "value", "--out", str(path))
    assert proc.returncode == 0, proc.stderr
    spec = importlib.util.spec_from_file_location("exported", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    points = np.array([0.5, 2.5, 7.25])
    got = module.f(points)
    want = [float(ORACLES[expr](mp.mpf(p))) for p in points]
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_the_derivative_of_a_dirac_delta_exports_and_runs(cli, tmp_path):
    path = tmp_path / "delta.py"
    proc = cli("export", "DiracDelta(x)", "--what", "derivative", "--out", str(path))
    _clean(proc)
    assert proc.returncode == 0
    spec = importlib.util.spec_from_file_location("delta", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.f(np.array([-1.0, 2.0])).tolist() == [0.0, 0.0]


def test_polygamma_of_a_symbolic_order_is_refused_in_words(cli):
    for argv in (["derive", "polygamma(y,x)"], ["export", "polygamma(y,x)"]):
        proc = cli(*argv)
        _clean(proc)
        assert proc.returncode == 2 and "order" in proc.stderr


API_MISUSE = {
    "Function wrt=5": lambda: symnum.Function("x", wrt=5),
    "derive shapes text": lambda: symnum.derive("x", shapes="x=n"),
    "verify unknown keyword": lambda: symnum.verify("x**2", bogus=1),
    "torch_function what": lambda: symnum.torch_function("x**2", what="gradient"),
    "at complex": lambda: symnum.derive("x**2").at({"x": 1j}),
    "at I": lambda: symnum.derive("x**2").at({"x": "I"}),
    "at complex with arrays": lambda: symnum.derive("x**2*y").at({"x": [1.0], "y": 2j}),
}


@pytest.mark.parametrize("name", sorted(API_MISUSE))
def test_python_api_misuse_is_a_symnum_error(name):
    with pytest.raises(SymnumError) as caught:
        API_MISUSE[name]()
    assert "\n" not in str(caught.value)


def test_a_complex_value_for_a_real_variable_is_refused_on_the_command_line(cli):
    proc = cli("derive", "x**2", "--at", "x=I")
    _clean(proc)
    assert proc.returncode == 2 and "real" in proc.stderr


# found by the fuzz run of benchmarks/fuzz_cli.py (each was an internal error)
FUZZ_FOUND = [
    ["export", "1e8*floor(factorial(-1))", "--wrt", "h1", "--to", "jax", "--what", "value"],
    ["export", "(asec(1e-8))**0.5", "--wrt", "uu", "--what", "value"],
    ["check", "0", "--of", "max(ndtr(t), z + 1/2)", "--wrt", "t"],
    ["check", "Min(DiracDelta(z), 0)", "--of", "ln(1)", "--wrt", "z"],
    ["derive", "ceiling(u4)*u", "--steps", "graph", "--at", "u4=1,u=2"],
    ["derive", "log_ndtr(z)", "--at", "z=1e300"],
    ["derive", "erfc(z)*z", "--at", "z=-1e300"],
    ["derive", "heaviside(log(x), log(x))", "--wrt", "x", "--steps"],
    ["derive", "min(2**-30*z1**0.5, -erfcx(z1), pi*v/erfc(v1), z1)*atan(z1**0.5)", "--wrt",
     "z1,v1,v", "--steps"],
    ["derive", "digamma(log(x))", "--wrt", "x", "--steps", "graph", "--at", "x=0"],
    ["derive", "atan(erf(root(u, 2)))", "--wrt", "u", "--steps"],
    ["derive", "sign(1/x)", "--wrt", "x", "--steps"],
]


@pytest.mark.parametrize("argv", FUZZ_FOUND, ids=lambda argv: " ".join(argv)[:60])
def test_what_the_fuzz_run_found_is_answered(cli, argv):
    _clean(cli(*argv))


def test_a_derivative_sympy_leaves_unevaluated_is_taken_by_the_registry():
    x = sympy.Symbol("x", real=True)
    result = symnum.derive("sign(1/x)", wrt="x").expanded()[0]
    assert not result.has(sympy.Derivative)
    assert result.equals(-2 * sympy.DiracDelta(1 / x) / x**2)


def test_complex_constants_are_refused_by_kernels_and_exports():
    for text in ("log(-1)*x", "I*x", "(asec(1e-8))**0.5*x"):
        with pytest.raises(symnum.EvaluationError, match="not a real number"):
            symnum.kernel(text, wrt="x", what="value")
        with pytest.raises(symnum.EvaluationError, match="not a real number"):
            symnum.export_source(text, wrt="x", what="value")
    assert symnum.kernel("asec(2)*x", wrt="x", what="value")(1.0) == pytest.approx(np.pi / 3)


def test_a_limit_never_interrupts_an_import(tmp_path, monkeypatch):
    """An import cut short leaves a half-made module: torch imported again then fails."""
    from symnum.edge.interrupts import can_raise
    (tmp_path / "probe_import.py").write_text(
        "import sys\nfrom symnum.edge.interrupts import can_raise\n"
        "RESULT = can_raise(sys._getframe())\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    import probe_import
    assert probe_import.RESULT is False
    import sys
    assert can_raise(sys._getframe())


def test_native_code_run_by_an_import_is_not_capped(tmp_path, monkeypatch):
    """RLIMIT_DATA is lifted inside an import (OpenBLAS's setup, loaded by scipy.special,
    retried a failed allocation forever: a job past its memory hung instead of a 503) and
    set again outside; the finder that lifts it leaves with the block."""
    import resource
    import time

    from symnum.edge import Limits, limited
    (tmp_path / "probe_cap.py").write_text(
        "import resource\nRESULT = resource.getrlimit(resource.RLIMIT_DATA)\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    before, finders = resource.getrlimit(resource.RLIMIT_DATA), list(sys.meta_path)
    with limited(Limits(None, 2**40)):
        import probe_cap
        time.sleep(0.1)  # the watchdog sets the cap again within a poll
        inside = resource.getrlimit(resource.RLIMIT_DATA)
    assert probe_cap.RESULT == before
    assert inside[0] != before[0] and inside[1] == before[1]
    assert (resource.getrlimit(resource.RLIMIT_DATA), sys.meta_path) == (before, finders)
