"""The graph derivative engine for big results (see docs/ARCHITECTURE.md, "The graph
engine"): a hash-consed expression graph, reverse-mode gradients, forward-over-reverse
Hessians, and results whose SymPy form is built only when read.

>>> r = graph_derive(" + ".join(f"x{i}*tanh(x{i + 1})" for i in range(300)), None, "gradient")
>>> r.kind, r.shape
('gradient', (301,))
"""

from .result import GraphResult, graph_derive

__all__ = ["GraphResult", "graph_derive"]
