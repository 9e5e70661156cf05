"""Standalone exports: each module runs in a subprocess where sympy and symnum cannot be
imported, and its values are compared with mpmath at 50 digits (SymPy's own derivatives,
not symnum's), at ordinary points, at kinks and at ±1000.

One subprocess per backend evaluates every case, so the file stays fast.
"""

from __future__ import annotations

import ast
import json
import math
import subprocess
import sys
import textwrap

import mpmath
import pytest
import sympy

import symnum
from symnum import SymnumError, parse
from symnum.cli import main
from symnum.export import export_source

# (expression, variables, what, points): kinks, large arguments, constants, special functions
CASES = [
    ("log(exp(x) + exp(y) + exp(z))", "x,y,z", "hessian",
     [(0.1, 0.2, -0.3), (1000.0, 999.0, -1000.0), (-1000.0, -1000.0, -1000.0)]),
    ("log(1 + exp(-y*w*x))", "w,x,y", "gradient",
     [(0.5, -1.0, 2.0), (40.0, 20.0, 1.0), (-40.0, 20.0, 1.0)]),
    ("log(1 + exp(x))", "x", "hessian", [(-800.0,), (0.0,), (800.0,), (3.5,)]),
    ("1/(1 + exp(-x))", "x", "derivative", [(-800.0,), (0.0,), (800.0,)]),
    ("Max(x, 0)**2 + Abs(y)*x + Min(x, y)", "x,y", "gradient",
     [(0.0, 0.0), (0.0, 1.0), (-2.0, 0.0), (1.5, -0.5), (1000.0, -1000.0)]),
    ("Heaviside(x) + sign(y)*x + Max(x, y, 1)", "x,y", "value",
     [(0.0, 0.0), (-1.0, 2.0), (2.5, -3.0)]),
    ("erf(x)*exp(-y**2) + loggamma(y) + erfc(x*y)", "x,y", "gradient",
     [(0.3, 0.7), (-2.0, 4.5), (1.0, 25.0)]),
    ("polygamma(1, x) + digamma(x)*x", "x", "derivative", [(0.5,), (3.0,), (25.0,), (-1.5,)]),
    ("[x*y, sin(x) + 3, y**2, 7]", "x,y", "jacobian", [(0.5, 2.0), (-1.0, 0.0)]),
    ("x + 2*y", "x,y", "hessian", [(1.0, 2.0), (-3.0, 0.5)]),
    ("sqrt(x**2 + y**2) + cosh(x)/cosh(y)", "x,y", "hessian", [(3.0, 4.0), (-0.5, 2.0)]),
]
PIECEWISE = (sympy.Piecewise((sympy.Symbol("x", real=True)**2, sympy.Symbol("x", real=True) < 0),
                             (sympy.sin(sympy.Symbol("x", real=True)), True)))
BLOCK = """
import importlib.abc, json, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ImportError("blocked in this test: " + name)
sys.meta_path.insert(0, Block())
"""


def _exact(text, wrt: str, what: str) -> sympy.Basic:
    """SymPy's own derivative (not symnum's), as a flat list of entries."""
    expr = parse(text) if isinstance(text, str) else text
    names = {s.name: s for s in expr.free_symbols}
    xs = [names.get(n, sympy.Symbol(n, real=True)) for n in wrt.split(",")]
    if what == "value":
        return [expr]
    if what in ("derivative",):
        return [sympy.diff(expr, xs[0])]
    if what == "gradient":
        return [sympy.diff(expr, x) for x in xs]
    if what == "hessian":
        return [sympy.diff(expr, a, b) for a in xs for b in xs]
    return [sympy.diff(e, x) for e in expr for x in xs]  # jacobian of a list


def _mp(entry: sympy.Basic, names: list[str], point: tuple[float, ...]) -> mpmath.mpf:
    subs = {s: sympy.Float(point[names.index(s.name)], 60) for s in entry.free_symbols}
    value = sympy.N(entry.subs(subs), 50)
    return mpmath.mpf(str(value)) if value.is_real else mpmath.nan


def _run(backend: str, modules: list[str], calls: list, blocked: tuple[str, ...]) -> list:
    """Import each module text in a fresh interpreter that cannot import ``blocked`` and
    evaluate the calls [(module index, list of argument columns)]; the values as lists."""
    prelude = f"BLOCKED = {blocked!r}\n" + BLOCK
    if backend == "jax":
        prelude += "import jax\njax.config.update('jax_enable_x64', True)\n"
    script = prelude + textwrap.dedent("""
        import numpy as np
        data = json.loads(sys.stdin.read())
        spaces = []
        for text in data["modules"]:
            space = {}
            exec(compile(text, "<export>", "exec"), space)
            spaces.append(space)
        out = []
        for index, columns in data["calls"]:
            value = spaces[index]["f"](*columns)
            out.append(np.asarray(value, dtype=float).tolist())
        for index, columns in data["calls"]:  # one point with Python floats: no batch axis
            value = spaces[index]["f"](*[c[0] for c in columns])
            out.append(list(np.shape(value)))
        print(json.dumps(out))
        """)
    proc = subprocess.run([sys.executable, "-c", script], input=json.dumps(
        {"modules": modules, "calls": calls}), capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout)


# Jobs run in one interpreter per backend (importing jax or torch is most of a job's cost):
# each job is a script run with its own stdin text and namespace; what it prints, or its
# traceback, is the job's answer. Order matters for JAX: the float32 job runs before any
# job switches 64-bit mode on.
RUNNER = textwrap.dedent("""
    import contextlib, io, traceback
    answers = {}
    for name, script, given in json.loads(sys.stdin.read()):
        out, saved = io.StringIO(), sys.stdin
        sys.stdin = io.StringIO(given)
        try:
            with contextlib.redirect_stdout(out):
                exec(compile(script, name, "exec"), {"json": json, "sys": sys})
            answers[name] = {"out": out.getvalue()}
        except BaseException:
            answers[name] = {"error": traceback.format_exc()[-3000:]}
        finally:
            sys.stdin = saved
    print(json.dumps(answers))
    """)


def _run_jobs(jobs: list[tuple[str, str, str]], blocked: str = "('sympy', 'symnum')") -> dict:
    """Run the jobs [(name, script, stdin text)] in one interpreter that cannot import
    ``blocked``; {name: {"out": printed} or {"error": traceback}}."""
    proc = subprocess.run([sys.executable, "-c", BLOCK.replace("BLOCKED", blocked) + RUNNER],
                          input=json.dumps(jobs), capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout)


def _answer(answers: dict, name: str):
    """What job ``name`` printed, read as JSON (its traceback fails the test)."""
    assert "error" not in answers[name], answers[name]["error"]
    return json.loads(answers[name]["out"])


def _close(got: float, exact: mpmath.mpf, tolerance: float) -> bool:
    if mpmath.isnan(exact):
        return got != got
    return abs(got - float(exact)) <= tolerance * max(1.0, abs(float(exact)))


def _imports(text: str) -> set[str]:
    """The modules ``text`` needs: an import inside ``try: ... except ImportError:`` (numpy
    modules use scipy.special where it is installed, the standard library where not) is
    optional, not needed."""
    tree = ast.parse(text)
    optional = {id(n) for t in ast.walk(tree) if isinstance(t, ast.Try)
                and any(getattr(h.type, "id", "") == "ImportError" for h in t.handlers)
                for n in t.body}
    found = set()
    for node in ast.walk(tree):
        if id(node) in optional:
            continue
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            found.add((node.module or "").split(".")[0])
    return found


@pytest.mark.parametrize("backend", ["numpy", "torch", "jax"])
def test_exports_agree_with_mpmath_without_sympy_or_symnum(backend):
    cases = CASES + [(PIECEWISE, "x", "derivative", [(-1.5,), (0.0,), (2.0,)])]
    modules, calls, expected = [], [], []
    for i, (text, wrt, what, points) in enumerate(cases):
        module = export_source(text, wrt=wrt, what=what, to=backend)
        assert _imports(module) <= {"math", backend} | ({"jax"} if backend == "jax" else set())
        modules.append(module)
        columns = [list(c) for c in zip(*points, strict=True)]
        calls.append((i, columns))
        entries = _exact(text, wrt, what)
        expected.append([[_mp(e, wrt.split(","), p) for e in entries] for p in points])
    blocked = ("sympy", "symnum", "mpmath") + (("scipy",) if backend == "numpy" else ())
    out = _run(backend, modules, calls, blocked)
    values, shapes = out[:len(cases)], out[len(cases):]
    for (text, wrt, what, points), got, want, shape in zip(cases, values, expected, shapes,
                                                           strict=True):
        flat = [sympy.flatten(g) if isinstance(g, list) else [g] for g in got]
        assert len(flat) == len(points), (text, got)
        # torch's polygamma(2, 0.5) is off by 5e-11 relative: special functions get 1e-9
        tolerance = 1e-9 if "gamma" in str(text) else 1e-11
        for point, row, exact in zip(points, flat, want, strict=True):
            bad = [(g, float(e)) for g, e in zip(row, exact, strict=True)
                   if not _close(g, e, tolerance)]
            assert not bad, (backend, text, what, point, bad)
        n = len(wrt.split(","))
        entries = len(want[0])
        single = {"value": [], "derivative": [], "gradient": [n], "hessian": [n, n],
                  "jacobian": [entries // n, n]}[what]
        assert shape == single, (text, shape)


TORCH_AUTOGRAD = textwrap.dedent("""
    import torch
    space = {}
    for text in json.loads(sys.stdin.read()):
        exec(text, space)
    x = torch.tensor([0.7, -1.2, 0.3, 30.0], dtype=torch.float64, requires_grad=True)
    y = torch.tensor([0.2, 0.5, -0.9, 40.0], dtype=torch.float64, requires_grad=True)
    gx, gy = torch.autograd.grad(space["value"](x, y).sum(), (x, y))
    g = space["gradient"](x, y)
    hx = torch.autograd.grad(g[:, 0].sum(), (x, y))
    h = space["hessian"](x, y)
    print(json.dumps([(torch.stack([gx, gy], -1) - g).abs().max().item(),
                      (torch.stack(hx, -1) - h[:, 0, :]).abs().max().item()]))
    """)
JAX_JIT_AND_GRAD = textwrap.dedent("""
    import jax
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    space = {}
    for text in json.loads(sys.stdin.read()):
        exec(text, space)
    value, gradient = jax.jit(space["value"]), jax.jit(space["gradient"])
    gap = 0.0
    for x, y in [(0.3, -0.4), (-2.0, 1.0), (1000.0, 999.0)]:
        auto = jax.grad(value, argnums=(0, 1))(x, y)
        ours = gradient(x, y)
        gap = max(gap, abs(float(auto[0]) - float(ours[0])),
                  abs(float(auto[1]) - float(ours[1])))
    batch = jax.vmap(gradient)(jnp.array([0.1, 0.2]), jnp.array([1.0, 2.0]))
    print(json.dumps([gap, list(batch.shape), str(batch.dtype)]))
    """)
JAX_TIE = textwrap.dedent("""
    import jax
    jax.config.update("jax_enable_x64", True)
    space = {}
    exec(sys.stdin.read(), space)
    grad = jax.grad(lambda x, y: space["value"](x, y).sum(), argnums=(0, 1))
    print(json.dumps([[float(g) for g in grad(x, y)] for x, y in [(1.0, 0.5), (2.0, 0.0)]]))
    """)
JAX_FLOAT32 = textwrap.dedent("""
    import jax
    assert not jax.config.jax_enable_x64  # this job runs before any job switches it on
    space = {}
    exec(sys.stdin.read(), space)
    try:
        space["f"](1.0, 2.0)
    except ValueError as err:
        print(json.dumps(str(err)))
    """)
REFUSE_TEXT = textwrap.dedent("""
    space = {}
    text = sys.stdin.read()
    if "import jax" in text:
        import jax
        jax.config.update("jax_enable_x64", True)
    exec(text, space)
    out = [space["f"](2.0, 3.0).tolist()]
    for x in ("1e3", ["1", "2"]):
        try:
            space["f"](x, 3.0)
        except TypeError as err:
            out.append(str(err))
    print(json.dumps(out))
    """)


@pytest.fixture(scope="module")
def jobs() -> dict:
    """Every torch job in one interpreter, every JAX job in another, numpy's in a third."""
    lse = "log(exp(x) + exp(y)) + Max(x, 0)**2"
    smooth = "log(1 + exp(x*y)) + Max(x, 0)*y + Abs(x - y)"
    answers = _run_jobs([
        ("autograd", TORCH_AUTOGRAD, json.dumps(
            [export_source(smooth, wrt="x,y", what=w, to="torch", name=w)
             for w in ("value", "gradient", "hessian")])),
        ("refuse-torch", REFUSE_TEXT, export_source("x*y", wrt="x,y", what="gradient",
                                                    to="torch"))])
    answers |= _run_jobs([
        ("float32", JAX_FLOAT32, export_source("log(exp(x) + exp(y))", wrt="x,y",
                                               what="gradient", to="jax")),
        ("jit-and-grad", JAX_JIT_AND_GRAD, json.dumps(
            [export_source(lse, wrt="x,y", what=w, to="jax", name=w)
             for w in ("value", "gradient")])),
        ("tie", JAX_TIE, export_source("log(exp(x*y) + exp(y)) + Abs(x - 2)", wrt="x,y",
                                       what="value", to="jax", name="value")),
        ("refuse-jax", REFUSE_TEXT, export_source("x*y", wrt="x,y", what="gradient",
                                                  to="jax"))])
    answers |= _run_jobs([("refuse-numpy", REFUSE_TEXT, export_source(
        "x*y", wrt="x,y", what="gradient", to="numpy"))])
    return answers


def test_torch_export_is_differentiable_and_its_gradient_matches_autograd(jobs):
    """The exported value through autograd equals the exported gradient, kinks included;
    the exported gradient itself goes through autograd (the Hessian-vector product)."""
    gap_gradient, gap_hessian = _answer(jobs, "autograd")
    assert gap_gradient < 1e-12 and gap_hessian < 1e-12


def test_jax_export_runs_under_jit_and_grad(jobs):
    gap, shape, dtype = _answer(jobs, "jit-and-grad")
    assert gap < 1e-12 and shape == [2, 2] and dtype == "float64"


def test_module_docstring_has_formula_latex_conventions_and_version():
    text = export_source("Max(x, 0)*y", wrt="x,y", what="gradient", to="numpy", name="grad")
    doc = ast.get_docstring(ast.parse(text))
    assert "y*Max(0, x)" in doc and r"\nabla" in doc and "Heaviside(0) = 1/2" in doc
    assert "exported by symnum" in doc and "grad(x, y)" in doc


def test_cli_export_writes_a_module_and_errors_are_one_line(tmp_path, capsys):
    out = tmp_path / "lse.py"
    assert main(["export", "log(exp(a) + exp(b))", "--what", "gradient", "--to", "numpy",
                 "--name", "grad_lse", "--out", str(out)]) == 0
    assert "from lse import grad_lse" in capsys.readouterr().out
    space: dict = {}
    exec(out.read_text(), space)
    assert space["grad_lse"](1000.0, 1000.0).tolist() == [0.5, 0.5]
    assert main(["export", r"\frac{1}{1+e^{-x}}", "--from", "latex"]) == 0
    assert "def f(x):" in capsys.readouterr().out
    # symbols not differentiated are parameters, after the variables
    assert main(["export", "log(1 + exp(-y*w*x))", "--wrt", "w", "--what", "gradient"]) == 0
    space = {}
    exec(capsys.readouterr().out, space)
    assert abs(space["f"](0.5, 2.0, -1.0)[0] - 2.0 / (1.0 + math.exp(-1.0))) < 1e-15
    for argv in (["export", "x**2", "--to", "tensorflow"], ["export", "x**2", "--name", "1f"],
                 ["export", "g(x)"], ["export", "x**2", "--out", str(tmp_path / "a.txt")],
                 ["export", "x**2", "--what", "curl"]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert err.startswith("error: ") and err.count("\n") == 1, (argv, err)
    # the advice in each message is one that works
    assert main(["export", "x**2", "--name", "torch", "--to", "torch"]) == 2
    assert "taken inside the module" in capsys.readouterr().err
    # symbolic dimensions: matrix code reads the sizes from the arrays
    assert main(["export", "x.T*A*x", "--wrt", "x", "--shape", "x=n", "--shape", "A=n,n"]) == 0
    space = {}
    exec(capsys.readouterr().out, space)
    assert space["f"]([1.0, 2.0], [[1.0, 0.0], [0.0, 3.0]]).tolist() == [2.0, 12.0]


def test_matrix_notation_exports_take_arrays_of_the_declared_shapes():
    """--shape x=3 --shape A=3,3: x is (..., 3), A (..., 3, 3); a gradient with respect to a
    matrix comes out in its layout. Checked against the closed forms with numpy."""
    import numpy as np
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(4, 3)), rng.normal(size=(4, 2))
    A, W, lam = rng.normal(size=(3, 3)), rng.normal(size=(4, 3, 2)), 0.7
    quadratic = {"x": (3,), "A": (3, 3)}
    for to in ("numpy", "torch"):
        space: dict = {}
        exec(export_source("x.T*A*x + lam*x.T*x", wrt="x", what="gradient",
                           shapes=quadratic, to=to, name="grad"), space)
        exec(export_source("x.T*A*x", wrt="x", what="hessian", shapes=quadratic, to=to,
                           name="hess"), space)
        exec(export_source("x.T*W*y", wrt="W", what="gradient",
                           shapes={"x": (3,), "W": (3, 2), "y": (2,)}, to=to,
                           name="grad_w"), space)
        got = np.asarray(space["grad"](x, A, lam))
        assert np.allclose(got, x @ (A + A.T) + 2 * lam * x, atol=1e-13)
        assert np.allclose(np.asarray(space["hess"](x[0], A)), A + A.T, atol=1e-13)
        got_w = np.asarray(space["grad_w"](W, x, y))
        assert got_w.shape == (4, 3, 2)
        assert np.allclose(got_w, x[:, :, None] * y[:, None, :], atol=1e-13)
    with pytest.raises(ValueError, match="must have shape"):  # standalone: a ValueError
        space["grad"](np.ones(2), A, lam)


def test_jax_export_autodiff_at_a_tie_takes_sign_zero_like_torch(jobs):
    """log(e^{xy} + e^y) at x = 1 is a tie of the stable form's max and |xy - y|: JAX's own
    |x| has derivative 1 at 0, which gave ∂/∂x = 0; the exact value is y/2 (hand-derived)."""
    tie, kink = _answer(jobs, "tie")
    # at (1, 1/2): d/dx = y/2 - 1 (|x - 2| left of 2), d/dy = (x + 1)/2
    assert tie == pytest.approx([0.25 - 1.0, 1.0], abs=1e-15)
    # at (2, 0): both exponents 0 (a tie again) and |x - 2| at its kink, sign(0) = 0
    assert kink == pytest.approx([0.0, 1.5], abs=1e-15)


def test_jax_export_refuses_float32_with_one_line(jobs):
    """Without JAX's 64-bit mode the export would round every value to float32 unnoticed."""
    message = _answer(jobs, "float32")
    assert "jax_enable_x64" in message and "\n" not in message


@pytest.mark.parametrize("backend", ["numpy", "torch", "jax"])
def test_exports_refuse_text_instead_of_reading_it_as_a_number(backend, jobs):
    """np.asarray("1e3", dtype=float) is 1000.0: the export must not take a typo'd string."""
    value, *errors = _answer(jobs, f"refuse-{backend}")
    assert value == [3.0, 2.0] and len(errors) == 2
    assert all(e.startswith("x: got text") and "\n" not in e for e in errors)


def test_matrix_export_docstring_shows_the_formula_as_written_and_its_own_arrays():
    text = export_source("log(1 + exp(-y*w.T*x))", wrt="w", what="hessian",
                         shapes={"w": "4", "x": "4"}, to="torch")
    head = text.split("\n\n")[:2]
    assert "the Hessian of log(1 + exp(-y*w.T*x)) with respect to w" in head[0]
    assert "f(w, x, y) takes w of shape (..., 4), x of shape (..., 4), then the number(s) y" \
        in " ".join(text.split()) and "w_1" not in text
    assert "Hessian ∂²f/∂w∂wᵀ" in text and "batch + (4, 4)" in text
    result = symnum.derive("x.T*A*x", wrt="x", shapes={"x": "n", "A": "n,n"})
    with pytest.raises(SymnumError, match="not a MatrixResult: give its text"):
        export_source(result)
