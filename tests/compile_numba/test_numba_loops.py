"""The numba backend's hot loops against NumPy: the gather / scatter-add fast path,
reductions with local accumulators (float32 sums in double precision), sum_to's copy
path and matrix-vector products as loops."""

from __future__ import annotations

import numpy as np
import pytest

import tensorgraft.tensor as tt
from tensorgraft.compile import function
from tensorgraft.compile_numba import NumbaBackend

STRICT = NumbaBackend(callbacks=False)  # these graphs must compile without callbacks


def test_gather_and_scatter_add_on_axis_0_match_numpy() -> None:
    x, m, v = tt.vector("x"), tt.matrix("m"), tt.vector("v")
    i = tt.vector("i", dtype="int32")
    outs = [x[i], m[i], tt.inc_subtensor(x[i], v), tt.set_subtensor(m[i], v[:, None])]
    f = function([x, m, v, i], outs, mode=STRICT)
    # The tight path reads the index where it is used: no normalized copy of it.
    assert "ascontiguousarray" not in f._thunk.source
    rng = np.random.default_rng(0)
    xv, mv, vv = rng.normal(size=5), rng.normal(size=(5, 3)), rng.normal(size=6)
    iv = np.array([0, -1, 4, 0, -5, 2], dtype="int32")  # repeats and negatives
    inc = xv.copy()
    np.add.at(inc, iv, vv)
    st = mv.copy()
    st[iv] = vv[:, None]  # a repeated row keeps the last value
    expected = [xv[iv], mv[iv], inc, st]
    for k, (got, e) in enumerate(zip(f(xv, mv, vv, iv), expected, strict=True)):
        np.testing.assert_allclose(got, e, rtol=1e-15, err_msg=f"output {k}")
    empty = np.zeros(0, dtype="int32")
    got = f(xv, mv, np.zeros(0), empty)
    assert got[0].shape == (0,) and got[1].shape == (0, 3)
    for bad in (5, -6):
        with pytest.raises(IndexError, match="out of bounds for axis 0"):
            f(xv, mv, vv, np.array([0, 1, bad, 0, 0, 0], dtype="int32"))
    with pytest.raises(ValueError, match="broadcast"):
        f(xv, mv, np.ones(4), iv)


def test_float32_sum_accumulates_in_double_precision() -> None:
    x = tt.vector("x", dtype="float32")
    m = tt.matrix("m", dtype="float32")
    f = function([x, m], [tt.sum(x), tt.mean(x), tt.sum(m, axis=0)], mode=STRICT)
    xv = np.random.default_rng(1).uniform(0.0, 1.0, size=1_000_000).astype("float32")
    mv = xv.reshape(-1, 4)  # axis 0 is summed into an array, not into locals
    exact, exact_m = xv.astype(np.float64).sum(), mv.astype(np.float64).sum(axis=0)
    total, mean, cols = f(xv, mv)
    assert total.dtype == cols.dtype == np.float32
    # Rounding the double-precision sum to float32 is all the error left.
    assert abs(float(total) - exact) / exact < 1e-7
    assert abs(float(mean) - exact / xv.size) / (exact / xv.size) < 1e-7
    np.testing.assert_allclose(cols, exact_m, rtol=1e-7)


@pytest.mark.parametrize("axis", [None, 0, 2, (1, 2), (0, 2), (0, 1)])
def test_reductions_with_local_accumulators_match_numpy(axis) -> None:  # type: ignore[no-untyped-def]
    x = tt.tensor("x", dtype="float64", shape=(None, None, None))
    k = tt.tensor("k", dtype="complex64", shape=(None, None, None))
    ops = (tt.sum, tt.prod, tt.max, tt.min)
    f = function([x, k], [op(x, axis=axis) for op in ops] + [tt.sum(k, axis=axis)], mode=STRICT)
    rng = np.random.default_rng(2)
    xv = rng.uniform(0.5, 1.5, size=(3, 4, 19))  # 19: eight lanes plus a remainder
    xv[1, 2, 17] = np.nan
    kv = (rng.normal(size=xv.shape) + 1j * rng.normal(size=xv.shape)).astype("complex64")
    want = [np.sum, np.prod, np.max, np.min]
    for got, e in zip(f(xv, kv), [w(xv, axis=axis) for w in want], strict=False):
        np.testing.assert_allclose(got, e, rtol=1e-13)
        assert np.shape(got) == np.shape(e)
    got_k = f(xv, kv)[-1]
    np.testing.assert_allclose(got_k, kv.astype("complex128").sum(axis=axis), rtol=1e-6)
    assert got_k.dtype == np.complex64


def test_reductions_of_empty_axes_give_the_identity() -> None:
    x = tt.matrix("x")
    f = function([x], [tt.sum(x, axis=1), tt.prod(x), tt.sum(x, axis=0)], mode=STRICT)
    xv = np.ones((3, 0))
    for got, e in zip(f(xv), [xv.sum(axis=1), xv.prod(), xv.sum(axis=0)], strict=True):
        np.testing.assert_array_equal(got, e)
        assert got.shape == np.shape(e)


def test_sum_to_copies_when_nothing_broadcast_and_sums_when_something_did() -> None:
    x, shape = tt.matrix("x"), tt.tensor("shape", dtype="int64", shape=(2,))
    f = function([x, shape], tt.sum_to(x, shape), mode=STRICT)
    xv = np.arange(12.0).reshape(4, 3)
    got = f(xv, np.array([4, 3]))
    np.testing.assert_array_equal(got, xv)
    assert not np.shares_memory(got, xv)
    for target in ([1, 3], [4, 1], [1, 1]):
        want = xv.sum(axis=tuple(d for d in (0, 1) if target[d] == 1), keepdims=True)
        np.testing.assert_array_equal(f(xv, np.array(target)), want)


@pytest.mark.parametrize("dtype", ["float64", "float32", "complex128"])
def test_matrix_vector_products_are_loops_matching_numpy(dtype: str) -> None:
    X, w, r = tt.matrix("X", dtype=dtype), tt.vector("w", dtype=dtype), tt.vector("r", dtype=dtype)
    A, B = tt.matrix("A", dtype=dtype), tt.matrix("B", dtype=dtype)
    outs = [(X @ w[:, None])[:, 0], (X.T @ r[:, None])[:, 0], (r[None, :] @ X)[0], A @ B]
    f = function([X, w, r, A, B], outs, mode=STRICT)
    assert f._thunk.source.count("np.dot(") == 1  # only the matrix-matrix product
    rng = np.random.default_rng(3)

    def sample(*shape: int) -> np.ndarray:
        v = rng.normal(size=shape) + (1j * rng.normal(size=shape) if "complex" in dtype else 0)
        return np.asarray(v, dtype=dtype)

    Xv, wv, rv, Av, Bv = sample(7, 5), sample(5), sample(7), sample(3, 4), sample(4, 2)
    expected = [Xv @ wv, Xv.T @ rv, rv @ Xv, Av @ Bv]
    rtol = 1e-5 if dtype == "float32" else 1e-12
    for k, (got, e) in enumerate(zip(f(Xv, wv, rv, Av, Bv), expected, strict=True)):
        np.testing.assert_allclose(got, e, rtol=rtol, err_msg=f"output {k}")
    # No columns at all: zeros, as NumPy gives.
    got = f(np.ones((2, 0), dtype=dtype), np.ones(0, dtype=dtype), np.ones(2, dtype=dtype), Av, Bv)
    np.testing.assert_array_equal(got[0], np.zeros(2))
    np.testing.assert_array_equal(got[1], np.zeros(0))


def test_inplace_elementwise_and_runtime_broadcasting_take_both_branches() -> None:
    x, y, z = tt.matrix("x"), tt.vector("y"), tt.vector("z")
    t = tt.sum(x, axis=0)  # a fresh buffer that only the next node uses
    f = function([x, y, z], [tt.tanh(t) * y + z], mode=STRICT)
    src = f._thunk.source
    assert ".shape == (n0,):" in src  # written in place when the shapes agree
    assert " == 1 and " in src  # a unit-stride copy of a loop over several inputs
    rng = np.random.default_rng(4)
    for xs, n, m in [((3, 4), 4, 4), ((3, 1), 4, 4), ((3, 4), 1, 4), ((3, 4), 4, 1)]:
        xv, yv, zv = rng.normal(size=xs), rng.normal(size=n), rng.normal(size=m)
        (got,) = f(xv, yv, zv)
        want = np.tanh(xv.sum(axis=0)) * yv + zv
        np.testing.assert_allclose(got, want, rtol=1e-13, err_msg=f"{xs} {n} {m}")
