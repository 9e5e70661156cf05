"""The seam between the ground floor and the layers above it (dependency inversion).

Core never imports up. The conveniences that core's objects offer users but that other layers
compute (``Function.steps()``, ``.kernel()``, ``.verify()``, ``.graph()``, ``.plot()``,
``.critical_points()``, ``.differentiate()`` of matrix notation, ``Result.at`` with arrays)
call the function plugged into :data:`HOOKS` by the layer that owns the work.
:mod:`symnum.api` plugs them all in when ``symnum`` is imported, which Python does before any
``symnum.core`` module, so users always find them; without them core still parses,
differentiates, evaluates and renders, and a convenience says which layer it needs.

>>> def twice(f, what, order):
...     return ("steps of", f, what, order)
>>> with plugged(steps=twice):
...     HOOKS.call("steps", "f", None, 1)
('steps of', 'f', None, 1)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from typing import Any

from .errors import SymnumError

Hook = Callable[..., Any]

# What each hook computes, and the layer that provides it (for the message when it is absent).
PROVIDERS = {
    "matrix_differentiate": "symnum.matrix (f, what) -> MatrixResult",
    "steps": "symnum.steps (f, what, order) -> Derivation",
    "kernel": "symnum.kernels (f, what, backend, order, compile, params) -> Kernel",
    "verify": "symnum.verification (f, what, order, **options) -> Report",
    "graph": "symnum.analysis (f) -> Graph",
    "plot": "symnum.analysis (f, out, span, descent) -> Figure",
    "critical_points": "symnum.analysis (f) -> list[CriticalPoint]",
    "compile_kernel": "symnum.kernels (result, symbols) -> a numpy callable",
}


@dataclass
class Hooks:
    """One slot per convenience; ``None`` until a layer above plugs it in."""

    matrix_differentiate: Hook | None = None
    steps: Hook | None = None
    kernel: Hook | None = None
    verify: Hook | None = None
    graph: Hook | None = None
    plot: Hook | None = None
    critical_points: Hook | None = None
    compile_kernel: Hook | None = None

    def call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """Run hook ``name``; a clear error when no layer has plugged it in."""
        hook = getattr(self, name)
        if hook is None:
            raise SymnumError(f"{name} is computed by {PROVIDERS[name].split()[0]}, which is "
                              "not plugged in: import symnum (symnum.api plugs in every layer)")
        return hook(*args, **kwargs)

    def plug(self, **hooks: Hook) -> None:
        """Fill slots by name (an unknown name is an error, not a silent no-op)."""
        known = {f.name for f in fields(self)}
        unknown = sorted(set(hooks) - known)
        if unknown:
            raise SymnumError(f"no hook named {', '.join(unknown)}: "
                              f"choose from {', '.join(sorted(known))}")
        for name, hook in hooks.items():
            setattr(self, name, hook)


HOOKS = Hooks()


@contextmanager
def plugged(**hooks: Hook) -> Iterator[Hooks]:
    """Plug ``hooks`` in for the ``with`` block, then put the previous ones back (tests)."""
    before = {name: getattr(HOOKS, name) for name in hooks}
    HOOKS.plug(**hooks)
    try:
        yield HOOKS
    finally:
        HOOKS.plug(**before)
