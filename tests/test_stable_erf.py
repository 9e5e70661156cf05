"""The error-function family is right in the tails: erf, erfc, log erfc, log Φ (both ways of
writing it), GELU, erfcx, the probit and Gaussian negative log-likelihoods and log Φ of a
scaled argument, each as value, first and second derivative, on numpy, torch and JAX, live
and exported (numpy also without scipy), at ±1e-8 … ±800 (tests/stable_cases.py), against
mpmath at 60 digits; and the pieces that make it so (kernels/stable_erf.py, the ndtr and
logndtr records of core/registry/normal.py) at their seams."""

from __future__ import annotations

import mpmath as mp
import numpy as np
import pytest
import sympy

import symnum
from symnum.core.registry.normal import logndtr, ndtr
from symnum.core.registry.special import erfcx
from symnum.kernels.stable import stabilize
from symnum.kernels.stable_asymptotic import asymptotic_sum
from symnum.kernels.stable_erf import folded, left_tail
from tests import stable_cases
from tests.stable_cases import ERF_FAMILIES, WHATS

pytestmark = pytest.mark.xdist_group("stable_erf")

BACKENDS = ["numpy", "torch"] + (["jax"] if stable_cases.enable_jax() else [])
WAYS = [(b, how) for b in BACKENDS for how in ("live", "export")] + [("numpy", "numpy alone")]


@pytest.mark.parametrize("family", ERF_FAMILIES, ids=lambda f: f.text)
def test_each_oracle_is_the_function_typed(family):
    assert stable_cases.same_function(family)


@pytest.mark.parametrize(("backend", "how"), WAYS)
@pytest.mark.parametrize("family", ERF_FAMILIES, ids=lambda f: f.text)
def test_every_evaluation_is_right(family, backend, how):
    true = stable_cases.exact(family)
    for what in WHATS:
        got = stable_cases.evaluate(family, what, backend, how)
        bad = stable_cases.wrong(got, true[what])
        where = [(family.points[i], float(got[i, j]), float(true[what][i, j]))
                 for i, j in np.argwhere(bad)[:5]]
        assert not bad.any(), (what, int(bad.sum()), where)


def test_the_set_is_the_one_the_issue_names():
    """Points ±1e-8 … ±800 both signs; the families of issue 23 with their relatives."""
    grid = stable_cases.GRID
    assert grid.min() == -800 and grid.max() == 800 and np.abs(grid).min() == 1e-8
    assert (grid < 0).sum() == (grid > 0).sum() >= 30
    assert len(ERF_FAMILIES) == 10


x = sympy.Symbol("x", real=True)


@pytest.mark.parametrize(("text", "has", "lacks"), [
    ("log((1 + erf(x/sqrt(2)))/2)", logndtr, sympy.erf),
    ("log(erfc(x))", logndtr, sympy.erfc),
    ("exp(x**2)*erfc(x)", erfcx, sympy.exp),
    ("x*(1 + erf(x/sqrt(2)))/2", ndtr, sympy.erf),
])
def test_the_kernels_compute_the_tail_functions(text, has, lacks):
    """What makes them right: the forms the kernels compute (a kernel is its expression)."""
    form = stabilize(symnum.parse(text).subs(sympy.Symbol("x"), x))
    assert form.has(has) and not form.has(lacks), form


def test_one_point_kernels_take_the_same_forms():
    """At one point a kernel is straight-line Python over floats (the math dialect): log Φ
    and its derivatives there too, far in the left tail."""
    text = "log((1 + erf(x/sqrt(2)))/2)"
    for what, f in (("value", lambda t: mp.log(mp.ncdf(t))),
                    (None, lambda t: mp.npdf(t) / mp.ncdf(t))):
        k = symnum.kernel(text, wrt="x", what=what)
        for point in (-800.0, -37.5, -1.5, 0.3, 9.0):
            with mp.workdps(60):
                want = float(f(mp.mpf(point)))
            got = float(k(point))
            assert abs(got - want) <= 1e-12 * abs(want) + 1e-300, (what, point, got, want)


@pytest.mark.parametrize("to", ["numpy", "numpy alone", "torch", "jax"])
def test_logndtr_is_accurate_across_the_line(to):
    """The logndtr record on every target, the numpy module without scipy too (the
    asymptotic seam: log(erfcx(−t/√2)/2) − t²/2 left of −1), against mpmath."""
    if to == "jax" and "jax" not in BACKENDS:
        pytest.skip("JAX is not installed")
    family = stable_cases.Family("logndtr", "logndtr(x)", "x",
                                 tuple((float(g),) for g in stable_cases.GRID))
    backend = "numpy" if to == "numpy alone" else to
    how = "numpy alone" if to == "numpy alone" else "export"
    got = stable_cases.evaluate(family, "value", backend, how)[:, 0]
    with mp.workdps(60):
        want = np.array([float(mp.log(mp.ncdf(g)) if g < 0 else mp.log1p(-mp.ncdf(-g)))
                         for g in stable_cases.GRID])
    # JAX's log_ndtr switches to its asymptotic series at −20, good to 2e-11 there
    assert np.allclose(got, want, rtol=1e-10 if to == "jax" else 1e-13, atol=1e-300)


w, y = sympy.symbols("w y", real=True)


def test_the_far_left_form_is_an_identity():
    """LEFT (stable_erf.py): eᵃ/erfcx(w)ᵏ = e^(a − kw²)/erfc(w)ᵏ left of 0, unchanged right."""
    node = y * sympy.exp(3 * w * y) / erfcx(w) ** 2
    out = left_tail(node)
    assert isinstance(out, sympy.Piecewise)
    for wv, yv in ((-30.0, 0.5), (-2.5, -1.0), (-0.3, 2.0), (0.7, 1.5), (30.0, -0.2)):
        at = {w: sympy.Float(wv, 50), y: sympy.Float(yv, 50)}
        a, b = (sympy.N(e.subs(at), 40) for e in (node, out))
        assert abs(a - b) <= 1e-30 * abs(a), (wv, yv, a, b)


@pytest.mark.parametrize("text", [
    "(4*w**2 + 2)*erfcx(w) - 4*w/sqrt(pi)",  # erfcx″(w)
    "y*w/erfcx(w) - 2*y/(sqrt(pi)*erfcx(w)**2) + 3",  # the second derivative of log erfc
    "2*w*erfcx(w) - 2/sqrt(pi)",  # erfcx′(w)
])
def test_the_series_right_of_8_matches_mpmath(text):
    """ASYMPTOTIC (stable_asymptotic.py): the sum's series, cancellations done exactly,
    agrees with mpmath to 1e-15 of its value right of 8; the sum itself stays left of it."""
    node = sympy.sympify(text, locals={"erfcx": erfcx, "w": w, "y": y})
    out = asymptotic_sum(node)
    (series, where), (rest, _) = out.args
    assert where == (w > 8) and rest == node and not series.has(erfcx)
    f = sympy.lambdify([w, y], node.rewrite(sympy.erfc), "mpmath")
    g = sympy.lambdify([w, y], series, "mpmath")
    with mp.workdps(60):
        for wv in (8.01, 9.5, 15.0, 60.0, 800.0, 1e5):
            want, got = f(mp.mpf(wv), mp.mpf(0.7)), g(mp.mpf(wv), mp.mpf(0.7))
            assert abs(got - want) <= 1e-15 * abs(want), (wv, got, want)


@pytest.mark.parametrize(("text", "oracle"), [
    ("0.5*x*(1 + erf(x/sqrt(2)))", "x*Phi(x)"),
    ("x*erfc(-x/sqrt(2))/2", "x*Phi(x)"),
    ("log(1 - erf(x))", "log(erfc(x))"),
    ("log(1/2 - erf(-x/sqrt(2))/2)", "log(Phi(x))"),
    ("log(erfc(x/sqrt(2))/2)", "log(Phi(-x))"),
    ("erfc(x)*exp(x**2)/2", "exp(x**2)*erfc(x)/2"),
])
def test_other_spellings_are_right_too(text, oracle):
    """The forms are found, not matched: the same functions typed another way (numpy, live)."""
    family = stable_cases.Family(text, text, "x", tuple((float(g),) for g in stable_cases.GRID),
                                 oracle=oracle)
    assert stable_cases.same_function(family)
    true = stable_cases.exact(family)
    for what in WHATS:
        assert not stable_cases.wrong(stable_cases.evaluate(family, what, "numpy"),
                                      true[what]).any(), what


# logndtr typed (its record's rule, not SymPy's erfc): of an inner argument, as the families
LOGNDTR = [
    stable_cases.Family("logndtr(ax + b)", "logndtr(a*x + b)", "a, b",
                        stable_cases._grid_points(lambda g: (g, 0.5, 2.0),
                                                  lambda g: (2.0, g, 1.0)),
                        params="x", oracle="log(Phi(a*x + b))"),
    stable_cases.Family("logndtr((x − m)/e^s)", "logndtr((x - m)/exp(s))", "m, s",
                        stable_cases._grid_points(lambda g: (g, 0.5, 1.0),
                                                  lambda g: (-2.0, g, 1.0)),
                        params="x", oracle="log(Phi((x - m)/exp(s)))"),
]


@pytest.mark.parametrize(("backend", "how"), [(b, how) for b, how in WAYS if how != "numpy alone"])
@pytest.mark.parametrize("family", LOGNDTR, ids=lambda f: f.text)
def test_the_hessian_of_logndtr_is_right(family, backend, how):
    """log Φ″ = −√2(√π·u·erfcx(w) + √2)/(π·erfcx(w)²), w = −u/√2, was ∞/∞ = nan where
    erfcx(w) overflows (u ≳ 38, or e^(−s) large): 88 of 1,088 entries wrong on numpy, live
    and exported. Its terms over erfcx(w)ᵏ (stable_erf.erfcx_quotient) are 0 there."""
    true = stable_cases.exact(family)["second"]
    got = stable_cases.evaluate(family, "second", backend, how)
    bad = stable_cases.wrong(got, true)
    assert not bad.any(), [(family.points[i], float(got[i, j]), float(true[i, j]))
                           for i, j in np.argwhere(bad)[:5]]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("text", ["logndtr(x)", "logndtr(17*x/10 - 2/5)",
                                  "logndtr((x - 1/2)/exp(1))"])
def test_the_third_derivative_of_logndtr_is_right(text, backend):
    """log Φ‴ far left is a sum of erfcx(w)⁻ᵏ, k = 1, 2, 3, cancelling to 2/u³: one flat sum
    (its series right of w = 8), far right each term 0, and its far-left form folded into the
    same Piecewise (no case in a case: an ITE, once an error); live and exported."""
    inner = sympy.sympify(text[len("logndtr("):-1], locals={"x": x})
    third = sympy.diff(sympy.log(stable_cases.Phi(inner)), x, 3)
    f = sympy.lambdify([x], third, [{"Phi": mp.ncdf}, "mpmath"])
    points = [float(g) for g in stable_cases.GRID]
    with mp.workdps(60):
        true = np.array([float(f(mp.mpf(p))) for p in points])
    result = symnum.derive(text, wrt="x", order=3)
    namespace: dict[str, object] = {}
    exec(symnum.export_source(result, to=backend), namespace)  # noqa: S102
    for k in (symnum.kernel(result, backend=backend), namespace["f"]):
        (arg,) = stable_cases._backend_arrays(backend, [np.array(points)])
        got = np.asarray(k(arg), dtype=float).reshape(-1)
        bad = stable_cases.wrong(got[:, None], true[:, None])[:, 0]
        assert not bad.any(), [(points[i], got[i], true[i]) for i in np.flatnonzero(bad)[:5]]


def test_cases_inside_cases_are_folded():
    """FOLD (stable_erf.py): a Piecewise in a piece becomes pieces of one Piecewise, the
    same function."""
    inner = sympy.Piecewise((w**2, w < 0), (w, True))
    node = sympy.Piecewise((1 / w, w > 8), (inner + y, True))
    out = folded(node)
    assert isinstance(out, sympy.Piecewise) and not any(p.has(sympy.Piecewise)
                                                        for p, _ in out.args)
    for wv in (-3.0, 0.5, 9.0):
        assert out.subs({w: wv, y: 2}) == node.subs({w: wv, y: 2}), wv
