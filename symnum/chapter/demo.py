"""``symnum demo``: derive, verify and typeset a few calculus examples from deep learning.

>>> text, ok = run_demo(limit=1)
>>> ok
True
"""

from __future__ import annotations

from ..api import derive
from ..core.evaluate import parse_point
from ..core.render import result_latex, result_text
from ..verification.verify import verify_result

# (title, expression, wrt, what, point): the chain rule, gradients, a Jacobian and a Hessian.
EXAMPLES = [
    ("Chain rule: an outer cube of an inner quadratic", "(x^2 + 1)^3", "x", "derivative", "x=2"),
    ("A longer chain: sine of an exponential", "sin(exp(x^2))", "x", "derivative", "x=1/2"),
    ("Gradient of a paraboloid", "x^2 + y^2", "x,y", "gradient", "x=1,y=-2"),
    ("Jacobian of a map from R^2 to R^3", "[x1^2, x1*x2, x2^2]", "x1,x2", "jacobian",
     "x1=2,x2=3"),
    ("Hessian of a quadratic form", "x^2 + 4*x*y + y^2", "x,y", "hessian", "x=0,y=0"),
    ("Logistic loss of one example", "log(1 + exp(-y*w*x))", "w", "derivative", "w=1/2,x=2,y=1"),
]


def run_demo(limit: int | None = None) -> tuple[str, bool]:
    """Text of the demo and whether every verification passed."""
    blocks, ok = [], True
    for title, expr, wrt, what, at in EXAMPLES[:limit]:
        result = derive(expr, wrt, what)
        point = parse_point(at)
        report = verify_result(result, points=3)
        ok &= report.passed
        methods = ", ".join(c.method for c in report.checks if not c.skipped)
        worst = max((e.error for c in report.checks if not c.skipped for p in c.points
                     for e in p), default=0.0)
        blocks.append("\n".join([
            f"== {title} ==",
            result_text(result, result.at(point), point),
            "",
            f"verified at 3 random points by {methods}: "
            f"{report.verdict.upper()} (worst scaled error {worst:.1e})",
            "LaTeX:",
            "  " + result_latex(result),
        ]))
    return "\n\n".join(blocks), ok
