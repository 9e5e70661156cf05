"""The backward pass shown on the user's formula: every equation is a true statement.

Each equation's value (in the user's variables) is compared with torch autograd on a torch
formula of the same network (z_l.retain_grad() gives ∂f/∂z_l), its formula in the names
z_l, a_l, δ_l with its value, and the last with symnum's result; each differential step of
the output error is checked by central differences. Sizes differ per dimension."""

from __future__ import annotations

import numpy as np
import pytest
import sympy
import torch

import symnum
from symnum.matrix.backprop import backprop_json, backprop_latex, backprop_text
from symnum.matrix.network import backward_pass
from symnum.matrix.result import explicit

SIZES = {"n": 3, "h": 4, "m": 2, "k": 5}
T = torch


def sig(t):
    return 1 / (1 + T.exp(-t))


def two_tanh(v):
    z1 = v["W1"] @ v["x"] + v["b1"]
    z2 = v["W2"] @ T.tanh(z1) + v["b2"]
    return T.tanh(z2).sum(), [z1, z2]


def cross_entropy(v):
    z1 = v["W1"] @ v["x"]
    z2 = v["W2"] @ sig(z1)
    return -(v["y"] * T.log_softmax(z2, 0)).sum(), [z1, z2]


def least_squares(v):
    z1 = v["W1"] @ v["x"]
    z2 = v["W2"] @ T.tanh(z1)
    return ((z2 - v["y"]) ** 2).sum(), [z1, z2]


def three_layers(v):
    z1 = v["W1"] @ v["x"]
    z2 = v["W2"] @ T.tanh(z1)
    z3 = v["W3"] @ z2 + v["b3"]
    return sig(z3).sum(), [z1, z2, z3]


def batch(v):
    z1 = v["W1"] @ v["X"]
    z2 = v["W2"] @ T.tanh(z1)
    return T.tanh(z2).sum(), [z1, z2]


TWO = "W1=h,n x=n b1=h W2=m,h b2=m"
# (expression, wrt, shapes, torch forward: f and the pre-activations z_l)
CASES = [
    ("sum(tanh(W2*tanh(W1*x + b1) + b2))", "W1", TWO, two_tanh),
    ("sum(tanh(W2*tanh(W1*x + b1) + b2))", "b1", TWO, two_tanh),
    ("sum(tanh(W2*tanh(W1*x + b1) + b2))", "W2", TWO, two_tanh),
    ("sum(tanh(W2*tanh(W1*x + b1) + b2))", "x", TWO, two_tanh),
    ("-y.T*log(softmax(W2*sigmoid(W1*x)))", "W1", "W1=h,n x=n W2=m,h y=m", cross_entropy),
    ("(W2*tanh(W1*x) - y).T*(W2*tanh(W1*x) - y)", "W1", "W1=h,n x=n W2=m,h y=m",
     least_squares),
    ("sum(sigmoid(W3*(W2*tanh(W1*x)) + b3))", "W1", "W1=h,n x=n W2=m,h W3=k,m b3=k",
     three_layers),
    ("sum(tanh(W2*tanh(W1*X)))", "W1", "W1=h,n X=n,k W2=m,h", batch),  # columns of X: a batch
]


def _values(r, rng) -> dict[str, np.ndarray]:
    out = {}
    for name, dims in r.function.shapes.items():
        shape = tuple(SIZES[str(d)] for d in dims) + ((1,) if len(dims) == 1 else ())
        out[name] = rng.normal(size=shape) if name != "y" else rng.uniform(0.1, 1, size=shape)
    return out


def _numeric(e: sympy.Basic, comps: dict) -> np.ndarray:
    value = explicit(e, None, {sympy.Symbol(k, integer=True): v for k, v in SIZES.items()},
                     comps)
    return np.array(sympy.N(value, 17).tolist() if isinstance(value, sympy.MatrixBase)
                    else float(value), dtype=float)


def _comps(values: dict) -> dict:
    return {sympy.MatrixSymbol(k, *v.shape): sympy.ImmutableMatrix(v.tolist())
            for k, v in values.items()}


@pytest.mark.parametrize("text, wrt, shapes, forward", CASES,
                         ids=[f"{c[1]}-{c[3].__name__}" for c in CASES])
def test_every_equation_of_the_backward_pass_is_true(text, wrt, shapes, forward):
    r = symnum.derive(text, wrt=wrt, shapes=dict(s.split("=") for s in shapes.split()))
    bp = backward_pass(r)
    assert bp is not None
    values = _values(r, np.random.default_rng(3))
    tensors = {k: T.tensor(v, requires_grad=True) for k, v in values.items()}
    f, zs = forward(tensors)
    for z in zs:
        z.retain_grad()
    f.backward()
    z_of = {}  # the name z_l → torch's z_l
    named = dict(values)
    rules = [q.rule for q in bp.equations]
    assert rules[-1].endswith("_gradient") and "output_error" in rules
    for q in bp.equations:
        value = _numeric(q.value, _comps(values))
        if not q.rule.startswith("loss"):  # the formula in the names says the same
            np.testing.assert_allclose(_numeric(q.formula, _comps(named)), value, rtol=1e-10,
                                       atol=1e-12, err_msg=q.rule)
        if q.rule == "layer":
            z_of[q.name] = zs[len(z_of)]
            expected = z_of[q.name].detach().numpy()
        elif q.rule == "activation":
            expected = None
        elif q.rule.startswith("loss"):
            expected = f.detach().numpy()
        elif q.rule in ("output_error", "backward"):
            expected = z_of[q.wrt].grad.numpy()
        else:
            expected = tensors[wrt].grad.numpy()
        if expected is not None:
            np.testing.assert_allclose(value, expected, rtol=1e-10, atol=1e-12,
                                       err_msg=q.rule)
        if isinstance(q.name, sympy.MatrixSymbol) and q.name.name not in values:
            named[q.name.name] = value
    np.testing.assert_allclose(_numeric(r.expr, _comps(values)), tensors[wrt].grad.numpy(),
                               rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("text, wrt, shapes, forward", CASES[:1] + CASES[4:6],
                         ids=["tanh", "cross-entropy", "least-squares"])
def test_the_output_errors_differentials_are_true(text, wrt, shapes, forward):
    """d(expr) = result along a random direction, by central differences."""
    from symnum.matrix.backprop import _substeps
    r = symnum.derive(text, wrt=wrt, shapes=dict(s.split("=") for s in shapes.split()))
    q = next(q for q in backward_pass(r).equations if q.rule == "output_error")
    rng = np.random.default_rng(4)
    values = {m.name: rng.normal(size=(SIZES[str(m.shape[0])], 1))
              for m in q.of.atoms(sympy.MatrixSymbol)}
    direction = rng.normal(size=values[q.wrt.name].shape)
    (tree,) = _substeps(q)
    for node in tree.walk():
        def at(t, node=node):
            moved = {**values, q.wrt.name: values[q.wrt.name] + t * direction}
            return _numeric(node.expr, _comps(moved))
        numeric = (at(1e-6) - at(-1e-6)) / 2e-6
        claimed = _numeric(node.result, _comps({**values, "d" + q.wrt.name: direction}))
        np.testing.assert_allclose(claimed, numeric, rtol=1e-6, atol=1e-8, err_msg=node.rule)


@pytest.mark.parametrize("text, wrt, shapes", [
    ("x.T*A*x", "A", "x=n A=n,n"),  # a quadratic form, not a network
    ("(W*x + b - y).T*(W*x + b - y)", "W", "W=m,n x=n b=m y=m"),  # one linear layer
    ("sum(tanh(W*tanh(W*x)))", "W", "W=n,n x=n"),  # W in two layers
    ("sum(tanh(W2*tanh(W1*x))) + x.T*x", "x", "W1=h,n x=n W2=m,h"),  # x also outside
])
def test_no_backward_pass_where_the_recursion_would_not_hold(text, wrt, shapes):
    r = symnum.derive(text, wrt=wrt, shapes=dict(s.split("=") for s in shapes.split()))
    assert backward_pass(r) is None


def test_the_backward_pass_reads_as_a_textbook_writes_it():
    r = symnum.derive(*CASES[0][:2], shapes=dict(s.split("=") for s in TWO.split()))
    bp = backward_pass(r)
    text = backprop_text(bp)
    for line in ["  z1 = W1 x + b1", "  a1 = tanh(z1)", "  z2 = W2 a1 + b2", "  f = 𝟏ᵀ a2",
                 "[1] δ2 = ∂f/∂z2 = 𝟏 − tanh²(z2)",
                 "δ1 = ∂f/∂z1 = (W2ᵀ δ2) ⊙ (𝟏 − tanh²(z1))",
                 "      backward recursion: δₗ = (Wₗ₊₁ᵀ δₗ₊₁) ⊙ σ′(zₗ)",
                 "∂f/∂W1 = δ1 xᵀ", "      weight gradient: ∂f/∂Wₗ = δₗ aₗ₋₁ᵀ"]:
        assert line in text, line
    latex = backprop_latex(bp)
    assert r"\delta_{1} = \frac{\partial f}{\partial z_{1}}" in latex
    assert "delta" not in latex.replace(r"\delta", "")
    data = backprop_json(bp)
    assert data["rule"] == "backward_pass" and data["result"] == r.string()
    assert [s["rule"] for s in data["substeps"]][-3:] == ["output_error", "backward",
                                                           "weight_gradient"]
    assert data["substeps"][-1]["result"] == "delta1*x.T"
    from symnum.matrix.derivation import matrix_derivation
    markdown = matrix_derivation(r).markdown()  # notebooks
    assert r"- **backward recursion**: $\delta_{1} = \frac{\partial f}{\partial z_{1}}" in markdown
    assert "**by differentials**" in markdown


def test_the_cli_shows_the_backward_pass_in_text_and_json(cli):
    args = ["-y.T*log(softmax(W2*sigmoid(W1*x)))", "--wrt", "W1", "--shape", "W1=h,n",
            "--shape", "x=n", "--shape", "W2=m,h", "--shape", "y=m", "--steps"]
    text = cli("derive", *args).stdout
    assert "δ2 = ∂f/∂z2 = softmax(z2)(𝟏ᵀy) − y" in text
    assert "δ1 = ∂f/∂z1 = (W2ᵀ δ2) ⊙ (σ(z1) ⊙ (𝟏 − σ(z1)))" in text
    assert text.index("backward pass") < text.index("by differentials")
    trees = cli.json("derive", *args)["steps"]
    assert [t["rule"] for t in trees] == ["backward_pass", "read_off"]
    assert all(t["label"] for t in trees)
    assert cli("derive", *args, "--format", "latex").stdout.count(r"\delta_{2}") >= 2
