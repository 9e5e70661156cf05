"""Mixed partial derivatives: f differentiated along a sequence of variables, in that order.

``wrt=["x", "y", "y"]`` differentiates by x first, then by y, then by y again: the
subscript notation f_xyy reads left to right, Leibniz's ∂³f/∂y²∂x right to left (the
variable next to f is taken first). For f with continuous partials every order gives the
same result (Schwarz's theorem); symnum takes the order given and says so.

>>> from symnum.core.function import Function
>>> r = mixed_partial(Function("x**2*y**3*sin(z)", wrt="x,y"), ["x", "y", "y"])
>>> r.expr, r.wrt_names, r.heading()
(12*x*y*sin(z), ['x', 'y', 'y'], '∂³f/∂y²∂x = f_xyy (by x, then y, then y)')
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import sympy
from sympy.core.function import AppliedUndef

from ..core.calculus import MAX_ORDER, Result, partial, readable, tidy_result
from ..core.errors import SymnumError
from ..core.function import Function, WrtLike
from ..core.parse import split_names
from ..core.render import expr_latex, expr_text

_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def listed_names(wrt: WrtLike) -> list[str]:
    """The names ``wrt`` lists, in order, repeats kept (none for None or a symbol).

    >>> listed_names("x, y y"), listed_names(None)
    (['x', 'y', 'y'], [])
    """
    if isinstance(wrt, str):
        return split_names(wrt)
    if isinstance(wrt, list | tuple):
        return [w.name if isinstance(w, sympy.Symbol) else str(w) for w in wrt]
    return []


def repeated_names(wrt: WrtLike) -> list[str] | None:
    """The names of ``wrt`` when one is listed more than once (a mixed partial), else None.

    >>> repeated_names("x,y,y"), repeated_names(["x", "y"])
    (['x', 'y', 'y'], None)
    """
    names = listed_names(wrt)
    return names if len(set(names)) < len(names) else None


@dataclass(frozen=True)
class MixedPartial(Result):
    """∂ⁿf/∂(sequence): ``function.variables`` are the distinct variables in order of first
    use, ``sequence`` the differentiations in the order taken (``order`` = its length)."""

    sequence: tuple[sympy.Symbol, ...] = ()

    @property
    def wrt_names(self) -> list[str]:
        return [v.name for v in self.sequence]

    @property
    def shown_names(self) -> list[str]:
        """The names as the formula prints them (α for alpha, x₁ for x1)."""
        return [shown(v) for v in self.sequence]

    @property
    def noun(self) -> str:
        """What it is, in words (kernels, verify and check say it)."""
        return f"mixed partial {self.leibniz()}"

    def entry_name(self, index: tuple[int, ...]) -> str:
        return self.leibniz() + (f" of output {index[0] + 1}" if self.function.is_vector
                                 else "")

    def entry_orders(self) -> list[tuple[int, tuple[int, ...]]]:
        """Per output: how often each variable is differentiated (for verification)."""
        counts = tuple(self.sequence.count(v) for v in self.variables)
        return [(m, counts) for m in range(len(self.function.outputs))]

    def to_json(self) -> dict[str, object]:
        """The JSON contract (expr, wrt, what, order, shape, result, definitions, latex)."""
        from ..core.render import result_json
        return result_json(self)

    def leibniz(self) -> str:
        """∂³f/∂y²∂x: the denominator right to left (the last differentiation first)."""
        runs = [(v, len(list(g))) for v, g in itertools.groupby(reversed(self.sequence))]
        return f"∂{_sup(self.order)}{_letter(self)}/" + "".join(f"∂{shown(v)}{_sup(c)}"
                                                                for v, c in runs)

    def subscript(self) -> str:
        """f_xyy (one-letter names) or f_(x1,y,y): left to right, the order taken."""
        names = self.shown_names
        return f"{_letter(self)}_" + ("".join(names) if all(len(n) == 1 for n in names)
                                      else "(" + ",".join(names) + ")")

    def heading(self) -> str:
        return f"{self.leibniz()} = {self.subscript()} (by {', then '.join(self.shown_names)})"

    def operator_latex(self, f: str) -> str:
        runs = [(v, len(list(g))) for v, g in itertools.groupby(reversed(self.sequence))]
        below = " ".join(rf"\partial {expr_latex(v)}" + ("" if c == 1 else f"^{{{c}}}")
                         for v, c in runs)
        op = rf"\frac{{\partial^{{{self.order}}}}}{{{below}}}"
        return op + (f" {f}" if self.function.is_vector else rf" \left({f}\right)")

    def footnote(self) -> str:
        return (f"order of differentiation: {', then '.join(self.shown_names)} (as --wrt lists "
                f"them; Leibniz's {self.leibniz()} reads right to left, {self.subscript()} "
                "left to right; for f with continuous partials any order gives the same)")

    def json_extra(self) -> dict[str, object]:
        return {"order_of_differentiation": self.wrt_names}


def _letter(result: Result) -> str:
    """F where the user's formula has an unknown function f of its own (as the text calls
    the function then), else f."""
    unknown = result.function.expr.atoms(AppliedUndef)
    return "F" if any(u.func.__name__ == "f" for u in unknown) else "f"


def shown(v: sympy.Symbol) -> str:
    """A variable as the formula prints it (α for alpha), its name where that takes lines.

    >>> shown(sympy.Symbol("alpha")), shown(sympy.Symbol("x1"))
    ('α', 'x₁')
    """
    text = expr_text(v)
    return text if "\n" not in text else v.name


def _sup(k: int) -> str:
    return "" if k == 1 else str(k).translate(_SUPERSCRIPT)


def mixed_partial(f: Function, names: Sequence[str]) -> Result:
    """f (whose variables are the distinct ``names``, in order of first use) differentiated
    along ``names`` in order; one name repeated is an ordinary derivative of that order."""
    if not 1 <= len(names) <= MAX_ORDER:
        raise SymnumError(f"a mixed partial takes 1 to {MAX_ORDER} differentiations, got "
                          f"{len(names)}")
    distinct = list(dict.fromkeys(names))
    by_name = dict(zip(distinct, f.variables, strict=True))
    sequence = tuple(by_name[n] for n in names)
    if len(distinct) == 1:
        from ..core.calculus import derivative
        return derivative(f, len(names))
    entries = []
    for output in f.outputs:
        for v in sequence:
            output = partial(output, v)
        entries.append(output)
    result = tidy_result("derivative", f, sympy.ImmutableMatrix(entries), len(names),
                         cls=MixedPartial)
    return dataclasses.replace(result, sequence=sequence)


def mixed_steps(result: MixedPartial) -> object:
    """A :class:`symnum.steps.Derivation` with one stage per differentiation, each a true
    step from the previous stage's (readable) result."""
    from ..steps.build import _Rooting

    f = result.function
    rooted = _Rooting(getattr(f, "notation", ())).tree
    letter = _letter(result)
    trees, labels, latex_labels = [], [], []
    for m, (out, final) in enumerate(zip(f.outputs, result.expanded(), strict=True)):
        current, taken = out, []
        for k, v in enumerate(result.sequence, 1):
            target = final if k == result.order else readable(partial(current, v))
            trees.append(rooted(current, v, target))
            before = letter if not taken else f"{letter}_" + "".join(shown(t) for t in taken)
            before_latex = letter if not taken else \
                f"{letter}_{{{' '.join(expr_latex(t) for t in taken)}}}"
            output = f" (output {m + 1})" if f.is_vector else ""
            labels.append(f"stage {k}: ∂/∂{shown(v)} of {before}{output}")
            latex_labels.append(rf"\text{{stage {k}: }}\frac{{\partial}}{{\partial "
                                rf"{expr_latex(v)}}} \text{{ of }} {before_latex}"
                                + (rf"\text{{{output}}}" if output else ""))
            taken.append(v)
            current = target
    return _stages(result, tuple(trees), tuple(labels), tuple(latex_labels))


def _stages(result: MixedPartial, trees: tuple, labels: tuple[str, ...],
            latex_labels: tuple[str, ...]) -> object:
    """The Derivation, its LaTeX labels in math (a name like x_1 cannot sit in text)."""
    from ..steps.build import Derivation
    from ..steps.render import tree_latex_lines

    @dataclass(frozen=True)
    class Stages(Derivation):
        latex_labels: tuple[str, ...] = ()

        def latex(self) -> str:
            rows: list[str] = []
            for label, tree in zip(self.latex_labels, self.trees, strict=True):
                rows += [f"&{label}", *tree_latex_lines(tree, self.partial)]
            return "\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}"

    return Stages(result, trees, labels, latex_labels=latex_labels)
