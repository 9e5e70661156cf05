"""Part 2: derivatives, the chain rule, gradients, Jacobians and Hessians."""

from symnum.chapter.entry import Derivation as D

ENTRIES = [
    D("square", "Derivative of x²", "The power rule: d/dx x² = 2x.",
      expr="x**2", claim="2*x", figure="function"),
    D("power-chain", "Chain rule through a power",
      "(x² + 1)³ is an outer cube of an inner x² + 1: 3(x² + 1)² · 2x.",
      expr="(x**2 + 1)**3", claim="6*x*(x**2 + 1)**2"),
    D("nested-chain", "Chain rule three deep",
      "sin(exp(x²)): differentiate the sine, then the exponential, then the square, and "
      "multiply the three factors.",
      expr="sin(exp(x**2))", claim="2*x*exp(x**2)*cos(exp(x**2))", figure="function",
      span=(-1.3, 1.3)),
    D("sigmoid", "The logistic sigmoid",
      "σ(x) = 1/(1 + e⁻ˣ) has σ′(x) = σ(x)(1 − σ(x)), largest (1/4) at x = 0.",
      expr="1/(1 + exp(-x))", claim="exp(-x)/(1 + exp(-x))**2", figure="function",
      span=(-6.0, 6.0)),
    D("bowl-descent", "Gradient descent on x² + y²",
      "The gradient (2x, 2y) points away from the minimum; stepping against it with rate "
      "lr scales the point by (1 − 2·lr) each step, so descent converges for lr < 1.",
      expr="x**2 + y**2", wrt="x,y", claim="[2*x, 2*y]", study="descent",
      options={"expr": "x**2 + y**2", "wrt": "x,y", "start": [2.0, 1.5],
               "rates": [0.1, 0.4, 1.0, 1.05], "steps": 60}, figure="descent"),
    D("jacobian", "Jacobian of (x₁², x₁x₂, x₂²)",
      "Row i holds the partial derivatives of output i: a 3×2 matrix for a map ℝ² → ℝ³.",
      expr="[x1**2, x1*x2, x2**2]", wrt="x1,x2", claim="[[2*x1, 0], [x2, x1], [0, 2*x2]]"),
    D("saddle", "Hessian of x² + 4xy + y²: a saddle",
      "The Hessian [[2, 4], [4, 2]] is constant with eigenvalues 6 and −2: curving up one "
      "way and down the other, so the origin is a saddle point.",
      expr="x**2 + 4*x*y + y**2", wrt="x,y", what="hessian", claim="[[2, 4], [4, 2]]",
      study="classify", options={"expr": "x**2 + 4*x*y + y**2", "wrt": "x,y"},
      figure="surface"),
]
