"""The function registry: one :class:`Record` per function symnum knows.

A record holds a function's names (plain, aliases, Unicode, LaTeX read and written), its
SymPy class or the builder of its notation, arity, domain and where it is not smooth, its
derivative (SymPy syntax) and the step's text and LaTeX, and how each target computes it
(numpy, torch, JAX, Python floats, C, mpmath) as source text with its helpers. The parser's
names, the live kernels' backend tables, the export and one-point dialects, and the lists of
non-smooth classes are all generated from these records, so adding a function is adding one
record to a table module (``elementary``, ``special``, ``nonsmooth``, ``activations``).

>>> from symnum.core.registry import BY_NAME
>>> r = BY_NAME["arcsin"]
>>> r.name, r.textbook, r.latex, r.derivative
('asin', 'arcsine', '\\\\arcsin', ('1/sqrt(1 - u**2)',))
>>> r.spell["numpy"].format(["t1"]), r.spell["c"].format(["t1"])
('np.arcsin(t1)', 'asin(t1)')
>>> import sympy
>>> r.partials(sympy.Symbol("x"))
(1/sqrt(1 - x**2),)
"""

from .lookup import (
    BY_CLASS,
    BY_NAME,
    CLASSES,
    RECORDS,
    added,
    eager_integer_names,
    generation,
    helpers,
    kinks,
    non_analytic,
    parser_functions,
    records,
    spelled,
)
from .record import TARGETS, Record, Spelling, Target, Unsupported, live_source, resolve

__all__ = ["RECORDS", "BY_NAME", "BY_CLASS", "CLASSES", "Record", "Spelling", "Unsupported",
           "Target", "TARGETS", "parser_functions", "eager_integer_names", "non_analytic",
           "kinks", "spelled", "helpers", "live_source", "resolve", "records", "generation",
           "added"]
