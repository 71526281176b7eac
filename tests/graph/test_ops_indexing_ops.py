"""Indexing ops one at a time: the index structure they record, set/inc semantics, casting,
take / take_along_axis, and the in-place flag."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import tensorgraft.tensor as tt
from tensorgraft.compile import function
from tensorgraft.graph.replace import graph_replace
from tensorgraft.tensor.catalog import assert_matches
from tensorgraft.tensor.indexing_key import ARRAY, INT, MASK, NEWAXIS, SliceSpec
from tensorgraft.tensor.subtensor import Subtensor


def run(inputs: list[Any], outputs: Any, *values: Any) -> Any:
    return function(inputs, outputs, mode="python")(*values)


# -- the index structure the ops record ---------------------------------------------------------
def test_idx_list_describes_every_entry() -> None:
    x, k = tt.tensor3("x"), tt.vector("k", dtype="int32")
    y = x[0, 1:, None, k]
    assert isinstance(y.owner.op, tt.AdvancedSubtensor)
    assert y.owner.op.idx_list == (INT, SliceSpec(True, False, False), NEWAXIS, ARRAY)
    assert y.owner.inputs[3] is k  # inputs: x, the int, the start, the array
    assert str(y.owner.op) == "AdvancedSubtensor{i, start:, x, array}"
    mask = x[..., np.array([True, False])]
    assert mask.owner.op.idx_list == (SliceSpec(False, False, False),) * 2 + (MASK,)
    assert x[[0, 1], :].owner.op.idx_list == (ARRAY,)  # trailing full slices are dropped


def test_integers_alone_stay_basic() -> None:
    x, i = tt.matrix("x"), tt.scalar("i", dtype="int8")
    assert isinstance(x[i, np.int64(1)].owner.op, tt.Subtensor)
    assert isinstance(x[np.array(1)].owner.op, tt.Subtensor)  # a 0-d array is an int
    assert isinstance(x[True].owner.op, tt.AdvancedSubtensor)  # a 0-d bool is a mask


def test_write_ops_and_their_forms() -> None:
    x, k = tt.matrix("x"), tt.vector("k", dtype="int64")
    basic = x[1:, 0].set(2.0)
    assert isinstance(basic.owner.op, tt.IncSubtensor) and basic.owner.op.set_instead_of_inc
    assert str(basic.owner.op) == "SetSubtensor{start:, i}"
    adv = x[k].inc(1.0)
    assert isinstance(adv.owner.op, tt.AdvancedIncSubtensor)
    assert (
        not adv.owner.op.set_instead_of_inc and str(adv.owner.op) == "AdvancedIncSubtensor{array}"
    )
    assert adv.owner.inputs[0] is x and adv.owner.inputs[2] is k
    assert adv.type == x.type and adv.owner.op.destroy_map == {}


def test_full_slices_index_the_whole_array_and_can_be_written() -> None:
    x, s = tt.matrix("x"), tt.scalar("s")
    value = np.arange(6.0).reshape(2, 3)
    for view in (x[:], x[...], x[:, :]):
        assert isinstance(view.owner.op, Subtensor) and view.type == x.type
    got = run([x, s], [x[:], x[...].set(s), x[:].inc(s), s[...].set(2.0)], value, 5.0)
    np.testing.assert_array_equal(got[0], value)
    np.testing.assert_array_equal(got[1], np.full((2, 3), 5.0))
    np.testing.assert_array_equal(got[2], value + 5.0)
    assert got[3] == 2.0


# -- semantics ------------------------------------------------------------------------------------
def test_inc_accumulates_and_set_keeps_the_last() -> None:
    x, k, w = tt.vector("x"), tt.vector("k", dtype="int64"), tt.vector("w")
    idx, value = np.array([1, 3, 1, -4]), np.array([10.0, 20.0, 30.0, 40.0])
    inc, st = run([x, k, w], [x[k].inc(w), x[k].set(w)], np.zeros(5), idx, value)
    np.testing.assert_array_equal(inc, [0, 80, 0, 20, 0])
    expected = np.zeros(5)
    expected[idx] = value
    np.testing.assert_array_equal(st, expected)


def test_writes_leave_their_input_unchanged_unless_in_place() -> None:
    x = tt.vector("x")
    y = x[[0, 0]].inc(1.0)
    value = np.zeros(3)
    np.testing.assert_array_equal(
        y.owner.op.perform(y.owner, [value, np.ones(2), np.array([0, 0])])[0], [2, 0, 0]
    )
    assert not value.any()
    inplace = tt.AdvancedIncSubtensor(y.owner.op.idx_list, False, inplace=True)
    assert inplace.destroy_map == {0: [0]} and "inplace" in str(inplace)
    (out,) = inplace.perform(y.owner, [value, np.ones(2), np.array([0, 0])])
    assert out is value and value[0] == 2
    basic = tt.IncSubtensor((INT,), True, inplace=True)
    node = basic.make_node(x, 5.0, 1)
    (out,) = basic.perform(node, [value, np.asarray(5.0), np.asarray(1)])
    assert out is value and value[1] == 5


@pytest.mark.parametrize(
    ("x_dtype", "value", "what"),
    [
        ("int32", np.array([1.7, -2.7]), "set"),  # NumPy's setitem truncates floats
        ("uint8", np.array([3, 4], dtype="int64"), "set"),
        ("bool", np.array([0.0, 2.5]), "set"),
        ("float32", np.array([1.5, 2.5]), "set"),
        ("int8", np.array([100, 100], dtype="int64"), "inc"),  # same_kind: wraps as NumPy
        ("float32", np.array([1.0, 1e-8]), "inc"),
        ("complex64", np.array([1.0, 2.0], dtype="float64"), "inc"),
        ("uint16", np.array([1, 2], dtype="int8"), "inc"),
    ],
)
def test_value_casting_is_numpys(x_dtype: str, value: np.ndarray, what: str) -> None:
    x = tt.vector("x", dtype=x_dtype)
    w = tt.vector("w", dtype=value.dtype)
    out = x[[0, 2]].set(w) if what == "set" else x[[0, 2]].inc(w)
    start = np.arange(1, 4).astype(x_dtype)
    expected = start.copy()
    if what == "set":
        expected[[0, 2]] = value
    else:
        expected[[0, 2]] += value.astype(x_dtype)
    assert_matches(run([x, w], out, start, value), expected, f"{what} {value.dtype} -> {x_dtype}")


def test_python_numbers_as_values() -> None:
    x = tt.vector("x", dtype="int8")
    ys = [x[0].set(-128), x[1:].inc(2), x[[2]].set(1.9), x[0].set(True)]
    got = run([x], ys, np.array([1, 2, 3], dtype="int8"))
    assert [g.dtype.name for g in got] == ["int8"] * 4
    np.testing.assert_array_equal(got[0], [-128, 2, 3])
    np.testing.assert_array_equal(got[1], [1, 4, 5])
    np.testing.assert_array_equal(got[2], [1, 2, 1])
    np.testing.assert_array_equal(got[3], [1, 2, 3])


def test_set_through_new_axes_and_leading_ones() -> None:
    x, w = tt.matrix("x", shape=(3, 4)), tt.tensor3("w", shape=(1, 1, 4))
    y, z = x[None, 1].set(w), x[1:].inc(w)  # w loses its new axis / its leading 1
    value, w_value = np.zeros((3, 4)), np.arange(4.0).reshape(1, 1, 4)
    got_y, got_z = run([x, w], [y, z], value, w_value)
    expected = value.copy()
    expected[None, 1] = w_value
    np.testing.assert_array_equal(got_y, expected)
    np.testing.assert_array_equal(got_z, value + np.r_[[[0] * 4], [np.arange(4.0)] * 2])


def test_zero_d_masks() -> None:
    s, x = tt.scalar("s"), tt.matrix("x", shape=(2, 3))
    outs = [s[True], s[False], x[True, 1], x[np.bool_(False)], s[None, True]]
    got = run([s, x], outs, np.asarray(2.0), np.ones((2, 3)))
    shapes = [(1,), (0,), (1, 3), (0, 2, 3), (1, 1)]
    assert [g.shape for g in got] == shapes
    assert [o.type.shape for o in outs] == shapes


def test_rebuilding_with_static_shapes() -> None:
    """graph_replace re-runs make_node: the ops' static shapes become exact."""
    x, k = tt.matrix("x"), tt.vector("k", dtype="int64")
    y = x[k, 1:].set(tt.ones((2, 1)))
    x2, k2 = tt.matrix("x2", shape=(4, 3)), tt.vector("k2", dtype="int64", shape=(2,))
    z = graph_replace(x[k, 1:], [(x, x2), (k, k2)])
    assert z.type.shape == (2, 2)
    y2 = graph_replace(y, [(x, x2)])
    assert y2.type.shape == (4, 3)


# -- take, take_along_axis ------------------------------------------------------------------------
@pytest.mark.parametrize("axis", [None, 0, 1, -1])
def test_take_matches_numpy(axis: int | None) -> None:
    x, k = tt.matrix("x"), tt.matrix("k", dtype="int32")
    value, idx = np.arange(12.0).reshape(3, 4), np.array([[0, -1], [2, 1]], dtype="int32")
    got = run([x, k], [tt.take(x, k, axis=axis), x.take(k[0, 0], axis=axis)], value, idx)
    assert_matches(got[0], np.take(value, idx, axis=axis), "take")
    assert_matches(got[1], np.take(value, idx[0, 0], axis=axis), "take of a scalar index")


@pytest.mark.parametrize("mode", ["wrap", "clip"])
@pytest.mark.parametrize("axis", [None, 0, -1])
def test_take_modes_match_numpy(mode: str, axis: int | None) -> None:
    x, k = tt.matrix("x"), tt.vector("k", dtype="int8")
    value, idx = np.arange(12.0).reshape(3, 4), np.array([-9, -1, 0, 5, 127], dtype="int8")
    got = run([x, k], tt.take(x, k, axis=axis, mode=mode), value, idx)
    assert_matches(got, np.take(value, idx, axis=axis, mode=mode), f"{mode} axis={axis}")


@pytest.mark.parametrize("axis", [0, 1, -1, None])
def test_take_along_axis_with_unknown_shapes(axis: int | None) -> None:
    x, k = tt.matrix("x"), tt.matrix("k", dtype="int64")
    rng = np.random.default_rng(0)
    value = rng.normal(size=(3, 4))
    order = np.argsort(value, axis=axis if axis is not None else -1)
    idx = order if axis is not None else order.reshape(-1)[:5]
    kk = k if axis is not None else k[0]
    got = run([x, k], tt.take_along_axis(x, kk, axis=axis), value, np.atleast_2d(idx))
    assert_matches(got, np.take_along_axis(value, idx, axis=axis), f"axis={axis}")


def test_take_along_axis_broadcasts_the_other_axes() -> None:
    x, k = tt.tensor3("x"), tt.tensor3("k", dtype="int64")
    value = np.arange(24.0).reshape(2, 3, 4)
    idx = np.array([[[2], [0], [1]]])  # (1, 3, 1): broadcast on axes 0 and 2
    got = run([x, k], tt.take_along_axis(x, k, axis=1), value, idx)
    assert got.shape == (2, 3, 4)
    assert_matches(got, np.take_along_axis(value, idx, axis=1), "broadcast indices")
