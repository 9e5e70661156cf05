"""Matrix calculus: derivatives in matrix notation (∇ xᵀAx = (A + Aᵀ)x) and their steps.

``result`` (:class:`MatrixResult`, sizes, components), ``calculus`` (the differential rules),
``forms`` (textbook rewrites that keep the value), ``printing`` (Unicode text and LaTeX),
``steps`` (the differential derivation).
"""

from .derivation import matrix_derivation
from .result import MatrixResult, matrix_differentiate

__all__ = ["MatrixResult", "matrix_differentiate", "matrix_derivation"]
