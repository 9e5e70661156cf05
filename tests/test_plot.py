"""Figures are valid image files holding the expected artists."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.image  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import LineCollection  # noqa: E402
from matplotlib.quiver import Quiver  # noqa: E402

import symnum  # noqa: E402
from symnum.analysis.plot import Descent, plot  # noqa: E402


def test_one_variable_has_f_and_two_derivatives(tmp_path):
    out = tmp_path / "f.png"
    fig = plot("x^3 - 3*x", out=str(out))
    lines = [line for line in fig.axes[0].get_lines() if not line.get_label().startswith("_")]
    assert [line.get_label() for line in lines] == ["f", "f′", "f″"]
    x, fprime = lines[1].get_data()
    np.testing.assert_allclose(fprime, 3 * x**2 - 3, rtol=1e-12)  # the plotted f' is f'
    image = matplotlib.image.imread(out)
    assert image.ndim == 3 and image.shape[0] > 200 and image.shape[1] > 300


def test_two_variables_surface_contours_gradient_field_and_descent(tmp_path):
    out = tmp_path / "g.png"
    fig = plot("x^2 + 10*y^2", out=str(out), descent=Descent(0.05, (2.5, 1.0), 40))
    surface, flat = fig.axes
    assert surface.name == "3d"
    assert any(isinstance(c, Quiver) for c in flat.get_children())
    assert any(isinstance(c, LineCollection) for c in flat.collections) or flat.collections
    (path,) = [line for line in flat.get_lines() if "descent" in line.get_label()]
    xs, ys = path.get_data()
    assert len(xs) == 41 and abs(xs[-1]) < 0.1 and abs(ys[-1]) < 1e-6  # converged to (0, 0)
    assert matplotlib.image.imread(out).shape[1] > 600


def test_cli_plot_and_its_errors(cli, tmp_path):
    out = tmp_path / "c.png"
    proc = cli("plot", "sin(x)*y", "--out", str(out), "--descent", "lr=0.1,start=1:1")
    assert proc.returncode == 0 and out.exists() and "2 panels" in proc.stdout
    for args, message in [(["x*y*z"], "one or two variables"),
                          (["x", "--out", str(tmp_path / "a.txt")], ".png"),
                          (["x", "--range", "3,-3"], "below"),
                          (["x*y", "--descent", "lr=fast"], "--descent")]:
        bad = cli("plot", *args)
        assert bad.returncode == 2 and message in bad.stderr and bad.stdout == ""


def test_diverging_descent_stops():
    d = Descent(1.5, (1.0, 1.0), 200)
    gradient = symnum.kernel("x^2 + y^2", wrt="x,y", what="gradient")
    path = d.path(gradient)
    assert len(path) < 201 and np.max(np.abs(path)) <= 1e6


def test_a_diverging_descent_keeps_the_contours_in_view():
    fig = plot("x^2 + y^2", descent=Descent(1.2, (1.0, 1.0), 30), surface=False)
    (ax,) = fig.axes
    (path,) = [line for line in ax.get_lines() if "descent" in line.get_label()]
    assert np.max(np.abs(path.get_xydata())) > 1e3  # x <- x - 1.2*2x = -1.4x: it runs away
    assert path.get_label().endswith("diverges")
    for low, high in (ax.get_xlim(), ax.get_ylim()):
        assert -3.5 < low < -3 and 3 < high < 3.5  # the window, not the runaway path
    calm = plot("x^2 + y^2", descent=Descent(0.1, (1.0, 1.0), 30), surface=False)
    assert not any("diverges" in line.get_label() for line in calm.axes[0].get_lines())


def test_contours_show_a_valley_much_lower_than_the_edges():
    fig = plot("(1-x)^2 + 100*(y-x^2)^2", surface=False)
    (ax,) = fig.axes
    levels = ax.collections[0].levels if ax.collections else []
    # f is 0 at (1, 1) and about 1e4 at the corners: even levels would all lie above 450
    assert min(levels) < 10 and len(levels) >= 10


@pytest.mark.parametrize("text", ["a*x"])
def test_parameters_must_have_numbers(text):
    with pytest.raises(symnum.SymnumError, match="parameters"):
        plot(text, wrt="x")


def test_function_plot_and_critical_points_methods(tmp_path):
    f = symnum.Function("x**2 + 10*y**2")
    out = tmp_path / "f.png"
    fig = f.plot(out=str(out), descent="lr=0.05,start=2:1,steps=15")
    assert out.stat().st_size > 10_000
    assert any(len(line.get_xdata()) == 16 for ax in fig.axes for line in ax.lines)
    (point,) = f.critical_points()
    assert point.kind == "minimum" and point.condition_number == 10


@pytest.mark.parametrize("text, typical", [("sec(x)", 5.0), ("1/x", 10.0), ("tan(x)", 10.0)])
def test_a_pole_does_not_squash_the_curves(text, typical):
    """Near a pole the values reach 1e9 and more; the y-range still shows the curves'
    ordinary values (|f| up to `typical` on most of [-3, 3]), not a flat line."""
    from symnum.analysis.plot import plot

    low, high = plot(text).axes[0].get_ylim()
    assert high - low < 200 * typical
    assert low < -1 or high > typical / 2  # the curves themselves are in view


def test_a_smooth_function_keeps_its_whole_range():
    from symnum.analysis.plot import plot

    low, high = plot("x**3 - 3*x").axes[0].get_ylim()
    assert low <= -18 and high >= 18  # f(±3) = ±18, f″(±3) = ±18: all of it shown
