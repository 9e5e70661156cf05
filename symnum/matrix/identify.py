"""The read-off steps of a matrix derivative: what the derivative is, identified from the
differential derived below it (:func:`symnum.matrix.steps.differential_tree`).

- gradient: df = tr(Gᵀ dX) ⇒ ∂f/∂X = G (gᵀ dx for a vector);
- Jacobian: vec dF = (Bᵀ ⊗ A) vec dX for dF = A dX B ⇒ ∂vec F/∂(vec X)ᵀ = Bᵀ ⊗ A (numerator
  layout; df = J dx ⇒ J for a vector of a vector);
- Hessian: the gradient first, then the second differential d²f = tr(d(∇f)ᵀ dX) and
  vec d(∇f) = H vec dX ⇒ ∂²f/∂vec X ∂(vec X)ᵀ = H.

>>> import symnum
>>> r = symnum.derive("inv(X)", wrt="X", shapes={"X": "n,n"})
>>> [s.rule for s in matrix_steps(r).walk()]
['read_off_jacobian', 'vec_form', 'inverse', 'variable']
"""

from __future__ import annotations

import sympy
from sympy.matrices.expressions.matexpr import MatrixExpr

from ..core.matrix_expr import Vec
from ..steps.rules import Step
from .calculus import gradient
from .result import MatrixResult
from .steps import differential_tree, trace_form


def _d(x: sympy.MatrixSymbol) -> sympy.MatrixSymbol:
    return sympy.MatrixSymbol("d" + x.name, *x.shape)


def _is_column(e: sympy.Basic) -> bool:
    return isinstance(e, MatrixExpr) and e.shape[1] == 1


def gradient_steps(f: sympy.Basic, x: sympy.MatrixSymbol, g: sympy.Basic) -> Step:
    """∂f/∂X = G read off df = tr(Gᵀ dX), above the differential tree of f."""
    note = (f"df = gᵀ·d{x} ⇒ ∂f/∂{x} = g (the gradient has the shape of {x})"
            if x.shape[1] == 1 else
            f"df = tr(Gᵀ·d{x}) ⇒ ∂f/∂{x} = G (the gradient has the shape of {x})")
    return Step("read_off", f, x, g, (trace_form(f, x, g),), note=note)


def linear_form(F: sympy.Basic, x: sympy.MatrixSymbol, J: sympy.Basic) -> Step:
    """dF = J dx for columns F and x, else vec dF = V vec dX, above the tree of dF."""
    tree = differential_tree(F, x)
    if _is_column(F) and x.shape[1] == 1:
        return Step("linear_form", F, x, J * _d(x), (tree,),
                    note=f"dF written as J·d{x} (the differential is linear in d{x})")
    dx = _d(x) if x.shape[1] == 1 else Vec(_d(x))
    return Step("vec_form", F, x, J * dx, (tree,), note=_vec_rules(tree.result, _d(x)))


def _vec_rules(dF: sympy.Basic, dx: sympy.MatrixSymbol) -> str:
    """The vec identities this differential needs, in the variable's name."""
    d = dx.name
    rules = [f"vec(A·{d}·B) = (Bᵀ ⊗ A)·vec {d}"]
    if dF.has(dx.T):
        rules.append(f"vec {d}ᵀ = K·vec {d} (K the commutation matrix)")
    if dF.atoms(sympy.HadamardProduct):
        rules.append("vec(C ⊙ M) = diag(vec C)·vec M")
    if dF.atoms(sympy.Trace) or any(not isinstance(a, MatrixExpr) and a.has(dx)
                                    for m in dF.atoms(sympy.MatMul) for a in m.args):
        rules.append(f"tr(Gᵀ·{d})·H = vec H·(vec G)ᵀ·vec {d}")
    return ", ".join(rules)


def _layout_note(result: MatrixResult) -> str:
    if result.layout == "denominator":
        return ("; you asked for the denominator layout, its transpose (rows index "
                f"{result.variable})")
    return " (numerator layout: rows index F)"


def jacobian_steps(result: MatrixResult) -> Step:
    """The Jacobian read off dF (vec dF for a matrix F or X)."""
    F, x, J = result.function.expr, result.variable, result.expr
    below = linear_form(F, x, J)
    if below.rule == "linear_form" and below.substeps[0].result == below.result:
        below = below.substeps[0]  # the differential is already J·dx: not said twice
    if below.rule != "vec_form":
        note = f"dF = J·d{x} ⇒ ∂F/∂{x}ᵀ = J"
    else:
        note = f"vec dF = V·vec d{x} ⇒ ∂vec F/∂(vec {x})ᵀ = V"
    return Step("read_off_jacobian", F, x, J, (below,), note=note + _layout_note(result))


def hessian_steps(result: MatrixResult) -> Step:
    """The gradient, the second differential, and the Hessian read off d(∇f)."""
    f, x, H = result.function.expr, result.variable, result.expr
    g = gradient(f, x)
    subs = [gradient_steps(f, x, g)]
    if result.bilinear is not None:
        subs.append(Step("second_differential", f, x, result.bilinear,
                         note=(f"d²f = d{x}ᵀ·d(∇f) for a vector" if x.shape[1] == 1 else
                               f"d²f = tr(d(∇f)ᵀ·d{x})") +
                         f": df = tr(∇fᵀ·d{x}) differentiated again, d{x} held fixed"))
    subs.append(linear_form(g, x, H))
    if x.shape[1] == 1:
        note = f"d(∇f) = H·d{x} ⇒ ∂²f/∂{x}∂{x}ᵀ = H; d²f = d{x}ᵀ H d{x}"
    else:
        note = (f"vec d(∇f) = H·vec d{x} ⇒ ∂²f/∂vec {x}∂(vec {x})ᵀ = H; "
                f"d²f = (vec d{x})ᵀ H vec d{x}")
    return Step("read_off_hessian", f, x, H, tuple(subs), note=note)


def matrix_steps(result: MatrixResult) -> Step:
    """The derivation of a matrix result: its read-off step above the differentials."""
    if result.kind == "jacobian":
        return jacobian_steps(result)
    if result.kind == "hessian":
        return hessian_steps(result)
    return gradient_steps(result.function.expr, result.variable, result.expr)
