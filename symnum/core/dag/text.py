"""Plain text straight into the graph, for the big inputs where SymPy's parse is the cost.

Reads numbers (integers and decimals, exact), names, + − * / ^ ** with Python's precedence,
brackets, and the functions of :data:`~symnum.core.dag.ops.BY_NAME` (and ``sqrt``) applied
to one argument. Anything else (other functions, constants like pi, implicit products, a
power with a symbolic or huge exponent, deep nesting, …) returns None and the caller reads
the text with :func:`symnum.core.parse.parse`, which also gives every error message: this
reader never refuses anything itself. A name reads as the variable of that name exactly when
``parse`` would read it so (checked against the parser's own tables). Text that SymPy's own
evaluation would fold where the graph does not (x − x, x/x, a name that cancels out:
:func:`folds`) returns None too, so a division by x − x is the parser's error.

A 161-parameter network's loss (68 kB) reads in about 0.05 s here, against 3 s in SymPy.

>>> from symnum.core.dag.functions import ensure
>>> from symnum.core.dag.graph import Graph
>>> ensure()
>>> g = Graph()
>>> node, names = read(g, "-x^2 + 0.5*tanh(w1*x)/2")
>>> g.text(node), sorted(names)
('(-1*(x)**2 + 1/4*tanh(x*w1))', ['w1', 'x'])
>>> read(Graph(), "2x + pi") is None  # implicit product, a constant: SymPy's route
True
"""

from __future__ import annotations

import keyword
import re
from fractions import Fraction

from .graph import Graph
from .ops import ADD, BY_NAME, CONST, MUL, POW, VAR

_TOKEN = re.compile(r"[ \t]*(?:(\d+\.?\d*|\.\d+)|([A-Za-z][A-Za-z0-9_]*)|(\*\*|[-+*/^(),]))")
_ENDS = " \t\n"  # what the parser also accepts around the text (other spaces it refuses)
MAX_DEPTH = 90  # brackets and signs nested (the parser's own limit is 100)
MAX_EXPONENT = 100  # a larger constant exponent goes through the parser's size checks
MAX_DIGITS = 30  # longer numbers go through the parser's checks


class _Fallback(Exception):
    """Not for this reader: SymPy's parser reads the text."""


def read(g: Graph, text: str) -> tuple[int, dict[str, int]] | None:
    """(the node of ``text``, {name: variable node}), or None when the parser must read it.
    Functions are those of the table :func:`symnum.core.dag.functions.ensure` fills."""
    tokens = _tokens(text)
    if tokens is None:
        return None
    reader = _Reader(g, tokens)
    try:
        node = reader.sum(0)
        if reader.i != len(tokens):
            return None
    except (_Fallback, IndexError, ZeroDivisionError):
        return None
    if _folded(g, node, reader.names):
        return None
    return node, reader.names


def _tokens(text: str) -> list[tuple[int, str]] | None:
    """(kind, text) pairs: kind 1 number, 2 name, 3 operator; None for any other character."""
    out: list[tuple[int, str]] = []
    text = text.strip(_ENDS)
    position, end = 0, len(text)
    for m in _TOKEN.finditer(text):
        if m.start() != position:
            return None
        position = m.end()
        kind = m.lastindex
        if kind is None:
            return None
        out.append((kind, m.group(kind)))
        if position >= end:
            break
    if position < end:
        return None
    return out


def _is_variable(name: str) -> bool:
    """Whether :func:`symnum.core.parse.parse` reads ``name`` alone as a variable."""
    from ..names import CONSTANTS, FUNCTIONS, REFUSED_FUNCTIONS
    from ..unknown_parse import CALLS
    return not (name in CONSTANTS or name in FUNCTIONS or name in REFUSED_FUNCTIONS
                or name in CALLS or keyword.iskeyword(name) or "__" in name)


class _Reader:
    """Recursive descent with Python's precedence: sum > term > unary sign > power > atom."""

    def __init__(self, g: Graph, tokens: list[tuple[int, str]]) -> None:
        self.g, self.tokens, self.i = g, tokens, 0
        self.names: dict[str, int] = {}
        self.checked: dict[str, bool] = {}

    def peek(self) -> str | None:
        return self.tokens[self.i][1] if self.i < len(self.tokens) else None

    def sum(self, depth: int) -> int:
        if depth > MAX_DEPTH:
            raise _Fallback
        terms = [self.term(depth)]
        while (op := self.peek()) in ("+", "-"):
            self.i += 1
            t = self.term(depth)
            terms.append(t if op == "+" else self.g.neg(t))
        return terms[0] if len(terms) == 1 else self.g.sum(terms)

    def term(self, depth: int) -> int:
        node = self.signed(depth)
        while (op := self.peek()) in ("*", "/"):
            self.i += 1
            right = self.signed(depth)
            if op == "*":
                node = self.g.mul(node, right)
            else:
                if self.g.value(right) == 0:
                    raise _Fallback
                node = self.g.div(node, right)
        return node

    def signed(self, depth: int) -> int:
        if depth > MAX_DEPTH:  # - - - x, 2^2^2^x: as deep as brackets
            raise _Fallback
        op = self.peek()
        if op in ("-", "+"):
            self.i += 1
            inner = self.signed(depth + 1)
            return self.g.neg(inner) if op == "-" else inner
        return self.power(depth)

    def power(self, depth: int) -> int:
        base = self.atom(depth)
        if self.peek() not in ("**", "^"):
            return base
        self.i += 1
        exponent = self.signed(depth + 1)  # right-associative, and 2**-1 is allowed
        k = self.g.value(exponent)
        if k is None or abs(k) > MAX_EXPONENT or (k < 0 and self.g.value(base) == 0):
            raise _Fallback
        if k.denominator not in (1, 2) or (k.denominator == 2 and self.g.value(base) is not None):
            raise _Fallback  # roots of numbers: SymPy's exact radicals
        return self.g.pow(base, k)

    def atom(self, depth: int) -> int:
        kind, text = self.tokens[self.i]
        self.i += 1
        if kind == 1:
            if len(text) > MAX_DIGITS or (len(text) > 1 and text[0] == "0" and text[1] != "."):
                raise _Fallback  # long, or 007 (which Python, and so the parser, refuses)
            return self.g.const(Fraction(text))
        if kind == 2:
            if self.peek() == "(":
                return self.call(text, depth)
            return self.variable(text)
        if text != "(":
            raise _Fallback
        node = self.sum(depth + 1)
        if self.peek() != ")":
            raise _Fallback
        self.i += 1
        return node

    def call(self, name: str, depth: int) -> int:
        if name not in BY_NAME and name != "sqrt":
            raise _Fallback
        self.i += 1
        argument = self.sum(depth + 1)
        if self.peek() != ")":
            raise _Fallback  # no arguments, or more than one
        self.i += 1
        if self.g.value(argument) is not None:
            raise _Fallback  # tanh(0), sqrt(2): SymPy's exact values
        if name == "sqrt":
            return self.g.pow(argument, Fraction(1, 2))
        return self.g.apply(BY_NAME[name], argument)

    def variable(self, name: str) -> int:
        ok = self.checked.get(name)
        if ok is None:
            ok = self.checked[name] = _is_variable(name)
        if not ok:
            raise _Fallback
        node = self.names.get(name)
        if node is None:
            node = self.names[name] = self.g.var(name)
        return node



Number = Fraction | int
Canon = dict[tuple[tuple[int, Number], ...], Number]  # {((atom, exponent), ...): coefficient}


def _exact(q: Number) -> Number:
    """An int where the number is one (ints hash and multiply many times faster)."""
    return q.numerator if type(q) is Fraction and q.denominator == 1 else q


def _product(a: Number, b: Number) -> Number:
    """a·b, skipping Fraction arithmetic (a gcd of long decimals) when one is 1."""
    if type(a) is int and a == 1:
        return b
    if type(b) is int and b == 1:
        return a
    return _exact(a * b)


def folds(g: Graph, root: int, names: dict[str, int]) -> bool:
    """Whether SymPy's own evaluation would fold part of the text the graph keeps: a sum or
    product of several terms that is a number (x − x, x/x: a division by zero, a function's
    exact value) or a name that cancels out of the text (x·y/x has no variable x). Like terms
    are collected as SymPy collects them (numbers times sums distributed, powers of one base
    added); what it would fold beyond that the graph keeps, as before.

    >>> g = Graph()
    >>> found = _Reader(g, _tokens("y*(x - x + 1)"))
    >>> folds(g, found.sum(0), found.names), folds(g, g.mul(g.var("x"), g.var("y")), {})
    (True, False)

    It raises _Fallback where powers of one base add up to an integer one (sqrt(x)·sqrt(x)).
    """
    from .differentiate import cone
    ops, args, data = g.ops, g.args, g.data
    canon: dict[int, Canon] = {}
    atom_of: dict[int, int] = {}  # an atom's node -> the node whose canon holds its variables
    for n in cone(g, [root]):
        op = ops[n]
        if op == CONST:
            canon[n] = {(): _exact(data[n])}
            continue
        if op == VAR:
            canon[n] = {((n, 1),): 1}
            continue
        if op == ADD:
            c: Canon = {}
            for a in args[n]:
                for key, k in canon[a].items():
                    c[key] = c[key] + k if key in c else k
            c = {key: _exact(k) for key, k in c.items() if k != 0}
        elif op == MUL:
            a, b = args[n]
            ca, cb = canon[a], canon[b]
            if ops[a] == CONST and len(cb) > 1:  # 2·(x + y) = 2x + 2y
                scale = ca[()]
                c = {key: _product(k, scale) for key, k in cb.items()}
            else:
                c = _times(_factor(a, ca, atom_of), _factor(b, cb, atom_of))
                _exponentials(c, canon, atom_of, ops)
        elif op == POW:
            (a,) = args[n]
            k = _exact(data[n])
            ((key, coefficient),) = _factor(a, canon[a], atom_of).items()
            if type(k) is int:
                c = {tuple((b, _exact(e * k)) for b, e in key): _exact(Fraction(coefficient) ** k)}
            elif coefficient == 1 and len(key) == 1 and key[0][1] == 1:
                c = {((key[0][0], k),): 1}  # sqrt(x)·sqrt(x) = x
            else:
                atom_of[n] = a
                c = {((n, 1),): 1}
        else:
            atom_of[n] = args[n][0]
            c = {((n, 1),): 1}
        if not c or len(c) == 1 and () in c:
            return True  # a number in SymPy, not in the graph
        canon[n] = c
    return _names_left(canon, atom_of, root, ops) < len(names)


def _factor(n: int, c: Canon, atom_of: dict[int, int]) -> Canon:
    """``n`` as one monomial: itself when it is a sum of several terms."""
    if len(c) > 1:
        atom_of[n] = n
        return {((n, 1),): 1}
    return c


def _times(a: Canon, b: Canon) -> Canon:
    """The product of two monomials (a single entry each), exponents of a base added."""
    ((ka, ca),), ((kb, cb),) = a.items(), b.items()
    if not ka or not kb:
        return {ka or kb: _product(ca, cb)}
    exponents = dict(ka)
    for base, e in kb:
        if base in exponents:
            before = exponents[base]
            exponents[base] = after = _exact(before + e)
            if type(before) is Fraction and type(after) is int:
                raise _Fallback  # sqrt(x)·sqrt(x) is x in SymPy, also where x < 0
        else:
            exponents[base] = e
    return {tuple(sorted((b, e) for b, e in exponents.items() if e != 0)): _product(ca, cb)}


def _exponentials(c: Canon, canon: dict[int, Canon], atom_of: dict[int, int],
                  ops: list[int]) -> None:
    """Raise _Fallback where a product's exponentials' arguments cancel: SymPy then writes
    exp(a)·exp(b) as one exp, so exp(x)·exp(−x) is 1 (and x leaves the text)."""
    exp = BY_NAME.get("exp")
    ((key, _),) = c.items()
    found = [(atom, e) for atom, e in key if ops[atom] == exp]
    if len(found) < 2:
        return
    total: dict[tuple, Number] = {}
    for atom, e in found:
        for k, v in canon[atom_of[atom]].items():
            total[k] = total.get(k, 0) + v * e
    if any(v == 0 for k, v in total.items() if k) or all(not k for k in total):
        raise _Fallback  # a term cancels (exp(x)·exp(y)·exp(−y) is exp(x)), or a number


def _names_left(canon: dict[int, Canon], atom_of: dict[int, int], root: int,
                ops: list[int]) -> int:
    """How many variables SymPy's form of ``root`` still holds."""
    found: set[int] = set()
    seen: set[int] = set()
    stack = [root]
    while stack:
        n = stack.pop()
        for key in canon[n]:
            for atom, _ in key:
                if ops[atom] == VAR:
                    found.add(atom)
                elif atom not in seen:
                    seen.add(atom)
                    stack.append(atom_of[atom])
    return len(found)


def _folded(g: Graph, root: int, names: dict[str, int]) -> bool:
    try:
        return folds(g, root, names)
    except _Fallback:
        return True
