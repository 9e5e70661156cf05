"""What a worker process computes for one request, and the worker's loop.

A job is an operation's name and its typed request (:mod:`symnum.service`); its reply is a
plain tuple ``(status, media type, body, retire)``: the HTTP status, the body (text, or bytes
for images) and whether the worker must stop after answering (its state is suspect after a
time or memory limit cut a computation short). Errors never escape as tracebacks: a
:class:`SymnumError` is a 400 with its one-line message, a limit a 503.

>>> from symnum.service import DeriveRequest
>>> execute("derive", DeriveRequest("x**2"))[:2]
(200, 'application/json')
>>> execute("derive", DeriveRequest("x +"))[:3]
(400, 'application/json', '{"error": "invalid syntax at column 0: invalid syntax"}')
"""

from __future__ import annotations

import json
import signal
import warnings
from dataclasses import replace
from typing import Any

from .. import service
from ..core.errors import SymnumError
from ..core.render import dumps
from ..edge import OutOfMemory, TimeUp, limited, resident_size
from .limits import Limits

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


def execute(kind: str, request: Any, limits: Limits | None = None) -> Reply:
    """Run operation ``kind`` on ``request`` under ``limits``: seconds, and bytes of memory
    this job may add to what the process already holds (SymPy, torch and matplotlib, loaded
    before); None: no limit."""
    limits = limits or Limits(None, None)
    held = resident_size() or 0
    enforced = replace(limits, memory=None if limits.memory is None else limits.memory + held)
    try:
        with warnings.catch_warnings(), limited(enforced):
            warnings.simplefilter("ignore")  # the CLI's notes go to stderr, not into JSON
            status, media, body = JOBS[kind](request)
        return status, media, body, False
    except SymnumError as err:
        return error(400, str(err))
    except TimeUp:
        return error(503, limits.time_message(), retire=True)
    except (MemoryError, OutOfMemory):
        return error(503, limits.memory_message(), retire=True)
    except RecursionError:
        return error(400, "the expression is too deeply nested to handle", retire=True)
    except Exception as err:  # noqa: BLE001 - the promise is: never a traceback
        text = str(err).lower()
        if isinstance(err, RuntimeError) and any(
                s in text for s in ("can't allocate memory", "bad_alloc", "out of memory")):
            return error(503, limits.memory_message(), retire=True)
        return error(500, f"internal error ({type(err).__name__}): {err}; please report it",
                     retire=True)


def _json(result: service.Rendered) -> tuple[int, str, str]:
    """The result's JSON (the command line's ``--format json``)."""
    return 200, JSON, dumps(result.to_json())


def _with_exit(kind: str, result: service.Rendered) -> tuple[int, str, str]:
    """verify's and check's JSON, with the command line's exit code and its meaning."""
    data = result.to_json()
    data["exit_code"] = result.exit_code
    data["exit_meaning"] = EXIT_MEANINGS[kind][result.exit_code]
    return 200, JSON, dumps(data)


def _parse(request: service.ParseRequest) -> tuple[int, str, str]:
    """The live preview: the expression read and typeset, nothing derived."""
    return 200, JSON, json.dumps(service.parse(request).to_json())


def _plot(request: service.PlotRequest) -> tuple[int, str, bytes]:
    """The figure as SVG: f, f′, f″ for one variable; contours, the gradient field and a
    descent path for two."""
    return 200, SVG, service.plot(request).svg()


def _export(request: service.ExportRequest) -> tuple[int, str, str]:
    """The source of a standalone numpy, torch or JAX module."""
    try:
        result = service.export(request)
    except ImportError:  # a symnum without its export capability
        return 501, JSON, json.dumps({"error": "export is not available yet"})
    return 200, PYTHON, result.module()


JOBS = {"derive": lambda r: _json(service.derive(r)),
        "graph": lambda r: _json(service.derive(r)),
        "verify": lambda r: _with_exit("verify", service.verify(r)),
        "check": lambda r: _with_exit("check", service.check(r)),
        "parse": _parse, "plot": _plot, "export": _export}


def worker_main(conn, timeout: float | None, memory: int | None) -> None:
    """A worker's life: read ``(kind, request, seconds)`` jobs from ``conn`` and answer each,
    until the server closes the pipe or a limit makes this worker retire."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the server, which stops us
    while True:
        try:
            kind, request, seconds = conn.recv()
        except (EOFError, OSError):
            return
        reply = execute(kind, request, Limits(seconds or timeout, memory))
        try:
            conn.send(reply)
        except (OSError, ValueError):
            return
        if reply[3]:
            return
