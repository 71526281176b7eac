"""The jax backend's per-call path: inputs checked when JAX traces, fresh outputs, and a
program as lean as plain `jax.jit`'s (constants inlined)."""

from __future__ import annotations

import jax
import numpy as np
import pytest

import tensorgraft.tensor as tt
from tensorgraft.compile import function
from tensorgraft.compile_jax import JaxBackend, backend


def test_calls_skip_the_python_checks_and_copies() -> None:
    x = tt.matrix("x")
    f = function([x], [x.T, x * 2], mode=backend)
    assert f._thunk.checks_inputs and f._thunk.fresh_outputs
    assert f._fast  # Function hands the values straight to the thunk
    v = np.arange(6.0).reshape(2, 3)
    t, d = f(v)
    np.testing.assert_array_equal(t, v.T)
    np.testing.assert_array_equal(d, v * 2)
    assert not np.shares_memory(t, v)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ([1.0, 2.0], [2.0, 4.0]),  # a list
        (np.array([1.0, 2.0], dtype="float32"), [2.0, 4.0]),  # a safe cast
        (np.array([1, 2], dtype="int32"), [2.0, 4.0]),
    ],
    ids=["list", "float32", "int32"],
)
def test_values_of_another_type_are_converted_as_on_every_backend(
    value: object, expected: list[float]
) -> None:
    x = tt.vector("x")
    f = function([x], x * 2, mode=backend)
    got = f(value)
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(f(np.array([3.0])), [6.0])  # and exact arrays still work


def test_a_python_number_is_not_traced_with_jax_weak_type() -> None:
    # JAX would compute weak float * float32 in float32; NumPy's rule gives float64.
    s, v = tt.scalar("s"), tt.vector("v", dtype="float32")
    f = function([s, v], s * v, mode=backend)
    third = np.float32(1 / 3)
    for _ in range(2):  # the second call must not reuse a trace of the Python number
        got = f(0.1, np.array([third], dtype="float32"))
        assert got.dtype == np.float64
        np.testing.assert_array_equal(got, [0.1 * np.float64(third)])


def test_wrong_inputs_raise_the_checkers_errors() -> None:
    x = tt.tensor("x", shape=(None, 2))
    f = function([x], x + 1, mode=backend)
    with pytest.raises(ValueError, match=r"'x'.*expected 2 dimensions"):
        f(np.ones(2))
    with pytest.raises(ValueError, match=r"'x'.*expected shape \(None, 2\), got \(2, 3\)"):
        f(np.ones((2, 3)))
    with pytest.raises(TypeError, match="'x'"):
        f(np.ones((2, 2), dtype="complex128"))
    with pytest.raises(TypeError, match="'x'"):
        f("not an array")
    np.testing.assert_array_equal(f(np.zeros((1, 2))), [[1.0, 1.0]])


def test_an_error_of_the_graph_is_not_taken_for_a_bad_input() -> None:
    x, y = tt.vector("x"), tt.vector("y")
    f = function([x, y], x + y, mode=backend)
    assert f._thunk.checks_inputs
    # Both inputs are fine, so the TypeError JAX raises while tracing is re-raised.
    with pytest.raises(TypeError, match="incompatible shapes") as err:
        f(np.ones(3), np.ones(4))
    assert "while translating Add" in "\n".join(getattr(err.value, "__notes__", []))


@pytest.mark.parametrize("return_jax", [False, True])
def test_outputs_never_share_the_callers_memory(return_jax: bool) -> None:
    x = tt.vector("x")
    const = tt.constant(np.arange(3.0))
    f = function([x], [x, x[1:], const, x + 1, x + 1], mode=JaxBackend(return_jax=return_jax))
    v = np.arange(3.0)
    outs = [np.asarray(o) for o in f(v)]
    for out in outs:
        assert not np.shares_memory(out, v)
        assert not np.shares_memory(out, const.data)
    if not return_jax:
        outs[0][0] = 10.0  # an input given back is a writable copy
        assert v[0] == 0.0
    np.testing.assert_array_equal(f(v)[2], [0.0, 1.0, 2.0])


def test_constants_of_one_element_are_inlined() -> None:
    x = tt.vector("x")
    y = x
    for k in range(6):
        y = tt.sin(y) * 0.9 + 0.1 * k
    f = function([x], y, mode=backend)
    v = np.linspace(-1.0, 1.0, 5)
    with jax.enable_x64(True):
        jaxpr = jax.make_jaxpr(f._thunk.graph_fn)(v)
    # A (1,) constant would be a constant of the program and a broadcast per use.
    assert not jaxpr.consts
    assert all(e.primitive.name != "broadcast_in_dim" for e in jaxpr.eqns)
    expected = v
    for k in range(6):
        expected = np.sin(expected) * 0.9 + 0.1 * k
    np.testing.assert_allclose(f(v), expected, rtol=1e-14)


def test_a_constant_keeps_the_rank_it_gives_the_output() -> None:
    x = tt.vector("x")
    c = tt.constant(np.full((1, 1), 2.0))
    f = function([x], [x * c, c + 1.0], mode=backend)
    v = np.arange(3.0)
    got, alone = f(v)
    assert got.shape == (1, 3) and alone.shape == (1, 1)
    np.testing.assert_array_equal(got, v[None, :] * 2.0)
    np.testing.assert_array_equal(alone, [[3.0]])


@pytest.mark.parametrize("dtype", ["float64", "int32", "bool"])
def test_a_product_of_transposes_contracts_the_matrices_directly(dtype: str) -> None:
    a, b, c = (tt.matrix(n, dtype=dtype) for n in "abc")
    outs = [a.T @ b, b.T @ a, a.T @ c.T, c @ a]
    f = function([a, b, c], outs, mode=backend)
    rng = np.random.default_rng(0)
    av, bv, cv = (rng.integers(0, 3, size=s).astype(dtype) for s in [(60, 4), (60, 1), (3, 60)])
    expected = [av.T @ bv, bv.T @ av, av.T @ cv.T, cv @ av]
    for got, want in zip(f(av, bv, cv), expected, strict=True):
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)
    if dtype == "float64":  # XLA would copy a transposed (60, 4) before the product
        with jax.enable_x64(True):
            hlo = f._thunk.jitted.lower(av, bv, cv).compile().as_text()
        assert "transpose(" not in hlo


def test_garbage_collection_is_left_as_the_caller_set_it() -> None:
    import gc

    x = tt.vector("x")
    f = function([x], tt.exp(x), mode=backend)
    was = gc.isenabled()
    try:
        for enabled in (True, False, True):  # paused only during each call
            (gc.enable if enabled else gc.disable)()
            f(np.arange(float(3 + enabled)))  # a new shape: traces and compiles
            assert gc.isenabled() is enabled
        gc.enable()
        with pytest.raises(TypeError):
            f("not an array")  # JAX refuses it inside the call
        assert gc.isenabled()
    finally:
        (gc.enable if was else gc.disable)()
