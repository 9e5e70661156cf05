"""The backpropagation view: graph structure, forward values, adjoints = the gradient."""

from __future__ import annotations

import pytest
import sympy

import symnum
from symnum.analysis.graph import build_graph

from .oracle import close, partial

NEURON = "(sigmoid(w*x + b) - y)^2"
POINT = {"w": 0.5, "b": -1.0, "x": 2.0, "y": 1.0}


@pytest.mark.parametrize("text, wrt", [
    (NEURON, "w,b"), ("log(1 + exp(-y*(w*x + b)))", "w,b"), ("sin(exp(x**2))", "x"),
    ("x*y*z + sin(x*y)", "x,y,z"), ("tanh(w1*x1 + w2*x2)", "w1,w2"),
])
def test_backward_sweep_gives_the_gradient(text, wrt):
    f = symnum.Function(text, wrt=wrt)
    point = {**{s.name: 0.3 + 0.1 * k for k, s in enumerate(sorted(
        f.expr.free_symbols, key=lambda s: s.name))}}
    grad = f.graph().gradient(point)
    every = sorted(f.expr.free_symbols, key=lambda s: s.name)
    at = [point[s.name] for s in every]
    for v, g in zip(f.variables, grad, strict=True):
        orders = [int(s == v) for s in every]
        assert close(float(g), partial(f.expr, every, at, orders))


def test_shared_subexpressions_are_one_node():
    x = sympy.Symbol("x", real=True)
    g = build_graph(sympy.sin(x) ** 2 + sympy.sin(x), (x,))
    assert [str(n.definition) for n in g.nodes].count("sin(x)") == 1
    sweep = {a.name: a for a in g.backward()}
    sin_node = next(n.name for n in g.nodes if str(n.definition) == "sin(x)")
    assert len(sweep[sin_node].terms) == 2  # two consumers: the square and the sum


def test_neuron_text_has_forward_backward_and_gradient(cli):
    out = cli("derive", NEURON, "--wrt", "w,b", "--steps", "graph", "--at",
              "w=0.5,b=-1,x=2,y=1").stdout
    assert "forward pass at w = 1/2, b = -1, x = 2, y = 1:" in out
    assert "backward pass" in out and "∂f/∂w = w̄ = -0.5" in out and "∂f/∂b = b̄ = -0.25" in out


def test_graph_json_and_latex(cli):
    d = cli.json("derive", NEURON, "--wrt", "w,b", "--steps", "graph", "--at",
                 "w=0.5,b=-1,x=2,y=1")
    assert d["graph"]["nodes"][-1]["value"] == 0.25
    adjoints = {a["adjoint"]: a["value"] for a in d["graph"]["backward"]}
    assert adjoints["w"] == d["value"][0] and adjoints["b"] == d["value"][1]
    latex = cli("derive", NEURON, "--wrt", "w,b", "--steps", "graph", "--format", "latex").stdout
    assert latex.startswith(r"\begin{align*}") and r"\bar{v}" in latex.replace("{v_{", "{v")


def test_graph_needs_a_scalar_function(cli):
    proc = cli("derive", "[x, y]", "--steps", "graph")
    assert proc.returncode == 2 and proc.stderr.startswith("error:")



def test_huge_power_at_a_point_is_evaluated_in_bounded_time():
    """x**(10**9) at x = 1.0001: the forward value and the adjoint are floating-point powers
    (mpmath), not exact rationals with billions of digits (which hung the page's graph; an
    exact power holds the GIL, so it runs in a child process with a deadline)."""
    import subprocess
    import sys

    import mpmath

    code = ("import symnum; g = symnum.Function('x**(10**9)').graph().at({'x': '1.0001'}); "
            "print(g.gradient()[0])")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    with mpmath.workdps(30):
        expected = 10**9 * mpmath.mpf("1.0001") ** (10**9 - 1)
        assert abs(mpmath.mpf(done.stdout.strip()) / expected - 1) < 1e-20


def test_a_value_beyond_float64_is_valid_json_with_its_magnitude():
    """x**(10**9) at 2: JSON has no Infinity (the page failed: 'Unexpected token I'); the
    value is SymPy's text of the number, which mpmath reads back."""
    import json

    import mpmath

    from symnum.analysis.graph import graph_json
    from symnum.core.render import dumps

    graph = symnum.Function("x**(10**9)").graph()
    text = dumps(graph_json(graph, {"x": 2}))

    def refuse(constant):
        raise AssertionError(f"{constant} is not JSON")

    data = json.loads(text, parse_constant=refuse)
    value = data["nodes"][0]["value"]
    assert abs(mpmath.mpf(value) / mpmath.mpf(2) ** (10**9) - 1) < 1e-25
