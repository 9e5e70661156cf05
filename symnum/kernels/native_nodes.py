"""Reading symengine nodes the way :mod:`symnum.kernels.program` reads SymPy ones.

A large result is held in symengine (:mod:`symnum.core.fast`); building SymPy objects for it only
to compile a kernel took most of the time (137 s at 161 parameters). A program can instead
walk the symengine nodes: each is read as a SymPy *kind* (the key of the backend tables),
its children, and a detail (a power's exponent, a sum's term signs, a number's value).

>>> import symengine as se
>>> x, y = se.symbols("x y")
>>> read(se.exp(x))
Node(kind=exp, children=(x,), detail=None)
>>> node = read(x - y)  # a sum: its terms, each with "subtract it"
>>> sorted(zip(map(str, node.children), node.detail))
[('x', False), ('y', True)]
"""

from __future__ import annotations

from typing import Any, NamedTuple

import sympy


class NotNative(Exception):
    """A node this reader does not translate: the caller compiles the SymPy form instead."""


class Node(NamedTuple):
    kind: Any  # "symbol", "number", or the SymPy class whose backend entry computes it
    children: tuple
    detail: Any = None


# symengine class names whose SymPy class of the same name is the one to compute them with
_SAME_NAME = ("Mul", "sin", "cos", "tan", "cot", "sec", "csc", "asin", "acos", "atan", "acot",
              "asec", "acsc", "sinh", "cosh", "tanh", "coth", "sech", "csch", "asinh", "acosh",
              "atanh", "acoth", "log", "Abs", "sign", "floor", "ceiling", "Max", "Min", "erf",
              "erfc", "gamma", "loggamma", "atan2")
_KINDS = {name: getattr(sympy, name) for name in _SAME_NAME}


def read(node: Any) -> Node:
    """The :class:`Node` for a symengine expression, or :class:`NotNative`."""
    name = type(node).__name__
    if name == "Symbol":
        return Node("symbol", ())
    if not node.free_symbols:  # a number, or numbers combined (sqrt(2), pi/2)
        return Node("number", (), sympy.sympify(node))
    if name == "Pow":
        base, exponent = node.args
        if type(base).__name__ == "Exp1":
            return Node(sympy.exp, (exponent,))
        if exponent.is_Number:
            return Node(sympy.Pow, (base,), sympy.sympify(exponent))
        return Node(sympy.Pow, (base, exponent))
    if name == "Add":
        children, signs = [], []
        for term in node.args:
            inner = _negated(term)
            children.append(term if inner is None else inner)
            signs.append(inner is not None)
        return Node(sympy.Add, tuple(children), tuple(signs))
    kind = _KINDS.get(name)
    if kind is None:
        raise NotNative(name)
    return Node(kind, tuple(node.args))


def _negated(term: Any) -> Any:
    """t when term is −t (a product whose coefficient is −1), else None."""
    if type(term).__name__ != "Mul":
        return None
    args = term.args
    if type(args[0]).__name__ != "NegativeOne":
        return None
    import symengine as se
    return args[1] if len(args) == 2 else se.Mul(*args[1:])
