"""The parts of an exported module around the program: arguments in, result array out.

Per backend (numpy, torch, JAX): how an argument becomes a float64 array, how the batch shape
is found, and the helpers that broadcast the output values (constants too) to the batch and
lay them out: stacked entries, or a Hessian diagonal + c·u·uᵀ assembled as the kernel does
(:mod:`symnum.kernels.assembly`).

>>> BACKENDS["torch"].argument("v0", "x")
"v0 = _float64(x, 'x')"
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Backend:
    """How one backend's export takes its arguments and returns its result."""

    name: str
    convert: str  # an argument as a float64 array: "{0}" is the argument
    shape: str  # the shape of an array "{0}"
    broadcast: str  # the function that broadcasts shapes
    helpers: dict[str, str]
    guard: str | None = None  # a `with` statement around the arithmetic, or None
    device: str | None = None  # where constants go: an expression of the first input

    def argument(self, slot: str, name: str) -> str:
        return f"{slot} = {self.convert.format(name)}"

    def batch(self, slots: list[str]) -> str:
        shapes = ", ".join(self.shape.format(s) for s in slots)
        return f"batch = tuple({self.broadcast}({shapes}))"


# Helpers written once for numpy and (with jnp for np) JAX, whose array APIs agree here.
_ARRAY_HELPERS = {
    "_stack": '''
def _stack(values, batch):
    """The values (arrays or numbers) broadcast to the batch, stacked on a last axis."""
    return np.stack([np.broadcast_to(np.asarray(v, dtype=float), batch) for v in values],
                    axis=-1)
''',
    "_rank_one": '''
def _rank_one(c, u, diagonal, batch):
    """n×n matrices with the diagonal given and c·u[i]·u[j] off it (symmetric exactly)."""
    c = np.broadcast_to(np.asarray(c, dtype=float), batch)[..., None]
    v = _stack(u, batch) * np.sqrt(np.abs(c))
    off = (v * np.sign(c))[..., :, None] * v[..., None, :]
    return np.where(np.eye(len(u), dtype=bool), _stack(diagonal, batch)[..., :, None], off)
''',
}

# Text is refused the same way by every backend's argument check.
_TEXT = '''
def _text(a):
    """Whether a holds text (a string, or a list or array of them)."""
    if isinstance(a, (str, bytes)):
        return True
    if isinstance(a, (list, tuple)):
        return any(_text(b) for b in a)
    return getattr(getattr(a, "dtype", None), "kind", "") in ("U", "S")
'''

_NUMPY = {
    "_text": _TEXT,
    "_float64": '''
def _float64(a, name):
    """The argument as a float64 array; text is refused, not read as a number."""
    if _text(a):
        raise TypeError(f"{name}: got text {a!r}; give numbers or arrays of real numbers")
    return np.asarray(a, dtype=float)
''',
    **_ARRAY_HELPERS,
}

_TORCH = {
    "_text": _TEXT,
    "_float64": '''
def _float64(a, name):
    """The argument as a float64 tensor (on its device); text is refused."""
    if _text(a):
        raise TypeError(f"{name}: got text {a!r}; give numbers or arrays of real numbers")
    return torch.as_tensor(a, dtype=torch.float64)
''',
    "_batch": '''
def _batch(*shapes):
    """The shape the arguments broadcast to (torch.broadcast_shapes would import SymPy)."""
    ndim = max((len(s) for s in shapes), default=0)
    batch = []
    for axis in range(-ndim, 0):
        sizes = {s[axis] for s in shapes if len(s) >= -axis} - {1}
        if len(sizes) > 1:
            raise ValueError("the arguments' shapes do not broadcast: " +
                             ", ".join(str(tuple(s)) for s in shapes))
        batch.append(sizes.pop() if sizes else 1)
    return tuple(batch)
''',
    "_stack": '''
def _stack(values, batch, device):
    """The values (tensors or numbers) broadcast to the batch, stacked on a last axis."""
    return torch.stack([torch.broadcast_to(torch.as_tensor(v, dtype=torch.float64,
                                                           device=device), batch)
                        for v in values], dim=-1)
''',
    "_rank_one": '''
def _rank_one(c, u, diagonal, batch, device):
    """n×n matrices with the diagonal given and c·u[i]·u[j] off it (symmetric exactly)."""
    c = torch.broadcast_to(torch.as_tensor(c, dtype=torch.float64, device=device),
                           batch)[..., None]
    v = _stack(u, batch, device) * torch.sqrt(torch.abs(c))
    off = (v * torch.sign(c))[..., :, None] * v[..., None, :]
    eye = torch.eye(len(u), dtype=torch.bool, device=device)
    return torch.where(eye, _stack(diagonal, batch, device)[..., :, None], off)
''',
}

_JAX = {
    "_text": _TEXT,
    "_float64": '''
def _float64(a, name):
    """The argument as a float64 array; JAX without its 64-bit mode would round to float32,
    and text is refused, not read as a number."""
    if _text(a):
        raise TypeError(f"{name}: got text {a!r}; give numbers or arrays of real numbers")
    if not jax.config.jax_enable_x64:
        raise ValueError("this function computes in float64: call "
                         "jax.config.update('jax_enable_x64', True) at the start of the program")
    return jnp.asarray(a, dtype=jnp.float64)
''',
    **{name: text.replace("np.", "jnp.") for name, text in _ARRAY_HELPERS.items()},
}

BACKENDS = {
    "numpy": Backend("numpy", "_float64({0}, '{0}')", "np.shape({0})",
                     "np.broadcast_shapes", _NUMPY, guard='np.errstate(all="ignore")'),
    "torch": Backend("torch", "_float64({0}, '{0}')", "{0}.shape",
                     "_batch", _TORCH, device="{0}.device"),
    "jax": Backend("jax", "_float64({0}, '{0}')", "jnp.shape({0})",
                   "jnp.broadcast_shapes", _JAX),
}


def result_lines(backend: Backend, layout: object, outputs: list[str], shape: tuple[int, ...],
                 device: str | None) -> list[str]:
    """The lines that return the result array from the output values' names."""
    extra = f", {device}" if backend.device else ""
    if type(layout).__name__ == "RankOne":
        n = layout.n
        c, u, diagonal = outputs[0], outputs[1:n + 1], outputs[n + 1:]
        return [f"return _rank_one({c}, [{', '.join(u)}], [{', '.join(diagonal)}], "
                f"batch{extra})"]
    if hasattr(layout, "expand"):  # repeated entries (a tensor): each distinct one computed once
        outputs = list(layout.expand(outputs))
    if not outputs:  # a result without entries
        return [f"return _stack([0.0], batch{extra})[..., :0].reshape(batch + {shape!r})"]
    return [f"return _stack([{', '.join(outputs)}], batch{extra}).reshape(batch + {shape!r})"]
