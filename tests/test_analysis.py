"""Critical points: ∇f = 0 there and the verdict matches the Hessian's eigenvalues, both
checked with mpmath differences of f (not symnum's own derivatives)."""

from __future__ import annotations

import numpy as np
import pytest
import sympy

import symnum
from symnum import EvaluationError, ShapeError
from symnum.analysis.critical import critical_points

from .oracle import partial

CASES = [
    ("x**2 + 4*x*y + y**2", ["saddle"]),
    ("x**2 + y**2", ["minimum"]),
    ("-x**2 - 3*y**2 + 2*x", ["maximum"]),
    ("x**3 - 3*x + y**2", ["saddle", "minimum"]),
    ("x**2 + 10*y**2", ["minimum"]),
    ("x**4 + y**2", ["degenerate"]),
    ("(x - 1)**2 + (y + 2)**2 + (z - 3)**2 + x*y", ["minimum"]),
]


@pytest.mark.parametrize("text, kinds", CASES)
def test_points_are_critical_and_classified_by_an_independent_hessian(text, kinds):
    f = symnum.Function(text)
    points = critical_points(f)
    assert [p.kind for p in points] == kinds
    for p in points:
        at = [float(p.point[v]) for v in f.variables]
        n = len(at)
        unit = [[int(i == j) for j in range(n)] for i in range(n)]
        assert all(abs(partial(f.expr, f.variables, at, unit[i])) < 1e-12 for i in range(n))
        hessian = np.array([[partial(f.expr, f.variables, at,
                                     [a + b for a, b in zip(unit[i], unit[j], strict=True)])
                             for j in range(n)] for i in range(n)])
        eig = np.linalg.eigvalsh(hessian)
        np.testing.assert_allclose(sorted(float(e) for e in p.eigenvalues), eig, atol=1e-8)


def test_chapter_hessian_condition_number():
    (p,) = critical_points("x**2 + 10*y**2")
    assert p.condition_number == pytest.approx(10.0)


def test_no_points_and_bad_input(cli):
    assert critical_points("exp(x)") == []
    with pytest.raises(EvaluationError, match="infinitely many"):
        critical_points("(x - y)**2")
    with pytest.raises(ShapeError):
        critical_points("[x, y]")
    proc = cli("critical", "x**2 + y**2", "--format", "json")
    assert proc.returncode == 0 and '"kind": "minimum"' in proc.stdout
    bad = cli("critical", "__import__('os')")
    assert bad.returncode == 2 and bad.stderr.startswith("error:")
    assert "periodic" in cli("critical", "sin(x)").stdout


# --- parameters: the point and its kind as functions of the parameters -------------------

def _numeric_kind(expr, variables, at):
    """minimum/maximum/saddle/degenerate from an mpmath Hessian (independent of symnum)."""
    n = len(variables)
    unit = [[int(i == j) for j in range(n)] for i in range(n)]
    hessian = np.array([[partial(expr, variables, at,
                                 [a + b for a, b in zip(unit[i], unit[j], strict=True)])
                         for j in range(n)] for i in range(n)])
    eig = np.linalg.eigvalsh(hessian)
    if np.any(abs(eig) < 1e-9):
        return "degenerate"
    return "minimum" if np.all(eig > 0) else "maximum" if np.all(eig < 0) else "saddle"


PARAMETRIC = [  # f, wrt, parameter values to try (some outside the stated conditions)
    ("a*x**2 + b*x", "x", {"a": [-2, -0.5, 0, 0.5, 3], "b": [-1, 0, 2]}),
    ("x**2 + y**2 + a*x*y", "x,y", {"a": [-3, -2, -1, 0, 0.5, 2, 3]}),
    ("x**4 - a*x**2", "x", {"a": [-1, 0, 1, 2]}),
    ("log(x) - a*x", "x", {"a": [-1, 0.5, 2]}),
    ("exp(a*x) + x", "x", {"a": [-2, -0.5, 1]}),
]


@pytest.mark.parametrize("text, wrt, trials", PARAMETRIC)
def test_parametric_points_are_critical_where_their_conditions_hold(text, wrt, trials):
    import itertools

    from symnum.analysis.critical import condition_text

    f = symnum.Function(text, wrt=wrt)
    points = critical_points(f)
    assert points
    names = list(trials)
    symbols = {s.name: s for s in f.expr.free_symbols}
    for values in itertools.product(*trials.values()):
        subs = {symbols[n]: sympy.nsimplify(v) for n, v in zip(names, values, strict=True)}
        g = f.expr.xreplace(subs)
        for p in points:
            holds = all(bool(c.xreplace(subs)) for c in p.conditions)
            if not holds:
                continue
            at = [float(p.point[v].xreplace(subs)) for v in f.variables]
            n = len(at)
            for i in range(n):
                order = [int(i == j) for j in range(n)]
                assert abs(partial(g, f.variables, at, order)) < 1e-10, (p, subs)
            kinds = [p.kind] if p.kind != "depends" else \
                [k for k, c in p.cases if bool(c.xreplace(subs))]
            assert kinds == [_numeric_kind(g, f.variables, at)], \
                (text, subs, condition_text(p.conditions), p.cases)


def test_the_issue_examples_read_as_a_textbook(cli):
    out = cli("critical", "a*x^2 + b*x", "--wrt", "x").stdout
    assert "x = -b/(2*a) (for a ≠ 0)" in out and "minimum if a > 0, maximum if a < 0" in out
    out = cli("critical", "x^2 + y^2 + a*x*y", "--wrt", "x,y").stdout
    assert "x = 0, y = 0" in out and "minimum if -2 < a < 2" in out
    data = cli.json("critical", "a*x^2 + b*x", "--wrt", "x")
    (p,) = data["points"]
    assert p["conditions"] == ["a ≠ 0"] and p["kind"] == "depends"
    assert {c["kind"]: c["if"] for c in p["cases"]} == {"minimum": "a > 0", "maximum": "a < 0"}


# --- kinks --------------------------------------------------------------------------------

KINKED = [  # f, expected (point, kind) in order: derived by hand
    ("abs(x)", [((0,), "minimum")]),
    ("-abs(x - 1)", [((1,), "maximum")]),
    ("Min(x**2, (x - 2)**2)", [((0,), "minimum"), ((1,), "maximum"), ((2,), "minimum")]),
    ("abs(x) + (y - 1)**2", [((0, 1), "minimum")]),
    ("abs(x - y) + x**2 + 2*y**2", [((0, 0), "minimum")]),
    ("abs(x) - abs(y)", [((0, 0), "saddle")]),
    ("x**2 + abs(x) + 2*x", [((-sympy.Rational(1, 2),), "minimum")]),  # x² + x for x < 0
    ("abs(x) + 2*x", []),  # the slope is 1 on the left, 3 on the right: no critical point
    ("Max(x, 0)**2 + x", []),
]


@pytest.mark.parametrize("text, expected", KINKED)
def test_kinks_are_found_and_classified_against_neighbours(text, expected):
    import mpmath as mp

    f = symnum.Function(text)
    points = critical_points(f)
    assert [(tuple(p.point[v] for v in f.variables), p.kind) for p in points] == expected
    g = sympy.lambdify(f.variables, f.expr, "mpmath")
    for p in points:
        at = [mp.mpf(float(p.point[v])) for v in f.variables]
        with mp.workdps(30):
            for k, (_, left, right) in enumerate(p.one_sided):  # slopes by mpmath
                def along(t, k=k, at=at):
                    moved = list(at)
                    moved[k] = t
                    return g(*moved)
                assert left == pytest.approx(float(mp.diff(along, at[k], direction=-1)),
                                             abs=1e-9)
                assert right == pytest.approx(float(mp.diff(along, at[k], direction=1)),
                                              abs=1e-9)
            rng = np.random.default_rng(1)  # f on a small sphere, other directions than ours
            centre = g(*at)
            signs = {int(mp.sign(g(*[a + mp.mpf(1e-6) * d for a, d in zip(at, u, strict=True)])
                                 - centre)) for u in rng.normal(size=(40, len(at)))}
            want = {"minimum": {1}, "maximum": {-1}, "saddle": {1, -1}}[p.kind]
            assert signs == want


def test_kinks_without_isolated_points_are_refused_clearly():
    with pytest.raises(EvaluationError, match="constant where x < 0"):
        critical_points("relu(x)")
    with pytest.raises(EvaluationError, match="floor and ceiling"):
        critical_points("floor(x) + x**2")
    with pytest.raises(EvaluationError, match="no closed form"):
        critical_points("x*sin(x)")


def test_kink_cli_output(cli):
    out = cli("critical", "abs(x)").stdout
    assert out.startswith("minimum at x = 0: f = 0; kink: f is not differentiable there")
    assert "-1 from the left, 1 from the right" in out
    (p,) = cli.json("critical", "abs(x)")["points"]
    assert p["kink"] is True and p["one_sided"] == {"x": [-1.0, 1.0]}


def test_a_kink_at_a_parameter_is_classified_by_its_one_sided_slopes():
    import mpmath as mp

    f = symnum.Function("abs(x - a) + b*x", wrt="x")
    (p,) = critical_points(f)
    x = f.variables[0]
    symbols = {s.name: s for s in f.expr.free_symbols}
    assert p.kink and p.point == {x: symbols["a"]} and p.kind == "depends"
    g = sympy.lambdify([x, symbols["a"], symbols["b"]], f.expr, "mpmath")
    for a in (-1.0, 2.0):
        for b in (-2.0, -0.5, 0.5, 2.0):
            holds = [k for k, c in p.cases if bool(c.xreplace({symbols["b"]: b}))]
            with mp.workdps(30):
                near = {int(mp.sign(g(a + s * mp.mpf(1e-6), a, b) - g(a, a, b)))
                        for s in (-1, 1)}
            assert holds == (["minimum"] if near == {1} else []), (a, b)
    (q,) = critical_points("abs(x - a)", wrt="x")
    assert q.kind == "minimum" and q.kink
