"""Products with a direction derived by their route (H·v = ∇(∇f·v), J·v = d/dt f(x + t·v))
against forming the matrix (the Hessian or Jacobian) and multiplying it by v, for an MLP-ish
function of n variables: f = Σ_k a_k·tanh(w_k·x + b_k) with small integer weights.

Prints, per product: CPU seconds to derive, the result's size (SymPy operations,
definitions substituted) and CPU seconds for a numpy kernel of it (built, then evaluated at
10,000 points), both ways, and checks that both give the same values at a random point.

    PYTHONPATH=. python benchmarks/products.py [n] [hidden]
"""

from __future__ import annotations

import random
import sys
import time

import numpy as np
import sympy

import symnum
from symnum.higher.products import product
from symnum.kernels.build import compile_kernel


def mlp(n: int, hidden: int, seed: int = 0) -> tuple[str, str]:
    """A scalar f (one hidden tanh layer, a linear read-out) and its hidden layer as a list."""
    rng = random.Random(seed)
    layer = []
    for _ in range(hidden):
        w = " + ".join(f"{rng.choice([-3, -2, -1, 1, 2, 3])}*x{i}" for i in range(1, n + 1))
        layer.append(f"tanh({w} + {rng.randint(-2, 2)})")
    readout = " + ".join(f"{rng.choice([-2, -1, 1, 2])}*{h}" for h in layer)
    return readout, "[" + ", ".join(layer) + "]"


def timed(make):
    start = time.process_time()
    value = make()
    return value, time.process_time() - start


def size(matrix) -> int:
    return sum(sympy.count_ops(e) for e in matrix)


def matrix_then_multiply(expr: str, what: str, direction: list[sympy.Symbol]):
    """The matrix (symnum's Hessian or Jacobian, definitions substituted) times v."""
    matrix = symnum.derive(expr, what=what).expanded()
    return matrix * sympy.Matrix(direction)


def compare(name: str, expr: str, kind: str, what: str) -> None:
    route, route_s = timed(lambda: product(expr, kind))
    direction = list(route.direction.symbols)
    full, full_s = timed(lambda: matrix_then_multiply(expr, what, direction))
    f = symnum.Function(expr)
    plain_s = timed(lambda: (sympy.hessian(f.expr, f.variables) if kind == "hvp" else
                             f.expr.jacobian(f.variables)) * sympy.Matrix(direction))[1]
    point = {s: sympy.Rational(random.Random(1).randint(-9, 9), 10)
             for s in route.expanded().free_symbols | full.free_symbols}
    gap = max(abs(sympy.N((a - b).xreplace(point), 30))
              for a, b in zip(route.expanded(), full, strict=True))
    inputs = route.inputs
    rng = np.random.default_rng(0)
    arrays = [rng.uniform(-1, 1, 10_000) for _ in inputs]
    ours = timed(lambda: compile_kernel(route, inputs)(*arrays))[1]
    theirs = timed(lambda: compile_kernel(sympy.ImmutableMatrix(full), inputs)(*arrays))[1]
    print(f"{name}: {kind} by its route: derived {route_s:5.2f} s, {size(route.expanded()):6d} "
          f"ops, kernel {ours:5.2f} s | {what} then × v: derived {full_s:5.2f} s, "
          f"{size(full):6d} ops, kernel {theirs:5.2f} s (SymPy alone: derived {plain_s:5.2f} s) | "
          f"largest difference {float(gap):.1e}")


def main(n: int = 20, hidden: int = 4) -> None:
    scalar, layer = mlp(n, hidden)
    print(f"f = Σ_k a_k·tanh(w_k·x + b_k), {n} variables, {hidden} hidden units")
    compare("f", scalar, "hvp", "hessian")
    compare("tanh(Wx + b)", layer, "jvp", "jacobian")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
