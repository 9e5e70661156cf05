"""Generated command lines over the function registry, and how a run of one is judged.

:func:`cases` draws, from a seeded generator, commands a user might type: every registered
function name (aliases too) with its arity and integer arguments, nested compositions, sums and
products of 1 to 40 variables (names the step namer and the graph use among them), powers, and
points at the places where functions break: 0, ±1, integers, domain edges, huge and tiny
numbers. Each case is ``derive`` (with ``--at``, ``--what``, ``--order``, ``--format``),
``derive --steps``, ``derive --steps graph``, ``verify --at``, ``check`` or ``export`` (the
module then imported and called on a batch of those points).

:func:`run_case` runs one in-process (``symnum.cli.main`` with argv, under the command line's
own time and memory limits) and :func:`classify` judges it: ``ok`` (exit 0 or 1), ``error``
(exit 2 with one ``error:`` line), ``limit`` (one ``error:`` line: a time or memory limit),
``internal`` (a traceback, another exit code, "internal error", a malformed error, or an
exported module that raises when called). ``benchmarks/fuzz_cli.py`` runs thousands in worker
processes (a case that does not come back is a ``hang``); ``tests/test_fuzz.py`` runs a
hundred.

>>> [c.argv[0] for c in cases(3, seed=1)] == [c.argv[0] for c in cases(3, seed=1)]
True
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import random
import re
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

from symnum.cli import main
from symnum.core.registry import BY_NAME

# names the step namer (u t s v z1 z2), the graph (v1 h1 a1 q1) and definitions (w1 ...) use
NAMES = ["x", "y", "z", "t", "u", "s", "v", "a", "b", "z1", "z2", "v1", "h1", "a1", "q1", "w1",
         "uu", "vv1", "alpha", "theta"]
NUMBERS = ["0", "1", "2", "3", "-1", "1/2", "0.5", "pi", "E", "10", "1e-8", "1e8", "2**-30"]
POWERS = ["2", "3", "-1", "-2", "1/2", "1/3", "0.5", "10", "x", "y", "-1/2", "100"]
# where functions break: integers (floor, gamma's poles), 0 (kinks, log), ±1 (asin, atanh),
# huge and tiny values (overflow, underflow, subnormals)
POINT_VALUES = ["0", "1", "-1", "2", "-2", "3", "-3", "1/2", "-1/2", "0.999999", "1.000001",
                "1e-300", "-1e-300", "1e-320", "1e300", "-1e300", "1e308", "1e6", "-1e6",
                "10**20", "pi", "1e-8", "700", "-745", "0.0"]
CALL_VALUES = [0.0, 1.0, -1.0, 2.0, -2.5, 0.5, 1e-300, 1e300, -1e6, 700.0, -745.0, 1e-8]
WHATS = ["derivative", "gradient", "jacobian", "hessian"]
BACKENDS = ["numpy", "numpy", "torch", "jax"]
KINDS = (["derive"] * 6 + ["steps"] * 3 + ["graph"] * 2 + ["verify"] * 3 + ["check"] * 2
         + ["export"] * 3)


@dataclass(frozen=True)
class Case:
    """One command line; for ``export``, the backend of the module that is then called."""

    number: int
    argv: tuple[str, ...]
    call: str = ""  # "numpy", "torch" or "jax": import the written module and call it

    def text(self) -> str:
        return " ".join(self.argv)


class _Draw:
    """Expressions over the registry from one seeded generator."""

    def __init__(self, rng: random.Random, most: int = 40):
        self.rng, self.most = rng, most
        self.functions = sorted(BY_NAME)

    def call(self, name: str, inner) -> str:
        record = BY_NAME[name]
        low, high = record.arity
        count = self.rng.randint(low, high if high is not None else low + 2)
        args = []
        for i in range(count):
            if i in record.integers:
                args.append(str(self.rng.choice([0, 1, 2, 3, 5])))
            else:
                args.append(inner())
        return f"{name}({', '.join(args)})"

    def expr(self, names: list[str], depth: int) -> str:
        r = self.rng
        if depth <= 0 or r.random() < 0.2:
            return r.choice(names) if r.random() < 0.8 else r.choice(NUMBERS)
        kind = r.choice(["call", "call", "call", "add", "mul", "div", "pow", "scale", "neg"])
        sub = lambda: self.expr(names, depth - 1)  # noqa: E731
        if kind == "call":
            return self.call(r.choice(self.functions), sub)
        if kind == "add":
            return f"{sub()} + {sub()}"
        if kind == "mul":
            return f"{sub()}*{sub()}"
        if kind == "div":
            return f"{sub()}/({sub()})"
        if kind == "pow":
            return f"({sub()})**{r.choice(POWERS)}"
        if kind == "scale":
            return f"{r.choice(NUMBERS)}*{sub()}"
        inner = sub()
        return f"-({inner})" if inner.startswith("-") else f"-{inner}"

    def many(self, count: int) -> tuple[str, list[str]]:
        """An expression of ``count`` variables: a sum or product of functions of them, or
        one function of their product (the step namer's and the graph's worst cases)."""
        r = self.rng
        prefix = r.choice(["x", "w", "v", "h", "a", "q", "z", "u", "t"])
        names = [f"{prefix}{i}" for i in range(1, count + 1)]
        shape = r.choice(["sum", "product", "inner", "chain"])
        if shape == "inner":
            return f"{r.choice(self.functions_of_one())}({'*'.join(names)})", names
        terms = []
        for i, name in enumerate(names):
            f = r.choice(self.functions_of_one())
            other = names[(i + 1) % count]
            terms.append(f"{f}({name}*{other} + {r.choice(NUMBERS)})"
                         if shape == "chain" else f"{f}({name})")
        return (" + " if shape != "product" else "*").join(terms), names

    def functions_of_one(self) -> list[str]:
        return [n for n in self.functions if BY_NAME[n].arity[0] == 1 and n.isascii()]

    def function(self) -> tuple[str, list[str]]:
        """(expression, its variables) of one of several shapes."""
        r = self.rng
        shape = r.choice(["each", "each", "nested", "nested", "nested", "many", "power"])
        if shape == "each":  # every function name, at one argument or a shifted one
            names = ["x"]
            inner = r.choice(["x", "2*x - 1", "x**2", "1/x", "x + 1", "-x", "x/1000",
                              "1000*x", "exp(x)", "log(x)"])
            return self.call(r.choice(self.functions), lambda: inner), names
        if shape == "many":
            return self.many(min(self.most, r.choice([1, 2, 3, 5, 8, 12, 20, 30, 40])))
        names = r.sample(NAMES, r.choice([1, 1, 2, 2, 3, 4]))
        if shape == "power":
            base = self.expr(names, 2)
            return f"({base})**{r.choice(POWERS)}", names
        return self.expr(names, r.choice([2, 3, 3, 4])), names

    def point(self, names: list[str]) -> str:
        return ",".join(f"{n}={self.rng.choice(POINT_VALUES)}" for n in names)


def cases(count: int, seed: int = 0, most: int = 40) -> list[Case]:
    """``count`` cases drawn from ``seed`` (the same list for the same arguments), with at
    most ``most`` variables."""
    rng = random.Random(seed)
    draw = _Draw(rng, most)
    out = []
    for number in range(count):
        kind = rng.choice(KINDS)
        expr, names = draw.function()
        used = [n for n in names if re.search(rf"\b{n}\b", expr)] or names[:1]
        wrt = ["--wrt", ",".join(used)]
        small = len(used) <= 6
        if kind == "derive":
            extra = rng.choice([[], ["--at", draw.point(used)], ["--format", "json"],
                                ["--format", "latex"], ["--order", "2"],
                                ["--what", rng.choice(WHATS if small else WHATS[:2])],
                                ["--at", draw.point(used), "--format", "json"]])
            argv = ("derive", expr, *wrt, *extra)
        elif kind in ("steps", "graph"):
            argv = ("derive", expr, *wrt, "--steps", *(["graph"] if kind == "graph" else []),
                    *(rng.choice([[], ["--format", "json"]])))
            if kind == "graph" and rng.random() < 0.5:
                argv += ("--at", draw.point(used))
        elif kind == "verify":
            if not small:
                expr, used = draw.call(rng.choice(draw.functions), lambda: "x"), ["x"]
                wrt = ["--wrt", "x"]
            argv = ("verify", expr, *wrt, *(rng.choice([["--at", draw.point(used)]] * 3
                                                        + [["--points", "1"]])))
        elif kind == "check":
            claim = rng.choice([_claim(expr, used), draw.expr(used, 2), "0", expr])
            argv = ("check", claim, "--of", expr, "--wrt", used[0])
        else:
            backend = rng.choice(BACKENDS)
            what = rng.choice(["value", "derivative" if len(used) == 1 else "gradient"])
            argv = ("export", expr, *wrt, "--to", backend, "--what", what, "--out",
                    f"fuzz_module_{number}.py")
            out.append(Case(number, argv, backend))
            continue
        out.append(Case(number, tuple(argv)))
    return out


def _claim(expr: str, names: list[str]) -> str:
    """The registry's derivative of a one-argument function of x, else a plain guess."""
    name = expr.split("(", 1)[0]
    record = BY_NAME.get(name)
    if record and record.derivative and record.derivative[0] and expr.endswith("(x)"):
        return re.sub(r"\bu\b", "(x)", record.derivative[0])
    return f"2*{names[0]}"


def classify(code: int, out: str, err: str) -> str:
    """``ok``, ``error``, ``limit`` or ``internal`` for one run's exit code and output."""
    if code not in (0, 1, 2) or "Traceback" in out + err or "internal error" in err:
        return "internal"
    if code != 2:
        return "internal" if "error:" in err else "ok"
    lines = err.strip().splitlines()
    if out or len(lines) != 1 or not lines[0].startswith("error: "):
        return "internal"
    if lines[0].startswith(("error: gave up after", "error: ran out of memory")):
        return "limit"
    return "error"


def run_case(case: Case, workdir: Path) -> dict:
    """Run ``case`` in this process, in ``workdir``: its class, exit code, first error line
    and seconds; an export's module is imported and called (a raise there is internal)."""
    start = time.monotonic()
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.chdir(workdir), contextlib.redirect_stdout(stdout), \
            contextlib.redirect_stderr(stderr):
        try:
            code = main(list(case.argv))
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 2
        except BaseException as err:  # noqa: BLE001 - main must never raise: record it
            code, stderr = -1, io.StringIO(f"Traceback: {type(err).__name__}: {err}")
    out, err = stdout.getvalue(), stderr.getvalue()
    verdict = classify(code, out, err)
    detail = err.strip().splitlines()[0][:300] if err.strip() else ""
    if verdict == "ok" and case.call:
        problem = call_module(workdir / case.argv[case.argv.index("--out") + 1], case.call)
        if problem:
            verdict, detail = "internal", f"calling the exported module: {problem}"
    return {"number": case.number, "argv": list(case.argv), "class": verdict, "code": code,
            "detail": detail, "seconds": round(time.monotonic() - start, 3)}


def call_module(path: Path, backend: str) -> str:
    """Import an exported module and call its function on a batch of hard points; "" when it
    answers, else the exception in one line."""
    import inspect

    import numpy as np
    try:
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        function = module.f
        count = len(inspect.signature(function).parameters)
        columns = [np.roll(np.array(CALL_VALUES), k) for k in range(count)]
        if backend == "torch":
            import torch
            args = [torch.tensor(c, dtype=torch.float64) for c in columns]
        elif backend == "jax":
            import jax
            jax.config.update("jax_enable_x64", True)
            args = [jax.numpy.asarray(c) for c in columns]
        else:
            args = columns
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            np.asarray(function(*args) if backend != "torch" else function(*args).detach())
    except Exception as err:  # noqa: BLE001 - any raise is the finding
        return f"{type(err).__name__}: {err}"[:300]
    finally:
        sys.modules.pop(path.stem, None)
    return ""
