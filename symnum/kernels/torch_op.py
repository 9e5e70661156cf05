"""``torch_function``: f as a torch operation whose backward is the exact symbolic gradient.

One ``torch.autograd.Function`` per order of derivative, each a kernel of exact results
(:mod:`symnum.kernels.build`):

- the forward pass evaluates f (stable forms: no overflow in log-sum-exp at 1000);
- its backward pass multiplies the incoming gradient by the exact Jacobian (the gradient of a
  scalar f), computed by the same autograd Function one order up, so the backward pass is
  itself differentiable;
- that one's backward contracts with the exact second derivatives (the Hessian of a scalar
  f): double backward is the exact Hessian-vector product; and so on for higher orders.

Each order is derived and compiled on first use. Inputs broadcast against each other (leading
batch dimensions: one value per sample); parameters (``params``) are held constant: they are
extra tensor arguments without a gradient. Evaluation runs in float64 on the inputs' device
(CPU, CUDA or meta, as the tensors are) and the result takes the inputs' floating dtype.

>>> import torch
>>> f = torch_function("log(exp(x) + exp(y))", wrt="x,y")
>>> x = torch.tensor([0.0, 1000.0], dtype=torch.float64, requires_grad=True)
>>> y = torch.zeros(2, dtype=torch.float64, requires_grad=True)
>>> f(x, y).sum().backward()
>>> x.grad.tolist()
[0.5, 1.0]
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import sympy
import torch

from ..core.calculus import partial
from ..core.errors import EvaluationError, LimitError, ShapeError, SymnumError
from ..core.function import ExprLike, Function, WrtLike, as_function
from .build import Kernel, by_name, compile_kernel
from .params import ParamsLike, check_complete, resolve_params

MAX_ENTRIES = 20_000  # derivative entries of one order a torch_function compiles


class TorchFunction:
    """f (a scalar or a list of expressions) as a differentiable torch callable:
    ``op(*variables, *params)`` or by name. A scalar f gives one value per sample (the batch
    shape); a vector f of m entries gives batch shape + (m,).

    >>> import torch
    >>> op = TorchFunction("[x*y, x + y]", wrt="x,y")
    >>> op(torch.tensor([2.0]), torch.tensor([3.0])).tolist()
    [[6.0, 5.0]]
    """

    def __init__(self, expr: ExprLike | Function, wrt: WrtLike = None,
                 params: ParamsLike = None):
        f = as_function(expr, wrt)
        if f.is_matrix_calculus:
            raise ShapeError("torch_function takes scalar variables: write the matrix "
                             "entries out as names (w11, w12, ...)")
        if not f.variables:
            raise EvaluationError("torch_function needs at least one variable (wrt)")
        self.function = f
        self.variables = f.variables
        self.params = resolve_params(f.expr, f.variables, params)
        self.inputs = self.variables + self.params
        check_complete(f.expr, self.inputs)
        self.vector = f.is_vector
        self.outputs = list(f.outputs)
        self._levels: dict[int, Kernel | list[Kernel]] = {}
        self._levels[0] = self._level(0)  # f compiles now; derivatives on first use

    def __call__(self, *args: object, **named: object) -> torch.Tensor:
        if named:
            args = args + tuple(by_name(self.inputs[len(args):], named))
        if len(args) != len(self.inputs):
            names = ", ".join(s.name for s in self.inputs)
            raise EvaluationError(f"expected {len(self.inputs)} values ({names}), got {len(args)}")
        tensors = _tensors(args, self.inputs)
        try:
            torch.broadcast_shapes(*(t.shape for t in tensors))
        except RuntimeError:
            shapes = ", ".join(f"{s.name} {tuple(t.shape)}"
                               for s, t in zip(self.inputs, tensors, strict=True))
            raise EvaluationError(f"the inputs' shapes do not broadcast together: {shapes}") \
                from None
        for t, p in zip(tensors[len(self.variables):], self.params, strict=True):
            if t.requires_grad:
                raise EvaluationError(f"{p.name} is a parameter (held constant): it gets no "
                                      f"gradient; list it in wrt to differentiate it")
        dtype = _result_dtype([a for a in args if isinstance(a, torch.Tensor)])
        out = _Level.apply(self, 0, *tensors)
        out = out if self.vector else out[..., 0]
        return out if out.dtype == dtype else out.to(dtype)

    def derivatives(self, order: int, *inputs: torch.Tensor) -> torch.Tensor:
        """The exact derivatives of every entry of f of the given order (0: f itself), on
        float64 inputs without autograd: batch shape + (m,) + (n,) * order."""
        if order not in self._levels:
            self._levels[order] = self._level(order)
        k = self._levels[order]
        if isinstance(k, list):  # Hessians, one kernel per entry of f
            return torch.stack([h(*inputs) for h in k], dim=-3)
        batch = torch.broadcast_shapes(*(t.shape for t in inputs))
        return k(*inputs).reshape(*batch, len(self.outputs), *(len(self.variables),) * order)

    def _level(self, order: int) -> Kernel | list[Kernel]:
        """The kernel(s) of one order: f; its Jacobian and Hessians as derived results (shared
        subexpressions); higher orders from SymPy's diff, each distinct entry once."""
        n, m = len(self.variables), len(self.outputs)
        if m * n**order > MAX_ENTRIES:
            raise LimitError(f"the derivatives of order {order} of f have {m * n**order} "
                             f"entries (more than {MAX_ENTRIES}): differentiate fewer times")
        variables = list(self.variables)
        if order == 0:
            return compile_kernel(sympy.ImmutableMatrix(self.outputs), self.inputs, "torch")
        if order == 1:
            f = Function(sympy.ImmutableMatrix(self.outputs), wrt=variables)
            return compile_kernel(f.differentiate("jacobian"), self.inputs, "torch")
        if order == 2:
            return [compile_kernel(Function(e, wrt=variables).differentiate("hessian"),
                                   self.inputs, "torch") for e in self.outputs]
        found: dict[tuple, sympy.Expr] = {}
        entries = []
        for e in self.outputs:
            for index in itertools.product(range(n), repeat=order):
                key = (id(e), tuple(sorted(index)))
                if key not in found:
                    found[key] = partial(e, *(variables[i] for i in key[1]))
                entries.append(found[key])
        return compile_kernel(sympy.ImmutableMatrix(entries), self.inputs, "torch")

    def __repr__(self) -> str:
        names = ", ".join(v.name for v in self.variables)
        extra = f"; params {', '.join(p.name for p in self.params)}" if self.params else ""
        return f"torch_function({self.function.source!r}, wrt=({names}){extra})"


def torch_function(expr: ExprLike | Function, wrt: WrtLike = None,
                   params: ParamsLike = None, **unknown: object) -> TorchFunction:
    """A torch callable for ``expr`` whose backward pass is the exact gradient and whose
    double backward is the exact Hessian-vector product (see the module docstring).

    >>> import torch
    >>> loss = torch_function("log(1 + exp(-y*w*x))", wrt="w", params="x, y")
    >>> w = torch.tensor(0.0, dtype=torch.float64, requires_grad=True)
    >>> loss(w, torch.tensor([2.0, -1.0]), torch.tensor([1.0, 1.0])).sum().backward()
    >>> w.grad.item()
    -0.5
    """
    if unknown:  # what=, backend=: a torch_function is always f, with exact backward passes
        raise SymnumError(f"torch_function takes expr, wrt and params; not "
                          f"{', '.join(sorted(unknown))} (its forward pass is f, its backward "
                          "the exact gradient; for a kernel of a derivative use symnum.kernel)")
    return TorchFunction(expr, wrt, params)


def _tensors(args: Sequence[object], symbols: Sequence[sympy.Symbol]) -> list[torch.Tensor]:
    """Tensors as given (floating ones keep their autograd history); numbers and arrays
    become float64 tensors on the device of the first tensor."""
    device = next((a.device for a in args if isinstance(a, torch.Tensor)), None)
    out = []
    for a, s in zip(args, symbols, strict=True):
        if isinstance(a, torch.Tensor):
            if a.is_complex():
                raise EvaluationError(f"{s.name}: got a complex tensor; torch_function "
                                      "computes with real numbers")
            out.append(a)
        else:
            from .inputs import as_array
            out.append(as_array(a, s.name, "torch").to(device or "cpu"))
    return out


def _result_dtype(tensors: Sequence[torch.Tensor]) -> torch.dtype:
    """The given tensors' floating dtype (float32 stays float32; numbers do not count);
    float64 when none is floating."""
    floating = [t.dtype for t in tensors if t.is_floating_point()]
    if not floating:
        return torch.float64
    dtype = floating[0]
    for d in floating[1:]:
        dtype = torch.promote_types(dtype, d)
    return dtype


def _to_inputs(total: torch.Tensor, inputs: Sequence[torch.Tensor], count: int,
               needs: Sequence[bool]) -> list[torch.Tensor | None]:
    """Per differentiated input, its column of ``total`` (batch + (n,)) summed over the
    dimensions it was broadcast along; None where no gradient is needed."""
    grads: list[torch.Tensor | None] = []
    for j, t in enumerate(inputs):
        if j >= count or not needs[j]:
            grads.append(None)
            continue
        column = total[..., j]
        grads.append(column.sum_to_size(t.shape) if column.shape != t.shape else column)
    return grads


class _Level(torch.autograd.Function):
    """The exact derivatives of one order (0: f itself); backward: the incoming gradient
    contracted with the next order's derivatives, themselves a :class:`_Level`, so every
    backward pass is differentiable again and exact."""

    @staticmethod
    def forward(ctx, op: TorchFunction, order: int, *inputs: torch.Tensor) -> torch.Tensor:
        ctx.op, ctx.order = op, order
        ctx.save_for_backward(*inputs)
        return op.derivatives(order, *[t.detach() for t in inputs])

    @staticmethod
    def backward(ctx, g: torch.Tensor):
        op, order, inputs = ctx.op, ctx.order, ctx.saved_tensors
        following = _Level.apply(op, order + 1, *inputs)  # batch + (m,) + (n,) * (order + 1)
        total = (g.unsqueeze(-1) * following).sum(dim=tuple(range(-order - 2, -1)))
        return (None, None, *_to_inputs(total, inputs, len(op.variables),
                                        ctx.needs_input_grad[2:]))
