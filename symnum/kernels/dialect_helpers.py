'''Small functions that generated source calls where a library has no one-line spelling.

Each is Python source, copied into a standalone export (or compiled for the one-point path)
only when the generated code calls it, so an export stays readable and imports nothing but
its backend and the standard library. numpy has no erf, gamma or polygamma: the numpy helpers
apply the standard library's ``math.erf``, ``math.erfc``, ``math.gamma`` and ``math.lgamma``
entry by entry (scipy's values and conventions: nan at the poles of Γ left of 0, loggamma nan
for x < 0), and compute polygamma by the recurrence ψₙ(x) = ψₙ(x + 1) − (−1)ⁿ n!/xⁿ⁺¹ up to
x ≥ 20, then its asymptotic series (about 1e-15 relative).

>>> namespace = {}
>>> exec("import math\\nimport numpy as np\\n" + HELPERS["numpy"]["_polygamma"], namespace)
>>> round(float(namespace["_polygamma"](1, 1.0)), 12)  # trigamma(1) = π²/6
1.644934066848
'''

_MATH = {
    "_bail": '''
def _bail():
    raise ArithmeticError("outside the one-point dialect's domain")
''',
    "_max": '''
def _max(*args):
    best = args[0]
    for a in args[1:]:
        best = best if best >= a or best != best else a
    return best
''',
    "_min": '''
def _min(*args):
    best = args[0]
    for a in args[1:]:
        best = best if best <= a or best != best else a
    return best
''',
    "_real_root": '''
def _real_root(b, n):
    return math.copysign(abs(b) ** (1.0 / n), b) if b == b else b
''',
}

_POLYGAMMA = '''
_BERNOULLI = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510,
              43867 / 798, -174611 / 330)  # B2, B4, ..., B20


def _polygamma(n, x):
    """The n-th derivative of digamma, elementwise: recurrence up to x >= 20, then series."""
    n = int(n)
    x = np.array(x, dtype=float)
    total = np.zeros_like(x)
    pole = (x <= 0) & (x == np.floor(x))
    if n == 0:  # reflection: psi(x) = psi(1 - x) - pi / tan(pi x)
        left = x < 0.5
        total = np.where(left, -math.pi / np.tan(math.pi * np.where(left, x, 0.25)), 0.0)
        x = np.where(left, 1 - x, x)
    scale = -math.factorial(n) * (-1.0) ** n
    low = np.isfinite(x) & (x < 20)
    while low.any():
        total = total + np.where(low, scale / np.where(low, x, 1.0) ** (n + 1), 0.0)
        x = np.where(low, x + 1, x)
        low = low & (x < 20)
    if n == 0:
        series = np.log(x) - 1 / (2 * x)
        for k, b in enumerate(_BERNOULLI, 1):
            series = series - b / (2 * k * x ** (2 * k))
    else:
        series = math.factorial(n - 1) / x ** n + math.factorial(n) / (2 * x ** (n + 1))
        for k, b in enumerate(_BERNOULLI, 1):
            series = series + b * math.factorial(2 * k + n - 1) / (
                math.factorial(2 * k) * x ** (2 * k + n))
        series = series * (-1.0) ** (n + 1)
    value = total + series
    return np.where(pole, np.nan if n == 0 else np.inf, value)
'''

_NUMPY = {
    "_heaviside": '''
def _heaviside(a, h):
    return np.heaviside(a, h)
''',
    "_dirac": '''
def _dirac(a):
    return np.where(a == 0, np.inf, 0.0)
''',
    "_real_root": '''
def _real_root(b, n):
    return np.cbrt(b) if n == 3 else np.sign(b) * np.abs(b) ** (1.0 / n)
''',
    "_gamma_one": '''
def _gamma_one(x):
    try:
        return math.gamma(x)
    except OverflowError:
        return math.inf
    except ValueError:  # a pole: 0 or a negative integer
        return math.copysign(math.inf, x) if x == 0 else math.nan
''',
    "_gamma": '''
def _gamma(x):
    return np.vectorize(_gamma_one, otypes=[float])(x)
''',
    "_loggamma_one": '''
def _loggamma_one(x):
    if x > 0:
        try:
            return math.lgamma(x)
        except OverflowError:
            return math.inf
    return math.inf if x == 0 else math.nan  # log Γ is complex left of 0
''',
    "_loggamma": '''
def _loggamma(x):
    return np.vectorize(_loggamma_one, otypes=[float])(x)
''',
    "_erf": '''
def _erf(x):
    return np.vectorize(math.erf, otypes=[float])(x)
''',
    "_erfc": '''
def _erfc(x):
    return np.vectorize(math.erfc, otypes=[float])(x)
''',
    "_binomial": '''
def _binomial(n, k):
    return _gamma(n + 1) / (_gamma(k + 1) * _gamma(n - k + 1))
''',
    "_polygamma": _POLYGAMMA,
}

_TORCH = {
    "_tensor": '''
def _tensor(a):
    return a if torch.is_tensor(a) else torch.tensor(a, dtype=torch.float64)
''',
    "_maximum": '''
def _maximum(*args):
    best = _tensor(args[0])
    for a in args[1:]:
        best = torch.maximum(best, _tensor(a))
    return best
''',
    "_minimum": '''
def _minimum(*args):
    best = _tensor(args[0])
    for a in args[1:]:
        best = torch.minimum(best, _tensor(a))
    return best
''',
    "_arctan2": '''
def _arctan2(y, x):
    return torch.atan2(_tensor(y), _tensor(x))
''',
    "_where": '''
def _where(condition, a, b):
    if isinstance(condition, bool):
        return a if condition else b
    return torch.where(condition, a, b)
''',
    "_heaviside": '''
def _heaviside(a, h):
    # torch.heaviside has no derivative; this has the right one (0 away from 0)
    return torch.where(a > 0, 1.0, torch.where(a < 0, 0.0, torch.where(a == 0, h, a)))
''',
    "_dirac": '''
def _dirac(a):
    return torch.where(a == 0, math.inf, 0.0 * a)
''',
    "_real_root": '''
def _real_root(b, n):
    return torch.sign(b) * torch.abs(b) ** (1.0 / n)
''',
    "_gamma": '''
def _gamma(x):
    # torch has lgamma only: Γ(x) = exp(lgamma(x)) right of 0, the reflection formula left
    # of it; each branch sees a harmless stand-in where it is not used (gradients pass both)
    right = x > 0
    positive = torch.exp(torch.lgamma(torch.where(right, x, torch.ones_like(x))))
    left = torch.where(right, torch.full_like(x, 0.5), x)
    negative = math.pi / (torch.sin(math.pi * left) * torch.exp(torch.lgamma(1 - left)))
    return torch.where(right, positive, negative)
''',
}

_JAX = {
    "_abs": '''
@jax.custom_jvp
def _abs(a):
    # JAX's own |x| has derivative 1 at 0; this one has sign(x), 0 at 0, as torch and symnum
    return jnp.abs(a)


@_abs.defjvp
def _abs_jvp(primals, tangents):
    (a,), (t,) = primals, tangents
    return jnp.abs(a), jnp.sign(a) * t
''',
    "_heaviside": '''
def _heaviside(a, h):
    return jnp.where(a > 0, 1.0, jnp.where(a < 0, 0.0, jnp.where(a == 0, h, a)))
''',
    "_dirac": '''
def _dirac(a):
    return jnp.where(a == 0, jnp.inf, 0.0 * a)
''',
    "_real_root": '''
def _real_root(b, n):
    return jnp.sign(b) * jnp.abs(b) ** (1.0 / n)
''',
}

_C = {
    "smx_max": "static inline double smx_max(double a, double b) "
               "{ return (a >= b || a != a) ? a : b; }",
    "smx_min": "static inline double smx_min(double a, double b) "
               "{ return (a <= b || a != a) ? a : b; }",
    "smx_sign": "static inline double smx_sign(double a) "
                "{ return a > 0 ? 1.0 : (a < 0 ? -1.0 : a); }",
    "smx_heaviside": "static inline double smx_heaviside(double a, double h) "
                     "{ return a > 0 ? 1.0 : (a < 0 ? 0.0 : (a == 0 ? h : a)); }",
    "smx_loggamma": "static inline double smx_loggamma(double a) "
                    "{ return a > 0 ? lgamma(a) : (a == 0 ? INFINITY : NAN); }",
    "smx_real_root": "static inline double smx_real_root(double b, double n) "
                     "{ return n == 3 ? cbrt(b) : copysign(pow(fabs(b), 1.0 / n), b); }",
}

HELPERS = {"math": _MATH, "numpy": _NUMPY, "torch": _TORCH, "jax": _JAX, "c": _C}
