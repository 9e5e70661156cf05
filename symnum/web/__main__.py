"""``python -m symnum.web``: the workbench's own entry point, which ``symnum serve`` hands its
process to (the command line and the web page are siblings; neither imports the other).
A bad option is one ``error:`` line and exit code 2, as on the command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ..core.errors import SymnumError
from .server import serve

ALLOW_HOST_HELP = ("also answer requests addressed to NAME (repeatable; * for any name). "
                   "By default only localhost, 127.0.0.1, [::1] and the --host address are "
                   "answered, so that no other site's page can reach the server by DNS "
                   "rebinding")


def main(argv: Sequence[str] | None = None) -> int:
    """Serve the workbench with the options of ``symnum serve``; returns the exit code."""
    parser = argparse.ArgumentParser(prog="symnum serve")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--open", action="store_true")
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--memory", default="2G")
    parser.add_argument("--workers", type=int)
    parser.add_argument("--allow-host", action="append", default=[], metavar="NAME",
                        help=ALLOW_HOST_HELP)
    args = parser.parse_args(argv)
    try:
        return serve(host=args.host, port=args.port, open_browser=args.open,
                     timeout=args.timeout, memory=args.memory, workers=args.workers,
                     allow_hosts=args.allow_host)
    except SymnumError as err:
        print("error: " + " ".join(str(err).split()), file=sys.stderr, flush=True)
        return 2


if __name__ == "__main__":
    sys.exit(main())
