"""The benchmark's workload: the mean squared loss of a one-hidden-layer tanh network on fixed
data, as symnum's text and as each other tool writes it (CasADi SX, jax.numpy, torch), with
the parameters in one order everywhere.

The loss is (1/P) Σ_p (Σ_h V_h·tanh(Σ_i W_h,i·X_p,i + b_h) + c − Y_p)²; its parameters are
W (hidden × inputs, row by row), b, V and c: hidden·(inputs + 2) + 1 of them.

>>> text, params = loss_text(SHAPES[10])
>>> len(params), params[:4], text[:30]
(10, ['W0_0', 'W1_0', 'W2_0', 'b0'], '((V0*tanh(W0_0*(0.27) + b0) + ')
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

# parameters → (inputs, hidden units, data points); the text of the largest is 111k characters
SHAPES: dict[int, tuple[int, int, int]] = {
    10: (1, 3, 4), 61: (4, 10, 8), 161: (8, 16, 32), 401: (8, 40, 16), 1001: (8, 100, 8)}


def describe(n: int) -> str:
    """'61 (4 inputs, 10 tanh units, 8 points)'."""
    n_in, hidden, points = SHAPES[n]
    return f"{n} ({n_in} inputs, {hidden} tanh units, {points} points)"


def data(shape: tuple[int, int, int], seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Inputs X (points × inputs) and targets Y, rounded to two decimals (exact as text)."""
    n_in, _, points = shape
    rng = np.random.default_rng(seed)
    return (rng.uniform(-1, 1, size=(points, n_in)).round(2),
            rng.uniform(-1, 1, size=points).round(2))


def param_names(shape: tuple[int, int, int]) -> list[str]:
    """W0_0, W0_1, … (row by row), b0, …, V0, …, c."""
    n_in, hidden, _ = shape
    return ([f"W{h}_{i}" for h in range(hidden) for i in range(n_in)]
            + [f"b{h}" for h in range(hidden)] + [f"V{h}" for h in range(hidden)] + ["c"])


def loss_text(shape: tuple[int, int, int]) -> tuple[str, list[str]]:
    """The loss as symnum reads it, and its parameters in order."""
    n_in, hidden, points = shape
    X, Y = data(shape)
    terms = []
    for p in range(points):
        units = " + ".join(
            f"V{h}*tanh({' + '.join(f'W{h}_{i}*({X[p, i]})' for i in range(n_in))} + b{h})"
            for h in range(hidden))
        terms.append(f"({units} + c - ({Y[p]}))**2")
    return f"({' + '.join(terms)})/{points}", param_names(shape)


def theta0(n: int) -> np.ndarray:
    """The point every tool's Hessian is evaluated at."""
    return np.random.default_rng(1).normal(0, 0.5, size=n)


def _split(theta: Any, shape: tuple[int, int, int]) -> tuple[Any, Any, Any, Any]:
    n_in, hidden, _ = shape
    w = hidden * n_in
    return theta[:w], theta[w:w + hidden], theta[w + hidden:w + 2 * hidden], theta[-1]


def array_loss(np_like: Any, shape: tuple[int, int, int]) -> Callable[[Any], Any]:
    """The loss of a flat parameter vector in an array library with numpy's names (numpy,
    jax.numpy, torch): matrix products, the form its users write and its fastest.

    >>> round(float(array_loss(np, SHAPES[10])(theta0(10))), 6)
    0.05634
    """
    n_in, hidden, points = shape
    X, Y = data(shape)
    if np_like.__name__ == "torch":
        X, Y = np_like.tensor(X), np_like.tensor(Y)

    def loss(theta: Any) -> Any:
        w, b, v, c = _split(theta, shape)
        out = np_like.tanh(X @ w.reshape(hidden, n_in).T + b) @ v + c - Y
        return (out * out).sum() / points
    return loss


def casadi_loss(ca: Any, theta: Any, shape: tuple[int, int, int]) -> Any:
    """The loss as a CasADi expression of the symbolic vector ``theta`` (SX or MX), written
    with matrix products as a CasADi user would (one scalar graph in SX)."""
    n_in, hidden, points = shape
    X, Y = data(shape)
    w, b, v, c = _split(theta, shape)
    W = ca.reshape(w, n_in, hidden).T  # CasADi reshapes column by column; W is row by row
    pre = ca.mtimes(ca.DM(X), W.T) + ca.repmat(b.T, points, 1)
    out = ca.mtimes(ca.tanh(pre), v) + c - ca.DM(Y)
    return ca.dot(out, out) / points
