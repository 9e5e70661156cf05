"""Knowledge tables for the parser: which names are functions, which are constants.

A table, not code: one line per name, easy to review and extend.

>>> FUNCTIONS["ln"] is sympy.log
True
"""

from __future__ import annotations

from collections.abc import Callable

import sympy

from . import real_root


def _relu(x: sympy.Expr) -> sympy.Expr:
    """relu(x) = max(0, x)."""
    return sympy.Max(0, x)


def _sigmoid(x: sympy.Expr) -> sympy.Expr:
    """The logistic function 1 / (1 + e^(-x))."""
    return 1 / (1 + sympy.exp(-x))


def _softplus(x: sympy.Expr) -> sympy.Expr:
    """softplus(x) = log(1 + e^x)."""
    return sympy.log(1 + sympy.exp(x))


def _log10(x: sympy.Expr) -> sympy.Expr:
    """The decimal logarithm log(x)/log(10)."""
    return sympy.log(x, 10)


def _log2(x: sympy.Expr) -> sympy.Expr:
    """The binary logarithm log(x)/log(2)."""
    return sympy.log(x, 2)


# name -> (callable building the SymPy node, allowed argument counts)
FUNCTIONS: dict[str, Callable[..., sympy.Expr]] = {
    "sin": sympy.sin, "cos": sympy.cos, "tan": sympy.tan,
    "cot": sympy.cot, "sec": sympy.sec, "csc": sympy.csc,
    "asin": sympy.asin, "acos": sympy.acos, "atan": sympy.atan,
    "arcsin": sympy.asin, "arccos": sympy.acos, "arctan": sympy.atan,
    "acot": sympy.acot, "asec": sympy.asec, "acsc": sympy.acsc, "atan2": sympy.atan2,
    "sinh": sympy.sinh, "cosh": sympy.cosh, "tanh": sympy.tanh,
    "coth": sympy.coth, "sech": sympy.sech, "csch": sympy.csch,
    "asinh": sympy.asinh, "acosh": sympy.acosh, "atanh": sympy.atanh,
    "arcsinh": sympy.asinh, "arccosh": sympy.acosh, "arctanh": sympy.atanh,
    "exp": sympy.exp, "log": sympy.log, "ln": sympy.log, "log10": _log10, "log2": _log2,
    "sqrt": sympy.sqrt, "cbrt": real_root.cbrt, "root": real_root.root,
    "abs": sympy.Abs, "Abs": sympy.Abs, "sign": sympy.sign,
    "max": sympy.Max, "Max": sympy.Max, "min": sympy.Min, "Min": sympy.Min,
    "floor": sympy.floor, "ceiling": sympy.ceiling, "ceil": sympy.ceiling,
    "Heaviside": sympy.Heaviside, "heaviside": sympy.Heaviside,
    "erf": sympy.erf, "erfc": sympy.erfc, "gamma": sympy.gamma,
    "loggamma": sympy.loggamma, "lgamma": sympy.loggamma, "digamma": sympy.digamma,
    "polygamma": sympy.polygamma, "DiracDelta": sympy.DiracDelta,
    "factorial": sympy.factorial, "binomial": sympy.binomial,
    "relu": _relu, "sigmoid": _sigmoid, "softplus": _softplus, "logistic": _sigmoid,
    "σ": _sigmoid,  # applied, σ(u) is the logistic sigmoid (as \sigma(u) in LaTeX); alone a name
}

# Functions whose integer arguments SymPy evaluates eagerly: big ones would hang.
EAGER_INTEGER_FUNCTIONS = frozenset({"factorial", "binomial", "gamma", "loggamma", "digamma",
                                     "polygamma"})

CONSTANTS: dict[str, sympy.Expr] = {
    "pi": sympy.pi, "E": sympy.E, "e": sympy.E, "I": sympy.I,
    "oo": sympy.oo, "inf": sympy.oo, "infinity": sympy.oo, "π": sympy.pi,
}

# Names that look like a function a user meant but that symnum does not compute: refused with
# this hint instead of becoming an undefined function that silently "works".
REFUSED_FUNCTIONS: dict[str, str] = {
    "Sum": "write a finite sum out (x1 + x2 + ...); symbolic sums are not supported",
    "sum": "sum(v) adds the entries of a vector or matrix declared with --shape; write a sum "
           "of scalars out (x1 + x2 + ...)",
    "Integral": "integrals are not supported: symnum differentiates",
    "integrate": "integrals are not supported: symnum differentiates",
    "Derivative": "write the expression itself; symnum takes its derivatives",
    "diff": "write the expression itself; symnum takes its derivatives",
    "Subs": "substitutions are not supported: write the expression with the value in it",
}
