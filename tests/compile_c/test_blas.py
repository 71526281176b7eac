"""Matrix products through SciPy's BLAS, on every memory layout, against NumPy."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import tensorgraft.tensor as tt
from tensorgraft.compile import function
from tensorgraft.compile_c import DeferredC, compile_report


def _layouts(x: np.ndarray) -> list[np.ndarray]:
    """C order, Fortran order, every other column, every other row, reversed rows."""
    return [
        x,
        np.asfortranarray(x),
        np.repeat(x, 2, axis=1)[:, ::2],
        np.repeat(x, 2, axis=0)[::2],
        np.ascontiguousarray(x[::-1])[::-1],
    ]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_dot_matches_numpy_on_any_layout(dtype: str) -> None:
    batch = DeferredC()
    a, b = tt.matrix("a", dtype=dtype), tt.matrix("b", dtype=dtype)
    fn = function([a, b], a @ b, mode=batch)
    assert dict(compile_report(fn)) == {"dot": "C"}
    rng = np.random.default_rng(0)
    rtol = 1e-4 if dtype == "float32" else 1e-12
    for m, k, n in [(3, 4, 5), (1, 4, 1), (0, 3, 2), (2, 0, 3), (5, 1, 1), (33, 17, 9)]:
        x = rng.normal(size=(m, k)).astype(dtype)
        y = rng.normal(size=(k, n)).astype(dtype)
        for xv in _layouts(x):
            for yv in _layouts(y)[:3]:
                got, expected = fn(xv, yv), x @ y
                assert got.dtype == expected.dtype and got.shape == expected.shape
                np.testing.assert_allclose(got, expected, rtol=rtol, atol=1e-5)
    with pytest.raises(ValueError, match="not aligned"):
        fn(np.zeros((2, 3), dtype), np.zeros((4, 2), dtype))


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_matrix_vector_products_match_numpy_on_any_layout(dtype: str) -> None:
    # One side with a length-1 axis: gemv, with the vector's stride as BLAS's increment.
    batch = DeferredC()
    a, b = tt.matrix("a", dtype=dtype), tt.matrix("b", dtype=dtype)
    v = tt.vector("v", dtype=dtype)
    fns = [
        function([a, b], a @ b, mode=batch),
        function([a, v], a @ v[:, None], mode=batch),
        function([a, v], v[None, :] @ a, mode=batch),
    ]
    batch.build()
    rng = np.random.default_rng(1)
    rtol = 1e-4 if dtype == "float32" else 1e-12
    for m, k, n in [(7, 5, 1), (1, 5, 7), (6, 1, 1), (1, 6, 1), (1, 1, 6), (40, 33, 1)]:
        x = rng.normal(size=(m, k)).astype(dtype)
        y = rng.normal(size=(k, n)).astype(dtype)
        for xv in _layouts(x):
            for yv in _layouts(y):
                np.testing.assert_allclose(fns[0](xv, yv), x @ y, rtol=rtol, atol=1e-5)
    for m, k in [(7, 5), (1, 4), (4, 1), (33, 40)]:
        x = rng.normal(size=(m, k)).astype(dtype)
        col, row = rng.normal(size=k).astype(dtype), rng.normal(size=m).astype(dtype)
        for xv in _layouts(x):
            for cv in (col, np.repeat(col, 3)[::3], col[::-1].copy()[::-1]):
                np.testing.assert_allclose(fns[1](xv, cv), x @ col[:, None], rtol=rtol, atol=1e-5)
            for rv in (row, np.repeat(row, 2)[::2], row[::-1].copy()[::-1]):
                np.testing.assert_allclose(fns[2](xv, rv), row[None, :] @ x, rtol=rtol, atol=1e-5)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_stacked_products_match_numpy(dtype: str) -> None:
    # Blockwise(Dot): one gemm per batch item, broadcast batch axes, any matrix layout.
    batch = DeferredC()
    a, b = tt.tensor3("a", dtype=dtype), tt.tensor3("b", dtype=dtype)
    a4 = tt.tensor("a4", shape=(None,) * 4, dtype=dtype)
    fns = [
        function([a, b], a @ b, mode=batch),
        function([a4, b], a4 @ b, mode=batch),
    ]
    assert dict(compile_report(fns[0])) == {"Blockwise{dot, (m,k),(k,n)->(m,n)}": "C"}
    rng = np.random.default_rng(2)
    rtol = 1e-4 if dtype == "float32" else 1e-12

    def layouts(x: np.ndarray) -> list[np.ndarray]:
        t = np.ascontiguousarray(x.swapaxes(-1, -2)).swapaxes(-1, -2)
        return [x, t, np.repeat(x, 2, axis=-1)[..., ::2], x[::-1].copy()[::-1], x[..., ::-1, :]]

    for sa, sb in [((4, 3, 5), (4, 5, 2)), ((1, 3, 5), (6, 5, 1)), ((2, 1, 4), (1, 4, 3)),
                   ((0, 2, 3), (1, 3, 2)), ((3, 2, 0), (3, 0, 4))]:  # fmt: skip
        x = rng.normal(size=sa).astype(dtype)
        y = rng.normal(size=sb).astype(dtype)
        for xv in layouts(x):
            for yv in layouts(y)[:3]:
                got, expected = fns[0](xv, yv), xv @ yv
                assert got.dtype == expected.dtype and got.shape == expected.shape
                np.testing.assert_allclose(got, expected, rtol=rtol, atol=1e-5)
    x4 = rng.normal(size=(2, 3, 4, 5)).astype(dtype)
    y = rng.normal(size=(3, 5, 2)).astype(dtype)
    np.testing.assert_allclose(fns[1](x4, y), x4 @ y, rtol=rtol, atol=1e-5)
    with pytest.raises(ValueError, match="batch"):
        fns[0](np.zeros((4, 2, 3), dtype), np.zeros((3, 3, 2), dtype))
    with pytest.raises(ValueError):
        fns[0](np.zeros((4, 2, 3), dtype), np.zeros((4, 2, 2), dtype))


def test_user_strings_never_reach_the_c_source() -> None:
    from tensorgraft.compile_c import codegen
    from tensorgraft.graph.fg import FunctionGraph

    evil = '*/ #include "/etc/passwd" /* " \\'
    x = tt.matrix(evil)
    y = tt.exp(x) + 1.0
    y.name = evil
    fg = FunctionGraph([x], [y], clone=True)
    kernels: dict[str, str] = {}
    source = codegen.module_source([codegen.write_graph(fg, 0, kernels)], kernels)
    assert "passwd" not in source


def test_blas_pointers_come_without_importing_scipy() -> None:
    # A fresh process: the pointers load alone, without even `scipy/__init__` (tens of
    # milliseconds of a warm start); a later `import scipy.linalg` still works.
    code = (
        "import sys\n"
        "from tensorgraft.compile_c import blas\n"
        "table, lapack = blas.capi(), blas.lapack_capi()\n"
        "assert not [m for m in sys.modules if m.startswith('scipy')], sorted(sys.modules)\n"
        "import scipy.linalg.cython_blas, scipy.linalg.cython_lapack\n"
        "assert scipy.linalg.cython_blas.__pyx_capi__['dgemm'] is table['dgemm']\n"
        "assert scipy.linalg.cython_lapack.__pyx_capi__['dgesv'] is lapack['dgesv']\n"
        "import numpy as np, scipy.linalg, scipy.special\n"
        "assert np.allclose(scipy.linalg.blas.dgemm(1.0, np.eye(2), np.eye(2)), np.eye(2))\n"
        "assert np.allclose(scipy.linalg.solve(np.eye(2), np.ones(2)), 1.0)\n"
        "assert abs(scipy.special.erf(0.0)) < 1e-15\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
