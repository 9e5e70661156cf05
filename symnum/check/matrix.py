"""``check`` for claims in matrix notation (``--shape``): is ∇ xᵀAx = 2Ax? Only for a
symmetric A, and a counterexample matrix shows it.

The claim and the exact result are expanded to components at small sizes (all dimensions 2,
then every dimension different, so a transposed layout cannot pass) and compared there like
scalar claims (:func:`symnum.check.compare.compare`), at seeded random integer matrices
first. A wrong
claim is shown at the smallest size where it fails, with every input matrix and both values.

>>> from symnum.check.claim import check_claim
>>> r = check_claim("2*A*x", "x.T*A*x", wrt="x", shapes={"A": "n,n", "x": "n"})
>>> r.correct, r.diagnosis
(False, 'the claim holds only for a symmetric A (A = A.T)')
>>> check_claim("(A + A.T)*x", "x.T*A*x", wrt="x", shapes={"A": "n,n", "x": "n"}).correct
True
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import sympy
from sympy.matrices.expressions.matexpr import MatrixExpr

from ..core.errors import ShapeError
from ..core.function import ExprLike, Function, _from_sympy
from ..core.logistic import to_exponentials
from ..core.parse import parse
from ..matrix.result import MatrixResult, _components, component_result, default_sizes, explicit
from . import points as cp
from .compare import ClaimCheck, Evidence, compare
from .sizes import plan

__all__ = ["check_matrix_claim"]

INTEGER_POINTS = 10  # random integer matrices with entries in [-3, 3] ...
WIDE_POINTS = 4  # ... in [-9, 9] ...
FRACTION_POINTS = 4  # ... and with 3-digit entries in [-2.5, 2.5]
SIZE_POINTS = 3  # at the further sizes a polynomial in the dimensions needs: points ...
SIZE_DRAWS = 12  # ... out of this many integer matrices drawn


def check_matrix_claim(claimed: ExprLike, result: MatrixResult, seed: int = 0) -> ClaimCheck:
    """Compare a matrix-notation claim with the matrix result, by components."""
    f = result.function
    claim = parse(claimed, f.shapes) if isinstance(claimed, str) else _from_sympy(claimed)
    want, have = _shape(result.expr), _shape(claim)
    flipped = have != want and have == want[::-1]
    if have != want and not flipped:
        raise ShapeError(f"the claimed answer is {_dims(have)}, but the {result.kind} is "
                         f"{_dims(want)}")
    target = claim.T if flipped else claim
    defaults = _size_assignments(f)
    dims = _dimensions(f)
    size_plan = plan(target, result.expr, dims, defaults)
    if size_plan.proved and not flipped:
        names = ", ".join(d.name for d in dims)
        statement = f"claim − {result.kind} simplifies to 0 as a matrix expression" + (
            f", for every {names}" if names else "")
        return ClaimCheck(True, "symbolic", result, claim,
                          evidence=Evidence("proof", statement))
    checks = []
    for sizes in defaults:
        outcome = _at_sizes(target, result, sizes, seed)
        checks.append((sizes, outcome))
        if not outcome.correct:
            break
    sampled: list[tuple[dict, int]] = []
    for sizes in size_plan.extra if checks[-1][1].correct else []:
        witness, count = _agrees_at(target, result, sizes, seed)
        if witness is None:
            sampled.append((sizes, count))
            continue
        outcome = witness if _costly(target, result) else _at_sizes(target, result, sizes, seed)
        checks.append((sizes, outcome))
        if not outcome.correct:
            break
    sizes, last = checks[-1]
    text = "; ".join(", ".join(f"{k} = {v}" for k, v in s.items()) for s, _ in checks)
    points = sum(c.points_checked for _, c in checks) + sum(c for _, c in sampled)
    if flipped:
        hint = (f"the claim is the transpose of the {result.kind}, which is {_dims(want)}"
                if last.correct else f"the claim is {_dims(have)}, but the {result.kind} "
                f"is {_dims(want)}")
        return replace(last, correct=False, result=result, claimed=claim, diagnosis=hint,
                       difference=None, how="symbolic",
                       counterexample=None if last.correct else last.counterexample,
                       evidence=Evidence("proof", hint))
    if last.correct:
        proof = all(c.how == "symbolic" for _, c in checks) and not sampled
        statement = ("the components agree" + (f" at sizes {text}" if text.strip("; ") else "")) + (
            " (each difference simplifies to 0)" if all(c.how == "symbolic" for _, c in checks)
            else f" (equal to 30 digits at {points} points)") + _sampled_text(sampled) + (
            f"; {size_plan.note}" if size_plan.note else "")
        return replace(last, result=result, claimed=claim, points_checked=points,
                       how="symbolic" if proof else "numeric",
                       evidence=Evidence("proof" if proof else "numeric", statement, points))
    return replace(last, result=result, claimed=claim, points_checked=points)


def _at_sizes(claim, result: MatrixResult, sizes: dict, seed: int) -> ClaimCheck:
    f = result.function
    scalar = component_result(result, sizes)
    comps = {**_components(Function(claim, shapes=f.shapes) if _has_matrices(claim) else f,
                           sizes), **_components(f, sizes)}
    mine = _layout(explicit(claim, f, sizes, comps), scalar)
    exact = to_exponentials(scalar.expanded())
    symbols = sorted({s for c in comps.values() for s in c}, key=lambda s: s.name)
    outcome = compare(scalar, mine, exact, scalar.function.outputs, seed,
                      points=_integer_points(symbols, seed), local_hints=False)
    if outcome.correct:
        return outcome
    point = {sympy.Symbol(k, real=True): v for k, v in outcome.point.items()}
    exact_point = {s: _exact(v) for s, v in point.items()}
    hint = _symmetric_hint(result, mine, exact, comps, outcome, sizes) or outcome.diagnosis
    by_name = {m.name: c for m, c in comps.items()}
    inputs = {name: _values(c, exact_point) for name, c in sorted(by_name.items())}
    counterexample = {
        "sizes": {str(k): v for k, v in sizes.items()}, "inputs": inputs,
        "claimed": _values(_reshape(mine, result, sizes), exact_point),
        "expected": _values(_reshape(exact, result, sizes), exact_point)}
    return replace(outcome, diagnosis=hint, point=inputs, counterexample=counterexample)


def _agrees_at(claim, result: MatrixResult, sizes: dict, seed: int
               ) -> tuple[ClaimCheck | None, int]:
    """Claim and result at random integer matrices of these sizes, entry by entry to 30
    digits (exact arithmetic first, so an inverse at size 12 stays cheap): (a witness where
    an entry differs, else None; how many points were compared)."""
    f = result.function
    matrices = {m.name: m for e in (f.expr, result.expr, claim)
                for m in e.atoms(sympy.MatrixSymbol)}
    rng = np.random.default_rng(seed + sum(sizes.values()))
    compared = 0
    for _ in range(SIZE_DRAWS):
        comps = {m: sympy.ImmutableMatrix(*(int(sympy.sympify(d).subs(sizes)) for d in m.shape),
                                          lambda i, j: int(rng.integers(-3, 4)))
                 for m in matrices.values()}
        try:
            mine = explicit(claim, f, sizes, comps)
            exact = explicit(result.expr, f, sizes, comps)
        except (ArithmeticError, ValueError, TypeError):
            continue  # a singular matrix drawn: another one
        if not all(cp.is_real_value(cp.value(e, {})) for e in _flat(exact)):
            continue  # outside the domain (log det of a negative determinant)
        verdicts = [cp.differs(c - e, {}) for c, e in zip(_flat(mine), _flat(exact),
                                                          strict=True)]
        if any(verdicts):
            return _witness(result, claim, sizes, comps, mine, exact, verdicts.index(True),
                            compared + 1), compared + 1
        compared += all(v is not None for v in verdicts)
        if compared >= SIZE_POINTS:
            break
    return None, compared


def _witness(result, claim, sizes, comps, mine, exact, k, points) -> ClaimCheck:
    """The counterexample found by :func:`_agrees_at`, without expanding in symbols."""
    mine, exact = (v if isinstance(v, sympy.MatrixBase) else sympy.ImmutableMatrix([v])
                   for v in (mine, exact))
    inputs = {m.name: _values(c, {}) for m, c in sorted(comps.items(), key=lambda mc: mc[0].name)}
    where = ", ".join(f"{k} = {v}" for k, v in sizes.items())
    flat = [_plain(v) for v in (list(mine)[k], list(exact)[k])]
    return ClaimCheck(
        False, "numeric", result, claim, points, inputs,
        tuple(int(i) for i in np.unravel_index(k, mine.shape)), flat[0], flat[1],
        evidence=Evidence("witness", f"at sizes {where} an entry differs at random integer "
                          "matrices (to 30 digits)", points),
        counterexample={"sizes": {str(s): v for s, v in sizes.items()}, "inputs": inputs,
                        "claimed": _values(mine, {}), "expected": _values(exact, {})})


def _costly(claim, result: MatrixResult) -> bool:
    """Inverses and determinants: in symbols at size 4 and over they take minutes."""
    return any(e.has(sympy.Inverse, sympy.Determinant, sympy.MatPow)
               for e in (claim, result.expr))


def _flat(value) -> list:
    return list(value) if isinstance(value, sympy.MatrixBase) else [value]


def _sampled_text(sampled: list[tuple[dict, int]]) -> str:
    if not sampled:
        return ""
    sizes = "; ".join(", ".join(f"{k} = {v}" for k, v in s.items()) for s, _ in sampled)
    return f", and at sizes {sizes} at {sum(c for _, c in sampled)} random integer points"


def _dimensions(f: Function) -> list[sympy.Symbol]:
    return sorted({d for s in f.shapes.values() for d in s if isinstance(d, sympy.Symbol)},
                  key=lambda s: s.name)


def _symmetric_hint(result, mine, exact, comps, outcome, sizes) -> str | None:
    """'holds only for a symmetric A' when claim and result agree once A = Aᵀ."""
    for m, c in sorted(comps.items(), key=lambda mc: mc[0].name):
        if c.rows != c.cols or c.rows < 2 or m.name not in result.function.shapes:
            continue
        sym = {c[j, i]: c[i, j] for i in range(c.rows) for j in range(c.cols) if j > i}
        scalar = component_result(result, sizes)
        again = compare(scalar, mine.xreplace(sym), exact.xreplace(sym),
                        [o.xreplace(sym) for o in scalar.function.outputs], 0,
                        points=_integer_points(sorted({s for k in comps.values() for s in k},
                                                      key=lambda s: s.name), 1),
                        local_hints=False)
        if again.correct:
            return f"the claim holds only for a symmetric {m.name} ({m.name} = {m.name}.T)"
    return None


def _integer_points(symbols: list[sympy.Symbol], seed: int) -> list[cp.Point]:
    rng = np.random.default_rng(seed)
    n = len(symbols)
    draws = [rng.integers(-3, 4, n) for _ in range(INTEGER_POINTS)]
    draws += [rng.integers(-9, 10, n) for _ in range(WIDE_POINTS)]
    points = [{s: sympy.Integer(int(v)) for s, v in zip(symbols, d, strict=True)}
              for d in draws]
    points += [{s: cp.rational(v) for s, v in zip(symbols, rng.uniform(-2.5, 2.5, n),
                                                  strict=True)}
               for _ in range(FRACTION_POINTS)]
    return points


def _size_assignments(f: Function) -> list[dict]:
    dims = default_sizes(f, 0)
    out = []
    for sizes in ({d: 2 for d in dims}, dims, default_sizes(f, 1)):
        if sizes not in out:
            out.append(sizes)
    return out


def _layout(value, scalar) -> sympy.ImmutableMatrix:
    if not isinstance(value, sympy.MatrixBase):
        return sympy.ImmutableMatrix([value])
    if scalar.kind == "gradient":
        return sympy.ImmutableMatrix(list(value))
    return sympy.ImmutableMatrix(value)


def _reshape(flat: sympy.ImmutableMatrix, result: MatrixResult,
             sizes: dict) -> sympy.ImmutableMatrix:
    """A gradient's components back in the shape of its variable."""
    rows, cols = (int(sympy.sympify(d).subs(sizes)) for d in _shape(result.expr))
    return flat.reshape(rows, cols) if len(flat) == rows * cols else flat


def _values(matrix: sympy.MatrixBase, point: dict) -> list:
    rows = [[_plain(v.xreplace(point)) for v in matrix.row(i)] for i in range(matrix.rows)]
    return [r[0] for r in rows] if matrix.cols == 1 else rows


def _plain(v: sympy.Expr) -> float | int | str:
    if v.is_Integer:
        return int(v)
    number = v.evalf(15)
    return float(number) if number.is_real and np.isfinite(float(number)) else str(number)


def _exact(v) -> sympy.Expr:
    return sympy.Rational(str(v)) if isinstance(v, float | int) else sympy.sympify(v)


def _shape(expr) -> tuple:
    return tuple(expr.shape) if isinstance(expr, MatrixExpr | sympy.MatrixBase) else (1, 1)


def _dims(shape: tuple) -> str:
    return "a scalar" if shape == (1, 1) else f"{shape[0]}×{shape[1]}"


def _has_matrices(expr) -> bool:
    return bool(getattr(expr, "atoms", lambda *_: ())(sympy.MatrixSymbol))
