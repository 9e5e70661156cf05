"""A request's parameters (query string or JSON body, the same names) checked and turned into
a job: the command line's arguments for derive, verify, check, graph and export, plain values
for the others.

>>> job_for("derive", {"expr": "-sin(x)", "shape": ["x=n"], "steps": "1"})
('cli', {'argv': ['derive', '--format=json', '--shape=x=n', '--steps=tree', '--', '-sin(x)']})
>>> job_for("check", {"claimed": "2*x", "of": "x**2"})
('cli', {'argv': ['check', '--format=json', '--of=x**2', '--', '2*x']})
"""

from __future__ import annotations

import json
from typing import Any

from ..core.errors import SymnumError

MAX_BODY = 256 * 2**10  # bytes of a request body (the parser reads up to 200,000 characters)
MAX_QUERY = 16 * 2**10  # bytes of a query string (longer expressions: POST a JSON body)
REPEATABLE = frozenset({"shape"})

# endpoint -> (the CLI command, its positional parameter, the parameters it accepts); each
# parameter is the CLI option of the same name (`from` is --from, `steps` is --steps).
COMMANDS = {
    "derive": ("derive", "expr", ("wrt", "what", "order", "shape", "dims", "from", "at",
                                  "seed", "steps")),
    "verify": ("verify", "expr", ("wrt", "what", "order", "shape", "dims", "from", "at",
                                  "seed", "points")),
    "check": ("check", "claimed", ("of", "wrt", "what", "order", "shape", "from", "seed")),
    "graph": ("derive", "expr", ("wrt", "at", "from")),
    "export": ("export", "expr", ("wrt", "what", "order", "shape", "from", "to", "name")),
}
TEXT_COMMANDS = ("export",)  # answer Python source, not JSON: no --format
# endpoints computed by a job of their own: endpoint -> the parameters it accepts
OTHERS = {
    "parse": ("expr", "from", "shape"),
    "plot": ("expr", "wrt", "from", "xmin", "xmax", "start", "lr", "iters"),
}
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
    ['claimed', 'of', 'wrt', 'what', 'order', 'shape', 'from', 'seed']
    """
    found = {f"/api/{name}": [positional, *names] for name, (_, positional, names)
             in COMMANDS.items()}
    found.update({f"/api/{name}": list(names) for name, names in OTHERS.items()})
    return found | {"/api/catalog": [], "/catalog/{id}": []}


def job_for(endpoint: str, params: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The job computing ``endpoint`` for ``params``: ``(kind, payload)``."""
    known = endpoints()[f"/api/{endpoint}"]
    unknown = sorted(set(params) - set(known))
    if unknown:
        raise BadRequest(f"unknown parameter {unknown[0]!r} for /api/{endpoint}; it takes "
                         + ", ".join(known))
    if endpoint not in COMMANDS:
        return endpoint, params
    command, positional, _ = COMMANDS[endpoint]
    argv = [command] if endpoint in TEXT_COMMANDS else [command, "--format=json"]
    if endpoint == "graph":
        argv.append("--steps=graph")
    for name in COMMANDS[endpoint][2]:
        if name not in params:
            continue
        if name == "order" and endpoint in TEXT_COMMANDS:  # the page sends its order along
            if params[name].strip() != "1":
                raise BadRequest(f"export writes first derivatives (or a Hessian with "
                                 f"what=hessian), not order {params[name].strip()}")
            continue
        if name == "steps":
            key = params[name].strip().lower()
            steps = STEPS.get(key, params[name])  # anything else: the CLI names the choices
            if steps is not None:
                argv.append(f"--steps={steps}")
            continue
        values = params[name] if name in REPEATABLE else [params[name]]
        argv += [f"--{name}={v}" for v in values]
    if positional in params:  # after '--': an expression may start with '-'
        argv += ["--", params[positional]]
    return "export" if endpoint in TEXT_COMMANDS else "cli", {"argv": argv}
