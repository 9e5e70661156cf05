"""Unknown functions (f, g, h2, or names declared as functions) and their derivatives, as
data: a :class:`Jet` is f with how often each argument slot is differentiated, evaluated at
its arguments. SymPy writes one jet three ways (``Derivative(f(x), x)``,
``Derivative(f(g(x)), g(x))``, ``Subs(Derivative(f(_xi), _xi), _xi, x**2)``); :func:`jet`
reads all of them, :func:`build` writes one, and :func:`shown` names each for printing in
the notation symnum reads back: f′(x), f″(g(x)), ∂f/∂x(x, y), ∂²f/∂x∂y(x, y) and, where an
argument is not a variable of its own, by slot: ∂₁f(x², y).

>>> x, y = sympy.symbols("x y", real=True)
>>> f = sympy.Function("f", real=True)
>>> jet(f(x**2).diff(x).args[-1])
Jet(name='f', orders=(1,), args=(x**2,))
>>> shown(f(x, y).diff(x, y) + f(x**2).diff(x))
2*x*f′(x**2) + ∂²f/∂x∂y(x, y)
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

import sympy
from sympy.core.function import AppliedUndef

from .errors import EvaluationError, ParseError

UNDEFINED_NAME = re.compile(r"^[^\W\d_]\d*$")  # f, g, h2: unknown functions by default
PRIME = "ʹ"  # U+02B9, a letter to Python: the parser reads f′(x) as the call fʹ(x)
MARKS = {"'": 1, "′": 1, "″": 2, "‴": 3, "⁗": 4, PRIME: 1}
_TEXT_PRIMES = {1: "′", 2: "″", 3: "‴"}
_SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


@dataclass(frozen=True)
class Jet:
    """∂^orders name, evaluated at ``args`` (orders: one count per argument slot)."""

    name: str
    orders: tuple[int, ...]
    args: tuple[sympy.Expr, ...]

    @property
    def order(self) -> int:
        return sum(self.orders)


def unknown(name: str) -> sympy.core.function.UndefinedFunction:
    """The real-valued unknown function called ``name`` (the parser's kind)."""
    return sympy.Function(name, real=True)


def is_unknown(node: sympy.Basic) -> bool:
    return isinstance(node, AppliedUndef)


def has_unknowns(expr: sympy.Basic) -> bool:
    """Does ``expr`` hold an unknown function (or a matrix holding one)?"""
    return isinstance(expr, sympy.Basic) and bool(expr.atoms(AppliedUndef))


def numbers_refused(expr: sympy.Basic, what: str) -> None:
    """Raise one clear error when ``expr`` holds unknown functions and ``what`` (a kernel,
    verify, a value at a point) needs numbers.

    >>> numbers_refused(sympy.Function("f")(sympy.Symbol("x")), "a kernel computes numbers")
    Traceback (most recent call last):
    ...
    symnum.core.errors.EvaluationError: f is an unknown function: a kernel computes numbers, \
and f has none; put a formula in its place (sin(x) for f(x)), or use check, which decides \
claims with unknown functions symbolically
    """
    names = sorted({str(a.func) for a in expr.atoms(AppliedUndef)}) \
        if isinstance(expr, sympy.Basic) else []
    if names:
        them = ", ".join(names)
        raise EvaluationError(
            f"{them} {'is an unknown function' if len(names) == 1 else 'are unknown functions'}"
            f": {what}, and {them} {'has' if len(names) == 1 else 'have'} none; put a formula "
            f"in its place (sin(x) for {names[0]}(x)), or use check, which decides claims "
            "with unknown functions symbolically")


def jet(node: sympy.Basic) -> Jet | None:
    """The jet a node is (f(x), a Derivative or Subs of f), else None."""
    if isinstance(node, AppliedUndef):
        return Jet(node.func.__name__, (0,) * len(node.args), node.args)
    if isinstance(node, sympy.Derivative) and isinstance(node.expr, AppliedUndef):
        inner = node.expr
        orders = [0] * len(inner.args)
        for variable, count in node.variable_count:
            slots = [i for i, a in enumerate(inner.args) if a == variable]
            others = [a for i, a in enumerate(inner.args) if i not in slots]
            if len(slots) != 1 or any(a.has(variable) for a in others):
                return None  # d/dx f(x, x): a total derivative, not one slot's
            orders[slots[0]] += int(count)
        return Jet(inner.func.__name__, tuple(orders), inner.args)
    if isinstance(node, sympy.Subs):
        inside = jet(node.expr)
        if inside is None or inside.order == 0:
            return None
        swap = dict(zip(node.variables, node.point, strict=True))
        args = tuple(a.xreplace(swap) for a in inside.args)
        return Jet(inside.name, inside.orders, tuple(_unhidden(a) for a in args))
    return None


def _unhidden(arg: sympy.Expr) -> sympy.Expr:
    """SymPy's d/d(x + y) of a Subs hides x as a symbol ``_x`` (a name no user variable has):
    x again, with its assumptions."""
    hidden = {s for s in arg.free_symbols if s.name.startswith("_")}
    return arg.xreplace({s: sympy.Symbol(s.name[1:], **s.assumptions0) for s in hidden}) \
        if hidden else arg


def build(name: str, orders: tuple[int, ...], args: tuple[sympy.Expr, ...]) -> sympy.Expr:
    """The SymPy node of a jet: ``Derivative`` where each differentiated slot holds a
    variable of its own, else ``Subs`` of a derivative in bound variables.

    >>> x = sympy.Symbol("x", real=True)
    >>> build("f", (2,), (x,)), build("f", (1,), (sympy.sin(x),))
    (Derivative(f(x), (x, 2)), Subs(Derivative(f(_a1), _a1), _a1, sin(x)))
    """
    if len(orders) != len(args):
        raise ParseError(f"{name} takes {len(args)} arguments here, not {len(orders)}")
    f = unknown(name)
    slots = [i for i, n in enumerate(orders) if n]
    if not slots:
        return f(*args)
    if all(_own_variable(args, i) for i in slots):
        return sympy.Derivative(f(*args), *[(args[i], orders[i]) for i in slots])
    bound = {i: sympy.Dummy(f"a{i + 1}", real=True) for i in slots}
    inner = f(*[bound.get(i, a) for i, a in enumerate(args)])
    derivative = sympy.Derivative(inner, *[(bound[i], orders[i]) for i in slots])
    return sympy.Subs(derivative, [bound[i] for i in slots], [args[i] for i in slots])


def _own_variable(args: tuple[sympy.Expr, ...], i: int) -> bool:
    """Is argument i a variable that no other argument holds (so ∂f/∂x names slot i)?"""
    a = args[i]
    return isinstance(a, sympy.Symbol) and not any(b.has(a) for j, b in enumerate(args)
                                                    if j != i)


def replace_jets(expr: sympy.Basic, change) -> sympy.Basic:
    """``expr`` with each jet j (outermost first, its arguments done before) replaced by
    ``change(j)`` (None: kept as it is)."""
    if not isinstance(expr, sympy.Basic) or not expr.atoms(AppliedUndef):
        return expr
    found = jet(expr)
    if found is not None:
        args = tuple(replace_jets(a, change) for a in found.args)
        new = change(Jet(found.name, found.orders, args))
        if new is not None:
            return new
    if not expr.args or isinstance(expr, AppliedUndef):
        return expr if found is None else expr.func(*[replace_jets(a, change)
                                                      for a in expr.args])
    args = [replace_jets(a, change) for a in expr.args]
    return expr.func(*args) if any(a is not b for a, b in zip(args, expr.args,
                                                               strict=True)) else expr


def normal(expr: sympy.Basic) -> sympy.Basic:
    """Every jet in ``expr`` written by :func:`build` (one form for each)."""
    if not isinstance(expr, sympy.Basic) or not expr.has(sympy.Derivative, sympy.Subs):
        return expr
    return replace_jets(expr, lambda j: build(j.name, j.orders, j.args) if j.order else None)


NameLatex = Callable[[str], str]  # a variable's name → its LaTeX


def jet_name(j: Jet, latex: NameLatex | None = None) -> str:
    """How a jet is written before its arguments: f′, f″, ∂f/∂x, ∂²f/∂x∂y, ∂₁f (text);
    with ``latex`` (how to write a variable): f', \\frac{\\partial f}{\\partial x},
    \\partial_{1} f."""
    if j.order == 0:
        return j.name
    if len(j.args) == 1:
        n = j.order
        if latex:
            return j.name + ("'" * n if n <= 3 else f"^{{({n})}}")
        return j.name + (_TEXT_PRIMES.get(n) or f"⁽{str(n).translate(_SUPERSCRIPT)}⁾")
    slots = [i for i, n in enumerate(j.orders) if n]
    if all(_own_variable(j.args, i) for i in slots):
        names = [(str(j.args[i]), j.orders[i]) for i in slots]
        return _partial_latex(j, names, latex) if latex else _partial_text(j, names)
    marks = [i + 1 for i in slots for _ in range(j.orders[i])]
    if latex:
        return " ".join(rf"\partial_{{{m}}}" for m in marks) + f" {j.name}"
    return "".join("∂" + str(m).translate(_SUBSCRIPT) for m in marks) + j.name


def _partial_text(j: Jet, names: list[tuple[str, int]]) -> str:
    top = "∂" + (str(j.order).translate(_SUPERSCRIPT) if j.order > 1 else "")
    bottom = "".join("∂" + v + (str(n).translate(_SUPERSCRIPT) if n > 1 else "")
                     for v, n in names)
    return f"{top}{j.name}/{bottom}"


def _partial_latex(j: Jet, names: list[tuple[str, int]], latex: NameLatex) -> str:
    top = r"\partial" + (f"^{{{j.order}}}" if j.order > 1 else "")
    bottom = " ".join(r"\partial " + latex(v) + (f"^{{{n}}}" if n > 1 else "")
                      for v, n in names)
    return rf"\frac{{{top} {j.name}}}{{{bottom}}}"


def shown(expr: sympy.Basic, latex: NameLatex | None = None) -> sympy.Basic:
    """``expr`` with each derivative of an unknown function as a function named by
    :func:`jet_name` (display only: results keep SymPy's exact form)."""
    if not isinstance(expr, sympy.Basic) or not expr.has(sympy.Derivative, sympy.Subs):
        return expr
    return replace_jets(expr, lambda j: sympy.Function(jet_name(j, latex))(*j.args)
                        if j.order else None)


def diff(expr: sympy.Basic, *variables: object) -> sympy.Basic:
    """``sympy.diff``, except that unknown functions and their derivatives are differentiated
    as jets (each one's derivative in slot i is the next jet), written back by :func:`build`:
    SymPy's own derivative of a ``Subs`` loses track of x when a point holds it
    (∂²/∂x∂y f(xy, x + y) came back with a stray ``_x``).

    >>> x, y = sympy.symbols("x y", real=True)
    >>> d = diff(diff(unknown("f")(x * y, x + y), x), y)
    >>> sorted(str(s) for s in d.free_symbols)
    ['x', 'y']
    """
    plain = all(isinstance(v, sympy.Symbol | int) or isinstance(v, tuple) and isinstance(
        v[0], sympy.Symbol) for v in variables)  # not by g(x): SymPy's own d/dg(x)
    if not isinstance(expr, sympy.Basic) or not plain or not expr.has(AppliedUndef):
        return sympy.diff(expr, *variables)
    as_functions = replace_jets(expr, lambda j: _jet_function(j.name, j.orders)(*j.args))
    done = sympy.diff(as_functions, *variables)
    return done.replace(lambda n: isinstance(n, _JetFunction),
                        lambda n: build(n.jet_name, n.orders, n.args))


class _JetFunction(sympy.Function):
    """∂^orders f as a function of its arguments, whose own derivative is the next jet."""

    jet_name: str = ""
    orders: tuple[int, ...] = ()
    is_real = True

    def fdiff(self, argindex: int = 1) -> sympy.Expr:
        orders = list(self.orders)
        orders[argindex - 1] += 1
        return _jet_function(self.jet_name, tuple(orders))(*self.args)


@functools.lru_cache(maxsize=256)
def _jet_function(name: str, orders: tuple[int, ...]) -> type:
    return type(f"{name}_jet_{'_'.join(map(str, orders))}", (_JetFunction,),
                {"jet_name": name, "orders": orders, "nargs": len(orders)})

