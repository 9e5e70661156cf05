"""Untrusted text → SymPy, by walking Python's AST against a whitelist.

No user text ever reaches ``eval``, ``exec``, ``sympify`` or ``parse_expr``: the text is
parsed by :func:`ast.parse` (which only builds a tree) and every node is checked against the
whitelist below before a SymPy object is built from it.

>>> parse("x^2 + sin(y)")
x**2 + sin(y)
>>> parse("[x*y, x + y]").shape
(2, 1)
"""

from __future__ import annotations

import ast
import decimal
import difflib
import fractions
import math
import numbers
import re
import sys
import unicodedata
from collections.abc import Iterable, Mapping
from typing import TypeAlias

import sympy

from .errors import ParseError, VariableError
from .guards import (
    MAX_NUMBER_DIGITS,
    MAX_TOWER,
    check_exp_size,
    check_numbers,
    check_power_size,
    short,
    tower_height,
)
from .names import (
    CONSTANTS,
    EAGER_INTEGER_FUNCTIONS,
    FUNCTIONS,
    REFUSED_FUNCTIONS,
    UNICODE_FUNCTIONS,
)
from .notation import to_python, unquoted
from .real_root import real_power
from .unknown_parse import CALLS, is_marked, marked
from .unknowns import UNDEFINED_NAME

MAX_LENGTH = 200_000  # characters of text (a small network's loss written out is ~60k)
MAX_DEPTH = 100  # nesting of brackets and non-chain operators
MAX_LITERAL_DIGITS = 1_000
MAX_EAGER_INTEGER = 1_000  # largest integer argument of factorial, gamma, ...
PARSE_RECURSION = 250_000  # Python's AST conversion recurses once per operator of a chain

_UNDEFINED_FUNCTION = UNDEFINED_NAME  # f, g, h2: undefined functions by default

_NAME = re.compile(r"^[^\W\d_]\w*$")
_BINOPS = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow, ast.MatMult)
_ADDITIVE = (ast.Add, ast.Sub)
_MULTIPLICATIVE = (ast.Mult, ast.Div, ast.MatMult)
# Function names that are also common variable names (γ, β in batch norm).
_ALSO_VARIABLES = frozenset({"gamma", "beta", "sign", "root"}) | UNICODE_FUNCTIONS
_REFUSED = {
    ast.ListComp: "comprehensions are not allowed",
    ast.SetComp: "comprehensions are not allowed",
    ast.DictComp: "comprehensions are not allowed",
    ast.GeneratorExp: "comprehensions are not allowed",
    ast.Lambda: "lambdas are not allowed",
    ast.NamedExpr: "assignments are not allowed",
    ast.Subscript: "indexing is not allowed",
    ast.Compare: "comparisons are not allowed",
    ast.BoolOp: "'and'/'or' are not allowed",
    ast.IfExp: "'if ... else' is not allowed",
    ast.Starred: "'*' unpacking is not allowed",
    ast.JoinedStr: "strings are not allowed",
    ast.Dict: "dictionaries are not allowed",
    ast.Set: "sets are not allowed",
    ast.Await: "'await' is not allowed",
    ast.Yield: "'yield' is not allowed",
}

Shape: TypeAlias = tuple[sympy.Expr, ...]


def check_name(name: str, what: str = "variable") -> str:
    """Return ``name`` if it is a valid variable name, else raise :class:`VariableError`.

    >>> check_name("x1")
    'x1'
    """
    if isinstance(name, str):
        # as Python reads names in the expression: ｘ is x; but x² is a power, not a name
        normal = unicodedata.normalize("NFKC", name)
        if normal != name and any(unicodedata.category(c) == "No" for c in name):
            raise VariableError(f"invalid {what} name {name!r}: superscripts are powers")
        name = normal
    if not isinstance(name, str) or not _NAME.match(name) or name.startswith("_"):
        raise VariableError(f"invalid {what} name {name!r}: use letters, digits and '_' "
                            "(starting with a letter)")
    if name in CONSTANTS:
        raise VariableError(f"{name!r} is a constant, not a {what}")
    return name


def split_names(text: str) -> list[str]:
    """Split ``"x,y"`` or ``"x y"`` into checked names.

    >>> split_names("x, y z")
    ['x', 'y', 'z']
    """
    names = [n for n in re.split(r"[,\s]+", text.strip()) if n]
    if not names:
        raise VariableError("no variable names given")
    return [check_name(n) for n in names]


def parse(text: str, shapes: Mapping[str, Shape] | None = None,
          functions: Iterable[str] = ()) -> sympy.Basic:
    """Parse untrusted ``text`` into a SymPy expression (or Matrix for list literals).

    ``^`` is a power, unknown names become real symbols; calls of single-letter names
    (``f``, ``g2``) and of the names in ``functions`` become undefined functions, any other
    unknown call is an error. Names listed in ``shapes`` become matrix symbols of that shape.

    >>> parse("f(g(x))").diff(parse("x"))
    Derivative(f(g(x)), g(x))*Derivative(g(x), x)
    >>> parse("phi(x)", functions=["phi"])
    phi(x)
    """
    if not isinstance(text, str):
        raise ParseError(f"expected text, got {type(text).__name__}")
    _check_text(text)
    text = unquoted(text)
    # '^' means power, as in maths; Python would read it as xor with the wrong precedence.
    tree = _syntax_tree(to_python(marked(text.strip())).replace("^", "**"))
    declared = frozenset(check_name(n, "function") for n in functions)
    builder = _Builder(shapes or {}, declared)
    value = builder.build(tree.body, 0)
    if getattr(builder, "bare", None):  # f' or ∂f/∂x without arguments: f's from the rest
        from .unknown_parse import resolved
        value = resolved(builder, value)
    if shapes:
        from .matrix_build import check_sized
        check_sized(value)
    check_numbers(value)
    return value


def _syntax_tree(text: str) -> ast.Expression:
    """``ast.parse`` with room for long flat chains (x1 + ... + x30000): Python converts its
    tree recursively, one level per operator of a left-associative chain. Bracket depth is
    capped before this, so only such chains go deep."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, PARSE_RECURSION))
    try:
        return ast.parse(text, mode="eval")
    except SyntaxError as err:
        if "integer string conversion" in str(err.msg):  # Python's own advice: not ours
            raise ParseError(f"a number of more than {sys.get_int_max_str_digits()} digits "
                             "is too long to read") from None
        raise ParseError(f"invalid syntax at column {err.offset or 0}: {err.msg}") from None
    except (RecursionError, MemoryError, ValueError):
        raise ParseError("expression is too complex to parse") from None
    finally:
        sys.setrecursionlimit(limit)


def as_number(value: object, what: str = "value") -> sympy.Expr:
    """A number from the API as a SymPy number: Python and numpy numbers, fractions,
    decimals, SymPy numbers, or text read by :func:`parse` (never by ``sympify``).

    >>> as_number("pi/4"), as_number(0.5), as_number(3)
    (pi/4, 0.500000000000000, 3)
    """
    if isinstance(value, sympy.Basic):
        number = value
    elif isinstance(value, str):
        number = parse(value)
    elif isinstance(value, bool) or value is None:
        raise VariableError(f"the {what} must be a number, got {value!r}")
    elif isinstance(value, numbers.Integral):
        integer = int(value)
        if integer.bit_length() > MAX_NUMBER_DIGITS * 3.32:
            raise VariableError(f"the {what} has more than {MAX_NUMBER_DIGITS} digits")
        number = sympy.Integer(integer)
    elif isinstance(value, fractions.Fraction):
        number = sympy.Rational(value.numerator, value.denominator)
    elif isinstance(value, decimal.Decimal) and value.is_finite():
        number = sympy.Rational(str(value))
    elif isinstance(value, numbers.Real) and math.isfinite(float(value)):
        number = sympy.Float(float(value))
    elif isinstance(value, numbers.Complex) and math.isfinite(abs(complex(value))):
        z = complex(value)
        number = sympy.Float(z.real) + sympy.I * sympy.Float(z.imag)
    else:
        shown = type(value).__name__ if not isinstance(value, numbers.Number) else repr(value)
        raise VariableError(f"the {what} must be a finite number, got {shown}")
    if not isinstance(number, sympy.Expr) or number.free_symbols or not number.is_number:
        raise VariableError(f"the {what} must be a number, got {short(number)}")
    check_numbers(number)
    return number


def _check_text(text: str) -> None:
    """Refuse empty, oversized or unprintable text and too-deep bracket nesting."""
    if not text.strip():
        raise ParseError("empty expression")
    if len(text) > MAX_LENGTH:
        raise ParseError(f"expression is {len(text)} characters long (limit {MAX_LENGTH})")
    for i, ch in enumerate(text):
        if not ch.isprintable() and ch not in " \t\n":
            raise ParseError(f"non-printable character {ch!r} at column {i + 1}")
    depth = 0
    for ch in text:
        depth += ch in "([{"
        depth -= ch in ")]}"
        if depth > MAX_DEPTH:
            raise ParseError(f"brackets nested deeper than {MAX_DEPTH} levels")


class _Builder:
    """Build SymPy from a checked AST; one method per allowed node type."""

    def __init__(self, shapes: Mapping[str, Shape], functions: frozenset[str] = frozenset()):
        self.shapes = {check_name(k, "matrix"): tuple(v) for k, v in shapes.items()}
        self.functions = functions
        self.symbols: dict[str, sympy.Basic] = {}
        # dimension names (n in --shape x=n) are the same integer symbols everywhere
        for shape in self.shapes.values():
            for dim in shape:
                if isinstance(dim, sympy.Symbol):
                    self.symbols[dim.name] = dim

    def build(self, node: ast.AST, depth: int) -> sympy.Basic:
        if depth > MAX_DEPTH:
            raise ParseError(f"expression nested deeper than {MAX_DEPTH} levels")
        for kind, message in _REFUSED.items():
            if isinstance(node, kind):
                raise ParseError(message)
        method = getattr(self, "_" + type(node).__name__, None)
        if method is None:
            raise ParseError(f"{type(node).__name__} is not allowed in an expression")
        try:
            return method(node, depth + 1)
        except (TypeError, ValueError, AttributeError, sympy.ShapeError,
                sympy.NonSquareMatrixError) as err:
            raise ParseError(f"cannot build the expression: {_one_line(err)}") from None

    def _Constant(self, node: ast.Constant, depth: int) -> sympy.Basic:
        value = node.value
        if isinstance(value, bool) or value is None or isinstance(value, str | bytes):
            raise ParseError(f"literal {value!r} is not a number")
        if isinstance(value, int):
            if len(str(value)) > MAX_LITERAL_DIGITS:
                raise ParseError(f"integer literal longer than {MAX_LITERAL_DIGITS} digits")
            return sympy.Integer(value)
        if isinstance(value, float):
            if not math.isfinite(value):
                raise ParseError("number literal is too large")
            # Decimal literals are read exactly: 0.1 is 1/10, so results stay exact.
            return sympy.Rational(repr(value))
        if isinstance(value, complex):
            return sympy.Rational(repr(value.real)) + sympy.I * sympy.Rational(repr(value.imag))
        raise ParseError(f"literal {value!r} is not a number")

    def _Name(self, node: ast.Name, depth: int) -> sympy.Basic:
        name = node.id
        if name.startswith("_"):
            raise ParseError(f"name {name!r} is not allowed (names may not start with '_')")
        if name in CONSTANTS:
            return CONSTANTS[name]
        if is_marked(name):  # f' alone: f's arguments come from the rest of the expression
            from .unknown_parse import bare_name
            return bare_name(self, name)
        if name in FUNCTIONS and name not in _ALSO_VARIABLES and name not in self.shapes:
            raise ParseError(f"{name!r} is a function: call it like {name}(x)")
        if name not in self.symbols and name not in self.shapes and self.shapes:
            parts = _split_matrix_names(name, self.shapes)
            if parts:  # Wx, xᵀAx: juxtaposed declared matrices are their product
                from .matrix_build import combine
                value = self._Name(ast.Name(id=parts[0]), depth)
                for part in parts[1:]:
                    value = combine("*", value, self._Name(ast.Name(id=part), depth))
                return value
        if name not in self.symbols:
            if name in self.shapes:
                shape = self.shapes[name]
                rows, cols = (shape + (1,))[:2] if len(shape) == 1 else shape
                self.symbols[name] = sympy.MatrixSymbol(name, rows, cols)
            else:
                self.symbols[name] = sympy.Symbol(check_name(name), real=True)
        return self.symbols[name]

    def _Attribute(self, node: ast.Attribute, depth: int) -> sympy.Basic:
        if node.attr != "T":
            raise ParseError("attribute access is not allowed (only .T on a matrix variable)")
        value = self.build(node.value, depth)
        if not _is_matrix(value):
            raise ParseError(f".T needs a matrix or vector; declare the shape of "
                             f"{ast.unparse(node.value)} with --shape")
        return value.T

    def _UnaryOp(self, node: ast.UnaryOp, depth: int) -> sympy.Basic:
        operand = self.build(node.operand, depth)
        if isinstance(node.op, ast.USub):
            return -operand
        if isinstance(node.op, ast.UAdd):
            return operand
        raise ParseError(f"operator {type(node.op).__name__} is not allowed")

    def _BinOp(self, node: ast.BinOp, depth: int) -> sympy.Basic:
        # A left-associative chain of one precedence class (x1 + x2 - ... + xn) is walked as
        # a loop and summed at once, so a long sum is neither deep nesting nor quadratic.
        group = _ADDITIVE if isinstance(node.op, _ADDITIVE) else _MULTIPLICATIVE
        chain: list[tuple[ast.operator, ast.AST]] = []
        left: ast.AST = node
        while isinstance(left, ast.BinOp) and isinstance(left.op, group):
            chain.append((left.op, left.right))
            left = left.left
        if not chain:
            left_value = self.build(node.left, depth)
            return self._binary(node.op, left_value, self.build(node.right, depth))
        value = self.build(left, depth)
        if group is _ADDITIVE:
            terms = [value] + [self.build(r, depth) * (1 if isinstance(op, ast.Add) else -1)
                               for op, r in reversed(chain)]
            if not any(_is_matrix(t) for t in terms):
                return sympy.Add(*terms)
            return _sum_matrices(terms)
        factors = [(op, self.build(right, depth)) for op, right in reversed(chain)]
        if not _is_matrix(value) and not any(_is_matrix(b) for _, b in factors) \
                and not any(isinstance(op, ast.MatMult) for op, _ in factors):
            return sympy.Mul(value, *[self._factor(op, b) for op, b in factors])
        for op, right in factors:
            value = self._binary(op, value, right)
        return value

    def _factor(self, op: ast.operator, b: sympy.Basic) -> sympy.Basic:
        """``b`` as a factor of a product: itself after '*', its inverse after '/'."""
        if isinstance(op, ast.Div):
            if b == 0:
                raise ParseError("division by zero")
            return 1 / b
        return b

    def _binary(self, op: ast.operator, a: sympy.Basic, b: sympy.Basic) -> sympy.Basic:
        if isinstance(op, ast.Mod) and _is_symbolic_matrix(a) and _is_symbolic_matrix(b):
            from .matrix_build import matrix_call
            return matrix_call("HadamardProduct", [a, b])  # a ⊙ b
        if isinstance(op, ast.Mod):
            raise ParseError("⊙ is the Hadamard product of two matrices of one shape")
        if not isinstance(op, _BINOPS):
            raise ParseError(f"operator {type(op).__name__} is not allowed")
        if _is_symbolic_matrix(a) or _is_symbolic_matrix(b):
            from . import matrix_build  # only matrix input pays for this import
            if isinstance(op, ast.Pow):
                return self._power(a, b)
            symbol = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.MatMult: "*",
                      ast.Div: "/"}[type(op)]
            return matrix_build.combine(symbol, a, b)
        if isinstance(op, ast.Add):
            return a + b
        if isinstance(op, ast.Sub):
            return a - b
        if isinstance(op, ast.Mult):
            return a * b
        if isinstance(op, ast.MatMult):
            return a @ b if _is_matrix(a) and _is_matrix(b) else a * b
        if isinstance(op, ast.Div):
            if b == 0:
                raise ParseError("division by zero")
            return a / b
        return self._power(a, b)

    def _power(self, base: sympy.Basic, exponent: sympy.Basic) -> sympy.Basic:
        check_power_size(base, exponent)
        if tower_height(exponent) >= MAX_TOWER:
            raise ParseError(f"power towers (x**x**x...) higher than {MAX_TOWER} levels are "
                             "not supported: their derivatives grow too fast")
        if _is_symbolic_matrix(exponent):
            from .matrix_build import as_scalar, is_one_by_one
            if not is_one_by_one(exponent):
                raise ParseError("an exponent cannot be a matrix")
            exponent = as_scalar(exponent)  # e^{-wᵀx}: a 1×1 matrix is the scalar it is
        if _is_symbolic_matrix(base):
            from .matrix_build import power
            return power(base, exponent)
        if _is_matrix(base):
            if not (exponent.is_Integer and exponent >= 0):
                raise ParseError("a matrix can only be raised to a non-negative integer power")
            return base ** exponent
        real = real_power(base, exponent)  # x**(2/3) is real at x = -8: variables are real
        return real if real is not None else sympy.Pow(base, exponent)

    def _Call(self, node: ast.Call, depth: int) -> sympy.Basic:
        if not isinstance(node.func, ast.Name):
            raise ParseError("only named functions can be called, like sin(x)")
        name = node.func.id
        if name.startswith("_"):
            raise ParseError(f"name {name!r} is not allowed (names may not start with '_')")
        if name in CALLS or is_marked(name):  # f'(x), Derivative(f(x), x): unknown functions
            from .unknown_parse import call
            return call(self, name, node, depth)
        if name in REFUSED_FUNCTIONS and not (name == "sum" and self.shapes):
            raise ParseError(f"{name}(...) is not supported: {REFUSED_FUNCTIONS[name]}")
        if node.keywords:
            raise ParseError(f"keyword arguments are not allowed in {name}(...)")
        if name in ("Piecewise", "piecewise"):
            from .cases import build_piecewise
            return build_piecewise(node.args, self.build, depth)
        if not node.args and not (self.shapes and name in ("ones", "eye")):
            raise ParseError(f"{name}() needs at least one argument")
        args = [self.build(a, depth) for a in node.args]
        if name in self.shapes and len(args) == 1:  # W(x + b), as textbooks write it
            from .matrix_build import combine
            return combine("*", self._Name(ast.Name(id=name), depth), args[0])
        if name in CONSTANTS or name in self.shapes:
            raise ParseError(f"{name!r} is not a function")
        if self.shapes:
            from .matrix_build import MATRIX_FUNCTIONS, matrix_call
            if name in MATRIX_FUNCTIONS or any(_is_symbolic_matrix(a) for a in args):
                return matrix_call(name, args)
        if name in FUNCTIONS:
            if name in EAGER_INTEGER_FUNCTIONS:
                for a in args:
                    if a.is_Number and abs(a) > MAX_EAGER_INTEGER:
                        raise ParseError(f"{name} of a number above {MAX_EAGER_INTEGER} "
                                         "is too large to compute")
            if name == "exp":
                check_exp_size(args[0])
            try:
                return FUNCTIONS[name](*args)
            except TypeError:
                raise ParseError(f"wrong number of arguments for {name}()") from None
        check_name(name, "function")
        if not (_UNDEFINED_FUNCTION.match(name) or name in self.functions):
            raise ParseError(f"unknown function {name!r}{_did_you_mean(name)}; single letters "
                             "(f, g, h2) stand for undefined functions")
        return sympy.Function(name, real=True)(*args)

    def _List(self, node: ast.List | ast.Tuple, depth: int) -> sympy.Basic:
        if not node.elts:
            raise ParseError("empty list")
        items = [self.build(e, depth) for e in node.elts]
        if all(isinstance(i, sympy.MatrixBase) for i in items):
            rows = [list(i) for i in items]
            if len({len(r) for r in rows}) != 1:
                raise ParseError("rows of a matrix literal must have equal lengths")
            return sympy.ImmutableMatrix(rows)
        if any(isinstance(i, sympy.MatrixBase) or _is_matrix(i) for i in items):
            raise ParseError("a list must hold only scalars (a vector) or only lists (a matrix)")
        return sympy.ImmutableMatrix(items)

    _Tuple = _List


def _split_matrix_names(name: str, shapes: Mapping[str, Shape]) -> list[str] | None:
    """``Wx`` → [W, x] when the name is a run of two or more declared matrix names."""
    if len(name) > 40:
        return None
    best: dict[int, list[str]] = {0: []}
    for end in range(1, len(name) + 1):
        for start in sorted(best):
            if start < end and name[start:end] in shapes and end not in best:
                best[end] = best[start] + [name[start:end]]
    found = best.get(len(name))
    return found if found and len(found) > 1 else None


def _is_symbolic_matrix(x: sympy.Basic) -> bool:
    return isinstance(x, sympy.MatrixExpr)


def _is_matrix(x: sympy.Basic) -> bool:
    return isinstance(x, sympy.MatrixBase | sympy.MatrixExpr)


def _sum_matrices(terms: list[sympy.Basic]) -> sympy.Basic:
    if any(_is_symbolic_matrix(t) for t in terms):
        from .matrix_build import combine
        total = terms[0]
        for term in terms[1:]:
            total = combine("+", total, term)
        return total
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    return total


def _did_you_mean(name: str) -> str:
    close = difflib.get_close_matches(name, list(FUNCTIONS), n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""


def _one_line(err: Exception) -> str:
    return " ".join(str(err).split())[:200] or type(err).__name__
