"""How each array operation of matrix code is spelled for numpy, torch and JAX.

Matrix code (:mod:`symnum.matrix.array_code`) carries every value as an array of shape
batch + (rows, cols): a vector as (..., n, 1), a scalar as (..., 1, 1), so products,
transposes and sums broadcast over the leading batch dimensions. One row per operation and
backend; helpers (a stable softmax, log det by slogdet, a batch-broadcasting solve) are
Python source added to the module only where used, so the code needs only its backend.

>>> OPS["torch"]["T"]("A"), OPS["numpy"]["solve"]("A", "B")
('A.transpose(-1, -2)', '_solve(A, B)')
"""

from __future__ import annotations

import re
from collections.abc import Callable

Spell = Callable[..., str]


def _einsum(module: str, extra: str = "") -> Spell:
    return lambda spec, *args: f"{module}.einsum({spec!r}, {', '.join(args)}{extra})"


def _table(m: str, swap: Spell, sums: Callable[[str, int], str], make: Callable[[str], str],
           einsum_extra: str = "") -> dict[str, Spell]:
    return {
        "T": swap,
        "matmul": lambda a, b: f"{a} @ {b}",
        "mul": lambda a, b: f"{a} * {b}",
        "sum_rows": lambda a: sums(a, -2),  # 𝟏ᵀA: (..., 1, c)
        "sum_cols": lambda a: sums(a, -1),  # A𝟏: (..., r, 1)
        "solve": lambda a, b: f"_solve({a}, {b})",
        "inv": lambda a: f"{m}.linalg.inv({a})",
        "det": lambda a: f"{m}.linalg.det({a})[..., None, None]",
        "logdet": lambda a: f"_logdet({a})",
        "trace": lambda a: f"_trace({a})",
        "power": lambda a, k: f"{m}.linalg.matrix_power({a}, {k})",
        "softmax": lambda a: f"_softmax({a}, -2)",
        "log_softmax": lambda a: f"_log_softmax({a}, -2)",
        "row_softmax": lambda a: f"_softmax({a}, -1)",
        "layernorm": lambda a, eps: f"_layernorm({a}, {eps})",
        "variance": lambda a: f"_variance({a})",
        "einsum": _einsum(m, einsum_extra),
        "eye": lambda n: make(f"eye({n}"),
        "ones": lambda r, c: make(f"ones(({r}, {c})"),
        "zeros": lambda r, c: make(f"zeros(({r}, {c})"),
        "reshape": lambda a, shape: f"{a}.reshape({shape})",
        "size": (lambda n: f"torch.tensor(float({n}), dtype=torch.float64, device=_device)")
        if m == "torch" else (lambda n: f"float({n})"),  # a dimension as a number
        "kron": lambda a, b: f"_kron({a}, {b})",
        "vec": lambda a: f"_vec({a})",
        "commutation": lambda r, c: f"_commutation({r}, {c})",
        "unvec": lambda a, m, n, p, q: f"_unvec({a}, {m}, {n}, {p}, {q})",
    }


OPS: dict[str, dict[str, Spell]] = {
    "numpy": _table("np", lambda a: f"np.swapaxes({a}, -1, -2)",
                    lambda a, axis: f"{a}.sum(axis={axis}, keepdims=True)",
                    lambda call: f"np.{call})", ", optimize=True"),
    "torch": _table("torch", lambda a: f"{a}.transpose(-1, -2)",
                    lambda a, axis: f"{a}.sum(dim={axis}, keepdim=True)",
                    lambda call: f"torch.{call}, dtype=torch.float64, device=_device)"),
    "jax": _table("jnp", lambda a: f"jnp.swapaxes({a}, -1, -2)",
                  lambda a, axis: f"jnp.sum({a}, axis={axis}, keepdims=True)",
                  lambda call: f"jnp.{call})"),
}

IMPORTS = {"numpy": ("import numpy as np",), "torch": ("import torch",),
           "jax": ("import jax", "import jax.numpy as jnp")}

# Written once for numpy; JAX's spelling is the same with jnp (its arrays are immutable:
# _result broadcasts without copying).
_NUMPY_HELPERS = {
    "_batch": '''
def _batch(*shapes):
    """The shape the arguments' leading dimensions broadcast to."""
    ndim = max((len(s) for s in shapes), default=0)
    batch = []
    for axis in range(-ndim, 0):
        sizes = {s[axis] for s in shapes if len(s) >= -axis} - {1}
        if len(sizes) > 1:
            raise ValueError("the arguments' batch shapes do not broadcast: " +
                             ", ".join(str(tuple(s)) for s in shapes))
        batch.append(sizes.pop() if sizes else 1)
    return tuple(batch)
''',
    "_solve": '''
def _solve(a, b):
    """a⁻¹b without forming a⁻¹, the batch dimensions of a and b broadcast."""
    batch = _batch(a.shape[:-2], b.shape[:-2])
    return np.linalg.solve(np.broadcast_to(a, batch + tuple(a.shape[-2:])),
                           np.broadcast_to(b, batch + tuple(b.shape[-2:])))
''',
    "_logdet": '''
def _logdet(a):
    """log det a by slogdet (no overflow of det a); nan where det a <= 0."""
    sign, value = np.linalg.slogdet(a)
    return np.where(sign > 0, value, np.nan)[..., None, None]
''',
    "_trace": '''
def _trace(a):
    return np.trace(a, axis1=-2, axis2=-1)[..., None, None]
''',
    "_softmax": '''
def _softmax(z, axis):
    """exp(z) / sum exp(z), shifted by the largest entry (no overflow)."""
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)
''',
    "_log_softmax": '''
def _log_softmax(z, axis):
    """log softmax(z) = z - logsumexp(z), shifted by the largest entry."""
    s = z - np.max(z, axis=axis, keepdims=True)
    return s - np.log(np.sum(np.exp(s), axis=axis, keepdims=True))
''',
    "_variance": '''
def _variance(x):
    """The variance of the entries of each column x (..., n, 1): (..., 1, 1)."""
    c = x - np.mean(x, axis=-2, keepdims=True)
    return np.mean(c * c, axis=-2, keepdims=True)
''',
    "_layernorm": '''
def _layernorm(x, eps):
    """(x - mean)/sqrt(var + eps) of each column x (..., n, 1)."""
    c = x - np.mean(x, axis=-2, keepdims=True)
    return c / np.sqrt(np.mean(c * c, axis=-2, keepdims=True) + eps)
''',
    "_kron": '''
def _kron(a, b):
    """The Kronecker product of the last two axes, batched."""
    (p, q), (r, s) = a.shape[-2:], b.shape[-2:]
    out = a[..., :, None, :, None] * b[..., None, :, None, :]
    return out.reshape(out.shape[:-4] + (p * r, q * s))
''',
    "_vec": '''
def _vec(a):
    """vec a: the columns stacked, as a column (..., rows * cols, 1)."""
    return np.swapaxes(a, -1, -2).reshape(a.shape[:-2] + (a.shape[-2] * a.shape[-1], 1))
''',
    "_commutation": '''
def _commutation(r, c):
    """K with K vec A = vec Aᵀ for A of shape (r, c)."""
    k = np.zeros((r * c, r * c))
    for i in range(r):
        for j in range(c):
            k[j + c * i, i + r * j] = 1.0
    return k
''',
    "_unvec": '''
def _unvec(v, m, n, p, q):
    """The mn × pq matrix of vec F by vec X as the (m, n, p, q) array (column-major vec)."""
    t = v.reshape(v.shape[:-2] + (n, m, q, p))
    return np.swapaxes(np.swapaxes(t, -4, -3), -2, -1)
''',
    "_result": '''
def _result(value, batch, rank, shape):
    """The value broadcast to the batch and laid out as batch + shape."""
    inner = tuple(value.shape[value.ndim - rank:])
    if tuple(value.shape) != batch + inner:
        value = np.broadcast_to(value, batch + inner).copy()
    return value.reshape(batch + shape)
''',
}

_TORCH_CHANGES = [("np.linalg.", "torch.linalg."), ("np.broadcast_to", "torch.broadcast_to"),
                  ("np.swapaxes", "torch.swapaxes"), ("np.where", "torch.where"),
                  ("np.nan", "torch.nan"), ("np.exp", "torch.exp"), ("np.log", "torch.log"),
                  ("np.trace(a, axis1=-2, axis2=-1)", "torch.diagonal(a, 0, -2, -1).sum(-1)"),
                  ("np.max(z, axis=axis, keepdims=True)", "torch.amax(z, dim=axis, keepdim=True)"),
                  ("np.sum(e, axis=axis, keepdims=True)", "torch.sum(e, dim=axis, keepdim=True)"),
                  ("np.sum(np.exp(s), axis=axis, keepdims=True)",
                   "torch.sum(torch.exp(s), dim=axis, keepdim=True)"),
                  ("np.zeros((r * c, r * c))", "torch.zeros((r * c, r * c), dtype=torch.float64)"),
                  ("np.mean(x, axis=-2, keepdims=True)", "torch.mean(x, dim=-2, keepdim=True)"),
                  ("np.mean(c * c, axis=-2, keepdims=True)",
                   "torch.mean(c * c, dim=-2, keepdim=True)"), ("np.sqrt", "torch.sqrt"),
                  (").copy()", ").clone()")]


def _torch_helper(text: str) -> str:
    for old, new in sorted(_TORCH_CHANGES, key=lambda p: -len(p[0])):
        text = text.replace(old, new)
    return text


def _jax_helper(name: str, text: str) -> str:
    if name == "_commutation":  # built in numpy-free Python, then one array
        return '''
def _commutation(r, c):
    """K with K vec A = vec Aᵀ for A of shape (r, c)."""
    rows = [[0.0] * (r * c) for _ in range(r * c)]
    for i in range(r):
        for j in range(c):
            rows[j + c * i][i + r * j] = 1.0
    return jnp.array(rows)
'''
    return text.replace("np.", "jnp.").replace(").copy()", ")")


HELPERS = {
    "numpy": _NUMPY_HELPERS,
    "torch": {n: _torch_helper(t) for n, t in _NUMPY_HELPERS.items()},
    "jax": {n: _jax_helper(n, t) for n, t in _NUMPY_HELPERS.items()},
}


def used(backend: str, source: str) -> list[str]:
    """The helper definitions ``source`` calls (and those they call), in the table's order."""
    table = HELPERS[backend]
    needed = {n for n in table if re.search(rf"(?<![\w.]){n}\(", source)}
    for _ in range(3):  # helpers that call helpers (_solve → _batch)
        needed |= {o for n in needed for o in table if re.search(rf"(?<![\w.]){o}\(", table[n])}
    return [table[n].strip() for n in table if n in needed]
