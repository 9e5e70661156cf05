"""symnum: exact derivatives with SymPy, shown step by step, compiled and verified numerically.

>>> import symnum
>>> symnum.derive("(x**2 + 1)**3").expr
6*x*(x**2 + 1)**2
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

from .api import derive, kernel, verify
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

if TYPE_CHECKING:  # imported on first use (below), so that import symnum stays light
    from .check.claim import check_claim
    from .export import export_source
    from .kernels.torch_module import TorchModule
    from .kernels.torch_op import TorchFunction, torch_function


def __getattr__(name: str) -> Any:
    """The names that load a heavier layer (torch, the checks, exports, the chapter's
    matplotlib) are imported on first use: ``import symnum`` loads core and the API only."""
    if name == "check_claim":
        from .check.claim import check_claim
        return check_claim
    if name == "export_source":
        from .export import export_source
        return export_source
    if name in ("torch_function", "TorchFunction"):
        from .kernels import torch_op
        return getattr(torch_op, name)
    if name == "TorchModule":
        from .kernels.torch_module import TorchModule
        return TorchModule
    return _chapter(name)


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


try:
    __version__ = version("symnum")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0+unknown"

__all__ = ["Function", "Result", "derive", "kernel", "verify", "check_claim", "export_source",
           "parse",
           "parse_latex", "SymnumError", "ParseError", "VariableError", "ShapeError",
           "EvaluationError", "LimitError", "torch_function", "TorchFunction", "TorchModule",
           "__version__"]
