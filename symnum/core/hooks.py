"""The seam between the ground floor and the layers above it (dependency inversion).

Core never imports up. The conveniences that core's objects offer users but that other layers
compute (``Function.steps()``, ``.kernel()``, ``.verify()``, ``.graph()``, ``.plot()``,
``.critical_points()``, ``.differentiate()`` of matrix notation, ``Result.at`` with arrays)
call the function plugged into :data:`HOOKS` by the layer that owns the work.
:mod:`symnum.api` plugs them all in; ``import symnum`` does not load it (it would load SymPy),
so the first convenience that finds its slot empty asks the top package to plug the layers in
(:func:`symnum.plug_layers`, found by name: core imports nothing above it), and users always
find them. Without them core still parses, differentiates, evaluates and renders, and a
convenience says which layer it needs.

>>> def twice(f, what, order):
...     return ("steps of", f, what, order)
>>> with plugged(steps=twice):
...     HOOKS.call("steps", "f", None, 1)
('steps of', 'f', None, 1)
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from .errors import SymnumError

if TYPE_CHECKING:  # for annotations only: core imports nothing above it at run time
    import sympy

    from ..analysis.critical import CriticalPoint
    from ..analysis.graph import Graph
    from ..kernels.build import Kernel
    from ..matrix.derivation import MatrixDerivation
    from ..matrix.kernel import MatrixKernel
    from ..matrix.result import MatrixResult
    from ..steps import Derivation
    from ..verification.implicit import ImplicitReport
    from ..verification.matrix import MatrixReport
    from ..verification.products import ProductReport
    from ..verification.verify import Report
    from .calculus import Result
    from .function import Function

T = TypeVar("T")

# What each hook computes, and the layer that provides it (for the message when it is absent).
PROVIDERS = {
    "matrix_differentiate": "symnum.matrix (f, what, layout) -> MatrixResult",
    "steps": "symnum.steps (f, what, order) -> Derivation",
    "kernel": "symnum.kernels (f, what, backend, order, compile, params) -> Kernel",
    "verify": "symnum.verification (f, what, order, **options) -> Report",
    "graph": "symnum.analysis (f) -> Graph",
    "plot": "symnum.analysis (f, out, span, descent) -> Figure",
    "critical_points": "symnum.analysis (f) -> list[CriticalPoint]",
    "compile_kernel": "symnum.kernels (result, symbols) -> a numpy callable",
}


class VerifyHook(Protocol):
    """``(f, what, order, **options) -> Report``: the options of :func:`symnum.verify`."""

    def __call__(self, f: Function, what: str | None, order: int, /,
                 **options: Any) -> Report | MatrixReport | ImplicitReport | ProductReport: ...


class KernelHook(Protocol):
    """``(f, what, backend, order, compile, params) -> Kernel``, as :func:`symnum.kernel`."""

    def __call__(self, f: Function, what: str | None, backend: str, order: int, compile: bool,
                 params: Any, /) -> Kernel | MatrixKernel: ...


@dataclass
class Hooks:
    """One typed slot per convenience; ``None`` until a layer above plugs it in."""

    matrix_differentiate: Callable[[Function, str | None, str | None], MatrixResult] | None = None
    steps: Callable[[Function, str | None, int], Derivation | MatrixDerivation] | None = None
    kernel: KernelHook | None = None
    verify: VerifyHook | None = None
    graph: Callable[[Function], Graph] | None = None
    plot: Callable[[Function, str | None, tuple[float, float], str | None], Any] | None = None
    critical_points: Callable[[Function], list[CriticalPoint]] | None = None
    compile_kernel: Callable[[Result, Sequence[sympy.Symbol]], Kernel] | None = None

    def call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """Run hook ``name`` (untyped; core's methods use :func:`need` on the slot)."""
        return need(getattr(self, name), name)(*args, **kwargs)

    def plug(self, **hooks: Any) -> None:
        """Fill slots by name (an unknown name is an error, not a silent no-op)."""
        known = {f.name for f in fields(self)}
        unknown = sorted(set(hooks) - known)
        if unknown:
            raise SymnumError(f"no hook named {', '.join(unknown)}: "
                              f"choose from {', '.join(sorted(known))}")
        for name, hook in hooks.items():
            setattr(self, name, hook)


HOOKS = Hooks()


def need(hook: T | None, name: str) -> T:
    """The plugged-in ``hook``, or a clear error naming the layer that computes ``name``.

    An empty slot first has the layers plugged in (:func:`plug_layers`), then is read again."""
    if hook is None and plug_layers():
        hook = getattr(HOOKS, name)
    if hook is None:
        raise SymnumError(f"{name} is computed by {PROVIDERS[name].split()[0]}, which is not "
                          "plugged in: import symnum (symnum.api plugs in every layer)")
    return hook


def plug_layers() -> bool:
    """Have the package core belongs to plug its layers in (``symnum.plug_layers``, which
    imports :mod:`symnum.api`: at once when it is imported already, and a thread that comes
    while another imports it waits for it): whether there was one to ask. Core finds the
    function by the package's name, since it imports nothing above it."""
    package = sys.modules.get(__name__.partition(".")[0])
    plug = getattr(package, "plug_layers", None)
    if plug is None:
        return False
    plug()
    return True


@contextmanager
def plugged(**hooks: Any) -> Iterator[Hooks]:
    """Plug ``hooks`` in for the ``with`` block, then put the previous ones back (tests);
    the layers are plugged in first, so that loading them later cannot undo the block's."""
    plug_layers()
    before = {name: getattr(HOOKS, name) for name in hooks}
    HOOKS.plug(**hooks)
    try:
        yield HOOKS
    finally:
        HOOKS.plug(**before)
