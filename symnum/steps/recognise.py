"""Naming what the user wrote out, after the elementary rules have derived it: 1/(1 + e^(−x))
is σ(x), log(1 + eˣ) is softplus(x), (eˣ − e^(−x))/(eˣ + e^(−x)) is tanh(x),
log(eˣ + eʸ) is logsumexp(x, y) and eˣ/(eˣ + eʸ) the first entry of softmax(x, y) (a term
1 is e⁰: log(1 + eˣ + eʸ) is logsumexp(0, x, y)).

The forms are a table (:data:`FORMS`) of the rewrite engine, run top-down (the largest form
wins: log(1 + eˣ) is softplus, not a logarithm of something named). Each rule is an
identity; a named form is kept only if it has the function's value at random points (20
digits), and tanh, found by trying arguments, only if it is also equal symbolically. The
steps say it in a closing "recognise" step (:func:`symnum.steps.build.derivation`), never
in place of the chain rule on the user's own form.

>>> x = sympy.Symbol("x", real=True)
>>> named_form(1 / (1 + sympy.exp(-x)))
sigmoid(x)
>>> named_form((sympy.exp(x) - sympy.exp(-x)) / (sympy.exp(x) + sympy.exp(-x)))
tanh(x)
>>> named_form(sympy.log(1 + sympy.exp(x)))
softplus(x)
"""

from __future__ import annotations

import sympy
from sympy.core.function import AppliedUndef

from ..core.budget import work_budget
from ..core.logistic import sigmoid, to_exponentials
from ..core.rewrite import Budget, Rule, Table, rewrite
from ..core.textbook import hyperbolic, logistic, one_plus_exp, same_value

MAX_OPS = 400  # larger expressions are not searched for named forms
TANH_MAX_OPS = 40  # a candidate for tanh is at most this big
TRIES = 2_000  # rules tried on nodes, in all (the engine's Budget: work, never the clock)
SIMPLIFY_OBJECTS = 20_000  # SymPy objects a symbolic confirmation may build

# The functions named, as SymPy stand-ins where SymPy has no class (σ and tanh have one)
SOFTPLUS = sympy.Function("softplus", real=True)
LOGSUMEXP = sympy.Function("logsumexp", real=True)

# A definition per name, said once in the closing step
DEFINITIONS = {
    "sigmoid": "σ(u) = 1/(1 + e^(−u)) is the logistic sigmoid",
    "tanh": "tanh(u) = (eᵘ − e^(−u))/(eᵘ + e^(−u)) is the hyperbolic tangent",
    "softplus": "softplus(u) = ln(1 + eᵘ)",
    "logsumexp": "logsumexp(a₁, …, aₙ) = ln(e^(a₁) + … + e^(aₙ))",
    "softmax": "softmax_k(a₁, …, aₙ) = e^(a_k)/(e^(a₁) + … + e^(aₙ)) is the k-th entry of "
               "the softmax",
}


def _softmax(k: int) -> type:
    return sympy.Function(f"softmax_{k}", real=True)


def _exponents(terms: tuple[sympy.Basic, ...]) -> list[sympy.Expr] | None:
    """a₁, …, aₙ when every term is e^(aᵢ) (1 is e⁰), else None."""
    if not all(isinstance(t, sympy.exp) or t == 1 for t in terms):
        return None
    return [t.args[0] if isinstance(t, sympy.exp) else sympy.S.Zero for t in terms]


def _softplus(node: sympy.log) -> sympy.Expr | None:
    """ln(1 + eᵘ) = softplus(u)."""
    u = one_plus_exp(node.args[0]) if len(node.args) == 1 else None
    return None if u is None else SOFTPLUS(u)


def _logsumexp(node: sympy.log) -> sympy.Expr | None:
    """ln(e^(a₁) + … + e^(aₙ)) = logsumexp(a₁, …, aₙ), n ≥ 2."""
    inside = node.args[0] if len(node.args) == 1 else None
    if not isinstance(inside, sympy.Add):
        return None
    exponents = _exponents(inside.args)
    return None if exponents is None else LOGSUMEXP(*exponents)


def _softmax_entry(node: sympy.Mul) -> sympy.Expr | None:
    """e^(a_k)/(e^(a₁) + … + e^(aₙ)) = softmax_k(a₁, …, aₙ)."""
    if len(node.args) != 2:
        return None
    top, bottom = sorted(node.args, key=lambda f: isinstance(f, sympy.Pow))
    if not (isinstance(top, sympy.exp) and isinstance(bottom, sympy.Pow) and bottom.exp == -1
            and isinstance(bottom.base, sympy.Add) and top in bottom.base.args):
        return None
    exponents = _exponents(bottom.base.args)
    if exponents is None:
        return None
    return _softmax(bottom.base.args.index(top) + 1)(*exponents)


def _tanh(node: sympy.Expr) -> sympy.Expr | None:
    """tanh(u) for a quotient of exponentials equal to it, u tried from the exponents (a,
    −a, a/2, −a/2 for each eᵃ): (1 − e^(−2x))/(1 + e^(−2x)) = tanh(x)."""
    if sympy.count_ops(node) > TANH_MAX_OPS or node.atoms(sympy.Function) - node.atoms(sympy.exp):
        return None
    _, den = sympy.fraction(sympy.together(node))
    if not den.has(sympy.exp):
        return None
    exponents = sorted({e.args[0] for e in node.atoms(sympy.exp)}, key=sympy.default_sort_key)
    for a in exponents:
        for u in (a, -a, a / 2, -a / 2):
            if u.free_symbols == node.free_symbols and same_value(sympy.tanh(u), node) \
                    and _zero((node - sympy.tanh(u)).rewrite(sympy.exp)):
                return sympy.tanh(u)
    return None


def _zero(expr: sympy.Expr) -> bool:
    """``expr`` simplifies to 0 (within a bounded amount of SymPy's work)."""
    zero = False
    with work_budget(SIMPLIFY_OBJECTS) as ran_out:
        zero = sympy.simplify(expr) == 0
    return zero and not ran_out()


# In order, top-down: the first form that names a node wins, then its arguments are looked at.
FORMS = Table([
    Rule("softplus", "ln(1 + eᵘ) = softplus(u)", sympy.log, _softplus),
    Rule("logsumexp", "ln(e^(a₁) + … + e^(aₙ)) = logsumexp(a₁, …, aₙ)", sympy.log, _logsumexp),
    Rule("tanh", "(eᵘ − e^(−u))/(eᵘ + e^(−u)) = tanh(u)", (sympy.Mul, sympy.Add), _tanh),
    Rule("logistic", "(1 + eᵛ)^(−k)·e^(m·v) = σ(v)^m·σ(−v)^(k−m): 1/(1 + e^(−u)) = σ(u)",
         (sympy.Mul, sympy.Pow), logistic),
    Rule("softmax", "e^(a_k)/(e^(a₁) + … + e^(aₙ)) = softmax_k(a₁, …, aₙ)", sympy.Mul,
         _softmax_entry),
])


def named_form(expr: sympy.Basic, keep: frozenset = frozenset()) -> sympy.Expr | None:
    """``expr`` with the textbook functions it writes out named (σ, tanh, softplus,
    logsumexp, softmax entries), or None where it names none; the nodes in ``keep`` (written
    by name already) stay as they are."""
    if not isinstance(expr, sympy.Expr) or not expr.has(sympy.exp) \
            or sympy.count_ops(expr) > MAX_OPS:
        return None
    table = Table([Rule(r.name, r.identity, r.kind,
                        lambda node, r=r: None if node in keep else r.rewrite(node))
                   for r in FORMS])
    try:
        out = rewrite(expr, table, order="top-down", budget=Budget(TRIES))
    except (RecursionError, TypeError, ValueError, sympy.PolynomialError):
        return None
    if out == expr or not same_value(written_out(out), expr):
        return None
    return out


def written_out(expr: sympy.Basic) -> sympy.Basic:
    """The named functions written out again: the inverse of :func:`named_form`.

    >>> written_out(SOFTPLUS(sympy.Symbol("z")))
    log(exp(z) + 1)
    """
    def expanded(node: AppliedUndef) -> sympy.Expr:
        name, args = node.func.__name__, node.args
        if name == "softplus":
            return sympy.log(1 + sympy.exp(args[0]))
        total = sympy.Add(*[sympy.exp(a) for a in args])
        if name == "logsumexp":
            return sympy.log(total)
        return sympy.exp(args[int(name.rsplit("_", 1)[1]) - 1]) / total
    return to_exponentials(expr).replace(
        lambda n: isinstance(n, AppliedUndef) and _name(n) in DEFINITIONS, expanded)


def _name(node: sympy.Basic) -> str:
    """The name a definition is kept under: softmax for softmax_2."""
    name = getattr(node.func, "__name__", "")
    return "softmax" if name.startswith("softmax_") else name


def names_in(*exprs: sympy.Basic) -> list[str]:
    """The definitions of the named functions in ``exprs``, in the order they are met."""
    found = dict.fromkeys(_name(n) for e in exprs for n in sympy.preorder_traversal(e)
                          if isinstance(n, sympy.Function))
    return [DEFINITIONS[name] for name in found if name in DEFINITIONS]


def named_derivative(named: sympy.Expr, x: sympy.Symbol, raw: sympy.Expr,
                     final: sympy.Expr) -> sympy.Expr | None:
    """The derivative in the named functions, where it differs from ``final`` and is the
    same value as ``raw``: 1 − tanh²(x) for a written-out tanh, softmax for logsumexp's (σ
    the core's result names already)."""
    if named.has(sympy.tanh) and not named.atoms(AppliedUndef):  # SymPy knows tanh' (and σ')
        candidate = hyperbolic(sympy.factor_terms(sympy.diff(named, x)))
    elif not final.has(sigmoid):
        candidate = named_form(final)
    else:
        return None
    if candidate is None or candidate == final or not same_value(written_out(candidate), raw):
        return None
    return candidate
