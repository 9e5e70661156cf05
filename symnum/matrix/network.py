"""The layers of a network, read off the user's formula, and its backward pass as data.

A layer is a pre-activation z_l = W_l a_{l−1} + b_l (a matrix symbol times a column vector,
plus bias vectors) and, where the formula applies one, an elementwise activation
a_l = σ(z_l). When the formula is a chain of such layers under a loss, f = ℓ(a_L), and the
variable is a weight, a bias or the input, the backward recursion holds on the user's own
names: δ_L = ∂f/∂z_L, δ_l = (W_{l+1}ᵀ δ_{l+1}) ⊙ σ′(z_l), ∂f/∂W_l = δ_l a_{l−1}ᵀ,
∂f/∂b_l = δ_l, ∂f/∂x = W_1ᵀ δ_1. Each :class:`Equation` holds its formula in the names and
its value in the user's variables.

>>> import symnum
>>> r = symnum.derive("sum(tanh(W2*tanh(W1*x + b1) + b2))", wrt="W1",
...                   shapes={"W1": "h,n", "x": "n", "b1": "h", "W2": "m,h", "b2": "m"})
>>> [(e.rule, str(e.name)) for e in backward_pass(r).equations]  # doctest: +NORMALIZE_WHITESPACE
[('layer', 'z1'), ('activation', 'a1'), ('layer', 'z2'), ('activation', 'a2'),
 ('loss', 'f'), ('output_error', 'delta2'), ('backward', 'delta1'),
 ('weight_gradient', 'W1')]
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy
from sympy.matrices.expressions.matexpr import MatrixExpr

from ..core.matrix_expr import Elementwise
from .calculus import gradient
from .result import MatrixResult

# rule → (title, statement in text, statement in LaTeX)
BACKPROP_RULES: dict[str, tuple[str, str, str]] = {
    "layer": ("pre-activation", "zₗ = Wₗ aₗ₋₁ + bₗ", r"z_l = W_l\, a_{l-1} + b_l"),
    "activation": ("activation", "aₗ = σ(zₗ)", r"a_l = \sigma(z_l)"),
    "loss": ("the function of the last layer", "f = ℓ(a_L)", r"f = \ell(a_L)"),
    "loss_of_z": ("the function of the last layer", "f = ℓ(z_L)", r"f = \ell(z_L)"),
    "output_error": ("output error", "δ_L = ∂f/∂z_L, read off df = tr(δ_Lᵀ dz_L)",
                     r"\delta_L = \partial f/\partial z_L"),
    "backward": ("backward recursion", "δₗ = (Wₗ₊₁ᵀ δₗ₊₁) ⊙ σ′(zₗ)",
                 r"\delta_l = (W_{l+1}^\top \delta_{l+1}) \odot \sigma'(z_l)"),
    "weight_gradient": ("weight gradient", "∂f/∂Wₗ = δₗ aₗ₋₁ᵀ",
                        r"\partial f/\partial W_l = \delta_l\, a_{l-1}^\top"),
    "bias_gradient": ("bias gradient", "∂f/∂bₗ = δₗ", r"\partial f/\partial b_l = \delta_l"),
    "input_gradient": ("input gradient", "∂f/∂a₀ = W₁ᵀ δ₁",
                       r"\partial f/\partial a_0 = W_1^\top \delta_1"),
}


@dataclass(frozen=True)
class Layer:
    """z = W·a + biases (the user's nodes) and the activation applied to z, if any."""

    weight: sympy.MatrixSymbol
    input: MatrixExpr
    biases: tuple[sympy.MatrixSymbol, ...]
    z: MatrixExpr
    activation: Elementwise | None


@dataclass(frozen=True)
class Equation:
    """``name`` = ``formula`` (in the named vectors) = ``value`` (in the user's variables).

    ``wrt`` is what the name differentiates f by (δ_l = ∂f/∂z_l, the gradient ∂f/∂W_l),
    None for a definition; ``of`` is the function so differentiated, in the names (the
    output error's steps derive it by differentials)."""

    rule: str
    name: sympy.Basic
    formula: sympy.Basic
    value: sympy.Basic
    wrt: sympy.Basic | None = None
    of: sympy.Basic | None = None


@dataclass(frozen=True)
class BackwardPass:
    """The layers of f and the equations of its backward pass, first to last."""

    result: MatrixResult
    layers: tuple[Layer, ...]
    equations: tuple[Equation, ...]


def _pre_activation(e: sympy.Basic) -> tuple[sympy.MatrixSymbol, MatrixExpr,
                                               tuple[sympy.MatrixSymbol, ...]] | None:
    """(W, a, biases) when e is W·a or W·a + b + ..., W a matrix symbol (a may be a batch
    of columns, a matrix)."""
    def weight_times(m: sympy.Basic):
        if isinstance(m, sympy.MatMul) and len(m.args) == 2 \
                and isinstance(m.args[0], sympy.MatrixSymbol) and 1 not in m.args[0].shape \
                and isinstance(m.args[1], MatrixExpr):
            return m.args
        return None

    if isinstance(e, sympy.MatAdd):
        products = [a for a in e.args if weight_times(a)]
        rest = [a for a in e.args if not weight_times(a)]
        if len(products) == 1 and all(isinstance(b, sympy.MatrixSymbol) for b in rest):
            return (*weight_times(products[0]), tuple(rest))
        return None
    found = weight_times(e)
    return None if found is None else (*found, ())


def _preorder(e: sympy.Basic):
    yield e
    for a in e.args:
        if isinstance(a, sympy.Basic):
            yield from _preorder(a)


def folded(f: sympy.Basic) -> sympy.Basic:
    """f with a transposed layer written as one: (W a)ᵀ for aᵀWᵀ, so that a loss such as
    (W a − y)ᵀ(W a − y), which SymPy keeps as (aᵀWᵀ − yᵀ)(W a − y), holds W a twice."""
    spread = {}
    for node in _preorder(f):
        if _pre_activation(node) is not None:
            t = node.T.doit(deep=False)
            if not isinstance(t, sympy.Transpose):
                spread[t] = sympy.Transpose(node)
    return f.xreplace(spread) if spread else f


def find_layers(f: sympy.Basic) -> tuple[Layer, ...]:
    """The chain of layers in f, first to last; () when f is not such a chain."""
    parents: dict[sympy.Basic, Elementwise] = {}
    found: dict[sympy.Basic, tuple] = {}
    inside: set[sympy.Basic] = set()  # the W·a of a W·a + b: the same layer
    for node in _preorder(f):
        if isinstance(node, Elementwise):
            parents.setdefault(node.arg, node)
        parts = _pre_activation(node)
        if parts is not None and node not in inside:
            found.setdefault(node, parts)
            if parts[2]:
                inside.add(parts[0] * parts[1])
    inner = [z for z, (_, a, _) in found.items()
             if not any(o in set(_preorder(a)) for o in found)]
    if len(inner) != 1:
        return ()
    layers: list[Layer] = []
    z = inner[0]
    while z is not None:
        w, a, biases = found[z]
        layers.append(Layer(w, a, biases, z, parents.get(z)))
        out = parents.get(z, z)
        z = next((o for o, (_, a2, _) in found.items() if a2 == out), None)
    return tuple(layers) if len(layers) == len(found) else ()


def _output(layer: Layer) -> MatrixExpr:
    return layer.activation if layer.activation is not None else layer.z


def _fresh(f: sympy.Basic, stems: tuple[str, ...]) -> str:
    taken = {str(s) for s in f.free_symbols} | {m.name for m in f.atoms(sympy.MatrixSymbol)}
    for stem in stems:
        if not any(t.startswith(stem) and t[len(stem):].isdigit() for t in taken):
            return stem
    return stems[-1] + "_"


def _target(f: sympy.Basic, layers: tuple[Layer, ...], x: sympy.MatrixSymbol) -> int | None:
    """The layer whose weight or bias is x (0: x is the input), when f depends on each z_l
    only through z_{l+1} and on x only through its layer; else None."""
    if not layers or (len(layers) == 1 and layers[0].activation is None):
        return None

    def without(layer: Layer) -> sympy.Basic:
        return f.xreplace({layer.z: sympy.MatrixSymbol("_hole", *layer.z.shape)})

    if any(without(above).has(below.z) for below, above in zip(layers, layers[1:], strict=False)):
        return None
    if x == layers[0].input:
        return None if without(layers[0]).has(x) else 0
    for k, layer in enumerate(layers, 1):
        if x == layer.weight or x in layer.biases:
            return None if without(layer).has(x) or layer.input.has(x) else k
    return None


def backward_pass(result: MatrixResult) -> BackwardPass | None:
    """The backward pass of f with respect to the result's variable, when f is a chain of
    layers under a loss (None otherwise, and for anything but a gradient)."""
    if result.kind != "gradient":
        return None
    f, x = folded(result.function.expr), result.variable
    layers = find_layers(f)
    target = _target(f, layers, x)
    if target is None:
        return None
    z_stem, a_stem = ("z", "a") if _fresh(f, ("z", "u")) == "z" and \
        _fresh(f, ("a", "h")) == "a" else ("u", "h")
    d_stem = _fresh(f, ("delta", "g"))
    size = len(layers)
    names: dict[sympy.Basic, sympy.MatrixSymbol] = {}  # the user's node → its name
    equations: list[Equation] = []
    for k, layer in enumerate(layers, 1):
        z = sympy.MatrixSymbol(f"{z_stem}{k}", *layer.z.shape)
        equations.append(Equation("layer", z, layer.z.xreplace(names), layer.z))
        names[layer.z] = z
        if layer.activation is not None:
            a = sympy.MatrixSymbol(f"{a_stem}{k}", *layer.z.shape)
            equations.append(Equation("activation", a, layer.activation.xreplace(names),
                                      layer.activation))
            names[layer.activation] = a
    top = layers[-1]
    loss = f.xreplace({_output(top): names[_output(top)]})
    equations.append(Equation("loss" if top.activation is not None else "loss_of_z",
                              sympy.Symbol("f"), loss, f))
    values = {name: node for node, name in names.items()}

    def expand(e: sympy.Basic) -> sympy.Basic:
        while e.atoms(sympy.MatrixSymbol) & set(values):
            e = e.xreplace(values)
        return e

    z_top = names[top.z]
    by_z = f.xreplace({top.z: z_top})
    delta = sympy.MatrixSymbol(f"{d_stem}{size}", *z_top.shape)
    g = gradient(by_z, z_top)
    equations.append(Equation("output_error", delta, g, expand(g), z_top, by_z))
    values[delta] = expand(g)
    for k in range(size - 1, max(target, 1) - 1, -1):
        layer, above = layers[k - 1], layers[k]
        new = sympy.MatrixSymbol(f"{d_stem}{k}", *layer.z.shape)
        back = above.weight.T * delta
        formula = back if layer.activation is None else sympy.HadamardProduct(
            back, Elementwise(layer.activation.name, names[layer.z]).derivative_entries())
        equations.append(Equation("backward", new, formula, expand(formula), names[layer.z]))
        values[new], delta = expand(formula), new
    if target == 0:
        formula, rule = layers[0].weight.T * delta, "input_gradient"
    elif x == layers[target - 1].weight:
        inp = layers[target - 1].input
        formula, rule = delta * names.get(inp, inp).T, "weight_gradient"
    else:
        formula, rule = delta, "bias_gradient"
    equations.append(Equation(rule, x, formula, expand(formula), x))
    return BackwardPass(result, layers, tuple(equations))
