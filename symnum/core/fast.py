"""A fast path for large results: differentiate in symengine (C++), share subexpressions with
its ``cse``, and keep the result in symengine until someone needs SymPy objects.

SymPy stays the user-facing representation: ``result.matrix`` and ``result.definitions`` are
SymPy objects over the user's own symbols, built on first use. Printing (text, LaTeX, JSON)
goes straight from symengine, whose printers are C++ and about 500 times faster than SymPy's
on a 61-parameter Hessian; converting to SymPy and printing there was most of the time. The
path is taken only for large expressions that symengine can represent.

>>> import symnum, sympy
>>> f = symnum.Function("exp(x*y)*sin(x)")
>>> r = fast_derive(f, "hessian")
>>> sympy.simplify(r.expanded() - symnum.derive(f, what="hessian").expanded())
Matrix([
[0, 0],
[0, 0]])
>>> [value for name, value in r.native.definition_texts()][0]
'exp(x*y)'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import sympy

from .calculus import Result, definition_prefix
from .real_root import RealRoot

if TYPE_CHECKING:
    from .function import Function

FAST_MIN_OPS = 400  # sympy.count_ops of f at which symengine takes over ...
FAST_MIN_VARIABLES = 10  # ... or this many variables for a Hessian or Jacobian
# ... or this many factors of products written out (a gradient of x1·x2·…·x313 holds 313²:
# SymPy's product rule builds each of them through Derivative objects, minutes at that size)
FAST_MIN_PRODUCT_TERMS = 2_000
# From this many variables a Hessian is differentiated on the gradient's graph: cse of the
# whole Hessian grows quadratically, and below this its definitions read more naturally.
DAG_MIN_VARIABLES = 40


def available() -> bool:
    try:
        import symengine  # noqa: F401
    except ImportError:
        return False
    return True


def applies(f: Function, kind: str, product_terms: int = 0) -> bool:
    """Large enough, and made only of what symengine represents exactly. ``product_terms``:
    the factors of products the written-out result holds (``calculus.product_terms``)."""
    if kind not in ("gradient", "jacobian", "hessian"):
        return False
    outputs = f.outputs
    many = (kind != "gradient" and len(f.variables) >= FAST_MIN_VARIABLES) or \
        product_terms >= FAST_MIN_PRODUCT_TERMS
    if not many and sum(sympy.count_ops(e) for e in outputs) < FAST_MIN_OPS:
        return False
    unsupported = (sympy.Derivative, sympy.Subs, sympy.Piecewise, sympy.Heaviside,
                   sympy.DiracDelta, sympy.core.function.AppliedUndef, RealRoot)
    return not any(e.has(*unsupported) for e in outputs) and available()  # (imports it)


@dataclass(frozen=True)
class NativeForm:
    """A result held as symengine objects: named definitions, then entries (row-major).

    Every symbol is internal: ``u0``, ``u1`` ... for the user's, ``x0``, ``x1`` ... from
    symengine's cse and ``t0``, ``t1`` ... for the Hessian's tangents; ``names`` maps each
    to the SymPy symbol it stands for.
    """

    definitions: tuple[tuple[Any, Any], ...]
    entries: tuple[Any, ...]
    names: dict  # symengine Symbol -> sympy Symbol
    outputs: tuple = ()  # the function's outputs, over the internal symbols

    def inputs_for(self, variables: list[sympy.Symbol]) -> list[Any] | None:
        """The internal symbol of each of the user's ``variables`` (a fresh one for a
        variable the result does not mention), or None if a symbol of the result is not
        among them (it would have no value)."""
        import symengine as se
        defined = {k for k, _ in self.definitions}
        internal = {v: k for k, v in self.names.items() if k not in defined}
        if set(internal) - set(variables):
            return None
        return [internal.get(v, se.Symbol(f"unused{i}")) for i, v in enumerate(variables)]

    def expanded_ops(self) -> int:
        """Operations in the entries with every definition substituted (not built)."""
        sizes: dict = {}
        for name, value in self.definitions:
            sizes[name] = _operations(value) + sum(sizes.get(s, 0) for s in value.free_symbols)
        return sum(_operations(e) + sum(sizes.get(s, 0) for s in e.free_symbols)
                   for e in self.entries)

    def function_latex(self) -> str:
        """LaTeX of the function (one output) or of the vector of outputs."""
        shown = self._shown("latex")
        texts = [_tidy_latex(_rename(_latex(o), shown)) for o in self.outputs]
        if len(texts) == 1:
            return texts[0]
        return r"\begin{bmatrix}" + r" \\ ".join(texts) + r"\end{bmatrix}"

    def function_text(self) -> str:
        """The function (one output) or the list of outputs, as plain text."""
        shown = self._shown("text")
        texts = [_tidy_text(_rename(str(o), shown)) for o in self.outputs]
        return texts[0] if len(texts) == 1 else "[" + ", ".join(texts) + "]"

    def _shown(self, style: str) -> dict[str, str]:
        if style == "text":
            return {str(k): v.name for k, v in self.names.items()}
        return {str(k): _latex_name(v) for k, v in self.names.items()}

    def entry_texts(self) -> list[str]:
        """Entries as plain text (Python syntax, the same names the user wrote)."""
        return self._printed("text", str, _tidy_text)[1]

    def definition_texts(self) -> list[tuple[str, str]]:
        printed = self._printed("text", str, _tidy_text)
        return list(zip(printed[2], printed[0], strict=True))

    def entry_latex(self) -> list[str]:
        return self._printed("latex", _latex, _tidy_latex)[1]

    def definition_latex(self) -> list[tuple[str, str]]:
        printed = self._printed("latex", _latex, _tidy_latex)
        return list(zip(printed[2], printed[0], strict=True))

    def to_sympy(self) -> tuple[tuple, list[sympy.Expr]]:
        """(definitions, entries) as SymPy objects over the user's symbols."""
        names = {sympy.Symbol(str(k)): v for k, v in self.names.items()}
        convert = {}

        def to_sympy(value: Any) -> sympy.Expr:
            if value not in convert:
                convert[value] = sympy.sympify(value).xreplace(names)
            return convert[value]

        definitions = tuple((self.names[n], to_sympy(v)) for n, v in self.definitions)
        return definitions, [to_sympy(e) for e in self.entries]

    def _printed(self, style: str, printer, tidy) -> tuple[list, list, list]:
        """(definition values, entries, definition names) printed in ``style`` ("text":
        Python syntax with the user's names; "latex": SymPy's LaTeX of each name). Cached.
        """
        cache = self.__dict__.setdefault("_printed_cache", {})
        if style not in cache:
            shown = self._shown(style)

            # Every name is internal (u<k>, x<k>, t<k>), so one pass over the printed text
            # renames them all; symengine's xreplace would convert the whole mapping for
            # every expression, which costs more than printing.
            def show(value: Any) -> str:
                return tidy(_rename(printer(value), shown))

            printed = {e: show(e) for e in dict.fromkeys(self.entries)}
            cache[style] = ([show(v) for _, v in self.definitions],
                            [printed[e] for e in self.entries],
                            [shown[str(n)] for n, _ in self.definitions])
        return cache[style]


_INTERNAL = re.compile(r"(?<![\\\w])[utx]\d+(?!\w)")


def _xreplace_all(exprs: list, mapping: dict) -> list:
    """Rename in one call over a matrix: symengine converts the mapping once, not per entry."""
    import symengine as se
    return list(se.DenseMatrix(len(exprs), 1, exprs).xreplace(mapping)) if exprs else []


def _rename(text: str, shown: dict[str, str]) -> str:
    return _INTERNAL.sub(lambda m: shown.get(m[0], m[0]), text)


def _latex_name(symbol: sympy.Symbol) -> str:
    """SymPy's LaTeX of a name, quickly for the definitions' w1, w2 ... (w_{1}, w_{2} ...)."""
    head = symbol.name.rstrip("0123456789")
    tail = symbol.name[len(head):]
    if tail and head in ("w", "u", "t", "c", "q", "r", "s"):
        return f"{head}_{{{tail}}}"
    return sympy.latex(symbol)


def _latex(value: Any) -> str:
    import symengine as se
    return se.latex(value)


# symengine writes rational coefficients as (-5/3)*y and \left(\frac{-5}{3}\right) y; these
# turn "+ (-5/3)*y" into "- (5/3)*y" and drop the brackets around a LaTeX coefficient.
def _tidy_text(text: str) -> str:
    return re.sub(r"\+ \(-(\d+/\d+)\)\*", r"- (\1)*", text)


def _operations(expr: Any) -> int:
    """Operations in a symengine tree (each node with arguments counts once per argument
    beyond the first, as sympy.count_ops counts a sum of n terms as n − 1 additions)."""
    count, stack = 0, [expr]
    while stack:
        node = stack.pop()
        args = node.args
        if args:
            count += max(1, len(args) - 1)
            stack.extend(args)
    return count


def _tidy_latex(text: str) -> str:
    text = re.sub(r"\\left\(\\frac\{(-?\d+)\}\{(\d+)\}\\right\) ", r"\\frac{\1}{\2} ", text)
    return re.sub(r"\+ \\frac\{-(\d+)\}", r"- \\frac{\1}", text)


class FastResult(Result):
    """A :class:`Result` whose SymPy matrix and definitions are built on first use."""

    def __init__(self, kind: str, function: Function, native: NativeForm,
                 shape: tuple[int, int]) -> None:
        for key, value in (("kind", kind), ("function", function), ("order", 1),
                           ("native", native), ("_layout", shape)):
            object.__setattr__(self, key, value)

    @cached_property
    def _sympy(self) -> tuple[tuple, sympy.ImmutableMatrix]:
        definitions, entries = self.native.to_sympy()
        return definitions, sympy.ImmutableMatrix(*self._layout, entries)

    @cached_property
    def matrix(self) -> sympy.ImmutableMatrix:  # type: ignore[override]
        return self._sympy[1]

    @cached_property
    def definitions(self) -> tuple:  # type: ignore[override]
        return self._sympy[0]

    @property
    def matrix_shape(self) -> tuple[int, int]:
        return self._layout

    @property
    def size(self) -> int:
        return len(self.native.entries) + len(self.native.definitions)

    def expr_ops(self) -> int:
        return self.native.expanded_ops()

    def __repr__(self) -> str:
        return f"FastResult({self.kind!r}, {self.function.expr!r}, shape={self._layout})"


def fast_derive(f: Function, kind: str) -> FastResult:
    """The same exact result as :func:`symnum.core.derive.differentiate`, in symengine."""
    import symengine as se

    # Every user symbol is renamed (u0, u1 ...), so none can collide with the names
    # symengine's cse invents (x0, x1 ...) and printing can rename them all back.
    symbols = sorted(set().union(*(e.free_symbols for e in f.outputs)) | set(f.variables),
                     key=lambda s: s.name)
    away = {se.Symbol(s.name): se.Symbol(f"u{i}") for i, s in enumerate(symbols)}
    # Renamed on symengine's side: a SymPy xreplace would rebuild (and re-evaluate) the tree.
    outputs = list(_xreplace_all([se.sympify(e) for e in f.outputs], away))
    xs = [away[se.Symbol(v.name)] for v in f.variables]
    n = len(xs)
    shape = {"gradient": (n, 1), "jacobian": (len(outputs), n), "hessian": (n, n)}[kind]
    if kind == "hessian" and n >= DAG_MIN_VARIABLES:
        pairs, upper = _hessian_on_dag(outputs[0], xs)
        entries = [upper[(min(i, j), max(i, j))] for i in range(n) for j in range(n)]
        unique = reduced = list(dict.fromkeys(entries))
    else:
        if kind == "gradient":
            entries = [outputs[0].diff(x) for x in xs]
        elif kind == "jacobian":
            entries = [o.diff(x) for o in outputs for x in xs]
        else:
            grad = [outputs[0].diff(x) for x in xs]
            upper = {(i, j): grad[i].diff(xs[j]) for i in range(n) for j in range(i, n)}
            entries = [upper[(min(i, j), max(i, j))] for i in range(n) for j in range(n)]
        unique = list(dict.fromkeys(entries))
        pairs, reduced = se.cse(unique)
    kept, reduced = _prune(pairs, reduced)
    prefix = definition_prefix(f, sympy.ImmutableMatrix([]))  # the entries hold only f's own names
    names = {away[se.Symbol(s.name)]: s for s in symbols}
    names.update({k: sympy.Symbol(f"{prefix}{i}", real=True)
                  for i, (k, _) in enumerate(kept, 1)})
    by_entry = dict(zip(unique, reduced, strict=True))
    native = NativeForm(tuple(kept), tuple(by_entry[e] for e in entries), names,
                        tuple(outputs))
    return FastResult(kind, f, native, shape)


def _hessian_on_dag(f: Any, xs: list) -> tuple[list, dict]:
    """The Hessian as forward mode over the gradient's common-subexpression graph.

    cse of the whole Hessian grows quadratically with its size (41 s for 2,000 entries of a
    161-parameter MLP), while cse of the gradient is fast. So: g = ∇f as definitions
    d_k = v_k(x, d_<k) and reduced entries r_i; the tangent of each definition along x_j is
    t_kj = ∂v_k/∂x_j + Σ_l ∂v_k/∂d_l · t_lj (computed only for the x_j that d_k depends on),
    itself named as a definition; then H_ij = ∂r_i/∂x_j + Σ_l ∂r_i/∂d_l · t_lj.
    Returns (definitions in dependency order, {(i, j): H_ij for i ≤ j}).
    """
    import symengine as se
    pairs, gradient = se.cse([f.diff(x) for x in xs])
    position = {x: j for j, x in enumerate(xs)}
    depends: dict = {}  # definition -> indices j of the variables it depends on
    tangent: dict = {}  # (definition, j) -> symbol or expression
    definitions = []
    zero = se.Integer(0)

    def along(expr: Any, j: int, symbols: set, partials: dict) -> Any:
        total = expr.diff(xs[j]) if xs[j] in symbols else zero
        for d, partial in partials.items():
            t = tangent.get((d, j))
            if t is not None:
                total += partial * t
        return total

    def reach(symbols: set) -> tuple[set, dict]:
        defs = [s for s in symbols if s in depends]
        reach_j = {position[s] for s in symbols if s in position}
        for d in defs:
            reach_j |= depends[d]
        return reach_j, defs

    count = 0
    for name, value in pairs:
        definitions.append((name, value))
        symbols = value.free_symbols
        reach_j, defs = reach(symbols)
        depends[name] = reach_j
        partials = {d: value.diff(d) for d in defs}
        itself = {value: name}  # d tanh(a) = (1 - tanh(a)²) da: write tanh(a) as its name
        for j in sorted(reach_j):
            t = along(value, j, symbols, partials).xreplace(itself)
            if t == zero:
                continue
            if not (t.is_Symbol or t.is_Number):
                symbol = se.Symbol(f"t{count}")
                count += 1
                definitions.append((symbol, t))
                t = symbol
            tangent[(name, j)] = t
    upper = {}
    n = len(xs)
    for i, r in enumerate(gradient):
        symbols = r.free_symbols
        reach_j, defs = reach(symbols)
        partials = {d: r.diff(d) for d in defs}
        for j in range(i, n):
            upper[(i, j)] = along(r, j, symbols, partials) if j in reach_j else zero
    return definitions, upper


def _prune(pairs: list, reduced: list) -> tuple[list, list]:
    """Inline definitions a reader gains nothing from (tiny ones like x*y, and ones only one
    expression uses), in one pass, as :func:`symnum.core.calculus._prune` does in SymPy.
    """
    import symengine as se
    values = [v for _, v in pairs]
    symbols = [e.free_symbols for e in values + list(reduced)]  # once: it is most of the cost
    uses = {name: 0 for name, _ in pairs}
    for found in symbols:
        for s in found:
            if s in uses:
                uses[s] += 1
    inline: dict = {}
    kept = []
    for (name, value), found in zip(pairs, symbols, strict=False):
        value = _inlined(value, found, inline)
        if uses[name] <= 1 or se.count_ops(value) <= 1:
            inline[name] = value
        else:
            kept.append((name, value))
    return kept, [_inlined(e, found, inline)
                  for e, found in zip(reduced, symbols[len(values):], strict=True)]


def _inlined(expr: Any, symbols: set, inline: dict) -> Any:
    """``expr`` with inlined definitions substituted (a small dict: symengine converts the
    mapping on every call, so passing all of ``inline`` would cost O(n) each time)."""
    here = {s: inline[s] for s in symbols if s in inline}
    return expr.xreplace(here) if here else expr
