"""Matrix expressions symnum adds to SymPy's, and their SymPy syntax (the JSON contract;
the textbook text and LaTeX are in :mod:`symnum.matrix.printing`).

``Elementwise("tanh", W*x + b)`` applies a scalar function to every entry; ``Softmax(z)``
is the softmax of a column vector. Both know their entries (so a result can be expanded to
components for verification) and the derivative of their function.

>>> import sympy
>>> n = sympy.Symbol("n", integer=True)
>>> x = sympy.MatrixSymbol("x", n, 1)
>>> matrix_str(Elementwise("tanh", 2*x) + sympy.OneMatrix(n, 1))
'tanh(2*x) + OneMatrix(n, 1)'
"""

from __future__ import annotations

from collections.abc import Callable

import sympy
from sympy.core.symbol import Str
from sympy.matrices.expressions.matexpr import MatrixExpr
from sympy.printing.str import StrPrinter


def _sigmoid(t: sympy.Expr) -> sympy.Expr:
    return 1 / (1 + sympy.exp(-t))


# name -> scalar function applied to each entry
SCALAR: dict[str, Callable[[sympy.Expr], sympy.Expr]] = {
    "exp": sympy.exp, "log": sympy.log, "tanh": sympy.tanh, "sigmoid": _sigmoid,
    "sin": sympy.sin, "cos": sympy.cos, "sqrt": sympy.sqrt, "relu": lambda t: sympy.Max(0, t),
    "softplus": lambda t: sympy.log(1 + sympy.exp(t)), "heaviside": sympy.Heaviside,
    "abs": sympy.Abs, "sign": sympy.sign,
}


class Elementwise(MatrixExpr):
    """A scalar function applied to every entry of a matrix expression."""

    def __new__(cls, name: str | sympy.Symbol, arg: MatrixExpr):
        name = str(name)  # a Str when SymPy rebuilds the node
        if name not in SCALAR:
            raise ValueError(f"{name} cannot be applied elementwise")
        return MatrixExpr.__new__(cls, Str(name), arg)  # Str: no free symbols

    @property
    def name(self) -> str:
        return self.args[0].name

    @property
    def arg(self) -> MatrixExpr:
        return self.args[1]

    @property
    def shape(self):
        return self.arg.shape

    def _entry(self, i, j, **kwargs):
        return SCALAR[self.name](self.arg._entry(i, j, **kwargs))

    def _sympystr(self, printer) -> str:
        return f"{self.name}({printer._print(self.arg)})"

    def doit(self, **hints):
        arg = self.arg.doit(**hints) if hints.get("deep", True) else self.arg
        if isinstance(arg, sympy.MatrixBase):
            return arg.applyfunc(SCALAR[self.name])
        return Elementwise(self.name, arg)

    def derivative_entries(self) -> MatrixExpr:
        """f'(A) as a matrix expression (used as f'(A) ⊙ dA)."""
        a, name = self.arg, self.name
        ones = sympy.OneMatrix(*a.shape)
        table = {
            "exp": lambda: self,
            "log": lambda: sympy.HadamardPower(a, -1),
            "tanh": lambda: ones - sympy.HadamardProduct(self, self),
            "sigmoid": lambda: sympy.HadamardProduct(self, ones - self),
            "sin": lambda: Elementwise("cos", a),
            "cos": lambda: -Elementwise("sin", a),
            "sqrt": lambda: sympy.HadamardPower(self, -1) / 2,
            "relu": lambda: Elementwise("heaviside", a),
            "softplus": lambda: Elementwise("sigmoid", a),
            "abs": lambda: Elementwise("sign", a),
        }
        if name not in table:
            raise ValueError(f"the derivative of elementwise {name} is not defined")
        return table[name]()


class Softmax(MatrixExpr):
    """softmax(z) = exp(z) / (1ᵀ exp(z)) for a column vector z."""

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
        n = sympy.sympify(self.arg.shape[0])
        if not n.is_Integer:
            raise ValueError("softmax entries need a concrete size")
        exps = [sympy.exp(self.arg._entry(k, 0, **kwargs)) for k in range(int(n))]
        return exps[i] / sympy.Add(*exps)

    def doit(self, **hints):
        arg = self.arg.doit(**hints)
        if isinstance(arg, sympy.MatrixBase):
            exps = arg.applyfunc(sympy.exp)
            return exps / sum(exps)
        return Softmax(arg)


class _MatrixStr(StrPrinter):
    """SymPy's str, but every name sympify reads back: OneMatrix, Identity, Inverse ..."""

    def _print_OneMatrix(self, e):
        return f"OneMatrix({self._print(e.shape[0])}, {self._print(e.shape[1])})"

    def _print_ZeroMatrix(self, e):
        return f"ZeroMatrix({self._print(e.shape[0])}, {self._print(e.shape[1])})"

    def _print_Identity(self, e):
        return f"Identity({self._print(e.shape[0])})"

    def _print_Inverse(self, e):
        return f"Inverse({self._print(e.arg)})"

    def _print_HadamardProduct(self, e):
        return "HadamardProduct(" + ", ".join(self._print(a) for a in e.args) + ")"

    def _print_HadamardPower(self, e):
        return f"HadamardPower({self._print(e.base)}, {self._print(e.exp)})"

    def _print_DiagMatrix(self, e):
        return f"DiagMatrix({self._print(e.args[0])})"

    def _print_Elementwise(self, e):
        return f"{e.name}({self._print(e.arg)})"

    def _print_Softmax(self, e):
        return f"softmax({self._print(e.arg)})"


def matrix_str(expr: sympy.Basic) -> str:
    """The result string of the JSON contract (readable back with sympify + locals)."""
    return _MatrixStr().doprint(expr)

