"""The function registry × every way symnum computes a function × a grid of points, against
mpmath at 30 digits.

For each record (symnum/core/registry) the value and the gradient are computed by the live
numpy, torch and JAX kernels, the one-point path (Python floats), the mpmath evaluator of
verification, and the exported numpy, torch and JAX modules (``export_source`` → ``exec`` →
call; the numpy module also with scipy hidden, as on a machine without it). The oracle is
mpmath's own functions (``ORACLES``, written here, not read from the registry) and
``mpmath.diff`` of them. Exports must also give what the live kernel of their library gives:
``export "loggamma(x)"`` once raised NameError and gamma's export and kernel differed.
"""

from __future__ import annotations

import builtins

import mpmath as mp
import numpy as np
import pytest
import sympy

from symnum.core import names
from symnum.core.function import as_function
from symnum.core.registry import (
    BY_NAME,
    CLASSES,
    RECORDS,
    TARGETS,
    Record,
    Spelling,
    Unsupported,
    helpers,
)
from symnum.export import export_source
from symnum.kernels.build import compile_kernel
from symnum.kernels.program import Program

mp.mp.dps = 30
RELATIVE, ABSOLUTE = 1e-10, 1e-13
FRACTIONS = (0.07, 0.23, 0.41, 0.58, 0.76, 0.93)  # of each sample interval: never 0 or ½


def _real_cbrt(x):
    return mp.sign(x) * mp.cbrt(abs(x))


# name → the function computed by mpmath alone (the independent oracle)
ORACLES = {
    "sin": mp.sin, "cos": mp.cos, "tan": mp.tan, "cot": mp.cot, "sec": mp.sec, "csc": mp.csc,
    "asin": mp.asin, "acos": mp.acos, "atan": mp.atan, "acot": mp.acot, "asec": mp.asec,
    "acsc": mp.acsc, "atan2": mp.atan2, "sinh": mp.sinh, "cosh": mp.cosh, "tanh": mp.tanh,
    "coth": mp.coth, "sech": mp.sech, "csch": mp.csch, "asinh": mp.asinh, "acosh": mp.acosh,
    "atanh": mp.atanh, "acoth": mp.acoth, "exp": mp.exp, "log": mp.ln,
    "log10": mp.log10, "log2": lambda x: mp.log(x, 2), "log1p": mp.log1p, "expm1": mp.expm1,
    "sqrt": mp.sqrt, "cbrt": _real_cbrt,
    "root": lambda x, n: mp.sign(x) * abs(x) ** (mp.mpf(1) / n),
    "erf": mp.erf, "erfc": mp.erfc, "erfcx": lambda x: mp.exp(x**2) * mp.erfc(x),
    "ndtr": lambda x: mp.erfc(-x / mp.sqrt(2)) / 2,
    "logndtr": lambda x: mp.log(mp.erfc(-x / mp.sqrt(2)) / 2),
    "gamma": mp.gamma, "loggamma": mp.loggamma,
    "digamma": mp.digamma, "polygamma": lambda n, x: mp.polygamma(int(n), x),
    "factorial": mp.factorial, "binomial": mp.binomial,
    "abs": mp.fabs, "sign": mp.sign, "max": max, "min": min, "floor": mp.floor,
    "ceiling": mp.ceil, "Heaviside": lambda x: mp.mpf(1) if x > 0 else mp.mpf(0),
    "DiracDelta": lambda x: mp.mpf(0),
    "re": mp.re, "im": mp.im, "conjugate": mp.conj, "arg": mp.arg,
    "sigmoid": lambda x: 1 / (1 + mp.exp(-x)), "relu": lambda x: max(mp.mpf(0), x),
    "softplus": lambda x: mp.log1p(mp.exp(x)),
    "log1mexp": lambda x: mp.log(1 - mp.exp(-x)),
    "logit": lambda x: mp.log(x) - mp.log1p(-x),
}


def _cases(record: Record) -> list[tuple[str, sympy.Expr, list[sympy.Symbol], np.ndarray,
                                         list[object]]]:
    """(label, expression, variables, points (P × variables), fixed integer arguments) for
    each integer value the record takes in its sample (one case for most records)."""
    count = record.arity[0]
    symbols = sympy.symbols("x y", real=True)
    free = [i for i in range(count) if i not in record.integers]
    variables = [symbols[k] for k in range(len(free))]
    columns = []
    for k, i in enumerate(free):
        low, high = record.sample[i]
        fractions = FRACTIONS if k == 0 else FRACTIONS[::-1]
        columns.append([low + (high - low) * f for f in fractions])
    points = np.array(columns, dtype=float).T
    integers = [range(int(record.sample[i][0]), int(record.sample[i][1]) + 1)
                for i in record.integers]
    cases = []
    for fixed in (np.array(np.meshgrid(*integers)).reshape(len(integers), -1).T
                  if integers else [()]):
        args: list[object] = []
        it = iter(variables)
        fixed_it = iter(int(v) for v in fixed)
        for i in range(count):
            args.append(sympy.Integer(next(fixed_it)) if i in record.integers else next(it))
        if record.parsed:
            text = f"{record.name}({', '.join(str(a) for a in args)})"
            expr = as_function(text, [v.name for v in variables]).expr
        else:  # a class the calculus makes (log1p, re, ...): no name to parse
            expr = record.sympy(*args, evaluate=False)
        label = f"{record.name}({', '.join(str(a) for a in args)})"
        cases.append((label, expr, variables, points, [int(v) for v in fixed]))
    return cases


def _oracle(record: Record, fixed: list[int], point: np.ndarray
            ) -> tuple[mp.mpf, list[mp.mpf]]:
    """(value, gradient) from mpmath: the function and ``mpmath.diff`` of it."""
    function = ORACLES[record.name]

    def at(*free):
        it, fixed_it = iter(free), iter(fixed)
        return function(*[mp.mpf(next(fixed_it)) if i in record.integers else next(it)
                          for i in range(record.arity[0])])

    xs = [mp.mpf(float(v)) for v in point]
    value = at(*xs)
    gradient = []
    for k in range(len(xs)):
        def along(t, k=k):
            return at(*[t if j == k else x for j, x in enumerate(xs)])
        gradient.append(mp.diff(along, xs[k]))
    return value, gradient


def _differentiated(record: Record) -> bool:
    """Whether symnum differentiates the record in every argument a test varies."""
    tested = [i for i in range(record.arity[0]) if i not in record.integers]
    return not any(i < len(record.derivative) and record.derivative[i] == "" for i in tested)


def _close(got: np.ndarray, want: np.ndarray, relative: float = RELATIVE,
           absolute: float = ABSOLUTE) -> np.ndarray:
    got = np.asarray(got, dtype=float).reshape(want.shape)
    return np.abs(got - want) <= relative * np.abs(want) + absolute


def _no_scipy(name, *args, **kwargs):
    if name.split(".")[0] == "scipy":
        raise ImportError("scipy is hidden: the module must work with numpy alone")
    return builtins.__import__(name, *args, **kwargs)


def _exported(f, what: str, to: str, hide_scipy: bool = False):
    """The function ``f`` of an exported module, run with ``exec``."""
    text = export_source(f, what=what, to=to)
    namespace: dict = {}
    if hide_scipy:
        namespace["__builtins__"] = {**builtins.__dict__, "__import__": _no_scipy}
    exec(compile(text, f"<export {to}>", "exec"), namespace)  # noqa: S102 - our export
    return namespace["f"]


def _run(kind: str, function, points: np.ndarray):
    """Values at ``points`` (P × variables) from a kernel or module of library ``kind``."""
    if kind.endswith("torch"):
        import torch
        out = function(*[torch.tensor(c) for c in points.T])
        return out.detach().numpy()
    if kind.endswith("jax"):
        import jax.numpy as jnp
        return np.asarray(function(*[jnp.asarray(c) for c in points.T]))
    return np.asarray(function(*points.T))


@pytest.fixture(scope="module")
def jax_on():
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    return jax


LIBRARIES = ("numpy", "torch", "jax")


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: r.name)
def test_every_way_of_computing_agrees_with_mpmath(record, jax_on):
    for label, expr, variables, points, fixed in _cases(record):
        exact = [_oracle(record, fixed, p) for p in points]
        values = np.array([float(v) for v, _ in exact])
        gradients = np.array([[float(g) for g in grad] for _, grad in exact])
        f = as_function(expr, [v.name for v in variables])
        targets = [("value", f.expr, values)]
        if _differentiated(record):
            targets.append(("gradient", f.differentiate("gradient"), gradients))
        for what, target, want in targets:
            bad = []
            for library in LIBRARIES:
                live = compile_kernel(target, variables, library)
                got_live = _run(library, live, points)
                exported = _exported(f, what, library)
                got_export = _run(f"export {library}", exported, points)
                for kind, got in ((library, got_live), (f"export {library}", got_export)):
                    ok = _close(got, want)
                    bad += [(kind, p.tolist(), g, w) for p, g, w, o in
                            zip(points, np.reshape(got, want.shape), want, ok, strict=True)
                            if not np.all(o)]
                # an export is its library's kernel written out: the same numbers
                same = _close(got_export, np.reshape(got_live, want.shape), 1e-13, 1e-15)
                assert np.all(same), (label, what, library, got_export, got_live)
            numpy_alone = _run("numpy", _exported(f, what, "numpy", hide_scipy=True), points)
            if not np.all(_close(numpy_alone, want)):
                bad.append(("export numpy without scipy", numpy_alone.tolist(), want.tolist()))
            one_point = compile_kernel(target, variables, "numpy")
            got_floats = np.array([one_point(*[float(v) for v in p]) for p in points])
            if not np.all(_close(got_floats, want)):
                bad.append(("one point (floats)", got_floats.tolist(), want.tolist()))
            outputs = [target] if what == "value" else list(target.matrix)
            program = Program(outputs, variables, "mpmath")
            got_mp = np.array([[float(o) for o in program.run(*[mp.mpf(float(v)) for v in p])]
                               for p in points])
            if not np.all(_close(got_mp, want, 1e-20, 1e-25)):
                bad.append(("mpmath", got_mp.tolist(), want.tolist()))
            assert not bad, (label, what, bad)


@pytest.mark.parametrize("record", [r for r in RECORDS if r.derivative],
                         ids=lambda r: r.name)
def test_each_derivative_text_is_the_derivative(record):
    """The derivative a record states (the steps' generic rule uses it) against mpmath.diff
    of the oracle, at the record's sample points."""
    for _, _, variables, points, fixed in _cases(record):
        args, it, fixed_it = [], iter(variables), iter(fixed)
        for i in range(record.arity[0]):
            args.append(sympy.Integer(next(fixed_it)) if i in record.integers else next(it))
        partials = record.partials(*args, classes=CLASSES)
        free = [i for i in range(record.arity[0]) if i not in record.integers]
        for p in points:
            _, gradient = _oracle(record, fixed, p)
            subs = {v: sympy.Float(float(x), 30) for v, x in zip(variables, p, strict=True)}
            for k, i in enumerate(free):
                if partials[i] is None:
                    continue
                got = sympy.N(partials[i].subs(subs), 30)
                got = float(sympy.re(got)) if not got.has(sympy.DiracDelta) else 0.0
                assert abs(got - float(gradient[k])) <= 1e-12 * abs(float(gradient[k])) + 1e-14, \
                    (record.name, record.derivative[i], p, got, gradient[k])


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: r.name)
def test_each_record_is_complete(record):
    assert record.description and record.textbook and record.latex and record.rule_text
    assert record.name in ORACLES, f"add an mpmath oracle for {record.name} to this test"
    assert len(record.sample) >= record.arity[0]
    if record.sympy is None:  # notation: expands into functions that have records
        assert record.build is not None and not record.spell, record.name
        return
    for target in TARGETS:
        spelling = record.spell.get(target)
        assert isinstance(spelling, Spelling | Unsupported), (record.name, target)
        if isinstance(spelling, Unsupported):
            assert spelling.reason and target == "c", (record.name, target, spelling)
    if record.derivative:  # one partial derivative per parameter
        assert len(record.derivative) == len(record.params), record.name


def test_every_parser_name_is_a_record_and_every_oracle_a_name():
    assert set(names.FUNCTIONS) == set(BY_NAME)
    for name in names.FUNCTIONS:
        assert BY_NAME[name] in RECORDS
    assert set(ORACLES) == {r.name for r in RECORDS}
    assert len({r.name for r in RECORDS}) == len(RECORDS)
    for target in TARGETS:  # one name, one helper source (raises otherwise)
        helpers(target)


@pytest.mark.parametrize("text", ["loggamma(x)", "gamma(x)", "factorial(x)",
                                  "binomial(x, 2)", "polygamma(1, x) + digamma(x)"])
@pytest.mark.parametrize("to", ["numpy", "torch"])
def test_the_exported_value_of_a_special_function_runs(text, to):
    """The regression: ``symnum export "loggamma(x)" --to numpy`` wrote a module raising
    NameError (_loggamma_one) when called."""
    f = as_function(text, "x")
    points = np.array([[0.5], [2.5], [7.25]])
    want = np.array([float(ORACLES_OF[text](mp.mpf(p[0]))) for p in points])
    got = _run(to, _exported(f, "value", to), points)
    assert np.all(_close(got, want)), (text, to, got, want)
    live = _run(to, compile_kernel(f.expr, list(f.variables), to), points)
    assert np.all(_close(got, live, 1e-14, 0.0)), (text, to, got, live)


ORACLES_OF = {
    "loggamma(x)": mp.loggamma, "gamma(x)": mp.gamma, "factorial(x)": mp.factorial,
    "binomial(x, 2)": lambda x: mp.binomial(x, 2),
    "polygamma(1, x) + digamma(x)": lambda x: mp.polygamma(1, x) + mp.digamma(x),
}


def test_a_function_added_as_one_record_works_everywhere():
    """erfcx(u) = e^(u²)·erfc(u) was added as one record (core/registry/special.py) and its
    oracle above, nothing else: the parser, LaTeX, steps, check and verify know it too."""
    import symnum
    x = sympy.Symbol("x", real=True)
    erfcx = CLASSES["erfcx"]
    result = symnum.derive("erfcx(x**2)")
    want = 4 * x * (x**2 * erfcx(x**2) - 1 / sympy.sqrt(sympy.pi))
    assert sympy.simplify(result.matrix[0] - want) == 0
    assert symnum.parse_latex(r"\operatorname{erfcx}(x)") == erfcx(x)
    steps = symnum.Function("erfcx(x**2)").steps().text()
    assert "erfcx'(u) = 2u·erfcx(u) − 2/√π" in steps
    assert symnum.verify(result).verdict == "pass"
    assert symnum.check_claim("2*x*erfcx(x) - 2/sqrt(pi)", "erfcx(x)").correct
    assert not symnum.check_claim("2*x*erfcx(x)", "erfcx(x)").correct
    value = float(symnum.kernel("erfcx(x)", what="value")(30.0))  # e^900·erfc(30) as one
    assert value == pytest.approx(float(mp.exp(900) * mp.erfc(30)), rel=1e-13)


def test_log1mexp_added_as_one_record_is_accurate_at_both_ends():
    """log1mexp(u) = log(1 − e^(−u)) (core/registry/activations.py, one record and its oracle
    above): read, differentiated, stepped, checked, and computed without cancellation near 0
    and for large u by the live kernels and the exported module alike."""
    import symnum
    x = sympy.Symbol("x", real=True)
    assert symnum.parse_latex(r"\operatorname{log1mexp}(x)") == CLASSES["log1mexp"](x)
    assert sympy.simplify(symnum.derive("log1mexp(x**2)").matrix[0]
                          - 2 * x / (sympy.exp(x**2) - 1)) == 0
    assert "log1mexp'(u) = 1/(e^u − 1)" in symnum.Function("log1mexp(x)").steps().text()
    assert symnum.check_claim("1/(exp(x) - 1)", "log1mexp(x)").correct
    assert not symnum.check_claim("1/(1 - exp(-x))", "log1mexp(x)").correct
    points = np.array([1e-12, 1e-5, 0.6931, 0.6932, 30.0, 700.0])
    with mp.workdps(60):
        want = [float(mp.log1p(-mp.exp(-mp.mpf(p)))) for p in points]
    namespace: dict[str, object] = {}
    exec(export_source("log1mexp(x)", to="numpy", what="value"), namespace)
    for got in (symnum.kernel("log1mexp(x)", what="value")(points), namespace["f"](points)):
        assert np.allclose(got, want, rtol=1e-14, atol=0), got


def test_logit_added_as_one_record_is_accurate_near_its_ends_and_half():
    """logit(u) = log(u/(1 − u)) (core/registry/activations.py, one record and its oracle
    above): read from LaTeX, differentiated, stepped, checked, and computed to full
    precision near 0, ½ and 1 (torch.special.logit alone loses 12 digits at ½ + 2⁻⁴⁰) by
    the live numpy and torch kernels and the exported numpy (with and without scipy) and
    torch modules."""
    import symnum
    x = sympy.Symbol("x", real=True)
    assert symnum.parse_latex(r"\operatorname{logit}(x)") == CLASSES["logit"](x)
    assert sympy.simplify(symnum.derive("logit(x**2)").matrix[0]
                          - 2 / (x * (1 - x**2))) == 0
    assert "logit'(u) = 1/(u·(1 − u))" in symnum.Function("logit(x)").steps().text()
    assert symnum.check_claim("1/(x - x**2)", "logit(x)").correct
    assert not symnum.check_claim("1/(x*(1 + x))", "logit(x)").correct
    points = np.array([1e-300, 1e-9, 0.25, 0.5 + 2.0**-40, 0.7, 1 - 2.0**-40])
    with mp.workdps(60):
        want = [float(mp.log(mp.mpf(p)) - mp.log1p(-mp.mpf(p))) for p in points]
    f = as_function("logit(x)", "x")
    runs = [(to, _exported(f, "value", to, hide_scipy=hide))
            for to, hide in (("numpy", False), ("numpy", True), ("torch", False))]
    runs += [(to, compile_kernel(f.expr, list(f.variables), to)) for to in ("numpy", "torch")]
    for to, function in runs:
        got = _run(to, function, points[:, None])
        assert np.allclose(got, want, rtol=1e-14, atol=0), (to, got)


def test_records_apply_elementwise_to_matrices_with_their_derivative():
    """Matrix calculus applies a record of one argument elementwise (f(A), d f(A) =
    f′(A) ⊙ dA) with f′(A) lifted from the record's derivative text, no table entry of its
    own (logit once was "logit() cannot take a matrix argument"): each entry of f′(A)
    against ``mpmath.diff`` of the oracle, and the gradient of 𝟏ᵀ logit(x) as a user
    derives it."""
    import symnum
    from symnum.core.matrix_expr import Elementwise, registry_elementwise
    assert {"logit", "erf", "log1mexp", "sinh", "cosh"} <= registry_elementwise()
    a = sympy.MatrixSymbol("a", 1, 1)
    for name in sorted(registry_elementwise()):
        record = BY_NAME[name]
        low, high = record.sample[0]
        point = low + (high - low) * FRACTIONS[2]
        entry = Elementwise(name, a).derivative_entries().as_explicit()[0, 0]
        got = float(sympy.N(entry.subs(a[0, 0], sympy.Float(point, 30)), 30))
        want = float(mp.diff(ORACLES[name], mp.mpf(point)))
        assert got == pytest.approx(want, rel=1e-12, abs=1e-14), (name, entry, got, want)
    assert "logit" in symnum.derive("sum(logit(x))", shapes={"x": ("n",)}).text()
    point = [0.1, 0.5 + 2.0**-30, 0.97]
    kernel = symnum.kernel("sum(logit(x))", shapes={"x": (3,)})
    gradient = np.asarray(kernel(np.array(point)), dtype=float).ravel()
    want = [float(mp.diff(ORACLES["logit"], mp.mpf(p))) for p in point]
    assert np.allclose(gradient, want, rtol=1e-13, atol=0), gradient


@pytest.mark.parametrize("to", ["numpy", "torch", "jax"])
def test_gamma_and_binomial_at_poles_and_large_n(to, jax_on):
    """torch's Γ was finite (−2.6e16) at −1, where sin(π·x) is not exactly 0; binomial as a
    ratio of Γs was nan for n > 170 (inf/inf) and at binomial(0, 3) (JAX: Γ(−2) is nan):
    live kernels and exports alike, against mpmath (scipy's nan at Γ's poles left of 0)."""
    import symnum
    cases = [("gamma(x)", [-1.0, -2.0, -0.5], [np.nan, np.nan, float(mp.gamma(-0.5))]),
             ("binomial(x, 3)", [0.0, 2.0, 400.0, 1e6, -1.5],
              [float(mp.binomial(n, 3)) for n in (0, 2, 400, 10**6, -1.5)])]
    for text, points, want in cases:
        namespace: dict[str, object] = {}
        exec(export_source(text, to=to, what="value"), namespace)  # noqa: S102 - our export
        for f in (symnum.kernel(text, what="value", backend=to), namespace["f"]):
            got = _run(to, f, np.array(points)[:, None]).astype(float)
            assert np.allclose(got, want, rtol=1e-8, atol=0, equal_nan=True), (text, to, got)
