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

import functools
from collections.abc import Callable

import sympy
from sympy.core.symbol import Str
from sympy.matrices.expressions.matexpr import MatrixExpr
from sympy.printing.str import StrPrinter

from . import registry


def _sigmoid(t: sympy.Expr) -> sympy.Expr:
    return 1 / (1 + sympy.exp(-t))


# name -> scalar function applied to each entry
SCALAR: dict[str, Callable[[sympy.Expr], sympy.Expr]] = {
    "exp": sympy.exp, "log": sympy.log, "tanh": sympy.tanh, "sigmoid": _sigmoid,
    "sin": sympy.sin, "cos": sympy.cos, "sqrt": sympy.sqrt, "relu": lambda t: sympy.Max(0, t),
    "softplus": lambda t: sympy.log(1 + sympy.exp(t)), "heaviside": sympy.Heaviside,
    "abs": sympy.Abs, "sign": sympy.sign,
}


def scalar(name: str) -> Callable[[sympy.Expr], sympy.Expr] | None:
    """The scalar function ``Elementwise(name, A)`` applies: :data:`SCALAR`'s, else that of
    a registry record whose derivative is a matrix expression (:func:`registry_elementwise`).

    >>> scalar("tanh") is sympy.tanh, scalar("erf") is sympy.erf, scalar("polygamma")
    (True, True, None)
    """
    if name in SCALAR:
        return SCALAR[name]
    return registry.BY_NAME[name].builder if name in registry_elementwise() else None


@functools.cache
def registry_elementwise() -> frozenset[str]:
    """Records of one argument that apply elementwise with no entry of their own here: a
    SymPy class and a derivative text built of +, ×, numeric powers and functions that apply
    elementwise (erf′ = 2e^(−u²)/√π: yes; Γ′ = Γ·polygamma(0, ·): no)."""
    names = {r.name for r in registry.RECORDS
             if r.name not in SCALAR and r.sympy is not None and r.parsed
             and r.arity == (1, 1) and r.derivative and r.derivative[0]}
    u = sympy.Dummy("u")
    derivatives = {n: registry.BY_NAME[n].partials(u, classes=registry.CLASSES)[0]
                   for n in names}
    while True:  # the largest set closed under derivatives (sinh′ = cosh, cosh′ = sinh)
        kept = {n for n in names if _liftable(derivatives[n], u, names)}
        if kept == names:
            break
        names = kept
    return frozenset(names)


def _liftable(e: sympy.Basic, u: sympy.Symbol, names: set[str]) -> bool:
    if e == u or e.is_number:
        return True
    if isinstance(e, sympy.Add | sympy.Mul):
        return all(_liftable(a, u, names) for a in e.args)
    if isinstance(e, sympy.Pow):
        return e.exp.is_number and _liftable(e.base, u, names)
    record = registry.BY_CLASS.get(type(e))
    return record is not None and len(e.args) == 1 and (
        record.name in SCALAR or record.name in names) and _liftable(e.args[0], u, names)


def _lift(e: sympy.Expr, u: sympy.Symbol, a: MatrixExpr) -> MatrixExpr:
    """The scalar expression ``e`` of ``u`` as a matrix expression of ``a`` entry by entry:
    ``u`` is ``a``, a number c is c·𝟏, × is ⊙, a power the Hadamard power."""
    if e == u:
        return a
    if e.is_number:
        return e * sympy.OneMatrix(*a.shape)
    if isinstance(e, sympy.Add):
        return sympy.MatAdd(*[_lift(t, u, a) for t in e.args]).doit()
    if isinstance(e, sympy.Mul):
        number, rest = e.as_coeff_Mul()
        factors = [_lift(t, u, a) for t in sympy.Mul.make_args(rest)]
        product = factors[0] if len(factors) == 1 else sympy.HadamardProduct(*factors)
        return product if number == 1 else number * product
    if isinstance(e, sympy.Pow):
        return sympy.HadamardPower(_lift(e.base, u, a), e.exp)
    return Elementwise(registry.BY_CLASS[type(e)].name, _lift(e.args[0], u, a))


class Elementwise(MatrixExpr):
    """A scalar function applied to every entry of a matrix expression."""

    def __new__(cls, name: str | sympy.Symbol, arg: MatrixExpr):
        name = str(name)  # a Str when SymPy rebuilds the node
        if scalar(name) is None:
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
        return scalar(self.name)(self.arg._entry(i, j, **kwargs))

    def _sympystr(self, printer) -> str:
        return f"{self.name}({printer._print(self.arg)})"

    def doit(self, **hints):
        arg = self.arg.doit(**hints) if hints.get("deep", True) else self.arg
        if isinstance(arg, sympy.MatrixBase):
            return arg.applyfunc(scalar(self.name))
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
        if name in table:
            return table[name]()
        if name not in registry_elementwise():
            raise ValueError(f"the derivative of elementwise {name} is not defined")
        u = sympy.Dummy("u")
        return _lift(registry.BY_NAME[name].partials(u, classes=registry.CLASSES)[0], u, a)


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


class Vec(MatrixExpr):
    """vec(A): the columns of A stacked into one column (column-major), an mn × 1 vector.

    >>> m, n = sympy.symbols("m n", integer=True)
    >>> Vec(sympy.MatrixSymbol("A", m, n)).shape
    (m*n, 1)
    >>> Vec(sympy.ImmutableMatrix([[1, 2], [3, 4]])).doit().T
    Matrix([[1, 3, 2, 4]])
    """

    def __new__(cls, arg: MatrixExpr):
        return MatrixExpr.__new__(cls, arg)

    @property
    def arg(self) -> MatrixExpr:
        return self.args[0]

    @property
    def shape(self):
        rows, cols = self.arg.shape
        return (rows * cols, sympy.S.One)

    def _entry(self, i, j, **kwargs):
        rows = self.arg.shape[0]
        return self.arg._entry(i % rows, i // rows, **kwargs)

    def _sympystr(self, printer) -> str:
        return f"Vec({printer._print(self.arg)})"

    def doit(self, **hints):
        arg = self.arg.doit(**hints) if hints.get("deep", True) else self.arg
        if isinstance(arg, sympy.MatrixBase):
            return sympy.ImmutableMatrix(arg.T.reshape(arg.rows * arg.cols, 1))
        if arg.shape[1] == 1:
            return arg
        return Vec(arg)


class Commutation(MatrixExpr):
    """The commutation matrix K_{m,n}, mn × mn: K·vec(A) = vec(Aᵀ) for A of shape m × n.

    >>> Commutation(2, 3).doit() * Vec(sympy.ImmutableMatrix([[1, 2, 3], [4, 5, 6]])).doit()
    Matrix([
    [1],
    [2],
    [3],
    [4],
    [5],
    [6]])
    """

    def __new__(cls, m, n):
        return MatrixExpr.__new__(cls, sympy.sympify(m), sympy.sympify(n))

    @property
    def shape(self):
        m, n = self.args
        return (m * n, m * n)

    def _entry(self, i, j, **kwargs):
        m, n = self.args
        return sympy.KroneckerDelta(i, (j % m) * n + j // m)

    def _eval_transpose(self):
        return Commutation(self.args[1], self.args[0])

    def _sympystr(self, printer) -> str:
        return f"Commutation({printer._print(self.args[0])}, {printer._print(self.args[1])})"

    def doit(self, **hints):
        m, n = self.args
        if m.is_Integer and n.is_Integer:
            size = int(m * n)
            return sympy.ImmutableMatrix(size, size, lambda i, j: self._entry(i, j))
        return self


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

    def _print_KroneckerProduct(self, e):
        return "KroneckerProduct(" + ", ".join(self._print(a) for a in e.args) + ")"


def matrix_str(expr: sympy.Basic) -> str:
    """The result string of the JSON contract (readable back with sympify + locals)."""
    return _MatrixStr().doprint(expr)

