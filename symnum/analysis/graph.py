"""The expression as a computational graph, and backpropagation on it, shown node by node.

Each distinct non-trivial subexpression becomes an intermediate variable v1, v2, ... in
evaluation order (shared subexpressions are one node). The forward pass computes their
values; the backward pass computes adjoints v̄ = ∂f/∂v from the output back, each a sum over
the node's consumers of (consumer's adjoint) × (local partial derivative): the chain rule
as neural networks apply it.

>>> import sympy
>>> x = sympy.Symbol("x", real=True)
>>> g = build_graph(sympy.sin(sympy.exp(x**2)), (x,))
>>> [str(n.definition) for n in g.nodes]
['x**2', 'exp(v1)', 'sin(v2)']
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import sympy
from sympy.matrices.expressions.matexpr import MatrixExpr

from ..core.calculus import partial
from ..core.errors import ShapeError, VariableError
from ..core.evaluate import at_point, name_list, substitution
from ..core.names import fresh_name


@dataclass(frozen=True)
class Node:
    """v = definition (in earlier names), the subexpression it stands for, its inputs."""

    name: sympy.Symbol
    definition: sympy.Expr
    expr: sympy.Expr
    inputs: tuple[sympy.Symbol, ...]


@dataclass(frozen=True)
class Adjoint:
    """v̄ = Σ consumer̄ · ∂consumer/∂v, symbolically (in names) and as a value."""

    name: sympy.Symbol
    terms: tuple[tuple[sympy.Symbol, sympy.Expr], ...]  # (consumer, local partial)
    value: sympy.Expr | None


@dataclass(frozen=True)
class Graph:
    """The graph of a scalar expression in ``variables`` (the others are parameters)."""

    expr: sympy.Expr
    variables: tuple[sympy.Symbol, ...]
    nodes: tuple[Node, ...]
    point: tuple[tuple[str, object], ...] = ()  # where :meth:`at` evaluates the passes

    def at(self, point: Mapping) -> Graph:
        """The same graph with the forward values and adjoints at ``point`` (what the
        notebook display and :meth:`text` show).

        >>> import symnum
        >>> g = symnum.Function("x*y + sin(x)", wrt="x,y").graph().at({"x": 0, "y": 2})
        >>> [float(v) for v in g.gradient()]
        [3.0, 0.0]
        """
        self.forward(point)  # a missing or bad value is an error now, not when shown
        return replace(self, point=tuple((getattr(k, "name", k), v) for k, v in point.items()))

    def _point(self, point: Mapping | None) -> Mapping | None:
        return point if point is not None else (dict(self.point) if self.point else None)

    @property
    def output(self) -> sympy.Symbol:
        return self.nodes[-1].name if self.nodes else self.variables[0]

    def forward(self, point: Mapping) -> dict[sympy.Symbol, sympy.Expr]:
        """Values of inputs and intermediate variables at ``point`` (30 digits)."""
        values = dict(substitution(self.expr.free_symbols | set(self.variables), point))
        missing = sorted(s.name for s in self.expr.free_symbols if s not in values)
        if missing:
            raise VariableError(f"no value given for {name_list(missing)}")
        for node in self.nodes:
            values[node.name] = at_point(node.definition, values)  # x**(10**9) at 2: bounded
        return values

    def backward(self, point: Mapping | None = None) -> list[Adjoint]:
        """Adjoints from the output back to the variables (values when ``point`` given)."""
        values = self.forward(point) if point is not None else None
        consumers: dict[sympy.Symbol, list[Node]] = {}
        for node in self.nodes:
            for name in node.inputs:
                consumers.setdefault(name, []).append(node)
        adjoint_values: dict[sympy.Symbol, sympy.Expr] = {self.output: sympy.S.One}
        sweep = [Adjoint(self.output, (), sympy.S.One if values is not None else None)]
        for name in [n.name for n in reversed(self.nodes[:-1])] + list(self.variables):
            terms = tuple((c.name, partial(c.definition, name)) for c in consumers.get(name, []))
            value = None
            if values is not None:
                value = sympy.N(sum((adjoint_values[c] * at_point(local, values)
                                     for c, local in terms), sympy.S.Zero), 30)
                adjoint_values[name] = value
            sweep.append(Adjoint(name, terms, value))
        return sweep

    def text(self, point: Mapping | None = None) -> str:
        """Forward and backward pass as a table (values at ``point``, or at the point given
        to :meth:`at`)."""
        return graph_text(self, self._point(point))

    def latex(self, point: Mapping | None = None) -> str:
        return graph_latex(self, self._point(point))

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, str]:
        """Jupyter's display: forward values and adjoints as HTML tables."""
        from ..core.display import bundle
        return bundle(self.text(), {"text/html": graph_html(self, self._point(None))},
                      include, exclude)

    def gradient(self, point: Mapping | None = None) -> list[sympy.Expr]:
        """∂f/∂variable for each variable, from the backward sweep."""
        by_name = {a.name: a.value for a in self.backward(self._point(point))}
        return [by_name[v] for v in self.variables]


def build_graph(expr: sympy.Expr, variables: Sequence[sympy.Symbol]) -> Graph:
    """Intermediate variables for every distinct compound subexpression, in evaluation order."""
    if isinstance(expr, sympy.MatrixBase):
        raise ShapeError("the backpropagation view needs a scalar function")
    if isinstance(expr, MatrixExpr) or expr.atoms(sympy.MatrixSymbol):
        raise ShapeError("the backpropagation view works on scalar variables; for a function "
                         "of matrices or vectors use the steps (differentials) instead")
    taken = {s.name for s in expr.free_symbols}
    prefix = fresh_name(("v", "h", "a", "q"), lambda p: not any(
        n.startswith(p) and n[len(p):].isdigit() for n in taken))
    names: dict[sympy.Basic, sympy.Symbol] = {}
    nodes: list[Node] = []
    stack: list[tuple[sympy.Basic, bool]] = [(expr, False)]
    while stack:  # iterative post-order: deep expressions do not overflow
        node, ready = stack.pop()
        if node in names or _is_leaf(node):
            continue
        args = _operands(node)
        if not ready:
            stack.append((node, True))
            stack.extend((a, False) for a in reversed(args))
            continue
        if isinstance(node, sympy.Piecewise):  # the pieces are inputs; conditions stay as read
            definition = sympy.Piecewise(*[(names.get(e, e), c) for e, c in node.args],
                                         evaluate=False)
        else:
            definition = node.func(*[names.get(a, a) for a in node.args])
        name = sympy.Symbol(f"{prefix}{len(nodes) + 1}", real=True)
        inputs = tuple(dict.fromkeys(
            s for s in (names.get(a, a) for a in args)
            if isinstance(s, sympy.Symbol) and (s in names.values() or s in variables)))
        names[node] = name
        nodes.append(Node(name, definition, node, inputs))
    return Graph(expr, tuple(variables), tuple(nodes))


def _operands(node: sympy.Basic) -> tuple[sympy.Basic, ...]:
    """The values a node is computed from: its arguments; a Piecewise's pieces."""
    if isinstance(node, sympy.Piecewise):
        return tuple(e for e, _ in node.args)
    return node.args


def _is_leaf(node: sympy.Basic) -> bool:
    return node.is_Atom or not node.free_symbols


def graph_text(graph: Graph, point: Mapping | None = None) -> str:
    """Forward pass table, then the backward sweep, then the gradient."""
    from ..steps.render import inline
    values = graph.forward(point) if point is not None else None
    sweep = graph.backward(point)
    width = max([len(inline(n.definition)) for n in graph.nodes] + [8]) + 2
    at = "" if point is None else " at " + ", ".join(f"{k} = {v}" for k, v in point.items())
    lines = [f"computational graph of f = {inline(graph.expr)}", "", f"forward pass{at}:"]
    for node in graph.nodes:
        row = f"  {node.name} = {inline(node.definition):<{width}}"
        if values is not None:
            row += f"= {_number(values[node.name])}"
        lines.append(row.rstrip() + ("   ← f" if node is graph.nodes[-1] else ""))
    lines += ["", "backward pass (adjoints v̄ = ∂f/∂v, from the output back):"]
    for adj in sweep:
        bar = _bar(adj.name)
        if not adj.terms:
            formula = "1 (the output)" if adj.name == graph.output else "0 (f does not use it)"
        else:
            formula = " + ".join(f"{_bar(c)}·{_paren(inline(local))}" for c, local in adj.terms)
        value = "" if adj.value is None or not adj.terms else f"  = {_number(adj.value)}"
        lines.append(f"  {bar} = {formula}{value}")
    if values is not None:
        lines += ["", "gradient (the adjoints of the variables):"]
        by_name = {a.name: a.value for a in sweep}
        lines += [f"  ∂f/∂{v} = {_bar(v)} = {_number(by_name[v])}" for v in graph.variables]
    return "\n".join(lines)


def graph_html(graph: Graph, point: Mapping | None = None) -> str:
    """Two tables: the forward pass (definitions, values) and the adjoints (formula, value)."""
    from ..core.display import html_table, paragraph
    from ..steps.render import inline
    values = graph.forward(point) if point is not None else None
    at = "" if point is None else " at " + ", ".join(f"{k} = {v}" for k, v in point.items())
    forward = [[str(n.name), inline(n.definition)] + ([] if values is None else
                                                     [_number(values[n.name])])
               for n in graph.nodes]
    backward = []
    for adj in graph.backward(point):
        formula = " + ".join(f"{_bar(c)}·{_paren(inline(local))}" for c, local in adj.terms) \
            or ("1 (the output)" if adj.name == graph.output else "0 (f does not use it)")
        backward.append([_bar(adj.name), formula] + ([] if values is None else
                                                     [_number(adj.value)]))
    value = [] if values is None else ["value"]
    return (paragraph(f"computational graph of f = {inline(graph.expr)}{at}")
            + html_table(["node", "definition"] + value, forward, "forward pass")
            + html_table(["adjoint", "formula: Σ over consumers c of c̄ · ∂c/∂v"] + value,
                         backward, "backward pass: v̄ = ∂f/∂v, from the output back"))


def graph_latex(graph: Graph, point: Mapping | None = None) -> str:
    """The same as an align* environment."""
    values = graph.forward(point) if point is not None else None
    rows = [r"&\text{forward pass}"]
    for node in graph.nodes:
        value = "" if values is None else f" = {_number(values[node.name])}"
        rows.append(f"{sympy.latex(node.name)} &= {sympy.latex(node.definition)}{value}")
    rows.append(r"&\text{backward pass: } \bar{v} = \partial f / \partial v")
    for adj in graph.backward(point):
        bar = rf"\bar{{{sympy.latex(adj.name)}}}"
        formula = " + ".join(rf"\bar{{{sympy.latex(c)}}} \left({sympy.latex(local)}\right)"
                             for c, local in adj.terms) or ("1" if adj.name == graph.output
                                                            else "0")
        value = "" if adj.value is None else f" = {_number(adj.value)}"
        rows.append(f"{bar} &= {formula}{value}")
    return "\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}"


def graph_json(graph: Graph, point: Mapping | None = None) -> dict[str, Any]:
    values = graph.forward(point) if point is not None else None
    return {
        "nodes": [{"name": str(n.name), "definition": str(n.definition), "expr": str(n.expr),
                   "inputs": [str(i) for i in n.inputs],
                   "value": None if values is None else _float(values[n.name])}
                  for n in graph.nodes],
        "backward": [{"adjoint": str(a.name), "terms": [[str(c), str(p)] for c, p in a.terms],
                      "value": _float(a.value)}
                     for a in graph.backward(point)],
    }


def _bar(name: sympy.Symbol) -> str:
    text = str(name)
    return text[0] + "\u0304" + text[1:]


def _paren(text: str) -> str:
    return f"({text})" if any(c in text for c in " +−/") else text


def _number(value: sympy.Expr) -> str:
    plain = _float(value)
    return f"{plain:.6g}" if isinstance(plain, float) else str(value)


def _float(value: sympy.Expr | None) -> float | str | None:
    """float64 where it holds the value; else SymPy's text (DiracDelta(0) at a jump, 1.0*I,
    2.30648800058453e+301029995 for x**(10**9) at 2)."""
    if value is None:
        return None
    try:
        number = float(value)
    except TypeError:
        return str(value)
    return number if math.isfinite(number) else str(value)
