"""torch_function and TorchModule: exact backward and double backward against torch autograd
of hand-written torch code, gradcheck / gradgradcheck, batches, parameters, devices, training."""

from __future__ import annotations

import pytest
import torch

import symnum
from symnum import EvaluationError

f64 = torch.float64

# (expression, wrt, params, the same function written in torch): stable losses, kinks,
# special functions, a vector f
CASES = [
    ("log(exp(x) + exp(y) + exp(z))", "x,y,z", None,
     lambda x, y, z: torch.logsumexp(torch.stack([x, y, z]), 0)),
    ("log(1 + exp(-y*w*x)) + w**2/10", "w", "x,y",
     lambda w, x, y: torch.nn.functional.softplus(-y * w * x) + w**2 / 10),
    ("-(t*log(1/(1 + exp(-z))) + (1 - t)*log(1 - 1/(1 + exp(-z))))", "z", "t",
     lambda z, t: torch.nn.functional.binary_cross_entropy_with_logits(
         z, t.expand_as(z), reduction="none")),
    ("Max(0, x*y - 1) + abs(x - 2*y) + x**3/3", "x,y", None,
     lambda x, y: torch.relu(x * y - 1) + torch.abs(x - 2 * y) + x**3 / 3),
    ("erf(x)*tanh(y) + loggamma(x**2 + 1)", "x,y", None,
     lambda x, y: torch.erf(x) * torch.tanh(y) + torch.lgamma(x**2 + 1)),
    ("[sin(x)*y, exp(x - y), sqrt(x**2 + y**2)]", "x,y", None,
     lambda x, y: torch.stack([torch.sin(x) * y, torch.exp(x - y), torch.hypot(x, y)], -1)),
]


def _inputs(op, gen, shape=(3, 4)):
    variables = [(torch.randn(shape, generator=gen, dtype=f64) * 2).requires_grad_()
                 for _ in op.variables]
    params = [torch.randn(shape[-1:], generator=gen, dtype=f64) for _ in op.params]
    for p, s in zip(params, op.params, strict=True):
        if s.name == "t":  # a label in [0, 1]
            p.uniform_(0, 1, generator=gen)
    return variables, params


def _away_from_kinks(variables):
    """Moves points within 1e-3 of the kinks of case 3 (x*y = 1, x = 2y) away from them."""
    if len(variables) == 2:
        with torch.no_grad():
            x, y = variables
            near = ((x * y - 1).abs() < 1e-2) | ((x - 2 * y).abs() < 1e-2)
            x[near] += 0.1


@pytest.mark.parametrize("expr, wrt, params, reference", CASES)
def test_value_gradient_and_hessian_vector_product_match_torch_autograd(expr, wrt, params,
                                                                         reference):
    gen = torch.Generator().manual_seed(7)
    op = symnum.torch_function(expr, wrt=wrt, params=params)
    variables, constants = _inputs(op, gen)
    _away_from_kinks(variables)
    out = op(*variables, *constants)
    expected = reference(*variables, *constants)
    torch.testing.assert_close(out, expected, rtol=1e-12, atol=1e-12)
    weights = torch.randn(out.shape, generator=gen, dtype=f64)
    mine = torch.autograd.grad((out * weights).sum(), variables, create_graph=True)
    theirs = torch.autograd.grad((expected * weights).sum(), variables, create_graph=True)
    for a, b in zip(mine, theirs, strict=True):
        torch.testing.assert_close(a, b, rtol=1e-10, atol=1e-12)
    v = [torch.randn(x.shape, generator=gen, dtype=f64) for x in variables]  # Hv
    hv_mine = torch.autograd.grad(sum((g * d).sum() for g, d in zip(mine, v, strict=True)),
                                  variables)
    hv_theirs = torch.autograd.grad(sum((g * d).sum() for g, d in zip(theirs, v, strict=True)),
                                    variables)
    for a, b in zip(hv_mine, hv_theirs, strict=True):
        torch.testing.assert_close(a, b, rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("expr, wrt, params, reference", CASES)
def test_gradcheck_and_gradgradcheck(expr, wrt, params, reference):
    gen = torch.Generator().manual_seed(11)
    op = symnum.torch_function(expr, wrt=wrt, params=params)
    variables, constants = _inputs(op, gen, shape=(2, 3))
    _away_from_kinks(variables)
    fn = lambda *v: op(*v, *constants)  # noqa: E731
    assert torch.autograd.gradcheck(fn, variables)
    assert torch.autograd.gradgradcheck(fn, variables)


def test_large_inputs_stay_finite_and_exact():
    op = symnum.torch_function("log(1 + exp(-y*w*x))", wrt="w", params="x, y")
    w = torch.tensor([-900.0, 0.0, 900.0], dtype=f64, requires_grad=True)
    x, y = torch.tensor(1.0, dtype=f64), torch.tensor(1.0, dtype=f64)
    loss = op(w, x, y)
    assert loss.tolist() == [900.0, pytest.approx(0.6931471805599453), 0.0]
    (g,) = torch.autograd.grad(loss.sum(), w, create_graph=True)
    assert g.tolist() == [-1.0, -0.5, 0.0]  # -σ(-w): exactly at w = 0 too (no kink there)
    (h,) = torch.autograd.grad(g.sum(), w)
    assert h.tolist() == [0.0, 0.25, 0.0]


def test_broadcast_batches_reduce_gradients_to_each_input():
    op = symnum.torch_function("a*x**2 + b", wrt="a,b,x")
    a = torch.tensor(2.0, dtype=f64, requires_grad=True)  # one scalar for the whole batch
    b = torch.zeros(3, 1, dtype=f64, requires_grad=True)
    x = torch.linspace(-1, 1, 4, dtype=f64).requires_grad_()
    out = op(a, b, x)
    assert out.shape == (3, 4)
    out.sum().backward()
    assert a.grad.item() == pytest.approx(3 * float((x.detach() ** 2).sum()))
    assert b.grad.tolist() == [[4.0]] * 3
    torch.testing.assert_close(x.grad, 3 * 2 * 2.0 * x.detach())


def test_third_derivatives_are_exact_too():
    op = symnum.torch_function("x**4*y + sin(x*y)", wrt="x,y")
    x = torch.tensor([0.3, -1.2], dtype=f64, requires_grad=True)
    y = torch.tensor(0.7, dtype=f64, requires_grad=True)

    def d_dx_dy(x, y):
        (gx,) = torch.autograd.grad(op(x, y).sum(), x, create_graph=True)
        return torch.autograd.grad(gx.sum(), y, create_graph=True)[0]
    assert torch.autograd.gradcheck(d_dx_dy, (x, y))


def test_dtype_device_and_errors():
    op = symnum.torch_function("log(exp(x) + exp(y))", wrt="x,y")
    x32 = torch.tensor([1000.0, 0.0], requires_grad=True)
    out = op(x32, 0.0)
    assert out.dtype == torch.float32 and out.tolist() == [1000.0, pytest.approx(0.6931472)]
    out.sum().backward()
    assert x32.grad.dtype == torch.float32
    # the meta device: shapes and devices flow through forward and both backward passes
    # (CUDA tensors follow the same path: every step runs on the inputs' device)
    xm = torch.empty(5, 3, device="meta", requires_grad=True)
    ym = torch.empty(3, device="meta", requires_grad=True)
    value = op(xm, ym)
    assert value.shape == (5, 3) and value.device.type == "meta"
    gx, gy = torch.autograd.grad(value.sum(), (xm, ym), create_graph=True)
    assert gx.device.type == "meta" and gy.shape == (3,)
    (hx,) = torch.autograd.grad(gx.sum(), xm)
    assert hx.shape == (5, 3) and hx.device.type == "meta"
    p = symnum.torch_function("w*x", wrt="w", params="x")
    with pytest.raises(EvaluationError, match="x is a parameter"):
        p(1.0, torch.tensor(1.0, requires_grad=True))
    with pytest.raises(EvaluationError, match="no value for b"):
        symnum.torch_function("a*b", wrt="a")
    with pytest.raises(EvaluationError, match="expected 2 values"):
        op(torch.zeros(2))
    with pytest.raises(EvaluationError, match=r"do not broadcast together: x \(3,\), y \(4,\)"):
        op(torch.zeros(3), torch.zeros(4))


def test_module_trains_and_matches_a_hand_written_model():
    torch.manual_seed(0)
    expr = "[tanh(w1*x1 + w2*x2 + b1), log(1 + exp(w3*x1 - w2*x2 + b2))]"
    model = symnum.TorchModule(expr, inputs="x1,x2",
                               params={"w1": 0.5, "w2": -0.3, "w3": 0.8, "b1": 0.1, "b2": 0.0})

    def hand(p, x):
        return torch.stack([torch.tanh(p["w1"] * x[:, 0] + p["w2"] * x[:, 1] + p["b1"]),
                            torch.nn.functional.softplus(p["w3"] * x[:, 0] - p["w2"] * x[:, 1]
                                                         + p["b2"])], -1)
    ref = {k: torch.tensor(v, dtype=f64, requires_grad=True) for k, v in
           {"w1": 0.5, "w2": -0.3, "w3": 0.8, "b1": 0.1, "b2": 0.0}.items()}
    data = torch.randn(64, 2, dtype=f64)
    target = torch.stack([torch.tanh(data[:, 0] - data[:, 1]), data[:, 0].clamp(min=0)], -1)
    opt = torch.optim.SGD(model.parameters(), lr=0.2)
    losses = []
    for _ in range(15):
        opt.zero_grad()
        loss = ((model(data) - target) ** 2).mean()
        loss.backward()
        ref_loss = ((hand(ref, data) - target) ** 2).mean()
        grads = torch.autograd.grad(ref_loss, list(ref.values()))
        for (name, g) in zip(ref, grads, strict=True):
            torch.testing.assert_close(getattr(model, name).grad, g, rtol=1e-10, atol=1e-13)
        torch.testing.assert_close(loss, ref_loss, rtol=1e-12, atol=0)
        opt.step()
        with torch.no_grad():
            for name, g in zip(ref, grads, strict=True):
                ref[name] -= 0.2 * g
        losses.append(loss.item())
    assert losses[-1] < 0.7 * losses[0]
    assert model(data[:, 0], data[:, 1]).shape == (64, 2)  # one tensor per input works too
    assert sorted(model.state_dict()) == ["b1", "b2", "w1", "w2", "w3"]
    with pytest.raises(symnum.VariableError, match="both an input and a parameter"):
        symnum.TorchModule("a*x", inputs="x", params={"x": 1.0})


def test_module_repr_names_inputs_and_parameters_on_any_device():
    model = symnum.TorchModule("[tanh(a*x + b), c*y]", inputs="x,y",
                               params={"a": 1.0, "b": 0.0, "c": 2.0})
    assert repr(model.to("meta")) == \
        "TorchModule('[tanh(a*x + b), c*y]', inputs='x,y', params='a,b,c')"
