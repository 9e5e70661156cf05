"""Results and expressions → batched numpy / torch callables.

A kernel takes one array per variable (they broadcast against each other) and returns an
array of shape ``batch + result shape``; constant entries are broadcast to the batch too.

>>> import numpy as np
>>> k = kernel("x**2*y", wrt="x,y", what="gradient")
>>> k(np.array([1.0, 2.0]), 3.0).tolist()
[[6.0, 1.0], [12.0, 4.0]]
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy

from .calculus import Result
from .errors import EvaluationError, SymnumError
from .function import ExprLike, Function, WrtLike, as_function
from .program import Program
from .stable import stabilize

BACKENDS = ("numpy", "torch")
STABLE_EXPAND_MAX_OPS = 20_000  # larger results keep their definitions as they are


class Kernel:
    """A compiled callable: ``kernel(*arrays)`` or ``kernel(x=..., y=...)``."""

    def __init__(self, outputs: Sequence[sympy.Basic], variables: Sequence[sympy.Symbol],
                 shape: tuple[int, ...], backend: str = "numpy",
                 definitions: Sequence[tuple[sympy.Symbol, sympy.Basic]] = (),
                 complex_input: bool = False):
        if backend not in BACKENDS:
            raise SymnumError(f"unknown backend {backend!r}: choose numpy or torch")
        self.variables = tuple(variables)
        self.shape = shape
        self.backend = backend
        self.complex_input = complex_input
        self.program = Program(outputs, self.variables, backend, definitions)

    def __call__(self, *args: object, **named: object) -> object:
        if named:
            args = args + tuple(self._by_name(named, len(args)))
        arrays = self._broadcast([self._as_array(a) for a in args])
        if self.backend == "torch" and not any(a.requires_grad for a in arrays):
            import torch
            with torch.no_grad():  # nothing to record: lets sums and products work in place
                values = self.program.run(*arrays)
        else:
            values = self.program.run(*arrays)
        batch = tuple(arrays[0].shape) if arrays else ()
        return self._assemble(values, batch)

    def _by_name(self, named: dict, start: int) -> list[object]:
        names = [v.name for v in self.variables[start:]]
        unknown = set(named) - set(names)
        if unknown:
            raise EvaluationError(f"unknown variable(s) {', '.join(sorted(unknown))}")
        try:
            return [named[n] for n in names]
        except KeyError as err:
            raise EvaluationError(f"no value given for {err.args[0]}") from None

    def _as_array(self, value: object):
        if self.backend == "torch":
            import torch
            dtype = torch.complex128 if self.complex_input else torch.float64
            return torch.as_tensor(value, dtype=dtype)
        import numpy as np
        return np.asarray(value, dtype=complex if self.complex_input else float)

    def _broadcast(self, arrays: list) -> list:
        if not arrays:
            return arrays
        if self.backend == "torch":
            import torch
            return list(torch.broadcast_tensors(*arrays))
        import numpy as np
        return list(np.broadcast_arrays(*arrays))

    def _assemble(self, values: list, batch: tuple[int, ...]):
        if self.backend == "torch":
            import torch
            full = [torch.broadcast_to(torch.as_tensor(v, dtype=torch.float64)
                                       if not torch.is_tensor(v) else v, batch) for v in values]
            out = torch.stack(full, dim=-1) if full else torch.zeros(batch + (0,))
            return out.reshape(batch + self.shape)
        import numpy as np
        full = [np.broadcast_to(np.asarray(v), batch) for v in values]
        return np.stack(full, axis=-1).reshape(batch + self.shape)


def compile_kernel(target: Result | sympy.Basic, variables: Sequence[sympy.Symbol],
                   backend: str = "numpy", complex_input: bool = False) -> Kernel:
    """A kernel for a Result (with its definitions) or for a plain expression / vector.

    Sums of exponentials are evaluated in shifted, overflow-safe form (:mod:`symnum.stable`);
    the program shares repeated subexpressions, so expanding definitions costs no
    re-computation.
    """
    if isinstance(target, Result):
        if target.definitions and target.expr_ops() > STABLE_EXPAND_MAX_OPS:
            return Kernel(target.entries(), variables, target.shape, backend,
                          target.definitions, complex_input)
        entries = [stabilize(e) for e in target.expanded()]
        return Kernel(entries, variables, target.shape, backend, complex_input=complex_input)
    if isinstance(target, sympy.MatrixBase):
        return Kernel([stabilize(e) for e in target], variables, (len(target),), backend,
                      complex_input=complex_input)
    return Kernel([stabilize(target)], variables, (), backend, complex_input=complex_input)


def kernel(expr: ExprLike | Function | Result, wrt: WrtLike = None, what: str | None = None,
           backend: str = "numpy", order: int = 1) -> Kernel:
    """A batched callable for a derivative of ``expr`` (``what="value"``: the function itself),
    or for a result already derived (then ``wrt``, ``what`` and ``order`` are its own).

    Variables not differentiated (parameters) must be listed in ``wrt`` to get a value slot,
    or the kernel reports them as missing.

    >>> import symnum
    >>> kernel(symnum.derive("x**2*y", wrt="x,y"))(3.0, 2.0).tolist()
    [12.0, 9.0]
    """
    if isinstance(expr, Result):
        return compile_kernel(expr, expr.variables, backend)
    f = as_function(expr, wrt)
    if what == "value":
        return compile_kernel(f.expr, f.variables, backend)
    return compile_kernel(f.differentiate(what, order), f.variables, backend)
