"""Elementwise fusion: clusters become one Composite node with the same values."""

from __future__ import annotations

import numpy as np

import tensorgraft.tensor as tt
from tensorgraft.graph.basic import Variable
from tensorgraft.rewrite import RewriteEvent, rewrite_graph
from tensorgraft.rewrite.testing import evaluate, op_names
from tensorgraft.tensor.elemwise import Elemwise
from tensorgraft.tensor.scalar_ops import Composite


def _fuse(outputs: list[Variable]) -> list[Variable]:
    return rewrite_graph(outputs, include=("fusion",))  # type: ignore[no-any-return]


def test_a_chain_becomes_one_composite() -> None:
    x = tt.vector("x")
    (new,) = _fuse([tt.exp(tt.sin(x) + 1) * 2])
    assert op_names(new) == ["Composite"] and new.owner.inputs == [x]
    assert "Inner graphs:" in new.dprint(file="str")


def test_a_diamond_is_fused_whole_and_computed_once() -> None:
    x = tt.vector("x")
    e = tt.exp(x)
    (new,) = _fuse([e * tt.sin(e)])
    assert op_names(new) == ["Composite"]
    composite = new.owner.op.scalar_op
    assert isinstance(composite, Composite)
    assert str(composite).count("exp") == 2  # printed twice, computed once
    inner = [n.op.name for n in composite._nodes]
    assert inner.count("exp") == 1


def test_a_value_used_outside_the_cluster_is_one_more_output() -> None:
    x = tt.vector("x")
    e = tt.exp(tt.sin(x))
    a, b = _fuse([e + 1, e])
    assert op_names([a, b]) == ["Composite"]
    assert a.owner is b.owner and len(a.owner.outputs) == 2
    v = np.array([0.5, -1.0, 2.0])
    got = evaluate([a, b], {x: v})
    np.testing.assert_allclose(got[0], np.exp(np.sin(v)) + 1)
    np.testing.assert_allclose(got[1], np.exp(np.sin(v)))


def test_a_value_read_before_the_root_is_not_fused_into_it() -> None:
    # exp(x) feeds sum(exp(x)), which feeds the root: fusing exp would make a cycle.
    x = tt.vector("x")
    e = tt.exp(tt.sin(x))
    (new,) = _fuse([e * tt.sum(e)])
    names = op_names(new)
    assert names.count("Composite") == 1 and "Sum" in names and "Mul" in names
    v = np.array([0.5, -1.0, 2.0])
    want = np.exp(np.sin(v)) * np.exp(np.sin(v)).sum()
    np.testing.assert_allclose(evaluate([new], {x: v})[0], want)


def test_a_smaller_value_used_outside_stays_apart() -> None:
    # exp(x) has x's shape (n, 1); the composite would compute it at (n, m).
    x, y = tt.matrix("x", shape=(None, 1)), tt.matrix("y", shape=(1, None))
    e = tt.exp(tt.sin(x))
    a, b = _fuse([e * y + 1, e])
    assert b.type == e.type and a.owner is not b.owner
    xv, yv = np.array([[0.5], [1.0]]), np.array([[1.0, 2.0, 3.0]])
    got = evaluate([a, b], {x: xv, y: yv})
    np.testing.assert_allclose(got[0], np.exp(np.sin(xv)) * yv + 1)
    np.testing.assert_allclose(got[1], np.exp(np.sin(xv)))


def test_multi_input_tree_keeps_values_and_types() -> None:
    x, y = tt.matrix("x"), tt.vector("y", dtype="float32")
    out = tt.log1p(tt.exp(x) * y) - tt.sqr(y) / (1 + x)
    events: list[RewriteEvent] = []
    (new,) = rewrite_graph([out], include=("fusion",), trace=events)
    assert [e.rule for e in events] == ["fuse_elemwise"]
    assert new.type == out.type
    node = new.owner
    assert isinstance(node.op, Elemwise) and isinstance(node.op.scalar_op, Composite)
    rng = np.random.default_rng(0)
    values = {x: rng.uniform(0.1, 2, (3, 4)), y: rng.uniform(0.1, 2, 4).astype("float32")}
    np.testing.assert_allclose(evaluate([new], values)[0], evaluate([out], values)[0], rtol=1e-12)


def test_single_nodes_and_other_ops_are_left_alone() -> None:
    x = tt.matrix("x")
    out = tt.sum(tt.exp(x), axis=0)
    (new,) = _fuse([out])
    assert op_names(new) == ["Exp", "Sum"]


def test_fusion_can_be_excluded() -> None:
    x = tt.vector("x")
    new = rewrite_graph(tt.exp(tt.sin(x)), include=("fusion",), exclude=("fuse_elemwise",))
    assert op_names(new) == ["Sin", "Exp"]
