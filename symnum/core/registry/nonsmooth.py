"""Records of the functions with kinks and jumps: |u|, sign, max, min, floor, ceiling,
Heaviside, the Dirac delta, and the complex parts (re, im, conjugate, arg) that the complex
step cannot see through.

Their conventions hold on every target: max and min propagate nan, Heaviside(0) = ½ unless
given, sign(0) = 0, d|u|/du = sign(u) (0 at 0, also under JAX's autodiff).

>>> by_name = {r.name: r for r in RECORDS}
>>> by_name["max"].spell["math"].format(["a", "b"])
'(a if a >= b or a != a else b)'
"""

from __future__ import annotations

import sympy

from ..errors import ParseError
from .record import Record, Spelling, Target


def _heaviside(u: sympy.Expr, *h0: sympy.Expr) -> sympy.Expr:
    """Heaviside(u) or Heaviside(u, h0) with h0, the value at 0, a real number (a variable
    h0 would be differentiated, and no step has a derivative in its value at 0)."""
    if h0 and not (h0[0].is_number and h0[0].is_extended_real):
        raise ParseError(f"Heaviside(u, h0): h0, the value at u = 0, must be a real number, "
                         f"not {h0[0]}")
    return sympy.Heaviside(u, *h0)


_TIE = "the value shown uses Heaviside(0) = 1/2"
_DELTA = "its derivative is a Dirac delta there (infinite)"
_STEP = "the value shown is 0, the derivative between the jumps"

_TENSOR = ("_tensor", '''
def _tensor(a):
    return a if torch.is_tensor(a) else torch.tensor(a, dtype=torch.float64)
''')
_JAX_ABS = ("_abs", '''
@jax.custom_jvp
def _abs(a):
    # JAX's own |x| has derivative 1 at 0; this one has sign(x), 0 at 0, as torch and symnum
    return jnp.abs(a)


@_abs.defjvp
def _abs_jvp(primals, tangents):
    (a,), (t,) = primals, tangents
    return jnp.abs(a), jnp.sign(a) * t
''')


def _extreme(name: str, pick: str, op: str) -> dict[str, Target]:
    """max or min of any number of arguments, nan when any is nan (as numpy.maximum)."""
    array = f"{name}imum"
    fold = f'''
def _{array}(*args):
    best = args[0]
    for a in args[1:]:
        best = LIB.{array}(best, a)
    return best
'''
    return {
        "numpy": Spelling(f"_{array}({{args}})", ((f"_{array}", fold.replace("LIB", "np")),),
                          pair=f"np.{array}({{0}}, {{1}})"),
        "torch": Spelling(f"_{array}({{args}})", (_TENSOR, (f"_{array}", f'''
def _{array}(*args):
    best = _tensor(args[0])
    for a in args[1:]:
        best = torch.{array}(best, _tensor(a))
    return best
'''))),
        "jax": Spelling(f"_{array}({{args}})", ((f"_{array}", fold.replace("LIB", "jnp")),),
                        pair=f"jnp.{array}({{0}}, {{1}})"),
        "math": Spelling(f"_{name}({{args}})", ((f"_{name}", f'''
def _{name}(*args):
    best = args[0]
    for a in args[1:]:
        best = best if best {op} a or best != best else a
    return best
'''),), pair=f"({{0}} if {{0}} {op} {{1}} or {{0}} != {{0}} else {{1}})"),
        "c": Spelling(f"smx_{name}({{args}})", ((f"smx_{name}",
                      f"static inline double smx_{name}(double a, double b) "
                      f"{{ return (a {op} b || a != a) ? a : b; }}"),),
                      pair=f"smx_{name}({{0}}, {{1}})"),
        "mpmath": Spelling(f"{pick}({{args}})"),
    }


NONSMOOTH = [
    Record("abs", sympy.Abs, "the absolute value |u|", "absolute value", aliases=("Abs",),
           latex=r"\left|u\right|", latex_in=("|", r"\lvert", r"\vert"), derivative=("sign(u)",),
           rule="abs", rule_text="|u|′ = sign(u), not differentiable at u = 0",
           rule_latex=r"|u|' = \operatorname{sign}(u),\ u \neq 0", kink="kink",
           pieces=(("u", "u > 0"), ("-u", "u < 0")), kink_at="u = 0",
           kink_note="the value shown uses sign(0) = 0", analytic=False,
           spell={"numpy": Spelling("np.abs({0})", into=True),
                  "torch": Spelling("torch.abs({0})", into=True),
                  "jax": Spelling("_abs({0})", (_JAX_ABS,)), "math": Spelling("abs({0})"),
                  "c": Spelling("fabs({0})"), "mpmath": Spelling("abs({0})")}),
    Record("sign", sympy.sign, "the sign of u: −1, 0 or 1", "sign function",
           latex=r"\operatorname{sign}", latex_in=(r"\operatorname{sgn}", r"\operatorname{sign}"),
           derivative=("2*DiracDelta(u)",), rule="piecewise",
           rule_text="sign′(u) = 0 for u ≠ 0, a jump at 0 (2δ(u))",
           rule_latex=r"\operatorname{sign}'(u) = 0,\ u \neq 0", kink="jump",
           pieces=(("1", "u > 0"), ("-1", "u < 0")), kink_at="u = 0",
           kink_note=_DELTA, analytic=False,
           spell={"numpy": Spelling("np.sign({0})"), "torch": Spelling("torch.sign({0})"),
                  "jax": Spelling("jnp.sign({0})"),
                  "math": Spelling("(1.0 if {0} > 0 else -1.0 if {0} < 0 else {0})"),
                  "c": Spelling("smx_sign({0})", (("smx_sign",
                      "static inline double smx_sign(double a) "
                      "{ return a > 0 ? 1.0 : (a < 0 ? -1.0 : a); }"),)),
                  "mpmath": Spelling("mp.sign({0})")}),
    Record("max", sympy.Max, "the largest argument", "maximum", aliases=("Max",),
           latex=r"\max", latex_in=(r"\max",), arity=(2, None), params=("a", "b"),
           derivative=("Heaviside(a - b)", "Heaviside(b - a)"),
           rule="piecewise", rule_text="∂max(a, b)/∂a = H(a − b), with H(0) = ½ at a tie",
           rule_latex=r"\partial_a \max(a, b) = H(a - b)", kink="kink",
           pieces=(("a", "a > b"), ("b", "b > a")), kink_at="a = b",
           kink_note=_TIE, analytic=False, spell=_extreme("max", "max", ">="),
           sample=((-2.0, 2.0), (-1.5, 1.7))),
    Record("min", sympy.Min, "the smallest argument", "minimum", aliases=("Min",),
           latex=r"\min", latex_in=(r"\min",), arity=(2, None), params=("a", "b"),
           derivative=("Heaviside(b - a)", "Heaviside(a - b)"),
           rule="piecewise", rule_text="∂min(a, b)/∂a = H(b − a), with H(0) = ½ at a tie",
           rule_latex=r"\partial_a \min(a, b) = H(b - a)", kink="kink",
           pieces=(("a", "a < b"), ("b", "b < a")), kink_at="a = b",
           kink_note=_TIE, analytic=False, spell=_extreme("min", "min", "<="),
           sample=((-2.0, 2.0), (-1.5, 1.7))),
    Record("floor", sympy.floor, "the largest integer ≤ u", "floor function",
           latex=r"\lfloor u \rfloor", latex_in=(r"\lfloor",), derivative=("0",),
           rule="piecewise", rule_text="floor′(u) = 0 between the integers, a jump at each",
           rule_latex=r"\lfloor u \rfloor' = 0,\ u \notin \mathbb{Z}", kink="jump",
           kink_at="u an integer", kink_note=_STEP, analytic=False,
           spell={"numpy": Spelling("np.floor({0})", into=True),
                  "torch": Spelling("torch.floor({0})", into=True),
                  "jax": Spelling("jnp.floor({0})"),
                  "math": Spelling("float(math.floor({0}))"), "c": Spelling("floor({0})"),
                  "mpmath": Spelling("mp.floor({0})")}),
    Record("ceiling", sympy.ceiling, "the smallest integer ≥ u", "ceiling function",
           aliases=("ceil",), latex=r"\lceil u \rceil", latex_in=(r"\lceil",),
           derivative=("0",), rule="piecewise",
           rule_text="ceiling′(u) = 0 between the integers, a jump at each",
           rule_latex=r"\lceil u \rceil' = 0,\ u \notin \mathbb{Z}", kink="jump",
           kink_at="u an integer", kink_note=_STEP, analytic=False,
           spell={"numpy": Spelling("np.ceil({0})", into=True),
                  "torch": Spelling("torch.ceil({0})", into=True),
                  "jax": Spelling("jnp.ceil({0})"),
                  "math": Spelling("float(math.ceil({0}))"), "c": Spelling("ceil({0})"),
                  "mpmath": Spelling("mp.ceil({0})")}),
    Record("Heaviside", sympy.Heaviside, "the unit step: 0 left of 0, 1 right of it, ½ at 0",
           "Heaviside step function", build=_heaviside, aliases=("heaviside",),
           latex=r"\operatorname{H}",
           latex_in=(r"\operatorname{H}",), arity=(1, 2), defaults=("0.5",),
           params=("u", "h0"), derivative=("DiracDelta(u)", ""),
           rule="piecewise", rule_text="H′(u) = 0 for u ≠ 0, a jump at 0",
           rule_latex=r"H'(u) = 0,\ u \neq 0",
           kink="jump",
           pieces=(("1", "u > 0"), ("0", "u < 0")), kink_at="u = 0", kink_note=_DELTA,
           analytic=False,
           spell={"numpy": Spelling("np.heaviside({0}, {1})"),
                  "torch": Spelling("_heaviside({0}, {1})", (("_heaviside", '''
def _heaviside(a, h):
    # torch.heaviside has no derivative; this has the right one (0 away from 0)
    return torch.where(a > 0, 1.0, torch.where(a < 0, 0.0, torch.where(a == 0, h, a)))
'''),)),
                  "jax": Spelling("_heaviside({0}, {1})", (("_heaviside", '''
def _heaviside(a, h):
    return jnp.where(a > 0, 1.0, jnp.where(a < 0, 0.0, jnp.where(a == 0, h, a)))
'''),)),
                  "math": Spelling("(1.0 if {0} > 0 else 0.0 if {0} < 0 else {1} if {0} == 0 "
                                   "else {0})"),
                  "c": Spelling("smx_heaviside({0}, {1})", (("smx_heaviside",
                      "static inline double smx_heaviside(double a, double h) "
                      "{ return a > 0 ? 1.0 : (a < 0 ? 0.0 : (a == 0 ? h : a)); }"),)),
                  "mpmath": Spelling("_heaviside({0}, {1})", (("_heaviside", '''
def _heaviside(a, h):
    return mp.mpf(1) if a > 0 else (mp.mpf(0) if a < 0 else h)
'''),))}),
    Record("DiracDelta", sympy.DiracDelta, "the Dirac delta: 0 away from 0, infinite at 0 "
           "(DiracDelta(u, k): its k-th derivative)",
           "Dirac delta", latex=r"\mathop{\delta}", arity=(1, 2), defaults=("0",),
           params=("u", "k"), derivative=("", ""),
           rule_text="δ(u) = 0 for u ≠ 0", rule_latex=r"\delta(u) = 0,\ u \neq 0",
           analytic=False,
           # DiracDelta(u, k): its k-th derivative (H″ = δ′), also 0 away from 0; at 0 δ is
           # +inf, its derivatives have no value (nan)
           spell={"numpy": Spelling("np.where({0} == 0, np.where({1} == 0, np.inf, np.nan), "
                                    "0.0 * {0})"),
                  "torch": Spelling("torch.where({0} == 0, math.inf if {1} == 0 else math.nan, "
                                    "0.0 * {0})"),
                  "jax": Spelling("jnp.where({0} == 0, jnp.where({1} == 0, jnp.inf, jnp.nan), "
                                  "0.0 * {0})"),
                  "math": Spelling("((math.inf if {1} == 0 else math.nan) if {0} == 0 "
                                   "else 0.0)"),
                  "c": Spelling("({0} == 0 ? ({1} == 0 ? INFINITY : NAN) : 0.0)"),
                  "mpmath": Spelling("((mp.inf if {1} == 0 else mp.nan) if {0} == 0 "
                                     "else mp.mpf(0))")}),
]


def _part(name: str, cls: type, what: str, array: str, floats: str, c: str, mp: str,
          rule_text: str, sample: tuple[float, float] = (-3.0, 3.0),
          torch: Spelling | None = None) -> Record:
    """A complex part: on real numbers (all but the complex step) re and conjugate are the
    number, im is 0, arg is 0 or π."""
    return Record(name, cls, what, what, parsed=False, analytic=False, rule="special_function",
                  latex=rf"\operatorname{{{name}}}", rule_text=rule_text,
                  spell={"numpy": Spelling(f"np.{array}({{0}})"),
                         "torch": torch or Spelling(f"torch.{array}({{0}})"),
                         "jax": Spelling(f"jnp.{array}({{0}})"),
                         "math": Spelling(floats), "c": Spelling(c),
                         "mpmath": Spelling(f"mp.{mp}({{0}})")},
                  sample=(sample,))


COMPLEX_PARTS = [
    _part("re", sympy.re, "the real part", "real", "{0}", "{0}", "re",
          "re′(u) = 1 for real u"),
    _part("im", sympy.im, "the imaginary part", "imag", "0.0", "0.0", "im",
          "im′(u) = 0 for real u", torch=Spelling("_imag({0})", (("_imag", '''
def _imag(a):
    return torch.imag(a) if torch.is_complex(a) else torch.zeros_like(a)
'''),))),
    _part("conjugate", sympy.conjugate, "the complex conjugate", "conj", "{0}", "{0}", "conj",
          "conjugate′(u) = 1 for real u"),
    _part("arg", sympy.arg, "the argument (angle) of a complex number", "angle",
          "math.atan2(0.0, {0})", "atan2(0.0, {0})", "arg", "arg′(u) = 0 for real u ≠ 0",
          (0.2, 3.0)),
]

RECORDS = [*NONSMOOTH, *COMPLEX_PARTS]
