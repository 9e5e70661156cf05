"""The machinery of the function registry: the record type, spellings, and their use.

A :class:`Record` is everything symnum knows about one function; a :class:`Spelling` is how
one target (numpy, torch, JAX, Python floats, C, mpmath) computes it, as source text with
the helpers it calls. Exports write that text; live kernels compile the very same text
(:func:`live_source`), so the two cannot compute different things.

>>> s = Spelling("np.arctan2({0}, {1})")
>>> s.format(["y", "x"])
'np.arctan2(y, x)'
>>> Spelling("_maximum({args})", pair="np.maximum({0}, {1})").format(["a", "b", "c"])
'_maximum(a, b, c)'
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import sympy

TARGETS = ("numpy", "torch", "jax", "math", "c", "mpmath")
"""Where a function is spelled: live kernels and exports (numpy, torch, JAX), the one-point
path (math: Python floats), compiled C, and the mpmath evaluator of verification."""

_DIRECT = re.compile(r"([A-Za-z_][\w.]*)\((\{args\}|\{0\}(?:, \{\d\})*)\)")


@dataclass(frozen=True)
class Spelling:
    """Source text computing a function on one target.

    ``text`` holds ``{0}``, ``{1}``, ... for the arguments (``{args}``: all of them, for a
    function of any number of arguments); ``helpers`` are (name, source) definitions the text
    calls, copied into an export and run once for a live kernel; ``pair`` a faster text for
    exactly two arguments; ``into`` says the text is one library function that also takes an
    ``out=`` array (numpy and torch: the live kernels' memory-saving path).
    """

    text: str
    helpers: tuple[tuple[str, str], ...] = ()
    pair: str = ""
    into: bool = False

    def format(self, args: list[str] | tuple[str, ...]) -> str:
        """The text with ``args`` (source names) in place."""
        if self.pair and len(args) == 2:
            return self.pair.format(*args)
        return self.text.replace("{args}", ", ".join(args)).format(*args)


@dataclass(frozen=True)
class Unsupported:
    """A target that cannot compute the function, and why (said in the error a user sees)."""

    reason: str


Target = Spelling | Unsupported


@dataclass(frozen=True)
class Record:
    """One function: its names, meaning, calculus and spellings.

    ``sympy`` is the SymPy class expressions hold (None for notation that expands into other
    functions: ``relu(x)`` is ``Max(0, x)``); ``build`` makes the expression from parsed
    arguments (default: the class). ``arity`` is (fewest, most) arguments, most None for any
    number; ``defaults`` are source texts for trailing optional arguments (Heaviside's ½).
    ``derivative`` holds one partial derivative per argument in SymPy syntax over ``params``
    ("" where the function is not differentiated in that argument). ``kink`` is "kink" or
    "jump" where the function is not smooth (at ``kink_at``), ``pieces`` its smooth pieces as
    (value, the open region where it holds) in SymPy syntax over ``params`` (for a function
    of any number of arguments, of two: the first piece's region says which one wins),
    ``analytic`` False where the complex step does not apply. ``sample`` is an interval per
    argument where tests evaluate it (arguments listed in ``integers`` take the integers of
    theirs).
    """

    name: str
    sympy: type | None
    description: str
    textbook: str
    build: Callable[..., sympy.Expr] | None = None
    aliases: tuple[str, ...] = ()
    unicode: tuple[str, ...] = ()
    latex_in: tuple[str, ...] = ()
    latex: str = ""
    arity: tuple[int, int | None] = (1, 1)
    defaults: tuple[str, ...] = ()
    params: tuple[str, ...] = ("u",)
    domain: str = ""
    domain_test: Callable[[sympy.Expr], sympy.Basic] | None = None
    kink: str = ""
    kink_at: str = ""
    kink_note: str = ""
    pieces: tuple[tuple[str, str], ...] = ()
    analytic: bool = True
    derivative: tuple[str, ...] = ()
    rule: str = "special_function"
    rule_text: str = ""
    rule_latex: str = ""
    stable: str = ""
    spell: Mapping[str, Target] = field(default_factory=dict)
    sample: tuple[tuple[float, float], ...] = ((-3.0, 3.0),)
    integers: tuple[int, ...] = ()
    eager_integer: bool = False
    parsed: bool = True

    @property
    def names(self) -> tuple[str, ...]:
        """Every plain and Unicode name the parser reads for this function."""
        return (self.name, *self.aliases, *self.unicode) if self.parsed else ()

    @property
    def builder(self) -> Callable[..., sympy.Expr]:
        """The callable that turns parsed arguments into the expression."""
        if self.build is not None:
            return self.build
        assert self.sympy is not None, f"{self.name} has neither a class nor a builder"
        return self.sympy

    def spelling(self, target: str) -> Target | None:
        """How ``target`` computes this function (None: not listed, for notation)."""
        return self.spell.get(target)

    def partials(self, *args: sympy.Expr, classes: Mapping[str, type] | None = None
                 ) -> tuple[sympy.Expr | None, ...]:
        """The partial derivatives at ``args`` from :attr:`derivative` (None where there is
        none); ``classes`` names the registry's own SymPy classes used in the text."""
        local = dict(classes or {})
        local.update(zip(self.params, args, strict=False))
        return tuple(sympy.sympify(text, locals=local) if text else None
                     for text in self.derivative)


def live_source(spelling: Spelling, defaults: tuple[str, ...] = ()) -> tuple[str | None, str]:
    """(a dotted name the text calls directly, or None; a lambda's source) for a live
    backend: ``np.sin({0})`` is ``np.sin`` itself (no wrapper, keeps ``out=``), anything else
    becomes ``lambda a0, ...: text``; ``defaults`` fill trailing arguments left out.

    >>> live_source(Spelling("1 / np.tan({0})"))
    (None, 'lambda a0: 1 / np.tan(a0)')
    >>> live_source(Spelling("np.heaviside({0}, {1})"), ("0.5",))
    (None, 'lambda a0, a1=0.5: np.heaviside(a0, a1)')
    """
    text = spelling.text
    if "{args}" in text:
        match = _DIRECT.fullmatch(text)
        return (match.group(1), "") if match else \
            (None, f"lambda *a: {text.replace('{args}', '*a')}")
    count = 1 + max(int(i) for i in re.findall(r"\{(\d+)\}", text))
    match = _DIRECT.fullmatch(text)
    if match and not defaults and match.group(2) == ", ".join(f"{{{i}}}" for i in range(count)):
        return match.group(1), ""
    low = count - len(defaults)
    names = [f"a{i}" for i in range(count)]
    params = [n if i < low else f"{n}={defaults[i - low]}" for i, n in enumerate(names)]
    return None, f"lambda {', '.join(params)}: {text.format(*names)}"


def resolve(dotted: str, namespace: Mapping[str, object]) -> object:
    """``np.linalg.norm`` looked up in ``namespace``."""
    head, *rest = dotted.split(".")
    value = namespace[head]
    for part in rest:
        value = getattr(value, part)
    return value
