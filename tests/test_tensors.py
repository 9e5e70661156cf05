"""Mixed partials (``--wrt x,y,y``) and derivative tensors (``--what tensor --order k``):
exact entries against torch's nested autodiff, symmetry counted, kernels' shapes, verify
against the independent methods, and every printed form read back by ``check``."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
import sympy

import symnum
from symnum.core.errors import SymnumError

F = "x**2*y**3*sin(z) + exp(x*z)"


def torch_tensor(expr: str, order: int, point: tuple[float, ...]) -> np.ndarray:
    """The order-k derivative tensor by torch.func (jacfwd of … jacrev), an independent
    oracle: torch differentiates its own translation of f."""
    import torch
    from torch.func import jacfwd, jacrev

    def f(v):
        x, y, z = v.unbind(0)
        return eval(expr, {"sin": torch.sin, "exp": torch.exp, "x": x, "y": y, "z": z})

    g = jacrev(f)
    for _ in range(order - 1):
        g = jacfwd(g)
    return g(torch.tensor(point, dtype=torch.float64)).numpy()


@pytest.fixture(scope="module")
def third():
    return symnum.derive(F, what="tensor", order=3)


def test_tensor_matches_torch_and_derives_each_distinct_entry_once(third):
    point = (0.7, -1.3, 0.4)
    value = np.array(third.at(dict(zip("xyz", point, strict=True))), dtype=float)
    assert value.shape == third.shape == (3, 3, 3)
    np.testing.assert_allclose(value, torch_tensor(F, 3, point), rtol=1e-12, atol=1e-12)
    # C(3 + 3 − 1, 3) = 10 distinct of 27; diff calls 3 + 6 + 10 = 19 of 3 + 9 + 27 = 39
    assert (third.distinct, len(third.entries()), third.differentiations,
            third.naive_differentiations) == (10, 27, 19, 39)
    assert "10 distinct entries derived, each once, of 27" in third.text()
    assert third.nested()[0][1][2] == third.nested()[2][0][1] == third.nested()[1][2][0]


@pytest.mark.parametrize("backend", ["numpy", "torch", "jax"])
def test_kernel_shape_is_batch_then_n_k(third, backend):
    if backend == "jax":
        jax = pytest.importorskip("jax")
        jax.config.update("jax_enable_x64", True)
    k = symnum.kernel(F, what="tensor", order=3, backend=backend)
    xs = np.array([0.7, 0.2])
    out = np.asarray(k(xs if backend != "torch" else __import__("torch").tensor(xs), -1.3, 0.4))
    assert out.shape == (2, 3, 3, 3)
    np.testing.assert_allclose(out[0], torch_tensor(F, 3, (0.7, -1.3, 0.4)), rtol=1e-12)


def test_verify_passes_and_a_wrong_entry_fails(third):
    methods = ("mpmath", "complex-step", "richardson", "torch")  # JAX: as torch, slower to start
    report = symnum.verify(third, points=1, methods_used=methods)
    assert report.verdict == "pass" and all(c.passed for c in report.checks)
    wrong = list(third.matrix)
    wrong[5] += 1  # T[0,1,2] only: its symmetric partners stay right
    broken = dataclasses.replace(third, matrix=sympy.ImmutableMatrix(9, 3, wrong))
    assert symnum.verify(broken, points=1, methods_used=("torch",)).verdict == "fail"


def test_mixed_partial_in_the_order_given_with_steps(cli):
    out = cli.json("derive", "x**2*y**3*sin(z)", "--wrt", "x,y,y", "--at", "x=1,y=2,z=0.5",
                   "--steps")
    assert (out["wrt"], out["what"], out["order"], out["result"]) == (
        ["x", "y", "y"], "derivative", 3, "12*x*y*sin(z)")
    assert out["value"] == pytest.approx(24 * np.sin(0.5))
    assert [s["label"] for s in out["steps"]] == [
        "stage 1: ∂/∂x of f", "stage 2: ∂/∂y of f_x", "stage 3: ∂/∂y of f_xy"]
    assert r"\frac{\partial^{3}}{\partial y^{2} \partial x}" in out["latex"]
    latex = cli("derive", "x**2*y**3*sin(z)", "--wrt", "x,y,y", "--steps", "--format",
                "latex").stdout  # the stage labels in math: a name like x_1 cannot sit in text
    assert r"\text{stage 3: }\frac{\partial}{\partial y} \text{ of } f_{x y}" in latex
    text = cli("derive", "x**2*y**3*sin(z)", "--wrt", "x,y,y").stdout
    assert "∂³f/∂y²∂x = f_xyy (by x, then y, then y)" in text
    assert symnum.verify(F, wrt="x,z,y,x", points=1, methods_used=("mpmath", "torch")).passed
    two = cli.json("derive", "x**2*y**3", "--wrt", "x,y", "--what", "derivative")
    assert (two["wrt"], two["result"]) == (["x", "y"], "6*x*y**2")  # several names: ∂²f/∂y∂x


@pytest.mark.parametrize("argv, message", [
    (["--wrt", "x,y,y", "--what", "gradient"], "a gradient takes each variable once"),
    (["--wrt", "x,y,y", "--order", "2"], "not both"),
    (["--what", "tensor", "--order", "9"], "from 1 to 8"),
    (["--what", "tensor", "--order", "3", "--steps"], "one entry at a time"),
])
def test_refusals_are_one_line(cli, argv, message):
    proc = cli("derive", "x**2*y**3*sin(z)", *argv)
    assert proc.returncode == 2 and message in proc.stderr
    assert proc.stderr.startswith("error:") and proc.stderr.count("\n") == 1


@pytest.mark.parametrize("kind", ["tensor3", "tensor4", "mixed"])
def test_printed_forms_read_back_as_correct(cli, kind):
    flags = {"tensor3": ["--what", "tensor", "--order", "3"],
             "tensor4": ["--what", "tensor", "--order", "4"],
             "mixed": ["--wrt", "x,y,y"]}[kind]
    out = cli.json("derive", "x**2*y**3*sin(z)", *flags)
    claim = out["result"] if isinstance(out["result"], str) else json.dumps(out["result"])
    claims = [(claim, "x**2*y**3*sin(z)", []),
              (out["latex"].split(" = ", 1)[1], r"x^2 y^3 \sin(z)", ["--from", "latex"])]
    if kind != "mixed":  # the whole printed equation: its slices are read in order
        claims.append((out["latex"], r"x^2 y^3 \sin(z)", ["--from", "latex"]))
    for text, of, extra in claims:
        proc = cli("check", text, "--of", of, *flags, *extra)
        assert proc.returncode == 0 and proc.stdout.startswith("correct"), (text, proc)
    proc = cli("check", "[[[0, 0], [0, 0]], [[0, 0], [0, 0]]]", "--of", "x**3*y", "--what",
               "tensor", "--order", "3")
    assert proc.returncode == 1 and "incorrect" in proc.stdout


def test_api_and_web_parameters():
    from symnum.web.params import request_for
    result = symnum.derive("x**3*y", what="tensor", order=3)
    assert result.to_json()["shape"] == [2, 2, 2]
    assert str(symnum.derive("x**2*y**3", wrt=["x", "y", "y"]).expr) == "12*x*y"
    _, request = request_for("derive", {"expr": "x**3*y", "what": "tensor", "order": "3"})
    answer = symnum.service.derive(request).to_json()
    assert answer["result"] == [[["6*y", "6*x"], ["6*x", "0"]], [["6*x", "0"], ["0", "0"]]]
    with pytest.raises(SymnumError, match="from 1 to 8"):
        symnum.derive("x*y", what="tensor", order=0)


def test_a_list_has_one_tensor_per_output(cli):
    import torch
    from torch.func import jacfwd, jacrev

    out = cli.json("derive", "[x**2*y, sin(x*y)]", "--what", "tensor", "--order", "3",
                   "--at", "x=0.5,y=2")
    assert out["shape"] == [2, 2, 2, 2] and out["distinct_entries"] == 8
    f = lambda v: torch.stack([v[0] ** 2 * v[1], torch.sin(v[0] * v[1])])  # noqa: E731
    expected = jacfwd(jacfwd(jacrev(f)))(torch.tensor([0.5, 2.0], dtype=torch.float64))
    np.testing.assert_allclose(np.array(out["value"], dtype=float), expected.numpy(),
                               rtol=1e-12, atol=1e-12)
    of = r"\begin{bmatrix}x^2 y \\ \sin(x y)\end{bmatrix}"
    proc = cli("check", out["latex"], "--of", of, "--what", "tensor", "--order", "3", "--from",
               "latex")
    assert proc.returncode == 0 and proc.stdout.startswith("correct"), proc


def test_export_writes_the_tensor(cli):
    proc = cli("export", "x**3*y + y**2*z", "--what", "tensor", "--order", "3", "--name", "T")
    namespace: dict = {}
    exec(proc.stdout, namespace)  # a standalone numpy module
    out = namespace["T"](np.array([1.0, 0.5]), 2.0, 3.0)
    assert out.shape == (2, 3, 3, 3) and out[0, 1, 2, 1] == 2.0 and out[1, 0, 0, 0] == 12.0
