"""Jacobians of matrix-valued maps and Hessians with respect to matrices (issue 24): every
result against torch.autograd.functional.jacobian / hessian at random well-conditioned
inputs of two size assignments (every dimension a different size), the Kronecker form against
central differences, and the text, LaTeX and JSON of each kind."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import sympy
import torch

import symnum
from symnum.core.errors import SymnumError
from symnum.core.matrix_expr import Commutation, Vec
from symnum.core.parse import parse

pytestmark = pytest.mark.usefixtures("float64_torch")  # tests/conftest.py
SQUARE = {"X": "n,n"}
LAYER = {"W": "m,n", "x": "n", "b": "m"}


ATTENTION = {"Q": "m,d", "K": "k,d"}


def _sm(z):
    return torch.softmax(z, 0)


def _rows(v):
    """softmax(QKᵀ/√d) row by row."""
    return torch.softmax(v["Q"] @ v["K"].T / v["Q"].shape[1] ** 0.5, dim=-1)


# (expression, wrt, shapes, what, the same map in torch of the inputs by name)
CASES = [
    ("inv(X)", "X", SQUARE, None, lambda v: torch.linalg.inv(v["X"])),
    ("A*X*B", "X", {"A": "m,n", "X": "n,p", "B": "p,q"}, None,
     lambda v: v["A"] @ v["X"] @ v["B"]),
    ("X.T*X", "X", {"X": "m,n"}, None, lambda v: v["X"].T @ v["X"]),
    ("X*X", "X", SQUARE, None, lambda v: v["X"] @ v["X"]),
    ("hadamard(X, X)", "X", {"X": "m,n"}, None, lambda v: v["X"] * v["X"]),
    ("W*x + b", "W", LAYER, None, lambda v: v["W"] @ v["x"] + v["b"]),
    ("W*x + b", "x", LAYER, None, lambda v: v["W"] @ v["x"] + v["b"]),
    ("W*x + b", "b", LAYER, None, lambda v: v["W"] @ v["x"] + v["b"]),
    ("tanh(W*x + b)", "W", LAYER, None, lambda v: torch.tanh(v["W"] @ v["x"] + v["b"])),
    ("sigmoid(W*x + b)", "W", LAYER, None,
     lambda v: torch.sigmoid(v["W"] @ v["x"] + v["b"])),
    ("relu(W*x + b)", "W", LAYER, None, lambda v: torch.relu(v["W"] @ v["x"] + v["b"])),
    ("softmax(W*x)", "W", {"W": "m,n", "x": "n"}, None, lambda v: _sm(v["W"] @ v["x"])),
    ("softmax(W*x)", "x", {"W": "m,n", "x": "n"}, None, lambda v: _sm(v["W"] @ v["x"])),
    ("W2*tanh(W1*x + b1) + b2", "W1", {"W1": "h,n", "x": "n", "b1": "h", "W2": "m,h",
                                       "b2": "m"}, None,
     lambda v: v["W2"] @ torch.tanh(v["W1"] @ v["x"] + v["b1"]) + v["b2"]),
    ("det(X)", "X", SQUARE, "hessian", lambda v: torch.linalg.det(v["X"])),
    ("log(det(X))", "X", SQUARE, "hessian", lambda v: torch.logdet(v["X"])),
    ("Trace(inv(X)*A)", "X", {"X": "n,n", "A": "n,n"}, "hessian",
     lambda v: torch.trace(torch.linalg.inv(v["X"]) @ v["A"])),
    ("Trace((A*X - B).T*(A*X - B))", "X", {"A": "m,n", "X": "n,p", "B": "m,p"}, "hessian",
     lambda v: ((v["A"] @ v["X"] - v["B"]) ** 2).sum()),
    ("(W*x - y).T*(W*x - y)", "W", {"W": "m,n", "x": "n", "y": "m"}, "hessian",
     lambda v: ((v["W"] @ v["x"] - v["y"]) ** 2).sum()),
    ("-y.T*log(softmax(W*x))", "W", {"W": "m,n", "x": "n", "y": "m"}, "hessian",
     lambda v: -(v["y"] * torch.log_softmax(v["W"] @ v["x"], 0)).sum()),
    ("softmax(Q*K.T/sqrt(d))", "Q", ATTENTION, None, lambda v: _rows(v)),
    ("softmax(Q*K.T/sqrt(d))", "K", ATTENTION, None, lambda v: _rows(v)),
    ("softmax(Q*K.T/sqrt(d))*V", "Q", {**ATTENTION, "V": "k,v"}, None,
     lambda v: _rows(v) @ v["V"]),
    ("layernorm(x)", "x", {"x": "n"}, None,
     lambda v: torch.nn.functional.layer_norm(v["x"], v["x"].shape, eps=1e-5)),
    ("layernorm(W*x)", "W", {"W": "m,n", "x": "n"}, None,
     lambda v: torch.nn.functional.layer_norm(v["W"] @ v["x"], (v["W"].shape[0],), eps=1e-5)),
    ("x*x.T", "x", {"x": "n"}, None, lambda v: torch.outer(v["x"], v["x"])),
    ("X + X.T", "X", SQUARE, None, lambda v: v["X"] + v["X"].T),
    ("X**3", "X", SQUARE, None, lambda v: v["X"] @ v["X"] @ v["X"]),
    ("Trace(X)**2", "X", SQUARE, "hessian", lambda v: torch.trace(v["X"]) ** 2),
    ("sum(tanh(W*x))", "W", {"W": "m,n", "x": "n"}, "hessian",
     lambda v: torch.tanh(v["W"] @ v["x"]).sum()),
]
IDS = [f"{e} wrt {w}" + (f" {what}" if what else "") for e, w, _, what, _ in CASES]


def _sizes(shapes: dict, shift: int) -> dict[str, int]:
    """Every dimension a different size (2, 3, 4, … rotated by ``shift``)."""
    dims = sorted({d for s in shapes.values() for d in s.split(",")})
    sizes = list(range(2, 2 + len(dims)))
    sizes = sizes[shift % len(sizes):] + sizes[:shift % len(sizes)]
    return dict(zip(dims, sizes, strict=True))


def _inputs(shapes: dict, sizes: dict, seed: int) -> dict[str, np.ndarray]:
    """Random inputs; a square matrix is well conditioned (diagonally dominant: det > 0)."""
    rng = np.random.default_rng(seed)
    out = {}
    for name, dims in shapes.items():
        shape = tuple(sizes[d] for d in dims.split(","))
        value = rng.uniform(-1, 1, size=shape)
        if len(shape) == 2 and shape[0] == shape[1] and dims.split(",")[0] == "n" \
                and name == "X":
            value += shape[0] * np.eye(shape[0])
        out[name] = value
    if "y" in out and "softmax" in str(shapes):
        out["y"] = np.abs(out["y"])
    return out


def _torch_derivative(fn, inputs: dict, wrt: str, hessian: bool) -> np.ndarray:
    tensors = {k: torch.tensor(v) for k, v in inputs.items()}

    def f(x):
        return fn({**tensors, wrt: x})
    op = torch.autograd.functional.hessian if hessian else torch.autograd.functional.jacobian
    return op(f, tensors[wrt]).numpy()


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_matches_torch_autograd_at_two_sizes(case):
    expr, wrt, shapes, what, fn = case
    r = symnum.derive(expr, wrt=wrt, shapes=shapes, what=what)
    for shift in (0, 1):
        inputs = _inputs(shapes, _sizes(shapes, shift), seed=shift)
        got = r.at(inputs)
        want = _torch_derivative(fn, inputs, wrt, what == "hessian")
        assert got.shape == want.shape, (got.shape, want.shape)
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-11)


def _numeric(e: sympy.Basic, values: dict, shapes: dict) -> np.ndarray:
    """A matrix expression at numbers (SymPy's nodes; the sizes from the values)."""
    from symnum.matrix.result import _explicit_up
    sizes = {d: size for name, dims in shapes.items()
             for d, size in zip(dims, values[name].shape, strict=False)}
    sized = e.subs(sizes)
    sized = sized.xreplace({a: a.evalf(17) for a in sized.atoms(sympy.Pow)
                            if a.is_number and not a.is_Rational}).replace(
        lambda a: isinstance(a, sympy.Identity | sympy.OneMatrix | sympy.ZeroMatrix),
        lambda a: sympy.ImmutableMatrix(a.as_explicit()))
    swap = {m: sympy.ImmutableMatrix(np.atleast_2d(values[m.name].T).T)
            for m in sized.atoms(sympy.MatrixSymbol)}
    value = _explicit_up(sized, swap).doit()
    return np.array(sympy.N(value).tolist(), dtype=float)


KRONECKER = [CASES[i] for i in (0, 1, 2, 4, 9, 15, 17)]


@pytest.mark.parametrize("case", KRONECKER, ids=[IDS[i] for i in (0, 1, 2, 4, 9, 15, 17)])
def test_kronecker_form_against_central_differences(case):
    """vec F(X + hE_kl) − vec F(X − hE_kl) over 2h is column k + p·l of the vec form."""
    expr, wrt, shapes, what, fn = case
    r = symnum.derive(expr, wrt=wrt, shapes=shapes, what=what)
    inputs = _inputs(shapes, _sizes(shapes, 1), seed=3)
    V = _numeric(r.expr, inputs, r.function.shapes)
    x = inputs[wrt]
    tensors = {k: torch.tensor(v) for k, v in inputs.items()}

    def vec_f(value: np.ndarray) -> np.ndarray:
        out = fn({**tensors, wrt: torch.tensor(value)})
        if what == "hessian":  # the Jacobian of the gradient
            t = torch.tensor(value, requires_grad=True)
            (g,) = torch.autograd.grad(fn({**tensors, wrt: t}), t)
            out = g
        return out.detach().numpy().reshape(-1, order="F")
    h = 1e-6
    columns = []
    for c in range(x.size):
        e = np.zeros(x.size)
        e[c] = h
        step = e.reshape(x.shape, order="F")
        columns.append((vec_f(x + step) - vec_f(x - step)) / (2 * h))
    np.testing.assert_allclose(V, np.stack(columns, axis=1), rtol=1e-6, atol=1e-7)


def test_commutation_and_vec_nodes():
    m, n = sympy.symbols("m n", integer=True)
    A = sympy.MatrixSymbol("A", m, n)
    numbers = np.arange(6.0).reshape(2, 3)
    K = np.array(Commutation(2, 3).doit().tolist(), dtype=float)
    assert (K @ numbers.reshape(-1, order="F") == numbers.T.reshape(-1, order="F")).all()
    assert Vec(A).shape == (m * n, 1) and Commutation(m, n).T == Commutation(n, m)
    entries = [Vec(A).subs({m: 2, n: 3})._entry(i, 0) for i in range(6)]
    assert [str(e) for e in entries] == ["A[0, 0]", "A[1, 0]", "A[0, 1]", "A[1, 1]",
                                         "A[0, 2]", "A[1, 2]"]
    from symnum.matrix.printing import matrix_latex, matrix_text
    B = sympy.MatrixSymbol("B", m, m)
    e = sympy.KroneckerProduct(B.T, B) * Commutation(m, m) + sympy.DiagMatrix(Vec(B))
    assert matrix_text(e) == "(Bᵀ ⊗ B) K_m,m + diag(vec(B))"
    assert matrix_latex(e) == (r"\left(B^\top \otimes B\right) K_{m,m} + \operatorname{diag}"
                               r"\left(\operatorname{vec}\left(B\right)\right)")


TEXTBOOK = [  # (expression, wrt, shapes, what, vec form, differential, index form)
    ("inv(X)", "X", SQUARE, None, "−(X⁻ᵀ ⊗ X⁻¹)", "dF = −X⁻¹ dX X⁻¹",
     "∂F_ij/∂X_kl = −(X⁻¹)_ik (X⁻¹)_lj"),
    ("A*X*B", "X", {"A": "m,n", "X": "n,p", "B": "p,q"}, None, "Bᵀ ⊗ A", "dF = A dX B",
     "∂F_ij/∂X_kl = A_ik B_lj"),
    ("W*x + b", "W", LAYER, None, "xᵀ ⊗ 𝐈_m", "dF = dW x", "∂F_i/∂W_kl = x_l δ_ik"),
    ("hadamard(X, X)", "X", {"X": "m,n"}, None, "2diag(vec(X))", "dF = dX ⊙ X + X ⊙ dX",
     "∂F_ij/∂X_kl = 2 X_ij δ_ik δ_jl"),
    ("log(det(X))", "X", SQUARE, "hessian", "−(X⁻¹ ⊗ X⁻ᵀ) K_n,n",
     "df = tr(X⁻¹ dX),  d²f = −tr(X⁻¹ dX X⁻¹ dX)", "∂²f/∂X_ij∂X_kl = −(X⁻¹)_li (X⁻¹)_jk"),
    ("Trace((A*X - B).T*(A*X - B))", "X", {"A": "m,n", "X": "n,p", "B": "m,p"}, "hessian",
     "2(𝐈_p ⊗ (AᵀA))", "d²f = 2tr(dXᵀAᵀA dX)", "∂²f/∂X_ij∂X_kl = 2 (AᵀA)_ik δ_jl"),
    ("(W*x - y).T*(W*x - y)", "W", {"W": "m,n", "x": "n", "y": "m"}, "hessian",
     "2((x xᵀ) ⊗ 𝐈_m)", "d²f = 2xᵀ dWᵀ dW x", "∂²f/∂W_ij∂W_kl = 2 x_l x_j δ_ik"),
]


@pytest.mark.parametrize("case", TEXTBOOK, ids=[c[0] for c in TEXTBOOK])
def test_text_shows_the_three_forms_and_the_layout(case):
    expr, wrt, shapes, what, vec_form, differential, index = case
    text = symnum.derive(expr, wrt=wrt, shapes=shapes, what=what).text()
    lines = text.splitlines()
    assert vec_form == lines[lines.index(next(x for x in lines if x.endswith(") ="))) + 1].strip()
    assert differential in text and index in text
    assert "numerator layout" in text or "either layout" in text


def test_denominator_layout_is_the_transpose_everywhere(cli):
    shapes = ["--shape", "W=m,n", "--shape", "x=n"]
    out = cli.json("derive", "W*x", "--wrt", "W", *shapes, "--layout", "denominator")
    assert out["layout"] == "denominator" and out["result"] == "KroneckerProduct(x, Identity(m))"
    assert out["shape"] == ["m*n", "m"] and out["array_shape"] == ["m", "m", "n"]
    default = cli.json("derive", "W*x", "--wrt", "x", *shapes)
    assert default["layout"] == "numerator" and default["result"] == "W"
    text = cli("derive", "W*x", "--wrt", "x", *shapes, "--layout", "denominator").stdout
    assert "denominator layout: inputs × outputs" in text and "\n  Wᵀ\n" in text
    assert "numerator (the default" in " ".join(cli("derive", "--help").stdout.split())
    r = symnum.derive("W*x", wrt="W", shapes={"W": "m,n", "x": "n"}, layout="denominator")
    assert r.layout == "denominator" and r.string() == "KroneckerProduct(x, Identity(m))"
    with pytest.raises(SymnumError, match="layout"):
        symnum.derive("W*x", wrt="W", shapes={"W": "m,n", "x": "n"}, layout="sideways")
    with pytest.raises(SymnumError, match="matrix notation"):
        symnum.derive("[x*y, x]", wrt="x,y", layout="denominator")
    bad = cli("derive", "W*x", "--wrt", "W", *shapes, "--layout", "sideways")
    assert bad.returncode == 2 and bad.stderr.startswith("error:")


READ_BACK = (0, 2, 4, 5, 8, 11, 14, 15, 19, 21, 23)  # each kind of node in a vec form


@pytest.mark.parametrize("case", [CASES[i] for i in READ_BACK], ids=[IDS[i] for i in READ_BACK])
def test_json_result_reads_back_with_its_shape(case):
    """The JSON result (in either layout) parses back to a matrix of its shape and value."""
    expr, wrt, shapes, what, _ = case
    inputs = _inputs(shapes, _sizes(shapes, 0), seed=5)
    for layout in ("numerator", "denominator"):
        r = symnum.derive(expr, wrt=wrt, shapes=shapes, what=what, layout=layout)
        back = parse(r.string(), r.function.shapes)
        assert back.shape == r.shown.shape
        np.testing.assert_allclose(_numeric(back, inputs, r.function.shapes),
                                   _numeric(r.shown, inputs, r.function.shapes), rtol=1e-12)


def test_a_four_index_result_verifies_by_components():
    """symnum verify expands the vec form column-major; the row-major mistake 𝐈 ⊗ xᵀ fails."""
    r = symnum.derive("W*x", wrt="W", shapes={"W": "m,n", "x": "n"})
    report = symnum.verify(r, points=1, sizes=[{"m": 3, "n": 2}])
    assert report.passed and report.runs[0][0] == {"m": 3, "n": 2}
    m = r.function.shapes["W"][0]
    x = sympy.MatrixSymbol("x", r.function.shapes["x"][0], 1)
    wrong = dataclasses.replace(r, expr=sympy.KroneckerProduct(sympy.Identity(m), x.T))
    assert symnum.verify(wrong, points=1, sizes=[{"m": 2, "n": 3}]).verdict == "fail"



def test_latex_of_the_three_forms():
    r = symnum.derive("inv(X)", wrt="X", shapes=SQUARE)
    assert r.latex() == (r"\frac{\partial \operatorname{vec} F}{\partial (\operatorname{vec} X)"
                         r"^\top} = - \left(X^{-\top} \otimes X^{-1}\right),\quad F = X^{-1}")
    assert r.forms_latex()[1] == (r"\frac{\partial F_{ij}}{\partial X_{kl}} = - \left(X^{-1}"
                                  r"\right)_{ik} \left(X^{-1}\right)_{lj}")
    two = symnum.derive("W2*tanh(W1*x + b1) + b2", wrt="W1", shapes=CASES[13][2])
    assert r"\partial \left(W_{1}\right)_{kl}" in two.forms_latex()[1]
    assert r"\left(W_{2}\right)_{ik}" in two.forms_latex()[1]
    h = symnum.derive("log(det(X))", wrt="X", shapes=SQUARE, what="hessian")
    assert r"d^{2}f = - \operatorname{tr}" in h.forms_latex()[0]
    assert r"\partial^{2} f}{\partial \operatorname{vec} X" in h.latex()


def test_frobenius_norm_in_latex_is_the_trace_form():
    shapes = {"A": "m,n", "X": "n,p", "B": "m,p"}
    r = symnum.derive(r"\|A X - B\|_F^2", wrt="X", shapes=shapes, syntax="latex",
                      what="hessian")
    assert r.string() == symnum.derive("Trace((A*X - B).T*(A*X - B))", wrt="X",
                                       shapes=shapes, what="hessian").string()
    with pytest.raises(SymnumError, match="Frobenius"):
        symnum.derive(r"\|X\|_1", wrt="X", shapes={"X": "n,n"}, syntax="latex")


def test_named_parts_and_summation_letters_do_not_collide():
    """a = tanh(W1 x + b1) is named in the result, so the index form sums over b, and the
    forms use s and a as the result does."""
    shapes = {"W1": "h,n", "x": "n", "b1": "h", "W2": "m,h", "b2": "m", "y": "m"}
    text = symnum.derive("-y.T*log(softmax(W2*tanh(W1*x + b1) + b2))", wrt="W1",
                         shapes=shapes, what="hessian").text()
    assert "where a = tanh(W1 x + b1)" in text and "Σ_b (𝟏 − a²)_i (W2)_bi" in text
    assert "softmax" not in text.split("differentials:")[1]


def test_notebooks_show_the_forms_under_the_result():
    from symnum.core.display import katex_safe
    r = symnum.derive("inv(X)", wrt="X", shapes=SQUARE)
    latex = r._repr_mimebundle_()["text/latex"]
    assert latex.startswith(r"$$\begin{gathered}" + r.latex()) and r.forms_latex()[1] in latex
    assert katex_safe(latex.strip("$"))
