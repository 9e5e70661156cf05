"""The layers of a network as matrix nodes: softmax of a matrix row by row, layer
normalisation of a vector, and the variance it divides by.

Each node knows its entries (so a result expands to components for verification and
kernels), its value on an explicit matrix (``doit``) and its differential given the
differential of its argument (``differential``, used by the ``DIFFERENTIALS`` table of
:mod:`symnum.matrix.calculus`); its SymPy syntax is the one the parser reads back.

- ``RowSoftmax(S)`` — ``softmax(S)`` of an m×k matrix S (k not literally 1): every row's
  softmax, (softmax S)ᵢⱼ = exp(Sᵢⱼ)/Σₗ exp(Sᵢₗ), as attention papers write it and as
  ``torch.softmax(S, dim=-1)``; a 1×k row is the softmax of its entries. A column vector
  z (k×1) keeps :class:`~symnum.core.matrix_expr.Softmax`, the softmax of its k entries:
  the parser chooses by the declared shape, so ``softmax`` of an n×1 argument is never the
  all-ones row-wise softmax.
- ``LayerNorm(x, eps)`` — ``layernorm(x)`` or ``layernorm(x, eps)`` of a column vector x
  (n×1): (x − μ𝟏)/√(σ² + ε) with μ = 𝟏ᵀx/n, σ² = var(x) (÷ n), as
  ``torch.nn.functional.layer_norm(x, (n,), eps=eps)``; ε defaults to torch's 10⁻⁵ (an exact
  1/100000), and may be a number or a scalar parameter. A learned scale and shift are written
  out: ``g ⊙ layernorm(x) + b``.
- ``Variance(x)`` — ``var(x)``, a scalar: the population variance ‖x − μ𝟏‖²/n of the entries
  of a column vector (``numpy.var``, ``torch.var(x, unbiased=False)``; not the n − 1 form).

>>> import sympy
>>> n = sympy.Symbol("n", integer=True)
>>> S, x = sympy.MatrixSymbol("S", n, 3), sympy.MatrixSymbol("x", 2, 1)
>>> RowSoftmax(S), LayerNorm(x), LayerNorm(x, 0), Variance(x)
(softmax(S), layernorm(x), layernorm(x, 0), var(x))
>>> RowSoftmax(sympy.ImmutableMatrix([[0, 0], [0, sympy.log(3)]])).doit()
Matrix([
[1/2, 1/2],
[1/4, 3/4]])
>>> v = sympy.ImmutableMatrix([1, 3])
>>> LayerNorm(v, 0).doit().T, Variance(v).doit()
(Matrix([[-1, 1]]), 1)
"""

from __future__ import annotations

import sympy
from sympy.matrices.expressions.matexpr import MatrixExpr

EPS = sympy.Rational(1, 100_000)  # layernorm's default ε: torch.nn.functional.layer_norm's


def _size(d: sympy.Basic, what: str) -> int:
    d = sympy.sympify(d)
    if not d.is_Integer:
        raise ValueError(f"{what} entries need a concrete size")
    return int(d)


def _explicit(arg: sympy.Basic, hints: dict) -> sympy.Basic:
    """The argument evaluated, as an explicit matrix where it holds no matrix symbol and has
    a concrete shape (c·A·B with a symbolic c stays a MatMul under SymPy's doit)."""
    arg = arg.doit(**hints) if hints.get("deep", True) else arg
    if isinstance(arg, MatrixExpr) and not arg.atoms(sympy.MatrixSymbol) \
            and all(sympy.sympify(d).is_Integer for d in arg.shape):
        return sympy.ImmutableMatrix(arg.as_explicit())
    return arg


def _entries(x: sympy.Basic) -> list[sympy.Expr]:
    """The entries of an explicit column vector, or of a column matrix expression."""
    if isinstance(x, sympy.MatrixBase):
        return list(x)
    return [x._entry(i, 0) for i in range(_size(x.shape[0], "vector"))]


def _variance(values: list[sympy.Expr]) -> sympy.Expr:
    mean = sympy.Add(*values) / len(values)
    return sympy.Add(*[(v - mean) ** 2 for v in values]) / len(values)


class RowSoftmax(MatrixExpr):
    """softmax(S) of a matrix, row by row: exp(Sᵢⱼ)/Σₗ exp(Sᵢₗ) (``torch.softmax(S, -1)``).

    Differential: d softmax(S) = P ⊙ (dS − (P ⊙ dS)𝟏𝟏ᵀ) with P = softmax(S), which is
    diag(p) − p pᵀ applied to each row p.

    >>> A = sympy.MatrixSymbol("A", 2, 3)
    >>> RowSoftmax(A)._entry(1, 0)
    exp(A[1, 0])/(exp(A[1, 0]) + exp(A[1, 1]) + exp(A[1, 2]))
    """

    def __new__(cls, arg: MatrixExpr):
        return MatrixExpr.__new__(cls, arg)

    @property
    def arg(self) -> MatrixExpr:
        return self.args[0]

    @property
    def shape(self):
        return self.arg.shape

    def _sympystr(self, printer) -> str:
        return f"softmax({printer._print(self.arg)})"

    def _entry(self, i, j, **kwargs):
        cols = _size(self.arg.shape[1], "softmax")
        exps = [sympy.exp(self.arg._entry(i, k, **kwargs)) for k in range(cols)]
        return exps[j] / sympy.Add(*exps)

    def doit(self, **hints):
        arg = _explicit(self.arg, hints)
        if isinstance(arg, sympy.MatrixBase):
            exps = arg.applyfunc(sympy.exp)
            return sympy.ImmutableMatrix(exps.rows, exps.cols, lambda i, j:
                                         exps[i, j] / sum(exps.row(i)))
        return RowSoftmax(arg)

    def differential(self, d: MatrixExpr) -> MatrixExpr:
        """d softmax(S) for dS = ``d``: P ⊙ (dS − (P ⊙ dS)𝟏𝟏ᵀ)."""
        cols = self.shape[1]
        spread = sympy.MatMul(sympy.HadamardProduct(self, d), sympy.OneMatrix(cols, 1),
                              sympy.OneMatrix(1, cols))
        return sympy.HadamardProduct(self, d - spread)


class Variance(sympy.Expr):
    """var(x): the population variance of the entries of a column vector x (n×1),
    ‖x − μ𝟏‖²/n with μ = 𝟏ᵀx/n; a scalar.

    Differential: d var(x) = (2/n)(x − μ𝟏)ᵀdx.

    >>> Variance(sympy.MatrixSymbol("x", 3, 1)).doit()
    var(x)
    """

    is_commutative = True

    def __new__(cls, arg: MatrixExpr):
        return sympy.Expr.__new__(cls, arg)

    @property
    def arg(self) -> MatrixExpr:
        return self.args[0]

    def _eval_is_extended_real(self) -> bool:
        return True

    def _eval_is_extended_nonnegative(self) -> bool:
        return True

    def _sympystr(self, printer) -> str:  # also the text of symnum.matrix.printing
        return f"var({printer._print(self.arg)})"

    _symnum_text = _sympystr

    def _latex(self, printer) -> str:
        return rf"\operatorname{{var}}\left({printer._print(self.arg)}\right)"

    def doit(self, **hints):
        arg = _explicit(self.arg, hints)
        if isinstance(arg, sympy.MatrixBase):
            return _variance(list(arg))
        return Variance(arg)

    def differential(self, d: MatrixExpr) -> sympy.Expr:
        """d var(x) for dx = ``d``: (2/n)(x − μ𝟏)ᵀdx, a scalar."""
        return 2 * sympy.Trace(centred(self.arg).T * d) / self.arg.shape[0]


def centred(x: MatrixExpr) -> MatrixExpr:
    """x − μ𝟏 with μ = 𝟏ᵀx/n, for a column vector x (n×1).

    >>> centred(sympy.ImmutableMatrix([1, 3])).as_explicit().T
    Matrix([[-1, 1]])
    """
    n = x.shape[0]
    return x - sympy.OneMatrix(n, n) * x / n


class LayerNorm(MatrixExpr):
    """layernorm(x, ε) = (x − μ𝟏)/√(var(x) + ε) for a column vector x (n×1), μ = 𝟏ᵀx/n
    (``torch.nn.functional.layer_norm(x, (n,), eps=ε)``, without a scale or shift).

    Differential: with y = layernorm(x), dy = (dx − 𝟏𝟏ᵀdx/n − y yᵀdx/n)/√(var(x) + ε), so the
    Jacobian is (n𝐈 − 𝟏𝟏ᵀ − y yᵀ)/(n√(var(x) + ε)).

    >>> LayerNorm(sympy.ImmutableMatrix([0, 2]), sympy.Symbol("eps")).doit().T
    Matrix([[-1/sqrt(eps + 1), 1/sqrt(eps + 1)]])
    """

    def __new__(cls, arg: MatrixExpr, eps: sympy.Basic = EPS):
        return MatrixExpr.__new__(cls, arg, sympy.sympify(eps))

    @property
    def arg(self) -> MatrixExpr:
        return self.args[0]

    @property
    def eps(self) -> sympy.Expr:
        return self.args[1]

    @property
    def shape(self):
        return self.arg.shape

    def _sympystr(self, printer) -> str:  # also the text of symnum.matrix.printing
        eps = "" if self.eps == EPS else f", {printer._print(self.eps)}"
        return f"layernorm({printer._print(self.arg)}{eps})"

    _symnum_text = _sympystr

    def _latex(self, printer) -> str:
        eps = "" if self.eps == EPS else f", {printer._print(self.eps)}"
        return rf"\operatorname{{layernorm}}\left({printer._print(self.arg)}{eps}\right)"

    def scale(self) -> sympy.Expr:
        """√(var(x) + ε), the number layernorm divides by."""
        return sympy.sqrt(Variance(self.arg) + self.eps)

    def _entry(self, i, j, **kwargs):
        values = _entries(self.arg)
        mean = sympy.Add(*values) / len(values)
        return (values[i] - mean) / sympy.sqrt(_variance(values) + self.eps)

    def doit(self, **hints):
        arg = _explicit(self.arg, hints)
        if isinstance(arg, sympy.MatrixBase):
            values = list(arg)
            mean = sympy.Add(*values) / len(values)
            scale = sympy.sqrt(_variance(values) + self.eps)
            return sympy.ImmutableMatrix([(v - mean) / scale for v in values])
        return LayerNorm(arg, self.eps)

    def differential(self, d: MatrixExpr) -> MatrixExpr:
        """dy for dx = ``d``: (dx − 𝟏𝟏ᵀdx/n − y yᵀdx/n)/√(var(x) + ε)."""
        n = self.shape[0]
        inner = d - sympy.OneMatrix(n, n) * d / n - self * self.T * d / n
        return inner / self.scale()


# The nodes of this module and of matrix_expr that hold a function of a matrix: expanded with
# doit once their arguments are explicit (symnum.matrix.result.explicit).
LAYER_NODES = (RowSoftmax, LayerNorm, Variance)
