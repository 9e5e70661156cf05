"""The one exception family symnum raises; the CLI maps every one to exit code 2.

>>> try:
...     raise ParseError("unexpected ')'")
... except SymnumError as err:
...     print(err)
unexpected ')'
"""

from __future__ import annotations


class SymnumError(Exception):
    """Base of every error symnum raises on purpose; its message is meant for a person.

    >>> issubclass(LimitError, SymnumError)
    True
    """


class ParseError(SymnumError):
    """The text is not an expression symnum accepts (syntax, whitelist or a limit).

    >>> from symnum.core.parse import parse
    >>> parse("__import__('os')")
    Traceback (most recent call last):
    symnum.core.errors.ParseError: ...
    """


class VariableError(SymnumError):
    """A variable name (``wrt``, ``at``, ``shape``) is invalid or does not fit the expression.

    >>> from symnum.core.function import Function
    >>> Function("x*y", wrt="x, x")
    Traceback (most recent call last):
    symnum.core.errors.VariableError: a variable is listed twice in x, x
    """


class ShapeError(SymnumError):
    """The requested derivative does not fit the function's shape (a gradient of a vector).

    >>> from symnum.core.function import Function
    >>> Function("[x, x*y]").hessian()
    Traceback (most recent call last):
    symnum.core.errors.ShapeError: ...
    """


class EvaluationError(SymnumError):
    """An expression cannot be turned into numbers (undefined function, unsupported node).

    >>> from symnum.core.function import Function
    >>> Function("f(x)").derivative().at({"x": 1})
    Traceback (most recent call last):
    symnum.core.errors.EvaluationError: ...
    """


class LimitError(SymnumError):
    """The input or its result would exceed a size limit (memory), not an error of the maths.

    >>> from symnum.core.function import Function
    >>> Function("*".join(f"(x{i} + 1)" for i in range(300))).differentiate("hessian")
    Traceback (most recent call last):
    symnum.core.errors.LimitError: the hessian would hold about 27,000,000 factors ...
    """
