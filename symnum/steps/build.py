"""``Derivation``: the step trees of every entry of a result, and ``derivation`` that builds
them (the folder's public entry, re-exported by :mod:`symnum.steps`).

>>> import symnum
>>> d = derivation(symnum.derive("cos(x**3)"))
>>> d.trees[0].rules()
['chain', 'trig', 'power']
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sympy

from ..core.budget import work_budget
from ..core.calculus import Result, safe_to_simplify
from ..core.derive import differentiate
from ..core.display import bundle, details, math_block
from ..core.errors import SymnumError
from ..core.logistic import to_exponentials
from ..core.registry import BY_NAME
from .derive import derive_steps
from .recognise import named_derivative, named_form, names_in
from .render import inline, tree_json, tree_latex_lines, tree_markdown, tree_text
from .rules import Step

SAME_SIMPLIFY_MAX_OPS = 120  # raw − final is simplified up to this size, else checked at points
SAME_SIMPLIFY_OBJECTS = 50_000  # SymPy objects that simplify may build (work, not time)


@dataclass(frozen=True)
class Derivation:
    """The step trees of a result, one per entry in row-major order.

    For a derivative of order n, ``stages`` holds the derivations of f', f'', ... and
    ``trees`` the last one; a Hessian entry (i, j) continues from gradient entry i.
    """

    result: Result
    trees: tuple[Step, ...]
    labels: tuple[str, ...]
    stages: tuple[Step, ...] = ()

    @property
    def partial(self) -> frozenset:
        f = self.result.function
        several = len(f.variables) > 1 or bool(f.parameters)
        return frozenset(f.variables) if several else frozenset()

    def _sections(self, stage_label: str) -> list[tuple[str, Step]]:
        """(label, tree) pairs: the stages of a higher derivative, else one per entry."""
        if self.stages:
            return [(stage_label.format(k=k), tree) for k, tree in enumerate(self.stages, 1)]
        return list(zip(self.labels, self.trees, strict=True))

    def text(self) -> str:
        """The derivation for a person: each tree, then the simplified result."""
        blocks = []
        for label, tree in self._sections("stage {k}: derivative of order {k}"):
            head = f"{label}\n" if label else ""
            blocks.append(head + tree_text(tree, self.partial)
                          + f"\n   result: {inline(tree.result)}")
        return "\n\n".join(blocks)

    def latex(self) -> str:
        """An align* environment with every step, indented by depth."""
        rows: list[str] = []
        for label, tree in self._sections("derivative of order {k}"):
            if label:
                rows.append(rf"&\text{{{_latex_text(label)}}}")
            rows += tree_latex_lines(tree, self.partial)
        return "\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}"

    def markdown(self) -> str:
        """Markdown for notebooks: nested lists with inline math, each entry's tree folded
        when there are several, then the result as display math."""
        sections = self._sections("stage {k}: derivative of order {k}")
        parts = []
        for k, (label, tree) in enumerate(sections, 1):
            body = tree_markdown(tree, self.partial)
            parts.append(details(label or f"entry {k}", body, open_=k == 1) if len(sections) > 1
                         else body)
        shown = math_block(self.result.latex())
        if shown is not None:
            parts.append(f"**Result**\n\n{shown}")
        return "\n\n".join(parts)

    def to_json(self) -> list[dict[str, Any]]:
        """The ``steps`` list of the JSON contract (each tree's ``label`` names its entry)."""
        return [{**tree_json(t, self.partial), "label": label}
                for t, label in zip(self.trees, self.labels, strict=True)]

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, str]:
        """Jupyter's display: the Markdown derivation (and the text for terminals)."""
        return bundle(self.text(), {"text/markdown": self.markdown()}, include, exclude)

    def __str__(self) -> str:
        return self.text()


def _latex_text(label: str) -> str:
    return (label.replace("∂²", r"$\partial^2$").replace("∂", r"$\partial$")
            .replace("²", "$^2$"))


def derivation(result: Result) -> Derivation:
    """Build the step trees for every entry of ``result`` (for a matrix-notation result,
    :func:`symnum.matrix.steps.matrix_derivation` gives the differential derivation)."""
    if not isinstance(result, Result):
        raise SymnumError(f"steps need a scalar result of symnum.derive, not "
                          f"{type(result).__name__} (matrix notation: Function.steps())")
    f = result.function
    names = [v.name for v in f.variables]
    rooted = _Rooting(getattr(f, "notation", ())).tree
    if result.kind == "derivative":
        x = f.variables[0]
        trees, stages = [], []
        for out, final in zip(f.outputs, result.expanded(), strict=True):
            current = out
            for k in range(1, result.order + 1):
                target = final if k == result.order else \
                    differentiate(_single(current, f), "derivative").expanded()[0]
                tree = rooted(current, x, target)
                stages.append(tree)
                current = target
            trees.append(tree)
        labels = tuple(f"output {m + 1}" if f.is_vector else "" for m in range(len(trees)))
        return Derivation(result, tuple(trees), labels,
                          tuple(stages) if result.order > 1 and not f.is_vector else ())
    full = result.expanded()
    if result.kind == "gradient":
        trees = [rooted(f.expr, v, full[i]) for i, v in enumerate(f.variables)]
        return Derivation(result, tuple(trees), tuple(f"∂f/∂{n}" for n in names))
    if result.kind == "jacobian":
        trees, labels = [], []
        for m, out in enumerate(f.outputs):
            for i, v in enumerate(f.variables):
                trees.append(rooted(out, v, full[m, i]))
                labels.append(f"J[{m + 1},{i + 1}] = ∂f{m + 1}/∂{names[i]}")
        return Derivation(result, tuple(trees), tuple(labels))
    gradient = differentiate(f, "gradient").expanded()
    trees, labels = [], []
    for i in range(len(names)):
        for j, v in enumerate(f.variables):
            trees.append(rooted(gradient[i], v, full[i, j]))
            labels.append(f"H[{i + 1},{j + 1}] = ∂/∂{names[j]} (∂f/∂{names[i]}), where "
                          f"∂f/∂{names[i]} = {inline(gradient[i])}")
    return Derivation(result, tuple(trees), tuple(labels))


def _single(expr: sympy.Expr, f):
    from ..core.function import Function
    return Function(expr, wrt=f.variables)


class _Rooting:
    """The trees of one function, the names it was written with (``Function.notation``)
    kept: sigmoid(x) is derived as σ by σ's rule, softplus(u) by softplus's."""

    def __init__(self, notation: tuple[tuple[sympy.Expr, str, tuple], ...]):
        classes = {built: _as_class(name, args) for built, name, args in notation
                   if _expanded(built, BY_NAME[name].sympy)}
        self.classes = {built: node for built, node in classes.items() if node is not None}
        self.named = frozenset(built for built, _, _ in notation)

    def written(self, expr: sympy.Expr) -> sympy.Expr:
        """``expr`` with each name the parser expanded back as its class: σ(x) for the
        1/(1 + e^(−x)) that sigmoid(x) built (σ(x)² for its square)."""
        if not self.classes or not isinstance(expr, sympy.Expr):
            return expr
        back = expr.subs(self.classes)
        return back if to_exponentials(back) == expr else expr.xreplace(self.classes)

    def tree(self, expr: sympy.Expr, x: sympy.Symbol, final: sympy.Expr) -> Step:
        """The raw tree of the user's own form; then, after it, a 'recognise' step naming
        the textbook functions it writes out (σ, tanh, softplus, ...), or a 'simplify' step
        when the core's readable result only looks different."""
        shown = self.written(expr)
        raw = derive_steps(shown, x, self.named)
        named = named_form(shown, self.named)
        if named is None:
            if raw.result == final:
                return raw
            return Step("simplify", shown, x, final, (raw,), note=f"raw result "
                        f"{inline(raw.result)} simplifies to this ({_same(raw.result, final)})")
        return Step("recognise", shown, x, final, (raw,), let=((named, shown),),
                    note=_recognised(named, x, raw.result, final))


def _as_class(name: str, args: tuple) -> sympy.Expr | None:
    """The name's own class at ``args``; None where the class refuses them because the
    parser built another form for those arguments (root(u, 2) is √u, no real odd root)."""
    try:
        return BY_NAME[name].sympy(*args)
    except (ValueError, TypeError):
        return None


def _expanded(built: sympy.Expr, cls: type | None) -> bool:
    """Whether a name was expanded into other functions (sigmoid, not polygamma)."""
    return cls is not None and not isinstance(built, cls)


def _recognised(named: sympy.Expr, x: sympy.Symbol, raw: sympy.Expr,
                final: sympy.Expr) -> str:
    """The closing note: what each name means, then the derivative in those names."""
    better = named_derivative(named, x, raw, final)
    parts = names_in(named, *([better] if better is not None else []), final)
    said = f"the derivative {inline(raw)}"
    if raw != final:
        said += f" is {inline(final)} ({_same(raw, final)})"
    if better is not None:
        said += f", that is {inline(better)}"
    return "; ".join([*parts, said])


def _same(raw: sympy.Expr, final: sympy.Expr) -> str:
    """Show raw == final: symbolically when cheap, else at random points to 25 digits."""
    difference = to_exponentials(raw) - to_exponentials(final)
    if difference == 0:
        return "shown symbolically"
    if safe_to_simplify(difference, SAME_SIMPLIFY_MAX_OPS):
        with work_budget(SAME_SIMPLIFY_OBJECTS):  # work, never the clock
            if sympy.simplify(difference) == 0:
                return "shown symbolically"
    import numpy as np  # only here: the steps of a command line derive need no numpy
    free = sorted(raw.free_symbols | final.free_symbols, key=lambda s: s.name)
    rng = np.random.default_rng(0)
    checked = 0
    for _ in range(200):
        point = {s: sympy.Float(v, 30) for s, v in zip(free, rng.uniform(-2, 2, len(free)),
                                                       strict=True)}
        try:  # Max/Min refuse a non-real argument: the point is outside f's domain
            a, b = sympy.N(raw.xreplace(point), 25), sympy.N(final.xreplace(point), 25)
        except (ValueError, TypeError):
            continue
        if not (a.is_number and b.is_number and a.is_finite and b.is_finite
                and a.is_extended_real and b.is_extended_real):
            continue  # outside f's real domain (v**x at v < 0): forms may differ there
        if abs(a - b) > 1e-15 * max(1, abs(b)):
            raise SymnumError(f"internal error: the steps give {raw}, the core gives {final}")
        checked += 1
        if checked == 5:
            return "checked at 5 random points"
    return "equal by construction; not evaluable numerically"
