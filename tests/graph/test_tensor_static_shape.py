"""Static shape inference (`type.shape`) against NumPy's result shapes, for every op."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest

import tensorgraft.tensor as tt
from tensorgraft.compile import function
from tensorgraft.graph.basic import Constant, Variable
from tensorgraft.graph.replace import graph_replace
from tensorgraft.graph.traversal import ancestors, toposort
from tensorgraft.tensor.catalog import CASES, get_case

Shape = tuple[int | None, ...]


def node_outputs(outputs: list[Variable]) -> list[Variable]:
    return [out for node in toposort(outputs) for out in node.outputs]


def has_value_dependent_shape(outputs: list[Variable]) -> bool:
    """Whether some length in the graph comes from a value rather than from input shapes.

    Symbolic slice bounds and index arrays, integer scalars used as sizes (`eye(n)`), shapes
    used as values (`arange(x.shape[0])`: folded to a constant by the rewrites, not by
    make_node), and lstsq's residuals (empty unless the solution has full rank) leave
    lengths unknown without being wrong.
    """
    indexing = (tt.Subtensor, tt.AdvancedSubtensor, tt.AdvancedIncSubtensor)
    for n in toposort(outputs):
        if isinstance(n.op, indexing) and not all(isinstance(i, Constant) for i in n.inputs[1:]):
            return True
        if isinstance(n.op, tt.Shape | tt.ShapeI) or type(n.op).__name__ == "Lstsq":
            return True
        core = getattr(n.op, "core_op", None)
        if core is not None and type(core).__name__ == "Lstsq":
            return True
    return any(
        v.owner is None and not isinstance(v, Constant) and v.type.ndim == 0
        for v in ancestors(outputs)
        if v.type.dtype.startswith(("int", "uint"))
    )


# -- every catalog case, its inputs given the static shapes of their values ------------------------
@pytest.mark.parametrize("name", [c.name for c in CASES])
def test_static_shapes_are_numpys_when_input_shapes_are_known(name: str) -> None:
    inputs, outputs, values = get_case(name).build(np.random.default_rng(0))
    static = [
        tt.tensor(v.name, shape=np.shape(x), dtype=v.type.dtype)
        for v, x in zip(inputs, values, strict=True)
    ]
    outputs = graph_replace(outputs, list(zip(inputs, static, strict=True)))
    variables = node_outputs(outputs)
    actual = function(static, variables, mode="python", on_unused_input="ignore")(*values)
    for var, value in zip(variables, actual, strict=True):
        got = var.type.shape
        may_be_unknown = has_value_dependent_shape([var])
        assert len(got) == value.ndim, f"{var}: static rank {len(got)}, computed {value.shape}"
        for s, n in zip(got, value.shape, strict=True):
            assert s == n or (s is None and may_be_unknown), (
                f"{name}: {var.owner.op} has static shape {got}, NumPy gives {value.shape}"
            )


@pytest.mark.parametrize("name", [c.name for c in CASES])
def test_static_shapes_never_contradict_unknown_input_shapes(name: str) -> None:
    inputs, outputs, values = get_case(name).build(np.random.default_rng(0))
    unknown = [tt.tensor(v.name, shape=(None,) * v.ndim, dtype=v.type.dtype) for v in inputs]
    outputs = graph_replace(outputs, list(zip(inputs, unknown, strict=True)), strict=False)
    variables = node_outputs(outputs)
    actual = function(unknown, variables, mode="python", on_unused_input="ignore")(*values)
    for var, value in zip(variables, actual, strict=True):
        for s, n in zip(var.type.shape, value.shape, strict=True):
            assert s is None or s == n, f"{name}: {var} static {var.type.shape}, got {value.shape}"


# -- Elemwise broadcasting -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ((3,), (3,), (3,)),
        ((2, 3), (3,), (2, 3)),
        ((1, 3), (2, 1), (2, 3)),
        ((), (2, 3), (2, 3)),
        ((0,), (1,), (0,)),
        ((0, 3), (3,), (0, 3)),
        ((None,), (3,), (3,)),
        ((None,), (1,), (None,)),
        ((None,), (None,), (None,)),
        ((1,), (1,), (1,)),
        ((None, 1), (1, None), (None, None)),
        ((None, 1), (1, 4), (None, 4)),
        ((), (None,), (None,)),
        ((0,), (None,), (0,)),
        ((2, None, 1), (None, 5), (2, None, 5)),
    ],
)
def test_elemwise_static_broadcast(a: Shape, b: Shape, expected: Shape) -> None:
    x, y = tt.tensor("x", shape=a), tt.tensor("y", shape=b)
    for z in (x + y, y * x, tt.switch(x > 0, x, y), tt.add(x, y, x)):
        assert z.type.shape == expected
    if None not in a + b:
        assert expected == np.broadcast_shapes(a, b)  # type: ignore[arg-type]


def test_elemwise_static_broadcast_error_names_the_variables() -> None:
    p, q = tt.vector("p", shape=(3,)), tt.vector("q", shape=(4,))
    with pytest.raises(ValueError, match=r"'p'.*shape \(3,\).*'q'.*shape \(4,\)"):
        p + q
    with pytest.raises(ValueError, match="axis -1 has lengths 2 and 3"):
        tt.matrix("m", shape=(2, 3)) * tt.matrix("n", shape=(None, 2))
    with pytest.raises(ValueError, match="broadcast"):
        np.ones(3) + np.ones(4)  # NumPy refuses too


def test_elemwise_run_time_broadcast_of_unknown_dims() -> None:
    x, y = tt.matrix("x"), tt.matrix("y")
    f = function([x, y], [x + y, x * y], mode="python")
    for a, b in [((1, 3), (2, 1)), ((2, 3), (1, 1)), ((1, 1), (1, 1)), ((0, 1), (1, 5))]:
        va, vb = np.ones(a), np.full(b, 2.0)
        for out in f(va, vb):
            assert out.shape == np.broadcast_shapes(a, b)
    with pytest.raises(ValueError):
        f(np.ones((2, 3)), np.ones((3, 2)))


# -- DimShuffle ------------------------------------------------------------------------------------
def test_dimshuffle_static_shapes() -> None:
    x = tt.tensor3("x", shape=(2, 1, 4))
    value = np.zeros((2, 1, 4))
    pairs = [
        (x.T, value.T),
        (x.transpose(2, 0, 1), value.transpose(2, 0, 1)),
        (x.squeeze(), value.squeeze()),
        (x.squeeze(1), value.squeeze(1)),
        (x[None], value[None]),
        (tt.expand_dims(x, (0, -1)), np.expand_dims(value, (0, -1))),
        (x.dimshuffle(2, "x", 0), value.squeeze(1).T[:, None, :]),
    ]
    for var, expected in pairs:
        assert var.type.shape == expected.shape, str(var.owner.op)
    u = tt.tensor3("u", shape=(None, 1, None))
    assert u.T.type.shape == (None, 1, None)
    assert u.dimshuffle(0, "x", 2).type.shape == (None, 1, None)
    assert u.squeeze().type.shape == (None, None)
    assert u.squeeze(0).type.shape == (1, None)  # dropping an unknown axis: checked later


# -- Sum -------------------------------------------------------------------------------------------
def test_sum_static_shapes_for_every_axis_choice() -> None:
    value = np.zeros((2, 3, 4))
    x = tt.tensor3("x", shape=(2, 3, 4))
    u = tt.tensor3("u", shape=(None, 3, None))
    choices: list[Any] = [None, 0, 1, 2, -1, -3]
    choices += [c for r in (1, 2, 3) for c in itertools.combinations(range(3), r)]
    choices += [(-1, 0), ()]
    for axis in choices:
        for keepdims in (False, True):
            expected = np.sum(value, axis=axis, keepdims=keepdims).shape
            assert x.sum(axis=axis, keepdims=keepdims).type.shape == expected, (axis, keepdims)
            partial = u.sum(axis=axis, keepdims=keepdims).type.shape
            assert len(partial) == len(expected)
            assert all(p in (None, e) for p, e in zip(partial, expected, strict=True))


# -- Subtensor -------------------------------------------------------------------------------------
KEYS: list[Any] = [
    0,
    -1,
    4,
    -5,
    (1, 2),
    (0, -1, 2),
    slice(None),
    slice(1, None),
    slice(None, 2),
    slice(1, 3),
    slice(-2, None),
    slice(None, -1),
    slice(2, 100),
    slice(-100, 2),
    slice(7, None),
    slice(3, 1),
    slice(None, None, 2),
    slice(None, None, -1),
    slice(4, 0, -2),
    slice(-1, -4, -1),
    slice(100, -100, -3),
    (slice(1, 3), 2),
    (slice(None), slice(None, None, -2), 0),
    (None, 1),
    (Ellipsis, 1),
    (1, Ellipsis, None),
    (None, Ellipsis, None),
    (slice(None, 0), None, slice(1, 2)),
]


@pytest.mark.parametrize("key", KEYS, ids=str)
def test_subtensor_static_shapes(key: Any) -> None:
    value = np.zeros((5, 4, 3))
    x = tt.tensor3("x", shape=(5, 4, 3))
    assert x[key].type.shape == value[key].shape
    # With unknown lengths: a sliced axis is unknown, unless it is a full slice.
    u = tt.tensor3("u", shape=(None, 4, None))
    got = u[key].type.shape
    assert len(got) == value[key].ndim
    assert all(g in (None, e) for g, e in zip(got, value[key].shape, strict=True))


def test_subtensor_slice_of_unknown_length_is_unknown() -> None:
    # x[0:5] of a vector of unknown length n has length min(5, n): not known statically.
    x = tt.vector("x")
    for key in [slice(0, 5), slice(2, 5), slice(None, 3), slice(-3, None), slice(0, 9, 2)]:
        assert x[key].type.shape == (None,), key
        out = function([x], x[key], mode="python")(np.arange(3.0))
        np.testing.assert_array_equal(out, np.arange(3.0)[key])
    assert x[:].type.shape == (None,) and x[::1].type.shape == (None,)


def test_subtensor_symbolic_bounds_give_unknown_lengths() -> None:
    x = tt.vector("x", shape=(6,))
    i = tt.scalar("i", dtype="int64")
    assert x[i:].type.shape == (None,)
    assert x[:i:2].type.shape == (None,)
    assert x[i].type.shape == ()
    assert x[1 : tt.constant(4)].type.shape == (3,)  # constants count as known


# -- Blockwise, matmul, dot ------------------------------------------------------------------------
PRODUCT_SHAPES = [
    ((4,), (4,)),
    ((3, 4), (4,)),
    ((4,), (4, 2)),
    ((3, 4), (4, 2)),
    ((2, 3, 4), (4, 5)),
    ((2, 3, 4), (2, 4, 5)),
    ((2, 1, 3, 4), (5, 4, 2)),
    ((4,), (2, 4, 5)),
    ((2, 3, 4), (4,)),
    ((0, 3, 4), (1, 4, 2)),
    ((3, 0), (0, 2)),
]


@pytest.mark.parametrize(("a", "b"), PRODUCT_SHAPES, ids=str)
def test_matmul_static_shapes(a: Shape, b: Shape) -> None:
    x, y = tt.tensor("x", shape=a), tt.tensor("y", shape=b)
    expected = np.matmul(np.zeros(a), np.zeros(b)).shape
    assert tt.matmul(x, y).type.shape == expected
    assert (x @ y).type.shape == expected
    assert tt.dot(x, y).type.shape == np.dot(np.zeros(a), np.zeros(b)).shape


@pytest.mark.parametrize(
    ("a", "b"),
    [((3, 4), (2, 4, 5)), ((2, 3, 4), (5, 4, 2)), ((), (2, 3)), ((2, 3), ()), ((4,), (3, 4, 2))],
    ids=str,
)
def test_dot_static_shapes(a: Shape, b: Shape) -> None:
    x, y = tt.tensor("x", shape=a), tt.tensor("y", shape=b)
    assert tt.dot(x, y).type.shape == np.dot(np.zeros(a), np.zeros(b)).shape


def test_blockwise_static_shapes_with_unknown_dims() -> None:
    bw = tt.Blockwise(tt.Dot(), "(m,k),(k,n)->(m,n)")
    cases = [
        (((None, 2, 3), (5, 3, 4)), (5, 2, 4)),
        (((None, 2, 3), (1, 3, 4)), (None, 2, 4)),
        (((1, 2, 3), (1, 3, 4)), (1, 2, 4)),
        (((None, None), (3, 4)), (None, 4)),
        (((2, None), (None, 4)), (2, 4)),
        (((7, 1, 2, 3), (None, 3, None)), (7, None, 2, None)),
        (((3, None, 2, 3), (4, 3, 1)), (3, 4, 2, 1)),
    ]
    for (a, b), expected in cases:
        x, y = tt.tensor("x", shape=a), tt.tensor("y", shape=b)
        assert bw(x, y).type.shape == expected, (a, b)


def test_blockwise_static_batch_broadcast_error() -> None:
    bw = tt.Blockwise(tt.Dot(), "(m,k),(k,n)->(m,n)")
    a, b = tt.tensor("a", shape=(2, 2, 3)), tt.tensor("b", shape=(3, 3, 4))
    with pytest.raises(ValueError, match=r"'a'.*'b'"):
        bw(a, b)


# -- Shape, ShapeI, Cast ---------------------------------------------------------------------------
def test_shape_ops_static_shapes() -> None:
    for shape in [(), (3,), (None, 2), (1, None, 4)]:
        x = tt.tensor("x", shape=shape)
        assert x.shape.type.shape == (len(shape),) and x.shape.dtype == "int64"
        for i in range(len(shape)):
            assert tt.ShapeI(i)(x).type.shape == () and tt.ShapeI(i)(x).dtype == "int64"
        assert tt.cast(x, "int8").type.shape == shape
        assert tt.exp(x).type.shape == shape
