"""The core: text → :class:`Function` → exact derivatives (:class:`Result`), and their rendering.

Reading (``parse``, ``notation``, ``latex_input``, ``names``, ``guards``, ``shapes``,
``matrix_expr``, ``matrix_build``, ``real_root``), the user's object (``function``), the
calculus (``calculus``, ``derive``, ``fast``), values at points (``evaluate``, ``domain``),
output (``render``), errors and work budgets counted in SymPy objects built (``errors``,
``budget``). Imports nothing above it: :class:`Function`'s conveniences computed by other
layers (steps, kernels, verification, analysis, matrix notation) call the slots of ``hooks``,
which :mod:`symnum.api` fills.
"""

from .calculus import Result
from .derive import differentiate
from .errors import (
    EvaluationError,
    LimitError,
    ParseError,
    ShapeError,
    SymnumError,
    VariableError,
)
from .function import Function, as_function
from .latex_input import parse_latex
from .parse import parse

__all__ = ["Function", "Result", "as_function", "differentiate", "parse", "parse_latex",
           "SymnumError", "ParseError", "VariableError", "ShapeError", "EvaluationError",
           "LimitError"]
