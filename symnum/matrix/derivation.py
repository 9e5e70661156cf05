"""A matrix result's derivation: the differential tree (:mod:`symnum.matrix.steps`) and,
for a network, its backward pass (:mod:`symnum.matrix.backprop`), rendered together.

>>> import symnum
>>> f = symnum.Function("x.T*A*x", wrt="x", shapes={"x": "n", "A": "n,n"})
>>> print(f.steps().text().splitlines()[0])
[1] ∂/∂x [xᵀAx] = (A + Aᵀ)x
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..core.display import bundle, math_block
from ..steps.rules import Step
from .backprop import backprop_json, backprop_latex_rows, backprop_markdown, backprop_text
from .identify import matrix_steps
from .network import BackwardPass, backward_pass
from .result import MatrixResult
from .steps import latex_rows, steps_json, steps_markdown, steps_text

DIFFERENTIALS_HEADING = "by differentials"


@dataclass(frozen=True)
class MatrixDerivation:
    """The differential derivation of a matrix result (and the backward pass of a network),
    with the renderings of :class:`symnum.steps.Derivation` (text, latex, markdown,
    to_json)."""

    result: MatrixResult
    root: Step
    network: BackwardPass | None = None

    @property
    def trees(self) -> tuple[Step, ...]:
        return (self.root,)

    def text(self) -> str:
        if self.network is None:
            return steps_text(self.root)
        return (backprop_text(self.network) + f"\n\n{DIFFERENTIALS_HEADING}\n\n"
                + steps_text(self.root))

    def latex(self) -> str:
        rows = latex_rows(self.root)
        if self.network is not None:
            rows = [*backprop_latex_rows(self.network),
                    rf"&\text{{{DIFFERENTIALS_HEADING}}}", *rows]
        return "\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}"

    def markdown(self) -> str:
        """Markdown for notebooks: a nested list of differentials, then the result."""
        shown = math_block(self.result.latex())
        text = steps_markdown(self.root)
        if self.network is not None:
            text = (backprop_markdown(self.network) + f"\n\n**{DIFFERENTIALS_HEADING}**\n\n"
                    + text)
        return text + ("" if shown is None else f"\n\n**Result**\n\n{shown}")

    def to_json(self) -> list[dict[str, Any]]:
        """The differential tree; for a network the backward pass first (each labelled)."""
        tree = steps_json(self.root)
        if self.network is None:
            return [tree]
        return [backprop_json(self.network), {**tree, "label": DIFFERENTIALS_HEADING}]

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, str]:
        """Jupyter's display: the Markdown derivation (and the text for terminals)."""
        return bundle(self.text(), {"text/markdown": self.markdown()}, include, exclude)

    def __str__(self) -> str:
        return self.text()


def matrix_derivation(result: MatrixResult) -> MatrixDerivation:
    """:func:`matrix_steps` and, for a network, :func:`backward_pass`, together."""
    return MatrixDerivation(result, matrix_steps(result), backward_pass(result))
