"""Unknown functions everywhere (issue 25, item 6): f′(x), f''(x), ∂f/∂x(x, y), Derivative,
diff and their LaTeX read in; results printed so they read back (text, LaTeX, JSON); check
decides claims with f, f′, … as independent unknowns; steps; one-line errors for numbers.
A sweep of 44 right and wrong claims (no false alarm, no false acceptance) was run outside
the suite; a handful of them are here."""

from __future__ import annotations

import json
import re

import pytest
import sympy

from symnum.core.errors import EvaluationError, ParseError
from symnum.core.latex_input import parse_latex
from symnum.core.parse import parse

x, y = sympy.symbols("x y", real=True)
f, g = sympy.Function("f", real=True), sympy.Function("g", real=True)


@pytest.mark.parametrize("text, latex, expected", [
    ("x*f'(x) + f(x)", r"x f'(x) + f(x)", x * f(x).diff(x) + f(x)),
    ("f″(x) + diff(f(x), x, 2)",
     r"f^{\prime\prime}(x) + \frac{d^2}{dx^2} f(x) - f^{(2)}(x) + f''(x)",
     2 * f(x).diff(x, 2)),
    ("f′(g(x))·g′(x) + Derivative(f(g(x)), g(x))*Derivative(g(x), x)",  # SymPy's own form
     r"f'(g(x)) \frac{dg}{dx} + f'(g(x)) g'(x)", 2 * f(g(x)).diff(x)),
    ("x f' + f", r"x \frac{df}{dx} + f(x)", x * f(x).diff(x) + f(x)),
    ("∂²f/∂x∂y(x, y) + Derivative(f(x, y), x)",
     r"\frac{\partial^2 f}{\partial x \partial y}(x, y) + \frac{\partial f}{\partial x}",
     f(x, y).diff(x, y) + f(x, y).diff(x)),
    ("2x ∂₁f(x², y)", r"2 x \partial_{1} f(x^2, y)", f(x**2, y).diff(x)),
])
def test_derivatives_of_unknown_functions_are_read_in_text_and_latex(text, latex, expected):
    for read in (parse(text), parse_latex(latex)):
        assert sympy.simplify(read - expected) == 0, (text, read)


@pytest.mark.parametrize("text, read, message", [
    ("sin'(x)", parse, "sin is known"), (r"\sin'(x)", parse_latex, "primes are for unknown"),
    ("f'(x, y)", parse, "write ∂f/∂x"), ("∂f/∂x(x, x*y)", parse, "write ∂₁f(x, x*y)"),
    ("Derivative(x**2, x)", parse, "for unknown functions"),
])
def test_primes_on_known_functions_and_ambiguous_partials_are_refused(text, read, message):
    with pytest.raises(ParseError, match=re.escape(message)):
        read(text)


def _answers(cli, expr: str, *wrt: str) -> list[tuple[str, ...]]:
    """derive's text (the result line), LaTeX (right of '=') and JSON result, each as
    arguments of check."""
    text = cli("derive", expr, *wrt).stdout.split("=\n")[-1].strip()
    latex = cli("derive", expr, *wrt, "--format", "latex").stdout.split(" = ", 1)[1].strip()
    data = json.loads(cli("derive", expr, *wrt, "--format", "json").stdout)
    assert "Derivative" not in text + latex and "\n" not in text
    return [(text,), (latex, "--from", "latex"), (data["result"],)]


@pytest.mark.parametrize("expr, wrt, shown", [
    ("f(x)*g(x)", "x", "f(x)⋅g′(x) + f′(x)⋅g(x)"),
    ("f(g(x))", "x", "f′(g(x))⋅g′(x)"),
    ("x*f(x, y)", "x", "x⋅∂f/∂x(x, y) + f(x, y)"),
])
def test_every_printed_answer_reads_back_as_correct(cli, expr, wrt, shown):
    answers = _answers(cli, expr, "--wrt", wrt)
    assert answers[0] == (shown,)
    for answer in answers:
        proc = cli("check", *answer, "--of", expr, "--wrt", wrt)
        assert proc.returncode == 0 and "independent unknowns" in proc.stdout, (answer, proc)
    again = cli("derive", answers[0][0], "--wrt", wrt)  # and derive reads it too
    assert again.returncode == 0 and "Derivative" not in again.stdout


def test_marks_without_arguments_take_them_from_the_function(cli):
    assert cli("check", "f' g + f g'", "--of", "f(x)*g(x)", "--wrt", "x").returncode == 0
    assert cli("check", r"x y \frac{\partial f}{\partial x} + y f", "--from", "latex", "--of",
               "x y f(x, y)", "--wrt", "x").returncode == 0


@pytest.mark.parametrize("claim, of, hint", [
    ("f'(x)*g(x) - f(x)*g'(x)", "f(x)*g(x)", "the product rule adds its two terms"),
    ("f'(g(x))", "f(g(x))", "the derivative of the inner g(x) (g′(x))"),
    ("(f'(x) g(x) + f(x) g'(x))/g(x)^2", "f(x)/g(x)", "quotient rule's minus sign"),
])
def test_wrong_rules_are_shown_wrong_symbolically_with_a_hint(cli, claim, of, hint):
    proc = cli("check", claim, "--of", of, "--wrt", "x", "--format", "json")
    out = json.loads(proc.stdout)
    assert proc.returncode == 1 and out["how"] == "symbolic" and hint in out["diagnosis"]
    assert "independent unknowns" in out["evidence"]["note"]


def test_second_derivatives_and_mixed_partials_read_back(cli):
    assert cli("check", "f''(g(x))*g'(x)^2 + f'(g(x))*g''(x)", "--of", "f(g(x))",
               "--order", "2").returncode == 0
    hessian = json.loads(cli("derive", "f(x, y)", "--what", "hessian", "--format",
                             "json").stdout)
    assert hessian["result"][0][1] == "Derivative(f(x, y), x, y)"
    assert r"\frac{\partial^{2} f}{\partial x \partial y}" in hessian["latex"]
    composite = json.loads(cli("derive", "f(x*y, x + y)", "--what", "hessian", "--format",
                               "json").stdout)  # SymPy alone leaves a stray _x in ∂²/∂x∂y
    claimed = "[" + ", ".join("[" + ", ".join(row) + "]" for row in composite["result"]) + "]"
    assert cli("check", claimed, "--of", "f(x*y, x + y)", "--what", "hessian").returncode == 0


def test_steps_show_the_rules_on_what_was_written(cli):
    out = cli("derive", "f(g(x))*x", "--wrt", "x", "--steps").stdout
    assert "d/dx [f(g(x))] = f′(g(x))·g′(x)" in out and "d/du [f(u)] = f′(u)" in out
    assert "Derivative" not in out and "Subs" not in out


def test_numbers_of_unknown_functions_are_a_one_line_error(cli):
    proc = cli("verify", "f(x)*x")
    assert proc.returncode == 2 and proc.stderr.startswith("error: f is an unknown function")
    assert len(proc.stderr.strip().splitlines()) == 1
    import symnum
    with pytest.raises(EvaluationError, match="f is an unknown function: a kernel"):
        symnum.kernel("f(x)*x", wrt="x")
