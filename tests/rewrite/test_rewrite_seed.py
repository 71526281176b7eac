"""The seed workflow of the rewrite issue, end to end."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import tensorgraft.tensor as tt
from tensorgraft.compile import function
from tensorgraft.graph import graph_replace
from tensorgraft.graph.basic import Constant, Variable
from tensorgraft.rewrite import rewrite_graph
from tensorgraft.rewrite.testing import evaluate, op_names


def _grad() -> Any:
    return pytest.importorskip("tensorgraft.autodiff").grad  # not in the rewrite-only stage


def _vectorize_graph() -> Any:
    return pytest.importorskip("tensorgraft.vectorize").vectorize_graph


def expr(var: Variable) -> str:
    """A graph as a call expression: `Reciprocal(Add(1, x))` (one-element constants as numbers)."""
    if isinstance(var, Constant):
        data = np.asarray(var.data)
        return str(data.reshape(())[()]) if data.size == 1 else str(var)
    if var.owner is None:
        return str(var.name)
    op = var.owner.op
    name = type(getattr(op, "scalar_op", op)).__name__
    return f"{name}({', '.join(expr(i) for i in var.owner.inputs)})"


def test_stabilize_log_of_one_plus_x() -> None:
    x = tt.vector("x")
    new = rewrite_graph(tt.log(1 + x), include=("stabilize",))
    assert expr(new) == "Log1p(x)" and new.owner.inputs[0] is x


def test_stabilize_after_graph_replace_gives_softplus() -> None:
    x, log_x = tt.vector("x"), tt.vector("log_x")
    y = graph_replace(tt.log(1 + x), {x: tt.exp(log_x)})
    new = rewrite_graph(y, include=("stabilize",))
    assert expr(new) == "Softplus(log_x)" and new.owner.inputs[0] is log_x
    v = np.array([-800.0, 0.0, 800.0])
    np.testing.assert_allclose(evaluate([new], {log_x: v})[0], np.logaddexp(0, v))


@pytest.mark.parametrize("shape", [(None,), (3,)])
def test_gradient_of_log1p_is_reciprocal_of_one_plus_x(shape: tuple[int | None]) -> None:
    # autodiff gives alloc(1.0, len(x)) / (1 + x); with a static length the alloc folds
    # into the constant [1. 1. 1.], which the pattern 1 / x matches too.
    x = tt.vector("x", shape=shape)
    grad = _grad()
    new = rewrite_graph(grad(tt.log1p(x).sum(), x), include=("canonicalize", "specialize"))
    assert expr(new) == "Reciprocal(Add(1, x))"
    f = function([x], new)
    v = np.array([0.5, 2.0, -0.25])
    np.testing.assert_allclose(f(v), 1 / (1 + v))


# Forms a gradient graph may take: an output gradient of ones times 1 / (1 + x).
GRADIENT_FORMS: list[Callable[[Any], Any]] = [
    lambda x: 1 * (1 / (1 + x)),
    lambda x: tt.ones_like(x) / (1 + x),
    lambda x: tt.ones_like(x) * (1 / (1 + x)),
    lambda x: tt.alloc(1.0, x.shape[0]) * tt.reciprocal(1 + x),
    lambda x: tt.broadcast_to(tt.constant(1.0), x.shape) / (x + 1),
    lambda x: tt.full_like(x, 1.0) * (1 + x) ** -1,
]


@pytest.mark.parametrize("build", GRADIENT_FORMS)
def test_natural_gradient_forms_become_reciprocal(build: Callable[[Any], Any]) -> None:
    x = tt.vector("x")
    out = build(x)
    new = rewrite_graph(out, include=("canonicalize", "specialize"))
    assert expr(new) == "Reciprocal(Add(1, x))"
    v = np.array([0.5, 2.0, -0.25])
    np.testing.assert_allclose(evaluate([new], {x: v})[0], 1 / (1 + v))


def test_indexing_a_vectorized_graph_computes_one_entry() -> None:
    x, new_x = tt.vector("x"), tt.matrix("new_x")
    new_y = _vectorize_graph()(tt.log(1 + x), {x: new_x})
    new = rewrite_graph(new_y[0, 1])
    assert op_names(new) == ["Subtensor", "Add", "Log"]
    sub = new.owner.inputs[0].owner.inputs[1]
    assert sub.owner.inputs[0] is new_x and sub.type.ndim == 0
    assert expr(new) == "Log(Add(1, Subtensor(new_x, 0, 1)))"
    v = np.arange(6.0).reshape(2, 3)
    np.testing.assert_allclose(function([new_x], new)(v), np.log(1 + v[0, 1]))


def test_indexing_lifts_through_dimshuffle() -> None:
    x, new_x = tt.vector("x"), tt.matrix("new_x")
    new_y = _vectorize_graph()(tt.outer(tt.exp(x), x).T, {x: new_x})  # (batch, 3, 3)
    new = rewrite_graph(new_y[1, 2, 0])
    # Only the two entries read: exp(new_x[1, 0]) * new_x[1, 2].
    assert sorted(op_names(new)) == ["Exp", "Mul", "Subtensor", "Subtensor"]
    assert all(n.type.ndim == 0 for n in (new, *new.owner.inputs))
    v = np.arange(6.0).reshape(2, 3) / 4
    want = np.exp(v[:, :, None]) * v[:, None, :]
    np.testing.assert_allclose(evaluate([new], {new_x: v})[0], want.transpose(0, 2, 1)[1, 2, 0])


def test_indexing_lifts_through_blockwise() -> None:
    x, new_x, a = tt.vector("x"), tt.matrix("new_x"), tt.matrix("a")
    new_y = _vectorize_graph()(tt.matmul(a, tt.exp(x)), {x: new_x})  # (batch, 3)
    assert "Blockwise" in op_names(new_y)
    new = rewrite_graph(new_y[1])
    # One row of the batch: a @ exp(new_x[1]), with no Blockwise left.
    assert "Blockwise" not in op_names(new) and "Dot" in op_names(new)
    (exp_node,) = [n for n in _nodes(new) if n.op.__class__.__name__ == "Elemwise"]
    assert exp_node.inputs[0].type.ndim == 1
    rng = np.random.default_rng(0)
    av, xv = rng.normal(size=(3, 3)), rng.normal(size=(4, 3))
    want = av @ np.exp(xv[1])
    np.testing.assert_allclose(evaluate([new], {a: av, new_x: xv})[0], want, rtol=1e-12)


def _nodes(var: Variable) -> list[Any]:
    from tensorgraft.graph.traversal import toposort

    return toposort([var])


def test_function_runs_the_default_pipeline() -> None:
    x = tt.vector("x")
    f = function([x], tt.log(1 + tt.exp(x)))
    assert "softplus" in f.dprint(file="str").lower()
    np.testing.assert_allclose(f(np.array([800.0, -800.0])), [800.0, 0.0], atol=1e-300)
