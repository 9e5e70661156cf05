"""Matrix-notation results: derive, render, evaluate on random matrices, verify by components.

Verification expands a matrix result to components at concrete sizes (every dimension a
different size, so a transposed layout cannot pass) and hands the component problem to the
scalar verifier: mpmath, complex step, Richardson and torch autograd on the ORIGINAL
expression's components, against the matrix result's components.

>>> import symnum
>>> r = symnum.derive("b.T*A*b", wrt="b", shapes={"b": "k", "A": "k,k"})
>>> r.string()
'(A + A.T)*b'
>>> print(r.unicode())
(A + Aᵀ)b
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import sympy
from sympy.matrices.expressions.matexpr import MatrixExpr

from ..core.display import bundle, math_block
from ..core.errors import ShapeError, SymnumError, VariableError
from . import calculus as matrix_calculus
from .forms import display_form, plain_form
from .forms_text import forms_json
from .index_form import IndexForm
from .layout import checked_layout, operator_latex, shown, title
from .plain import matrix_plain
from .printing import matrix_latex, matrix_text

if TYPE_CHECKING:
    from ..core.function import Function

@dataclass(frozen=True)
class MatrixResult:
    """A derivative in matrix notation: ``expr`` has the layout of ``kind``."""

    kind: str
    function: Function
    variable: sympy.MatrixSymbol
    expr: sympy.Basic
    order: int = 1
    definitions: tuple = ()
    layout: str = "numerator"
    differential: sympy.Basic | None = None  # dF (df for a gradient or a Hessian), in dX
    index: IndexForm | None = None  # ∂F_ij/∂X_kl (∂²f/∂X_ij∂X_kl) for a Jacobian or Hessian
    bilinear: sympy.Basic | None = None  # d²f for a Hessian

    @property
    def is_four_index(self) -> bool:
        """A Jacobian with a matrix F or X, or a Hessian with respect to a matrix: ``expr`` is
        the vec form (mn × pq, numerator layout)."""
        f = self.function.expr
        f_matrix = isinstance(f, MatrixExpr) and f.shape[1] != 1
        return self.kind != "gradient" and (self.variable.shape[1] != 1 or (
            self.kind == "jacobian" and f_matrix))

    @property
    def shown(self) -> sympy.Basic:
        """The matrix in the result's layout (the transpose of ``expr`` for a Jacobian in
        denominator layout)."""
        return shown(self.kind, self.layout, self.expr)

    @property
    def variables(self) -> tuple[sympy.MatrixSymbol, ...]:
        return (self.variable,)

    @property
    def shape(self) -> tuple:
        return tuple(self.expr.shape) if isinstance(self.expr, MatrixExpr) else ()

    def string(self) -> str:
        """SymPy syntax, as in the JSON ``result`` (in the result's layout): parse reads it
        back with the same shapes."""
        return matrix_plain(plain_form(self.shown, self.function.expr))

    def unicode(self) -> str:
        """The result in textbook notation, one line, without named parts (reads back with
        the same shapes).

        >>> import symnum
        >>> symnum.derive("-y.T*log(softmax(z))", wrt="z", shapes={"z": "n", "y": "n"}).unicode()
        'softmax(z)(𝟏ᵀy) − y'
        """
        return matrix_text(display_form(self.shown, self.function.expr, abbreviate=False)[0])

    def latex(self) -> str:
        v = matrix_latex(self.variable)
        f = matrix_latex(self.function.expr)
        four = self.is_four_index
        op = operator_latex(self.kind, self.layout, v, four)
        shown, definitions = display_form(self.shown, self.function.expr, small_blocks=False)
        where = "".join(rf",\quad {matrix_latex(name)} = {matrix_latex(value)}"
                        for name, value in definitions)
        if not four:
            return rf"{op} \left({f}\right) = {matrix_latex(shown)}{where}"
        named = "F" if self.kind == "jacobian" else "f"
        return rf"{op} = {matrix_latex(shown)},\quad {named} = {f}{where}"

    def forms_latex(self) -> list[str]:
        """The differential, bilinear and index forms in LaTeX (one equation each)."""
        from .forms_text import forms_latex
        return forms_latex(self)

    def text(self) -> str:
        from .forms_text import forms_lines
        dims = ", ".join(f"{n}: {'×'.join(map(str, s))}" for n, s in self.function.shapes.items())
        v = self.variable
        heading = title(self.kind, self.layout, str(v), self.is_four_index)
        shown, definitions = display_form(self.shown, self.function.expr)
        names = frozenset(str(name) for name, _ in definitions)
        named = "F" if self.is_four_index and self.kind == "jacobian" else "f"
        lines = [f"{named} = {matrix_text(self.function.expr)}", f"shapes: {dims}", "",
                 f"{heading} =", f"  {matrix_text(shown, names)}"]
        lines += [f"  {'and' if k else 'where'} {matrix_text(name)} = {matrix_text(value)}"
                  for k, (name, value) in enumerate(definitions)]
        return "\n".join(lines + forms_lines(self))

    def at(self, point: Mapping) -> object:
        """The result at given matrices (arrays; the sizes are read from them) and scalars:
        a float, or a numpy array (a vector result as 1-d); a Jacobian of a matrix F or with
        respect to a matrix X, or a Hessian with respect to X, in the layout of
        torch.autograd.functional.jacobian: F's shape then X's, T[i, j, k, l] = ∂F_ij/∂X_kl.

        >>> import symnum
        >>> r = symnum.derive("x.T*A*x", wrt="x", shapes={"x": "n", "A": "n,n"})
        >>> r.at({"x": [1.0, 2.0], "A": [[1.0, 0.0], [0.0, 3.0]]}).tolist()
        [2.0, 12.0]
        """
        return matrix_at(self, point)

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, str]:
        """Jupyter's display: the LaTeX equation, under it the differential and index forms
        of a Jacobian or Hessian (and the text for terminals)."""
        forms = self.forms_latex()
        shown = math_block(r"\begin{gathered}" + r" \\ ".join([self.latex(), *forms])
                           + r"\end{gathered}") if forms else None
        return bundle(self.text(), {"text/latex": shown or math_block(self.latex())}, include,
                      exclude)

    def __str__(self) -> str:
        return self.text()


def matrix_differentiate(f: Function, what: str | None, layout: str | None = None
                         ) -> MatrixResult:
    """Gradient (default for a scalar f), Jacobian (default for a vector or matrix f) or
    Hessian, in ``layout`` (numerator, the default, or denominator)."""
    from .linear import derivative_forms
    layout = checked_layout(layout)
    matrices = [v for v in f.variables if isinstance(v, sympy.MatrixSymbol)]
    if len(f.variables) == 1 and not matrices:
        raise VariableError(f"{f.variables[0]} is not a declared matrix or vector (declared: "
                            f"{', '.join(f.shapes)}); declare it with --shape or pick one")
    if len(f.variables) != 1 or not matrices:
        names = ", ".join(str(v) for v in f.variables)
        raise VariableError(f"matrix calculus differentiates with respect to one declared "
                            f"matrix or vector; got {names or 'none'} (use --wrt)")
    x = matrices[0]
    is_vector_f = isinstance(f.expr, MatrixExpr) and tuple(f.expr.shape) != (1, 1)
    what = what or ("jacobian" if is_vector_f else "gradient")
    if what == "derivative":
        what = "gradient"
    if what not in ("gradient", "jacobian", "hessian"):
        raise SymnumError(f"unknown kind {what!r}")
    try:
        if what == "jacobian" and not isinstance(f.expr, MatrixExpr):
            raise ShapeError("a Jacobian in matrix notation needs a vector or matrix "
                             "function; ask for the gradient of a scalar")
        gradient = matrix_calculus.gradient(f.expr, x) if what != "jacobian" else None
        forms = derivative_forms(what, f.expr, x, gradient)
        expr = forms.expr
        if expr is None:
            expr = gradient if what == "gradient" else (
                matrix_calculus.jacobian(f.expr, x) if what == "jacobian"
                else matrix_calculus.hessian(f.expr, x))
    except (TypeError, ValueError, AttributeError, sympy.ShapeError) as err:
        raise ShapeError(f"cannot take the {what}: {' '.join(str(err).split())}") from None
    return MatrixResult(what, f, x, expr, layout=layout, differential=forms.differential,
                        index=forms.index, bilinear=forms.bilinear)


# --- components -------------------------------------------------------------------------

def default_sizes(f: Function, shift: int = 0) -> dict[sympy.Symbol, int]:
    """Every dimension symbol a different size: 2, 3, 4, ... (shift 0), 4, 5, 3 ... (shift 1)."""
    dims = sorted({d for s in f.shapes.values() for d in s if isinstance(d, sympy.Symbol)},
                  key=lambda s: s.name)
    sizes = list(range(2 + shift, 2 + shift + len(dims)))
    sizes = sizes[shift % len(sizes):] + sizes[:shift % len(sizes)] if sizes else sizes
    return dict(zip(dims, sizes, strict=True))


def parse_sizes(text: str, f: Function) -> dict[sympy.Symbol, int]:
    """``"n=3,m=2"`` → sizes for the declared dimension symbols."""
    dims = {d.name: d for s in f.shapes.values() for d in s if isinstance(d, sympy.Symbol)}
    sizes = {}
    for item in [p for p in re.split(r"[,\s]+", text.strip()) if p]:
        name, _, value = item.partition("=")
        if name not in dims:
            raise VariableError(f"--dims: {name!r} is not a dimension of a declared shape")
        if not value.isdigit() or not 1 <= int(value) <= 12:
            raise VariableError(f"--dims {name}: give a size from 1 to 12")
        sizes[dims[name]] = int(value)
    missing = sorted(set(dims) - {d.name for d in sizes})
    if missing:
        raise VariableError(f"--dims: no size for {', '.join(missing)}")
    return sizes


def _components(f: Function, sizes: Mapping) -> dict[sympy.MatrixSymbol, sympy.ImmutableMatrix]:
    out = {}
    for m in sorted(f.expr.atoms(sympy.MatrixSymbol), key=lambda s: s.name):
        rows, cols = (int(sympy.sympify(d).subs(sizes)) for d in m.shape)
        out[m] = sympy.ImmutableMatrix(rows, cols, [
            sympy.Symbol(f"{m.name}_{i + 1}" if cols == 1 else f"{m.name}_{i + 1}_{j + 1}",
                         real=True) for i in range(rows) for j in range(cols)])
    return out


def explicit(expr: sympy.Basic, f: Function, sizes: Mapping, comps: Mapping) -> sympy.Basic:
    """The expression in components: a scalar, or an explicit Matrix."""
    sized = expr.subs(sizes).replace(
        lambda e: isinstance(e, sympy.OneMatrix | sympy.Identity | sympy.ZeroMatrix)
        and all(sympy.sympify(d).is_Integer for d in e.shape),
        lambda e: sympy.ImmutableMatrix(e.as_explicit()))
    by_name = {m.name: c for m, c in comps.items()}
    swap = {m: by_name[m.name] for m in sized.atoms(sympy.MatrixSymbol) if m.name in by_name}
    value = _explicit_up(sized, swap).doit()
    if isinstance(value, MatrixExpr):
        value = value.as_explicit()
    scalar_like = not isinstance(expr, MatrixExpr) or tuple(expr.shape) == (1, 1)
    if isinstance(value, sympy.MatrixBase) and value.shape == (1, 1) and scalar_like:
        return value[0, 0]
    return value


def _explicit_up(e: sympy.Basic, swap: Mapping) -> sympy.Basic:
    """e with the matrices of ``swap`` put in, each matrix node made explicit as soon as its
    arguments are (bottom-up: SymPy's doit leaves A^∘2 of an explicit A as it is, and a
    Hadamard product of an explicit −A^∘2 + 𝟏 then fails; our nodes are never asked for
    symbolic entries)."""
    if e in swap:
        return swap[e]
    if not e.args or isinstance(e, sympy.MatrixBase):
        return e
    new = e.func(*(_explicit_up(a, swap) if isinstance(a, sympy.Basic) else a for a in e.args))
    if isinstance(new, MatrixExpr) and not isinstance(new, sympy.MatrixBase) \
            and not new.atoms(sympy.MatrixSymbol):
        new = new.doit()
        return new.as_explicit() if isinstance(new, MatrixExpr) else new
    return new


def component_result(result: MatrixResult, sizes: Mapping):
    """The scalar :class:`~symnum.core.calculus.Result` with the matrix result's components."""
    from ..core.calculus import Result
    from ..core.function import Function

    f = result.function
    comps = _components(f, sizes)
    variable = comps[next(m for m in comps if m.name == result.variable.name)]
    wrt = list(variable.T)  # vec X: column-major (a row-major list for the gradient below)
    original = explicit(f.expr, f, sizes, comps)
    derived = explicit(result.expr, f, sizes, comps)
    if result.kind == "gradient":
        wrt = list(variable)
        scalar_f = Function(original, wrt=wrt)
        matrix = sympy.ImmutableMatrix(list(derived)) if isinstance(derived, sympy.MatrixBase) \
            else sympy.ImmutableMatrix([derived])
    else:
        outputs = list(original.T) if isinstance(original, sympy.MatrixBase) else [original]
        scalar_f = Function(outputs if result.kind == "jacobian" else original, wrt=wrt)
        matrix = sympy.ImmutableMatrix(derived)
    return Result(result.kind, scalar_f, matrix)


def matrix_at(result: MatrixResult, point: Mapping) -> object:
    """:meth:`MatrixResult.at`: sizes from the arrays, entries as exact floats."""
    from ..core.evaluate import substitution
    f = result.function
    given = {getattr(k, "name", str(k)): v for k, v in point.items()}
    sizes: dict[sympy.Symbol, int] = {}
    arrays = {}
    for name, dims in f.shapes.items():
        if name not in given:
            raise VariableError(f"no value given for {name} (an array of shape "
                                f"{'×'.join(map(str, dims))})")
        arrays[name] = data = _real_array(name, given[name], len(dims))
        for d, size in zip(dims, data.shape, strict=True):
            if (sizes.setdefault(d, size) if isinstance(d, sympy.Symbol) else int(d)) != size:
                if not isinstance(d, sympy.Symbol):
                    raise VariableError(f"{name} is declared {'×'.join(map(str, dims))}: give "
                                        f"an array of that shape, got shape {data.shape}")
                raise VariableError(f"{name} has a dimension {size} where {d} = "
                                    f"{sizes.get(d, d)}: the arrays' sizes do not fit together")
    comps = _components(f, sizes)
    values: dict[sympy.Basic, sympy.Expr] = {}
    for m, c in comps.items():
        data = arrays[m.name].reshape(c.shape)
        values.update({s: sympy.Float(float(v), 17) for s, v in zip(c, data.ravel(),
                                                                   strict=True)})
    scalars = {k: v for k, v in given.items() if k not in f.shapes}
    values.update(substitution(f.expr.free_symbols | result.expr.free_symbols, scalars))
    # numbers in before the matrices are multiplied out: an inverse of numbers, not of symbols
    numbers = {m: c.xreplace(values) for m, c in comps.items()}
    sized = result.expr.subs(sizes)  # √d of a size as a float: no exact surds multiplied out
    sized = sized.xreplace({a: a.evalf(17) for a in sized.atoms(sympy.Pow)
                            if a.is_number and not a.is_Rational})
    numeric = sympy.N(explicit(sized, f, sizes, numbers).xreplace(values), 17)
    if numeric.free_symbols:
        missing = ", ".join(sorted(s.name for s in numeric.free_symbols))
        raise VariableError(f"no value given for {missing}")
    try:
        if not isinstance(numeric, sympy.MatrixBase):
            return float(numeric)
        out = np.array(numeric.tolist(), dtype=float)
    except TypeError:
        raise SymnumError("the result is not a real number at these values") from None
    if result.is_four_index:
        return as_tensor(result, out, sizes)
    return out.reshape(-1) if out.shape[1] == 1 else out


def as_tensor(result: MatrixResult, vec_form: np.ndarray, sizes: Mapping) -> np.ndarray:
    """The vec form (mn × pq, numerator layout) as torch.autograd.functional.jacobian's
    array: F's shape then X's, a vector's one axis: T[i, j, k, l] = V[i + m·j, k + p·l]."""
    def dims(shape) -> tuple[int, int]:
        return tuple(int(sympy.sympify(d).subs(sizes)) for d in shape)
    x = result.variable
    f = result.function.expr if result.kind == "jacobian" else x
    out_shape, in_shape = dims(f.shape), dims(x.shape)
    t = vec_form.reshape(out_shape[1], out_shape[0], in_shape[1], in_shape[0], order="C")
    t = t.transpose(1, 0, 3, 2)  # V[i + m j, k + p l] = T[i, j, k, l]
    return t.reshape(out_shape[:1 + (f.shape[1] != 1)] + in_shape[:1 + (x.shape[1] != 1)])


def _real_array(name: str, value: object, ndim: int) -> np.ndarray:
    try:
        data = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise VariableError(f"the value of {name} must be an array of real numbers") from None
    if ndim == 1 and data.ndim == 2 and data.shape[1] == 1:
        data = data.reshape(-1)  # a column given as n × 1
    if data.ndim != ndim:
        raise VariableError(f"{name} is declared with {ndim} dimension(s); got an array of "
                            f"shape {data.shape}")
    return data


def random_value(result: MatrixResult, sizes: Mapping, seed: int | None,
                 scalars: Mapping | None = None) -> dict[str, Any]:
    """The result (in its layout; a Jacobian or Hessian in matrix notation as its vec form) on
    random matrices (uniform in [-1, 1]) of the given sizes."""
    f = result.function
    comps = _components(f, sizes)
    rng = np.random.default_rng(seed)
    values: dict[sympy.Symbol, float] = {}
    inputs = {}
    for m, c in comps.items():
        data = rng.uniform(-1, 1, size=c.shape).round(3)
        inputs[m.name] = data.tolist()
        values.update({s: sympy.Rational(str(v)) for s, v in zip(c, data.ravel(), strict=True)})
    for name, v in (scalars or {}).items():
        if name in f.shapes:
            raise VariableError(f"{name} is a matrix: its entries are random (set --dims and "
                                "--seed); --at gives values to scalar parameters")
        values[sympy.Symbol(name, real=True)] = v
    numbers = {m: c.xreplace(values) for m, c in comps.items()}  # numbers in, then multiplied
    derived = explicit(result.shown, f, sizes, numbers)  # in the result's layout
    numeric = sympy.N(derived.xreplace(values), 17)
    if numeric.free_symbols:
        missing = ", ".join(sorted(s.name for s in numeric.free_symbols))
        raise VariableError(f"no value given for {missing} (use --at)")
    value = [[float(v) for v in row] for row in numeric.tolist()] if isinstance(
        numeric, sympy.MatrixBase) else float(numeric)
    return {"inputs": inputs, "value": value,
            "sizes": {str(k): v for k, v in sizes.items()}}


def result_json(result: MatrixResult, extra: Mapping | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "expr": matrix_plain(result.function.expr),
        "wrt": [result.variable.name],
        "what": result.kind,
        "shapes": {n: [str(d) for d in s] for n, s in result.function.shapes.items()},
        "shape": [str(d) for d in result.shown.shape],
        "result": result.string(),
        "definitions": [],
        "latex": result.latex(),
        "layout": result.layout,
    }
    data.update(forms_json(result))
    data.update(extra or {})
    return data
