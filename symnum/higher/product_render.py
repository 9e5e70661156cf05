"""A product with a direction (:mod:`symnum.higher.products`) as text, LaTeX and JSON: the
direction named, the product's formula (H·v = ∇(∇f·v), J·v, uᵀJ), one component a line.

The text's components are one-line Unicode that the parser reads back, the LaTeX writes the
direction's components as v_{x}, u_{1}, and the JSON keeps the contract's keys with
``vector`` added (the direction's symbols or values).

>>> from symnum.higher.products import product
>>> print(product_text(product("x*y + y", "hvp")).splitlines()[-3:])
['direction v = (v_x, v_y)', 'Hessian-vector product H·v = ∇(∇f·v) =', '  [v_y, v_x]']
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sympy

from ..core.render import expr_latex, expr_str, expr_text, function_letter
from ..core.textbook import with_sigma

if TYPE_CHECKING:
    from .products import ProductResult

ONE_LINE = 100  # characters: a longer result prints one component a line

# (kind, scalar function?) -> the text's title and the LaTeX operator ({f}: the function,
# {v}: the direction's name)
TITLES = {
    ("hvp", True): "Hessian-vector product H·{v} = ∇(∇{f}·{v})",
    ("jvp", True): "directional derivative ∇{f}·{v} = d/dt {f}(x + t·{v}) at t = 0",
    ("jvp", False): "Jacobian-vector product J·{v} = d/dt {f}(x + t·{v}) at t = 0",
    ("vjp", True): "vector-Jacobian product {v}ᵀJ = {v}_1·∇{f}",
    ("vjp", False): "vector-Jacobian product {v}ᵀJ = ∇({v}ᵀ{f})",
}
OPERATORS = {  # (kind, scalar function?) -> the LaTeX left-hand side ({d}: ∂/∂(x, y))
    ("hvp", True): r"\nabla^{{2}} \left({f}\right) \, {v}",
    ("jvp", True): r"\nabla \left({f}\right) \cdot {v}",
    ("jvp", False): r"{d} {f} \, {v}",
    ("vjp", True): r"{v}_{{1}} \nabla \left({f}\right)",
    ("vjp", False): r"{v}^{{\top}} {d} {f}",
}


def _name(result: ProductResult) -> str:
    direction = result.direction
    assert direction is not None
    return direction.prefix or ("u" if result.kind == "vjp" else "v")


def direction_text(result: ProductResult) -> str:
    """``direction v = (v_x, v_y)`` (or the weights of a vjp)."""
    direction = result.direction
    assert direction is not None
    word = "weights" if result.kind == "vjp" else "direction"
    from ..steps.render import inline
    return f"{word} {_name(result)} = ({', '.join(inline(c) for c in direction.components)})"


def product_text(result: ProductResult, value: Any = None, point: dict | None = None) -> str:
    """The function, the direction, then the product (one line, or one component a line)."""
    from ..steps.render import inline
    names = ", ".join(v.name for v in result.variables)
    letter = function_letter(result.function.expr)  # F when the formula has an unknown f
    lines = [f"{letter}({names}) =", _indent(expr_text(with_sigma(result.function.expr)))]
    if result.function.parameters:
        lines.append("parameters (held constant): "
                     + ", ".join(p.name for p in result.function.parameters))
    title = TITLES[result.kind, not result.function.is_vector].format(v=_name(result), f=letter)
    entries = [inline(e) for e in result.matrix]
    lines += ["", direction_text(result), f"{title} ="]
    if result.shape == ():
        lines.append(f"  {entries[0]}")
    elif len(", ".join(entries)) + 4 <= ONE_LINE:
        lines.append("  [" + ", ".join(entries) + "]")
    else:
        lines += [f"  [{k}] {e}" for k, e in enumerate(entries, 1)]
    if result.definitions:
        lines += ["", "where"] + [f"  {n} = {inline(v)}" for n, v in result.definitions]
    if value is not None and point is not None:
        from ..core.render import _format_value
        at = ", ".join(f"{k} = {v}" for k, v in point.items())
        lines += ["", f"at {at}:", _indent(_format_value(value))]
    return "\n".join(lines)


def latex_of(result: ProductResult, expr: sympy.Basic) -> str:
    r"""LaTeX of ``expr`` with the direction's components written v_{x}, u_{1}.

    >>> from symnum.higher.products import product
    >>> r = product("x*y", "jvp")
    >>> latex_of(r, r.matrix[0])
    'v_{x} y + v_{y} x'
    """
    text = expr_latex(expr)
    direction = result.direction
    assert direction is not None
    for s in direction.symbols:
        prefix, _, rest = s.name.partition("_")
        if rest.isalnum():
            text = text.replace(r"\mathit{" + s.name.replace("_", r"\_") + "}",
                                f"{prefix}_{{{rest}}}")
    return text


def product_latex(result: ProductResult) -> str:
    r"""One equation: the operator applied to f along the direction = the column of
    components (with a "where" line naming the direction and the definitions)."""
    f = expr_latex(with_sigma(result.function.expr))
    v = _name(result)
    d = r"\frac{\partial}{\partial \left(" + ", ".join(expr_latex(x) for x in
                                                      result.variables) + r"\right)}"
    lhs = OPERATORS[result.kind, not result.function.is_vector].format(f=f, v=v, d=d)
    if result.shape == ():
        rhs = latex_of(result, result.matrix[0])
    else:
        rhs = r"\begin{bmatrix}" + r" \\ ".join(latex_of(result, e) for e in result.matrix) \
            + r"\end{bmatrix}"
    direction = result.direction
    assert direction is not None
    components = r" \\ ".join(latex_of(result, c) for c in direction.components)
    lines = [f"{lhs} &= {rhs}",
             rf"\text{{where}}\quad {v} &= \begin{{bmatrix}}{components}\end{{bmatrix}}"]
    lines += [f"{sympy.latex(n)} &= {latex_of(result, e)}" for n, e in result.definitions]
    return r"\begin{aligned}" + r" \\ ".join(lines) + r"\end{aligned}"


def product_json(result: ProductResult, value: Any = None) -> dict[str, Any]:
    """The contract's keys (``result``: the components in plain syntax) and ``vector``."""
    from ..core.render import _source
    direction = result.direction
    assert direction is not None
    data: dict[str, Any] = {
        "expr": _source(result),
        "wrt": [v.name for v in result.variables],
        "what": result.kind,
        "order": 1,
        "shape": list(result.shape),
        "result": result.nested([expr_str(e) for e in result.matrix]),
        "definitions": [[str(n), expr_str(e)] for n, e in result.definitions],
        "latex": product_latex(result),
        "vector": direction.texts(),
    }
    if value is not None:
        data["value"] = value
    return data


def _indent(block: str, pad: str = "  ") -> str:
    return "\n".join(pad + line for line in block.splitlines())
