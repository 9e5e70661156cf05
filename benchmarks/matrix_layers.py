"""Matrix code at the size of a real layer: symnum's kernels of matrix results against a
hand-written numpy closed form and against torch autograd (issue 24).

    python benchmarks/matrix_layers.py [--repeats 15] [--write] [--wall]

Workloads, W of 2,000 × 1,000 (x of 1,000, y of 2,000):
- ∂ sum(tanh(W x))/∂W = (𝟏 − tanh²(W x)) xᵀ;
- the cross-entropy gradient ∂(−yᵀ log softmax(W x))/∂W = (softmax(W x)·𝟏ᵀy − y) xᵀ;
and the Hessian of ‖A X − B‖²_F with respect to X of 40 × 30 (A of 50 × 40): the
(40, 30, 40, 30) array 2·(AᵀA)ᵢₖ·δⱼₗ, computed as matrix code.

torch autograd is ``torch.autograd.grad`` of the loss written with tensors (a leaf made once):
forward and backward. Each pair is timed in
turns in this one process (symnum, then the other, ``--repeats`` times), after a warm-up
call, and compared by the median of this process's CPU time with one thread each (numpy's
BLAS and torch), which a machine shared with other work does not disturb; ``--wall`` times the
wall clock with every thread instead; ratios are symnum / other (below 1:
symnum is faster). Every result is checked against the other's to 1e-10 first. The numbers are
printed as a Markdown table and saved to ``benchmarks/matrix_layers.json``; ``--write`` puts
the table into README.md between ``<!-- matrix-layers:start -->`` and
``<!-- matrix-layers:end -->``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)
WALL = "--wall" in sys.argv
if not WALL:  # one thread each, timed by this process's CPU clock (before numpy loads BLAS)
    for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[variable] = "1"

import numpy as np  # noqa: E402
import torch  # noqa: E402

import symnum  # noqa: E402

LAYER = {"W": "m,n", "x": "n"}
M, N = 2_000, 1_000


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max())
    return e / e.sum()


def tanh_layer() -> dict:
    """∂ sum(tanh(W x))/∂W: symnum's numpy and torch kernels, the hand form, torch autograd."""
    rng = np.random.default_rng(0)
    W, x = rng.normal(size=(M, N)) / 30, rng.normal(size=N)
    Wt, xt = torch.tensor(W), torch.tensor(x)
    v = Wt.clone().requires_grad_()  # a leaf, made once

    def autograd():
        (g,) = torch.autograd.grad(torch.tanh(v @ xt).sum(), v)
        return g
    return {"title": "∂ sum(tanh(W x))/∂W",
            "symnum": symnum.kernel("sum(tanh(W*x))", wrt="W", shapes=LAYER),
            "symnum_torch": symnum.kernel("sum(tanh(W*x))", wrt="W", shapes=LAYER,
                                          backend="torch"),
            "hand": lambda: np.outer(1 - np.tanh(W @ x) ** 2, x), "autograd": autograd,
            "args": (W, x), "targs": (Wt, xt)}


def cross_entropy() -> dict:
    """∂(−yᵀ log softmax(W x))/∂W, y a probability vector."""
    rng = np.random.default_rng(1)
    W, x = rng.normal(size=(M, N)) / 30, rng.normal(size=N)
    y = rng.uniform(size=M)
    y /= y.sum()
    Wt, xt, yt = torch.tensor(W), torch.tensor(x), torch.tensor(y)
    shapes = {**LAYER, "y": "m"}
    v = Wt.clone().requires_grad_()

    def autograd():
        (g,) = torch.autograd.grad(-(yt * torch.log_softmax(v @ xt, -1)).sum(), v)
        return g
    return {"title": "∂(−yᵀ log softmax(W x))/∂W",
            "symnum": symnum.kernel("-y.T*log(softmax(W*x))", wrt="W", shapes=shapes),
            "symnum_torch": symnum.kernel("-y.T*log(softmax(W*x))", wrt="W", shapes=shapes,
                                          backend="torch"),
            "hand": lambda: np.outer(_softmax(W @ x) * y.sum() - y, x), "autograd": autograd,
            "args": (W, x, y), "targs": (Wt, xt, yt)}


def frobenius_hessian() -> dict | None:
    """The Hessian of ‖A X − B‖²_F with respect to X (40 × 30), as matrix code."""
    rng = np.random.default_rng(2)
    A, X, B = rng.normal(size=(50, 40)), rng.normal(size=(40, 30)), rng.normal(size=(50, 30))
    shapes = {"A": "k,p", "X": "p,q", "B": "k,q"}
    try:
        k = symnum.kernel("trace((A*X - B).T*(A*X - B))", wrt="X", what="hessian",
                          shapes=shapes)
    except symnum.SymnumError as err:
        print(f"Hessian with respect to a matrix: not available ({err})")
        return None
    if k.code is None:
        print("Hessian with respect to a matrix: not matrix code (components)")
        return None
    eye = np.eye(30)
    return {"title": "Hessian of ‖A X − B‖²_F w.r.t. X (40 × 30)", "symnum": k,
            "hand": lambda: 2 * np.einsum("ik,jl->ijkl", A.T @ A, eye), "args": (A, X, B)}


def _median(fn, repeats: int) -> float:
    clock = time.perf_counter if WALL else time.process_time
    times = []
    for _ in range(repeats):
        start = clock()
        fn()
        times.append(clock() - start)
    return statistics.median(times)


def _pair(a, b, repeats: int) -> tuple[float, float]:
    """Medians of a and b, timed in turns (one call of each per round)."""
    for _ in range(5):  # warm-up (torch's allocator, caches)
        a(), b()
    ta, tb = [], []
    for _ in range(repeats):
        ta.append(_median(a, 1))
        tb.append(_median(b, 1))
    return statistics.median(ta), statistics.median(tb)


def measure(repeats: int) -> list[dict]:
    rows = []
    for make in (tanh_layer, cross_entropy, frobenius_hessian):
        w = make()
        if w is None:
            continue
        k, args = w["symnum"], w["args"]
        np.testing.assert_allclose(k(*args), w["hand"](), rtol=1e-10, atol=1e-12)
        s, h = _pair(lambda k=k, args=args: k(*args), w["hand"], repeats)
        rows.append({"workload": w["title"], "symnum": "numpy kernel", "other":
                     "hand-written numpy", "symnum_s": s, "other_s": h, "ratio": s / h,
                     "target": 1.3})
        if "autograd" in w:
            kt, targs = w["symnum_torch"], w["targs"]
            torch.testing.assert_close(kt(*targs), w["autograd"](), rtol=1e-10, atol=1e-12)
            s, t = _pair(lambda kt=kt, targs=targs: kt(*targs), w["autograd"], repeats)
            rows.append({"workload": w["title"], "symnum": "torch kernel", "other":
                         "torch autograd", "symnum_s": s, "other_s": t, "ratio": s / t,
                         "target": 0.5})
    return rows


def table(rows: list[dict]) -> str:
    lines = ["| workload | symnum | other | symnum (median) | other (median) | ratio | target |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        lines.append(f"| {r['workload']} | {r['symnum']} | {r['other']} | "
                     f"{r['symnum_s'] * 1e3:.2f} ms | {r['other_s'] * 1e3:.2f} ms | "
                     f"**{r['ratio']:.2f}** | ≤ {r['target']} |")
    return "\n".join(lines)


def write(text: str, path: str = os.path.join(ROOT, "README.md")) -> None:
    with open(path, encoding="utf-8") as f:
        readme = f.read()
    pattern = re.compile(r"(<!-- matrix-layers:start -->\n).*?(<!-- matrix-layers:end -->)",
                         re.S)
    if not pattern.search(readme):
        raise SystemExit("README.md has no <!-- matrix-layers:start/end --> markers")
    with open(path, "w", encoding="utf-8") as f:
        f.write(pattern.sub(lambda m: m.group(1) + text + "\n" + m.group(2), readme))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--write", action="store_true", help="update README.md's table")
    parser.add_argument("--wall", action="store_true", help="wall-clock time, every thread "
                        "(default: this process's CPU time, one thread: steady on a shared "
                        "machine)")
    options = parser.parse_args()
    if not WALL:
        torch.set_num_threads(1)
    rows = measure(options.repeats)
    text = table(rows) + (
        f"\n\nOne run on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
        f"{platform.machine()} with {os.cpu_count()} cores (load average "
        f"{os.getloadavg()[0]:.1f} at the end), medians of {options.repeats} repeats of "
        f"{'wall-clock time' if WALL else 'CPU time on one thread'}; "
        f"torch {torch.__version__}, numpy {np.__version__}.")
    print(text)
    info = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores",
            "load": os.getloadavg()[0], "torch threads": torch.get_num_threads(),
            "repeats": options.repeats, "rows": rows}
    with open(os.path.join(HERE, "matrix_layers.json"), "w", encoding="utf-8") as f:
        json.dump(info, f, indent=1)
    if options.write:
        write(text)


if __name__ == "__main__":
    main()
