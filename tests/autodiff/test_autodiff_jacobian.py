"""jacobian, hessian and hessian_vector_product against finite differences (and JAX)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

import tensorgraft.tensor as tt
from tensorgraft.autodiff import grad, hessian, hessian_vector_product, jacobian, pushforward
from tensorgraft.compile import function


def numeric_jacobian(
    f: Callable[[np.ndarray], np.ndarray], x: np.ndarray, eps: float = 1e-6
) -> np.ndarray:
    """Central differences: shape f(x).shape + x.shape."""
    out_shape = np.shape(f(x))
    jac = np.zeros((*out_shape, x.size))
    for k in range(x.size):
        step = np.zeros(x.size)
        step[k] = eps
        up, down = f(x + step.reshape(x.shape)), f(x - step.reshape(x.shape))
        jac[..., k] = (np.asarray(up) - np.asarray(down)) / (2 * eps)
    return jac.reshape(*out_shape, *x.shape)


# -- a logistic-regression loss -----------------------------------------------------------------
def _logistic(X: object, y: object, w: object) -> object:
    p = tt.sigmoid(X @ w)
    return -(y * tt.log(p) + (1 - y) * tt.log1p(-p)).mean()


@pytest.fixture
def logistic_data() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(6, 3))
    y = (rng.random(6) < 0.5).astype("float64")
    return X, y, rng.normal(size=3)


@pytest.mark.parametrize("vectorize", [True, False])
def test_logistic_regression_hessian(vectorize: bool, logistic_data: tuple) -> None:
    X, y, w = tt.matrix("X"), tt.vector("y"), tt.vector("w", shape=(3,))
    loss = _logistic(X, y, w)
    Xv, yv, wv = logistic_data
    h = function([X, y, w], hessian(loss, w, vectorize=vectorize), mode="python")(Xv, yv, wv)
    p = 1 / (1 + np.exp(-(Xv @ wv)))
    np.testing.assert_allclose(h, Xv.T @ np.diag(p * (1 - p)) @ Xv / len(yv), rtol=1e-10)
    g = function([X, y, w], grad(loss, w), mode="python")
    numeric = numeric_jacobian(lambda v: g(Xv, yv, v), wv)
    np.testing.assert_allclose(h, numeric, rtol=1e-5, atol=1e-8)


def test_logistic_regression_jacobian_of_probabilities(logistic_data: tuple) -> None:
    X, w = tt.matrix("X"), tt.vector("w")
    p = tt.sigmoid(X @ w)
    Xv, _, wv = logistic_data
    jac = function([X, w], jacobian(p, w), mode="python")(Xv, wv)
    f = function([X, w], p, mode="python")
    np.testing.assert_allclose(jac, numeric_jacobian(lambda v: f(Xv, v), wv), rtol=1e-6, atol=1e-9)


def test_hessian_vector_product(logistic_data: tuple) -> None:
    X, y, w, v = tt.matrix("X"), tt.vector("y"), tt.vector("w"), tt.vector("v")
    loss = _logistic(X, y, w)
    f = function(
        [X, y, w, v], [hessian(loss, w), hessian_vector_product(loss, w, v)], mode="python"
    )
    Xv, yv, wv = logistic_data
    vv = np.array([1.0, -2.0, 0.5])
    h, hv = f(Xv, yv, wv, vv)
    np.testing.assert_allclose(hv, h @ vv, rtol=1e-10)


# -- a Gaussian log-density with a Cholesky factor ------------------------------------------
def _gaussian_logp(x: object, mu: object, a: object) -> object:
    # Covariance S = L L^T with L = cholesky(a a^T + I): a full, non-trivial chain.
    n = 3
    L = tt.linalg.cholesky(a @ a.T + tt.eye(n))
    z = tt.linalg.solve_triangular(L, x - mu, lower=True, b_ndim=1)
    log_det = tt.log(tt.diagonal(L)).sum()
    return -0.5 * (z * z).sum() - log_det - 0.5 * n * np.log(2 * np.pi)


def _gaussian_reference(xv: np.ndarray, muv: np.ndarray, av: np.ndarray) -> float:
    cov = av @ av.T + np.eye(3)
    d = xv - muv
    return float(-0.5 * d @ np.linalg.solve(cov, d) - 0.5 * np.linalg.slogdet(2 * np.pi * cov)[1])


@pytest.fixture
def gaussian_data() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(3)
    return rng.normal(size=3), rng.normal(size=3), rng.normal(size=(3, 3))


def test_gaussian_logp_gradient_and_hessian(gaussian_data: tuple) -> None:
    x, mu, a = tt.vector("x"), tt.vector("mu"), tt.matrix("a")
    logp = _gaussian_logp(x, mu, a)
    xv, muv, av = gaussian_data
    f = function([x, mu, a], [logp, *grad(logp, [mu, a]), hessian(logp, mu)], mode="python")
    value, g_mu, g_a, h_mu = f(xv, muv, av)
    np.testing.assert_allclose(value, _gaussian_reference(xv, muv, av), rtol=1e-12)
    cov = av @ av.T + np.eye(3)
    np.testing.assert_allclose(g_mu, np.linalg.solve(cov, xv - muv), rtol=1e-10)
    np.testing.assert_allclose(h_mu, -np.linalg.inv(cov), rtol=1e-10)
    numeric = numeric_jacobian(lambda v: np.asarray(_gaussian_reference(xv, muv, v)), av)
    np.testing.assert_allclose(g_a, numeric, rtol=1e-6, atol=1e-8)


def test_gaussian_logp_hessian_in_the_factor(gaussian_data: tuple) -> None:
    x, mu, a = tt.vector("x"), tt.vector("mu"), tt.matrix("a")
    logp = _gaussian_logp(x, mu, a)
    xv, muv, av = gaussian_data
    h = function([x, mu, a], hessian(logp, a), mode="python")(xv, muv, av)
    g = function([x, mu, a], grad(logp, a), mode="python")
    numeric = numeric_jacobian(lambda v: g(xv, muv, v), av)
    assert h.shape == (3, 3, 3, 3)
    np.testing.assert_allclose(h, numeric, rtol=1e-5, atol=1e-7)


def test_against_jax(gaussian_data: tuple, logistic_data: tuple) -> None:
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    jnp = jax.numpy
    Xv, yv, wv = logistic_data

    def jax_loss(w: object) -> object:
        p = jax.nn.sigmoid(Xv @ w)
        return -(yv * jnp.log(p) + (1 - yv) * jnp.log1p(-p)).mean()

    X, y, w = tt.matrix("X"), tt.vector("y"), tt.vector("w")
    h = function([X, y, w], hessian(_logistic(X, y, w), w), mode="python")(Xv, yv, wv)
    np.testing.assert_allclose(h, np.asarray(jax.jit(jax.hessian(jax_loss))(wv)), rtol=1e-10)

    xv, muv, av = gaussian_data

    def jax_logp(a: object) -> object:
        cov = a @ a.T + jnp.eye(3)
        d = xv - muv
        return -0.5 * d @ jnp.linalg.solve(cov, d) - 0.5 * jnp.linalg.slogdet(2 * jnp.pi * cov)[1]

    x, mu, a = tt.vector("x"), tt.vector("mu"), tt.matrix("a")
    h_a = function([x, mu, a], hessian(_gaussian_logp(x, mu, a), a), mode="python")(xv, muv, av)
    np.testing.assert_allclose(
        h_a, np.asarray(jax.jit(jax.hessian(jax_logp))(av)), rtol=1e-7, atol=1e-9
    )

    # Forward mode and the Hessian-vector product against jax.jvp.
    t = tt.matrix("t")
    va = np.random.default_rng(4).normal(size=(3, 3))
    logp = _gaussian_logp(x, mu, a)
    jvp, hvp = function(
        [x, mu, a, t],
        [pushforward(logp, a, t), hessian_vector_product(logp, a, t)],
        mode="python",
    )(xv, muv, av, va)
    # jit: one XLA compilation per function is much faster than eager op-by-op dispatch.
    jax_jvp = jax.jit(lambda m, v: jax.jvp(jax_logp, (m,), (v,))[1])(av, va)
    jax_hvp = jax.jit(lambda m, v: jax.jvp(jax.grad(jax_logp), (m,), (v,))[1])(av, va)
    np.testing.assert_allclose(jvp, np.asarray(jax_jvp), rtol=1e-9)
    np.testing.assert_allclose(hvp, np.asarray(jax_hvp), rtol=1e-7, atol=1e-9)


def test_jacobian_of_a_scalar_is_the_gradient() -> None:
    x = tt.vector("x")
    j = jacobian(tt.exp(x).sum(), x)
    np.testing.assert_allclose(function([x], j, mode="python")(np.zeros(2)), [1.0, 1.0])


def test_jacobian_of_a_matrix_expression_has_both_shapes() -> None:
    x = tt.vector("x")
    y = tt.expand_dims(x, 1) * tt.expand_dims(x, 0)  # outer(x, x)
    xv = np.array([1.0, 2.0, 3.0])
    jac = function([x], jacobian(y, x), mode="python")(xv)
    f = function([x], y, mode="python")
    assert jac.shape == (3, 3, 3)
    np.testing.assert_allclose(jac, numeric_jacobian(f, xv), rtol=1e-7, atol=1e-9)
