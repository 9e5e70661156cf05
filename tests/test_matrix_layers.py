"""Layers in matrix notation (symnum.core.matrix_layers): softmax of a matrix row by row
(attention), layernorm and var. Gradients and Jacobians against torch autograd (an oracle
sharing no code with symnum) at two size assignments, every dimension a different size; the
text, LaTeX and JSON forms read back to the same values; misuse is a one-line error."""

from __future__ import annotations

import numpy as np
import pytest
import sympy
import torch
import torch.nn.functional as F

import symnum
from symnum.core.errors import ParseError
from symnum.core.latex_input import parse_latex
from symnum.core.matrix_layers import EPS, LayerNorm, RowSoftmax, Variance
from symnum.core.parse import parse
from symnum.core.shapes import declared_shapes
from symnum.matrix.result import explicit

T = torch.float64
ATTENTION = {"Q": "n,k", "K": "m,k", "V": "m,p", "Y": "n,p"}
LAYER = {"W": "m,n", "x": "n", "g": "n", "b": "n", "c": "m", "y": "m"}
SIZES = ({"n": 2, "k": 3, "m": 4, "p": 5}, {"n": 4, "k": 2, "m": 3, "p": 2})


def _attention(v, scale):
    return torch.softmax(v["Q"] @ v["K"].T / scale, dim=-1) @ v["V"]


def _ln(x, eps=1e-5):
    return F.layer_norm(x, (x.shape[0],), eps=eps)


# (expression, wrt, shapes, scalar parameters, torch's function of the named tensors)
CASES = [
    ("sum(softmax(Q*K.T/sqrt(d)) * V)", "Q", ATTENTION, {"d": 3.0},
     lambda v: _attention(v, 3.0 ** 0.5).sum()),
    ("sum(softmax(Q*K.T/sqrt(d)) * V)", "K", ATTENTION, {"d": 3.0},
     lambda v: _attention(v, 3.0 ** 0.5).sum()),
    ("sum(softmax(Q*K.T/sqrt(k)) * V ⊙ Y)", "K", ATTENTION, {},  # k: Q's width, a dimension
     lambda v: (_attention(v, v["Q"].shape[1] ** 0.5) * v["Y"]).sum()),
    ("sum((softmax(Q*K.T/2)*V - Y) ⊙ (softmax(Q*K.T/2)*V - Y))", "Q", ATTENTION, {},
     lambda v: ((_attention(v, 2.0) - v["Y"]) ** 2).sum()),
    ("sum(softmax(Q*K.T) * V)", "V", ATTENTION, {},
     lambda v: _attention(v, 1.0).sum()),
    ("w.T*layernorm(x)", "x", {"w": "n", "x": "n"}, {},
     lambda v: v["w"] @ _ln(v["x"])),
    ("w.T*layernorm(x, eps)", "x", {"w": "n", "x": "n"}, {"eps": 0.25},
     lambda v: v["w"] @ _ln(v["x"], 0.25)),
    ("sum(tanh(W*(g ⊙ layernorm(x) + b) + c) ⊙ y)", "x", LAYER, {},
     lambda v: (torch.tanh(v["W"] @ (v["g"] * _ln(v["x"]) + v["b"]) + v["c"]) * v["y"]).sum()),
    ("sum(tanh(W*(g ⊙ layernorm(x) + b) + c) ⊙ y)", "W", LAYER, {},
     lambda v: (torch.tanh(v["W"] @ (v["g"] * _ln(v["x"]) + v["b"]) + v["c"]) * v["y"]).sum()),
    ("sum(tanh(W*(g ⊙ layernorm(x) + b) + c) ⊙ y)", "g", LAYER, {},
     lambda v: (torch.tanh(v["W"] @ (v["g"] * _ln(v["x"]) + v["b"]) + v["c"]) * v["y"]).sum()),
    ("-y.T*log(softmax(W*layernorm(x, 0)))", "x", LAYER, {},
     lambda v: -v["y"] @ torch.log_softmax(v["W"] @ _ln(v["x"], 0.0), 0)),
    ("var(x)", "x", {"x": "n"}, {}, lambda v: v["x"].var(unbiased=False)),
    ("layernorm(x)", "x", {"x": "n"}, {}, lambda v: _ln(v["x"])),  # Jacobians
    ("layernorm(x, eps)", "x", {"x": "n"}, {"eps": 0.5}, lambda v: _ln(v["x"], 0.5)),
]
IDS = [f"{c[1]}-{c[0][:40]}" for c in CASES]


def _values(shapes: dict, sizes: dict, rng: np.random.Generator) -> dict[str, np.ndarray]:
    return {name: rng.normal(size=tuple(sizes[d] for d in dims.split(",")))
            for name, dims in shapes.items()}


def _at(r, expr, values: dict, scalars: dict, sizes: dict) -> np.ndarray:
    """expr (over r's matrices) at float matrices: the components are numbers from the start
    (MatrixResult.at keeps them exact, slow for attention)."""
    f = r.function
    dims = {d: sizes[d.name] for s in f.shapes.values() for d in s if isinstance(d, sympy.Symbol)}
    comps = {sympy.MatrixSymbol(name, *f.shapes[name] + (1,) * (2 - len(f.shapes[name]))):
             sympy.ImmutableMatrix(np.asarray(v).reshape(v.shape[0], -1).tolist())
             for name, v in values.items() if name in f.shapes}
    named = {sympy.Symbol(k, real=True): v for k, v in scalars.items()}
    value = explicit(expr.xreplace(named), f, dims, comps)
    out = np.array(sympy.N(value).tolist() if isinstance(value, sympy.MatrixBase)
                   else float(value), dtype=float)
    return out.reshape(-1) if out.ndim == 2 and out.shape[1] == 1 and len(
        f.shapes[r.variable.name]) == 1 and r.kind == "gradient" else out


def _autograd(fn, wrt: str, values: dict) -> np.ndarray:
    tensors = {k: torch.tensor(v, dtype=T) for k, v in values.items()}

    def of(a):
        return fn({**tensors, wrt: a})
    jac = torch.autograd.functional.jacobian(of, tensors[wrt])
    return jac.numpy()


@pytest.fixture(scope="module")
def derived():
    return {(c[0], c[1]): symnum.derive(c[0], wrt=c[1], shapes=c[2]) for c in CASES}


@pytest.mark.parametrize("expr, wrt, shapes, scalars, fn", CASES, ids=IDS)
def test_agrees_with_torch_autograd_at_two_sizes(derived, expr, wrt, shapes, scalars, fn):
    r = derived[(expr, wrt)]
    assert r.kind == ("jacobian" if expr.startswith("layernorm") else "gradient")
    for k, sizes in enumerate(SIZES):
        values = _values(shapes, sizes, np.random.default_rng(k))
        got = _at(r, r.expr, values, scalars, sizes)
        want = _autograd(fn, wrt, values)
        assert got.shape == want.shape  # a gradient in the variable's shape
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12, err_msg=r.unicode())


@pytest.mark.parametrize("expr, wrt, shapes, scalars, fn", CASES, ids=IDS)
def test_text_latex_and_json_read_back(derived, expr, wrt, shapes, scalars, fn):
    r = derived[(expr, wrt)]
    values = _values(shapes, SIZES[1], np.random.default_rng(5))
    exact = _at(r, r.expr, values, scalars, SIZES[1])
    declared = declared_shapes(shapes)
    latex_result = r.latex().split(" = ", 1)[1].split(r",\quad")[0]
    shown_definitions = r.latex().split(r",\quad")[1:]
    read = {"json": parse(r.string(), declared)}
    shown = {"text": (r.unicode(), parse)}
    if not shown_definitions:
        shown["latex"] = (latex_result, parse_latex)
    for how, (text, reader) in shown.items():
        try:
            read[how] = reader(text, declared)
        except ParseError:  # an unsized 𝟏𝟏ᵀ does not read back yet (docs/ARCHITECTURE.md)
            assert "𝟏𝟏ᵀ" in r.unicode(), (how, text)
    for how, back in read.items():
        again = _at(r, back, values, scalars, SIZES[1])
        np.testing.assert_allclose(again, exact, rtol=1e-10, atol=1e-12, err_msg=how)


def test_attention_prints_as_a_textbook_does():
    r = symnum.derive("sum(softmax(Q*K.T/sqrt(d)) * V)", wrt="Q", shapes=ATTENTION)
    lines = r.text().splitlines()
    assert "  (P ⊙ (𝟏𝟏ᵀVᵀ − ((𝟏𝟏ᵀVᵀ) ⊙ P) 𝟏𝟏ᵀ))K/√d" in lines
    assert "  where P = softmax(Q Kᵀ/√d)" in lines
    assert r"\frac{Q K^\top}{\sqrt{d}}" in r.latex()
    assert isinstance(r.function.expr.atoms(RowSoftmax).pop(), RowSoftmax)
    steps = symnum.Function("sum(softmax(Q*K.T/sqrt(d)) * V)", wrt="Q",
                            shapes=ATTENTION).steps().text()
    assert "softmax rows: d softmax(S) = P ⊙ (dS − (P ⊙ dS)𝟏𝟏ᵀ)" in steps


def test_layernorm_jacobian_prints_as_a_textbook_does():
    r = symnum.derive("layernorm(x)", wrt="x", shapes={"x": "n"})
    lines = r.text().splitlines()
    assert "  (𝐈 − 𝟏𝟏ᵀ/n − u uᵀ/n)/√(var(x) + 10⁻⁵)" in lines
    assert "  where u = layernorm(x)" in lines
    assert r.string() == ("(Identity(n) - 1/n*OneMatrix(n, n) - 1/n*layernorm(x)*layernorm(x).T)"
                          "/sqrt(var(x) + 1/100000)") or "layernorm(x)" in r.string()
    assert r"10^{-5}" in r.latex()
    eps = symnum.derive("layernorm(x, eps)", wrt="x", shapes={"x": "n"})
    assert "layernorm(x, eps)" in eps.text() and "√(var(x) + eps)" in eps.text()


def test_a_column_keeps_the_softmax_of_its_entries_and_a_row_is_one_softmax():
    z, S, r = (parse("softmax(v)", declared_shapes({"v": dims})) for dims in ("n", "n,m", "1,n"))
    assert not isinstance(z, RowSoftmax) and isinstance(S, RowSoftmax) and isinstance(r, RowSoftmax)
    row = sympy.ImmutableMatrix([[0, sympy.log(3)]])
    assert RowSoftmax(row).doit() == sympy.ImmutableMatrix([[sympy.Rational(1, 4),
                                                             sympy.Rational(3, 4)]])
    assert LayerNorm(sympy.MatrixSymbol("x", 3, 1)).eps == EPS == sympy.Rational(1, 100_000)
    assert Variance(sympy.ImmutableMatrix([1, 2, 3])).doit() == sympy.Rational(2, 3)


def test_verification_by_components_passes():
    f = symnum.Function("w.T*layernorm(x)", wrt="x", shapes={"w": "n", "x": "n"})
    assert symnum.verify(f.differentiate(), points=1, sizes=[{"n": 3}]).verdict == "pass"
    g = symnum.Function("sum(softmax(Q*K.T) * V)", wrt="K",
                        shapes={"Q": "n,k", "K": "m,k", "V": "m,p"})
    assert symnum.verify(g.differentiate(), points=1,
                         sizes=[{"n": 2, "k": 1, "m": 3, "p": 1}]).verdict == "pass"


@pytest.mark.parametrize("text, shapes, message", [
    ("softmax(c)*x", {"x": "n"}, "softmax\\(\\) needs a vector or matrix"),
    ("layernorm(W)", {"W": "m,n"}, "layernorm\\(\\) takes a column vector .* W is m×n"),
    ("layernorm(x.T)", {"x": "n"}, "takes a column vector"),
    ("layernorm(x, y)", {"x": "n", "y": "n"}, "eps must be a number ≥ 0 or a scalar name"),
    ("layernorm(x, -1)", {"x": "n"}, "eps must be a number ≥ 0"),
    ("layernorm(x, 1, 2)", {"x": "n"}, "layernorm\\(x\\) or layernorm\\(x, eps\\)"),
    ("var(W)", {"W": "m,n"}, "var\\(\\) takes a column vector"),
])
def test_misuse_is_a_one_line_error(cli, text, shapes, message):
    with pytest.raises(ParseError, match=message):
        symnum.derive(text, wrt="x" if "x" in shapes else "W", shapes=shapes)
    flags = [a for name, dims in shapes.items() for a in ("--shape", f"{name}={dims}")]
    out = cli("derive", text, *flags)
    assert out.returncode == 2 and out.stderr.startswith("error: ")
    assert len(out.stderr.strip().splitlines()) == 1 and "Traceback" not in out.stderr


def test_cli_attention_json(cli):
    d = cli.json("derive", "sum(softmax(Q*K.T/sqrt(d)) * V)", "--wrt", "K", "--shape", "Q=n,k",
                 "--shape", "K=m,k", "--shape", "V=m,p", "--dims", "n=2,k=3,m=4,p=2",
                 "--at", "d=3")
    assert d["shape"] == ["m", "k"] and "softmax(" in d["result"]
    assert np.asarray(d["value"]).shape == (4, 3)
    steps = symnum.Function("w.T*layernorm(x)", wrt="x", shapes={"w": "n", "x": "n"}).steps()
    assert "d layernorm(x) = (dx − 𝟏𝟏ᵀdx/n − y yᵀdx/n)/√(var(x) + ε)" in steps.text()
