"""A fast path for large results: differentiate in symengine (C++), share subexpressions with
its ``cse``, and hand back SymPy objects.

SymPy stays the user-facing representation: the Result holds SymPy expressions over the
user's own symbols. The path is taken only for large expressions (at least ``FAST_MIN_OPS``
operations) that symengine can represent; anything else uses SymPy's ``diff``.

>>> import symnum
>>> f = symnum.Function("exp(x*y)*sin(x)")
>>> r = fast_derive(f, "hessian")
>>> r.expanded() == symnum.derive(f, what="hessian").expanded()
False
>>> import sympy
>>> sympy.simplify(r.expanded() - symnum.derive(f, what="hessian").expanded())
Matrix([
[0, 0],
[0, 0]])
"""

from __future__ import annotations

import sympy

from .calculus import Result, readable_definitions
from .function import Function

FAST_MIN_OPS = 400  # sympy.count_ops of f at which symengine takes over ...
FAST_MIN_VARIABLES = 10  # ... or this many variables for a Hessian or Jacobian


def available() -> bool:
    try:
        import symengine  # noqa: F401
    except ImportError:
        return False
    return True


def applies(f: Function, kind: str) -> bool:
    """Large enough, and made only of what symengine represents exactly."""
    if kind not in ("gradient", "jacobian", "hessian") or not available():
        return False
    outputs = f.outputs
    many = kind != "gradient" and len(f.variables) >= FAST_MIN_VARIABLES
    if not many and sum(sympy.count_ops(e) for e in outputs) < FAST_MIN_OPS:
        return False
    unsupported = (sympy.Derivative, sympy.Subs, sympy.Piecewise, sympy.Heaviside,
                   sympy.DiracDelta, sympy.core.function.AppliedUndef)
    return not any(e.has(*unsupported) for e in outputs)


def fast_derive(f: Function, kind: str) -> Result:
    """The same exact result as :func:`symnum.calculus.differentiate`, computed in symengine."""
    import symengine as se

    # User symbols travel under names the parser never accepts (_u0, _u1 ...), so they cannot
    # collide with the names symengine's cse invents (x0, x1 ...).
    symbols = sorted(set().union(*(e.free_symbols for e in f.outputs)) | set(f.variables),
                     key=lambda s: s.name)
    away = {s: sympy.Symbol(f"_u{i}") for i, s in enumerate(symbols)}
    back = {v: s for s, v in away.items()}
    outputs = [se.sympify(e.xreplace(away)) for e in f.outputs]
    xs = [se.sympify(away[v]) for v in f.variables]
    n = len(xs)
    if kind == "gradient":
        entries = [outputs[0].diff(x) for x in xs]
        shape = (n, 1)
    elif kind == "jacobian":
        entries = [o.diff(x) for o in outputs for x in xs]
        shape = (len(outputs), n)
    else:
        grad = [outputs[0].diff(x) for x in xs]
        upper = {(i, j): grad[i].diff(xs[j]) for i in range(n) for j in range(i, n)}
        entries = [upper[(min(i, j), max(i, j))] for i in range(n) for j in range(n)]
        shape = (n, n)
    unique = list(dict.fromkeys(entries))
    pairs, reduced = se.cse(unique)
    names = {}
    definitions = []
    for name, value in pairs:
        symbol = sympy.Symbol(f"_cse{len(names)}", real=True)
        names[sympy.Symbol(str(name))] = symbol
        definitions.append((symbol, _to_sympy(value, back, names)))
    by_entry = {e: _to_sympy(r, back, names) for e, r in zip(unique, reduced, strict=True)}
    matrix = sympy.ImmutableMatrix(*shape, [by_entry[e] for e in entries])
    definitions, matrix = readable_definitions(definitions, matrix, f)
    return Result(kind, f, matrix, tuple(definitions))


def _to_sympy(value, back: dict, names: dict) -> sympy.Expr:
    return sympy.sympify(value).xreplace(back).xreplace(names)
