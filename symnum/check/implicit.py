"""Is a claimed dy/dx right on the curve F = 0? Equal on the curve is enough: −x/y,
x/(−y) and (for the second derivative on x² + y² = 1) −1/y³ and −(x² + y²)/y³ are all
right; −x/√(1 − x²) is right on the upper half only, and the verdict says so.

1. Symbolic: the difference claim − derivative simplifies to 0; or (F a polynomial) F
   divides its numerator, so it is 0 wherever F = 0; or (F of degree ≤ 2 in y) it is 0 on
   each branch y = y(x) solved from F = 0, or on some of them.
2. Numeric: points of the curve found by root finding (mpmath, 30 digits), the difference
   evaluated there; a wrong claim gets a point of the curve where it differs.

>>> check_implicit_claim("x/(-y)", "x**2 + y**2 = 1", "y").correct
True
>>> check_implicit_claim("x/y", "x**2 + y**2 = 1", "y").correct
False
>>> check_implicit_claim("-x/sqrt(1 - x**2)", "x**2 + y**2 = 1", "y").branch
'y = sqrt(1 - x**2)'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import sympy
from sympy.core.function import AppliedUndef

from ..core.budget import work_budget
from ..core.calculus import safe_to_simplify
from ..core.errors import ParseError, VariableError
from ..core.render import expr_str
from ..higher.equation import read_curve, split_equation
from ..higher.implicit import ImplicitResult, implicit_derivative
from ..higher.implicit_render import name_of, wrt_names
from ..higher.on_curve import DIGITS, in_ideal, sample_points, solved_atoms
from ..steps.render import inline

SIMPLIFY_OBJECTS = 60_000
POINTS = 8  # points of the curve the difference is evaluated at
AGREE = 1e-15  # |claim − derivative| ≤ AGREE·(1 + |derivative|) at a point: equal there
# What may stand left of '=' in a claim: the derivative's own name (dy/dx, y', y″,
# \frac{dy}{dx}, ∂z/∂x, z_x), so that symnum's printed answers read back.
_NAME = re.compile(r"^\s*(\\frac\{\s*(d|\\partial)|\\dfrac|d|∂|D)|['′″‴]|\\prime"
                   r"|^\s*\w+_\{?\w+\}?\s*$")


@dataclass(frozen=True)
class ImplicitCheck:
    """The verdict: ``correct`` (on the whole curve, or on a ``branch``), ``how`` it is
    known, a ``point`` of the curve where the claim differs (with both values)."""

    correct: bool
    how: str
    statement: str
    result: ImplicitResult
    claimed: sympy.Expr
    branch: str | None = None
    branch_shown: str | None = None
    point: dict[str, float] | None = None
    claimed_value: float | None = None
    expected_value: float | None = None
    points_checked: int = 0
    diagnosis: str | None = None
    evidence: list[str] = field(default_factory=list)

    def text(self) -> str:
        r = self.result
        w = r.set_name
        name = name_of(r, r.order).text
        curve = f"{inline(r.curve.lhs)} = {inline(r.curve.rhs)}"
        lines = []
        if self.correct and self.branch is None:
            lines.append(f"correct: the claim is {name} on the {w} {curve} "
                         f"({self.how}: {self.statement})")
        elif self.correct:
            lines.append(f"correct on the branch {self.branch_shown} of the {w} {curve}, "
                         f"not on the whole {w} ({self.how}: {self.statement})")
        else:
            lines.append(f"incorrect: the claim is not {name} on the {w} {curve}")
        if self.point is not None:
            at = ", ".join(f"{k} = {v:.6g}" for k, v in self.point.items())
            claimed = "undefined" if self.claimed_value is None else \
                f"{self.claimed_value:.10g}"
            where = "off that branch, at" if self.correct else "at"
            lines.append(f"{where} the point {at} of the {w} the claim gives {claimed}, "
                         f"but {name} is {self.expected_value:.10g}")
        if self.diagnosis:
            lines.append(f"hint: {self.diagnosis}")
        shown = inline(r.result) + (f"  (on the {w}; in general {inline(r.general)})"
                                    if r.uses_curve else "")
        lines.append(f"{name} on the {w} is: {shown}")
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        r = self.result
        return {"correct": self.correct, "how": self.how, "what": "derivative",
                "implicit": r.dependent.name, "wrt": wrt_names(r),
                "order": r.order, "expected": expr_str(r.result),
                "general": expr_str(r.general), "curve": f"{expr_str(r.F)} = 0",
                "claimed": expr_str(self.claimed), "branch": self.branch,
                "statement": self.statement, "points_checked": self.points_checked,
                "point": self.point, "claimed_value": self.claimed_value,
                "expected_value": self.expected_value, "diagnosis": self.diagnosis,
                "evidence": {"method": "proof" if self.how.startswith("shown") else "numeric",
                             "statement": self.statement, "points": self.evidence,
                             "note": None if self.branch is None else
                             f"it holds on the branch {self.branch_shown} only"}}


def claim_text(claimed: str, syntax: str = "plain") -> str:
    """The claim's formula: an answer printed as ``dy/dx = −x/y`` (or LaTeX
    ``\\frac{dy}{dx} = ...``, an aligned pair, ``... on the curve ...``) without its name.

    >>> claim_text("d²y/dx² = (−x² − y²)/y³")
    '(−x² − y²)/y³'
    >>> claim_text(r"\\begin{aligned}\\frac{d^{2}y}{dx^{2}} &= a \\\\ &= b && \\text{on "
    ...            r"the curve } c = 0\\end{aligned}", "latex")
    'b'
    """
    text = claimed.strip()
    if syntax == "latex":
        text = re.sub(r"\\(begin|end)\{(aligned|align\*?|equation\*?)\}", "", text)
        text = text.split(r"\\")[-1]
        text = re.sub(r"&&.*$", "", text, flags=re.DOTALL).replace("&", "")
        text = re.sub(r"\\(quad|qquad)\s*\\text\{.*$", "", text, flags=re.DOTALL)
    else:
        text = re.sub(r"\s+\(?on the (curve|surface|level set).*$", "", text, flags=re.DOTALL)
    while True:
        text = text.strip()
        if text.startswith("=") and not text.startswith("=="):  # a continued line: = −1/y³
            text = text[1:]
        left, right = split_equation(text)
        if right is None:
            return text.strip()
        if left.strip() and not _NAME.search(left):
            raise ParseError("the claim is an equation whose left side is not the derivative; "
                             "give the derivative only, like -x/y")
        text = right


def _dependent(claim: sympy.Expr, result: ImplicitResult) -> sympy.Expr:
    """y(x) in a claim is y; y′(x), y″(x) below the order asked are the derivatives already
    found (y″ = −(1 + y′²)/y on the circle); any other function is refused in one line.

    >>> r = implicit_derivative("x**2 + y**2 = 1", "y", "x", 2)
    >>> _dependent(sympy.sympify("-(1 + Derivative(y(x), x)**2)/y(x)"), r)
    (-x**2/y**2 - 1)/y
    """
    y = result.dependent
    known = {s.name: s for s in result.F.free_symbols}
    first = dict(result.first)
    curve = len(set(result.wrt)) == 1
    swaps: dict[sympy.Basic, sympy.Expr] = {}
    for d in claim.atoms(sympy.Derivative):
        inner, by = d.expr, [known.get(v.name) for v in d.variables]
        k = len(by)
        if not (isinstance(inner, AppliedUndef) and inner.func.__name__ == y.name):
            continue
        if curve and set(by) == {result.wrt[0]} and k < result.order:
            swaps[d] = result.forms[k - 1]
        elif k == 1 and by[0] in first and result.order > 1:
            swaps[d] = first[by[0]]
        else:
            raise VariableError(f"the claim uses {inline(d)}: write it as a formula (only "
                                f"derivatives of {y} of lower order than the one checked "
                                "stand for themselves)")
    claim = claim.xreplace(swaps)
    own = {u.func.__name__ for u in result.F.atoms(AppliedUndef)}  # F's unknowns stay
    calls = {c for c in claim.atoms(AppliedUndef) if c.func.__name__ not in own}
    for call in calls:
        if call.func.__name__ != y.name or not all(
                isinstance(a, sympy.Symbol) and a.name in known for a in call.args):
            raise VariableError(f"the claim uses the function {inline(call)}, which the "
                                "equation does not have")
    claim = claim.xreplace({c: y for c in calls})
    return claim.xreplace({a: known[a.name] for a in claim.free_symbols if a.name in known})


def check_implicit_claim(claimed: str | sympy.Expr, of: str | sympy.Expr, implicit: str,
                         wrt: Any = None, order: int = 1, seed: int = 0,
                         syntax: str = "plain", what: str | None = None) -> ImplicitCheck:
    """Decide whether ``claimed`` is the implicit derivative of ``implicit`` on ``of`` = 0."""
    if what not in (None, "derivative"):
        raise ParseError(f"--implicit checks a derivative (dy/dx), not --what {what}")
    result = implicit_derivative(of, implicit, wrt, order, syntax)
    if isinstance(claimed, str):
        claim = read_curve(claim_text(claimed, syntax), syntax).lhs
    else:
        claim = sympy.sympify(claimed)
    claim = _dependent(claim, result)
    known = {s.name: s for s in result.F.free_symbols}
    strange = sorted(s.name for s in claim.free_symbols if s.name not in known)
    if strange:
        raise VariableError(f"the claim uses {', '.join(strange)}, which the equation does "
                            f"not have (write {name_of(result, 1).short} as its formula)")
    claim = claim.xreplace({s: known[s.name] for s in claim.free_symbols})
    difference = claim - result.general
    proof = _symbolic(difference, result)
    unknown = claim.atoms(AppliedUndef) or result.F.atoms(AppliedUndef)
    if unknown and proof not in ("everywhere", "curve"):
        raise VariableError("the equation has an unknown function: check can show a claim "
                            "right symbolically but has no numbers to find it wrong with; "
                            f"this one was not shown equal to {inline(result.result)}")
    points, agree = ([], True) if unknown else _numeric(claim, result, seed)
    evidence = [f"{_at(p)}: {'equal' if ok else 'different'}" for p, ok, *_ in points]
    n = len(points)
    if proof == "everywhere":
        return ImplicitCheck(True, "shown symbolically", _STATEMENTS["everywhere"], result,
                             claim, points_checked=n, evidence=evidence)
    if proof == "curve":
        equation = f"{inline(result.curve.lhs)} = {inline(result.curve.rhs)}"
        return ImplicitCheck(True, "shown symbolically", _STATEMENTS["curve"].format(
            F=equation), result, claim, points_checked=n, evidence=evidence)
    wrong = [p for p in points if not p[1]]
    first_wrong = _counter(wrong[0]) if wrong else {}
    if isinstance(proof, tuple):  # holds on some branches, shown symbolically
        y = result.dependent
        branch = " or ".join(f"{y} = {expr_str(b)}" for b in proof)
        shown = " or ".join(f"{y} = {inline(b)}" for b in proof)
        return ImplicitCheck(True, "shown symbolically", f"the difference is 0 when {y} is "
                             "solved from the curve's equation on that branch", result, claim,
                             branch, shown, points_checked=n, evidence=evidence,
                             **first_wrong)
    if not points:
        return ImplicitCheck(False, "undecided", "no point of the curve was found to compare "
                             "at, and no symbolic proof", result, claim)
    if all(ok for _, ok, *_ in points):
        return ImplicitCheck(True, "numeric evidence", f"equal at {n} points of the curve "
                             "(30 digits); simplification could not decide", result, claim,
                             points_checked=n, evidence=evidence)
    if agree:  # equal at a root for every x tried: a branch of the curve
        through = "through " + "; ".join(_at(p) for p, ok, *_ in points if ok)
        return ImplicitCheck(True, "numeric evidence", "equal at the points of one branch "
                             f"for each value tried ({n} points)", result, claim, through,
                             through, points_checked=n, evidence=evidence, **first_wrong)
    return ImplicitCheck(False, "numeric evidence", "a point of the curve where they differ",
                         result, claim, points_checked=n, evidence=evidence,
                         diagnosis=_diagnosis(points), **first_wrong)


_STATEMENTS = {"everywhere": "claim − derivative simplifies to 0",
               "curve": "claim − derivative is 0 wherever {F} (its numerator is a multiple "
                        "of F, or it vanishes once the equation is used)"}


def _symbolic(difference: sympy.Expr, result: ImplicitResult) -> Any:
    """"everywhere", "curve", a tuple of the branches where it holds, or None."""
    if difference == 0:
        return "everywhere"
    if safe_to_simplify(difference, 200):
        simple = None
        with work_budget(SIMPLIFY_OBJECTS):
            simple = sympy.simplify(difference)
        if simple == 0:
            return "everywhere"
    F, y = result.F, result.dependent
    polynomial = F.is_polynomial(*F.free_symbols)
    if polynomial and in_ideal(difference, F):
        return "curve"
    for atom, value in solved_atoms(F):  # sin(xy) = x on sin(xy) − x = 0
        if difference.has(atom) and safe_to_simplify(difference, 200):
            same = None
            with work_budget(SIMPLIFY_OBJECTS):
                same = sympy.simplify(difference.xreplace({atom: value}))
            if same == 0:
                return "curve"
    if not polynomial or not difference.is_algebraic_expr(*F.free_symbols) or \
            sympy.degree(F, y) > 2 or not safe_to_simplify(F, 40):
        return None
    holds = []
    with work_budget(SIMPLIFY_OBJECTS):
        for branch in sympy.solve(F, y):
            if sympy.simplify(difference.subs(y, branch)) == 0:
                holds.append(branch)
    return tuple(holds) or None


def _numeric(claim: sympy.Expr, result: ImplicitResult, seed: int) -> tuple[list, bool]:
    """[(point, equal, claimed value, expected value)] at points of the curve, and whether
    the claim holds at one root for every value of the other variables tried."""
    import mpmath
    symbols = sorted(result.F.free_symbols, key=lambda s: s.name)
    claimed = sympy.lambdify(symbols, claim, "mpmath")
    expected = sympy.lambdify(symbols, result.general, "mpmath")
    found = sample_points(result.F, result.dependent, POINTS, seed)
    rows, by_fixed = [], {}
    with mpmath.workdps(DIGITS):
        for p in found:
            args = [mpmath.mpf(p[s]) for s in symbols]
            try:
                want = complex(expected(*args))
            except (ZeroDivisionError, ValueError, OverflowError):
                continue
            try:
                have = complex(claimed(*args))
                ok = abs(have - want) <= AGREE * (1 + abs(want))
            except (ZeroDivisionError, ValueError, OverflowError):
                have, ok = None, False
            point = {s.name: float(p[s]) for s in symbols}
            rows.append((point, ok, have, want))
            key = tuple(v for k, v in point.items() if k != result.dependent.name)
            by_fixed[key] = by_fixed.get(key, False) or ok
    return rows, bool(by_fixed) and all(by_fixed.values())


def _counter(row: tuple) -> dict[str, Any]:
    point, _, have, want = row

    def real(v: complex | None) -> float | None:
        return None if v is None or abs(v.imag) > 1e-12 * (1 + abs(v.real)) else v.real
    return {"point": point, "claimed_value": real(have), "expected_value": want.real}


def _diagnosis(points: list) -> str | None:
    if all(have is not None and abs(have + want) <= AGREE * (1 + abs(want))
           for _, _, have, want in points):
        return "the sign is wrong: the claim is minus the derivative (dy/dx = −F_x/F_y)"
    if all(have is not None and want != 0 and abs(have * want - 1) <= 1e-12
           for _, _, have, want in points):
        return "the claim is the reciprocal: dy/dx = −F_x/F_y, not −F_y/F_x"
    return None


def _at(point: dict[str, float]) -> str:
    return "(" + ", ".join(f"{k} = {v:.6g}" for k, v in point.items()) + ")"
