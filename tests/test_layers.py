"""The house: folders are capabilities, imports point down a layer, and nothing goes round.

Reads every module's imports (at module level and inside functions) from its syntax tree, so
an import hidden in a function body counts like any other.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "symnum"

# The one statement of the layer order: a module may import from its own folder and from
# folders to its left, never to its right.
LAYERS = ["core", "steps", "kernels", "matrix", "export", "verification", "check", "analysis",
          "api", "chapter", "shell"]
SHELL = ("cli", "web")  # the command line and the web page: both only call down
# Calls up a layer that are allowed, each a thin late-bound convenience for users.
ALLOWED_UP = {
    ("symnum.core.function", "steps"),           # Function.steps()
    ("symnum.core.function", "kernels"),         # Function.kernel()
    ("symnum.core.function", "matrix"),          # Function.differentiate() of matrix input
    ("symnum.core.function", "verification"),    # Function.verify()
    ("symnum.core.function", "analysis"),        # Function.graph(), .plot(), .critical_points()
    ("symnum.core.calculus", "kernels"),         # Result.at() with arrays
}
MAX_LINES = 500


def _layer(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1 or parts[1] == "__main__" or len(parts) == 2 and parts[1] not in LAYERS:
        return "shell"
    return "shell" if parts[1] in SHELL else parts[1]


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _imports(module: str, path: Path, known: set[str]) -> set[str]:
    """symnum modules that ``module`` imports, anywhere in its body."""
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    targets = set()
    for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            candidates = [source] + [f"{source}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            candidates = [a.name for a in node.names]
        else:
            continue
        for name in candidates:
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name.startswith("symnum") and name != module:
                targets.add(name)
    return targets


def _runtime_nodes(tree: ast.AST):
    """Every node, except the bodies of ``if TYPE_CHECKING:`` (imports for annotations only)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and getattr(child.test, "id", "") == "TYPE_CHECKING":
                stack.extend(child.orelse)
                continue
            stack.append(child)


MODULES = _modules()
GRAPH = {m: _imports(m, p, set(MODULES)) for m, p in MODULES.items()}


def _upward(source: str, target: str) -> bool:
    a, b = _layer(source), _layer(target)
    if (source, b) in ALLOWED_UP:
        return False
    # a package's __init__ re-exports its own modules; the top package re-exports the API
    return LAYERS.index(b) > LAYERS.index(a)


def test_every_module_sits_in_a_capability_folder():
    loose = [m for m in MODULES if m.count(".") == 1 and m.split(".")[1]
             not in ("api", "__main__") + SHELL + tuple(LAYERS)]
    assert not loose, f"modules outside a folder: {loose}"


def test_imports_only_point_down_a_layer():
    upward = sorted((s, t) for s, targets in GRAPH.items() for t in targets if _upward(s, t))
    assert not upward, "imports that point up a layer:\n" + "\n".join(
        f"  {s} -> {t}" for s, t in upward)


def test_no_import_cycles_between_folders_or_modules():
    # the allowed upward calls are the only edges that may close a circle
    edges = {s: {t for t in targets if (s, _layer(t)) not in ALLOWED_UP}
             for s, targets in GRAPH.items()}
    # a package's __init__ that re-exports its modules is not a cycle with them
    for s in edges:
        edges[s] = {t for t in edges[s] if not (MODULES[t].name == "__init__.py"
                                                and s.startswith(t + "."))}
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                cycle = stack[stack.index(nxt):] + [nxt]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for module in sorted(edges):
        if module not in state:
            visit(module)


def test_the_layer_test_sees_imports_inside_functions():
    source = GRAPH["symnum.core.function"]
    assert any(t.startswith("symnum.verification") for t in source)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_over_500_lines(module):
    lines = MODULES[module].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{module} has {lines} lines"


FOLDERS = sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists())


def test_every_folder_has_a_place_in_the_layer_order():
    assert set(FOLDERS) <= set(LAYERS) | set(SHELL), set(FOLDERS) - set(LAYERS) - set(SHELL)


@pytest.mark.parametrize("folder", FOLDERS)
def test_each_folder_states_its_job_and_public_names(folder):
    init = PACKAGE / folder / "__init__.py"
    tree = ast.parse(init.read_text(encoding="utf-8"))
    assert ast.get_docstring(tree), f"{folder}/__init__.py has no docstring"
    names = [n for n in tree.body if isinstance(n, ast.Assign)
             and any(getattr(t, "id", "") == "__all__" for t in n.targets)]
    assert names, f"{folder}/__init__.py does not list its public names in __all__"
