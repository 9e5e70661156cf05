"""Kernels: exact results compiled into batched numpy / torch / JAX callables.

``kernel`` (the public entry; ``params`` for parameters, ``jax_kernel`` for JAX),
``torch_op`` (``torch_function``: a torch operation whose backward passes are the exact
derivatives), ``torch_module`` (``TorchModule``: learnable parameters), ``program`` (the
generic evaluator over ``backends``' tables, compiled from :mod:`symnum.core.registry`),
``stable`` with ``stable_rules`` and ``stable_sums`` (overflow-safe exact rewrites),
``assembly`` (rank-one Hessian layouts), ``inputs`` (argument checks), the speed parts
``fused``, ``memory``, ``workspace``, ``native_nodes``, ``dask_arrays`` (a numpy kernel
on Dask arrays: a lazy Dask array back), and ``source`` with ``dialects`` (a
program as straight-line Python, numpy, torch, JAX or C source, spelled by the registry: the
one point path ``one_point``, ``one_point_c`` with ``c_source``, and :mod:`symnum.export`).
"""

from .build import Kernel, compile_kernel, kernel

# The torch operations (``torch_op.torch_function``, ``torch_op.TorchFunction``,
# ``torch_module.TorchModule``) import torch: import their modules, or take them from symnum.
__all__ = ["Kernel", "kernel", "compile_kernel"]
