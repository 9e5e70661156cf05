"""Part 3: densities and their score functions, entropy, cross-entropy, KL divergence,
softmax with cross-entropy, and maximum likelihood."""

from symnum.chapter.entry import Derivation as D

GAUSS = "-log(2*pi*sigma**2)/2 - (x - mu)**2/(2*sigma**2)"
SOFTMAX = "exp(z{k})/(exp(z1) + exp(z2) + exp(z3))"

ENTRIES = [
    D("gaussian-score", "Gaussian log-density and its score",
      "The score ∇_θ log p(x; θ) tells how the log-likelihood of one observation moves with "
      "the parameters. For N(μ, σ²): ((x − μ)/σ², −1/σ + (x − μ)²/σ³). It has mean zero "
      "under the model.",
      expr=GAUSS, wrt="mu,sigma",
      claim="[(x - mu)/sigma**2, -1/sigma + (x - mu)**2/sigma**3]", study="density",
      options={"log_density": GAUSS, "variable": "x", "support": ("-inf", "inf"),
               "params": {"mu": 0.5, "sigma": 1.5}}, figure="densities"),
    D("bernoulli-score", "Bernoulli log-probability and its score",
      "log p(x; p) = x log p + (1 − x) log(1 − p) for x ∈ {0, 1}; the score is "
      "x/p − (1 − x)/(1 − p).",
      expr="x*log(p) + (1 - x)*log(1 - p)", wrt="p", claim="x/p - (1 - x)/(1 - p)",
      study="density", options={"log_density": "x*log(p) + (1 - x)*log(1 - p)",
                                "variable": "x", "support": (0, 1), "params": {"p": 0.3},
                                "discrete": True}),
    D("categorical-score", "Categorical log-probability (three classes)",
      "With one-hot x and p₃ = 1 − p₁ − p₂, log p(x) = x₁ log p₁ + x₂ log p₂ + "
      "(1 − x₁ − x₂) log p₃; each partial derivative compares a class with the last.",
      expr="x1*log(p1) + x2*log(p2) + (1 - x1 - x2)*log(1 - p1 - p2)", wrt="p1,p2",
      claim="[x1/p1 - (1 - x1 - x2)/(1 - p1 - p2), x2/p2 - (1 - x1 - x2)/(1 - p1 - p2)]"),
    D("exponential-score", "Exponential density and its score",
      "log p(x; λ) = log λ − λx for x ≥ 0; the score 1/λ − x vanishes on average because "
      "E[x] = 1/λ.",
      expr="log(lam) - lam*x", wrt="lam", claim="1/lam - x", study="density",
      options={"log_density": "log(lam) - lam*x", "variable": "x", "support": (0, "inf"),
               "params": {"lam": 2.0}}),
    D("beta-score", "Beta density and its score",
      "log p(x; a, b) = (a − 1) log x + (b − 1) log(1 − x) − log B(a, b); the score brings "
      "in the digamma function ψ through log B = log Γ(a) + log Γ(b) − log Γ(a + b).",
      expr="(a - 1)*log(x) + (b - 1)*log(1 - x) - log(gamma(a)) - log(gamma(b))"
           " + log(gamma(a + b))",
      wrt="a,b", claim="[log(x) - digamma(a) + digamma(a + b), "
                       "log(1 - x) - digamma(b) + digamma(a + b)]",
      verify_at=("a=2,b=5,x=0.3", "a=0.5,b=0.7,x=0.8", "a=3.5,b=1.2,x=0.05"),
      study="density", options={
          "log_density": "(a - 1)*log(x) + (b - 1)*log(1 - x) - log(gamma(a)) - log(gamma(b))"
                         " + log(gamma(a + b))",
          "variable": "x", "support": (0, 1), "params": {"a": 2.0, "b": 5.0}}),
    D("entropy", "Entropy and its gradient",
      "H(p) = −Σ pᵢ log pᵢ; ∂H/∂pᵢ = −log pᵢ − 1 (before the constraint Σ pᵢ = 1).",
      expr="-p1*log(p1) - p2*log(p2) - p3*log(p3)", wrt="p1,p2,p3",
      at="p1=0.7,p2=0.2,p3=0.1", claim="[-log(p1) - 1, -log(p2) - 1, -log(p3) - 1]"),
    D("cross-entropy", "Cross-entropy H(p, q) as a function of the model q",
      "H(p, q) = −Σ pᵢ log qᵢ is the classification loss; ∂H/∂qᵢ = −pᵢ/qᵢ.",
      expr="-p1*log(q1) - p2*log(q2) - p3*log(q3)", wrt="q1,q2,q3",
      at="p1=0.7,p2=0.2,p3=0.1,q1=0.5,q2=0.3,q3=0.2", claim="[-p1/q1, -p2/q2, -p3/q3]"),
    D("kl-divergence", "KL divergence D(p‖q) and its gradient in q",
      "D(p‖q) = Σ pᵢ log(pᵢ/qᵢ) = H(p, q) − H(p) ≥ 0; H(p) does not depend on q, so the "
      "gradient in q is the cross-entropy's.",
      expr="p1*log(p1/q1) + p2*log(p2/q2) + p3*log(p3/q3)", wrt="q1,q2,q3",
      at="p1=0.7,p2=0.2,p3=0.1,q1=0.5,q2=0.3,q3=0.2", claim="[-p1/q1, -p2/q2, -p3/q3]"),
    D("softmax-cross-entropy", "Softmax with cross-entropy ⇒ softmax(z) − y",
      "Composing softmax with cross-entropy against a one-hot (or any probability) target "
      "y, with y₃ = 1 − y₁ − y₂, collapses the gradient in the logits to softmax(z) − y.",
      expr=" - ".join(["-y1*log(" + SOFTMAX.format(k=1) + ")",
                       "y2*log(" + SOFTMAX.format(k=2) + ")",
                       "(1 - y1 - y2)*log(" + SOFTMAX.format(k=3) + ")"]),
      wrt="z1,z2,z3", claim="[" + ", ".join([SOFTMAX.format(k=1) + " - y1",
                                             SOFTMAX.format(k=2) + " - y2",
                                             SOFTMAX.format(k=3) + " - (1 - y1 - y2)"]) + "]"),
    D("softmax-cross-entropy-vector", "Softmax cross-entropy in vector form",
      "The same loss as −yᵀ log softmax(z) for any number of classes: the gradient is "
      "softmax(z)·(1ᵀy) − y, which is softmax(z) − y when y sums to one.",
      expr="-y.T*log(softmax(z))", wrt="z", shapes={"y": "k", "z": "k"}),
    D("gaussian-mle", "Gaussian maximum likelihood in closed form",
      "Over n samples, ℓ(μ, σ) = Σᵢ log N(xᵢ; μ, σ²). Setting both partial derivatives to "
      "zero gives μ̂ = the sample mean and σ̂² = the mean squared deviation, and the Hessian "
      "there is negative definite: a maximum. The figure shows ℓ over (μ, σ) for 100 "
      "samples with the estimate marked.",
      study="gaussian_mle", options={"n_samples": 100, "seed": 42}, figure="loglik"),
]
