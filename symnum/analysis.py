"""Critical points: solve ∇f = 0 exactly where SymPy can, classify each point by the
eigenvalues of the Hessian there (minimum, maximum, saddle, or degenerate).

>>> [p.kind for p in critical_points("x**3 - 3*x + y**2")]
['saddle', 'minimum']
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy

from .budget import time_budget
from .calculus import differentiate
from .errors import EvaluationError, ShapeError
from .function import ExprLike, Function, WrtLike, as_function

SOLVE_BUDGET_S = 20.0
PERIODIC = (sympy.sin, sympy.cos, sympy.tan, sympy.cot, sympy.sec, sympy.csc)
MAX_POINTS = 50


@dataclass(frozen=True)
class CriticalPoint:
    """A solution of ∇f = 0 with f's value, the Hessian's eigenvalues and the verdict."""

    point: dict[sympy.Symbol, sympy.Expr]
    value: sympy.Expr
    eigenvalues: tuple[sympy.Expr, ...]
    kind: str  # minimum, maximum, saddle, degenerate

    @property
    def condition_number(self) -> float | None:
        """|λ|max / |λ|min of the Hessian (None when an eigenvalue is 0)."""
        sizes = [abs(float(e)) for e in self.eigenvalues]
        return None if min(sizes) == 0 else max(sizes) / min(sizes)


def critical_points(expr: ExprLike | Function, wrt: WrtLike = None) -> list[CriticalPoint]:
    """All real solutions of ∇f = 0 that SymPy finds, each classified."""
    f = as_function(expr, wrt)
    if f.is_vector or f.is_matrix_calculus:
        raise ShapeError("critical points need a scalar function of scalar variables")
    gradient = list(differentiate(f, "gradient").expanded())
    hessian = differentiate(f, "hessian").expanded()
    with time_budget(SOLVE_BUDGET_S) as ran_out:
        solutions = sympy.solve(gradient, list(f.variables), dict=True)
    if ran_out():
        raise EvaluationError(f"SymPy could not solve ∇f = 0 within {SOLVE_BUDGET_S:g} s")
    points = []
    for solution in solutions:
        if set(solution) != set(f.variables):
            raise EvaluationError("∇f = 0 has infinitely many solutions (a curve or surface "
                                  "of critical points); symnum lists isolated points only")
        if not all(v.is_real for v in solution.values()):
            continue  # complex solutions are not critical points of a real function
        points.append(_classify(f, hessian, solution))
        if len(points) > MAX_POINTS:
            raise EvaluationError(f"more than {MAX_POINTS} critical points")
    return sorted(points, key=lambda p: [float(p.point[v]) for v in f.variables])


def _classify(f: Function, hessian: sympy.Matrix, solution: dict) -> CriticalPoint:
    at = sympy.Matrix(hessian.xreplace(solution))
    eigenvalues = tuple(sorted((sympy.nsimplify(e) if e.is_number else e for e, k in
                                at.eigenvals().items() for _ in range(k)),
                               key=lambda e: float(e)))
    signs = [sympy.sign(sympy.N(e, 30)) for e in eigenvalues]
    if 0 in signs:
        kind = "degenerate"
    elif all(s > 0 for s in signs):
        kind = "minimum"
    elif all(s < 0 for s in signs):
        kind = "maximum"
    else:
        kind = "saddle"
    return CriticalPoint(dict(solution), sympy.simplify(f.expr.xreplace(solution)),
                         eigenvalues, kind)


def critical_text(points: list[CriticalPoint], f: Function) -> str:
    """One block per point: where, f there, eigenvalues, verdict, condition number."""
    if not points:
        return "no real critical points found"
    lines = []
    for p in points:
        where = ", ".join(f"{v} = {p.point[v]}" for v in f.variables)
        eig = ", ".join(str(e) for e in p.eigenvalues)
        cond = p.condition_number
        lines.append(f"{p.kind} at {where}: f = {p.value}; Hessian eigenvalues {eig}"
                     + ("" if cond is None else f"; condition number {cond:.6g}"))
    if any(p.kind == "degenerate" for p in points):
        lines.append("(degenerate: a zero eigenvalue, the second-derivative test cannot decide)")
    if f.expr.has(*PERIODIC):
        lines.append("(f is periodic: SymPy lists the solutions in one period; the others "
                     "repeat with it)")
    return "\n".join(lines)


def critical_json(points: list[CriticalPoint], f: Function) -> dict:
    return {"expr": str(f.expr), "wrt": list(f.wrt), "periodic": f.expr.has(*PERIODIC),
            "points": [{"point": {str(v): str(p.point[v]) for v in f.variables},
                        "value": str(p.value), "eigenvalues": [str(e) for e in p.eigenvalues],
                        "kind": p.kind, "condition_number": p.condition_number}
                       for p in points]}


def critical_latex(points: list[CriticalPoint], f: Function) -> str:
    rows = []
    for p in points:
        where = r",\ ".join(f"{sympy.latex(v)} = {sympy.latex(p.point[v])}"
                             for v in f.variables)
        eig = r",\ ".join(sympy.latex(e) for e in p.eigenvalues)
        rows.append(rf"&{where}: && f = {sympy.latex(p.value)}, && \lambda(H) = {eig}, "
                    rf"&& \text{{{p.kind}}}")
    return "\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}"
