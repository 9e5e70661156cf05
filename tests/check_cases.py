"""Claims with hand-assigned verdicts for ``symnum check``: right ones in many equivalent forms,
wrong ones of every classic kind (chain rule, power rule, sign, constant factor, product and
quotient rule, wrong variable, wrong order, missing term), tiny differences, and claims wrong
only far away or on one side of a kink. The verdicts and hint words come from working each
derivative by hand, not from symnum.

Run ``python -m tests.check_cases`` for the false-acceptance and false-rejection counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Case:
    claim: str
    of: str
    right: bool
    hint: str | None = None  # a word the diagnosis must contain (wrong claims)
    wrt: str | None = None
    what: str | None = None
    order: int = 1
    shapes: dict = field(default_factory=dict)

    def __str__(self) -> str:
        extra = "".join(f" {k}={v}" for k, v in (("wrt", self.wrt), ("what", self.what))
                        if v) + (f" order={self.order}" if self.order != 1 else "")
        return f"{self.claim} | {self.of}{extra}"


def R(claim: str, of: str, **kw) -> Case:  # noqa: N802 - short on purpose: a table
    return Case(claim, of, True, **kw)


def W(claim: str, of: str, hint: str | None = None, **kw) -> Case:  # noqa: N802
    return Case(claim, of, False, hint, **kw)


XAX = {"A": "n,n", "x": "n"}
LINEAR = {"W": "m,n", "x": "n", "b": "m", "y": "m"}

RIGHT = [
    R("3*x^2", "x^3"),
    R("2*sin(x)*cos(x)", "sin(x)^2"),
    R("sin(2*x)", "sin(x)^2"),
    R("sigmoid(x)*(1-sigmoid(x))", "sigmoid(x)"),
    R("exp(-x)/(1+exp(-x))^2", "sigmoid(x)"),
    R("1/(1+exp(-x))", "softplus(x)"),
    R("exp(x)/(1+exp(x))", "log(1+exp(x))"),
    R("1 - tanh(x)^2", "tanh(x)"),
    R("1/cosh(x)^2", "tanh(x)"),
    R("sign(x)", "abs(x)"),
    R("x/abs(x)", "abs(x)"),
    R("2*Heaviside(x) - 1", "abs(x)"),
    R("(x + abs(x))/x - 1", "abs(x)"),
    R("Heaviside(x)", "relu(x)"),
    R("Heaviside(x)", "max(0, x)"),
    R("Heaviside(x)*Heaviside(6 - x)", "min(max(0, x), 6)"),
    R("Heaviside(x) - Heaviside(x - 6)", "min(max(0, x), 6)"),
    R("Heaviside(x - 1)", "max(x, 1)"),
    R("Heaviside(1 - x)", "min(x, 1)"),
    R("sign(x - 2)", "abs(x - 2)"),
    R("2*max(0, x)", "relu(x)^2"),
    R("2*x*Heaviside(x)", "relu(x)^2"),
    R("2*(x - 1)*Heaviside(x - 1)", "max(0, x - 1)^2"),
    R("2*abs(x)", "x*abs(x)"),
    R("2*x", "abs(x)^2"),
    R("Heaviside(x)", "x*Heaviside(x)"),
    R("0", "floor(x)"),
    R("1/x", "log(x)"),
    R("1/x", "log(abs(x))"),
    R("2*x*exp(x^2)", "exp(x^2)"),
    R("cos(x)*exp(sin(x))", "exp(sin(x))"),
    R("1/(2*sqrt(x))", "sqrt(x)"),
    R("-1/x^2", "1/x"),
    R("(x*cos(x) - sin(x))/x^2", "sin(x)/x"),
    R("2^x*log(2)", "2^x"),
    R("x^x*(log(x) + 1)", "x^x"),
    R("1/(1 + x^2)", "atan(x)"),
    R("1/sqrt(1 - x^2)", "asin(x)"),
    R("x/500000000000", "1e-12*x^2"),
    R("2e-12*x", "1e-12*x^2"),
    R("3e-15*x^2", "1e-15*x^3"),
    R("1000*exp(1000*x)", "exp(1000*x)"),
    R("exp(x)*exp(exp(x))", "exp(exp(x))"),
    R("100000*(x + 1)^99999", "(x + 1)^100000"),
    R("6*x*(x^2 + 1)^2", "(x^2 + 1)^3"),
    R("cos(x) - x*sin(x)", "x*cos(x)"),
    R("exp(x)*(sin(x) + cos(x))", "exp(x)*sin(x)"),
    R("2*x/(x^2 + 1)", "log(x^2 + 1)"),
    R("-tan(x)", "log(cos(x))"),
    R("1/cos(x)^2", "tan(x)"),
    R("2*exp(-x^2)/sqrt(pi)", "erf(x)"),
    R("cosh(x)", "sinh(x)"),
    R("1/sqrt(x^2 + 1)", "asinh(x)"),
    R("n*x^(n - 1)", "x^n", wrt="x"),
    R("a*exp(a*x)", "exp(a*x)", wrt="x"),
    R("1/(x*log(x))", "log(log(x))"),
    R("digamma(x)*gamma(x)", "gamma(x)"),
    R("x*(2*log(x) + 1)", "x^2*log(x)"),
    R("(1 - x^2)/(1 + x^2)^2", "x/(1 + x^2)"),
    R("-2*x*exp(-x^2)", "exp(-x^2)"),
    R("1/(x*log(10))", "log(x)/log(10)"),
    R("-x/sqrt(1 - x^2)", "sqrt(1 - x^2)"),
    R("-y*x*sigmoid(-y*w*x)", "log(1 + exp(-y*w*x))", wrt="w"),
    R("-sin(x)", "sin(x)", order=2),
    R("[2*x*y, x^2]", "x^2*y"),
    R("[y*cos(x*y), x*cos(x*y)]", "sin(x*y)"),
    R("[y*z, x*z, x*y]", "x*y*z"),
    R("[exp(a)/(exp(a) + exp(b)), exp(b)/(exp(a) + exp(b))]", "log(exp(a) + exp(b))"),
    R("[[y, x], [1, 1]]", "[x*y, x + y]"),
    R("[[2, 4], [4, 2]]", "x^2 + 4*x*y + y^2", what="hessian"),
    R("[[exp(x)*sin(y), exp(x)*cos(y)], [exp(x)*cos(y), -exp(x)*sin(y)]]", "exp(x)*sin(y)",
      what="hessian"),
    R("(A + A.T)*x", "x.T*A*x", wrt="x", shapes=XAX),
    R("A*x + A.T*x", "x.T*A*x", wrt="x", shapes=XAX),
    R("A + A.T", "x.T*A*x", wrt="x", what="hessian", shapes=XAX),
    R("2*x", "x.T*x", wrt="x", shapes={"x": "n"}),
    R("2*(W*x + b - y)*x.T", "(W*x + b - y).T*(W*x + b - y)", wrt="W", shapes=LINEAR),
    R("2*(W*x + b - y)", "(W*x + b - y).T*(W*x + b - y)", wrt="b", shapes=LINEAR),
    R("A", "A*x", wrt="x", shapes={"A": "m,n", "x": "n"}),
    R("[[2, 0], [0, 2]]", "x.T*x", wrt="x", what="hessian", shapes={"x": "2"}),
]

WRONG = [
    W("Heaviside(x)", "min(max(0, x), 6)", "x > 6"),
    W("0", "1e-12*x^2"),
    W("2*x + 1e-9", "x^2"),
    W("2*x*(1 + 1e-30*sin(x)^2)", "x^2"),
    W("3*x^2 + 1e-40", "x^3"),
    W("1000*exp(1000*x) + 1e-300", "exp(1000*x)"),
    W("2*x", "x^2 + 1e-20*x^3"),
    W("exp(x)", "exp(x) + 1e-15*x"),
    W("cos(x)", "sin(x) + 1e-12*x"),
    W("3*x", "x^3"),
    W("cos(x^2)", "sin(x^2)", "chain"),
    W("cos(3*x)", "sin(3*x)", "chain"),
    W("exp(x^2)", "exp(x^2)", "chain"),
    W("1/(2*x + 1)", "log(2*x + 1)", "chain"),
    W("1/x", "log(2*x + 1)"),
    W("1/(2*sqrt(x^2 + 1))", "sqrt(x^2 + 1)", "chain"),
    W("1/(1 + 4*x^2)", "atan(2*x)", "chain"),
    W("1/(1 + x^2)", "atan(2*x)"),
    W("1/x^2", "log(x^2)", "chain"),
    W("cos(x*y)", "sin(x*y)", "chain", wrt="x"),
    W("exp(a*x)", "exp(a*x)", "chain", wrt="x"),
    W("exp(exp(x))", "exp(exp(x))", "chain"),
    W("[cos(x*y), cos(x*y)]", "sin(x*y)", "chain"),
    W("3*x^3", "x^3", "power"),
    W("x^2", "x^3", "factor 3"),
    W("3*x", "3*x^2", "factor 2"),
    W("-3*x^2", "x^3", "sign"),
    W("y*x*sigmoid(-y*w*x)", "log(1 + exp(-y*w*x))", "sign", wrt="w"),
    W("sin(x)", "cos(x)", "cos"),
    W("-cos(x)", "sin(x)", "sin"),
    W("x*2^(x - 1)", "2^x", "exponential"),
    W("x*a^(x - 1)", "a^x", "exponential", wrt="x"),
    W("2*x*cos(x)", "x^2*sin(x)", "product rule"),
    W("2*x*sin(x)", "x^2*sin(x)", "product rule"),
    W("x^2*cos(x)", "x^2*sin(x)", "product rule"),
    W("exp(x)*cos(x)", "exp(x)*sin(x)", "product rule"),
    W("log(x)", "x*log(x)", "product rule"),
    W("(x*cos(x) + sin(x))/x^2", "sin(x)/x", "quotient"),
    W("1/x", "log(x^2)", "factor"),
    W("x*cos(x*y)", "sin(x*y)", "respect to y", wrt="x"),
    W("[x^2, 2*x*y]", "x^2*y", "order"),
    W("2*x*exp(x^2)", "exp(x^2)", "order 1", order=2),
    W("sigmoid(x)", "sigmoid(x)", "function itself"),
    W("[2*x*y, x^2 + 1]", "x^2*y"),
    W("[[2, 4], [4, 3]]", "x^2 + 4*x*y + y^2", what="hessian"),
    W("[[y, 1], [x, 1]]", "[x*y, x + y]", "transpose"),
    W("[[exp(x)*sin(y), exp(x)*cos(y)], [exp(x)*cos(y), exp(x)*sin(y)]]", "exp(x)*sin(y)",
      what="hessian"),
    W("Heaviside(x)", "abs(x)", "x < 0"),
    W("Heaviside(x - 1e-9)", "relu(x)"),
    W("Heaviside(x)", "relu(x - 0.001)"),
    W("sign(x)", "x"),
    W("Heaviside(x)", "max(0, x) - max(0, x - 1000)", "missing"),
    W("Heaviside(x)", "max(0, x) - max(0, x - 2000)", "missing"),
    W("2*relu(x)", "relu(x)^2 + relu(-x)^2", "missing"),
    W("1", "floor(x)"),
    W("1 - 2*Heaviside(x)", "abs(x)", "sign"),
    W("sigmoid(x)*(1 + sigmoid(x))", "sigmoid(x)"),
    W("-y*x*sigmoid(y*w*x)", "log(1 + exp(-y*w*x))", wrt="w"),
    W("100000*(x + 1)^99998", "(x + 1)^100000"),
    W("1/sqrt(1 + x^2)", "asin(x)"),
    W("digamma(x)", "gamma(x)"),
    W("2*A*x", "x.T*A*x", "symmetric", wrt="x", shapes=XAX),
    W("2*A", "x.T*A*x", "symmetric", wrt="x", what="hessian", shapes=XAX),
    W("x", "x.T*x", "factor", wrt="x", shapes={"x": "n"}),
    W("A.T", "A*x", "symmetric", wrt="x", shapes={"A": "n,n", "x": "n"}),
    W("A.T", "A*x", "transpose", wrt="x", shapes={"A": "m,n", "x": "n"}),
    W("-inv(X).T", "log(det(X))", "sign", wrt="X", shapes={"X": "n,n"}),
    W("[[2, 1], [1, 2]]", "x.T*x", wrt="x", what="hessian", shapes={"x": "2"}),
    W("x.T*(A + A.T)", "x.T*A*x", "transpose", wrt="x", shapes=XAX),
    W("(W*x + b - y)*x.T", "(W*x + b - y).T*(W*x + b - y)", "factor", wrt="W",
      shapes=LINEAR),
    W("W.T*(W*x + b - y)", "(W*x + b - y).T*(W*x + b - y)", "factor", wrt="x",
      shapes=LINEAR),
    W("2*W.T*(W*x - y)", "(W*x + b - y).T*(W*x + b - y)", wrt="x", shapes=LINEAR),
]

CASES = RIGHT + WRONG


def measure(cases: list[Case] = CASES) -> dict:
    """Run every case; count false acceptances, false rejections and missed hints."""
    import time

    from symnum.check.claim import check_claim
    from symnum.core.errors import SymnumError

    counts = {"right": 0, "wrong": 0, "false_accept": [], "false_reject": [], "errors": [],
              "hint_missed": [], "hint_on_right": [], "seconds": 0.0, "slowest": (0.0, "")}
    start = time.perf_counter()
    for case in cases:
        counts["right" if case.right else "wrong"] += 1
        t = time.perf_counter()
        try:
            out = check_claim(case.claim, case.of, case.wrt, case.what, case.order,
                              shapes=case.shapes or None)
        except SymnumError as err:
            counts["errors"].append(f"{case}: {err}")
            continue
        took = time.perf_counter() - t
        counts["slowest"] = max(counts["slowest"], (took, str(case)))
        if out.correct and not case.right:
            counts["false_accept"].append(str(case))
        if not out.correct and case.right:
            counts["false_reject"].append(f"{case}: {out.point} {out.diagnosis}")
        if case.hint and not out.correct and case.hint not in (out.diagnosis or ""):
            counts["hint_missed"].append(f"{case}: {out.diagnosis}")
        if case.right and out.diagnosis:
            counts["hint_on_right"].append(str(case))
    counts["seconds"] = time.perf_counter() - start
    return counts


if __name__ == "__main__":
    import json
    print(json.dumps(measure(), indent=1, ensure_ascii=False))
