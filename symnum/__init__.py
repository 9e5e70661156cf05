"""symnum: exact derivatives with SymPy, shown step by step, compiled and verified numerically.

>>> import symnum
>>> symnum.derive("(x**2 + 1)**3").expr
6*x*(x**2 + 1)**2
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

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

# The chapter's modules, for notebooks (``from symnum import catalog, figures, studies``);
# imported on first use, since they load matplotlib.
_CHAPTER = ("catalog", "figures", "studies", "document", "demo")


# torch operations with exact derivatives (they import torch, so on first use)
_TORCH = {"torch_function": "torch_op", "TorchFunction": "torch_op",
          "TorchModule": "torch_module"}


def __getattr__(name: str):
    if name in _TORCH:
        import importlib
        return getattr(importlib.import_module(f"symnum.kernels.{_TORCH[name]}"), name)
    if name in _CHAPTER:
        import importlib
        return importlib.import_module(f"symnum.chapter.{name}")
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
