'''Records of the normal distribution function Φ (``ndtr``) and its logarithm (``logndtr``).

Both are SciPy's, torch's and JAX's own (``ndtr``, ``log_ndtr``); the stable forms of kernels
(:mod:`symnum.kernels.stable_erf`) write 1 + erf(u), 2 − erfc(u) and log erfc(u) with them,
since SymPy turns erfc(−u) into 2 − erfc(u), which cancels. Without scipy (an exported numpy
module), and on the one-point and C paths, log Φ(t) is log(erfcx(−t/√2)/2) − t²/2 for
t < −1 and log1p(−erfc(t/√2)/2) above, as SciPy and torch compute it.

>>> namespace = {}
>>> exec("import math\\n" + _ERFCX_ONE + _LOG_NDTR_ONE, namespace)
>>> round(namespace["_log_ndtr_one"](-40.0), 6)  # log Φ(−40)
-804.608442
'''

from __future__ import annotations

import mpmath
import sympy

from .record import Record, Spelling
from .special import _ERFCX_ONE, C_ERFCX, ERFC, ERFCX, _scipy_or, erfcx

_SQRT_HALF = "0.7071067811865476"  # 1/√2


class ndtr(sympy.Function):  # noqa: N801 - lower case like SymPy's erfc
    """The standard normal distribution function Φ(u) = erfc(−u/√2)/2."""

    nargs = 1

    @classmethod
    def eval(cls, u: sympy.Expr) -> sympy.Expr | None:
        if u.is_zero:
            return sympy.S.Half
        if u is sympy.S.Infinity:
            return sympy.S.One
        if u is sympy.S.NegativeInfinity:
            return sympy.S.Zero
        return None

    def fdiff(self, argindex: int = 1) -> sympy.Expr:
        return sympy.exp(-self.args[0] ** 2 / 2) / sympy.sqrt(2 * sympy.pi)

    def _eval_rewrite_as_erfc(self, u: sympy.Expr, **hints) -> sympy.Expr:
        return sympy.erfc(-u / sympy.sqrt(2)) / 2

    def _eval_evalf(self, prec: int) -> sympy.Expr | None:
        return _evalf(mpmath.ncdf, self.args[0], prec)

    def _eval_is_extended_real(self) -> bool | None:
        return self.args[0].is_extended_real

    def _eval_is_positive(self) -> bool | None:
        return True if self.args[0].is_extended_real else None


class logndtr(sympy.Function):  # noqa: N801 - lower case like SymPy's erfc
    """log Φ(u), accurate far in the left tail (−u²/2 − log(−u√(2π)) + ...)."""

    nargs = 1

    @classmethod
    def eval(cls, u: sympy.Expr) -> sympy.Expr | None:
        if u.is_zero:
            return -sympy.log(2)
        if u is sympy.S.Infinity:
            return sympy.S.Zero
        return None

    def fdiff(self, argindex: int = 1) -> sympy.Expr:
        return sympy.sqrt(2) / (sympy.sqrt(sympy.pi) * erfcx(-self.args[0] / sympy.sqrt(2)))

    def _eval_rewrite_as_erfc(self, u: sympy.Expr, **hints) -> sympy.Expr:
        return sympy.log(sympy.erfc(-u / sympy.sqrt(2)) / 2)

    def _eval_evalf(self, prec: int) -> sympy.Expr | None:
        return _evalf(lambda t: mpmath.log(mpmath.ncdf(t)), self.args[0], prec)

    def _eval_is_extended_real(self) -> bool | None:
        return self.args[0].is_extended_real

    def _eval_is_extended_negative(self) -> bool | None:
        return True if self.args[0].is_extended_real else None


def _evalf(f, u: sympy.Expr, prec: int) -> sympy.Expr | None:
    value = u._eval_evalf(prec + 20)
    if value is None or not value.is_number or not value.is_extended_real:
        return None
    with mpmath.workprec(prec + 20):
        return sympy.Float(f(mpmath.mpf(value._to_mpmath(prec + 20))), precision=prec)


NDTR = _scipy_or("_ndtr", "ndtr", f'''
    def _ndtr(x):
        return np.vectorize(lambda t: 0.5 * math.erfc(-t * {_SQRT_HALF}), otypes=[float])(x)
''')
_LOG_NDTR_ONE = f'''
def _log_ndtr_one(t):
    if t < -1:  # log(erfcx(−t/√2)/2) − t²/2: no underflow
        return math.log(_erfcx_one(-t * {_SQRT_HALF}) / 2) - t * t / 2
    return math.log1p(-0.5 * math.erfc(t * {_SQRT_HALF}))
'''
LOG_NDTR = ("_log_ndtr", f'''
try:
    from scipy.special import log_ndtr as _log_ndtr
except ImportError:  # numpy alone
    def _log_ndtr(x):
        x = np.asarray(x, dtype=float)
        left = x < -1  # each branch sees a harmless stand-in where it is not chosen
        a, b = np.where(left, x, -2.0), np.where(left, 0.0, x)
        return np.where(left, np.log(_erfcx(-a * {_SQRT_HALF}) / 2) - a * a / 2,
                        np.log1p(-0.5 * _erfc(b * {_SQRT_HALF})))
''')
_C_LOG_NDTR = ("smx_log_ndtr", "static inline double smx_log_ndtr(double t) { return t < -1 ? "
               f"log(smx_erfcx(-t * {_SQRT_HALF}) / 2) - t * t / 2 : "
               f"log1p(-0.5 * erfc(t * {_SQRT_HALF})); }}")

RECORDS = [
    Record("ndtr", ndtr, "the standard normal distribution function Φ(u) = erfc(−u/√2)/2",
           "normal distribution function", latex=r"\operatorname{ndtr}",
           latex_in=(r"\operatorname{ndtr}",), derivative=("exp(-u**2/2)/sqrt(2*pi)",),
           rule_text="Φ′(u) = e^(−u²/2)/√(2π)",
           rule_latex=r"\operatorname{ndtr}'(u) = \frac{e^{-u^{2}/2}}{\sqrt{2\pi}}",
           stable="no cancellation in either tail (1 + erf(u/√2) cancels for u ≪ 0)",
           spell={"numpy": Spelling("_ndtr({0})", (NDTR,), into=True),
                  "torch": Spelling("torch.special.ndtr({0})"),
                  "jax": Spelling("jax.scipy.special.ndtr({0})"),
                  "math": Spelling(f"(0.5 * math.erfc(-({{0}}) * {_SQRT_HALF}))"),
                  "c": Spelling(f"(0.5 * erfc(-({{0}}) * {_SQRT_HALF}))"),
                  "mpmath": Spelling("mp.ncdf({0})")},
           sample=((-5.0, 5.0),)),
    Record("logndtr", logndtr, "log Φ(u), the log of the normal distribution function",
           "log normal distribution function", aliases=("log_ndtr",),
           latex=r"\operatorname{logndtr}", latex_in=(r"\operatorname{logndtr}",),
           derivative=("sqrt(2)/(sqrt(pi)*erfcx(-u/sqrt(2)))",),
           rule_text="(log Φ)′(u) = Φ′(u)/Φ(u) = √2/(√π·erfcx(−u/√2))",
           rule_latex=r"\operatorname{logndtr}'(u) = \frac{\sqrt{2}}{\sqrt{\pi}\,"
                      r"\operatorname{erfcx}(-u/\sqrt{2})}",
           stable="log(erfcx(−u/√2)/2) − u²/2 far left, log1p(−Φ(−u)) right: finite at "
                  "u = ±1000",
           spell={"numpy": Spelling("_log_ndtr({0})", (ERFC, ERFCX, LOG_NDTR)),
                  "torch": Spelling("torch.special.log_ndtr({0})"),
                  "jax": Spelling("jax.scipy.special.log_ndtr({0})"),
                  "math": Spelling("_log_ndtr_one({0})", (("_erfcx_one", _ERFCX_ONE),
                                                          ("_log_ndtr_one", _LOG_NDTR_ONE))),
                  "c": Spelling("smx_log_ndtr({0})", (C_ERFCX, _C_LOG_NDTR)),
                  "mpmath": Spelling("mp.log(mp.ncdf({0}))")},
           sample=((-5.0, 5.0),)),
]
