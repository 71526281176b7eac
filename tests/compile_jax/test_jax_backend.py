"""The jax backend as a user meets it: results, dtypes, float64, options, errors, dprint."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import tensorgraft.tensor as tt
from tensorgraft.compile import function
from tensorgraft.compile_jax import JaxBackend, JaxUntraceableError, backend


def _seed(x: tt.TensorVariable) -> tt.TensorVariable:
    z = tt.exp(tt.sin(x))
    return tt.cos((z[None, :] @ z[:, None]).squeeze())


@pytest.mark.parametrize("n", [3, 5])
def test_seed_graph_equals_numpy(n: int) -> None:
    x = tt.vector("x")
    f = function([x], _seed(x), mode=backend)
    v = np.random.default_rng(n).normal(size=n)
    z = np.exp(np.sin(v))
    got = f(v)
    assert isinstance(got, np.ndarray) and got.dtype == np.float64 and got.shape == ()
    np.testing.assert_allclose(got, np.cos(z @ z), rtol=1e-14)


def test_float64_without_turning_on_x64_for_the_user() -> None:
    if jax.config.jax_enable_x64:
        pytest.skip("x64 is on in this process already")
    x = tt.vector("x")
    f = function([x], tt.exp(x) * 3, mode=backend)
    v = np.array([0.1, 1e-300, 700.0])  # float32 would flush 1e-300 and overflow e^700
    got = f(v)
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, np.exp(v) * 3, rtol=1e-15)
    assert not jax.config.jax_enable_x64  # only around our own calls
    assert jnp.ones(2).dtype == jnp.float32


def test_dtypes_follow_numpy() -> None:
    i8, f32 = tt.vector("i", dtype="int8"), tt.vector("f", dtype="float32")
    outs = [tt.exp(i8), i8 + f32, i8 // 3, tt.cast(f32, "int64"), f32 > i8]
    f = function([i8, f32], outs, mode=backend)
    iv, fv = np.array([1, -2, 3], "int8"), np.array([0.5, 1.5, -2.0], "float32")
    expected = [np.exp(iv), iv + fv, iv // 3, fv.astype("int64"), fv > iv]
    for got, want in zip(f(iv, fv), expected, strict=True):
        assert got.dtype == want.dtype
        np.testing.assert_allclose(got, want, rtol=1e-3)


def test_results_can_be_jax_arrays() -> None:
    x = tt.matrix("x")
    f = function([x], x.sum(axis=0), mode=JaxBackend(return_jax=True))
    got = f(np.ones((2, 3)))
    assert isinstance(got, jax.Array) and got.dtype == jnp.float64
    np.testing.assert_array_equal(np.asarray(got), [2.0, 2.0, 2.0])


def test_inputs_are_checked_as_on_every_backend() -> None:
    x = tt.matrix("x")
    f = function([x], x * 2, mode=backend)
    with pytest.raises(ValueError, match=r"'x'.*expected 2 dimensions"):
        f(np.ones(3))
    with pytest.raises(TypeError, match="'x'"):
        f(np.ones((2, 2), dtype="complex128"))


def test_dprint_shows_the_compiled_graph() -> None:
    x = tt.vector("x")
    f = function([x], tt.log(1 + tt.exp(x)), mode=backend)
    text = f.dprint(file="str")
    assert "Softplus" in text and "Log" not in text  # the stabilized graph, as compiled


def test_symbolic_bounds_are_static_arguments() -> None:
    x, a, b = tt.vector("x"), tt.scalar("a", dtype="int64"), tt.scalar("b", dtype="int64")
    f = function([x, a, b], [x[a:b], tt.arange(b) * 2], mode=backend)
    v = np.arange(10.0)
    for lo, hi in [(1, 4), (2, 9), (1, 4)]:
        sliced, ramp = f(v, lo, hi)
        np.testing.assert_array_equal(sliced, v[lo:hi])
        np.testing.assert_array_equal(ramp, np.arange(hi) * 2)


def test_shapes_from_shapes_need_no_static_argument() -> None:
    x = tt.matrix("x")
    y = tt.zeros((x.shape[1], x.shape[0])) + x.T
    f = function([x], [y.reshape((-1,)), tt.arange(x.shape[0])], mode=backend)
    v = np.arange(6.0).reshape(2, 3)
    flat, ramp = f(v)
    np.testing.assert_array_equal(flat, v.T.ravel())
    np.testing.assert_array_equal(ramp, [0, 1])


def test_the_report_says_what_runs_in_jax_and_what_is_folded() -> None:
    x = tt.vector("x")
    f = function([x], tt.arange(x.shape[0]) * x, mode=backend)
    report = getattr(f, "report", None)
    if report is None:
        pytest.skip("Function.report is not available in this tensorgraft-graph")
    how = {str(node.op).partition("{")[0]: way for node, way in report}
    assert how["Mul"] == how["ARange"] == "jax"  # arange's stop is static, not folded
    assert how["Shape_i"].startswith("NumPy while tracing")  # the stop: x's length
    np.testing.assert_array_equal(f(np.ones(4)), np.arange(4.0))


def test_a_shape_from_float_values_is_refused_naming_the_op() -> None:
    x = tt.vector("x")
    with pytest.raises(JaxUntraceableError, match=r"ARange.*'x'"):
        function([x], tt.arange(tt.sum(x)), mode=backend)


def test_a_boolean_mask_input_is_refused_naming_the_op() -> None:
    x, m = tt.vector("x"), tt.vector("m", dtype="bool")
    with pytest.raises(JaxUntraceableError, match=r"AdvancedSubtensor.*'m'"):
        function([x, m], x[m], mode=backend)


def test_set_and_inc_subtensor_are_functional() -> None:
    x, v, i = tt.vector("x"), tt.scalar("v"), tt.vector("i", dtype="int64")
    outs = [tt.set_subtensor(x[1:3], v), tt.inc_subtensor(x[i], v), x]
    f = function([x, v, i], outs, mode=backend)
    xv, iv = np.arange(5.0), np.array([0, 0, 4])
    set_, inc, same = f(xv, 10.0, iv)
    np.testing.assert_array_equal(set_, [0, 10, 10, 3, 4])
    expected = xv.copy()
    np.add.at(expected, iv, 10.0)  # repeated indices accumulate
    np.testing.assert_array_equal(inc, expected)
    np.testing.assert_array_equal(same, np.arange(5.0))


def test_batched_linalg_through_blockwise() -> None:
    a, b = tt.tensor3("a"), tt.matrix("b")
    f = function([a, b], tt.linalg.solve(a, b[..., None])[..., 0], mode=backend)
    rng = np.random.default_rng(0)
    av = rng.normal(size=(4, 3, 3)) + 3 * np.eye(3)
    bv = rng.normal(size=(4, 3))
    np.testing.assert_allclose(f(av, bv), np.linalg.solve(av, bv[..., None])[..., 0], rtol=1e-12)


def test_logistic_regression_gradient_against_finite_differences() -> None:
    autodiff = pytest.importorskip("tensorgraft.autodiff")
    X, y, w = tt.matrix("X"), tt.vector("y"), tt.vector("w")
    loss = tt.sum(tt.log1p(tt.exp(-y * (X @ w))))
    f = function([X, y, w], [loss, autodiff.grad(loss, w)], mode=backend)
    rng = np.random.default_rng(0)
    Xv, yv, wv = rng.normal(size=(50, 4)), np.sign(rng.normal(size=50)), rng.normal(size=4)
    value, g = f(Xv, yv, wv)
    np.testing.assert_allclose(value, np.sum(np.log1p(np.exp(-yv * (Xv @ wv)))), rtol=1e-12)
    eps = 1e-6
    fd = [(f(Xv, yv, wv + eps * e)[0] - f(Xv, yv, wv - eps * e)[0]) / (2 * eps) for e in np.eye(4)]
    np.testing.assert_allclose(g, fd, rtol=1e-6)
