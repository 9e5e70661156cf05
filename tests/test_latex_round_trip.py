"""Every LaTeX string symnum writes reads back (``--from latex``) to the same expression with
the same variables (issue 28): each function of the registry alone, inside another and
around another; their derivatives as ``derive --format latex`` prints them; the catalog's
functions, results and claims; variable names (multi-letter, Greek, subscripted).

Oracle: SymPy's equality, or ``simplify`` of the difference, or mpmath at 30 digits at
random points; the variables' names must match exactly (``lam`` is not l·a·m)."""

from __future__ import annotations

import random

import pytest
import sympy

import symnum
from symnum.chapter.catalog import load
from symnum.core.errors import SymnumError
from symnum.core.latex_input import parse_latex
from symnum.core.parse import parse
from symnum.core.registry import RECORDS, Record
from symnum.core.render import expr_latex

from . import test_display as _display

PARSED = [r for r in RECORDS if r.parsed]


def call(record: Record, inner: str = "x") -> str:
    """``record`` applied to ``inner`` (its first non-integer argument), y and z elsewhere;
    2 where it takes an integer (polygamma's order)."""
    args, placed = [], False
    for i in range(record.arity[0]):
        if i in record.integers:
            args.append("2")
        elif not placed:
            args.append(inner)
            placed = True
        else:
            args.append("yz"[min(i, 2) - 1])
    return f"{record.name}({', '.join(args)})"


def same(back: sympy.Basic, expr: sympy.Basic) -> bool:
    """The same variables by name and assumptions, and the same value."""
    if {(s.name, s.is_real) for s in back.free_symbols} != \
            {(s.name, s.is_real) for s in expr.free_symbols}:
        return False
    if back == expr or sympy.simplify(back - expr) == 0:
        return True
    rng = random.Random(1)
    symbols = sorted(expr.free_symbols, key=lambda s: s.name)
    compared = 0
    for _ in range(8):
        point = {s: sympy.Rational(rng.randint(11, 29), 10) for s in symbols}
        a, b = sympy.N(back.xreplace(point), 30), sympy.N(expr.xreplace(point), 30)
        if not (a.is_number and b.is_number) or a.has(sympy.nan, sympy.zoo) or \
                b.has(sympy.nan, sympy.zoo):
            continue
        if abs(a - b) > sympy.Float(1e-25) * (1 + abs(b)):
            return False
        compared += 1
    return compared >= 2


def reads_back(expr: sympy.Basic, text: str | None = None) -> str | None:
    """None when the LaTeX reads back to ``expr``, else what went wrong."""
    text = expr_latex(expr) if text is None else text
    try:
        back = parse_latex(text)
    except SymnumError as err:
        return f"{expr}: {text!r} does not parse: {err}"
    return None if same(back, expr) else f"{expr}: {text!r} reads as {back}"


ONE = [parse(call(r)) for r in PARSED]
TWO = [parse(call(f, call(PARSED[(i + k) % len(PARSED)]))) for i, f in enumerate(PARSED)
       for k in (1, 7)]


def test_every_function_alone_and_composed_reads_back():
    exprs = ONE + [e**2 + 1 for e in ONE] + TWO
    assert len(TWO) == 2 * len(PARSED)  # each function outside two others, inside two others
    failures = [f for f in map(reads_back, exprs) if f]
    assert not failures, "\n".join(failures)


def _printed_derivatives(expr: sympy.Basic) -> list[tuple[sympy.Expr, str]]:
    """(entry, its LaTeX as ``derive --format latex`` prints it) per entry of d/dx."""
    result = symnum.derive(expr, wrt="x")
    text = result.latex()
    if result.definitions or "\\begin" in text:  # definitions: entries printed one by one
        return [(e, expr_latex(e)) for e in result.expanded()]
    return [(result.expanded()[0], text.split(" = ", 1)[1])]


def test_every_derivative_as_symnum_prints_it_reads_back():
    failures, checked = [], 0
    for expr in ONE + TWO[::2]:
        for entry, text in _printed_derivatives(expr):
            checked += 1
            failures.append(reads_back(entry, text))
    assert checked >= 100
    failures = [f for f in failures if f]
    assert not failures, "\n".join(failures)


def test_the_catalog_reads_back():
    failures, checked = [], 0
    for entry in load():
        if not entry.expr or entry.shapes:
            continue  # matrix notation: read back with its shapes in tests/test_latex_input.py
        exprs = [parse(entry.expr)] + ([parse(entry.claim)] if entry.claim else [])
        exprs += [symnum.derive(entry.expr, wrt=entry.wrt, what=entry.what).expanded()]
        for e in exprs:
            for item in (e if isinstance(e, list | sympy.MatrixBase) else [e]):
                checked += 1
                failures.append(reads_back(item))
    assert checked >= 100
    failures = [f for f in failures if f]
    assert not failures, "\n".join(failures)


NAMES = ["lam", "lamb", "alpha", "theta", "sigma", "Theta", "Gamma", "delta", "gamma", "eta",
         "epsilon", "varepsilon", "nu", "omega", "Delta", "Lambda", "λ", "α", "beta1", "x1",
         "x_1", "x_10", "w12", "w_12", "x_ab", "a_b_c", "alpha_t", "mu_1", "lambda_1", "E_x",
         "rate", "lr", "xy", "e1", "theta0", "x_1_2"]


@pytest.mark.parametrize("name", NAMES)
def test_a_variable_reads_back_under_its_own_name(name):
    x = sympy.Symbol("x", real=True)
    v = parse(name)
    assert isinstance(v, sympy.Symbol) and v.name == name  # as typed
    for expr in (v, v * x + 1, sympy.sin(v * x) / v, v**2, sympy.gamma(v)):
        assert reads_back(expr) is None, reads_back(expr)


def test_the_issue_examples():
    x = sympy.Symbol("x", real=True)
    lam, alpha = parse("lam"), parse("alpha")
    assert parse_latex(expr_latex(lam * x)) == lam * x  # not l·a·m·x
    assert parse_latex(expr_latex(alpha * x)) == alpha * x  # not a new α
    assert parse_latex(r"\alpha") == alpha and parse_latex("α") == parse("α") != alpha
    assert parse_latex(expr_latex(sympy.Heaviside(x))) == sympy.Heaviside(x)
    dd = sympy.DiracDelta(sympy.DiracDelta(x))  # δ(δ(x)) wrote its outer δ as \delta(...)
    assert parse_latex(expr_latex(dd)) == dd
    assert symnum.derive(r"\alpha x^2", wrt="alpha", syntax="latex").at(
        {"alpha": 2, "x": 3}) == 9.0
    assert symnum.derive(r"\alpha x^2", wrt="α", syntax="latex").at({"α": 2, "x": 3}) == 9.0


def test_the_operator_names_the_variable_as_the_result_does():
    text = symnum.derive("lam*x_1**2", wrt="x_1").latex()
    assert text.startswith(r"\frac{d}{d \mathit{x\_1}}") and r"\mathit{lam}" in text


@pytest.mark.skipif(_display.NODE is None or not _display.KATEX.exists(),
                    reason="needs node and vendored KaTeX")
def test_katex_renders_every_name_as_symnum_writes_it():
    x = sympy.Symbol("x", real=True)
    items = [(expr_latex(parse(n) * x + sympy.sin(parse(n))), True) for n in NAMES]
    items.append((symnum.derive("lam*x_1**2", wrt="x_1").latex(), True))
    assert _display._katex_rejects(items) == []


# Matrix results (issue 28, review): X^{-\top}, \mathbf{1}, \mathbf{I}, \odot, x^{\circ -1},
# the relu derivative H(Wx), (Xᵀ)⁻² and subscripted matrix names read back with their shapes.
MATRIX_CASES = [
    ("log(det(X))", "X", {"X": "n,n"}),
    ("x.T*inv(A)*x", "A", {"A": "n,n", "x": "n"}),
    ("-y.T*log(softmax(z))", "z", {"z": "n", "y": "n"}),
    ("u.T*tanh(W*x + c)", "W", {"W": "m,n", "x": "n", "c": "m", "u": "m"}),
    ("sum(sigmoid(W*x))", "W", {"W": "m,n", "x": "n"}),
    ("x.T*(A + Identity(n))*x", "x", {"A": "n,n", "x": "n"}),
    ("log(x).T*y", "x", {"x": "n", "y": "n"}),
    ("sqrt(x).T*y", "x", {"x": "n", "y": "n"}),
    ("relu(W*x).T*y", "W", {"W": "m,n", "x": "n", "y": "m"}),
    ("abs(x).T*y", "x", {"x": "n", "y": "n"}),
    ("tr(inv(X))", "X", {"X": "n,n"}),
    ("x_1.T*W_12*x_1", "x_1", {"x_1": "n", "W_12": "n,n"}),
]


@pytest.mark.parametrize("expr, wrt, shapes", MATRIX_CASES)
def test_a_matrix_result_reads_back_with_its_shapes(cli, expr, wrt, shapes):
    flags = [a for name, dims in shapes.items() for a in ("--shape", f"{name}={dims}")]
    out = cli.json("derive", expr, "--wrt", wrt, *flags)
    lhs, _, rhs = out["latex"].partition(" = ")
    inner = lhs[lhs.index(r"\left(") + len(r"\left("):-len(r"\right)")]
    # the printed function and the printed gradient, both read back from LaTeX, agree
    checked = cli("check", rhs, "--of", inner, "--wrt", wrt, "--from", "latex", *flags)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    again = cli.json("derive", inner, "--wrt", wrt, "--from", "latex", *flags)
    assert again["result"] == out["result"]
    plain = cli("check", out["result"], "--of", expr, "--wrt", wrt, *flags)  # the JSON too
    assert plain.returncode == 0, plain.stdout + plain.stderr
