"""Rich display in notebooks: every object a user holds answers ``_repr_mimebundle_``.

Each bundle has a ``text/plain`` fallback equal to the object's text, and the rich form
Jupyter shows: LaTeX for results (KaTeX-safe, equal to the object's ``latex()``), Markdown with
math for derivations, escaped HTML with a visible verdict for reports and checks, tables for
graphs and kernels. The KaTeX table itself was checked against KaTeX 0.16 (every macro and
environment in it renders; every LaTeX string symnum sends for the catalog and a corpus of
functions renders with ``strict: "error"``).
"""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import sympy

import symnum
from symnum.chapter import studies
from symnum.core.display import KATEX_ENVIRONMENTS, KATEX_MACROS, bundle, katex_safe, math_block

KATEX = Path(symnum.__file__).parent / "web" / "static" / "vendor" / "katex" / "katex.min.js"
NODE = shutil.which("node")
RENDER = """
const katex = require(process.argv[1]);
const items = JSON.parse(require("fs").readFileSync(0, "utf8"));
const failed = items.filter(([tex, display]) => {
  try { katex.renderToString(tex, {displayMode: display, throwOnError: true, strict: "error"}); }
  catch (e) { return true; }
  return false;
});
console.log(JSON.stringify(failed));
"""
EVIL = sympy.Symbol("<script>alert(1)</script>", real=True)


def _inline_math(markdown: str) -> list[str]:
    blocks = re.findall(r"\$\$(.+?)\$\$", markdown, re.S)
    rest = re.sub(r"\$\$(.+?)\$\$", "", markdown, flags=re.S)
    return blocks + re.findall(r"\$(.+?)\$", rest)


def test_results_and_functions_display_their_own_latex_as_display_math():
    for r in [symnum.derive("x**2*y"), symnum.derive("sin(x)", order=3),
              symnum.derive("[x1**2, x1*x2]", wrt="x1,x2"),
              symnum.derive("exp(-(x**2 + y**2))*cos(x*y)", what="hessian")]:
        data = r._repr_mimebundle_()
        assert set(data) == {"text/plain", "text/latex"}
        assert data["text/plain"] == r.text()
        assert data["text/latex"] == f"$${r.latex()}$$"
    f = symnum.Function("sigmoid(w*x + b)", wrt="w,b")
    assert f._repr_mimebundle_()["text/latex"] == f"$${f.latex()}$$"


def test_a_result_with_definitions_is_one_katex_aligned_block():
    r = symnum.derive("log(1 + exp(a*x + b*y + c*z))**3", wrt="x,y,z", what="hessian")
    latex = r._repr_mimebundle_()["text/latex"]
    assert r.definitions and r"\begin{aligned}" in latex and katex_safe(latex)


def test_latex_of_special_functions_stays_inside_what_katex_renders():
    for text in ["erf(x)*gamma(x)", "atan2(y, x)", "floor(x)*x + sign(x)", "Heaviside(x)*x**2",
                 "acosh(x) + asinh(x)", "softplus(x) + relu(x)", "log(x, 2) + x**(1/3)",
                 "Max(0, x) + Abs(x)"]:
        r = symnum.Function(text).differentiate()
        assert r._repr_mimebundle_()["text/latex"] == f"$${r.latex()}$$", text


def test_latex_katex_cannot_render_is_left_out_not_shown_broken():
    assert math_block(r"\mathscr{L}(x)") is None
    assert math_block(r"\begin{equation}x\end{equation}") is None
    assert math_block(r"\begin{align*}x &= 1\end{align*}") is None
    assert math_block("x" * 50_000) is None
    assert bundle("x", {"text/latex": None}) == {"text/plain": "x"}


def test_jupyter_include_and_exclude_filter_the_bundle():
    r = symnum.derive("x**3")
    assert set(r._repr_mimebundle_(include=["text/latex"])) == {"text/latex"}
    assert set(r._repr_mimebundle_(exclude=["text/latex"])) == {"text/plain"}


def test_matrix_results_display_their_latex():
    r = symnum.derive("x.T*A*x", wrt="x", shapes={"x": "n", "A": "n,n"})
    data = r._repr_mimebundle_()
    assert data["text/plain"] == r.text()
    assert data["text/latex"] == f"$${r.latex()}$$" and katex_safe(r.latex())


def test_a_derivation_is_markdown_with_katex_math_and_its_result():
    d = symnum.Function("sin(exp(x**2))").steps()
    data = d._repr_mimebundle_()
    assert data["text/plain"] == d.text() and data["text/markdown"] == d.markdown()
    md = data["text/markdown"]
    assert "<details" not in md  # one tree: shown open, nothing to fold
    assert md.count("\n- ") + md.startswith("- ") == 1 and md.count("  - ") >= 2
    assert f"$${d.result.latex()}$$" in md
    math = _inline_math(md)
    assert len(math) >= 5 and all(katex_safe(m) for m in math)


def test_several_entries_fold_one_section_each():
    d = symnum.Function("x**2*y + sin(y)", wrt="x,y").steps()
    md = d._repr_mimebundle_()["text/markdown"]
    assert md.count("<details") == 2 and md.count("<details open>") == 1
    assert "<summary>∂f/∂x</summary>" in md and "<summary>∂f/∂y</summary>" in md
    higher = symnum.Function("x*exp(x)").steps(order=2)._repr_mimebundle_()["text/markdown"]
    assert "derivative of order 2" in higher


def test_matrix_derivations_are_markdown_with_math_too():
    f = symnum.Function("x.T*A*x", wrt="x", shapes={"x": "n", "A": "n,n"})
    d = f.steps()
    md = d._repr_mimebundle_()["text/markdown"]
    assert d._repr_mimebundle_()["text/plain"] == d.text()
    assert r"$d\left[x^\top A x\right]" in md and "```" not in md
    assert f"$${d.result.latex()}$$" in md and all(katex_safe(m) for m in _inline_math(md))


def test_a_report_is_an_html_table_with_the_verdict_first():
    report = symnum.verify("tanh(x*y)", what="hessian", points=1)
    data = report._repr_mimebundle_()
    assert data["text/plain"] == report.text()
    html = data["text/html"]
    assert html.startswith("<p><strong") and ">PASS</strong>" in html
    assert all(f"<td>{c.method}</td>" in html for c in report.checks)


def test_a_failing_report_shows_fail_and_the_failing_entry():
    right = symnum.derive("sin(x)*y", wrt="x,y")
    wrong = dataclasses.replace(right, matrix=sympy.ImmutableMatrix(
        [right.matrix[0] * (1 + sympy.Rational(1, 1000)), right.matrix[1]]))
    html = symnum.verify(wrong, points=2)._repr_mimebundle_()["text/html"]
    assert ">FAIL</strong>" in html and ">PASS<" not in html
    assert "<pre>" in html and "∂f/∂x at" in html


def test_text_from_sympy_objects_is_escaped_in_html():
    f = symnum.Function(EVIL**2 + sympy.sin(EVIL))
    x = sympy.Symbol("x", real=True)
    piecewise = symnum.Function(sympy.Piecewise((x**3, x < 1), (3 * x - 2, True)), wrt="x")
    for obj in [symnum.verify(f, points=1), f.graph().at({EVIL.name: 0.5}),
                symnum.kernel(f, what="gradient"), symnum.check_claim("0", f),
                symnum.verify(piecewise, points=1), piecewise.graph().at({"x": 0.5})]:
        html = obj._repr_mimebundle_()["text/html"]
        assert "<script>" not in html
        assert "&lt;script&gt;" in html or "x &lt; 1" in html, type(obj).__name__


def test_a_matrix_report_shows_its_verdict_and_each_size():
    r = symnum.derive("x.T*A*x", wrt="x", shapes={"x": "n", "A": "n,n"})
    report = symnum.verify(r, points=1)
    html = report._repr_mimebundle_()["text/html"]
    assert report._repr_mimebundle_()["text/plain"] == report.text()
    assert html.startswith("<p><strong") and ">PASS</strong>" in html and "<h4>sizes" in html


def test_a_graph_shows_forward_values_and_adjoints_at_a_point():
    g = symnum.Function("x*y + sin(x)", wrt="x,y").graph()
    plain = g._repr_mimebundle_()["text/html"]
    assert "forward pass" in plain and "<th>value</th>" not in plain  # no point: formulas
    at = g.at({"x": 0, "y": 2})
    data = at._repr_mimebundle_()
    assert data["text/plain"] == at.text() == g.text({"x": 0, "y": 2})
    # ∂f/∂x = y + cos x = 3 and ∂f/∂y = x = 0 at (0, 2), by hand
    bar = "\u0304"
    assert (f"<tr><td>x{bar}</td><td>v{bar}1·y + v{bar}2·cos(x)</td><td>3</td></tr>"
            in data["text/html"])
    assert f"<tr><td>y{bar}</td><td>v{bar}1·x</td><td>0</td></tr>" in data["text/html"]


def test_a_kernel_says_what_it_computes_and_its_inputs_and_output():
    k = symnum.kernel("x**2*y", wrt="x,y", what="gradient")
    data = k._repr_mimebundle_()
    assert data["text/plain"] == k.text()
    html = data["text/html"]
    assert "the gradient of f = x²·y" in html and "numpy" in html
    assert "<td>x</td><td>input</td>" in html and "<td>y</td><td>input</td>" in html
    assert "batch shape + (2,)" in html
    torch_kernel = symnum.kernel("sin(x)", what="value", backend="torch")
    assert "torch float64 tensor" in torch_kernel.text() and "f = sin(x)" in repr(torch_kernel)


def test_a_claim_check_shows_the_verdict_the_values_and_the_hint():
    right = symnum.check_claim("3*x**2", "x**3")
    html = right._repr_mimebundle_()["text/html"]
    assert ">CORRECT</strong>" in html and right._repr_mimebundle_()["text/plain"] == right.text()
    wrong = symnum.check_claim("-3*x**2", "x**3")
    html = wrong._repr_mimebundle_()["text/html"]
    assert ">INCORRECT</strong>" in html and "<table>" in html
    assert "hint: the sign is wrong" in html
    matrix = symnum.check_claim("A*x", "x.T*A*x", wrt="x", shapes={"x": "n", "A": "n,n"})
    html = matrix._repr_mimebundle_()["text/html"]
    assert ">INCORRECT</strong>" in html and "the claim gives" in html and "(A + Aᵀ)x" in html


def _katex_rejects(items: list[tuple[str, bool]]) -> list:
    """The items KaTeX (the copy the web page vendors) refuses to render, run by node."""
    out = subprocess.run([NODE, "-e", RENDER, str(KATEX)], input=json.dumps(items),
                         capture_output=True, text=True, timeout=120, check=True)
    return json.loads(out.stdout)


@pytest.mark.skipif(NODE is None or not KATEX.exists(), reason="needs node and vendored KaTeX")
def test_katex_renders_every_macro_in_the_table_and_what_notebooks_receive():
    assert _katex_rejects([(r"\notamacro{x}", True)])  # the harness does catch a failure
    special = {"left": r"\left( x \right)", "right": r"\left( x \right)",
               "middle": r"\left( x \middle| y \right)", "begin": r"\begin{aligned}a\end{aligned}",
               "end": r"\begin{aligned}a\end{aligned}", "limits": r"\sum\limits_{i} x",
               "nolimits": r"\sum\nolimits_{i} x", "hspace": r"\hspace{1em} x"}
    forms = {macro: [special[macro]] if macro in special else
             [f"\\{macro}", f"\\{macro}{{a}}", f"\\{macro}{{a}}{{b}}", f"x \\{macro} y"]
             for macro in sorted(KATEX_MACROS)}
    forms.update({f"env {e}": [f"\\begin{{{e}}}" + ("{cc} a & b" if e == "array" else
                                                    "a & b \\\\ c & d") + f"\\end{{{e}}}"]
                  for e in KATEX_ENVIRONMENTS})
    rejected = {tex for tex, _ in _katex_rejects([(f, True) for fs in forms.values()
                                                  for f in fs])}
    assert [name for name, fs in forms.items() if set(fs) <= rejected] == []
    shown: list[tuple[str, bool]] = []
    objects = [symnum.derive(t) for t in ["tanh(x)**2/(1 + exp(-x))", "x*floor(x) + Abs(x)",
                                          "erf(x)*gamma(x)", "atan2(y, x)*sign(x)"]]
    objects += [symnum.derive("log(1 + exp(a*x + b*y + c*z))**3", wrt="x,y,z", what="hessian"),
                symnum.derive("x.T*A*x", wrt="x", shapes={"x": "n", "A": "n,n"}),
                symnum.derive("x**3*y*z", what="tensor", order=3),  # Hessian slices
                symnum.derive("x**2*y**3", wrt="x,y,y"),  # a mixed partial
                symnum.Function("sin(exp(x**2))*y", wrt="x,y").steps(),
                symnum.Function("x.T*A*x", wrt="x", shapes={"x": "n", "A": "n,n"}).steps(),
                symnum.Function("Piecewise((x**3, x < 1), (3*x - 2, True))").steps(),
                studies.eigen([[4, 2], [2, 3]]), studies.low_rank([[3, 1, 1], [-1, 3, 1]], [1])]
    for obj in objects:
        data = obj._repr_mimebundle_()
        if "text/latex" in data:
            shown.append((data["text/latex"].strip("$"), True))
        if "text/markdown" in data:
            md = data["text/markdown"]
            shown += [(m, True) for m in re.findall(r"\$\$(.+?)\$\$", md, re.S)]
            shown += [(m, False) for m in re.findall(
                r"\$(.+?)\$", re.sub(r"\$\$(.+?)\$\$", "", md, flags=re.S))]
    assert len(shown) > 30 and _katex_rejects(shown) == []


def test_a_negative_scalar_product_in_a_product_keeps_its_sign_in_front():
    # d e^{-wᵀx} = e^{-wᵀx}·tr(−dwᵀx): printed "e^{- w^⊤x} - dw^⊤x" it read as a difference
    from symnum.matrix.printing import matrix_latex

    n = sympy.Symbol("n", integer=True)
    w, x, dw = (sympy.MatrixSymbol(name, n, 1) for name in ("w", "x", "dw"))
    u = sympy.Trace(-w.T * x)
    for factor in (sympy.exp(u), sympy.Symbol("a") ** 2, sympy.sin(u)):
        negative = sympy.Mul(factor, sympy.Trace(-dw.T * x), evaluate=False)
        positive = sympy.Mul(factor, sympy.Trace(dw.T * x), evaluate=False)
        assert matrix_latex(negative) == "- " + matrix_latex(positive)
