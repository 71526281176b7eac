"""sum_to: broadcasting in reverse, against NumPy; its static shapes and its errors."""

from __future__ import annotations

import numpy as np
import pytest

import tensorgraft.tensor as tt
from tensorgraft.compile import function
from tensorgraft.tensor.reduction import SumTo

RNG = np.random.default_rng(0)


def reference(x: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """x summed down to `shape`: each element of x added to the target element it is a
    broadcast copy of (np.add.at over the broadcast indices, not sum_to's own axis rule)."""
    out = np.zeros(shape, dtype=np.sum(x.reshape(-1)[:0]).dtype)
    view = np.broadcast_to(np.arange(out.size).reshape(shape), x.shape)
    np.add.at(out.reshape(-1), view.reshape(-1), x.reshape(-1))
    return out


CASES = [
    ((2, 3, 4), (3, 4)),
    ((2, 3, 4), (1, 4)),
    ((2, 3, 4), (2, 1, 1)),
    ((2, 3, 4), (1,)),
    ((2, 3, 4), ()),
    ((3, 1), (1, 1)),
    ((2, 0, 3), (0, 1)),
    ((0, 3), (3,)),
    ((), ()),
]


@pytest.mark.parametrize(("shape", "target"), CASES)
@pytest.mark.parametrize("dtype", ["float64", "float32", "int16", "complex64"])
def test_values_against_numpy(shape: tuple[int, ...], target: tuple[int, ...], dtype: str) -> None:
    x = tt.tensor("x", shape=(None,) * len(shape), dtype=dtype)
    value = (RNG.integers(-5, 5, size=shape)).astype(dtype)
    got = function([x], tt.sum_to(x, target), mode="python")(value)
    expected = reference(value, target)
    assert got.dtype == np.sum(value).dtype
    assert got.shape == target
    np.testing.assert_allclose(got, expected, rtol=1e-6)


def test_symbolic_target() -> None:
    # The target is the run-time shape of another input: both broadcasting patterns at run time.
    x, mu = tt.vector("x"), tt.vector("mu")
    f = function([x, mu], tt.sum_to(x, tt.shape(mu)), mode="python")
    value = RNG.normal(size=3)
    np.testing.assert_allclose(f(value, np.zeros(1)), [value.sum()])
    np.testing.assert_allclose(f(value, np.zeros(3)), value)
    n = tt.scalar("n", dtype="int64")
    g = function([x, n], tt.sum_to(tt.outer(x, x), (n, 1)), mode="python")
    np.testing.assert_allclose(g(value, 3), np.outer(value, value).sum(axis=1, keepdims=True))


def test_static_shapes() -> None:
    x = tt.tensor("x", shape=(2, None, 4))
    assert tt.sum_to(x, (1, 4)).type.shape == (1, 4)
    assert tt.sum_to(x, (2, 1, 1)).type.shape == (2, 1, 1)
    assert tt.sum_to(x, ()).type.shape == ()
    # Unknown target entries: unknown, except where x has length 1 (only 1 can be reached).
    y = tt.tensor("y", shape=(5, 1, None))
    assert tt.sum_to(y, tt.shape(tt.tensor("t", shape=(None, None)))).type.shape == (1, None)
    # Static entries are read from the target's graph (shape of a static input).
    assert tt.sum_to(x, tt.shape(tt.tensor("t", shape=(3, 1)))).type.shape == (3, 1)
    assert isinstance(tt.sum_to(x, (1, 4)).owner.op, SumTo)
    assert tt.sum_to(tt.tensor("b", dtype="bool", shape=(2,)), ()).dtype == "int64"


def test_static_errors_name_the_variable_and_both_shapes() -> None:
    x = tt.tensor("x", shape=(2, 3, 4))
    with pytest.raises(ValueError, match=r"'x'.*\(2, 3, 4\).*\(2, 4\)"):
        tt.sum_to(x, (2, 4))
    with pytest.raises(ValueError, match=r"'x'.*\(2, 3, 4\).*\(1, 2, 3, 4\)"):
        tt.sum_to(x, (1, 2, 3, 4))  # a target of more dimensions than x
    with pytest.raises(ValueError, match="negative"):
        tt.sum_to(x, (-1, 4))
    with pytest.raises(TypeError, match="integer"):
        tt.sum_to(x, (1.5, 4))
    with pytest.raises(TypeError, match="integer"):
        tt.sum_to(x, tt.vector("s"))
    with pytest.raises(ValueError, match="static"):
        tt.sum_to(x, tt.tensor("v", shape=(None,), dtype="int64"))


def test_run_time_error_names_the_variable_and_both_shapes() -> None:
    x, mu = tt.vector("x"), tt.vector("mu")
    f = function([x, mu], tt.sum_to(x, tt.shape(mu)), mode="python")
    with pytest.raises(ValueError, match=r"'x'.*\(3,\).*\(2,\)"):
        f(np.zeros(3), np.zeros(2))
