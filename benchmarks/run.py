"""Side-by-side timings: symnum against SymPy and torch (and symengine/CasADi/JAX when the
`bench` extra is installed), printed as one table with ratios.

    python benchmarks/run.py [--quick]

Workloads (issue 5): the Hessian of a tanh MLP's squared loss (whole process: `symnum derive
... --what hessian --format json` against `sympy.hessian`), the gradient of
sin(exp(x²/4))·cos(y) + x·y² on a 1000×1000 grid (kernels against torch autograd), and the
batched Hessian of log-sum-exp of 20 variables at 20,000 points (against
torch.func.vmap(torch.func.hessian)). Each comparison runs in this one process/run, on this
machine, so the ratios are like for like.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))


def mlp_loss(n_in: int, n_hidden: int, n_points: int, seed: int = 0) -> tuple[str, list[str]]:
    """The loss text and its parameter names: mean squared error of a tanh network."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(n_points, n_in)).round(2)
    Y = rng.uniform(-1, 1, size=n_points).round(2)
    terms = []
    for p in range(n_points):
        hidden = " + ".join(
            f"V{h}*tanh({' + '.join(f'W{h}_{i}*({X[p, i]})' for i in range(n_in))} + b{h})"
            for h in range(n_hidden))
        terms.append(f"({hidden} + c - ({Y[p]}))**2")
    params = ([f"W{h}_{i}" for h in range(n_hidden) for i in range(n_in)]
              + [f"b{h}" for h in range(n_hidden)] + [f"V{h}" for h in range(n_hidden)] + ["c"])
    return f"({' + '.join(terms)})/{n_points}", params


def timed(fn, repeat: int = 1) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def symnum_cli_hessian(text: str, params: list[str]) -> tuple[float, int]:
    """Whole process: start-up, parse, derive, JSON on stdout. (seconds, peak RSS MiB)"""
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "symnum", "derive", text, "--wrt",
                           ",".join(params), "--what", "hessian", "--format", "json"],
                          capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr)
    json.loads(proc.stdout)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
    return elapsed, peak


def sympy_hessian(text: str, params: list[str], limit_s: float) -> float | None:
    code = ("import sympy,sys,time;from symnum.parse import parse;import symnum.parse as P;"
            "P.MAX_LENGTH=10**7;t=time.perf_counter();e=parse(open(sys.argv[1]).read());"
            "s={x.name:x for x in e.free_symbols};"
            "sympy.hessian(e,[s[p] for p in sys.argv[2].split(',')]);"
            "print(time.perf_counter()-t)")
    path = os.path.join(HERE, ".loss.txt")
    with open(path, "w") as handle:
        handle.write(text)
    start = time.perf_counter()
    try:
        subprocess.run([sys.executable, "-c", code, path, ",".join(params)], check=True,
                       capture_output=True, timeout=limit_s)
    except subprocess.TimeoutExpired:
        return None
    finally:
        os.remove(path)
    return time.perf_counter() - start


def kernel_gradient() -> tuple[float, float]:
    import torch

    import symnum
    x = np.linspace(-2, 2, 1000)
    X, Y = (torch.tensor(a) for a in np.meshgrid(x, x, indexing="ij"))
    k = symnum.kernel("sin(exp(x**2/4))*cos(y) + x*y**2", wrt="x,y", what="gradient",
                      backend="torch")

    def autograd():
        xt, yt = X.clone().requires_grad_(), Y.clone().requires_grad_()
        f = torch.sin(torch.exp(xt**2 / 4)) * torch.cos(yt) + xt * yt**2
        gx, gy = torch.autograd.grad(f.sum(), (xt, yt))
        return torch.stack([gx, gy], -1)

    assert torch.allclose(k(X, Y), autograd())
    return timed(lambda: k(X, Y), 5), timed(autograd, 5)


def batched_lse_hessian(n: int = 20, points: int = 20_000) -> tuple[float, float]:
    import torch

    import symnum
    names = [f"x{i}" for i in range(n)]
    k = symnum.kernel(f"log({' + '.join(f'exp({v})' for v in names)})", wrt=",".join(names),
                      what="hessian", backend="torch")
    data = torch.tensor(np.random.default_rng(0).normal(size=(points, n)))
    columns = list(data.T)
    h = torch.func.vmap(torch.func.hessian(lambda v: torch.logsumexp(v, 0)))
    assert torch.allclose(k(*columns), h(data), atol=1e-10)
    return timed(lambda: k(*columns), 3), timed(lambda: h(data), 3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="skip the largest sizes")
    args = parser.parse_args()
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}")
    rows = []
    sizes = [(2, 3, 4), (4, 5, 8), (4, 10, 8)] + ([] if args.quick else [(8, 16, 32)])
    for n_in, n_hidden, n_points in sizes:
        text, params = mlp_loss(n_in, n_hidden, n_points)
        ours, peak = symnum_cli_hessian(text, params)
        theirs = sympy_hessian(text, params, limit_s=300)
        ratio = f"{ours / theirs:.3f}" if theirs else "n/a"
        rows.append((f"MLP Hessian, {len(params)} params (CLI, whole process)", ours,
                     theirs, "sympy.hessian", ratio, peak))
    ours, theirs = kernel_gradient()
    rows.append(("gradient kernel, 1000×1000 grid (torch)", ours, theirs, "torch autograd",
                 f"{ours / theirs:.2f}", None))
    ours, theirs = batched_lse_hessian()
    rows.append(("log-sum-exp Hessian, 20 vars × 20,000 points", ours, theirs,
                 "vmap(hessian)", f"{ours / theirs:.2f}", None))
    print(f"\n{'workload':<52}{'symnum s':>10}{'other s':>10}  {'other':<16}{'ratio':>7}"
          f"{'peak MiB':>10}")
    for name, a, b, other, ratio, peak in rows:
        b_text = f"{b:10.3f}" if b else f"{'>300':>10}"
        print(f"{name:<52}{a:10.3f}{b_text}  {other:<16}{ratio:>7}{peak or '':>10}")


if __name__ == "__main__":
    main()
