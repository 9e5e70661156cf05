"""Matrix derivatives as textbooks print them (the Matrix Cookbook, Bishop's PRML, Goodfellow
et al.'s Deep Learning, the CS229 notes), for the length test of symnum's matrix results.

Each row: a name, the function in plain syntax, the variable, the shapes, the kind, the
textbook's result in the syntax of symnum's JSON ``result`` (SymPy names: ``Inverse``,
``DiagMatrix``, ``HadamardProduct``, ``OneMatrix``; ``sum(v)`` is 𝟏ᵀv), the same result as
the textbook prints it in Unicode, and the function in torch (the oracle for the values).
Where a book assumes what symnum cannot know, the row says so and writes the book's form
without the assumption: Σ symmetric (then (Σ⁻¹ + Σ⁻ᵀ)/2 = Σ⁻¹); labels that sum to one
(then softmax(z)(𝟏ᵀy) − y = softmax(z) − y, as the rows written with the log-sum-exp have
it); y ∈ {−1, 1} (then y² = 1).

The length of a form is its number of characters without spaces (:func:`length`).
"""

from __future__ import annotations

import re

import torch as T


def length(text: str) -> int:
    """Characters, spaces not counted: ``X.T*(sigmoid(X*w) - y)`` has 20."""
    return len(re.sub(r"\s", "", text))


def sig(t):
    return 1 / (1 + T.exp(-t))


def lse(z):
    return T.log(T.exp(z).sum())


BCE = "-(y.T*log(sigmoid(X*w)) + (OneMatrix(1, m) - y.T)*log(OneMatrix(m, 1) - sigmoid(X*w)))"
LOGISTIC_HESSIAN = "X.T*DiagMatrix(HadamardProduct(sigmoid(X*w), OneMatrix(m, 1) - sigmoid(X*w)))*X"
TANH_BACK = "HadamardProduct(v, OneMatrix(m, 1) - HadamardPower(tanh(W*x + b), 2))"


def _bce(v):
    s = sig(v["X"] @ v["w"])
    return -(v["y"] * T.log(s) + (1 - v["y"]) * T.log(1 - s)).sum()


def _gauss(v):
    d = v["x"] - v["mu"]
    return -0.5 * (d.T @ T.linalg.inv(v["S"]) @ d).sum()


def _precision(v):
    d = v["x"] - v["mu"]
    return 0.5 * T.logdet(v["P"]) - 0.5 * (d.T @ v["P"] @ d).sum()


def _mlp(v):
    return (v["v"].T @ T.tanh(v["W"] @ v["x"] + v["b"])).sum()


def _mlp_loss(v):
    return ((v["v"].T @ T.tanh(v["W"] @ v["x"] + v["b"])).sum() - v["t"]) ** 2


def _two_layer_squared(v):
    h = T.tanh(v["W1"] @ v["x"] + v["b1"])
    return ((v["W2"] @ h + v["b2"] - v["y"]) ** 2).sum()


def _two_layer_entropy(v):
    h = T.tanh(v["W1"] @ v["x"] + v["b1"])
    return -(v["y"] * T.log_softmax(v["W2"] @ h + v["b2"], 0)).sum()


TWO = "W1=m,n x=n b1=m W2=k,m b2=k y=k"


def _two_layer(v):
    h = T.tanh(v["W"] @ v["x"] + v["b"])
    return (v["u"].T @ sig(v["V"] @ h + v["c"])).sum()


# (name, function, wrt, shapes, what, textbook JSON syntax, textbook Unicode, torch function:
# a scalar for a gradient or Hessian, a column for a Jacobian)
ROWS = [
    ("logistic regression: gradient (CS229, PRML)", BCE, "w", "X=m,n w=n y=m", "gradient",
     "X.T*(sigmoid(X*w) - y)", "Xᵀ(σ(Xw) − y)", _bce),
    ("logistic regression: Hessian", BCE, "w", "X=m,n w=n y=m", "hessian",
     LOGISTIC_HESSIAN, "Xᵀ diag(σ(Xw) ⊙ (𝟏 − σ(Xw)))X", _bce),
    ("logistic regression with softplus: gradient", "sum(softplus(X*w)) - y.T*X*w", "w",
     "X=m,n w=n y=m", "gradient", "X.T*(sigmoid(X*w) - y)", "Xᵀ(σ(Xw) − y)",
     lambda v: (T.nn.functional.softplus(v["X"] @ v["w"]) - v["y"] * (v["X"] @ v["w"])).sum()),
    ("logistic loss, one sample: gradient (y² = 1 not assumed)", "log(1 + exp(-y*w.T*x))", "w",
     "w=n x=n", "gradient", "-y*sigmoid(-y*w.T*x)*x", "−y σ(−y wᵀx) x",
     lambda v: T.log(1 + T.exp(-0.7 * (v["w"].T @ v["x"]).sum()))),
    ("logistic loss, one sample: Hessian", "log(1 + exp(-y*w.T*x))", "w", "w=n x=n", "hessian",
     "y**2*sigmoid(-y*w.T*x)*(1 - sigmoid(-y*w.T*x))*x*x.T",
     "y² σ(−y wᵀx)(1 − σ(−y wᵀx)) x xᵀ",
     lambda v: T.log(1 + T.exp(-0.7 * (v["w"].T @ v["x"]).sum()))),
    ("σ(wᵀx): gradient", "sigmoid(w.T*x)", "w", "w=n x=n", "gradient",
     "sigmoid(w.T*x)*(1 - sigmoid(w.T*x))*x", "σ(wᵀx)(1 − σ(wᵀx)) x",
     lambda v: sig((v["w"].T @ v["x"]).sum())),
    ("Poisson regression: Hessian", "sum(exp(X*w)) - y.T*X*w", "w", "X=m,n w=n y=m",
     "hessian", "X.T*DiagMatrix(exp(X*w))*X", "Xᵀ diag(exp(Xw))X",
     lambda v: (T.exp(v["X"] @ v["w"]) - v["y"] * (v["X"] @ v["w"])).sum()),
    ("least squares: gradient", "(X*w - y).T*(X*w - y)", "w", "X=m,n w=n y=m",
     "gradient", "2*X.T*(X*w - y)", "2Xᵀ(Xw − y)",
     lambda v: ((v["X"] @ v["w"] - v["y"]) ** 2).sum()),
    ("half least squares ‖Ax − b‖²/2: gradient", "0.5*(A*x - b).T*(A*x - b)", "x",
     "A=m,n x=n b=m", "gradient", "A.T*(A*x - b)", "Aᵀ(Ax − b)",
     lambda v: 0.5 * ((v["A"] @ v["x"] - v["b"]) ** 2).sum()),
    ("least squares: Hessian", "(A*x - b).T*(A*x - b)", "x", "A=m,n x=n b=m", "hessian",
     "2*A.T*A", "2AᵀA", lambda v: ((v["A"] @ v["x"] - v["b"]) ** 2).sum()),
    ("ridge regression: gradient", "(X*w - y).T*(X*w - y) + lam*w.T*w", "w", "X=m,n w=n y=m",
     "gradient", "2*X.T*(X*w - y) + 2*lam*w", "2Xᵀ(Xw − y) + 2lam w",
     lambda v: ((v["X"] @ v["w"] - v["y"]) ** 2).sum() + 0.7 * (v["w"] ** 2).sum()),
    ("ridge regression: Hessian", "(X*w - y).T*(X*w - y) + lam*w.T*w", "w", "X=m,n w=n y=m",
     "hessian", "2*X.T*X + 2*lam*Identity(n)", "2XᵀX + 2lam 𝐈",
     lambda v: ((v["X"] @ v["w"] - v["y"]) ** 2).sum() + 0.7 * (v["w"] ** 2).sum()),
    ("Frobenius least squares ‖AX − B‖²: gradient", "Trace((A*X - B).T*(A*X - B))", "X",
     "A=m,n X=n,p B=m,p", "gradient", "2*A.T*(A*X - B)", "2Aᵀ(AX − B)",
     lambda v: ((v["A"] @ v["X"] - v["B"]) ** 2).sum()),
    ("quadratic form xᵀAx: gradient", "x.T*A*x", "x", "x=n A=n,n", "gradient",
     "(A + A.T)*x", "(A + Aᵀ)x", lambda v: (v["x"].T @ v["A"] @ v["x"]).sum()),
    ("quadratic form: Hessian", "x.T*A*x", "x", "x=n A=n,n", "hessian", "A + A.T", "A + Aᵀ",
     lambda v: (v["x"].T @ v["A"] @ v["x"]).sum()),
    ("bilinear form aᵀXb", "a.T*X*b", "X", "a=m X=m,n b=n", "gradient",
     "a*b.T", "a bᵀ", lambda v: (v["a"].T @ v["X"] @ v["b"]).sum()),
    ("bᵀXᵀXc", "b.T*X.T*X*c", "X", "b=n X=m,n c=n", "gradient", "X*(b*c.T + c*b.T)",
     "X(b cᵀ + c bᵀ)", lambda v: (v["b"].T @ v["X"].T @ v["X"] @ v["c"]).sum()),
    ("‖Ax − b‖: gradient", "sqrt((A*x - b).T*(A*x - b))", "x", "A=m,n x=n b=m", "gradient",
     "A.T*(A*x - b)/sqrt((A*x - b).T*(A*x - b))", "Aᵀ(Ax − b)/√((Ax − b)ᵀ(Ax − b))",
     lambda v: T.linalg.norm(v["A"] @ v["x"] - v["b"])),
    ("log det X", "log(det(X))", "X", "X=n,n", "gradient", "Inverse(X).T",
     "X⁻ᵀ", lambda v: T.logdet(v["X"])),
    ("det X", "det(X)", "X", "X=n,n", "gradient",
     "Determinant(X)*Inverse(X).T", "det(X) X⁻ᵀ", lambda v: T.det(v["X"])),
    ("det(AXB)", "det(A*X*B)", "X", "A=n,n X=n,n B=n,n", "gradient",
     "Determinant(A*X*B)*Inverse(X).T", "det(AXB) X⁻ᵀ",
     lambda v: T.det(v["A"] @ v["X"] @ v["B"])),
    ("det(XᵀX)", "det(X.T*X)", "X", "X=m,n", "gradient",
     "2*Determinant(X.T*X)*X*Inverse(X.T*X)", "2det(XᵀX) X(XᵀX)⁻¹",
     lambda v: T.det(v["X"].T @ v["X"])),
    ("tr(AXB)", "Trace(A*X*B)", "X", "A=p,m X=m,n B=n,p", "gradient",
     "A.T*B.T", "AᵀBᵀ", lambda v: T.trace(v["A"] @ v["X"] @ v["B"])),
    ("tr(XᵀAX)", "Trace(X.T*A*X)", "X", "A=m,m X=m,n", "gradient",
     "(A + A.T)*X", "(A + Aᵀ)X", lambda v: T.trace(v["X"].T @ v["A"] @ v["X"])),
    ("tr(X⁻¹A)", "Trace(Inverse(X)*A)", "X", "X=n,n A=n,n", "gradient",
     "-Inverse(X).T*A.T*Inverse(X).T", "−X⁻ᵀAᵀX⁻ᵀ",
     lambda v: T.trace(T.linalg.inv(v["X"]) @ v["A"])),
    ("Mahalanobis (x − μ)ᵀP(x − μ) in x", "(x - mu).T*P*(x - mu)", "x", "x=n mu=n P=n,n",
     "gradient", "(P + P.T)*(x - mu)", "(P + Pᵀ)(x − mu)",
     lambda v: ((v["x"] - v["mu"]).T @ v["P"] @ (v["x"] - v["mu"])).sum()),
    ("Mahalanobis in μ", "(x - mu).T*P*(x - mu)", "mu", "x=n mu=n P=n,n",
     "gradient", "-(P + P.T)*(x - mu)", "−(P + Pᵀ)(x − mu)",
     lambda v: ((v["x"] - v["mu"]).T @ v["P"] @ (v["x"] - v["mu"])).sum()),
    ("Gaussian log-likelihood in μ (PRML; Σ not assumed symmetric)",
     "-0.5*(x - mu).T*Inverse(S)*(x - mu)", "mu", "x=n mu=n S=n,n", "gradient",
     "(1/2)*(Inverse(S) + Inverse(S).T)*(x - mu)", "(1/2)(S⁻¹ + S⁻ᵀ)(x − mu)", _gauss),
    ("Gaussian log-likelihood in the precision Σ⁻¹ = P",
     "0.5*log(det(P)) - 0.5*(x - mu).T*P*(x - mu)", "P", "x=n mu=n P=n,n", "gradient",
     "(1/2)*(Inverse(P).T - (x - mu)*(x - mu).T)", "(1/2)(P⁻ᵀ − (x − mu)(x − mu)ᵀ)",
     _precision),
    ("log-sum-exp: gradient", "log(sum(exp(x)))", "x", "x=n", "gradient", "softmax(x)",
     "softmax(x)", lambda v: lse(v["x"])),
    ("log-sum-exp: Hessian", "log(sum(exp(x)))", "x", "x=n", "hessian",
     "DiagMatrix(softmax(x)) - softmax(x)*softmax(x).T",
     "diag(softmax(x)) − softmax(x) softmax(x)ᵀ",
     lambda v: lse(v["x"])),
    ("softmax cross-entropy, 𝟏ᵀy = 1 written in: gradient",
     "-y.T*z + log(sum(exp(z)))", "z", "z=n y=n", "gradient", "softmax(z) - y",
     "softmax(z) − y", lambda v: -(v["y"] * v["z"]).sum() + lse(v["z"])),
    ("softmax cross-entropy, 𝟏ᵀy = 1 written in: Hessian", "-y.T*z + log(sum(exp(z)))", "z",
     "z=n y=n", "hessian", "DiagMatrix(softmax(z)) - softmax(z)*softmax(z).T",
     "diag(softmax(z)) − softmax(z) softmax(z)ᵀ",
     lambda v: -(v["y"] * v["z"]).sum() + lse(v["z"])),
    ("softmax cross-entropy −yᵀ log softmax(z): gradient", "-y.T*log(softmax(z))", "z",
     "z=n y=n", "gradient", "softmax(z)*sum(y) - y", "softmax(z)(𝟏ᵀy) − y",
     lambda v: -(v["y"] * T.log_softmax(v["z"], 0)).sum()),
    ("softmax regression: gradient in W", "-y.T*log(softmax(W*x + b))", "W",
     "W=m,n x=n b=m y=m", "gradient", "(softmax(W*x + b)*sum(y) - y)*x.T",
     "(softmax(Wx + b)(𝟏ᵀy) − y)xᵀ",
     lambda v: -(v["y"] * T.log_softmax(v["W"] @ v["x"] + v["b"], 0)).sum()),
    ("one tanh layer vᵀtanh(Wx + b): gradient in W", "v.T*tanh(W*x + b)", "W",
     "W=m,n x=n b=m v=m", "gradient", f"{TANH_BACK}*x.T", "(v ⊙ (𝟏 − tanh²(Wx + b)))xᵀ", _mlp),
    ("one tanh layer: gradient in x", "v.T*tanh(W*x + b)", "x", "W=m,n x=n b=m v=m",
     "gradient", f"W.T*{TANH_BACK}", "Wᵀ(v ⊙ (𝟏 − tanh²(Wx + b)))", _mlp),
    ("squared error of a tanh layer: gradient in W", "(v.T*tanh(W*x + b) - t)**2", "W",
     "W=m,n x=n b=m v=m", "gradient", f"2*(v.T*tanh(W*x + b) - t)*{TANH_BACK}*x.T",
     "2(vᵀ tanh(Wx + b) − t)(v ⊙ (𝟏 − tanh²(Wx + b)))xᵀ", _mlp_loss),
    ("two layers uᵀσ(V tanh(Wx + b) + c): gradient in W",
     "u.T*sigmoid(V*tanh(W*x + b) + c)", "W", "W=m,n x=n b=m V=k,m c=k u=k", "gradient",
     "HadamardProduct(V.T*HadamardProduct(u, sigmoid(V*tanh(W*x + b) + c), OneMatrix(k, 1)"
     " - sigmoid(V*tanh(W*x + b) + c)), OneMatrix(m, 1) - HadamardPower(tanh(W*x + b), 2))*x.T",
     "((Vᵀ(u ⊙ σ(V tanh(Wx + b) + c) ⊙ (𝟏 − σ(V tanh(Wx + b) + c)))) ⊙ (𝟏 − tanh²(Wx + b)))xᵀ",
     _two_layer),
    ("two layers, squared error: gradient in W1", "(W2*tanh(W1*x + b1) + b2 - y).T*"
     "(W2*tanh(W1*x + b1) + b2 - y)", "W1", TWO, "gradient",
     "2*HadamardProduct(W2.T*(W2*tanh(W1*x + b1) + b2 - y), OneMatrix(m, 1) - "
     "HadamardPower(tanh(W1*x + b1), 2))*x.T",
     "2((W2ᵀ(W2 tanh(W1 x + b1) + b2 − y)) ⊙ (𝟏 − tanh²(W1 x + b1)))xᵀ", _two_layer_squared),
    ("two layers, squared error: gradient in W2", "(W2*tanh(W1*x + b1) + b2 - y).T*"
     "(W2*tanh(W1*x + b1) + b2 - y)", "W2", TWO, "gradient",
     "2*(W2*tanh(W1*x + b1) + b2 - y)*tanh(W1*x + b1).T",
     "2(W2 tanh(W1 x + b1) + b2 − y) tanh(W1 x + b1)ᵀ", _two_layer_squared),
    ("two layers, softmax cross-entropy: gradient in W1", "-y.T*log(softmax(W2*tanh(W1*x + b1)"
     " + b2))", "W1", TWO, "gradient",
     "HadamardProduct(W2.T*(softmax(W2*tanh(W1*x + b1) + b2)*sum(y) - y), OneMatrix(m, 1) - "
     "HadamardPower(tanh(W1*x + b1), 2))*x.T",
     "((W2ᵀ(softmax(W2 tanh(W1 x + b1) + b2)(𝟏ᵀy) − y)) ⊙ (𝟏 − tanh²(W1 x + b1)))xᵀ",
     _two_layer_entropy),
    ("Jacobian of a tanh layer in x", "tanh(W*x + b)", "x", "W=m,n x=n b=m", "jacobian",
     "DiagMatrix(OneMatrix(m, 1) - HadamardPower(tanh(W*x + b), 2))*W",
     "diag(𝟏 − tanh²(Wx + b))W", lambda v: T.tanh(v["W"] @ v["x"] + v["b"])),
    ("Jacobian of softmax", "softmax(z)", "z", "z=n", "jacobian",
     "DiagMatrix(softmax(z)) - softmax(z)*softmax(z).T",
     "diag(softmax(z)) − softmax(z) softmax(z)ᵀ", lambda v: T.softmax(v["z"], 0)),
    ("Jacobian of σ(x)", "sigmoid(x)", "x", "x=n", "jacobian",
     "DiagMatrix(HadamardProduct(sigmoid(x), OneMatrix(n, 1) - sigmoid(x)))",
     "diag(σ(x) ⊙ (𝟏 − σ(x)))", lambda v: sig(v["x"])),
    ("‖x‖: gradient", "sqrt(x.T*x)", "x", "x=n", "gradient", "x/sqrt(x.T*x)", "x/√(xᵀx)",
     lambda v: T.linalg.norm(v["x"])),
    ("log xᵀAx: gradient", "log(x.T*A*x)", "x", "x=n A=n,n", "gradient",
     "(A + A.T)*x/(x.T*A*x)", "(A + Aᵀ)x/(xᵀAx)",
     lambda v: T.log((v["x"].T @ v["A"] @ v["x"]).sum())),
    ("Rayleigh quotient xᵀAx/xᵀx: gradient", "x.T*A*x/(x.T*x)", "x", "x=n A=n,n", "gradient",
     "((A + A.T)*x - 2*(x.T*A*x)*x/(x.T*x))/(x.T*x)", "((A + Aᵀ)x − 2(xᵀAx)x/(xᵀx))/(xᵀx)",
     lambda v: (v["x"].T @ v["A"] @ v["x"]).sum() / (v["x"] ** 2).sum()),
    ("xᵀAx/2 − bᵀx: gradient", "0.5*x.T*A*x - b.T*x", "x", "x=n A=n,n b=n", "gradient",
     "(1/2)*(A + A.T)*x - b", "(1/2)(A + Aᵀ)x − b",
     lambda v: 0.5 * (v["x"].T @ v["A"] @ v["x"]).sum() - (v["b"] * v["x"]).sum()),
    ("aᵀX⁻¹b", "a.T*Inverse(X)*b", "X", "a=n X=n,n b=n", "gradient",
     "-Inverse(X).T*a*b.T*Inverse(X).T", "−X⁻ᵀa bᵀX⁻ᵀ",
     lambda v: (v["a"].T @ T.linalg.inv(v["X"]) @ v["b"]).sum()),
    ("tr(AXᵀB)", "Trace(A*X.T*B)", "X", "A=p,m X=n,m B=n,p", "gradient", "B*A", "BA",
     lambda v: T.trace(v["A"] @ v["X"].T @ v["B"])),
    ("tr(XAXᵀ)", "Trace(X*A*X.T)", "X", "X=m,n A=n,n", "gradient", "X*(A + A.T)",
     "X(A + Aᵀ)", lambda v: T.trace(v["X"] @ v["A"] @ v["X"].T)),
    ("log det XᵀX", "log(det(X.T*X))", "X", "X=m,n", "gradient", "2*X*Inverse(X.T*X)",
     "2X(XᵀX)⁻¹", lambda v: T.logdet(v["X"].T @ v["X"])),
    ("(Xb + c)ᵀD(Xb + c)", "(X*b + c).T*D*(X*b + c)", "X", "b=n X=m,n c=m D=m,m", "gradient",
     "(D + D.T)*(X*b + c)*b.T", "(D + Dᵀ)(Xb + c)bᵀ",
     lambda v: ((v["X"] @ v["b"] + v["c"]).T @ v["D"] @ (v["X"] @ v["b"] + v["c"])).sum()),
    ("Gaussian log-likelihood in the covariance Σ", "-0.5*log(det(S)) - 0.5*(x - mu).T*"
     "Inverse(S)*(x - mu)", "S", "x=n mu=n S=n,n", "gradient",
     "(1/2)*(Inverse(S).T*(x - mu)*(x - mu).T*Inverse(S).T - Inverse(S).T)",
     "(1/2)(S⁻ᵀ(x − mu)(x − mu)ᵀS⁻ᵀ − S⁻ᵀ)",
     lambda v: -0.5 * T.logdet(v["S"]) + _gauss(v)),
    ("least squares written with sum(·²): gradient", "sum((X*w - y)**2)", "w",
     "X=m,n w=n y=m", "gradient", "2*X.T*(X*w - y)", "2Xᵀ(Xw − y)",
     lambda v: ((v["X"] @ v["w"] - v["y"]) ** 2).sum()),
    ("least squares written with sum(·²): Hessian", "sum((X*w - y)**2)", "w", "X=m,n w=n y=m",
     "hessian", "2*X.T*X", "2XᵀX", lambda v: ((v["X"] @ v["w"] - v["y"]) ** 2).sum()),
    ("ridge written with sums: gradient", "0.5*sum((X*w - y)**2) + 0.5*lam*sum(w**2)", "w",
     "X=m,n w=n y=m", "gradient", "X.T*(X*w - y) + lam*w", "Xᵀ(Xw − y) + lam w",
     lambda v: 0.5 * ((v["X"] @ v["w"] - v["y"]) ** 2).sum() + 0.35 * (v["w"] ** 2).sum()),
    ("logistic loss over a data set, y ∈ {−1, 1}: gradient",
     "sum(log(OneMatrix(m, 1) + exp(-HadamardProduct(y, X*w))))", "w", "X=m,n w=n y=m",
     "gradient", "-X.T*HadamardProduct(y, sigmoid(-HadamardProduct(y, X*w)))",
     "−Xᵀ(y ⊙ σ(−(y ⊙ (Xw))))",
     lambda v: T.log(1 + T.exp(-v["y"] * (v["X"] @ v["w"]))).sum()),
    ("cross-entropy of σ(wᵀx), one sample: gradient",
     "-y*log(sigmoid(w.T*x)) - (1 - y)*log(1 - sigmoid(w.T*x))", "w", "w=n x=n", "gradient",
     "(sigmoid(w.T*x) - y)*x", "(σ(wᵀx) − y) x",
     lambda v: -(0.7 * T.log(sig((v["w"].T @ v["x"]).sum()))
                 + 0.3 * T.log(1 - sig((v["w"].T @ v["x"]).sum())))),
    ("tanh(wᵀx): gradient", "tanh(w.T*x)", "w", "w=n x=n", "gradient",
     "(1 - tanh(w.T*x)**2)*x", "(1 − tanh²(wᵀx)) x",
     lambda v: T.tanh((v["w"].T @ v["x"]).sum())),
    ("squared error of a σ layer: gradient in W", "(v.T*sigmoid(W*x + b) - y)**2", "W",
     "W=m,n x=n b=m v=m", "gradient",
     "2*(v.T*sigmoid(W*x + b) - y)*HadamardProduct(v, sigmoid(W*x + b), OneMatrix(m, 1) - "
     "sigmoid(W*x + b))*x.T", "2(vᵀ σ(Wx + b) − y)(v ⊙ σ(Wx + b) ⊙ (𝟏 − σ(Wx + b)))xᵀ",
     lambda v: ((v["v"].T @ sig(v["W"] @ v["x"] + v["b"])).sum() - 0.7) ** 2),
    ("log det(A + X)", "log(det(A + X))", "X", "X=n,n A=n,n", "gradient",
     "Inverse(A + X).T", "(A + X)⁻ᵀ", lambda v: T.logdet(v["A"] + v["X"])),
]
