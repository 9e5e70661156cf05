"""The stability set: families of functions people train with, evaluated by symnum's kernels
and exported modules at extreme points and judged against mpmath.

Each :class:`Family` is one row of the README's stability table (``benchmarks/stability.py``
prints it) and one case of ``tests/test_stable_erf.py`` (and of the log families' tests). A
family is the text a user types, the variables differentiated and the parameters held, its
points, and an oracle: the same function written by the test in a form mpmath evaluates
without cancellation at 60 digits (``1 + erf(u)`` is written ``erfc(-u)``; the two texts are
checked to be one function at ordinary points, where 60 digits resolve both). The value, the
first derivative (gradient) and the second (Hessian) that symnum derives are each compared
with SymPy's derivatives of the oracle evaluated by mpmath.

Rule (issue 23): within 1e-9 relative, or 1e-14 absolute where the true value is below 1e-5,
wherever the true value is a finite float64; an inf or nan there is wrong.

To add rows: append a :class:`Family` to a list and name the list in :data:`GROUPS`.
"""

from __future__ import annotations

import builtins
import functools
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import mpmath as mp
import numpy as np
import sympy

import symnum

RELATIVE = 1e-9
ABSOLUTE = 1e-14
SMALL = 1e-5  # below this the absolute tolerance applies
DIGITS = 60
WHATS = ("value", "first", "second")

# ±1e-8 … ±800, three points a decade, both signs
MAGNITUDES = np.geomspace(1e-8, 800.0, 34)
GRID = np.concatenate([-MAGNITUDES[::-1], MAGNITUDES])


@dataclass(frozen=True)
class Family:
    """One row: ``text`` over ``wrt`` (differentiated) and ``params`` (held), evaluated at
    ``points`` (tuples: the variables, then the parameters, in the order written)."""

    name: str
    text: str
    wrt: str
    points: tuple[tuple[float, ...], ...]
    params: str = ""
    oracle: str = ""  # the same function, written without cancellation (default: text)

    @property
    def variables(self) -> list[str]:
        return [v.strip() for v in self.wrt.split(",")]

    @property
    def held(self) -> list[str]:
        return [p.strip() for p in self.params.split(",") if p.strip()]


def _one(text: str, wrt: str = "x", oracle: str = "", name: str = "") -> Family:
    return Family(name or text, text, wrt, tuple((float(g),) for g in GRID), oracle=oracle)


def _grid_points(*make: Callable[[float], tuple[float, ...]]) -> tuple[tuple[float, ...], ...]:
    return tuple(m(float(g)) for m in make for g in GRID)


PHI_ERF = "(1 + erf({0}/sqrt(2)))/2"  # Φ as people write it
PHI_ERFC = "erfc(-({0})/sqrt(2))/2"  # and so
PHI = "Phi({0})"  # the oracles' Φ: mpmath's ncdf (SymPy turns erfc(−u) into 2 − erfc(u))


class Phi(sympy.Function):
    """The normal distribution function, for the oracles only: SymPy writes erfc(−u) as
    2 − erfc(u), which cancels at 60 digits too; mpmath's ``ncdf`` does not."""

    def fdiff(self, argindex: int = 1) -> sympy.Expr:
        return sympy.exp(-self.args[0] ** 2 / 2) / sympy.sqrt(2 * sympy.pi)

_PROBIT = PHI_ERF.format("(a*x + b)")

ERF_FAMILIES = [
    _one("erf(x)"),
    _one("erfc(x)"),
    _one("log(erfc(x))"),
    _one(f"log({PHI_ERFC.format('x')})", oracle=f"log({PHI.format('x')})",
         name="log Φ(x) = log(erfc(−x/√2)/2)"),
    _one(f"log({PHI_ERF.format('x')})", oracle=f"log({PHI.format('x')})",
         name="log Φ(x) = log((1 + erf(x/√2))/2)"),
    _one(f"x*{PHI_ERF.format('x')}", oracle=f"x*{PHI.format('x')}",
         name="GELU x·Φ(x)"),
    _one("exp(x**2)*erfc(x)", name="erfcx: exp(x²)·erfc(x)"),
    Family("probit NLL −y·log Φ(ax+b) − (1−y)·log(1 − Φ(ax+b))",
           f"-y*log({_PROBIT}) - (1 - y)*log(1 - {_PROBIT})",
           "a, b", _grid_points(lambda g: (g, 0.5, 2.0, 1.0), lambda g: (g, 0.5, 2.0, 0.3)),
           params="x, y",
           oracle=f"-y*log({PHI.format('a*x + b')}) - (1 - y)*log({PHI.format('-(a*x + b)')})"),
    Family("Gaussian NLL (x−m)²/(2e^(2s)) + s + log(2π)/2",
           "(x - m)**2/(2*exp(2*s)) + s + log(2*pi)/2", "m, s",
           _grid_points(lambda g: (0.5, g, 1.5), lambda g: (g, 0.5, 1.5)), params="x"),
    Family("log Φ((x−m)/e^s)", f"log({PHI_ERFC.format('(x - m)/exp(s)')})", "m, s",
           _grid_points(lambda g: (g, 0.5, 1.0), lambda g: (-2.0, g, 1.0)), params="x",
           oracle=f"log({PHI.format('(x - m)/exp(s)')})"),
]

# The log families (kernels/stable_logs.py); oracles with e^(−|2x|) where the text has
# eˣ − 1 or 1 ± tanh x, which 60 digits do not resolve at 800
LOG_FAMILIES = [
    _one("log(tanh(x))", oracle="log(1 - exp(-2*x)) - log(1 + exp(-2*x))"),
    _one("log(exp(x) - 1)", oracle="x + log(1 - exp(-x))"),
    _one("log(1 - exp(-x))"),
    _one("log1mexp(x)", oracle="log(1 - exp(-x))"),
    _one("log(1 - exp(x))"),
    _one("log(sinh(x))", oracle="x + log(1 - exp(-2*x)) - log(2)"),
    _one("log(cosh(x))"),
    _one("log(coth(x))", oracle="log((1 + exp(-2*x))/(1 - exp(-2*x)))"),
    _one("log(1 - tanh(x))", oracle="log(2) - log(1 + exp(2*x))"),
    _one("log(1 + tanh(x))", oracle="log(2) - log(1 + exp(-2*x))"),
    _one("log(1 - exp(-x**2))"),
    _one("log(cosh(x) - 1)"),
]

GROUPS: dict[str, list[Family]] = {"error function": ERF_FAMILIES, "log": LOG_FAMILIES}
"""Every list of families, by the part of the table it fills."""


def _symbols(family: Family) -> list[sympy.Symbol]:
    return [sympy.Symbol(n, real=True) for n in family.variables + family.held]


def _orders(n: int, what: str) -> list[tuple[int, ...]]:
    """The derivative orders of the entries of ``what`` (value, gradient, Hessian)."""
    if what == "value":
        return [(0,) * n]
    if what == "first":
        return [tuple(int(i == k) for k in range(n)) for i in range(n)]
    return [tuple(int(i == k) + int(j == k) for k in range(n)) for i in range(n)
            for j in range(n)]


def _sympified(family: Family, text: str) -> sympy.Expr:
    return sympy.sympify(text, locals={"Phi": Phi, **{s.name: s for s in _symbols(family)}})


def _mpmath(symbols: list[sympy.Symbol], expr: sympy.Expr) -> Callable[..., object]:
    return sympy.lambdify(symbols, expr, [{"Phi": mp.ncdf}, "mpmath"])


@functools.cache
def exact(family: Family) -> dict[str, np.ndarray]:
    """what → (points × entries) true values, SymPy's derivatives of the oracle evaluated
    by mpmath at 60 digits (inf and nan where the truth is not a finite float64)."""
    symbols = _symbols(family)
    n = len(family.variables)
    expr = _sympified(family, family.oracle or family.text)
    out = {}
    for what in WHATS:
        entries = []
        for orders in _orders(n, what):
            e = expr
            for s, k in zip(symbols, orders, strict=False):
                e = sympy.diff(e, s, k) if k else e
            entries.append(_mpmath(symbols, e))
        with mp.workdps(DIGITS):
            rows = [[_float(f(*[mp.mpf(p) for p in point])) for f in entries]
                    for point in family.points]
        out[what] = np.array(rows, dtype=float)
    return out


def _float(value: object) -> float:
    try:
        v = float(mp.re(value)) if mp.im(value) == 0 else float("nan")
    except (OverflowError, ValueError):
        return float("nan")
    return v


def same_function(family: Family, points: Sequence[float] = (-1.3, 0.4, 2.1)) -> bool:
    """The text and the oracle agree at ordinary points (60 digits resolve both there)."""
    if not family.oracle:
        return True
    symbols = _symbols(family)
    f, g = (_mpmath(symbols, _sympified(family, t))
            for t in (family.text, family.oracle))
    with mp.workdps(DIGITS):
        for p in points:
            at = [mp.mpf(p) * (1 + 0.1 * i) for i in range(len(symbols))]
            a, b = f(*at), g(*at)
            if abs(a - b) > mp.mpf(10) ** -40 * max(1, abs(b)):
                return False
    return True


def _backend_arrays(backend: str, columns: list[np.ndarray]) -> list[object]:
    if backend == "torch":
        import torch
        return [torch.tensor(c, dtype=torch.float64) for c in columns]
    if backend == "jax":
        import jax.numpy as jnp
        return [jnp.asarray(c) for c in columns]
    return columns


def _what(family: Family, what: str) -> str | None:
    if what == "value":
        return "value"
    if what == "first":
        return "gradient"
    return "hessian"


def enable_jax() -> bool:
    """JAX importable, in float64 mode (True), or not installed (False)."""
    try:
        import jax
    except ImportError:
        return False
    jax.config.update("jax_enable_x64", True)
    return True


def _no_scipy(name: str, *args: object, **kwargs: object) -> object:
    if name.split(".")[0] == "scipy":
        raise ImportError("scipy is hidden: the module must work with numpy alone")
    return builtins.__import__(name, *args, **kwargs)


def _callable(family: Family, what: str, backend: str, how: str) -> Callable[..., object]:
    """A live kernel (``how="live"``) or an exported module's function (``"export"``;
    ``"numpy alone"``: the numpy module run with scipy hidden) taking the variables, then
    the parameters, in the order the family writes them."""
    wanted = _what(family, what)
    if how == "live":
        return symnum.kernel(family.text, wrt=family.wrt, what=wanted, backend=backend,
                             params=family.params or None)
    names = family.variables + sorted(family.held)
    source = symnum.export_source(family.text, wrt=family.wrt, what=wanted, to=backend)
    namespace: dict[str, object] = {}
    if how == "numpy alone":
        namespace["__builtins__"] = {**builtins.__dict__, "__import__": _no_scipy}
    exec(compile(source, f"<export {family.name}>", "exec"), namespace)  # noqa: S102
    f = namespace["f"]
    order = [names.index(n) for n in family.variables + family.held]

    def call(*args: object) -> object:
        arranged = [None] * len(args)
        for slot, a in zip(order, args, strict=True):
            arranged[slot] = a
        return f(*arranged)
    return call


def evaluate(family: Family, what: str, backend: str, how: str = "live") -> np.ndarray:
    """(points × entries) values computed by symnum (``how``: "live", "export" or "numpy
    alone"), every point in one vectorised call, warnings raised as errors."""
    columns = [np.array(c, dtype=float) for c in zip(*family.points, strict=True)]
    f = _callable(family, what, backend, how)
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        got = f(*_backend_arrays(backend, columns))
    if backend == "torch":
        got = got.detach().numpy()
    return np.asarray(got, dtype=float).reshape(len(family.points), -1)


def wrong(got: np.ndarray, true: np.ndarray) -> np.ndarray:
    """Where ``got`` misses the rule (only where the truth is a finite float64)."""
    finite = np.isfinite(true)
    with np.errstate(all="ignore"):
        error = np.abs(got - true)
        ok = np.isfinite(got) & ((error <= RELATIVE * np.abs(true)) |
                                 ((np.abs(true) < SMALL) & (error <= ABSOLUTE)))
    return finite & ~ok


def relative_error(got: np.ndarray, true: np.ndarray) -> float:
    """The largest relative error where the truth is finite and at least 1e-5 in size (the
    absolute rule judges the rest); inf where something came out inf or nan."""
    finite = np.isfinite(true)
    if np.any(finite & ~np.isfinite(got)):
        return float("inf")
    big = finite & (np.abs(true) >= SMALL)
    if not big.any():
        return 0.0
    with np.errstate(all="ignore"):
        return float(np.max(np.abs(got[big] - true[big]) / np.abs(true[big])))
