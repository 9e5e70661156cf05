"""The one exception family symnum raises; the CLI maps every one to exit code 2.

>>> try:
...     raise ParseError("unexpected ')'")
... except SymnumError as err:
...     print(err)
unexpected ')'
"""

from __future__ import annotations


class SymnumError(Exception):
    """Base of every error symnum raises on purpose; its message is meant for a person."""


class ParseError(SymnumError):
    """The text is not an expression symnum accepts (syntax, whitelist or a limit)."""


class VariableError(SymnumError):
    """A variable name (``wrt``, ``at``, ``shape``) is invalid or does not fit the expression."""


class ShapeError(SymnumError):
    """The requested derivative does not fit the function's shape (a gradient of a vector)."""


class EvaluationError(SymnumError):
    """An expression cannot be turned into numbers (undefined function, unsupported node)."""


class LimitError(SymnumError):
    """The input or its result would exceed a size limit (memory), not an error of the maths."""
