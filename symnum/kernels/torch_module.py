"""``TorchModule``: a function with learnable parameters as a ``torch.nn.Module``.

Each parameter symbol is a scalar ``nn.Parameter`` (an attribute of the module, so optimizers,
``state_dict`` and ``.to(device)`` see it); ``forward`` takes the inputs (one tensor per input
variable, or one tensor whose last dimension holds them) and returns f per sample: the batch
shape for a scalar f, batch + (m,) for a list of m expressions. Gradients come from
:func:`symnum.kernels.torch_op.torch_function`: the exact symbolic derivatives, to any order.

>>> import torch
>>> model = TorchModule("[a*x + b, log(1 + exp(a*x))]", inputs="x", params={"a": 1.0, "b": 0.0})
>>> model(torch.tensor([0.0, 2.0])).tolist()
[[0.0, 0.6931471805599453], [2.0, 2.1269280110429727]]
>>> sorted(name for name, _ in model.named_parameters())
['a', 'b']
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import torch

from ..core.errors import EvaluationError, VariableError
from ..core.function import ExprLike
from ..core.parse import check_name, split_names
from .torch_op import torch_function


class TorchModule(torch.nn.Module):
    """f(inputs; params) with ``params`` learnable. ``params``: a mapping name → initial
    value, or names (initial values drawn from N(0, ``init_scale``²) with torch's generator,
    so ``torch.manual_seed`` fixes them). ``dtype``: the parameters' dtype (f is evaluated in
    float64 either way; the output takes the inputs' and parameters' floating dtype).

    >>> import torch
    >>> line = TorchModule("a*x + b", inputs="x", params={"a": 2.0, "b": 1.0})
    >>> line(torch.tensor([0.0, 1.0], dtype=torch.float64)).tolist()
    [1.0, 3.0]
    """

    def __init__(self, expr: ExprLike, inputs: str | Sequence[str],
                 params: Mapping[str, float] | str | Sequence[str],
                 dtype: torch.dtype = torch.float64, init_scale: float = 0.1):
        super().__init__()
        names = split_names(inputs) if isinstance(inputs, str) else \
            [check_name(str(n)) for n in inputs]
        if isinstance(params, Mapping):
            start = {check_name(str(k)): float(v) for k, v in params.items()}
        else:
            listed = split_names(params) if isinstance(params, str) else \
                [check_name(str(n)) for n in params]
            start = {n: float(torch.randn(()) * init_scale) for n in listed}
        if not start:
            raise VariableError("TorchModule needs at least one parameter to learn (params=)")
        for name in start:
            if name in names:
                raise VariableError(f"{name} is both an input and a parameter: list it in one")
            if hasattr(torch.nn.Module, name) or name in ("op", "input_names"):
                raise VariableError(f"a parameter cannot be named {name!r} (an attribute of "
                                    "torch.nn.Module): rename it")
        self.op = torch_function(expr, wrt=list(start) + names)
        self.input_names = tuple(names)
        for name, value in start.items():
            self.register_parameter(name, torch.nn.Parameter(torch.tensor(value, dtype=dtype)))

    def forward(self, *inputs: torch.Tensor, **named: torch.Tensor) -> torch.Tensor:
        """f per sample: one tensor per input (broadcast together), by position or name, or
        one tensor whose last dimension holds all the inputs."""
        n = len(self.input_names)
        if named:
            unknown = sorted(set(named) - set(self.input_names[len(inputs):]))
            if unknown:
                raise EvaluationError(f"unknown input(s) {', '.join(unknown)}")
            inputs = inputs + tuple(named[k] for k in self.input_names[len(inputs):]
                                    if k in named)
        if len(inputs) == 1 and n > 1 and isinstance(inputs[0], torch.Tensor) and \
                inputs[0].shape[-1:] == (n,):
            inputs = tuple(inputs[0].unbind(-1))
        if len(inputs) != n:
            raise EvaluationError(f"expected {n} input(s) ({', '.join(self.input_names)}) or "
                                  f"one tensor whose last dimension is {n}; got {len(inputs)}")
        params = [getattr(self, p.name) for p in self.op.variables[:len(self.op.variables) - n]]
        return self.op(*params, *inputs)

    def extra_repr(self) -> str:
        n = len(self.op.variables) - len(self.input_names)
        params = ",".join(p.name for p in self.op.variables[:n])
        return f"{self.op.function.source!r}, inputs={','.join(self.input_names)!r}, " \
               f"params={params!r}"
