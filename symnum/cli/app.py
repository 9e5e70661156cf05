"""The ``symnum`` command line: derive, verify, check, critical, plot, catalog, report, demo,
serve.

A thin shell over the public API. Every :class:`SymnumError` (and any other failure: running
out of time or memory, an output that cannot be written) becomes one ``error:`` line on stderr
and exit code 2; nothing is printed on stdout then. The limits and the safety net around a
command live in :mod:`symnum.cli.guard` (the timer and watchdog in :mod:`symnum.edge`).

>>> main(["derive", "x**2", "--format", "json"])  # doctest: +ELLIPSIS
{"expr": "x**2", ...}
0
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Sequence

from .. import edge
from ..core.errors import SymnumError
from . import guard
from .arguments import parse_arguments
from .commands import COMMANDS


def main(argv: Sequence[str] | None = None, *, process_limits: bool = True) -> int:
    """Run the CLI; return the exit code (0 ok, 1 a check failed, 2 bad input or a limit
    reached, 141 when the reader of the output has gone, like a Unix tool on SIGPIPE).

    ``process_limits=False`` runs the command without the time and memory limits, which are
    process-wide (a timer, signal handlers, an rlimit, a watchdog thread): for a host process
    that runs commands in-process, such as the test suite (``tests/conftest.py``).

    Called without ``argv`` by the program itself (the ``symnum`` script, ``python -m
    symnum``: a module run as ``__main__``), it runs the process's command line and ends the
    process when done (:func:`guard.end_process`); called so from a module (a test that sets
    ``sys.argv``), it returns."""
    code = _run(argv, process_limits)
    if argv is None and sys._getframe(1).f_globals.get("__name__") == "__main__":
        return guard.end_process(code)
    return code


def _run(argv: Sequence[str] | None, process_limits: bool) -> int:
    """:func:`main`'s command, run: its exit code."""
    limits = guard.Limits(guard.DEFAULT_TIMEOUT_S, guard.DEFAULT_MEMORY)
    try:
        limits = guard.limits_from(os.environ)
        args = parse_arguments(sys.argv[1:] if argv is None else argv)
        if args.command == "serve":  # runs until stopped: no time or memory limit here
            return serve_command(args)
        # a batch (grade) limits each answer in its workers, never the whole run
        whole = process_limits and not getattr(args, "unlimited", False)
        limiting = edge.limited(limits) if whole else contextlib.nullcontext()
        with guard.quiet_warnings(), limiting:
            out, code = COMMANDS[args.command](args)
    except SymnumError as err:
        return guard.fail(str(err))
    except edge.TimeUp as err:
        guard.forget_interrupted_work()
        return guard.fail(str(err))
    except (MemoryError, edge.OutOfMemory):
        guard.forget_interrupted_work()
        return guard.fail(limits.memory_message())
    except KeyboardInterrupt:
        return guard.fail("interrupted")
    except RecursionError:
        return guard.fail("the expression is too deeply nested to handle")
    except Exception as err:  # noqa: BLE001 - the promise is: never a traceback
        if _out_of_memory(err):
            return guard.fail(limits.memory_message())
        return guard.fail(f"internal error ({type(err).__name__}): {err}; please report it")
    written = guard.emit(str(out))
    return code if written == 0 else written


def serve_command(args: argparse.Namespace) -> int:
    """``symnum serve``: this process becomes the workbench's server (``python -m
    symnum.web``, the web page's own entry point), which runs until Ctrl-C."""
    argv = [sys.executable, "-m", "symnum.web", "--host", args.host, "--port", str(args.port),
            "--timeout", repr(args.timeout), "--memory", args.memory]
    argv += ["--workers", str(args.workers)] if args.workers else []
    argv += ["--open"] if args.open else []
    argv += [f"--allow-host={name}" for name in args.allow_host]
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError, AttributeError):
            stream.flush()
    os.execv(sys.executable, argv)
    return 0  # not reached: execv does not return


def _out_of_memory(err: Exception) -> bool:
    """torch and symengine report a failed allocation as a RuntimeError."""
    text = str(err).lower()
    return isinstance(err, RuntimeError) and any(
        s in text for s in ("can't allocate memory", "bad_alloc", "out of memory"))


if __name__ == "__main__":
    sys.exit(main())
