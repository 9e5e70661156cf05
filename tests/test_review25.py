"""Issue 25 review: regressions found by using Calculus II as a new user would (each a case no
other test had), kept small: in-process CLI, tiny expressions."""

from __future__ import annotations

import json

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


def test_a_wrong_entry_of_an_order_3_tensor_shows_that_entrys_difference(cli):
    # the difference was printed as a row of the tensor, ['0', '-6*y']
    proc = cli("check", "--of", "x**3+x*y**3", "--what", "tensor", "--order", "3", "--",
               "[[[6, 0], [0, 0]], [[0, 0], [0, 0]]]")
    assert proc.returncode == 1
    assert "the difference in entry [0, 1, 1] (claim − derivative tensor of order 3) is −6·y" \
        in proc.stdout and "['" not in proc.stdout


def test_with_an_unknown_f_the_text_calls_the_function_F_throughout(cli):
    # the header said F(x) = f(x)·g(x) and then 'df/dx =', which reads as f's own derivative
    text = cli("derive", "f(x)*g(x)", "--wrt", "x").stdout
    assert "F(x) =" in text and "dF/dx =" in text and "df/dx" not in text
    text = cli("derive", "x*f(y)", "--what", "tensor", "--order", "2").stdout
    assert "∇²F, the derivative tensor" in text and "∇²f" not in text
    text = cli("derive", "x*f(x)", "--what", "tensor", "--order", "2").stdout  # one variable
    assert "its one entry derived once" in text and "the other 0" not in text
    text = cli("derive", "f(x)", "--what", "hvp", "--vector", "2").stdout
    assert "F(x) =" in text and "∇(∇F·v)" in text


def test_derives_json_result_and_whole_latex_equation_read_back_in_check(cli):
    # the JSON "result" as printed (quoted strings) and derive's whole LaTeX line, LHS = RHS
    data = cli.json("derive", "f(x**2*y)", "--wrt", "x,y", "--what", "hessian")
    proc = cli("check", "--of", "f(x**2*y)", "--wrt", "x,y", "--what", "hessian", "--",
               json.dumps(data["result"]))
    assert proc.returncode == 0 and proc.stdout.startswith("correct"), proc
    for of, latex_of, asked in [("x**2*y**3", "x^2 y^3", ["--wrt", "x,y,y"]),
                                ("x**2*y", "x^2 y", ["--what", "hvp"])]:
        whole = cli("derive", of, *asked, "--format", "latex").stdout.strip()
        proc = cli("check", "--from", "latex", "--of", latex_of, *asked, "--", whole)
        assert proc.returncode == 0 and proc.stdout.startswith("correct"), (whole, proc)
    proc = cli("check", "--from", "latex", "--of", "x^2", "--wrt", "x", "--",
               r"\frac{d}{d x} \left(x^{3}\right) = 2 x")  # another function's derivative
    assert proc.returncode == 2 and proc.stderr.startswith("error: LaTeX: the left-hand side")


def test_taylor_steps_of_a_formula_with_an_unknown_f_name_it_F(cli):
    # '[2] f′(x) = f(x)·exp(x) + f′(x)·exp(x)' was a false step (f is the unknown inside)
    text = cli("derive", "f(x)*exp(x)", "--what", "taylor", "--at", "x=0", "--order", "1",
               "--steps").stdout
    assert "F(x) = f(x)·exp(x)" in text
    assert "[2] F′(x) = f(x)·exp(x) + f′(x)·exp(x), so F′(0) = f(0) + f′(0)" in text


def test_product_steps_of_a_formula_with_an_unknown_f_name_it_F(cli):
    # '[1] gradient: ∇f = [y·f′(x), f(x)]' read as the gradient of the unknown f itself
    text = cli("derive", "f(x)*y", "--what", "hvp", "--vector", "1,2", "--steps").stdout
    assert "[1] gradient: ∇F = [y·f′(x), f(x)]" in text and "∇f" not in text


def test_a_sign_or_factor_slip_in_one_entry_is_not_called_a_slip_of_the_whole(cli):
    # [3x² + y, −x] was hinted 'the claim is minus the gradient': only its entry [1] is
    out = cli("check", "--of", "x**3+x*y", "--", "[3*x**2+y, -x]").stdout
    assert "hint: the sign is wrong in the entry where it differs: there the claim is minus" \
        in out
    out = cli("check", "--of", "x**3+x*y", "--what", "hessian", "--", "[[12*x, 2], [2, 0]]")
    assert "hint: a constant factor is off: the claim is 2 times the hessian" in out.stdout


def test_a_taylor_polynomial_about_infinity_is_refused(cli):
    # x*y about (oo, 0) printed T₁ = oo·y
    proc = cli("derive", "x*y", "--what", "taylor", "--at", "x=oo,y=0")
    assert proc.returncode == 2 and proc.stderr.strip() == \
        "error: the expansion point needs finite numbers: x = oo"


def test_the_api_refuses_a_bad_point_or_what_with_a_symnum_error():
    import pytest

    import symnum
    from symnum.core.errors import SymnumError

    with pytest.raises(SymnumError, match="expansion point is text like"):
        symnum.derive("x*y", what="taylor", at=5)  # was a TypeError
    with pytest.raises(SymnumError, match="tensor, hvp, jvp, vjp, taylor"):
        symnum.derive("x*y", what="bogus")  # named only the four core kinds


def test_a_mixed_partial_gets_no_single_variable_hints(cli):
    # ∂³f/∂y³ claimed for f_xyy was hinted 'the derivative with respect to y, not x'
    out = cli("check", "--of", "x**2*y**3", "--wrt", "x,y,y", "--", "6*x**2").stdout
    assert out.startswith("incorrect") and "hint" not in out
    out = cli("check", "--of", "x**2*y**3", "--wrt", "x,y,y", "--", "-12*x*y").stdout
    assert "hint: the sign is wrong: the claim is minus the mixed partial ∂³f/∂y²∂x" in out


def test_latex_dot_on_a_function_is_refused_and_mathrm_f_is_a_call():
    import pytest

    from symnum.core.errors import ParseError
    from symnum.core.latex_input import to_plain

    with pytest.raises(ParseError, match=r"\\dot\{f\}\(…\) is not read"):
        to_plain(r"\dot{f}(x)")  # was fdot*(x): a claim checked as a product
    assert to_plain(r"\mathrm{f}(x) g(x)") == "f(x)*g(x)"  # was f*(x)*g(x)


def test_an_implicit_claim_may_use_y_of_x_and_lower_derivatives(cli):
    # y(x) and y′(x) in a claim were an internal error (mpf not callable, no Derivative printer)
    asked = ["--of", "x**2+y**2=1", "--implicit", "y", "--wrt", "x"]
    out = cli("check", *asked, "--order", "2", "--", "-(1 + y'(x)**2)/y(x)").stdout
    assert out.startswith("correct")
    proc = cli("check", *asked, "--", "y'(x)")  # the derivative checked, standing for itself
    assert proc.returncode == 2 and proc.stderr.startswith("error: the claim uses y′(x)")
    proc = cli("check", *asked, "--", "-x/f(x)")
    assert proc.returncode == 2 and "internal" not in proc.stderr


def test_a_product_of_a_formula_with_f_prime_in_it(cli):
    # y·f′(x): 'internal error (ValueError): Can't calculate derivative wrt _t*v_x + x'
    data = cli.json("derive", "y*f'(x)", "--what", "hvp")
    x, y, vx, vy = sympy.symbols("x y v_x v_y")
    f = sympy.Function("f")
    got = [sympy.sympify(e, locals={"f": f}) for e in data["result"]]
    want = [vx * y * f(x).diff(x, 3) + vy * f(x).diff(x, 2), vx * f(x).diff(x, 2)]
    assert all(sympy.simplify(g.doit() - w) == 0 for g, w in zip(got, want, strict=True))


def test_unknown_functions_in_implicit_and_taylor_checks_are_verdicts_or_one_line(cli):
    # each was an internal error (no mpmath printer for f′, f not defined, PolynomialError)
    asked = ["--of", "f(x)*y = 1", "--implicit", "y", "--wrt", "x"]
    assert cli("check", *asked, "--", "-y*f'(x)/f(x)").stdout.startswith("correct")
    for proc in [cli("check", *asked, "--", "x/y"), cli("verify", "f(x)*y = 1", *asked[2:]),
                 cli("derive", "f(x)*y = 1", *asked[2:], "--at", "x=1,y=1")]:
        assert proc.returncode == 2 and "internal" not in proc.stderr, proc
    out = cli("check", "--of", "f(x)", "--what", "taylor", "--at", "x=0", "--",
              "f(1) + x*f'(1)").stdout
    assert "hint: the degree-0 part is wrong: the claim has f(1), T₁ has f(0)" in out
    asked = ["--of", "exp(x)*f(y)", "--what", "taylor", "--at", "x=0,y=1"]  # y moved to y − 1
    assert cli("check", *asked, "--", "f(1) + x*f(1) + (y-1)*f'(1)").stdout.startswith("correct")
    assert cli("check", *asked, "--", "f(1) + (y-1)*f'(y)").returncode == 1


def test_implicit_derivatives_of_a_step_are_taken_as_symnum_takes_them(cli):
    # floor(x)·y = 1 printed Derivative(floor(x), x), and verify was an internal error
    assert "d²y/dx² = 0" in cli("derive", "floor(x)*y=1", "--implicit", "y", "--wrt", "x",
                                "--order", "2").stdout
