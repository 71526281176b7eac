"""Numerical stability of the special functions where naive formulas overflow or cancel.

Expected values are exact or first-order asymptotics: softplus(x) = exp(x) and
log1mexp(x) = -exp(x) for very negative x, log1mexp(x) = log(-x) near 0.
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
