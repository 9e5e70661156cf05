"""Critical points: ∇f = 0 there and the verdict matches the Hessian's eigenvalues, both
checked with mpmath differences of f (not symnum's own derivatives)."""

from __future__ import annotations

import numpy as np
import pytest

import symnum
from symnum import EvaluationError, ShapeError
from symnum.analysis import critical_points

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
