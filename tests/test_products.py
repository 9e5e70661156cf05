"""Products with a direction (``--what hvp``, ``jvp``, ``vjp``, ``--vector``): what the command
line prints reads back through ``check`` (text, LaTeX, JSON), wrong claims are refused, the
steps are true, kernels and values agree with matrices derived by hand, ``verify`` (torch
autograd, mpmath) catches a wrong result, and bad input is one clear line."""

from __future__ import annotations

import dataclasses
import json
import re

import numpy as np
import pytest
import sympy

import symnum
from symnum.higher.product_steps import product_steps
from symnum.higher.products import product

# (what, F in plain syntax, F in LaTeX, the --vector given (None: the default))
CASES = [
    ("hvp", "x**2*y**3 + sin(x)", r"x^{2} y^{3} + \sin(x)", None),
    ("jvp", "[x*y, exp(x)*z]", r"\begin{bmatrix}x y \\ e^{x} z\end{bmatrix}", "w"),
    ("vjp", "[x*y, sin(x)*y]", r"\begin{bmatrix}x y \\ \sin(x) y\end{bmatrix}", None),
]


def _rhs(latex: str) -> str:
    """The result's LaTeX: the right-hand side of the equation's first row."""
    return latex.split("&= ", 1)[1].split(r" \\ \text{where}", 1)[0]


@pytest.mark.parametrize("what, f, f_latex, vector", CASES, ids=[c[0] for c in CASES])
def test_every_output_reads_back_through_check(cli, what, f, f_latex, vector):
    given = ["--vector", vector] if vector else []
    data = cli.json("derive", f, "--what", what, *given)
    assert data["what"] == what and {"expr", "wrt", "shape", "result", "latex"} <= set(data)
    assert data["shape"] == [len(data["result"])]
    prefix = vector or ("u" if what == "vjp" else "v")
    assert data["vector"][0].startswith(prefix + "_")
    text = cli("derive", f, "--what", what, *given).stdout.splitlines()
    below = next(k for k, t in enumerate(text) if t.startswith(("direction ", "weights ")))
    shown = text[below + 2].strip()  # under the title: [component, component, ...]
    claims = {"text": ([shown], "plain", f), "json": ([json.dumps(data["result"])], "plain", f),
              "latex": ([_rhs(data["latex"])], "latex", f_latex)}
    assert re.search(prefix + r"_\{", data["latex"]), data["latex"]  # v_{x}, u_{1}
    for name, (claim, syntax, of) in claims.items():
        claim = [c.replace('"', "") for c in claim]
        ok = cli("check", *claim, "--of", of, "--what", what, "--from", syntax, *given)
        assert ok.returncode == 0 and ok.stdout.startswith("correct"), (name, claim, ok)
    wrong = json.dumps(data["result"][:-1] + [data["result"][-1] + " + x"]).replace('"', "")
    bad = cli("check", wrong, "--of", f, "--what", what, *given)
    assert bad.returncode == 1 and bad.stdout.startswith("incorrect")


def test_values_kernels_and_steps_agree_with_hand_derived_matrices():
    x, y, v = 0.7, -1.3, np.array([0.4, 2.0])
    hessian = np.array([[2 * y**3 - np.sin(x), 6 * x * y**2], [6 * x * y**2, 6 * x**2 * y]])
    jacobian = np.array([[y, x], [np.cos(x) * y, np.sin(x)]])  # of [x·y, sin(x)·y], by hand
    r = symnum.derive("x**2*y**3 + sin(x)", what="hvp")
    assert np.allclose(r.at({"x": x, "y": y, "v_x": 0.4, "v_y": 2.0}), hessian @ v)
    assert r.to_json()["vector"] == ["v_x", "v_y"]
    k = symnum.kernel("x**2*y**3 + sin(x)", what="hvp")  # k(x, y, v_x, v_y), batched
    batch = k(np.array([x, x]), y, 0.4, np.array([2.0, 0.0]))
    assert batch.shape == (2, 2) and np.allclose(batch, [hessian @ v, hessian @ [0.4, 0]])
    module: dict = {}
    exec(symnum.export_source(r, to="numpy"), module)  # standalone: f(x, y, v_x, v_y)
    assert np.allclose(module["f"](x, y, 0.4, 2.0), hessian @ v)
    given = symnum.derive("x**2*y**3 + sin(x)", what="hvp", vector="0.4, 2")
    assert np.allclose(symnum.kernel(given)(x, y), hessian @ v)  # numbers: no direction inputs
    assert np.allclose(symnum.kernel("[x*y, sin(x)*y]", what="jvp")(x, y, *v), jacobian @ v)
    assert np.allclose(symnum.kernel("[x*y, sin(x)*y]", what="vjp")(x, y, *v), v @ jacobian)
    assert np.allclose(symnum.derive("x*y", what="jvp", vector="3,1").at({"x": x, "y": y}),
                       3 * y + x)  # a scalar: the directional derivative
    rng = np.random.default_rng(1)
    for what, expr in (("hvp", "x**2*y**3 + sin(x)"), ("jvp", "[x*y, exp(x)*z]"),
                       ("vjp", "[x*y, sin(x)*y]")):
        for step in product_steps(product(expr, what)).steps:  # each step a true equation
            left = step.exact if isinstance(step.exact, list) else [step.exact]
            right = step.value if isinstance(step.value, list) else [step.value]
            for a, b in zip(left, right, strict=True):
                point = {s: rng.uniform(-1, 1) for s in (a - b).free_symbols}
                assert abs(complex((a - b).evalf(30, subs=point))) < 1e-20, (what, step.rule)


def test_verify_passes_the_right_product_and_fails_a_wrong_one(cli, monkeypatch):
    from symnum.verification.products import verify_product

    monkeypatch.setenv("SYMNUM_NO_JAX", "1")  # torch and mpmath: JAX's start is slow
    run = cli("verify", "exp(x*y)*z", "--what", "hvp", "--points", "1")
    assert run.returncode == 0 and run.stdout.startswith("PASS"), run.stdout
    assert "torch.autograd: agrees" in run.stdout and "mpmath: agrees" in run.stdout
    right = product("[x*y, exp(x)]", "vjp")
    wrong = dataclasses.replace(right, matrix=right.matrix + sympy.ImmutableMatrix(
        [0, sympy.Rational(1, 1000)]))
    assert verify_product(right, points=1).verdict == "pass"
    report = verify_product(wrong, points=1)
    assert report.verdict == "fail" and "DISAGREES" in report.text()


@pytest.mark.parametrize("argv, message", [
    (["derive", "x*y", "--what", "jvp", "--vector", "1,0,2"], "3 components but the jvp needs 2"),
    (["derive", "x*y", "--vector", "v"], "--vector is the direction of a product"),
    (["derive", "[x, y]", "--what", "hvp"], "needs a scalar function"),
    (["derive", "x*y", "--what", "hvp", "--vector", "x,1"], "depends on x"),
    (["derive", "x*v_x", "--what", "hvp"], "v_x is already a name"),
    (["check", "1", "--of", "x*y", "--what", "vjp"], "product is a list of 2 entries"),
])
def test_bad_input_is_one_clear_line(cli, argv, message):
    run = cli(*argv)
    assert run.returncode == 2 and run.stderr.startswith("error:"), run
    assert message in run.stderr and len(run.stderr.strip().splitlines()) == 1
