"""What a worker process computes for one request, and the worker's loop.

A job is a name and a payload of plain values; its reply is a plain tuple ``(status, media
type, body, retire)``: the HTTP status, the body (text, or bytes for images) and whether the
worker must stop after answering (its state is suspect after a time or memory limit cut a
computation short). Errors never escape as tracebacks: a :class:`SymnumError` is a 400 with
the command line's one-line message, a limit a 503.

>>> execute("cli", {"argv": ["derive", "--format=json", "--", "x**2"]})[:2]
(200, 'application/json')
>>> execute("cli", {"argv": ["derive", "--", "x +"]})[:3]
(400, 'application/json', '{"error": "invalid syntax at column 0: invalid syntax"}')
"""

from __future__ import annotations

import json
import math
import signal
import warnings
from dataclasses import replace
from typing import Any

from ..cli.guard import Limits, OutOfMemory, TimeUp, limited, resident_size, size_text
from ..core.errors import SymnumError

JSON, SVG, PYTHON = "application/json", "image/svg+xml", "text/x-python; charset=utf-8"
Reply = tuple[int, str, "str | bytes", bool]

# The meaning of the command line's exit code, given with verify's and check's JSON.
EXIT_MEANINGS = {
    "verify": {0: "no method disagrees with the exact result (the verdict says pass or "
                  "inconclusive)",
               1: "a numeric method disagrees with the exact result"},
    "check": {0: "the claim is the derivative", 1: "the claim is not the derivative"},
}


def error(status: int, message: str, retire: bool = False) -> Reply:
    """An error reply: ``{"error": "<one line>"}``."""
    return status, JSON, json.dumps({"error": " ".join(message.split())}), retire


def execute(kind: str, payload: dict[str, Any], limits: Limits | None = None) -> Reply:
    """Run job ``kind`` under ``limits``: seconds, and bytes of memory this job may add to
    what the process already holds (SymPy, torch and matplotlib, loaded before); None: no
    limit."""
    limits = limits or Limits(None, None)
    held = resident_size() or 0
    enforced = replace(limits, memory=None if limits.memory is None else limits.memory + held)
    try:
        with warnings.catch_warnings(), limited(enforced):
            warnings.simplefilter("ignore")  # the CLI's notes go to stderr, not into JSON
            status, media, body = JOBS[kind](payload)
        return status, media, body, False
    except SymnumError as err:
        return error(400, str(err))
    except TimeUp:
        return error(503, f"gave up after {limits.seconds:g} s (the server's time limit; "
                          "start it with --timeout to allow more)", retire=True)
    except (MemoryError, OutOfMemory):
        return error(503, _memory_message(limits), retire=True)
    except RecursionError:
        return error(400, "the expression is too deeply nested to handle", retire=True)
    except Exception as err:  # noqa: BLE001 - the promise is: never a traceback
        text = str(err).lower()
        if isinstance(err, RuntimeError) and any(
                s in text for s in ("can't allocate memory", "bad_alloc", "out of memory")):
            return error(503, _memory_message(limits), retire=True)
        return error(500, f"internal error ({type(err).__name__}): {err}; please report it",
                     retire=True)


def _memory_message(limits: Limits) -> str:
    limit = "none" if limits.memory is None else size_text(limits.memory)
    return (f"ran out of memory (the server's limit is {limit} per request; start it with "
            "--memory to allow more)")


def _cli(payload: dict[str, Any]) -> tuple[int, str, str]:
    """A command line run: exactly its ``--format json`` output; verify and check add their
    exit code and its meaning."""
    from ..cli.arguments import run
    from ..core.render import dumps

    argv = payload["argv"]
    text, code = run(argv)
    if argv[0] in EXIT_MEANINGS:
        data = json.loads(text)
        data["exit_code"], data["exit_meaning"] = code, EXIT_MEANINGS[argv[0]][code]
        text = dumps(data)
    return 200, JSON, text


def _parse(payload: dict[str, Any]) -> tuple[int, str, str]:
    """The live preview: the expression read and typeset, nothing derived."""
    import sympy

    from ..core.latex_input import to_plain
    from ..core.parse import parse
    from ..core.render import expr_latex
    from ..core.shapes import parse_shape

    shapes = dict(parse_shape(s) for s in payload.get("shape", []))
    text = payload.get("expr") or ""
    if not text.strip():
        raise SymnumError("type an expression, like x^2*sin(y)")
    if payload.get("from", "plain") == "latex":
        text = to_plain(text, list(shapes))
    elif payload.get("from", "plain") != "plain":
        raise SymnumError(f"from must be plain or latex, got {payload['from']!r}")
    expr = parse(text, shapes)
    if isinstance(expr, sympy.MatrixBase):
        rows = [[sympy.sstr(v) for v in row] for row in expr.tolist()]
        plain = ("[" + ", ".join(r[0] for r in rows) + "]" if expr.shape[1] == 1 else
                 "[" + ", ".join("[" + ", ".join(r) + "]" for r in rows) + "]")
    else:
        plain = sympy.sstr(expr)
    if expr.has(sympy.MatrixSymbol):  # xᵀAx as the results print it, not x^T A x, tr(..)
        from ..matrix.printing import matrix_latex
        latex = matrix_latex(expr)
    else:
        latex = expr_latex(expr)
    return 200, JSON, json.dumps({"latex": latex, "text": plain})


def _number(payload: dict[str, Any], name: str, default: float) -> float:
    text = payload.get(name)
    if text is None:
        return default
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise SymnumError(f"{name} must be a finite number, got {text!r}")
    return value


def _plot(payload: dict[str, Any]) -> tuple[int, str, bytes]:
    """The figure as SVG: f, f′, f″ for one variable; contours, the gradient field and a
    descent path (with ``start``) for two."""
    import io

    from ..analysis.plot import plot
    from ..core.latex_input import to_plain

    expr = payload.get("expr") or ""
    if payload.get("from", "plain") == "latex":
        expr = to_plain(expr)
    low, high = _number(payload, "xmin", -3.0), _number(payload, "xmax", 3.0)
    if not (low < high and math.isfinite(high - low)):
        raise SymnumError("xmin must be below xmax (and both finite), like xmin=-3&xmax=3")
    descent = None
    if payload.get("start"):
        descent = _descent(payload)
    fig = plot(expr, payload.get("wrt"), None, (low, high), descent, surface=False)
    out = io.BytesIO()
    fig.savefig(out, format="svg", bbox_inches="tight", metadata={"Date": None})
    return 200, SVG, out.getvalue()


def _descent(payload: dict[str, Any]):
    """Gradient descent from ``start`` (like 2,1) with rate ``lr`` for ``iters`` steps."""
    from ..analysis.plot import Descent

    try:
        start = tuple(float(v) for v in payload["start"].replace(":", ",").split(","))
    except ValueError:
        start = ()
    if len(start) != 2 or not all(math.isfinite(v) for v in start):
        raise SymnumError(f"start must be two numbers, like 2,1; got {payload['start']!r}")
    lr, iters = _number(payload, "lr", 0.1), _number(payload, "iters", 30)
    if not 0 < lr < 100 or iters != int(iters) or not 1 <= iters <= 10_000:
        raise SymnumError("lr must be a number in (0, 100) and iters a whole number from 1 "
                          "to 10000")
    return Descent(lr, start, int(iters))


def _export(payload: dict[str, Any]) -> tuple[int, str, str]:
    """``symnum export``: the source of a standalone numpy, torch or JAX module."""
    from ..cli.arguments import run

    try:
        text, _ = run(payload["argv"])
    except ImportError:  # a symnum without its export capability
        return 501, JSON, json.dumps({"error": "export is not available yet"})
    return 200, PYTHON, text + "\n"


JOBS = {"cli": _cli, "parse": _parse, "plot": _plot, "export": _export}


def worker_main(conn, timeout: float | None, memory: int | None) -> None:
    """A worker's life: read ``(kind, payload, seconds)`` jobs from ``conn`` and answer each,
    until the server closes the pipe or a limit makes this worker retire."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the server, which stops us
    while True:
        try:
            kind, payload, seconds = conn.recv()
        except (EOFError, OSError):
            return
        reply = execute(kind, payload, Limits(seconds or timeout, memory))
        try:
            conn.send(reply)
        except (OSError, ValueError):
            return
        if reply[3]:
            return
