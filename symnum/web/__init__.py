"""The workbench: ``symnum serve``, a local web page for deriving, checking and plotting, and
the JSON API under it (``/api/derive``, ``/api/verify``, ``/api/check``, ``/api/parse``,
``/api/graph``, ``/api/plot``, ``/api/catalog``, ``/api/export``), a thin shell like the
command line. ``app`` (routes), ``params`` (requests → jobs), ``jobs`` (what a worker
computes), ``pool`` (worker processes with limits), ``security`` (headers, size limits),
``server`` (uvicorn).
"""

from .app import create_app
from .server import serve

__all__ = ["create_app", "serve"]
