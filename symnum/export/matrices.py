"""Exports of matrix notation: arrays of the declared shapes in, matrix code inside
(:func:`matrix_export`, any sizes, symbolic dimensions read from the arrays); what matrix
code cannot compute is exported in components (:func:`plan_for`), described below.

With ``--shape x=3 --shape A=3,3`` the exported function takes ``x`` as an array of shape
(..., 3) and ``A`` of shape (..., 3, 3) (leading batch dimensions broadcast together); inside,
each component is one input of the kernel's program (:func:`symnum.matrix.result.component_result`
names them x_1, A_1_2, ...), and a gradient with respect to a matrix comes out in the matrix's
layout. Every dimension must be a number.

>>> from symnum.core.function import Function
>>> plan = plan_for(Function("x.T*A*x", wrt="x", shapes={"x": (2,), "A": (2, 2)}), "gradient")
>>> plan.params, [s.name for s in plan.symbols][:3], plan.shape
(['x', 'A'], ['x_1', 'x_2', 'A_1_1'], (2,))
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import sympy

from ..core.calculus import Result
from ..core.errors import ShapeError, SymnumError
from ..core.function import Function
from ..matrix.array_function import MatrixCode, matrix_code
from ..matrix.result import MatrixResult, component_result
from .assembly import BACKENDS


@dataclass(frozen=True)
class MatrixExport:
    """A matrix result written as matrix code, and the arrays its function takes (in words)."""

    result: MatrixResult
    code: MatrixCode
    arrays: str


def matrix_export(f: Function, what: str | None, to: str, name: str) -> MatrixExport | None:
    """``what`` of ``f`` as a standalone function in matrix code, or None where matrix code
    cannot compute it (the components' export then runs at numeric sizes).

    >>> f = Function("x.T*A*x", wrt="x", shapes={"x": "n", "A": "n,n"})
    >>> e = matrix_export(f, "gradient", "numpy", "grad")
    >>> e.code.params, e.code.shape, e.arrays
    (('x', 'A'), ('n',), 'x of shape (..., n), A of shape (..., n, n)')
    """
    if what == "value":
        raise ShapeError("export of a matrix-notation value is not supported: export a "
                         "derivative (--what gradient, jacobian or hessian)")
    result = f.differentiate(what)
    variable = result.variable.name
    used = {m.name for m in f.expr.atoms(sympy.MatrixSymbol)}
    matrices = sorted(used, key=lambda n: (n != variable, n))  # the differentiated one first
    scalars = sorted(s.name for s in f.expr.free_symbols | result.expr.free_symbols
                     if isinstance(s, sympy.Symbol) and not s.is_integer
                     and s.name not in f.shapes)
    backend = BACKENDS[to]
    helpers = {k: backend.helpers[k] for k in ("_text", "_float64")}
    try:
        code = matrix_code(result, to, matrices, scalars, name, backend.convert, helpers,
                           f"the {result.kind} at ({', '.join(matrices + scalars)})")
    except SymnumError:
        return None
    arrays = ", ".join(f"{n} of shape (..., {', '.join(str(d) for d in f.shapes[n])})"
                       for n in matrices)
    if scalars:
        arrays += f", then the number(s) {', '.join(scalars)}"
    return MatrixExport(result, code, arrays)


@dataclass(frozen=True)
class Plan:
    """What the exported function takes and how its body reads the components."""

    result: Result  # the result in components
    params: list[str]  # the function's parameters: matrices, then scalar parameters
    symbols: tuple[sympy.Symbol, ...]  # the program's inputs, in slot order
    reads: list[tuple[str, int, tuple[int, ...]]]  # per slot: (parameter, ndim, index)
    shape: tuple[int, ...]  # the result's shape (a matrix variable's own layout)


def _example(shape: tuple) -> str:
    """A --shape value of the declared form, numbers in place of symbols: (n, 1) -> "3".

    >>> _example((sympy.Symbol("n"), sympy.Symbol("m"))), _example((sympy.Symbol("n"), 1))
    ('3,3', '3')
    """
    dims = shape[:1] if shape[1:] == (1,) else shape
    return ",".join(str(d) if sympy.sympify(d).is_Integer else "3" for d in dims)


def plan_for(f: Function, what: str | None) -> Plan:
    """The plan for ``what`` of a matrix-notation function with numeric dimensions."""
    matrices = sorted(f.expr.atoms(sympy.MatrixSymbol), key=lambda m: m.name)
    for m in matrices:
        if not all(sympy.sympify(d).is_Integer for d in m.shape):
            raise ShapeError(f"export needs a number for every dimension of {m.name} "
                             f"(like --shape {m.name}={_example(m.shape)}), not {tuple(m.shape)}")
    if what == "value":
        raise ShapeError("export of a matrix-notation value is not supported: export a "
                         "derivative (--what gradient, jacobian or hessian)")
    mresult = f.differentiate(what)
    result = component_result(mresult, {})
    variable = mresult.variable
    matrices.sort(key=lambda m: m.name != variable.name)  # the differentiated one first
    symbols, reads = [], []
    for m in matrices:
        rows, cols = (int(d) for d in m.shape)
        vector = cols == 1
        for i in range(rows):
            for j in range(cols):
                symbols.append(sympy.Symbol(f"{m.name}_{i + 1}" if vector else
                                            f"{m.name}_{i + 1}_{j + 1}", real=True))
                reads.append((m.name, 1 if vector else 2, (i,) if vector else (i, j)))
    scalars = sorted((s for s in f.expr.free_symbols if isinstance(s, sympy.Symbol)
                      and not isinstance(s, sympy.MatrixSymbol)), key=lambda s: s.name)
    for s in scalars:
        symbols.append(s)
        reads.append((s.name, 0, ()))
    shape = result.shape
    rows, cols = (int(d) for d in variable.shape)
    if result.kind == "gradient" and cols > 1:
        shape = (rows, cols)
    if mresult.is_four_index:  # the vec form's entries in torch's (m, n, p, q) order
        result, shape = _four_index(mresult, result)
    return Plan(result, [m.name for m in matrices] + [s.name for s in scalars],
                tuple(symbols), reads, shape)


def _four_index(mresult: MatrixResult, result: Result) -> tuple[Result, tuple[int, ...]]:
    """The components' result with the vec form V's entries reordered as torch's array
    T[i, j, k, l] = V[i + m·j, k + p·l], and that array's shape (a vector's one axis)."""
    x, f = mresult.variable, mresult.function.expr
    out = tuple(x.shape) if mresult.kind == "hessian" else tuple(f.shape)
    m, n, p, q = (int(d) for d in out + tuple(x.shape))
    v = result.matrix
    entries = [v[i + m * j, k + p * col] for i, j, k, col in
               itertools.product(range(m), range(n), range(p), range(q))]
    shape = tuple(s for s, d in zip((m, n, p, q), out + tuple(x.shape), strict=True)
                  if not (d == 1 and s == 1))
    return Result("jacobian", result.function, sympy.ImmutableMatrix(len(entries), 1,
                                                                     entries)), shape


def prologue(plan: Plan, convert: str, broadcast: str) -> list[str]:
    """Lines that convert the arguments, check their shapes, read the components into
    v0, v1, … and find the batch shape."""
    lines = []
    dims = {}
    for name, ndim, _ in plan.reads:
        dims.setdefault(name, ndim)
    for name in dims:
        lines.append(f"{name} = {convert.format(name)}")
    for name, ndim in dims.items():
        if ndim:
            size = max(index for n, _, index in plan.reads if n == name)
            want = tuple(k + 1 for k in size)
            lines.append(f"if tuple({name}.shape[-{ndim}:]) != {want!r}:")
            lines.append(f"    raise ValueError('{name} must have shape (..., "
                         f"{', '.join(map(str, want))}), not ' + str(tuple({name}.shape)))")
    for k, (name, ndim, index) in enumerate(plan.reads):
        lines.append(f"v{k} = {name}[..., {', '.join(map(str, index))}]" if ndim else
                     f"v{k} = {name}")
    leading = [f"{name}.shape[:-{ndim}]" if ndim else f"{name}.shape"
               for name, ndim in dims.items()]
    lines.append(f"batch = tuple({broadcast}({', '.join(leading)}))")
    return lines
