"""What a kernel accepts as a variable's value: numbers or arrays of real numbers.

Python and numpy numbers, nested lists of them, numpy arrays and torch tensors of bool,
integer or floating dtype are taken (as float64); anything else is an
:class:`~symnum.core.errors.EvaluationError` that names the variable and what was expected.
Strings are refused, never parsed (``np.asarray("1e3", dtype=float)`` would read them), and
complex values are refused rather than cut to their real part.

>>> as_array([1, 2.5], "x", "numpy").tolist()
[1.0, 2.5]
>>> as_array("2", "x", "numpy")
Traceback (most recent call last):
...
symnum.core.errors.EvaluationError: x: got the string '2'; kernel inputs are numbers or arrays \
of real numbers (numpy backend), never text
"""

from __future__ import annotations

import decimal
import numbers

import numpy as np

from ..core.errors import EvaluationError

_REAL_KINDS = "biuf"  # numpy dtype kinds: bool, signed, unsigned, floating


def _expected(backend: str) -> str:
    return f"kernel inputs are numbers or arrays of real numbers ({backend} backend)"


def _refuse(name: str, got: str, backend: str, hint: str = "") -> EvaluationError:
    return EvaluationError(f"{name}: got {got}; {_expected(backend)}{hint}")


def _complex_refusal(name: str, backend: str) -> EvaluationError:
    return _refuse(name, "complex values", backend,
                   "; the kernel computes with real numbers only and does not drop the "
                   "imaginary part: pass the real part (.real) if that is what you mean")


def _describe(value: object) -> str:
    if isinstance(value, str | bytes):
        text = value if len(value) <= 20 else value[:17] + "..."
        return f"the string {text!r}"
    return "None" if value is None else f"a {type(value).__name__}"


def _is_real_scalar(item: object) -> bool:
    """A number that converts to float exactly as it means (no text, no complex)."""
    if isinstance(item, bool | numbers.Real | decimal.Decimal):
        return True
    import sympy
    return isinstance(item, sympy.Expr) and item.is_number and item.is_real is True


def _numpy_array(value: object, name: str, backend: str, complex_ok: bool) -> np.ndarray:
    """``value`` as a float64 (or complex128) numpy array, or an EvaluationError."""
    if value is None or isinstance(value, str | bytes | dict | set):
        hint = ", never text" if isinstance(value, str | bytes) else ""
        raise _refuse(name, _describe(value), backend, hint)
    try:
        array = np.asarray(value)
    except (TypeError, ValueError) as err:  # ragged nesting, objects numpy cannot read
        raise _refuse(name, f"a value numpy cannot read as an array ({err})", backend) from None
    kind = array.dtype.kind
    if kind == "c":
        if not complex_ok:
            raise _complex_refusal(name, backend)
        return array.astype(complex)
    if kind == "O":
        items = array.reshape(-1).tolist()
        odd = next((item for item in items if not _is_real_scalar(item)), None)
        if odd is not None or not items:
            if isinstance(odd, complex | numbers.Complex):
                raise _complex_refusal(name, backend)
            raise _refuse(name, f"an array holding {_describe(odd)}", backend,
                          ", never text" if isinstance(odd, str | bytes) else "")
        try:
            return np.array([float(item) for item in items]).reshape(array.shape)
        except (OverflowError, TypeError, ValueError) as err:
            raise _refuse(name, f"a number float64 cannot hold ({err})", backend) from None
    if kind not in _REAL_KINDS:
        hint = ", never text" if kind in "US" else ""
        raise _refuse(name, f"an array of dtype {array.dtype}", backend, hint)
    return array.astype(complex if complex_ok else float, copy=False)


def as_array(value: object, name: str, backend: str, complex_ok: bool = False) -> object:
    """``value`` as the backend's float64 array (complex128 when ``complex_ok``); a torch
    tensor keeps its device and autograd history."""
    if backend == "torch":
        import torch
        dtype = torch.complex128 if complex_ok else torch.float64
        if isinstance(value, torch.Tensor):
            if value.is_complex() and not complex_ok:
                raise _complex_refusal(name, backend)
            return value.to(dtype)
        return torch.as_tensor(_numpy_array(value, name, backend, complex_ok), dtype=dtype)
    if type(value).__module__.startswith("torch"):
        value = value.detach().cpu().numpy()
    return _numpy_array(value, name, backend, complex_ok)
