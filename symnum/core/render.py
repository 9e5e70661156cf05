"""Render results for people and programs: Unicode text, LaTeX, and the JSON contract.

>>> from symnum.core.function import Function
>>> print(result_latex(Function("x**3").derivative()))
\\frac{d}{d x} \\left(x^{3}\\right) = 3 x^{2}
"""

from __future__ import annotations

import functools
import json
import math
import re
from typing import TYPE_CHECKING, Any

import sympy
from sympy.core.function import AppliedUndef
from sympy.printing.latex import LatexPrinter
from sympy.printing.pretty.pretty import PrettyPrinter
from sympy.printing.str import StrPrinter

from .latex_names import function_latex
from .logistic import sigmoid
from .names import fresh_name
from .textbook import with_sigma
from .unknowns import normal, shown

if TYPE_CHECKING:
    from .calculus import Result

# What a Result subclass of a layer above core (symnum.higher: mixed partials, derivative
# tensors) may define to be printed its own way; each is optional, a plain Result has none.
LAYOUT_HOOKS = {
    "heading": "heading() → the text title (instead of 'gradient ∇f', 'd²f/dx²')",
    "operator_latex": "operator_latex(f) → the LaTeX left-hand side, f the function's LaTeX",
    "body_text": "body_text() → the entries as indented text lines (not one matrix)",
    "body_latex": "body_latex(order) → the LaTeX right-hand side",
    "value_text": "value_text(value) → the value at a point, laid out",
    "footnote": "footnote() → a line under the entries (how they were computed)",
    "wrt_names": "wrt_names → the JSON 'wrt' (x, y, y for a mixed partial)",
    "json_extra": "json_extra() → keys added to the JSON",
}

_LATEX = {"mat_delim": "", "mat_str": "bmatrix"}


def for_display(expr: sympy.Basic, latex: bool = False) -> sympy.Basic:
    """Show derivatives of unknown functions as symnum reads them back: f′(u), f″(u),
    ∂f/∂x(x, y), ∂₁f(x², y) (LaTeX: f'(u), \\frac{\\partial f}{\\partial x}).

    SymPy writes d/dx f(x²) as ``2*x*Subs(Derivative(f(_xi), _xi), _xi, x**2)``; a reader
    expects ``2⋅x⋅f′(x²)``. Display only: the exact result keeps SymPy's form.

    >>> for_display(sympy.sympify("Derivative(f(g(x)), g(x))"))
    f′(g(x))
    """
    return shown(expr, _variable_latex if latex else None)


def _variable_latex(name: str) -> str:
    return symbol_latex(name, sympy.latex(sympy.Symbol(name)))


# Results with more entries than this print terms in SymPy's stored order, not sorted:
# sorting is most of the printing time of a large Hessian, and the text is as exact.
LARGE_RESULT = 200


def _order(result: Result) -> str | None:
    return "none" if result.size > LARGE_RESULT else None


class _BookOrder:
    """A sum with σ in it starts with a positive term, as a book writes it: σ(z) − y, not
    −y + σ(z) (SymPy's own order otherwise)."""

    def _as_ordered_terms(self, expr, order=None):
        terms = super()._as_ordered_terms(expr, order=order)
        if len(terms) < 2 or not terms[0].could_extract_minus_sign() or not expr.has(sigmoid):
            return terms
        positive = [t for t in terms if not t.could_extract_minus_sign()]
        return positive + [t for t in terms if t.could_extract_minus_sign()]


class _Latex(_BookOrder, LatexPrinter):
    """SymPy's LaTeX, with each registered function written as its record says."""

    def _print(self, expr, **kwargs) -> str:
        return function_latex(self, expr, super()._print, **kwargs)

    def _print_Pow(self, expr) -> str:
        """f(x)² as f{(x)}^{2}: SymPy's f^{2}{(x)} reads back as f² times x."""
        if isinstance(expr.base, AppliedUndef) and expr.exp.is_Integer and expr.exp > 0:
            return f"{self._print(expr.base)}^{{{self._print(expr.exp)}}}"
        return super()._print_Pow(expr)

    def _print_Symbol(self, expr, style: str = "plain") -> str:
        default = super()._print_Symbol(expr, style)
        return default if style != "plain" else symbol_latex(expr.name, default)


class _Pretty(_BookOrder, PrettyPrinter):
    def _print_Pow(self, power):
        """g(x)² for an unknown g (SymPy's g²(x) reads as g applied twice)."""
        if isinstance(power.base, AppliedUndef) and power.exp.is_Integer and power.exp > 0:
            base = self._print(power.base)
            base.binding = base.ATOM  # not a function's name: the power goes after f(x)
            return base ** self._print(power.exp)
        return super()._print_Pow(power)


class _Str(_BookOrder, StrPrinter):
    def _print_Subs(self, expr) -> str:
        """f′ at a point as SymPy syntax the parser reads: bound names without '_'."""
        taken = {s.name for s in expr.free_symbols}
        names = {}
        for k, v in enumerate(expr.variables):
            names[v] = sympy.Symbol(fresh_name((f"xi{k + 1}", f"t{k + 1}"),
                                               lambda n: n not in taken), real=True)
        renamed = sympy.Subs(expr.expr.xreplace(names), [names[v] for v in expr.variables],
                             expr.point)
        return super()._print_Subs(renamed)


@functools.lru_cache(maxsize=4096)
def symbol_latex(name: str, default: str) -> str:
    r"""A variable's LaTeX that symnum's reader takes back to the same name: SymPy's where it
    does (``x_{1}`` for x1, ``\alpha`` for alpha), else the name itself in italics
    (``lam`` would read as l·a·m, ``x_1`` as x1). A Greek letter typed as itself (λ) keeps
    SymPy's ``\lambda``: it reads back as the variable that either spelling names.

    >>> symbol_latex("lam", "lam"), symbol_latex("x_1", "x_{1}"), symbol_latex("x1", "x_{1}")
    ('\\mathit{lam}', '\\mathit{x\\_1}', 'x_{1}')
    >>> symbol_latex("λ", r"\lambda")
    '\\lambda'
    """
    if (len(name) == 1 and not name.isascii()) or name.startswith("\\"):
        return default  # a Greek letter, or a name that is LaTeX already (the chapter's)
    from .errors import SymnumError
    from .latex_input import to_plain
    try:
        if to_plain(default) == name:
            return default
    except (SymnumError, RecursionError):
        pass
    return r"\mathit{" + name.replace("_", r"\_") + "}"


def expr_str(expr: sympy.Basic, order: str | None = None) -> str:
    """SymPy syntax that :func:`symnum.core.parse.parse` reads back (σ as sigmoid).

    >>> from symnum.core.logistic import sigmoid
    >>> expr_str(sympy.Symbol("z") - sigmoid(sympy.Symbol("y")) - 1)
    'z - sigmoid(y) - 1'
    """
    return _Str({"order": order}).doprint(normal(expr))  # derivatives of f: one form


def expr_latex(expr: sympy.Basic, order: str | None = None) -> str:
    """LaTeX of an expression or matrix, brackets for matrices.

    >>> expr_latex(sympy.sympify("x**2/2"))
    '\\\\frac{x^{2}}{2}'
    """
    text = _Latex({"order": order, **_LATEX}).doprint(for_display(expr, latex=True))
    return re.sub(r"\\operatorname\{([A-Za-z]\w*)('+)\}", r"\1\2", text)


def expr_text(expr: sympy.Basic) -> str:
    """Readable Unicode of an expression (may span several lines)."""
    return _Pretty({"use_unicode": True, "wrap_line": False}).doprint(for_display(expr))


def _variables_latex(result: Result) -> str:
    return ", ".join(expr_latex(v) for v in result.variables)


def operator_latex(result: Result) -> str:
    """The left-hand side: which derivative of which function."""
    native = result.native
    f = native.function_latex() if native is not None and native.outputs \
        else expr_latex(with_sigma(result.function.expr))
    kind, order = result.kind, result.order
    if hasattr(result, "operator_latex"):  # a result of symnum.higher (see LAYOUT_HOOKS)
        return result.operator_latex(f)
    if kind == "derivative":
        x = expr_latex(result.variables[0])
        op = (rf"\frac{{d}}{{d {x}}}" if order == 1
              else rf"\frac{{d^{{{order}}}}}{{d {x}^{{{order}}}}}")
        return op + (f" {f}" if result.function.is_vector else rf" \left({f}\right)")
    if kind == "gradient":
        return rf"\nabla_{{{_variables_latex(result)}}} \left({f}\right)"
    if kind == "hessian":
        return rf"\nabla^{{2}}_{{{_variables_latex(result)}}} \left({f}\right)"
    body = f if result.function.is_vector else rf"\left({f}\right)"
    return rf"\frac{{\partial}}{{\partial \left({_variables_latex(result)}\right)}} {body}"


def result_latex(result: Result) -> str:
    """One LaTeX equation: operator applied to the function = the result (with definitions)."""
    if result.native is not None:
        rhs = _native_matrix_latex(result)
        definitions = result.native.definition_latex()
    else:
        order = _order(result)
        rhs = result.body_latex(order) if hasattr(result, "body_latex") else \
            expr_latex(result.matrix[0] if result.shape == () else result.matrix, order)
        definitions = [(sympy.latex(n), expr_latex(v, order)) for n, v in result.definitions]
    if not definitions:
        return f"{operator_latex(result)} = {rhs}"
    lines = [f"{operator_latex(result)} &= {rhs}"]
    for k, (name, value) in enumerate(definitions):
        where = r"\text{where}\quad " if k == 0 else ""
        lines.append(f"{where}{name} &= {value}")
    return r"\begin{aligned}" + r" \\ ".join(lines) + r"\end{aligned}"


def _native_matrix_latex(result: Result) -> str:
    rows = result.nested(result.native.entry_latex())
    if not isinstance(rows[0], list):
        rows = [[e] for e in rows]
    body = r" \\ ".join(" & ".join(row) for row in rows)
    return rf"\begin{{bmatrix}}{body}\end{{bmatrix}}"


_TITLES = {"derivative": "derivative", "gradient": "gradient ∇{f}",
           "jacobian": "Jacobian J (rows: outputs, columns: variables)",
           "hessian": "Hessian ∇²{f}"}


def function_letter(expr: sympy.Basic) -> str:
    """The letter the text calls the function by: F where the formula has an unknown function
    f of its own (dF/dx = f′(x)·g(x) + …, not df/dx), else f.

    >>> function_letter(sympy.sympify("f(x)*g(x)")), function_letter(sympy.sympify("x**2"))
    ('F', 'f')
    """
    return "F" if any(getattr(a, "name", "") == "f" or getattr(getattr(a, "func", None),
                                                               "__name__", "") == "f"
                      for a in sympy.preorder_traversal(expr)) else "f"


def result_text(result: Result, value: Any = None, point: dict | None = None) -> str:
    """A few labelled blocks a learner can read in a terminal."""
    names = ", ".join(v.name for v in result.variables)
    label = function_letter(result.function.expr)
    lines = [f"{label}({names}) =", _indent(expr_text(with_sigma(result.function.expr)))]
    if result.function.parameters:
        lines.append("parameters (held constant): "
                     + ", ".join(p.name for p in result.function.parameters))
    title = _TITLES.get(result.kind, result.kind).replace("{f}", label)
    if hasattr(result, "heading"):
        title = result.heading()
    elif result.kind == "derivative":
        sup = "" if result.order == 1 else str(result.order).translate(_SUPERSCRIPT)
        title = f"d{sup}{label}/d{result.variables[0].name}{sup}"
    if result.native is not None:  # large: one entry a line, in the text the JSON holds
        lines += ["", f"{title} =", *_native_text_lines(result)]
    elif hasattr(result, "body_text"):
        lines += ["", f"{title} =", *result.body_text()]
    else:
        lines += ["", f"{title} =",
                  _indent(expr_text(result.matrix[0] if result.shape == () else result.matrix))]
    if result.definitions and result.native is None:
        lines += ["", "where"] + [_indent(expr_text(sympy.Eq(n, v, evaluate=False)))
                                  for n, v in result.definitions]
    if hasattr(result, "footnote"):
        lines += ["", result.footnote()]
    boundaries = _boundaries(result)
    if boundaries:
        lines += ["", "where the pieces meet:"] + [f"  {note}" for note in boundaries]
    if value is not None and point is not None:
        at = ", ".join(f"{k} = {v}" for k, v in point.items())
        shown = result.value_text(value) if hasattr(result, "value_text") else \
            _format_value(value)
        lines += ["", f"at {at}:", _indent(shown)]
    return "\n".join(lines)


_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def _native_text_lines(result: Result) -> list[str]:
    """[i, j] = entry lines (1-based, as a reader counts), then the definitions."""
    native = result.native
    rows, cols = result.matrix_shape
    lines = []
    for k, text in enumerate(native.entry_texts()):
        where = f"[{k // cols + 1}, {k % cols + 1}]" if cols > 1 else f"[{k + 1}]"
        lines.append(f"  {where} = {text}")
    definitions = native.definition_texts()
    if definitions:
        lines += ["", "where"] + [f"  {name} = {value}" for name, value in definitions]
    return lines


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
        "wrt": list(getattr(result, "wrt_names", [v.name for v in result.variables])),
        "what": result.kind,
        "order": result.order,
        "shape": list(result.shape),
        "result": result.nested(_entry_texts(result)),
        "definitions": [list(pair) for pair in _definition_texts(result)],
        "latex": result_latex(result),
    }
    boundaries = _boundaries(result)
    if boundaries:
        data["boundaries"] = boundaries
    if hasattr(result, "json_extra"):
        data.update(result.json_extra())
    if value is not None:
        data["value"] = value
    return data


def _boundaries(result: Result) -> list[str]:
    """Kinks and jumps where the pieces of a Piecewise meet (empty without Piecewise)."""
    if result.native is not None or not result.function.expr.has(sympy.Piecewise):
        return []
    from .boundaries import boundary_notes
    return boundary_notes(result)


def _entry_texts(result: Result) -> list[str]:
    if result.native is not None:
        return result.native.entry_texts()
    return [expr_str(e, order=_order(result)) for e in result.entries()]


def _definition_texts(result: Result) -> list[tuple[str, str]]:
    if result.native is not None:
        return result.native.definition_texts()
    return [(str(n), expr_str(v, order=_order(result))) for n, v in result.definitions]


def _source(result: Result) -> str:
    if result.native is not None and result.native.outputs:  # a big result: its own printer
        return result.native.function_text()
    expr = result.function.expr
    if result.function.is_vector:
        return "[" + ", ".join(str(e) for e in expr) + "]"
    return str(expr)


def dumps(data: dict[str, Any]) -> str:
    """Deterministic JSON text (keys in contract order, non-finite numbers as strings: JSON
    has no Infinity or NaN, and browsers refuse them).

    >>> dumps({"value": [float("inf"), 1.5, float("nan")]})
    '{"value": ["inf", 1.5, "nan"]}'
    """
    return json.dumps(_finite(data), ensure_ascii=False, default=str, allow_nan=False)


def _finite(data: Any) -> Any:
    if isinstance(data, float) and not math.isfinite(data):
        return str(data)
    if isinstance(data, dict):
        return {k: _finite(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [_finite(v) for v in data]
    return data
