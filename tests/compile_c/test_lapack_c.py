"""Linear algebra compiled with SciPy's LAPACK, against NumPy and SciPy.

Inputs: float64 and float32, strided and Fortran-ordered, size 0; and the matrices
LAPACK refuses (singular, not positive definite, non-square, NaN for SciPy), which must
raise the reference's error, never crash.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import pytest
import scipy.linalg

import tensorgraft.tensor as tt
from tensorgraft.compile import function
from tensorgraft.compile_c import DeferredC, compile_report

RNG = np.random.default_rng(0)


@functools.cache
def _fns(dtype: str) -> dict[str, Any]:
    batch = DeferredC()
    a, b = tt.matrix("a", dtype=dtype), tt.matrix("b", dtype=dtype)
    v = tt.vector("v", dtype=dtype)
    la = tt.linalg
    fns = {
        "cholesky": function([a], [la.cholesky(a), la.cholesky(a, lower=False)], mode=batch),
        "det": function([a], [la.det(a), *la.slogdet(a)], mode=batch),
        "inv": function([a], la.inv(a), mode=batch),
        "solve": function([a, b, v], [la.solve(a, b), la.solve(a, v)], mode=batch),
        "tri": function(
            [a, b, v],
            [
                la.solve_triangular(a, b, lower=True),
                la.solve_triangular(a, v, trans=1),
                la.solve_triangular(a, b, lower=True, trans=2, unit_diagonal=True),
                la.cho_solve((a, True), b),
                la.cho_solve((a, False), v),
            ],
            mode=batch,
        ),
    }
    batch.build()
    for fn in fns.values():
        hows = dict(compile_report(fn))
        lapack = {n: h for n, h in hows.items() if n.split("{")[0] in _OPS}
        assert lapack and set(lapack.values()) == {"C"}, hows
    return fns


_OPS = (
    "Cholesky",
    "CholeskySolve",
    "Det",
    "SlogDet",
    "MatrixInverse",
    "Solve",
    "SolveTriangular",
)


def _spd(n: int, dtype: str) -> np.ndarray:
    m = RNG.normal(size=(n, n))
    return (m @ m.T + n * np.eye(n)).astype(dtype)


def _layouts(x: np.ndarray) -> list[np.ndarray]:
    strided = np.repeat(x, 2, axis=-1)[..., ::2] if x.ndim else x
    return [x, strided, np.asfortranarray(x)]


def _close(got: Any, expected: Any, dtype: str) -> None:
    tol = 2e-4 if dtype == "float32" else 1e-10
    assert np.asarray(got).dtype == dtype
    np.testing.assert_allclose(got, expected, rtol=tol, atol=tol)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_factorizations_and_determinants(dtype: str) -> None:
    fns = _fns(dtype)
    for n in (0, 1, 4):
        for a in _layouts(_spd(n, dtype)):
            lo, up = fns["cholesky"](a)
            _close(lo, np.linalg.cholesky(a), dtype)
            _close(up, np.linalg.cholesky(a, upper=True), dtype)
            det, sign, logdet = fns["det"](a)
            _close(det, np.linalg.det(a), dtype)
            _close(sign, np.linalg.slogdet(a)[0], dtype)
            _close(logdet, np.linalg.slogdet(a)[1], dtype)
            _close(fns["inv"](a), np.linalg.inv(a), dtype)
    general = RNG.normal(size=(5, 5)).astype(dtype)  # negative determinants, pivoting
    for a in _layouts(general):
        det, sign, logdet = fns["det"](a)
        _close(det, np.linalg.det(a), dtype)
        assert sign == np.linalg.slogdet(a)[0]
        _close(fns["inv"](a), np.linalg.inv(a), dtype)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_solvers(dtype: str) -> None:
    fns = _fns(dtype)
    for n, k in ((4, 3), (1, 1), (0, 2), (3, 0)):
        a = RNG.normal(size=(n, n)).astype(dtype) + 3 * np.eye(n, dtype=dtype)
        b = RNG.normal(size=(n, k)).astype(dtype)
        v = RNG.normal(size=n).astype(dtype)
        for av, bv in zip(_layouts(a), _layouts(b), strict=True):
            x, y = fns["solve"](av, bv, v)
            _close(x, np.linalg.solve(av, bv), dtype)
            _close(y, np.linalg.solve(av, v), dtype)
            t1, t2, t3, c1, c2 = fns["tri"](av, bv, v)
            _close(c1, scipy.linalg.cho_solve((av, True), bv), dtype)
            _close(c2, scipy.linalg.cho_solve((av, False), v), dtype)
            _close(t1, scipy.linalg.solve_triangular(av, bv, lower=True), dtype)
            _close(t2, scipy.linalg.solve_triangular(av, v, trans=1), dtype)
            expected = scipy.linalg.solve_triangular(
                av, bv, lower=True, trans=2, unit_diagonal=True
            )
            _close(t3, expected, dtype)


def test_refused_matrices_raise_the_reference_errors() -> None:
    fns = _fns("float64")
    singular = np.ones((3, 3))
    not_pd = -np.eye(3)
    b = np.ones((3, 2))
    with pytest.raises(np.linalg.LinAlgError, match=r"\ba\b"):
        fns["cholesky"](not_pd)
    with pytest.raises(np.linalg.LinAlgError):
        fns["inv"](singular)
    with pytest.raises(np.linalg.LinAlgError):
        fns["solve"](singular, b, b[:, 0])
    with pytest.raises(np.linalg.LinAlgError):
        fns["tri"](np.zeros((3, 3)), b, b[:, 0])
    nan = np.eye(3)
    nan[2, 0] = np.nan
    with pytest.raises(ValueError, match=r"inf|nan|NaN"):
        fns["tri"](nan, b, b[:, 0])
    for name, args in [
        ("cholesky", (np.ones((2, 3)),)),
        ("det", (np.ones((2, 3)),)),
        ("inv", (np.ones((3, 2)),)),
        ("solve", (np.eye(3), np.ones((2, 2)), np.ones(3))),
        ("tri", (np.eye(3), np.ones((3, 2)), np.ones(4))),
    ]:
        with pytest.raises((ValueError, np.linalg.LinAlgError)):
            fns[name](*args)
    # Singular: NumPy's determinant 0 and slogdet (0, -inf), no error.
    det, sign, logdet = fns["det"](singular)
    assert det == 0.0 and sign == 0.0 and logdet == -np.inf


@functools.cache
def _batched() -> dict[str, Any]:
    batch = DeferredC()
    a = tt.tensor("a", shape=(None, None, None, None))
    b = tt.tensor("b", shape=(None, None, None))
    la = tt.linalg
    fns = {
        "det": function([a], [la.det(a), *la.slogdet(a)], mode=batch),
        "inv": function([a], [la.inv(a), la.cholesky(a)], mode=batch),
        # b broadcasts against a's batch axes: (2, 1, m, m) with (3, m, k).
        "solve": function([a, b], [la.solve(a, b), la.solve_triangular(a, b)], mode=batch),
    }
    batch.build()
    for fn in fns.values():
        assert {h for n, h in compile_report(fn) if n.startswith("Blockwise")} == {"C"}
    return fns


def test_stacks_loop_the_lapack_kernels() -> None:
    fns = _batched()
    a = np.stack([[_spd(3, "float64")] for _ in range(2)])  # (2, 1, 3, 3)
    b = RNG.normal(size=(3, 3, 2))
    for av in (a, a[..., ::-1, ::-1], np.asfortranarray(a)):
        det, sign, logdet = fns["det"](av)
        _close(det, np.linalg.det(av), "float64")
        _close(sign, np.linalg.slogdet(av)[0], "float64")
        _close(logdet, np.linalg.slogdet(av)[1], "float64")
        inv, chol = fns["inv"](av)
        _close(inv, np.linalg.inv(av), "float64")
        _close(chol, np.linalg.cholesky(av), "float64")
        x, t = fns["solve"](av, b)
        _close(x, np.linalg.solve(av, b), "float64")
        expected = [
            [scipy.linalg.solve_triangular(av[i, 0], b[j]) for j in range(3)] for i in range(2)
        ]
        _close(t, np.array(expected), "float64")
    empty = np.zeros((2, 0, 3, 3))
    assert fns["det"](empty)[0].shape == (2, 0)
    assert fns["inv"](empty)[0].shape == (2, 0, 3, 3)
    bad = a.copy()
    bad[1, 0] = np.ones((3, 3))
    with pytest.raises(np.linalg.LinAlgError, match="batch index"):
        fns["inv"](bad)
    with pytest.raises(ValueError):  # batch axes (2, 2) and (3,) do not broadcast
        fns["solve"](np.concatenate([a, a], axis=1), b)


def test_integer_matrices_convert_as_numpy() -> None:
    batch = DeferredC()
    a, b = tt.matrix("a", dtype="int64"), tt.matrix("b", dtype="float32")
    la = tt.linalg
    fn = function([a, b], [la.det(a), la.inv(a), la.solve(a, b)], mode=batch)
    batch.build()
    hows = {n.split("{")[0]: h for n, h in compile_report(fn)}
    assert {hows[op] for op in ("Det", "MatrixInverse", "Solve")} == {"C"}, hows
    av = np.array([[4, 1, 0], [1, 3, -1], [0, -1, 2]])
    bv = RNG.normal(size=(3, 2)).astype("float32")
    det, inv, x = fn(av, bv)
    _close(det, np.linalg.det(av), "float64")
    _close(inv, np.linalg.inv(av), "float64")
    _close(x, np.linalg.solve(av, bv), "float64")
    with pytest.raises(np.linalg.LinAlgError):
        fn(np.ones((3, 3), dtype="int64"), bv)


def test_eigh_runs_syevd_as_numpy_does() -> None:
    a = tt.matrix("a")
    s = tt.tensor("s", dtype="float64", shape=(None, None, None))
    f32 = tt.matrix("f", dtype="float32")
    batch = DeferredC()
    la = tt.linalg
    lower = function([a], list(la.eigh(a)), mode=batch)
    upper = function([a], list(la.eigh(a, UPLO="U")), mode=batch)
    stack = function([s], list(la.eigh(s)), mode=batch)
    single = function([f32], list(la.eigh(f32)), mode=batch)
    batch.build()
    for fn in (lower, upper, stack, single):
        assert set(dict(compile_report(fn)).values()) == {"C"}
    # float32: computed in float64 and rounded once, as NumPy does (same eigenvector signs).
    x32 = np.random.default_rng(4).normal(size=(9, 9)).astype("float32")
    for got, want in zip(single(x32), np.linalg.eigh(x32), strict=True):
        assert got.dtype == np.float32
        np.testing.assert_array_equal(got, want)
    rng = np.random.default_rng(5)
    for n in (0, 1, 2, 7, 30):
        x = rng.normal(size=(n, n))  # not symmetric: only one triangle is read
        for fn, uplo in ((lower, "L"), (upper, "U")):
            for value in (x, np.asfortranarray(x), np.repeat(x, 2, axis=1)[:, ::2]):
                w, v = fn(value)
                ew, ev = np.linalg.eigh(value, UPLO=uplo)
                np.testing.assert_allclose(w, ew, rtol=1e-12, atol=1e-12)
                np.testing.assert_allclose(v, ev, rtol=1e-10, atol=1e-12)
                sym = np.tril(value) + np.tril(value, -1).T if uplo == "L" else None
                if sym is not None and n:
                    np.testing.assert_allclose(sym @ v, v * w, atol=1e-10)
    xs = rng.normal(size=(3, 5, 5))
    for got, want in zip(stack(xs), np.linalg.eigh(xs), strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
    with pytest.raises(np.linalg.LinAlgError, match="'a'") as info:
        lower(np.full((3, 3), np.nan))
    assert "converge" in str(info.value)
    with pytest.raises(np.linalg.LinAlgError, match="not square"):
        lower(np.zeros((2, 3)))


def test_svd_runs_gesdd_as_numpy_does() -> None:
    a = tt.matrix("a")
    s = tt.tensor("s", dtype="float64", shape=(None, None, None))
    batch = DeferredC()
    la = tt.linalg
    modes = [(full, uv) for full in (True, False) for uv in (True, False)]
    fns = {
        mode: function([a], la.svd(a, full_matrices=mode[0], compute_uv=mode[1]), mode=batch)
        for mode in modes
    }
    stack = function([s], list(la.svd(s, full_matrices=False)), mode=batch)
    f32 = tt.matrix("f", dtype="float32")
    single = function([f32], list(la.svd(f32)), mode=batch)
    batch.build()
    x32 = np.random.default_rng(4).normal(size=(7, 5)).astype("float32")
    for got, want in zip(single(x32), np.linalg.svd(x32), strict=True):
        assert got.dtype == np.float32
        np.testing.assert_array_equal(got, want)
    rng = np.random.default_rng(6)
    for (full, uv), fn in fns.items():
        assert set(dict(compile_report(fn)).values()) == {"C"}
        for shape in [(0, 3), (3, 0), (0, 0), (1, 1), (2, 3), (3, 2), (6, 6), (17, 9)]:
            x = rng.normal(size=shape)
            for value in (x, np.asfortranarray(x), np.repeat(x, 2, axis=1)[:, ::2]):
                got = fn(value)
                want = np.linalg.svd(value, full_matrices=full, compute_uv=uv)
                for g, w in zip(*([got], [want]) if not uv else (got, want), strict=True):
                    assert g.shape == w.shape
                    np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12)
                if uv and x.size:
                    u, sv, vh = got
                    k = sv.size
                    np.testing.assert_allclose((u[:, :k] * sv) @ vh[:k], value, atol=1e-10)
    assert set(dict(compile_report(stack)).values()) == {"C"}
    xs = rng.normal(size=(3, 4, 6))
    for got, want in zip(stack(xs), np.linalg.svd(xs, full_matrices=False), strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
    with pytest.raises(np.linalg.LinAlgError, match=r"'a'.*did not converge"):
        fns[True, True](np.full((3, 3), np.nan))


def _outputs(out: Any) -> list[Any]:
    return list(out) if isinstance(out, list | tuple) else [out]


@pytest.mark.parametrize("mode", ["reduced", "complete", "r", "raw"])
def test_qr_runs_geqrf_and_orgqr_as_numpy_does(mode: str) -> None:
    batch = DeferredC()
    la = tt.linalg
    fns = {}
    for dtype in ("float64", "float32"):
        a = tt.matrix("a", dtype=dtype)
        out = la.qr(a, mode=mode)
        fns[dtype] = function([a], _outputs(out), mode=batch)
    s = tt.tensor("s", dtype="float64", shape=(None, None, None))
    out = la.qr(s, mode=mode)
    stack = function([s], _outputs(out), mode=batch)
    batch.build()
    rng = np.random.default_rng(8)
    for dtype, fn in fns.items():
        assert set(dict(compile_report(fn)).values()) == {"C"}
        for shape in [(0, 3), (3, 0), (1, 1), (2, 3), (3, 2), (6, 6), (17, 9)]:
            x = rng.normal(size=shape).astype(dtype)
            for value in (x, np.asfortranarray(x), np.repeat(x, 2, axis=1)[:, ::2]):
                want = np.linalg.qr(value, mode=mode)  # type: ignore[call-overload]
                want = _outputs(want)
                got = fn(value)
                for g, w in zip(got, want, strict=True):
                    assert g.dtype == w.dtype and g.shape == w.shape
                    np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-6)
                if mode in ("reduced", "complete") and x.size:
                    q, r = got
                    np.testing.assert_allclose(q @ r, value, atol=1e-4)
                    np.testing.assert_allclose(q.T @ q, np.eye(q.shape[1]), atol=1e-5)
    assert set(dict(compile_report(stack)).values()) == {"C"}
    xs = rng.normal(size=(2, 5, 3))
    want = np.linalg.qr(xs, mode=mode)  # type: ignore[call-overload]
    for g, w in zip(stack(xs), _outputs(want), strict=True):
        np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12)
