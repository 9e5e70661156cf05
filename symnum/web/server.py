"""``symnum serve``: the workbench on uvicorn, at a URL printed for the user.

>>> url_for("127.0.0.1", 8000), url_for("::1", 8080)
('http://127.0.0.1:8000/', 'http://[::1]:8080/')
"""

from __future__ import annotations

import math
import socket
import sys
import threading
import webbrowser
from collections.abc import Sequence

from .limits import OptionError, parse_size
from .security import allowed_hosts

MAX_TIMEOUT_S = 24 * 3600


def url_for(host: str, port: int) -> str:
    """The URL a browser opens for ``host`` and ``port``."""
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else "::1" if host == "::" else host
    return f"http://[{shown}]:{port}/" if ":" in shown else f"http://{shown}:{port}/"


def serve(host: str = "127.0.0.1", port: int = 8000, open_browser: bool = False,
          timeout: float = 30.0, memory: str | int | None = "2G",
          workers: int | None = None, allow_hosts: Sequence[str] = ()) -> int:
    """Serve the workbench until Ctrl-C; returns the exit code. ``memory`` is per request,
    bytes or text like ``512M`` (``"off"``: no limit); requests must name this computer
    (localhost, 127.0.0.1, [::1] or ``host``) or one of ``allow_hosts`` in their Host header;
    bad options raise :class:`OptionError`."""
    import uvicorn

    from .app import create_app

    if not (isinstance(timeout, int | float) and math.isfinite(timeout)
            and 0 < timeout <= MAX_TIMEOUT_S):
        raise OptionError(f"--timeout must be a number of seconds above 0 and at most "
                         f"{MAX_TIMEOUT_S}, got {timeout}")
    limit = _memory(memory)
    hosts = allowed_hosts(host, allow_hosts)
    sock = _listen(host, port)
    url = url_for(host, sock.getsockname()[1])
    app = create_app(timeout=float(timeout), memory=limit, workers=workers, hosts=hosts)
    config = uvicorn.Config(app, log_level="warning", access_log=False, timeout_graceful_shutdown=3,
                            limit_concurrency=200)
    print(f"symnum workbench: {url}  (Ctrl-C stops it)", flush=True)
    if host not in ("127.0.0.1", "localhost", "::1"):
        print(f"note: listening on {host}: other computers can reach this page", flush=True)
    if open_browser:
        threading.Timer(1.0, webbrowser.open, [url]).start()
    try:
        uvicorn.Server(config).run(sockets=[sock])
    except KeyboardInterrupt:  # uvicorn stops on Ctrl-C, then raises it again: the normal end
        pass
    finally:
        sock.close()
    return 0


def _memory(memory: str | int | None) -> int | None:
    if memory is None or isinstance(memory, int):
        return memory
    return parse_size(memory)


def _listen(host: str, port: int) -> socket.socket:
    """A listening socket on ``host``:``port`` (port 0: a free one), or an OptionError."""
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except (OSError, UnicodeError) as err:
        reason = getattr(err, "strerror", None) or str(err)
        raise OptionError(f"cannot listen on {host}:{port}: {reason}") from None
    sock.set_inheritable(True)
    return sock


if __name__ == "__main__":  # pragma: no cover
    sys.exit(serve())
