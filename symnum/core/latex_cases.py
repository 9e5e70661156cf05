r"""LaTeX environments and indicators for :mod:`symnum.core.latex_input`: cases and
indicators → plain Piecewise syntax, matrices (``bmatrix``, ``pmatrix``) → lists.

``\begin{cases} x & x > 0 \\ a(e^x - 1) & \text{otherwise} \end{cases}`` becomes a
``Piecewise(...)`` call and ``\mathbb{1}_{x > 0}`` is ``Piecewise((1, x > 0), (0, True))``.
Conditions are comparisons (chains too) joined by ``,``, ``\text{and}`` or ``\land``;
``\text{otherwise}`` or ``\text{else}`` is the last piece. The plain text is then read by the
one parser, which checks the pieces.

>>> from symnum.core.latex_input import to_plain
>>> to_plain(r"\begin{cases} -1 & x < -1 \\ x & \text{otherwise} \end{cases}")
'Piecewise(((-1), (x < -1)), ((x), True))'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import ParseError

if TYPE_CHECKING:
    from .latex_input import _Reader as Reader


def cases(reader: Reader) -> str:
    """\\begin{cases} a & x > 0 \\\\ b & \\text{otherwise} \\end{cases} → Piecewise(...)."""
    pieces = []
    while True:
        value = reader.expression()
        if reader.peek() != "&":
            raise ParseError("LaTeX: each line of cases is 'value & condition', like "
                             "x & x > 0 \\\\ 0 & \\text{otherwise}")
        reader.take("&")
        pieces.append(f"(({value}), {_condition(reader)})")
        token = reader.take()
        if token == "\\\\" and reader.peek() != "\\end":
            continue
        if token == "\\\\":
            token = reader.take()
        if token != "\\end":
            raise ParseError(f"LaTeX: unexpected {token!r} in cases")
        if "".join(reader._braced_tokens()) != "cases":
            raise ParseError("LaTeX: \\begin{cases} must end with \\end{cases}")
        return "Piecewise(" + ", ".join(pieces) + ")"


def indicator(reader: Reader) -> str:
    """\\mathbb{1}_{x > 0}, \\mathbb{1}[x > 0], \\mathbb{1}\\{x > 0\\}: 1 where it holds, else 0."""
    opening = reader.take()
    closing = {"_": None, "[": "]", "(": ")", "\\{": "\\}"}.get(opening, "")
    if closing == "":
        raise ParseError("LaTeX: write an indicator as \\mathbb{1}_{x > 0} or \\mathbb{1}[x > 0]")
    if closing is None:
        reader.take("{")
        closing = "}"
    cond = _condition(reader, (closing,))
    reader.take(closing)
    return f"Piecewise((1, {cond}), (0, True))"


MATRIX_ENVIRONMENTS = {"bmatrix", "pmatrix", "matrix", "Bmatrix", "vmatrix"}


def matrix(reader: Reader) -> str:
    """\\begin{bmatrix} a & b \\\\ c & d \\end{bmatrix} → [[a, b], [c, d]]; a row or a
    column is a list."""
    environment = "".join(reader._braced_tokens())
    if environment not in MATRIX_ENVIRONMENTS:
        raise ParseError(f"LaTeX: the environment {environment!r} is not allowed "
                         "(only matrices, like bmatrix and pmatrix, and cases)")
    rows, row = [], [reader.expression()]
    while True:
        token = reader.take()
        if token == "&":
            row.append(reader.expression())
        elif token == "\\\\":
            rows.append(row)
            row = [reader.expression()] if reader.peek() != "\\end" else []
        elif token == "\\end":
            if row:
                rows.append(row)
            reader._braced_tokens()
            break
        else:
            raise ParseError(f"LaTeX: unexpected {token!r} in a matrix")
    if len(rows) == 1 or all(len(r) == 1 for r in rows):
        return "[" + ", ".join(e for r in rows for e in r) + "]"
    return "[" + ", ".join("[" + ", ".join(r) + "]" for r in rows) + "]"


_RELATIONS = {"<": "<", ">": ">", "\\leq": "<=", "\\le": "<=", "\\leqslant": "<=",
              "\\geq": ">=", "\\ge": ">=", "\\geqslant": ">=", "≤": "<=", "≥": ">="}
_WORDS_TRUE = {"otherwise", "else", "elsewhere", "true"}
_WORDS_SKIP = {"if", "for", "when", "where", ""}
_WORDS_AND = {"and", "\\land", "\\wedge", ","}


def _condition(reader: Reader, stop: tuple[str, ...] = ()) -> str:
    """A condition in cases: comparisons (chains too) joined by 'and', or 'otherwise'."""
    ends = ("\\\\", "\\end", *stop)
    parts: list[str] = []
    while reader.peek() is not None and reader.peek() not in ends:
        token = reader.peek()
        if token in ("\\text", "\\textrm", "\\mathrm", "\\textnormal"):
            reader.take()
            word = "".join(reader._braced_tokens()).strip().lower()
            if word in _WORDS_TRUE:
                parts.append("True")
            elif word in _WORDS_AND or word in _WORDS_SKIP:
                continue
            else:
                raise ParseError(f"LaTeX: cannot read the condition word {word!r} (write "
                                 "comparisons like x > 0, or \\text{otherwise})")
        elif token in _WORDS_AND:
            reader.take()
        else:
            chain = [reader.expression(stop=tuple(_RELATIONS) + ends + ("\\land", "\\wedge"))]
            while reader.peek() in _RELATIONS:
                chain.append(_RELATIONS[reader.take()])
                chain.append(reader.expression(stop=tuple(_RELATIONS) + ends +
                                               ("\\land", "\\wedge")))
            if len(chain) == 1:
                raise ParseError(f"LaTeX: the condition {chain[0]!r} is not a comparison "
                                 "(write one like x > 0, or \\text{otherwise})")
            parts.append("(" + " ".join(chain) + ")")
    if not parts:
        raise ParseError("LaTeX: a case needs a condition, like x > 0 or \\text{otherwise}")
    return parts[0] if len(parts) == 1 else "And(" + ", ".join(parts) + ")"
