"""Part 4: one forward and backward pass through a small network, every gradient derived."""

from symnum.chapter.entry import Derivation as D

NET = "(v.T*tanh(W*x + b) + c - t)**2"
SHAPES = {"W": "h,n", "x": "n", "b": "h", "v": "h"}

ENTRIES = [
    D("two-layer-output-weights", "Two-layer network: gradient for the output weights",
      "Forward: hidden h = tanh(Wx + b), output ŷ = vᵀh + c, loss (ŷ − t)². Backward: "
      "∂L/∂v = 2(ŷ − t)·h, the error times the hidden activations.",
      expr=NET, wrt="v", shapes=SHAPES),
    D("two-layer-hidden-weights", "Two-layer network: gradient for the hidden weights",
      "The chain rule carries the error back through vᵀ and through tanh′ = 1 − tanh² "
      "(elementwise) to W: ∂L/∂W = 2(ŷ − t)·(v ⊙ (1 − h⊙h)) xᵀ.",
      expr=NET, wrt="W", shapes=SHAPES),
    D("two-layer-hidden-bias", "Two-layer network: gradient for the hidden bias",
      "Like W's gradient without the input factor: ∂L/∂b = 2(ŷ − t)·(v ⊙ (1 − h⊙h)).",
      expr=NET, wrt="b", shapes=SHAPES),
    D("two-layer-scalar", "A scalar two-unit network, backpropagated",
      "The same forward-backward pass with scalars you can follow by hand: two tanh units, "
      "a linear output and a squared error; the steps show each chain-rule factor.",
      expr="(v1*tanh(w1*x + b1) + v2*tanh(w2*x + b2) - t)**2", wrt="w1,b1,v1",
      at="x=0.5,t=1,w1=0.3,b1=-0.1,v1=0.8,w2=-0.6,b2=0.2,v2=0.4"),
    D("logistic-regression", "Logistic regression: gradient of the log-loss",
      "With p = σ(wᵀx), the negative log-likelihood of a label y has gradient (p − y)x: "
      "softmax-and-cross-entropy in two classes.",
      expr="-(y*log(sigmoid(w.T*x)) + (1 - y)*log(1 - sigmoid(w.T*x)))", wrt="w",
      shapes={"w": "n", "x": "n"}),
]
