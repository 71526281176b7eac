"""A vectorized graph is an ordinary graph: it can be differentiated, rewritten, compiled."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

import tensorgraft.tensor as tt
from tensorgraft.compile import function, installed_backends, load_backend
from tensorgraft.graph.basic import Variable
from tensorgraft.graph.traversal import toposort
from tensorgraft.tensor.elemwise import DimShuffle
from tensorgraft.tensor.shape import Shape, ShapeI
from tensorgraft.tensor.subtensor import Subtensor
from tensorgraft.vectorize import vectorize, vectorize_graph

XV = np.linspace(-1, 1, 12).reshape(4, 3)
WV = np.array([0.5, -1.0, 2.0])
AV = np.array([[1.0, 0.5, -0.2], [0.0, 2.0, 0.3], [-1.0, 0.1, 1.5]])


def _per_example_setup() -> tuple[tt.TensorVariable, tt.TensorVariable, tt.TensorVariable]:
    x, w = tt.vector("x", shape=(3,)), tt.vector("w", shape=(3,))
    cost = (tt.exp(x * w) + tt.log1p(x * x)).sum()
    return x, w, cost


def _rich_setup() -> tuple[tt.TensorVariable, tt.TensorVariable, tt.TensorVariable]:
    """A cost with a matrix product, a softmax, indexing, a join and a reduction."""
    x, w = tt.vector("x", shape=(3,)), tt.vector("w", shape=(3,))
    a = tt.constant(AV)
    h = tt.tanh(tt.matmul(a, x) + w)
    p = tt.softmax(tt.concatenate([h, x[1:] * w[0]]), axis=0)
    cost = (p * tt.arange(5)).sum() + tt.logsumexp(h * x) + tt.sort(x * w)[-1]
    return x, w, cost


SETUPS = {"elemwise": _per_example_setup, "rich": _rich_setup}


@pytest.mark.parametrize("setup", SETUPS.values(), ids=list(SETUPS))
def test_vectorized_gradient_equals_per_example_gradients(setup: Callable[..., tuple]) -> None:
    autodiff = pytest.importorskip("tensorgraft.autodiff")
    x, w, cost = setup()
    g = autodiff.grad(cost, x)
    new_x = tt.matrix("new_x", shape=(None, 3))
    batched = vectorize_graph(g, {x: new_x})
    got = function([new_x, w], batched, mode="python")(XV, WV)
    core = function([x, w], g, mode="python")
    np.testing.assert_allclose(got, np.stack([core(row, WV) for row in XV]), rtol=1e-12)


@pytest.mark.parametrize("setup", SETUPS.values(), ids=list(SETUPS))
def test_gradient_of_a_vectorized_graph_equals_per_example_gradients(
    setup: Callable[..., tuple],
) -> None:
    autodiff = pytest.importorskip("tensorgraft.autodiff")
    x, w, cost = setup()
    new_x = tt.matrix("new_x", shape=(None, 3))
    costs = vectorize_graph(cost, {x: new_x})
    g_x, g_w = autodiff.grad(tt.sum(costs), [new_x, w])
    got_x, got_w = function([new_x, w], [g_x, g_w], mode="python")(XV, WV)
    core = function([x, w], autodiff.grad(cost, [x, w]), mode="python")
    per_example = [core(row, WV) for row in XV]
    np.testing.assert_allclose(got_x, np.stack([gx for gx, _ in per_example]), rtol=1e-12)
    # The unbatched parameter gets the sum of the per-example gradients.
    np.testing.assert_allclose(got_w, np.sum([gw for _, gw in per_example], axis=0), rtol=1e-12)


def test_finite_differences_agree_with_the_vectorized_gradient() -> None:
    autodiff = pytest.importorskip("tensorgraft.autodiff")
    x, w, cost = _rich_setup()
    new_x = tt.matrix("new_x", shape=(None, 3))
    costs = vectorize_graph(cost, {x: new_x})
    g = function([new_x, w], autodiff.grad(tt.sum(costs), new_x), mode="python")(XV, WV)
    f = function([new_x, w], tt.sum(costs), mode="python")
    eps = 1e-6
    fd = np.zeros_like(XV)
    for idx in np.ndindex(*XV.shape):
        step = np.zeros_like(XV)
        step[idx] = eps
        fd[idx] = (f(XV + step, WV) - f(XV - step, WV)) / (2 * eps)
    np.testing.assert_allclose(g, fd, rtol=1e-6, atol=1e-8)


# -- scalarization: one entry of a vectorized graph --------------------------------------------


VIEWS = (Subtensor, DimShuffle, Shape, ShapeI)
BATCH = 7  # a batch length that no core length in these tests equals


def _ops_computing_on_the_batch(batch: Variable, output: Variable) -> list[str]:
    """The ops of `output`'s graph, other than views and shape queries, that receive an
    array with a batch dimension when `batch` holds BATCH elements."""
    nodes = [n for n in toposort([output]) if not isinstance(n.op, VIEWS)]
    operands = list({i for n in nodes for i in n.inputs})
    fn = function([batch], operands, mode="python", on_unused_input="ignore")
    values = fn(np.ones((BATCH, *batch.type.shape[1:])))  # type: ignore[attr-defined]
    big = {v for v, value in zip(operands, values, strict=True) if BATCH in np.shape(value)}
    return [str(n.op) for n in nodes if big.intersection(n.inputs)]


def _x() -> tt.TensorVariable:
    return tt.vector("x", shape=(3,))


CORE_GRAPHS: dict[str, Callable[[tt.TensorVariable], tt.TensorVariable]] = {
    "elemwise": lambda x: tt.exp(x) * 2,
    "seed_log1p": lambda x: tt.log(1 + x),
    "slice_then_elemwise": lambda x: tt.exp(x)[1:],
    "reduction": lambda x: tt.exp(x).sum(),
    "transpose": lambda x: (x[:, None] * x[None, :] + 1).T,
    "matmul": lambda x: tt.matmul(tt.constant(AV), x),
    "softmax": lambda x: tt.softmax(x, axis=0),
    "cumsum": lambda x: tt.cumsum(tt.exp(x), axis=0),
    "join": lambda x: tt.concatenate([x, tt.exp(x)]),
    "reshape": lambda x: tt.reshape(tt.exp(x), (3, 1)),
}


@pytest.mark.parametrize("name", list(CORE_GRAPHS))
def test_one_entry_of_a_vectorized_graph_computes_only_that_entry(name: str) -> None:
    rewrite = pytest.importorskip("tensorgraft.rewrite")
    x = _x()
    core = CORE_GRAPHS[name](x)
    new_x = tt.matrix("new_x", shape=(None, 3))
    entry = vectorize_graph(core, {x: new_x})[1]
    rewritten = rewrite.rewrite_graph(entry)
    xv = np.arange(6.0).reshape(2, 3) / 4
    expected = function([x], core, mode="python")(xv[1])
    np.testing.assert_allclose(function([new_x], rewritten, mode="python")(xv), expected)
    # The batch is indexed first; the math runs on that one element only.
    assert _ops_computing_on_the_batch(new_x, rewritten) == []


def test_the_seed_scalarization_reads_one_entry() -> None:
    rewrite = pytest.importorskip("tensorgraft.rewrite")
    x = tt.tensor(shape=(3,), dtype="float64")
    new_x = tt.matrix("new_x", shape=(2, 3))
    new_y = vectorize_graph(tt.log(1 + x), replace={x: new_x})
    entry = rewrite.rewrite_graph(new_y[0, 1])
    assert entry.type.shape == ()
    nodes = toposort([entry])
    readers = [n for n in nodes if new_x in n.inputs]
    assert len(readers) == 1 and isinstance(readers[0].op, Subtensor)
    assert readers[0].outputs[0].type.shape == ()  # type: ignore[attr-defined]
    xv = np.arange(6.0).reshape(2, 3)
    np.testing.assert_allclose(function([new_x], entry, mode="python")(xv), np.log1p(xv[0, 1]))


# -- compilation ---------------------------------------------------------------------------


def _usable_backends() -> list[str]:
    return [n for n in installed_backends() if load_backend(n).unavailable_reason() is None]


@pytest.mark.parametrize("mode", [None, *_usable_backends()])
def test_a_vectorized_graph_compiles_on_every_usable_backend(mode: str | None) -> None:
    x, w, cost = _rich_setup()
    new_x = tt.matrix("new_x", shape=(None, 3))
    norm = vectorize(lambda v: tt.sqrt((v * v).sum()), signature="(n)->()")
    outputs = [vectorize_graph(cost, {x: new_x}), norm(new_x)]
    got_cost, got_norm = function([new_x, w], outputs, mode=mode)(XV, WV)
    core = function([x, w], cost, mode="python")
    np.testing.assert_allclose(got_cost, [core(row, WV) for row in XV], rtol=1e-10)
    np.testing.assert_allclose(got_norm, np.linalg.norm(XV, axis=1), rtol=1e-12)


def test_a_sliced_vectorized_matrix_product_compiles() -> None:
    x, y = tt.tensor("x", shape=(3, 4)), tt.tensor("y", shape=(4,))
    core = tt.matmul(x, y)[::-1]
    new_x = tt.tensor("new_x", shape=(2, 3, 4))
    out = vectorize_graph(core, {x: new_x})
    xv, yv = np.arange(24.0).reshape(2, 3, 4), np.array([1.0, -1.0, 2.0, 0.5])
    got = function([new_x, y], out)(xv, yv)
    np.testing.assert_allclose(got, (xv @ yv)[:, ::-1])
