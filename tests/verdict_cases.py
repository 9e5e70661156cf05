"""Correct results that `verify` must never FAIL: the false-alarm suite (and the base of the
mutant suite). Each case is (expression, options for ``symnum.derive``).

Families: deep-learning losses and their Hessians, log-sum-exp and softmax of 2–20
variables, special functions (gamma, digamma, erf ... at negative and large arguments), terms
of very different magnitude, high-frequency terms, and ordinary calculus (poles, domain
edges, kinks). Used by tests/test_verdicts.py, tests/test_mutants.py and
benchmarks/verdict_rates.py.
"""

from __future__ import annotations


def _xs(n: int, name: str = "x") -> list[str]:
    return [f"{name}{i}" for i in range(1, n + 1)]


def _lse(n: int, k: str = "") -> str:
    return "log(" + " + ".join(f"exp({k}{v})" for v in _xs(n)) + ")"


def _cases() -> list[tuple[str, dict]]:
    c: list[tuple[str, dict]] = []
    hess, grad = {"what": "hessian"}, {"what": "gradient"}

    # deep-learning losses and their Hessians
    for d in range(1, 5):
        ws = _xs(d, "w")
        z = " + ".join(f"{w}*{x}" for w, x in zip(ws, _xs(d), strict=True)) + " + b"
        wrt = ",".join(ws + ["b"])
        c += [(f"log(1 + exp(-y*({z})))", {"wrt": wrt, **hess}),
              (f"log(1 + exp(-y*({z})))", {"wrt": wrt, **grad})]
    for k in ("1", "5", "20"):
        for order in (1, 2):
            c.append((f"log(1 + exp(-{k}*z))", {"wrt": "z", "order": order}))
    bce = "-(t*log(1/(1 + exp(-z))) + (1 - t)*log(1 - 1/(1 + exp(-z))))"
    c += [(bce, {"wrt": "z", "order": 1}), (bce, {"wrt": "z", "order": 2}),
          ("-(t*log(sigmoid(z)) + (1 - t)*log(1 - sigmoid(z)))", {"wrt": "z", "order": 2}),
          ("softplus(a*x + b)", {"wrt": "a,b", **hess}),
          ("x*sigmoid(x)", {"order": 1}), ("x*sigmoid(x)", {"order": 2}),
          ("x*(1 + erf(x/sqrt(2)))/2", {"order": 1}), ("x*(1 + erf(x/sqrt(2)))/2", {"order": 2}),
          ("x*(1 + erf(x/sqrt(2)))/2", {"order": 3}),
          ("x*tanh(log(1 + exp(x)))", {"order": 1}), ("x*tanh(log(1 + exp(x)))", {"order": 2}),
          ("log(cosh(x))", {"order": 1}), ("log(cosh(x))", {"order": 2}),
          ("tanh(w*x + b)", {"wrt": "w,b", **hess}), ("(w*x + b - y)^2", {"wrt": "w,b", **hess}),
          ("(v*tanh(w*x + b) - y)^2", {"wrt": "v,w,b", **hess}),
          ("-(1 - sigmoid(z))^2*log(sigmoid(z))", {"wrt": "z", "order": 1}),
          ("-(1 - sigmoid(z))^2*log(sigmoid(z))", {"wrt": "z", "order": 2}),
          ("p*log(p/sigmoid(z)) + (1 - p)*log((1 - p)/(1 - sigmoid(z)))", {"wrt": "z", "order": 2}),
          ("Max(0, 1 - y*w*x)^2", {"wrt": "w", "order": 1}),
          ("relu(w*x + b)*v", {"wrt": "w,b,v", **grad}),
          ("exp(q*k1)/(exp(q*k1) + exp(q*k2))", {"wrt": "q,k1,k2", **grad}),
          ("(x - m)^2/(2*s^2) + log(s^2)/2", {"wrt": "m,s", **hess}),
          ("exp(w*x) - y*w*x", {"wrt": "w", "order": 2}),
          ("(a1*b1 + a2*b2)/sqrt((a1^2 + a2^2)*(b1^2 + b2^2))", {"wrt": "a1,a2", **hess}),
          ("(x1 - (x1 + x2 + x3)/3)/sqrt(((x1 - x2)^2 + (x2 - x3)^2 + (x3 - x1)^2)/9 + 1/100)",
           {"wrt": "x1,x2,x3", **grad}),
          ("log(1 + exp(w1*x1 + w2*x2))*y - w1*x1*y", {"wrt": "w1,w2", **hess}),
          ("sqrt(1 + (w*x - y)^2) - 1", {"wrt": "w", "order": 2}),
          ("-log(exp(z1)/(exp(z1) + exp(z2)))", {"wrt": "z1,z2", **hess})]
    for n in range(3, 8):  # softmax cross-entropy on the first class
        c.append((f"-x1 + {_lse(n)}", {"wrt": ",".join(_xs(n)), **hess}))

    # log-sum-exp and softmax of 2–20 variables
    for n in (*range(2, 11), 12, 15, 20):
        c.append((_lse(n), {"wrt": ",".join(_xs(n)), **hess}))
    for n in range(2, 6):
        c.append((_lse(n, "5*"), {"wrt": ",".join(_xs(n)), **hess}))
    for n in (*range(2, 11), 15, 20):
        sm = f"exp(x1)/({' + '.join(f'exp({v})' for v in _xs(n))})"
        c.append((sm, {"wrt": ",".join(_xs(n)), **grad}))
    for n in range(2, 6):
        total = " + ".join(f"exp({v})" for v in _xs(n))
        vec = "[" + ", ".join(f"exp({v})/({total})" for v in _xs(n)) + "]"
        c.append((vec, {"wrt": ",".join(_xs(n)), "what": "jacobian"}))
    for n in (2, 4, 8):
        c.append((f"x1 - {_lse(n)}", {"wrt": ",".join(_xs(n)), **grad}))

    # special functions, at negative and large arguments too
    for e in ("gamma(x)", "gamma(2*x)", "gamma(3*x)", "factorial(x)", "digamma(x)",
              "polygamma(1, x)", "erf(x)", "erf(10*x)", "erfc(x)", "erfc(5*x)", "loggamma(x)",
              "gamma(x)*exp(-x)", "1/gamma(x)", "erfc(x)*exp(x^2)", "gamma(x)*sin(x)",
              "digamma(x)^2", "erf(x)^2", "exp(-x^2)*erf(3*x)", "gamma(x^2 + 1)",
              "digamma(2*x + 3)"):
        c += [(e, {"order": 1}), (e, {"order": 2})]
    c += [("erf(x*y)", hess), ("gamma(x + y)", hess), ("loggamma(x^2 + y^2 + 1)", hess),
          ("digamma(x)*y", hess), ("erf(10*x)*y", hess), ("gamma(x)", {"order": 3}),
          ("erf(x)", {"order": 4})]

    # terms of very different magnitude
    c += [("1e10*x^2 + 1e-10*y^2", hess), ("exp(20*x) + x", {"order": 1}),
          ("exp(20*x) + x", {"order": 2}), ("x^2 + 1e-12*sin(x)", {"order": 1}),
          ("x^2 + 1e-12*sin(x)", {"order": 2}), ("1e8*x + log(1 + y^2)", grad),
          ("1e-8*exp(x) + 1e8*x^3", {"order": 2}), ("x^100", {"order": 1}),
          ("x^100", {"order": 2}), ("x^20*exp(-x)", {"order": 2}),
          ("(1 + 1e-12*x)^2", {"order": 1}), ("1e15*x + x^2", {"order": 1}),
          ("1e-13*exp(30*x) + x^2", {"order": 2}), ("cosh(40*x)", {"order": 2}),
          ("1e-6*sinh(x) + 1e6*x^3", {"order": 3}), ("exp(x)*1e300", {"order": 1}),
          ("1e-300*exp(x) + x", {"order": 1}), ("x*1e-200 + y*1e200", grad),
          ("exp(50*x*y)", hess), ("log(1 + 1e-10*x^2)", {"order": 2}),
          ("1e12*(x - 1)^3 + 1e-12*y", grad), ("exp(-30*x^2)", {"order": 2}),
          ("x^2*1e-150*y", hess), ("(x - y)^2 + 1e-9*x*y", hess),
          ("1e5*exp(x) - 1e5*exp(y)", hess)]

    # high-frequency terms
    for k in ("10", "100", "1000"):
        c += [(f"sin({k}*x)", {"order": 1}), (f"sin({k}*x)", {"order": 2}),
              (f"cos({k}*x)*exp(-x^2)", {"order": 1})]
    c += [("cos(10*x*y)", hess), ("cos(50*x*y)", hess), ("sin(100*x)*exp(-x^2)", {"order": 2}),
          ("sin(30*x^2)", {"order": 2}), ("sin(1/(x^2 + 1/10))", {"order": 2}),
          ("sin(x)^20", {"order": 2}), ("cos(200*x + y)", grad), ("sin(100*x)*y^2", hess),
          ("tan(5*x)", {"order": 1}), ("sin(1000*x)*cos(999*x)", {"order": 1}),
          ("sin(exp(3*x))", {"order": 2})]

    # ordinary calculus: poles, domain edges, kinks, products, compositions
    c += [("exp(x)*sin(y)", hess), ("x**3*y", grad), ("1/(1 + x^2)", {"order": 3}),
          ("(x^3 - y)/(x^2 + y^2 + 1)", hess), ("sqrt(x^2 + y^2 + 1)", hess),
          ("log(x^2 + y^2)", hess), ("x^x", {"order": 2}), ("exp(sin(x))", {"order": 3}),
          ("(x + 1)^15", {"order": 2}), ("tanh(x*y*z)", hess),
          ("x*y*z*exp(-x^2 - y^2 - z^2)", hess), ("log(x)/x", {"order": 2}),
          ("x*log(x)", {"order": 2}), ("1/x", {"order": 1}), ("1/x", {"order": 2}),
          ("tan(x)", {"order": 1}), ("tan(x)", {"order": 2}), ("sec(x)", {"order": 1}),
          ("cot(x)", {"order": 1}), ("acos(x/3)", {"order": 2}), ("asinh(5*x)", {"order": 2}),
          ("atan(x/y)", hess), ("abs(x)*y", grad), ("Max(x, y)^2", grad),
          ("sqrt(x)", {"order": 2}), ("log(x)", {"order": 3}), ("exp(-1/x^2)", {"order": 1}),
          ("x^(1/3)*y", grad), ("sin(x)/x", {"order": 2}), ("(1 - cos(x))/x^2", {"order": 1}),
          ("log(1 + x)", {"order": 2}), ("exp(x) - 1 - x", {"order": 1}),
          ("[x*y, x + y, sin(x)*y]", {"wrt": "x,y", "what": "jacobian"}),
          ("[exp(x)*cos(y), exp(x)*sin(y)]", {"wrt": "x,y", "what": "jacobian"}),
          ("sinh(x)*cosh(y)", hess), ("atan(x)*log(1 + y^2)", hess),
          ("x^4 - 2*x^2*y + y^2", hess), ("exp(x + y + z)", hess),
          ("(x^2 + y^2)^(3/2)", hess), ("sin(x + y)*cos(x - y)", hess)]
    return c


CASES: list[tuple[str, dict]] = _cases()


def _low_degree() -> list[tuple[str, dict]]:
    """Low-degree polynomials and rational functions with small integer coefficients: exact
    entries such as 6·y are binary rationals a bit or two longer than a double, so they can
    lie exactly halfway between two doubles (the class of a former mpmath false alarm)."""
    hess, grad = {"what": "hessian"}, {"what": "gradient"}
    polys = ["x^2*y + y^3", "x*y", "x^3 - 3*x*y^2", "3*x^2 + 5*x*y - 7*y^2",
             "x^2 + y^2 + z^2 - x*y*z", "(x + 2*y)^4 - 7*x*y^3", "x^4*y - y^4/3 + x",
             "x*y*z + 3*x^2*z", "(x - y)^3 + 9*x", "5*x^3*y^2 - 11*y"]
    rational = ["x/(1 + y^2)", "(x^2 - y)/(x^2 + y^2 + 1)", "1/(3 + x + y^2)",
                "x*y/(x^2 + 4)"]
    c = [(p, o) for p in polys + rational for o in (hess, grad)]
    c += [(p, {"order": k}) for p in ("x^3", "7*x^4 - x", "x^5/3") for k in (1, 2, 3)]
    return c


LOW_DEGREE = _low_degree()
