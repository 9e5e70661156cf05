"""Text still being typed: ``sin(``, ``x**``, ``exp(x)+`` or ``\\frac{1}{`` do not read yet,
but each becomes an expression when more is typed at its end. For the live preview that is
a normal state, *waiting*, not an error: :func:`completions` lists the ways to finish the text
(a box, :data:`HOLE`, where the rest will come, then the brackets left open), each with what
it waits for; the preview typesets the first that reads. Text that no completion reads
(``sin(x))``, ``foo(x)``) is a real error. Only the preview asks: the API's other answers
keep calling incomplete text a 400.

>>> [message for _, message in completions("sin(", "plain")][:2]
["waiting for ')'", "waiting for the rest of the formula, then ')'"]
>>> completions("sin(x))", "plain")
[]
"""

from __future__ import annotations

import re

HOLE = "zzsymnumhole"  # a name nobody types (sorting late, as a last term would); shown as a box
_GROUP, _GROUP2 = f"{{\\mathrm{{{HOLE}}}}}", f"{{\\mathrm{{{HOLE}b}}}}"  # two: ▢/▢ is not 1
_HOLES = {"plain": (f" {HOLE}", f"({HOLE})", "T"),  # x**▢, log(▢), x.T
          "latex": (f" \\mathrm{{{HOLE}}}", _GROUP, _GROUP + _GROUP2)}  # x^▢, \sqrt{▢}, \frac
_PLAIN_PAIRS = {"(": ")", "[": "]"}
_LATEX_TOKEN = re.compile(r"\\left\s*(\\\{|\\langle|[(\[|.])|\\right\s*(\\\}|\\rangle|[)\]|.])"
                          r"|\\[A-Za-z]+|\\.|[{}()\[\]]|[^\\{}()\[\]]+")
_LATEX_PAIRS = {"{": "}", "(": ")", "[": "]"}
_LATEX_CLOSING = {"\\{": "\\}", "\\langle": "\\rangle"}
_UNFINISHED_COMMAND = re.compile(r"\\[A-Za-z]+$")
_TRANSPOSE = re.compile(r"[^\W\d]\w*\.$")


def completions(text: str, syntax: str = "plain") -> list[tuple[str | None, str]]:
    """Ways to finish ``text`` typed so far, in order of preference: ``(completed text, what
    it waits for)``; the completed text is None where no formula can be shown yet (a LaTeX
    command half typed, like ``\\fra``). Empty where the text is wrong already (a bracket
    closed that was never opened, or the user's own text holds :data:`HOLE`).

    >>> completions("log(1+exp(-x", "plain")[0]
    ('log(1+exp(-x))', "waiting for '))'")
    >>> completions("\\\\frac{1}{", "latex")[1][0]
    '\\\\frac{1}{ \\\\mathrm{zzsymnumhole}}'
    """
    if HOLE in text or not text.strip():
        return []
    body = text.rstrip()
    if syntax == "latex":
        closers = _latex_closers(body)
        if closers is not None and re.search(r"\\right\s*$", body):  # \left( x \right
            return [(re.sub(r"\\right\s*$", "", body) + closers, _message(False, closers))]
    else:
        closers = _plain_closers(body)
    if closers is None:
        return []
    found: list[tuple[str | None, str]] = [(body + closers, _message(False, closers))] \
        if closers else []
    found += [(body + hole + closers, _message(True, closers))
              for hole in _HOLES["latex" if syntax == "latex" else "plain"]
              if not hole.startswith("(") or body[-1].isalnum()]  # log(▢), not w.T(▢)
    if syntax == "latex":  # \frac{1 → \frac{1}{▢}
        found += [(body + hole + closers + _GROUP2, _message(True, closers))
                  for hole in ("", *_HOLES["latex"][:1])]
    command = _UNFINISHED_COMMAND.search(body) if syntax == "latex" else None
    if command:
        found.append((None, f"waiting for the rest of the command '{command.group(0)}'"))
    elif syntax != "latex" and _TRANSPOSE.search(body):  # w. on the way to w.T*x
        found.append((None, "waiting for 'T' (a transpose, like w.T*x)"))
    return found


def open_brackets(text: str, syntax: str = "plain") -> str:
    """The brackets ``text`` leaves open, as they would be closed ('' if none or malformed).

    >>> open_brackets("sigmoid(w.T", "plain"), open_brackets("\\\\left(\\\\frac{1}{x", "latex")
    (')', '}\\\\right)')
    """
    closers = _latex_closers(text) if syntax == "latex" else _plain_closers(text)
    return closers or ""


def shown(latex: str, box: str = "\\square") -> str:
    """The LaTeX (or text) of a completed text with its holes as a ``box``.

    >>> shown("x^{zzsymnumhole} + \\\\mathit{zzsymnumholeb}"), shown("x**zzsymnumhole", "…")
    ('x^{\\\\square} + \\\\square', 'x**…')
    """
    return re.sub(rf"\\math(?:it|rm)\{{{HOLE}b?\}}|{HOLE}b?", lambda _: box, latex)


def _message(hole: bool, closers: str) -> str:
    if hole:
        return "waiting for the rest of the formula" + (f", then '{closers}'" if closers else "")
    return f"waiting for '{closers}'"


def _plain_closers(text: str) -> str | None:
    """The brackets ``text`` leaves open, closed in order; None if one closes wrongly."""
    stack: list[str] = []
    for ch in text:
        if ch in _PLAIN_PAIRS:
            stack.append(_PLAIN_PAIRS[ch])
        elif ch in _PLAIN_PAIRS.values():
            if not stack or stack.pop() != ch:
                return None
    return "".join(reversed(stack))


def _latex_closers(text: str) -> str | None:
    """Groups, brackets and ``\\left`` … ``\\right`` pairs left open, closed in order."""
    stack: list[str] = []
    for match in _LATEX_TOKEN.finditer(text):
        token, left, right = match.group(0), match.group(1), match.group(2)
        if left:
            stack.append("\\right" + _LATEX_CLOSING.get(left, _LATEX_PAIRS.get(left, left)))
        elif right:
            if not stack or not stack.pop().startswith("\\right"):
                return None
        elif token in _LATEX_PAIRS:
            stack.append(_LATEX_PAIRS[token])
        elif token in _LATEX_PAIRS.values():
            if not stack or stack.pop() != token:
                return None
    return "".join(reversed(stack))
