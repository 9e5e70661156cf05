"""An implicit derivative as text, LaTeX and JSON, and its steps (each a true statement on the
curve): differentiate F(x, y(x)) = 0 by the chain rule, F_x + F_y·y′ = 0, solve for y′; each
higher order differentiates the last one again and substitutes y′.

>>> from symnum.higher.implicit import implicit_derivative
>>> print(implicit_text(implicit_derivative("x**2 + y**2 = 1", "y", order=2)))
curve: x² + y² = 1, with y = y(x) (F(x, y) = x² + y² − 1 = 0)
<BLANKLINE>
d²y/dx² = −(x² + y²)/y³
        = −1/y³  on the curve x² + y² = 1
>>> implicit_latex(implicit_derivative("x*y = 1", "y"))
'\\\\frac{dy}{dx} = - \\\\frac{y}{x}'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sympy

from ..core.calculus import partial
from ..core.render import expr_latex, expr_str
from ..steps.render import inline

if TYPE_CHECKING:
    from .implicit import ImplicitResult

_SUP = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_PRIMES = {1: "′", 2: "″", 3: "‴"}


@dataclass(frozen=True)
class Name:
    """How one derivative is written: long (dy/dx) and short (y′), in text and LaTeX."""

    text: str
    latex: str
    short: str
    short_latex: str


def name_of(result: ImplicitResult, k: int) -> Name:
    """The k-th derivative's names (``wrt[:k]``): d²y/dx² and y″, or ∂²z/∂w∂x and z_xw."""
    y, wrt = result.dependent.name, [v.name for v in result.wrt[:k]]
    ly = expr_latex(result.dependent)
    if not result.partial:
        x, lx = wrt[0], expr_latex(result.wrt[0])
        sup, lsup = ("", "") if k == 1 else (str(k).translate(_SUP), f"^{{{k}}}")
        short = y + _PRIMES[k] if k in _PRIMES else f"{y}⁽{str(k).translate(_SUP)}⁾"
        short_latex = ly + "'" * k if k <= 3 else f"{ly}^{{({k})}}"
        return Name(f"d{sup}{y}/d{x}{sup}", rf"\frac{{d{lsup}{ly}}}{{d{lx}{lsup}}}", short,
                    short_latex)
    runs: list[list[str]] = []
    for v in reversed(wrt):  # ∂²z/∂w∂x = ∂/∂w (∂z/∂x): the last variable first
        if runs and runs[-1][0] == v:
            runs[-1].append(v)
        else:
            runs.append([v])
    sup = "" if k == 1 else str(k).translate(_SUP)
    lsup = "" if k == 1 else f"^{{{k}}}"
    below = "".join(f"∂{r[0]}" + (str(len(r)).translate(_SUP) if len(r) > 1 else "")
                    for r in runs)
    lbelow = r" \, ".join(rf"\partial {_lx(r[0])}" + (f"^{{{len(r)}}}" if len(r) > 1 else "")
                          for r in runs)
    return Name(f"∂{sup}{y}/{below}", rf"\frac{{\partial{lsup} {ly}}}{{{lbelow}}}",
                f"{y}_{''.join(wrt)}", f"{ly}_{{{''.join(_lx(v) for v in wrt)}}}")


def _lx(name: str) -> str:
    return expr_latex(sympy.Symbol(name))


def implicit_text(result: ImplicitResult) -> str:
    """The curve, then the derivative (and its form on the curve), one line each."""
    name = name_of(result, result.order)
    lines = [_curve_line(result), ""]
    lines.append(f"{name.text} = {inline(result.general)}")
    if result.uses_curve:
        pad = " " * len(name.text)
        lines.append(f"{pad} = {inline(result.result)}  on the {result.set_name} "
                     f"{_equation(result)}")
    return "\n".join(lines)


def implicit_latex(result: ImplicitResult) -> str:
    """One equation; with the curve's form, an aligned pair that says where it holds."""
    name = name_of(result, result.order)
    general = expr_latex(result.general)
    if not result.uses_curve:
        return f"{name.latex} = {general}"
    lhs, rhs = result.curve.equation
    return (rf"\begin{{aligned}}{name.latex} &= {general} \\ &= {expr_latex(result.result)}"
            rf" && \text{{on the {result.set_name} }} {expr_latex(lhs)} = {expr_latex(rhs)}"
            r"\end{aligned}")


def implicit_json(result: ImplicitResult) -> dict[str, Any]:
    """The contract's keys (expr, wrt, what, order, shape, result, definitions, latex) and
    ``implicit``, ``curve`` (F = 0), ``general`` (before F = 0 is used), ``uses_curve``."""
    return {"expr": result.curve.shown if result.curve.written else expr_str(result.F),
            "wrt": wrt_names(result), "what": "derivative",
            "order": result.order, "shape": [], "result": expr_str(result.result),
            "definitions": [], "latex": implicit_latex(result),
            "implicit": result.dependent.name, "curve": f"{expr_str(result.F)} = 0",
            "general": expr_str(result.general), "uses_curve": result.uses_curve,
            "set_name": result.set_name,
            "name": name_of(result, result.order).text}


def wrt_names(result: ImplicitResult) -> list[str]:
    """["x"] for d²y/dx² (the order says how often), the sequence for a mixed partial."""
    names = [v.name for v in result.wrt]
    return names[:1] if len(set(names)) == 1 else names


def _equation(result: ImplicitResult) -> str:
    lhs, rhs = result.curve.equation
    return f"{inline(lhs)} = {inline(rhs)}"


def _curve_line(result: ImplicitResult) -> str:
    y = result.dependent.name
    args = ", ".join(v.name for v in result.others)
    F = f"F({args}, {y}) = {inline(result.F)} = 0"
    held = ""
    rest = [v.name for v in result.others if v not in result.wrt]
    if result.partial and rest:
        held = f"; {', '.join(rest)} held constant"
    shown = f"{_equation(result)}, with {y} = {y}({args})"
    word = result.set_name
    return f"{word}: {shown} ({F}{held})" if result.curve.written else \
        f"{word}: {inline(result.F)} = 0, with {y} = {y}({args}){held}"


@dataclass(frozen=True)
class ImplicitStep:
    """One true statement on the curve and why it holds."""

    text: str
    latex: str
    why: str


def implicit_steps(result: ImplicitResult) -> list[ImplicitStep]:
    """The derivation, step by step (first order, then each higher one)."""
    F, y = result.F, result.dependent
    x = result.wrt[0]
    first = dict(result.first)
    marks: dict[sympy.Symbol, Name] = {}
    placeholder: dict[sympy.Symbol, sympy.Symbol] = {}
    for k in range(1, result.order + 1):
        mark = sympy.Symbol(f"zzmark{k}")
        marks[mark] = name_of(result, k)
        placeholder.setdefault(result.wrt[k - 1], mark) if k == 1 else None
    for v in first:  # each first partial a short name (z_x, z_w), or y′
        if v not in placeholder:
            mark = sympy.Symbol(f"zzfirst{v.name}")
            marks[mark] = _first_name(result, v)
            placeholder[v] = mark
    one = name_of(result, 1)
    d = "∂" if result.partial else "d"
    ld = r"\partial" if result.partial else "d"
    Fx, Fy = partial(F, x), partial(F, y)
    names = ", ".join(v.name for v in result.others)
    held = [v.name for v in result.others if v != x]
    steps = [
        ImplicitStep(*_both(_curve_statement(result), marks),
                     f"the {result.set_name}; near a point where ∂F/∂{y} ≠ 0 it is the graph of a "
                     f"function {y}({names}) (implicit function theorem)"),
        ImplicitStep(f"{d}/{d}{x} [{inline(F)}] = F_{x} + F_{y}·{one.short} = 0",
                     rf"\frac{{{ld}}}{{{ld} {_lx(x.name)}}}\left[{expr_latex(F)}\right] = "
                     rf"F_{{{_lx(x.name)}}} + F_{{{_lx(y.name)}}} \, {one.short_latex} = 0",
                     f"differentiate F = 0 with respect to {x}; {y} depends on {x} (chain "
                     "rule)" + (f", {', '.join(held)} held constant" if result.partial
                                else "")),
        ImplicitStep(f"F_{x} = ∂/∂{x} [{inline(F)}] = {inline(Fx)}",
                     rf"F_{{{_lx(x.name)}}} = {expr_latex(Fx)}", f"{y} held constant"),
        ImplicitStep(f"F_{y} = ∂/∂{y} [{inline(F)}] = {inline(Fy)}",
                     rf"F_{{{_lx(y.name)}}} = {expr_latex(Fy)}",
                     f"{', '.join(v.name for v in result.others)} held constant"),
        ImplicitStep(*_both(sympy.Eq(Fx + Fy * placeholder[x], 0, evaluate=False), marks),
                     "substitute F_" + x.name + " and F_" + y.name),
        ImplicitStep(f"{one.short} = −F_{x}/F_{y} = {inline(first[x])}",
                     rf"{one.short_latex} = -\frac{{F_{{{_lx(x.name)}}}}}"
                     rf"{{F_{{{_lx(y.name)}}}}} = {expr_latex(first[x])}",
                     f"solve for {one.short} (where F_{y} ≠ 0)"),
    ]
    for v in first:
        if v != x:
            name = _first_name(result, v)
            steps.append(ImplicitStep(f"{name.short} = −F_{v}/F_{y} = {inline(first[v])}",
                                      rf"{name.short_latex} = {expr_latex(first[v])}",
                                      f"the same with respect to {v}"))
    for k in range(2, result.order + 1):
        steps += _higher(result, k, placeholder, marks)
    return steps


def _first_name(result: ImplicitResult, v: sympy.Symbol) -> Name:
    y = result.dependent
    return Name(f"∂{y}/∂{v}", rf"\frac{{\partial {_lx(y.name)}}}{{\partial {_lx(v.name)}}}",
                f"{y}_{v}", f"{_lx(y.name)}_{{{_lx(v.name)}}}")


def _higher(result: ImplicitResult, k: int, placeholder: dict, marks: dict
            ) -> list[ImplicitStep]:
    y, v = result.dependent, result.wrt[k - 1]
    before = result.on_curve[k - 2] if result.on_curve[k - 2] is not None else \
        result.forms[k - 2]
    name, last = name_of(result, k), name_of(result, k - 1)
    first = dict(result.first)
    gv, gy = partial(before, v), partial(before, y)
    args = ", ".join(o.name for o in result.others)
    chain = gv + gy * placeholder[v]
    d = "∂" if result.partial else "d"
    text = (f"{name.short} = {d}/{d}{v} [{last.short}] = ∂/∂{v} [{inline(before)}] + "
            f"∂/∂{y} [{inline(before)}]·{marks[placeholder[v]].short} = "
            + _both(chain, marks)[0])
    latex = (rf"{name.short_latex} = {_both(chain, marks)[1]}")
    steps = [ImplicitStep(text, latex, f"differentiate {last.short} = {inline(before)} with "
                                       f"respect to {v}, {y} = {y}({args}) (chain rule)"),
             ImplicitStep(f"{name.short} = {inline(result.forms[k - 1])}",
                          rf"{name.short_latex} = {expr_latex(result.forms[k - 1])}",
                          f"substitute {marks[placeholder[v]].short} = "
                          f"{inline(first[v])}")]
    if result.on_curve[k - 1] is not None:
        steps.append(ImplicitStep(f"{name.short} = {inline(result.on_curve[k - 1])}",
                                  rf"{name.short_latex} = {expr_latex(result.on_curve[k - 1])}",
                                  f"on the {result.set_name}: uses {_equation(result)}"))
    return steps


def _curve_statement(result: ImplicitResult) -> sympy.Basic:
    lhs, rhs = result.curve.equation
    return sympy.Eq(lhs, rhs, evaluate=False)


def _both(statement: sympy.Basic, marks: dict[sympy.Symbol, Name]) -> tuple[str, str]:
    """``statement`` (an expression or Eq) in text and LaTeX, each mark by its short name."""
    if isinstance(statement, sympy.Equality):
        left, right = (_both(s, marks) for s in statement.args)
        return f"{left[0]} = {right[0]}", f"{left[1]} = {right[1]}"
    text, latex = inline(statement), expr_latex(statement)
    for mark, name in marks.items():
        text = re.sub(rf"\b{mark.name}\b", name.short, text)
        latex = latex.replace(expr_latex(mark), name.short_latex)
    return text, latex


def steps_text(steps: list[ImplicitStep], result: ImplicitResult) -> str:
    """Numbered lines, each with its reason below it."""
    y = result.dependent
    head = (f"steps (each line is a true statement on the {result.set_name}; {y} stands for "
            f"{y}({', '.join(v.name for v in result.others)}))")
    body = [f"[{k}] {s.text}\n      {s.why}" for k, s in enumerate(steps, 1)]
    return head + "\n\n" + "\n".join(body)


def steps_latex(steps: list[ImplicitStep]) -> str:
    """An align* of the steps, each with its reason."""
    rows = [rf"&[{k}]\ {s.latex} && \text{{{_tex_text(s.why)}}}" for k, s in enumerate(steps, 1)]
    return "\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}"


def steps_json(steps: list[ImplicitStep]) -> list[dict[str, str]]:
    return [{"text": s.text, "latex": s.latex, "why": s.why} for s in steps]


_TEX_TEXT = str.maketrans({"∂": r"$\partial$", "≠": r"$\neq$", "…": r"\ldots{}",
                           "_": r"\_", "′": "'", "″": "''", "‴": "'''", "−": "-",
                           "·": r"$\cdot$", "{": r"\{", "}": r"\}"})
_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")


def _tex_text(text: str) -> str:
    text = re.sub("[⁰¹²³⁴⁵⁶⁷⁸⁹]+", lambda m: "^{" + m.group(0).translate(_DIGITS) + "}",
                  text.translate(_TEX_TEXT))
    return re.sub(r"(\^\{\d+\})", r"$\1$", text)
