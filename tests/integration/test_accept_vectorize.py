"""Acceptance tests for issue 6 (the vectorize package), written from the issue text.

A vectorized graph computed on a batch must equal the core graph computed on each batch
element and stacked (NumPy loops over the batch are the reference).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
import scipy.special

import tensorgraft.tensor as tt
import tensorgraft.tensor.linalg as tla
from tensorgraft.compile import function
from tensorgraft.graph.traversal import toposort
from tensorgraft.rewrite.testing import op_names
from tensorgraft.vectorize import catalog_coverage, vectorize, vectorize_graph


def run(inputs, outputs, *values):
    return function(inputs, outputs, mode="python", on_unused_input="ignore")(*values)


def per_example(core_inputs, core_out, batch_values, batch_shape):
    """The core graph run on each batch element (inputs broadcast over the batch) and stacked."""
    f = function(core_inputs, core_out, mode="python", on_unused_input="ignore")
    core_ndims = [i.type.ndim for i in core_inputs]
    vals = [
        np.broadcast_to(v, batch_shape + v.shape[v.ndim - k :])
        for v, k in zip(batch_values, core_ndims, strict=True)
    ]
    rows = [f(*(v[idx] for v in vals)) for idx in np.ndindex(batch_shape)]
    return np.stack(rows).reshape(batch_shape + np.shape(rows[0]))


# ---- the seed --------------------------------------------------------------------------------


def test_seed_vectorize() -> None:
    x = tt.vector("x", shape=(3,))
    y = tt.log(1 + x)
    new_x = tt.matrix("new_x", shape=(2, 3))
    new_y = vectorize_graph(y, replace={x: new_x})
    assert new_y.type.shape == (2, 3) and new_y.dtype == "float64"
    assert "Matrix(float64, shape=(2, 3))" in str(new_y.type) or repr(new_y.type).startswith(
        "Matrix"
    )
    a = np.random.default_rng(0).uniform(size=(2, 3))
    np.testing.assert_allclose(run([new_x], [new_y], a)[0], np.log1p(a))


def test_seed_scalarize() -> None:
    from tensorgraft.rewrite import rewrite_graph

    x = tt.vector("x", shape=(3,))
    new_x = tt.matrix("new_x", shape=(2, 3))
    new_y = vectorize_graph(tt.log(1 + x), replace={x: new_x})
    out = rewrite_graph(new_y[0, 1])
    for node in toposort([out]):
        if getattr(node.op, "scalar_op", None) is not None:
            assert all(o.type.ndim == 0 for o in node.outputs), op_names(out)


# ---- per-op families: batch equals stacking, several batch shapes incl. size-1 broadcasting ----

RNG = np.random.default_rng(1)
CORE: list[tuple[str, Callable[[], tuple[list, object, list[np.ndarray]]]]] = []


def core(name: str):
    def deco(fn):
        CORE.append((name, fn))
        return fn

    return deco


@core("elemwise")
def _():
    x, y = tt.vector("x", shape=(3,)), tt.vector("y", shape=(3,))
    return (
        [x, y],
        tt.exp(x) * tt.sin(y) + tt.sigmoid(x - y),
        [RNG.normal(size=3), RNG.normal(size=3)],
    )


@core("reduction_axis")
def _():
    x = tt.matrix("x", shape=(3, 4))
    return (
        [x],
        tt.sum(x, axis=0) + tt.max(x, axis=-1).sum() + tt.argmax(x, axis=1).sum(),
        [RNG.normal(size=(3, 4))],
    )


@core("reduction_keepdims_logsumexp")
def _():
    x = tt.matrix("x", shape=(3, 4))
    return (
        [x],
        x - tt.logsumexp(x, axis=1, keepdims=True) + tt.var(x, axis=None),
        [RNG.normal(size=(3, 4))],
    )


@core("cumsum")
def _():
    x = tt.matrix("x", shape=(3, 4))
    return [x], tt.cumsum(x, axis=1) + tt.cumprod(x, axis=0), [RNG.normal(size=(3, 4))]


@core("basic_indexing")
def _():
    x = tt.matrix("x", shape=(4, 5))
    return [x], x[1:, ::-2][0] * x[-1, 2], [RNG.normal(size=(4, 5))]


@core("advanced_indexing")
def _():
    x = tt.matrix("x", shape=(4, 5))
    return [x], x[[0, 3, 3], 1:] + x[2, [4, 0, 1, 2]][:1], [RNG.normal(size=(4, 5))]


@core("batched_index")
def _():
    x = tt.vector("x", shape=(5,))
    i = tt.vector("i", shape=(2,), dtype="int64")
    return [x, i], x[i] * 2, [RNG.normal(size=5), np.array([4, 1])]


@core("boolean_mask_reduction")
def _():
    x = tt.vector("x", shape=(5,))
    return [x], tt.sum(tt.where(x > 0, x, 0.0)), [RNG.normal(size=5)]


@core("set_inc_subtensor")
def _():
    x, v = tt.vector("x", shape=(5,)), tt.scalar("v")
    return (
        [x, v],
        tt.set_subtensor(x[1:3], v) + x[[0, 0, 1, 2, 4]].inc(v),
        [RNG.normal(size=5), np.array(2.0)],
    )


@core("shape_ops")
def _():
    x = tt.matrix("x", shape=(2, 3))
    out = tt.concatenate([x.reshape((3, 2)).T, tt.flip(x, axis=1)], axis=0)
    out = tt.stack([out, tt.roll(out, 1, axis=0)], axis=0).flatten() + tt.tile(x, (1, 4)).sum()
    return [x], out, [RNG.normal(size=(2, 3))]


@core("expand_squeeze_broadcast")
def _():
    x = tt.vector("x", shape=(3,))
    return (
        [x],
        tt.broadcast_to(tt.expand_dims(x, 0), (2, 3)) + tt.squeeze(x[None, :, None]),
        [RNG.normal(size=3)],
    )


@core("symbolic_shape_args")
def _():
    x = tt.matrix("x", shape=(2, 3))
    return (
        [x],
        tt.zeros_like(x) + tt.ones((x.shape[0], 1)) * x + tt.arange(3),
        [RNG.normal(size=(2, 3))],
    )


@core("matmul_dot")
def _():
    a, b = tt.matrix("a", shape=(2, 3)), tt.vector("b", shape=(3,))
    return (
        [a, b],
        tt.dot(a, b) + (a @ a.T).sum(axis=0) + tt.einsum("ij,j->i", a, b),
        [RNG.normal(size=(2, 3)), RNG.normal(size=3)],
    )


@core("linalg")
def _():
    a = tt.matrix("a", shape=(3, 3))
    spd = a @ a.T + 3 * tt.eye(3)
    out = (
        tla.solve(spd, tt.ones(3))
        + tla.det(spd)
        + tla.cholesky(spd).sum(axis=0)
        + tla.eigvalsh(spd)
    )
    return [a], out, [RNG.normal(size=(3, 3))]


@core("sort_softmax_special")
def _():
    x = tt.vector("x", shape=(4,))
    return [x], tt.sort(x) + tt.softmax(x) + tt.erf(x) + tt.argsort(x), [RNG.normal(size=4)]


@pytest.mark.parametrize("batch_shape", [(2,), (2, 3), (1,)])
@pytest.mark.parametrize("case", CORE, ids=[c[0] for c in CORE])
def test_batched_equals_stacked(case, batch_shape: tuple[int, ...]) -> None:
    inputs, out, values = case[1]()
    rng = np.random.default_rng(2)
    new_inputs, new_values = [], []
    for k, (i, v) in enumerate(zip(inputs, values, strict=True)):
        # broadcasting: the second input (when any) gets size-1 batch dims
        shape = tuple(1 for _ in batch_shape) if k == 1 and len(batch_shape) > 1 else batch_shape
        bv = np.stack([v] * int(np.prod(shape))).reshape(shape + v.shape)
        if bv.dtype.kind == "f":
            bv = bv + rng.normal(scale=0.1, size=bv.shape)
        new_inputs.append(tt.tensor(f"b{i.name}", shape=shape + v.shape, dtype=str(v.dtype)))
        new_values.append(bv)
    new_out = vectorize_graph(out, dict(zip(inputs, new_inputs, strict=True)))
    expected = per_example(inputs, out, new_values, batch_shape)
    assert new_out.type.shape == expected.shape, (new_out.type.shape, expected.shape)
    got = run(new_inputs, [new_out], *new_values)[0]
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)


def test_batched_symbolic_shape_argument_is_handled_or_rejected_clearly() -> None:
    n = tt.scalar("n", dtype="int64")
    out = tt.ones((n,)) * 2.0
    bn = tt.vector("bn", dtype="int64", shape=(2,))
    try:
        new = vectorize_graph(out, {n: bn})
    except (ValueError, TypeError, NotImplementedError) as err:
        assert "n" in str(err) and len(str(err)) < 500
        return
    # the only consistent result: equal lengths
    np.testing.assert_array_equal(run([bn], [new], np.array([3, 3]))[0], np.full((2, 3), 2.0))


def test_blockwise_of_blockwise_collapses() -> None:
    a = tt.tensor("a", shape=(4, 3, 3), dtype="float64")
    out = tla.inv(a)  # already a Blockwise over the 4
    b = tt.tensor("b", shape=(2, 4, 3, 3), dtype="float64")
    new = vectorize_graph(out, {a: b})
    blockwise = [n for n in toposort([new]) if type(n.op).__name__ == "Blockwise"]
    assert len(blockwise) == 1
    assert getattr(blockwise[0].op, "core_op", None) is not None
    assert type(blockwise[0].op.core_op).__name__ != "Blockwise"
    v = np.eye(3) * 2 + np.random.default_rng(3).normal(scale=0.1, size=(2, 4, 3, 3))
    np.testing.assert_allclose(run([b], [new], v)[0], np.linalg.inv(v))


# ---- vectorize(fn, signature=) ---------------------------------------------------------------


def test_vectorize_function_with_signature() -> None:
    norm = vectorize(lambda v: tt.sqrt((v * v).sum()), signature="(n)->()")
    m = tt.matrix("m")
    out = norm(m)
    assert out.ndim == 1
    a = np.random.default_rng(4).normal(size=(3, 4))
    np.testing.assert_allclose(run([m], [out], a)[0], np.linalg.norm(a, axis=1))


def test_vectorize_matches_numpy_vectorize_broadcasting() -> None:
    def affine(A, x):
        return A @ x + 1.0

    sig = "(m,n),(n)->(m)"
    f = vectorize(affine, signature=sig)
    A = tt.tensor("A", shape=(1, 2, 3), dtype="float64")
    x = tt.tensor("x", shape=(4, 3), dtype="float64")
    out = f(A, x)
    a, v = (
        np.random.default_rng(5).normal(size=(1, 2, 3)),
        np.random.default_rng(6).normal(size=(4, 3)),
    )
    expected = np.vectorize(lambda M, y: M @ y + 1.0, signature=sig)(a, v)
    assert out.type.shape == expected.shape
    np.testing.assert_allclose(run([A, x], [out], a, v)[0], expected)


def test_vectorize_scalar_core_without_signature() -> None:
    f = vectorize(lambda a, b: tt.switch(a > b, a - b, scipy_like_logaddexp(a, b)))
    x, y = tt.matrix("x", shape=(2, 3)), tt.vector("y", shape=(3,))
    out = f(x, y)
    a, b = np.random.default_rng(7).normal(size=(2, 3)), np.random.default_rng(8).normal(size=3)
    np.testing.assert_allclose(
        run([x, y], [out], a, b)[0], np.where(a > b, a - b, np.logaddexp(a, b))
    )


def scipy_like_logaddexp(a, b):
    return tt.logaddexp(a, b)


def test_vectorize_multiple_outputs() -> None:
    f = vectorize(lambda v: [v.sum(), v.max()], signature="(n)->(),()")
    m = tt.matrix("m", shape=(3, 4))
    s, mx = f(m)
    a = np.random.default_rng(9).normal(size=(3, 4))
    got = run([m], [s, mx], a)
    np.testing.assert_allclose(got[0], a.sum(axis=1))
    np.testing.assert_allclose(got[1], a.max(axis=1))


# ---- composition -----------------------------------------------------------------------------


def test_vectorized_gradient_equals_per_example_gradients() -> None:
    from tensorgraft.autodiff import grad

    w = tt.vector("w", shape=(3,))
    x = tt.vector("x", shape=(3,))
    yv = tt.scalar("yv")
    loss = tt.softplus(tt.dot(x, w)) - yv * tt.dot(x, w)
    g = grad(loss, w)
    bx, by = tt.matrix("bx", shape=(5, 3)), tt.vector("by", shape=(5,))
    bg = vectorize_graph(g, {x: bx, yv: by})
    assert bg.type.shape == (5, 3)
    rng = np.random.default_rng(10)
    wv, xv, yvv = (
        rng.normal(size=3),
        rng.normal(size=(5, 3)),
        rng.integers(0, 2, size=5).astype(float),
    )
    expected = (scipy.special.expit(xv @ wv) - yvv)[:, None] * xv
    np.testing.assert_allclose(run([w, bx, by], [bg], wv, xv, yvv)[0], expected, rtol=1e-12)


def test_gradient_of_vectorized_graph() -> None:
    from tensorgraft.autodiff import grad

    x = tt.vector("x", shape=(3,))
    y = tt.sum(tt.tanh(x) ** 2)
    bx = tt.matrix("bx", shape=(2, 3))
    by = vectorize_graph(y, {x: bx})
    g = grad(by.sum(), bx)
    a = np.random.default_rng(11).normal(size=(2, 3))
    np.testing.assert_allclose(run([bx], [g], a)[0], 2 * np.tanh(a) * (1 - np.tanh(a) ** 2))


def test_vectorized_graph_rewrites_and_compiles_on_default_mode() -> None:
    x = tt.vector("x", shape=(3,))
    y = tt.log(1 + tt.exp(x))
    bx = tt.matrix("bx", shape=(2, 3))
    by = vectorize_graph(y, {x: bx})
    f = function([bx], by)
    a = np.array([[-800.0, 0.0, 800.0], [1.0, 2.0, 3.0]])
    np.testing.assert_allclose(f(a), np.logaddexp(0, a))


def test_replacement_with_wrong_core_shape_is_a_clear_error() -> None:
    x = tt.vector("x", shape=(3,))
    bad = tt.matrix("bad", shape=(2, 4))
    with pytest.raises((ValueError, TypeError)) as info:
        vectorize_graph(tt.exp(x), {x: bad})
    assert "x" in str(info.value) and len(str(info.value)) < 500


def test_replacement_with_fewer_dims_is_rejected() -> None:
    x = tt.matrix("x", shape=(2, 3))
    bad = tt.vector("bad", shape=(3,))
    with pytest.raises((ValueError, TypeError)):
        vectorize_graph(tt.exp(x), {x: bad})


# ---- coverage --------------------------------------------------------------------------------


def test_coverage_every_op_has_a_rule_or_blockwise() -> None:
    cov = catalog_coverage()
    assert len(cov) > 100
    missing = sorted(name for name, how in cov.items() if how is None)
    assert not missing


def test_vectorize_graph_of_a_graph_that_folded_its_input_away_is_a_clear_error() -> None:
    # ones_like of a static shape is a constant: the graph no longer reads `a`. The README
    # documents this; the error says why instead of batching a constant.
    a = tt.matrix("a", shape=(3, 4))
    b = tt.tensor("b", shape=(2, 3, 4), dtype="float64")
    with pytest.raises(ValueError, match=r"'a'.* is not part of the graph.*folded"):
        vectorize_graph(tt.ones_like(a) * 2.0, {a: b})


def test_shape_outputs_stay_the_core_shape_as_documented() -> None:
    # Every batch element has the same core shape, so `shape` stays unbatched (as in
    # PyTensor); vectorize(fn, signature) is the form that broadcasts every output.
    a = tt.matrix("a", shape=(3, 4))
    b = tt.tensor("b", shape=(2, 3, 4), dtype="float64")
    out = vectorize_graph(a.shape, {a: b})
    np.testing.assert_array_equal(run([b], [out], np.zeros((2, 3, 4)))[0], [3, 4])
    both = vectorize(lambda m: [m.sum(), m.shape[0] * 1], signature="(m,n)->(),()")(b)
    assert both[1].type.shape == (2,)
    np.testing.assert_array_equal(run([b], [both[1]], np.zeros((2, 3, 4)))[0], [3, 3])


def test_batched_symbolic_bounds_work_and_ragged_results_are_clear_errors() -> None:
    n = tt.scalar("n", dtype="int64")
    bn = tt.vector("bn", dtype="int64", shape=(2,))
    x = tt.vector("x", shape=(5,))
    f = function([bn, x], vectorize_graph(x[:n] * 2.0, {n: bn}), mode="python")
    np.testing.assert_array_equal(f(np.array([3, 3]), np.arange(5.0)), [[0, 2, 4], [0, 2, 4]])
    with pytest.raises(ValueError, match="ragged"):
        f(np.array([2, 3]), np.arange(5.0))
    g = function([bn], vectorize_graph(tt.arange(n) * 1.0, {n: bn}), mode="python")
    np.testing.assert_array_equal(g(np.array([2, 2])), [[0, 1], [0, 1]])
    with pytest.raises(ValueError, match="ragged"):
        g(np.array([2, 3]))


def test_third_party_op_with_a_core_signature_falls_back_to_blockwise() -> None:
    from dataclasses import dataclass

    from tensorgraft.graph.basic import Apply
    from tensorgraft.graph.op import Op

    @dataclass(frozen=True)
    class RowSums(Op):
        """A user's op, (m,n)->(m): unknown to vectorize's rule table."""

        gufunc_signature = "(m,n)->(m)"

        def make_node(self, x):  # type: ignore[no-untyped-def]
            x = tt.as_tensor(x)
            out = tt.tensor(dtype=x.dtype, shape=(x.type.shape[0],))
            return Apply(self, [x], [out])

        def perform(self, node, inputs):  # type: ignore[no-untyped-def]
            return [np.asarray(inputs[0]).sum(axis=1)]

        def infer_shape(self, fgraph, node, input_shapes):  # type: ignore[no-untyped-def]
            return [(input_shapes[0][0],)]

    x = tt.matrix("x", shape=(3, 4))
    out = RowSums()(x) * 2.0
    b = tt.tensor("b", shape=(2, 3, 4), dtype="float64")
    new = vectorize_graph(out, {x: b})
    assert new.type.shape == (2, 3)
    assert "Blockwise" in op_names(new)
    v = np.random.default_rng(12).normal(size=(2, 3, 4))
    np.testing.assert_allclose(run([b], [new], v)[0], v.sum(axis=2) * 2.0)
