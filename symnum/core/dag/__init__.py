"""The graph derivative engine for big results (see docs/ARCHITECTURE.md, "The graph
engine"): a hash-consed expression graph, reverse-mode gradients, forward-over-reverse
Hessians, and results whose SymPy form is built only when read.

>>> from symnum.core.dag.lazy import graph_derive
>>> r = graph_derive(" + ".join(f"x{i}*tanh(x{i + 1})" for i in range(300)), None, "gradient")
>>> r.kind, r.shape
('gradient', (301,))
"""

__all__ = ["graph", "ops", "functions", "text", "convert", "differentiate", "result", "lazy"]
