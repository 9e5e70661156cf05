"""A matrix result as one Python function of arrays, in matrix code (never components).

:func:`matrix_code` writes the source of ``NAME(*arrays)``: one array per matrix or vector
(its declared dimensions last, leading batch dimensions broadcast together), then the scalar
parameters. The sizes of symbolic dimensions are read from the arrays and checked against
each other; inside, vectors are columns (..., n, 1); the body is :mod:`symnum.matrix.array_code`'s
lines; the result comes back in the layout of ``torch.autograd.functional.jacobian``: batch +
output shape + input shape (vectors 1-d), so a gradient has the variable's shape, a Jacobian
of F (m, n) with respect to X (p, q) is (m, n, p, q) (:mod:`symnum.matrix.vec_tensor`). The
text imports only its backend: :class:`~symnum.matrix.kernel.MatrixKernel` executes it, and
``symnum export`` writes it out.

>>> import symnum, numpy as np
>>> r = symnum.derive("x.T*A*x", wrt="x", shapes={"A": "n,n", "x": "n"})
>>> code = matrix_code(r, "numpy", ["A", "x"], [])
>>> space = {}; exec(code.source, space)
>>> space["f"](np.array([[1.0, 2.0], [0.0, 3.0]]), np.array([1.0, 1.0])).tolist()
[4.0, 8.0]
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass

import sympy
from sympy.matrices.expressions.matexpr import MatrixExpr

from .array_code import ArrayCode
from .array_ops import IMPORTS, used
from .result import MatrixResult

_RESERVED = {"np", "torch", "jax", "jnp", "math", "batch", "scipy"}


@dataclass(frozen=True)
class MatrixCode:
    """The source of one function of arrays computing a matrix result."""

    backend: str
    name: str
    params: tuple[str, ...]  # Python parameter names, in the order of ``names``
    names: tuple[str, ...]  # the matrices', then the scalar parameters' own names
    shape: tuple[str, ...]  # the result's shape after the batch, as source (sizes by name)
    source: str  # imports, helpers, the function
    steps: int  # lines of the body

    def function(self) -> object:
        """The function, compiled from the source in a fresh namespace."""
        space: dict[str, object] = {}
        exec(compile(self.source, f"<symnum matrix code {self.name}>", "exec"), space)
        return space[self.name]


def matrix_code(result: MatrixResult, backend: str, matrices: list[str],
                scalars: list[str], name: str = "f", convert: str | None = None,
                helpers: dict[str, str] | None = None, doc: str = "", into: bool = False
                ) -> MatrixCode:
    """The source of ``name(*matrices, *scalars)`` for ``result`` (see the module docstring).
    ``convert`` (a template of the argument, "{0}") turns each argument into a float64 array
    first, with ``helpers`` the definitions it calls; without it the arguments are arrays.
    ``into``: a last parameter ``out``, a contiguous array of the result's shape the result
    is written into (its last product computed there, no new array)."""
    f = result.function
    shapes = {n: tuple(f.shapes[n]) for n in matrices}
    params = _python_names(matrices + scalars)
    dims: dict[sympy.Symbol, str] = {}
    taken = set(params)
    for n in matrices:
        for d in shapes[n]:
            if isinstance(d, sympy.Symbol) and d not in dims:
                dims[d] = d.name if d.name not in taken and d.name.isidentifier() \
                    and not keyword.iskeyword(d.name) else f"size_{len(dims)}"
                taken.add(dims[d])
    lines: list[str] = [f"{p} = {convert.format(p)}" for p in params] if convert else []
    lines += _checks(matrices, params, shapes, dims)
    arrays = params[:len(matrices)]
    leading = [f"{p}.shape[:{-len(shapes[n])}]" for n, p in zip(matrices, arrays, strict=True)]
    leading += [f"tuple({p}.shape)" for p in params[len(matrices):]]
    lines.append(f"batch = _batch({', '.join(leading)})")
    lines += [f"{p} = {p}[..., None]" for n, p in zip(matrices, arrays, strict=True)
              if len(shapes[n]) == 1]
    lines += [f"{p} = {p}[..., None, None]" for p in params[len(matrices):]]
    code = ArrayCode(backend, dict(zip(matrices, arrays, strict=True)), dims,
                     dict(zip(scalars, params[len(matrices):], strict=True)))
    out, rank, shape, inner = _output(result, code)
    body = code.pruned(out)
    done = [f"return _result({out}, batch, {rank}, {_tuple(shape)})"]
    if into:
        body, done = body[:-1], _into(body[-1], backend, done, inner)
    body += done
    if backend == "torch" and any("_device" in line for line in body):
        lines.append(f"_device = {arrays[0]}.device")
    if backend == "numpy":
        body = ['with np.errstate(all="ignore"):'] + [f"    {line}" for line in body]
    lines += body
    head = f"def {name}({', '.join(params + (['out=None'] if into else []))}):"
    text = "\n".join([head] + ([f'    """{doc}"""'] if doc else []) +
                     [f"    {line}" for line in lines]) + "\n"
    return MatrixCode(backend, name, tuple(params), tuple(matrices + scalars), tuple(shape),
                      _module(backend, text, helpers or {}), len(code.lines))


def _output(result: MatrixResult, code: ArrayCode) -> tuple[str, int, list[str]]:
    """(the name of the result's array, its rank after the batch, the shape it is given)."""
    from .vec_tensor import tensor
    x = result.variable
    f_expr = result.function.expr
    inputs = _dims(tuple(x.shape))
    if result.kind == "gradient":
        outputs: tuple = ()
    elif result.kind == "hessian":
        outputs = inputs
    else:
        outputs = _dims(tuple(f_expr.shape)) if isinstance(f_expr, MatrixExpr) else ()
    shape = [code.size(d) for d in outputs + inputs]
    four = result.kind != "gradient" and (tuple(x.shape)[1] != 1 or len(outputs) > 1)
    if not four:
        return code.value(result.expr), 2, shape, [code.size(d) for d in result.expr.shape]
    f_shape = tuple(x.shape) if result.kind == "hessian" else tuple(f_expr.shape)
    inner = [code.size(d) for d in f_shape + tuple(x.shape)]
    return tensor(code, result.expr, f_shape, tuple(x.shape)), 4, shape, inner


_OPERAND = re.compile(r"[\w.]+(\([\w, ]*\))?(\[[\w.,: ]*\])?")


def _into(last: str, backend: str, done: list[str], inner: list[str]) -> list[str]:
    """The lines that end the function: without ``out`` the last line and ``done``; with it
    the last line's product computed into ``out`` (a copy when the line is not a product)."""
    target, _, text = last.partition(" = ")
    view = f"out.{'view' if backend == 'torch' else 'reshape'}(batch + {_tuple(inner)})"
    lines = ["if out is None:", f"    {last}", *[f"    {line}" for line in done],
             f"_view = {view}"]
    parts = text.split(" * ")
    if len(parts) >= 2 and all(_OPERAND.fullmatch(p) for p in parts):
        mul = "np.multiply" if backend == "numpy" else "torch.mul"
        lines.append(f"{mul}({parts[0]}, {parts[1]}, out=_view)")
        lines += [f"_view *= {p}" for p in parts[2:]]
    else:
        lines += [last, f"_view[...] = {target}"]
    return lines + ["return out"]


def _dims(shape: tuple) -> tuple:
    """A matrix's dimensions as an array has them: a column vector 1-d."""
    return shape[:1] if sympy.sympify(shape[1]) == 1 else shape


def _tuple(items: list[str]) -> str:
    return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"


def _checks(matrices: list[str], params: list[str], shapes: dict, dims: dict) -> list[str]:
    """Lines that check each array's last dimensions and read the sizes (ValueError)."""
    lines: list[str] = []
    bound: dict[sympy.Symbol, str] = {}  # dimension → the array its size was read from
    for n, p in zip(matrices, params[:len(matrices)], strict=True):
        want = shapes[n]
        spelled = ", ".join(dims.get(d, str(d)) for d in want)
        lines.append(f"if {p}.ndim < {len(want)}:")
        lines.append(f"    raise ValueError('{n} must have shape (..., {spelled}), '")
        lines.append(f"                     'not ' + str(tuple({p}.shape)))")
        for k, d in enumerate(want):
            axis = k - len(want)
            if isinstance(d, sympy.Symbol) and d not in bound:
                lines.append(f"{dims[d]} = {p}.shape[{axis}]")
                bound[d] = n
                continue
            size = dims[d] if isinstance(d, sympy.Symbol) else str(int(d))
            why = f" with {size} = {{{size}}} as in {bound[d]}" if isinstance(d, sympy.Symbol) \
                else ""
            lines.append(f"if {p}.shape[{axis}] != {size}:")
            lines.append(f"    raise ValueError(f'{n} must have shape (..., {spelled}){why}, '")
            lines.append(f"                     'not ' + str(tuple({p}.shape)))")
    return lines


def _python_names(names: list[str]) -> list[str]:
    """Parameter names: the user's own where Python can use them."""
    out = []
    for i, n in enumerate(names):
        usable = n.isidentifier() and not keyword.iskeyword(n) and n not in _RESERVED and \
            not n.startswith("_") and n not in ("f", "batch")
        candidate = n if usable else f"arg{i}"
        out.append(candidate if candidate not in out else f"arg{i}")
    return out


def _module(backend: str, function: str, extra: dict[str, str]) -> str:
    """Imports, the helpers the function calls, the function."""
    from ..kernels.dialects import dialect, used_helpers
    d = dialect(backend)
    scalar_helpers = used_helpers(d, function)
    array_helpers = used(backend, function)
    own = [t.strip() for t in extra.values()]
    imports = list(dict.fromkeys(d.imports + IMPORTS[backend]))
    parts = ["\n".join(imports)] + own + [h.strip() for h in scalar_helpers] + \
        array_helpers + [function]
    return "\n\n\n".join(parts)

