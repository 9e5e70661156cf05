"""Building matrix expressions while parsing: matrix functions, and 1×1 matrices as scalars.

Called by :mod:`symnum.core.parse` when a call or an operation involves a matrix.

>>> import sympy
>>> n = sympy.Symbol("n", integer=True)
>>> x = sympy.MatrixSymbol("x", n, 1)
>>> matrix_call("tanh", [x])
tanh(x)
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy
from sympy.core.symbol import Str
from sympy.matrices.expressions.matexpr import MatrixExpr

from .errors import ParseError
from .matrix_expr import Commutation, Elementwise, Softmax, Vec, registry_elementwise, scalar
from .matrix_layers import EPS, LayerNorm, RowSoftmax, Variance
from .registry import BY_NAME

# parser name -> name in matrix_expr.SCALAR
ELEMENTWISE_NAMES = {"exp": "exp", "log": "log", "ln": "log", "tanh": "tanh",
                     "sigmoid": "sigmoid", "σ": "sigmoid", "sin": "sin", "cos": "cos",
                     "sqrt": "sqrt",
                     "relu": "relu", "softplus": "softplus", "abs": "abs", "Abs": "abs",
                     "heaviside": "heaviside", "Heaviside": "heaviside", "sign": "sign"}
MATRIX_FUNCTIONS = frozenset({"Trace", "trace", "tr", "Determinant", "det", "Inverse", "inv",
                              "HadamardProduct", "hadamard", "HadamardPower", "OneMatrix",
                              "ones", "Identity", "eye", "ZeroMatrix", "DiagMatrix", "diag",
                              "softmax", "sum", "layernorm", "var", "KroneckerProduct", "kron",
                              "Vec", "vec", "Commutation"})


class Unsized(MatrixExpr):
    """𝟏 or 𝐈 as a textbook writes them, without a size (``ones()``, ``eye()``): the size is
    read off the matrix it is added to or multiplied with (𝟏ᵀy, 𝟏 − v, A + 𝐈)."""

    def __new__(cls, kind: str | Str):
        return MatrixExpr.__new__(cls, Str(str(kind)))  # Str: no free symbols

    @property
    def kind(self) -> str:
        return self.args[0].name

    @property
    def shape(self):
        return (sympy.Symbol("?rows"), sympy.Symbol("?cols"))

    def sized(self, rows: sympy.Basic, cols: sympy.Basic) -> MatrixExpr:
        if self.kind == "eye":
            if rows != cols:
                raise ParseError(f"𝐈 would be {rows}×{cols} here, but it is square")
            return sympy.Identity(rows)
        return sympy.OneMatrix(rows, cols)


def _unsized(x: sympy.Basic) -> tuple[Unsized, bool] | None:
    """(the placeholder, transposed?) when x is 𝟏, 𝐈 or their transpose (times scalars)."""
    if isinstance(x, sympy.MatMul):
        matrices = [a for a in x.args if is_matrix(a)]
        return _unsized(matrices[0]) if len(matrices) == 1 else None
    if isinstance(x, Unsized):
        return x, False
    if isinstance(x, sympy.Transpose) and isinstance(x.arg, Unsized):
        return x.arg, True
    return None


def check_sized(x: sympy.Basic) -> sympy.Basic:
    """Refuse a 𝟏 or 𝐈 whose size nothing determined."""
    if is_matrix(x) and any(isinstance(a, Unsized) for a in sympy.preorder_traversal(x)):
        raise ParseError("cannot tell the size of 𝟏 (ones()) or 𝐈 (eye()) here; write "
                         "OneMatrix(r, c) or Identity(n)")
    return x


def _fit(a: sympy.Basic, b: sympy.Basic, op: str) -> tuple[sympy.Basic, sympy.Basic]:
    """Give 𝟏 or 𝐈 on one side of a op b the size the other side asks for."""
    for first in (True, False):
        x, other = (a, b) if first else (b, a)
        found = _unsized(x)
        if found is None or not is_matrix(other) or _unsized(other) is not None \
                or op == "*" and is_one_by_one(other):
            continue
        unsized, transposed = found
        rows, cols = other.shape
        if op != "*":
            shape = (rows, cols)
        elif unsized.kind == "eye":
            shape = (rows, rows) if first else (cols, cols)
        elif first:  # 𝟏ᵀ·M is a row as long as M is high; 𝟏·M has no known height
            shape = (1 if transposed else None, rows)
        else:  # M·𝟏 is a column as long as M is wide
            shape = (cols, None if transposed else 1)
        if None in shape:
            raise ParseError("cannot tell the size of 𝟏 here; write OneMatrix(r, c)")
        sized = x.xreplace({unsized: unsized.sized(*(shape[::-1] if transposed else shape))})
        sized = sized.doit() if isinstance(sized, sympy.Transpose) else sized
        return (sized, b) if first else (a, sized)
    return a, b


def is_matrix(x: sympy.Basic) -> bool:
    return isinstance(x, MatrixExpr | sympy.MatrixBase)


def is_one_by_one(x: sympy.Basic) -> bool:
    return is_matrix(x) and tuple(x.shape) == (1, 1)


def as_scalar(x: sympy.Basic) -> sympy.Basic:
    """A 1×1 matrix expression (xᵀAx) as the scalar it is: its trace."""
    if is_one_by_one(x) and isinstance(x, MatrixExpr):
        return sympy.Trace(x)
    if is_one_by_one(x):
        return x[0, 0]
    return x


def describe(x: sympy.Basic) -> str:
    rows, cols = x.shape
    return f"{x} is {rows}×{cols}"


def matrix_call(name: str, args: Sequence[sympy.Basic]) -> sympy.Basic:
    """Apply a matrix function, or a scalar function elementwise to a matrix."""
    if name in ("ones", "eye") and not args:
        return Unsized(name)
    args = [check_sized(a) for a in args]
    if name in ("OneMatrix", "ones", "ZeroMatrix"):
        rows, cols = _dims(name, args, 2)
        return sympy.OneMatrix(rows, cols) if name != "ZeroMatrix" else sympy.ZeroMatrix(rows, cols)
    if name in ("Identity", "eye"):
        (size,) = _dims(name, args, 1)
        return sympy.Identity(size)
    if name == "Commutation":  # K_{m,n}: K·vec(A) = vec(Aᵀ) for A m × n
        return Commutation(*_dims(name, args, 2))
    if name in ("KroneckerProduct", "kron"):
        if len(args) < 2 or not all(is_matrix(m) for m in args):
            raise ParseError(f"{name}() needs two or more matrices")
        return sympy.KroneckerProduct(*args)
    if name == "HadamardPower" and len(args) == 2:  # the JSON contract's v∘ᵏ
        if not is_matrix(args[0]) or not (args[1].is_Integer and args[1] != 0):
            raise ParseError("HadamardPower(M, k) needs a matrix and a nonzero integer")
        return sympy.HadamardPower(args[0], args[1])
    if name == "layernorm":
        return _layernorm(args)
    if len(args) != 1 and name not in ("HadamardProduct", "hadamard"):
        raise ParseError(f"{name}() takes one matrix argument")
    a = args[0]
    if name in ("Trace", "trace", "tr", "Determinant", "det", "Inverse", "inv"):
        _square(name, a)
        if name in ("Trace", "trace", "tr"):
            return sympy.Trace(a)
        return sympy.Determinant(a) if name in ("Determinant", "det") else sympy.Inverse(a)
    if name in ("HadamardProduct", "hadamard"):
        if len(args) < 2 or not all(is_matrix(m) for m in args):
            raise ParseError("HadamardProduct() needs two or more matrices")
        if len({tuple(m.shape) for m in args}) != 1:
            raise ParseError("HadamardProduct() needs matrices of one shape: "
                             + "; ".join(describe(m) for m in args))
        return sympy.HadamardProduct(*args)
    if name in ("DiagMatrix", "diag"):
        if not is_matrix(a) or a.shape[1] != 1:
            raise ParseError(f"{name}() needs a column vector")
        return sympy.DiagMatrix(a)
    if name == "sum":
        if not is_matrix(a):
            raise ParseError("sum() adds the entries of a vector or matrix (declare it with "
                             "--shape); write a sum of scalars out with +")
        return sum_entries(a)
    if name in ("Vec", "vec"):
        if not is_matrix(a):
            raise ParseError(f"{name}() stacks the columns of a matrix: give a matrix")
        return Vec(a)
    if name == "softmax":  # a column: the softmax of its entries; else row by row
        if not is_matrix(a):
            raise ParseError("softmax() needs a vector or matrix (declare it with --shape "
                             "z=n); a matrix's softmax is taken row by row")
        return Softmax(a) if a.shape[1] == 1 else RowSoftmax(a)
    if name == "var":
        return Variance(_column("var", a))
    elementwise = ELEMENTWISE_NAMES.get(name) or _registry_name(name)
    if elementwise and is_matrix(a):
        if is_one_by_one(a):
            return scalar(elementwise)(as_scalar(a))
        return Elementwise(elementwise, a)
    raise ParseError(f"{name}() cannot take a matrix argument")


def _column(name: str, a: sympy.Basic) -> sympy.Basic:
    """``a`` when it is a column vector, else a ParseError that says what ``name`` takes."""
    if not is_matrix(a) or a.shape[1] != 1 or a.shape[0] == 1:
        got = describe(a) if is_matrix(a) else f"{a} is a scalar"
        raise ParseError(f"{name}() takes a column vector (declare it with --shape x=n), but "
                         f"{got}")
    return a


def _layernorm(args: Sequence[sympy.Basic]) -> sympy.Basic:
    """layernorm(x) (ε = 10⁻⁵, torch's default) or layernorm(x, eps) with eps a number ≥ 0
    or a scalar parameter."""
    if not 1 <= len(args) <= 2:
        raise ParseError("layernorm() takes a column vector and optionally eps: "
                         "layernorm(x) or layernorm(x, eps)")
    x = _column("layernorm", args[0])
    eps = args[1] if len(args) == 2 else EPS
    if is_matrix(eps) or not isinstance(eps, sympy.Expr) or eps.has(sympy.I) or (
            eps.is_number and not (eps.is_real and eps >= 0)):
        raise ParseError(f"layernorm(x, eps): eps must be a number ≥ 0 or a scalar name, "
                         f"not {eps}")
    return LayerNorm(x, eps)


def _registry_name(name: str) -> str | None:
    """The record's name for a parser name of a function the registry applies elementwise
    (erf, logit, ...: :func:`symnum.core.matrix_expr.registry_elementwise`)."""
    record = BY_NAME.get(name)
    return record.name if record is not None and record.name in registry_elementwise() \
        else None


def sum_entries(a: sympy.Basic) -> sympy.Basic:
    """The sum of the entries of a matrix, 1ᵀa1 (1ᵀa for a column vector), as a scalar.

    >>> n = sympy.Symbol("n", integer=True)
    >>> from .matrix_expr import matrix_str
    >>> matrix_str(sum_entries(sympy.MatrixSymbol("x", n, 1)))
    'Trace(OneMatrix(1, n)*x)'
    """
    rows, cols = a.shape
    left = sympy.OneMatrix(1, rows) * a if rows != 1 else a
    total = left * sympy.OneMatrix(cols, 1) if cols != 1 else left
    return as_scalar(total)


def _dims(name: str, args: Sequence[sympy.Basic], count: int) -> list[sympy.Basic]:
    def size(a: sympy.Basic) -> bool:  # 3, n, or a product m*n (of a vec form)
        return a.is_Integer and a > 0 or a.is_Symbol or a.is_Mul and all(size(f) for f in a.args)
    if len(args) != count or not all(isinstance(a, sympy.Expr) and not is_matrix(a) and
                                     size(a) for a in args):
        raise ParseError(f"{name}() takes {count} dimension(s): positive integers or names")
    return list(args)


def _square(name: str, a: sympy.Basic) -> None:
    if not is_matrix(a):
        raise ParseError(f"{name}() needs a matrix argument")
    if a.shape[0] != a.shape[1]:
        raise ParseError(f"{name}() needs a square matrix, but {describe(a)}")


def combine(op: str, a: sympy.Basic, b: sympy.Basic) -> sympy.Basic:
    """a op b where at least one side is a matrix; 1×1 matrices act as scalars."""
    a, b = _fit(a, b, op)
    if op in ("+", "-"):
        if is_matrix(a) and is_matrix(b):
            if tuple(a.shape) != tuple(b.shape):
                raise ParseError(f"cannot add matrices of different shapes: {describe(a)}, "
                                 f"{describe(b)}")
            return a + b if op == "+" else a - b
        a, b = as_scalar(a), as_scalar(b)
        if is_matrix(a) or is_matrix(b):
            m = a if is_matrix(a) else b
            raise ParseError(f"cannot add a scalar to a matrix ({describe(m)}); write "
                             f"c*OneMatrix({m.shape[0]}, {m.shape[1]})")
        return a + b if op == "+" else a - b
    if op == "*":
        if is_matrix(a) and is_matrix(b):
            if a.shape[1] != b.shape[0]:
                if is_one_by_one(a) or is_one_by_one(b):
                    return as_scalar(a) * as_scalar(b)
                raise ParseError(f"shape mismatch in ({a})*({b}): {describe(a)} and "
                                 f"{describe(b)}; the inner dimensions {a.shape[1]} and "
                                 f"{b.shape[0]} differ")
            return a * b
        return as_scalar(a) * as_scalar(b)
    if op == "/":
        if is_matrix(b) and not is_one_by_one(b):
            raise ParseError("cannot divide by a matrix; multiply by its Inverse()")
        return as_scalar(a) / as_scalar(b) if not is_matrix(a) else a * (1 / as_scalar(b))
    raise ParseError(f"operator {op} is not defined for matrices")


def power(base: sympy.Basic, exponent: sympy.Basic) -> sympy.Basic:
    """Matrix powers: A**-1 is the inverse, A**k a product; a 1×1 matrix is a scalar."""
    if is_one_by_one(base):
        return as_scalar(base) ** exponent
    if is_matrix(base) and base.shape[0] != base.shape[1] and exponent.is_Integer \
            and exponent > 1:
        return sympy.HadamardPower(base, exponent)  # v², tanh²(Wx): entrywise, as numpy
    _square("a power", base)
    if exponent == -1:
        return sympy.Inverse(base)
    if exponent.is_Integer and exponent > 0:
        return base**exponent
    if exponent.is_Integer and exponent < 0:  # (Xᵀ)⁻², as symnum prints it: (X⁻¹)²
        return sympy.Inverse(base) ** -exponent
    raise ParseError("a matrix can be raised to an integer power only")
