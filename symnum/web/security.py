"""What every response carries and every request must respect: a Host header that names this
server (400 otherwise: a page on another site that rebinds its DNS name to 127.0.0.1 sends its
own name, so it cannot read the API), security headers (a Content-Security-Policy that allows
nothing but this server and no inline script), request size limits (413), and a last safety
net that answers JSON, never a traceback.

>>> "script-src 'self'" in SECURITY_HEADERS["content-security-policy"]
True
>>> host_allowed("localhost:8000", allowed_hosts()), host_allowed("evil.example", allowed_hosts())
(True, False)
"""

from __future__ import annotations

import ipaddress
import json
import logging
import re
from collections.abc import Iterable

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .limits import OptionError
from .params import MAX_BODY, MAX_QUERY

LOG = logging.getLogger("symnum.web")

# Everything comes from this server: scripts only from files (no inline script, no eval),
# styles from files (KaTeX sets its inline sizes through the DOM, which CSP allows), fonts
# from the vendored KaTeX, images from here or data: URLs; no plugins, no framing.
CSP = "; ".join([
    "default-src 'self'", "script-src 'self'", "style-src 'self'", "font-src 'self'",
    "img-src 'self' data:", "connect-src 'self'", "object-src 'none'", "base-uri 'none'",
    "form-action 'self'", "frame-ancestors 'none'",
])
SECURITY_HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
}
# An SVG opened on its own is a document: no script, and matplotlib's inline styles allowed.
SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'"


# The names of this computer that no other site can take over by DNS rebinding.
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")
WILDCARDS = frozenset({"0.0.0.0", "::"})  # bound to every address: any IP address is a name


def host_name(header: str) -> str:
    """The name in a Host header (or an ``--allow-host`` value): no port, lower case.

    >>> host_name("[::1]:8000"), host_name("LocalHost:80"), host_name("example.org.")
    ('::1', 'localhost', 'example.org')
    """
    name = header.strip().lower()
    if name.startswith("["):  # [::1]:8000
        name = name[1:].partition("]")[0]
    elif name.count(":") == 1:  # localhost:8000 (an IPv6 address without brackets has more)
        name = name.partition(":")[0]
    return name.rstrip(".")


def allowed_hosts(bound: str = "127.0.0.1", extra: Iterable[str] = ()) -> frozenset[str]:
    """The Host names the server answers: this computer's, the address it is ``bound`` to and
    ``extra`` (``--allow-host``; ``*`` allows any); an :class:`OptionError` for a malformed one.

    >>> sorted(allowed_hosts("::", ["Example.org:8000"]))
    ['127.0.0.1', '::', '::1', 'example.org', 'localhost']
    """
    names = {host_name(bound)} | set(LOCAL_HOSTS)
    for given in extra:
        name = host_name(given) if given.strip() != "*" else "*"
        if not name or len(given) > 260 or re.search(r"[/\s@?#\\]", given.strip()):
            raise OptionError(f"--allow-host needs a host name like example.org (or * for any), "
                              f"got {given!r}")
        names.add(name)
    return frozenset(names - {""})


def host_allowed(header: str, allowed: frozenset[str]) -> bool:
    """Whether a request with this Host header is answered. Bound to every address, the
    server also answers any IP address (a rebinding page sends a name, never an address)."""
    name = host_name(header)
    if name in allowed or "*" in allowed:
        return True
    if allowed & WILDCARDS:
        try:
            ipaddress.ip_address(name)
        except ValueError:
            return False
        return True
    return False


class Guard:
    """ASGI middleware: the Host check, the headers above on every response, size limits, no
    tracebacks."""

    def __init__(self, app: ASGIApp, hosts: frozenset[str] | None = None):
        self.app = app
        self.hosts = allowed_hosts() if hosts is None else hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_secured(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        refused = _wrong_host(scope, self.hosts)
        if refused:
            await _json(send_secured, 400, refused)
            return
        too_large = _too_large(scope)
        if too_large:
            await _json(send_secured, 413, too_large)
            return
        try:
            await self.app(scope, receive, send_secured)
        except Exception:  # noqa: BLE001 - log it here, answer one line there
            LOG.exception("request %s failed", scope.get("path"))
            if not started:
                await _json(send_secured, 500, "internal error; please report it")


def _wrong_host(scope: Scope, hosts: frozenset[str]) -> str | None:
    """Why a request's Host header is refused (None: it is not)."""
    given = [value for name, value in scope.get("headers", []) if name == b"host"]
    if len(given) != 1:
        return "the request needs one Host header naming this server, like localhost"
    header = given[0].decode("latin-1")
    if host_allowed(header, hosts):
        return None
    shown = header if len(header) <= 80 else header[:80] + "..."
    return (f"this server answers only requests addressed to this computer (localhost), not "
            f"to {shown!r}; if you reach it by that name, start it with --allow-host "
            f"{host_name(header)[:80] or 'NAME'}")


def _too_large(scope: Scope) -> str | None:
    if len(scope.get("query_string", b"")) > MAX_QUERY:
        return (f"the query string is longer than {MAX_QUERY // 1024} KiB; send long "
                "expressions as a POST with a JSON body")
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                length = int(value)
            except ValueError:
                return "the Content-Length header is not a number"
            if length > MAX_BODY:
                return f"the request body is larger than {MAX_BODY // 1024} KiB"
    return None


async def _json(send: Send, status: int, message: str) -> None:
    body = json.dumps({"error": message}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
