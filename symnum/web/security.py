"""What every response carries and every request must respect: security headers (a
Content-Security-Policy that allows nothing but this server and no inline script), request
size limits (413), and a last safety net that answers JSON, never a traceback.

>>> "script-src 'self'" in SECURITY_HEADERS["content-security-policy"]
True
"""

from __future__ import annotations

import json
import logging

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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


class Guard:
    """ASGI middleware: the headers above on every response, size limits, no tracebacks."""

    def __init__(self, app: ASGIApp):
        self.app = app

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
