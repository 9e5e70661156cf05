"""Verification of matrix-notation results: by components at concrete sizes.

A matrix result is expanded to components at sizes where every dimension differs (so a
transposed layout cannot pass), and the component problem goes to the scalar verifier
(:func:`symnum.verification.verify.verify_result`) on the ORIGINAL expression's components.

>>> import symnum
>>> f = symnum.Function("x.T*A*x", wrt="x", shapes={"x": "n", "A": "n,n"})
>>> verify_matrix_result(f.differentiate(), points=1).verdict
'pass'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sympy

from ..core.display import bundle, escape, paragraph, verdict_html
from ..core.errors import SymnumError, VariableError
from ..core.function import Function
from ..matrix.result import MatrixResult, component_result, default_sizes, parse_sizes
from .verify import Report, verify_result


@dataclass(frozen=True)
class MatrixReport:
    """Verification of a matrix result: one component :class:`~symnum.verification.verify.Report`
    per size assignment; ``bool(report)`` is the verdict (every size passes)."""

    result: MatrixResult
    runs: tuple[tuple[dict, Report], ...]

    @property
    def verdict(self) -> str:
        """``fail`` if a size fails, ``pass`` if every size passes, else ``inconclusive``."""
        verdicts = [report.verdict for _, report in self.runs]
        if "fail" in verdicts:
            return "fail"
        return "pass" if verdicts and all(v == "pass" for v in verdicts) else "inconclusive"

    @property
    def passed(self) -> bool:
        return self.verdict == "pass"

    def __bool__(self) -> bool:
        return self.passed

    def text(self) -> str:
        """The same blocks as ``symnum verify`` prints for a matrix result."""
        blocks = [f"matrix result: {self.result.unicode()}",
                  "checked by components at sizes " + "; ".join(_sizes_text(s)
                                                               for s, _ in self.runs)]
        blocks += [f"--- sizes {_sizes_text(s)} ---\n" + r.text() for s, r in self.runs]
        blocks.append(_SUMMARIES[self.verdict])
        return "\n\n".join(blocks)

    def to_json(self) -> dict[str, Any]:
        return {"expr": str(self.result.function.source), "result": self.result.string(),
                "passed": self.passed, "verdict": self.verdict,
                "runs": [{"sizes": s, **r.to_json()} for s, r in self.runs]}

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, str]:
        """Jupyter's display: the verdict, then each size's report as HTML."""
        from .report import report_html
        parts = [verdict_html(self.verdict, _SUMMARIES[self.verdict]),
                 paragraph(f"matrix result: {self.result.string()}")]
        parts += [f"<h4>{escape('sizes ' + _sizes_text(s))}</h4>" + report_html(r)
                  for s, r in self.runs]
        return bundle(self.text(), {"text/html": "".join(parts)}, include, exclude)

    def __str__(self) -> str:
        return self.text()


_SUMMARIES = {"pass": "PASS: the matrix result agrees at every size",
              "fail": "FAIL: the matrix result disagrees with the components",
              "inconclusive": "INCONCLUSIVE: no size could be confirmed everywhere (see the "
                              "reasons above)"}


def _sizes_text(sizes: Mapping) -> str:
    return ", ".join(f"{k} = {v}" for k, v in sizes.items())


def verify_matrix_result(result: MatrixResult, points: int = 3, seed: int | None = 0,
                         sizes: list[Mapping] | None = None, at: Mapping | None = None,
                         **unknown: Any) -> MatrixReport:
    """:func:`verify_matrix` as one :class:`MatrixReport` (the public API's verify)."""
    if at is not None:
        raise VariableError("a matrix result is verified on random matrices: leave out at= "
                            "and give sizes (sizes=[{'n': 3}]) or a seed instead")
    if unknown:
        raise SymnumError(f"verify of a matrix result takes points, seed and sizes; not "
                          f"{', '.join(sorted(unknown))}")
    if sizes is not None:
        sizes = [_named_sizes(a, result.function) for a in sizes]
    return MatrixReport(result, tuple(verify_matrix(result, sizes, points, seed)))


def _named_sizes(given: Mapping, f: Function) -> dict[sympy.Symbol, int]:
    """{"n": 3} or {n: 3} → sizes keyed by the declared dimension symbols."""
    text = ",".join(f"{getattr(k, 'name', k)}={v}" for k, v in given.items())
    return parse_sizes(text, f)


def verify_matrix(result: MatrixResult, sizes: list[Mapping] | None = None, points: int = 3,
                  seed: int | None = 0) -> list[tuple[dict, Report]]:
    """Verify at each size assignment (default: two, with every dimension different)."""
    assignments = sizes or [default_sizes(result.function, 0), default_sizes(result.function, 1)]
    unique = []
    for a in assignments:
        if a not in unique:
            unique.append(a)
    return [({str(k): v for k, v in a.items()},
             verify_result(component_result(result, a), points=points, seed=seed))
            for a in unique]
