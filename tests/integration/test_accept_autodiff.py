"""Acceptance tests for issue 5 (the autodiff package), written from the issue text.

Gradients are checked against central finite differences computed here with NumPy, and
against JAX when it is installed.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
import pytest
import scipy.special

import tensorgraft.tensor as tt
import tensorgraft.tensor.linalg as tla
from tensorgraft.autodiff import (
    DisconnectedInputError,
    GradientError,
    Lop,
    Rop,
    coverage,
    disconnected_grad,
    grad,
    hessian,
    hessian_vector_product,
    jacobian,
    pullback,
    pushforward,
    stop_gradient,
    verify_grad,
    zero_grad,
)
from tensorgraft.compile import function
from tensorgraft.rewrite.testing import op_names


def run(inputs, outputs, *values):
    return function(inputs, outputs, mode="python", on_unused_input="ignore")(*values)


def fd_grad(f: Callable[[np.ndarray], float], x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central finite differences of a scalar function."""
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        d = np.zeros_like(x)
        d[i] = eps
        g[i] = (f(x + d) - f(x - d)) / (2 * eps)
    return g


def fd_jac(f: Callable[[np.ndarray], np.ndarray], x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    y = np.asarray(f(x))
    j = np.zeros(y.shape + x.shape)
    for i in np.ndindex(x.shape):
        d = np.zeros_like(x)
        d[i] = eps
        j[(..., *i)] = (np.asarray(f(x + d)) - np.asarray(f(x - d))) / (2 * eps)
    return j


# ---- grad ------------------------------------------------------------------------------------


def test_grad_matches_finite_differences_on_a_composite_function() -> None:
    x = tt.vector("x")
    cost = (tt.tanh(x) * tt.exp(-(x**2)) + tt.log1p(x * x)).sum()
    g = grad(cost, x)
    assert g.type == x.type
    v = np.array([0.3, -1.2, 2.0])
    np.testing.assert_allclose(
        run([x], [g], v)[0],
        fd_grad(lambda a: np.sum(np.tanh(a) * np.exp(-(a**2)) + np.log1p(a * a)), v),
        rtol=1e-6,
    )


def test_grad_with_respect_to_a_list_and_broadcasting() -> None:
    x, b = tt.matrix("x", shape=(2, 3)), tt.vector("b", shape=(3,))
    cost = tt.sum(tt.sigmoid(x + b) ** 2)
    gx, gb = grad(cost, [x, b])
    assert gx.type.shape == (2, 3) and gb.type.shape == (3,)
    a, c = np.random.default_rng(0).normal(size=(2, 3)), np.array([0.1, -0.2, 0.3])
    got = run([x, b], [gx, gb], a, c)
    np.testing.assert_allclose(
        got[0], fd_grad(lambda z: np.sum(scipy.special.expit(z + c) ** 2), a), rtol=1e-6
    )
    np.testing.assert_allclose(
        got[1], fd_grad(lambda z: np.sum(scipy.special.expit(a + z) ** 2), c), rtol=1e-6
    )


def test_non_scalar_cost_is_a_clear_error() -> None:
    x = tt.vector("x")
    with pytest.raises((TypeError, ValueError)) as info:
        grad(tt.exp(x), x)
    assert "scalar" in str(info.value) or "0-d" in str(info.value) or "ndim" in str(info.value)


def test_disconnected_raise_warn_ignore() -> None:
    x, y = tt.vector("x"), tt.vector("y")
    cost = tt.sum(x**2)
    with pytest.raises(DisconnectedInputError) as info:
        grad(cost, y)
    assert "y" in str(info.value)
    with pytest.warns(UserWarning):
        gy = grad(cost, y, disconnected="warn")
    np.testing.assert_array_equal(run([x, y], [gy], np.ones(2), np.ones(2))[0], np.zeros(2))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gy = grad(cost, y, disconnected="ignore")
    np.testing.assert_array_equal(run([x, y], [gy], np.ones(2), np.ones(3))[0], np.zeros(3))


def test_integer_inputs_get_zero_gradient() -> None:
    x = tt.vector("x")
    k = tt.vector("k", dtype="int64")
    cost = tt.sum(x * k)
    gk = grad(cost, k, disconnected="ignore")
    assert gk.dtype[0] == "f"
    np.testing.assert_array_equal(run([x, k], [gk], np.ones(2), np.array([1, 2]))[0], np.zeros(2))
    gx = grad(cost, x)
    np.testing.assert_array_equal(run([x, k], [gx], np.ones(2), np.array([1, 2]))[0], [1.0, 2.0])


def test_non_differentiable_ops_give_zero_or_disconnected() -> None:
    x = tt.vector("x")
    v = np.array([0.3, 2.7, -1.5])
    cost = tt.sum(tt.floor(x) * x) + tt.sum(tt.argmax(x) * 1.0) + tt.sum(tt.sign(x))
    g = grad(cost, x)
    np.testing.assert_allclose(run([x], [g], v)[0], np.floor(v))


def test_consider_constant() -> None:
    x = tt.vector("x")
    y = tt.exp(x)
    cost = tt.sum(y * x)
    g = grad(cost, x, consider_constant=[y])
    v = np.array([0.1, 0.5])
    np.testing.assert_allclose(run([x], [g], v)[0], np.exp(v))


def test_stop_gradient_zero_grad_disconnected_grad() -> None:
    x = tt.vector("x")
    v = np.array([0.1, 0.5])
    for blocker in (stop_gradient, zero_grad):
        g = grad(tt.sum(blocker(x**2) + x), x)
        np.testing.assert_allclose(run([x], [g], v)[0], np.ones(2))
        np.testing.assert_allclose(run([x], [blocker(x**2)], v)[0], v**2)  # value unchanged
    g = grad(tt.sum(disconnected_grad(x**2) + x), x)
    np.testing.assert_allclose(run([x], [g], v)[0], np.ones(2))
    with pytest.raises(DisconnectedInputError):
        grad(tt.sum(disconnected_grad(x**2)), x)


def test_known_grads() -> None:
    x = tt.vector("x")
    y = tt.exp(x)
    gy = tt.vector("gy")
    g = grad(None, x, known_grads={y: gy})
    v, w = np.array([0.1, 0.5]), np.array([2.0, 3.0])
    np.testing.assert_allclose(run([x, gy], [g], v, w)[0], np.exp(v) * w)
    # added to the cost's gradient
    g2 = grad(tt.sum(y), x, known_grads={y: gy})
    np.testing.assert_allclose(run([x, gy], [g2], v, w)[0], np.exp(v) * (w + 1))


# ---- pullback / pushforward ------------------------------------------------------------------


def test_pullback_and_lop() -> None:
    A = tt.matrix("A", shape=(2, 3))
    x = tt.vector("x", shape=(3,))
    y = tt.tanh(A @ x)
    u = tt.vector("u", shape=(2,))
    a, v, w = (
        np.random.default_rng(1).normal(size=(2, 3)),
        np.array([0.1, 0.2, 0.3]),
        np.array([1.0, -2.0]),
    )
    jac = fd_jac(lambda z: np.tanh(a @ z), v)
    for fn in (pullback, Lop):
        out = fn(y, x, u)
        np.testing.assert_allclose(run([A, x, u], [out], a, v, w)[0], w @ jac, rtol=1e-6)


def test_pushforward_and_rop() -> None:
    A = tt.matrix("A", shape=(2, 3))
    x = tt.vector("x", shape=(3,))
    y = tt.tanh(A @ x) * tt.sum(x**2)
    t = tt.vector("t", shape=(3,))
    a, v, w = (
        np.random.default_rng(2).normal(size=(2, 3)),
        np.array([0.1, 0.2, 0.3]),
        np.array([1.0, -2.0, 0.5]),
    )
    jac = fd_jac(lambda z: np.tanh(a @ z) * np.sum(z**2), v)
    for fn in (pushforward, Rop):
        out = fn(y, x, t)
        np.testing.assert_allclose(run([A, x, t], [out], a, v, w)[0], jac @ w, rtol=1e-6)


# ---- jacobian / hessian ----------------------------------------------------------------------


X_LOGREG = np.random.default_rng(3).normal(size=(5, 3))
Y_LOGREG = np.array([0.0, 1.0, 1.0, 0.0, 1.0])


def _logreg():
    w = tt.vector("w", shape=(3,))
    X = tt.constant(X_LOGREG)
    yv = Y_LOGREG
    z = X @ w
    loss = tt.sum(tt.softplus(z) - tt.constant(yv) * z)

    def ref(a: np.ndarray) -> float:
        zz = X.data @ a
        return float(np.sum(np.logaddexp(0, zz) - yv * zz))

    return w, loss, ref


def _gauss():
    mu = tt.vector("mu", shape=(3,))
    m = np.random.default_rng(4).normal(size=(3, 3))
    cov = m @ m.T + 3 * np.eye(3)
    L = tla.cholesky(tt.constant(cov))
    xv = np.array([0.5, -1.0, 2.0])
    r = tla.solve_triangular(L, tt.constant(xv) - mu, lower=True)
    logp = -0.5 * tt.sum(r**2) - tt.sum(tt.log(tt.diagonal(L))) - 1.5 * np.log(2 * np.pi)

    def ref(a: np.ndarray) -> float:
        return float(scipy.stats.multivariate_normal(a, cov).logpdf(xv))

    return mu, logp, ref


def _gauss_chol_param():
    """Gaussian log-density as a function of a free matrix M with cov = M M^T + I."""
    M = tt.matrix("M", shape=(2, 2))
    xv = np.array([0.5, -1.0])
    cov = M @ M.T + tt.eye(2)
    L = tla.cholesky(cov)
    r = tla.solve_triangular(L, tt.constant(xv), lower=True)
    logp = -0.5 * tt.sum(r**2) - tt.sum(tt.log(tt.diagonal(L)))

    def ref(a: np.ndarray) -> float:
        c = a @ a.T + np.eye(2)
        return float(scipy.stats.multivariate_normal(np.zeros(2), c).logpdf(xv) + np.log(2 * np.pi))

    return M, logp, ref


import scipy.stats  # noqa: E402


@pytest.mark.parametrize("problem", [_logreg, _gauss, _gauss_chol_param])
def test_jacobian_and_hessian_against_finite_differences(problem) -> None:
    w, cost, ref = problem()
    v = np.random.default_rng(5).normal(size=w.type.shape) * 0.5
    g = grad(cost, w)
    H = hessian(cost, w)
    J = jacobian(g, w)
    gv, hv, jv = run([w], [g, H, J], v)
    np.testing.assert_allclose(gv, fd_grad(ref, v), rtol=1e-5, atol=1e-7)
    fd_h = fd_jac(lambda a: fd_grad(ref, a, eps=1e-4), v, eps=1e-4)
    np.testing.assert_allclose(hv, fd_h, rtol=1e-3, atol=1e-5)
    np.testing.assert_allclose(jv, hv, rtol=1e-10, atol=1e-12)
    vec = tt.tensor("vec", shape=w.type.shape, dtype="float64")
    hvp = hessian_vector_product(cost, w, vec)
    d = np.ones(w.type.shape)
    np.testing.assert_allclose(
        run([w, vec], [hvp], v, d)[0], np.tensordot(hv, d, axes=d.ndim), rtol=1e-8
    )


def test_jacobian_shape_and_against_jax() -> None:
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    jnp = jax.numpy
    x = tt.matrix("x", shape=(2, 3))
    y = tt.tanh(x) @ tt.exp(x.T) + tt.sum(x**3)
    J = jacobian(y, x)
    assert J.type.shape == (2, 2, 2, 3)
    a = np.random.default_rng(6).normal(size=(2, 3))
    expected = jax.jacobian(lambda z: jnp.tanh(z) @ jnp.exp(z.T) + jnp.sum(z**3))(a)
    np.testing.assert_allclose(run([x], [J], a)[0], np.asarray(expected), rtol=1e-10)
    w, cost, _ = _logreg()
    v = np.array([0.2, -0.1, 0.4])
    Xd, yv = X_LOGREG, Y_LOGREG
    ref_h = jax.hessian(lambda z: jnp.sum(jnp.logaddexp(0, Xd @ z) - yv * (Xd @ z)))(v)
    np.testing.assert_allclose(run([w], [hessian(cost, w)], v)[0], np.asarray(ref_h), rtol=1e-10)


# ---- verify_grad -----------------------------------------------------------------------------


def test_verify_grad_passes_and_catches_wrong_gradients() -> None:
    verify_grad(
        lambda a, b: tt.sum(tt.exp(a) * tt.sin(b)),
        [np.array([0.1, 0.2]), np.array([[0.3], [0.4]])],
        rng=0,
    )
    from tensorgraft.autodiff import stop_gradient as sg

    # a function whose symbolic gradient is deliberately wrong
    with pytest.raises(GradientError):
        verify_grad(lambda a: tt.sum(sg(a) * a), [np.array([0.5, 1.5])], rng=0)


@pytest.mark.parametrize(
    ("fn", "points"),
    [
        (lambda a: tt.logsumexp(a, axis=1), [np.random.default_rng(7).normal(size=(2, 3))]),
        (lambda a: tt.max(a, axis=0), [np.array([[1.0, 5.0], [3.0, 2.0]])]),
        (
            lambda a: tt.cumprod(a, axis=1),
            [np.random.default_rng(8).uniform(0.5, 1.5, size=(2, 3))],
        ),
        (lambda a: tt.cumsum(a), [np.random.default_rng(9).normal(size=4)]),
        (lambda a: a[1:, ::-1][[0, 0]], [np.random.default_rng(10).normal(size=(3, 3))]),
        (lambda a, b: tt.set_subtensor(a[0], b), [np.ones((2, 3)), np.array([1.0, 2.0, 3.0])]),
        (lambda a, b: tt.inc_subtensor(a[[0, 0]], b), [np.ones((2, 3)), np.array([1.0, 2.0, 3.0])]),
        (
            lambda a, b: tt.einsum("ij,jk->ik", a, b),
            [np.ones((2, 3)) * 0.3, np.arange(6.0).reshape(3, 2)],
        ),
        (lambda a: tla.inv(a), [np.eye(3) * 2 + 0.1]),
        (lambda a: tla.det(a), [np.eye(3) * 2 + 0.1]),
        (lambda a: tla.slogdet(a)[1], [np.eye(3) * 2 + 0.1]),
        (lambda a, b: tla.solve(a, b), [np.eye(3) * 2 + 0.1, np.arange(3.0)]),
        (lambda a: tla.eigh(a + a.T)[0], [np.diag([1.0, 2.0, 3.0]) + 0.1]),
        (lambda a: tla.svd(a, compute_uv=False), [np.array([[3.0, 1.0], [0.5, 2.0], [0.1, 0.2]])]),
        (lambda a: tla.qr(a)[1], [np.array([[3.0, 1.0], [0.5, 2.0], [0.1, 0.2]])]),
        (lambda a: tla.cholesky(a @ a.T + tt.eye(3)), [np.arange(9.0).reshape(3, 3) / 10]),
        (lambda a: tt.reshape(tt.transpose(a), (6,)), [np.arange(6.0).reshape(2, 3)]),
        (lambda a, b: tt.concatenate([a, b], axis=0), [np.ones((2, 3)), np.ones((1, 3))]),
        (lambda a: tla.inv(a), [np.stack([np.eye(2) * 2 + 0.1, np.eye(2) * 3])]),  # batched
        (
            lambda a, b: a * b + tt.sigmoid(a - b),
            [np.ones((2, 1)) * 0.3, np.array([0.1, 0.2, 0.3])],
        ),
        (lambda a: tt.erfcx(a) + tt.gammaln(a) + tt.digamma(a), [np.array([0.5, 1.5, 3.0])]),
        (
            lambda a: tt.log_softmax(a, axis=-1) * tt.softmax(a, axis=0),
            [np.random.default_rng(11).normal(size=(2, 3))],
        ),
        (lambda a: tt.sort(a), [np.array([3.0, 1.0, 2.0])]),
        (lambda a: tt.prod(a, axis=0), [np.array([[1.5, 0.5], [2.0, -1.0]])]),
        (
            lambda a: tt.var(a, ddof=1) + tt.std(a, axis=0),
            [np.random.default_rng(12).normal(size=(3, 2))],
        ),
    ],
)
def test_verify_grad_over_the_catalog(fn, points) -> None:
    verify_grad(fn, points, rng=0)


def test_gradient_graphs_are_readable() -> None:
    x = tt.vector("x")
    g = grad(tt.sum(tt.log1p(x)), x)
    assert "Second" not in op_names(g)
    from tensorgraft.rewrite import rewrite_graph

    out = rewrite_graph(g, include=("canonicalize", "specialize"))
    assert op_names(out) == ["Add", "Reciprocal"] or sorted(op_names(out)) == [
        "Add",
        "ExpandDims",
        "Reciprocal",
    ]


def test_gradient_is_an_ordinary_graph_that_vectorizes() -> None:
    vec = pytest.importorskip("tensorgraft.vectorize")
    x = tt.vector("x", shape=(3,))
    g = grad(tt.sum(tt.tanh(x) ** 2), x)
    bx = tt.matrix("bx", shape=(4, 3))
    bg = vec.vectorize_graph(g, replace={x: bx})
    a = np.random.default_rng(13).normal(size=(4, 3))
    np.testing.assert_allclose(run([bx], [bg], a)[0], 2 * np.tanh(a) * (1 - np.tanh(a) ** 2))


# ---- stability -------------------------------------------------------------------------------


def test_gradients_of_stabilized_graphs_stay_finite() -> None:
    x = tt.vector("x")
    g_sp = grad(tt.sum(tt.softplus(x)), x)
    got = run([x], [g_sp], np.array([-800.0, 800.0]))[0]
    np.testing.assert_allclose(got, scipy.special.expit([-800.0, 800.0]))
    g_lm = grad(tt.sum(tt.log1mexp(x)), x)
    near = np.array([-1e-10, -1e-5, -800.0])
    got = run([x], [g_lm], near)[0]
    expected = np.exp(near) / np.expm1(near)  # d/dx log(1 - e^x)
    assert np.all(np.isfinite(got))
    np.testing.assert_allclose(got, expected, rtol=1e-6)
    # gradient of the stabilized rewrite of log(1 + exp(x))
    from tensorgraft.rewrite import rewrite_graph

    y = rewrite_graph(tt.sum(tt.log(1 + tt.exp(x))), include=("stabilize",))
    got = run([x], [grad(y, x)], np.array([-800.0, 800.0]))[0]
    np.testing.assert_allclose(got, [0.0, 1.0])


# ---- coverage --------------------------------------------------------------------------------


def test_coverage_lists_every_catalog_op_with_a_rule_or_reason() -> None:
    from tensorgraft.tensor.catalog import catalog_op_types, catalog_scalar_ops

    types = set(catalog_op_types()) | {type(s) for s in catalog_scalar_ops()}
    assert len(types) > 100
    cov = coverage(types)
    missing = sorted(t.__name__ for t, c in cov.items() if not c.handled)
    assert not missing
    # differentiable ops have a pushforward as well (a rule or the transposed pullback)
    no_forward = sorted(t.__name__ for t, c in cov.items() if c.pullback and not c.pushforward)
    assert not no_forward


def test_gradient_through_a_fused_composite() -> None:
    from tensorgraft.rewrite import rewrite_graph

    x, y = tt.vector("x"), tt.vector("y")
    fused = rewrite_graph(tt.exp(x) * tt.sin(y) + tt.tanh(x), include=("canonicalize", "fusion"))
    assert "Composite" in op_names(fused)
    gx, gy = grad(tt.sum(fused), [x, y])
    v, w = np.array([0.1, 0.7]), np.array([0.3, -0.4])
    got = run([x, y], [gx, gy], v, w)
    np.testing.assert_allclose(got[0], np.exp(v) * np.sin(w) + 1 - np.tanh(v) ** 2)
    np.testing.assert_allclose(got[1], np.exp(v) * np.cos(w))


def test_cumprod_gradient_with_a_zero_entry_is_finite() -> None:
    x = tt.vector("x")
    v = np.array([2.0, 0.0, 3.0])
    got = run([x], [grad(tt.sum(tt.cumprod(x)), x)], v)[0]
    np.testing.assert_allclose(got, fd_grad(lambda a: float(np.sum(np.cumprod(a))), v), rtol=1e-6)


def test_gradient_of_stabilized_log_erfc_is_finite() -> None:
    from tensorgraft.rewrite import rewrite_graph

    x = tt.vector("x")
    stab = rewrite_graph(tt.sum(tt.log(tt.erfc(x))), include=("canonicalize", "stabilize"))
    v = np.array([30.0, 100.0, -3.0, 1.0])
    got = run([x], [grad(stab, x)], v)[0]
    np.testing.assert_allclose(got, -2 / np.sqrt(np.pi) / scipy.special.erfcx(v), rtol=1e-8)


def test_compiled_gradient_of_unstabilized_softplus_is_finite() -> None:
    x = tt.vector("x")
    v = np.array([-800.0, 800.0])
    got = function([x], grad(tt.sum(tt.log(1 + tt.exp(x))), x), mode="python")(v)
    np.testing.assert_allclose(got, scipy.special.expit(v))
    got = function([x], grad(tt.sum(tt.log(tt.sigmoid(x))), x), mode="python")(v)
    np.testing.assert_allclose(got, scipy.special.expit(-v))


def test_float32_gradients_stay_float32() -> None:
    x = tt.vector("x", dtype="float32")
    assert grad(tt.sum(tt.exp(x) * 2.0), x).dtype == "float32"
    assert grad(tt.sum(tt.cast(x, "float64") ** 2), x).dtype == "float32"


def test_jacobian_and_hessian_with_respect_to_lists() -> None:
    s, x = tt.scalar("s"), tt.vector("x")
    js, jx = jacobian(tt.exp(s * x), [s, x])
    hs, hx = hessian(tt.sum(s * x**3), [s, x])
    sv, xv = 0.5, np.array([0.1, 0.2, 0.3])
    got = run([s, x], [js, jx, hs, hx], sv, xv)
    np.testing.assert_allclose(got[0], xv * np.exp(sv * xv))
    np.testing.assert_allclose(got[1], np.diag(sv * np.exp(sv * xv)))
    np.testing.assert_allclose(got[2], 0.0)
    np.testing.assert_allclose(got[3], np.diag(6 * sv * xv))


def test_grad_with_respect_to_an_intermediate_variable() -> None:
    x = tt.vector("x")
    y = tt.exp(x)
    g = grad(tt.sum(y**2), y)
    v = np.array([0.0, 1.0])
    np.testing.assert_allclose(run([x], [g], v)[0], 2 * np.exp(v))


@pytest.mark.parametrize(
    ("fn", "points"),
    [
        (lambda a: tt.cumsum(a * a, axis=0), [np.arange(6.0).reshape(2, 3) / 5]),
        (lambda a: tt.logsumexp(a, axis=1), [np.arange(6.0).reshape(2, 3) / 5]),
        (lambda a: a[::-1, [0, 2]].sum(axis=0), [np.arange(6.0).reshape(2, 3) / 5]),
        (lambda a, b: tla.solve(a, b), [np.eye(3) * 2 + 0.1, np.arange(3.0)]),
        (lambda a: tla.eigvalsh(a + a.T), [np.diag([1.0, 2.0, 3.0]) + 0.1]),
        (lambda a, b: tt.set_subtensor(a[1:], b), [np.arange(3.0), np.array([5.0, 6.0])]),
        (lambda a: tt.max(a, axis=1), [np.array([[1.0, 3.0], [4.0, 2.0]])]),
        (lambda a: tt.sort(a), [np.array([0.3, -1.0, 2.0])]),
    ],
)
def test_pushforward_equals_jacobian_times_tangent(fn, points) -> None:
    ins = [tt.tensor(f"a{k}", shape=p.shape, dtype="float64") for k, p in enumerate(points)]
    tans = [tt.tensor(f"t{k}", shape=p.shape, dtype="float64") for k, p in enumerate(points)]
    out = fn(*ins)
    jvp = pushforward(out, ins, tans)
    jacs = jacobian(out, ins)
    tv = [np.random.default_rng(k).normal(size=p.shape) for k, p in enumerate(points)]
    got = run(ins + tans, [jvp, *jacs], *points, *tv)
    expected = sum(np.tensordot(j, t, axes=t.ndim) for j, t in zip(got[1:], tv, strict=True))
    np.testing.assert_allclose(got[0], expected, rtol=1e-10, atol=1e-12)
