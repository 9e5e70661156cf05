"""f against its Taylor polynomials of increasing order (one variable): the curves meet at the
point and part further out, the higher orders later. The y-range follows f (polynomials that
blow up leave the frame instead of flattening f onto the axis).

>>> fig = taylor_figure("sin(x)", (1, 3, 5), "x=0")
>>> [line.get_label() for line in fig.axes[0].get_lines()][:4]
['f(x) = sin(x)', 'T₁', 'T₃', 'T₅']
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..core.errors import ShapeError, SymnumError
from ..core.function import ExprLike, Function, WrtLike, as_function
from ..higher.taylor import MAX_ORDER, PointLike, taylor
from ..higher.taylor_render import SUBSCRIPT, point_text, unicode
from ..kernels.build import compile_kernel

MAX_CURVES = 8


def taylor_orders(orders: str | Sequence[int]) -> tuple[int, ...]:
    """``"1,2,3,5"`` (or a sequence) as sorted distinct orders, each checked.

    >>> taylor_orders("5, 1,3")
    (1, 3, 5)
    """
    try:
        found = [int(v) for v in (orders.replace(" ", "").split(",") if isinstance(orders, str)
                                  else orders)]
    except (TypeError, ValueError):
        raise SymnumError("--taylor needs whole numbers, like 1,2,3,5") from None
    if not found or len(set(found)) > MAX_CURVES or not all(1 <= k <= MAX_ORDER
                                                            for k in found):
        raise SymnumError(f"--taylor needs 1 to {MAX_CURVES} orders from 1 to {MAX_ORDER}, "
                          "like 1,2,3,5")
    return tuple(sorted(set(found)))


def taylor_figure(expr: ExprLike | Function, orders: str | Sequence[int], at: PointLike = None,
                  wrt: WrtLike = None, span: tuple[float, float] = (-3.0, 3.0),
                  out: str | None = None):
    """The figure (saved to ``out`` when given): f and T_k for each k in ``orders``."""
    from matplotlib.figure import Figure

    f = as_function(expr, wrt)
    orders = taylor_orders(orders)
    results = [taylor(f, at, k) for k in orders]
    first = results[0]
    if len(first.variables) != 1:
        raise ShapeError("the Taylor plot draws a function of one variable: give --at x=a "
                         "for the variable to expand in")
    params = sorted(first.function.expr.free_symbols - set(first.variables), key=str)
    if params:
        raise SymnumError(f"give the parameters {', '.join(p.name for p in params)} numbers "
                          "first (the plot needs a function of one variable)")
    x_symbol, a = first.point[0]
    center = float(a)
    low, high = span
    if not low < center < high:  # the point in view, with as much room as asked
        width = high - low
        low, high = center - width / 2, center + width / 2
    x = np.linspace(low, high, 600)
    with np.errstate(all="ignore"):
        y = np.asarray(compile_kernel(first.function.expr, (x_symbol,))(x), dtype=float)
        curves = [(f"T{str(r.order).translate(SUBSCRIPT)}",
                   np.broadcast_to(np.asarray(compile_kernel(r.polynomial, (x_symbol,))(x),
                                              dtype=float), x.shape)) for r in results]
    fig = Figure(figsize=(6.4, 4.4))
    ax = fig.subplots()
    ax.plot(x, y, color="black", linewidth=2.4, label=f"f({x_symbol}) = {unicode(f.expr)}")
    colors = _colors(len(curves))
    for (label, values), color in zip(curves, colors, strict=True):
        ax.plot(x, values, color=color, linewidth=1.4, linestyle="--", label=label)
    value = float(np.asarray(compile_kernel(first.function.expr, (x_symbol,))(
        np.array([center])), dtype=float)[0])
    ax.plot([center], [value], "o", color="black", markersize=5, zorder=5)
    ax.set_ylim(*_limits(y))
    ax.set_xlim(low, high)
    ax.axhline(0, color="0.75", linewidth=0.8)
    ax.axvline(center, color="0.75", linewidth=0.8, linestyle=":")
    ax.set_xlabel(x_symbol.name)
    ax.set_title(f"f and its Taylor polynomials about {point_text(first.point)}")
    ax.legend(loc="best", fontsize=9)
    if out:
        fig.savefig(out, dpi=110, bbox_inches="tight")
    return fig


def _colors(n: int) -> list[tuple[float, ...]]:
    from matplotlib import colormaps
    cmap = colormaps["viridis"]
    return [cmap(0.1 + 0.75 * k / max(1, n - 1)) for k in range(n)]


def _limits(y: np.ndarray) -> tuple[float, float]:
    """f's range over the window (its 2nd to 98th percentile where a pole is in view),
    padded by half of it: the polynomials are clipped there.

    >>> _limits(np.array([0.0, 1.0]))
    (-0.5, 1.5)
    """
    finite = y[np.isfinite(y)]
    if finite.size == 0:
        return -1.0, 1.0
    low, high = float(finite.min()), float(finite.max())
    if finite.size >= 50 and (high - low) > 50 * (np.percentile(finite, 98)
                                                 - np.percentile(finite, 2) + 1e-300):
        low, high = (float(v) for v in np.percentile(finite, [2, 98]))
    pad = 0.5 * max(high - low, 1e-9 * max(abs(low), abs(high)), 1e-9)
    return low - pad, high + pad
