"""Side-by-side timings: symnum against SymPy and torch (and symengine/CasADi/JAX when the
`bench` extra is installed), printed as one table with ratios.

    python benchmarks/run.py [--quick]

Workloads (issue 5): the Hessian of a tanh MLP's squared loss (whole process: `symnum derive
... --what hessian --format json` against `sympy.hessian`), the gradient of
sin(exp(x²/4))·cos(y) + x·y² on a 1000×1000 grid (kernels against torch autograd), and the
batched Hessian of log-sum-exp of 20 variables at 20,000 points (against
torch.func.vmap(torch.func.hessian)), eager numpy and torch kernels; and the 61-parameter
MLP Hessian at one point given as Python floats (against torch.autograd.functional.hessian on
the model written with tensors), beside the batched ratios (`--kernels`: only these two).
Each comparison runs in this one process/run, on this machine, so the ratios are like for like.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))


def mlp_data(n_in: int, n_hidden: int, n_points: int, seed: int = 0):
    """Inputs X (n_points × n_in) and targets Y, rounded to two decimals (exact in text)."""
    rng = np.random.default_rng(seed)
    return (rng.uniform(-1, 1, size=(n_points, n_in)).round(2),
            rng.uniform(-1, 1, size=n_points).round(2))


def mlp_loss(n_in: int, n_hidden: int, n_points: int, seed: int = 0) -> tuple[str, list[str]]:
    """The loss text and its parameter names: mean squared error of a tanh network."""
    X, Y = mlp_data(n_in, n_hidden, n_points, seed)
    terms = []
    for p in range(n_points):
        hidden = " + ".join(
            f"V{h}*tanh({' + '.join(f'W{h}_{i}*({X[p, i]})' for i in range(n_in))} + b{h})"
            for h in range(n_hidden))
        terms.append(f"({hidden} + c - ({Y[p]}))**2")
    params = ([f"W{h}_{i}" for h in range(n_hidden) for i in range(n_in)]
              + [f"b{h}" for h in range(n_hidden)] + [f"V{h}" for h in range(n_hidden)] + ["c"])
    return f"({' + '.join(terms)})/{n_points}", params


def mlp_numeric(lib, n_in: int, n_hidden: int, n_points: int):
    """The same loss as a function of a flat parameter vector, in torch, jax.numpy or casadi
    (``lib`` supplies tanh); parameters in mlp_loss's order."""
    X, Y = mlp_data(n_in, n_hidden, n_points)

    def loss(theta):
        W = [[theta[h * n_in + i] for i in range(n_in)] for h in range(n_hidden)]
        b = [theta[n_hidden * n_in + h] for h in range(n_hidden)]
        V = [theta[n_hidden * (n_in + 1) + h] for h in range(n_hidden)]
        c = theta[n_hidden * (n_in + 2)]
        total = 0
        for p in range(n_points):
            out = c - float(Y[p])
            for h in range(n_hidden):
                out = out + V[h] * lib.tanh(sum(W[h][i] * float(X[p, i]) for i in range(n_in))
                                            + b[h])
            total = total + out * out
        return total / n_points
    return loss


def timed(fn, repeat: int = 1) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def symnum_cli_hessian_exact(text: str, params: list[str], data: dict) -> float:
    """Largest gap between the CLI's JSON Hessian ``data`` (parsed back with its definitions)
    and SymPy's own second derivatives, at a random point, on a sample of entries."""
    import sympy
    loss = sympy.sympify(text)
    names = {s.name: s for s in loss.free_symbols}
    rng = np.random.default_rng(2)
    point = {s: sympy.Float(rng.normal(0, 0.5), 30) for s in names.values()}
    values = dict(point)
    for name, value in data["definitions"]:
        values[sympy.Symbol(name)] = sympy.sympify(value, locals=names).xreplace(values)
    gap = 0.0
    for i in range(0, len(params), 7):
        for j in range(i, len(params), 5):
            ours = sympy.sympify(data["result"][i][j], locals=names).xreplace(values)
            theirs = loss.diff(names[params[i]], names[params[j]]).xreplace(point)
            gap = max(gap, abs(float(ours - theirs)))
    return gap


def symnum_cli_hessian(text: str, params: list[str]) -> tuple[float, int, dict]:
    """Whole process: start-up, parse, derive, JSON on stdout. (seconds, peak RSS MiB, JSON)"""
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "symnum", "derive", text, "--wrt",
                           ",".join(params), "--what", "hessian", "--format", "json"],
                          capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
    return elapsed, peak, json.loads(proc.stdout)


def sympy_hessian(text: str, params: list[str], limit_s: float) -> float | None:
    code = ("import sympy,sys,time,importlib;P=importlib.import_module('symnum.core.parse');"
            "P.MAX_LENGTH=10**7;t=time.perf_counter();e=P.parse(open(sys.argv[1]).read());"
            "s={x.name:x for x in e.free_symbols};"
            "sympy.hessian(e,[s[p] for p in sys.argv[2].split(',')]);"
            "print(time.perf_counter()-t)")
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as handle:
        handle.write(text)  # too long for a command line at 61 parameters
    path = handle.name
    start = time.perf_counter()
    try:
        subprocess.run([sys.executable, "-c", code, path, ",".join(params)], check=True,
                       capture_output=True, timeout=limit_s)
    except subprocess.TimeoutExpired:
        return None
    finally:
        os.remove(path)
    return time.perf_counter() - start


def timed_against(ours, theirs, repeat: int) -> tuple[float, float]:
    """Best-of-``repeat`` times of two callables, run in turns so that drift hits both."""
    a = b = float("inf")
    for _ in range(repeat):
        a = min(a, timed(ours))
        b = min(b, timed(theirs))
    return a, b


def kernel_gradient() -> list[tuple[str, float, float]]:
    """The grid gradient: eager and compiled torch kernels, numpy, and separable inputs."""
    import torch

    import symnum
    text = "sin(exp(x**2/4))*cos(y) + x*y**2"
    x = np.linspace(-2, 2, 1000)
    X, Y = (torch.tensor(a) for a in np.meshgrid(x, x, indexing="ij"))

    def autograd():
        xt, yt = X.clone().requires_grad_(), Y.clone().requires_grad_()
        f = torch.sin(torch.exp(xt**2 / 4)) * torch.cos(yt) + xt * yt**2
        gx, gy = torch.autograd.grad(f.sum(), (xt, yt))
        return torch.stack([gx, gy], -1)

    expected = autograd()
    eager = symnum.kernel(text, wrt="x,y", what="gradient", backend="torch")
    fused = symnum.kernel(text, wrt="x,y", what="gradient", backend="torch", compile=True)
    numpy_kernel = symnum.kernel(text, wrt="x,y", what="gradient", backend="numpy")
    start = time.perf_counter()
    assert torch.allclose(fused(X, Y), expected)
    print(f"grid kernel: torch.compile took {time.perf_counter() - start:.1f} s (first call)")
    column, row = torch.tensor(x)[:, None], torch.tensor(x)[None, :]
    assert torch.allclose(eager(X, Y), expected) and torch.allclose(eager(column, row), expected)
    assert np.allclose(numpy_kernel(X.numpy(), Y.numpy()), expected.numpy())
    rows = [("torch", lambda: eager(X, Y)), ("torch, compile=True", lambda: fused(X, Y)),
            ("numpy", lambda: numpy_kernel(X.numpy(), Y.numpy())),
            ("torch, inputs x[:,None], y[None,:]", lambda: eager(column, row))]
    return [(f"grid gradient 1000×1000, {label}", *timed_against(run, autograd, 7))
            for label, run in rows]


def mlp_tensor_loss(n_in: int, n_hidden: int, n_points: int):
    """The MLP loss of mlp_numeric written with tensors (matrix products, no Python loops):
    the form a torch user writes, and torch's fastest."""
    import torch
    X, Y = (torch.tensor(a) for a in mlp_data(n_in, n_hidden, n_points))
    split = [n_hidden * n_in, n_hidden, n_hidden, 1]

    def loss(theta):
        W, b, V, c = torch.split(theta, split)
        out = torch.tanh(X @ W.reshape(n_hidden, n_in).T + b) @ V + c - Y
        return (out * out).sum() / n_points
    return loss


def one_point_mlp_hessian() -> list[tuple[str, float, float, str]]:
    """The 61-parameter MLP-loss Hessian at one point given as Python floats (the kernel's
    compiled straight-line function) against torch.autograd.functional.hessian on the model
    written with tensors (default, and vectorize=True); and the batched program at that point."""
    import importlib

    import torch

    import symnum
    size = SIZES[61]
    text, params = mlp_loss(*size)
    parsing = importlib.import_module("symnum.core.parse")
    parsing.MAX_LENGTH = 10**7
    expr = parsing.parse(text)
    names = {s.name: s for s in expr.free_symbols}
    k = symnum.kernel(symnum.derive(symnum.Function(expr, wrt=[names[p] for p in params]),
                                    what="hessian"), backend="numpy")
    theta = [float(v) for v in theta0(len(params))]
    start = time.perf_counter()
    k(*theta)  # a big program's first call at one point runs the batched program
    middle = time.perf_counter()
    ours = k(*theta)  # the second compiles it (C where a compiler is installed; cached)
    print(f"one-point MLP Hessian: first call {middle - start:.2f} s (the batched program), "
          f"second {time.perf_counter() - middle:.2f} s (compiling, or loading the cached "
          "compiled code)")
    loss, t = mlp_tensor_loss(*size), torch.tensor(theta, dtype=torch.float64)
    expected = torch.autograd.functional.hessian(loss, t).numpy()
    assert np.allclose(ours, expected, atol=1e-12), np.abs(ours - expected).max()
    arrays = [np.array([v]) for v in theta]  # the same point as a batch of one: the program
    rows = [("Python floats", lambda: k(*theta),
             lambda: torch.autograd.functional.hessian(loss, t), "autograd hessian"),
            ("Python floats", lambda: k(*theta), lambda: torch.autograd.functional.hessian(
                loss, t, vectorize=True), "…, vectorize=True"),
            ("batch of one (the batched program)", lambda: k(*arrays),
             lambda: torch.autograd.functional.hessian(loss, t), "autograd hessian")]
    return [(f"MLP Hessian 61 params at one point, {label}", *timed_against(ours_, theirs, 7),
             other) for label, ours_, theirs, other in rows]


def batched_lse_hessian(n: int = 20, points: int = 20_000) -> list[tuple[str, float, float]]:
    """The log-sum-exp Hessian at 20,000 points: eager, into a reused out=, compiled; and
    the time just to write a fresh array of the output's size (the floor for any kernel
    that returns a new array)."""
    import torch

    import symnum
    from symnum.kernels.memory import huge_pages
    names = [f"x{i}" for i in range(n)]
    text = f"log({' + '.join(f'exp({v})' for v in names)})"
    eager = symnum.kernel(text, wrt=",".join(names), what="hessian", backend="torch")
    numpy_kernel = symnum.kernel(text, wrt=",".join(names), what="hessian", backend="numpy")
    fused = symnum.kernel(text, wrt=",".join(names), what="hessian", backend="torch",
                          compile=True)
    data = torch.tensor(np.random.default_rng(0).normal(size=(points, n)))
    columns = list(data.T)
    h = torch.func.vmap(torch.func.hessian(lambda v: torch.logsumexp(v, 0)))
    expected = h(data)
    start = time.perf_counter()
    assert torch.allclose(fused(*columns), expected, atol=1e-10)
    print(f"log-sum-exp kernel: torch.compile took {time.perf_counter() - start:.1f} s")
    out = torch.empty(expected.shape, dtype=torch.float64)
    assert torch.allclose(eager(*columns), expected, atol=1e-10)
    assert torch.allclose(eager(*columns, out=out), expected, atol=1e-10)
    numpy_columns = [c.numpy() for c in columns]
    assert np.allclose(numpy_kernel(*numpy_columns), expected.numpy(), atol=1e-10)
    rows = [("torch", lambda: eager(*columns)),
            ("numpy", lambda: numpy_kernel(*numpy_columns)),
            ("torch, out= reused", lambda: eager(*columns, out=out)),
            ("torch, compile=True", lambda: fused(*columns)),
            ("(floor: fill a new array of that size)",
             lambda: huge_pages(torch.empty(expected.shape, dtype=torch.float64)).fill_(1.0))]
    return [(f"LSE Hessian 20 vars × 20,000, {label}", *timed_against(run, lambda: h(data), 7))
            for label, run in rows]


SIZES = {10: (1, 3, 4), 31: (4, 5, 8), 61: (4, 10, 8), 161: (8, 16, 32)}
TOOLS = ("symnum", "sympy", "symengine", "casadi", "torch.func", "jax")


def theta0(n: int) -> np.ndarray:
    return np.random.default_rng(1).normal(0, 0.5, size=n)


def measure(tool: str, size: tuple[int, int, int]) -> dict:
    """One tool on one MLP, in this (fresh) process: derive, compile and evaluate seconds, the
    Hessian at theta0 and the process's peak memory."""
    text, params = mlp_loss(*size)
    theta = theta0(len(params))
    times: dict = {}
    start = time.perf_counter()
    if tool in ("symnum", "sympy", "symengine"):
        import importlib
        parsing = importlib.import_module("symnum.core.parse")  # the module, not the function
        parsing.MAX_LENGTH = 10**7
        expr = parsing.parse(text)
        symbols = {s.name: s for s in expr.free_symbols}
        xs = [symbols[p] for p in params]
        start = time.perf_counter()
    if tool == "symnum":
        import symnum
        result = symnum.derive(symnum.Function(expr, wrt=xs), what="hessian")
        times["derive"] = time.perf_counter() - start
        start = time.perf_counter()
        k = symnum.kernel(result, backend="numpy")
        times["compile"] = time.perf_counter() - start
        hess = lambda: k(*theta)  # noqa: E731
    elif tool == "sympy":
        import sympy
        h = sympy.hessian(expr, xs)
        times["derive"] = time.perf_counter() - start
        start = time.perf_counter()
        f = sympy.lambdify(xs, h, "numpy", cse=True)
        times["compile"] = time.perf_counter() - start
        hess = lambda: f(*theta)  # noqa: E731
    elif tool == "symengine":
        import symengine as se
        e, ys = se.sympify(expr), [se.sympify(x) for x in xs]
        grad = [e.diff(y) for y in ys]
        h = se.DenseMatrix([[grad[i].diff(ys[j]) for j in range(len(ys))]
                            for i in range(len(ys))])
        times["derive"] = time.perf_counter() - start
        start = time.perf_counter()
        f = se.Lambdify(ys, h, cse=True)
        times["compile"] = time.perf_counter() - start
        hess = lambda: f(theta)  # noqa: E731
    elif tool == "casadi":
        import casadi as ca
        v = ca.SX.sym("theta", len(params))
        h, _ = ca.hessian(mlp_numeric(ca, *size)(v), v)
        times["derive"] = time.perf_counter() - start
        start = time.perf_counter()
        f = ca.Function("h", [v], [h])
        times["compile"] = time.perf_counter() - start
        hess = lambda: f(theta)  # noqa: E731
    elif tool == "torch.func":
        import torch
        loss = mlp_numeric(torch, *size)
        t = torch.tensor(theta)
        times["derive"] = times["compile"] = 0.0
        hess = lambda: torch.autograd.functional.hessian(loss, t)  # noqa: E731
    else:
        import jax
        jax.config.update("jax_enable_x64", True)
        f = jax.jit(jax.hessian(mlp_numeric(jax.numpy, *size)))
        times["derive"] = 0.0
        start = time.perf_counter()
        f(theta).block_until_ready()  # tracing and XLA compilation
        times["compile"] = time.perf_counter() - start
        hess = lambda: f(theta).block_until_ready()  # noqa: E731
    value = np.asarray(hess(), dtype=float).reshape(len(params), len(params))
    times["evaluate"] = timed(hess, 5)
    times["peak_mib"] = peak_mib()
    times["hessian"] = value.tolist()
    return times


def peak_mib() -> int:
    """This process's peak resident memory. Not ru_maxrss: Linux carries that across exec
    from the parent, so every child would report the benchmark's own peak."""
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) // 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def measure_in_child(tool: str, size: tuple[int, int, int], limit_s: float) -> dict | None:
    """measure() in a fresh process (clean peak memory; a stuck tool is stopped at limit_s)."""
    try:
        proc = subprocess.run([sys.executable, __file__, "--measure", tool,
                               ",".join(map(str, size))], capture_output=True, text=True,
                              timeout=limit_s)
    except subprocess.TimeoutExpired:
        return None
    if proc.returncode != 0:
        raise RuntimeError(f"{tool} {size}: {proc.stderr[-2000:]}")
    return json.loads(proc.stdout)


def available_tools() -> list[str]:
    found = []
    for tool, module in zip(TOOLS, ("symnum", "sympy", "symengine", "casadi", "torch", "jax"),
                            strict=True):
        try:
            __import__(module)
            found.append(tool)
        except ImportError:
            print(f"({tool} not installed: pip install -e '.[bench]')")
    return found


def sweep(params_list: list[int], limit_s: float) -> dict:
    """{params: {tool: measurement or None}}, printed as a table as it goes."""
    tools = available_tools()
    table: dict = {}
    print("\nscale sweep: Hessian of the MLP loss (seconds; peak MiB; max |H - H_symnum|)")
    print(f"{'params':>6}  {'tool':<11}{'derive':>9}{'compile':>9}{'evaluate':>12}"
          f"{'peak':>7}{'agrees':>10}")
    for n in params_list:
        table[n] = {}
        for tool in tools:
            skip = tool == "sympy" and n > 61  # hours: SymPy's hessian grows steeply
            m = None if skip else measure_in_child(tool, SIZES[n], limit_s)
            table[n][tool] = m
            if m is None:
                print(f"{n:>6}  {tool:<11}{'> ' + str(int(limit_s)) if not skip else 'skipped':>9}")
                continue
            ref = table[n].get("symnum")
            gap = (np.max(np.abs(np.array(m["hessian"]) - np.array(ref["hessian"])))
                   if ref else float("nan"))
            print(f"{n:>6}  {tool:<11}{m['derive']:9.3f}{m['compile']:9.3f}"
                  f"{m['evaluate'] * 1e3:10.2f}ms{m['peak_mib']:>7}{gap:10.1e}")
    return table


def plot_sweep(table: dict, path: str) -> None:
    """Derive+compile and evaluate time against the number of parameters, one line a tool."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 2, figsize=(10, 4), constrained_layout=True)
    for tool in TOOLS:
        points = [(n, m) for n, row in table.items() if (m := row.get(tool))]
        if not points:
            continue
        ns = [n for n, _ in points]
        setup = [max(m["derive"] + m["compile"], 1e-4) for _, m in points]
        if tool != "torch.func":
            axes[0].plot(ns, setup, marker="o", label=tool)
        axes[1].plot(ns, [m["evaluate"] for _, m in points], marker="o", label=tool)
    for ax, title in zip(axes, ("derive + compile", "evaluate the Hessian at one point"),
                         strict=True):
        ax.set(xscale="log", yscale="log", xlabel="parameters", ylabel="seconds", title=title)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()
    fig.savefig(path, dpi=110)
    print(f"plot: {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="skip the largest sizes")
    parser.add_argument("--kernels", action="store_true",
                        help="only the one-point and batched kernel ratios, side by side")
    parser.add_argument("--measure", nargs=2, metavar=("TOOL", "SIZE"), help=argparse.SUPPRESS)
    parser.add_argument("--plot", default=os.path.join(HERE, "scaling.png"))
    args = parser.parse_args()
    if args.measure:
        tool, size = args.measure
        print(json.dumps(measure(tool, tuple(int(v) for v in size.split(",")))))
        return
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}")
    rows = []
    if args.kernels:
        kernel_rows(rows)
        print_rows(rows)
        return
    sizes = [SIZES[10], SIZES[31], SIZES[61]] + ([] if args.quick else [SIZES[161]])
    for n_in, n_hidden, n_points in sizes:
        text, params = mlp_loss(n_in, n_hidden, n_points)
        ours, peak, data = symnum_cli_hessian(text, params)
        if len(params) == 61:
            gap = symnum_cli_hessian_exact(text, params, data)
        # SymPy's hessian grows steeply (43 s at 61 parameters): skipped beyond that
        theirs = sympy_hessian(text, params, limit_s=300) if len(params) <= 61 else None
        ratio = f"{ours / theirs:.3f}" if theirs else "n/a"
        rows.append((f"MLP Hessian, {len(params)} params (CLI, whole process)", ours,
                     theirs, "sympy.hessian", ratio, peak))
    print(f"61-parameter CLI Hessian vs SymPy's second derivatives: largest gap {gap:.1e}")
    for label, ours, theirs in kernel_gradient():
        rows.append((label, ours, theirs, "torch autograd", f"{ours / theirs:.2f}", None))
    kernel_rows(rows)
    print_rows(rows)
    table = sweep([10, 31, 61] + ([] if args.quick else [161]), limit_s=300)
    plot_sweep(table, args.plot)


def kernel_rows(rows: list) -> None:
    """The one-point and the batched kernel comparisons, appended to ``rows``."""
    for label, ours, theirs, other in one_point_mlp_hessian():
        rows.append((label, ours, theirs, other, f"{ours / theirs:.3f}", None))
    for label, ours, theirs in batched_lse_hessian():
        rows.append((label, ours, theirs, "vmap(hessian)", f"{ours / theirs:.2f}", None))


def print_rows(rows: list) -> None:
    print(f"\n{'workload':<72}{'symnum s':>10}{'other s':>10}  {'other':<18}{'ratio':>7}"
          f"{'peak MiB':>10}")
    for name, a, b, other, ratio, peak in rows:
        b_text = f"{b:10.5f}" if b else f"{'skipped':>10}"
        print(f"{name:<72}{a:10.5f}{b_text}  {other:<18}{ratio:>7}{peak or '':>10}")


if __name__ == "__main__":
    main()
