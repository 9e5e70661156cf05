"""False alarms and false acceptances of `symnum check` on claims with unknown functions:
product, quotient and chain rules, partials of f(x, y), second derivatives, each right and
wrong (the README's numbers under "Unknown functions" come from this script).

    python benchmarks/unknown_claims.py

Each claim is decided with f, f′, f″, … as independent unknowns (symnum.check.unknown); the
script prints every verdict that is wrong or not symbolic, the hint of each wrong claim, and
the counts.
"""

from __future__ import annotations

import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from symnum.check.claim import check_claim  # noqa: E402

# (claim, of, wrt, order, expected correct?)
CASES = [
 # product rule
 ("f'(x)*g(x) + f(x)*g'(x)", "f(x)*g(x)", "x", 1, True),
 ("g(x) f'(x) + f(x) g'(x)", "f(x)*g(x)", "x", 1, True),
 ("f'(x)*g(x) - f(x)*g'(x)", "f(x)*g(x)", "x", 1, False),
 ("f'(x)*g'(x)", "f(x)*g(x)", "x", 1, False),
 ("x*f'(x) + f(x)", "x*f(x)", "x", 1, True),
 ("x*f'(x)", "x*f(x)", "x", 1, False),
 ("2*x*f(x) + x^2*f'(x)", "x^2*f(x)", "x", 1, True),
 ("2*x*f(x) + x*f'(x)", "x^2*f(x)", "x", 1, False),
 ("Derivative(f(x), x)*sin(x) + f(x)*cos(x)", "f(x)*sin(x)", "x", 1, True),
 ("f'(x)*cos(x)", "f(x)*sin(x)", "x", 1, False),
 # quotient rule
 ("(f'(x) g(x) - f(x) g'(x))/g(x)^2", "f(x)/g(x)", "x", 1, True),
 ("(f'(x) g(x) + f(x) g'(x))/g(x)^2", "f(x)/g(x)", "x", 1, False),
 ("(f(x) g'(x) - f'(x) g(x))/g(x)^2", "f(x)/g(x)", "x", 1, False),
 ("(f'(x) g(x) - f(x) g'(x))/g(x)", "f(x)/g(x)", "x", 1, False),
 ("-f'(x)/f(x)^2", "1/f(x)", "x", 1, True),
 ("1/f'(x)", "1/f(x)", "x", 1, False),
 # chain rule
 ("f'(g(x))*g'(x)", "f(g(x))", "x", 1, True),
 ("f'(g(x))", "f(g(x))", "x", 1, False),
 ("f'(x)*g'(x)", "f(g(x))", "x", 1, False),
 ("2x f'(x^2)", "f(x^2)", "x", 1, True),
 ("f'(x^2)", "f(x^2)", "x", 1, False),
 ("2*x*f'(2*x)", "f(x^2)", "x", 1, False),
 ("cos(f(x)) f'(x)", "sin(f(x))", "x", 1, True),
 ("cos(f(x))", "sin(f(x))", "x", 1, False),
 ("exp(f(x)) f'(x)", "exp(f(x))", "x", 1, True),
 ("f'(x)/f(x)", "log(f(x))", "x", 1, True),
 ("1/f(x)", "log(f(x))", "x", 1, False),
 ("2 f(x) f'(x)", "f(x)^2", "x", 1, True),
 ("2 f(x)", "f(x)^2", "x", 1, False),
 ("2*f'(2*x+2)", "f(2*(x+1))", "x", 1, True),
 # partials
 ("∂f/∂x(x, y)", "f(x, y)", "x", 1, True),
 ("∂f/∂y(x, y)", "f(x, y)", "x", 1, False),
 ("y*∂f/∂x(x, y)", "y*f(x, y)", "x", 1, True),
 ("2*x*∂₁f(x^2, y)", "f(x^2, y)", "x", 1, True),
 ("∂₁f(x^2, y)", "f(x^2, y)", "x", 1, False),
 ("∂₁f(x, x*y) + 2*y*∂₂f(x, x*y)", "f(x, x*y)", "x", 1, False),
 ("∂₁f(x, x*y) + y*∂₂f(x, x*y)", "f(x, x*y)", "x", 1, True),
 # second derivatives
 ("f''(x)*g(x) + 2*f'(x)*g'(x) + f(x)*g''(x)", "f(x)*g(x)", "x", 2, True),
 ("f''(x)*g(x) + f'(x)*g'(x) + f(x)*g''(x)", "f(x)*g(x)", "x", 2, False),
 ("f''(g(x))*g'(x)^2 + f'(g(x))*g''(x)", "f(g(x))", "x", 2, True),
 ("f''(g(x))*g'(x)^2", "f(g(x))", "x", 2, False),
 ("x f''(x) + 2 f'(x)", "x*f(x)", "x", 2, True),
 ("diff(f(x), x, 2)", "f(x)", "x", 2, True),
 ("f'(x)", "f(x)", "x", 2, False),
]
false_alarms = false_acceptances = hinted = 0
start = time.perf_counter()
for claim, of, wrt, order, right in CASES:
    try:
        out = check_claim(claim, of, wrt=wrt, order=order)
    except Exception as err:  # noqa: BLE001 (a crash is a result to report)
        print("ERROR", claim, of, err)
        continue
    if out.correct != right:
        false_alarms += right
        false_acceptances += not right
        print("WRONG VERDICT", claim, of, out.correct, out.how)
    if out.how != "symbolic":
        print("NOT SYMBOLIC", claim, of, out.how)
    if not right:
        hinted += bool(out.diagnosis)
        print(f"  {claim}  (of {of}): {out.diagnosis or '(no hint)'}")
print(f"{len(CASES)} claims ({sum(c[4] for c in CASES)} right, "
      f"{sum(not c[4] for c in CASES)} wrong): false alarms {false_alarms}, false "
      f"acceptances {false_acceptances}; {hinted} wrong claims with a hint; "
      f"{time.perf_counter() - start:.1f} s")
