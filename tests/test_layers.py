"""The house: folders are capabilities, imports point down a layer, and nothing goes round.

The held-out check of the ground floor. It reads every import between symnum modules from
the syntax tree (at module level, inside functions and methods, anywhere but an
``if TYPE_CHECKING:`` block, which is for annotations only) and asserts, with no list of
allowed exceptions:

- the import graph has no cycle (every strongly connected component is one module);
- ``symnum.core`` imports nothing outside ``symnum.core``;
- no module imports a layer to its right;
- every module is under 500 lines; every folder's ``__init__`` is a docstring, imports and
  ``__all__``.

A module that imports a package's *name* (``from symnum.core import Function``) depends on
the package's ``__init__``; importing a submodule (``from symnum.kernels.program import
Program``, ``from . import parse``) depends on that submodule and, as Python runs them first,
on the ``__init__`` of each package above it, except the module's own packages (already
running when it is imported).
"""

from __future__ import annotations

import ast
import functools
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "symnum"

# The one statement of the layer order, left (ground floor) to right (the shells): a module
# may import from its own layer and from layers to its left, never to its right. A folder
# ``symnum/<layer>/`` or a module ``symnum/<layer>.py`` is that layer; the top package, its
# ``__main__`` and the shells (``SHELLS``) are the top floor "shell". "edge" (the process
# edges' timers, signals and rlimits) sits under the shells, which share it, and above the
# library, which cannot import it. "batch" (many requests in bulk: read, run under the edge's
# limits on local processes or a Dask cluster, kept resumably, reported) sits on the edge,
# under the shells that call it.
LAYERS = ["core", "steps", "kernels", "matrix", "higher", "export", "verification", "check",
          "analysis", "api", "chapter", "service", "edge", "batch", "shell"]
SHELLS = ("cli", "web")
MAX_LINES = 500
# Folders outside symnum/ that install inside it (pyproject.toml's package-dir), with their
# layer: the catalog's data, read by the chapter that runs it.
MAPPED = {"symnum.derivations": (PACKAGE.parent / "derivations", "chapter")}


def layer(module: str) -> str:
    """The layer a module sits in.

    >>> layer("symnum.core.parse"), layer("symnum.api"), layer("symnum.cli.app"), layer("symnum")
    ('core', 'api', 'shell', 'shell')
    """
    for name, (_, mapped) in MAPPED.items():
        if module == name or module.startswith(name + "."):
            return mapped
    parts = module.split(".")
    if len(parts) == 1 or parts[1] in SHELLS or parts[1] == "__main__":
        return "shell"
    return parts[1]


def _modules() -> dict[str, Path]:
    found = {}
    roots = [("symnum", PACKAGE)] + [(name, folder) for name, (folder, _) in MAPPED.items()]
    for name, root in roots:
        for path in sorted(root.rglob("*.py")):
            parts = [name, *path.relative_to(root).with_suffix("").parts]
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


def _runtime_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node, except the bodies of ``if TYPE_CHECKING:`` (imports for annotations)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            test = getattr(child, "test", None) if isinstance(child, ast.If) else None
            if test is not None and (getattr(test, "id", "") == "TYPE_CHECKING"
                                     or getattr(test, "attr", "") == "TYPE_CHECKING"):
                stack.extend(child.orelse)
                continue
            stack.append(child)


def _known(name: str, known: set[str]) -> str:
    """The longest prefix of the dotted ``name`` that is a symnum module ('' if none)."""
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name


def imports(module: str, path: Path, known: set[str]) -> set[str]:
    """The symnum modules that ``module`` imports, anywhere in its body."""
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    targets: set[str] = set()
    for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            for alias in node.names:
                submodule = f"{source}.{alias.name}"
                targets.add(submodule if submodule in known else _known(source, known))
        elif isinstance(node, ast.Import):
            targets.update(_known(alias.name, known) for alias in node.names)
        elif isinstance(node, ast.Call) and _dynamic_import(node):
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                targets.add(_known(first.value, known))
            elif _may_be_symnum(first, known):
                COMPUTED.append(f"{module}, line {node.lineno}")
    return {t for t in targets if t.startswith("symnum") and t != module}


def _dynamic_import(node: ast.Call) -> bool:
    """``importlib.import_module(...)`` or ``__import__(...)``: an edge when the name is
    written out, else an import the graph cannot see (``COMPUTED``)."""
    func = node.func
    name = getattr(func, "attr", None) or getattr(func, "id", None)
    return name in ("import_module", "__import__") and bool(node.args)


def _may_be_symnum(name: ast.expr, known: set[str]) -> bool:
    """Whether a computed module name may be a symnum module: anything but an f-string whose
    written head names a package outside symnum's modules (the catalog's data,
    ``f"derivations.{part}"``)."""
    if not (isinstance(name, ast.JoinedStr) and name.values
            and isinstance(name.values[0], ast.Constant)):
        return True
    head = str(name.values[0].value).rstrip(".")
    return not head or head.startswith(".") or head in known


COMPUTED: list[str] = []  # imports by a computed name: the graph cannot follow them


def with_packages(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """Add the edges Python adds: importing ``a.b.c`` first runs the ``__init__`` of ``a.b``
    (a package's own modules do not count it: it is already running when they are imported).

    >>> sorted(with_packages({"p.m": {"q.r.s"}, "q.r": set(), "q.r.s": set(), "p": set()})["p.m"])
    ['q.r', 'q.r.s']
    """
    implied: dict[str, set[str]] = {}
    for module, targets in graph.items():
        edges = set(targets)
        for target in targets:
            parts = target.split(".")
            for end in range(2, len(parts)):
                package = ".".join(parts[:end])
                if package in graph and not (module + ".").startswith(package + "."):
                    edges.add(package)
        implied[module] = edges
    return implied


MODULES = _modules()


@functools.cache
def graph() -> dict[str, set[str]]:
    """Every import between symnum modules (and ``COMPUTED`` filled): read when a test first
    asks, not while each test worker collects the suite (it parses every module)."""
    return with_packages({m: imports(m, p, set(MODULES)) for m, p in MODULES.items()})


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's components of ``graph``, each sorted (iterative: no recursion limit).

    >>> strongly_connected({"a": {"b"}, "b": {"a"}, "c": {"a"}})
    [['a', 'b'], ['c']]
    """
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.get(root, ()))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    top = stack.pop()
                    on_stack.discard(top)
                    component.append(top)
                    if top == node:
                        break
                found.append(sorted(component))
    return sorted(found)


def a_cycle(component: list[str], graph: dict[str, set[str]]) -> list[str]:
    """One circle through the first module of a strongly connected component, for the message.

    >>> a_cycle(["a", "b", "c"], {"a": {"b"}, "b": {"c"}, "c": {"a"}})
    ['a', 'b', 'c', 'a']
    """
    inside = set(component)
    start = component[0]
    came_from: dict[str, str] = {}
    frontier = [start]
    while frontier:  # breadth first: the shortest way round
        following = []
        for node in frontier:
            for nxt in sorted(graph[node] & inside):
                if nxt == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(came_from[path[-1]])
                    return [*reversed(path), start]
                if nxt not in came_from:
                    came_from[nxt] = node
                    following.append(nxt)
        frontier = following
    raise AssertionError(f"no circle in {component}")


def test_no_import_cycle_anywhere():
    circles = [c for c in strongly_connected(graph()) if len(c) > 1]
    circles += [[m] for m, targets in graph().items() if m in targets]
    assert not circles, "import cycles (lazy imports included):\n" + "\n".join(
        f"  {len(c)} modules: " + " -> ".join(a_cycle(c, graph())) for c in circles)


def test_no_import_by_a_computed_name():
    graph()  # reading the imports lists the computed ones
    assert not COMPUTED, "imports by a computed name (write the import out):\n  " + \
        "\n  ".join(COMPUTED)


def test_core_imports_nothing_outside_core():
    outside = sorted((s, t) for s, targets in graph().items() if layer(s) == "core"
                     for t in targets if layer(t) != "core")
    assert not outside, "core imports from above it:\n" + "\n".join(
        f"  {s} -> {t}" for s, t in outside)


def test_imports_only_point_down_a_layer():
    upward = sorted((s, t) for s, targets in graph().items() for t in targets
                    if LAYERS.index(layer(t)) > LAYERS.index(layer(s)))
    assert not upward, "imports that point up a layer:\n" + "\n".join(
        f"  {s} ({layer(s)}) -> {t} ({layer(t)})" for s, t in upward)


def test_the_shells_are_siblings_over_the_layers_below():
    """The command line and the web page share the layers below them, not each other."""
    crossing = sorted((s, t) for s, targets in graph().items() for t in targets
                      if len(s.split(".")) > 1 and len(t.split(".")) > 1
                      and s.split(".")[1] in SHELLS and t.split(".")[1] in SHELLS
                      and s.split(".")[1] != t.split(".")[1])
    assert not crossing, "one shell imports another:\n" + "\n".join(
        f"  {s} -> {t}" for s, t in crossing)


def test_every_module_sits_in_a_layer():
    loose = sorted(m for m in MODULES if layer(m) not in LAYERS)
    assert not loose, f"modules outside the layer order {LAYERS}: {loose}"


def test_the_check_sees_imports_inside_functions_and_methods(tmp_path):
    source = "def f():\n    from .kernels import build\n" \
             "class A:\n    def m(self):\n        import symnum.steps.rules\n" \
             "if TYPE_CHECKING:\n    from .analysis import plot\n"
    path = tmp_path / "scratch.py"
    path.write_text(source, encoding="utf-8")
    found = imports("symnum.scratch", path, set(MODULES))
    assert found == {"symnum.kernels.build", "symnum.steps.rules"}


def test_a_circle_is_found_and_printed():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set()}
    circles = [c for c in strongly_connected(graph) if len(c) > 1]
    assert circles == [["a", "b", "c"]]
    assert a_cycle(circles[0], graph) == ["a", "b", "c", "a"]


def test_core_imports_alone():
    """Importing core's Function loads no module above core (the top package ``symnum`` is
    loaded first by Python and must stay light too)."""
    code = ("import sys, symnum.core.function, symnum.core.calculus;"
            "print('\\n'.join(sorted(m for m in sys.modules if m.startswith('symnum'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=PACKAGE.parent).stdout.split()
    above = [m for m in out if m != "symnum" and layer(m) not in ("core", "api")]
    assert not above, f"import symnum.core.function loads {above}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_over_500_lines(module):
    lines = MODULES[module].read_text(encoding="utf-8").count("\n")
    assert lines < MAX_LINES, f"{module} has {lines} lines"


FOLDERS = sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists())


def test_every_folder_has_a_place_in_the_layer_order():
    assert set(FOLDERS) <= set(LAYERS) | set(SHELLS), set(FOLDERS) - set(LAYERS) - set(SHELLS)


INIT_FILES = sorted(str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("__init__.py")
                    if p.parent != PACKAGE)


@pytest.mark.parametrize("init", INIT_FILES)
def test_each_folder_init_is_a_docstring_and_its_public_names(init):
    tree = ast.parse((PACKAGE / init).read_text(encoding="utf-8"))
    assert ast.get_docstring(tree), f"{init} has no docstring"
    names = [n for n in tree.body if isinstance(n, ast.Assign)
             and any(getattr(t, "id", "") == "__all__" for t in n.targets)]
    assert names, f"{init} does not list its public names in __all__"
    other = [type(n).__name__ for n in tree.body[1:] if not isinstance(
        n, ast.Import | ast.ImportFrom) and n not in names]
    assert not other, f"{init} holds code ({other}): put it in a module of the folder"
