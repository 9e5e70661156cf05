'''Records of the special functions: erf, erfc, Γ, log Γ, digamma, polygamma, n!, binomial.

numpy has none of them. Its spellings call helpers that are scipy.special's functions where
scipy is installed (live kernels always: the very same functions, also for complex numbers
in the complex step) and otherwise, in an exported module on a machine without scipy, the
standard library's math.erf, math.gamma, math.lgamma entry by entry and a recurrence with
an asymptotic series for polygamma, with scipy's conventions (nan at the poles of Γ left of
0, log Γ nan left of 0).

>>> namespace = {}
>>> exec("import math\\nimport numpy as np\\n" + dict(POLYGAMMA_SERIES)["_polygamma_series"],
...      namespace)
>>> round(float(namespace["_polygamma_series"](1, 1.0)), 12)  # trigamma(1) = π²/6
1.644934066848
'''

from __future__ import annotations

import textwrap

import sympy

from ..errors import ParseError
from .record import Record, Spelling, Unsupported

POLYGAMMA_SERIES = (("_polygamma_series", '''
_BERNOULLI = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510,
              43867 / 798, -174611 / 330)  # B2, B4, ..., B20


def _polygamma_series(n, x):
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
    return np.where(pole, -np.inf if n == 0 else np.inf, value)
'''),)


def _polygamma(n: sympy.Expr, u: sympy.Expr) -> sympy.Expr:
    """polygamma(n, u) for a whole order n ≥ 0, the only orders kernels and mpmath compute
    (a variable order would be differentiated: SymPy cannot)."""
    if not (isinstance(n, sympy.Integer) and n >= 0):
        raise ParseError(f"polygamma(n, u): the order n must be a whole number ≥ 0, not {n}")
    return sympy.polygamma(n, u)


def _scipy_or(name: str, scipy_name: str, fallback: str) -> tuple[str, str]:
    """A numpy helper: scipy.special's function where scipy is installed, else
    ``fallback`` (a def of ``name``)."""
    return name, f'''
try:
    from scipy.special import {scipy_name} as {name}
except ImportError:  # numpy alone{fallback}'''


ERF = _scipy_or("_erf", "erf", '''
    def _erf(x):
        return np.vectorize(math.erf, otypes=[float])(x)
''')
ERFC = _scipy_or("_erfc", "erfc", '''
    def _erfc(x):
        return np.vectorize(math.erfc, otypes=[float])(x)
''')
GAMMA_ONE = ("_gamma_one", '''
def _gamma_one(x):
    try:
        return math.gamma(x)
    except OverflowError:
        return math.inf
    except ValueError:  # a pole: 0 or a negative integer
        return math.copysign(math.inf, x) if x == 0 else math.nan
''')
GAMMA = _scipy_or("_gamma", "gamma", '''
    def _gamma(x):
        return np.vectorize(_gamma_one, otypes=[float])(x)
''')
LOGGAMMA = _scipy_or("_loggamma", "loggamma", '''
    def _loggamma_one(x):
        if x > 0:
            try:
                return math.lgamma(x)
            except OverflowError:
                return math.inf
        return math.inf if x == 0 else math.nan  # log Γ is complex left of 0

    def _loggamma(x):
        return np.vectorize(_loggamma_one, otypes=[float])(x)
''')
DIGAMMA = _scipy_or("_digamma", "psi", '''
    def _digamma(x):
        return _polygamma_series(0, x)
''')
POLYGAMMA = ("_polygamma", '''
try:
    from scipy.special import polygamma as _scipy_polygamma
except ImportError:  # numpy alone
    _scipy_polygamma = None


def _polygamma(n, x):
    if _scipy_polygamma is None:
        return _polygamma_series(int(n), x)
    return _scipy_polygamma(np.asarray(np.real(n)).astype(int), x)
''')
BINOMIAL = _scipy_or("_binomial", "binom", '''
    def _binomial(n, k):
        return _gamma(n + 1) / (_gamma(k + 1) * _gamma(n - k + 1))
''')
TORCH_GAMMA = ("_gamma", '''
def _gamma(x):
    # torch has lgamma only: Γ(x) = exp(lgamma(x)) right of 0, the reflection formula left
    # of it; each branch sees a harmless stand-in where it is not used (gradients pass both)
    right = x > 0
    positive = torch.exp(torch.lgamma(torch.where(right, x, torch.ones_like(x))))
    left = torch.where(right, torch.full_like(x, 0.5), x)
    negative = math.pi / (torch.sin(math.pi * left) * torch.exp(torch.lgamma(1 - left)))
    pole = (x < 0) & (x == torch.floor(x))  # nan, as scipy (sin(π·x) is not 0 there)
    return torch.where(right, positive, torch.where(pole, math.nan, negative))
''')
TORCH_LOGGAMMA = ("_loggamma", '''
def _loggamma(x):
    # torch.lgamma is log|Γ(x)|; log Γ is real only right of 0 (nan left of it, as scipy)
    right = x >= 0
    return torch.where(right, torch.lgamma(torch.where(right, x, torch.ones_like(x))), math.nan)
''')
JAX_LOGGAMMA = ("_loggamma", '''
def _loggamma(x):
    # gammaln is log|Γ(x)|; log Γ is real only right of 0 (nan left of it, as scipy)
    return jnp.where(x >= 0, jax.scipy.special.gammaln(jnp.where(x >= 0, x, 1.0)), jnp.nan)
''')
TORCH_POLYGAMMA = ("_polygamma", '''
def _polygamma(n, x):
    value = torch.special.polygamma(int(n), x)
    if int(n) != 1:
        return value
    # torch's trigamma is good to 1e-9; Hurwitz zeta(2, x) to 1e-15 (autograd: polygamma's)
    return value + (torch.special.zeta(2.0, x) - value).detach()
''')
JAX_POLYGAMMA = ("_polygamma", '''
def _polygamma(n, x):
    # JAX's polygamma is a Hurwitz zeta, right of 0 only; left of ½ the reflection
    # ψ⁽ⁿ⁾(x) = (−1)ⁿ·ψ⁽ⁿ⁾(1 − x) − π·dⁿ/dxⁿ cot(πx), dⁿcot(πx) = πⁿ·Pₙ(cot πx) with
    # P₀ = c, Pₖ₊₁ = −(1 + c²)·Pₖ′ (each branch sees a harmless stand-in)
    n = int(n)
    if n == 0:
        return jax.scipy.special.digamma(x)
    left = x < 0.5
    right = jax.scipy.special.polygamma(n, jnp.where(left, 1 - x, x))
    r = jnp.where(left, x - 2 * jnp.round(x / 2), 0.25)  # exact: cot has period 1
    c = jnp.cos(math.pi * r) / jnp.sin(math.pi * r)
    p = [0.0, 1.0]  # coefficients of P in c, lowest first
    for _ in range(n):
        d = [k * p[k] for k in range(1, len(p))] + [0.0, 0.0]
        p = [-(d[k] + (d[k - 2] if k >= 2 else 0.0)) for k in range(len(d))]
    value = 0.0
    for a in reversed(p):
        value = value * c + a
    reflected = (-1.0) ** n * right - math.pi ** (n + 1) * value
    return jnp.where(left, reflected, right)
''')
TORCH_BINOMIAL = ("_binomial", '''
def _binomial(n, k):
    like = n if torch.is_tensor(n) else k  # a number beside a tensor: the tensor's kind
    n, k = (torch.as_tensor(a, dtype=like.dtype, device=like.device) for a in (n, k))
    return _binomial_by_lgamma(n, k, torch.lgamma, torch.floor, torch.where, torch.exp)
''')
BINOMIAL_BY_LGAMMA = ("_binomial_by_lgamma", '''
def _binomial_by_lgamma(n, k, lgamma, floor, where, exp):
    # sign·exp(log|Γ(n + 1)| − log|Γ(k + 1)| − log|Γ(n − k + 1)|): no overflow for large n;
    # 0 where a Γ below the line has a pole (1/Γ is 0 there); stand-ins keep gradients finite
    def pole(x):
        return (x <= 0) & (x == floor(x))

    def sign(x):
        return where((x > 0) | pole(x), 1.0, 1.0 - 2.0 * ((floor(-x) + 1) % 2))

    a, b, c = n + 1, k + 1, n - k + 1
    zero = pole(b) | pole(c)
    b, c = where(pole(b), 0.5, b), where(pole(c), 0.5, c)
    value = sign(a) * sign(b) * sign(c) * exp(lgamma(a) - lgamma(b) - lgamma(c))
    return where(zero, 0.0, value)
''')
_NO_C = Unsupported("C's <math.h> has no digamma, polygamma or binomial")


SPECIAL = [
    Record("erf", sympy.erf, "the error function (2/√π)·∫₀ᵘ e^(−t²) dt", "error function",
           latex=r"\operatorname{erf}", latex_in=(r"\operatorname{erf}", r"\erf"),
           derivative=("2*exp(-u**2)/sqrt(pi)",), rule_text="erf′(u) = (2/√π)·e^(−u²)",
           rule_latex=r"\operatorname{erf}'(u) = \frac{2}{\sqrt{\pi}} e^{-u^{2}}",
           spell={"numpy": Spelling("_erf({0})", (ERF,), into=True),
                  "torch": Spelling("torch.special.erf({0})", into=True),
                  "jax": Spelling("jax.scipy.special.erf({0})"),
                  "math": Spelling("math.erf({0})"), "c": Spelling("erf({0})"),
                  "mpmath": Spelling("mp.erf({0})")}),
    Record("erfc", sympy.erfc, "the complementary error function 1 − erf(u)",
           "complementary error function", latex=r"\operatorname{erfc}",
           derivative=("-2*exp(-u**2)/sqrt(pi)",), rule_text="erfc′(u) = −(2/√π)·e^(−u²)",
           rule_latex=r"\operatorname{erfc}'(u) = -\frac{2}{\sqrt{\pi}} e^{-u^{2}}",
           spell={"numpy": Spelling("_erfc({0})", (ERFC,), into=True),
                  "torch": Spelling("torch.special.erfc({0})", into=True),
                  "jax": Spelling("jax.scipy.special.erfc({0})"),
                  "math": Spelling("math.erfc({0})"), "c": Spelling("erfc({0})"),
                  "mpmath": Spelling("mp.erfc({0})")}),
    Record("gamma", sympy.gamma, "Euler's gamma function, Γ(n) = (n − 1)!", "gamma function",
           unicode=("Γ",), latex=r"\Gamma", latex_in=(r"\Gamma",), eager_integer=True,
           derivative=("gamma(u)*polygamma(0, u)",), rule_text="Γ′(u) = Γ(u)·ψ(u)",
           rule_latex=r"\Gamma'(u) = \Gamma(u)\,\psi(u)",
           domain="{u} not 0, −1, −2, ... (poles)",
           spell={"numpy": Spelling("_gamma({0})", (GAMMA_ONE, GAMMA)),
                  "torch": Spelling("_gamma({0})", (TORCH_GAMMA,)),
                  "jax": Spelling("jax.scipy.special.gamma({0})"),
                  "math": Spelling("math.gamma({0})"), "c": Spelling("tgamma({0})"),
                  "mpmath": Spelling("mp.gamma({0})")},
           sample=((0.2, 6.0),)),
    Record("loggamma", sympy.loggamma, "log Γ(u), real for u > 0", "log-gamma function",
           aliases=("lgamma",), latex=r"\log\Gamma", latex_in=(r"\ln\Gamma", r"\log\Gamma"),
           eager_integer=True, derivative=("polygamma(0, u)",),
           rule_text="(log Γ)′(u) = ψ(u)", rule_latex=r"(\log\Gamma)'(u) = \psi(u)",
           domain="{u} > 0", domain_test=lambda u: u > 0,
           spell={"numpy": Spelling("_loggamma({0})", (LOGGAMMA,)),
                  "torch": Spelling("_loggamma({0})", (TORCH_LOGGAMMA,)),
                  "jax": Spelling("_loggamma({0})", (JAX_LOGGAMMA,)),
                  "math": Spelling("(math.lgamma({0}) if {0} > 0 else _bail())", (("_bail", '''
def _bail():
    raise ArithmeticError("outside the one-point dialect's domain")
'''),)),
                  "c": Spelling("smx_loggamma({0})", (("smx_loggamma",
                     "static inline double smx_loggamma(double a) "
                     "{ return a > 0 ? lgamma(a) : (a == 0 ? INFINITY : NAN); }"),)),
                  "mpmath": Spelling("mp.loggamma({0})")},
           sample=((0.2, 10.0),)),
    Record("digamma", sympy.digamma, "ψ(u) = Γ′(u)/Γ(u)", "digamma function",
           unicode=("ψ",), latex=r"\psi", latex_in=(r"\psi",), eager_integer=True,
           derivative=("polygamma(1, u)",), rule_text="ψ′(u) = ψ₁(u)",
           rule_latex=r"\psi'(u) = \psi^{(1)}(u)",
           spell={"numpy": Spelling("_digamma({0})", (*POLYGAMMA_SERIES, DIGAMMA)),
                  "torch": Spelling("torch.special.digamma({0})"),
                  "jax": Spelling("jax.scipy.special.digamma({0})"),
                  "math": Spelling("float(_scipy_special.psi({0}))"), "c": _NO_C,
                  "mpmath": Spelling("mp.digamma({0})")},
           sample=((0.2, 10.0),)),
    Record("polygamma", sympy.polygamma, "polygamma(n, u): the n-th derivative of ψ(u)",
           "polygamma function", build=_polygamma, latex=r"\psi^{(n)}", arity=(2, 2),
           params=("n", "u"),
           eager_integer=True, derivative=("", "polygamma(n + 1, u)"),
           rule_text="ψₙ′(u) = ψₙ₊₁(u)", rule_latex=r"\psi^{(n)}{}'(u) = \psi^{(n+1)}(u)",
           spell={"numpy": Spelling("_polygamma({0}, {1})", (*POLYGAMMA_SERIES, POLYGAMMA)),
                  "torch": Spelling("_polygamma({0}, {1})", (TORCH_POLYGAMMA,)),
                  "jax": Spelling("_polygamma({0}, {1})", (JAX_POLYGAMMA,)),
                  "math": Spelling("float(_scipy_special.polygamma(int({0}), {1}))"),
                  "c": _NO_C, "mpmath": Spelling("mp.polygamma(int({0}), {1})")},
           sample=((0.0, 2.0), (0.5, 8.0)), integers=(0,)),
    Record("factorial", sympy.factorial, "u! = Γ(u + 1)", "factorial", latex="u!",
           eager_integer=True, derivative=("gamma(u + 1)*polygamma(0, u + 1)",),
           rule_text="(u!)′ = Γ(u + 1)·ψ(u + 1)",
           rule_latex=r"(u!)' = \Gamma(u + 1)\,\psi(u + 1)",
           spell={"numpy": Spelling("_gamma({0} + 1)", (GAMMA_ONE, GAMMA)),
                  "torch": Spelling("_gamma({0} + 1)", (TORCH_GAMMA,)),
                  "jax": Spelling("jax.scipy.special.gamma({0} + 1)"),
                  "math": Spelling("math.gamma({0} + 1)"), "c": Spelling("tgamma({0} + 1)"),
                  "mpmath": Spelling("mp.factorial({0})")},
           sample=((0.2, 6.0),)),
    Record("binomial", sympy.binomial, "binomial(n, k) = Γ(n + 1)/(Γ(k + 1)·Γ(n − k + 1))",
           "binomial coefficient", latex=r"\binom{n}{k}", latex_in=(r"\binom",), arity=(2, 2),
           params=("n", "k"), eager_integer=True,
           derivative=("binomial(n, k)*(polygamma(0, n + 1) - polygamma(0, n - k + 1))",
                       "binomial(n, k)*(polygamma(0, n - k + 1) - polygamma(0, k + 1))"),
           rule_text="∂C(n, k)/∂n = C(n, k)·(ψ(n + 1) − ψ(n − k + 1))",
           rule_latex=r"\partial_n \binom{n}{k} = \binom{n}{k}"
                      r"\left(\psi(n + 1) - \psi(n - k + 1)\right)",
           spell={"numpy": Spelling("_binomial({0}, {1})", (GAMMA_ONE, GAMMA, BINOMIAL)),
                  "torch": Spelling("_binomial({0}, {1})",
                                    (TORCH_GAMMA, BINOMIAL_BY_LGAMMA, TORCH_BINOMIAL)),
                  "jax": Spelling("_binomial_by_lgamma({0}, {1}, jax.scipy.special.gammaln, "
                                  "jnp.floor, jnp.where, jnp.exp)", (BINOMIAL_BY_LGAMMA,)),
                  "math": Spelling("float(_scipy_special.binom({0}, {1}))"), "c": _NO_C,
                  "mpmath": Spelling("mp.binomial({0}, {1})")},
           sample=((2.0, 8.0), (0.5, 1.5))),
]



class erfcx(sympy.Function):  # noqa: N801 - lower case like SymPy's erfc
    """The scaled complementary error function erfcx(u) = e^(u²)·erfc(u)."""

    nargs = 1

    @classmethod
    def eval(cls, u: sympy.Expr) -> sympy.Expr | None:
        if u.is_zero:
            return sympy.S.One
        if u is sympy.S.Infinity:
            return sympy.S.Zero
        return None

    def fdiff(self, argindex: int = 1) -> sympy.Expr:
        u = self.args[0]
        return 2 * u * erfcx(u) - 2 / sympy.sqrt(sympy.pi)

    def _eval_rewrite_as_erfc(self, u: sympy.Expr, **hints) -> sympy.Expr:
        return sympy.exp(u**2) * sympy.erfc(u)

    def _eval_evalf(self, prec: int) -> sympy.Expr | None:
        u = self.args[0]
        return (sympy.exp(u**2) * sympy.erfc(u))._eval_evalf(prec + 20)

    def _eval_is_extended_real(self) -> bool | None:
        return self.args[0].is_extended_real

    def _eval_is_positive(self) -> bool | None:
        return True if self.args[0].is_extended_real else None


_ERFCX_ONE = '''
def _erfcx_one(x):
    if x < 25:  # e^(x²) overflows left of -26.6: inf, as the function
        try:
            return math.exp(x * x) * math.erfc(x)
        except OverflowError:
            return math.inf
    t, term, total = 0.5 / (x * x), 1.0, 1.0  # 1/(x√π)·Σ (−1)ᵏ (2k−1)!!/(2x²)ᵏ
    for k in range(1, 8):
        term *= -(2 * k - 1) * t
        total += term
    return total / (x * math.sqrt(math.pi))
'''
ERFCX = ("_erfcx", f'''
try:
    from scipy.special import erfcx as _erfcx
except ImportError:  # numpy alone
{textwrap.indent(_ERFCX_ONE.strip(), "    ")}

    def _erfcx(x):
        return np.vectorize(_erfcx_one, otypes=[float])(x)
''')
C_ERFCX = ("smx_erfcx",
           "static inline double smx_erfcx(double x) { if (x < 25) return "
           "exp(x * x) * erfc(x); double t = 0.5 / (x * x), term = 1, total = 1; "
           "for (int k = 1; k < 8; k++) { term *= -(2 * k - 1) * t; total += term; "
           "} return total * 0.5641895835477563 / x; }")
JAX_ERFCX = ("_erfcx", '''
def _erfcx(x):
    # e^(x²)·erfc(x) up to 25, the asymptotic series beyond (each sees a harmless stand-in)
    near = x < 25
    a = jnp.where(near, x, 0.0)
    b = jnp.where(near, 25.0, x)
    t = 0.5 / (b * b)
    series = 1 + t * (-1 + t * (3 + t * (-15 + t * (105 + t * (-945 + t * 10395)))))
    far = series / (b * math.sqrt(math.pi))
    return jnp.where(near, jnp.exp(a * a) * jax.scipy.special.erfc(a), far)
''')

SCALED = [
    Record("erfcx", erfcx, "the scaled complementary error function e^(u²)·erfc(u)",
           "scaled complementary error function", latex=r"\operatorname{erfcx}",
           latex_in=(r"\operatorname{erfcx}",),
           derivative=("2*u*erfcx(u) - 2/sqrt(pi)",),
           rule_text="erfcx′(u) = 2u·erfcx(u) − 2/√π",
           rule_latex=r"\operatorname{erfcx}'(u) = 2u\,\operatorname{erfcx}(u) - "
                      r"\frac{2}{\sqrt{\pi}}",
           stable="no overflow for large u, where e^(u²) and erfc(u) would overflow and "
                  "underflow",
           spell={"numpy": Spelling("_erfcx({0})", (ERFCX,), into=True),
                  "torch": Spelling("torch.special.erfcx({0})", into=True),
                  "jax": Spelling("_erfcx({0})", (JAX_ERFCX,)),
                  "math": Spelling("_erfcx_one({0})", (("_erfcx_one", _ERFCX_ONE),)),
                  "c": Spelling("smx_erfcx({0})", (C_ERFCX,)),
                  "mpmath": Spelling("mp.exp({0} ** 2) * mp.erfc({0})")},
           sample=((-2.0, 4.0),)),
]

RECORDS: list[Record] = [*SPECIAL, *SCALED]
