"""symnum: exact derivatives with SymPy, shown step by step, compiled and verified numerically.

>>> import symnum
>>> symnum.derive("(x**2 + 1)**3").expr
6*x*(x**2 + 1)**2

``import symnum`` loads neither SymPy nor numpy, torch, matplotlib or the web stack: each
public name is imported on first use (``__getattr__``, PEP 562), and :func:`plug_layers`
(:mod:`symnum.api`, which fills :mod:`symnum.core.hooks`) runs when a convenience such as
``Function.kernel()`` first needs a layer above core.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported on first use (below), so that import symnum stays light
    from . import api as api  # symnum.api and symnum.core, loaded on first use too
    from . import core as core
    from .api import derive, kernel, verify
    from .check.claim import check_claim
    from .core.calculus import Result
    from .core.errors import (
        EvaluationError,
        LimitError,
        ParseError,
        ShapeError,
        SymnumError,
        VariableError,
    )
    from .core.function import Function
    from .core.latex_input import parse_latex
    from .core.parse import parse
    from .export import export_source
    from .kernels.torch_module import TorchModule
    from .kernels.torch_op import TorchFunction, torch_function

    __version__: str

ERRORS = ("SymnumError", "ParseError", "VariableError", "ShapeError", "EvaluationError",
          "LimitError")
CHAPTER = ("catalog", "studies", "figures", "document", "demo")


def plug_layers() -> None:
    """Import :mod:`symnum.api`, which fills every slot of :data:`symnum.core.hooks.HOOKS`.

    Core calls it (:func:`symnum.core.hooks.need`) when a convenience first needs a layer
    above core, so ``import symnum`` need not load the API and SymPy up front."""
    import symnum.api  # noqa: F401


def __getattr__(name: str) -> Any:
    """A public name, imported on first use: ``symnum.derive`` loads SymPy and the API,
    ``symnum.TorchModule`` torch, ``symnum.figures`` matplotlib; nothing before."""
    module: Any
    if name in ("derive", "kernel", "verify", "api"):
        import symnum.api as module  # (not "from . import api": that would ask __getattr__)
    elif name in ("Function", "Result", "parse", "parse_latex", "core"):
        return _core(name)
    elif name in ERRORS:
        from .core import errors as module
    elif name == "check_claim":
        from .check import claim as module
    elif name == "export_source":
        from .export import export_source
        return export_source
    elif name in ("torch_function", "TorchFunction"):
        from .kernels import torch_op as module
    elif name == "TorchModule":
        from .kernels import torch_module as module
    elif name == "__version__":
        return _version()
    else:
        return _chapter(name)
    return module if name == "api" else getattr(module, name)


def __dir__() -> list[str]:
    """The names loaded on first use listed with the module's own (tab completion, dir)."""
    return sorted(set(globals()) | set(__all__) | set(CHAPTER) | {"api", "core"})


def _core(name: str) -> Any:
    """Core's public names (``symnum.core.parse`` is the function, as core exports it)."""
    if name == "Function":
        from .core.function import Function
        return Function
    if name == "Result":
        from .core.calculus import Result
        return Result
    if name == "parse":
        from .core.parse import parse
        return parse
    if name == "parse_latex":
        from .core.latex_input import parse_latex
        return parse_latex
    import symnum.core as core
    return core


def _chapter(name: str) -> Any:
    """The chapter's modules, for notebooks (``from symnum import catalog, figures``)."""
    if name == "catalog":
        from .chapter import catalog
        return catalog
    if name == "studies":
        from .chapter import studies
        return studies
    if name == "figures":
        from .chapter import figures
        return figures
    if name == "document":
        from .chapter import document
        return document
    if name == "demo":
        from .chapter import demo
        return demo
    raise AttributeError(f"module 'symnum' has no attribute {name!r}")


def _version() -> str:
    """The installed version, read from the package metadata on first use (reading it costs
    an import of :mod:`importlib.metadata`, so ``import symnum`` does not)."""
    from importlib.metadata import PackageNotFoundError, version
    try:
        found = version("symnum")
    except PackageNotFoundError:  # running from a source tree without installation
        found = "0+unknown"
    globals()["__version__"] = found
    return found


__all__ = ["Function", "Result", "derive", "kernel", "verify", "check_claim", "export_source",
           "parse",
           "parse_latex", "SymnumError", "ParseError", "VariableError", "ShapeError",
           "EvaluationError", "LimitError", "torch_function", "TorchFunction", "TorchModule",
           "__version__"]
