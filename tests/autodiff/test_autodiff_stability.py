"""Gradients of stabilized functions stay finite where the function is."""

from __future__ import annotations

import numpy as np

import tensorgraft.tensor as tt
from tensorgraft.autodiff import grad
from tensorgraft.compile import function


def _gradient(fn: object, values: np.ndarray) -> np.ndarray:
    x = tt.vector("x")
    g = grad(fn(x).sum(), x)  # type: ignore[operator]
    return function([x], g, mode="python")(values)  # type: ignore[no-any-return]


def test_softplus_gradient_at_large_magnitudes() -> None:
    got = _gradient(tt.softplus, np.array([-800.0, -30.0, 0.0, 30.0, 800.0]))
    assert np.isfinite(got).all()
    np.testing.assert_allclose(
        got, [0.0, 1 / (1 + np.exp(30.0)), 0.5, 1 / (1 + np.exp(-30.0)), 1.0]
    )


def test_log1mexp_gradient_near_zero() -> None:
    xv = np.array([-1e-300, -1e-20, -1e-8, -1.0, -800.0])
    got = _gradient(tt.log1mexp, xv)
    assert np.isfinite(got).all()
    np.testing.assert_allclose(got, -1 / np.expm1(-xv), rtol=1e-12)


def test_log_softmax_gradient_with_large_inputs() -> None:
    x = tt.vector("x")
    g = grad(tt.log_softmax(x)[0], x)
    xv = np.array([1000.0, -1000.0, 0.0])
    got = function([x], g, mode="python")(xv)
    assert np.isfinite(got).all()
    np.testing.assert_allclose(got, [0.0, 0.0, 0.0], atol=1e-12)


def test_logsumexp_gradient_is_softmax_for_large_inputs() -> None:
    x = tt.vector("x")
    g = grad(tt.logsumexp(x), x)
    xv = np.array([800.0, 799.0, -800.0])
    got = function([x], g, mode="python")(xv)
    expected = np.exp(xv - xv.max()) / np.exp(xv - xv.max()).sum()
    np.testing.assert_allclose(got, expected, rtol=1e-12)
