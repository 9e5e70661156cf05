"""A request's parameters (query string or JSON body, the same names) checked and read into
the typed request of :mod:`symnum.service` that computes the endpoint; no command line is
built. Each parameter is named as the command line's option (``from`` is ``--from``), and a
malformed one gets the command line's own message.

>>> request_for("derive", {"expr": "-sin(x)", "shape": ["x=n"], "steps": "1"})
('derive', DeriveRequest(expr='-sin(x)', wrt=None, what=None, order=1, shapes=('x=n',), \
dims=None, at=None, seed=0, steps='tree', syntax='plain', layout=None, implicit=None, \
vector=None))
>>> request_for("check", {"claimed": "2*x", "of": "x**2"})[1].of
'x**2'
"""

from __future__ import annotations

import json
import math
from typing import Any

from ..core.errors import SymnumError

MAX_BODY = 256 * 2**10  # bytes of a request body (the parser reads up to 200,000 characters)
MAX_QUERY = 16 * 2**10  # bytes of a query string (longer expressions: POST a JSON body)
REPEATABLE = frozenset({"shape"})

# endpoint -> (its positional parameter, the parameters it accepts)
COMMANDS = {
    "derive": ("expr", ("wrt", "what", "order", "shape", "dims", "from", "at", "seed",
                        "steps", "layout", "implicit", "vector")),
    "verify": ("expr", ("wrt", "what", "order", "shape", "dims", "from", "at", "seed",
                        "points", "implicit", "vector")),
    "check": ("claimed", ("of", "wrt", "what", "order", "shape", "from", "seed", "implicit",
                         "vector", "at")),
    "graph": ("expr", ("wrt", "at", "from")),
    "export": ("expr", ("wrt", "what", "order", "shape", "from", "to", "name", "vector")),
}
# endpoints with no positional parameter: endpoint -> the parameters it accepts
OTHERS = {
    "parse": ("expr", "from", "shape", "partial"),
    "plot": ("expr", "wrt", "from", "xmin", "xmax", "start", "lr", "iters", "taylor", "at"),
}
INTEGERS = ("order", "seed", "points")
SWITCH = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False,
          "no": False, "off": False}
STEPS = {"1": "tree", "true": "tree", "yes": "tree", "on": "tree", "tree": "tree",
         "graph": "graph", "0": None, "false": None, "no": None, "off": None}


class BadRequest(SymnumError):
    """The request itself is malformed (HTTP 400)."""


class TooLarge(SymnumError):
    """The request is larger than the server accepts (HTTP 413)."""


def from_query(items: list[tuple[str, str]]) -> dict[str, str | list[str]]:
    """Query parameters (``shape`` may repeat); an empty value counts as absent."""
    params: dict[str, Any] = {}
    for name, value in items:
        if name in REPEATABLE:
            params.setdefault(name, [])
            if value.strip():
                params[name].append(value)
        elif name in params:
            raise BadRequest(f"give {name} once")
        elif value.strip():
            params[name] = value
    return params


def from_json(body: bytes) -> dict[str, str | list[str]]:
    """A JSON object body: strings, numbers, booleans, null (absent), a list for ``shape``."""
    if len(body) > MAX_BODY:
        raise TooLarge(f"the request body is larger than {MAX_BODY // 1024} KiB")
    try:
        data = json.loads(body or b"{}")
    except (ValueError, RecursionError):
        raise BadRequest('the body must be a JSON object, like {"expr": "x^2"}') from None
    if not isinstance(data, dict):
        raise BadRequest('the body must be a JSON object, like {"expr": "x^2"}')
    params: dict[str, Any] = {}
    for name, value in data.items():
        if name in REPEATABLE:
            items = value if isinstance(value, list) else [value]
            params[name] = [_text(name, v) for v in items if v is not None and _text(name, v)]
        elif value is not None and _text(name, value).strip():
            params[name] = _text(name, value)
    return params


def _text(name: str, value: object) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, str | int | float):
        return str(value)
    raise BadRequest(f"{name} must be a string or a number, got {type(value).__name__}")


def endpoints() -> dict[str, list[str]]:
    """Each endpoint's parameters (what ``/api`` lists).

    >>> endpoints()["/api/check"]
    ['claimed', 'of', 'wrt', 'what', 'order', 'shape', 'from', 'seed', 'implicit', 'vector', 'at']
    """
    found = {f"/api/{name}": [positional, *names] for name, (positional, names)
             in COMMANDS.items()}
    found.update({f"/api/{name}": list(names) for name, names in OTHERS.items()})
    return found | {"/api/catalog": [], "/api/functions": [], "/catalog/{id}": []}


def request_for(endpoint: str, params: dict[str, Any]) -> tuple[str, Any]:
    """The operation computing ``endpoint`` and its typed request: ``(operation, request)``
    (graph is derive with the backpropagation steps)."""
    from .. import service

    known = endpoints()[f"/api/{endpoint}"]
    unknown = sorted(set(params) - set(known))
    if unknown:
        raise BadRequest(f"unknown parameter {unknown[0]!r} for /api/{endpoint}; it takes "
                         + ", ".join(known))
    if endpoint in OTHERS:
        return endpoint, _other(endpoint, params)
    positional = COMMANDS[endpoint][0]
    missing = [positional] if positional not in params else []
    missing += ["--of"] if endpoint == "check" and "of" not in params else []
    if missing:
        raise BadRequest("the following arguments are required: " + ", ".join(missing))
    given = {_FIELDS.get(name, name): _value(name, value) for name, value in params.items()
             if name != positional}
    if endpoint == "export":
        if given.get("order", 1) != 1 and given.get("what") != "tensor":
            raise BadRequest(f"export writes first derivatives (or a Hessian with "
                             f"what=hessian, a tensor with what=tensor), not order "
                             f"{given['order']}")
        return "export", service.ExportRequest(params["expr"], **given)
    if endpoint == "check":
        return "check", service.CheckRequest(params["claimed"], **given)
    if endpoint == "verify":
        return "verify", service.VerifyRequest(params["expr"], **given)
    if endpoint == "graph":
        given["steps"] = "graph"
    return endpoint, service.DeriveRequest(params["expr"], **given)


_FIELDS = {"from": "syntax", "shape": "shapes"}  # parameter -> the request's field


def _value(name: str, value: Any) -> Any:
    """A parameter's text as the request's field holds it."""
    if name == "shape":
        return tuple(value)
    if name in INTEGERS:
        try:
            return int(value)
        except ValueError:
            raise BadRequest(f"argument --{name}: invalid int value: {value!r}") from None
    if name == "steps":
        key = value.strip().lower()
        return STEPS.get(key, value)  # anything else: the service names the choices
    return value


def _other(endpoint: str, params: dict[str, Any]) -> Any:
    """The request of the live preview (parse) or of a plot."""
    from .. import service

    syntax = params.get("from", "plain")
    if endpoint == "parse":
        partial = SWITCH.get(params.get("partial", "0").strip().lower())
        if partial is None:
            raise BadRequest(f"partial must be 1 or 0, got {params['partial']!r}")
        return service.ParseRequest(params.get("expr") or "", tuple(params.get("shape", [])),
                                    syntax, partial=partial)
    low, high = _number(params, "xmin", -3.0), _number(params, "xmax", 3.0)
    if not low < high:
        raise BadRequest("xmin must be below xmax, like xmin=-3&xmax=3")
    if not math.isfinite(high - low):
        raise BadRequest(f"xmin={low:g} to xmax={high:g} is wider than float64 can span; "
                         "give two finite numbers not that far apart, like xmin=-3&xmax=3")
    descent = _descent(params) if params.get("start") else None
    return service.PlotRequest(params.get("expr") or "", params.get("wrt"), (low, high),
                               descent, None, surface=False, syntax=syntax,
                               taylor=params.get("taylor") or (), at=params.get("at"))


def _number(params: dict[str, Any], name: str, default: float) -> float:
    text = params.get(name)
    if text is None:
        return default
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise BadRequest(f"{name} must be a finite number, got {text!r}")
    return value


def _descent(params: dict[str, Any]) -> Any:
    """Gradient descent from ``start`` (like 2,1) with rate ``lr`` for ``iters`` steps."""
    from ..analysis.plot import Descent

    try:
        start = tuple(float(v) for v in params["start"].replace(":", ",").split(","))
    except ValueError:
        start = ()
    if len(start) != 2 or not all(math.isfinite(v) for v in start):
        raise BadRequest(f"start must be two numbers, like 2,1; got {params['start']!r}")
    lr, iters = _number(params, "lr", 0.1), _number(params, "iters", 30)
    if not 0 < lr < 100 or iters != int(iters) or not 1 <= iters <= 10_000:
        raise BadRequest("lr must be a number in (0, 100) and iters a whole number from 1 "
                         "to 10000")
    return Descent(lr, start, int(iters))
