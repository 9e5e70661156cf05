"""Results and expressions → batched numpy / torch callables.

A kernel takes one array per variable (they broadcast against each other) and returns an
array of shape ``batch + result shape``; constant entries are broadcast to the batch too.

>>> import numpy as np
>>> k = kernel("x**2*y", wrt="x,y", what="gradient")
>>> k(np.array([1.0, 2.0]), 3.0).tolist()
[[6.0, 1.0], [12.0, 4.0]]
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from typing import TYPE_CHECKING

import sympy

from ..core.calculus import Result
from ..core.errors import EvaluationError, ShapeError, SymnumError
from ..core.function import ExprLike, Function, WrtLike, as_function
from ..core.logistic import to_exponentials
from .assembly import Arrays, Rows, Stacked, layout_for
from .dask_arrays import dask_call, holds_dask
from .fused import Fused
from .graph_program import graph_program
from .inputs import as_array
from .jax_kernel import as_jax_array, require_jax, run_jax
from .native_nodes import NotNative
from .one_point import compiled, floats, run, worth_compiling
from .one_point_c import CFunction
from .params import ParamsLike, check_complete, check_real_constants, resolve_params
from .program import WORKSPACE_MIN_SIZE, Program
from .stable import stabilize
from .threads import busy, one_thread
from .workspace import Workspace

if TYPE_CHECKING:
    from ..core.dag.graph import Graph

BACKENDS = ("numpy", "torch", "jax")
_SWAP = threading.Lock()  # a call takes a kernel's workspace and leaves a new one in one step
STABLE_EXPAND_MAX_OPS = 20_000  # larger results keep their definitions as they are


class Kernel:
    """A compiled callable: ``kernel(*arrays)`` or ``kernel(x=..., y=...)``; ``out=`` names a
    contiguous array of the result's shape and dtype to write into instead of a new one.

    A kernel keeps the scratch arrays of its last big batch for the next call (a fresh array
    of a million values costs as much as the arithmetic in it); :meth:`clear` drops them.
    A Hessian whose off-diagonal entries are c·uᵢ·uⱼ (log-sum-exp, norms, g(Σ hᵢ(xᵢ))) is
    computed as 2n + 1 values and one batched outer product (:mod:`symnum.kernels.assembly`).
    ``compile=True`` (torch only) runs the program as one ``torch.compile``'d function
    (:mod:`symnum.kernels.fused`), except when an input needs gradients. ``native=True``: outputs
    and definitions are symengine objects (a large result's own form, :mod:`symnum.core.fast`).
    """

    def __init__(self, outputs: Sequence[sympy.Basic], variables: Sequence[sympy.Symbol],
                 shape: tuple[int, ...], backend: str = "numpy",
                 definitions: Sequence[tuple[sympy.Symbol, sympy.Basic]] = (),
                 complex_input: bool = False, compile: bool = False, native: bool = False,
                 graph: tuple[Graph, Sequence[int]] | None = None):
        if backend not in BACKENDS:
            raise SymnumError(f"unknown backend {backend!r}: choose numpy, torch or jax")
        if backend == "jax":
            require_jax()
        if compile and backend != "torch":
            raise SymnumError("compile=True needs backend='torch'")
        self.variables = tuple(variables)
        self.shape = shape
        self.backend = backend
        self.complex_input = complex_input
        self.layout = layout_for(outputs, shape)  # symengine outputs (native) stay stacked
        if graph is not None:  # outputs are graph nodes; graph[1]: the variables' nodes
            self.program = graph_program(graph[0], self.layout.outputs, graph[1], backend,
                                         [v.name for v in self.variables])
        else:
            self.program = Program(self.layout.outputs, self.variables, backend, definitions,
                                   native)
        self._workspace = Workspace()
        self.fused = Fused(self._whole_into) if compile else None
        self.target: Result | sympy.Basic | None = None  # what compile_kernel was given
        self._one_point: object = None  # the compiled one-point function, built on first use
        self._scalar_calls = 0
        self._fast: Callable[[tuple], object] | None = None  # C from a tuple of floats

    def _whole_into(self, target: object, *arrays: object) -> object:
        """The whole result for the inputs written into ``target``, in one function (what
        :class:`Fused` compiles: inductor then stores into that array, not a fresh one)."""
        values = self.program.run(*arrays)
        return target.copy_(self._assemble(values, self._batch_shape(list(arrays)),
                                           device=_device(arrays)))

    def __call__(self, *args: object, out: object = None, **named: object) -> object:
        if self._fast is not None and out is None and not named:
            found = self._fast(args)  # floats only, read in C: None for anything else
            if found is not None:
                return found
        if named:
            args = args + tuple(by_name(self.variables[len(args):], named))
        self.program.check_count(args)
        if holds_dask(args):  # a lazy Dask array back, block by block
            return dask_call(self, args, out)
        if out is None and not self.complex_input and self.backend != "jax":
            point = floats(args)
            if point is not None:
                found = self._at_one_point(point)
                if found is not None:
                    return found
        arrays = [self._as_array(a, v.name) for a, v in zip(args, self.variables, strict=True)]
        if self.backend == "jax":
            return run_jax(self.program, self.layout, arrays, self.complex_input, out)
        # not broadcast up front: a grid given as a column and a row evaluates the functions
        # of x on the column alone; results are broadcast to the batch when assembled
        batch = self._batch_shape(arrays)
        if self.backend == "torch":
            import torch
            if any(a.requires_grad for a in arrays):  # autograd needs every value kept
                return self._assemble(self.program.run(*arrays), batch, out, _device(arrays))
            with torch.no_grad():  # nothing to record: steps may write in place
                return self._without_autograd(arrays, batch, out)
        return self._without_autograd(arrays, batch, out)

    def _at_one_point(self, point: list[float]) -> object | None:
        """The result at one point of Python floats from the compiled straight-line function
        (:mod:`symnum.kernels.one_point`), or None where the batched path must answer."""
        if self._one_point is None:
            self._scalar_calls += 1
            if self._scalar_calls < worth_compiling(self.program):
                return None  # a big program called once: compiling would cost more
            self._one_point = compiled(self.program) or False
            self._fast = self._fast_path()
        values = run(self._one_point, point) if self._one_point else None
        if values is None:
            return None
        if isinstance(self.layout, Stacked):
            import numpy as np
            flat = np.asarray(self.layout.expand(values), dtype=float)  # C's array, or a list
            if self.backend == "torch":
                import torch
                return torch.from_numpy(flat).reshape(self.shape)
            return flat.reshape(self.shape)
        return self._assemble(list(values), (), eager=True)

    def _fast_path(self) -> Callable[[tuple], object] | None:
        """The compiled C's call on a tuple of floats, for a result stacked in order."""
        if not isinstance(self._one_point, CFunction) or type(self.layout) is not Stacked:
            return None
        if self.backend == "torch":
            import torch
            return self._one_point.caller(self.shape, torch.from_numpy)
        return self._one_point.caller(self.shape)

    def _without_autograd(self, arrays: list, batch: tuple[int, ...], out: object) -> object:
        """The fused function, or the program writing into the workspace's arrays."""
        if self.fused is not None and arrays:
            self.program.check_count(arrays)
            device = _device(arrays)
            target = self._checked_out(out, batch) if out is not None else \
                self._arrays(device, eager=True).new(batch + self.shape)
            return self.fused(target, *arrays)
        # taken while running: a call from another thread at the same time gets a new one
        # (under a lock: two threads that both read the old one would share its arrays)
        with _SWAP:
            workspace, self._workspace = self._workspace, Workspace()
        try:
            big = math.prod(batch) >= WORKSPACE_MIN_SIZE
            device = _device(arrays)
            with one_thread() if getattr(device, "type", None) == "cpu" and \
                    busy() else nullcontext():
                # outputs written straight into the rows of the result's scratch, if it has
                own = self._arrays(device, True, workspace)
                rows = self.layout.rows(batch, own) if isinstance(self.layout, Stacked) \
                    else None
                values, scratch = self.program.execute(
                    arrays, workspace if big else None,
                    rows.targets(self.program.outputs) if rows is not None else None)
                result = self._assemble(values, batch, out, device, eager=True, arrays=own,
                                        rows=rows)
            for array in scratch:
                workspace.give(array)
            return result
        finally:
            self._workspace = workspace

    @property
    def computes(self) -> str:
        """What the kernel computes, in words and Unicode math."""
        from ..steps.render import inline
        target = self.target
        if isinstance(target, Result):
            what = getattr(target, "noun", None) or (
                target.kind if target.order == 1 else f"derivative of order {target.order}")
            return f"the {what} of f = {_short(inline(target.function.expr))}"
        if target is None:
            return "a compiled program"
        return f"f = {_short(inline(target))}" if not isinstance(target, sympy.MatrixBase) \
            else "f = [" + ", ".join(_short(inline(e), 60) for e in target) + "]"

    def text(self) -> str:
        """What the kernel computes, its inputs and its output, in a few lines."""
        dtype, arrays = self._kinds()
        lines = [f"kernel: {self.computes}"]
        for role, names in self._inputs().items():
            lines.append(f"{role}: {', '.join(names)} ({self.backend} {dtype} {arrays}s or "
                         "numbers, broadcast together)")
        return "\n".join(lines + [f"output: {self.backend} {dtype} {arrays}, shape "
                                  f"{self._out()}"
                                  + (" (torch.compile)" if self.fused is not None else "")])

    def _inputs(self) -> dict[str, list[str]]:
        """Argument names in order, by role: differentiated variables, then parameters."""
        differentiated = set(getattr(self.target, "inputs", self.target.variables)) \
            if isinstance(self.target, Result) else set(self.variables)
        roles: dict[str, list[str]] = {}
        for v in self.variables:
            role = "inputs" if v in differentiated else "parameters (held constant)"
            roles.setdefault(role, []).append(v.name)
        return roles

    def _kinds(self) -> tuple[str, str]:
        return ("complex128" if self.complex_input else "float64",
                "tensor" if self.backend == "torch" else "array")

    def _out(self) -> str:
        return "batch shape" + (f" + {self.shape}" if self.shape else "")

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, str]:
        """Jupyter's display: what it computes, then a table of inputs and output."""
        from ..core.display import bundle, html_table, paragraph
        dtype, arrays = self._kinds()
        rows = [[name, role.split(" ")[0].rstrip("s"), f"{dtype} {arrays} or number",
                 "broadcast with the others"]
                for role, names in self._inputs().items() for name in names]
        rows.append(["(result)", "output", f"{dtype} {arrays}", self._out()])
        html = (paragraph(f"kernel ({self.backend}"
                          + (", torch.compile" if self.fused is not None else "")
                          + f"): {self.computes}")
                + html_table(["argument", "role", "type", "shape"], rows))
        return bundle(self.text(), {"text/html": html}, include, exclude)

    def __repr__(self) -> str:
        return f"<Kernel {self.backend}: {self.computes}>"

    def clear(self) -> None:
        """Drop the scratch arrays kept from earlier calls."""
        self._workspace = Workspace()

    def _as_array(self, value: object, name: str) -> object:
        """A variable's value as the backend's array, or an EvaluationError saying what a
        kernel takes (:mod:`symnum.kernels.inputs`)."""
        if self.backend == "jax":
            return as_jax_array(value, name, self.complex_input)
        return as_array(value, name, self.backend, self.complex_input)

    def _batch_shape(self, arrays: list) -> tuple[int, ...]:
        """The shape the inputs broadcast to, or an EvaluationError naming their shapes."""
        shapes = [tuple(a.shape) for a in arrays]
        if self.backend == "torch":
            import torch
            broadcast, failure = torch.broadcast_shapes, RuntimeError
        else:
            import numpy as np
            broadcast, failure = np.broadcast_shapes, ValueError
        try:
            return tuple(broadcast(*shapes))
        except failure:
            raise EvaluationError("the inputs' shapes do not broadcast together: " +
                                  ", ".join(str(s) for s in shapes)) from None

    def _assemble(self, values: list, batch: tuple[int, ...], out: object = None,
                  device: object = None, eager: bool = False, arrays: Arrays | None = None,
                  rows: Rows | None = None) -> object:
        """The result array from the output values (constants broadcast to the batch, on
        the inputs' device); ``eager``: no autograd or tracing, new arrays may take out=;
        ``arrays``: the call's arrays (with its scratch pool); ``rows``: the rows the program
        wrote outputs into (:meth:`Stacked.rows`)."""
        checked = None if out is None else self._checked_out(out, batch)
        arrays = arrays or self._arrays(device, eager)
        if rows is None:
            result = self.layout.assemble(values, batch, arrays, checked)
        else:
            result = self.layout.assemble(values, batch, arrays, checked, rows=rows)
        arrays.give_back()
        return result

    def _arrays(self, device: object, eager: bool, scratch: Workspace | None = None
                ) -> Arrays:
        if self.backend == "torch":
            import torch
            dtype = torch.complex128 if self.complex_input else torch.float64
            return Arrays(True, dtype, device, eager, scratch)
        return Arrays(False, complex if self.complex_input else float, None, True, scratch)

    def _checked_out(self, out: object, batch: tuple[int, ...]) -> object:
        """``out`` when it can hold the result in place, else an EvaluationError."""
        shape = batch + self.shape
        contiguous = out.is_contiguous() if hasattr(out, "is_contiguous") else \
            getattr(getattr(out, "flags", None), "c_contiguous", False)
        wanted = self._as_array(0.0, "out").dtype
        if tuple(getattr(out, "shape", ())) != shape or getattr(out, "dtype", None) != wanted \
                or not contiguous:
            raise EvaluationError(f"out must be a contiguous {self.backend} array of shape "
                                  f"{shape} and dtype {wanted}")
        return out


def _short(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _device(arrays: Sequence[object]) -> object:
    """The torch device of the inputs (None for numpy or no inputs)."""
    return getattr(arrays[0], "device", None) if arrays else None


def compile_kernel(target: Result | sympy.Basic, variables: Sequence[sympy.Symbol],
                   backend: str = "numpy", complex_input: bool = False,
                   compile: bool = False) -> Kernel:
    """A kernel for a Result (with its definitions) or for a plain expression / vector
    (:func:`_compile`), which remembers what it computes."""
    on_graph = getattr(target, "graph", None) is not None  # rational constants only
    if not complex_input and not on_graph:  # a result's constants are its function's
        check_real_constants(target.function.outputs if isinstance(target, Result) else
                             list(target) if isinstance(target, sympy.MatrixBase) else [target])
    k = _compile(target, variables, backend, complex_input, compile)
    k.target = target
    return k


def _compile(target: Result | sympy.Basic, variables: Sequence[sympy.Symbol],
             backend: str, complex_input: bool, compile: bool) -> Kernel:
    """A kernel for a Result (with its definitions) or for a plain expression / vector.

    Sums of exponentials are evaluated in shifted, overflow-safe form
    (:mod:`symnum.kernels.stable`);
    the program shares repeated subexpressions, so expanding definitions costs no
    re-computation.
    """
    if isinstance(target, Result):
        if getattr(target, "graph", None) is not None and \
                [v.name for v in variables] == [target.graph.data[n] for n in target.graph_inputs]:
            return Kernel(target.graph_entries, variables, target.shape, backend,
                          complex_input=complex_input, compile=compile,
                          graph=(target.graph, target.graph_inputs))
        native = _native_kernel(target, variables, backend, complex_input, compile)
        if native is not None:
            return native
        if target.definitions and target.expr_ops() > STABLE_EXPAND_MAX_OPS:
            return Kernel([to_exponentials(e) for e in target.entries()], variables,
                          target.shape, backend, [(n, to_exponentials(v)) for n, v in
                                                  target.definitions], complex_input, compile)
        entries = [stabilize(e) for e in target.expanded()]
        return Kernel(entries, variables, target.shape, backend, complex_input=complex_input,
                      compile=compile)
    if isinstance(target, sympy.MatrixBase):
        return Kernel([stabilize(e) for e in target], variables, (len(target),), backend,
                      complex_input=complex_input, compile=compile)
    return Kernel([stabilize(target)], variables, (), backend, complex_input=complex_input,
                  compile=compile)


def _native_kernel(target: Result, variables: Sequence[sympy.Symbol], backend: str,
                   complex_input: bool, compile: bool) -> Kernel | None:
    """A kernel straight from a large result's symengine form (no SymPy objects built), or
    None where that does not apply: small results (expanded and made stable instead), a
    symbol without a value, a node the reader does not know."""
    native = getattr(target, "native", None)
    if native is None or target.expr_ops() <= STABLE_EXPAND_MAX_OPS:
        return None
    inputs = native.inputs_for(list(variables))
    if inputs is None:
        return None
    try:
        k = Kernel(native.entries, inputs, target.shape, backend, native.definitions,
                   complex_input, compile, native=True)
    except NotNative:
        return None
    k.variables = tuple(variables)  # named as the user named them (keyword arguments)
    return k


def kernel(expr: ExprLike | Function | Result, wrt: WrtLike = None, what: str | None = None,
           backend: str = "numpy", order: int = 1, compile: bool = False,
           params: ParamsLike = None) -> Kernel:
    """A batched callable for a derivative of ``expr`` (``what="value"``: the function itself),
    or for a result already derived (then ``wrt``, ``what`` and ``order`` are its own).
    ``backend``: "numpy", "torch" or "jax" (:mod:`symnum.kernels.jax_kernel`).
    ``compile=True`` fuses a torch kernel with ``torch.compile`` (needs a C++ compiler; the
    first call compiles).

    ``params``: symbols held constant (not differentiated), taken as extra array arguments
    after the variables and broadcast with them; a symbol that is neither in ``wrt`` nor in
    ``params`` is an EvaluationError naming it.

    >>> import symnum
    >>> kernel(symnum.derive("x**2*y", wrt="x,y"))(3.0, 2.0).tolist()
    [12.0, 9.0]
    >>> k = kernel("log(1 + exp(-y*w*x))", wrt="w", params="x, y")  # k(w, x, y)
    >>> round(float(k(0.0, 2.0, 1.0)), 6)
    -1.0
    """
    if isinstance(expr, Result) and getattr(expr, "graph", None) is not None \
            and params is None and expr.graph_complete:  # type: ignore[attr-defined]
        variables = [sympy.Symbol(name, real=True) for name in expr.function.wrt]
        return compile_kernel(expr, variables, backend, compile=compile)
    if isinstance(expr, Result):
        extra = resolve_params(expr.function.expr, expr.variables, params)
        check_complete(expr.function.expr, expr.variables + extra)
        return compile_kernel(expr, expr.variables + extra, backend, compile=compile)
    f = as_function(expr, wrt)
    if f.is_matrix_calculus:
        raise ShapeError("kernels of matrix notation take the declared shapes: call "
                         "symnum.kernel(expr, wrt=..., shapes={...})")
    extra = resolve_params(f.expr, f.variables, params)
    check_complete(f.expr, f.variables + extra)
    if what == "value":
        return compile_kernel(f.expr, f.variables + extra, backend, compile=compile)
    return compile_kernel(f.differentiate(what, order), f.variables + extra, backend,
                          compile=compile)


def by_name(symbols: Sequence[sympy.Symbol], named: dict) -> list[object]:
    """The values of ``named`` (keyword arguments) in the order of ``symbols``."""
    names = [s.name for s in symbols]
    unknown = sorted(set(named) - set(names))
    if unknown:
        raise EvaluationError(f"unknown variable(s) {', '.join(unknown)}")
    try:
        return [named[n] for n in names]
    except KeyError as err:
        raise EvaluationError(f"no value given for {err.args[0]}") from None
