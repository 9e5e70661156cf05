"""The chapter's five exercises, solved: each states the question, derives what it needs
exactly and checks the numbers."""

from symnum.chapter.entry import Derivation as D

PREDICTIONS = {1: [0.3, 0.2, 0.2, 0.15, 0.15], 10: [0.5, 0.15, 0.15, 0.1, 0.1],
               50: [0.8, 0.07, 0.07, 0.03, 0.03], 100: [0.95, 0.02, 0.01, 0.01, 0.01]}

ENTRIES = [
    D("ex1-gradient-descent", "Exercise 1: gradient descent on x² + 10y²",
      "Run gradient descent with learning rates 0.01, 0.05 and 0.1 on an ill-conditioned "
      "bowl. The Hessian diag(2, 20) says when it works: every direction contracts only "
      "while lr < 2/20 = 0.1, so 0.1 itself oscillates forever in y.",
      expr="x**2 + 10*y**2", wrt="x,y", claim="[2*x, 20*y]", study="descent",
      options={"expr": "x**2 + 10*y**2", "wrt": "x,y", "start": [1.0, 1.0],
               "rates": [0.01, 0.05, 0.1], "steps": 200}, figure="descent"),
    D("ex2-init-spectra", "Exercise 2: eigenvalues of Xavier and He initialisations",
      "Random n×n Gaussian weights with variance 1/n (Xavier) or 2/n (He): the eigenvalues "
      "fill a disc of radius √(n·variance), 1 or √2, for every n, while the condition "
      "number grows with n.",
      study="init_spectrum", options={"sizes": [100, 500, 1000], "seed": 0},
      figure="init_spectrum"),
    D("ex3-gradient-check", "Exercise 3: numerical gradient checking",
      "Compare an analytic gradient with central differences by the relative error "
      "‖g − ĝ‖/(‖g‖ + ‖ĝ‖): symnum's exact gradient passes at ~1e-11, a gradient with one "
      "entry 10% off is flagged.",
      expr="x1**2*sin(x2) + exp(x1*x2)/(1 + x2**2)", wrt="x1,x2", study="gradient_check",
      options={"expr": "x1**2*sin(x2) + exp(x1*x2)/(1 + x2**2)", "wrt": "x1,x2",
               "at": [0.7, -1.2]}),
    D("ex4-information", "Exercise 4: entropy and cross-entropy during training",
      "As predictions for the true class sharpen over the epochs, the cross-entropy loss "
      "(here equal to the KL divergence, since the one-hot target has zero entropy) and the "
      "entropy of the prediction both fall.",
      study="information", options={"true": [1, 0, 0, 0, 0], "predictions": PREDICTIONS},
      figure="epochs"),
    D("ex5-condition", "Exercise 5: condition number and iterations to converge",
      "On x² + κy² the Hessian diag(2, 2κ) has condition number κ. With the best fixed "
      "rate the error shrinks by (κ − 1)/(κ + 1) per step, so the iteration count grows "
      "about linearly in κ: compare κ = 1 and κ = 100.",
      expr="x**2 + 100*y**2", wrt="x,y", what="hessian", claim="[[2, 0], [0, 200]]",
      study="iterations_vs_condition", options={"kappas": [1, 2, 5, 10, 20, 50, 100]},
      figure="condition"),
]
