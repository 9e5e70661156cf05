"""The service: every operation of symnum as a typed request in and a result out, the one
floor under both front ends (the command line and the web page), which only read their input
into a request and render the result (text, LaTeX, JSON, SVG).

``requests`` (the frozen request dataclasses and their bounds), ``reading`` (expressions and
shapes as the requests give them), ``derive``, ``operations`` (verify, check, critical, plot,
export, parse), ``functions`` (the registry's function list), ``chapter`` (catalog, report,
demo), ``render`` (a result in a format). Time and memory limits are not here: the front ends
set them at the process edge (``symnum.edge``).

>>> render(check(CheckRequest("cos(x)", of="sin(x)")), "json")[:16]
'{"correct": true'
"""

from .chapter import (
    CatalogEntry,
    CatalogListing,
    CatalogRun,
    DemoResult,
    ReportResult,
    catalog,
    demo,
    report,
)
from .derive import DeriveResult, MatrixDeriveResult, derive
from .functions import FunctionList, FunctionsRequest, functions
from .operations import (
    CheckResult,
    CriticalResult,
    ExportResult,
    ParseResult,
    PlotResult,
    VerifyResult,
    check,
    critical,
    export,
    parse,
    plot,
    verify,
)
from .render import Rendered, render
from .requests import (
    CatalogRequest,
    CheckRequest,
    CriticalRequest,
    DemoRequest,
    DeriveRequest,
    ExportRequest,
    ParseRequest,
    PlotRequest,
    ReportRequest,
    RequestError,
    VerifyRequest,
)

__all__ = [
    "DeriveRequest", "VerifyRequest", "CheckRequest", "CriticalRequest", "PlotRequest",
    "ExportRequest", "ParseRequest", "CatalogRequest", "ReportRequest", "DemoRequest",
    "RequestError",
    "DeriveResult", "MatrixDeriveResult", "VerifyResult", "CheckResult", "CriticalResult",
    "PlotResult", "ExportResult", "ParseResult", "CatalogListing", "CatalogEntry",
    "CatalogRun", "ReportResult", "DemoResult",
    "derive", "verify", "check", "critical", "plot", "export", "parse", "catalog", "report",
    "functions", "FunctionsRequest", "FunctionList",
    "demo", "render", "Rendered",
]
