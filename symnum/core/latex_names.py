r"""Functions in LaTeX, generated from the function registry: the commands the LaTeX reader
takes, and the LaTeX symnum writes for each function.

A record's ``latex`` is what symnum writes: a command (``\arcsin``, ``\Gamma``,
``\operatorname{erf}``) followed by the arguments, or a template naming the record's
parameters (``\lfloor u \rfloor``, ``e^{u}``, ``\psi^{(n)}`` followed by u). Its ``latex_in``
are more spellings the reader takes (``\sin^{-1}``, ``\ln\Gamma``). From both:

- ``commands``: ``\sin`` → sin, applied to what follows (``\sin x``, ``\sin(x)``);
- ``applied``: a Greek letter that names a function only when a bracket follows
  (``\Gamma(x)`` is Γ(x); ``\Gamma`` alone a variable's name);
- ``sequences``: several tokens for one name (``\log\Gamma``, ``\tanh^{-1}``);
- ``words``: the names ``\operatorname{...}`` and ``\mathrm{...}`` take (every plain name
  too, so ``\operatorname{softplus}`` reads);
- ``delimiters``: brackets that apply a function (``\lfloor x \rfloor``);
- ``orders``: a letter whose superscript in brackets is the first argument (``\psi^{(2)}``).

>>> t = tables()
>>> t.commands[r"\arcsin"], t.applied[r"\Gamma"], t.sequences[(r"\log", r"\Gamma")]
('asin', 'gamma', 'loggamma')
>>> t.delimiters[r"\lfloor"], t.orders[r"\psi"], t.words["H"]
(('floor', '\\rfloor'), 'polygamma', 'Heaviside')
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import sympy

from . import registry
from .registry import Record

_TOKEN = re.compile(r"\\[A-Za-z]+|\\.|\d+|\S")
_DROPPED = {r"\left", r"\right", r"\,", r"\;", r"\!", r"\ "}
_WORD = re.compile(r"\\(?:operatorname|mathrm|mathop)\{(\\?\w+)\}")  # \mathop{\delta} too
# \\alpha → α: the Greek letters the reader takes (applied, some name a function)
GREEK = {name: chr(code) for name, code in (
    ("alpha", 0x3B1), ("beta", 0x3B2), ("gamma", 0x3B3), ("delta", 0x3B4), ("epsilon", 0x3B5),
    ("varepsilon", 0x3B5), ("zeta", 0x3B6), ("eta", 0x3B7), ("theta", 0x3B8),
    ("vartheta", 0x3B8), ("iota", 0x3B9), ("kappa", 0x3BA), ("lambda", 0x3BB), ("mu", 0x3BC),
    ("nu", 0x3BD), ("xi", 0x3BE), ("rho", 0x3C1), ("sigma", 0x3C3), ("tau", 0x3C4),
    ("upsilon", 0x3C5), ("phi", 0x3C6), ("varphi", 0x3C6), ("chi", 0x3C7), ("psi", 0x3C8),
    ("omega", 0x3C9), ("Gamma", 0x393), ("Delta", 0x394), ("Theta", 0x398),
    ("Lambda", 0x39B), ("Xi", 0x39E), ("Sigma", 0x3A3), ("Phi", 0x3A6), ("Psi", 0x3A8),
    ("Omega", 0x3A9))}
_GREEK_COMMANDS = frozenset("\\" + name for name in GREEK)


def greek_name(command: str) -> str:
    """The variable a Greek letter's command names: its own word, as typed in plain text
    and as SymPy writes it back (``alpha`` ↔ ``\\alpha``); λ for ``lambda``, a Python
    keyword.

    >>> greek_name("alpha"), greek_name("lambda")
    ('alpha', 'λ')
    """
    return GREEK[command] if command == "lambda" else command


def split(latex: str) -> list[str]:
    r"""A record's LaTeX as tokens, without ``\left``, ``\right`` and spacing.

    >>> split(r"\lfloor u \rfloor"), split(r"\operatorname{erf}")
    (['\\lfloor', 'u', '\\rfloor'], ['\\operatorname{erf}'])
    """
    words = [(m.start(), m.end()) for m in _WORD.finditer(latex)]
    out: list[str] = []
    i = 0
    for start, end in [*words, (len(latex), len(latex))]:
        out += [t for t in _TOKEN.findall(latex[i:start]) if t not in _DROPPED]
        if start < end:
            out.append(latex[start:end])
        i = end
    return out


def placeholders(record: Record, tokens: Sequence[str]) -> list[str]:
    """The record's parameters that its LaTeX names (the rest follow in brackets)."""
    return [p for p in record.params if p in tokens]


@dataclass(frozen=True)
class LatexTables:
    """What the LaTeX reader takes for functions (see the module docstring)."""

    commands: dict[str, str]
    applied: dict[str, str]
    sequences: dict[tuple[str, ...], str]
    words: dict[str, str]
    delimiters: dict[str, tuple[str, str]]
    orders: dict[str, str]


_cache: dict[int, LatexTables] = {}


def tables() -> LatexTables:
    """The reader's tables for the records registered now (built once per registry state)."""
    key = registry.generation()
    if key not in _cache:
        _cache.clear()
        _cache[key] = _build(registry.records())
    return _cache[key]


def _build(records: Sequence[Record]) -> LatexTables:
    t = LatexTables({}, {}, {}, {}, {}, {})
    for record in records:
        if not record.parsed:
            continue
        for name in record.names:
            t.words.setdefault(name.lower(), record.name)
        for spelling in (record.latex, *record.latex_in):
            _add(t, record, split(spelling))
    return t


def _add(t: LatexTables, record: Record, tokens: list[str]) -> None:
    if not tokens:
        return
    name = record.name
    used = placeholders(record, tokens)
    if len(tokens) == 3 and used == [tokens[1]] and tokens[0] != tokens[2] and \
            tokens[0].startswith("\\"):
        t.delimiters.setdefault(tokens[0], (name, tokens[2]))  # \lfloor u \rfloor
    elif len(tokens) == 7 and tokens[1:5] == ["^", "{", "("] + used[:1] and \
            used == [record.params[0]] and tokens[5:] == [")", "}"]:
        t.orders.setdefault(tokens[0], name)  # \psi^{(n)} u
    elif used:
        return  # other templates (e^{u}, u!, \binom{n}{k}) are the reader's own syntax
    elif len(tokens) > 1:
        t.sequences.setdefault(tuple(tokens), name)
    elif (word := _WORD.fullmatch(tokens[0])) is not None:
        t.words[word.group(1)] = name  # exact case first: \operatorname{H}
        t.words.setdefault(word.group(1).lower(), name)
    elif tokens[0] in _GREEK_COMMANDS:
        t.applied.setdefault(tokens[0], name)
    elif tokens[0].startswith("\\") and len(tokens[0]) > 2:
        t.commands.setdefault(tokens[0], name)


def written(record: Record, args: Sequence[str], power: str | None = None,
            function: bool = True) -> str:
    r"""The LaTeX symnum writes for ``record`` applied to ``args`` (LaTeX texts), raised to
    ``power``; ``function=False`` for an argument that needs no brackets around it.

    >>> from symnum.core.registry import BY_NAME
    >>> written(BY_NAME["asin"], ["x"], "2"), written(BY_NAME["gamma"], ["x"], "2")
    ('\\arcsin^{2}{\\left(x \\right)}', '\\Gamma^{2}\\left(x\\right)')
    >>> written(BY_NAME["polygamma"], ["2", "x"]), written(BY_NAME["floor"], ["x"])
    ('\\psi^{(2)}\\left(x\\right)', '\\lfloor x \\rfloor')
    >>> written(BY_NAME["root"], ["x", "5"]), written(BY_NAME["sqrt"], ["x"])
    ('\\sqrt[5]{x}', '\\sqrt{x}')
    """
    text = record.latex
    tokens = split(text)
    named = placeholders(record, tokens)
    for param in named:
        value = args[record.params.index(param)]
        text = re.sub(rf"(?<![\\A-Za-z]){param}(?![A-Za-z])", lambda _, v=value: v, text,
                      count=1)
    rest = [a for p, a in zip(record.params, args, strict=False) if p not in named]
    rest += list(args[len(record.params):])
    if not rest:
        return text if power is None else rf"\left({text}\right)^{{{power}}}"
    if tokens[0] == r"\sqrt":  # √u, ∛u, ⁿ√u: the argument in the root's braces
        text += f"{{{', '.join(rest)}}}"
        return text if power is None else rf"\left({text}\right)^{{{power}}}"
    if named:  # ψ⁽²⁾(x): the template, then the argument
        text += rf"\left({', '.join(rest)}\right)"
        return text if power is None else rf"\left({text}\right)^{{{power}}}"
    if tokens[-1] in _GREEK_COMMANDS:  # Γ(x), Γ²(x) as SymPy writes Γ
        raised = "" if power is None else f"^{{{power}}}"
        return rf"{text}{raised}\left({', '.join(rest)}\right)"
    raised = "" if power is None else f"^{{{power}}}"
    return rf"{text}{raised}{{\left({','.join(rest)} \right)}}"  # as SymPy writes \sin


def writes_as(record: Record, latex: str) -> bool:
    r"""Does ``latex`` (SymPy's printing) already write the record's spelling: its commands
    and brackets in order, the arguments aside? Then symnum keeps SymPy's layout.

    >>> from symnum.core.registry import BY_NAME
    >>> writes_as(BY_NAME["floor"], r"\left\lfloor{x}\right\rfloor")
    True
    >>> writes_as(BY_NAME["asin"], r"\operatorname{asin}{\left(x \right)}")
    False
    """
    tokens = split(record.latex)
    fixed = [t for t in tokens if t not in placeholders(record, tokens)]
    found = iter(split(latex))
    return all(any(t == f for f in found) for t in fixed)


def function_latex(printer: Any, expr: Any, default: Callable[..., str], **kwargs: Any) -> str:
    """A LaTeX printer's text for ``expr``: a registered function as its record writes it
    (SymPy's own layout where it already does), anything else by ``default``."""
    record = registry.BY_CLASS.get(type(expr)) if isinstance(expr, sympy.Function) else None
    if record is None or not record.latex:
        return default(expr, **kwargs)
    power = kwargs.get("exp")
    text = default(expr, **kwargs)
    head = text  # the record's spelling outside the arguments (δ(δ(x)) holds one inside)
    for a in sorted({printer._print(a) for a in expr.args}, key=len, reverse=True):
        head = head.replace(a, " ")
    if writes_as(record, head):
        return text
    args = list(expr.args)
    while len(args) > record.arity[0] and len(args) > 1 and _is_default(record, args):
        args.pop()  # Heaviside(x, 1/2) is H(x)
    return written(record, [printer._print(a) for a in args], power)


def _is_default(record: Record, args: list) -> bool:
    k = len(args) - 1 - record.arity[0]
    if not 0 <= k < len(record.defaults):
        return False
    value = args[-1]
    return bool(value.is_number and sympy.sympify(record.defaults[k]) - value == 0)


_BRACKETS = frozenset({"|", r"\lvert", r"\vert", r"\lfloor", r"\lceil", r"\binom", r"\sqrt"})


def latex_command(record: Record) -> str | None:
    r"""The record's LaTeX as one command written before its argument (for notation that
    applies a function to each entry of a matrix): its ``latex`` when that is a command, else
    the first such ``latex_in``; None when it has none (|u|).

    >>> from symnum.core.registry import BY_NAME
    >>> latex_command(BY_NAME["exp"]), latex_command(BY_NAME["sigmoid"]), latex_command(
    ...     BY_NAME["abs"])
    ('\\exp', '\\sigma', None)
    """
    for spelling in (record.latex, *record.latex_in):
        tokens = split(spelling)
        if len(tokens) == 1 and tokens[0] not in _BRACKETS and not placeholders(record, tokens) \
                and (_WORD.fullmatch(tokens[0]) or re.fullmatch(r"\\[A-Za-z]{2,}", tokens[0])):
            return tokens[0]
    return None
