"""Steps of Jacobians and Hessians in matrix notation: every statement is true.

A differential d(expr) = result is compared with the central difference of expr along a
random direction D (dX = D); vec d(expr) = V·vec dX with the vec of that difference; the
second differential with the second central difference; each read-off (the gradient, the
Jacobian, the Hessian, in the vec form of numerator layout) with torch autograd. Sizes differ
per dimension."""

from __future__ import annotations

import numpy as np
import pytest
import sympy
import torch

import symnum
from symnum.matrix.derivation import matrix_derivation
from symnum.matrix.identify import matrix_steps
from symnum.matrix.result import explicit

SIZES = {"n": 3, "m": 2, "k": 4}
T = torch


def _vec(a: np.ndarray) -> np.ndarray:
    return a.reshape(-1, order="F")


# (expression, wrt, shapes, what, torch formula)
CASES = [
    ("inv(X)", "X", "X=n,n", "jacobian", lambda v: T.linalg.inv(v["X"])),
    ("A*X*B", "X", "A=k,m X=m,n B=n,k", "jacobian", lambda v: v["A"] @ v["X"] @ v["B"]),
    ("X.T*X", "X", "X=m,n", "jacobian", lambda v: v["X"].T @ v["X"]),
    ("tanh(W*x + b)", "W", "W=m,n x=n b=m", "jacobian",
     lambda v: T.tanh(v["W"] @ v["x"] + v["b"])),
    ("softmax(W*x)", "W", "W=m,n x=n", "jacobian", lambda v: T.softmax(v["W"] @ v["x"], 0)),
    ("tanh(W*x)", "x", "W=m,n x=n", "jacobian", lambda v: T.tanh(v["W"] @ v["x"])),
    ("log(det(X))", "X", "X=n,n", "hessian", lambda v: T.logdet(v["X"])),
    ("Trace(Inverse(X)*A)", "X", "X=n,n A=n,n", "hessian",
     lambda v: T.trace(T.linalg.inv(v["X"]) @ v["A"])),
    ("(W*x - y).T*(W*x - y)", "W", "W=m,n x=n y=m", "hessian",
     lambda v: ((v["W"] @ v["x"] - v["y"]) ** 2).sum()),
    ("-y.T*log(softmax(W*x))", "W", "W=m,n x=n y=m", "hessian",
     lambda v: -(v["y"] * T.log_softmax(v["W"] @ v["x"], 0)).sum()),
    ("x.T*A*x", "x", "x=n A=n,n", "hessian", lambda v: (v["x"].T @ v["A"] @ v["x"]).sum()),
    ("sum(tanh(W2*tanh(W1*x)))", "W1", "W1=m,n x=n W2=k,m", "hessian",
     lambda v: T.tanh(v["W2"] @ T.tanh(v["W1"] @ v["x"])).sum()),
]


def _values(r, rng) -> dict[str, np.ndarray]:
    out = {}
    for name, dims in r.function.shapes.items():
        shape = tuple(SIZES[str(d)] for d in dims) + ((1,) if len(dims) == 1 else ())
        data = rng.normal(size=shape)
        if name == "X" and shape[0] == shape[1]:  # well-conditioned, positive determinant
            data = data @ data.T + shape[0] * np.eye(shape[0])
        out[name] = data
    return out


def _numeric(e: sympy.Basic, values: dict) -> np.ndarray:
    comps = {sympy.MatrixSymbol(k, *v.shape): sympy.ImmutableMatrix(v.tolist())
             for k, v in values.items()}
    value = explicit(e, None, {sympy.Symbol(k, integer=True): v for k, v in SIZES.items()},
                     comps)
    return np.array(sympy.N(value, 17).tolist() if isinstance(value, sympy.MatrixBase)
                    else float(value), dtype=float)


def _torch(formula, values: dict, wrt: str, what: str) -> np.ndarray:
    inputs = {k: T.tensor(v) for k, v in values.items()}

    def of(w):
        return formula({**inputs, wrt: w})
    x = inputs[wrt]
    if what == "hessian":
        h = T.autograd.functional.hessian(lambda w: of(w).sum(), x).numpy()
        return h.reshape(x.numel(), x.numel(), order="F")
    j = T.autograd.functional.jacobian(of, x).numpy()
    return j.reshape(j.size // x.numel(), x.numel(), order="F")


@pytest.mark.parametrize("text, wrt, shapes, what, formula", CASES,
                         ids=[f"{c[3]}-{c[1]}-{c[0]}" for c in CASES])
def test_every_step_of_a_jacobian_or_hessian_is_true(text, wrt, shapes, what, formula):
    r = symnum.derive(text, wrt=wrt, what=what,
                      shapes=dict(s.split("=") for s in shapes.split()))
    rng = np.random.default_rng(7)
    values = _values(r, rng)
    direction = rng.normal(size=values[wrt].shape)
    d = "d" + wrt

    def along(e, t):
        return _numeric(e, {**values, wrt: values[wrt] + t * direction})

    tree = matrix_steps(r)
    assert tree.rule == f"read_off_{what}" and tree.result == r.expr
    checked = set()
    for node in tree.walk():
        if node.rule.startswith("read_off"):
            expected = _torch(formula, values, wrt, what) if node is tree else None
            if node.rule == "read_off":  # the gradient inside a Hessian
                inputs = {k: T.tensor(v, requires_grad=k == wrt) for k, v in values.items()}
                formula(inputs).sum().backward()
                expected = inputs[wrt].grad.numpy()
            got = _numeric(node.result, values)
            np.testing.assert_allclose(got.reshape(expected.shape), expected, rtol=1e-9,
                                       atol=1e-11, err_msg=node.rule)
        elif node.rule == "second_differential":
            h = 1e-4
            numeric = (along(node.expr, h) - 2 * along(node.expr, 0) + along(node.expr, -h)) / h**2
            claimed = _numeric(node.result, {**values, d: direction})
            np.testing.assert_allclose(claimed, numeric, rtol=1e-5, atol=1e-6)
        else:
            numeric = (along(node.expr, 1e-6) - along(node.expr, -1e-6)) / 2e-6
            if node.rule == "vec_form":
                numeric = _vec(numeric)
            claimed = _numeric(node.result, {**values, d: direction})
            np.testing.assert_allclose(claimed.reshape(numeric.shape), numeric, rtol=1e-6,
                                       atol=1e-8, err_msg=f"{node.rule}: {node.expr}")
        checked.add(node.rule)
    assert ({"vec_form", "linear_form"} & checked) and (what != "hessian" or {
        "read_off", "trace_form", "second_differential"} <= checked)


def test_the_identification_reads_as_a_textbook_writes_it():
    r = symnum.derive("inv(X)", wrt="X", shapes={"X": "n,n"})
    text = matrix_derivation(r).text()
    assert text.splitlines()[0] == "[1] ∂ vec/∂(vec X)ᵀ [X⁻¹] = −(X⁻ᵀ ⊗ X⁻¹)"
    assert "[2] vec d[X⁻¹] = −(X⁻ᵀ ⊗ X⁻¹) vec(dX)" in text
    assert "vec(A·dX·B) = (Bᵀ ⊗ A)·vec dX" in text and "inverse: d(A⁻¹) = −A⁻¹·dA·A⁻¹" in text
    latex = matrix_derivation(r).latex()
    assert r"\frac{\partial \operatorname{vec}}{\partial (\operatorname{vec} X)^\top}" in latex
    h = symnum.derive("log(det(X))", wrt="X", what="hessian", shapes={"X": "n,n"})
    text = matrix_derivation(h).text()
    assert "d²[log(det(X))] = −tr(X⁻¹ dX X⁻¹ dX)" in text
    assert "d[log(det(X))] = tr(X⁻¹ dX)" in text  # df = tr(Gᵀ dX) with G = X⁻ᵀ
    rules = [s["rule"] for s in matrix_derivation(h).to_json()[0]["substeps"]]
    assert rules == ["read_off", "second_differential", "vec_form"]


def test_the_denominator_layout_is_named_in_the_read_off(cli):
    out = cli("derive", "W*x", "--wrt", "W", "--shape", "W=m,n", "--shape", "x=n", "--steps",
              "--layout", "denominator").stdout
    assert "∂vec F/∂(vec W)ᵀ = V; you asked for the denominator layout, its transpose" in out
