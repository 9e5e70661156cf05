"""Textbook notation in plain input, and the round trip of what symnum prints."""

from __future__ import annotations

import pytest
import sympy
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import symnum
from symnum import ParseError, parse
from symnum.core.notation import to_python
from symnum.steps.render import inline

x, y, n = sympy.symbols("x y n", real=True)


@pytest.mark.parametrize("text, plain", [
    ("x² + y³", "x**2 + y**3"),
    ("xⁿ", "x**n"),
    ("x⁻¹", "1/x"),
    ("eˣ", "exp(x)"),
    ("sin²(x) + cos²(x)", "sin(x)**2 + cos(x)**2"),
    ("√x", "sqrt(x)"),
    ("√(x² + 1)", "sqrt(x**2 + 1)"),
    ("∛x", "cbrt(x)"),
    ("2·x × y", "2*x*y"),
    ("x − y", "x - y"),
    ("2πx", "2*pi*x"),
    ("πr²", "pi*r**2"),
    ("2x", "2*x"),
    ("3x^2", "3*x**2"),
    ("2(x + 1)", "2*(x + 1)"),
    ("(x + 1)(x − 1)", "(x + 1)*(x - 1)"),
    ("2√x", "2*sqrt(x)"),
    ("0.5x²", "x**2/2"),
    ("1e-3x", "x/1000"),
    ("λ·x + μ", "λ*x + μ"),
    ("σ(x)", "sigmoid(x)"),                            # applied σ is the logistic sigmoid
    ("f(x) + σ", "f(x) + σ"),                          # other single letters stay functions
])
def test_textbook_notation_reads_as_the_plain_form(text, plain):
    assert parse(text) == parse(plain)


@pytest.mark.parametrize("text", ["x1 + x2", "xy", "f(x)", "2*x", "1e-5", "x.T", "x**-2",
                                  "log(x, 2)", "[x, 2*y]", "2.5e+3*x", "(x)*(y)"])
def test_plain_syntax_is_left_as_it_is(text):
    assert to_python(text) == text


@pytest.mark.parametrize("text, message", [
    ("lambda*x", "lam or λ"),
    ("0x1F", "decimal"),
    ("√", "root of"),
    ("x ≥ 1", "comparisons"),
])
def test_notation_that_cannot_be_read_is_refused_with_a_hint(text, message):
    with pytest.raises(ParseError, match=message):
        parse(text)


_leaves = st.sampled_from([x, y, sympy.Integer(2), sympy.Rational(1, 3), sympy.pi, sympy.E])
_unary = [sympy.sin, sympy.cos, sympy.exp, sympy.log, sympy.sqrt, sympy.tanh, sympy.Abs]


def _trees(depth: int):
    if depth == 0:
        return _leaves
    sub = _trees(depth - 1)
    return st.one_of(
        sub,
        st.builds(lambda a, b: a + b, sub, sub),
        st.builds(lambda a, b: a - b, sub, sub),
        st.builds(lambda a, b: a * b, sub, sub),
        st.builds(lambda a, b: a / b, sub, sub.filter(lambda e: e != 0)),
        st.builds(lambda a, k: a ** k, sub, st.sampled_from([2, 3, -1, -2, sympy.Rational(1, 2)])),
        st.builds(lambda f, a: f(a), st.sampled_from(_unary), sub),
    )


@settings(max_examples=150, deadline=None, derandomize=True)
@given(_trees(3))
def test_what_symnum_prints_inline_parses_back_to_the_same_expression(expr):
    assume(not expr.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo))
    text = inline(expr)
    back = parse(text)
    assert back == expr or sympy.simplify(back - expr) == 0, (expr, text, back)


def test_steps_text_of_a_derivation_can_be_pasted_back():
    steps = symnum.derive("exp(x)*sin(x)**2/(1 + x**2)").expr
    assert sympy.simplify(parse(inline(steps)) - steps) == 0
