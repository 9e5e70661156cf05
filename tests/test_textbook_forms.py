"""Scalar results in the forms a deep-learning textbook prints (σ(x)(1 − σ(x)), σ(z) − y,
1 − tanh², softmax-like ratios), the same values as SymPy's raw derivative, in text, LaTeX,
JSON (read back by symnum.parse) and the steps; kernels of σ stay finite at logits ±800.

Oracles: SymPy's own ``diff`` of the input written out with exponentials here (not by
symnum), mpmath at 50 digits, hand-written textbook strings, and stepcheck's finite
differences for every step.
"""

from __future__ import annotations

import json
import random
import warnings

import mpmath as mp
import numpy as np
import pytest
import sympy

import symnum
from symnum.core.logistic import sigmoid, to_exponentials
from symnum.core.render import expr_latex, expr_text, result_json
from symnum.core.textbook import RULES, arguments, textbook
from symnum.steps.render import inline
from tests.stepcheck import node_is_true

x, y, z, w, b, t, u, a = sympy.symbols("x y z w b t u a", real=True)
S = lambda v: 1 / (1 + sympy.exp(-v))  # noqa: E731 - the oracle's σ, written out
SP = lambda v: sympy.log(1 + sympy.exp(v))  # noqa: E731 - softplus

# (input text, wrt, the oracle's f written with exponentials, expected text of the result)
TEXT_FORMS = [
    ("sigmoid(x)", None, S(x), "σ(x)·(1 − σ(x))"),
    ("logistic(3*t)", None, S(3 * t), "3·σ(3·t)·(1 − σ(3·t))"),
    ("σ(x)", None, S(x), "σ(x)·(1 − σ(x))"),
    ("1/(1 + exp(-u))", None, S(u), "σ(u)·(1 − σ(u))"),
    ("exp(u)/(1 + exp(u))", None, S(u), "σ(u)·(1 − σ(u))"),
    ("sigmoid(-x)", None, S(-x), "−σ(−x)·(1 − σ(−x))"),
    ("softplus(x)", None, SP(x), "σ(x)"),
    ("log(1 + exp(2*x))", None, SP(2 * x), "2·σ(2·x)"),
    ("softplus(a*x)", "x", SP(a * x), "a·σ(a·x)"),
    ("log(1 + exp(z)) - y*z", "z", SP(z) - y * z, "σ(z) − y"),
    ("log(1 + exp(t)) - a*t", "t", SP(t) - a * t, "σ(t) − a"),
    ("-(y*log(sigmoid(z)) + (1 - y)*log(1 - sigmoid(z)))", "z",
     -(y * sympy.log(S(z)) + (1 - y) * sympy.log(1 - S(z))), "σ(z) − y"),
    ("-log(sigmoid(z))", None, -sympy.log(S(z)), "σ(z) − 1"),
    ("log(sigmoid(x))", None, sympy.log(S(x)), "1 − σ(x)"),
    ("log(1 - sigmoid(x))", None, sympy.log(1 - S(x)), "−σ(x)"),
    ("sigmoid(x**2)", None, S(x**2), "2·x·σ(x²)·(1 − σ(x²))"),
    ("tanh(x)", None, sympy.tanh(x), "1 − tanh(x)²"),
    ("tanh(w*x + b)", "w", sympy.tanh(w * x + b), "x·(1 − tanh(b + w·x)²)"),
    ("log(1 + exp(-y*w*x))", "w", SP(-y * w * x), "−x·y·σ(−w·x·y)"),
    ("2*sigmoid(2*x) - 1", None, 2 * S(2 * x) - 1, "4·σ(2·x)·(1 − σ(2·x))"),
]


def _derive(text: str, wrt: str | None):
    r = symnum.derive(text, wrt)
    return r, r.expr if r.shape == () else r.expr[0]


def _agree(mine: sympy.Expr, oracle: sympy.Expr, seed: int = 0, points: int = 4) -> None:
    """Equal at random points to 50 digits (mpmath through SymPy's evalf)."""
    rng = random.Random(seed)
    lowered = to_exponentials(mine)
    free = sorted(lowered.free_symbols | oracle.free_symbols, key=lambda s: s.name)
    for _ in range(points):
        point = {s: sympy.Rational(rng.randint(-3000, 3000), 997) for s in free}
        have, want = sympy.N(lowered.xreplace(point), 50), sympy.N(oracle.xreplace(point), 50)
        assert abs(have - want) <= sympy.Float(10) ** -45 * max(1, abs(want)), (mine, point)


@pytest.mark.parametrize("text, wrt, oracle, expected", TEXT_FORMS,
                         ids=[c[0] for c in TEXT_FORMS])
def test_scalar_results_print_as_the_textbook_does(text, wrt, oracle, expected):
    r, entry = _derive(text, wrt)
    assert inline(entry) == expected
    assert "σ" in expr_text(entry) or "tanh" in expected
    assert not r.definitions
    v = sympy.Symbol(wrt or str(r.variables[0]), real=True)
    _agree(entry, sympy.diff(oracle, v))


def test_latex_and_json_of_the_sigmoid_derivative():
    r = symnum.derive("sigmoid(x)")
    assert r.latex() == (r"\frac{d}{d x} \left(\sigma\left(x\right)\right) = "
                         r"\sigma\left(x\right) \left(1 - \sigma\left(x\right)\right)")
    data = result_json(r)
    assert data["result"] == "sigmoid(x)*(1 - sigmoid(x))"
    assert symnum.derive(r"\sigma(x)", syntax="latex").latex() == r.latex()
    bce = result_json(symnum.derive("log(1 + exp(z)) - y*z", "z"))
    assert bce["result"] == "sigmoid(z) - y"
    assert expr_latex(sigmoid(z) ** 2) == r"\sigma^{2}\left(z\right)"


# Functions whose every result entry goes through the JSON round trip and the 50-digit check.
FAMILY = [
    ("(sigmoid(w*x + b) - y)**2", None),
    ("sigmoid(x)*sigmoid(y)", None),
    ("x*sigmoid(x)", None),
    ("sigmoid(sigmoid(x))", None),
    ("log(1 + exp(-y*(a*x + b)))", "a,b"),
    ("(sigmoid(a*tanh(w*x + b) + t) - y)**2", "w,b,a,t"),
    ("log(exp(x) + exp(y) + exp(z))", None),
    ("exp(x)/(exp(x) + exp(y))", None),
    ("1/(1 + exp(-x))**2", None),
    ("sigmoid(2*x + 1)**3 + softplus(-x)", None),
    ("-y*log(exp(z)/(1 + exp(z))) - (1 - y)*log(1/(1 + exp(z)))", "z"),
]


# σ(a·tanh(w·x + b) + t): its ∂/∂w and ∂/∂b take seconds of simplify each; the test of
# definitions below derives them again, so both run in one worker (simplified entries are
# remembered within a worker)
NESTED = "(sigmoid(a*tanh(w*x + b) + t) - y)**2"
SAME_WORKER = pytest.mark.xdist_group("nested_sigmoid")


@pytest.mark.parametrize("text, wrt", [pytest.param(*c, marks=SAME_WORKER) if c[0] == NESTED
                                       else c for c in FAMILY], ids=[c[0] for c in FAMILY])
def test_results_equal_sympys_raw_derivative_and_json_reads_back(text, wrt):
    r = symnum.derive(text, wrt)
    f = to_exponentials(r.function.expr)
    raw = [sympy.diff(f, v) for v in r.variables]
    entries = list(r.expanded())
    texts = result_json(r)["result"]
    texts = texts if isinstance(texts, list) else [texts]
    for k, (entry, want, written) in enumerate(zip(entries, raw, texts, strict=True)):
        assert not entry.has(sympy.exp) or not to_exponentials(entry).has(sigmoid)
        _agree(entry, want, seed=k)
        _agree(symnum.parse(written), want, seed=k + 7)  # symnum reads its JSON back


def test_sigma_appears_wherever_the_input_has_it():
    for text in ("sigmoid(w*x + b)", "(sigmoid(w*x + b) - y)**2", "x*sigmoid(x)",
                 "sigmoid(x)*sigmoid(y)", "1/(1 + exp(-(a*x + b)))", "softplus(a*x + b)"):
        r = symnum.derive(text)
        for entry in r.expanded():
            if entry.has(*r.variables) and entry != 0:
                assert entry.has(sigmoid) and not entry.has(sympy.exp), (text, entry)


def test_higher_derivatives_are_polynomials_in_sigma_factored():
    second = symnum.derive("sigmoid(x)", order=2).expr
    assert second == sigmoid(x) * (1 - sigmoid(x)) * (1 - 2 * sigmoid(x))
    _agree(second, sympy.diff(S(x), x, 2))
    third = symnum.derive("sigmoid(x)", order=3).expr
    assert not third.has(sympy.exp)
    _agree(third, sympy.diff(S(x), x, 3))


def test_softmax_entries_stay_ratios_of_exponentials():
    r = symnum.derive("log(exp(x1) + exp(x2) + exp(x3))")
    x1, x2, x3 = r.variables
    total = sympy.exp(x1) + sympy.exp(x2) + sympy.exp(x3)
    assert list(r.expr) == [sympy.exp(v) / total for v in (x1, x2, x3)]


@SAME_WORKER
def test_small_results_have_no_definitions_large_ones_do():
    assert not symnum.derive("(sigmoid(w*x + b) - y)**2").definitions
    assert not symnum.derive(NESTED, "w,b").definitions
    big = symnum.derive("+".join(f"sin(x{i})*cos(x{(i + 1) % 5})**2" for i in range(5)),
                        what="hessian")
    assert big.definitions


def test_steps_are_true_and_end_in_the_textbook_form():
    for text in ("sigmoid(x)", "(sigmoid(w*x + b) - y)**2", "log(1 + exp(z)) - y*z",
                 "-log(sigmoid(z))", "x*sigmoid(x)"):
        result = symnum.derive(text)
        d = symnum.Function(text).steps()
        for tree, final in zip(d.trees, result.expanded(), strict=True):
            assert tree.result == final  # the last line is the core's textbook form
            for step in tree.walk():
                if step.ref is None:
                    assert node_is_true(step.expr, step.wrt, step.result), (text, step)
    text = symnum.Function("sigmoid(x)").steps().text()
    assert "= σ(x)·(1 − σ(x))" in text and "exp(" not in text.split("result:")[-1]
    hessian = symnum.Function("sigmoid(x)").steps("hessian").text()
    assert "logistic sigmoid: σ' = σ·(1 − σ)" in hessian


def test_claims_in_any_form_are_judged_against_sigma():
    for claim in ("exp(-x)/(1 + exp(-x))**2", "sigmoid(x)*(1 - sigmoid(x))",
                  "σ(x)·(1 − σ(x))", "exp(x)/(1 + exp(x))**2"):
        assert symnum.check_claim(claim, "sigmoid(x)").correct, claim
    for claim in ("sigmoid(x)**2", "sigmoid(x)", "exp(-x)/(1 + exp(-x))"):
        assert not symnum.check_claim(claim, "sigmoid(x)").correct, claim
    assert symnum.check_claim("sigmoid(z) - y", "log(1 + exp(z)) - y*z", "z").correct


def test_sigma_reads_back_from_text_and_latex():
    assert symnum.parse("σ(x)") == symnum.parse("sigmoid(x)") == S(x)
    assert symnum.parse("logistic(x)") == S(x)
    assert symnum.parse("σ*x") == sympy.Symbol("σ", real=True) * x  # alone, σ is a name
    assert symnum.parse_latex(r"\sigma(x)") == S(x)


def test_sigma_is_exact_to_any_precision():
    for value in (sympy.Rational(-7, 3), sympy.Integer(0), sympy.Rational(801)):
        with mp.workdps(60):
            want = 1 / (1 + mp.exp(-mp.mpf(value.p) / value.q))
            assert abs(sympy.N(sigmoid(value), 50) - sympy.Float(str(want), 60)) < 1e-48
    assert sigmoid(0) == sympy.Rational(1, 2)
    assert sigmoid(x).diff(x) == sigmoid(x) * (1 - sigmoid(x))
    assert sigmoid(x).rewrite(sympy.exp) == S(x)


@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_kernels_of_sigma_results_are_finite_at_large_logits(backend):
    logits = np.array([-800.0, -40.0, -1.5, 0.0, 2.0, 40.0, 800.0])
    cases = [("sigmoid(z)", sympy.diff(S(z), z)), ("log(1 + exp(z)) - 0.5*z",
                                                    sympy.diff(SP(z) - z / 2, z)),
             ("sigmoid(z)", sympy.diff(S(z), z, 2))]
    for k, (text, oracle) in enumerate(cases):
        r = symnum.derive(text, order=2 if k == 2 else 1)
        assert r.expr.has(sigmoid)
        kern = symnum.kernel(r, backend=backend)
        arg = logits if backend == "numpy" else __import__("torch").tensor(logits,
                                                                           dtype=__import__(
                                                                               "torch").float64)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            values = np.asarray(kern(arg), dtype=float).reshape(-1)
        assert np.all(np.isfinite(values)), (text, values)
        for v, got in zip(logits, values, strict=True):
            want = float(sympy.N(oracle.xreplace({z: sympy.Float(v)}), 40))
            assert abs(got - want) <= 1e-13 * max(abs(want), 1e-300) + 1e-300, (text, v, got)


def test_rules_are_identities():
    samples = [sympy.exp(u) / (1 + sympy.exp(u)) ** 3, 1 / (1 + sympy.exp(-u)),
               sympy.exp(2 * u) / (1 + sympy.exp(u)), sympy.exp(-2 * u) / (1 + sympy.exp(-u)) ** 2]
    for rule in RULES:
        for e in samples:
            out = rule.rewrite(e)
            if out is not None:
                _agree(out, e)
    assert arguments(SP(-x) + S(2 * x)) == {-x, 2 * x}
    assert textbook(sympy.exp(x) / (1 + sympy.exp(x)) ** 2, frozenset({x})) == \
        sigmoid(x) * (1 - sigmoid(x))


def test_cli_prints_the_textbook_form():
    import contextlib
    import io

    from symnum.cli.app import main
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["derive", "log(1 + exp(z)) - y*z", "--wrt", "z", "--format", "json"])
    assert code in (0, None)
    assert json.loads(out.getvalue())["result"] == "sigmoid(z) - y"


@pytest.mark.parametrize("text, wrt, oracle", [
    ("log(cosh(x))", "x", "tanh(x)"),
    ("log(cosh(w*x + b))", "w", "x*tanh(b + w*x)"),
    ("3*log(cosh(2*x))", "x", "6*tanh(2*x)"),
])
def test_log_cosh_gives_tanh(text, wrt, oracle):
    result = symnum.derive(text, wrt=wrt)
    assert "sinh" not in str(result.expr) and "tanh" in str(result.expr)
    assert sympy.simplify((result.expr - symnum.parse(oracle)).rewrite(sympy.exp)) == 0
