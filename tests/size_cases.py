"""Matrix claims whose truth depends on the size (issue 28): right ones in several forms
(transposes, traces, ``Identity``, ``Trace(Identity(n))`` for n, sums of terms, factors in n
on both sides) and wrong ones that differ by a polynomial factor in the dimensions of degree
1 to 10, by ``Trace(Identity(n))``, by a transpose, or at a few sizes only (right at n = 2
and 3, where ``check`` used to stop). Verdicts worked by hand: a wrong claim's extra term is
nonzero at the size named in its comment.

Run ``python -m tests.size_cases`` for the false-acceptance and false-alarm counts.
"""

from __future__ import annotations

from tests.check_cases import Case, R, W, measure

V = {"x": "n"}
XAX = {"A": "n,n", "x": "n"}
SQUARE = {"X": "n,n"}
AX = {"A": "n,n", "X": "n,n"}
LINEAR = {"W": "m,n", "x": "n", "y": "m"}
SQUARE_LINEAR = {"W": "n,n", "x": "n", "y": "n"}
T = "Trace(Identity(n))"
HALF = "x.T*x/2"
LSQ = "(W*x - y).T*(W*x - y)"

RIGHT = [
    R("x", HALF, wrt="x", shapes=V),
    R("Identity(n)*x", HALF, wrt="x", shapes=V),
    R("x.T.T", HALF, wrt="x", shapes=V),
    R("(n - 1)*x + (2 - n)*x", HALF, wrt="x", shapes=V),
    R(f"{T}*{T}*x - n**2*x + x", HALF, wrt="x", shapes=V),
    R("x + sin(pi*n)*x", HALF, wrt="x", shapes=V),  # sin(πn) = 0 at every size
    R("2*(x.T*x)*x", "(x.T*x)**2/2", wrt="x", shapes=V),
    R("2*x*x.T*x", "(x.T*x)**2/2", wrt="x", shapes=V),
    R("n*x*(x.T*x) + (1 - n)*x*x.T*x", "(x.T*x)**2/4", wrt="x", shapes=V),
    R("n*x", f"n*{HALF}", wrt="x", shapes=V),
    R(f"{T}*x", f"n*{HALF}", wrt="x", shapes=V),
    R("n*x", f"{T}*{HALF}", wrt="x", shapes=V),
    R("(n - 2)*(n - 3)*x", f"(n - 2)*(n - 3)*{HALF}", wrt="x", shapes=V),
    R("(n**2 - 5*n + 6)*x", f"(n - 2)*(n - 3)*{HALF}", wrt="x", shapes=V),
    R("n**4*x", f"n**4*{HALF}", wrt="x", shapes=V),
    R(f"x*{T}**2", f"n**2*{HALF}", wrt="x", shapes=V),
    R("x/n", "x.T*x/(2*n)", wrt="x", shapes=V),
    R("(n + 1)*x/(n + 2)", f"(n + 1)/(n + 2)*{HALF}", wrt="x", shapes=V),
    R("exp(n)*x", f"exp(n)*{HALF}", wrt="x", shapes=V),
    R("n*x*x.T*x", "n*(x.T*x)**2/4", wrt="x", shapes=V),
    R("n*Identity(n)", f"n*{HALF}", wrt="x", what="hessian", shapes=V),
    R(f"{T}*Identity(n)", f"n*{HALF}", wrt="x", what="hessian", shapes=V),
    R("(A + A.T)*x", "x.T*A*x", wrt="x", shapes=XAX),
    R("A*x + A.T*x", "x.T*A*x", wrt="x", shapes=XAX),
    R("(A.T + A)*x", "x.T*A*x", wrt="x", shapes=XAX),
    R("A + A.T", "x.T*A*x", wrt="x", what="hessian", shapes=XAX),
    R("n*(A + A.T)*x", "n*x.T*A*x", wrt="x", shapes=XAX),
    R("Identity(n)", "Trace(X)", wrt="X", shapes=SQUARE),
    R("X.T", "Trace(X*X)/2", wrt="X", shapes=SQUARE),
    R("A.T", "Trace(A*X)", wrt="X", shapes=AX),
    R(f"{T}*A.T", "n*Trace(A*X)", wrt="X", shapes=AX),
    R("inv(X).T", "log(det(X))", wrt="X", shapes=SQUARE),
    R("n*inv(X).T", "n*log(det(X))", wrt="X", shapes=SQUARE),
    R("2*(W*x - y)*x.T", LSQ, wrt="W", shapes=LINEAR),
    R("2*W.T*(W*x - y)", LSQ, wrt="x", shapes=LINEAR),
    R("2*m*(W*x - y)*x.T", f"m*{LSQ}", wrt="W", shapes=LINEAR),
    R("2*m*n*W.T*(W*x - y)", f"m*n*{LSQ}", wrt="x", shapes=LINEAR),
    R("2*W*(W.T*x - y)", "(W.T*x - y).T*(W.T*x - y)", wrt="x", shapes=SQUARE_LINEAR),
]

WRONG = [
    W("x + (n - 2)*x", HALF, wrt="x", shapes=V),  # n = 3
    W("x + (n - 2)*(n - 3)*x", HALF, wrt="x", shapes=V),  # the example: n = 4
    W(f"x + ({T} - 2)*({T} - 3)*x", HALF, wrt="x", shapes=V),  # ... with Tr I for n
    W("(1 + (n - 2)*(n - 3))*x", HALF, wrt="x", shapes=V),
    W("(n**2 - 5*n + 7)*x", HALF, wrt="x", shapes=V),
    W("x + (n - 2)*(n - 3)*x/2", HALF, wrt="x", shapes=V),
    W("x + (n - 2)*(n - 3)*x/(n + 1)", HALF, wrt="x", shapes=V),
    W("x + (n - 2)*(n - 3)*(n - 4)*x", HALF, wrt="x", shapes=V),  # n = 5
    W("x + (n - 2)*(n - 3)*(n - 4)*(n - 5)*x", HALF, wrt="x", shapes=V),  # n = 6
    W(f"x + ({T} - 2)*({T} - 3)*({T} - 4)*({T} - 5)*x", HALF, wrt="x", shapes=V),
    W("x*(1 + (n - 2)*(n - 3)*(n - 4)*(n - 5)*(n - 6)*(n - 7))", HALF, wrt="x", shapes=V),
    W("x + (n - 2)*(n - 3)*(n - 4)*(n - 5)*(n - 6)*(n - 7)*(n - 8)*(n - 9)*(n - 10)*(n - 11)*x",
      HALF, wrt="x", shapes=V),  # n = 12 only, of the sizes up to 12
    W("x + Max(0, n - 4)*x", HALF, wrt="x", shapes=V),  # n = 5 on
    W("x + floor(n/7)*x", HALF, wrt="x", shapes=V),  # n = 7 on
    W(f"{T}*x", HALF, wrt="x", shapes=V),
    W(f"({T} - 1)*x", HALF, wrt="x", shapes=V),  # n = 3
    W(f"{T}*x", "x.T*x", wrt="x", shapes=V),  # n = 3
    W(f"2*x + ({T} - 2)*({T} - 3)*({T} - 4)*x", "x.T*x", wrt="x", shapes=V),
    W("n*x*x.T*x + (n - 2)*(n - 3)*(n - 4)*(n - 5)*x", "n*(x.T*x)**2/4", wrt="x", shapes=V),
    W("2*(x.T*x)*x + (n - 2)*(n - 3)*x*x.T*x", "(x.T*x)**2/2", wrt="x", shapes=V),
    W("n*x*(x.T*x) + (1 - n)*x*x.T*x + (n - 2)*(n - 3)*x", "(x.T*x)**2/4", wrt="x", shapes=V),
    W("Identity(n)*(1 + (n - 2)*(n - 3))", HALF, wrt="x", what="hessian", shapes=V),
    W("(A + A.T)*x + (n - 2)*(n - 3)*A*x", "x.T*A*x", wrt="x", shapes=XAX),
    W("(A + A.T)*x*(1 + (n - 2)*(n - 3)*(n - 4))", "x.T*A*x", wrt="x", shapes=XAX),
    W("(A + A.T)*x + (n - 2)*(n - 3)*x", "x.T*A*x", wrt="x", shapes=XAX),
    W("A + A.T + (n - 2)*(n - 3)*A", "x.T*A*x", wrt="x", what="hessian", shapes=XAX),
    W("A.T + (n - 2)*(n - 3)*A.T", "Trace(A*X)", wrt="X", shapes=AX),
    W(f"A.T*({T} - 2)*({T} - 3)*({T} - 4)", "Trace(A*X)", wrt="X", shapes=AX),
    W("inv(X).T*(1 + (n - 2)*(n - 3))", "log(det(X))", wrt="X", shapes=SQUARE),
    W("2*(W*x - y)*x.T*(1 + (m - 2)*(n - 3))", LSQ, wrt="W", shapes=LINEAR),  # m=3, n=2
    W("2*W.T*(W*x - y)*(1 + (m - 2)*(n - 3)*(m - 4))", LSQ, wrt="x", shapes=LINEAR),
    W("2*(W*x - y)*x.T + (m - n)*(W*x - y)*x.T", LSQ, wrt="W", shapes=LINEAR),
    # wrong transposes
    W("x.T", HALF, "transpose", wrt="x", shapes=V),
    W("2*A.T*x", "x.T*A*x", "symmetric", wrt="x", shapes=XAX),
    W("A", "Trace(A*X)", wrt="X", shapes=AX),
    W("X", "Trace(X*X)/2", wrt="X", shapes=SQUARE),
    W("inv(X)", "log(det(X))", wrt="X", shapes=SQUARE),
    W("n*inv(X)", "n*log(det(X))", wrt="X", shapes=SQUARE),
    W("2*(W*x - y)*x.T", "(W.T*x - y).T*(W.T*x - y)", wrt="W", shapes=SQUARE_LINEAR),
    W("2*W.T*(W.T*x - y)", "(W.T*x - y).T*(W.T*x - y)", wrt="x", shapes=SQUARE_LINEAR),
    W("2*W*(W*x - y)", LSQ, wrt="x", shapes=SQUARE_LINEAR),
]

CASES: list[Case] = RIGHT + WRONG

if __name__ == "__main__":
    import json
    print(json.dumps(measure(CASES), indent=1, ensure_ascii=False))
