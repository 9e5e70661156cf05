"""Write the chapter's notebooks (one per part) and execute them so GitHub shows the outputs.

    python notebooks/build.py          # rewrite and execute all five

The notebooks use symnum's public API only. The test suite executes them again from scratch
(tests/test_notebooks.py), so a notebook that stops working fails the build.
"""

from __future__ import annotations

import os
import sys

import nbformat
from nbclient import NotebookClient

HERE = os.path.dirname(os.path.abspath(__file__))

def setup(*modules: str, api: bool = True) -> str:
    """The first code cell: inline figures and the imports this notebook uses."""
    lines = ["%matplotlib inline"] + (["import symnum"] if api else [])
    return "\n".join(lines + [f"from symnum import {', '.join(modules)}"])


NOTEBOOKS: dict[str, list[tuple[str, str]]] = {
    "1_linear_algebra": [
        ("md", "# Part 1 — Linear algebra\n\nVectors and matrices as *functions* we can "
               "differentiate, and the decompositions (eigen, SVD) checked exactly."),
        ("code", setup("catalog", "figures", "studies")),
        ("md", "## Dot product and norm\n\n`aᵀx` is linear in `x`: its gradient is `a`. "
               "The norm `√(xᵀx)` has gradient `x/‖x‖`. Matrix calculus with declared shapes:"),
        ("code", 'display(symnum.derive("a.T*x", wrt="x", shapes={"a": "n", "x": "n"}))\n'
                 'symnum.derive("sqrt(x.T*x)", wrt="x", shapes={"x": "n"})'),
        ("md", "## The angle between two vectors\n\nIn components, with its gradient checked "
               "against four numeric methods:"),
        ("code", 'cos = symnum.Function("(a1*x1 + a2*x2)/(sqrt(a1**2 + a2**2)*sqrt(x1**2 + '
                 'x2**2))", wrt="x1,x2")\n'
                 'cos.gradient()'),
        ("code", 'symnum.verify(cos, what="gradient", points=2)'),
        ("code", 'figures.draw(catalog.run(catalog.find("cosine-angle"), verify=False))'),
        ("md", "## Eigenvalues from the characteristic polynomial"),
        ("code", 'studies.eigen(matrix=[[4, 2], [2, 3]])'),
        ("code", 'figures.draw(catalog.run(catalog.find("eigen")))'),
        ("md", "## Low-rank approximation with the SVD"),
        ("code", 'studies.low_rank(matrix=[[3, 1, 1], [-1, 3, 1]], ranks=[1])'),
        ("code", 'figures.draw(catalog.run(catalog.find("svd-low-rank")))'),
    ],
    "2_calculus": [
        ("md", "# Part 2 — Calculus\n\nDerivatives with every rule shown, gradients, "
               "Jacobians and Hessians."),
        ("code", setup("catalog", "figures", "studies")),
        ("md", "## The chain rule, step by step"),
        ("code", 'f = symnum.Function("sin(exp(x**2))")\nf.steps()'),
        ("md", "Is a derivative you worked out by hand right? `check_claim` proves it either "
               "way, or shows where it differs and names the classic mistake:"),
        ("code", 'display(symnum.check_claim("2*x*exp(x**2)*cos(exp(x**2))", f))\n'
                 'symnum.check_claim("exp(x**2)*cos(exp(x**2))", f)'),
        ("code", 'figures.draw(catalog.run(catalog.find("nested-chain"), verify=False))'),
        ("md", "## Gradient descent on x² + y²"),
        ("code", 'display(symnum.derive("x**2 + y**2"))\n'
                 'studies.descent("x**2 + y**2", "x,y", start=[2.0, 1.5],\n'
                 '                rates=[0.1, 0.4, 1.0, 1.05], steps=60)'),
        ("md", "## A Jacobian and a Hessian"),
        ("code", 'display(symnum.derive("[x1**2, x1*x2, x2**2]", wrt="x1,x2"))\n'
                 'display(symnum.derive("x**2 + 4*x*y + y**2", what="hessian"))\n'
                 'studies.classify("x**2 + 4*x*y + y**2")'),
        ("code", 'figures.draw(catalog.run(catalog.find("saddle"), verify=False))'),
        ("md", "## Kernels: evaluate the gradient on a grid"),
        ("code", 'import numpy as np\n\n'
                 'grad = symnum.kernel("sin(exp(x**2/4))*cos(y) + x*y**2", wrt="x,y", '
                 'what="gradient")\n'
                 'grad'),
        ("code", 'X, Y = np.meshgrid(np.linspace(-2, 2, 5), np.linspace(-2, 2, 5))\n'
                 'print(grad(X, Y).shape)'),
    ],
    "3_probability": [
        ("md", "# Part 3 — Probability and information theory\n\nScore functions of the "
               "common densities, entropy, cross-entropy, KL, softmax with cross-entropy "
               "and maximum likelihood."),
        ("code", setup("catalog", "figures")),
        ("code", 'for key in ["gaussian-score", "bernoulli-score", "exponential-score", '
                 '"beta-score"]:\n'
                 '    outcome = catalog.run(catalog.find(key))\n'
                 '    print(key, "verified:", outcome.passed)\n'
                 '    display(outcome.result)'),
        ("code", 'figures.draw(catalog.run(catalog.find("gaussian-score"), verify=False))'),
        ("md", "## Softmax with cross-entropy\n\nThe gradient in the logits is "
               "softmax(z) − y; in vector form symnum keeps the factor 1ᵀy:"),
        ("code", 'display(symnum.derive("-y.T*log(softmax(z))", wrt="z", '
                 'shapes={"y": "k", "z": "k"}))\n'
                 'catalog.run(catalog.find("softmax-cross-entropy")).claim'),
        ("md", "## Gaussian maximum likelihood in closed form"),
        ("code", 'mle = catalog.run(catalog.find("gaussian-mle"))\n'
                 'mle.study'),
        ("code", 'figures.draw(mle)'),
    ],
    "4_full_picture": [
        ("md", "# Part 4 — One forward and backward pass\n\nA two-layer network "
               "`(vᵀ tanh(Wx + b) + c − t)²`: every gradient derived in matrix form, then a "
               "scalar version shown as backpropagation on its graph."),
        ("code", "import symnum"),
        ("code", 'shapes = {"W": "h,n", "x": "n", "b": "h", "v": "h"}\n'
                 'for wrt in ["v", "W", "b"]:\n'
                 '    display(symnum.derive("(v.T*tanh(W*x + b) + c - t)**2", wrt=wrt, '
                 'shapes=shapes))'),
        ("md", "The forward pass computes every intermediate value; the backward pass sends "
               "the adjoint v̄ = ∂f/∂v from the output back, one local derivative at a time:"),
        ("code", 'net = symnum.Function("(v1*tanh(w1*x + b1) + v2*tanh(w2*x + b2) - t)**2", '
                 'wrt="w1,b1,v1,w2,b2,v2")\n'
                 'point = {"x": 0.5, "t": 1, "w1": 0.3, "b1": -0.1, "v1": 0.8, "w2": -0.6, '
                 '"b2": 0.2,\n         "v2": 0.4}\n'
                 'net.graph().at(point)'),
        ("md", "The adjoints of the variables are the gradient; the exact gradient agrees with "
               "the numeric methods:"),
        ("code", 'symnum.verify(net, points=2)'),
    ],
    "5_exercises": [
        ("md", "# The exercises, solved"),
        ("code", setup("catalog", "figures", api=False)),
        ("code", 'outcomes = catalog.run_all(catalog.load("exercises"), points=2)\n'
                 'print(catalog.summary_text(outcomes))'),
        ("code", 'for o in outcomes:\n    print(o.entry.title)\n    display(o.study)'),
        ("code", 'figures.draw(outcomes[0])'),
        ("code", 'figures.draw(outcomes[1])'),
        ("code", 'figures.draw(outcomes[4])'),
    ],
}

# What each notebook must show richly (tests/test_notebooks.py checks the outputs).
RICH: dict[str, set[str]] = {
    "1_linear_algebra": {"text/latex", "text/html", "text/markdown", "image/png"},
    "2_calculus": {"text/latex", "text/html", "text/markdown", "image/png"},
    "3_probability": {"text/latex", "text/html", "text/markdown", "image/png"},
    "4_full_picture": {"text/latex", "text/html"},
    "5_exercises": {"text/markdown", "image/png"},
}


def notebook(cells: list[tuple[str, str]]) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(text) if kind == "md"
                else nbformat.v4.new_code_cell(text) for kind, text in cells]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    return nb


def execute(nb: nbformat.NotebookNode, timeout: int = 600) -> nbformat.NotebookNode:
    """Run every cell top to bottom in a real Jupyter kernel (raises on the first error)."""
    NotebookClient(nb, timeout=timeout, kernel_name="python3",
                   resources={"metadata": {"path": HERE}}).execute()
    return nb


def main() -> None:
    for name, cells in NOTEBOOKS.items():
        nb = execute(notebook(cells))
        path = os.path.join(HERE, f"{name}.ipynb")
        nbformat.write(nb, path)
        print(f"wrote {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
