"""Notes on a point where a derivative is evaluated: a kink or jump of f there (the value
then rests on a convention), or a point outside f's real domain.

>>> import symnum
>>> point_notes(symnum.derive("abs(x)"), {"x": 0})
['x = 0 is a kink of Abs(x): f is not differentiable there; the value shown uses sign(0) = 0']
>>> point_notes(symnum.derive("log(x)"), {"x": -1})[0]
'x = -1 is outside the domain of log(x) (it needs x > 0) for real variables: f is not real there'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import sympy
from sympy.core.relational import Relational

from . import registry

ZERO = sympy.Float(10) ** -25  # |h| below this at 30 digits counts as h = 0

_PIECEWISE = ("change of form", "the value shown is that of the branch that holds at the point")


def kinks() -> dict[type, tuple[str, str]]:
    """What f does where each non-smooth function's argument crosses its point (kink or
    jump) and what the value shown rests on, read from the function registry.

    >>> kinks()[sympy.Abs]
    ('kink', 'the value shown uses sign(0) = 0')
    """
    found = {r.sympy: (r.kink, r.kink_note) for r in registry.records()
             if r.sympy is not None and r.kink}
    return found | {sympy.Piecewise: _PIECEWISE}


def domains() -> dict[type, tuple[Callable[[sympy.Expr], sympy.Basic], str]]:
    """Each function's real domain, read from the registry: (a test of its argument u, how
    to say it).

    >>> test, rule = domains()[sympy.log]
    >>> bool(test(sympy.Integer(-1))), rule
    (False, '{u} > 0')
    """
    return {r.sympy: (r.domain_test, r.domain) for r in registry.records()
            if r.sympy is not None and r.domain_test is not None}


# where a record's kink_at puts its kink or jump: expressions that vanish there
LOCI: dict[str, Callable[[sympy.Basic], list[sympy.Expr]]] = {
    "u = 0": lambda n: [n.args[0]],
    "a = b": lambda n: [a - b for i, a in enumerate(n.args) for b in n.args[i + 1:]],
    "u an integer": lambda n: [n.args[0] - sympy.floor(n.args[0])],
}


def kink_loci(node: sympy.Basic) -> list[sympy.Expr]:
    """Expressions that vanish where ``node`` (a non-smooth function or a Piecewise) has a
    kink or a jump, from its record's ``kink_at``; empty for a smooth node.

    >>> x, y = sympy.symbols("x y")
    >>> kink_loci(sympy.Max(x, y, 0)), kink_loci(sympy.floor(x)), kink_loci(sympy.sin(x))
    ([-x, -y, x - y], [x - floor(x)], [])
    """
    if isinstance(node, sympy.Piecewise):
        return [c.lhs - c.rhs for _, c in node.args if isinstance(c, Relational)]
    record = registry.BY_CLASS.get(type(node))
    if record is None or not record.kink:
        return []
    return LOCI[record.kink_at](node)


def point_notes(result: object, point: Mapping) -> list[str]:
    """What a reader must know about the value of ``result`` at ``point`` (may be empty)."""
    from .evaluate import substitution
    f = result.function
    outputs = list(f.expr) if isinstance(f.expr, sympy.MatrixBase) else [f.expr]
    subs = substitution(set().union(*(e.free_symbols for e in outputs)), point)
    notes: list[str] = []
    for node in dict.fromkeys(n for e in outputs for n in sympy.preorder_traversal(e)):
        if not isinstance(node, sympy.Basic) or not node.free_symbols & set(f.variables):
            continue
        if isinstance(node, sympy.Piecewise) and len(outputs) == 1:
            note = _piecewise_note(outputs[0], node, subs, f.variables)
        else:
            note = _kink_note(node, subs) or _domain_note(node, subs)
        if note and note not in notes:
            notes.append(note)
    return notes


def _where(expr: sympy.Basic, subs: Mapping) -> str:
    used = sorted((s for s in expr.free_symbols if s in subs), key=lambda s: s.name)
    return ", ".join(f"{s} = {_shown(subs[s])}" for s in used)


def _shown(value: object) -> str:
    """A value as a reader wants it: -1/2 stays exact, the rational of the float -1e-300
    (a 300-digit fraction) is shown as that float.

    >>> _shown(sympy.Rational(-1, 2)), _shown(sympy.Rational(1e-300))
    ('-1/2', '1e-300')
    """
    text = str(value)
    if isinstance(value, sympy.Rational) and len(text) > 24:
        return repr(float(value))
    return text


def _number(expr: sympy.Basic, subs: Mapping) -> sympy.Expr | None:
    value = sympy.N(expr.xreplace(subs), 30)
    return value if value.is_number and value.is_real else None


def _is_zero(expr: sympy.Expr, subs: Mapping) -> bool:
    value = _number(expr, subs)
    return value is not None and abs(value) < ZERO


def _kink_note(node: sympy.Basic, subs: Mapping) -> str | None:
    known = kinks()
    if type(node) not in known:
        return None
    for h in kink_loci(node):
        if h.free_symbols and _is_zero(h, subs):
            what, convention = known[type(node)]
            return (f"{_where(node, subs)} is a {what} of {node}: f is not differentiable "
                    f"there; {convention}")
    return None


def _piecewise_note(expr: sympy.Expr, node: sympy.Piecewise, subs: Mapping,
                    variables: tuple) -> str | None:
    """At a boundary of ``node``: a kink, a jump, or pieces that join smoothly, by f's
    one-sided values and derivatives along each variable there."""
    from .boundaries import one_sided
    loci = [r.lhs - r.rhs for _, c in node.args for r in c.atoms(Relational)]
    if not any(h.free_symbols and _is_zero(h, subs) for h in loci):
        return None
    where = _where(node, subs)
    kinks, jumps, changes = [], [], False
    for v in variables:
        sides = one_sided(expr, v, subs)
        if sides is None:
            return (f"{where} is where the pieces of {node} meet: f may not be "
                    "differentiable there; the value shown is that of the piece that holds")
        (f_left, f_right), (d_left, d_right), differ = sides
        changes = changes or differ
        if abs(f_left - f_right) > 1e-12 * max(1, abs(f_left)):
            jumps.append(f"f jumps from {f_left:.12g} to {f_right:.12g} along {v}")
        elif abs(d_left - d_right) > 1e-12 * max(1, abs(d_left), abs(d_right)):
            kinks.append(f"∂f/∂{v} is {d_left:.12g} from the left, {d_right:.12g} from the right")
    if jumps:
        return f"{where} is a jump of {node}: {'; '.join(jumps)}; the value shown is that " \
               "of the piece that holds at the point"
    if kinks:
        return f"{where} is a kink of {node}: {'; '.join(kinks)}; the value shown is that " \
               "of the piece that holds at the point"
    if not changes:  # on a boundary line, but the same piece holds on every side
        return None
    return f"{where} is where the pieces of {node} meet; they join smoothly (the one-sided " \
           "derivatives agree)"


def _domain_note(node: sympy.Basic, subs: Mapping) -> str | None:
    """A function outside its real domain, or a fractional power of a negative number."""
    if isinstance(node, sympy.Pow):
        exp = node.exp
        if exp.is_number and not exp.is_integer and not (exp.is_Rational and exp.q % 2):
            base = _number(node.base, subs)
            if base is not None and base < 0:
                return (f"{_where(node, subs)} is outside the domain of {node} "
                        f"(it needs {node.base} ≥ 0) for real variables: f is not real there")
        return None
    known = domains()
    if type(node) not in known:
        return None
    test, rule = known[type(node)]
    u = node.args[0]
    value = _number(u, subs)
    if value is None or bool(test(value)):
        return None
    return (f"{_where(node, subs)} is outside the domain of {node} (it needs "
            f"{rule.format(u=u)}) for real variables: f is not real there")
