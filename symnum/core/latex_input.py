"""LaTeX → symnum's plain syntax, then the one parser: the whitelist and every limit apply.

A small recursive-descent reader of what papers and lecture notes write, with deep-learning
conventions: ``\\log``/``\\ln`` natural log, ``\\log_2``, ``e^{x}``, ``\\frac``, ``\\sqrt[n]{}``,
``\\cdot``, implicit products (``2x``; ``xy`` is x·y), ``\\sigma(z)`` the logistic sigmoid,
``\\operatorname{softplus}``, subscripts into names (``w_{ij}`` → wij), Greek letters, ``\\sum``
expanded, ``|x|``, ``\\|Ax - b\\|^2`` and ``x^\\top`` with shapes, ``bmatrix``, unknown
functions' derivatives (f'(x), \\frac{df}{dx}). An unknown command, ``\\int``, ``\\def``, an
equation or a dangling operator is an error. Not SymPy's ``parse_latex``: its output would
bypass the whitelist and size limits (and it reads ``\\sigma(x)`` as a product); plain syntax
keeps one way in for every text (symnum.core.parse), so LaTeX cannot do what plain text cannot.

>>> to_plain(r"\\frac{1}{1 + e^{-x}}")
'((1)/(1+e**(-x)))'
>>> to_plain(r"\\sum_{i=1}^{3} w_i x_i")
'((w1*x1)+(w2*x2)+(w3*x3))'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import sympy

from .errors import ParseError
from .latex_cases import cases, indicator, matrix
from .latex_derivatives import applied, fraction, partial
from .latex_names import GREEK, greek_name, tables
from .shapes import declared_shapes

MAX_SUM_TERMS = 10_000  # terms that \sum expansions may produce in one expression
MAX_DEPTH = 100  # nesting of groups, as in plain syntax

# The functions' commands come from the function registry (symnum.core.latex_names); the
# matrix vocabulary the reader adds: \det, \tr and \operatorname{diag}, ...
MATRIX_COMMANDS = {"\\det": "det", "\\tr": "tr"}
MATRIX_WORDS = {"softmax": "softmax", "tr": "tr", "trace": "tr", "diag": "diag", "det": "det",
                "sgn": "sign", "layernorm": "layernorm", "var": "var"}
SPACING = {",", ";", ":", "!", " ", "quad", "qquad", "left", "right", "big", "Big", "bigg",
           "Bigg", "bigl", "bigr", "Bigl", "Bigr", "displaystyle", "textstyle"}
NAME_WRAPPERS = {"mathbf", "boldsymbol", "bm", "vec", "mathit", "mathrm", "operatorname",
                 "mathsf", "text", "textrm", "mathbb", "mathcal"}
ACCENTS = {"hat": "hat", "bar": "bar", "tilde": "tilde", "dot": "dot"}  # \hat{y} → yhat
CONSTANTS = {"pi": "pi", "infty": "oo"}
BINARY = {"cdot": "*", "times": "*", "div": "/", "ast": "*", "odot": "%"}  # ⊙ is % in plain
REFUSED = {
    "int": "integrals are not supported", "lim": "limits are not supported",
    "prod": "write the product out", "input": "\\input is not allowed",
    "include": "\\include is not allowed", "def": "\\def is not allowed",
    "newcommand": "\\newcommand is not allowed", "renewcommand": "\\renewcommand is not allowed",
    "catcode": "\\catcode is not allowed", "write": "\\write is not allowed",
}
_TOKEN = re.compile(r"\\([A-Za-z]+|.)|(\d+(?:\.\d+)?|\.\d+)|(\s+)|(.)", re.DOTALL)


def to_plain(text: str, shapes: Iterable[str] = ()) -> str:
    """Translate LaTeX ``text`` into plain syntax (names in ``shapes`` are matrices)."""
    reader = _Reader(_tokens(text), frozenset(shapes))
    out = reader.expression()
    if reader.peek() is not None:
        raise ParseError(f"LaTeX: unexpected {reader.peek()!r} at token {reader.i + 1}")
    return out


def parse_latex(text: str, shapes: Mapping | None = None,
                functions: Iterable[str] = ()) -> sympy.Basic:
    """Parse LaTeX ``text`` into SymPy through the plain-syntax parser.

    >>> parse_latex(r"\\sigma(w^\\top x)", shapes={"w": "n", "x": "n"})
    1/(1 + exp(-Trace(w.T*x)))
    >>> parse_latex(r"x_1^2 + \\sqrt[3]{x_2}")
    x1**2 + cbrt(x2)
    """
    from .parse import MAX_LENGTH, parse
    if not isinstance(text, str):
        raise ParseError(f"expected LaTeX text, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ParseError(f"expression is {len(text)} characters long (limit {MAX_LENGTH})")
    declared = declared_shapes(shapes)
    try:
        plain = to_plain(text, declared)
    except RecursionError:
        raise ParseError("LaTeX: the expression is nested too deeply") from None
    return parse(plain, declared, functions)


def _tokens(text: str) -> list[str]:
    tokens = []
    for command, number, space, char in _TOKEN.findall(text.strip()):
        if space:
            continue
        if command:
            if command in SPACING:
                continue
            tokens.append("\\" + command)
        else:
            tokens.append(number or char)
    if not tokens:
        raise ParseError("empty expression")
    return tokens


class _Reader:
    """Recursive descent over LaTeX tokens, producing plain syntax."""

    def __init__(self, tokens: list[str], shapes: frozenset[str]):
        self.tokens, self.i, self.shapes = tokens, 0, shapes
        self.bound: dict[str, str] = {}  # \sum index → its current value
        self.sum_terms = 0
        self.depth = 0

    def peek(self, k: int = 0) -> str | None:
        j = self.i + k
        return self.tokens[j] if j < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        token = self.peek()
        if token is None:
            raise ParseError("LaTeX: the expression ends too early" +
                             (f" (expected {expected!r})" if expected else ""))
        if expected is not None and token != expected:
            raise ParseError(f"LaTeX: expected {expected!r}, found {token!r}")
        self.i += 1
        return token

    # expression := term (('+' | '-') term)*
    def expression(self, stop: tuple[str, ...] = ()) -> str:
        parts = [self.term(stop)]
        while self.peek() in ("+", "-"):
            parts.append(self.take())
            parts.append(self.term(stop))
        return "".join(parts)

    # term := signed (('*' | '/' | nothing) signed)*
    def term(self, stop: tuple[str, ...] = ()) -> str:
        out = self.signed(stop)
        while True:
            token = self.peek()
            if token is None or token in stop or token in ("+", "-", ")", "]", "}", ",", "&",
                                                           "\\\\", "\\end"):
                return out
            if token in ("*", "/") or token[1:] in BINARY:
                self.take()
                op = token if token in ("*", "/") else BINARY[token[1:]]
                out += op + self.signed(stop)
            elif token in ("=", "<", ">", "\\leq", "\\geq", "\\le", "\\ge", "\\approx"):
                raise ParseError("LaTeX: an equation or comparison; give only the expression")
            else:
                out += "*" + self.power(stop)  # an implicit product: 2x, xy, x(y + 1)

    def signed(self, stop: tuple[str, ...]) -> str:
        if self.peek() in ("-", "+"):
            sign = self.take()
            return sign + self.signed(stop)
        return self.power(stop)

    # power := primary ('^' group)?  (x^\top is the transpose)
    def power(self, stop: tuple[str, ...] = ()) -> str:
        base = self._factorial(self.primary())
        while self.peek() == "^":
            self.take()
            if self.peek() in ("\\top", "\\intercal") or (self.peek() == "T" and
                                                          self._is_matrix(base)):
                self.take()
                base = f"({base}).T"
            elif self.peek() == "{" and self.peek(1) in ("\\top", "\\intercal", "T") \
                    and self.peek(2) == "}":
                self.i += 3
                base = f"({base}).T"
            elif self.tokens[self.i:self.i + 4] in (["{", "-", t, "}"]
                                                    for t in ("\\top", "\\intercal")):
                self.i += 4  # X^{-\top}, the inverse of the transpose, as symnum writes it
                base = f"inv(({base}).T)"
            elif self.tokens[self.i:self.i + 2] == ["{", "\\circ"]:
                self.i += 2  # x^{\circ -1}: the entrywise (Hadamard) power, as symnum writes it
                exponent = self.expression()
                self.take("}")
                base = f"HadamardPower({base}, {exponent})"
            else:
                base = f"{base}**({self.group()})"
                if self.peek() == "^":  # x^{a}^{b}: TeX refuses it too (double superscript)
                    raise ParseError("LaTeX: a double superscript; write {x^{a}}^{b} or "
                                     "x^{a b}")
        base = self._factorial(base)
        if self.peek() == "'":
            raise ParseError("LaTeX: a prime marks the derivative of an unknown function, f'(x)")
        return base

    def _factorial(self, base: str) -> str:
        """n! and (x + 1)! (SymPy writes the factorial so; x!^{2} its square)."""
        while self.peek() == "!":
            self.take()
            base = f"factorial({base})"
        return base

    def group(self) -> str:
        """A {braced} expression or a single token (x^2, \\frac12)."""
        if self.peek() == "{":
            self.take()
            inner = self.expression()
            self.take("}")
            return inner
        if self.peek() in ("-", "+"):
            raise ParseError("LaTeX: put a signed exponent in braces, like x^{-1}")
        return self.primary(single=True)

    def primary(self, single: bool = False) -> str:
        self.depth += 1
        try:
            return self._primary(single)
        finally:
            self.depth -= 1

    def _primary(self, single: bool) -> str:
        if self.depth > MAX_DEPTH:
            raise ParseError(f"LaTeX: nested deeper than {MAX_DEPTH} levels")
        token = self.take()
        if re.fullmatch(r"\d+(\.\d+)?|\.\d+", token):
            if single and len(token) > 1 and "." not in token:
                self.tokens.insert(self.i, token[1:])  # x^23 is x^2·3 in LaTeX
                return token[0]
            return token
        if token == "(" or token == "[":
            inner = self.expression()
            self.take(")" if token == "(" else "]")
            return f"({inner})"
        if token == "{":
            inner = self.expression()
            self.take("}")
            return f"({inner})"
        if token in ("|", "\\vert", "\\lvert"):
            inner = self.expression(stop=("|", "\\vert", "\\rvert"))
            self.take()
            return f"abs({inner})"
        if token in ("\\|", "\\Vert", "\\lVert"):
            return self._norm()
        if token in tables().delimiters:  # \lfloor x \rfloor
            name, closing = tables().delimiters[token]
            inner = self.expression(stop=(closing,))
            self.take(closing)
            return f"{name}({inner})"
        if token.startswith("\\"):
            return self._command(token[1:])
        if re.fullmatch(r"[^\W\d_]", token):
            return self._letter(token)
        raise ParseError(f"LaTeX: unexpected {token!r}")

    def _letter(self, name: str) -> str:
        name += self._subscript()
        if name in self.bound:
            return f"({self.bound[name]})"
        call = applied(self, name)  # f(x), f'(x), f^{\prime}(x): unknown functions
        return name if call is None else call

    def _subscript(self) -> str:
        """x_1 → '1', w_{ij} → 'ij', x_i with i a \\sum index → its value."""
        if self.peek() != "_":
            return ""
        self.take()
        parts = []
        tokens = [self.take()] if self.peek() != "{" else self._braced_tokens()
        if not tokens:
            raise ParseError("LaTeX: an empty subscript x_{}")
        for t in tokens:
            if t == ",":
                continue
            if t in self.bound:
                parts.append(self.bound[t])
            elif re.fullmatch(r"\w+", t):
                parts.append(t)
            elif t.startswith("\\") and t[1:] in GREEK:
                parts.append(greek_name(t[1:]))
            else:
                raise ParseError(f"LaTeX: a subscript holds letters and digits, not {t!r}")
        return "".join(parts)

    def _braced_tokens(self) -> list[str]:
        self.take("{")
        tokens = []
        while self.peek() != "}":
            tokens.append(self.take())
        self.take("}")
        return tokens

    def _command(self, name: str) -> str:
        if name == "partial" or name in ("frac", "dfrac") and self.peek(1) in ("d", "\\partial"):
            return partial(self) if name == "partial" else fraction(self)  # unknown functions
        if name in REFUSED:
            raise ParseError(f"LaTeX: \\{name}: {REFUSED[name]}")
        known = tables()
        for sequence, plain in known.sequences.items():  # \log\Gamma, \tanh^{-1}
            if tuple(self.tokens[self.i - 1:self.i - 1 + len(sequence)]) == sequence:
                self.i += len(sequence) - 1
                return self._function(plain)
        command = "\\" + name
        if self.peek() == "'":
            raise ParseError(f"LaTeX: {command}': primes are for unknown functions, like f'(x)")
        if command in known.orders and self.tokens[self.i:self.i + 3] == ["^", "{", "("]:
            self.i += 3  # \psi^{(n)}(x): the order n, then the argument
            order = self.expression()
            self.take(")")
            self.take("}")
            return f"{known.orders[command]}({order}, {self._arguments()[1:-1]})"
        if command in known.applied:  # \sigma(z), \Gamma(x), \sigma^{2}(z); alone a letter
            call = self._applied(known.applied[command])
            if call is not None:
                return call
        if name in ("mathbb", "mathbf", "mathds") and self.tokens[self.i:self.i + 3] == \
                ["{", "1", "}"]:
            self.i += 3
            if name == "mathbf" and self.shapes and self.peek() not in ("_", "[", "(", "\\{"):
                return "ones()"  # the ones vector 𝟏 (\mathbf{1}^\top y), as symnum writes it
            return indicator(self)
        if name == "frac" or name in ("dfrac", "tfrac"):
            top, bottom = self.group(), self.group()
            return f"(({top})/({bottom}))"
        if name in ("binom", "dbinom", "tbinom"):
            top, bottom = self.group(), self.group()
            return f"binomial({top}, {bottom})"
        if name == "sqrt":
            if self.peek() == "[":
                self.take()
                n = self.expression(stop=("]",))
                self.take("]")
                return f"root({self.group()}, {n})"
            return f"sqrt({self.group()})"
        if name in CONSTANTS:
            return CONSTANTS[name]
        if name in GREEK:
            return self._letter(greek_name(name))
        functions = known.commands | MATRIX_COMMANDS
        if command in functions:
            return self._function(functions[command])
        word = self._wrapped_name() if name in ("operatorname", "mathrm", "mathop") else ""
        if _word(word) and (len(word) > 1 or self.peek(3) in ("(", "{", "^")):  # not \mathrm{H}
            self._braced_tokens()
            return self._function(_word(word))
        if name in ACCENTS:
            inner = self._braced_tokens() if self.peek() == "{" else [self.take()]
            word = "".join(greek_name(t[1:]) if t.startswith("\\") and t[1:] in GREEK
                           else t for t in inner)
            if not re.fullmatch(r"[^\W\d_]\w*", word):
                raise ParseError(f"LaTeX: \\{name}{{...}} must hold a name")
            if name == "dot" and self.peek() in ("(", "\\left"):  # not fdot·x, silently
                raise ParseError(f"LaTeX: \\dot{{{word}}}(…) is not read; write {word}'(x)")
            return self._letter(word + ACCENTS[name])
        if name in NAME_WRAPPERS:
            inner = self._braced_tokens() if self.peek() == "{" else [self.take()]
            word = "".join(t.lstrip("\\") for t in inner)
            if not re.fullmatch(r"[^\W\d_]\w*", word):
                raise ParseError(f"LaTeX: \\{name}{{...}} must hold a name")
            if name == "mathbf" and word == "I" and self.shapes and "I" not in self.shapes:
                return "eye()"  # the identity 𝐈 as symnum writes it; its size from its neighbours
            if name == "operatorname" or (len(word) > 1 and self.peek() == "("
                                          and word not in self.shapes):
                raise ParseError(f"LaTeX: unknown function \\{name}{{{word}}}; write it out "
                                 "with known functions (or \\begin{cases} for a piecewise one)")
            if word in ("f", "g", "h") and self.peek() in ("(", "'", "^", "\\left"):
                return self._letter(word)  # \mathrm{f}(x) is f(x), as f(x) is, not f·x
            return word + self._subscript()
        if name == "sum":
            return self._sum()
        if name == "begin":
            if self.tokens[self.i:self.i + 7] == ["{", "c", "a", "s", "e", "s", "}"]:
                self.i += 7
                return cases(self)
            return matrix(self)
        raise ParseError(f"LaTeX: unknown command \\{name}")

    def _applied(self, plain: str) -> str | None:
        """f(args) or f^{n}(args) after a letter naming f when applied, else None (none read)."""
        start, power = self.i, None
        if self.peek() == "^":
            self.take()
            power = self.group()
        if self.peek() != "(":
            self.i = start
            return None
        call = plain + self._arguments()
        return call if power is None else f"{call}**({power})"

    def _wrapped_name(self) -> str:
        """The name in \\operatorname{...} without consuming it ('' if not braced)."""
        if self.peek() != "{":
            return ""
        j, word = self.i + 1, ""
        while j < len(self.tokens) and self.tokens[j] != "}":
            word += self.tokens[j]
            j += 1
        return word

    def _function(self, plain: str) -> str:
        """\\sin x, \\sin(x), \\sin^2 x, \\log_2 x, \\max(a, b)."""
        base = None
        if self.peek() == "_" and plain == "log":
            self.take()
            base = self.group()
        exponent = None
        if self.peek() == "^":
            self.take()
            exponent = self.group()
        if self.peek() in ("(", "\\left(", "["):
            args = self._arguments()
        elif self.peek() == "{" and self.peek(1) == "(" and self._braced_call():
            self.take("{")  # SymPy writes \operatorname{f}{\left(a,b \right)}
            args = self._arguments()
            self.take("}")
        elif self.peek() == "{":
            args = f"({self.group()})"
        else:
            args = f"({self._bare_argument()})"  # \sin 2x, \sin \omega t: the product after it
        call = f"log({args[1:-1]}, {base})" if base is not None else plain + args
        return f"{call}**({exponent})" if exponent is not None else call

    def _braced_call(self) -> bool:
        """Is the next group ``{( ... )}``: an argument list in braces?"""
        depth = 0
        for j in range(self.i + 1, len(self.tokens)):
            depth += (self.tokens[j] in ("(", "[")) - (self.tokens[j] in (")", "]"))
            if depth == 0:
                return j + 1 < len(self.tokens) and self.tokens[j + 1] == "}"
        return False

    def _bare_argument(self) -> str:
        """The argument of \\sin without brackets: juxtaposed numbers and names (2x, \\omega t)."""
        out = self.power()
        while self._starts_plain_factor():
            out += "*" + self.power()
        return out

    def _starts_plain_factor(self) -> bool:
        token = self.peek()
        if token is None:
            return False
        if re.fullmatch(r"\d+(\.\d+)?|\.\d+|[^\W\d_]", token):
            return True
        name = token[1:] if token.startswith("\\") else ""
        return (name in GREEK and not ("\\" + name in tables().applied and self.peek(1) == "(")) \
            or name in CONSTANTS

    def _arguments(self) -> str:
        opening = self.take()
        closing = {"(": ")", "[": "]"}[opening]
        args = [self.expression()]
        while self.peek() == ",":
            self.take()
            args.append(self.expression())
        self.take(closing)
        return "(" + ", ".join(args) + ")"

    def _norm(self) -> str:
        """‖v‖, ‖v‖₂ (Euclidean), ‖M‖, ‖M‖_F (Frobenius: tr(MᵀM) = vᵀv for a vector), |s|."""
        inner = self.expression(stop=("\\|", "\\Vert", "\\rVert"))
        self.take()
        kind = self.take() and self.group() if self.peek() == "_" else ""
        if kind not in ("", "2", "F"):
            raise ParseError("LaTeX: the norms are ‖·‖₂ (Euclidean) and ‖·‖_F (Frobenius)")
        if not self._is_matrix(inner):
            return f"abs({inner})"
        square = f"(({inner}).T*({inner}))" if kind == "2" else f"tr(({inner}).T*({inner}))"
        if self.peek() == "^" and self.peek(1) == "2":
            self.i += 2
            return square
        return f"sqrt({square})"

    def _sum(self) -> str:
        """\\sum_{i=1}^{n} body with numeric bounds: the terms written out."""
        if self.take() != "_":
            raise ParseError("LaTeX: \\sum needs bounds, like \\sum_{i=1}^{3}")
        lower = self._braced_tokens() if self.peek() == "{" else [self.take()]
        if len(lower) < 3 or lower[1] != "=":
            raise ParseError("LaTeX: \\sum needs an index and a start, like \\sum_{i=1}^{3}")
        index, start = lower[0], "".join(lower[2:])
        self.take("^")
        stop = "".join(self._braced_tokens() if self.peek() == "{" else [self.take()])
        if not (start.isdigit() and stop.isdigit()):
            raise ParseError("LaTeX: \\sum is expanded, so its bounds must be numbers "
                             f"(got {start} to {stop})")
        values = range(int(start), int(stop) + 1)
        self.sum_terms += len(values)
        if self.sum_terms > MAX_SUM_TERMS:
            raise ParseError(f"LaTeX: \\sum would write out more than {MAX_SUM_TERMS} terms")
        begin, terms = self.i, []
        for value in values:
            self.i = begin
            self.bound[index] = str(value)
            terms.append(f"({self.term()})")
        self.bound.pop(index, None)
        return "(" + "+".join(terms) + ")" if terms else "0"

    def _is_matrix(self, text: str) -> bool:
        return any(re.search(rf"(?<!\w){re.escape(n)}(?!\w)", text) for n in self.shapes)


def _word(word: str) -> str | None:
    """The plain function \\operatorname{word} names: as written, else in lower case."""
    words = tables().words
    return words.get(word) or words.get(word.lower()) or MATRIX_WORDS.get(word.lower())
