"""The workbench's API: each endpoint answers what the command line answers (its own JSON, its
own one-line errors), with security headers and size limits; a real server keeps answering
small requests while a heavy one runs, gives up on the heavy one at its time limit, and
survives a killed worker."""

from __future__ import annotations

import concurrent.futures
import json
import math
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import sympy
from starlette.testclient import TestClient

from symnum.cli import main
from symnum.web import create_app
from symnum.web.params import MAX_BODY, MAX_QUERY
from symnum.web.security import allowed_hosts

ROOT = Path(__file__).resolve().parent.parent
WEB = ROOT / "symnum" / "web"


# the app and its worker processes start once per module: one worker runs them
pytestmark = pytest.mark.xdist_group("web_api")


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(timeout=60, workers=2), base_url="http://127.0.0.1:8000") as c:
        yield c


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    """The command line's exit code, stdout and stderr for ``argv``."""
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# (query parameters, the same request on the command line)
DERIVE_CASES = [
    ({"expr": "x^2*sin(y) + exp(x*y)", "steps": "1"},
     ["derive", "x^2*sin(y) + exp(x*y)", "--steps"]),
    ({"expr": "-log(1 + exp(-x))", "order": "3", "at": "x=0.5"},
     ["derive", "-log(1 + exp(-x))", "--order", "3", "--at", "x=0.5"]),
    ({"expr": "x**3*y - y**2*z", "wrt": "x,y", "what": "hessian"},
     ["derive", "x**3*y - y**2*z", "--wrt", "x,y", "--what", "hessian"]),
    ({"expr": "[x*y, x + y, sin(x)]", "wrt": "x y"},
     ["derive", "[x*y, x + y, sin(x)]", "--wrt", "x y"]),
    ({"expr": "x.T*A*x", "wrt": "x", "shape": ["x=n", "A=n,n"], "steps": "tree"},
     ["derive", "x.T*A*x", "--wrt", "x", "--shape", "x=n", "--shape", "A=n,n", "--steps"]),
    ({"expr": r"\frac{1}{1+e^{-x}}", "from": "latex"},
     ["derive", r"\frac{1}{1+e^{-x}}", "--from", "latex"]),
    ({"expr": "x*exp(-x**2)", "steps": "graph", "at": "x=1"},
     ["derive", "x*exp(-x**2)", "--steps", "graph", "--at", "x=1"]),
    ({"expr": "x**2*y**3", "what": "hvp", "vector": "w", "steps": "1"},
     ["derive", "x**2*y**3", "--what", "hvp", "--vector", "w", "--steps"]),
    ({"expr": "x**3*y", "what": "tensor", "order": "3"},  # a derivative tensor: nested lists
     ["derive", "x**3*y", "--what", "tensor", "--order", "3"]),
    ({"expr": "x**2*y**3*z", "wrt": "x,y,y", "steps": "1"},  # a mixed partial, in that order
     ["derive", "x**2*y**3*z", "--wrt", "x,y,y", "--steps"]),
    ({"expr": "exp(x)*sin(y)", "what": "taylor", "at": "x=0,y=pi/2", "order": "3"},
     ["derive", "exp(x)*sin(y)", "--what", "taylor", "--at", "x=0,y=pi/2", "--order", "3"]),
]


@pytest.mark.parametrize("params, argv", DERIVE_CASES, ids=[c[0]["expr"] for c in DERIVE_CASES])
def test_derive_is_the_command_lines_json(client, capsys, params, argv):
    code, out, _ = cli(capsys, *argv, "--format", "json")
    assert code == 0
    answer = client.get("/api/derive", params=params)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/json"
    assert answer.json() == json.loads(out)
    posted = client.post("/api/derive", json=params)  # long expressions: the same as a body
    assert posted.json() == json.loads(out)


def test_graph_is_derive_with_the_backpropagation_steps(client, capsys):
    _, out, _ = cli(capsys, "derive", "sin(x*y) + x", "--steps", "graph", "--at", "x=1,y=2",
                    "--format", "json")
    answer = client.get("/api/graph", params={"expr": "sin(x*y) + x", "at": "x=1,y=2"}).json()
    assert answer == json.loads(out) and answer["graph"]


def test_verify_and_check_mirror_the_command_line_with_their_exit_codes(client, capsys):
    code, out, _ = cli(capsys, "verify", "x*sin(y)", "--points", "2", "--seed", "3",
                       "--format", "json")
    answer = client.get("/api/verify", params={"expr": "x*sin(y)", "points": 2,
                                               "seed": 3}).json()
    assert answer.pop("exit_code") == code == 0
    assert answer.pop("exit_meaning") == _meaning("verify", code)
    assert answer == json.loads(out) and answer["verdict"] == "pass"
    for claimed, expected in (("cos(x) + 1", 0), ("cos(x)", 1)):  # d/dx (sin x + x) = cos x + 1
        code, out, _ = cli(capsys, "check", claimed, "--of", "sin(x) + x", "--format", "json")
        assert code == expected
        answer = client.post("/api/check", json={"claimed": claimed, "of": "sin(x) + x"}).json()
        assert answer.pop("exit_code") == code
        assert answer.pop("exit_meaning") == _meaning("check", code)
        assert answer == json.loads(out) and answer["correct"] is (code == 0)


def test_unknown_functions_through_the_api(client):
    derived = client.get("/api/derive", params={"expr": "f(g(x))", "wrt": "x"}).json()
    latex = derived["latex"].split(" = ", 1)[1]  # f'{\left(g{\left(x \right)} \right)} ...
    for claimed, syntax in ((derived["result"], "plain"), (latex, "latex"),
                            ("f′(g(x))·g′(x)", "plain")):
        answer = client.post("/api/check", json={"claimed": claimed, "of": "f(g(x))",
                                                 "wrt": "x", "from": syntax}).json()
        assert answer["correct"] and "independent unknowns" in answer["evidence"]["statement"]


def _meaning(command: str, code: int) -> str:
    from symnum.web.jobs import EXIT_MEANINGS
    return EXIT_MEANINGS[command][code]


BAD = [
    ("derive", {"expr": "x +"}, ["derive", "x +"]),
    ("derive", {"expr": "x**2", "what": "curl"}, ["derive", "x**2", "--what", "curl"]),
    ("derive", {"expr": "x**2", "at": "y=1"}, ["derive", "x**2", "--at", "y=1"]),
    ("derive", {"expr": "x**2", "order": "two"}, ["derive", "x**2", "--order", "two"]),
    ("derive", {"wrt": "x"}, ["derive", "--wrt", "x"]),
    ("verify", {"expr": "x", "points": "0"}, ["verify", "x", "--points", "0"]),
    ("check", {"claimed": "2*x", "of": "x**2", "shape": ["x=0"]},
     ["check", "2*x", "--of", "x**2", "--shape", "x=0"]),
    ("derive", {"expr": r"\frac{1}{", "from": "latex"}, ["derive", r"\frac{1}{", "--from",
                                                          "latex"]),
]


@pytest.mark.parametrize("endpoint, params, argv", BAD, ids=[str(b[1]) for b in BAD])
def test_bad_input_is_a_400_with_the_command_lines_message(client, capsys, endpoint, params,
                                                          argv):
    code, _, err = cli(capsys, *argv)
    assert code == 2 and err.startswith("error: ")
    answer = client.get(f"/api/{endpoint}", params=params)
    assert answer.status_code == 400
    assert answer.json() == {"error": err.removeprefix("error: ").strip()}


def test_malformed_requests_say_what_is_wrong(client):
    unknown = client.get("/api/derive", params={"expr": "x", "format": "text"})
    assert unknown.status_code == 400 and "'format'" in unknown.json()["error"]
    not_json = client.post("/api/derive", content=b"expr=x")
    assert not_json.status_code == 400 and "JSON object" in not_json.json()["error"]
    nested = client.post("/api/derive", json={"expr": {"a": 1}})
    assert nested.status_code == 400 and "expr" in nested.json()["error"]
    twice = client.get("/api/derive?expr=x&expr=y")
    assert twice.status_code == 400 and "once" in twice.json()["error"]
    assert client.get("/api/nothing").status_code == 404
    assert client.delete("/api/derive").status_code == 405


def test_the_api_lists_its_endpoints_and_each_names_its_parameters(client):
    listed = client.get("/api").json()["endpoints"]
    assert {"/api/derive", "/api/verify", "/api/check", "/api/plot"} <= set(listed)
    routes = {r.path for r in client.app.routes if getattr(r, "path", "").startswith("/api/")}
    assert routes <= set(listed), f"routes /api does not list: {routes - set(listed)}"
    for path, names in listed.items():
        if names:
            answer = client.get(path, params={"nonsense": "1"})
            assert answer.status_code == 400
            assert answer.json()["error"].endswith("it takes " + ", ".join(names))


def test_too_large_requests_are_refused_before_any_work(client):
    body = json.dumps({"expr": "x+" * (MAX_BODY // 2)}).encode()
    posted = client.post("/api/derive", content=body,
                         headers={"content-type": "application/json"})
    assert posted.status_code == 413 and "KiB" in posted.json()["error"]
    long_query = client.get("/api/derive", params={"expr": "x+" * (MAX_QUERY // 2)})
    assert long_query.status_code == 413 and "POST" in long_query.json()["error"]


def test_every_response_carries_the_security_headers(client):
    for path in ("/", "/api/derive?expr=x", "/api/derive?expr=x%2B", "/nothing",
                 "/catalog/square"):
        headers = client.get(path, follow_redirects=False).headers
        csp = dict(part.strip().split(" ", 1) for part in headers["content-security-policy"]
                   .split(";"))
        assert csp["default-src"] == "'self'" and csp["script-src"] == "'self'"
        assert "unsafe-inline" not in csp["script-src"] and "unsafe-eval" not in csp[
            "script-src"]
        assert csp["object-src"] == "'none'" and csp["frame-ancestors"] == "'none'"
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"


LOCAL = ["localhost", "localhost:8000", "LOCALHOST:8000", "127.0.0.1", "127.0.0.1:8000",
         "[::1]", "[::1]:8000"]
FOREIGN = ["attacker.example", "attacker.example:8000", "localhost.attacker.example",
           "127.0.0.1.nip.io:8000", "127.0.0.2", "[::2]:8000", "0.0.0.0:8000"]


def host_status(hosts: frozenset[str] | None, host: str, path: str = "/api") -> httpx.Response:
    """The answer to GET ``path`` addressed to ``host`` (no workers needed for /api)."""
    return TestClient(create_app(hosts=hosts), base_url=f"http://{host}").get(path)


@pytest.mark.parametrize("host", LOCAL)
def test_requests_addressed_to_this_computer_are_answered(host):
    assert host_status(None, host).status_code == 200


@pytest.mark.parametrize("host", FOREIGN)
def test_requests_addressed_to_another_name_are_refused_as_dns_rebinding(host):
    # a page of attacker.example whose name now resolves to 127.0.0.1 sends its own Host
    answer = host_status(None, host, "/api/derive?expr=x")
    assert answer.status_code == 400
    assert answer.headers["content-type"] == "application/json"
    message = answer.json()["error"]
    assert list(answer.json()) == ["error"] and "\n" not in message
    assert "--allow-host" in message and repr(host) in message
    assert answer.headers["x-frame-options"] == "DENY"  # refused, still with the headers


def test_allow_host_adds_names_and_a_wildcard_bind_accepts_addresses():
    mine = allowed_hosts("127.0.0.1", ["box.lan", "Other.LAN:9000"])
    assert host_status(mine, "box.lan:8000").status_code == 200
    assert host_status(mine, "other.lan").status_code == 200
    assert host_status(mine, "attacker.example").status_code == 400
    everywhere = allowed_hosts("0.0.0.0")  # reached from the network by its IP address
    assert host_status(everywhere, "192.168.1.20:8000").status_code == 200
    assert host_status(everywhere, "[fe80::1]:8000").status_code == 200
    assert host_status(everywhere, "attacker.example").status_code == 400
    assert host_status(allowed_hosts("127.0.0.1", ["*"]), "any.name").status_code == 200
    assert host_status(allowed_hosts("192.168.1.20"), "192.168.1.20:80").status_code == 200
    assert host_status(allowed_hosts("192.168.1.20"), "192.168.1.21:80").status_code == 400


def test_allow_host_is_documented_and_a_malformed_one_is_an_option_error(capsys):
    from symnum.web.__main__ import main as serve_main

    assert serve_main(["--port", "0", "--allow-host", "http://box.lan/"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --allow-host needs a host name") and err.count("\n") == 1
    for run in (lambda: serve_main(["--help"]), lambda: main(["serve", "--help"])):
        with pytest.raises(SystemExit):
            run()
        assert "--allow-host NAME" in " ".join(capsys.readouterr().out.split())
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "--allow-host" in readme


def test_the_page_echoes_user_text_only_escaped(client):
    page = client.get("/", params={"expr": "<script>alert(1)</script>", "wrt": '"><img>'})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "<script>alert" not in page.text and '"><img>' not in page.text


def test_the_catalog_lists_entries_with_permalinks(client, capsys):
    _, out, _ = cli(capsys, "catalog", "--format", "json")
    keys = [e["key"] for e in json.loads(out)["entries"]]
    entries = client.get("/api/catalog").json()
    assert [e["id"] for e in entries] == keys
    chosen = entries[:: max(1, len(entries) // 6)] + [e for e in entries if e["shapes"]][:2]
    for entry in chosen + [e for e in entries if e["claim"]][:2]:
        answer = client.get(entry["url"], follow_redirects=False)
        if entry["expr"] is None:
            assert answer.status_code == 404
            continue
        assert answer.status_code == 302
        target = urlsplit(answer.headers["location"])
        assert target.path == "/"
        query = parse_qs(target.query)
        assert query["expr"] == [entry["expr"]] and query.get("shape", []) == entry["shapes"]
        assert query.get("wrt") == ([entry["wrt"]] if entry["wrt"] else None)
        assert query.get("claim") == ([entry["claim"]] if entry["claim"] else None)
        assert client.get(answer.headers["location"]).status_code == 200
    assert client.get("/catalog/no-such-entry").status_code == 404


def test_parse_typesets_what_it_read(client):
    answer = client.get("/api/parse", params={"expr": r"\frac{1}{1+e^{-x}}", "from": "latex"})
    data = answer.json()
    x = sympy.Symbol("x", real=True)
    read = sympy.parse_expr(data["text"], local_dict={"x": x})
    assert sympy.simplify(read - 1 / (1 + sympy.exp(-x))) == 0
    assert r"\frac" in data["latex"]
    assert client.get("/api/parse", params={"expr": "sin(x"}).status_code == 400


TYPED = [("log(1+exp(-x**2))/sqrt(x**2+1)", "plain", []),
         (r"\frac{1}{1+e^{-x}}\cdot\sqrt{x^{2}+1}", "latex", []),
         ("x.T*A*x + sigmoid(w.T*x)", "plain", ["x=n", "A=n,n", "w=n"])]


@pytest.mark.parametrize("expr, syntax, shapes", TYPED, ids=[t[1] for t in TYPED])
def test_the_preview_waits_for_text_still_being_typed(client, expr, syntax, shapes):
    # every prefix typed on the way to a formula is a 200: read, or waiting with a box
    waited = 0
    for end in range(1, len(expr) + 1):
        params = {"expr": expr[:end], "from": syntax, "shape": shapes}
        answer = client.get("/api/parse", params=params | {"partial": "1"})
        assert answer.status_code == 200, (expr[:end], answer.text)
        data = answer.json()
        if not data["complete"]:
            waited += 1
            assert data["message"].startswith("waiting for"), data
            assert client.get("/api/parse", params=params).status_code == 400  # the API's own
    assert waited >= 8 and data["complete"] and "square" not in data["latex"]
    whole = client.get("/api/parse", params={"expr": expr, "from": syntax, "shape": shapes})
    assert data["latex"] == whole.json()["latex"]


@pytest.mark.parametrize("expr, latex, waits", [
    ("sin(", r"\sin{\left(\square \right)}", "the rest of the formula, then ')'"),
    ("x**", r"x^{\square}", "the rest of the formula"),
    ("log(1+exp(-x", r"\log{\left(1 + e^{- x} \right)}", "'))'"),
])
def test_a_waiting_preview_shows_a_box_where_the_rest_will_come(client, expr, latex, waits):
    data = client.get("/api/parse", params={"expr": expr, "partial": "1"}).json()
    assert data == {"latex": latex, "text": data["text"], "complete": False,
                    "message": "waiting for " + waits}


@pytest.mark.parametrize("expr, message", [
    ("foo(x)", "unknown function 'foo'"), ("foo(", "unknown function 'foo'"),
    ("sin(x))", "unmatched ')'"), ("x +* 2", "invalid syntax")])
def test_the_preview_still_calls_real_errors_errors(client, expr, message):
    answer = client.get("/api/parse", params={"expr": expr, "partial": "1"})
    assert answer.status_code == 400 and message in answer.json()["error"]
    assert client.get("/api/parse", params={"expr": "x", "partial": "maybe"}).status_code == 400


@pytest.mark.parametrize("expr, wrt, shapes", [
    ("1/(1+exp(-w.T*x))", "w", ["w=n", "x=n"]),
    ("-y.T*log(softmax(z))", "z", ["y=n", "z=n"]),
])
def test_the_preview_of_matrix_input_is_typeset_as_the_result_shows_f(client, expr, wrt, shapes):
    # the preview showed e^{tr(- w^{T} x)} over a result reading e^{- w^⊤ x}
    preview = client.get("/api/parse", params={"expr": expr, "shape": shapes}).json()["latex"]
    derived = client.get("/api/derive", params={"expr": expr, "wrt": wrt,
                                                "shape": shapes}).json()["latex"]
    assert "^{T}" not in preview and "tr" not in preview
    assert preview in derived


def test_plots_are_svg_images_that_reference_nothing_outside(client):
    one = client.get("/api/plot", params={"expr": "x^3 - 3*x", "xmin": -2, "xmax": 2})
    two = client.get("/api/plot", params={"expr": "x^2 + 3*y^2", "start": "2,1", "lr": 0.1,
                                           "iters": 20})
    for answer in (one, two):
        assert answer.status_code == 200
        assert answer.headers["content-type"] == "image/svg+xml"
        text = answer.text
        assert "<svg" in text and "<script" not in text
        assert not re.findall(r"(?:href|src)=\"(?!#)[^\"]*\"", text.replace(
            'xmlns:xlink="http://www.w3.org/1999/xlink"', ""))
    assert "gradient descent" in two.text or two.text.count("<path") > one.text.count("<path")
    bad = client.get("/api/plot", params={"expr": "x^2", "xmin": 3, "xmax": 1})
    assert bad.status_code == 400 and "xmin" in bad.json()["error"]


@pytest.mark.parametrize("xmin, xmax", [(-1e308, 1e308), (-1.7e308, 1e308), (1e300, 1e300)])
def test_a_plot_range_float64_cannot_span_is_a_400_in_words(client, xmin, xmax):
    answer = client.get("/api/plot", params={"expr": "x^2", "xmin": xmin, "xmax": xmax})
    assert answer.status_code == 400 and "xmin" in answer.json()["error"]


@pytest.mark.parametrize("params, words", [
    ({"expr": "floor(x)", "at": "x=1"}, "f jumps from 0 to 1 along x"),
    ({"expr": "ceiling(x)", "at": "x=2"}, "f jumps from 2 to 3 along x"),
    ({"expr": "log(x)", "at": "x=-1"}, "outside the domain of log(x)"),
])
def test_verify_where_no_derivative_exists_answers_a_verdict(client, capsys, params, words):
    answer = client.get("/api/verify", params=params)
    assert answer.status_code == 200
    data = answer.json()
    assert data["verdict"] == "inconclusive" and words in data["undefined"]
    assert data["exit_code"] == 0
    code, out, _ = cli(capsys, "verify", params["expr"], "--at", params["at"], "--format",
                       "json")
    assert code == 0 and json.loads(out)["summary"] == data["summary"]


@pytest.mark.parametrize("expr", ["sign(x)", "sign(x)*x"])
@pytest.mark.parametrize("steps", ["1", "graph"])
def test_steps_of_sign_are_answered(client, expr, steps):
    answer = client.get("/api/derive", params={"expr": expr, "wrt": "x", "steps": steps})
    assert answer.status_code == 200, answer.text
    assert answer.json()["graph" if steps == "graph" else "steps"]


def test_export_is_the_command_lines_module_and_it_runs(client, capsys):
    params = {"expr": "x*sin(y)", "wrt": "x,y", "to": "numpy", "name": "grad"}
    code, out, _ = cli(capsys, "export", "x*sin(y)", "--wrt", "x,y", "--to", "numpy", "--name",
                       "grad")
    assert code == 0
    answer = client.get("/api/export", params=params)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/x-python")
    assert answer.text == out
    namespace: dict = {}
    exec(compile(answer.text, "<export>", "exec"), namespace)  # the user's own module
    value = [float(v) for v in namespace["grad"](1.5, 0.7)]
    assert value == pytest.approx([math.sin(0.7), 1.5 * math.cos(0.7)], rel=1e-14)
    bad = client.get("/api/export", params={**params, "to": "fortran"})
    assert bad.status_code == 400 and "fortran" in bad.json()["error"]
    assert client.get("/api/export", params={**params, "order": "1"}).text == out
    third = client.get("/api/export", params={**params, "order": "3"})
    assert third.status_code == 400 and "order 3" in third.json()["error"]


def test_nothing_the_page_loads_comes_from_elsewhere():
    pattern = re.compile(r"""(?:src|href|action)\s*=\s*["']?\s*(?:https?:)?//|"""
                         r"""url\(\s*["']?\s*(?:https?:)?//|@import\s+["']?(?:https?:)?//""",
                         re.IGNORECASE)
    files = [p for p in list((WEB / "templates").rglob("*")) + list((WEB / "static").rglob("*"))
             if p.suffix in (".html", ".css", ".js", ".svg")]
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        assert not pattern.search(text), f"{path.name} loads something from another server"


@pytest.mark.process
def test_a_job_past_its_memory_allowance_is_a_503_and_retires_its_worker():
    code = ("import json, sys; from symnum.web.jobs import execute; "
            "from symnum.web.limits import Limits; from symnum.service import VerifyRequest; "
            "print(json.dumps(execute('verify', VerifyRequest('sin(x)*y'), Limits(60, 2**20))))"
            )  # 1 MiB more: torch alone needs far more
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, timeout=120)
    assert proc.stdout.strip(), (proc.returncode, proc.stderr[-2000:])
    status, media, body, retire = json.loads(proc.stdout)
    assert (status, media, retire) == (503, "application/json", True)
    assert json.loads(body) == {"error": "ran out of memory (the server's limit is 1M per "
                                         "request; start it with --memory to allow more)"}


@pytest.mark.process
def test_the_forking_process_warms_up_without_jax():
    # A child forked from a process in which JAX has run can deadlock on its first JAX call:
    # every verification on such a worker hung until its time limit.
    code = ("import os, sys; os.environ['SYMNUM_WARM_WORKERS'] = '1'; import symnum.web.warmup; "
            "from symnum.verification import verify; "
            "print('jax' in sys.modules, os.environ.get('SYMNUM_NO_JAX'), "
            "'jax' in verify.available_methods())")
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.pop("SYMNUM_NO_JAX", None)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, timeout=120)
    assert proc.stdout.split() == ["False", "None", "True"], proc.stderr[-2000:]


# --- a real server --------------------------------------------------------------------------

HEAVY = {"expr": "exp(sin(x)**3*cos(x)**5)*log(1 + x**2)**7", "order": 20}  # minutes of work


@pytest.fixture(scope="module")
def server():
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    process = subprocess.Popen(
        [sys.executable, "-m", "symnum", "serve", "--port", "0", "--timeout", "4",
         "--workers", "3"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env,
        start_new_session=True)
    try:
        line = process.stdout.readline()
        url = re.search(r"http://\S+", line).group(0).rstrip("/")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # the workers are ready once parse answers
            try:
                if httpx.get(f"{url}/api/parse", params={"expr": "x"}, timeout=30).is_success:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        yield process, url
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        process.stdout.close()


@pytest.mark.process
def test_the_real_server_refuses_a_rebound_host_name(server):
    _, url = server
    port = urlsplit(url).port
    assert httpx.get(f"{url}/api", headers={"Host": f"localhost:{port}"}).status_code == 200
    refused = httpx.get(f"{url}/api/derive", params={"expr": "x"},
                        headers={"Host": f"attacker.example:{port}"})
    assert refused.status_code == 400 and "--allow-host attacker.example" in refused.json()[
        "error"]


@pytest.mark.process
def test_small_requests_are_answered_while_a_heavy_one_runs(server):
    _, url = server
    quiet = [_timed(httpx.get, f"{url}/api/derive", params={"expr": f"x**{k}*cos(x)"},
                    timeout=30) for k in range(5)]
    # Under 1 s, as promised; on a machine loaded by other work, a few times the same requests
    # without the heavy one, but never the wait for the heavy one to be cut (over 3.5 s).
    bound = min(max(1.0, 4 * max(quiet)), 3.0)
    heavy: dict = {}

    def run_heavy() -> None:
        start = time.monotonic()
        heavy["answer"] = httpx.get(f"{url}/api/derive", params=HEAVY, timeout=60)
        heavy["seconds"] = time.monotonic() - start

    thread = threading.Thread(target=run_heavy)
    thread.start()
    time.sleep(0.3)  # the heavy request holds a worker
    times = []
    for k in range(20):
        start = time.monotonic()
        answer = httpx.get(f"{url}/api/derive", params={"expr": f"x**{k + 2}*sin(x)"},
                           timeout=30)
        times.append(time.monotonic() - start)
        assert answer.status_code == 200
        x = sympy.Symbol("x")
        exact = sympy.diff(x ** (k + 2) * sympy.sin(x), x)
        assert sympy.simplify(sympy.sympify(answer.json()["result"]) - exact) == 0
    thread.join()
    assert max(times) < bound, (times, quiet)
    assert heavy["answer"].status_code == 503
    assert "gave up after 4 s" in heavy["answer"].json()["error"]
    assert 4 <= heavy["seconds"] < 15


@pytest.mark.process
def test_the_server_survives_killed_and_stuck_workers(server):
    process, url = server
    for pid in _workers(process.pid):  # killed (by the OOM killer, or a person)
        os.kill(pid, signal.SIGKILL)
    answer = httpx.get(f"{url}/api/derive", params={"expr": "x**2"}, timeout=30)
    assert answer.status_code == 200 and answer.json()["result"] == "2*x"
    stuck = _workers(process.pid)  # stuck where no signal handler runs (as in native code)
    for pid in stuck:
        os.kill(pid, signal.SIGSTOP)
    with concurrent.futures.ThreadPoolExecutor(len(stuck)) as pool:
        answers = list(pool.map(lambda k: httpx.get(
            f"{url}/api/derive", params={"expr": f"x**{k + 2}"}, timeout=30), range(len(stuck))))
    assert [a.status_code for a in answers] == [503] * len(stuck)
    assert all("gave up after 4 s" in a.json()["error"] for a in answers)
    start = time.monotonic()
    answer = httpx.get(f"{url}/api/derive", params={"expr": "x**3"}, timeout=30)
    assert answer.status_code == 200 and answer.json()["result"] == "3*x**2"
    assert time.monotonic() - start < 5
    assert process.poll() is None


@pytest.mark.process
def test_an_abandoned_request_stops_its_worker(server):
    process, url = server
    before = set(_workers(process.pid))
    start = time.monotonic()
    with pytest.raises(httpx.ReadTimeout):  # the page sent a newer request and gave this up
        httpx.get(f"{url}/api/derive", params=HEAVY, timeout=0.5)
    while set(_grandchildren(process.pid)) >= before and time.monotonic() - start < 10:
        time.sleep(0.05)
    assert time.monotonic() - start < 3.0  # stopped, long before its 4 s limit would
    answer = httpx.get(f"{url}/api/derive", params={"expr": "x**4"}, timeout=30)
    assert answer.status_code == 200 and answer.json()["result"] == "4*x**3"


def _timed(call, *args, **kwargs) -> float:
    start = time.monotonic()
    assert call(*args, **kwargs).status_code == 200
    return time.monotonic() - start


def _workers(server: int, count: int = 3) -> list[int]:
    """The server's worker processes, once there are ``count`` of them."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        workers = _grandchildren(server)  # the server forks workers through a forkserver
        if len(workers) == count:
            time.sleep(0.3)
            if _grandchildren(server) == workers:
                return workers
        time.sleep(0.1)
    raise AssertionError(f"the server does not have {count} workers: {_grandchildren(server)}")


def _grandchildren(pid: int) -> list[int]:
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    children = {p for p, parent in parents.items() if parent == pid}
    return sorted(p for p, parent in parents.items() if parent in children)


def test_derive_takes_the_layout_of_a_matrix_jacobian(client):
    params = {"expr": "W*x", "wrt": "W", "shape": ["W=m,n", "x=n"]}
    answer = client.get("/api/derive", params={**params, "layout": "denominator"})
    assert answer.status_code == 200, answer.text
    data = answer.json()
    assert data["layout"] == "denominator" and data["result"] == \
        "KroneckerProduct(x, Identity(m))" and len(data["forms_latex"]) == 2
    assert client.get("/api/derive", params=params).json()["layout"] == "numerator"
    bad = client.get("/api/derive", params={**params, "layout": "sideways"})
    assert bad.status_code == 400 and "layout" in bad.json()["error"]
