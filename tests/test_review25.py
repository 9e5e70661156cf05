"""Issue 25 review: regressions found by using Calculus II as a new user would (each a case no
other test had), kept small: in-process CLI, tiny expressions."""

from __future__ import annotations

import sympy


def test_a_taylor_constant_that_is_a_sum_keeps_its_signs(cli):
    # f(1/10, 4/5) = log(87/50) = log(87) − log(50): once printed '−−log(87) + log(50)'
    asked = ["--what", "taylor", "--at", "x=1/10,y=4/5", "--order", "1"]
    data = cli.json("derive", "log(1+x+y**2)", *asked)
    x, y = sympy.symbols("x y")
    got = sympy.sympify(data["result"])
    assert sympy.simplify(got.subs({x: sympy.Rational(1, 10), y: sympy.Rational(4, 5)})
                          - sympy.log(sympy.Rational(87, 50))) == 0
    assert "−−" not in data["text"] and "--" not in data["latex"]
    proc = cli("check", "--of", "log(1+x+y**2)", *asked, "--", data["text"])
    assert proc.returncode == 0 and proc.stdout.startswith("correct")
