"""The numba backend on a hierarchical model's log-density and gradient (few passes over
the data: scalings inside SumTo, one fused loop, SumTo without a copy) and SumTo's view
of its input: values against NumPy, and no aliasing the caller can see."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import tensorgraft.tensor as tt
from tensorgraft.compile import function
from tensorgraft.compile_numba import backend

autodiff = pytest.importorskip("tensorgraft.autodiff")
RNG = np.random.default_rng(11)


def _op_names(f: Any) -> list[str]:
    names = []
    for node in f.fgraph.toposort():
        scalar = getattr(node.op, "scalar_op", None)
        names.append(type(scalar).__name__ if scalar is not None else type(node.op).__name__)
    return names


def _hier_numpy(mu: Any, log_tau: Any, raw: Any, y: Any, sigma: Any, g: Any) -> list[Any]:
    """The log-density and its gradient in (mu, log_tau, raw), by hand."""
    tau = np.exp(log_tau)
    theta = mu + tau * raw
    resid = (y - theta[g]) / sigma
    logp = -0.5 * (mu / 5.0) ** 2 - 0.5 * log_tau**2 - 0.5 * np.sum(raw**2)
    logp = logp - 0.5 * np.sum(resid**2)
    r = resid / sigma
    per_group = np.bincount(g, r, minlength=raw.size)
    return [logp, -mu / 25.0 + r.sum(), -log_tau + tau * np.sum(raw[g] * r), -raw + tau * per_group]


@pytest.fixture(scope="module")
def hier() -> Any:
    mu, log_tau = tt.scalar("mu"), tt.scalar("log_tau")
    raw, y, sigma = tt.vector("raw"), tt.vector("y"), tt.vector("sigma")
    g = tt.vector("g", dtype="int64")
    theta = mu + tt.exp(log_tau) * raw
    resid = (y - theta[g]) / sigma
    prior = -0.5 * (mu / 5.0) ** 2 - 0.5 * log_tau**2 - 0.5 * tt.sum(raw**2)
    logp = prior - 0.5 * tt.sum(resid**2)
    grads = autodiff.grad(logp, [mu, log_tau, raw])
    return function([mu, log_tau, raw, y, sigma, g], [logp, *grads], mode=backend)


@pytest.mark.parametrize(("groups", "n", "n_sigma"), [(5, 40, 40), (3, 12, 1)])
def test_hierarchical_log_density_and_gradient(
    hier: Any, groups: int, n: int, n_sigma: int
) -> None:
    # n_sigma = 1: sigma broadcasts at run time, and its SumTo sums for real.
    args = [
        np.asarray(0.7),
        np.asarray(-0.2),
        RNG.normal(size=groups),
        RNG.normal(2.0, 3.0, size=n),
        RNG.uniform(1.0, 3.0, size=n_sigma),
        RNG.integers(0, groups, size=n),
    ]
    got = hier(*args)
    want = _hier_numpy(*args)
    for a, b in zip(got, want, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-11, atol=1e-12)


def test_hierarchical_gradient_has_one_sum_to_and_no_negation(hier: Any) -> None:
    names = _op_names(hier)
    assert names.count("SumTo") == 1 and "Neg" not in names
    # The residual's loop also makes the scaled residual that the scatter-add reads.
    assert names.count("Composite") <= 5


@pytest.mark.parametrize("ny", [1, 4])
def test_sum_to_of_an_input_returned_is_a_copy(ny: int) -> None:
    x, y = tt.vector("x"), tt.vector("y")
    f = function([x, y], tt.sum_to(x, tt.shape(y)), mode=backend)
    xv = RNG.normal(size=4)
    got = f(xv, np.zeros(ny))
    np.testing.assert_allclose(got, xv if ny == 4 else [xv.sum()], rtol=1e-13)
    assert not np.shares_memory(got, xv)


@pytest.mark.parametrize("ny", [1, 4])
def test_sum_to_view_is_not_overwritten_while_read(ny: int) -> None:
    # e is read twice: a node overwriting the SumTo (a view of e) would change e.
    x, y = tt.vector("x"), tt.vector("y")
    e = tt.exp(x)
    s = tt.sum_to(e, tt.shape(y))
    f = function(
        [x, y], [s * 2.0 + 1.0, e - 1.0, tt.sum_to(e * 3.0, tt.shape(y)) * 0.5], mode=backend
    )
    xv = RNG.normal(size=4)
    got = f(xv, np.zeros(ny))
    ev = np.exp(xv)
    sv = ev if ny == 4 else np.array([ev.sum()])
    np.testing.assert_allclose(got[0], sv * 2.0 + 1.0, rtol=1e-13)
    np.testing.assert_allclose(got[1], ev - 1.0, rtol=1e-13)
    np.testing.assert_allclose(got[2], sv * 1.5, rtol=1e-13)
    assert not np.shares_memory(got[0], got[2])


def test_sum_to_that_widens_the_dtype_copies() -> None:
    x, y = tt.vector("x", dtype="int8"), tt.vector("y")
    f = function([x, y], tt.sum_to(x * 2, tt.shape(y)), mode=backend)
    xv = np.array([100, -7, 3], dtype="int8")
    got = f(xv, np.zeros(3))
    want = (xv * np.int8(2)).astype(np.int64)  # x * 2 wraps in int8, then widens
    assert got.dtype == np.int64
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("target", [(4, 3), (1, 3), (4, 1)])
def test_sum_to_of_a_transposed_value(target: tuple[int, int]) -> None:
    # The view of a strided (transposed) value and a new array share one variable.
    x, y = tt.matrix("x"), tt.matrix("y")
    f = function([x, y], tt.sum_to(tt.exp(x).T, tt.shape(y)) * 2.0, mode=backend)
    xv = RNG.normal(size=(3, 4))
    axes = tuple(a for a in range(2) if target[a] == 1)
    want = np.exp(xv).T.sum(axis=axes, keepdims=True) * 2.0
    np.testing.assert_allclose(f(xv, np.zeros(target)), want, rtol=1e-13)
