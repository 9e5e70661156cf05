"""The workbench's web application: the page, its static files, and the JSON API under it.

Routes read the request into a typed request of :mod:`symnum.service`
(:mod:`symnum.web.params`), hand it to a worker process (:mod:`symnum.web.pool`) and answer
what it computed; errors are ``{"error": "<one line>"}`` with 400 (bad input, the same
message as the command line's), 404, 413 (too large), 501 (not available) or 503 (a limit).

>>> [route.path for route in create_app().routes][:5]
['/', '/api', '/static', '/api/catalog', '/api/functions']
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from ..service import FunctionsRequest, functions
from .params import MAX_BODY, BadRequest, TooLarge, endpoints, from_json, from_query, request_for
from .pool import Reply, WorkerPool
from .security import SVG_CSP, Guard

HERE = Path(__file__).resolve().parent
ENDPOINTS = ("derive", "verify", "check", "graph", "parse", "plot", "export")
PARSE_SECONDS = 5.0  # the live preview: a typed expression is read and typeset, no more
POLL_S = 0.25  # how often a computing request looks whether its client is still there


def create_app(timeout: float = 30.0, memory: int | None = 2 * 2**30,
               workers: int | None = None, hosts: frozenset[str] | None = None) -> Starlette:
    """The workbench: ``timeout`` seconds and ``memory`` bytes per request (None: no memory
    limit), ``workers`` processes (default 4 to 8, by the CPU cores); it answers requests
    whose Host is one of ``hosts`` (default: localhost and its addresses, see
    :func:`symnum.web.security.allowed_hosts`) and any other with a 400."""
    import symnum

    pool = WorkerPool(workers, timeout, memory)
    templates = Jinja2Templates(directory=str(HERE / "templates"))

    async def index(request: Request) -> Response:
        return templates.TemplateResponse(request, "index.html", {
            "version": symnum.__version__, "query": dict(request.query_params),
            "functions": functions(FunctionsRequest()).rows})

    def api(endpoint: str):
        async def answer(request: Request) -> Response:
            try:
                kind, job = request_for(endpoint, await _params(request))
            except TooLarge as err:
                return _error(413, str(err))
            except BadRequest as err:
                return _error(400, str(err))
            seconds = PARSE_SECONDS if endpoint == "parse" else None
            reply = await _computed(request, pool, kind, job, seconds)
            if reply is None:
                return _error(503, "the request was abandoned by its client")
            headers = {"content-security-policy": SVG_CSP} if reply.media_type.startswith(
                "image/svg") else None
            return Response(reply.body, reply.status, headers, reply.media_type)
        return answer

    async def api_index(request: Request) -> Response:
        return JSONResponse({"version": symnum.__version__, "endpoints": endpoints()})

    routes = [Route("/", index), Route("/api", api_index),
              Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
              Route("/api/catalog", catalog_list), Route("/api/functions", function_list),
              Route("/catalog/{key}", catalog_page)]
    routes += [Route(f"/api/{e}", api(e), methods=["GET", "POST"]) for e in ENDPOINTS]

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        pool.start_soon()  # the page is served at once; the API waits for the workers
        try:
            yield
        finally:
            await pool.close()

    app = Starlette(routes=routes, middleware=[Middleware(Guard, hosts=hosts)], lifespan=lifespan,
                    exception_handlers={HTTPException: _http_error})
    app.state.pool = pool
    return app


async def _computed(request: Request, pool: WorkerPool, kind: str, job: object,
                    seconds: float | None) -> Reply | None:
    """The pool's reply, or None when the client left first (a page that sent a newer
    request): its worker is then stopped, not left computing for nobody."""
    task = asyncio.ensure_future(pool.run(kind, job, seconds))
    try:
        while True:
            done, _ = await asyncio.wait({task}, timeout=POLL_S)
            if done:
                return task.result()
            if await request.is_disconnected():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
                return None
    except BaseException:
        task.cancel()
        raise


async def _params(request: Request) -> dict:
    if request.method == "GET":
        return from_query(request.query_params.multi_items())
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise TooLarge(f"the request body is larger than {MAX_BODY // 1024} KiB")
    return from_json(bytes(body))


def _error(status: int, message: str) -> Response:
    return JSONResponse({"error": " ".join(message.split())}, status)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    messages = {404: f"nothing at {request.url.path}", 405: f"{request.method} is not "
                f"accepted at {request.url.path}"}
    return _error(exc.status_code, messages.get(exc.status_code, str(exc.detail)))


def _catalog() -> tuple:
    from ..service import CatalogListing, CatalogRequest, catalog
    listing = catalog(CatalogRequest())
    assert isinstance(listing, CatalogListing)
    return listing.entries


def _entry_json(entry) -> dict:
    shapes = [f"{name}={dims}" for name, dims in entry.shapes.items()]
    return {"id": entry.key, "title": entry.title, "part": entry.part,
            "statement": entry.statement, "expr": entry.expr, "wrt": entry.wrt,
            "what": entry.what, "shapes": shapes, "claim": entry.claim,
            "url": f"/catalog/{entry.key}"}


async def function_list(request: Request) -> Response:
    """Every function the page reads, from the function registry (``symnum functions``)."""
    return JSONResponse(functions(FunctionsRequest()).to_json())


async def catalog_list(request: Request) -> Response:
    """``/api/catalog``: the chapter's entries, each with its permalink."""
    return JSONResponse([_entry_json(e) for e in _catalog()])


async def catalog_page(request: Request) -> Response:
    """``/catalog/KEY``: 302 to the entry's permalink (``/?expr=...&wrt=...&what=...``, with
    the chapter's ``claim`` for the page to check)."""
    key = request.path_params["key"]
    entry = next((e for e in _catalog() if e.key == key), None)
    if entry is None:
        return _error(404, f"no catalog entry {key!r}; /api/catalog lists them")
    if entry.expr is None:
        return _error(404, f"catalog entry {key!r} is a study with no expression to derive; "
                           f"`symnum catalog --show {key}` runs it")
    query = [(k, v) for k, v in (("expr", entry.expr), ("wrt", entry.wrt),
                                 ("what", entry.what)) if v]
    query += [("shape", s) for s in _entry_json(entry)["shapes"]]
    if entry.claim:  # the page checks the chapter's own statement of the result
        query.append(("claim", entry.claim))
    return RedirectResponse("/?" + urlencode(query), status_code=302)

