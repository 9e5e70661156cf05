"""Matrix code (symnum.matrix.array_code / array_function): kernels of matrix results at any
size, batched, on numpy, torch and JAX, against torch autograd of hand-written torch code
(an independent oracle), in the layout of torch.autograd.functional.jacobian."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import symnum

f64 = torch.float64
TF = torch.nn.functional


def _oracle(fn, args: dict, wrt: str, what: str, batch: tuple = ()) -> np.ndarray:
    """torch.autograd.functional's jacobian (or hessian) of fn in ``wrt``, per batch sample."""
    out = []
    for index in np.ndindex(*batch):
        sample = {k: (v[index] if v.dim() and v.shape[:len(batch)] == batch else v)
                  for k, v in args.items()}

        def g(value, sample=sample):
            return fn(**{**sample, wrt: value})
        take = torch.autograd.functional.hessian if what == "hessian" else \
            torch.autograd.functional.jacobian
        out.append(take(g, sample[wrt]))
    return torch.stack(out).reshape(*batch, *out[0].shape).numpy()


def _inputs(shapes: dict, sizes: dict, seed: int, batch: tuple = (), square=()) -> dict:
    gen = torch.Generator().manual_seed(seed)
    out = {}
    for name, dims in shapes.items():
        shape = tuple(sizes.get(d, d) if isinstance(d, str) else d
                      for d in dims.split(",")) if dims else ()
        shape = tuple(int(s) for s in shape)
        value = torch.randn(*batch, *shape, generator=gen, dtype=f64)
        if name in square:  # well-conditioned: the identity scaled plus noise
            value = value * 0.3 + 2.0 * torch.eye(shape[-1], dtype=f64)
        out[name] = value
    return out


def _logistic(w, x, y):
    return TF.softplus(-y * (w @ x))


CASES = [  # (text, wrt, what, shapes, torch function, square inputs)
    ("sum(tanh(W*x + b))", "W", None, {"W": "m,n", "x": "n", "b": "m"},
     lambda W, x, b: torch.tanh(W @ x + b).sum(), ()),
    ("-y.T*log(softmax(W*x))", "W", None, {"W": "m,n", "x": "n", "y": "m"},
     lambda W, x, y: -(y * torch.log_softmax(W @ x, -1)).sum(), ()),
    ("log(det(X))", "X", None, {"X": "n,n"}, lambda X: torch.logdet(X), ("X",)),
    ("trace(inv(X)*A)", "X", None, {"X": "n,n", "A": "n,n"},
     lambda X, A: torch.trace(torch.linalg.inv(X) @ A), ("X",)),
    ("det(X)", "X", None, {"X": "n,n"}, lambda X: torch.det(X), ("X",)),
    ("trace((A*X - B).T*(A*X - B))", "X", None, {"A": "m,p", "X": "p,q", "B": "m,q"},
     lambda A, X, B: ((A @ X - B) ** 2).sum(), ()),
    ("sum(softplus(W*x))", "W", None, {"W": "m,n", "x": "n"},
     lambda W, x: TF.softplus(W @ x).sum(), ()),
    ("x.T*inv(A)*x", "x", "hessian", {"A": "n,n", "x": "n"},
     lambda A, x: x @ torch.linalg.solve(A, x), ("A",)),
    ("y.T*layernorm(W*x)", "W", None, {"W": "m,n", "x": "n", "y": "m"},
     lambda W, x, y: y @ TF.layer_norm(W @ x, (W.shape[0],), eps=1e-5), ()),
    ("trace(softmax(Q*K.T)*V)", "Q", None, {"Q": "m,n", "K": "m,n", "V": "m,m"},
     lambda Q, K, V: torch.trace(torch.softmax(Q @ K.T, -1) @ V), ()),
    ("var(W*x)", "x", None, {"W": "m,n", "x": "n"},
     lambda W, x: torch.var(W @ x, unbiased=False), ()),
    ("tanh(W*x + b)", "x", "jacobian", {"W": "m,n", "x": "n", "b": "m"},
     lambda W, x, b: torch.tanh(W @ x + b), ()),
    ("softmax(W*x)", "x", "jacobian", {"W": "m,n", "x": "n"},
     lambda W, x: torch.softmax(W @ x, -1), ()),
]
EXPORTED = ("sum(tanh(W*x + b))", "-y.T*log(softmax(W*x))", "log(det(X))", "trace(inv(X)*A)",
            "x.T*inv(A)*x", "y.T*layernorm(W*x)")


@pytest.mark.parametrize("backend", ["numpy", "torch"])
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_kernels_are_matrix_code_and_agree_with_torch_autograd(case, backend):
    text, wrt, what, shapes, fn, square = case
    k = symnum.kernel(text, wrt=wrt, what=what, shapes=shapes, backend=backend)
    assert k.code is not None and "matrix code" in repr(k)
    for seed, sizes, batch in [(1, {"m": 3, "n": 4, "p": 5, "q": 2}, ()),
                               (2, {"m": 2, "n": 3, "p": 4, "q": 5}, (2,))]:
        args = _inputs(shapes, sizes, seed, batch, square)
        got = k(*[a.numpy() if backend == "numpy" else a for a in args.values()])
        expected = _oracle(fn, args, wrt, what or "jacobian", batch)
        assert tuple(got.shape) == expected.shape, text
        np.testing.assert_allclose(np.asarray(got), expected, rtol=1e-10, atol=1e-12)


def test_a_layer_of_300_by_200_weights_and_a_scalar_parameter():
    """∂ sum(tanh(W x))/∂W and the logistic loss' Hessian with a scalar label y."""
    gen = torch.Generator().manual_seed(4)
    W, x = torch.randn(300, 200, generator=gen, dtype=f64) / 10, torch.randn(200, dtype=f64,
                                                                                generator=gen)
    k = symnum.kernel("sum(tanh(W*x))", wrt="W", shapes={"W": "m,n", "x": "n"})
    got = k(W.numpy(), x.numpy())
    expected = _oracle(lambda W, x: torch.tanh(W @ x).sum(), {"W": W, "x": x}, "W", "jacobian")
    assert got.shape == (300, 200)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-14)
    h = symnum.kernel("log(1 + exp(-y*w.T*x))", wrt="w", what="hessian",
                      shapes={"w": "n", "x": "n"})
    assert h.names == ("w", "x", "y")
    w = torch.randn(3, 200, dtype=f64, generator=gen) * 50  # margins far past exp's range
    got = h(w.numpy(), x.numpy(), -1.0)
    expected = _oracle(_logistic, {"w": w, "x": x, "y": torch.tensor(-1.0, dtype=f64)}, "w",
                       "hessian", (3,))
    assert got.shape == (3, 200, 200) and np.all(np.isfinite(got))
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-300)


def test_jax_matrix_code_runs_under_jit():
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    k = symnum.kernel("-y.T*log(softmax(W*x))", wrt="W", shapes={"W": "m,n", "x": "n",
                                                                  "y": "m"}, backend="jax")
    args = _inputs({"W": "m,n", "x": "n", "y": "m"}, {"m": 4, "n": 3}, 5, (2,))
    got = jax.jit(k)(*[a.numpy() for a in args.values()])
    expected = _oracle(lambda W, x, y: -(y * torch.log_softmax(W @ x, -1)).sum(), args, "W",
                       "jacobian", (2,))
    np.testing.assert_allclose(np.asarray(got), expected, rtol=1e-12, atol=1e-14)
    from symnum.export import export_source
    space: dict = {}  # the exported module, in a namespace of its own
    exec(export_source("-y.T*log(softmax(W*x))", wrt="W", shapes={"W": "m,n", "x": "n",
                                                                    "y": "m"}, to="jax"), space)
    got = space["f"](*[a.numpy() for a in args.values()])
    np.testing.assert_allclose(np.asarray(got), expected, rtol=1e-12, atol=1e-14)
    text, wrt, what, shapes, fn, square = FOUR[8]  # softmax(QKᵀ/√d) by Q: (m, n, m, d)
    k = symnum.kernel(text, wrt=wrt, what=what, shapes=shapes, backend="jax")
    args = _inputs(shapes, {"m": 3, "n": 4, "d": 2}, 13, (2,))
    np.testing.assert_allclose(np.asarray(jax.jit(k)(*[a.numpy() for a in args.values()])),
                               _oracle(fn, args, wrt, "jacobian", (2,)), rtol=1e-10,
                               atol=1e-12)


def test_solve_not_inverse_and_one_einsum_for_a_trace():
    k = symnum.kernel("trace(inv(X)*A)", wrt="X", shapes={"X": "n,n", "A": "n,n"})
    assert "_solve(" in k.code.source and "linalg.inv" not in k.code.source
    k = symnum.kernel("trace(A*X*B)*trace(X)", wrt="X", shapes={"A": "n,n", "X": "n,n",
                                                                 "B": "n,n"})
    assert "einsum('...ij,...ji->...'" in k.code.source
    k = symnum.kernel("log(det(X))**2", wrt="X", shapes={"X": "n,n"})  # log det by slogdet
    assert "_logdet(" in k.code.source
    got = k(10.0 * np.eye(400))  # det X = 10^400 overflows; log det X = 400 log 10 does not
    assert got[0, 0] == pytest.approx(2 * 400 * np.log(10) / 10, rel=1e-12)


RUNNER = """
import importlib.abc, json, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.split(".")[0] in ("sympy", "symnum"):
            raise ImportError("blocked in this test: " + name)
sys.meta_path.insert(0, Block())
import numpy as np
jobs, out = json.loads(sys.stdin.read()), []
for job in jobs:
    if job["to"] == "jax":
        import jax
        jax.config.update("jax_enable_x64", True)
    space = {}
    exec(job["source"], space)
    value = space[job["name"]](*[np.array(a) for a in job["args"]])
    out.append(np.asarray(value).tolist())
print(json.dumps(out))
"""


def test_exports_are_standalone_matrix_code_for_symbolic_sizes():
    """Modules exported with symbolic dimensions, run in a fresh process where SymPy and
    symnum cannot be imported, at two sizes and a batch, against torch autograd."""
    import json
    import subprocess
    import sys

    from symnum.export import export_source
    targets = ["numpy", "torch"]  # JAX's export: test_jax_matrix_code_runs_under_jit
    jobs, expected = [], []
    chosen = [c for c in CASES if c[0] in EXPORTED] + [FOUR[1], FOUR[8], FOUR[12]]
    for text, wrt, what, shapes, fn, square in chosen:
        source = {to: export_source(text, wrt=wrt, what=what, shapes=shapes, to=to,
                                    name="derivative") for to in targets}
        for seed, sizes, batch in [(6, {"m": 3, "n": 4, "p": 5, "q": 2, "d": 2}, ()),
                                   (7, {"m": 4, "n": 2, "p": 3, "q": 5, "d": 3}, (2,))]:
            args = _inputs(shapes, sizes, seed, batch, square)
            order = sorted(args, key=lambda n: (n != wrt, n))  # the variable first
            want = _oracle(fn, args, wrt, what or "jacobian", batch)
            for to in targets:
                jobs.append({"to": to, "source": source[to], "name": "derivative",
                             "args": [args[n].tolist() for n in order]})
                expected.append(want)
    proc = subprocess.run([sys.executable, "-c", RUNNER], input=json.dumps(jobs),
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    for got, want, job in zip(json.loads(proc.stdout), expected, jobs, strict=True):
        np.testing.assert_allclose(np.array(got), want, rtol=1e-10, atol=1e-12,
                                   err_msg=job["source"][-600:])


def _vec_form(text: str, shapes: dict, wrt: str, kind: str, build):
    """A MatrixResult with a vec-form matrix written by hand (the 4-index layout's test)."""
    import sympy

    from symnum.core.function import Function
    from symnum.matrix.result import MatrixResult
    f = Function(text, wrt=wrt, shapes=shapes)
    symbols = {m.name: m for m in f.expr.atoms(sympy.MatrixSymbol)}
    return MatrixResult(kind, f, symbols[wrt], build(sympy, symbols))


VEC_FORMS = [  # text, shapes, wrt, kind, vec form, torch function, square, kron-free
    ("A*X*B", {"A": "m,p", "X": "p,q", "B": "q,n"}, "X", "jacobian",
     lambda s, d: s.KroneckerProduct(d["B"].T, d["A"]), lambda A, X, B: A @ X @ B, (), True),
    ("inv(X)", {"X": "p,p"}, "X", "jacobian",
     lambda s, d: -s.KroneckerProduct(s.Inverse(d["X"]).T, s.Inverse(d["X"])),
     lambda X: torch.linalg.inv(X), ("X",), True),
    ("W*x", {"W": "m,n", "x": "n"}, "W", "jacobian",
     lambda s, d: s.KroneckerProduct(d["x"].T, s.Identity(d["W"].shape[0])),
     lambda W, x: W @ x, (), True),
    ("trace((A*X - B).T*(A*X - B))", {"A": "m,p", "X": "p,q", "B": "m,q"}, "X", "hessian",
     lambda s, d: 2 * s.KroneckerProduct(s.Identity(d["X"].shape[1]), d["A"].T * d["A"]),
     lambda A, X, B: ((A @ X - B) ** 2).sum(), (), True),
    ("X", {"X": "p,q"}, "X", "jacobian",  # the identity: δ between the pairs
     lambda s, d: s.Identity(d["X"].shape[0] * d["X"].shape[1]), lambda X: X, (), True),
    ("A*X*B", {"A": "m,p", "X": "p,q", "B": "q,n"}, "X", "jacobian",  # dense, then laid out
     lambda s, d: s.KroneckerProduct(d["B"].T, s.OneMatrix(1, 1), d["A"]),
     lambda A, X, B: A @ X @ B, (), False),
]


@pytest.mark.parametrize("backend", ["numpy", "torch"])
@pytest.mark.parametrize("case", VEC_FORMS, ids=[f"{c[0]}-{c[3]}" for c in VEC_FORMS])
def test_four_index_results_in_torch_layout_without_kronecker_products(case, backend):
    """The vec form V (mn × pq) comes out as the (m, n, p, q) array, T[i,j,k,l] =
    V[i + m j, k + p l]: a Kronecker term as one einsum, batched."""
    from symnum.matrix.kernel import MatrixKernel
    text, shapes, wrt, kind, build, fn, square, kron_free = case
    k = MatrixKernel(_vec_form(text, shapes, wrt, kind, build), backend)
    assert k.code is not None
    assert ("_kron(" not in k.code.source) == kron_free, k.code.source
    for seed, sizes, batch in [(8, {"m": 2, "n": 3, "p": 4, "q": 5}, ()),
                               (9, {"m": 3, "n": 4, "p": 2, "q": 3}, (2,))]:
        args = _inputs(shapes, sizes, seed, batch, square)
        got = k(*[a.numpy() if backend == "numpy" else a for a in args.values()])
        expected = _oracle(fn, args, wrt, kind, batch)
        assert tuple(got.shape) == expected.shape
        np.testing.assert_allclose(np.asarray(got), expected, rtol=1e-10, atol=1e-12)


def test_a_node_without_matrix_code_falls_back_to_components(monkeypatch):
    """What the table cannot compute is expanded into components (small sizes only), with
    the same result and layout."""
    from symnum.core.matrix_expr import Softmax
    from symnum.matrix import array_code
    text, wrt, _, shapes, fn, _ = CASES[1]
    monkeypatch.delitem(array_code.NODES, Softmax)
    k = symnum.kernel(text, wrt=wrt, shapes=shapes)
    assert k.code is None and "components" in repr(k)
    args = _inputs(shapes, {"m": 3, "n": 2}, 10, (2,))
    np.testing.assert_allclose(k(*[a.numpy() for a in args.values()]),
                               _oracle(fn, args, wrt, "jacobian", (2,)), rtol=1e-10)
    with pytest.raises(symnum.LimitError, match="components"):
        k(np.ones((50, 50)), np.ones(50), np.ones(50))
    from symnum.core.matrix_expr import Commutation
    from symnum.matrix import vec_tensor
    monkeypatch.delitem(array_code.NODES, Commutation)  # XᵀX's vec form has K
    monkeypatch.setattr(vec_tensor, "FACTORS", [r for r in vec_tensor.FACTORS
                                                if r[0] is not Commutation])
    text, wrt, _, shapes, fn, _ = FOUR[2]
    k = symnum.kernel(text, wrt=wrt, shapes=shapes)
    assert k.code is None
    args = _inputs(shapes, {"p": 3, "q": 2}, 15, (2,))
    np.testing.assert_allclose(k(args["X"].numpy()), _oracle(fn, args, wrt, "jacobian", (2,)),
                               rtol=1e-10, atol=1e-12)  # (2, q, q, p, q), laid out the same
    from symnum.export import export_source  # the export's fallback: numeric sizes
    space: dict = {}
    exec(export_source(text, wrt=wrt, shapes={"X": "3,2"}), space)
    np.testing.assert_allclose(space["f"](args["X"][0].numpy()),
                               _oracle(fn, {"X": args["X"][0]}, wrt, "jacobian"), atol=1e-12)


SQ = ("X",)
FOUR = [  # derived 4-index results: text, wrt, what, shapes, torch function, square inputs
    ("A*X*B", "X", None, {"A": "m,p", "X": "p,q", "B": "q,n"}, lambda A, X, B: A @ X @ B, ()),
    ("inv(X)", "X", None, {"X": "p,p"}, lambda X: torch.linalg.inv(X), SQ),
    ("X.T*X", "X", None, {"X": "p,q"}, lambda X: X.T @ X, ()),
    ("X*X", "X", None, {"X": "p,p"}, lambda X: X @ X, ()),
    ("HadamardProduct(X, X)", "X", None, {"X": "p,q"}, lambda X: X * X, ()),
    ("W*x + b", "W", None, {"W": "m,n", "x": "n", "b": "m"}, lambda W, x, b: W @ x + b, ()),
    ("tanh(W*x + b)", "W", None, {"W": "m,n", "x": "n", "b": "m"},
     lambda W, x, b: torch.tanh(W @ x + b), ()),
    ("softmax(W*x)", "W", None, {"W": "m,n", "x": "n"}, lambda W, x: torch.softmax(W @ x, -1),
     ()),
    ("softmax(Q*K.T/sqrt(d))", "Q", None, {"Q": "m,d", "K": "n,d"},
     lambda Q, K: torch.softmax(Q @ K.T / K.shape[-1] ** 0.5, -1), ()),
    ("det(X)", "X", "hessian", {"X": "p,p"}, lambda X: torch.det(X), SQ),
    ("log(det(X))", "X", "hessian", {"X": "p,p"}, lambda X: torch.logdet(X), SQ),
    ("trace(inv(X)*A)", "X", "hessian", {"X": "p,p", "A": "p,p"},
     lambda X, A: torch.trace(torch.linalg.solve(X, A)), SQ),
    ("trace((A*X - B).T*(A*X - B))", "X", "hessian", {"A": "m,p", "X": "p,q", "B": "m,q"},
     lambda A, X, B: ((A @ X - B) ** 2).sum(), ()),
    ("(W*x - y).T*(W*x - y)", "W", "hessian", {"W": "m,n", "x": "n", "y": "m"},
     lambda W, x, y: ((W @ x - y) ** 2).sum(), ()),
    ("-y.T*log(softmax(W*x))", "W", "hessian", {"W": "m,n", "x": "n", "y": "m"},
     lambda W, x, y: -(y * torch.log_softmax(W @ x, -1)).sum(), ()),
]


@pytest.mark.parametrize("backend", ["numpy", "torch"])
@pytest.mark.parametrize("case", FOUR, ids=[f"{c[0]}-{c[2] or 'jacobian'}" for c in FOUR])
def test_derived_four_index_results_against_torch_autograd(case, backend):
    """Jacobians of matrix maps and Hessians with respect to matrices: matrix code (no
    component expansion, no Kronecker product formed), (m, n, p, q) arrays, batched."""
    text, wrt, what, shapes, fn, square = case
    k = symnum.kernel(text, wrt=wrt, what=what, shapes=shapes, backend=backend)
    assert k.code is not None and "_kron(" not in k.code.source, k.code.source
    for seed, sizes, batch in [(11, {"m": 2, "n": 3, "p": 4, "q": 5, "d": 3}, ()),
                               (12, {"m": 3, "n": 4, "p": 3, "q": 2, "d": 2}, (2,))]:
        args = _inputs(shapes, sizes, seed, batch, square)
        got = k(*[a.numpy() if backend == "numpy" else a for a in args.values()])
        expected = _oracle(fn, args, wrt, what or "jacobian", batch)
        assert tuple(got.shape) == expected.shape, text
        np.testing.assert_allclose(np.asarray(got), expected, rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_out_receives_the_result_in_place(backend):
    """out=: the last product written into the given array (a 4-index one too); a wrong
    shape is refused with the shape wanted."""
    from symnum import EvaluationError
    for text, wrt, what, shapes, fn, square in [CASES[1], FOUR[10]]:
        k = symnum.kernel(text, wrt=wrt, what=what, shapes=shapes, backend=backend)
        args = _inputs(shapes, {"m": 3, "n": 4, "p": 3}, 14, (2,), square)
        arrays = [a.numpy() if backend == "numpy" else a for a in args.values()]
        expected = _oracle(fn, args, wrt, what or "jacobian", (2,))
        out = np.empty(expected.shape) if backend == "numpy" else \
            torch.empty(expected.shape, dtype=f64)
        assert k(*arrays, out=out) is out
        np.testing.assert_allclose(np.asarray(out), expected, rtol=1e-10, atol=1e-12)
        with pytest.raises(EvaluationError, match=r"of shape \(2, "):
            k(*arrays, out=out[:1])
    if backend == "torch":  # inputs that need gradients: copied into out, differentiable
        text, wrt, what, shapes, fn, square = CASES[0]
        k = symnum.kernel(text, wrt=wrt, shapes=shapes, backend="torch")
        args = _inputs(shapes, {"m": 3, "n": 4}, 17)
        W = args["W"].clone().requires_grad_()
        out = torch.empty(3, 4, dtype=f64)
        k(W, args["x"], args["b"], out=out).sum().backward()
        assert W.grad is not None and W.grad.shape == (3, 4)


def test_cli_exports_a_hessian_with_respect_to_a_matrix(cli):
    """symnum export of a 4-index result with symbolic dimensions: the module's function
    takes arrays of any size and returns torch's (p, q, p, q) layout."""
    text, wrt, what, shapes, fn, square = FOUR[11]  # tr(X⁻¹A): Hessian w.r.t. X
    argv = ["export", text, "--wrt", wrt, "--what", what, "--to", "torch", "--name", "hess"]
    for name, dims in shapes.items():
        argv += ["--shape", f"{name}={dims}"]
    proc = cli(*argv)
    assert proc.returncode == 0, proc.stderr
    assert "batch + (p, p, p, p)" in " ".join(proc.stdout.split())
    space: dict = {}
    exec(proc.stdout, space)
    args = _inputs(shapes, {"p": 4}, 16, (), square)
    np.testing.assert_allclose(space["hess"](args["X"], args["A"]).numpy(),
                               _oracle(fn, args, wrt, what), rtol=1e-10, atol=1e-12)
