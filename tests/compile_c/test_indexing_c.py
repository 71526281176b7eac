"""Indexing, construction and sorting compiled as C, against NumPy.

The catalog sweep (test_catalog.py) covers every case on contiguous, strided and size-0
inputs; these tests check what it cannot see: destroy maps, run-time bounds, NumPy's
edge rules (arange lengths, NaNs in sorts, repeated indices).
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import pytest

import tensorgraft.tensor as tt
from tensorgraft.compile import function
from tensorgraft.compile_c import DeferredC, compile_report
from tensorgraft.tensor.construction import Split
from tensorgraft.tensor.indexing import AdvancedIncSubtensor
from tensorgraft.tensor.indexing_key import ARRAY

RNG = np.random.default_rng(0)


def _all_c(fn: Any, *op_names: str) -> None:
    """The nodes whose op name starts with one of `op_names` all run as C."""
    hows = {name: how for name, how in compile_report(fn)}
    picked = {n: h for n, h in hows.items() if n.startswith(op_names)}
    assert picked, hows
    assert set(picked.values()) == {"C"}, picked


@functools.cache
def _fns() -> dict[str, Any]:
    """Every compiled function of this file, in one module (one compiler run)."""
    batch = DeferredC()
    x, v, w = tt.matrix("x"), tt.vector("v"), tt.matrix("w")
    i, j = tt.scalar("i", dtype="int64"), tt.scalar("j", dtype="uint64")
    idx = tt.vector("idx", dtype="int64")
    mask = tt.matrix("mask", dtype="bool")
    n = tt.scalar("n", dtype="int64")
    start, stop, step = (tt.scalar(s, dtype="float64") for s in ("start", "stop", "step"))
    fns = {
        # In place: x is an intermediate (exp(x)) nothing else reads.
        "set_inplace": function([x, v, i], tt.set_subtensor(tt.exp(x)[i, 1:], v), mode=batch),
        "inc": function([x, w, i, j], tt.inc_subtensor(x[i:j], w), mode=batch),
        "set_slice_u64": function([x, j], tt.set_subtensor(x[:j], 0.0), mode=batch),
        "adv_get": function([x, idx], x[idx], mode=batch),
        "adv_get_cols": function([x, idx], x[:, idx], mode=batch),
        "adv_inc": function([x, idx, w], tt.inc_subtensor(x[idx], w), mode=batch),
        "adv_set": function([x, idx, w], tt.set_subtensor(x[idx], w), mode=batch),
        "adv_inc_inplace": function([x, idx, w], tt.inc_subtensor(tt.exp(x)[idx], w), mode=batch),
        "mask_get": function([x, mask], x[mask], mode=batch),
        "mask_set": function([x, mask], tt.set_subtensor(x[mask], -1.0), mode=batch),
        "arange_f": function([start, stop, step], tt.arange(start, stop, step), mode=batch),
        "arange_i": function([n], tt.arange(n, dtype="int32"), mode=batch),
        "eye": function([n, i], tt.eye(n, n + 1, i), mode=batch),
        "diag": function([v], [tt.diag(v), tt.diag(v, 2), tt.diag(v, -1)], mode=batch),
        "diagonal": function([x], [tt.diagonal(x, 1), tt.diagonal(x, -1)], mode=batch),
        "repeat": function([x, idx], tt.repeat(x, idx, axis=1), mode=batch),
        "split": function([x, idx], Split(0, 3)(x, idx), mode=batch),
        "sort": function([x], [tt.sort(x, axis=0), tt.sort(x, axis=1)], mode=batch),
        "argsort": function([x], [tt.argsort(x, axis=0), tt.argsort(x, axis=1)], mode=batch),
    }
    batch.build()
    return fns


def test_set_subtensor_in_place_writes_the_intermediate() -> None:
    fn = _fns()["set_inplace"]
    node = fn.fgraph.outputs[0].owner
    assert node.op.destroy_map == {0: [0]}, "the inplace rewrite should apply"
    _all_c(fn, "SetSubtensor")
    xv = RNG.normal(size=(3, 4))
    for i in (0, 2, -1, -3):
        expected = np.exp(xv)
        expected[i, 1:] = [1.0, 2.0, 3.0]
        np.testing.assert_allclose(fn(xv, np.array([1.0, 2.0, 3.0]), np.array(i)), expected)
    with pytest.raises(IndexError, match="out of bounds"):
        fn(xv, np.ones(3), np.array(3))
    with pytest.raises(ValueError, match="broadcast"):
        fn(xv, np.ones(2), np.array(0))


def test_inc_subtensor_copies_its_input_and_broadcasts() -> None:
    fn = _fns()["inc"]
    _all_c(fn, "IncSubtensor")
    xv = RNG.normal(size=(5, 3))
    keep = xv.copy()
    for i, j in [(1, 3), (-2, 10), (4, 1), (0, 2**63 + 5)]:
        wv = RNG.normal(size=(1, 3))
        expected = xv.copy()
        expected[i:j] += wv
        np.testing.assert_allclose(fn(xv, wv, np.array(i), np.array(j, dtype="uint64")), expected)
        np.testing.assert_allclose(fn(xv[::-1], wv, i, j), _inc(xv[::-1], i, j, wv))
    np.testing.assert_array_equal(xv, keep)  # the user's array is not written
    with pytest.raises(ValueError):
        fn(xv, np.ones((2, 3)), np.array(0), np.array(1, dtype="uint64"))


def _inc(x: Any, i: int, j: int, w: Any) -> Any:
    out = x.copy()
    out[i:j] += w
    return out


def test_uint64_bounds_past_the_signed_range_do_not_wrap() -> None:
    xv = RNG.normal(size=(4, 2))
    got = _fns()["set_slice_u64"](xv, np.array(2**64 - 1, dtype="uint64"))
    np.testing.assert_array_equal(got, np.zeros_like(xv))


def test_advanced_indexing_bounds_negative_and_repeated() -> None:
    fns = _fns()
    for name in ("adv_get", "adv_get_cols", "adv_inc", "adv_set", "adv_inc_inplace"):
        _all_c(fns[name], "Advanced")
    xv = RNG.normal(size=(4, 3))
    idx = np.array([0, -1, 2, 0, 0])
    np.testing.assert_array_equal(fns["adv_get"](xv, idx), xv[idx])
    np.testing.assert_array_equal(fns["adv_get_cols"](xv, idx[:3] % 3), xv[:, idx[:3] % 3])
    wv = RNG.normal(size=(5, 3))
    expected = xv.copy()
    np.add.at(expected, idx, wv)  # repeated indices accumulate
    np.testing.assert_allclose(fns["adv_inc"](xv, idx, wv), expected)
    expected = np.exp(xv)
    np.add.at(expected, idx, wv)
    np.testing.assert_allclose(fns["adv_inc_inplace"](xv, idx, wv), expected)
    expected = xv.copy()
    expected[idx] = wv
    np.testing.assert_array_equal(fns["adv_set"](xv, idx, wv), expected)
    for name, args in [
        ("adv_get", (xv, np.array([4]))),
        ("adv_get", (xv, np.array([-5]))),
        ("adv_inc", (xv, np.array([0, 9]), wv[:2])),
        ("adv_set", (xv, np.array([-9]), wv[:1])),
    ]:
        with pytest.raises(IndexError, match=r"\bx\b"):
            fns[name](*args)
    with pytest.raises(ValueError):
        fns["adv_inc"](xv, idx, wv[:2])


def test_boolean_masks() -> None:
    fns = _fns()
    xv = RNG.normal(size=(3, 4))
    mask = xv > 0
    np.testing.assert_array_equal(fns["mask_get"](xv, mask), xv[mask])
    expected = xv.copy()
    expected[mask] = -1.0
    np.testing.assert_array_equal(fns["mask_set"](xv, mask), expected)
    with pytest.raises(IndexError):
        fns["mask_get"](xv, np.ones((3, 5), dtype=bool))


@pytest.mark.parametrize(
    ("start", "stop", "step"),
    [(0.0, 1.0, 0.1), (1.0, 0.0, -0.3), (0.0, 1.0, -1.0), (-2.5, 2.5, 0.7), (0.0, 0.0, 1.0)],
)
def test_arange_follows_numpy_length_rule(start: float, stop: float, step: float) -> None:
    fn = _fns()["arange_f"]
    _all_c(fn, "ARange")
    got = fn(np.array(start), np.array(stop), np.array(step))
    np.testing.assert_array_equal(got, np.arange(start, stop, step))


def test_arange_int_and_zero_step() -> None:
    fns = _fns()
    for n in (0, 1, 7, -3):
        got = fns["arange_i"](np.array(n))
        assert got.dtype == np.int32
        np.testing.assert_array_equal(got, np.arange(n, dtype="int32"))
    with pytest.raises(ValueError, match="step"):
        fns["arange_f"](np.array(0.0), np.array(1.0), np.array(0.0))


def test_eye_and_diagonals() -> None:
    fns = _fns()
    for name in ("eye", "diag", "diagonal"):
        _all_c(fns[name], "Eye", "AllocDiag", "ExtractDiag")
    for n, k in [(3, 0), (3, 1), (3, -2), (0, 0), (2, 5), (2, -5)]:
        np.testing.assert_array_equal(fns["eye"](np.array(n), np.array(k)), np.eye(n, n + 1, k))
    with pytest.raises(ValueError, match="negative"):
        fns["eye"](np.array(-3), np.array(0))
    vv = RNG.normal(size=6)[::2]
    for got, k in zip(fns["diag"](vv), (0, 2, -1), strict=True):
        np.testing.assert_array_equal(got, np.diag(vv, k))
    xv = RNG.normal(size=(4, 6))[:, ::2]
    first, second = fns["diagonal"](xv)
    np.testing.assert_array_equal(first, np.diagonal(xv, 1))
    np.testing.assert_array_equal(second, np.diagonal(xv, -1))
    first[...] = 0.0  # our own array, not a read-only view of x
    assert np.all(np.diagonal(xv, 1) != 0.0)


def test_repeat_and_split() -> None:
    fns = _fns()
    _all_c(fns["repeat"], "Repeat")
    _all_c(fns["split"], "Split")
    xv = RNG.normal(size=(6, 3))
    for reps in ([2], [0, 1, 3], [0, 0, 0]):
        got = fns["repeat"](xv, np.array(reps))
        np.testing.assert_array_equal(got, np.repeat(xv, reps, axis=1))
    for bad in ([1, -1, 1], [1, 2]):
        with pytest.raises(ValueError, match="repeat"):
            fns["repeat"](xv, np.array(bad))
    for sizes in ([1, 2, 3], [0, 6, 0], [6, 0, 0]):
        pieces = fns["split"](xv[::-1], np.array(sizes))
        expected = np.split(xv[::-1], np.cumsum(sizes)[:-1], axis=0)
        for got, e in zip(pieces, expected, strict=True):
            np.testing.assert_array_equal(got, e)
            assert not np.shares_memory(got, xv)
    for bad in ([1, 2, 4], [-1, 4, 3], [1, 2]):
        with pytest.raises(ValueError, match="split"):
            fns["split"](xv, np.array(bad))


def test_sort_is_stable_with_nans_last() -> None:
    fns = _fns()
    _all_c(fns["sort"], "Sort")
    _all_c(fns["argsort"], "ArgSort")
    xv = RNG.integers(0, 3, size=(7, 5)).astype(float)
    xv[2, 1] = xv[4, 3] = np.nan
    xv[1, 1] = -np.inf
    for value in (xv, xv[::-1, ::2], np.asfortranarray(xv)):
        s0, s1 = fns["sort"](value)
        np.testing.assert_array_equal(s0, np.sort(value, axis=0))
        np.testing.assert_array_equal(s1, np.sort(value, axis=1))
        a0, a1 = fns["argsort"](value)
        assert a0.dtype == np.int64
        np.testing.assert_array_equal(a0, np.argsort(value, axis=0, kind="stable"))
        np.testing.assert_array_equal(a1, np.argsort(value, axis=1, kind="stable"))


def test_indexing_ops_take_any_number_dtype() -> None:
    """Views, copies and NumPy's indexing run as C for complex and float16 arrays too."""
    batch = DeferredC()
    z = tt.vector("z", dtype="complex128")
    h = tt.matrix("h", dtype="float16")
    idx = tt.vector("idx", dtype="int64")
    fz = function([z, idx], [z[idx], tt.set_subtensor(z[1:], z[:-1]), tt.sort(z)], mode=batch)
    fh = function([h], [h[::-1, 1], tt.repeat(h, 2, axis=0), h.reshape((-1,))], mode=batch)
    batch.build()
    for fn in (fz, fh):
        assert {how for _, how in compile_report(fn)} == {"C"}, compile_report(fn)
    zv = RNG.normal(size=5) + 1j * RNG.normal(size=5)
    iv = np.array([4, 0, -1])
    got = fz(zv[::-1], iv)
    expected = zv[::-1].copy()
    expected[1:] = zv[::-1][:-1]
    for g, e in zip(got, [zv[::-1][iv], expected, np.sort(zv[::-1])], strict=True):
        np.testing.assert_array_equal(g, e)
    hv = RNG.normal(size=(3, 4)).astype("float16")
    for g, e in zip(fh(hv), [hv[::-1, 1], np.repeat(hv, 2, axis=0), hv.ravel()], strict=True):
        assert g.dtype == np.float16
        np.testing.assert_array_equal(g, e)
    with pytest.raises(ValueError, match=r"'z'.*expected 1 dimension"):
        fz(zv[None], iv)
    with pytest.raises(IndexError):
        fz(zv, np.array([5]))


@pytest.mark.parametrize(
    ("dtype", "x_shape", "v_shape"),
    [
        ("float64", (5,), (4,)),
        ("float64", (5,), (1,)),  # a vector x: its own loop; v broadcast
        ("int16", (5,), (4,)),
        ("float64", (5, 3), (1, 3)),
        ("float32", (5, 2, 3), (4, 1, 3)),
        ("int8", (5, 3), (4, 3)),  # wraps around, as NumPy
        ("bool", (5, 3), (4, 1)),  # adding booleans is `or`
    ],
)
def test_increment_at_an_index_vector_accumulates(
    dtype: str, x_shape: tuple[int, ...], v_shape: tuple[int, ...]
) -> None:
    batch = DeferredC()
    x, v = tt.tensor("x", shape=x_shape, dtype=dtype), tt.tensor("v", shape=v_shape, dtype=dtype)
    idx = tt.vector("idx", dtype="int32")
    fn = function([x, idx, v], tt.inc_subtensor(x[idx], v), mode=batch)
    # Into an intermediate, with the value a view of it (in place, it must read a copy).
    y = x * 1 if dtype == "bool" else x + 0
    fin = function([x, idx], tt.inc_subtensor(y[idx], y[:4]), mode=batch)
    batch.build()
    _all_c(fn, "AdvancedIncSubtensor")
    rng = np.random.default_rng(1)
    xv = (rng.normal(size=x_shape) * 100).astype(dtype)
    vv = (rng.normal(size=v_shape) * 100).astype(dtype)
    iv = np.array([0, -1, 2, 0], dtype="int32")
    expected = xv.copy()
    np.add.at(expected, iv, vv)
    np.testing.assert_array_equal(fn(xv, iv, vv), expected)
    if len(x_shape) > 1:
        np.testing.assert_array_equal(fn(xv[:, ::-1], iv, vv), _add_at(xv[:, ::-1], iv, vv))
    y_value = xv * 1 if dtype == "bool" else xv + 0
    np.testing.assert_array_equal(fin(xv, iv), _add_at(y_value, iv, y_value[:4].copy()))
    with pytest.raises(IndexError):
        fn(xv, np.array([0, 5, 0, 0], dtype="int32"), vv)
    if v_shape[0] == 4:
        with pytest.raises(ValueError):
            fn(xv, iv[:3], vv)


def _add_at(x: Any, idx: Any, v: Any) -> Any:
    out = x.copy()
    np.add.at(out, idx, v)
    return out


def test_advanced_writes_in_place_into_an_intermediate() -> None:
    """Destroy maps: the in-place ops write into exp(x) itself (the rewrites make these
    in place when nothing else reads the intermediate; here the ops are built so)."""
    batch = DeferredC()
    x, v = tt.matrix("x"), tt.matrix("v")
    idx = tt.vector("idx", dtype="int64")
    fns = [
        function([x, v, idx], op((ARRAY,), s, inplace=True)(tt.exp(x), v, idx), mode=batch)
        for op, s in [(AdvancedIncSubtensor, False), (AdvancedIncSubtensor, True)]
    ]
    batch.build()
    xv, vv = RNG.normal(size=(4, 3)), RNG.normal(size=(3, 3))
    iv = np.array([1, 1, -1])
    for fn, s in zip(fns, (False, True), strict=True):
        assert fn.fgraph.outputs[0].owner.op.destroy_map == {0: [0]}
        _all_c(fn, "AdvancedIncSubtensor", "AdvancedSetSubtensor")
        expected = np.exp(xv)
        if s:
            expected[iv] = vv
        else:
            np.add.at(expected, iv, vv)
        np.testing.assert_allclose(fn(xv, vv, iv), expected)


@pytest.mark.parametrize("dtype", ["float64", "float16", "int8", "complex64"])
def test_take_rows_of_any_array(dtype: str) -> None:
    batch = DeferredC()
    x = tt.tensor("x", shape=(None, None, None), dtype=dtype)
    idx = tt.vector("idx", dtype="int16")
    fn = function([x, idx], x[idx], mode=batch)
    batch.build()
    _all_c(fn, "AdvancedSubtensor")
    xv = (RNG.normal(size=(4, 2, 3)) * 10).astype(dtype)
    for iv in ([3, -4, 0, 0, -1], [], [2]):
        ix = np.array(iv, dtype="int16")
        for value in (xv, xv[:, ::-1], xv[:, :0]):
            got = fn(value, ix)
            np.testing.assert_array_equal(got, value[ix])
            assert got.dtype == dtype and got.shape == value[ix].shape
    for iv in ([4], [-5], [0, 9]):
        with pytest.raises(IndexError, match=r"\bx\b"):
            fn(xv, np.array(iv, dtype="int16"))
