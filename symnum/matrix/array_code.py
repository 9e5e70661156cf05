"""Matrix expressions → straight-line array code for numpy, torch or JAX (never components).

Every value is an array of shape batch + (rows, cols) (vectors (..., n, 1), scalars
(..., 1, 1)), so one line of code serves every batch. :data:`NODES` says, per kind of node,
how it is computed from its arguments (one entry per kind: a new node is one row): products
are chained in the cheapest order with ``@`` (an outer product as a broadcast ``*``), an
inverse that multiplies something is a solve, 𝟏ᵀA a sum, diag(v)·A a broadcast product,
tr(AB) one einsum, log det by slogdet, softmax shifted by its maximum. What is elementwise
(sums, ⊙, powers, scalar functions and the registry's functions of entries) is gathered
into one scalar expression of its structural leaves and written by the scalar kernels'
program (:mod:`symnum.kernels.source`): the same stable forms, spellings and kink
conventions as :func:`symnum.kernel`. Every subexpression is computed once.

>>> import sympy
>>> n = sympy.Symbol("n", integer=True)
>>> A, x = sympy.MatrixSymbol("A", n, n), sympy.MatrixSymbol("x", n, 1)
>>> code = ArrayCode("numpy", {"A": "A", "x": "x"}, {n: "n"})
>>> code.value(sympy.Inverse(A) * x), code.lines
('_t1', ['_t1 = _solve(A, x)'])
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import sympy
from sympy.matrices.expressions.matexpr import MatrixExpr

from ..core.errors import EvaluationError
from ..core.matrix_expr import Commutation, Elementwise, Softmax, Vec, scalar
from ..core.matrix_layers import LayerNorm, RowSoftmax, Variance
from .array_ops import OPS

NOMINAL_SIZE = 100  # a symbolic dimension's size when choosing the order of a product
_ELEMENTWISE = (sympy.MatAdd, sympy.HadamardProduct, sympy.HadamardPower, Elementwise)
_SCALAR_NODES = (sympy.Trace, sympy.Determinant, Variance)  # scalars computed from arrays


class ArrayCode:
    """Lines of array code for one backend; ``value(node)`` is the name holding the node."""

    def __init__(self, backend: str, inputs: Mapping[str, str], dims: Mapping[sympy.Symbol, str],
                 scalars: Mapping[str, str] | None = None):
        self.backend = backend
        self.op = OPS[backend]
        self.inputs = dict(inputs)  # matrix name → the name of its (..., r, c) array
        self.dims = dict(dims)  # dimension symbol → the name of its size
        self.scalars = dict(scalars or {})  # a scalar parameter's name → its (..., 1, 1) array
        self.lines: list[str] = []
        self._memo: dict[object, str] = {}
        self._flipped: dict[str, str] = {}  # name → the name of its transpose, where known
        self._count = 0

    def pruned(self, keep: str) -> list[str]:
        """The lines that ``keep`` needs (a transpose emitted and then not used is dropped)."""
        import re
        needed, out = {keep}, []
        for line in reversed(self.lines):
            target, _, text = line.partition(" = ")
            if target in needed:
                out.append(line)
                needed |= set(re.findall(r"\b_t\d+\b", text))
        return out[::-1]

    def transpose(self, name: str) -> str:
        """The transpose of the array ``name`` (a transposed transpose is the array itself)."""
        if name not in self._flipped:
            flipped = self.emit(self.op["T"](name))
            self._flipped[name], self._flipped[flipped] = flipped, name
        return self._flipped[name]

    def emit(self, text: str) -> str:
        """A new temporary holding ``text``."""
        self._count += 1
        name = f"_t{self._count}"
        self.lines.append(f"{name} = {text}")
        return name

    def size(self, d: object) -> str:
        """A dimension (a number, a symbol or an expression in symbols) as source."""
        d = sympy.sympify(d)
        if d.is_Integer:
            return str(int(d))
        return sympy.pycode(d.xreplace({s: sympy.Symbol(self.dims[s]) for s in d.free_symbols
                                        if s in self.dims}))

    def value(self, node: sympy.Basic) -> str:
        """The name of an array holding ``node`` (computed once per distinct node)."""
        if node in self._memo:
            return self._memo[node]
        if not isinstance(node, (MatrixExpr, *_SCALAR_NODES)) or _is_elementwise(node):
            name = self._region(node)
        else:
            kind = next((k for k in type(node).__mro__ if k in NODES), None)
            if kind is None:
                raise EvaluationError(f"matrix code has no rule for {type(node).__name__} "
                                      f"({node})")
            name = NODES[kind](self, node)
        self._memo[node] = name
        return name

    # --- elementwise regions: one scalar expression of structural leaves ---------------

    def _region(self, node: sympy.Basic) -> str:
        from ..kernels.stable import stabilize
        leaves: dict[object, sympy.Symbol] = {}
        self._scalar(node, leaves)  # first the structural leaves, which may compute some
        for leaf in leaves:  # elementwise parts of this region too (then read, not redone)
            if isinstance(leaf, sympy.Basic):
                self.value(leaf)
        leaves = {}
        expr = stabilize(self._scalar(node, leaves, root=node))
        names = {s: self.value(leaf) if isinstance(leaf, sympy.Basic) else
                 self._size_value(leaf[1]) if leaf[0] == "size" else leaf[1]
                 for leaf, s in leaves.items()}
        out = self._program(expr, names)
        shape = tuple(node.shape) if isinstance(node, MatrixExpr) else (1, 1)
        carried = any(_leaf_shape(leaf) == shape for leaf, s in leaves.items()
                      if s in expr.free_symbols)
        if not carried:  # a constant, or only smaller leaves: broadcast to the node's shape
            out = self.emit(self.op["mul"](out, self.op["ones"](*map(self.size, shape))))
        return out

    def _size_value(self, name: str) -> str:
        """A dimension's size as a float the backend's functions take (a torch tensor)."""
        if ("size", name) not in self._memo:
            self._memo[("size", name)] = self.emit(self.op["size"](name))
        return self._memo[("size", name)]

    def _scalar(self, e: sympy.Basic, leaves: dict, root: object = None) -> sympy.Basic:
        """``e`` entry by entry as a scalar expression; structural parts become symbols, and
        so do parts already computed (with ``root``, the region's own node, given)."""
        def leaf(key: object) -> sympy.Symbol:
            if key not in leaves:
                leaves[key] = sympy.Symbol(f"_u{len(leaves)}", real=True)
            return leaves[key]

        def walk(a: sympy.Basic) -> sympy.Basic:
            return self._scalar(a, leaves, root)

        if root is not None and e is not root and isinstance(e, MatrixExpr) and e in self._memo:
            return leaf(e)

        if isinstance(e, sympy.Symbol) and not isinstance(e, sympy.MatrixSymbol):
            if e in self.dims:
                return leaf(("size", self.dims[e], None))
            if e.name not in self.scalars:
                raise EvaluationError(f"no value for {e} in matrix code")
            return leaf(("scalar", self.scalars[e.name], (1, 1)))
        if e.is_number:
            return e
        for pattern, build in PATTERNS:
            if pattern(e):
                shape = tuple(e.shape) if isinstance(e, MatrixExpr) else (1, 1)
                if ("pattern", e) not in self._memo:
                    self._memo[("pattern", e)] = build(self, e)
                return leaf(("pattern", self._memo[("pattern", e)], shape))
        if isinstance(e, MatrixExpr) and tuple(e.shape) == (1, 1) and \
                not _is_elementwise(e):
            return leaf(e)
        if isinstance(e, sympy.OneMatrix):
            return sympy.S.One
        if isinstance(e, sympy.ZeroMatrix):
            return sympy.S.Zero
        if isinstance(e, sympy.MatAdd):
            return sympy.Add(*[walk(a) for a in e.args])
        if isinstance(e, sympy.HadamardProduct):
            return sympy.Mul(*[walk(a) for a in e.args])
        if isinstance(e, sympy.HadamardPower):
            return sympy.Pow(walk(e.base), e.exp)
        if isinstance(e, Elementwise):
            return scalar(e.name)(walk(e.arg))
        if isinstance(e, sympy.MatMul):
            numbers = [a for a in e.args if not isinstance(a, MatrixExpr)]
            matrices = [a for a in e.args if isinstance(a, MatrixExpr)]
            rest = matrices[0] if len(matrices) == 1 else sympy.MatMul(*matrices)
            inner = walk(rest) if len(matrices) == 1 else leaf(rest)
            return sympy.Mul(*[walk(a) for a in numbers], inner)
        if isinstance(e, MatrixExpr):
            return leaf(e)
        if isinstance(e, _SCALAR_NODES):
            return leaf(e)
        if not e.args:
            raise EvaluationError(f"matrix code has no value for {e}")
        return e.func(*[walk(a) for a in e.args])

    def _program(self, expr: sympy.Basic, names: Mapping[sympy.Symbol, str]) -> str:
        """The scalar kernels' program for ``expr``, written into the lines."""
        from ..kernels.dialects import dialect
        from ..kernels.program import Program
        from ..kernels.source import expression
        symbols = sorted(names, key=lambda s: s.name)
        if expr in names:
            return names[expr]
        program = Program([expr], symbols, "numpy")
        d = dialect(self.backend)
        slots = [names[s] for s in symbols]
        for (_, args), (kind, detail) in zip(program.steps, program.ops, strict=True):
            slots.append(self.emit(expression(kind, detail, [slots[i] for i in args], d)))
        return slots[program.outputs[0]]

    def number(self, e: sympy.Expr) -> str:
        """A scalar: a float literal, or the name of its (..., 1, 1) array."""
        return repr(float(e)) if e.is_number else self.value(e)

    def column(self, v: MatrixExpr) -> str:
        """A vector (a column or a row) as a column."""
        return self.value(v if v.shape[1] == 1 else v.T)

    # --- products -------------------------------------------------------------------------

    def product(self, factors: tuple[sympy.Basic, ...]) -> str:
        """A chain of matrices, split where the cost of the two halves is least."""
        factors = tuple(f for f in factors if not isinstance(f, sympy.Identity)) or factors[:1]
        if len(factors) == 1:
            return self.value(factors[0])
        key = ("product", factors)
        if key not in self._memo:
            k = _best_split(factors)
            self._memo[key] = self._times(factors[:k], factors[k:])
        return self._memo[key]

    def _times(self, left: tuple, right: tuple) -> str:
        op, one = self.op, lambda side: side[0] if len(side) == 1 else None
        a, b = one(left), one(right)
        if isinstance(a, sympy.Inverse):  # A⁻¹·R = solve(A, R)
            return self.emit(op["solve"](self.value(a.arg), self.product(right)))
        if isinstance(b, sympy.Inverse):  # L·B⁻¹ = solve(Bᵀ, Lᵀ)ᵀ
            solved = self.emit(op["solve"](self.transpose(self.value(b.arg)),
                                           self.transpose(self.product(left))))
            return self.transpose(solved)
        if isinstance(a, sympy.DiagMatrix):
            return self.emit(op["mul"](self.column(a.args[0]), self.product(right)))
        if isinstance(b, sympy.DiagMatrix):
            return self.emit(op["mul"](self.product(left), self.transpose(self.column(b.args[0]))))
        if isinstance(a, sympy.OneMatrix):  # 𝟏𝟏ᵀR: R's column sums, on every row
            total = self.emit(op["sum_rows"](self.product(right)))
            return total if a.shape[0] == 1 else self.emit(op["mul"](
                total, op["ones"](self.size(a.shape[0]), 1)))
        if isinstance(b, sympy.OneMatrix):
            total = self.emit(op["sum_cols"](self.product(left)))
            return total if b.shape[1] == 1 else self.emit(op["mul"](
                total, op["ones"](1, self.size(b.shape[1]))))
        inner = sympy.sympify(left[-1].shape[1])
        joined = op["mul"] if inner == 1 else op["matmul"]  # an outer product broadcasts
        return self.emit(joined(self.product(left), self.product(right)))


def _leaf_shape(leaf: object) -> tuple | None:
    """The (rows, cols) of a region's leaf: a node's shape, (1, 1) for a scalar; None for a
    size (a Python int, no array)."""
    if isinstance(leaf, tuple):
        return leaf[2]
    return tuple(leaf.shape) if isinstance(leaf, MatrixExpr) else (1, 1)


def _is_elementwise(e: sympy.Basic) -> bool:
    if isinstance(e, _ELEMENTWISE):
        return True
    if isinstance(e, sympy.MatMul):  # a number times one matrix
        return sum(isinstance(a, MatrixExpr) for a in e.args) == 1 or \
            any(not isinstance(a, MatrixExpr) for a in e.args)
    return False


def _best_split(factors: tuple) -> int:
    """Where to split the chain: the classic matrix-chain order by flop counts, a symbolic
    dimension counted as :data:`NOMINAL_SIZE`."""
    def size(d: object) -> int:
        d = sympy.sympify(d)
        return int(d) if d.is_Integer else NOMINAL_SIZE * max(1, len(d.free_symbols))

    dims = [size(factors[0].shape[0])] + [size(f.shape[1]) for f in factors]
    n = len(factors)
    cost = [[0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for length in range(2, n + 1):
        for i in range(n - length + 1):
            j = i + length - 1
            cost[i][j], split[i][j] = min(
                (cost[i][k] + cost[k + 1][j] + dims[i] * dims[k + 1] * dims[j + 1], k + 1)
                for k in range(i, j))
    return split[0][n - 1]


# --- the table: node kind → its array code ------------------------------------------------

def _symbol(code: ArrayCode, e: sympy.MatrixSymbol) -> str:
    if e.name not in code.inputs:
        raise EvaluationError(f"no array for {e.name} in matrix code")
    return code.inputs[e.name]


def _matmul(code: ArrayCode, e: sympy.MatMul) -> str:
    return code.product(tuple(e.args))


def _transpose(code: ArrayCode, e: sympy.Transpose) -> str:
    return code.transpose(code.value(e.arg))


def _inverse(code: ArrayCode, e: sympy.Inverse) -> str:
    if isinstance(e.arg, sympy.Transpose):  # (Aᵀ)⁻¹ = (A⁻¹)ᵀ: one inverse for both
        return code.transpose(code.value(sympy.Inverse(e.arg.arg)))
    return code.emit(code.op["inv"](code.value(e.arg)))


def _trace(code: ArrayCode, e: sympy.Trace) -> str:
    arg = e.arg
    if tuple(arg.shape) == (1, 1):
        return code.value(arg)
    if isinstance(arg, sympy.MatMul) and all(isinstance(a, MatrixExpr) for a in arg.args):
        left, right = code.product(arg.args[:-1]), code.value(arg.args[-1])
        total = code.emit(code.op["einsum"]("...ij,...ji->...", left, right))
        return code.emit(f"{total}[..., None, None]")
    return code.emit(code.op["trace"](code.value(arg)))


def _power(code: ArrayCode, e: sympy.MatPow) -> str:
    if not e.exp.is_Integer:
        raise EvaluationError(f"matrix code needs an integer matrix power, not {e.exp}")
    return code.emit(code.op["power"](code.value(e.base), int(e.exp)))


def _constant(kind: str) -> Callable[[ArrayCode, MatrixExpr], str]:
    def build(code: ArrayCode, e: MatrixExpr) -> str:
        if kind == "eye":
            return code.emit(code.op["eye"](code.size(e.shape[0])))
        return code.emit(code.op[kind](*map(code.size, e.shape)))
    return build


NODES: dict[type, Callable[[ArrayCode, sympy.Basic], str]] = {
    sympy.MatrixSymbol: _symbol,
    sympy.MatMul: _matmul,
    sympy.Transpose: _transpose,
    sympy.Inverse: _inverse,
    sympy.Trace: _trace,
    sympy.Determinant: lambda c, e: c.emit(c.op["det"](c.value(e.arg))),
    sympy.MatPow: _power,
    sympy.DiagMatrix: lambda c, e: c.emit(c.op["mul"](
        c.column(e.args[0]), c.op["eye"](c.size(e.shape[0])))),
    sympy.Identity: _constant("eye"),
    sympy.OneMatrix: _constant("ones"),
    sympy.ZeroMatrix: _constant("zeros"),
    Softmax: lambda c, e: c.emit(c.op["softmax"](c.value(e.arg))),
    sympy.KroneckerProduct: lambda c, e: _kronecker(c, e.args),
    RowSoftmax: lambda c, e: c.emit(c.op["row_softmax"](c.value(e.arg))),
    LayerNorm: lambda c, e: c.emit(c.op["layernorm"](c.value(e.arg), c.number(e.eps))),
    Variance: lambda c, e: c.emit(c.op["variance"](c.value(e.arg))),
    Vec: lambda c, e: c.emit(c.op["vec"](c.value(e.arg))),
    Commutation: lambda c, e: c.emit(c.op["commutation"](*map(c.size, e.args[:2]))),
}


def _kronecker(code: ArrayCode, args: tuple) -> str:
    out = code.value(args[0])
    for a in args[1:]:
        out = code.emit(code.op["kron"](out, code.value(a)))
    return out


# Patterns inside elementwise regions computed as one structural leaf: log det by slogdet,
# log softmax shifted (the stable forms of the scalar kernels cannot see inside them).
PATTERNS: list[tuple[Callable[[sympy.Basic], bool], Callable[[ArrayCode, sympy.Basic], str]]] = [
    (lambda e: isinstance(e, sympy.log) and isinstance(e.args[0], sympy.Determinant),
     lambda c, e: c.emit(c.op["logdet"](c.value(e.args[0].arg)))),
    (lambda e: isinstance(e, Elementwise) and e.name == "log" and isinstance(e.arg, Softmax),
     lambda c, e: c.emit(c.op["log_softmax"](c.value(e.arg.arg)))),
]
