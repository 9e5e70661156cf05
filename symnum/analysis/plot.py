"""Figures: f with f′ and f″ for one variable; a surface and a contour plot with the gradient
field (and a gradient-descent path) for two. matplotlib is imported only here.

>>> fig = plot("x**3 - 3*x")
>>> [line.get_label() for line in fig.axes[0].get_lines()][:3]
['f', 'f′', 'f″']
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from ..core.errors import ShapeError, SymnumError
from ..core.function import ExprLike, Function, WrtLike, as_function
from ..kernels.build import compile_kernel
from ..steps.render import inline


@dataclass(frozen=True)
class Descent:
    """Gradient descent x ← x − lr·∇f(x) from ``start`` for ``steps`` steps."""

    lr: float
    start: tuple[float, ...]
    steps: int

    @classmethod
    def parse(cls, text: str) -> Descent:
        """``"lr=0.05,start=2:1,steps=30"`` (start coordinates separated by ':')."""
        fields = dict(re.findall(r"(lr|start|steps)\s*=\s*([^,]+)", text))
        try:
            start = tuple(float(v) for v in fields["start"].split(":"))
            descent = cls(float(fields["lr"]), start, int(fields.get("steps", "30")))
        except (KeyError, ValueError):
            raise SymnumError("--descent needs lr=NUMBER,start=X:Y[,steps=N]") from None
        if not 0 < descent.lr < 100 or not 1 <= descent.steps <= 10_000:
            raise SymnumError("--descent: lr must be in (0, 100) and steps in 1..10000")
        return descent

    def path(self, gradient) -> np.ndarray:
        points = [np.array(self.start, dtype=float)]
        for _ in range(self.steps):
            step = np.asarray(gradient(*points[-1]), dtype=float)
            nxt = points[-1] - self.lr * step
            if not np.all(np.isfinite(nxt)) or np.max(np.abs(nxt)) > 1e6:
                break  # diverged: the path shows how far it went
            points.append(nxt)
        return np.array(points)


def plot(expr: ExprLike | Function, wrt: WrtLike = None, out: str | None = None,
         span: tuple[float, float] = (-3.0, 3.0), descent: Descent | None = None,
         surface: bool = True):
    """The figure for f (saved to ``out`` when given); returns the matplotlib Figure. For two
    variables ``surface=False`` leaves out the 3-D surface (the contour panel alone)."""
    # A bare Figure, not pyplot: no global figure list to fill up, no display needed.
    from matplotlib.figure import Figure

    span = checked_span(span)
    if descent is not None and not isinstance(descent, Descent):
        raise SymnumError("descent is a Descent, like Descent.parse('lr=0.1,start=1:1'), "
                          f"not {type(descent).__name__}")
    f = as_function(expr, wrt)
    if f.is_vector or f.is_matrix_calculus or not 1 <= len(f.variables) <= 2:
        raise ShapeError("plot needs a scalar function of one or two variables")
    if f.parameters:
        names = ", ".join(p.name for p in f.parameters)
        raise SymnumError(f"give the parameters {names} numbers first (plot has no --at)")
    if len(f.variables) == 1:
        fig = _one_variable(f, span, Figure)
    else:
        fig = _two_variables(f, span, descent, Figure, surface)
    if out:
        fig.savefig(out, dpi=110, bbox_inches="tight")
    return fig


def checked_span(span: object) -> tuple[float, float]:
    """``span`` as two finite floats, the first below the second, else one clear error.

    >>> checked_span((-1, 2))
    (-1.0, 2.0)
    """
    try:
        low, high = (float(v) for v in span)  # type: ignore[attr-defined]
    except (TypeError, ValueError):
        low = high = float("nan")
    if not (low < high and all(np.isfinite(v) for v in (low, high, high - low))):
        raise SymnumError("the plot range needs two finite numbers, the first below the "
                          "second, like -3,3")
    return low, high


def _one_variable(f: Function, span, figure):
    x = np.linspace(*span, 400)
    fig = figure(figsize=(6.4, 4.2))
    ax = fig.subplots()
    name = f.variables[0].name
    curves = [("f", compile_kernel(f.expr, f.variables)),
              ("f′", compile_kernel(f.differentiate("derivative"), f.variables)),
              ("f″", compile_kernel(f.differentiate("derivative", 2), f.variables))]
    breaks = _breaks(f, span)
    gap = 1e-9 * (span[1] - span[0])
    if breaks.size:  # a grid point on a break would join its two sides
        x = x[np.min(np.abs(x[:, None] - breaks[None, :]), axis=1) > 2 * gap]
    x = np.unique(np.concatenate([x, breaks - gap, breaks + gap]))
    cut = np.searchsorted(x, breaks)  # between the two sides of each break
    drawn = []
    with np.errstate(all="ignore"):
        for label, kernel in curves:  # a break in each line where f changes form
            y = np.asarray(kernel(x), dtype=float)
            drawn.append(y)
            ax.plot(np.insert(x, cut, np.nan), np.insert(y, cut, np.nan), label=label)
    limits = _robust_limits(np.concatenate(drawn))
    if limits is not None:  # a pole (sec, 1/x) would squash every curve onto the axis
        ax.set_ylim(*limits)
    ax.axhline(0, color="0.6", linewidth=0.8)
    ax.set_xlabel(name)
    ax.set_title(f"f({name}) = {inline(f.expr)} and its derivatives")
    ax.legend()
    return fig


def _robust_limits(values: np.ndarray) -> tuple[float, float] | None:
    """y-limits that show the curves' ordinary range when values near a pole are orders of
    magnitude beyond it (None: no pole in view; a fast-growing x¹⁰ keeps its whole range).

    >>> _robust_limits(np.linspace(-3, 3, 400) ** 10) is None
    True
    """
    finite = values[np.isfinite(values)]
    if finite.size < 10:
        return None
    if np.abs(finite).max() <= 100 * np.percentile(np.abs(finite), 90):
        return None
    low, high = np.percentile(finite, [10, 90])
    pad = 0.5 * max(high - low, 1e-12 * max(abs(low), abs(high)), 1e-300)
    return float(low - pad), float(high + pad)


def _breaks(f: Function, span) -> np.ndarray:
    """Points in ``span`` where f changes form (a Piecewise boundary, the kink of |x| or
    max): the curves are drawn apart there, so a jump is not drawn as a vertical line."""
    import sympy

    from .kinks import kink_loci
    x = f.variables[0]
    found = []
    for h in kink_loci(f.expr, f.variables):
        if h.free_symbols != {x} or not h.is_polynomial(x) or sympy.degree(h, x) > 4:
            continue
        for root in sympy.Poly(h, x).real_roots():
            value = float(root)
            if span[0] < value < span[1]:
                found.append(value)
    return np.array(sorted(set(found)), dtype=float)


def _two_variables(f: Function, span, descent: Descent | None, figure, surface: bool = True):
    grid = np.linspace(*span, 120)
    X, Y = np.meshgrid(grid, grid)
    value = compile_kernel(f.expr, f.variables)
    gradient = compile_kernel(f.differentiate("gradient"), f.variables)
    with np.errstate(all="ignore"):
        Z = value(X, Y)
        coarse = np.linspace(*span, 15)
        U, V = np.meshgrid(coarse, coarse)
        G = gradient(U, V)
    a, b = (v.name for v in f.variables)
    if surface:
        fig = figure(figsize=(11, 4.6))
        panel = fig.add_subplot(1, 2, 1, projection="3d")
        panel.plot_surface(X, Y, Z, cmap="viridis", linewidth=0, alpha=0.9)
        panel.set_xlabel(a)
        panel.set_ylabel(b)
        panel.set_title(f"f = {inline(f.expr)}")
        ax = fig.add_subplot(1, 2, 2)
    else:
        fig = figure(figsize=(5.8, 5.2))
        ax = fig.add_subplot(1, 1, 1)
    ax.contour(X, Y, Z, levels=_levels(Z), cmap="viridis")
    ax.quiver(U, V, G[..., 0], G[..., 1], color="0.4", angles="xy")
    if descent is not None:
        if len(descent.start) != 2:
            raise SymnumError("--descent start needs two coordinates, like start=2:1")
        path = descent.path(lambda p, q: gradient(p, q))
        _descent_path(ax, path, span, descent)
    ax.set_xlabel(a)
    ax.set_ylabel(b)
    ax.set_aspect("equal")
    ax.set_title("contours and the gradient field ∇f" if surface else
                 f"f = {inline(f.expr)}: contours and ∇f")
    return fig


def _levels(Z: np.ndarray) -> np.ndarray | int:
    """20 contour levels at quantiles of f over the window, so a valley (Rosenbrock's) shows
    even where f is a thousand times larger at the edges; 20 even levels if f is flat."""
    finite = Z[np.isfinite(Z)]
    if finite.size == 0:
        return 20
    levels = np.unique(np.quantile(finite, np.linspace(0, 1, 22)[1:-1]))
    return levels if len(levels) >= 2 else 20


def _descent_path(ax, path: np.ndarray, span, descent: Descent) -> None:
    """The path over the contours; the view stays on the plotted window (widened to hold the
    start), so a path that runs away is cut at the border and said to diverge, instead of
    shrinking the contours to a line."""
    lo = min(span[0], *descent.start)
    hi = max(span[1], *descent.start)
    pad = 0.04 * (hi - lo)
    label = f"gradient descent, lr = {descent.lr:g}"
    if len(path) <= descent.steps or np.any((path < lo - pad) | (path > hi + pad)):
        label += ": diverges"
    ax.plot(path[:, 0], path[:, 1], "o-", color="crimson", markersize=3, label=label)
    ax.set_xlim(lo - pad, hi + pad)
    ax.set_ylim(lo - pad, hi + pad)
    ax.legend(loc="upper right")
