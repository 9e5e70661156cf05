"""LaTeX for derivatives of unknown functions, read into the plain syntax of
:mod:`symnum.core.unknown_parse`: ``f'(x)``, ``f^{\\prime}(x)``, ``f''(x)``,
``\\frac{d}{dx} f(x)``, ``\\frac{d^2 f}{dx^2}``, ``\\frac{\\partial f}{\\partial x}``,
``\\frac{\\partial^2 f}{\\partial x \\partial y}(x, y)``, ``\\partial_{1} f(x^2, y)``; also
SymPy's ``f{\\left(x \\right)}``. Called by the reader in :mod:`symnum.core.latex_input`.

>>> from symnum.core.latex_input import to_plain
>>> to_plain(r"x f'(x) + f^{\\prime\\prime}(x)")
'x*fʹ(x)+fʹʹ(x)'
>>> to_plain(r"\\frac{\\partial^{2} f}{\\partial x \\partial y}{\\left(x,y \\right)}")
'fʹ_xʹ_y(x, y)'
>>> to_plain(r"\\frac{d}{dx} f(x) + \\frac{df}{dx}")
'Derivative(f(x), x)+Derivative(f, x)'
"""

from __future__ import annotations

import re
from typing import Any

from .errors import ParseError
from .latex_names import GREEK, greek_name
from .unknowns import PRIME

_FUNCTION_LETTERS = ("f", "g", "h")  # applied without primes: a function (else a product)
_PRIMES = {"'": 1, "\\prime": 1}


def applied(reader: Any, name: str) -> str | None:
    """f(x), f{(x)}, f'(x), f^{\\prime\\prime}(x) and f' alone after the letter ``name``;
    None (nothing read) when none of these follows."""
    start, primes = reader.i, _primes(reader)
    if primes == 0 and name not in _FUNCTION_LETTERS:
        reader.i = start
        return None
    args = _call_arguments(reader)
    if args is None:
        return name + PRIME * primes if primes else _undo(reader, start)
    return name + PRIME * primes + args


def _undo(reader: Any, start: int) -> None:
    reader.i = start
    return None


def _primes(reader: Any) -> int:
    """f', f'', f^{\\prime}, f^\\prime, f^{\\prime\\prime}, f^{(4)}: how many primes."""
    count = 0
    while reader.peek() == "'":
        reader.take()
        count += 1
    if reader.tokens[reader.i:reader.i + 3] == ["^", "{", "("] and \
            reader.tokens[reader.i + 3:reader.i + 4] != [] and reader.peek(3).isdigit() and \
            reader.tokens[reader.i + 4:reader.i + 6] == [")", "}"] and reader.peek(6) in ("(", "{"):
        count += int(reader.peek(3))  # f^{(4)}(x): the order in brackets
        reader.i += 6
    elif reader.peek() == "^" and reader.peek(1) == "\\prime":
        reader.i += 2
        count += 1
    elif reader.peek() == "^" and reader.peek(1) == "{" and reader.peek(2) in _PRIMES:
        j = reader.i + 2
        while reader.tokens[j:j + 1] and reader.tokens[j] in _PRIMES:
            count += _PRIMES[reader.tokens[j]]
            j += 1
        if reader.tokens[j:j + 1] != ["}"]:
            raise ParseError("LaTeX: f^{\\prime ...} holds only primes")
        reader.i = j + 1
    return count


def _call_arguments(reader: Any) -> str | None:
    """(a, b) or SymPy's {(a, b)} after a function name, else None."""
    if reader.peek() in ("(", "["):
        return reader._arguments()
    if reader.peek() == "{" and reader.peek(1) == "(" and reader._braced_call():
        reader.take("{")
        args = reader._arguments()
        reader.take("}")
        return args
    return None


def fraction(reader: Any) -> str:
    """\\frac{d}{dx} u, \\frac{d^n f}{dx^n}, \\frac{\\partial^2 f}{\\partial x \\partial y}
    (the ``\\frac`` already read)."""
    reader.take("{")
    mark = reader.take()
    order = _exponent(reader)
    name = ""
    if reader.peek() != "}":
        name = reader.take()
        if not re.fullmatch(r"[^\W\d_]", name):
            raise ParseError(f"LaTeX: \\frac{{{mark} ...}}: the unknown function is one "
                             f"letter, like \\frac{{{mark} f}}{{{mark} x}}")
    reader.take("}")
    reader.take("{")
    variables: list[str] = []
    while reader.peek() != "}":
        if reader.take() != mark:
            raise ParseError(f"LaTeX: write the denominator as {mark} x {mark} y")
        variable = _variable(reader)
        variables += [variable] * _exponent(reader)
    reader.take("}")
    if len(variables) != order or not variables:
        raise ParseError(f"LaTeX: the derivative's order on top is {order}, the variables "
                         f"below make {len(variables)}")
    listed = ", ".join(variables)
    if not name:  # an operator: d/dx applied to what follows
        return f"Derivative({reader.power()}, {listed})"
    args = _call_arguments(reader)
    if mark == "d" and args is not None:  # df/dx(a): f′ at a
        return name + PRIME * order + args
    if args is not None:  # ∂f/∂x(x, y): f in its slot that is x
        return name + "".join(f"{PRIME}_{v}" for v in variables) + args
    return f"Derivative({name}, {listed})"


def partial(reader: Any) -> str:
    """\\partial_{1} f(x^2, y), \\partial_1 \\partial_2 f(...): derivatives by slot
    (the ``\\partial`` already read)."""
    slots = [_slot(reader)]
    while reader.peek() == "\\partial":
        reader.take()
        slots.append(_slot(reader))
    name = reader.take()
    args = _call_arguments(reader)
    if not re.fullmatch(r"[^\W\d_]", name) or args is None:
        raise ParseError("LaTeX: \\partial_{1} f(x, y) differentiates f in its first "
                         "argument; write the function and its arguments after it")
    return name + "".join(PRIME + s for s in slots) + args


def _slot(reader: Any) -> str:
    if reader.take() != "_":
        raise ParseError("LaTeX: \\partial alone is read in \\frac{\\partial f}{\\partial x}"
                         " or \\partial_{1} f(x, y)")
    slot = "".join(reader._braced_tokens()) if reader.peek() == "{" else reader.take()
    if not slot.isdigit():
        raise ParseError("LaTeX: \\partial_{k} f(...) numbers f's argument (1, 2, ...)")
    return slot


def _exponent(reader: Any) -> int:
    if reader.peek() != "^":
        return 1
    reader.take()
    text = reader.group()
    if not text.isdigit() or not 1 <= int(text) <= 10:
        raise ParseError("LaTeX: a derivative's order is a whole number from 1 to 10")
    return int(text)


def _variable(reader: Any) -> str:
    token = reader.take()
    if token.startswith("\\") and token[1:] in GREEK:
        return greek_name(token[1:]) + reader._subscript()
    if re.fullmatch(r"[^\W\d_]", token):
        return token + reader._subscript()
    if token in ("\\mathit", "\\mathrm"):
        return "".join(reader._braced_tokens()).replace("\\_", "_")
    raise ParseError(f"LaTeX: differentiate by a variable, not {token!r}")
