"""A kernel's program as one ``torch.compile``'d function.

The eager torch kernel runs one library call per step, each reading and writing whole arrays;
inductor fuses the steps into generated C++ loops that read the inputs once and keep the
intermediates in registers. The first call compiles (seconds for a small program, minutes
for thousands of steps; inductor caches on disk, so a later process starts faster); a batch
of a new shape compiles once more, with symbolic sizes.

>>> import torch, symnum
>>> k = symnum.kernel("sin(x)**2", wrt="x", what="derivative", backend="torch", compile=True)
>>> k(torch.tensor([0.0, torch.pi / 4], dtype=torch.float64)).tolist()
[0.0, 1.0]
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

from ..core.errors import SymnumError


class Fused:
    """``run`` (torch tensors → one tensor) compiled on first use; if torch.compile cannot
    handle it (no C++ compiler, an operation inductor lacks), a warning says so and every
    later call runs ``run`` eagerly."""

    def __init__(self, run: Callable[..., object]):
        self.run = run
        self.failure: str | None = None
        self._compiled: Callable[..., object] | None = None

    def __call__(self, *arrays: object) -> object:
        if self.failure is not None:
            return self.run(*arrays)
        if self._compiled is None:
            import torch
            self._compiled = torch.compile(self.run)
        try:
            return self._compiled(*arrays)
        except SymnumError:
            raise
        except Exception as err:  # noqa: BLE001 - any compiler failure means: run eagerly
            reason = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            self.failure = reason
            warnings.warn(f"torch.compile failed ({reason}); the kernel runs eagerly",
                          RuntimeWarning, stacklevel=3)
            return self.run(*arrays)
