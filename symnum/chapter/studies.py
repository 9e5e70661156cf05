"""Studies: the computations a chapter entry needs beyond one derivative (eigenvalues from the
characteristic polynomial, low-rank error, gradient descent against its stability bound,
maximum likelihood in closed form ...). Each returns a :class:`Study`: facts a reader sees
and checks against an independent oracle (numpy's LAPACK, mpmath quadrature, a numeric
optimiser), so a catalog entry passes only when the mathematics holds.

>>> s = eigen(matrix=[[2, 0], [0, 3]])
>>> s.passed, s.facts[0]
(True, 'characteristic polynomial p(λ) = λ² − 5·λ + 6')
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np
import sympy

from ..analysis.critical import critical_points
from ..analysis.plot import Descent
from ..api import derive, kernel
from ..core.errors import SymnumError
from ..steps.render import inline
from .findings import Finding, Math, eq, matrix_of_numbers, number, numbers, part_latex

LAMBDA = sympy.Symbol("λ")
MU_HAT = Math("μ̂", r"\hat{\mu}")


@dataclass
class Study:
    """What a study found (``findings``: words and mathematics) and the checks it made
    (name, passed, how)."""

    findings: list[Finding] = field(default_factory=list)
    checks: list[tuple[str, bool, str]] = field(default_factory=list)
    data: dict = field(default_factory=dict)  # numbers a figure or notebook may reuse

    @property
    def facts(self) -> list[str]:
        """The findings as text."""
        return [f.text() for f in self.findings]

    def found(self, words: str, *math: object) -> None:
        """Record a finding: ``words`` with a ``{}`` hole for each formula in ``math``."""
        self.findings.append(Finding(words, math))

    def markdown(self) -> str:
        """Findings (with inline math) and checks, for notebooks."""
        from ..core.display import escape
        lines = ["**Findings**", ""] + [f"- {f.markdown()}" for f in self.findings]
        if self.checks:
            lines += ["", "**Checks**", ""] + [
                f"- {'✓' if ok else '✗ FAILED:'} {escape(name, quote=False)} "
                f"({escape(how, quote=False)})" for name, ok, how in self.checks]
        return "\n".join(lines)

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, str]:
        """Jupyter's display: findings with their mathematics typeset, then the checks."""
        from ..core.display import bundle
        marks = [f"{'✓' if ok else '✗'} {name} ({how})" for name, ok, how in self.checks]
        return bundle("\n".join(self.facts + marks), {"text/markdown": self.markdown()},
                      include, exclude)

    @property
    def passed(self) -> bool:
        return all(ok for _, ok, _ in self.checks)

    def check(self, name: str, ok: bool, how: str) -> None:
        self.checks.append((name, bool(ok), how))


def eigen(matrix: list) -> Study:
    """Eigenvalues as roots of det(A − λI), eigenvectors from the null space of A − λI,
    Av = λv checked exactly, and the eigenvalues against numpy's."""
    A = sympy.Matrix(matrix)
    study = Study()
    p = (A - LAMBDA * sympy.eye(A.rows)).det().expand()
    study.found("characteristic polynomial {}", eq(Math("p(λ)", r"p(\lambda)"), p))
    roots = sympy.roots(sympy.Poly(p, LAMBDA))
    values = sorted((r for r, k in roots.items() for _ in range(k)), key=lambda r: float(
        sympy.re(r)))
    found = []
    for lam in values:
        for v in (A - lam * sympy.eye(A.rows)).nullspace():
            v = sympy.simplify(v)
            found.append(v)
            exact = sympy.simplify(A * v - lam * v) == sympy.zeros(A.rows, 1)
            study.found("{} ≈ {}, eigenvector {}", eq(LAMBDA, lam), number(float(lam), ".6g"),
                        eq(sympy.Symbol("v"), v))
            study.check(f"A v = λ v for λ = {inline(lam)}", exact, "exact (SymPy)")
    ours = np.sort(np.array([complex(v) for v in values]).real)
    theirs = np.sort(np.linalg.eigvals(np.array(A.tolist(), dtype=float)).real)
    study.check("eigenvalues agree with numpy.linalg.eigvals", np.allclose(ours, theirs,
                rtol=1e-12), f"largest gap {np.max(np.abs(ours - theirs)):.1e}")
    study.data.update(matrix=np.array(A.tolist(), dtype=float), eigenvalues=ours,
                      eigenvectors=[np.array([float(x) for x in v]) for v in found])
    return study


def low_rank(matrix: list, ranks: list[int]) -> Study:
    """Singular values exactly (square roots of the eigenvalues of AᵀA) and the error of the
    best rank-k approximation, ‖A − A_k‖_F = √(σ²_{k+1} + ...), checked against numpy's SVD."""
    A = sympy.Matrix(matrix)
    study = Study()
    squares = sorted(((A.T * A).eigenvals(multiple=True)), key=lambda e: -float(e))
    sigma = [sympy.sqrt(sympy.nsimplify(e)) for e in squares]
    study.found("singular values {}", eq(sympy.Symbol("σ"),
                                        numbers([float(s) for s in sigma], ".6g")))
    numeric = np.array(A.tolist(), dtype=float)
    U, s, Vt = np.linalg.svd(numeric, full_matrices=False)
    study.check("σ agree with numpy.linalg.svd", np.allclose([float(x) for x in sigma][:len(s)],
                s, rtol=1e-10), "relative 1e-10")
    for k in ranks:
        predicted = math.sqrt(sum(float(x) ** 2 for x in sigma[k:]))
        approx = U[:, :k] @ np.diag(s[:k]) @ Vt[:k]
        measured = np.linalg.norm(numeric - approx)
        study.found(f"rank {k}: {{}} (measured {{}})", eq(Math(
            "‖A − A_k‖_F", r"\lVert A - A_{k} \rVert_{F}"), number(predicted, ".6g")),
            number(measured, ".6g"))
        study.check(f"rank-{k} error is √(Σ_(i>k) σ_i²)", math.isclose(predicted, measured,
                    rel_tol=1e-9, abs_tol=1e-12), "reconstruction with numpy")
    study.data.update(singular_values=s)
    return study


def classify(expr: str, wrt: str | None = None) -> Study:
    """Critical points of f, each classified by the Hessian's eigenvalues, with the
    eigenvalues re-checked by numpy on the numeric Hessian."""
    study = Study()
    points = critical_points(expr, wrt)
    if not points:
        study.check("has a critical point", False, "SymPy found none")
    for p in points:
        where = ", ".join(f"{k} = {inline(v)}" for k, v in p.point.items())
        cond = p.condition_number
        at = [eq(k, v) for k, v in p.point.items()]
        study.found("critical point " + ", ".join("{}" for _ in at) + ": {}, Hessian "
                    "eigenvalues {} → " + p.kind
                    + (", condition number {}" if cond else ""), *at,
                    eq(sympy.Symbol("f"), p.value), Math(
                        ", ".join(inline(e) for e in p.eigenvalues),
                        r",\ ".join(part_latex(e) for e in p.eigenvalues)),
                    *([number(cond, ".4g")] if cond else []))
        hessian = derive(expr, wrt, what="hessian").expanded().xreplace(p.point)
        numeric = np.linalg.eigvalsh(np.array(hessian.tolist(), dtype=float))
        study.check(f"eigenvalues at ({where})", np.allclose(
            numeric, sorted(float(e) for e in p.eigenvalues)), "numpy.linalg.eigvalsh")
    study.data.update(points=points)
    return study


def descent(expr: str, wrt: str, start: list[float], rates: list[float],
            steps: int = 100, tol: float = 1e-6) -> Study:
    """Gradient descent from ``start`` at each learning rate, against the bound lr < 2/λ_max
    that the (constant) Hessian of a quadratic gives: each run must converge exactly when its
    rate is under the bound."""
    study = Study()
    hessian = derive(expr, wrt, what="hessian").expanded()
    if hessian.free_symbols:
        raise SymnumError("descent studies need a quadratic (a constant Hessian)")
    lams = np.linalg.eigvalsh(np.array(hessian.tolist(), dtype=float))
    bound = 2 / lams.max()
    study.found("Hessian eigenvalues {}: stable for {}, condition number {}", numbers(lams),
                Math(f"lr < 2/λ_max = {bound:g}", rf"\mathrm{{lr}} < 2/\lambda_{{\max}} = "
                     f"{number(bound).latex}"), number(lams.max() / lams.min()))
    gradient = kernel(expr, wrt=wrt, what="gradient")
    f = kernel(expr, wrt=wrt, what="value")
    paths = {}
    f0 = float(f(*start))
    for lr in rates:
        path = Descent(lr, tuple(start), steps).path(gradient)
        paths[lr] = path
        final = float(f(*path[-1]))
        # Converging: f falls by 100× within the steps (every mode contracts, |1 − lr·λ| < 1).
        falling = bool(np.isfinite(final)) and final < 1e-2 * f0
        verdict = ("converged" if final < tol else "converging") if falling else "diverges" \
            if final > f0 else "stalls: one mode does not contract"
        study.found(f"{{}}: f after {len(path) - 1} steps = {{}} ({verdict})",
                    Math(f"lr = {lr:g}", rf"\mathrm{{lr}} = {number(lr).latex}"),
                    number(final, ".3g"))
        expected = lr < bound
        study.check(f"lr = {lr:g} behaves as the bound predicts", falling == expected,
                    f"{'under' if expected else 'at or over'} 2/λ_max")
    study.data.update(paths=paths, bound=bound, eigenvalues=lams)
    return study


def iterations_vs_condition(kappas: list[float], tol: float = 1e-6) -> Study:
    """Gradient descent on x² + κy² from (1, 1) at the best fixed rate 2/(λ_min + λ_max):
    the error shrinks by (κ − 1)/(κ + 1) per step, so the count to reach ``tol`` is
    predicted in closed form and compared with the run."""
    study = Study()
    counts = []
    for kappa in kappas:
        expr = f"x**2 + {kappa}*y**2"
        gradient = kernel(expr, wrt="x,y", what="gradient")
        lr = 2 / (2 + 2 * kappa)
        point, k = np.array([1.0, 1.0]), 0
        while np.linalg.norm(point) > tol * math.sqrt(2) and k < 100_000:
            point = point - lr * np.asarray(gradient(*point), dtype=float)
            k += 1
        rate = (kappa - 1) / (kappa + 1)
        predicted = 1 if rate == 0 else math.ceil(math.log(tol) / math.log(rate))
        counts.append(k)
        study.found(f"{{}}: {k} iterations (predicted {predicted})",
                    Math(f"κ = {kappa:g}", rf"\kappa = {number(kappa).latex}"))
        study.check(f"κ = {kappa:g} count matches (κ−1)/(κ+1) contraction",
                    abs(k - predicted) <= 1, f"predicted {predicted}")
    study.check("iterations grow with κ", all(a <= b for a, b in pairwise(counts)),
                "monotone")
    study.data.update(kappas=list(kappas), counts=counts)
    return study


def init_spectrum(sizes: list[int], seed: int = 0) -> Study:
    """Eigenvalues and condition numbers of Xavier (variance 1/n) and He (2/n) Gaussian
    initialisations. The circular law predicts eigenvalues filling a disc of radius √(n·var):
    1 for Xavier, √2 for He; checked to 10% on each size."""
    rng = np.random.default_rng(seed)
    study = Study()
    spectra = {}
    for n in sizes:
        for name, var in (("Xavier", 1 / n), ("He", 2 / n)):
            W = rng.normal(0, math.sqrt(var), size=(n, n))
            eig = np.linalg.eigvals(W)
            sv = np.linalg.svd(W, compute_uv=False)
            radius = np.abs(eig).max()
            spectra[(name, n)] = eig
            study.found(f"{name}, {{}}: spectral radius {{}} (circular law {{}}), condition "
                        "number {}", Math(f"n = {n}", f"n = {n}"), number(radius, ".3f"),
                        eq(Math("√(n·var)", r"\sqrt{n \cdot \mathrm{var}}"),
                           number(math.sqrt(n * var), ".3f")),
                        number(sv.max() / sv.min(), ".3g"))
            study.check(f"{name} n = {n} radius", abs(radius / math.sqrt(n * var) - 1) < 0.1,
                        "within 10% of √(n·var)")
    study.data.update(spectra=spectra)
    return study


def gradient_check(expr: str, wrt: str, at: list[float], eps: float = 1e-5) -> Study:
    """Central differences with step ``eps`` against symnum's exact gradient, judged by the
    relative error ‖g − ĝ‖ / (‖g‖ + ‖ĝ‖); a gradient with one wrong entry must be caught."""
    study = Study()
    f = kernel(expr, wrt=wrt, what="value")
    exact = np.asarray(kernel(expr, wrt=wrt, what="gradient")(*at), dtype=float)
    x = np.array(at, dtype=float)
    numeric = np.array([(float(f(*(x + eps * e))) - float(f(*(x - eps * e)))) / (2 * eps)
                        for e in np.eye(len(x))])

    def relative(a: np.ndarray, b: np.ndarray) -> float:
        return float(np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b)))

    good = relative(exact, numeric)
    wrong = exact.copy()
    wrong[0] *= 1.1
    bad = relative(wrong, numeric)
    first = wrt.split(",")[0].strip()
    study.found("relative error of the exact gradient: {}", number(good, ".2e"))
    study.found("relative error with {} off by 10%: {}", Math(
        f"∂f/∂{first}", rf"\partial f / \partial {part_latex(sympy.Symbol(first))}"),
        number(bad, ".2e"))
    study.check("exact gradient passes (< 1e-7)", good < 1e-7, f"eps = {eps:g}")
    study.check("a 10% error is caught (> 1e-3)", bad > 1e-3, "same check")
    study.data.update(good=good, bad=bad)
    return study


def information(true: list[float], predictions: dict[int, list[float]]) -> Study:
    """Entropy H(q) and cross-entropy H(p, q) of the predictions at each epoch, evaluated
    with symnum kernels of the formulas and cross-checked with numpy sums."""
    study = Study()
    k = len(true)
    qs = ", ".join(f"q{i}" for i in range(k))
    entropy = kernel(" + ".join(f"-q{i}*log(q{i})" for i in range(k)), wrt=qs, what="value")
    p_names = ", ".join(f"p{i}" for i in range(k))
    cross = kernel(" + ".join(f"-p{i}*log(q{i})" for i in range(k)), wrt=f"{p_names}, {qs}",
                   what="value")
    rows = []
    for epoch, q in sorted(predictions.items()):
        h, ce = float(entropy(*q)), float(cross(*true, *q))
        q_arr, p_arr = np.array(q), np.array(true)
        ok = math.isclose(h, -np.sum(q_arr * np.log(q_arr)), rel_tol=1e-12) and math.isclose(
            ce, -np.sum(p_arr[p_arr > 0] * np.log(q_arr[p_arr > 0])), rel_tol=1e-12)
        study.check(f"epoch {epoch} values", ok, "numpy sums")
        p_entropy = -np.sum(p_arr[p_arr > 0] * np.log(p_arr[p_arr > 0]))  # 0·log 0 = 0
        study.found(f"epoch {epoch}: entropy {{}} nats, cross-entropy {{}}, {{}}",
                    eq(Math("H(q)", "H(q)"), number(h, ".4f")),
                    eq(Math("H(p, q)", "H(p, q)"), number(ce, ".4f")),
                    eq(Math("KL(p‖q)", r"\mathrm{KL}(p \,\Vert\, q)"),
                       number(ce - p_entropy, ".4f")))
        rows.append((epoch, h, ce))
    study.check("cross-entropy falls as the prediction improves",
                all(a[2] > b[2] for a, b in pairwise(rows)), "monotone")
    study.data.update(rows=rows)
    return study


def gaussian_mle(n_samples: int = 100, seed: int = 42, mu: float = 5.0,
                 sigma: float = 2.0) -> Study:
    """Maximise ℓ(μ, σ) = Σᵢ log N(xᵢ; μ, σ²) over n samples written with indexed sums:
    solve ∂ℓ/∂μ = ∂ℓ/∂σ = 0 in closed form, confirm a maximum from the Hessian there, and
    check the formulas against a numeric optimiser on seeded data."""
    from scipy.optimize import minimize

    study = Study()
    n = sympy.Symbol("n", integer=True, positive=True)
    i = sympy.Symbol("i", integer=True, positive=True)
    x = sympy.IndexedBase("x")
    m, s = sympy.symbols("mu sigma", positive=True)
    ll = sympy.Sum(-sympy.log(2 * sympy.pi * s**2) / 2 - (x[i] - m) ** 2 / (2 * s**2),
                   (i, 1, n))
    d_mu = split_sums(sympy.diff(ll, m))
    mu_hat = sympy.solve(d_mu, m)[0]
    d_sigma = split_sums(sympy.diff(ll, s).subs(m, mu_hat))
    sigma_hat = next(r for r in sympy.solve(d_sigma, s) if not r.could_extract_minus_sign())
    var_hat = split_sums(sympy.expand(sigma_hat**2))
    deviation = split_sums(sympy.Sum((x[i] - mu_hat) ** 2, (i, 1, n)) / n)
    study.found("{}  ⇒  {}", eq(Math("∂ℓ/∂μ", r"\frac{\partial \ell}{\partial \mu}"), d_mu),
                eq(MU_HAT, mu_hat))
    study.found("{}  ⇒  {}", eq(Math("∂ℓ/∂σ", r"\frac{\partial \ell}{\partial \sigma}"), 0),
                eq(Math("σ̂²", r"\hat{\sigma}^{2}"), var_hat, Math(
                    "(1/n) Σᵢ (xᵢ − μ̂)²",
                    r"\frac{1}{n} \sum_{i} \left(x_{i} - \hat{\mu}\right)^{2}")))
    study.check("σ̂² = (1/n) Σ (xᵢ − μ̂)² exactly", sympy.simplify(var_hat - deviation) == 0,
                "SymPy, sums split")
    data = np.random.default_rng(seed).normal(mu, sigma, n_samples)
    values = {n: n_samples}

    def numeric(expr: sympy.Expr) -> float:
        expr = expr.subs(values).doit() if expr.has(sympy.Sum) else expr.subs(values)
        return float(expr.replace(lambda e: isinstance(e, sympy.Indexed),
                                  lambda e: sympy.Float(data[int(e.indices[0]) - 1])))
    mu_value, var_value = numeric(mu_hat), numeric(var_hat)
    study.check("μ̂ is the sample mean", math.isclose(mu_value, data.mean(), rel_tol=1e-12),
                "numpy mean")
    study.check("σ̂² is the mean squared deviation", math.isclose(
        var_value, data.var(), rel_tol=1e-12), "numpy var (ddof = 0)")
    hess = [[split_sums(sympy.diff(ll, a, b)).subs({m: mu_hat, s: sigma_hat}) for b in (m, s)]
            for a in (m, s)]
    # At the stationary point H = diag(−n/σ̂², −2n/σ̂²): check negative definite numerically.
    H = np.array([[numeric(e) for e in row] for row in hess])
    closed = np.diag([-n_samples / var_value, -2 * n_samples / var_value])
    study.found("Hessian of ℓ at the maximum: {}, negative definite ⇒ a maximum", eq(
        Math("H(μ̂, σ̂)", r"H(\hat{\mu}, \hat{\sigma})"), matrix_of_numbers(H.tolist()),
        Math("diag(−n/σ̂², −2n/σ̂²)", r"\operatorname{diag}\left(-\frac{n}{\hat{\sigma}^{2}}, "
             r"-\frac{2 n}{\hat{\sigma}^{2}}\right)")))
    study.check("Hessian at the MLE is diag(−n/σ̂², −2n/σ̂²)", np.allclose(H, closed,
                rtol=1e-10, atol=1e-9), "closed form vs the derived Hessian")
    study.check("Hessian negative definite at the MLE", np.all(np.linalg.eigvalsh(H) < 0),
                "numpy.linalg.eigvalsh")

    def nll(theta: np.ndarray) -> float:
        mu_, log_s = theta
        return float(np.sum(np.log(2 * np.pi) / 2 + log_s + (data - mu_) ** 2
                            / (2 * np.exp(2 * log_s))))
    best = minimize(nll, x0=[0.0, 0.0], method="Nelder-Mead",
                    options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 5000})
    study.check("a numeric optimiser finds the same maximum", math.isclose(
        best.x[0], mu_value, abs_tol=1e-5) and math.isclose(math.exp(2 * best.x[1]),
                                                             var_value, rel_tol=1e-5),
        "scipy Nelder–Mead on −ℓ")
    study.found(f"{n_samples} samples from {{}}: {{}}, {{}}", Math(
        f"N({mu:g}, {sigma:g}²)",
        rf"\mathcal{{N}}({number(mu).latex}, {number(sigma).latex}^{{2}})"),
        eq(MU_HAT, number(mu_value, ".4f")),
        eq(Math("σ̂", r"\hat{\sigma}"), number(math.sqrt(var_value), ".4f")))
    study.data.update(samples=data, mu_hat=mu_value, sigma_hat=math.sqrt(var_value))
    return study


def split_sums(expr: sympy.Expr) -> sympy.Expr:
    """Sums made linear: Σ (a·tᵢ + b) becomes a·Σ tᵢ + n·b, so solve() sees the unknowns.

    >>> i, n, m = sympy.symbols("i n mu")
    >>> x = sympy.IndexedBase("x")
    >>> split_sums(sympy.Sum(x[i] - m, (i, 1, n)))
    -mu*n + Sum(x[i], (i, 1, n))
    """
    def split(total: sympy.Sum) -> sympy.Expr:
        index = total.limits[0][0]
        parts = []
        for term in sympy.Add.make_args(sympy.expand(total.function)):
            outside, inside = term.as_independent(index, as_Add=False)
            parts.append(outside * sympy.Sum(inside, *total.limits).doit())
        return sympy.Add(*parts)
    return sympy.expand(expr.replace(lambda e: isinstance(e, sympy.Sum), split))


def density(log_density: str, variable: str, support: tuple, params: dict[str, float],
            discrete: bool = False) -> Study:
    """A density's total mass is 1 and its score ∂ log p/∂θ has mean 0, both at the given
    parameter values by mpmath quadrature (or a sum), independently of SymPy."""
    import mpmath

    from ..core.function import Function

    study = Study()
    f = Function(log_density, wrt=",".join(params))
    score = derive(f, what="gradient").expanded()
    x = next(s for s in f.expr.free_symbols if s.name == variable)
    at = {s: sympy.nsimplify(params[s.name]) for s in f.expr.free_symbols if s.name in params}
    logp = sympy.lambdify(x, f.expr.xreplace(at), "mpmath")
    scores = [sympy.lambdify(x, e.xreplace(at), "mpmath") for e in score]
    mpmath.mp.dps = 30
    if discrete:
        mass = mpmath.fsum(mpmath.exp(logp(k)) for k in support)
        means = [mpmath.fsum(mpmath.exp(logp(k)) * g(k) for k in support) for g in scores]
    else:
        lo, hi = (mpmath.mpf(v) if isinstance(v, int | float) else mpmath.inf * (
            -1 if v == "-inf" else 1) for v in support)
        mass = mpmath.quad(lambda t: mpmath.exp(logp(t)), [lo, hi])
        means = [mpmath.quad(lambda t, g=g: mpmath.exp(logp(t)) * g(t), [lo, hi])
                 for g in scores]
    study.check("total probability is 1", abs(mass - 1) < 1e-15, "mpmath, 30 digits")
    study.check("the score has mean 0", all(abs(m) < 1e-15 for m in means),
                "E[∂ log p/∂θ] = 0, mpmath")
    at = [eq(sympy.Symbol(k), number(v)) for k, v in params.items()]
    study.found("at " + ", ".join("{}" for _ in at) + ": mass {}, {}", *at,
                number(float(mass), ".15g"),
                eq(Math("E[score]", r"\mathbb{E}[\text{score}]"),
                   numbers([float(m) for m in means], ".1e")))
    return study


STUDIES: dict[str, Callable[..., Study]] = {
    "eigen": eigen, "low_rank": low_rank, "classify": classify, "descent": descent,
    "iterations_vs_condition": iterations_vs_condition, "init_spectrum": init_spectrum,
    "gradient_check": gradient_check, "information": information,
    "gaussian_mle": gaussian_mle, "density": density,
}
