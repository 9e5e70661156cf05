"""Higher calculus: what a learner asks after the gradient and the Hessian.

Mixed partials and derivative tensors, Taylor polynomials, Hessian-vector, Jacobian-vector
and vector-Jacobian products, implicit differentiation. Each module takes a
:class:`symnum.core.function.Function` and returns a plain result that renders itself as
text, LaTeX and JSON.
"""

__all__ = []  # type: ignore[var-annotated]
