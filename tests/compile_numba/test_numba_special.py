"""SciPy special functions compiled by the numba backend (its own kernels), against SciPy
over wide ranges, tails and edge values (zeros, poles, infinities, NaN)."""

from __future__ import annotations

import numpy as np
import scipy.special as sp

import tensorgraft.tensor as tt
from tensorgraft.compile import function
from tensorgraft.compile_numba import NumbaBackend, coverage
from tensorgraft.compile_numba.coverage import COMPILED
from tensorgraft.tensor.scalar_ops import special as ts

STRICT = NumbaBackend(callbacks=False)  # these graphs must compile without callbacks


def _close(got: np.ndarray, expected: np.ndarray, rtol: float, what: str) -> None:
    assert got.dtype == expected.dtype, what
    np.testing.assert_allclose(got, expected, rtol=rtol, atol=0, err_msg=what)


def test_special_functions_match_scipy_over_wide_ranges_and_edges() -> None:
    x, y = tt.vector("x"), tt.vector("y")
    n = tt.vector("n", dtype="int64")
    outs = [
        tt.digamma(x),
        tt.polygamma(n, x),
        tt.erfinv(y / 2),
        tt.erfcinv(y + 1),
        tt.erfcx(x),
        tt.gammainc(tt.abs(x), tt.abs(y) * 20),
        tt.gammaincc(tt.abs(x), tt.abs(y) * 20),
        tt.betaln(tt.abs(x), tt.abs(y) * 20),
    ]
    f = function([x, y, n], outs, mode=STRICT)
    assert not f._thunk.callbacks
    rng = np.random.default_rng(0)
    root = 1.4616321449683622  # digamma's positive root: relative accuracy there too
    edges = [0.0, -0.0, -1.0, -2.5, np.inf, -np.inf, np.nan, root, 1e-8, 1e8, 30.0]
    xv = np.concatenate([rng.uniform(-10, 40, 450), edges])
    # y / 2 in [-1, 1] with values near +-1; y + 1 in [0, 2] with tails near 0 and 2.
    tails = 1 - 10.0 ** -rng.uniform(1, 15, 40)
    yv = np.concatenate([rng.uniform(-2, 2, 360), 2 * tails, -2 * tails, [2, -2, 0, 3]])
    yv = np.concatenate([yv, rng.uniform(-2, 2, xv.size - yv.size)])
    nv = rng.integers(0, 5, xv.size)
    got = f(xv, yv, nv)
    a, b = np.abs(xv), np.abs(yv) * 20
    with np.errstate(all="ignore"):
        expected = [
            sp.psi(xv),
            sp.polygamma(nv, xv),
            sp.erfinv(yv / 2),
            sp.erfcinv(yv + 1),
            sp.erfcx(xv),
            sp.gammainc(a, b),
            sp.gammaincc(a, b),
            sp.betaln(a, b),
        ]
    names = ["digamma", "polygamma", "erfinv", "erfcinv", "erfcx", "gammainc", "gammaincc"]
    for g, e, name in zip(got, expected, [*names, "betaln"], strict=True):
        _close(g, e, 1e-10, name)


def test_float32_results_and_polygamma_order_zero_follow_scipy() -> None:
    x = tt.vector("x", dtype="float32")
    f = function([x], [tt.digamma(x), tt.polygamma(0, x), tt.erfinv(x / 10)], mode=STRICT)
    xv = np.linspace(0.5, 9.5, 19, dtype="float32")
    got = f(xv)
    expected = [sp.psi(xv), sp.polygamma(0, xv), sp.erfinv(xv / np.float32(10))]
    for g, e, name in zip(got, expected, ["digamma", "polygamma", "erfinv"], strict=True):
        _close(g, e, 1e-6, name)


def test_special_functions_are_listed_as_compiled() -> None:
    listing = coverage()
    for t in (ts.Digamma, ts.Polygamma, ts.Erfinv, ts.Erfcinv, ts.Erfcx, ts.BetaLn):
        assert listing[t] == COMPILED, t.__name__
    assert listing[ts.GammaInc] == listing[ts.GammaIncC] == COMPILED
