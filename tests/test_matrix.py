"""Matrix calculus: each identity checked against torch autograd on a torch formula of the
same function (an oracle that shares no code with symnum), at sizes that differ per
dimension so transposes and layouts cannot hide."""

from __future__ import annotations

import numpy as np
import pytest
import sympy
import torch

import symnum
from symnum import ParseError, SymnumError
from symnum.matrix.result import explicit

T = torch
SIZES = {"n": 3, "m": 2, "k": 4}


def sig(t):
    return 1 / (1 + T.exp(-t))


def lse(z):
    return T.log(T.exp(z).sum())


CENTERED = "x - OneMatrix(n, 1)*(OneMatrix(1, n)*x)/n"  # x minus its mean (layer norm)

# (expression, wrt, shapes, what, torch formula of the same function)
CASES = [
    ("a.T*x", "x", "a=n x=n", "gradient", lambda v: (v["a"].T @ v["x"]).sum()),
    ("x.T*a", "x", "a=n x=n", "gradient", lambda v: (v["x"].T @ v["a"]).sum()),
    ("x.T*x", "x", "x=n", "gradient", lambda v: (v["x"].T @ v["x"]).sum()),
    ("x.T*A*x", "x", "x=n A=n,n", "gradient", lambda v: (v["x"].T @ v["A"] @ v["x"]).sum()),
    ("x.T*A*x", "x", "x=n A=n,n", "hessian", lambda v: (v["x"].T @ v["A"] @ v["x"]).sum()),
    ("x.T*A*x", "A", "x=n A=n,n", "gradient", lambda v: (v["x"].T @ v["A"] @ v["x"]).sum()),
    ("(A*x - b).T*(A*x - b)", "x", "A=m,n x=n b=m", "gradient",
     lambda v: ((v["A"] @ v["x"] - v["b"]) ** 2).sum()),
    ("(A*x - b).T*(A*x - b)", "x", "A=m,n x=n b=m", "hessian",
     lambda v: ((v["A"] @ v["x"] - v["b"]) ** 2).sum()),
    ("(A*x - b).T*(A*x - b)", "A", "A=m,n x=n b=m", "gradient",
     lambda v: ((v["A"] @ v["x"] - v["b"]) ** 2).sum()),
    ("(W*x + c - y).T*(W*x + c - y)", "W", "W=m,n x=n c=m y=m", "gradient",
     lambda v: ((v["W"] @ v["x"] + v["c"] - v["y"]) ** 2).sum()),
    ("(W*x + c - y).T*(W*x + c - y)", "c", "W=m,n x=n c=m y=m", "gradient",
     lambda v: ((v["W"] @ v["x"] + v["c"] - v["y"]) ** 2).sum()),
    ("a.T*X*b", "X", "a=m X=m,n b=n", "gradient", lambda v: (v["a"].T @ v["X"] @ v["b"]).sum()),
    ("a.T*X.T*b", "X", "a=n X=m,n b=m", "gradient",
     lambda v: (v["a"].T @ v["X"].T @ v["b"]).sum()),
    ("Trace(A*X)", "X", "A=n,m X=m,n", "gradient", lambda v: T.trace(v["A"] @ v["X"])),
    ("Trace(X*A)", "X", "A=n,m X=m,n", "gradient", lambda v: T.trace(v["X"] @ v["A"])),
    ("Trace(X.T*A)", "X", "A=m,n X=m,n", "gradient", lambda v: T.trace(v["X"].T @ v["A"])),
    ("Trace(A*X*B)", "X", "A=k,m X=m,n B=n,k", "gradient",
     lambda v: T.trace(v["A"] @ v["X"] @ v["B"])),
    ("Trace(X*X)", "X", "X=n,n", "gradient", lambda v: T.trace(v["X"] @ v["X"])),
    ("Trace(X*X*X)", "X", "X=n,n", "gradient", lambda v: T.trace(v["X"] @ v["X"] @ v["X"])),
    ("Trace(X.T*X)", "X", "X=m,n", "gradient", lambda v: (v["X"] ** 2).sum()),
    ("sqrt(Trace(X.T*X))", "X", "X=m,n", "gradient", lambda v: T.sqrt((v["X"] ** 2).sum())),
    ("Trace(Inverse(X)*A)", "X", "X=n,n A=n,n", "gradient",
     lambda v: T.trace(T.linalg.inv(v["X"]) @ v["A"])),
    ("log(det(X))", "X", "X=n,n", "gradient", lambda v: T.logdet(v["X"])),
    ("det(X)", "X", "X=n,n", "gradient", lambda v: T.det(v["X"])),
    ("a.T*Inverse(X)*b", "X", "a=n X=n,n b=n", "gradient",
     lambda v: (v["a"].T @ T.linalg.inv(v["X"]) @ v["b"]).sum()),
    ("x.T*Inverse(A)*x", "A", "x=n A=n,n", "gradient",
     lambda v: (v["x"].T @ T.linalg.inv(v["A"]) @ v["x"]).sum()),
    ("sqrt((x - a).T*(x - a))", "x", "x=n a=n", "gradient",
     lambda v: T.sqrt(((v["x"] - v["a"]) ** 2).sum())),
    ("Trace(W.T*W) + Trace(V.T*V)", "W", "W=m,n V=n,k", "gradient",
     lambda v: (v["W"] ** 2).sum() + (v["V"] ** 2).sum()),
    ("lam*Trace(W.T*W) + (W*x - y).T*(W*x - y)", "W", "W=m,n x=n y=m", "gradient",
     lambda v: 0.7 * (v["W"] ** 2).sum() + ((v["W"] @ v["x"] - v["y"]) ** 2).sum()),
    ("exp(Trace(X))", "X", "X=n,n", "gradient", lambda v: T.exp(T.trace(v["X"]))),
    ("log(Trace(X.T*X))", "X", "X=m,n", "gradient", lambda v: T.log((v["X"] ** 2).sum())),
    ("a.T*HadamardProduct(x, x)", "x", "a=n x=n", "gradient",
     lambda v: (v["a"] * v["x"] * v["x"]).sum()),
    ("OneMatrix(1, n)*exp(x)", "x", "x=n", "gradient", lambda v: T.exp(v["x"]).sum()),
    ("log(OneMatrix(1, n)*exp(z))", "z", "z=n", "gradient", lambda v: lse(v["z"])),
    ("log(OneMatrix(1, n)*exp(z))", "z", "z=n", "hessian", lambda v: lse(v["z"])),
    ("-y.T*log(softmax(z))", "z", "y=n z=n", "gradient",
     lambda v: -(v["y"] * T.log_softmax(v["z"], 0)).sum()),
    ("-y.T*log(softmax(W*x))", "W", "W=m,n x=n y=m", "gradient",
     lambda v: -(v["y"] * T.log_softmax(v["W"] @ v["x"], 0)).sum()),
    ("-y.T*log(softmax(W*x))", "x", "W=m,n x=n y=m", "gradient",
     lambda v: -(v["y"] * T.log_softmax(v["W"] @ v["x"], 0)).sum()),
    ("-(y.T*log(sigmoid(X*w)) + (OneMatrix(1, m) - y.T)*log(OneMatrix(m, 1) - sigmoid(X*w)))",
     "w", "X=m,n w=n y=m", "gradient",
     lambda v: -(v["y"] * T.log(sig(v["X"] @ v["w"]))
                 + (1 - v["y"]) * T.log(1 - sig(v["X"] @ v["w"]))).sum()),
    ("-(y.T*log(sigmoid(X*w)) + (OneMatrix(1, m) - y.T)*log(OneMatrix(m, 1) - sigmoid(X*w)))",
     "w", "X=m,n w=n y=m", "hessian",
     lambda v: -(v["y"] * T.log(sig(v["X"] @ v["w"]))
                 + (1 - v["y"]) * T.log(1 - sig(v["X"] @ v["w"]))).sum()),
    ("(y - tanh(W*x)).T*(y - tanh(W*x))", "W", "W=m,n x=n y=m", "gradient",
     lambda v: ((v["y"] - T.tanh(v["W"] @ v["x"])) ** 2).sum()),
    ("A*x", "x", "A=m,n x=n", "jacobian", lambda v: v["A"] @ v["x"]),
    ("A*x + b", "x", "A=m,n x=n b=m", "jacobian", lambda v: v["A"] @ v["x"] + v["b"]),
    ("tanh(W*x + c)", "x", "W=m,n x=n c=m", "jacobian",
     lambda v: T.tanh(v["W"] @ v["x"] + v["c"])),
    ("sigmoid(W*x)", "x", "W=m,n x=n", "jacobian", lambda v: sig(v["W"] @ v["x"])),
    ("softmax(z)", "z", "z=n", "jacobian", lambda v: T.softmax(v["z"], 0)),
    ("(x.T*x)*x", "x", "x=n", "jacobian", lambda v: (v["x"] ** 2).sum() * v["x"]),
    (f"({CENTERED})/sqrt(({CENTERED}).T*({CENTERED})/n + 1/10)", "x", "x=n", "jacobian",
     lambda v: (v["x"] - v["x"].mean()) / T.sqrt(((v["x"] - v["x"].mean()) ** 2).mean() + 0.1)),
]


def _shapes(text: str) -> dict[str, str]:
    return dict(item.split("=") for item in text.split())


def _inputs(r, rng) -> dict[str, np.ndarray]:
    values = {}
    for name, dims in r.function.shapes.items():
        shape = tuple(SIZES.get(str(d), None) or int(d) for d in dims) + ((1,) if len(dims) == 1
                                                                           else ())
        data = rng.normal(size=shape)
        if name in ("X", "A") and shape[0] == shape[1]:  # well-conditioned, positive det
            data = data @ data.T + shape[0] * np.eye(shape[0])
        if name == "y" and "sigmoid" in r.function.source:
            data = rng.uniform(0.1, 0.9, size=shape)
        values[name] = data
    return values


def _ours(r, values) -> np.ndarray:
    f = r.function
    sizes = {d: SIZES[d.name] for s in f.shapes.values() for d in s if isinstance(d, sympy.Symbol)}
    comps = {m: sympy.ImmutableMatrix(values[m.name].tolist())
             for m in f.expr.atoms(sympy.MatrixSymbol)}
    value = explicit(r.expr, f, sizes, comps)
    value = value.xreplace({sympy.Symbol("lam", real=True): sympy.Rational(7, 10)})
    return np.array(sympy.N(value, 20).tolist() if isinstance(value, sympy.MatrixBase)
                    else float(value), dtype=float)


@pytest.mark.parametrize("text, wrt, shapes, what, formula", CASES,
                         ids=[f"{c[3]}-{c[1]}-{c[0][:40]}" for c in CASES])
def test_matrix_identity_against_torch_autograd(text, wrt, shapes, what, formula):
    r = symnum.derive(text, wrt=wrt, what=what, shapes=_shapes(shapes))
    assert r.kind == what
    assert "ElementwiseApplyFunction" not in r.string() and "Lambda" not in r.string()
    values = _inputs(r, np.random.default_rng(len(text)))
    tensors = {k: T.tensor(v, dtype=T.float64, requires_grad=(k == wrt)) for k, v in values.items()}
    if what == "gradient":
        expected = T.autograd.grad(formula(tensors), tensors[wrt])[0].numpy()
    elif what == "jacobian":
        def vector(x):
            return formula({**tensors, wrt: x}).reshape(-1)
        jac = T.autograd.functional.jacobian(vector, tensors[wrt].detach())
        expected = jac.reshape(jac.shape[0], -1).numpy()
    else:
        def scalar(x):
            return formula({**tensors, wrt: x.reshape(tensors[wrt].shape)})
        expected = T.autograd.functional.hessian(scalar, tensors[wrt].detach().reshape(-1)).numpy()
    ours = _ours(r, values)
    assert ours.shape == expected.shape, (r.string(), ours.shape, expected.shape)
    np.testing.assert_allclose(ours, expected, rtol=1e-9, atol=1e-10, err_msg=r.string())


def test_quadratic_form_matches_the_cookbook_and_the_contract_string():
    r = symnum.derive("b.T*A*b", wrt="b", shapes={"b": "k", "A": "k,k"})
    assert r.string() == "(A + A.T)*b"
    assert symnum.derive("b.T*A*b", wrt="b", what="hessian",
                         shapes={"b": "k", "A": "k,k"}).string() == "A + A.T"


@pytest.mark.parametrize("text, expected", [
    ("log(det(X))", "Inverse(X.T)"), ("Trace(A*X*B)", "A.T*B.T"), ("a.T*X*b", "a*b.T"),
    ("-z.T*log(softmax(x))", "softmax(x)*sum(z) - z"),
])
def test_readable_forms(text, expected):
    shapes = {"X": "n,n", "A": "n,n", "B": "n,n", "a": "n", "b": "n", "x": "n", "z": "n"}
    used = {k: v for k, v in shapes.items() if k in text.replace("Trace", "")}
    wrt = "x" if "softmax" in text else "X"
    assert symnum.derive(text, wrt=wrt, shapes=used).string() == expected


@pytest.mark.parametrize("text, shapes, error, message", [
    ("x.T*A", {"x": "n", "A": "m,n"}, ParseError, "shape mismatch"),
    ("A*x", {"x": "m", "A": "m,n"}, ParseError, "inner dimensions"),
    ("x + 1", {"x": "n"}, ParseError, "OneMatrix"),
    ("det(W)", {"W": "m,n"}, ParseError, "square"),
    ("x + y", {"x": "n", "y": "m"}, ParseError, "different shapes"),
    ("z.T*x", {"x": "n"}, ParseError, "declare the shape"),
    ("layernorm(W)", {"W": "m,n"}, ParseError, "column vector"),
])
def test_shape_errors_are_clear(text, shapes, error, message):
    with pytest.raises(error, match=message):
        symnum.derive(text, wrt="x" if "x" in text else "W", shapes=shapes)


def test_wrong_variable_is_refused_and_a_matrix_hessian_is_the_vec_form():
    with pytest.raises(SymnumError, match="declared"):
        symnum.derive("x.T*x*c", wrt="c", shapes={"x": "n"})
    r = symnum.derive("Trace(X.T*X)", wrt="X", what="hessian", shapes={"X": "m,n"})
    assert r.string() == "2*Identity(m*n)" and r.unicode() == "2𝐈_(mn)"


def test_cli_matrix_json_value_and_verify(cli):
    args = ["(W*x + c - y).T*(W*x + c - y)", "--wrt", "W", "--shape", "W=m,n", "--shape", "x=n",
            "--shape", "c=m", "--shape", "y=m"]
    d = cli.json("derive", *args, "--dims", "m=2,n=3", "--seed", "1")
    assert d["result"] == "2*(W*x + c - y)*x.T" and d["what"] == "gradient"
    W, x, c, y = (np.array(d["inputs"][k]) for k in "Wxcy")
    np.testing.assert_allclose(d["value"], 2 * (W @ x + c - y) @ x.T, rtol=1e-12)
    proc = cli("verify", *args, "--points", "2")
    assert proc.returncode == 0, proc.stdout
    assert "m = 2, n = 3" in proc.stdout and "m = 4, n = 3" in proc.stdout


def test_verify_catches_a_wrong_matrix_result():
    from symnum.matrix.result import MatrixResult
    from symnum.verification.matrix import verify_matrix
    r = symnum.derive("x.T*A*x", wrt="x", shapes={"x": "n", "A": "n,n"})
    A = next(m for m in r.function.expr.atoms(sympy.MatrixSymbol) if m.name == "A")
    wrong = MatrixResult(r.kind, r.function, r.variable, 2 * A * r.variable)  # forgot Aᵀ
    runs = verify_matrix(wrong, points=2)
    assert not all(report.passed for _, report in runs)


STEP_CASES = [
    ("(W*x + b - y).T*(W*x + b - y)", "W", "W=m,n x=n b=m y=m"),
    ("-y.T*log(softmax(W*x))", "W", "W=m,n x=n y=m"),
    ("log(det(X)) + Trace(Inverse(X)*A)", "X", "X=n,n A=n,n"),
    ("(y - tanh(W*x)).T*(y - tanh(W*x))", "W", "W=m,n x=n y=m"),
    ("tanh(W*x + c)", "x", "W=m,n x=n c=m"),
]


@pytest.mark.parametrize("text, wrt, shapes", STEP_CASES)
def test_matrix_steps_every_differential_is_true(text, wrt, shapes):
    """d(expr) = result checked as an exact directional derivative: d/dt expr(X + t·D) at 0."""
    from symnum.matrix.identify import matrix_steps
    r = symnum.derive(text, wrt=wrt, shapes=_shapes(shapes))
    tree = matrix_steps(r)
    assert tree.result == r.expr and tree.rule.startswith("read_off")
    rng = np.random.default_rng(5)
    values = _inputs(r, rng)
    t = sympy.Symbol("t", real=True)
    f = r.function
    sizes = {d: SIZES[d.name] for s in f.shapes.values() for d in s if isinstance(d, sympy.Symbol)}
    direction = sympy.ImmutableMatrix(rng.integers(-3, 4, size=values[wrt].shape).tolist())
    base = {m: sympy.ImmutableMatrix(sympy.Matrix(values[m.name]).applyfunc(
        lambda v: sympy.Rational(round(v * 100), 100))) for m in f.expr.atoms(sympy.MatrixSymbol)}
    moved = {m: (v + t * direction if m.name == wrt else v) for m, v in base.items()}
    dX = sympy.MatrixSymbol("d" + wrt, *r.variable.shape)
    for node in list(tree.walk())[1:]:
        along = explicit(node.expr, f, sizes, moved)
        expected = sympy.diff(along, t).subs(t, 0)
        got = explicit(node.result, f, sizes, {**base, dX: direction})
        difference = sympy.N(sympy.Matrix([expected]) - sympy.Matrix([got]), 20) \
            if not isinstance(expected, sympy.MatrixBase) else sympy.N(expected - got, 20)
        assert max(abs(v) for v in difference) < 1e-12, (node.rule, str(node.expr))


def test_matrix_steps_through_the_cli(cli):
    d = cli.json("derive", "x.T*A*x", "--wrt", "x", "--shape", "x=n", "--shape", "A=n,n",
                 "--steps")
    root = d["steps"][0]
    assert root["rule"] == "read_off" and root["result"] == "(A + A.T)*x"
    form = root["substeps"][0]  # df = ((A + Aᵀ)x)ᵀ dx, read off as the gradient
    assert form["rule"] == "trace_form" and \
        r"= \left(\left(A + A^\top\right) x\right)^\top \mathit{dx}" in form["latex"]
    assert form["substeps"][0]["rule"] == "product" and form["substeps"][0]["differential"]
    text = cli("derive", "x.T*A*x", "--wrt", "x", "--shape", "x=n", "--shape", "A=n,n",
               "--steps").stdout
    assert "d(A·B) = dA·B + A·dB" in text


@pytest.mark.parametrize("args, message", [
    (["x.T*x", "--shape", "__x=n"], "invalid matrix name"),
    (["x.T*x", "--shape", "x=0"], "from 1 to 1000"),
    (["x.T*x", "--shape", "x=n,m,k"], "one dimension"),
    (["x.T*x", "--shape", "x=n", "--dims", "n=100000"], "from 1 to 12"),
    (["x.T*x", "--shape", "x"], "NAME=DIMS"),
    (["x.T*x", "--shape", "x=n", "--at", "x=1"], "is a matrix"),
    (["x.T*x", "--shape", "x=n", "--steps", "graph"], "scalar variables"),
    (["x", "--dims", "n=2"], "--shape"),
])
def test_matrix_cli_misuse_is_one_error_line(cli, args, message):
    proc = cli("derive", *args)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.startswith("error:") and message in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_elementwise_names_are_not_variables():
    r = symnum.derive("sin(x)", shapes={"x": "n"}, what="jacobian")
    assert [v.name for v in r.function.variables] == ["x"]
    assert r.string() == "DiagMatrix(cos(x))"
