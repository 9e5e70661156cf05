"""The text side of the function registry, walked record by record: every function symnum
knows reads under each of its names (plain, Unicode, LaTeX), the LaTeX symnum writes for it
reads back to the same expression, its step states the record's rule and equals SymPy's
derivative, and the function list shows it. Oracles: SymPy's own derivative and equality of
the expressions read, never the code under test's printing of itself."""

from __future__ import annotations

import os
import random
import shutil
import subprocess

import pytest
import sympy

import symnum
from symnum.core.display import katex_safe
from symnum.core.latex_input import parse_latex
from symnum.core.latex_names import written
from symnum.core.parse import parse
from symnum.core.registry import RECORDS, Record
from symnum.core.render import expr_latex

from . import test_display as _display

PARSED = [r for r in RECORDS if r.parsed]
_ARGS = ("x", "y", "z")


def call_args(record: Record) -> list[str]:
    """Plain arguments for a call: a small integer where the record takes integers
    (polygamma's order), variables elsewhere."""
    args = []
    for i in range(record.arity[0]):
        args.append("2" if i in record.integers else _ARGS[i])
    return args


def applied(record: Record) -> sympy.Expr:
    return parse(f"{record.name}({', '.join(call_args(record))})")


def same(a: sympy.Basic, b: sympy.Basic) -> bool:
    """The same expression (SymPy's equality after its own canonical rewriting, or a zero
    difference where a name expands, as relu into Max)."""
    return a == b or sympy.simplify(a - b) == 0


@pytest.mark.parametrize("record", PARSED, ids=[r.name for r in PARSED])
def test_every_plain_and_unicode_name_reads_as_the_function(record):
    expected = applied(record)
    args = ", ".join(call_args(record))
    for name in record.names:
        assert same(parse(f"{name}({args})"), expected), name


@pytest.mark.parametrize("record", PARSED, ids=[r.name for r in PARSED])
def test_every_latex_spelling_reads_as_the_function(record):
    expected = applied(record)
    args = call_args(record)
    spellings = [record.latex, *record.latex_in]
    for spelling in spellings:
        if spelling in ("|", r"\lvert", r"\vert", r"\lfloor", r"\lceil", r"\binom"):
            continue  # halves of the written form's brackets, read with it
        text = written(Record(record.name, record.sympy, "", "", latex=spelling,
                              params=record.params, arity=record.arity), args)
        assert same(parse_latex(text), expected), (spelling, text)


@pytest.mark.parametrize("record", PARSED, ids=[r.name for r in PARSED])
def test_the_latex_symnum_writes_reads_back_and_typesets(record):
    for expr in (applied(record), applied(record) ** 2, applied(record) + 1):
        text = expr_latex(expr)
        assert katex_safe(text), text
        assert same(parse_latex(text), expr), (expr, text)


def test_known_breakages_are_gone():
    x = sympy.Symbol("x", real=True)
    assert parse_latex(expr_latex(sympy.Heaviside(x))) == sympy.Heaviside(x)
    assert parse_latex(r"\Gamma(x)") == sympy.gamma(x)
    assert parse_latex(r"\mathop{\delta}(x)") == sympy.DiracDelta(x)
    assert parse_latex(r"\operatorname{polygamma}{\left(0,x \right)}") == sympy.polygamma(0, x)
    assert parse_latex(r"\lfloor x \rfloor") == sympy.floor(x)
    # alone, the letters stay variables' names
    delta = sympy.Symbol("delta", real=True)  # Huber's δ(|x| − δ/2) is a product
    assert parse_latex(r"\delta(x - 1)") == delta * (x - 1)
    assert parse_latex(r"\Gamma x + \delta") == sympy.Symbol("Gamma", real=True) * x + \
        sympy.Symbol("delta", real=True)


def test_random_expressions_round_trip_through_latex():
    rng = random.Random(7)
    names = [r for r in PARSED if r.arity[0] == 1 and not r.integers]
    for _ in range(60):
        inner = rng.choice(["x", "x**2 + 1", "2*x - y", "x*y"])
        r = rng.choice(names)
        expr = parse(f"{r.name}({inner}) * y + {rng.choice(names).name}(x)")
        text = expr_latex(expr)
        assert same(parse_latex(text), expr), (expr, text)


@pytest.mark.skipif(_display.NODE is None or not _display.KATEX.exists(),
                    reason="needs node and vendored KaTeX")
def test_katex_renders_every_function_as_symnum_writes_it():
    items = [(expr_latex(e), True) for r in PARSED for e in (applied(r), applied(r) ** 3)]
    items += [(r.rule_latex, True) for r in RECORDS if r.rule_latex]  # shown in steps' LaTeX
    assert _display._katex_rejects(items) == []


STEPPED = [r for r in PARSED if r.sympy is not None]


@pytest.mark.parametrize("record", STEPPED, ids=[r.name for r in STEPPED])
def test_every_function_gets_its_step_from_its_record(record):
    """The step of f(x²/3 − 1/7, y, ...) is titled by the record's rule and states its
    derivative text; the derivation's result is d/dx by mpmath's finite differences."""
    from symnum.steps import RULES, derive_steps
    from symnum.steps.derive import rule_text

    from .stepcheck import node_is_true
    x = sympy.Symbol("x", real=True)
    others = iter(sympy.symbols("y z", real=True))
    inner = x ** 2 / 3 - sympy.Rational(1, 7)
    args = []
    for i in range(record.arity[0]):
        args.append(sympy.Integer(3) if i in record.integers else
                    inner if inner not in args else next(others))
    expr = record.sympy(*args)
    if not isinstance(expr, record.sympy):
        return  # digamma(u) is polygamma(0, u): that record's step
    tree = derive_steps(expr, x)
    own = [s for s in tree.walk() if s.expr.func is record.sympy and s.rule != "chain"]
    assert own, tree
    assert own[0].rule == (record.rule if record.rule in RULES else "special_function")
    assert record.rule_text and rule_text(record) in own[0].note, own[0].note
    if record.sympy is sympy.DiracDelta:
        return  # δ has no finite values to compare
    try:
        assert node_is_true(_as_powers(expr), x, _as_powers(tree.result)), (expr, tree.result)
    except NameError:  # mpmath has no such function (erfcx): SymPy's derivative at points
        exact = sympy.diff(expr, x)
        for value in (sympy.Rational(3, 10), sympy.Rational(9, 10), sympy.Rational(17, 10)):
            a, b = (sympy.N(e.xreplace({x: value}), 30) for e in (tree.result, exact))
            assert abs(a - b) <= 1e-25 * max(1, abs(b)), (expr, tree.result)


@pytest.mark.parametrize("record", STEPPED, ids=[r.name for r in STEPPED])
def test_the_step_states_the_derivative_the_result_holds(record):
    """A record's derivative text is the one SymPy's result holds (sign′ = 2δ, as H′ = δ),
    so the steps never state sign′(x) = 0 and then "simplify" 0 into 2·δ(x)."""
    from symnum.core.registry import CLASSES
    u = sympy.Symbol("u", real=True)
    args = [sympy.Integer(3) if i in record.integers else sympy.Symbol(f"a{i}", real=True)
            for i in range(record.arity[0])]
    args[0 if 0 not in record.integers else -1] = u
    expr = record.sympy(*args)
    if not isinstance(expr, record.sympy) or not record.derivative:
        return
    index = args.index(u)
    stated = record.partials(*args, classes=CLASSES)[index]
    exact = sympy.diff(expr, u)
    if stated is None or exact.has(sympy.Derivative, sympy.Subs):
        return  # SymPy leaves it unevaluated: the record's text is used as it is
    assert sympy.simplify(exact - stated) == 0, (record.name, exact, stated)


def _as_powers(expr: sympy.Expr) -> sympy.Expr:
    """The real n-th root as sign(u)·|u|^(1/n), which mpmath evaluates."""
    from symnum.core.real_root import RealRoot
    return expr.replace(lambda n: isinstance(n, RealRoot),
                        lambda n: sympy.sign(n.args[0]) * abs(n.args[0]) ** (1 / n.args[1]))


def test_every_kink_is_placed_and_named_by_its_record():
    from symnum.check.points import kink_arguments
    from symnum.core.domain import LOCI, kink_loci, kinks
    names = sympy.symbols("x y z", real=True)
    for record in RECORDS:
        if not record.kink or record.sympy is None:
            continue
        assert record.kink_at in LOCI and record.kink_note, record.name
        node = record.sympy(*names[:record.arity[0]])
        assert kink_loci(node) and kinks()[record.sympy][0] == record.kink
        assert kink_arguments([node]), record.name  # check looks on both sides


class Listings:
    """``symnum functions`` (text, Markdown, JSON), the web page's help, /api/functions."""

    def __init__(self, cli) -> None:
        from starlette.testclient import TestClient

        from symnum.web import create_app
        self.text = cli("functions").stdout
        self.markdown = cli("functions", "--format", "markdown").stdout
        self.json = [f["name"] for f in cli.json("functions")["functions"]]
        client = TestClient(create_app(), base_url="http://localhost")
        self.page = client.get("/").text
        self.api = [f["name"] for f in client.get("/api/functions").json()["functions"]]

    def check(self, record: Record) -> None:
        call = f"{record.name}({', '.join(record.params[:record.arity[0]])}"
        assert call in self.text and record.description in self.text, record.name
        assert f"`{call}" in self.markdown, record.name
        assert record.name in self.json and record.name in self.api, record.name
        assert f"<code>{call}" in self.page, record.name


def test_every_function_is_listed_by_the_cli_and_the_web_page(cli):
    listings = Listings(cli)
    for record in PARSED:
        listings.check(record)


class wobble(sympy.Function):  # noqa: N801 - a function's class is named as it is written
    """A function no table knows: u + sin(u)/2 (a test's stand-in for erfcx or log1mexp)."""

    def fdiff(self, argindex: int = 1) -> sympy.Expr:
        return 1 + sympy.cos(self.args[0]) / 2

    def _eval_evalf(self, prec: int) -> sympy.Expr:
        u = self.args[0]
        return (u + sympy.sin(u) / 2).evalf(prec)


WOBBLE = Record("wobble", wobble, "u + sin(u)/2, a function added in a test", "wobble function",
                aliases=("wob",), unicode=("ж",), latex=r"\operatorname{wobble}",
                latex_in=(r"\wob",), derivative=("1 + cos(u)/2",),
                rule_text="wobble′(u) = 1 + cos(u)/2",
                rule_latex=r"\operatorname{wobble}'(u) = 1 + \frac{\cos u}{2}")


def test_adding_a_function_is_one_record(cli):
    """One record, added for a while, and nothing else: the parser (plain and Unicode
    names), the LaTeX reader and printer, steps, check, the notes and both function lists
    know the function."""
    from symnum.check.claim import check_claim
    from symnum.core.registry import added
    from symnum.steps import derive_steps
    x = sympy.Symbol("x", real=True)
    with pytest.raises(symnum.ParseError):
        parse("wobble(x)")
    with added(WOBBLE):
        expected = wobble(x ** 2)
        for text in ("wobble(x**2)", "wob(x^2)", "ж(x²)"):
            assert parse(text) == expected, text
        for text in (r"\operatorname{wobble}(x^2)", r"\wob\left(x^{2}\right)",
                     r"\mathrm{wobble} x^2"):
            assert parse_latex(text) == expected, text
        assert parse_latex(expr_latex(expected)) == expected
        tree = derive_steps(expected, x)
        assert "wobble'(u) = 1 + cos(u)/2" in tree.substeps[0].note
        assert sympy.simplify(tree.result - sympy.diff(x ** 2 + sympy.sin(x ** 2) / 2, x)) == 0
        assert check_claim("2*x*(1 + cos(x^2)/2)", "wobble(x^2)", wrt="x").correct
        assert not check_claim("1 + cos(x^2)/2", "wobble(x^2)", wrt="x").correct
        assert cli("check", "--of", "wobble(x)", "--", "1 + cos(x)/2").returncode == 0
        assert "wobble" in symnum.Function("wobble(x)").steps().text()
        Listings(cli).check(WOBBLE)
    with pytest.raises(symnum.ParseError):
        parse("wobble(x)")


@pytest.mark.skipif(shutil.which("pdflatex") is None and not os.environ.get(
    "SYMNUM_REQUIRE_LATEX"), reason="pdflatex not installed (CI sets SYMNUM_REQUIRE_LATEX)")
def test_every_function_and_its_rule_compile_in_latex(tmp_path):
    lines = [rf"{expr_latex(applied(r))} &\quad {r.rule_latex} \\" for r in PARSED
             if r.sympy is not None]
    doc = ("\\documentclass{article}\n\\usepackage{amsmath,amssymb}\n\\begin{document}\n"
           "\\begin{align*}\n" + "\n".join(lines) + "\n\\end{align*}\n\\end{document}\n")
    (tmp_path / "functions.tex").write_text(doc)
    proc = subprocess.run(["pdflatex", "-halt-on-error", "-interaction=nonstopmode",
                           "functions.tex"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stdout[-2000:]


@pytest.mark.parametrize("name", ["asin", "acos", "atan", "acot", "asec", "acsc",
                                  "asinh", "acosh", "atanh", "acoth"])
def test_every_inverse_trigonometric_and_hyperbolic_function_reads(name):
    """acoth was known to the kernels and printers but not to the parser (acoth(x): "did you
    mean coth?") while acot, asec and atanh were read."""
    x = sympy.Symbol("x", real=True)
    assert parse(f"{name}(x)") == getattr(sympy, name)(x)
    assert parse_latex(expr_latex(getattr(sympy, name)(x))) == getattr(sympy, name)(x)


def test_inverse_hyperbolic_cotangent_in_latex():
    x = sympy.Symbol("x", real=True)
    assert parse_latex(r"\coth^{-1}(x)") == sympy.acoth(x)
    assert parse_latex(r"\operatorname{arcoth}(2x)") == sympy.acoth(2 * x)


def test_every_records_pieces_are_the_function_where_they_hold():
    from symnum.analysis.kinks import pieces
    names = sympy.symbols("x y z", real=True)
    points = [dict(zip(names, p, strict=True)) for p in
              [(sympy.Rational(7, 10), sympy.Rational(-3, 10), sympy.Rational(1, 10)),
               (sympy.Rational(-7, 10), sympy.Rational(3, 10), sympy.Rational(-1, 10))]]
    checked = 0
    for record in RECORDS:
        if not record.pieces:
            continue
        node = record.sympy(*names[:record.arity[0]])
        found = pieces(node)
        assert len(found) >= len(record.pieces), record.name
        for value, region in found:
            for point in points:
                if bool(region.xreplace(point)):
                    assert node.xreplace(point) == value.xreplace(point), (record.name, value)
                    checked += 1
    assert checked >= 10


@pytest.mark.parametrize("text", ["polygamma(x, 2)", "polygamma(3/2, x)", "polygamma(-1, x)",
                                  r"\psi^{(y)}(x)"])
def test_polygamma_takes_only_a_whole_order(text, cli):
    """A variable order was read and then differentiated (an internal ArgumentIndexError in
    steps, "Tuple cannot be evaluated" from export); kernels and mpmath take whole n ≥ 0."""
    from symnum.core.errors import ParseError
    with pytest.raises(ParseError, match="whole number"):
        parse_latex(text) if text.startswith("\\") else parse(text)
    proc = cli("derive", text, "--steps", *(["--from", "latex"] if "\\" in text else []))
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("error: polygamma(n, u): the order n"), proc.stderr


@pytest.mark.skipif(shutil.which("pdflatex") is None and not os.environ.get(
    "SYMNUM_REQUIRE_LATEX"), reason="pdflatex not installed (CI sets SYMNUM_REQUIRE_LATEX)")
def test_the_function_list_in_latex_compiles(tmp_path, cli):
    r"""`symnum functions --format latex` wrote root as \sqrt[n]\left(u\right), which LaTeX
    refuses, and √u as \sqrt{\left(u \right)}."""
    table = cli("functions", "--format", "latex").stdout
    assert r"\sqrt{u}" in table and r"\sqrt[n]{u}" in table
    doc = ("\\documentclass{article}\n\\usepackage{amsmath,amssymb}\n\\begin{document}\n"
           + table + "\n\\end{document}\n")
    (tmp_path / "list.tex").write_text(doc)
    proc = subprocess.run(["pdflatex", "-halt-on-error", "-interaction=nonstopmode",
                           "list.tex"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stdout[-2000:]


def test_a_pole_is_named_in_words_not_sympys(cli):
    """derive gamma(x) --at x=-1 said "(gamma(x)*polygamma(0, x) = zoo)"."""
    proc = cli("derive", "gamma(x)", "--at", "x=-1")
    assert proc.returncode == 2 and "infinite (a pole)" in proc.stderr, proc.stderr
    assert "zoo" not in proc.stderr
