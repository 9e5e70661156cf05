"""How each tool builds the MLP loss's Hessian (:mod:`mlp`) and evaluates it at a point: one
function a tool, each returning its phases' seconds (in order) and a function that gives the
Hessian at ``theta0`` in the tool's own type (``np.asarray`` reads each). Imports (and a
warm-up on a small problem, :func:`warm_up`) happen before the clock starts.

symnum goes through its public API only, from the loss as text:
``symnum.derive(text, wrt=params, what="hessian")`` (derive: reading the text is part of it,
since the graph engine reads text straight into its graph) and ``symnum.kernel(result)``
(ready to evaluate), so whichever engine ``derive`` picks is the one measured.

>>> import numpy as np
>>> phases, hessian = build("casadi", 10)
>>> list(phases), np.asarray(hessian()).shape
(['derive', 'ready'], (10, 10))
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import mlp
import numpy as np

Built = tuple[dict[str, float], Callable[[], Any]]
# the tools in the order of the tables, and the module each needs
TOOLS: dict[str, str] = {"symnum": "symnum", "casadi": "casadi", "jax": "jax",
                         "torch.func": "torch", "sympy": "sympy", "symengine": "symengine"}
# what each tool's phases are, for the printed tables
PHASES: dict[str, str] = {
    "parse": "text → expression", "derive": "the Hessian's expressions (or graph)",
    "ready": "something to call at a point (kernel, Function, lambdify, jit compile)"}


def build(tool: str, n: int) -> Built:
    """``tool``'s phases and Hessian function for the MLP of ``n`` parameters."""
    return BUILDERS[tool](mlp.SHAPES[n], mlp.theta0(n))


def warm_up(tool: str) -> float:
    """Seconds of a first use on a small problem of other numbers, so that the modules a
    first use loads (symnum's kernels and symengine route, JAX's backend) are loaded before
    the clock starts, as they are once a session (``import symnum`` is timed on its own).
    symnum's are two 12-variable Hessians, of a short text and of a long one (a 4-parameter
    one would be simplified entry by entry, a path the MLPs never take); the others build a
    4-parameter MLP."""
    start = time.perf_counter()
    if tool == "symnum":
        import symnum
        names = [f"a{i}" for i in range(12)]
        for terms in (12, 120):  # short text: SymPy's route; long: the graph engine's
            text = " + ".join(f"a{i % 12}*tanh(a{(i + 1) % 12}*0.{i + 1} + 0.25)"
                              for i in range(terms))
            k = symnum.kernel(symnum.derive(f"({text})**2", wrt=names, what="hessian"))
            k(*[0.1] * 12)
    else:
        BUILDERS[tool](WARM_UP, mlp.theta0(4))[1]()
    return time.perf_counter() - start


WARM_UP = (1, 1, 1)  # 4 parameters, data of its own


class _Clock:
    """Seconds of consecutive phases: ``clock.lap("derive")`` ends the phase so named."""

    def __init__(self) -> None:
        self.phases: dict[str, float] = {}
        self._start = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.phases[name] = now - self._start
        self._start = now


def _symnum(shape: tuple[int, int, int], theta: np.ndarray) -> Built:
    import symnum
    text, params = mlp.loss_text(shape)
    clock = _Clock()
    result = symnum.derive(text, wrt=params, what="hessian")  # reads the text too
    clock.lap("derive")
    k = symnum.kernel(result)
    clock.lap("ready")
    point = [float(v) for v in theta]  # Python floats: the one-point path
    return clock.phases, lambda: k(*point)


def _casadi(shape: tuple[int, int, int], theta: np.ndarray) -> Built:
    import casadi as ca
    clock = _Clock()
    v = ca.SX.sym("theta", len(theta))
    h, _ = ca.hessian(mlp.casadi_loss(ca, v, shape), v)
    clock.lap("derive")
    f = ca.Function("h", [v], [h])
    clock.lap("ready")
    return clock.phases, lambda: f(theta)


def _jax(shape: tuple[int, int, int], theta: np.ndarray) -> Built:
    import jax
    jax.config.update("jax_enable_x64", True)
    x = jax.device_put(theta)
    clock = _Clock()
    f = jax.jit(jax.hessian(mlp.array_loss(jax.numpy, shape)))
    f(x).block_until_ready()  # tracing and XLA compilation (and one evaluation)
    clock.lap("ready")
    return clock.phases, lambda: f(x).block_until_ready()


def _torch(shape: tuple[int, int, int], theta: np.ndarray) -> Built:
    import torch
    x = torch.tensor(theta)
    h = torch.func.hessian(mlp.array_loss(torch, shape))  # traced anew at every call
    return {}, lambda: h(x)


def _sympy_parsed(shape: tuple[int, int, int]) -> tuple[Any, list[Any], _Clock]:
    import sympy
    text, params = mlp.loss_text(shape)
    clock = _Clock()
    expr = sympy.sympify(text)
    names = {s.name: s for s in expr.free_symbols}
    clock.lap("parse")
    return expr, [names[p] for p in params], clock


def _sympy(shape: tuple[int, int, int], theta: np.ndarray) -> Built:
    import sympy
    expr, xs, clock = _sympy_parsed(shape)
    h = sympy.hessian(expr, xs)
    clock.lap("derive")
    f = sympy.lambdify(xs, h, "numpy", cse=True)
    clock.lap("ready")
    return clock.phases, lambda: f(*theta)


def _symengine(shape: tuple[int, int, int], theta: np.ndarray) -> Built:
    import symengine as se
    expr, xs, clock = _sympy_parsed(shape)
    e, ys = se.sympify(expr), [se.sympify(x) for x in xs]
    grad = [e.diff(y) for y in ys]
    h = se.DenseMatrix([[g.diff(y) for y in ys] for g in grad])
    clock.lap("derive")
    f = se.Lambdify(ys, h, cse=True)
    clock.lap("ready")
    return clock.phases, lambda: f(theta)


BUILDERS: dict[str, Callable[[tuple[int, int, int], np.ndarray], Built]] = {
    "symnum": _symnum, "casadi": _casadi, "jax": _jax, "torch.func": _torch,
    "sympy": _sympy, "symengine": _symengine}


def installed(tool: str) -> bool:
    """Whether ``tool`` can be imported here (the ``bench`` extra brings the others)."""
    import importlib.util
    return importlib.util.find_spec(TOOLS[tool]) is not None
