"""Exact derivative, gradient, Jacobian and Hessian → :class:`Result`.

>>> from symnum.core.function import Function
>>> derivative(Function("(x**2 + 1)**3")).expr
6*x*(x**2 + 1)**2
>>> hessian(Function("x**2 + 4*x*y + y**2")).nested()
[[2, 4], [4, 2]]
"""

from __future__ import annotations

import functools
import itertools
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import sympy

from .budget import counting, work_budget
from .errors import ShapeError, SymnumError, VariableError
from .hooks import HOOKS, need
from .textbook import arguments, book_order, nested_quotient, quotient_forms, textbook_form
from .unknowns import diff  # sympy.diff, with unknown functions' derivatives as jets

if TYPE_CHECKING:
    from .function import Function

KINDS = ("derivative", "gradient", "jacobian", "hessian")
MAX_ORDER = 20
SIMPLIFY_MAX_OPS = 80  # sympy.simplify is tried on entries up to this size ...
SIMPLIFY_TOTAL_OPS = 400  # ... and on the distinct entries of one result up to this total
MAX_EXPAND_POWER = 24  # larger integer powers of sums are never expanded
# SymPy objects one entry's simplify may build (~25,000 a CPU second; typical: under 12,000)
SIMPLIFY_OBJECTS = 100_000
SIMPLIFY_RESULT_OBJECTS = 150_000  # ... and all entries of one result together
# Budgets count work (operations, SymPy objects built: core.budget), never a clock.
MAX_PRODUCT_TERMS = 5_000_000  # factors of products a result may hold written out (memory)
CSE_MIN_OPS = 120  # below this a result is shown without definitions (w1 = ... is for big ones)
CSE_GAIN = 0.7  # definitions are used when they shrink the result to this fraction


@dataclass(frozen=True)
class Result:
    """An exact derivative: a SymPy matrix plus ordered common subexpressions.

    ``matrix`` may refer to the symbols defined in ``definitions`` (each definition may refer
    to earlier ones); :meth:`expanded` substitutes them back.

    >>> from symnum.core.function import Function
    >>> r = Function("x**2*y").hessian()
    >>> r.kind, r.shape, r.nested()
    ('hessian', (2, 2), [[2*y, 2*x], [2*x, 0]])
    """

    kind: str
    function: Function
    matrix: sympy.ImmutableMatrix
    definitions: tuple[tuple[sympy.Symbol, sympy.Expr], ...] = ()
    order: int = 1
    native = None  # a fast-path NativeForm (symnum.core.fast) that prints without SymPy, or None

    @property
    def size(self) -> int:
        """Entries plus definitions: how much there is to print."""
        return len(self.matrix) + len(self.definitions)

    @property
    def variables(self) -> tuple[sympy.Symbol, ...]:
        return self.function.variables

    @property
    def shape(self) -> tuple[int, ...]:
        """Layout of the result: () scalar, (n,) vector, (m, n) matrix."""
        rows, cols = self.matrix_shape
        if self.kind == "gradient":  # the variables' layout: a list of n, also for n = 1
            return (rows * cols,)
        if self.kind == "derivative":
            return () if (rows, cols) == (1, 1) and not self.function.is_vector \
                else (rows * cols,)
        return rows, cols

    @property
    def matrix_shape(self) -> tuple[int, int]:
        """(rows, columns) of the stored matrix."""
        return tuple(self.matrix.shape)

    @property
    def expr(self) -> sympy.Basic:
        """The result as one SymPy object (definitions substituted): Expr or Matrix."""
        full = self.expanded()
        return full[0] if self.shape == () else full

    def expanded(self) -> sympy.ImmutableMatrix:
        """The matrix with every definition substituted back."""
        if not self.definitions:
            return self.matrix
        subs = {}
        for name, value in self.definitions:
            subs[name] = value.xreplace(subs)
        return self.matrix.xreplace(subs)

    def expr_ops(self) -> int:
        """Size of the result with definitions substituted (without building it)."""
        sizes: dict[sympy.Symbol, int] = {}
        for name, value in self.definitions:
            sizes[name] = sympy.count_ops(value) + sum(sizes.get(s, 0) for s in value.free_symbols)
        return sum(sympy.count_ops(e) + sum(sizes.get(s, 0) for s in e.free_symbols)
                   for e in self.matrix)

    def entries(self) -> list[sympy.Expr]:
        """Entries in row-major order, as stored (may refer to definitions)."""
        return list(self.matrix)

    def nested(self, entries: list | None = None) -> object:
        """Entries (or given per-entry values) arranged in the result's layout."""
        flat = list(entries) if entries is not None else self.entries()
        if self.shape == ():
            return flat[0]
        if len(self.shape) == 1:
            return flat
        rows, cols = self.shape
        return [flat[r * cols:(r + 1) * cols] for r in range(rows)]

    def at(self, point: dict) -> object:
        """Exact-then-float values at ``point`` ({name or symbol: number}) in layout.

        Values may be numbers, constant expressions as text ("pi/4", read by the parser,
        never evaluated as code) or arrays: with an array anywhere the result is evaluated
        elementwise in float64 by :func:`symnum.kernel` and returned as an array of shape
        batch + :attr:`shape`.

        >>> import numpy as np
        >>> from symnum.core.function import Function
        >>> Function("x**2*y").gradient().at({"x": np.array([1.0, 2.0]), "y": 3}).tolist()
        [[6.0, 1.0], [12.0, 4.0]]
        """
        from collections.abc import Mapping

        from .evaluate import exact_values
        if not isinstance(point, Mapping):
            raise VariableError("a point is a mapping of names to values, like {'x': 1.5}")
        point = {k: v.item() if getattr(v, "ndim", None) == 0 else v for k, v in point.items()}
        if any(_is_array(v) for v in point.values()):
            return self._at_arrays(point)
        return self.nested([_python_number(v) for v in exact_values(self, point, digits=20)])

    def _at_arrays(self, point: dict) -> object:
        """Elementwise float64 values through a numpy kernel (batch + result shape)."""
        import numpy as np

        from .evaluate import name_list, substitution
        by_name = {getattr(k, "name", str(k)): v for k, v in point.items()}
        free = self.expanded().free_symbols | self.function.expr.free_symbols
        symbols = list(self.variables) + sorted(
            (s for s in free if s not in self.variables), key=lambda s: s.name)
        missing = [s.name for s in symbols if s.name not in by_name]
        if missing:
            raise VariableError(f"no value given for {name_list(missing)}")
        arrays, scalars = {}, {}
        for s in symbols:
            value = by_name[s.name]
            if _is_array(value):
                try:
                    raw = np.asarray(value)
                    if raw.dtype.kind == "c" or raw.dtype.kind == "O" and any(
                            isinstance(v, complex | np.complexfloating) for v in raw.flat):
                        raise TypeError  # a cast to float would drop the imaginary part
                    arrays[s.name] = raw.astype(float)
                except (TypeError, ValueError):
                    raise SymnumError(f"the array for {s.name} must hold real numbers; for "
                                      "other arrays use symnum.kernel") from None
            else:
                scalars[s] = value
        exact = substitution(set(scalars), scalars)  # text is parsed, never sympified
        for s, value in exact.items():
            number = sympy.N(value, 20)
            if not (number.is_real and number.is_finite):
                raise SymnumError(f"the value of {s.name} must be a real number with arrays "
                                  "(for complex inputs use symnum.kernel)")
            arrays[s.name] = np.asarray(float(number))
        kernel = need(HOOKS.compile_kernel, "compile_kernel")(self, symbols)  # symnum.kernels
        return kernel(*[arrays[s.name] for s in symbols])

    def latex(self) -> str:
        from .render import result_latex
        return result_latex(self)

    def text(self) -> str:
        from .render import result_text
        return result_text(self)

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, str]:
        """Jupyter's display: the LaTeX equation (and the text for terminals)."""
        from .display import bundle, math_block
        return bundle(self.text(), {"text/latex": math_block(self.latex())}, include, exclude)

    def __str__(self) -> str:
        return self.text()


def _is_array(value: object) -> bool:
    """A numpy array (not 0-d), or a list/tuple of values, as ``Result.at`` receives it."""
    return isinstance(value, list | tuple) or getattr(value, "ndim", 0) > 0


def _python_number(value: sympy.Expr) -> float | complex | sympy.Expr:
    """float (or complex) when float64 can hold the value, else the SymPy number itself."""
    try:
        number = float(value) if value.is_real else complex(value)
    except TypeError:  # DiracDelta(0) at a jump: SymPy's exact value stays (with a note)
        return value
    return number if math.isfinite(abs(number)) else value


def product_terms(f: Function, what: str, order: int = 1) -> int:
    """How many factors the written-out result will hold at least, from the products in f:
    each partial derivative of a product of m factors in the variables is m products of
    m − 1 factors (a Hessian n² of them; the k-th derivative C(k + m − 1, m − 1) products).

    >>> from symnum.core.function import Function
    >>> product_terms(Function("*".join(f"x{i}" for i in range(400))), "hessian")
    64000000
    """
    variables = set(f.variables)
    total = 0
    for output in f.outputs:
        for node in sympy.preorder_traversal(output):
            if not isinstance(node, sympy.Mul):
                continue
            m = sum(1 for a in node.args if a.free_symbols & variables)
            if m < 2:
                continue
            if what == "hessian":
                total += m ** 3
            elif what == "derivative":
                total += math.comb(order + m - 1, m - 1) * m
            else:
                total += m * m
    return total


def derivative(f: Function, order: int = 1) -> Result:
    """d^n f/dx^n of a function of one variable (elementwise for a vector function)."""
    if isinstance(order, bool) or not isinstance(order, int) or not 1 <= order <= MAX_ORDER:
        raise SymnumError(f"order must be an integer from 1 to {MAX_ORDER}, got {order!r}")
    if len(f.variables) != 1:
        names = ", ".join(v.name for v in f.variables) or "none"
        raise VariableError(f"a derivative needs exactly one variable (got {names}); "
                            "choose one with wrt, or ask for a gradient")
    x = f.variables[0]
    entries = [_almost_everywhere(diff(e, x, order)) for e in f.outputs]
    return tidy_result("derivative", f, sympy.ImmutableMatrix(entries), order)


def gradient(f: Function) -> Result:
    """The vector of partial derivatives of a scalar function."""
    _require_scalar(f, "gradient")
    return tidy_result("gradient", f, sympy.ImmutableMatrix(
        [_almost_everywhere(diff(f.expr, v)) for v in f.variables]))


def jacobian(f: Function) -> Result:
    """The m × n matrix of partial derivatives (one row per output)."""
    rows = [[_almost_everywhere(diff(e, v)) for v in f.variables] for e in f.outputs]
    return tidy_result("jacobian", f, sympy.ImmutableMatrix(rows))


def hessian(f: Function) -> Result:
    """The n × n matrix of second partial derivatives of a scalar function."""
    _require_scalar(f, "Hessian")
    firsts = [_almost_everywhere(diff(f.expr, v)) for v in f.variables]
    n = len(f.variables)
    rows = [[None] * n for _ in range(n)]
    for i in range(n):
        for j in range(i, n):
            rows[i][j] = rows[j][i] = _almost_everywhere(diff(firsts[i], f.variables[j]))
    return tidy_result("hessian", f, sympy.ImmutableMatrix(rows))


def partial(expr: sympy.Basic, *variables: sympy.Symbol) -> sympy.Basic:
    """∂expr/∂variables as every derivative of symnum is taken: SymPy's, with floor's and
    ceiling's derivative 0 where it exists (SymPy leaves them unevaluated) and a^k·δ(a) = 0.

    >>> x = sympy.Symbol("x", real=True)
    >>> partial(x * sympy.floor(x), x)
    floor(x)
    """
    return _almost_everywhere(diff(expr, *variables))


def _almost_everywhere(expr: sympy.Basic) -> sympy.Basic:
    """floor and ceiling are steps: their derivative is 0 wherever it exists (SymPy leaves
    an unevaluated Derivative)."""
    if expr.has(sympy.Piecewise):  # no δ(x) in a piece that holds away from x = 0
        from .cases import without_deltas
        expr = without_deltas(expr)
    if expr.has(sympy.DiracDelta):
        expr = expr.replace(lambda n: n.is_Mul and n.has(sympy.DiracDelta), _vanishing_delta)
    if not expr.has(sympy.Derivative):
        return expr
    return expr.replace(lambda n: isinstance(n, sympy.Derivative)
                        and _by_record(n) is not None, _by_record)


def _by_record(node: sympy.Derivative) -> sympy.Expr | None:
    """A derivative SymPy leaves unevaluated (floor, ceiling, sign(1/x)) by the chain rule
    on the function's registry record; None where the record has no rule for it."""
    from .registry import BY_CLASS, CLASSES
    record = BY_CLASS.get(type(node.expr))
    if record is None or not record.derivative:
        return None
    partials = record.partials(*node.expr.args, classes=CLASSES)
    result: sympy.Expr = node.expr
    for v, count in node.variable_count:
        for _ in range(int(count)):
            if result is not node.expr:
                result = partial(result, v)
                continue
            terms = []
            for arg, d in zip(node.expr.args, partials, strict=False):
                if arg.has(v):
                    if d is None:
                        return None
                    terms.append(d * partial(arg, v))
            result = sympy.Add(*terms)
    return result


def _vanishing_delta(product: sympy.Expr) -> sympy.Expr:
    """a^k·δ(a) is 0 for k > 0 (the derivative of x²·sign(x) is 2|x|, not nan at 0).

    >>> x = sympy.Symbol("x", real=True)
    >>> _vanishing_delta(x*sympy.DiracDelta(x)), _vanishing_delta(x*sympy.DiracDelta(x - 1))
    (0, x*DiracDelta(x - 1))
    """
    for delta in product.args:
        if isinstance(delta, sympy.DiracDelta) and len(delta.args) == 1:
            a = delta.args[0]
            for factor in product.args:
                base, exponent = factor.as_base_exp()
                if factor is not delta and (base == a or base == -a) and exponent.is_positive:
                    return sympy.S.Zero
    return product


def readable(expr: sympy.Expr, simplify: bool = True,
             budget: int = SIMPLIFY_OBJECTS) -> sympy.Expr:
    """The shortest of a few equivalent forms a person would write.

    >>> readable(sympy.sympify("x*y + x*z"))
    x*(y + z)
    """
    return _readable(expr, simplify, budget)[0]


def _readable(expr: sympy.Expr, simplify: bool, budget: int) -> tuple[sympy.Expr, int]:
    """:func:`readable`, and the SymPy objects its simplify built; remembered (an entry met
    again is not simplified again), except while an outer budget counts the work."""
    return (_readable_now if counting() else _readable_memo)(expr, simplify, budget)


def _readable_now(expr: sympy.Expr, simplify: bool, budget: int) -> tuple[sympy.Expr, int]:
    if not isinstance(expr, sympy.Expr) or expr.is_number and expr.is_Rational:
        return expr, 0
    candidates = [expr, sympy.factor_terms(expr), *quotient_forms(expr)]
    spent = 0
    if simplify and budget > 0 and safe_to_simplify(expr):
        with work_budget(budget) as meter:
            try:
                candidates.append(sympy.simplify(expr))
                if expr.has(sympy.sign):  # sign(x)/|x| is 1/x: simplify misses it alone
                    resolved = sympy.simplify(expr.replace(sympy.sign,
                                                           lambda a: a / sympy.Abs(a)))
                    if not resolved.has(sympy.Abs, sympy.sign):  # else it may divide by |x|
                        candidates.append(resolved)
            except (RecursionError, NotImplementedError, TypeError, ValueError):
                pass  # simplify is a heuristic; the unsimplified form is still exact
        spent = meter.spent
    heads = _heads(expr)
    return min(candidates, key=lambda e: (_bad_form(e) + int(not _heads(e) <= heads),
                                          sympy.count_ops(e), *book_order(e), len(str(e)))), spent


_readable_memo = functools.lru_cache(maxsize=4096)(_readable_now)


def _heads(expr: sympy.Basic) -> set[type]:
    """Function types in ``expr``: simplify should not bring in new ones (cosh for σ')."""
    return {type(a) for a in sympy.preorder_traversal(expr) if isinstance(a, sympy.Function)}


def safe_to_simplify(expr: sympy.Basic, max_ops: int = SIMPLIFY_MAX_OPS) -> bool:
    """Whether ``simplify``/``expand`` can run without exploding: small, and no sum raised to
    a large integer power ((x + 1)**100000 would be expanded term by term).

    >>> safe_to_simplify(sympy.sympify("(x + 1)**100000"))
    False
    """
    if sympy.count_ops(expr) > max_ops:
        return False
    return not any(p.exp.is_Integer and abs(p.exp) > MAX_EXPAND_POWER and not p.base.is_Atom
                   for p in expr.atoms(sympy.Pow))


def _bad_form(expr: sympy.Expr) -> int:
    """Penalise forms a reader should not see when another is available."""
    return int(expr.has(sympy.re, sympy.im, sympy.Subs, sympy.Piecewise, sympy.nan, sympy.zoo)) \
        + nested_quotient(expr)


def _require_scalar(f: Function, what: str) -> None:
    if f.is_vector:
        raise ShapeError(f"a {what} needs a scalar function; for a list of expressions "
                         "ask for the Jacobian")


def tidy_result(kind: str, f: Function, matrix: sympy.ImmutableMatrix, order: int = 1,
                cls: type[Result] = Result) -> Result:
    cache: dict[sympy.Expr, sympy.Expr] = {}
    spent = [0]  # operations of the entries simplify has been given so far
    built = [0]  # SymPy objects their simplify built: work, never the clock

    def tidy(e: sympy.Expr) -> sympy.Expr:
        if e not in cache:
            ops = sympy.count_ops(e)
            allowed = ops <= SIMPLIFY_MAX_OPS and spent[0] + ops <= SIMPLIFY_TOTAL_OPS
            spent[0] += ops if allowed else 0
            left = SIMPLIFY_RESULT_OBJECTS - built[0]
            cache[e], work = _readable(e, allowed, min(SIMPLIFY_OBJECTS, left))
            built[0] += work
        return cache[e]

    preferred = arguments(sympy.Add(*f.outputs)) if any(
        e.has(sympy.exp) for e in matrix) else frozenset()
    forms: dict[sympy.Expr, sympy.Expr] = {}

    def tidy_textbook(e: sympy.Expr) -> sympy.Expr:
        if e not in forms:
            forms[e] = textbook_form(e, tidy(e), preferred)
        return forms[e]

    simple = matrix.applyfunc(tidy_textbook)
    definitions, reduced = common_subexpressions(simple, f)
    return cls(kind, f, reduced, definitions, order)


def _prune(pairs: list, reduced: list, prefix: str) -> tuple[list, list]:
    """Inline definitions a reader gains nothing from (tiny ones like x*y, and ones only one
    expression uses), in one pass; the survivors are renamed prefix1, prefix2, ... in order.
    """
    uses: dict[sympy.Symbol, int] = {name: 0 for name, _ in pairs}
    for expr in [v for _, v in pairs] + list(reduced):
        for s in expr.free_symbols & uses.keys():
            uses[s] += 1
    inline: dict[sympy.Symbol, sympy.Expr] = {}
    kept = []
    for name, value in pairs:
        value = value.xreplace(inline) if inline else value
        if uses[name] <= 1 or sympy.count_ops(value) <= 1:
            inline[name] = value
        else:
            kept.append((name, value))
    rename = {n: sympy.Symbol(f"{prefix}{i}", real=True) for i, (n, _) in enumerate(kept, 1)}
    both = {**{n: v.xreplace(rename) for n, v in inline.items()}, **rename}
    kept = [(rename[n], v.xreplace(rename)) for n, v in kept]
    return kept, [e.xreplace(both) for e in reduced]


DEFINITION_PREFIXES = ("w", "u", "t", "c", "q", "r", "s", "v", "z", "k")


def definition_prefix(f: Function, matrix: sympy.ImmutableMatrix) -> str:
    """A prefix for definitions (w1, w2, ...) that no name of ``f`` or ``matrix`` uses.

    >>> from symnum.core.function import Function
    >>> definition_prefix(Function("w1*x + u2"), sympy.ImmutableMatrix([]))
    't'
    """
    taken = {s.name for s in matrix.free_symbols} | set(f.wrt)
    taken |= {s.name for e in f.outputs for s in e.free_symbols}
    candidates = (p * k for k in itertools.count(1) for p in DEFINITION_PREFIXES)  # w, .., ww, ..
    return next(p for p in candidates if not any(
        n.startswith(p) and n[len(p):].isdigit() for n in taken))


def common_subexpressions(matrix: sympy.ImmutableMatrix, f: Function):
    """Factor out shared subexpressions when that makes the result clearly shorter."""
    before = sum(sympy.count_ops(e) for e in matrix)
    if before < CSE_MIN_OPS or len(matrix) < 2:
        return (), matrix
    prefix = definition_prefix(f, matrix)
    names = (sympy.Symbol(f"_cse{i}", real=True) for i in range(1, 10**6))
    pairs, reduced = sympy.cse(list(matrix), symbols=names, order="canonical")
    pairs, reduced = _prune(pairs, reduced, prefix)
    after = sum(sympy.count_ops(v) for _, v in pairs) + sum(sympy.count_ops(e) for e in reduced)
    if not pairs or after > CSE_GAIN * before:
        return (), matrix
    return tuple(pairs), sympy.ImmutableMatrix(matrix.rows, matrix.cols, reduced)
