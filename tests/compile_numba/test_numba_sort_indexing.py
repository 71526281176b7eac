"""Sorting and advanced indexing on the numba backend, against NumPy: NaNs and ties,
negative and broadcast index arrays, masks, repeated indices, and the errors."""

from __future__ import annotations

import numpy as np
import pytest

import tensorgraft.tensor as tt
from tensorgraft.compile import function
from tensorgraft.compile_numba import NumbaBackend

STRICT = NumbaBackend(callbacks=False)  # these graphs must compile without callbacks


def test_sort_and_argsort_along_every_axis_with_nans_and_ties() -> None:
    x = tt.tensor3("x")
    outs = [f(x, axis=a) for a in (0, 1, 2) for f in (tt.sort, tt.argsort)]
    f = function([x], outs, mode=STRICT)
    rng = np.random.default_rng(0)
    xv = rng.integers(0, 3, size=(4, 5, 6)).astype(float)  # many ties
    xv[rng.random(xv.shape) < 0.2] = np.nan
    xv[0, 0, :3] = [-0.0, 0.0, -0.0]
    expected = [g(xv, axis=a, kind="stable") for a in (0, 1, 2) for g in (np.sort, np.argsort)]
    for k, (got, e) in enumerate(zip(f(xv), expected, strict=True)):
        np.testing.assert_array_equal(got, e, err_msg=f"output {k}")
    assert all(len(g) == 0 for g in f(np.ones((0, 2, 3)))[::2])


def test_argsort_of_complex_values_orders_like_numpy() -> None:
    x = tt.vector("x", dtype="complex128")
    f = function([x], [tt.argsort(x), tt.sort(x)], mode=STRICT)
    nan = np.nan
    xv = np.array([1 + 1j, nan + 0j, 1 + nan * 1j, 0 + 5j, 1 + 0j, nan + nan * 1j, 1 + 1j, -1j])
    idx, srt = f(xv)
    np.testing.assert_array_equal(idx, np.argsort(xv, kind="stable"))
    np.testing.assert_array_equal(srt, np.sort(xv, kind="stable"))


def test_advanced_indexing_with_negative_broadcast_arrays_masks_and_slices() -> None:
    x = tt.tensor3("x")
    i, j = tt.vector("i", dtype="int64"), tt.matrix("j", dtype="int32")
    mask = tt.vector("mask", dtype="bool")
    outs = [
        x[i, :, j],  # separated: the block goes first
        x[:, i[:, None], j[0]],  # adjacent, broadcast (n, 1) with (m,)
        x[mask, 1:, ::-2],
        x[-1, None, i],
    ]
    f = function([x, i, j, mask], outs, mode=STRICT)
    xv = np.arange(60.0).reshape(3, 4, 5)
    iv, jv = np.array([-1, 0, 2, -3]), np.array([[4, -5, 0, 1]], dtype="int32")
    mv = np.array([True, False, True])
    expected = [xv[iv, :, jv], xv[:, iv[:, None], jv[0]], xv[mv, 1:, ::-2], xv[-1, None, iv]]
    for k, (got, e) in enumerate(zip(f(xv, iv, jv, mv), expected, strict=True)):
        np.testing.assert_array_equal(got, e, err_msg=f"output {k}")
    with pytest.raises(IndexError, match="out of bounds for axis 0"):
        f(xv, np.array([3, 0, 0, 0]), jv, mv)
    with pytest.raises(IndexError, match="out of bounds"):
        f(xv, iv, np.array([[5, 0, 0, 0]], dtype="int32"), mv)
    with pytest.raises(IndexError, match="cannot be broadcast"):
        f(xv, iv, np.zeros((1, 3), dtype="int32"), mv)
    with pytest.raises(IndexError, match="boolean index did not match"):
        f(xv, iv, jv, np.array([True, False]))


def test_inc_accumulates_repeated_indices_and_set_keeps_the_last() -> None:
    x, v = tt.matrix("x"), tt.vector("v")
    i = tt.vector("i", dtype="int64")
    outs = [tt.inc_subtensor(x[i, 1:], v[:, None]), tt.set_subtensor(x[i], v[:, None])]
    f = function([x, v, i], outs, mode=STRICT)
    xv, vv = np.zeros((3, 4)), np.array([1.0, 2.0, 3.0, 4.0])
    iv = np.array([0, -3, 2, 0])  # row 0 three times
    inc, st = f(xv, vv, iv)
    expected_inc = xv.copy()
    np.add.at(expected_inc, (iv, slice(1, None)), vv[:, None])
    expected_set = xv.copy()
    expected_set[iv] = vv[:, None]
    np.testing.assert_array_equal(inc, expected_inc)
    np.testing.assert_array_equal(st, expected_set)
    np.testing.assert_array_equal(xv, np.zeros((3, 4)))  # the input is left alone
    with pytest.raises(IndexError, match="out of bounds"):
        f(xv, vv, np.array([0, 1, 2, -4]))
    with pytest.raises(ValueError, match="broadcast"):
        f(xv, np.ones(3), iv)


def test_bounds_are_checked_like_numpy_when_nothing_is_selected() -> None:
    x, k = tt.matrix("x"), tt.scalar("k", dtype="int64")
    i, j = tt.vector("i", dtype="int64"), tt.vector("j", dtype="int64")
    f = function([x, k, i, j], [x[k, i], x[i, j]], mode=STRICT)
    xv, empty = np.arange(12.0).reshape(3, 4), np.zeros(0, dtype="int64")
    # An empty block checks no array index (NumPy), ...
    got = f(xv, np.asarray(1), empty, np.array([7]))
    np.testing.assert_array_equal(got[0], xv[1, empty])
    assert got[1].shape == xv[empty, np.array([0])].shape == (0,)
    # ... but an integer index always.
    with pytest.raises(IndexError, match="out of bounds for axis 0"):
        f(xv, np.asarray(3), empty, empty)
