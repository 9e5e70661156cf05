"""Part 1: vectors, matrices, eigenvalues and the SVD, as functions to differentiate and
decompositions to check."""

from symnum.chapter.entry import Derivation as D

ENTRIES = [
    D("dot-product", "Dot product as a function of x",
      "f(x) = aᵀx is linear in x, so its gradient is the fixed vector a whatever x is.",
      expr="a.T*x", wrt="x", shapes={"a": "n", "x": "n"}),
    D("norm", "Euclidean norm",
      "‖x‖ = √(xᵀx) grows fastest along x itself: ∇‖x‖ = x/‖x‖, a unit vector (x ≠ 0).",
      expr="sqrt(x.T*x)", wrt="x", shapes={"x": "n"}),
    D("cosine-angle", "Cosine of the angle between a and x",
      "cos θ = a·x / (‖a‖‖x‖). Its gradient in x is orthogonal to x: scaling x leaves the "
      "angle unchanged. The figure shows an acute, a right and an obtuse angle.",
      expr="(a1*x1 + a2*x2)/(sqrt(a1**2 + a2**2)*sqrt(x1**2 + x2**2))", wrt="x1,x2",
      at="a1=1,a2=0,x1=1,x2=1",
      claim="[x2*(a1*x2 - a2*x1)/(sqrt(a1**2 + a2**2)*(x1**2 + x2**2)**(3/2)), "
            "x1*(a2*x1 - a1*x2)/(sqrt(a1**2 + a2**2)*(x1**2 + x2**2)**(3/2))]",
      figure="dot_product"),
    D("linear-layer", "Linear layer y = Wx + b",
      "A dense layer maps ℝⁿ to ℝᵐ with W of shape m×n; its Jacobian with respect to the "
      "input is W itself.",
      expr="W*x + b", wrt="x", what="jacobian", shapes={"W": "m,n", "x": "n", "b": "m"}),
    D("linear-layer-weights", "Squared error of a linear layer, by the weights",
      "L = ‖Wx + b − y‖². The gradient with respect to the weight matrix is the outer "
      "product 2(Wx + b − y)xᵀ, a matrix of W's shape.",
      expr="(W*x + b - y).T*(W*x + b - y)", wrt="W",
      shapes={"W": "m,n", "x": "n", "b": "m", "y": "m"}),
    D("eigen", "Eigenvalues from the characteristic polynomial",
      "For A = [[4, 2], [2, 3]] the eigenvalues are the roots of det(A − λI) = 0; each "
      "eigenvector v satisfies Av = λv exactly. A maps the unit circle to an ellipse whose "
      "axes are the eigenvectors.",
      study="eigen", options={"matrix": [[4, 2], [2, 3]]}, figure="eigen_circle"),
    D("svd-low-rank", "Best low-rank approximation (SVD)",
      "Truncating the SVD after k singular values gives the closest rank-k matrix; the "
      "Frobenius error is the root of the sum of the discarded σᵢ² (Eckart–Young).",
      study="low_rank", options={"matrix": [[3, 1, 1], [-1, 3, 1]], "ranks": [1]},
      figure="singular_spectrum"),
]
