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

from .registry import RECORDS

ZERO = sympy.Float(10) ** -25  # |h| below this at 30 digits counts as h = 0

# what f does at h = 0 for each non-smooth function, and what the value shown rests on;
# the real domain of each function: (condition on its argument u, how to say it). Both
# generated from the function registry.
KINKS: dict[type, tuple[str, str]] = {
    **{r.sympy: (r.kink, r.kink_note) for r in RECORDS if r.sympy is not None and r.kink},
    sympy.Piecewise: ("change of form", "the value shown is that of the branch that holds "
                                        "at the point"),
}
DOMAINS: dict[type, tuple[Callable[[sympy.Expr], sympy.Basic], str]] = {
    r.sympy: (r.domain_test, r.domain) for r in RECORDS
    if r.sympy is not None and r.domain_test is not None}


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
    return ", ".join(f"{s} = {subs[s]}" for s in used)


def _number(expr: sympy.Basic, subs: Mapping) -> sympy.Expr | None:
    value = sympy.N(expr.xreplace(subs), 30)
    return value if value.is_number and value.is_real else None


def _is_zero(expr: sympy.Expr, subs: Mapping) -> bool:
    value = _number(expr, subs)
    return value is not None and abs(value) < ZERO


def _loci(node: sympy.Basic) -> list[sympy.Expr]:
    """Expressions that vanish where ``node`` has its kink or jump."""
    if isinstance(node, sympy.Max | sympy.Min):
        return [a - b for i, a in enumerate(node.args) for b in node.args[i + 1:]]
    if isinstance(node, sympy.Piecewise):
        return [c.lhs - c.rhs for _, c in node.args if isinstance(c, Relational)]
    if isinstance(node, sympy.floor | sympy.ceiling):
        return [node.args[0] - sympy.floor(node.args[0])]
    return [node.args[0]]


def _kink_note(node: sympy.Basic, subs: Mapping) -> str | None:
    if not isinstance(node, tuple(KINKS)):
        return None
    for h in _loci(node):
        if h.free_symbols and _is_zero(h, subs):
            what, convention = KINKS[type(node)]
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
    if not isinstance(node, tuple(DOMAINS)):
        return None
    test, rule = DOMAINS[type(node)]
    u = node.args[0]
    value = _number(u, subs)
    if value is None or bool(test(value)):
        return None
    return (f"{_where(node, subs)} is outside the domain of {node} (it needs "
            f"{rule.format(u=u)}) for real variables: f is not real there")
