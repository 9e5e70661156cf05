"""Kernels: exact results compiled into batched numpy / torch / JAX callables.

``kernel`` (the public entry; ``params`` for parameters, ``jax_kernel`` for JAX),
``torch_op`` (``torch_function``: a torch operation whose backward passes are the exact
derivatives), ``torch_module`` (``TorchModule``: learnable parameters), ``program`` (the
generic evaluator over ``backends``' tables),
``stable`` with ``stable_rules`` and ``stable_sums`` (overflow-safe exact rewrites),
``assembly`` (rank-one Hessian layouts), ``inputs`` (argument checks), the speed parts
``fused``, ``memory``, ``workspace``, ``native_nodes``, and ``source`` with ``dialects`` and
``dialect_helpers`` (a program as straight-line Python, numpy, torch, JAX or C source: the one
point path ``one_point``, ``one_point_c``, and :mod:`symnum.export`).
"""

from .build import Kernel, compile_kernel, kernel

_TORCH = {"torch_function": "torch_op", "TorchFunction": "torch_op",
          "TorchModule": "torch_module"}


def __getattr__(name: str):
    """The torch operations, imported on first use (they import torch)."""
    if name in _TORCH:
        import importlib
        return getattr(importlib.import_module(f"{__name__}.{_TORCH[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["Kernel", "kernel", "compile_kernel", "torch_function", "TorchFunction",
           "TorchModule"]
