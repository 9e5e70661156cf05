"""Reading derivatives of unknown functions: f′(x), f''(x), ∂f/∂x(x, y), ∂₁f(x², y),
``Derivative(f(x), x)``, ``diff(f(x), x, 2)`` and ``Subs(...)`` (SymPy's own output).

:func:`marked` rewrites the marks before the parser's lexer: f′(x) → ``fʹ(x)`` (ʹ, U+02B9, is
a letter to Python, so the AST reads a call), ∂₁∂₂f → ``fʹ1ʹ2`` (slots by number),
∂²f/∂x∂y(x, y) → ``fʹ_xʹ_y(x, y)`` (by the slots that are x and y). The builder calls
:func:`call` for those names and :func:`bare` for a mark without arguments (``x f' + f``:
f's arguments are read from the rest of the expression, or from :func:`arguments_known`).
Nothing is evaluated: the text still goes through the AST whitelist.

>>> marked("f''(x) + ∂²f/∂x∂y(x, y) + ∂₁g(x**2, y)")
'fʹʹ(x) + fʹ_xʹ_y(x, y) + gʹ1(x**2, y)'
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import sympy

from .errors import ParseError
from .unknowns import MARKS, PRIME, UNDEFINED_NAME, build, diff, has_unknowns, normal, unknown

CALLS = ("Derivative", "diff", "Subs")  # SymPy's spellings the builder reads here
MAX_ORDER = 10  # f with more primes than this, or Derivative(f(x), (x, 11)): refused

_SUB = dict(zip("₀₁₂₃₄₅₆₇₈₉", "0123456789", strict=True))
_SUP = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789", strict=True))
_WORD = r"[^\W\d_ʹ][^\Wʹ]*"
_PRIMED = re.compile(rf"(?<![\w.])(\d*)({_WORD})\s*([{''.join(MARKS)}]+)")  # 2f'(x): 2·f′
_STRING = re.compile(r"(?<![\w'′)\]])'")  # a quote not after a name or bracket
_PARTIAL = re.compile(rf"∂([⁰-⁹¹²³]*)\s*({_WORD})\s*/\s*((?:∂\s*{_WORD}[⁰-⁹¹²³]*\s*)+)")
_ORDER = re.compile(rf"(?<![\w.])(\d*)({_WORD})⁽([⁰-⁹¹²³]+)⁾(?=\s*\()")
_SLOTS = re.compile(rf"((?:∂[₀-₉]+)+)\s*({_WORD})")
_CALL_NAME = re.compile(rf"^({_WORD})((?:{PRIME}(?:\d*|_[^\Wʹ]+))+)$")
_KNOWN: ContextVar[Mapping[str, tuple[sympy.Expr, ...]] | None] = ContextVar(
    "symnum_unknown_arguments", default=None)


def marked(text: str) -> str:
    """Derivative marks in plain text rewritten as the builder reads them (see above)."""
    if not any(c in text for c in "'′″‴⁗∂⁽") or _STRING.search(text):
        return text  # a quote opening a string ('os') is no prime: the parser refuses it
    text = _ORDER.sub(lambda m: m.group(1) + m.group(2) + PRIME * int(
        "".join(_SUP[c] for c in m.group(3))), text)  # f⁽⁴⁾(x)
    text = _PARTIAL.sub(_partial, text)
    text = _SLOTS.sub(lambda m: m.group(2) + "".join(
        PRIME + "".join(_SUB[c] for c in part) for part in m.group(1).split("∂")[1:]), text)
    text = _PRIMED.sub(lambda m: m.group(1) + m.group(2) + PRIME * sum(
        MARKS[c] for c in m.group(3)), text)
    text = _wrap_partials(text)
    if re.search(r"\)\s*['′″‴]", text):
        raise ParseError("a prime after a bracket, (…)′: write Derivative(expression, x), or "
                         "the expression itself and let symnum differentiate it")
    return text


def _partial(m: re.Match) -> str:
    """∂²f/∂x∂y → a marker ``⟦f|x,y⟧`` that :func:`_wrap_partials` turns into a name."""
    top = int("".join(_SUP[c] for c in m.group(1)) or 1)
    variables = []
    for part in m.group(3).split("∂")[1:]:
        found = re.fullmatch(rf"\s*({_WORD}?)([⁰-⁹¹²³]*)\s*", part)
        name = found.group(1)
        power = "".join(_SUP[c] for c in found.group(2))
        variables += [name] * int(power or 1)
    if len(variables) != top:
        raise ParseError(f"∂{m.group(1)}{m.group(2)}/{m.group(3).strip()}: the order on top "
                         f"is {top}, the variables below make {len(variables)}")
    return f"⟦{m.group(2)}|{','.join(variables)}⟧"


def _wrap_partials(text: str) -> str:
    """⟦f|x,y⟧(args) → fʹ_xʹ_y(args); alone → Derivative(f, x, y) (arguments later)."""
    out, i = [], 0
    while (start := text.find("⟦", i)) >= 0:
        end = text.index("⟧", start)
        name, variables = text[start + 1:end].split("|")
        out.append(text[i:start])
        j = end + 1
        while j < len(text) and text[j] == " ":
            j += 1
        if j < len(text) and text[j] == "(":  # ∂f/∂x(x, y): f in its slot that is x
            close = _closing(text, j)
            marks = "".join(f"{PRIME}_{v}" for v in variables.split(","))
            out.append(f"{name}{marks}{text[j:close + 1]}")
            i = close + 1
        else:
            out.append(f"Derivative({name}, {variables.replace(',', ', ')})")
            i = end + 1
    return "".join(out) + text[i:]


def _closing(text: str, i: int) -> int:
    depth = 0
    for j in range(i, len(text)):
        depth += text[j] in "([{"
        depth -= text[j] in ")]}"
        if depth == 0:
            return j
    raise ParseError("a bracket is not closed")


def is_marked(name: str) -> bool:
    """Is ``name`` a primed or slotted unknown (fʹ, fʹ1ʹ2)?"""
    return PRIME in name


def _orders(name: str, args: tuple | None) -> tuple[str, tuple[int, ...] | None, int]:
    """(base name, per-slot orders (None without ``args``), how many marks). A mark is ʹ
    (slot 1 of a one-argument f), ʹk (slot k) or ʹ_x (the slot whose argument is x)."""
    found = _CALL_NAME.match(name)
    if found is None:
        raise ParseError(f"{name!r}: a prime marks the derivative of an unknown function, "
                         "like f′(x)")
    base, marks = found.groups()
    slots = marks.split(PRIME)[1:]
    if len(slots) > MAX_ORDER:
        raise ParseError(f"{base}: derivatives above order {MAX_ORDER} are not supported")
    if args is None:
        return base, None, len(slots)
    arity = len(args)
    if arity > 1 and "" in slots:
        raise ParseError(f"{base}′ is the derivative of a function of one variable; {base} "
                         f"has {arity} arguments here: write ∂{base}/∂x or ∂₁{base}")
    orders = [0] * arity
    for mark in slots:
        orders[_slot(base, mark, args)] += 1
    return base, tuple(orders), len(slots)


def _slot(base: str, mark: str, args: tuple) -> int:
    """The argument slot a mark names (see :func:`_orders`)."""
    if mark.startswith("_"):
        v = mark[1:]
        at = [i for i, a in enumerate(args) if isinstance(a, sympy.Symbol) and a.name == v]
        if len(at) != 1 or any(a.has(args[at[0]]) for i, a in enumerate(args) if i != at[0]):
            shown = ", ".join(map(str, args))
            raise ParseError(f"∂{base}/∂{v}({shown}): ∂/∂{v} names the argument that is {v}, "
                             f"and {v} is {'not one' if not at else 'in more than one'}; "
                             f"write ∂₁{base}({shown}) for the derivative in the first argument")
        return at[0]
    k = int(mark or 1)
    if not 1 <= k <= len(args):
        raise ParseError(f"∂{k}{base}: {base} has {len(args)} arguments")
    return k - 1


def check_base(builder: Any, base: str) -> None:
    """Primes only on unknown functions: sin′(x) is refused with what to write instead."""
    from .names import CONSTANTS, FUNCTIONS
    if base in FUNCTIONS:
        raise ParseError(f"{base}′: primes mark derivatives of unknown functions (f′(x), "
                         f"g″(x)); {base} is known: write {base}(x) and let symnum take its "
                         "derivative")
    if base in CONSTANTS or base in builder.shapes:
        what = "a constant" if base in CONSTANTS else "a vector or matrix (its transpose is " \
            f"{base}ᵀ or {base}.T)"
        raise ParseError(f"{base}′: {base} is {what}; a prime marks the derivative of an "
                         "unknown function, like f′(x)")
    if not (UNDEFINED_NAME.match(base) or base in builder.functions):
        raise ParseError(f"{base}′: only unknown functions take primes (single letters like "
                         "f, g, h2, or names declared as functions)")


def call(builder: Any, name: str, node: ast.Call, depth: int) -> sympy.Basic:
    """The builder's call of a marked name or of Derivative, diff, Subs."""
    if name in ("Derivative", "diff"):
        return _derivative(builder, name, node, depth)
    if name == "Subs":
        return _subs(builder, node, depth)
    base, _, _ = _orders(name, None)
    check_base(builder, base)
    args = tuple(builder.build(a, depth) for a in node.args)
    if not args or node.keywords:
        raise ParseError(f"{base}′(...) needs its arguments, like {base}′(x)")
    _, orders, _ = _orders(name, args)
    return build(base, orders, args)


def _derivative(builder: Any, name: str, node: ast.Call, depth: int) -> sympy.Basic:
    if len(node.args) < 2 or node.keywords:
        raise ParseError(f"{name}(f(x), x): give the unknown function and the variable")
    first = node.args[0]
    variables: list[list[Any]] = []
    for a in node.args[1:]:
        if isinstance(a, ast.Tuple) and len(a.elts) == 2:
            variables.append([builder.build(a.elts[0], depth), _count(builder, a.elts[1])])
            continue
        value = builder.build(a, depth)
        if value.is_Integer and variables:
            variables[-1][1] = _count(builder, a)
        else:
            variables.append([value, 1])
    for v, _ in variables:
        if not (isinstance(v, sympy.Symbol) or has_unknowns(v) and v.is_Function):
            raise ParseError(f"{name}(...): differentiate by a variable, not {v}")
    if isinstance(first, ast.Name) and _names_unknown(builder, first.id):
        check_base(builder, first.id)
        return bare(builder, first.id, [v for v, n in variables for _ in range(n)])
    expr = builder.build(first, depth)
    if isinstance(expr, sympy.core.function.AppliedUndef) and any(
            v not in expr.args and not expr.has(v) for v, _ in variables):
        raise ParseError(f"{name}({expr}, ...): {expr.func} is a function of "
                         f"{', '.join(map(str, expr.args))}; differentiate by one of them")
    if not has_unknowns(expr):
        raise ParseError(f"{name}(...) is for unknown functions, like {name}(f(x), x); "
                         "write the expression itself: symnum takes its derivatives")
    return normal(diff(expr, *[(v, n) for v, n in variables]))


def _count(builder: Any, node: ast.AST) -> int:
    value = builder.build(node, 0)
    if not (value.is_Integer and 1 <= value <= MAX_ORDER):
        raise ParseError(f"the order of a derivative is a whole number from 1 to {MAX_ORDER}")
    return int(value)


def _subs(builder: Any, node: ast.Call, depth: int) -> sympy.Basic:
    """Subs(Derivative(f(xi), xi), xi, point), as SymPy prints f′ at a point."""
    if len(node.args) != 3 or node.keywords:
        raise ParseError("Subs(expression, variable, point) takes three arguments")
    expr = builder.build(node.args[0], depth)
    if not (has_unknowns(expr) and expr.has(sympy.Derivative)):
        raise ParseError("substitutions are not supported: write the expression with the "
                         "value in it (Subs reads only derivatives of unknown functions)")
    names, points = (builder.build(a, depth) for a in node.args[1:])
    names = list(names) if isinstance(names, sympy.MatrixBase) else [names]
    points = list(points) if isinstance(points, sympy.MatrixBase) else [points]
    if len(names) != len(points) or not all(isinstance(v, sympy.Symbol) for v in names):
        raise ParseError("Subs(expression, variable, point): one point per variable")
    return normal(expr.subs(dict(zip(names, points, strict=True))))


def _names_unknown(builder: Any, name: str) -> bool:
    return bool(UNDEFINED_NAME.match(name)) or name in builder.functions


# ----- marks without arguments: x f' + f, \frac{df}{dx}, ∂f/∂x ------------------------------

def bare(builder: Any, name: str, variables: list[sympy.Basic] | None = None,
         primes: int = 0) -> sympy.Basic:
    """A stand-in for f′ (``primes``) or ∂f/∂x… (``variables``) whose arguments are not
    written; :func:`resolved` puts f's arguments in once the whole expression is read."""
    check_base(builder, name)
    stand_in = sympy.Dummy(f"{name}{PRIME * primes}", real=True)
    pending = builder.__dict__.setdefault("bare", [])
    pending.append((stand_in, name, tuple(variables or ()), primes))
    return stand_in


def bare_name(builder: Any, name: str) -> sympy.Basic:
    """A marked name without a call: ``f'`` in ``x f' + f``."""
    base, _, primes = _orders(name, None)
    return bare(builder, base, primes=primes)


def resolved(builder: Any, value: sympy.Basic) -> sympy.Basic:
    """Put each bare mark's arguments in: those f is called with in ``value``, else those
    :func:`arguments_known` gives, else (x) for df/dx and f′ alone."""
    pending = builder.__dict__.get("bare")
    if not pending:
        return value
    swap: dict[sympy.Basic, sympy.Basic] = {}
    for stand_in, name, variables, primes in pending:
        args = _arguments(value, name, variables)
        if primes:
            if len(args) != 1:
                raise ParseError(f"{name}′ is the derivative of a function of one variable; "
                                 f"{name} has {len(args)} arguments: write ∂{name}/∂x")
            swap[stand_in] = build(name, (primes,), args)
        else:
            orders = [0] * len(args)
            for v in variables:
                orders[_slot(name, f"_{v}", args)] += 1
            swap[stand_in] = build(name, tuple(orders), args)
        symbol = builder.symbols.get(name)
        if isinstance(symbol, sympy.Symbol):
            swap[symbol] = unknown(name)(*args)  # x f' + f: the f alone is f(x) too
    return value.xreplace(swap)


def _arguments(value: sympy.Basic, name: str,
               variables: tuple[sympy.Basic, ...]) -> tuple[sympy.Basic, ...]:
    calls = {a.args for a in value.atoms(sympy.core.function.AppliedUndef)
             if a.func.__name__ == name}
    if len(calls) == 1:
        return calls.pop()
    known = (_KNOWN.get() or {}).get(name)
    if known is not None and not calls:
        return known
    if not calls and len(set(variables)) <= 1:
        symbols = sorted((s for s in value.free_symbols if s.name != name
                          and not isinstance(s, sympy.Dummy)), key=lambda s: s.name)
        if variables:
            return (variables[0],)
        if len(symbols) == 1:
            return (symbols[0],)
    raise ParseError(f"{name}′ alone: write its argument, like {name}′(x) (or ∂{name}/∂x(x, y)); "
                     f"{name}'s arguments cannot be read from the rest of the expression")


@contextmanager
def arguments_known(expr: sympy.Basic) -> Iterator[None]:
    """Within it, a bare f′ or ∂f/∂x takes f's arguments from ``expr`` (check's --of)."""
    calls: dict[str, set] = {}
    for a in (expr.atoms(sympy.core.function.AppliedUndef)
              if isinstance(expr, sympy.Basic) else ()):
        calls.setdefault(a.func.__name__, set()).add(a.args)
    token = _KNOWN.set({n: next(iter(s)) for n, s in calls.items() if len(s) == 1})
    try:
        yield
    finally:
        _KNOWN.reset(token)
