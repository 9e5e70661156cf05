"""LaTeX input: formulas as papers and lecture notes write them, against their plain spelling.

Each pair is derived twice (LaTeX, plain) and the derivatives are compared at random points
with mpmath at 30 digits, so the test does not trust either reading's printed form.
"""

from __future__ import annotations

import random
import time

import mpmath
import pytest
import sympy

import symnum
from symnum import ParseError, parse_latex

# (LaTeX, plain syntax, wrt)
PAIRS = [
    (r"\frac{1}{1 + e^{-x}}", "sigmoid(x)", "x"),
    (r"\sigma(z)", "sigmoid(z)", "z"),
    (r"\sigma(z)(1 - \sigma(z))", "sigmoid(z)*(1 - sigmoid(z))", "z"),
    (r"-\log \sigma(z)", "-log(sigmoid(z))", "z"),
    (r"-y\log\hat{p} - (1-y)\log(1-\hat{p})", "-y*log(phat) - (1-y)*log(1-phat)", "phat"),
    (r"-\left(y \log \sigma(z) + (1 - y) \log(1 - \sigma(z))\right)",
     "-(y*log(sigmoid(z)) + (1-y)*log(1-sigmoid(z)))", "z"),
    (r"\log(1 + e^{z})", "softplus(z)", "z"),
    # a bare argument is the product after the function, as books write sin 2x and sin ωt
    (r"\sin 2x + \log 3x", "sin(2*x) + log(3*x)", "x"),
    (r"\cos \omega t \sin x", "cos(omega*t)*sin(x)", "t"),
    # f^{-1} of a trigonometric or hyperbolic function is its inverse, not a reciprocal
    (r"\sin^{-1}(x) + \tan^{-1} x + \tanh^{-1}(x/2)", "asin(x) + atan(x) + atanh(x/2)", "x"),
    (r"\operatorname{softplus}(x)", "softplus(x)", "x"),
    (r"\mathrm{ReLU}(x)", "relu(x)", "x"),
    (r"\max(0, x)", "max(0, x)", "x"),
    (r"\max(0, 1 - y w x)", "max(0, 1 - y*w*x)", "w"),
    (r"\tanh(x)", "tanh(x)", "x"),
    (r"\frac{e^{x} - e^{-x}}{e^{x} + e^{-x}}", "tanh(x)", "x"),
    (r"x \sigma(x)", "x*sigmoid(x)", "x"),
    (r"\frac{x}{1 + e^{-x}}", "x*sigmoid(x)", "x"),
    (r"\log\left(e^{a} + e^{b} + e^{c}\right)", "log(exp(a) + exp(b) + exp(c))", "a,b,c"),
    (r"\log \sum_{i=1}^{4} e^{z_i}", "log(exp(z1) + exp(z2) + exp(z3) + exp(z4))",
     "z1,z2,z3,z4"),
    (r"\frac{e^{z_1}}{\sum_{j=1}^{3} e^{z_j}}", "exp(z1)/(exp(z1) + exp(z2) + exp(z3))",
     "z1,z2,z3"),
    (r"\frac{1}{2}(y - w x - b)^2", "(y - w*x - b)^2/2", "w,b"),
    (r"\frac12 \sum_{i=1}^{3} (y_i - w x_i)^2", "((y1-w*x1)^2 + (y2-w*x2)^2 + (y3-w*x3)^2)/2",
     "w"),
    (r"\frac{1}{3}\sum_{i=1}^{3} \log(1 + e^{-y_i w x_i})",
     "(log(1+exp(-y1*w*x1)) + log(1+exp(-y2*w*x2)) + log(1+exp(-y3*w*x3)))/3", "w"),
    (r"\log(1 + \exp(-y(w_1 x_1 + w_2 x_2 + b)))", "log(1 + exp(-y*(w1*x1 + w2*x2 + b)))",
     "w1,w2,b"),
    (r"\lambda (w_1^2 + w_2^2)", "λ*(w1^2 + w2^2)", "w1,w2"),
    (r"\frac{\lambda}{2} \sum_{k=1}^{3} w_k^2", "λ/2*(w1^2 + w2^2 + w3^2)", "w1,w2,w3"),
    (r"\sqrt{x^2 + y^2}", "sqrt(x^2 + y^2)", "x,y"),
    (r"\sqrt[3]{x}", "cbrt(x)", "x"),
    (r"\sqrt[3]{x^2 + 1}", "(x^2+1)^(1/3)", "x"),
    (r"\ln x", "log(x)", "x"),
    (r"\log_2 x", "log(x)/log(2)", "x"),
    (r"\log_{10}(x)", "log10(x)", "x"),
    (r"e^{-\frac{x^2}{2}}", "exp(-x^2/2)", "x"),
    (r"\frac{1}{\sqrt{2\pi\sigma^2}} \exp\left(-\frac{(x - \mu)^2}{2\sigma^2}\right)",
     "exp(-(x-mu)^2/(2*sigma^2))/sqrt(2*pi*sigma^2)", "mu,sigma"),
    (r"-\frac{(x-\mu)^2}{2\sigma^2} - \log\sigma - \frac12\log(2\pi)",
     "-(x-mu)^2/(2*sigma^2) - log(sigma) - log(2*pi)/2", "mu,sigma"),
    (r"\sin^2 x + \cos^2 x", "sin(x)^2 + cos(x)^2", "x"),
    (r"\sin(x)\cos(y)", "sin(x)*cos(y)", "x,y"),
    (r"\sin x \cos x", "sin(x)*cos(x)", "x"),
    (r"x^2 y + 3xy^2", "x^2*y + 3*x*y^2", "x,y"),
    (r"2x^3 - 4x + 1", "2*x^3 - 4*x + 1", "x"),
    (r"(x^2 + 1)^{10}", "(x^2 + 1)^10", "x"),
    (r"x^{-1} + x^{\frac{1}{2}}", "1/x + sqrt(x)", "x"),
    (r"\frac{x^2 - 1}{x^2 + 1}", "(x^2-1)/(x^2+1)", "x"),
    (r"\arctan\left(\frac{y}{x}\right)", "atan(y/x)", "x,y"),
    (r"\left| x - y \right|", "abs(x - y)", "x,y"),
    (r"|x| + |y|", "abs(x) + abs(y)", "x,y"),
    (r"\alpha x^2 + \beta x + \gamma", "alpha*x^2 + beta*x + gamma", "x"),
    (r"\theta_0 + \theta_1 x", "theta0 + theta1*x", "theta0,theta1"),
    (r"w_{11} x_1 + w_{12} x_2", "w11*x1 + w12*x2", "w11,w12"),
    (r"\tanh(w_1 x + b_1) w_2", "tanh(w1*x + b1)*w2", "w1,b1,w2"),
    (r"\sigma(w_2 \tanh(w_1 x + b_1) + b_2)", "sigmoid(w2*tanh(w1*x+b1) + b2)", "w1,b1,w2,b2"),
    (r"\log\cosh(x)", "log(cosh(x))", "x"),
    (r"\operatorname{erf}\left(\frac{x}{\sqrt{2}}\right)", "erf(x/sqrt(2))", "x"),
    (r"\frac{1}{2}\left(1 + \operatorname{erf}\left(\frac{x}{\sqrt 2}\right)\right) x",
     "x*(1 + erf(x/sqrt(2)))/2", "x"),
    (r"x\,e^{x}", "x*exp(x)", "x"),
    (r"\exp(x) \cdot \sin(x)", "exp(x)*sin(x)", "x"),
    (r"x \times y", "x*y", "x,y"),
    (r"\frac{a}{b} \div c", "a/b/c", "a,b"),
    (r"\mathbf{w} x + b", "w*x + b", "w,b"),
    (r"e^{x}", "exp(x)", "x"),
    (r"\pi r^2", "pi*r^2", "r"),
    (r"\dfrac{1}{x}", "1/x", "x"),
    (r"\sqrt{1 - \tanh^2(x)}", "sqrt(1 - tanh(x)^2)", "x"),
    (r"\log(\sigma(x)) + \log(1 - \sigma(x))", "log(sigmoid(x)) + log(1 - sigmoid(x))", "x"),
    # what SymPy's LaTeX printer writes: floor and ceiling brackets, \binom, n!, arguments in braces
    (r"\left\lfloor{x}\right\rfloor x^{2} + \lceil x \rceil x", "floor(x)*x^2 + ceiling(x)*x", "x"),
    (r"{\binom{x}{2}} + \left(x + 1\right)! + x!",
     "binomial(x, 2) + factorial(x + 1) + factorial(x)", "x"),
    (r"\operatorname{polygamma}{\left(1,x \right)}", "polygamma(1, x)", "x"),
]


def _values(expr: sympy.Basic, point: dict) -> list[mpmath.mpf]:
    matrix = expr if isinstance(expr, sympy.MatrixBase) else sympy.Matrix([expr])
    return [sympy.N(e.xreplace(point), 30) for e in matrix]


@pytest.mark.parametrize("latex, plain, wrt", PAIRS)
def test_latex_reads_as_its_plain_spelling(latex, plain, wrt):
    mine = symnum.derive(latex, wrt=wrt, syntax="latex")
    theirs = symnum.derive(plain, wrt=wrt)
    a, b = mine.expanded(), theirs.expanded()
    names = {s.name for s in a.free_symbols | b.free_symbols}
    rng = random.Random(0)
    compared = 0
    for _ in range(30):
        values = {n: sympy.Rational(rng.randint(5, 30), 10) for n in names}
        point_a = {s: values[s.name] for s in a.free_symbols}
        point_b = {s: values[s.name] for s in b.free_symbols}
        va, vb = _values(a, point_a), _values(b, point_b)
        if not all(v.is_real and v.is_finite for v in va + vb):
            continue
        for x, y in zip(va, vb, strict=True):
            assert abs(x - y) <= 1e-25 * max(1, abs(y)), (latex, a, b)
        compared += 1
        if compared == 3:
            break
    assert compared == 3, f"no points to compare for {latex}"


def test_at_least_sixty_formulas_are_covered():
    assert len(PAIRS) >= 60


@pytest.mark.parametrize("latex, shapes, plain", [
    (r"x^\top A x", {"x": "n", "A": "n,n"}, "x.T*A*x"),
    (r"\mathbf{x}^\top \mathbf{A} \mathbf{x}", {"x": "n", "A": "n,n"}, "x.T*A*x"),
    (r"\|Ax - b\|^2", {"x": "n", "A": "m,n", "b": "m"}, "(A*x - b).T*(A*x - b)"),
    (r"\lVert x \rVert_2", {"x": "n"}, "sqrt(x.T*x)"),
    (r"\operatorname{tr}(X^\top A X)", {"X": "n,n", "A": "n,n"}, "tr(X.T*A*X)"),
    (r"\log(1 + \exp(-y\, w^\top x))", {"w": "n", "x": "n"}, "log(1 + exp(-y*w.T*x))"),
    (r"\frac{1}{1+e^{-w^\top x}}", {"w": "n", "x": "n"}, "1/(1 + exp(-w.T*x))"),  # 1×1 power
])
def test_matrix_notation_with_declared_shapes(latex, shapes, plain):
    var = "x" if "x" in shapes else "X"
    assert str(symnum.derive(latex, wrt=var, shapes=shapes, syntax="latex").expr) == \
        str(symnum.derive(plain, wrt=var, shapes=shapes).expr)


def test_a_matrix_literal_is_a_vector_function():
    f = symnum.Function(r"\begin{bmatrix} x y \\ x + y \end{bmatrix}", syntax="latex")
    assert f.is_vector and f.jacobian().nested() == [[sympy.Symbol("y", real=True),
                                                      sympy.Symbol("x", real=True)], [1, 1]]


BAD = [
    r"x +", r"\frac{1}{", r"x^", r"{x", r"\partial f / \partial x", r"\frac{d}{dx} x^2",
    r"\frac{d^2 f}{dx}", r"\int_0^1 x\,dx", r"\lim_{x \to 0} x", r"\input{/etc/passwd}",
    r"\def\x{1} \x", r"\newcommand{\x}{1}", r"\begin{align} x \end{align}",
    r"\foo(x)", r"f(x) = x^2", r"x \leq 1", r"\sum_{i=1}^{n} x_i", r"\sin'(x)",
    r"\sum_{i=1}^{99999999} x_i", r"\prod_{i=1}^{3} x_i", r"x^{10^{10^{10}}}",
    r"\frac{" * 200 + "x", r"\left. x \right|", r"\mathbf{1 + x}",
    r"\mathrm{ELU}(x)", r"\text{GELU}(x)", r"\operatorname{swish} x",  # unknown functions
    r"x^{0.5}^{2}", r"x^2^3", r"x_{} + 1",  # a double superscript, an empty subscript
]


@pytest.mark.parametrize("latex", BAD)
def test_bad_latex_is_refused_quickly_with_a_parse_error(latex):
    start = time.perf_counter()
    with pytest.raises(ParseError):
        parse_latex(latex)
    assert time.perf_counter() - start < 15


def test_payloads_in_latex_never_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for payload in [r"\text{__import__('os').system('touch F')}",
                    r"\operatorname{__import__}(os)", r"x \input{F}", r"\write18{touch F}"]:
        with pytest.raises(ParseError):
            parse_latex(payload)
    assert not list(tmp_path.iterdir())


def test_wrt_and_at_find_a_greek_variable_by_its_name():
    """--wrt sigma means the σ that \\sigma wrote, not a new variable with derivative 0."""
    r = symnum.derive(r"\frac{x - \mu}{\sigma}", wrt="sigma, mu", syntax="latex")
    x, mu, s = 1.5, 0.25, 2.0
    assert [float(v) for v in r.at({"x": x, "μ": mu, "σ": s})] == \
        pytest.approx([-(x - mu) / s**2, -1 / s])
