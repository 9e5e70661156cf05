"""Records of the activation functions of neural networks: σ, relu, softplus.

``sigmoid(u)`` is read as 1/(1 + e^(−u)) (the calculus works on exponentials) and results
name it σ again (:mod:`symnum.core.textbook`), a SymPy class with its own spellings: scipy's
``expit``, ``torch.sigmoid``, ``jax.nn.sigmoid``. relu and softplus are notation: they expand
into max and log/exp, whose records compute them.

>>> [r.name for r in RECORDS]
['sigmoid', 'relu', 'softplus']
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
]
