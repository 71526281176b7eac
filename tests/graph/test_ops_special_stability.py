"""Numerical stability of the special functions where naive formulas overflow or cancel.

Expected values are exact or asymptotic closed forms, never our own outputs: softplus(x) =
exp(x) and log1mexp(x) = -exp(x) for very negative x, log1mexp(x) = log(-x) near 0, the
asymptotic series of erfcx, logit(1 - 2^-53) = log1p(-2^-53) + 53 log 2, xlogy(0, y) = 0.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

import tensorgraft.tensor as tt
from tensorgraft.compile import function


def run(fn: Any, value: np.ndarray) -> np.ndarray:
    x = tt.vector("x", dtype=value.dtype.name)
    with np.errstate(over="raise", invalid="raise"):  # no overflow, no NaN on the way
        (out,) = function([x], [fn(x)], mode="python")(value)
    return out


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_softplus_far_in_both_tails(dtype: str) -> None:
    value = np.array([-800.0, -60.0, -20.0, 0.0, 40.0, 60.0, 800.0], dtype)
    got = run(tt.softplus, value)
    assert got.dtype == dtype and np.all(np.isfinite(got))
    assert got[0] == 0.0  # e^-800 underflows: 0, not -inf or NaN
    np.testing.assert_allclose(got[1:3], np.exp(value[1:3].astype("float64")), rtol=1e-6)
    assert got[3] == np.float32(math.log(2.0)) if dtype == "float32" else got[3] == math.log(2.0)
    np.testing.assert_array_equal(got[4:], value[4:])  # log(1 + e^x) rounds to x


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_sigmoid_far_in_both_tails(dtype: str) -> None:
    value = np.array([-800.0, -60.0, 0.0, 60.0, 800.0], dtype)
    got = run(tt.sigmoid, value)
    assert got.dtype == dtype
    np.testing.assert_array_equal(got[[0, 2, 3, 4]], np.array([0.0, 0.5, 1.0, 1.0], dtype))
    np.testing.assert_allclose(got[1], math.exp(-60.0), rtol=1e-5)


def test_log1mexp_near_zero_and_very_negative() -> None:
    value = np.array([-1e-300, -1e-20, -1e-8, -40.0, -700.0, -800.0, 0.0])
    got = run(tt.log1mexp, value)
    # log(1 - e^x) = log(-x) + x/2 + ... near 0; -e^x - e^(2x)/2 - ... far below.
    np.testing.assert_allclose(got[:3], np.log(-value[:3]) + value[:3] / 2, rtol=1e-15)
    np.testing.assert_allclose(got[3:5], -np.exp(value[3:5]), rtol=1e-15)
    assert got[5] == 0.0 and got[6] == -np.inf


def test_log1mexp_float32_and_continuous_across_the_switch() -> None:
    ln2 = math.log(2.0)
    value = np.array([-ln2 * (1 + 1e-9), -ln2, -ln2 * (1 - 1e-9)])
    got = run(tt.log1mexp, value)
    np.testing.assert_allclose(got, np.log1p(-np.exp(value)), rtol=1e-12)
    small = run(tt.log1mexp, np.array([-1e-30, -50.0], "float32"))
    assert small.dtype == "float32"
    np.testing.assert_allclose(small, [math.log(1e-30), -math.exp(-50.0)], rtol=1e-6)


def test_log1mexp_of_a_positive_number_is_nan() -> None:
    with np.errstate(invalid="ignore"):
        x = tt.vector("x")
        (got,) = function([x], [tt.log1mexp(x)], mode="python")(np.array([0.5]))
    assert np.isnan(got[0])


def test_logaddexp_does_not_overflow() -> None:
    x, y = tt.vector("x"), tt.vector("y")
    f = function([x, y], [tt.logaddexp(x, y), tt.logaddexp2(x, y)], mode="python")
    e, two = f(np.array([800.0, -800.0]), np.array([800.0, -800.0]))
    np.testing.assert_allclose(e, [800.0 + math.log(2.0), -800.0 + math.log(2.0)], rtol=1e-15)
    np.testing.assert_allclose(two, [801.0, -799.0], rtol=1e-15)


def _erfcx_asymptotic(x: np.ndarray) -> np.ndarray:
    # erfcx(x) = 1/(x sqrt(pi)) * (1 - 1/(2x^2) + 3/(4x^4) - 15/(8x^6) + ...): for x >= 100
    # the next term is below 1e-15 relative.
    u = 0.5 / x / x  # not 1 / (2 x^2): x^2 overflows for x = 1e200
    return (1.0 - u + 3.0 * u**2 - 15.0 * u**3) / (x * math.sqrt(math.pi))


def test_erfcx_for_large_x_where_exp_and_erfc_would_overflow_and_underflow() -> None:
    value = np.array([100.0, 1e3, 1e10, 1e200, 1e300])
    got = run(tt.erfcx, value)
    np.testing.assert_allclose(got, _erfcx_asymptotic(value), rtol=1e-14)
    small = run(tt.erfcx, np.array([1e3, 1e20, 1e30], "float32"))
    assert small.dtype == "float32"
    np.testing.assert_allclose(small, _erfcx_asymptotic(np.array([1e3, 1e20, 1e30])), rtol=1e-6)


def test_erfcx_at_zero_and_for_negative_x() -> None:
    # erfcx(0) = 1; erfcx(-x) = 2 exp(x^2) - erfcx(x), with erfcx(x) negligible for x = 26.
    got = run(tt.erfcx, np.array([0.0, -26.0]))
    assert got[0] == 1.0
    np.testing.assert_allclose(got[1], 2.0 * math.exp(676.0), rtol=1e-13)


def test_logit_near_0_and_1() -> None:
    d = 2.0**-40
    value = np.array([1e-300, 1e-20, 0.5 + d, 0.5, 1.0 - 2.0**-53])
    got = run(tt.logit, value)
    want = [
        math.log(1e-300),  # log(p) - log1p(-p), log1p(-p) negligible
        math.log(1e-20),
        2.0 * math.atanh(2.0 * d),  # log((1/2 + d) / (1/2 - d)): no cancellation at 1/2
        0.0,
        math.log1p(-(2.0**-53)) + 53 * math.log(2.0),  # 1 - p = 2^-53 exactly
    ]
    np.testing.assert_allclose(got, want, rtol=1e-14, atol=0)
    single = run(tt.logit, np.array([1e-30, 1.0 - 2.0**-24], "float32"))
    assert single.dtype == "float32"
    want32 = [math.log(1e-30), math.log1p(-(2.0**-24)) + 24 * math.log(2.0)]
    np.testing.assert_allclose(single, want32, rtol=1e-6)


def test_logit_at_0_and_1_is_infinite() -> None:
    x = tt.vector("x")
    with np.errstate(divide="ignore"):
        (got,) = function([x], [tt.logit(x)], mode="python")(np.array([0.0, 1.0]))
    np.testing.assert_array_equal(got, [-np.inf, np.inf])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_xlogy_and_xlog1py_at_x_zero(dtype: str) -> None:
    # 0 * log(y) is 0 for every y >= 0 (0 * log(0) and 0 * log(inf) included), not NaN.
    x, y = tt.vector("x", dtype=dtype), tt.vector("y", dtype=dtype)
    f = function([x, y], [tt.xlogy(x, y), tt.xlog1py(x, y - 1)], mode="python")
    xs = np.array([0.0, 0.0, 0.0, 0.0, 2.0, 1e-30, 3.0], dtype)
    ys = np.array([0.0, 1e-30, 5.0, np.inf, 0.0, 1e-30, 1.0], dtype)
    with np.errstate(divide="ignore"):
        xlogy, xlog1py = f(xs, ys)
    assert xlogy.dtype == dtype and xlog1py.dtype == dtype
    want = [0.0, 0.0, 0.0, 0.0, -np.inf, 1e-30 * math.log(1e-30), 0.0]
    np.testing.assert_allclose(xlogy, np.array(want, dtype), rtol=1e-6 if dtype == "float32" else 0)
    np.testing.assert_array_equal(xlog1py[[0, 2, 3, 4, 6]], np.array(want, dtype)[[0, 2, 3, 4, 6]])


def test_xlog1py_for_tiny_y() -> None:
    # x * log1p(y) = x * y for |y| below 1e-17 (log1p does not lose y in 1 + y).
    value = np.array([1e-20, -1e-30, 1e-300])
    x, y = tt.vector("x"), tt.vector("y")
    (got,) = function([x, y], [tt.xlog1py(x, y)], mode="python")(np.full(3, 3.0), value)
    np.testing.assert_allclose(got, 3.0 * value, rtol=1e-15)


def test_erfinv_and_erfcinv_in_their_tails() -> None:
    # Round trips through erf / erfc (separate functions: no rewrite can cancel them).
    x = np.array([1e-300, 1e-10, 0.5, 3.0])  # erf(3) = 1 - 2.2e-5: erfinv near 1
    np.testing.assert_allclose(run(tt.erfinv, run(tt.erf, x)), x, rtol=1e-12)
    big = np.array([5.0, 10.0, 20.0, 26.0])  # erfc(26) ~ 5.7e-296: erfcinv near 0
    np.testing.assert_allclose(run(tt.erfcinv, run(tt.erfc, big)), big, rtol=1e-13)


def test_gammaln_for_large_x_follows_stirling() -> None:
    # log gamma(x) = (x - 1/2) log x - x + log(2 pi) / 2 + 1/(12 x) - 1/(360 x^3) + ...
    x = np.array([1e3, 1e10, 1e100, 1e300])
    want = (x - 0.5) * np.log(x) - x + 0.5 * math.log(2 * math.pi) + 1 / (12 * x)
    np.testing.assert_allclose(run(tt.gammaln, x), want, rtol=1e-15)
