"""Analysis: critical points, the backpropagation graph, and plots of f and its derivatives.

``critical`` with ``kinks`` and ``render`` (solving ∇f = 0, with parameters and kinks),
``graph`` (forward values and adjoints), ``plot`` (f, f′, f″; contours, gradient field, descent).
"""

from .critical import CriticalPoint, critical_points
from .graph import Graph, build_graph

__all__ = ["CriticalPoint", "critical_points", "Graph", "build_graph"]
