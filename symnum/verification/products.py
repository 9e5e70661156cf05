"""A product with a direction (hvp, jvp, vjp) checked against independent oracles, each
working on the original f (never on symnum's derivative):

- ``torch.autograd``: f translated to torch, then ``torch.autograd.functional``'s ``hvp``,
  ``jvp`` or ``vjp`` (reverse mode, twice for H·v), in float64;
- ``mpmath``: finite differences at 40 digits along the direction: ∂²/∂s∂t f(x + s·v + t·eᵢ)
  for H·v, d/ds f(x + s·v) for J·v, d/dt uᵀf(x + t·eᵢ) for uᵀJ;
- ``jax``: ``jax.jvp(jax.grad(f))``, ``jax.jvp``, ``jax.vjp`` where JAX is installed.

The exact result is evaluated at each point (random values of the variables, the direction's
components and parameters, or the values given ``at``) and compared entry by entry.

>>> from symnum.higher.products import product
>>> verify_product(product("x**2*sin(y)", "hvp"), points=2).verdict
'pass'
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sympy

from ..core.errors import EvaluationError, SymnumError
from ..higher.products import ProductResult
from ..kernels.program import Program
from .methods import quiet

TOLERANCES = {"torch.autograd": 1e-8, "mpmath": 1e-12, "jax": 1e-8}  # relative to max(1, |value|)
TRIES = 50  # random draws to find the points asked for, where f and the result are finite


@dataclass(frozen=True)
class ProductCheck:
    """One oracle's largest scaled error per point (or the ``problem`` that stopped it)."""

    method: str
    errors: tuple[float, ...] = ()
    problem: str = ""

    @property
    def passed(self) -> bool:
        return not self.problem and all(e <= TOLERANCES[self.method] for e in self.errors)


@dataclass(frozen=True)
class ProductReport:
    """The verdict on a product: pass when every oracle that ran agrees at every point, fail
    when one disagrees, inconclusive when none ran."""

    result: ProductResult
    points: tuple[dict[str, float], ...]
    checks: tuple[ProductCheck, ...] = field(default_factory=tuple)

    @property
    def verdict(self) -> str:
        ran = [c for c in self.checks if not c.problem]
        if not ran or not self.points:
            return "inconclusive"
        return "pass" if all(c.passed for c in ran) else "fail"

    @property
    def passed(self) -> bool:
        return self.verdict == "pass"

    def text(self) -> str:
        from ..higher.products import NAMES
        what = NAMES[self.result.kind]
        lines = [f"{self.verdict.upper()}: the {what} of {self.result.function.source} "
                 f"at {len(self.points)} point(s)"]
        for c in self.checks:
            if c.problem:
                lines.append(f"  {c.method}: not run ({c.problem})")
            else:
                worst = max(c.errors, default=0.0)
                word = "agrees" if c.passed else "DISAGREES"
                lines.append(f"  {c.method}: {word} (largest error {worst:.1e}, tolerance "
                             f"{TOLERANCES[c.method]:.0e}, relative to max(1, |value|))")
        for p in self.points:
            lines.append("  at " + ", ".join(f"{k} = {v:.6g}" for k, v in p.items()))
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        return {"verdict": self.verdict, "what": self.result.kind,
                "expr": self.result.function.source,
                "vector": self.result.direction.texts() if self.result.direction else [],
                "points": list(self.points),
                "methods": [{"method": c.method, "passed": c.passed, "errors": list(c.errors),
                             "tolerance": TOLERANCES[c.method], "problem": c.problem or None}
                            for c in self.checks]}


def verify_product(result: ProductResult, points: int = 5, seed: int | None = 0,
                   at: Mapping[str, Any] | None = None) -> ProductReport:
    """``result`` against torch autograd, mpmath's differences and JAX at ``points`` random
    points (or at ``at``, the direction's missing components drawn at random)."""
    inputs = _inputs(result)
    rng = np.random.default_rng(seed)
    chosen: list[dict[sympy.Symbol, float]] = []
    exact: list[list[float]] = []
    wanted = 1 if at else points
    for _ in range(TRIES * wanted):
        if len(chosen) == wanted:
            break
        point = _draw(inputs, rng, at)
        values = _exact(result, point)
        if values is not None:
            chosen.append(point)
            exact.append(values)
        elif at and all(s.name in at for s in inputs):
            raise EvaluationError("the result is not finite at the point given")
    checks = [_check(name, method, result, inputs, chosen, exact)
              for name, method in _methods().items()]
    shown = tuple({s.name: float(v) for s, v in p.items()} for p in chosen)
    return ProductReport(result, shown, tuple(checks))


def _inputs(result: ProductResult) -> list[sympy.Symbol]:
    """The variables, the direction's symbols, then the other symbols (parameters)."""
    assert result.direction is not None
    first = list(result.variables) + list(result.direction.symbols)
    free = set().union(*(e.free_symbols for e in result.function.outputs),
                       *(c.free_symbols for c in result.direction.components))
    return first + sorted(free - set(first), key=lambda s: s.name)


def _draw(inputs: list[sympy.Symbol], rng: np.random.Generator,
          at: Mapping[str, Any] | None) -> dict[sympy.Symbol, float]:
    given = {str(k): v for k, v in (at or {}).items()}
    return {s: float(given[s.name]) if s.name in given else
            float(np.round(rng.uniform(-2, 2), 3)) for s in inputs}


def _exact(result: ProductResult, point: dict[sympy.Symbol, float]) -> list[float] | None:
    try:
        values = result.at({s.name: v for s, v in point.items()})
    except (EvaluationError, SymnumError):
        return None
    flat = [values] if not isinstance(values, list) else values
    if not all(isinstance(v, float) and math.isfinite(v) for v in flat):
        return None
    return flat


def _methods() -> dict[str, Any]:
    from .jax_method import available
    found: dict[str, Any] = {"torch.autograd": _torch, "mpmath": _mpmath}
    if available():
        found["jax"] = _jax
    return found


def _check(name: str, method: Any, result: ProductResult, inputs: list[sympy.Symbol],
           points: list[dict], exact: list[list[float]]) -> ProductCheck:
    errors = []
    try:
        for point, values in zip(points, exact, strict=True):
            found = quiet(method, result, inputs, point)
            if not all(math.isfinite(v) for v in found):
                return ProductCheck(name, problem="f overflows along its evaluation")
            errors.append(max((abs(a - b) / max(1.0, abs(b)) for a, b in
                               zip(found, values, strict=True)), default=0.0))
    except ImportError:
        return ProductCheck(name, problem=f"{name.split('.')[0]} is not installed")
    except (ValueError, TypeError, ZeroDivisionError, ArithmeticError) as err:
        return ProductCheck(name, problem=f"could not evaluate f ({type(err).__name__})")
    return ProductCheck(name, tuple(errors))


def _parts(result: ProductResult, inputs: list[sympy.Symbol], point: dict
           ) -> tuple[list[float], list[float], list[float]]:
    """(the variables' values, the direction's values, the parameters' values)."""
    assert result.direction is not None
    n = len(result.variables)
    x = [point[s] for s in inputs[:n]]
    subs = {s: sympy.Float(v, 30) for s, v in point.items()}
    direction = [float(c.xreplace(subs)) for c in result.direction.components]
    params = [point[s] for s in inputs[n + len(result.direction.symbols):]]
    return x, direction, params


def _params(result: ProductResult, inputs: list[sympy.Symbol]) -> list[sympy.Symbol]:
    assert result.direction is not None
    return inputs[len(result.variables) + len(result.direction.symbols):]


def _torch(result: ProductResult, inputs: list[sympy.Symbol], point: dict) -> list[float]:
    import torch
    from torch.autograd.functional import hvp, jvp, vjp

    program = Program(result.function.outputs, list(result.variables)
                      + _params(result, inputs), "torch")
    xs, direction, params = _parts(result, inputs, point)
    x = torch.tensor(xs, dtype=torch.float64)
    d = torch.tensor(direction, dtype=torch.float64)
    fixed = [torch.tensor(p, dtype=torch.float64) for p in params]

    def outputs(v: torch.Tensor) -> torch.Tensor:
        return torch.stack([torch.as_tensor(o, dtype=torch.float64) + 0 * v.sum()
                            for o in program.run(*v.unbind(0), *fixed)])

    if result.kind == "hvp":
        out = hvp(lambda v: outputs(v)[0], x, d)[1]
    elif result.kind == "jvp":
        out = jvp(outputs, x, d)[1]
    else:
        out = vjp(outputs, x, d)[1]
    return [float(v) for v in out.reshape(-1)]


def _jax(result: ProductResult, inputs: list[sympy.Symbol], point: dict) -> list[float]:
    import jax
    import jax.numpy as jnp

    program = Program(result.function.outputs, list(result.variables)
                      + _params(result, inputs), "jax")
    xs, direction, params = _parts(result, inputs, point)
    with jax.enable_x64(True):
        x = jnp.array(xs, dtype=jnp.float64)
        d = jnp.array(direction, dtype=jnp.float64)
        fixed = [jnp.asarray(p, dtype=jnp.float64) for p in params]

        def outputs(v):
            return jnp.stack([jnp.asarray(o, dtype=jnp.float64) + 0 * v.sum() for o in
                              program.run(*[v[i] for i in range(len(xs))], *fixed)])

        if result.kind == "hvp":
            out = jax.jvp(jax.grad(lambda v: outputs(v)[0]), (x,), (d,))[1]
        elif result.kind == "jvp":
            out = jax.jvp(outputs, (x,), (d,))[1]
        else:
            out = jax.vjp(outputs, x)[1](d)[0]
        return [float(v) for v in jnp.ravel(out)]


def _mpmath(result: ProductResult, inputs: list[sympy.Symbol], point: dict) -> list[float]:
    import mpmath as mp

    xs, direction, params = _parts(result, inputs, point)
    n = len(xs)
    with mp.workdps(40):
        program = Program(result.function.outputs, list(result.variables)
                          + _params(result, inputs), "mpmath")
        x = [mp.mpf(v) for v in xs]
        d = [mp.mpf(v) for v in direction]
        fixed = [mp.mpf(p) for p in params]

        def f(at: list) -> list:
            return list(program.run(*at, *fixed))

        def real(value: Any) -> Any:
            if not isinstance(value, mp.mpf):
                raise ValueError("f is not real next to this point")
            return value
        if result.kind == "hvp":
            def moved(s, t, i):
                return f([x[k] + s * d[k] + (t if k == i else 0) for k in range(n)])[0]
            out = [real(mp.diff(lambda s, t, i=i: moved(s, t, i), (0, 0), (1, 1)))
                   for i in range(n)]
        elif result.kind == "jvp":
            m = len(result.function.outputs)
            out = [real(mp.diff(lambda s, k=k: f([x[j] + s * d[j] for j in range(n)])[k], 0))
                   for k in range(m)]
        else:
            def weighted(t, i):
                values = f([x[k] + (t if k == i else 0) for k in range(n)])
                return mp.fsum(u * v for u, v in zip(d, values, strict=True))
            out = [real(mp.diff(lambda t, i=i: weighted(t, i), 0)) for i in range(n)]
        return [float(v) for v in out]
