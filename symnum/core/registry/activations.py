"""Records of the activation functions of neural networks: σ, relu, softplus, log1mexp, logit.

``sigmoid(u)`` is read as 1/(1 + e^(−u)) (the calculus works on exponentials) and results
name it σ again (:mod:`symnum.core.textbook`), a SymPy class with its own spellings: scipy's
``expit``, ``torch.sigmoid``, ``jax.nn.sigmoid``. relu and softplus are notation: they expand
into max and log/exp, whose records compute them.

>>> [r.name for r in RECORDS]
['sigmoid', 'relu', 'softplus', 'log1mexp', 'logit']
"""

from __future__ import annotations

import sympy

from ..logistic import sigmoid
from .record import Record, Spelling


def _relu(x: sympy.Expr) -> sympy.Expr:
    """relu(x) = max(0, x)."""
    return sympy.Max(0, x)


def _sigmoid(x: sympy.Expr) -> sympy.Expr:
    """The logistic function 1 / (1 + e^(-x))."""
    return 1 / (1 + sympy.exp(-x))


def _softplus(x: sympy.Expr) -> sympy.Expr:
    """softplus(x) = log(1 + e^x)."""
    return sympy.log(1 + sympy.exp(x))


_NUMPY_SIGMOID = ("_sigmoid", '''
try:
    from scipy.special import expit as _expit
except ImportError:  # numpy alone: e^(-|x|) never overflows
    def _expit(x):
        e = np.exp(-np.abs(x))
        return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def _sigmoid(x):
    return 1 / (1 + np.exp(-x)) if np.iscomplexobj(x) else _expit(x)
''')
class log1mexp(sympy.Function):  # noqa: N801 - lower case like SymPy's functions
    """log(1 − e^(−u)), real for u > 0: the log of a probability's complement."""

    nargs = 1

    @classmethod
    def eval(cls, u: sympy.Expr) -> sympy.Expr | None:
        if u is sympy.S.Infinity:
            return sympy.S.Zero
        if u.is_zero:
            return sympy.S.NegativeInfinity
        return None

    def fdiff(self, argindex: int = 1) -> sympy.Expr:
        return 1 / (sympy.exp(self.args[0]) - 1)

    def _eval_rewrite_as_log(self, u: sympy.Expr, **hints) -> sympy.Expr:
        return sympy.log(1 - sympy.exp(-u))

    def _eval_evalf(self, prec: int) -> sympy.Expr | None:
        return sympy.log(1 - sympy.exp(-self.args[0]))._eval_evalf(prec + 20)

    def _eval_is_extended_real(self) -> bool | None:
        return True if self.args[0].is_extended_positive else None


class logit(sympy.Function):  # noqa: N801 - lower case like SymPy's functions
    """log(u/(1 − u)), real for 0 < u < 1: the inverse of σ, log-odds of a probability."""

    nargs = 1

    @classmethod
    def eval(cls, u: sympy.Expr) -> sympy.Expr | None:
        if u == sympy.S.Half:
            return sympy.S.Zero
        if u.is_zero:
            return sympy.S.NegativeInfinity
        if u == sympy.S.One:
            return sympy.S.Infinity
        return None

    def fdiff(self, argindex: int = 1) -> sympy.Expr:
        u = self.args[0]
        return 1 / (u * (1 - u))

    def _eval_rewrite_as_log(self, u: sympy.Expr, **hints) -> sympy.Expr:
        return sympy.log(u / (1 - u))

    def _eval_evalf(self, prec: int) -> sympy.Expr | None:
        return sympy.log(self.args[0] / (1 - self.args[0]))._eval_evalf(prec + 20)

    def _eval_is_extended_real(self) -> bool | None:
        u = self.args[0]
        return True if u.is_extended_positive and (1 - u).is_extended_positive else None


# logit: log(u/(1 − u)) below ¼; above, 2·atanh(2u − 1), where 2u − 1 is exact (Sterbenz)
_NUMPY_LOGIT = ("_logit", '''
try:
    from scipy.special import logit as _scipy_logit
except ImportError:  # numpy alone
    def _scipy_logit(x):
        low = x < 0.25
        return np.where(low, np.log(np.where(low, x, 0.125) / (1 - np.where(low, x, 0.125))),
                        2 * np.arctanh(2 * np.where(low, 0.5, x) - 1))


def _logit(x):
    return np.log(x / (1 - x)) if np.iscomplexobj(x) else _scipy_logit(x)
''')
_TORCH_LOGIT = ("_logit", '''
def _logit(x):
    if torch.is_complex(x):  # the complex step
        return torch.log(x / (1 - x))
    low = x < 0.25
    return torch.where(low, torch.special.logit(torch.where(low, x, 0.125)),
                       2 * torch.atanh(2 * torch.where(low, 0.5, x) - 1))
''')
_JAX_LOGIT = ("_logit", '''
def _logit(x):
    low = x < 0.25
    return jnp.where(low, jax.scipy.special.logit(jnp.where(low, x, 0.125)),
                     2 * jnp.arctanh(2 * jnp.where(low, 0.5, x) - 1))
''')
_MATH_LOGIT = ("_logit", '''
def _logit(x):
    return math.log(x / (1 - x)) if x < 0.25 else 2 * math.atanh(2 * x - 1)
''')
_C_LOGIT = ("smx_logit", "static inline double smx_logit(double x) "
            "{ return x < 0.25 ? log(x / (1 - x)) : 2 * atanh(2 * x - 1); }")

_LN2 = "0.6931471805599453"  # log1mexp: −expm1(−u) below ln 2, 1 − e^(−u) above (Mächler)
_NUMPY_LOG1MEXP = ("_log1mexp", f'''
def _log1mexp(x):
    if np.iscomplexobj(x):  # the complex step
        return np.log(-np.expm1(-x))
    near = x < {_LN2}
    return np.where(near, np.log(-np.expm1(-np.where(near, x, 1.0))),
                    np.log1p(-np.exp(-np.where(near, 1.0, x))))
''')
_TORCH_LOG1MEXP = ("_log1mexp", f'''
def _log1mexp(x):
    if torch.is_complex(x):  # the complex step
        return torch.log(-torch.expm1(-x))
    near = x < {_LN2}
    one = torch.ones_like(x)
    return torch.where(near, torch.log(-torch.expm1(-torch.where(near, x, one))),
                       torch.log1p(-torch.exp(-torch.where(near, one, x))))
''')
_JAX_LOG1MEXP = ("_log1mexp", f'''
def _log1mexp(x):
    near = x < {_LN2}
    return jnp.where(near, jnp.log(-jnp.expm1(-jnp.where(near, x, 1.0))),
                     jnp.log1p(-jnp.exp(-jnp.where(near, 1.0, x))))
''')
_MATH_LOG1MEXP = ("_log1mexp", f'''
def _log1mexp(x):
    return math.log(-math.expm1(-x)) if x < {_LN2} else math.log1p(-math.exp(-x))
''')
_C_LOG1MEXP = ("smx_log1mexp", "static inline double smx_log1mexp(double x) "
               f"{{ return x < {_LN2} ? log(-expm1(-x)) : log1p(-exp(-x)); }}")

_MATH_SIGMOID = ("_sigmoid", '''
def _sigmoid(x):
    if x >= 0:
        return 1 / (1 + math.exp(-x))
    e = math.exp(x)
    return e / (1 + e)
''')

RECORDS = [
    Record("sigmoid", sigmoid, "the logistic function 1/(1 + e^(−u))", "logistic sigmoid",
           build=_sigmoid, aliases=("logistic",), unicode=("σ",), latex=r"\sigma",
           latex_in=(r"\sigma",), derivative=("sigmoid(u)*(1 - sigmoid(u))",), rule="sigmoid",
           rule_text="σ′ = σ·(1 − σ)",
           rule_latex=r"\sigma'(u) = \sigma(u)\,(1 - \sigma(u))",
           stable="e^(−|u|) in place of e^(−u): no overflow for u ≪ 0",
           spell={"numpy": Spelling("_sigmoid({0})", (_NUMPY_SIGMOID,)),
                  "torch": Spelling("torch.sigmoid({0})"),
                  "jax": Spelling("jax.nn.sigmoid({0})"),
                  "math": Spelling("_sigmoid({0})", (_MATH_SIGMOID,)),
                  "c": Spelling("(1 / (1 + exp(-{0})))"),
                  "mpmath": Spelling("1 / (1 + mp.exp(-{0}))")},
           sample=((-5.0, 5.0),)),
    Record("relu", None, "the rectified linear unit max(0, u)", "ReLU", build=_relu,
           latex=r"\operatorname{relu}", latex_in=(r"\operatorname{relu}",), rule="abs",
           rule_text="relu′(u) = H(u): 0 left of 0, 1 right of it, ½ at 0",
           rule_latex=r"\operatorname{relu}'(u) = H(u)", kink="kink", kink_at="u = 0",
           analytic=False),
    Record("softplus", None, "log(1 + e^u), a smooth relu", "softplus", build=_softplus,
           latex=r"\operatorname{softplus}", latex_in=(r"\operatorname{softplus}",),
           rule="log", rule_text="softplus′(u) = σ(u)",
           rule_latex=r"\operatorname{softplus}'(u) = \sigma(u)",
           stable="max(u, 0) + log1p(e^(−|u|)): finite at u = ±1000", sample=((-5.0, 5.0),)),
    Record("log1mexp", log1mexp, "log(1 − e^(−u)), accurate near 0 and for large u",
           "log one minus exp", latex=r"\operatorname{log1mexp}",
           latex_in=(r"\operatorname{log1mexp}",), derivative=("1/(exp(u) - 1)",),
           rule_text="log1mexp′(u) = 1/(e^u − 1)",
           rule_latex=r"\operatorname{log1mexp}'(u) = \frac{1}{e^{u} - 1}",
           domain="{u} > 0", domain_test=lambda u: u > 0,
           stable="log(−expm1(−u)) below ln 2, log1p(−e^(−u)) above: no cancellation",
           spell={"numpy": Spelling("_log1mexp({0})", (_NUMPY_LOG1MEXP,)),
                  "torch": Spelling("_log1mexp({0})", (_TORCH_LOG1MEXP,)),
                  "jax": Spelling("_log1mexp({0})", (_JAX_LOG1MEXP,)),
                  "math": Spelling("_log1mexp({0})", (_MATH_LOG1MEXP,)),
                  "c": Spelling("smx_log1mexp({0})", (_C_LOG1MEXP,)),
                  "mpmath": Spelling("mp.log(1 - mp.exp(-{0}))")},
           sample=((0.05, 6.0),)),
    Record("logit", logit, "the log-odds log(u/(1 − u)), the inverse of σ", "logit",
           latex=r"\operatorname{logit}", latex_in=(r"\operatorname{logit}",),
           derivative=("1/(u*(1 - u))",), rule_text="logit′(u) = 1/(u·(1 − u))",
           rule_latex=r"\operatorname{logit}'(u) = \frac{1}{u\,(1 - u)}",
           domain="0 < {u} < 1", domain_test=lambda u: sympy.And(u > 0, u < 1),
           stable="log(u/(1 − u)) below ¼, 2·atanh(2u − 1) above: exact near ½ and 1",
           spell={"numpy": Spelling("_logit({0})", (_NUMPY_LOGIT,)),
                  "torch": Spelling("_logit({0})", (_TORCH_LOGIT,)),
                  "jax": Spelling("_logit({0})", (_JAX_LOGIT,)),
                  "math": Spelling("_logit({0})", (_MATH_LOGIT,)),
                  "c": Spelling("smx_logit({0})", (_C_LOGIT,)),
                  "mpmath": Spelling("mp.log({0} / (1 - {0}))")},
           sample=((0.02, 0.98),)),
]
