"""The catalog's figures: one function per kind, each drawing from an entry and what running
it produced (the result, the study's numbers), never from hard-coded values.

Figures are bare matplotlib ``Figure`` objects (no pyplot state, no display needed).

>>> from symnum.chapter import catalog
>>> fig = draw(catalog.run(catalog.find("eigen")))
>>> len(fig.axes[0].patches) >= 2   # the two eigenvector arrows
True
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from matplotlib.figure import Figure

from ..api import kernel
from ..core.errors import SymnumError


def draw(outcome, out: str | None = None) -> Figure:
    """The figure named by the outcome's entry (saved to ``out`` when given)."""
    name = outcome.entry.figure
    if name not in FIGURES:
        raise SymnumError(f"entry {outcome.entry.key!r} has no figure")
    fig = FIGURES[name](outcome)
    if out:
        fig.savefig(out, dpi=100, bbox_inches="tight")
    return fig


def dot_product(outcome) -> Figure:
    """Three pairs of vectors (acute, right, obtuse angle) with aᵀx and cos θ from the entry's
    own function."""
    cosine = kernel(outcome.entry.expr, wrt="a1,a2,x1,x2", what="value")
    fig = Figure(figsize=(11, 3.6), constrained_layout=True)
    pairs = [((1, 0), (1, 1), "acute"), ((1, 0), (0, 1), "right angle"),
             ((1, 0), (-1, 0.5), "obtuse")]
    for k, (a, x, name) in enumerate(pairs):
        ax = fig.add_subplot(1, 3, k + 1)
        for v, color, label in ((a, "tab:blue", "a"), (x, "tab:red", "x")):
            ax.add_patch(_fancy(0, 0, *v, color))
            ax.plot([], [], color=color, lw=2, label=label)  # legend entry for the arrow
        c = float(cosine(*a, *x))
        ax.set_title(f"{name}: a·x = {np.dot(a, x):.2f}, cos θ = {c:.2f}")
        ax.set(xlim=(-1.5, 1.5), ylim=(-0.5, 1.5), aspect="equal")
        ax.grid(True, alpha=0.3)
        ax.legend(loc="lower left")
    return fig


def eigen_circle(outcome) -> Figure:
    """The unit circle, its image under A, and the eigenvectors scaled by their λ."""
    data = outcome.study.data
    A = data["matrix"]
    t = np.linspace(0, 2 * math.pi, 200)
    circle = np.array([np.cos(t), np.sin(t)])
    image = A @ circle
    fig = Figure(figsize=(5.5, 5.5), constrained_layout=True)
    ax = fig.add_subplot()
    ax.plot(*circle, color="tab:blue", label="unit circle")
    ax.plot(*image, color="tab:red", label="A · circle")
    for k, (lam, v) in enumerate(zip(data["eigenvalues"], data["eigenvectors"], strict=True)):
        v = v / np.linalg.norm(v)
        color = f"C{k + 2}"
        ax.add_patch(_fancy(0, 0, *(lam * v), color))
        ax.plot([], [], color=color, lw=2, label=f"λ = {lam:.3f}: A v = λ v")
        ax.plot([-6 * v[0], 6 * v[0]], [-6 * v[1], 6 * v[1]], color=color, ls=":", lw=1)
    lim = 1.15 * np.abs(image).max()
    ax.set(xlim=(-lim, lim), ylim=(-lim, lim), aspect="equal", title="A maps the circle to "
           "an ellipse with the eigenvectors as axes")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)
    return fig


def _fancy(x: float, y: float, dx: float, dy: float, color: str):
    """An arrow patch from (x, y) by (dx, dy)."""
    from matplotlib.patches import FancyArrow
    return FancyArrow(x, y, dx, dy, width=0.02, head_width=0.12, length_includes_head=True,
                      color=color)


def singular_spectrum(outcome) -> Figure:
    """Singular values of a 60×40 matrix of rank 5 plus noise (seeded), and the share of
    ‖A‖²_F kept by the best rank-k approximation, with the entry's exact matrix marked."""
    rng = np.random.default_rng(0)
    A = rng.normal(size=(60, 5)) @ rng.normal(size=(5, 40)) + 0.3 * rng.normal(size=(60, 40))
    s = np.linalg.svd(A, compute_uv=False)
    fig = Figure(figsize=(10, 3.6), constrained_layout=True)
    ax = fig.add_subplot(1, 2, 1)
    ax.plot(np.arange(1, len(s) + 1), s, marker="o", ms=3)
    ax.set(xlabel="index i", ylabel="σᵢ", yscale="log",
           title="singular values: rank 5 + noise")
    ax.grid(True, alpha=0.3)
    ax = fig.add_subplot(1, 2, 2)
    kept = np.cumsum(s**2) / np.sum(s**2)
    ax.plot(np.arange(1, len(s) + 1), kept, marker="o", ms=3, label="rank-k share of ‖A‖²")
    ax.axhline(0.95, color="tab:red", ls="--", label="95%")
    ax.set(xlabel="k", ylabel="share kept", title="1 − (error of best rank k)² / ‖A‖²",
           ylim=(0, 1.02))
    ax.grid(True, alpha=0.3)
    ax.legend(loc="lower right")
    return fig


def function(outcome) -> Figure:
    """f with f′ and f″ (symnum.analysis.plot)."""
    from ..analysis.plot import plot
    return plot(outcome.entry.expr, outcome.entry.wrt, span=outcome.entry.span)


def surface(outcome) -> Figure:
    """Surface and contours with the gradient field (symnum.analysis.plot)."""
    from ..analysis.plot import plot
    return plot(outcome.entry.expr, outcome.entry.wrt, span=(-2.0, 2.0))


def descent(outcome) -> Figure:
    """Contours of f with one gradient-descent path per learning rate from the study."""
    options, data = outcome.entry.options, outcome.study.data
    f = kernel(options["expr"], wrt=options["wrt"], what="value")
    start = np.array(options["start"])
    span = 1.4 * np.abs(start).max()
    g = np.linspace(-span, span, 200)
    X, Y = np.meshgrid(g, g)
    fig = Figure(figsize=(6.5, 5.5), constrained_layout=True)
    ax = fig.add_subplot()
    ax.contour(X, Y, np.asarray(f(X, Y)), levels=20, cmap="viridis", linewidths=0.8)
    for k, (lr, path) in enumerate(data["paths"].items()):
        shown = path[np.all(np.abs(path) <= span, axis=1)]
        ax.plot(shown[:, 0], shown[:, 1], marker=".", ms=4, lw=1, color=f"C{k}",
                label=f"lr = {lr:g} ({len(path) - 1} steps)")
    ax.plot(*start, "k*", ms=12, label="start")
    ax.set(xlim=(-span, span), ylim=(-span, span), aspect="equal",
           xlabel=options["wrt"].split(",")[0], ylabel=options["wrt"].split(",")[1],
           title=f"gradient descent on {options['expr']}; stable for lr < {data['bound']:g}")
    ax.legend(loc="lower left", fontsize=8)
    return fig


def densities(outcome) -> Figure:
    """The chapter's six distributions, densities from symnum kernels of their formulas."""
    fig = Figure(figsize=(12, 6.5), constrained_layout=True)
    axes = [fig.add_subplot(2, 3, k + 1) for k in range(6)]
    x = np.linspace(-5, 5, 400)
    gauss = kernel("exp(-(x - mu)**2/(2*sigma**2))/sqrt(2*pi*sigma**2)", wrt="x,mu,sigma",
                   what="value")
    for mu, sigma in [(0, 1), (0, 2), (2, 0.5)]:
        axes[0].plot(x, gauss(x, mu, sigma), label=f"μ = {mu}, σ = {sigma}")
    axes[0].set_title("Gaussian N(μ, σ²)")
    for k, p in enumerate([0.2, 0.5, 0.8]):
        axes[1].bar(np.array([0, 1]) + (k - 1) * 0.25, [1 - p, p], width=0.25, label=f"p = {p}")
    axes[1].set(title="Bernoulli(p)", xticks=[0, 1])
    axes[2].bar(["A", "B", "C", "D"], [0.1, 0.3, 0.4, 0.2])
    axes[2].set_title("categorical")
    u = np.linspace(-1, 3, 400)
    axes[3].plot(u, np.where((u >= 0) & (u <= 2), 0.5, 0.0))
    axes[3].set_title("uniform on [0, 2]")
    expo = kernel("lam*exp(-lam*x)", wrt="x,lam", what="value")
    t = np.linspace(0, 5, 400)
    for lam in [0.5, 1, 2]:
        axes[4].plot(t, expo(t, lam), label=f"λ = {lam}")
    axes[4].set_title("exponential(λ)")
    beta = kernel("x**(a - 1)*(1 - x)**(b - 1)*gamma(a + b)/(gamma(a)*gamma(b))",
                  wrt="x,a,b", what="value")
    z = np.linspace(0.005, 0.995, 400)
    for a, b in [(0.5, 0.5), (2, 2), (2, 5), (5, 2)]:
        axes[5].plot(z, beta(z, a, b), label=f"a = {a}, b = {b}")
    axes[5].set(title="Beta(a, b)", ylim=(0, 3))
    for ax in axes:
        ax.grid(True, alpha=0.3)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=8)
    return fig


def loglik(outcome) -> Figure:
    """ℓ(μ, σ) over a grid for the study's samples, with the closed-form MLE marked."""
    data = outcome.study.data
    samples = data["samples"]
    n, total, squares = len(samples), samples.sum(), (samples**2).sum()
    ll = kernel(f"-{n}*log(2*pi*sigma**2)/2 - ({squares} - 2*mu*{total} + {n}*mu**2)"
                "/(2*sigma**2)", wrt="mu,sigma", what="value")
    M, S = np.meshgrid(np.linspace(3, 7, 160), np.linspace(0.8, 3.5, 160))
    fig = Figure(figsize=(11, 4.2), constrained_layout=True)
    ax = fig.add_subplot(1, 2, 1)
    filled = ax.contourf(M, S, np.asarray(ll(M, S)), levels=40, cmap="viridis")
    fig.colorbar(filled, ax=ax, label="ℓ(μ, σ)")
    ax.plot(data["mu_hat"], data["sigma_hat"], "r*", ms=14, label="MLE (closed form)")
    ax.set(xlabel="μ", ylabel="σ", title=f"log-likelihood of {n} samples")
    ax.legend()
    ax = fig.add_subplot(1, 2, 2)
    ax.hist(samples, bins=20, density=True, alpha=0.6, label="samples")
    x = np.linspace(samples.min() - 1, samples.max() + 1, 300)
    pdf = np.exp(-(x - data["mu_hat"]) ** 2 / (2 * data["sigma_hat"] ** 2)) / math.sqrt(
        2 * math.pi * data["sigma_hat"] ** 2)
    ax.plot(x, pdf, color="tab:red", lw=2, label="fitted N(μ̂, σ̂²)")
    ax.set(xlabel="x", ylabel="density", title="data and the fitted Gaussian")
    ax.legend()
    return fig


def init_spectrum(outcome) -> Figure:
    """Eigenvalues of Xavier and He matrices in the complex plane with the circular law."""
    spectra = outcome.study.data["spectra"]
    sizes = sorted({n for _, n in spectra})
    fig = Figure(figsize=(4 * len(sizes), 4.2), constrained_layout=True)
    t = np.linspace(0, 2 * math.pi, 200)
    for k, n in enumerate(sizes):
        ax = fig.add_subplot(1, len(sizes), k + 1)
        for name, color, radius in (("He", "tab:red", math.sqrt(2)),
                                    ("Xavier", "tab:blue", 1.0)):
            eig = spectra[(name, n)]
            ax.scatter(eig.real, eig.imag, s=3, color=color, alpha=0.5, label=name)
            ax.plot(radius * np.cos(t), radius * np.sin(t), color=color, lw=1)
        ax.set(aspect="equal", title=f"n = {n}", xlabel="Re λ", ylabel="Im λ")
        ax.legend(loc="upper right", fontsize=8)
    return fig


def epochs(outcome) -> Figure:
    rows = outcome.study.data["rows"]
    fig = Figure(figsize=(6, 4), constrained_layout=True)
    ax = fig.add_subplot()
    e = [r[0] for r in rows]
    ax.plot(e, [r[1] for r in rows], marker="o", label="entropy of the prediction H(q)")
    ax.plot(e, [r[2] for r in rows], marker="s", label="cross-entropy H(p, q) = loss")
    ax.set(xscale="log", xlabel="epoch", ylabel="nats", title="information during training")
    ax.grid(True, alpha=0.3)
    ax.legend()
    return fig


def condition(outcome) -> Figure:
    data = outcome.study.data
    fig = Figure(figsize=(6, 4), constrained_layout=True)
    ax = fig.add_subplot()
    k = np.array(data["kappas"], dtype=float)
    ax.plot(k, data["counts"], marker="o", label="gradient descent (measured)")
    with np.errstate(divide="ignore"):
        predicted = np.where(k > 1, np.ceil(np.log(1e-6) / np.log((k - 1) / (k + 1))), 1)
    ax.plot(k, predicted, ls="--", label="log(tol) / log((κ−1)/(κ+1))")
    ax.set(xscale="log", yscale="log", xlabel="condition number κ",
           ylabel="iterations to 1e-6", title="ill-conditioning slows gradient descent")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    return fig


FIGURES: dict[str, Callable] = {
    "dot_product": dot_product, "eigen_circle": eigen_circle,
    "singular_spectrum": singular_spectrum, "function": function, "surface": surface,
    "descent": descent, "densities": densities, "loglik": loglik,
    "init_spectrum": init_spectrum, "epochs": epochs, "condition": condition,
}
