"""``export_source``: a derivative as one standalone Python module for numpy, torch or JAX.

The module imports only its backend and the standard library (no SymPy, no symnum) and
defines ``NAME(*variables)``, which takes numbers or arrays that broadcast together and
returns batch shape + result shape, like :func:`symnum.kernel`. Its body is the kernel's
program (:mod:`symnum.kernels.source`): the same overflow-safe forms, each common
subexpression one local computed once, constants broadcast to the batch. The docstring holds
the formula (text and LaTeX), the conventions at kinks and the symnum version.

>>> text = export_source("log(exp(x) + exp(y))", wrt="x,y", what="gradient", name="grad")
>>> namespace = {}
>>> exec(text, namespace)
>>> namespace["grad"](1000.0, 1000.0).tolist()
[0.5, 0.5]
"""

from __future__ import annotations

import keyword
import re
import textwrap
from collections.abc import Mapping

from ..core.calculus import Result
from ..core.errors import SymnumError
from ..core.function import ExprLike, Function, WrtLike, as_function
from ..core.parse import Shape
from ..kernels.build import compile_kernel
from ..kernels.dialects import dialect, used_helpers
from ..kernels.source import body
from .assembly import BACKENDS, result_lines
from .matrices import MatrixExport, matrix_export, plan_for, prologue

TARGETS = ("numpy", "torch", "jax")
WHATS = ("value", "derivative", "gradient", "jacobian", "hessian")
SHOW_MAX_CHARS = 1500  # a longer result is summarised in the docstring, not printed
_RESERVED = {"np", "torch", "jax", "jnp", "math", "batch", "device"}

CONVENTIONS = """\
Conventions (the same as symnum's kernels):
- kinks: max(a, b) and min(a, b) propagate nan; d/dx max(x, 0) is Heaviside(x) with
  Heaviside(0) = 1/2; d/dx |x| is sign(x) with sign(0) = 0; floor and ceiling have
  derivative 0; a Piecewise takes the first branch whose condition holds (nan if none).
- stability: sums of exponentials are evaluated shifted by their largest exponent, and
  log(1 + t), e^t - 1 as log1p, expm1: log-sum-exp, softplus, log-sigmoid and their
  derivatives stay finite at arguments of +-1000.
- every value is float64; constant entries (a 2 or a 0 in a Hessian) are broadcast to
  the batch like the others."""

BACKEND_NOTES = {
    "numpy": "numpy has no erf, gamma or polygamma: this module calls scipy.special's functions\n"
             "where scipy is installed (the ones symnum's own kernels call) and otherwise the\n"
             "standard library's math.erf, math.erfc, math.gamma and math.lgamma entry by entry\n"
             "(loggamma is nan left of 0, as in scipy) and polygamma by recurrence and series.",
    "torch": "Differentiable by torch.autograd (kinks have derivative 0 away from the kink);\n"
             "tensors keep their device. loggamma is real: nan left of 0, as in scipy.",
    "jax": "Runs under jax.jit, jax.grad and jax.vmap; autodiff through |x| takes sign(x), 0 at\n"
           "0, as torch does. It computes in float64: switch JAX's 64-bit mode on first,\n"
           "    jax.config.update(\"jax_enable_x64\", True)\n"
           "or it refuses (JAX would round every value to float32).\n"
           "loggamma is real: nan left of 0, as in scipy.",
}


def export_source(expr: ExprLike | Function | Result, wrt: WrtLike = None,
                  what: str | None = None, shapes: Mapping[str, Shape] | None = None,
                  to: str = "numpy", name: str = "f") -> str:
    """The text of a standalone module defining ``name(*variables)`` for ``what`` of ``expr``
    (``what="value"``: the function itself; None: the natural derivative) in numpy, torch or
    JAX (``to``).

    >>> print(export_source("x**2", to="torch").splitlines()[0][4:])  # doctest: +ELLIPSIS
    f(x): the derivative of x**2 with respect to x, exported by symnum ...
    """
    if to not in TARGETS:
        raise SymnumError(f"unknown export target {to!r}: choose numpy, torch or jax")
    if what is not None and what not in WHATS:
        raise SymnumError(f"unknown --what {what!r}: choose one of {', '.join(WHATS)}")
    if name in _RESERVED or keyword.iskeyword(name):
        raise SymnumError(f"--name {name!r} is taken inside the module (a Python keyword or "
                          f"one of {', '.join(sorted(_RESERVED))}): choose another name")
    if not name.isidentifier() or name.startswith("_"):
        raise SymnumError(f"--name {name!r} is not a usable Python function name: use letters, "
                          "digits and underscores, not starting with a digit or underscore")
    if isinstance(expr, Result):
        result, f = expr, expr.function
    elif type(expr).__name__ == "MatrixResult":
        raise SymnumError("export takes the function, not a MatrixResult: give its text with "
                          "numeric shapes, like export_source('x.T*A*x', wrt='x', what="
                          "'gradient', shapes={'x': '3', 'A': '3,3'})")
    else:
        f = as_function(expr, wrt, shapes)
        if f.is_matrix_calculus:  # arrays of the declared shapes, matrix code inside
            code = matrix_export(f, what, to, name)
            if code is not None:
                return _matrix_docstring(code, to, name) + "\n\n" + code.code.source
            plan = plan_for(f, what)  # what matrix code cannot do: components
            kernel = compile_kernel(plan.result, plan.symbols, "numpy")
            backend = BACKENDS[to]
            reads = prologue(plan, backend.convert, backend.broadcast)
            return _module(kernel, plan.result.function, plan.result, plan.shape,
                           plan.params, to, name, what, reads, f)
        result = f.expr if what == "value" else f.differentiate(what)
    inputs = tuple(getattr(result, "inputs", f.variables)) + tuple(f.parameters)  # a product:
    # the direction's components after the variables; parameters, held constant, last
    kernel = compile_kernel(result, inputs, "numpy")
    shape = kernel.shape
    params = _parameters([v.name for v in inputs])
    return _module(kernel, f, result, shape, params, to, name, what)


def _parameters(names: list[str]) -> list[str]:
    """Python parameter names for the variables: their own where they are usable."""
    out = []
    for i, n in enumerate(names):
        usable = n.isidentifier() and not keyword.iskeyword(n) and n not in _RESERVED and \
            not n.startswith("_") and not re.fullmatch(r"[tv]\d+", n)
        candidate = n if usable else f"arg{i}"
        out.append(candidate if candidate not in out else f"arg{i}")
    return out


def _module(kernel, f: Function, result, shape: tuple[int, ...], params: list[str], to: str,
            name: str, what: str | None, reads: list[str] | None = None,
            matrix: Function | None = None) -> str:
    d, backend = dialect(to), BACKENDS[to]
    lines, outputs = body(kernel.program, d, release=True)
    slots = [f"v{i}" for i in range(len(kernel.program.inputs))]
    device = backend.device.format(slots[0]) if backend.device and slots else "None"
    if reads is not None:
        code = list(reads)
    else:
        code = [backend.argument(s, p) for s, p in zip(slots, params, strict=True)]
        code.append(backend.batch(slots) if slots else "batch = ()")
    if backend.guard and lines:
        code.append(f"with {backend.guard}:")
        code += [f"    {line}" for line in lines]
    else:
        code += lines
    code += result_lines(backend, kernel.layout, outputs, shape, device)
    function = [f"def {name}({', '.join(params)}):",
                f'    """{_summary(result, what)} at ({", ".join(params)}); '
                f'shape batch + {shape!r}."""']
    function += [_wrapped(line) for line in code]
    program_text = "\n".join(function) + "\n"
    helpers = used_helpers(d, program_text)
    helpers += [src for key, src in backend.helpers.items()  # _rank_one calls _stack
                if key == "_stack" or f"{key}(" in program_text
                or key == "_text" and "_float64(" in program_text]
    code_parts = ["\n".join(d.imports)] + [h.strip() for h in helpers] + [program_text]
    scipy = any("scipy" in h for h in helpers)
    return _docstring(kernel, f, result, shape, params, to, name, what, matrix, scipy) + \
        "\n\n" + \
        "\n\n\n".join(code_parts)


def _matrix_docstring(export: MatrixExport, to: str, name: str) -> str:
    """The docstring of an export in matrix code: the formula as text and LaTeX, the arrays
    it takes, the layout of its result, the conventions."""
    from importlib.metadata import PackageNotFoundError, version
    try:
        release = version("symnum")
    except PackageNotFoundError:
        release = "0+unknown"
    result, code = export.result, export.code
    formula = getattr(result.function, "source", None) or result.function.expr
    call = f"{name}({', '.join(code.params)})"
    first = f"{call}: the {_kind(result)} of {formula} with respect to " \
        f"{result.variable.name}, exported by symnum {release}."
    text = result.text()
    latex = result.latex()
    shape = "batch + (" + ", ".join(code.shape) + ("," if len(code.shape) == 1 else "") + ")"
    doc = [textwrap.fill(first, 96, break_long_words=False, break_on_hyphens=False), "",
           text if len(text) <= 3 * SHOW_MAX_CHARS else f"f = {formula}", "",
           "LaTeX:", f"    {latex if len(latex) <= 3 * SHOW_MAX_CHARS else '(too long)'}", "",
           textwrap.fill(f"{call} takes {export.arrays}; leading batch dimensions broadcast "
                         "together, and the sizes of the dimensions are read from the arrays. "
                         f"It returns an array of shape {shape}: output shape + input shape, "
                         "the layout of torch.autograd.functional.jacobian. Computed as matrix "
                         "code (matrix products, solves, einsum over whole arrays), not entry "
                         "by entry.", 92, break_long_words=False, break_on_hyphens=False), "",
           CONVENTIONS, "", BACKEND_NOTES[to], "",
           f"Standalone: imports only {to} and the standard library. Generated by symnum "
           f"({code.steps} steps);", "regenerate it rather than edit it."]
    body_text = "\n".join(doc).replace('"""', "'''")
    return f'r"""{body_text}\n"""'


def _wrapped(line: str) -> str:
    """A code line indented in the function, long lists wrapped inside their brackets."""
    if len(line) + 4 <= 100 or "[" not in line:
        return f"    {line}"
    head, _, rest = line.partition("[")
    pieces = textwrap.wrap(rest, 92, break_long_words=False, break_on_hyphens=False)
    return "\n".join([f"    {head}[{pieces[0]}"] + [f"        {p}" for p in pieces[1:]])


def _summary(result, what: str | None) -> str:
    if not isinstance(result, Result):
        return "the value"
    return f"the {_kind(result)}"


def _docstring(kernel, f: Function, result, shape: tuple[int, ...], params: list[str],
               to: str, name: str, what: str | None, matrix: Function | None = None,
               scipy: bool = False) -> str:
    from importlib.metadata import PackageNotFoundError, version

    from ..core.render import expr_latex
    try:
        release = version("symnum")
    except PackageNotFoundError:
        release = "0+unknown"
    variables = ", ".join(v.name for v in f.variables)
    formula = str(f.expr if not f.is_vector else list(f.expr))
    if isinstance(result, Result):
        head = f"the {_kind(result)} of {formula} with respect to ({variables})" \
            if len(f.variables) > 1 else f"the {_kind(result)} of {formula} with " \
            f"respect to {variables}"
        text = _result_text(result)
        latex = result.latex() if len(text) <= SHOW_MAX_CHARS else None
    else:
        head, text = f"the function {formula}", None
        latex = f"f({variables}) = {expr_latex(f.expr)}"
    if matrix is not None:
        formula = getattr(matrix, "source", None) or matrix.expr
        head = f"the {_kind(result)} of {formula} with respect to " \
            f"{', '.join(v.name for v in matrix.variables)}"
    shown = "" if text is None else f"\n{text}\n"
    if latex is None or len(latex) > 3 * SHOW_MAX_CHARS:
        latex = f"f({variables}) = {expr_latex(f.expr)}" if len(formula) <= SHOW_MAX_CHARS \
            else "(too long to show)"
    call = f"{name}({', '.join(params)})"
    inputs = tuple(getattr(result, "inputs", f.variables)) + tuple(f.parameters)
    renamed = [] if matrix is not None else \
        [f"{p} is {v.name}" for p, v in zip(params, inputs, strict=True) if p != v.name]
    held = ", ".join(p.name for p in f.parameters) if matrix is None else ""
    direction = ", ".join(s.name for s in getattr(result, "inputs", ())[len(f.variables):])
    layout = _layout(shape, f)
    first = f"{name}({', '.join(params)}): {head}, exported by symnum {release}."
    doc = [textwrap.fill(first, 96, break_long_words=False, break_on_hyphens=False), "",
           *(_matrix_lines(matrix) if matrix is not None else []),
           f"f({variables}) = {formula}" if len(formula) <= SHOW_MAX_CHARS else
           f"f({variables}): {len(formula)} characters, too long to show", shown,
           "LaTeX:", f"    {latex}", "",
           f"{call} takes numbers or arrays that broadcast together and returns an array of",
           f"shape batch + {shape!r}{layout}." +
           (f" ({'; '.join(renamed)}.)" if renamed else ""),
           *([f"The direction's components follow the variables: {direction}."]
             if direction else []),
           *([f"Parameters (held constant, not differentiated) follow the variables: {held}."]
             if held else []), "",
           CONVENTIONS, "", BACKEND_NOTES[to], "",
           f"Standalone: imports only {to} and the standard library" +
           ("\n(and scipy.special where it is installed). Generated by symnum"
            if scipy else ". Generated by symnum"),
           f"({len(kernel.program.steps)} steps); regenerate it rather than edit it."]
    body_text = "\n".join(doc).replace('"""', "'''")
    return f'r"""{body_text}\n"""'


def _kind(result: Result) -> str:
    """What the result is, in words (a tensor or mixed partial says it itself)."""
    return getattr(result, "noun", None) or {"hessian": "Hessian", "jacobian": "Jacobian"
                                             }.get(result.kind, result.kind)


def _matrix_lines(matrix: Function) -> list[str]:
    """The matrix-notation formula and the arrays the function takes."""
    import sympy
    symbols = sorted(matrix.expr.atoms(sympy.MatrixSymbol), key=lambda m: m.name)
    arrays = ", ".join(f"{m.name} of shape (..., {', '.join(str(d) for d in m.shape)})"
                       if m.shape[1] != 1 else f"{m.name} of shape (..., {m.shape[0]})"
                       for m in symbols)
    vector = next((m.name for m in symbols if m.shape[1] == 1), None)
    table = next((m.name for m in symbols if m.shape[1] != 1), None)
    examples = ([f"{vector}_1 is {vector}[..., 0]"] if vector else []) + \
        ([f"{table}_1_2 is {table}[..., 0, 1]"] if table else [])
    formula = getattr(matrix, "source", None) or matrix.expr
    return [f"In matrix notation: {formula}, with {arrays};",
            f"below in components ({', '.join(examples)}).", ""]


def _result_text(result: Result) -> str:
    if result.expr_ops() > 4 * SHOW_MAX_CHARS:
        return f"{result.kind}: {len(result.matrix)} entries, too long to show here"
    nested = result.nested()
    lines = [f"{result.kind} = {nested}"]
    lines += [f"  where {n} = {v}" for n, v in result.definitions]
    text = "\n".join(lines)
    return text if len(text) <= SHOW_MAX_CHARS else \
        f"{result.kind}: {len(result.matrix)} entries, too long to show here"


def _layout(shape: tuple[int, ...], f: Function) -> str:
    if len(shape) == 1:
        return ", one entry per variable in the order above" if not f.is_vector else \
            ", one entry per output"
    if len(shape) == 2:
        return " (rows: outputs or variables, columns: variables)"
    return ""
