"""A vectorized graph is an ordinary graph: it can be differentiated, rewritten, compiled."""

from __future__ import annotations

import numpy as np
import pytest

import tensorgraft.tensor as tt
from tensorgraft.compile import function
from tensorgraft.graph.traversal import toposort
from tensorgraft.tensor.elemwise import Elemwise
from tensorgraft.tensor.subtensor import Subtensor
from tensorgraft.vectorize import vectorize_graph


def _per_example_setup() -> tuple[tt.TensorVariable, tt.TensorVariable, tt.TensorVariable]:
    x, w = tt.vector("x", shape=(3,)), tt.vector("w", shape=(3,))
    cost = (tt.exp(x * w) + tt.log1p(x * x)).sum()
    return x, w, cost


def test_vectorized_gradient_equals_per_example_gradients() -> None:
    autodiff = pytest.importorskip("tensorgraft.autodiff")
    x, w, cost = _per_example_setup()
    g = autodiff.grad(cost, x)
    new_x = tt.matrix("new_x", shape=(None, 3))
    batched = vectorize_graph(g, {x: new_x})
    xv, wv = np.linspace(-1, 1, 12).reshape(4, 3), np.array([0.5, -1.0, 2.0])
    got = function([new_x, w], batched, mode="python")(xv, wv)
    core = function([x, w], g, mode="python")
    np.testing.assert_allclose(got, np.stack([core(row, wv) for row in xv]))


def test_gradient_of_a_vectorized_graph_equals_per_example_gradients() -> None:
    autodiff = pytest.importorskip("tensorgraft.autodiff")
    x, w, cost = _per_example_setup()
    new_x = tt.matrix("new_x", shape=(None, 3))
    costs = vectorize_graph(cost, {x: new_x})
    g = autodiff.grad(tt.sum(costs), new_x)
    xv, wv = np.linspace(-1, 1, 12).reshape(4, 3), np.array([0.5, -1.0, 2.0])
    got = function([new_x, w], g, mode="python")(xv, wv)
    core = function([x, w], autodiff.grad(cost, x), mode="python")
    np.testing.assert_allclose(got, np.stack([core(row, wv) for row in xv]))


def test_one_entry_of_a_vectorized_graph_computes_only_that_entry() -> None:
    rewrite = pytest.importorskip("tensorgraft.rewrite")
    x = tt.vector("x", shape=(3,))
    new_x = tt.matrix("new_x", shape=(None, 3))
    entry = vectorize_graph(tt.exp(x) * 2, {x: new_x})[1]
    rewritten = rewrite.rewrite_graph(entry)
    rewritten = rewritten[0] if isinstance(rewritten, list) else rewritten
    nodes = toposort([rewritten])
    # x[1] is taken from the batch first; the math runs on that one row only.
    assert all(n.outputs[0].type.ndim == 1 for n in nodes if isinstance(n.op, Elemwise))  # type: ignore[attr-defined]
    assert any(isinstance(n.op, Subtensor) and n.inputs[0] is new_x for n in nodes)
    xv = np.arange(6.0).reshape(2, 3)
    np.testing.assert_allclose(function([new_x], rewritten, mode="python")(xv), np.exp(xv[1]) * 2)
