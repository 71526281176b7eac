"""The seed workflow of the rewrite issue, end to end."""

from __future__ import annotations

import numpy as np

import tensorgraft.tensor as tt
from tensorgraft.autodiff import grad
from tensorgraft.compile import function
from tensorgraft.graph import graph_replace
from tensorgraft.rewrite import rewrite_graph
from tensorgraft.rewrite.testing import op_names
from tensorgraft.vectorize import vectorize_graph


def test_stabilize_log_of_one_plus_x() -> None:
    x = tt.vector("x")
    new = rewrite_graph(tt.log(1 + x), include=("stabilize",))
    assert op_names(new) == ["Log1p"] and new.owner.inputs[0] is x


def test_stabilize_after_graph_replace_gives_softplus() -> None:
    x, log_x = tt.vector("x"), tt.vector("log_x")
    y = graph_replace(tt.log(1 + x), {x: tt.exp(log_x)})
    new = rewrite_graph(y, include=("stabilize",))
    assert op_names(new) == ["Softplus"] and new.owner.inputs[0] is log_x


def test_gradient_of_log1p_is_reciprocal_of_one_plus_x() -> None:
    x = tt.vector("x")
    new = rewrite_graph(grad(tt.log1p(x).sum(), x), include=("canonicalize", "specialize"))
    assert op_names(new) == ["Add", "Reciprocal"]
    f = function([x], new)
    v = np.array([0.5, 2.0, -0.25])
    np.testing.assert_allclose(f(v), 1 / (1 + v))


def test_indexing_a_vectorized_graph_computes_one_entry() -> None:
    x, new_x = tt.vector("x"), tt.matrix("new_x")
    new_y = vectorize_graph(tt.log(1 + x), {x: new_x})
    new = rewrite_graph(new_y[0, 1])
    assert op_names(new) == ["Subtensor", "Add", "Log"]
    sub = new.owner.inputs[0].owner.inputs[1]
    assert sub.owner.inputs[0] is new_x and sub.type.ndim == 0
    v = np.arange(6.0).reshape(2, 3)
    np.testing.assert_allclose(function([new_x], new)(v), np.log(1 + v[0, 1]))


def test_function_runs_the_default_pipeline() -> None:
    x = tt.vector("x")
    f = function([x], tt.log(1 + tt.exp(x)))
    assert "softplus" in f.dprint(file="str").lower()
    np.testing.assert_allclose(f(np.array([800.0, -800.0])), [800.0, 0.0], atol=1e-300)
