"""Matrix products through SciPy's BLAS, on every memory layout, against NumPy."""

from __future__ import annotations

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
