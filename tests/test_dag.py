"""The graph derivative engine (symnum.core.dag): its text reader against the parser, its
gradients and Hessians against SymPy's own derivatives (exact, at random points with mpmath)
and, end to end through symnum.derive / symnum.kernel, against torch autograd."""

from __future__ import annotations

import math
import random

import mpmath
import numpy as np
import pytest
import sympy
import torch

import symnum
from symnum.core.dag.convert import from_sympy
from symnum.core.dag.differentiate import gradient, hessian
from symnum.core.dag.functions import ensure
from symnum.core.dag.graph import Graph
from symnum.core.dag.ops import ADD, CONST, MUL, POW, UNARY, VAR
from symnum.core.dag.result import GraphResult
from symnum.core.dag.text import read
from symnum.core.parse import parse

ensure()  # the engine's functions, from the registry
NAMES = ["x", "y", "W0_1", "b2"]
FUNCTIONS = ["exp", "log", "sin", "cos", "tan", "tanh", "sinh", "cosh", "atan", "sqrt", "asinh",
             "sech", "ln", "acot"]


def random_text(rng: random.Random, depth: int = 0) -> str:
    """Plain text from the reader's grammar (and some it leaves to the parser)."""
    roll = rng.random()
    if depth > 3 or roll < 0.3:
        return rng.choice(NAMES + ["2", "0.5", "3.25", "7"])
    if roll < 0.45:
        return f"{rng.choice(FUNCTIONS)}({random_text(rng, depth + 1)})"
    if roll < 0.55:
        return f"-{random_text(rng, depth + 1)}"
    if roll < 0.65:
        return f"({random_text(rng, depth + 1)})^{rng.choice(['2', '3', '-1', '0.5', '-2'])}"
    op = rng.choice(["+", "-", "*", "/", " + ", "*"])
    return f"({random_text(rng, depth + 1)}{op}{random_text(rng, depth + 1)})"


def evaluate(g: Graph, node: int, point: dict[str, mpmath.mpf]) -> mpmath.mpc:
    """An independent evaluator of the graph (mpmath, 30 digits)."""
    values: dict[int, object] = {}
    for n in range(node + 1):
        op, args = g.ops[n], g.args[n]
        if op == CONST:
            values[n] = mpmath.mpf(g.data[n].numerator) / g.data[n].denominator
        elif op == VAR:
            values[n] = point.get(g.data[n], mpmath.mpf(0))
        elif op == ADD:
            values[n] = mpmath.fsum(values[a] for a in args)
        elif op == MUL:
            values[n] = values[args[0]] * values[args[1]]
        elif op == POW:
            k = g.data[n]
            values[n] = mpmath.power(values[args[0]], mpmath.mpf(k.numerator) / k.denominator)
        else:
            values[n] = getattr(mpmath, UNARY[op].name)(values[args[0]])
    return values[node]


def close(a: object, b: object) -> bool:
    a, b = complex(a), complex(b)
    if not (math.isfinite(abs(a)) and math.isfinite(abs(b))):
        return True  # a pole at the point: nothing to compare
    return abs(a - b) <= 1e-20 + 1e-18 * max(abs(a), abs(b))


def point(rng: random.Random) -> dict[str, mpmath.mpf]:
    return {n: mpmath.mpf(rng.uniform(0.2, 1.3)) for n in NAMES}


def test_reader_reads_what_the_parser_reads():
    rng = random.Random(26)
    mpmath.mp.dps = 30
    read_count = 0
    for _ in range(80):
        text = random_text(rng)
        found = read(Graph(), text)
        expected = parse(text)
        if found is None:
            continue
        read_count += 1
        g = Graph()
        node, names = read(g, text)
        assert set(names) >= {s.name for s in expected.free_symbols}, text  # x - x: SymPy drops x
        at = point(rng)
        want = expected.evalf(30, subs={s: at[s.name] for s in expected.free_symbols})
        assert close(evaluate(g, node, at), want), text
    assert read_count >= 60  # the reader handles this grammar; the rest is the parser's


@pytest.mark.parametrize("text", ["2x + y", "pi*x", "x**y", "f(x)", "gamma*x", "x^2000",
                                  "sin(x, y)", "log(2)", "x/0", "x +", "x y", "(x", "e^x",
                                  "lambda + x", "x__1", "sigmoid(x)", "007*x",
                                  "x/(2 - 2)", "1e5*x",
                                  # what the parser refuses or SymPy folds (issue 26 review)
                                  "x*007", "x\u00a0*y", "x +\ny", "-" * 300 + "x", "1^" * 300 + "x",
                                  "x - x", "x/(x - x)", "z/(2*(x + y) - 2*x - 2*y)", "x*y/x",
                                  "atanh(x/x)*y", "log(x - x + 1)*y", "sqrt(x)*sqrt(x)*y",
                                  "x^(3/2)/sqrt(x)", "x*x/x^2*y", "exp(x)*exp(-x)*y",
                                  "1/(exp(x)^2*exp(-2*x) - 1)", "exp(x)*exp(1 - x)*y",
                                  "exp(x)*exp(y)*exp(-y)"])
def test_reader_leaves_other_text_to_the_parser(text):
    assert read(Graph(), text) is None


@pytest.mark.parametrize("text", ["3*(x + 1) - 3", "\n x + y\t \n", "sqrt(x)*x*y",
                                  "x*(y + 1) - x*y", "0.1*x + 0.2*x - 0.3*y",
                                  "exp(x)*exp(y)"])
def test_reader_keeps_what_sympy_does_not_fold_to_a_number(text):
    """Collecting like terms finds SymPy's folds only: these still read on the graph."""
    assert read(Graph(), text) is not None


def test_big_text_the_parser_refuses_is_its_clean_error():
    """A 2,000-character text whose start nests 3,000 signs or divides by x − x: the
    parser's one-line error, never a RecursionError or a silent reading."""
    pad = " + ".join(f"q{i}*q{i}" for i in range(200))
    for start, message in (("-" * 3000 + "x", "nested deeper"),
                           ("x/(x - x)", "division by zero")):
        with pytest.raises(symnum.SymnumError, match=message):
            symnum.derive(f"{start} + {pad}", what="gradient")


@pytest.mark.parametrize("text, expected", [
    ("-x**2", "-x**2"), ("2**-1*x", "x/2"), ("x^2^3", "x**8"), ("x/y/2", "x/(2*y)"),
    ("-(-x)", "x"), ("3*(x + 1) - 3", "3*x"), ("sqrt(x)^2", "x")])
def test_reader_precedence_and_folding(text, expected):
    g = Graph()
    node, names = read(g, text)
    at = {"x": mpmath.mpf("0.7"), "y": mpmath.mpf("1.9")}
    value = sympy.sympify(expected).evalf(30, subs={sympy.Symbol(k): v for k, v in at.items()})
    assert close(evaluate(g, node, at), value)


def test_gradient_and_hessian_match_sympy():
    rng = random.Random(7)
    mpmath.mp.dps = 30
    for _ in range(25):
        expr = parse(random_text(rng))
        symbols = sorted(expr.free_symbols, key=lambda s: s.name)
        if not symbols:
            continue
        g = Graph()
        names: dict = {}
        root = from_sympy(g, expr, names)
        xs = [names[s] for s in symbols]
        at = point(rng)
        subs = {s: at[s.name] for s in symbols}
        for node, s in zip(gradient(g, root, xs), symbols, strict=True):
            assert close(evaluate(g, node, at), sympy.diff(expr, s).evalf(30, subs=subs))
        rows = hessian(g, root, xs)
        for i, a in enumerate(symbols):
            for j, b in enumerate(symbols):
                want = sympy.diff(expr, a, b).evalf(30, subs=subs)
                assert close(evaluate(g, rows[i][j], at), want), (expr, a, b)


def mlp(points: int = 4, inputs: int = 4, hidden: int = 8, seed: int = 0):
    """A tanh network's squared loss as text (the benchmark's workload, smaller), its
    parameter names, and the same loss on a flat torch vector."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, (points, inputs)).round(2)
    Y = rng.uniform(-1, 1, points).round(2)
    terms = []
    for p in range(points):
        units = " + ".join(
            f"V{h}*tanh({' + '.join(f'W{h}_{i}*({X[p, i]})' for i in range(inputs))} + b{h})"
            for h in range(hidden))
        terms.append(f"({units} + c - ({Y[p]}))^2")
    names = ([f"W{h}_{i}" for h in range(hidden) for i in range(inputs)]
             + [f"b{h}" for h in range(hidden)] + [f"V{h}" for h in range(hidden)] + ["c"])

    def loss(theta):
        W = theta[:hidden * inputs].reshape(hidden, inputs)
        b = theta[hidden * inputs:hidden * inputs + hidden]
        V = theta[hidden * (inputs + 1):hidden * (inputs + 2)]
        out = torch.tanh(torch.tensor(X) @ W.T + b) @ V + theta[-1]
        return ((out - torch.tensor(Y)) ** 2).sum()
    return " + ".join(terms), names, loss


@pytest.fixture(scope="module")
def network():
    text, names, loss = mlp(points=4, inputs=8, hidden=4)  # 41 parameters
    assert len(text) > 2_000  # big enough for the graph route
    return text, names, loss, symnum.derive(text, wrt=names, what="hessian")


def test_big_hessian_is_derived_on_the_graph_and_matches_autograd(network):
    text, names, loss, r = network
    assert isinstance(r, GraphResult) and r.shape == (len(names), len(names))
    assert "expr" not in r.function.__dict__  # nothing parsed by SymPy to derive it
    theta = np.random.default_rng(3).normal(0, 0.5, len(names))
    expected = torch.autograd.functional.hessian(loss, torch.tensor(theta)).numpy()
    k = symnum.kernel(r)
    assert "expr" not in r.function.__dict__  # nor to compile it
    batch = k(*[np.array([v, v / 2]) for v in theta])
    assert np.allclose(batch[0], expected, atol=1e-12)
    torch_k = symnum.kernel(r, backend="torch")
    assert np.allclose(torch_k(*[torch.tensor([v]) for v in theta])[0].numpy(), expected,
                       atol=1e-12)
    assert np.allclose(k(*theta), expected, atol=1e-12)  # one point, Python floats
    direct = symnum.kernel(text, wrt=names, what="hessian")  # from the text: the same route
    assert isinstance(direct.target, GraphResult)
    assert np.allclose(direct(*theta), expected, atol=1e-12)


def test_a_program_held_in_arrays_is_the_same_program_in_less_memory(network):
    """The form big kernels take (kernels/compact.py), forced on the 41-parameter network:
    the same steps, kinds, last uses and values as the list form, at under 64 bytes a step."""
    from symnum.kernels.graph_program import graph_program
    text, names, loss, r = network
    made = [graph_program(r.graph, r.graph_entries, r.graph_inputs, "numpy", names,
                          compact=c) for c in (False, True)]
    lists, arrays = made
    assert [s for _, s in arrays.steps] == [s for _, s in lists.steps]
    assert list(arrays.ops) == lists.ops and arrays.outputs == lists.outputs
    assert [arrays.released(k) for k in range(len(lists.steps))] == \
        [lists.released(k) for k in range(len(lists.steps))]
    theta = [np.linspace(v, v + 1, 3) for v in np.random.default_rng(4).normal(0, 0.5,
                                                                          len(names))]
    for a, b in zip(lists.run(*theta), arrays.run(*theta), strict=True):
        assert np.array_equal(a, b)
    held = arrays.steps.slots.flat.nbytes + arrays.steps.slots.ptr.nbytes + \
        arrays.steps.kind.nbytes + arrays._release.flat.nbytes + arrays._release.ptr.nbytes
    assert held < 64 * len(lists.steps)


def test_big_hessian_reads_like_the_sympy_route(network):
    """What a person reads is built on demand, and equals SymPy's Hessian at a point."""
    text, names, loss, r = network
    symbols = {s.name: s for s in r.function.expr.free_symbols}
    rng = random.Random(1)
    theta = [sympy.Rational(rng.randint(-9, 9), 10) for _ in names]
    subs = {symbols[n]: v for n, v in zip(names, theta, strict=True)}
    for name, value in r.definitions:  # each definition's value, in order, as a number
        subs[name] = sympy.N(value.xreplace(subs), 30)
    expected = torch.autograd.functional.hessian(
        loss, torch.tensor([float(v) for v in theta], dtype=torch.float64)).numpy()
    for i, j in [(0, 0), (0, 5), (3, 38), (38, 38), (len(names) - 1, 2)]:
        assert abs(float(r.matrix[i, j].xreplace(subs)) - expected[i, j]) < 1e-12
    text_out, latex_out = r.text(), r.latex()
    assert "W0_0" in text_out and "W_{0 0}" in latex_out or "W_{0_0}" in latex_out


def test_big_gradient_on_the_graph_and_fallbacks(network):
    text, names, loss, _ = network
    g = symnum.derive(text, wrt=names, what="gradient")
    assert isinstance(g, GraphResult)
    theta = np.random.default_rng(4).normal(0, 0.5, len(names))
    t = torch.tensor(theta, requires_grad=True)
    loss(t).backward()
    assert np.allclose(symnum.kernel(g)(*theta), t.grad.numpy(), atol=1e-12)
    # a constant, a name not in the text, too few variables: SymPy's route, same answer
    for other in (symnum.derive(text + " + 0*pi", wrt=names[:3], what="gradient"),
                  symnum.derive(text, wrt=names[:3] + ["z"], what="gradient")):
        assert not isinstance(other, GraphResult)
    assert not isinstance(symnum.derive(text, wrt=names[:10], what="hessian"), GraphResult)


def test_cli_prints_a_graph_hessian(cli, network):
    text, names, _, r = network
    data = cli.json("derive", text, "--wrt", ",".join(names), "--what", "hessian",
                    "--format", "json")
    assert len(data["result"]) == len(names) and data["definitions"]
    assert data["wrt"] == names
    # the function as printed from the graph reads back as the same function
    written, printed = parse(text), parse(data["expr"])
    at = {s: sympy.Rational(k % 7 - 3, 5) for k, s in enumerate(written.free_symbols)}
    assert abs(float(written.xreplace(at) - printed.xreplace(at))) < 1e-12


def test_text_over_the_parsers_limit_is_refused_as_before():
    from symnum.core.errors import SymnumError
    with pytest.raises(SymnumError, match="long"):
        symnum.derive("+".join(f"x{i % 50}" for i in range(60_000)), what="gradient")


def test_a_function_of_40_variables_takes_the_graph_for_its_hessian_method():
    """Function.hessian() as Function.differentiate("hessian"): 40 variables on the graph
    (it was SymPy's diff, entry by entry: 10 s for 42 variables)."""
    names = [f"w{i}" for i in range(40)]
    f = symnum.Function(" + ".join(f"tanh(w{i}*w{(i + 1) % 40})**2" for i in range(40)),
                        wrt=names)
    r = f.hessian()
    assert isinstance(r, GraphResult) and r.shape == (40, 40)
    w0, w1 = sympy.symbols("w0 w1", real=True)
    want = sympy.diff(sympy.tanh(w0 * w1) ** 2, w0, w1)
    assert sympy.simplify(r.expanded()[0, 1] - want) == 0
    assert type(symnum.Function("x**2*y").hessian()).__name__ == "Result"  # small: as before
