"""Derivatives on the graph: reverse mode for gradients and Jacobians, forward over reverse
for Hessians, each entry of a symmetric Hessian once.

Reverse mode walks the graph once from the output down, so a gradient costs a few times the
function, however many variables. A Hessian's column i is the tangent of the gradient along
x_i (forward mode over the gradient's graph): only nodes that depend on x_i are visited,
and only for entries (j ≥ i) not yet known, since H is symmetric.

>>> from symnum.core.dag.graph import Graph
>>> g = Graph()
>>> x, y = g.var("x"), g.var("y")
>>> f = g.mul(g.pow(x, 2), y)  # x²y
>>> [g.text(n) for n in gradient(g, f, [x, y])]
['y*2*x', '(x)**2']
>>> [[g.text(n) for n in row] for row in hessian(g, f, [x, y])]
[['2*y', '2*x'], ['2*x', '0']]
"""

from __future__ import annotations

from collections.abc import Sequence

from .graph import Graph
from .ops import ADD, CONST, MUL, POW, UNARY, VAR


class Partials:
    """∂node/∂child for each child of each node, built once and shared by every pass."""

    def __init__(self, g: Graph) -> None:
        self.g = g
        self._memo: dict[int, tuple[tuple[int, int], ...]] = {}

    def of(self, n: int) -> tuple[tuple[int, int], ...]:
        """((child, ∂n/∂child), ...) over the children that are not constants."""
        found = self._memo.get(n)
        if found is not None:
            return found
        g = self.g
        op, args = g.ops[n], g.args[n]
        pairs: tuple[tuple[int, int], ...]
        if op == MUL:
            a, b = args
            pairs = ((a, b), (b, a))
        elif op == POW:
            (a,) = args
            k = g.data[n]
            pairs = ((a, g.mul(g.const(k), g.pow(a, k - 1))),)
        elif op in UNARY:
            (a,) = args
            pairs = ((a, UNARY[op].partial(g, a)),)
        else:  # ADD
            pairs = tuple((c, g.one) for c in args)
        pairs = tuple(p for p in pairs if g.ops[p[0]] != CONST)
        self._memo[n] = pairs
        return pairs


def cone(g: Graph, roots: Sequence[int], keep: dict[int, int] | None = None,
         bit: int = 0) -> list[int]:
    """The nodes ``roots`` are made of, in increasing (topological) order; with ``keep``
    (dependency masks), only nodes whose mask has ``bit``."""
    seen: set[int] = set()
    stack = [r for r in roots if keep is None or keep.get(r, 0) & bit]
    args = g.args
    while stack:
        n = stack.pop()
        if n in seen:
            continue
        seen.add(n)
        for c in args[n]:
            if c not in seen and (keep is None or keep.get(c, 0) & bit):
                stack.append(c)
    return sorted(seen)


def masks(g: Graph, nodes: Sequence[int], xs: Sequence[int]) -> dict[int, int]:
    """For each of ``nodes`` (in topological order), the bits of the ``xs`` it depends on."""
    bits = {x: 1 << i for i, x in enumerate(xs)}
    found: dict[int, int] = {}
    args = g.args
    for n in nodes:
        m = bits.get(n, 0)
        for c in args[n]:
            m |= found.get(c, 0)
        found[n] = m
    return found


def gradient(g: Graph, out: int, xs: Sequence[int], partials: Partials | None = None
             ) -> list[int]:
    """∂out/∂x for each x of ``xs`` (reverse mode)."""
    partials = partials or Partials(g)
    order = cone(g, [out])
    depends = masks(g, order, xs)
    terms: dict[int, list[int]] = {out: [g.one]}
    adjoint: dict[int, int] = {}
    mul = g.mul
    for n in reversed(order):
        pending = terms.pop(n, None)
        if pending is None:
            continue
        a = adjoint[n] = g.sum(pending)
        if g.ops[n] == VAR:
            continue
        for child, partial in partials.of(n):
            if depends[child]:
                terms.setdefault(child, []).append(mul(a, partial))
    return [adjoint.get(x, g.zero) for x in xs]


def jacobian(g: Graph, outs: Sequence[int], xs: Sequence[int]) -> list[list[int]]:
    """Rows ∂out_k/∂x (reverse mode once per output)."""
    partials = Partials(g)
    return [gradient(g, out, xs, partials) for out in outs]


def hessian(g: Graph, out: int, xs: Sequence[int]) -> list[list[int]]:
    """The symmetric matrix ∂²out/∂x_i∂x_j: forward mode over the gradient's graph, along
    each x_i for the entries j ≥ i."""
    partials = Partials(g)
    grad = gradient(g, out, xs, partials)
    n = len(xs)
    rows: list[list[int]] = [[g.zero] * n for _ in range(n)]
    mul, sum_, ops, args, data = g.mul, g.sum, g.ops, g.args, g.data
    muls, zero, one = g._muls, g.zero, g.one

    def product(a: int, b: int) -> int:
        """``g.mul(a, b)``, its common cases inline (half the nodes are products made here):
        the same node, made the same way."""
        if ops[a] == CONST:
            if a == zero or a == one or ops[b] == CONST or (
                    ops[b] == MUL and ops[args[b][0]] == CONST):
                return mul(a, b)
            key = (a, b)
        elif ops[b] == CONST:
            if b == zero or b == one or (ops[a] == MUL and ops[args[a][0]] == CONST):
                return mul(a, b)
            key = (b, a)
        else:
            key = (a, b) if a < b else (b, a)
        found = muls.get(key)
        if found is None:  # Graph._product
            found = muls[key] = len(ops)
            ops.append(MUL)
            args.append(key)
            data.append(None)
        return found

    for i, visit in enumerate(_directions(g, grad, xs)):
        tangent = {xs[i]: one}
        get = tangent.get
        for node in visit:
            op = ops[node]
            if op == MUL:
                a, b = args[node]
                ta, tb = get(a), get(b)
                if ta is None:
                    if tb is None:
                        continue
                    total = product(a, tb)
                elif tb is None:
                    total = product(ta, b)
                else:
                    total = sum_((product(ta, b), product(a, tb)))
            elif op == ADD:
                found = [t for t in map(get, args[node]) if t is not None]
                total = found[0] if len(found) == 1 else sum_(found)
            else:
                found = [product(partial, t) for child, partial in partials.of(node)
                         if (t := get(child)) is not None]
                total = found[0] if len(found) == 1 else sum_(found)
            if total != zero:
                tangent[node] = total
        for j in range(i, n):
            rows[i][j] = rows[j][i] = tangent.get(grad[j], g.zero)
    return rows


def _directions(g: Graph, grad: list[int], xs: Sequence[int]) -> list[list[int]]:
    """For each x_i, the nodes whose tangent along x_i the entries H_ij (j ≥ i) need, in
    topological order: those that depend on x_i and lie under some ∂/∂x_j with j ≥ i."""
    order = cone(g, grad)
    depends = masks(g, order, xs)
    last = dict.fromkeys(order, -1)  # the largest j with the node under grad[j]
    for j, r in enumerate(grad):
        last[r] = max(last[r], j)
    args = g.args
    for node in reversed(order):
        top = last[node]
        for c in args[node]:
            if last[c] < top:
                last[c] = top
    lists: list[list[int]] = [[] for _ in xs]
    for node in order:
        m = depends[node] & ((2 << last[node]) - 1) if last[node] >= 0 else 0
        if g.ops[node] == VAR:
            continue
        while m:
            low = m & -m
            lists[low.bit_length() - 1].append(node)
            m ^= low
    return lists
