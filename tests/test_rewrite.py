"""The rewrite engine (symnum.core.rewrite): order, fixed point, memo, deep trees, budget,
value check. Expected trees are written out by hand; values are checked with mpmath."""

from __future__ import annotations

import sys

import mpmath
import pytest
import sympy

from symnum.core.rewrite import Budget, Rule, Table, rewrite

x, y, z, w = sympy.symbols("x y z w", positive=True)
f, g, h, k = (sympy.Function(n) for n in "fghk")


def _counted(rule: Rule) -> tuple[Rule, list]:
    """The rule, and a list that records every node it is asked about."""
    seen: list = []

    def look(node, *context):
        seen.append(node)
        return rule.rewrite(node, *context)
    return Rule(rule.name, rule.identity, rule.kind, look), seen


def _nodes(expr: sympy.Basic) -> list[sympy.Basic]:
    """Every node, without recursion (SymPy's own traversals recurse)."""
    out, stack = [], [expr]
    while stack:
        node = stack.pop()
        out.append(node)
        stack.extend(node.args)
    return out


def _chain(func, depth: int, leaf=x) -> sympy.Basic:
    e = leaf
    for _ in range(depth):
        e = func(e)
    return e


F_TO_G = Rule("f to g", "f(a) = g(a)", f, lambda n: g(*n.args))
SPLIT_ONE = Rule("log of a product, one factor", "log(a·b) = log a + log b (a, b > 0)",
                 sympy.log, lambda n: sympy.log(n.args[0].args[0])
                 + sympy.log(sympy.Mul(*n.args[0].args[1:])) if n.args[0].is_Mul else None)


def test_first_rule_in_table_order_wins():
    to_g = Rule("to g", "", f, lambda n: g(*n.args))
    to_h = Rule("to h", "", f, lambda n: h(*n.args))
    assert rewrite(f(x) + 1, [to_g, to_h]) == g(x) + 1
    assert rewrite(f(x) + 1, [to_h, to_g]) == h(x) + 1


def test_a_rule_that_gives_the_node_back_does_not_stop_the_next():
    same = Rule("same", "", f, lambda n: n)
    assert rewrite(f(x), [same, F_TO_G]) == g(x)
    assert Table([same, F_TO_G]).first(f(x))[0] is F_TO_G


def test_kind_is_isinstance_and_tables_pass_context():
    calls = Rule("functions", "", sympy.Function, lambda n, tag: f"{tag}:{n.func}")
    table = Table([calls])
    assert table.first(sympy.sin(x), "t") == (calls, "t:sin")
    assert table.first(x + 1, "t") is None
    assert table.rules_for(x) == ()


def test_one_pass_against_fixed_point():
    expr = sympy.log(sympy.Mul(x, y, z, w, evaluate=False))
    once = rewrite(expr, [SPLIT_ONE])
    assert once.has(sympy.log(sympy.Mul(y, z, w)))  # the result not looked at again
    full = rewrite(expr, [SPLIT_ONE], repeat=True)
    assert full == sympy.log(x) + sympy.log(y) + sympy.log(z) + sympy.log(w)
    point = {x: 2, y: 3, z: 5, w: 7}
    assert abs(complex(full.subs(point)) - complex(mpmath.log(210))) < 1e-12


def test_rounds_cap_a_rule_that_never_settles():
    grow = Rule("grow", "", f, lambda n: f(n.args[0] + 1))
    out = rewrite(f(x), [grow], repeat=True, rounds=5)
    assert out == f(x + 5)


def test_bottom_up_and_top_down_see_different_trees():
    # top-down meets f(g(x)) before g(x) is rewritten; bottom-up meets f(k(x))
    outer = Rule("f∘g", "f(g(a)) = h(a)", f,
                 lambda n: h(n.args[0].args[0]) if n.args[0].func == g else None)
    inner = Rule("g", "g(a) = k(a)", g, lambda n: k(*n.args))
    assert rewrite(f(g(x)), [outer, inner]) == f(k(x))
    assert rewrite(f(g(x)), [outer, inner], order="top-down") == h(x)
    with pytest.raises(ValueError, match="top-down"):
        rewrite(x, [outer], order="sideways")


def test_top_down_fixed_point_looks_again_after_children_change():
    # f(g(x)): top-down f sees g(x) first (no match), the child becomes h(x), then f(h(x)) → k(x)
    outer = Rule("f∘h", "f(h(a)) = k(a)", f,
                 lambda n: k(n.args[0].args[0]) if n.args[0].func == h else None)
    inner = Rule("g", "g(a) = h(a)", g, lambda n: h(*n.args))
    assert rewrite(f(g(x)), [outer, inner], order="top-down") == f(h(x))
    assert rewrite(f(g(x)), [outer, inner], order="top-down", repeat=True) == k(x)


def test_passes_run_one_after_another():
    to_h = Rule("g to h", "", g, lambda n: h(*n.args))
    assert rewrite(f(x), [F_TO_G], [to_h]) == h(x)
    assert rewrite(f(x), [to_h], [F_TO_G]) == g(x)


def test_shared_subtree_rewritten_once():
    shared = sympy.sin(f(x) + 1)
    expr = g(shared) + h(shared) * k(shared, y)
    rule, seen = _counted(F_TO_G)
    out = rewrite(expr, [rule])
    assert out == expr.xreplace({f(x): g(x)})
    assert seen.count(f(x)) == 1


@pytest.mark.parametrize("order", ["bottom-up", "top-down"])
@pytest.mark.parametrize("repeat", [False, True])
def test_deep_tree_without_recursion(order, repeat):
    depth = 5000
    assert depth > sys.getrecursionlimit()
    expr = _chain(f, depth)
    out = rewrite(expr, [F_TO_G], order=order, repeat=repeat)
    nodes = _nodes(out)
    assert len(nodes) == depth + 1
    assert sum(1 for n in nodes if n.func == g) == depth and not any(n.func == f for n in nodes)


def test_budget_stops_and_keeps_the_rewrites_made():
    depth = 200
    rule, seen = _counted(F_TO_G)
    budget = Budget(150)
    out = rewrite(_chain(f, depth), [rule], budget=budget)
    assert budget.exhausted and budget.spent == len(seen) == 150
    nodes = _nodes(out)
    assert len(nodes) == depth + 1  # still the whole tree
    changed = sum(1 for n in nodes if n.func == g)
    assert changed == len(seen) > 0
    # bottom-up: the rewrites made are the innermost ones
    assert all(n.func == g for n in nodes[depth - changed:depth])


def test_budget_is_shared_between_passes_and_an_int_will_do():
    to_h = Rule("g to h", "", g, lambda n: h(*n.args))
    expr = _chain(f, 50)
    # 50 tries in the first pass leave 10 for the second
    assert sum(1 for n in _nodes(rewrite(expr, [F_TO_G], [to_h], budget=60)) if n.func == h) == 10
    assert sum(1 for n in _nodes(rewrite(expr, [F_TO_G], [to_h], budget=10**4))
               if n.func == h) == 50


def _same_value(new: sympy.Basic, old: sympy.Basic) -> bool:
    """Equal at two points, by mpmath (independent of the rules)."""
    for point in ({x: sympy.Rational(3, 7)}, {x: sympy.Rational(-11, 5)}):
        a = mpmath.mpf(sympy.N(new.xreplace(point), 30))
        b = mpmath.mpf(sympy.N(old.xreplace(point), 30))
        if abs(a - b) > mpmath.mpf(10) ** -20:
            return False
    return True


def test_value_check_rejects_a_wrong_rule_and_keeps_a_right_one():
    wrong = Rule("wrong", "sin a = cos a", sympy.sin, lambda n: sympy.cos(n.args[0]))
    double = Rule("double angle", "sin 2a = 2 sin a cos a", sympy.sin,
                  lambda n: 2 * sympy.sin(n.args[0] / 2) * sympy.cos(n.args[0] / 2)
                  if n.args[0].as_coeff_Mul()[0] == 2 else None)
    expr = x + sympy.sin(2 * x)
    assert rewrite(expr, [wrong], check=_same_value) is expr
    assert rewrite(expr, [wrong]) == x + sympy.cos(2 * x)
    kept = rewrite(expr, [double], check=_same_value)
    assert kept == x + 2 * sympy.sin(x) * sympy.cos(x)


def test_leaves_and_unchanged_trees_come_back_as_they_are():
    expr = sympy.sin(x) + y
    assert rewrite(expr, [F_TO_G]) is expr
    assert rewrite(x, [F_TO_G]) is x
    unevaluated = sympy.Mul(2, 3, evaluate=False)
    assert rewrite(unevaluated, [F_TO_G]).args == (2, 3)
