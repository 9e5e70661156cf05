"""Critical points as text, JSON and LaTeX; conditions on parameters as a person reads them.

>>> import sympy
>>> a = sympy.Symbol("a", real=True)
>>> condition_text([sympy.And(a > -2, a < 2)]), condition_text([sympy.Ne(a, 0)])
('-2 < a < 2', 'a ≠ 0')
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import sympy
from sympy.core.relational import Relational

if TYPE_CHECKING:
    from ..core.function import Function
    from .critical import CriticalPoint

PERIODIC = (sympy.sin, sympy.cos, sympy.tan, sympy.cot, sympy.sec, sympy.csc)

_OPS = {"!=": "≠", ">=": "≥", "<=": "≤", "==": "=", ">": ">", "<": "<"}


def condition_text(conditions: Sequence[sympy.Basic]) -> str:
    """Conditions a person reads: ``a ≠ 0 and b > 0``."""
    def one(c: sympy.Basic, top: bool) -> str:
        if isinstance(c, Relational):
            c = c.canonical
            return f"{c.lhs} {_OPS[c.rel_op]} {c.rhs}"
        chain = _chain(c)
        if chain:
            return chain
        if isinstance(c, sympy.And | sympy.Or):
            word = " and " if isinstance(c, sympy.And) else " or "
            text = word.join(one(a, False) for a in c.args)
            return text if top else f"({text})"
        if isinstance(c, sympy.Not):
            return f"not {one(c.args[0], False)}"
        return str(c)
    return " and ".join(one(c, len(conditions) == 1) for c in conditions)


def _chain(c: sympy.Basic) -> str | None:
    """(-2 < a) & (a < 2) → "-2 < a < 2"."""
    if not isinstance(c, sympy.And) or len(c.args) != 2:
        return None
    less = [a.reversed if isinstance(a, sympy.StrictGreaterThan | sympy.GreaterThan) else a
            for a in c.args]
    if not all(isinstance(a, sympy.StrictLessThan | sympy.LessThan) for a in less):
        return None
    low, high = less if less[0].rhs.is_Symbol else less[::-1]
    if low.rhs != high.lhs or not low.rhs.is_Symbol:
        return None
    return f"{low.lhs} {_OPS[low.rel_op]} {low.rhs} {_OPS[high.rel_op]} {high.rhs}"


def cases_text(cases: Sequence[tuple[str, sympy.Basic]]) -> str:
    """``minimum if a > 0, maximum if a < 0``."""
    return ", ".join(f"{kind} if {condition_text((cond,))}" for kind, cond in cases)


def _where(p: CriticalPoint, f: Function) -> str:
    where = ", ".join(f"{v} = {p.point[v]}" for v in f.variables)
    return where + (f" (for {condition_text(p.conditions)})" if p.conditions else "")


def critical_text(points: list[CriticalPoint], f: Function) -> str:
    """One line per point: where (and when), f there, the Hessian or the kink, the verdict."""
    if not points:
        return "no real critical points found"
    lines = []
    for p in points:
        if p.one_sided or p.kink:
            slopes = "; ".join(f"∂f/∂{v}: {left:.6g} from the left, {right:.6g} from the right"
                               for v, left, right in p.one_sided)
            verdict = {"kink": "kink (its kind depends on parameters)",
                       "depends": "kink"}.get(p.kind, p.kind)
            what = "kink: f is not differentiable" if p.kink else "f is differentiable"
            if not p.one_sided and p.kind in ("minimum", "maximum"):
                how = " (by the one-sided slopes)"
            else:
                how = ("; " + cases_text(p.cases) + " (by the one-sided slopes)" if p.cases
                       else "; classified by comparing f at neighbouring points"
                       if p.one_sided else "")
            lines.append(f"{verdict} at {_where(p, f)}: f = {p.value}; {what} there"
                         + (f" (one-sided slopes {slopes})" if slopes else "") + how)
            continue
        eig = ", ".join(str(e) for e in p.eigenvalues)
        head = "critical point" if p.kind == "depends" else p.kind
        line = f"{head} at {_where(p, f)}: f = {p.value}; Hessian eigenvalues {eig}"
        if p.kind == "depends":
            line += f"; {cases_text(p.cases)}"
        cond = p.condition_number
        lines.append(line + ("" if cond is None else f"; condition number {cond:.6g}"))
    if any(p.kind == "degenerate" or any(k == "degenerate" for k, _ in p.cases)
           for p in points):
        lines.append("(degenerate: a zero eigenvalue, the second-derivative test cannot decide)")
    if f.expr.has(*PERIODIC):
        lines.append("(f is periodic: SymPy lists the solutions in one period; the others "
                     "repeat with it)")
    return "\n".join(lines)


def critical_json(points: list[CriticalPoint], f: Function) -> dict:
    return {"expr": str(f.expr), "wrt": list(f.wrt), "periodic": f.expr.has(*PERIODIC),
            "points": [{"point": {str(v): str(p.point[v]) for v in f.variables},
                        "value": str(p.value), "eigenvalues": [str(e) for e in p.eigenvalues],
                        "kind": p.kind, "condition_number": p.condition_number,
                        "conditions": [condition_text((c,)) for c in p.conditions],
                        "cases": [{"kind": k, "if": condition_text((c,))} for k, c in p.cases],
                        "kink": p.kink,
                        "one_sided": {str(v): [left, right] for v, left, right in p.one_sided}}
                       for p in points]}


def critical_latex(points: list[CriticalPoint], f: Function) -> str:
    rows = []
    for p in points:
        where = r",\ ".join(f"{sympy.latex(v)} = {sympy.latex(p.point[v])}"
                             for v in f.variables)
        if p.conditions:
            where += r"\ (" + r",\ ".join(sympy.latex(c) for c in p.conditions) + ")"
        eig = r",\ ".join(sympy.latex(e) for e in p.eigenvalues) or r"\text{(kink)}"
        verdict = (r"\text{, }".join(rf"\text{{{k} if }} {sympy.latex(c)}" for k, c in p.cases)
                   if p.kind == "depends" else rf"\text{{{p.kind}}}")
        rows.append(rf"&{where}: && f = {sympy.latex(p.value)}, && \lambda(H) = {eig}, "
                    rf"&& {verdict}")
    return "\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}"
