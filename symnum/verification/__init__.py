"""Verification: exact results against independent numeric methods, with a verdict.

``verify`` (points, the report's verdict), ``methods`` (mpmath, complex step, Richardson, torch
autograd), ``ridders``, ``verdicts`` (each method's error model), ``kinks`` (points where f
is not differentiable), ``report`` (text and JSON), ``matrix`` (matrix results by components).
"""

from .matrix import MatrixReport, verify_matrix_result
from .verify import Report, verify_result

__all__ = ["Report", "verify_result", "MatrixReport", "verify_matrix_result"]
