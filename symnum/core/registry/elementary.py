"""Records of the elementary functions: trigonometric, hyperbolic, their inverses, exp, log.

>>> by_name = {r.name: r for r in RECORDS}
>>> by_name["asin"].aliases, by_name["asin"].spell["numpy"].text
(('arcsin',), 'np.arcsin({0})')
"""

from __future__ import annotations

import sympy
from sympy.codegen.cfunctions import expm1, log1p

from .. import real_root
from .record import Record, Spelling, Target

_ONE = sympy.S.One


def _plain(array: str, floats: str, mp: str, into: bool = True) -> dict[str, Target]:
    """A function every library has: ``np.array``, ``torch.array``, ``jnp.array``,
    ``math.floats``, C ``floats``, ``mp.mp``."""
    return {"numpy": Spelling(f"np.{array}({{0}})", into=into),
            "torch": Spelling(f"torch.{array}({{0}})", into=into),
            "jax": Spelling(f"jnp.{array}({{0}})"),
            "math": Spelling(f"math.{floats}({{0}})"), "c": Spelling(f"{floats}({{0}})"),
            "mpmath": Spelling(f"mp.{mp}({{0}})")}


def _reciprocal(array: str, floats: str, mp: str) -> dict[str, Target]:
    """1 / f(u) for cot, sec, csc and their hyperbolic kin."""
    return {"numpy": Spelling(f"1 / np.{array}({{0}})"),
            "torch": Spelling(f"1 / torch.{array}({{0}})"),
            "jax": Spelling(f"1 / jnp.{array}({{0}})"),
            "math": Spelling(f"1 / math.{floats}({{0}})"), "c": Spelling(f"1 / {floats}({{0}})"),
            "mpmath": Spelling(f"mp.{mp}({{0}})")}


def _of_reciprocal(array: str, floats: str, mp: str) -> dict[str, Target]:
    """f(1 / u) for acot, asec, acsc, acoth."""
    return {"numpy": Spelling(f"np.{array}(1 / {{0}})"),
            "torch": Spelling(f"torch.{array}(1 / {{0}})"),
            "jax": Spelling(f"jnp.{array}(1 / {{0}})"),
            "math": Spelling(f"math.{floats}(1 / {{0}})"), "c": Spelling(f"{floats}(1 / {{0}})"),
            "mpmath": Spelling(f"mp.{mp}({{0}})")}


def _trig(name: str, cls: type, textbook: str, derivative: str, rule_text: str,
          rule_latex: str, spell: dict[str, Target], rule: str = "trig", **more) -> Record:
    return Record(name, cls, f"the {textbook}", textbook, derivative=(derivative,), rule=rule,
                  rule_text=rule_text, rule_latex=rule_latex, spell=spell,
                  latex=more.pop("latex", rf"\{name}"),
                  latex_in=more.pop("latex_in", (rf"\{name}",)), **more)


_UNIT = (lambda u: abs(u) <= _ONE, "-1 ≤ {u} ≤ 1")
_OUTSIDE = (lambda u: abs(u) >= _ONE, "|{u}| ≥ 1")

TRIGONOMETRIC = [
    _trig("sin", sympy.sin, "sine", "cos(u)", "sin' = cos", r"\sin'(u) = \cos u",
          _plain("sin", "sin", "sin")),
    _trig("cos", sympy.cos, "cosine", "-sin(u)", "cos' = −sin", r"\cos'(u) = -\sin u",
          _plain("cos", "cos", "cos")),
    _trig("tan", sympy.tan, "tangent", "1 + tan(u)**2", "tan' = 1 + tan²",
          r"\tan'(u) = 1 + \tan^{2} u", _plain("tan", "tan", "tan"), sample=((-1.2, 1.2),)),
    _trig("cot", sympy.cot, "cotangent", "-1 - cot(u)**2", "cot′(u) = −1 − cot²(u)",
          r"\cot'(u) = -1 - \cot^{2} u", _reciprocal("tan", "tan", "cot"),
          sample=((0.2, 3.0),)),
    _trig("sec", sympy.sec, "secant", "sec(u)*tan(u)", "sec′(u) = sec(u)·tan(u)",
          r"\sec'(u) = \sec u \tan u", _reciprocal("cos", "cos", "sec"),
          sample=((-1.2, 1.2),)),
    _trig("csc", sympy.csc, "cosecant", "-cot(u)*csc(u)", "csc′(u) = −csc(u)·cot(u)",
          r"\csc'(u) = -\csc u \cot u", _reciprocal("sin", "sin", "csc"),
          sample=((0.2, 3.0),)),
]

_INV = "inverse_trig"
INVERSE_TRIGONOMETRIC = [
    _trig("asin", sympy.asin, "arcsine", "1/sqrt(1 - u**2)", "asin′(u) = 1/√(1 − u²)",
          r"\arcsin'(u) = \frac{1}{\sqrt{1 - u^{2}}}", _plain("arcsin", "asin", "asin"),
          rule=_INV, aliases=("arcsin",), latex=r"\arcsin", latex_in=(r"\arcsin", r"\sin^{-1}"),
          domain=_UNIT[1], domain_test=_UNIT[0], sample=((-0.9, 0.9),)),
    _trig("acos", sympy.acos, "arccosine", "-1/sqrt(1 - u**2)", "acos′(u) = −1/√(1 − u²)",
          r"\arccos'(u) = -\frac{1}{\sqrt{1 - u^{2}}}", _plain("arccos", "acos", "acos"),
          rule=_INV, aliases=("arccos",), latex=r"\arccos", latex_in=(r"\arccos", r"\cos^{-1}"),
          domain=_UNIT[1], domain_test=_UNIT[0], sample=((-0.9, 0.9),)),
    _trig("atan", sympy.atan, "arctangent", "1/(u**2 + 1)", "atan′(u) = 1/(1 + u²)",
          r"\arctan'(u) = \frac{1}{1 + u^{2}}", _plain("arctan", "atan", "atan"),
          rule=_INV, aliases=("arctan",), latex=r"\arctan", latex_in=(r"\arctan", r"\tan^{-1}")),
    _trig("acot", sympy.acot, "arccotangent", "-1/(u**2 + 1)", "acot′(u) = −1/(1 + u²)",
          r"\operatorname{arccot}'(u) = -\frac{1}{1 + u^{2}}",
          _of_reciprocal("arctan", "atan", "acot"), rule=_INV,
          latex=r"\operatorname{arccot}", latex_in=(), sample=((0.2, 3.0),)),
    _trig("asec", sympy.asec, "arcsecant", "1/(u**2*sqrt(1 - 1/u**2))",
          "asec′(u) = 1/(u²·√(1 − 1/u²))",
          r"\operatorname{arcsec}'(u) = \frac{1}{u^{2} \sqrt{1 - u^{-2}}}",
          _of_reciprocal("arccos", "acos", "asec"), rule=_INV,
          latex=r"\operatorname{arcsec}", latex_in=(), domain=_OUTSIDE[1],
          domain_test=_OUTSIDE[0], sample=((1.1, 4.0),)),
    _trig("acsc", sympy.acsc, "arccosecant", "-1/(u**2*sqrt(1 - 1/u**2))",
          "acsc′(u) = −1/(u²·√(1 − 1/u²))",
          r"\operatorname{arccsc}'(u) = -\frac{1}{u^{2} \sqrt{1 - u^{-2}}}",
          _of_reciprocal("arcsin", "asin", "acsc"), rule=_INV,
          latex=r"\operatorname{arccsc}", latex_in=(), domain=_OUTSIDE[1],
          domain_test=_OUTSIDE[0], sample=((1.1, 4.0),)),
    Record("atan2", sympy.atan2, "the angle of the point (x, y): atan2(y, x)",
           "two-argument arctangent", arity=(2, 2), params=("y", "x"),
           derivative=("x/(x**2 + y**2)", "-y/(x**2 + y**2)"), rule=_INV,
           rule_text="∂atan2(y, x)/∂y = x/(x² + y²), ∂/∂x = −y/(x² + y²)",
           rule_latex=r"\partial_y \operatorname{atan2}(y, x) = \frac{x}{x^{2} + y^{2}},\ "
                      r"\partial_x = -\frac{y}{x^{2} + y^{2}}",
           latex=r"\operatorname{atan2}",
           spell={"numpy": Spelling("np.arctan2({0}, {1})"),
                  "torch": Spelling("_arctan2({0}, {1})", helpers=(("_tensor", '''
def _tensor(a):
    return a if torch.is_tensor(a) else torch.tensor(a, dtype=torch.float64)
'''), ("_arctan2", '''
def _arctan2(y, x):
    return torch.atan2(_tensor(y), _tensor(x))
'''))),
                  "jax": Spelling("jnp.arctan2({0}, {1})"),
                  "math": Spelling("math.atan2({0}, {1})"), "c": Spelling("atan2({0}, {1})"),
                  "mpmath": Spelling("mp.atan2({0}, {1})")},
           sample=((-2.0, 2.0), (0.3, 2.0))),
]

_HYP = "hyperbolic"
HYPERBOLIC = [
    _trig("sinh", sympy.sinh, "hyperbolic sine", "cosh(u)", "sinh′(u) = cosh(u)",
          r"\sinh'(u) = \cosh u", _plain("sinh", "sinh", "sinh"), rule=_HYP),
    _trig("cosh", sympy.cosh, "hyperbolic cosine", "sinh(u)", "cosh′(u) = sinh(u)",
          r"\cosh'(u) = \sinh u", _plain("cosh", "cosh", "cosh"), rule=_HYP),
    _trig("tanh", sympy.tanh, "hyperbolic tangent", "1 - tanh(u)**2", "tanh' = 1 − tanh²",
          r"\tanh'(u) = 1 - \tanh^{2} u", _plain("tanh", "tanh", "tanh"), rule=_HYP),
    _trig("coth", sympy.coth, "hyperbolic cotangent", "1 - coth(u)**2",
          "coth′(u) = 1 − coth²(u)", r"\coth'(u) = 1 - \coth^{2} u",
          _reciprocal("tanh", "tanh", "coth"), rule=_HYP, sample=((0.2, 3.0),)),
    _trig("sech", sympy.sech, "hyperbolic secant", "-tanh(u)*sech(u)",
          "sech′(u) = −sech(u)·tanh(u)",
          r"\operatorname{sech}'(u) = -\operatorname{sech} u \tanh u",
          _reciprocal("cosh", "cosh", "sech"), rule=_HYP, latex=r"\operatorname{sech}",
          latex_in=()),
    _trig("csch", sympy.csch, "hyperbolic cosecant", "-coth(u)*csch(u)",
          "csch′(u) = −csch(u)·coth(u)",
          r"\operatorname{csch}'(u) = -\operatorname{csch} u \coth u",
          _reciprocal("sinh", "sinh", "csch"), rule=_HYP, latex=r"\operatorname{csch}",
          latex_in=(), sample=((0.2, 3.0),)),
    _trig("asinh", sympy.asinh, "inverse hyperbolic sine", "1/sqrt(u**2 + 1)",
          "asinh′(u) = 1/√(u² + 1)", r"\operatorname{arsinh}'(u) = \frac{1}{\sqrt{u^{2} + 1}}",
          _plain("arcsinh", "asinh", "asinh"), rule=_HYP, aliases=("arcsinh",),
          latex=r"\operatorname{arsinh}", latex_in=(r"\sinh^{-1}",)),
    _trig("acosh", sympy.acosh, "inverse hyperbolic cosine", "1/(sqrt(u - 1)*sqrt(u + 1))",
          "acosh′(u) = 1/√(u² − 1)", r"\operatorname{arcosh}'(u) = \frac{1}{\sqrt{u^{2} - 1}}",
          _plain("arccosh", "acosh", "acosh"), rule=_HYP, aliases=("arccosh",),
          latex=r"\operatorname{arcosh}", latex_in=(r"\cosh^{-1}",),
          domain="{u} ≥ 1", domain_test=lambda u: u >= _ONE, sample=((1.1, 4.0),)),
    _trig("atanh", sympy.atanh, "inverse hyperbolic tangent", "1/(1 - u**2)",
          "atanh′(u) = 1/(1 − u²)", r"\operatorname{artanh}'(u) = \frac{1}{1 - u^{2}}",
          _plain("arctanh", "atanh", "atanh"), rule=_HYP, aliases=("arctanh",),
          latex=r"\operatorname{artanh}", latex_in=(r"\tanh^{-1}",),
          domain="-1 < {u} < 1", domain_test=lambda u: abs(u) < _ONE, sample=((-0.9, 0.9),)),
    _trig("acoth", sympy.acoth, "inverse hyperbolic cotangent", "1/(1 - u**2)",
          "acoth′(u) = 1/(1 − u²)", r"\operatorname{arcoth}'(u) = \frac{1}{1 - u^{2}}",
          _of_reciprocal("arctanh", "atanh", "acoth"), rule=_HYP,
          latex=r"\operatorname{arcoth}", latex_in=(r"\coth^{-1}",),
          domain="|{u}| > 1", domain_test=lambda u: abs(u) > _ONE, sample=((1.1, 4.0),)),
]


def _log10(x: sympy.Expr) -> sympy.Expr:
    """The decimal logarithm log(x)/log(10)."""
    return sympy.log(x, 10)


def _log2(x: sympy.Expr) -> sympy.Expr:
    """The binary logarithm log(x)/log(2)."""
    return sympy.log(x, 2)


_POSITIVE = (lambda u: u > 0, "{u} > 0")

EXPONENTIAL = [
    Record("exp", sympy.exp, "e raised to the power u", "exponential function",
           latex=r"e^{u}", latex_in=(r"\exp",), derivative=("exp(u)",), rule="exp",
           rule_text="exp′(u) = exp(u)", rule_latex=r"(e^{u})' = e^{u}",
           spell=_plain("exp", "exp", "exp"), sample=((-5.0, 5.0),)),
    Record("log", sympy.log, "the natural logarithm (log(x, b): to the base b)",
           "natural logarithm", aliases=("ln",), latex=r"\log", latex_in=(r"\log", r"\ln"),
           arity=(1, 2), derivative=("1/u",), rule="log", rule_text="ln′(u) = 1/u",
           rule_latex=r"(\ln u)' = \frac{1}{u}", domain=_POSITIVE[1], domain_test=_POSITIVE[0],
           spell=_plain("log", "log", "log"), sample=((0.1, 10.0),)),
    Record("log10", None, "the decimal logarithm log(x)/log(10)", "common logarithm",
           build=_log10, latex=r"\log_{10}", latex_in=(r"\lg",), rule="log",
           rule_text="log₁₀′(u) = 1/(u·ln 10)", rule_latex=r"(\log_{10} u)' = \frac{1}{u \ln 10}",
           domain=_POSITIVE[1], sample=((0.1, 10.0),)),
    Record("log2", None, "the binary logarithm log(x)/log(2)", "binary logarithm",
           build=_log2, latex=r"\log_{2}", rule="log",
           rule_text="log₂′(u) = 1/(u·ln 2)", rule_latex=r"(\log_{2} u)' = \frac{1}{u \ln 2}",
           domain=_POSITIVE[1], sample=((0.1, 10.0),)),
    Record("log1p", log1p, "log(1 + u), accurate for small u", "log(1 + x)",
           latex=r"\operatorname{log1p}", derivative=("1/(u + 1)",), rule="log",
           rule_text="log1p′(u) = 1/(1 + u)", rule_latex=r"\frac{1}{1 + u}", parsed=False,
           domain="{u} > -1", spell=_plain("log1p", "log1p", "log1p"), sample=((-0.9, 5.0),)),
    Record("expm1", expm1, "e^u − 1, accurate for small u", "exp(x) − 1",
           latex=r"\operatorname{expm1}", derivative=("exp(u)",), rule="exp",
           rule_text="expm1′(u) = exp(u)", rule_latex=r"e^{u}", parsed=False,
           spell=_plain("expm1", "expm1", "expm1")),
]

_REAL_ROOT = {
    "numpy": ("_real_root", '''
def _real_root(b, n):
    n = int(round(float(np.real(n))))
    if np.iscomplexobj(b):  # the complex step: continued from the real axis on each side
        return np.where(b.real < 0, -((-b) ** (1.0 / n)), b ** (1.0 / n))
    return np.cbrt(b) if n == 3 else np.sign(b) * np.abs(b) ** (1.0 / n)
'''),
    "torch": ("_real_root", '''
def _real_root(b, n):
    n = int(round(float(n.real if torch.is_tensor(n) else n)))
    if torch.is_complex(torch.as_tensor(b)):  # the complex step, continued from the real axis
        return torch.where(b.real < 0, -((-b) ** (1.0 / n)), b ** (1.0 / n))
    return torch.sign(b) * torch.abs(b) ** (1.0 / n)
'''),
    "jax": ("_real_root", '''
def _real_root(b, n):
    n = int(round(float(n)))
    if jnp.iscomplexobj(b):  # the complex step, continued from the real axis
        return jnp.where(b.real < 0, -((-b) ** (1.0 / n)), b ** (1.0 / n))
    return jnp.cbrt(b) if n == 3 else jnp.sign(b) * jnp.abs(b) ** (1.0 / n)
'''),
    "math": ("_real_root", '''
def _real_root(b, n):
    return math.copysign(abs(b) ** (1.0 / n), b) if b == b else b
'''),
    "c": ("smx_real_root", "static inline double smx_real_root(double b, double n) "
                           "{ return n == 3 ? cbrt(b) : copysign(pow(fabs(b), 1.0 / n), b); }"),
    "mpmath": ("_real_root", '''
def _real_root(b, n):
    return -((-b) ** (mp.mpf(1) / int(n))) if mp.re(b) < 0 else b ** (mp.mpf(1) / int(n))
'''),
}

ROOTS = [
    Record("sqrt", None, "the square root", "square root", build=sympy.sqrt, latex=r"\sqrt",
           latex_in=(r"\sqrt",), rule="power", rule_text="√u′ = 1/(2√u)",
           rule_latex=r"(\sqrt{u})' = \frac{1}{2 \sqrt{u}}", domain="{u} ≥ 0",
           sample=((0.1, 10.0),)),
    Record("cbrt", None, "the real cube root: cbrt(−8) = −2", "cube root",
           build=real_root.cbrt, latex=r"\sqrt[3]", rule="power",
           rule_text="∛u′ = 1/(3·∛u²)", rule_latex=r"(\sqrt[3]{u})' = \frac{1}{3 \sqrt[3]{u^{2}}}",
           sample=((-5.0, 5.0),)),
    Record("root", real_root.RealRoot, "root(x, n): the real n-th root (odd n: negative x too)",
           "n-th root", build=real_root.root, latex=r"\sqrt[n]", arity=(2, 2), params=("u", "n"),
           derivative=("RealRoot(u, n)/(n*u)", ""), rule="power",
           rule_text="(u^(1/n))′ = u^(1/n)/(n·u)", rule_latex=r"(\sqrt[n]{u})' = "
           r"\frac{\sqrt[n]{u}}{n\,u}",
           spell={t: Spelling(f"{name}({{0}}, {{1}})", helpers=((name, text),))
                  if t != "math" else Spelling(
                      "(math.cbrt({0}) if {1} == 3 else _real_root({0}, {1}))",
                      helpers=((name, text),))
                  for t, (name, text) in _REAL_ROOT.items()},
           sample=((-5.0, 5.0), (3.0, 3.0)), integers=(1,)),
]

RECORDS = [*TRIGONOMETRIC, *INVERSE_TRIGONOMETRIC, *HYPERBOLIC, *EXPONENTIAL, *ROOTS]
