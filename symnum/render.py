"""Render results for people and programs: Unicode text, LaTeX, and the JSON contract.

>>> from symnum.function import Function
>>> print(result_latex(Function("x**3").derivative()))
\\frac{d}{d x} \\left(x^{3}\\right) = 3 x^{2}
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import sympy

if TYPE_CHECKING:
    from .calculus import Result

_LATEX = {"mat_delim": "", "mat_str": "bmatrix"}


def expr_latex(expr: sympy.Basic) -> str:
    """LaTeX of an expression or matrix, brackets for matrices.

    >>> expr_latex(sympy.sympify("x**2/2"))
    '\\\\frac{x^{2}}{2}'
    """
    return sympy.latex(expr, **_LATEX)


def expr_text(expr: sympy.Basic) -> str:
    """Readable Unicode of an expression (may span several lines)."""
    return sympy.pretty(expr, use_unicode=True, wrap_line=False)


def _variables_latex(result: Result) -> str:
    return ", ".join(sympy.latex(v) for v in result.variables)


def operator_latex(result: Result) -> str:
    """The left-hand side: which derivative of which function."""
    f = expr_latex(result.function.expr)
    kind, order = result.kind, result.order
    if kind == "derivative":
        x = sympy.latex(result.variables[0])
        op = r"\frac{d}{d %s}" % x if order == 1 else r"\frac{d^{%d}}{d %s^{%d}}" % (order, x, order)
        return op + (f" {f}" if result.function.is_vector else rf" \left({f}\right)")
    if kind == "gradient":
        return rf"\nabla_{{{_variables_latex(result)}}} \left({f}\right)"
    if kind == "hessian":
        return rf"\nabla^{{2}}_{{{_variables_latex(result)}}} \left({f}\right)"
    body = f if result.function.is_vector else rf"\left({f}\right)"
    return rf"\frac{{\partial}}{{\partial \left({_variables_latex(result)}\right)}} {body}"


def result_latex(result: Result) -> str:
    """One LaTeX equation: operator applied to the function = the result (with definitions)."""
    rhs = expr_latex(result.matrix[0] if result.shape == () else result.matrix)
    text = f"{operator_latex(result)} = {rhs}"
    if result.definitions:
        defs = r",\ ".join(f"{sympy.latex(n)} = {expr_latex(v)}" for n, v in result.definitions)
        text += rf", \quad \text{{where }} {defs}"
    return text


_TITLES = {"derivative": "derivative", "gradient": "gradient ∇f",
           "jacobian": "Jacobian J (rows: outputs, columns: variables)", "hessian": "Hessian ∇²f"}


def result_text(result: Result, value: Any = None, point: dict | None = None) -> str:
    """A few labelled blocks a learner can read in a terminal."""
    names = ", ".join(v.name for v in result.variables)
    lines = [f"f({names}) =", _indent(expr_text(result.function.expr))]
    if result.function.parameters:
        lines.append("parameters (held constant): "
                     + ", ".join(p.name for p in result.function.parameters))
    title = _TITLES[result.kind]
    if result.kind == "derivative":
        sup = "" if result.order == 1 else str(result.order).translate(_SUPERSCRIPT)
        title = f"d{sup}f/d{result.variables[0].name}{sup}"
    lines += ["", f"{title} =",
              _indent(expr_text(result.matrix[0] if result.shape == () else result.matrix))]
    if result.definitions:
        lines += ["", "where"] + [_indent(f"{n} = {expr_text(v)}") for n, v in result.definitions]
    if value is not None and point is not None:
        at = ", ".join(f"{k} = {v}" for k, v in point.items())
        lines += ["", f"at {at}:", _indent(_format_value(value))]
    return "\n".join(lines)


_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def _indent(block: str, pad: str = "  ") -> str:
    return "\n".join(pad + line for line in block.splitlines())


def _format_value(value: Any) -> str:
    if isinstance(value, list):
        if value and isinstance(value[0], list):
            return "\n".join(_format_value(row) for row in value)
        return "[" + ", ".join(_format_value(v) for v in value) + "]"
    return f"{value:.15g}" if isinstance(value, float) else str(value)


def result_json(result: Result, value: Any = None) -> dict[str, Any]:
    """The JSON contract: expr, wrt, what, result, definitions, latex (and value)."""
    data: dict[str, Any] = {
        "expr": _source(result),
        "wrt": [v.name for v in result.variables],
        "what": result.kind,
        "order": result.order,
        "shape": list(result.shape),
        "result": result.nested([str(e) for e in result.entries()]),
        "definitions": [[str(n), str(v)] for n, v in result.definitions],
        "latex": result_latex(result),
    }
    if value is not None:
        data["value"] = value
    return data


def _source(result: Result) -> str:
    expr = result.function.expr
    if result.function.is_vector:
        return "[" + ", ".join(str(e) for e in expr) + "]"
    return str(expr)


def dumps(data: dict[str, Any]) -> str:
    """Deterministic JSON text (keys in contract order, non-finite numbers as strings)."""
    return json.dumps(data, ensure_ascii=False, default=str)
