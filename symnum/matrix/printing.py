"""Matrix results in the notation of a textbook: Unicode text and LaTeX.

Products are juxtaposed (``xᵀAx``, ``(A + Aᵀ)x``), a 1×1 product is a scalar (never
``tr(xᵀAx)``), ones vectors carry their orientation (``𝟏``, ``𝟏ᵀ``), ⊙ is the Hadamard
product, ``tanh²`` an elementwise square, σ the logistic function; no SymPy class names. The
text reads back with :func:`symnum.core.parse.parse` and the same shapes. The JSON contract
keeps SymPy syntax (:func:`symnum.matrix.plain.matrix_plain`).

>>> import sympy
>>> n = sympy.Symbol("n", integer=True)
>>> x, A = sympy.MatrixSymbol("x", n, 1), sympy.MatrixSymbol("A", n, n)
>>> matrix_text(sympy.Trace(x.T * A * x)), matrix_text((A + A.T) * x)
('xᵀAx', '(A + Aᵀ)x')
>>> matrix_latex(sympy.OneMatrix(1, n) * x)
'\\\\mathbf{1}^\\\\top x'
"""

from __future__ import annotations

import re
import unicodedata

import sympy
from sympy.matrices.expressions.matexpr import MatrixExpr
from sympy.printing.latex import LatexPrinter
from sympy.printing.str import StrPrinter

from ..core.latex_names import latex_command
from ..core.matrix_expr import Commutation, Elementwise, Softmax, Vec
from ..core.matrix_layers import LayerNorm, RowSoftmax, Variance
from ..core.registry import BY_NAME
from ..core.render import symbol_latex
from .forms import has_minus
from .print_terms import flat as _flat
from .print_terms import is_one_by_one as _is_one_by_one
from .print_terms import minus as _minus
from .print_terms import negative as _negative
from .print_terms import ordered_terms as _ordered_terms
from .print_terms import scalar_groups as _scalar_groups
from .vec_printing import VecLatex, VecText, dimension

_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
_GREEK_MACROS = frozenset({"\\lambda", "\\alpha", "\\beta", "\\gamma", "\\delta", "\\theta",
                           "\\sigma", "\\mu", "\\eta", "\\tau", "\\epsilon", "\\omega",
                           "\\phi", "\\psi", "\\rho", "\\kappa", "\\nu", "\\xi", "\\zeta"})
_RAISED = "⁰¹²³⁴⁵⁶⁷⁸⁹⁻ᵀ"
_SHORT = re.compile(r"^[^\W\d_][⁰¹²³⁴⁵⁶⁷⁸⁹⁻ᵀ]*$")  # a one-letter name with superscripts


def _text_name(name: str) -> str:
    """An elementwise function's name in text: its record's Unicode name (σ), else its own."""
    record = BY_NAME.get(name)
    return record.unicode[0] if record is not None and record.unicode else name


def _latex_name(name: str) -> str:
    """An elementwise function's LaTeX command, from its record (\\sigma, \\exp)."""
    record = BY_NAME.get(name)
    command = latex_command(record) if record is not None else None
    return command or rf"\operatorname{{{name}}}"


def _is_atom(e: sympy.Basic) -> bool:
    """Printed without brackets before ᵀ, ⁻¹ or a power: a name or a call like softmax(z)."""
    if isinstance(e, sympy.Trace):
        return not _is_one_by_one(e.arg)
    return isinstance(e, sympy.Symbol | sympy.MatrixSymbol | sympy.Function | Elementwise
                      | Softmax | RowSoftmax | LayerNorm | Variance | sympy.DiagMatrix
                      | sympy.Determinant | sympy.OneMatrix | sympy.Identity | Vec
                      | Commutation) or (
        isinstance(e, sympy.Number) and e >= 0 and e.is_Integer)


class _Text(VecText, StrPrinter):
    """Unicode math: juxtaposed products, superscripts, −, ⊙, 𝟏, σ."""

    printmethod = "_symnum_text"  # our _print_ methods, not the nodes' SymPy-syntax _sympystr

    defined: frozenset[str] = frozenset()  # names given by "where" lines (σ, s)

    def _juxtapose(self, parts: list[tuple[str, bool]]) -> str:
        """Join factors (text, is a matrix) as a textbook does, so that the text still reads
        back: 2x, Wx, xᵀAx, (A + Aᵀ)x, Xᵀ(Xw − y), y σ(u) x, x xᵀ, y·(a + b)."""
        out, (last, last_matrix) = parts[0][0], parts[0]
        for text, matrix in parts[1:]:
            out += self._separator(last, last_matrix, text, matrix) + text
            last, last_matrix = text, matrix
        return out

    def _separator(self, left: str, left_matrix: bool, right: str, right_matrix: bool) -> str:
        short_left = bool(_SHORT.match(left)) or left in ("𝟏", "𝟏ᵀ")
        short_right = bool(_SHORT.match(right)) or right in ("𝟏", "𝟏ᵀ")
        group_left = left.startswith("(") and left.endswith(")")
        if re.search(r"(?<![\w.])[\d.]+$", left):  # 2x, but alpha_1 x (not alpha_1x)
            return "·" if right[0] in "0123456789" else ""
        if right[0] == "(":
            if right[-1] in _RAISED and not left.endswith(")") and left[-1] not in _RAISED:
                return "·"  # 2X·(XᵀX)⁻¹: X(XᵀX)⁻¹ would read as (X(XᵀX))⁻¹
            if left.endswith(")") or left in self.defined or short_left and left_matrix:
                return ""
            return "·"
        if left.endswith(")") and short_right and (left_matrix or not right_matrix) and (
                group_left or right_matrix):
            return ""
        # xᵀAx, Wx, A⁻¹x; but x xᵀ and A X⁻¹, since xxᵀ and AX⁻¹ would read as (xx)ᵀ, (AX)⁻¹
        raised = left[-1] in _RAISED
        if (short_left or raised) and short_right and left_matrix and right_matrix \
                and (raised or not any(c in right for c in _RAISED)):
            return ""
        return " "

    def _factor(self, e: sympy.Basic) -> tuple[str, bool]:
        if isinstance(e, sympy.HadamardPower) and e.exp == 1:  # A^∘1 is A: 2Aᵀ(AX − B)
            e = e.base
        text = self._print(e)
        if isinstance(e, sympy.Add | sympy.MatAdd | sympy.HadamardProduct
                      | sympy.KroneckerProduct) or (
                isinstance(e, sympy.Rational) and not e.is_Integer) or (
                isinstance(e, sympy.HadamardPower) and "^∘" in text):  # 𝟏ᵀ(X^∘2)𝟏
            text = f"({text})"
        return text, isinstance(e, MatrixExpr)

    def _scalar_factors(self, e: sympy.Expr) -> list[sympy.Basic]:
        """Numbers, then variables and their powers, then the rest (y² σ(u), not σ(u)y²)."""
        def rank(f):
            base = f.as_base_exp()[0]
            if f.is_Number:
                return 0
            if isinstance(base, sympy.Symbol) and base.name not in self.defined:
                return 1
            return 3 if isinstance(base, sympy.Add) else 2
        return sorted((f for f in sympy.Mul.make_args(e) if f != 1), key=rank)

    def _product(self, scalars: list[sympy.Basic], matrices: list[sympy.Basic]) -> str:
        # one scalar as it is: Mul(*) would spread 2(c − t) into 2c − 2t
        coefficient = scalars[0] if len(scalars) == 1 else sympy.Mul(*scalars)
        sign = ""
        if has_minus(coefficient):
            sign, coefficient = "−", -coefficient
        numerator, denominator = sympy.fraction(coefficient, exact=True) \
            if coefficient != 1 else (1, 1)
        parts = [self._factor(f) for f in self._scalar_factors(numerator)]
        if matrices:  # (xᵀx)𝐈: a 1×1 product before matrices is bracketed
            parts = [(f"({t})", m) if isinstance(f, sympy.Trace) and _is_one_by_one(f.arg)
                     and isinstance(f.arg, sympy.MatMul) else (t, m) for f, (t, m) in
                     zip(self._scalar_factors(numerator), parts, strict=True)]
        if denominator != 1:
            den = self._print(denominator)
            if isinstance(denominator, sympy.Add | sympy.Mul | sympy.Trace) \
                    and not _SHORT.match(den):
                den = f"({den})"
            if not (matrices and not denominator.is_Number):
                scalar = f"{self._juxtapose(parts) if parts else '1'}/{den}"
                parts = [(f"({scalar})" if matrices else scalar, False)]
        for g in _scalar_groups(matrices):
            if isinstance(g, tuple):
                parts.append(("(" + self._juxtapose([self._factor(f) for f in g]) + ")", False))
            else:
                parts.append(self._factor(g))
        if denominator != 1 and matrices and not denominator.is_Number:
            return f"{sign}{self._juxtapose(parts)}/{den}"  # x/√(xᵀx), (A + Aᵀ)x/(xᵀAx)
        return sign + (self._juxtapose(parts) if parts else "1")

    def _print_Mul(self, e):
        return self._product(list(e.args), [])

    def _print_MatMul(self, e):
        args = _flat(e)
        return self._product([a for a in args if not isinstance(a, MatrixExpr)],
                             [a for a in args if isinstance(a, MatrixExpr)])

    def _sum(self, terms: list[sympy.Basic]) -> str:
        out = ""
        for k, term in enumerate(_ordered_terms(terms)):
            if _negative(term):
                out += ("−" if k == 0 else " − ") + self._print(_minus(term))
            else:
                out += ("" if k == 0 else " + ") + self._print(term)
        return out

    def _print_Add(self, e):  # var(x) + ε, not ε + var(x)
        return self._sum(sorted(e.args, key=lambda t: not isinstance(t, Variance)))

    def _print_MatAdd(self, e):
        return self._sum(list(e.args))

    def _print_Integer(self, e):
        return str(e).replace("-", "−")

    def _print_Rational(self, e):  # 10⁻⁵ (layernorm's ε), 1/2
        k = len(str(e.q)) - 1
        if abs(e.p) == 1 and k >= 3 and e.q == 10**k:
            return ("−" if e.p < 0 else "") + "10" + f"-{k}".translate(_SUPERSCRIPT)
        return f"{e.p}/{e.q}".replace("-", "−")

    def _print_Pow(self, e):
        base, power = e.args
        if power == sympy.S.Half:
            inner = self._print(base)
            return f"√{inner}" if _SHORT.match(inner) else f"√({inner})"
        if power.is_Integer and power < 0:
            return self._product([e], [])
        if base == sympy.E:
            return f"exp({self._print(power)})"
        if power.is_Integer:
            sup = str(power).translate(_SUPERSCRIPT)
            if isinstance(base, sympy.Function | Elementwise) and len(base.args) >= 1:
                text = self._print(base)
                head, _, rest = text.partition("(")
                return f"{head}{sup}({rest}"
            inner = self._print(base)
            return (inner if _SHORT.match(inner) else f"({inner})") + sup
        return f"{self._parens(base)}^({self._print(power)})"

    def _parens(self, e: sympy.Basic) -> str:
        text = self._print(e)
        return text if _is_atom(e) else f"({text})"

    def _print_MatrixSymbol(self, e):
        return e.name

    def _print_exp(self, e):
        return f"exp({self._print(e.args[0])})"

    def _print_Exp1(self, e):
        return "e"

    def _print_Pi(self, e):
        return "π"

    def _print_Abs(self, e):
        return f"|{self._print(e.args[0])}|"

    def _print_Transpose(self, e):
        if isinstance(e.arg, sympy.Inverse):  # (X⁻¹)ᵀ = (Xᵀ)⁻¹: X⁻ᵀ either way
            return self._parens(e.arg.arg) + "⁻ᵀ"
        return self._parens(e.arg) + "ᵀ"

    def _print_Inverse(self, e):
        if isinstance(e.arg, sympy.Transpose):
            return self._parens(e.arg.arg) + "⁻ᵀ"
        return self._parens(e.arg) + "⁻¹"

    def _print_MatPow(self, e):
        return self._parens(e.base) + str(e.exp).translate(_SUPERSCRIPT)

    def _print_Trace(self, e):
        if _is_one_by_one(e.arg):
            return self._print(e.arg)
        return f"tr({self._print(e.arg)})"

    def _print_Determinant(self, e):
        return f"det({self._print(e.arg)})"

    def _print_DiagMatrix(self, e):
        return f"diag({self._print(e.args[0])})"

    def _print_Identity(self, e):
        size = e.shape[0]
        return "𝐈" if isinstance(size, sympy.Symbol | sympy.Integer) else f"𝐈_{dimension(size)}"

    def _print_ZeroMatrix(self, e):
        return "0"

    def _print_OneMatrix(self, e):
        rows, cols = e.shape
        return {(True, True): "1", (False, True): "𝟏", (True, False): "𝟏ᵀ"}.get(
            (rows == 1, cols == 1), "𝟏𝟏ᵀ")

    def _print_HadamardProduct(self, e):
        return " ⊙ ".join(f"({self._print(a)})" if isinstance(a, sympy.MatMul) else
                          self._factor(a)[0] for a in e.args)

    def _print_HadamardPower(self, e):
        if e.exp == 1:
            return self._parens(e.base)
        square = e.shape[0] == e.shape[1]
        if e.exp == 2 and square:
            return f"{self._parens(e.base)} ⊙ {self._parens(e.base)}"
        if isinstance(e.base, sympy.MatrixSymbol) and e.exp.is_Integer and e.exp > 0 \
                and 1 in e.shape:  # h² of a vector h: entrywise, as it reads back (X² of
            # a matrix would read as X·X: X^∘2)
            return f"{e.base.name}{str(e.exp).translate(_SUPERSCRIPT)}"
        if isinstance(e.base, sympy.MatrixSymbol) and e.exp.is_Integer and e.exp > 0:
            return f"{e.base.name}^∘{e.exp}"
        if isinstance(e.base, Elementwise) and e.exp.is_Integer and e.exp > 0 and not square:
            head, _, rest = self._print(e.base).partition("(")
            return f"{head}{str(e.exp).translate(_SUPERSCRIPT)}({rest}"
        return f"{self._parens(e.base)}^⊙({self._print(e.exp)})"

    def _print_Elementwise(self, e):
        return f"{_text_name(e.name)}({self._print(e.arg)})"

    def _print_Softmax(self, e):
        return f"softmax({self._print(e.arg)})"

    _print_RowSoftmax = _print_Softmax  # softmax of a matrix: row by row

    def _print_Sigma(self, e):
        return f"σ({self._print(e.args[0])})"


class _Latex(VecLatex, LatexPrinter):
    """LaTeX as textbooks write it: x^\\top, \\mathbf{1}^\\top, \\odot, \\operatorname{diag}."""

    def _print_Transpose(self, e):
        if isinstance(e.arg, sympy.Inverse):
            return self._bracket(e.arg.arg) + r"^{-\top}"
        return self._bracket(e.arg) + r"^\top"

    def _print_MatrixSymbol(self, e, style="plain"):
        # W, dW: upright math; W_12 as \mathit{W\_12}, which reads back as W_12 (not W12)
        return symbol_latex(e.name, super()._print_Symbol(e, style))

    def _print_Symbol(self, e, style="plain"):
        name = e.name
        if len(name) == 1 and unicodedata.category(name) == "Ll" and not name.isascii():
            return "\\" + unicodedata.name(name).split()[-1].lower()  # σ → \sigma
        return symbol_latex(name, super()._print_Symbol(e, style))  # lam, not l·a·m

    def _bracket(self, e: sympy.Basic) -> str:
        text = self._print(e)
        if _is_atom(e):
            return text
        return rf"\left({text}\right)"

    def _print_Inverse(self, e):
        if isinstance(e.arg, sympy.Transpose):
            return self._bracket(e.arg.arg) + r"^{-\top}"
        return self._bracket(e.arg) + "^{-1}"

    def _print_Trace(self, e):
        if _is_one_by_one(e.arg):
            return self._print(e.arg)
        return rf"\operatorname{{tr}}\left({self._print(e.arg)}\right)"

    def _print_Determinant(self, e):
        return rf"\det\left({self._print(e.arg)}\right)"

    def _print_OneMatrix(self, e):
        rows, cols = e.shape
        return {(True, True): "1", (False, True): r"\mathbf{1}",
                (True, False): r"\mathbf{1}^\top"}.get((rows == 1, cols == 1),
                                                       r"\mathbf{1}\mathbf{1}^\top")

    def _print_Identity(self, e):  # bold as 𝐈 in text: reads back as the identity, not I
        size = e.shape[0]
        if isinstance(size, sympy.Symbol | sympy.Integer):
            return r"\mathbf{I}"
        return rf"\mathbf{{I}}_{{{self._print(size)}}}"  # of a vec form: 𝐈_{mn}

    def _print_HadamardProduct(self, e):
        return r" \odot ".join(self._bracket(a) if isinstance(a, sympy.MatAdd | sympy.MatMul |
                                                                  sympy.HadamardProduct)
                               else self._print(a) for a in e.args)

    def _print_HadamardPower(self, e):
        if isinstance(e.base, Elementwise) and e.exp.is_Integer and e.exp > 0:
            head, _, rest = self._print(e.base).partition(r"\left(")
            return rf"{head}^{{{e.exp}}}\left({rest}"
        return rf"{self._bracket(e.base)}^{{\circ {self._print(e.exp)}}}"

    def _print_Elementwise(self, e):
        name = _latex_name(e.name)
        if e.name == "sqrt":
            return rf"\sqrt{{{self._print(e.arg)}}}"
        return rf"{name}\left({self._print(e.arg)}\right)"

    def _print_Softmax(self, e):
        return rf"\operatorname{{softmax}}\left({self._print(e.arg)}\right)"

    _print_RowSoftmax = _print_Softmax

    def _print_DiagMatrix(self, e):
        return rf"\operatorname{{diag}}\left({self._print(e.args[0])}\right)"

    def _print_MatAdd(self, e):
        out = ""
        for k, term in enumerate(_ordered_terms(list(e.args))):
            if _negative(term):
                out += ("-" if k == 0 else " - ") + self._term(_minus(term))
            else:
                out += ("" if k == 0 else " + ") + self._term(term)
        return out

    def _term(self, e: sympy.Basic) -> str:
        return self._print(e)

    def _print_Mul(self, e):
        # tr(−dwᵀx) prints as −dwᵀx: its sign goes in front of the product, or e^{u}·tr(−v)
        # would read e^{u} − v
        flips, args = 0, []
        for a in e.args:
            if isinstance(a, sympy.Trace) and _is_one_by_one(a.arg) and _negative(a.arg):
                flips, a = flips + 1, sympy.Trace(-a.arg)
            args.append(a)
        if not flips:
            return super()._print_Mul(e)
        text = super()._print_Mul(sympy.Mul(*args, evaluate=False))
        return text if flips % 2 == 0 else ("- " + text if not text.startswith("-")
                                            else text.lstrip("- "))

    def _print_MatMul(self, e):
        scalars = [a for a in _flat(e) if not isinstance(a, MatrixExpr)]
        matrices = [a for a in _flat(e) if isinstance(a, MatrixExpr)]
        coefficient = sympy.Mul(*scalars)
        sign = ""
        if has_minus(coefficient):
            sign, coefficient = "- ", -coefficient
        parts = []
        numerator, denominator = sympy.fraction(coefficient, exact=True)
        over = numerator == 1 and not denominator.is_Number  # \frac{Q K^\top}{\sqrt{d}}
        if coefficient != 1 and not over:
            text = self._print(coefficient)
            parts.append(rf"\left({text}\right)" if isinstance(coefficient, sympy.Add)
                         else text)
        for g in _scalar_groups(matrices):
            if isinstance(g, tuple):
                parts.append(r"\left(" + " ".join(self._mat_factor(f) for f in g) + r"\right)")
            else:
                parts.append(self._mat_factor(g))
        out = parts[0] if parts else "1"
        for left, right in zip(parts, parts[1:], strict=False):  # 2 lam\, I: a thin space
            out += (r"\," if left.endswith("}") and r"\mathit" in left else " ") + right
        if over:  # a lone sum needs no brackets over a fraction bar
            top = self._print(matrices[0]) if len(parts) == len(matrices) == 1 else out
            return sign + rf"\frac{{{top}}}{{{self._print(denominator)}}}"
        return sign + out

    def _mat_factor(self, e: sympy.Basic) -> str:
        if isinstance(e, sympy.MatAdd | sympy.HadamardProduct | sympy.KroneckerProduct):
            return rf"\left({self._print(e)}\right)"
        return self._print(e)

    def _print_Sigma(self, e):
        return rf"\sigma\left({self._print(e.args[0])}\right)"

    def _print_Rational(self, e):  # 10^{-5}, layernorm's ε
        k = len(str(e.q)) - 1
        if abs(e.p) == 1 and k >= 3 and e.q == 10**k:
            return ("-" if e.p < 0 else "") + f"10^{{-{k}}}"
        return super()._print_Rational(e)


def matrix_text(expr: sympy.Basic, defined: frozenset[str] = frozenset()) -> str:
    """One line of Unicode math for a matrix expression (see the module docstring);
    ``defined`` names values given on "where" lines (printed as σ(1 − σ), not σ·(1 − σ))."""
    printer = _Text()
    printer.defined = frozenset(defined)
    return printer.doprint(expr)


def matrix_latex(expr: sympy.Basic) -> str:
    """LaTeX for a matrix expression: ^\\top, \\mathbf{1}, \\odot, \\operatorname{diag}."""
    return _Latex().doprint(expr)


