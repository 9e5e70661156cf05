"""One way in for text: every string-accepting parameter of the public API, fed payloads.

Each call must either work or raise a SymnumError; the payload must never run (no file
appears) and never reach SymPy's string parser (``parse_expr``, behind ``sympify``).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
import sympy.parsing.sympy_parser as sympy_parser

import symnum
from symnum.check.claim import check_claim
from symnum.core.evaluate import parse_point
from symnum.core.shapes import parse_shape

MARK = "PWNED"
PAYLOADS = [
    f"__import__('os').system('touch {MARK}')",
    f"open('{MARK}', 'w').write('x')",
    f"().__class__.__base__.__subclasses__()[0]('{MARK}')",
    f"exec(\"open('{MARK}', 'w')\")",
    f"eval(\"open('{MARK}', 'w')\")",
    f"lambda: open('{MARK}', 'w')",
    f"x; import os; os.system('touch {MARK}')",
    f"[x for x in open('{MARK}', 'w')]",
    f"Symbol('{MARK}')",
    f"x.__class__('{MARK}')",
]

# Every public entry point that takes text, with the payload in each text position.
CALLS: dict[str, Callable[[str], object]] = {
    "parse": lambda p: symnum.core.parse(p),
    "parse shapes value": lambda p: symnum.core.parse("x", shapes={"x": p}),
    "derive expr": lambda p: symnum.derive(p),
    "derive list": lambda p: symnum.derive(["x", p], wrt="x"),
    "derive tuple": lambda p: symnum.derive(("x", p), wrt="x"),
    "derive nested list": lambda p: symnum.derive([["x", p]], wrt="x"),
    "derive wrt": lambda p: symnum.derive("x", wrt=p),
    "derive wrt list": lambda p: symnum.derive("x", wrt=[p]),
    "derive what": lambda p: symnum.derive("x", what=p),
    "derive shapes name": lambda p: symnum.derive("x", shapes={p: "n"}),
    "derive shapes dims": lambda p: symnum.derive("x", shapes={"x": p}),
    "Function expr": lambda p: symnum.Function(p),
    "Function list": lambda p: symnum.Function([p]),
    "Function matrix": lambda p: symnum.Function([["x", "y"], [p, "x"]]),
    "Function wrt": lambda p: symnum.Function("x", wrt=p),
    "Result.at value": lambda p: symnum.derive("x**2").at({"x": p}),
    "Result.at key": lambda p: symnum.derive("x**2").at({p: 1.0}),
    "Result.at array and text": lambda p: symnum.derive("x*y", wrt="x").at(
        {"x": np.array([1.0, 2.0]), "y": p}),
    "kernel expr": lambda p: symnum.kernel(p),
    "kernel list": lambda p: symnum.kernel(["x", p], wrt="x"),
    "kernel backend": lambda p: symnum.kernel("x", backend=p),
    "kernel what": lambda p: symnum.kernel("x", what=p),
    "verify expr": lambda p: symnum.verify(p),
    "verify list": lambda p: symnum.verify(["x", p], wrt="x"),
    "verify at": lambda p: symnum.verify("x**2", at={"x": p}),
    "check claimed": lambda p: check_claim(p, "x**2", wrt="x"),
    "check claimed list": lambda p: check_claim(["x", p], "x*y"),
    "check of": lambda p: check_claim("2*x", p, wrt="x"),
    "check of list": lambda p: check_claim("x", ["x", p], wrt="x"),
    "graph point": lambda p: symnum.Function("x**2").graph().text({"x": p}),
    "steps what": lambda p: symnum.Function("x**2").steps(p),
    "parse_point": lambda p: parse_point(f"x={p}"),
    "parse_shape": lambda p: parse_shape(f"W={p}"),
}


@pytest.fixture
def guarded(tmp_path, monkeypatch):
    """Run in an empty folder, with SymPy's string parser reporting any text it is given."""
    monkeypatch.chdir(tmp_path)
    reached: list[str] = []
    original = sympy_parser.parse_expr

    def spy(text, *args, **kwargs):
        reached.append(str(text))
        return original(text, *args, **kwargs)

    monkeypatch.setattr(sympy_parser, "parse_expr", spy)
    yield tmp_path, reached


@pytest.mark.parametrize("name", list(CALLS))
def test_payloads_never_run_and_never_reach_sympify(name, guarded):
    folder, reached = guarded
    for payload in PAYLOADS:
        try:
            CALLS[name](payload)
        except symnum.SymnumError:
            pass
        assert not any(MARK in text for text in reached), (name, payload, reached)
        assert not list(folder.iterdir()), (name, payload)


@pytest.mark.parametrize("value, expected", [
    ("pi/4", 2 * (np.pi / 4)),
    ("1/3", 2 / 3),
    (np.float64(1.5), 3.0),
    (np.int64(2), 4.0),
    (2, 4.0),
])
def test_point_values_are_numbers_or_text_read_by_the_parser(value, expected):
    assert symnum.derive("x**2").at({"x": value}) == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize("value", [None, True, "y + 1", "nan", float("nan"), float("inf"),
                                   object(), {"a": 1}, "10**5000"])
def test_point_values_that_are_not_finite_numbers_are_refused(value):
    with pytest.raises(symnum.SymnumError):
        symnum.derive("x**2").at({"x": value})


def test_lists_of_text_and_sympy_objects_mix():
    x, y = symnum.core.parse("x"), symnum.core.parse("y")
    result = symnum.derive(["x*y", y**2, 3], wrt=[x, "y"])
    assert result.nested() == [[y, x], [0, 2 * y], [0, 0]]


@pytest.mark.parametrize("bad", [[], [[]], [["x"], ["x", "y"]], [["x"], "y"], [object()]])
def test_malformed_lists_are_refused(bad):
    with pytest.raises(symnum.SymnumError):
        symnum.Function(bad)


def test_evaluation_at_huge_points_is_quick_and_clean():
    import time
    start = time.perf_counter()
    assert symnum.derive("loggamma(x)").at({"x": 10**6}) == pytest.approx(13.8155100579642)
    with pytest.raises(symnum.EvaluationError, match="too large to print"):
        symnum.derive("exp(exp(exp(x)))").at({"x": 10})
    with pytest.raises(symnum.SymnumError):
        symnum.verify("x**2", at={"x": "I"})
    with pytest.raises(symnum.SymnumError):
        symnum.verify("x**2", seed="1")
    assert time.perf_counter() - start < 30
