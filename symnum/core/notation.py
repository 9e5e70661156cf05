"""Textbook notation → the Python-like syntax the parser reads: x², √x, 2x, −, ·, ×, π.

A small lexer, not regular expressions over the whole text, so that a rewrite never reaches
inside a name or a number. What it does, and nothing more:

- ``−`` (minus sign) is ``-``; ``·``, ``⋅``, ``×`` are ``*``; ``÷`` is ``/``; ``⊙`` is the
  Hadamard product; bold ``𝟏`` and ``𝐈`` are a ones vector and the identity sized by their
  context (``ones()``, ``eye()``).
- superscripts are powers: ``x²`` is ``x**(2)``, ``x⁻¹`` is ``x**(-1)``, ``eˣ`` is ``e**(x)``
  (``xᵀ`` is the transpose ``x.T``);
  after a function name they power its value, as textbooks write: ``sin²(x)`` is ``sin(x)**2``.
- ``√``, ``∛``, ``∜`` take the operand after them: ``√x``, ``√(x + 1)``, ``∛8``.
- implicit products where nothing else is meant: ``2x``, ``3x^2``, ``2(x + 1)``, ``2πx``,
  ``(x + 1)(x − 1)``, ``2√x``. Juxtaposed names stay one name (``xy`` is the variable xy), and
  a name before ``(`` is a call (``f(x)``); names apart by a space are a product (``y σ(u)``),
  and so is what follows a transpose (``xᵀAx``, ``Xᵀ(Xw − y)``).
- Python's number prefixes (``0x1F``) are refused: they would read as something else.

>>> to_python("3x² + 2(x − 1)·y")
'3*x**(2) + 2*(x - 1)*y'
>>> to_python("sin²(x) + √(1 − x²)")
'sin(x)**(2) + sqrt(1 - x**(2))'
"""

from __future__ import annotations

import json
import keyword
import re
from dataclasses import dataclass

from .errors import ParseError
from .names import FUNCTIONS

# One character → its ASCII spelling (knowledge in a table).
SYMBOLS = {"−": "-", "–": "-", "·": "*", "⋅": "*", "∙": "*", "×": "*", "÷": "/", "∗": "*",
           "≤": "<=", "≥": ">=", "≠": "!=", "⊙": "%"}
# bold 𝟏 and 𝐈 of matrix notation: a ones vector and the identity, sized by their context
UNSIZED = {"𝟏": "ones", "𝐈": "eye"}
SUPERSCRIPTS = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱˣʸᵏᵀ", "0123456789+-=()nixykT", strict=True))
ROOTS = {"√": "sqrt", "∛": "cbrt", "∜": "root4"}
KEYWORD_HINTS = {
    "lambda": "'lambda' is a Python keyword: write lam or λ",
    "def": "'def' is not allowed: write the expression itself",
    "import": "'import' is not allowed: write a mathematical expression",
}

# ASCII digits only: to \d, 𝟏 (U+1D7CF) is a digit, and 2𝟏ᵀx lexed as the number 2𝟏
_NUMBER = re.compile(r"\d[\d_]*(\.\d*)?([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?", re.ASCII)
_NAME = re.compile(r"[^\W\d{0}](?:(?![{0}])\w)*".format("".join(SUPERSCRIPTS)))
_PLAIN = re.compile(r"[\d)]\s*[A-Za-z_(]|\b({})\b".format("|".join(KEYWORD_HINTS)))
_PREFIXED = re.compile(r"0[xXbBoO][0-9a-fA-F_]")


@dataclass
class _Token:
    kind: str  # number, name, op, open, close, sup, root, space
    text: str


def to_python(text: str) -> str:
    """Rewrite textbook notation in ``text`` (see the module docstring); plain syntax is
    returned unchanged."""
    if text.isascii() and not _PLAIN.search(text):
        return text  # nothing to rewrite: the common case costs one scan
    return "".join(t.text for t in _rewrite(_lex(text)))


def _lex(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if _PREFIXED.match(text, i) and (i == 0 or not (text[i - 1].isalnum() or
                                                        text[i - 1] in "._")):
            raise ParseError(f"write numbers in decimal (not {text[i:i + 2]}...) at column {i + 1}")
        if ch in UNSIZED:
            tokens += [_Token("name", UNSIZED[ch]), _Token("open", "("), _Token("close", ")")]
            i += 1
        elif (number := _NUMBER.match(text, i)) and (i == 0 or not _is_name_char(text[i - 1])):
            tokens.append(_Token("number", number.group()))
            i = number.end()
        elif name := _NAME.match(text, i):
            word = name.group()
            if word.startswith("π") and len(word) > 1:  # 2πx, πr²: π is never part of a name
                word = "π"
            if word in KEYWORD_HINTS:
                raise ParseError(KEYWORD_HINTS[word])
            tokens.append(_Token("name", word))
            i += len(word)
        elif ch in SUPERSCRIPTS:
            j = i
            while j < len(text) and text[j] in SUPERSCRIPTS:
                j += 1
            tokens.append(_Token("sup", "".join(SUPERSCRIPTS[c] for c in text[i:j])))
            i = j
        elif ch in ROOTS:
            tokens.append(_Token("root", ROOTS[ch]))
            i += 1
        elif ch.isspace():
            tokens.append(_Token("space", ch))
            i += 1
        else:
            ch = SYMBOLS.get(ch, ch)
            kind = "open" if ch in "([" else "close" if ch in ")]" else "op"
            tokens.append(_Token(kind, ch))
            i += 1
    return tokens


def _is_name_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _rewrite(tokens: list[_Token]) -> list[_Token]:
    """Roots, powers of function values, entrywise powers, superscripts and implicit products,
    in that order."""
    tokens = _roots(tokens)
    tokens = _hadamard_powers(_function_powers(tokens))
    out: list[_Token] = []
    after_transpose = False
    for token in tokens:
        if token.kind == "sup" and token.text in ("T", "-T"):  # xᵀ, X⁻ᵀ: the transpose
            out += [_Token("op", "."), _Token("name", "T")]
            if token.text == "-T":
                out += [_Token("op", "**"), _Token("open", "("), _Token("number", "-1"),
                        _Token("close", ")")]
            after_transpose = True
            continue
        if token.kind == "sup":
            out += [_Token("op", "**"), _Token("open", "("), _Token("number", token.text),
                    _Token("close", ")")]
            continue
        previous = next((t for t in reversed(out) if t.kind != "space"), None)
        spaced = bool(out) and out[-1].kind == "space"
        if previous is not None and previous.text == "π" and token.kind == "name":
            out.append(_Token("op", "*"))  # πx
        elif after_transpose and token.kind in ("name", "open", "root") \
                and token.text != "[":
            out.append(_Token("op", "*"))  # xᵀAx, Xᵀ(Xw − y)
        elif previous is not None and (_implicit_product(previous, token, out) or (
                spaced and _juxtaposed_names(previous, token))):
            out.append(_Token("op", "*"))
        if token.kind != "space":
            after_transpose = False
        out.append(token)
    return out


def _juxtaposed_names(left: _Token, right: _Token) -> bool:
    """``y σ(u)``, ``x xᵀ``: two names apart by a space are a product (never Python)."""
    return left.kind == "name" and right.kind in ("name", "root") \
        and not keyword.iskeyword(left.text) and not keyword.iskeyword(right.text)


def _implicit_product(left: _Token, right: _Token, before: list[_Token]) -> bool:
    """Is ``left right`` a product written without a sign (2x, 2(x+1), (a)(b), 2√x)?"""
    if right.kind not in ("name", "open", "number", "root") or right.text == "[":
        return False
    if left.kind == "number":
        return right.kind != "number"
    if left.kind == "close" and left.text == ")":
        return not (right.kind == "number" and before[-1].kind == "space")
    return False


def _roots(tokens: list[_Token]) -> list[_Token]:
    """√x → sqrt(x), √(x + 1) → sqrt(x + 1), ∜x → root(x, 4)."""
    out: list[_Token] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.kind != "root":
            out.append(token)
            i += 1
            continue
        end = _operand_end(tokens, i + 1)
        if end is None:
            raise ParseError(f"{ {v: k for k, v in ROOTS.items()}[token.text]} needs something "
                             "to take the root of")
        inner = _roots(tokens[i + 1:end])
        if inner and inner[0].text == "(" and _matching(inner, 0) == len(inner) - 1:
            inner = inner[1:-1]
        name, extra = ("root", [_Token("op", ","), _Token("number", " 4")]) \
            if token.text == "root4" else (token.text, [])
        out += [_Token("name", name), _Token("open", "("), *inner, *extra, _Token("close", ")")]
        i = end
    return out


def _operand_end(tokens: list[_Token], i: int) -> int | None:
    """End (exclusive) of the operand starting at ``i``: a number, a name with its call, or
    a bracketed group."""
    if i >= len(tokens):
        return None
    token = tokens[i]
    if token.kind == "number":
        return i + 1
    if token.kind == "name":
        if i + 1 < len(tokens) and tokens[i + 1].text == "(":
            return _matching(tokens, i + 1) + 1
        return i + 1
    if token.kind == "open":
        return _matching(tokens, i) + 1
    if token.kind == "root":
        return _operand_end(tokens, i + 1)
    return None


def _matching(tokens: list[_Token], i: int) -> int:
    depth = 0
    for j in range(i, len(tokens)):
        depth += tokens[j].kind == "open"
        depth -= tokens[j].kind == "close"
        if depth == 0:
            return j
    raise ParseError("a bracket is not closed")


def _function_powers(tokens: list[_Token]) -> list[_Token]:
    """sin²(x) → sin(x)², as textbooks write the power of a function's value."""
    out: list[_Token] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.kind == "name" and token.text in FUNCTIONS and i + 2 < len(tokens) \
                and tokens[i + 1].kind == "sup" and tokens[i + 2].text == "(":
            end = _matching(tokens, i + 2)
            out += [token, *_function_powers(tokens[i + 2:end + 1]), tokens[i + 1]]
            i = end + 1
            continue
        out.append(token)
        i += 1
    return out


def _hadamard_powers(tokens: list[_Token]) -> list[_Token]:
    """x^⊙(−1), sqrt(x)^⊙(k) → HadamardPower(x, -1): the entrywise power as symnum prints it
    (⊙ is lexed as %)."""
    out: list[_Token] = []
    i = 0
    while i < len(tokens):
        j = i + 1 + (i + 1 < len(tokens) and tokens[i + 1].kind == "space")
        end = _operand_end(tokens, j + 1) if tokens[i].text == "^" and j < len(tokens) \
            and tokens[j].text == "%" else None
        start = _operand_start(out)
        if end is None or start is None:
            out.append(tokens[i])
            i += 1
            continue
        base, out = out[start:], out[:start]
        out += [_Token("name", "HadamardPower"), _Token("open", "("), *base,
                _Token("op", ","), *_hadamard_powers(tokens[j + 1:end]), _Token("close", ")")]
        i = end
    return out


def _operand_start(tokens: list[_Token]) -> int | None:
    """Start of the operand that ends ``tokens``: a number, a name, a call or a group."""
    if not tokens or tokens[-1].kind in ("number", "name"):
        return len(tokens) - 1 if tokens else None
    if tokens[-1].kind != "close":
        return None
    depth = 0
    for k in range(len(tokens) - 1, -1, -1):
        depth += (tokens[k].kind == "close") - (tokens[k].kind == "open")
        if depth == 0:
            return k - 1 if k > 0 and tokens[k - 1].kind == "name" else k
    return None


def unquoted(text: str) -> str:
    """JSON's quoted strings (derive's "result" pasted as it prints, ``["2*x*y", "x**2"]``)
    are the expressions they hold; any other text is left as it is.

    >>> unquoted('[["2*y", "2*x"], ["2*x", "0"]]'), unquoted('"x**2"'), unquoted("x")
    ('[[(2*y), (2*x)], [(2*x), (0)]]', '(x**2)', 'x')
    """
    stripped = text.strip()
    if not stripped.startswith(('"', "[")) or '"' not in stripped:
        return text
    try:
        data = json.loads(stripped)
    except ValueError:
        return text

    def unquote(item: object) -> str | None:
        if isinstance(item, str):
            return f"({item})" if item.strip() else None
        if isinstance(item, list) and item:
            inner = [unquote(e) for e in item]
            return None if None in inner else "[" + ", ".join(inner) + "]"  # type: ignore
        return None

    return unquote(data) or text
