"""Gradients of stabilized functions stay finite where the function is."""

from __future__ import annotations

import numpy as np
from scipy.special import expit

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
    # d log(1 - e^x) = e^x / expm1(x), written so that NumPy does not overflow either.
    np.testing.assert_allclose(got, np.exp(xv) / np.expm1(xv), rtol=1e-12)


def test_sigmoid_and_logaddexp_gradients_at_large_magnitudes() -> None:
    xv = np.array([-800.0, -40.0, 0.0, 40.0, 800.0])
    got = _gradient(tt.sigmoid, xv)
    np.testing.assert_allclose(got, expit(xv) * expit(-xv), rtol=1e-12)
    got = _gradient(lambda x: tt.logaddexp(x, -x), xv)
    np.testing.assert_allclose(got, np.tanh(xv), rtol=1e-12)  # d log(e^x + e^-x) = tanh(x)


def test_xlogy_gradient_is_finite_where_x_is_zero() -> None:
    # x log(y) is 0 wherever x == 0: its gradient in y is 0 there, also at y == 0.
    x, y = tt.vector("x"), tt.vector("y")
    gx, gy = grad(tt.xlogy(x, y).sum(), [x, y])
    xv, yv = np.array([0.0, 0.0, 2.0]), np.array([0.0, 3.0, 4.0])
    with np.errstate(divide="ignore", invalid="ignore"):  # log(0) in d/dx, 0/0 masked
        got = function([x, y], [gx, gy], mode="python")(xv, yv)
    np.testing.assert_array_equal(got[1], [0.0, 0.0, 0.5])
    np.testing.assert_allclose(got[0][1:], np.log(yv[1:]))


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


def _central_differences(f: object, v: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    out = np.zeros_like(v)
    for i in np.ndindex(v.shape):
        up, down = v.copy(), v.copy()
        up[i] += eps
        down[i] -= eps
        out[i] = (f(up) - f(down)) / (2 * eps)  # type: ignore[operator]
    return out


def test_cumprod_gradient_is_exact_at_zero_entries() -> None:
    # The first zero along the axis has a nonzero gradient, later ones a zero gradient.
    m = tt.matrix("m")
    value = np.array([[1.5, 0.0, 2.0, 0.0], [0.0, 3.0, 0.0, 0.5], [0.0, 0.0, 1.0, 2.0]])
    for axis in (0, 1, None):
        cost = tt.sum(tt.sin(tt.cumprod(m, axis=axis)))
        got = function([m], grad(cost, m))(value)
        expected = _central_differences(
            lambda a, axis=axis: float(np.sum(np.sin(np.cumprod(a, axis=axis)))), value
        )
        np.testing.assert_allclose(got, expected, atol=1e-6)
