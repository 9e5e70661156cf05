"""Kernels: exact results compiled into batched numpy / torch callables.

``kernel`` (the public entry), ``program`` (the generic evaluator over ``backends``' tables),
``stable`` with ``stable_rules`` and ``stable_sums`` (overflow-safe exact rewrites),
``assembly`` (rank-one Hessian layouts), ``inputs`` (argument checks), and the speed parts
``fused``, ``memory``, ``workspace``, ``native_nodes``.
"""

from .build import Kernel, compile_kernel, kernel

__all__ = ["Kernel", "kernel", "compile_kernel"]
