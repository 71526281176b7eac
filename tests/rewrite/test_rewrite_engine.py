"""The engine: pattern matching, worklist, merging, loop guard, trace, queries."""

from __future__ import annotations

import numpy as np
import pytest

import tensorgraft.tensor as tt
from tensorgraft.graph import FunctionGraph
from tensorgraft.graph.basic import Apply
from tensorgraft.rewrite import (
    RewriteError,
    RewriteEvent,
    Rule,
    query,
    rewrite_fgraph,
    rewrite_graph,
)
from tensorgraft.rewrite.engine import RULES, register
from tensorgraft.rewrite.patterns import head_key, match
from tensorgraft.rewrite.testing import op_names
from tensorgraft.tensor import scalar_ops as ts
from tensorgraft.tensor.elemwise import Elemwise


def test_pattern_matches_commutative_ops_in_any_order() -> None:
    x = tt.vector("x")
    for y in (tt.log(1 + x), tt.log(x + 1)):
        bound = match((ts.log, (ts.add, 1, "x")), y, {})
        assert bound is not None and bound["x"] is x


def test_pattern_does_not_reorder_non_commutative_ops() -> None:
    x = tt.vector("x")
    assert match((ts.sub, "x", 1), 1 - x, {}) is None
    assert match((ts.sub, 1, "x"), 1 - x, {}) == {"x": x}


def test_a_repeated_name_must_bind_the_same_variable() -> None:
    x, y = tt.vector("x"), tt.vector("y")
    assert match((ts.mul, "a", "a"), x * x, {}) == {"a": x}
    assert match((ts.mul, "a", "a"), x * y, {}) is None


def test_rest_binds_the_other_terms() -> None:
    x, y = tt.vector("x"), tt.vector("y")
    bound = match((ts.add, 1, "*xs"), tt.add(x, 1, y), {})
    assert bound is not None and bound["*xs"] == [x, y]


def test_numbers_match_constants_behind_expand_dims_only_by_value() -> None:
    x = tt.matrix("x")
    assert match((ts.mul, 2, "x"), x * 2, {}) is not None
    assert match((ts.mul, 2, "x"), x * 3, {}) is None


def test_pattern_heads_are_indexed_by_op_and_scalar_op_type() -> None:
    assert head_key(ts.log) == (Elemwise, type(ts.log))
    assert head_key(ts.Cast) == (Elemwise, ts.Cast)
    assert head_key(tt.Sum) is tt.Sum


def test_rewrite_graph_keeps_the_users_graph_and_inputs() -> None:
    x = tt.vector("x")
    y = tt.log(1 + x)
    before = y.owner.inputs[0]
    new = rewrite_graph(y, include=("stabilize",))
    assert op_names(new) == ["Log1p"] and new.owner.inputs[0] is x
    assert y.owner.inputs[0] is before and op_names(y)[-1] == "Log"


def test_identical_nodes_and_equal_constants_are_merged() -> None:
    x = tt.vector("x")
    a = tt.exp(x) + tt.constant(np.float64(2.0))
    b = tt.exp(x) + tt.constant(np.float64(2.0))
    out = rewrite_graph([a * b], include=("merge",))[0]
    node = out.owner
    assert node.inputs[0] is node.inputs[1]
    assert op_names(out).count("Exp") == 1


def test_trace_lists_rules_in_order(capsys: pytest.CaptureFixture[str]) -> None:
    x = tt.vector("x")
    events: list[RewriteEvent] = []
    rewrite_graph(tt.exp(tt.log(1 + x)) - 1, include=("stabilize",), trace=events)
    fired = [(e.rule, e.node, e.replacements) for e in events if e.rule != "constant_folding"]
    # Inner expressions first: log1p is found, then expm1 sees it.
    assert fired == [
        ("log1p_from_log", "Log(Add([1], x))", ["Log1p(x)"]),
        ("expm1_from_sub", "Sub(Exp(Log1p.0), [1])", ["Expm1(Log1p(x))"]),
    ]
    rewrite_graph(tt.log(1 + x), include=("stabilize",), trace=True)
    assert "log1p_from_log: Log(Add([1], x)) -> Log1p(x)" in capsys.readouterr().out


def test_exclude_removes_a_rule_by_name_or_tag() -> None:
    x = tt.vector("x")
    y = tt.log(1 + x)
    assert (
        op_names(rewrite_graph(y, include=("stabilize",), exclude=("log1p_from_log",)))[-1] == "Log"
    )
    assert all("stabilize" not in r.tags for r in query(["stabilize"], ["stabilize"]))


def test_only_rules_for_the_nodes_op_are_offered() -> None:
    seen: list[str] = []

    def spy(fgraph: FunctionGraph, node: Apply) -> None:
        seen.append(str(node.op))

    rule = Rule("spy_exp", spy, (head_key(ts.exp),), frozenset({"test"}))  # type: ignore[arg-type]
    x = tt.vector("x")
    fg = FunctionGraph([x], [tt.log(tt.exp(x)) + 1])
    rewrite_fgraph(fg, [rule])
    assert seen == ["Exp"]


def _swap(scalar_from: ts.ScalarOp, scalar_to: ts.ScalarOp) -> Rule:
    def fn(fgraph: FunctionGraph, node: Apply) -> list[object]:
        return [Elemwise(scalar_to)(*node.inputs)]

    return Rule(f"{scalar_from}_to_{scalar_to}", fn, (head_key(scalar_from),), frozenset())  # type: ignore[arg-type]


def test_loop_guard_names_the_rules_that_cycle() -> None:
    x = tt.vector("x")
    fg = FunctionGraph([x], [tt.sin(x)])
    with pytest.raises(RewriteError, match=r"sin_to_cos.*cos_to_sin|cos_to_sin.*sin_to_cos"):
        rewrite_fgraph(fg, [_swap(ts.sin, ts.cos), _swap(ts.cos, ts.sin)])


def test_a_rule_changing_the_dtype_is_an_error() -> None:
    def to_float32(fgraph: FunctionGraph, node: Apply) -> list[object]:
        return [tt.cast(node.outputs[0], "float32")]

    rule = Rule("bad_cast", to_float32, (head_key(ts.exp),), frozenset())  # type: ignore[arg-type]
    x = tt.vector("x")
    fg = FunctionGraph([x], [tt.exp(x)])
    with pytest.raises(RewriteError, match=r"bad_cast.*dtype"):
        rewrite_fgraph(fg, [rule])


def test_the_worklist_reaches_a_fixed_point_without_rescanning() -> None:
    x = tt.vector("x")
    y = x
    for _ in range(50):
        y = (y * 1) + 0
    fg = FunctionGraph([x], [y])
    fired = rewrite_fgraph(fg, query(["canonicalize"]))
    assert fg.outputs[0] is fg.inputs[0]
    assert fired <= 100 + 110  # each useless node once, plus the folded constants


def test_register_refuses_a_taken_name() -> None:
    with pytest.raises(ValueError, match="already registered"):
        register("canonicalize", name="mul_one")(lambda fgraph, node: None)
    assert "mul_one" in RULES


def test_identical_constant_expressions_too_large_to_fold_are_computed_once() -> None:
    x = tt.matrix("x")
    big = (1000, 200)  # 1.6 MB: beyond what constant folding keeps
    out = (tt.zeros(big) + x) * (tt.zeros(big) + 1)
    new = rewrite_graph(out)
    assert op_names(new).count("Alloc") == 1


def test_a_constant_used_many_times_is_not_shared_but_still_merges_nodes() -> None:
    x = tt.vector("x")
    out = rewrite_graph(tt.add(*[tt.exp(x) * 2 for _ in range(4)]))
    assert op_names(out) == ["Exp", "Mul", "Add"]
    assert len(set(out.owner.inputs)) == 1  # four copies of the constant 2, one product


def test_nodes_made_by_rules_take_the_site_of_the_node_they_replace() -> None:
    x = tt.vector("x")
    out = tt.log(1 + x)  # the user's line: Log1p is reported here, not in the rule's code
    new = rewrite_graph(out, include=("stabilize",))
    assert new.owner is not None and str(new.owner.op) == "Log1p"
    assert new.owner.site == out.owner.site and new.owner.site[0] == __file__
