"""Errors of the elementwise and special ops: dtypes refused at build time, static shapes
that cannot broadcast, run-time shape mismatches and weak Python integers that overflow."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import tensorgraft.tensor as tt
from tensorgraft.compile import function

# (function, dtype of every input, NumPy's refusal): the build must refuse it too.
REFUSED: list[tuple[Callable[..., Any], str]] = [
    (tt.floor, "complex128"),
    (tt.trunc, "complex64"),
    (tt.mod, "complex128"),
    (tt.arctan2, "complex128"),
    (tt.bitwise_and, "float64"),
    (tt.invert, "float32"),
    (tt.left_shift, "float64"),
    (tt.neg, "bool"),
    (tt.sign, "bool"),
    (tt.sigmoid, "complex128"),
    (tt.softplus, "complex64"),
    (tt.log1mexp, "complex128"),
    (tt.gammaln, "complex128"),
    (tt.logaddexp, "complex128"),
    (tt.erfinv, "complex64"),
]


@pytest.mark.parametrize(("fn", "dtype"), REFUSED, ids=[f"{f.__name__}-{d}" for f, d in REFUSED])
def test_dtype_refused_at_build_time(fn: Callable[..., Any], dtype: str) -> None:
    n = 2 if fn in (tt.mod, tt.arctan2, tt.bitwise_and, tt.left_shift, tt.logaddexp) else 1
    xs = [tt.vector(f"v{k}", dtype=dtype) for k in range(n)]
    with pytest.raises(TypeError, match=rf"{fn.__name__} is not defined for {dtype}.*'v0'"):
        fn(*xs)


def test_polygamma_order_must_be_an_integer() -> None:
    x = tt.vector("x")
    with pytest.raises(TypeError, match="order n must be an integer, got float64"):
        tt.polygamma(tt.vector("n"), x)
    with pytest.raises(TypeError, match="order n must be an integer"):
        tt.polygamma(1.5, x)
    assert tt.polygamma(2, x).dtype == "float64"


def test_round_decimals_must_be_an_int() -> None:
    with pytest.raises(TypeError, match=r"decimals must be an int, got 1\.5"):
        tt.round(tt.vector("x"), 1.5)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "build",
    [
        lambda a, b: tt.arctan2(a, b),
        lambda a, b: tt.xlogy(a, b),
        lambda a, b: tt.clip(a, b, 1.0),
        lambda a, b: tt.bitwise_or(a, b),
    ],
    ids=["arctan2", "xlogy", "clip", "bitwise_or"],
)
def test_static_shapes_that_cannot_broadcast(build: Callable[..., Any]) -> None:
    a, b = tt.vector("a", shape=(3,), dtype="int8"), tt.vector("b", shape=(4,), dtype="int8")
    with pytest.raises(ValueError, match=r"'a' .*shape \(3,\) and 'b' .*shape \(4,\)"):
        build(a, b)


def test_run_time_shapes_that_cannot_broadcast() -> None:
    a, b = tt.vector("a"), tt.vector("b")
    f = function([a, b], [tt.logaddexp(a, b)], mode="python")
    with pytest.raises(ValueError, match=r"broadcast.*\(3,\).*\(4,\)"):
        f(np.zeros(3), np.zeros(4))


@pytest.mark.parametrize("fn", [tt.mod, tt.bitwise_and, tt.left_shift, tt.maximum])
def test_python_integer_out_of_range_overflows_as_in_numpy(fn: Callable[..., Any]) -> None:
    x = tt.vector("x", dtype="int8")
    numpy_fn = {tt.mod: np.remainder, tt.bitwise_and: np.bitwise_and}.get(fn)
    if numpy_fn is not None:
        with pytest.raises(OverflowError):
            numpy_fn(np.ones(2, "int8"), 300)
    with pytest.raises(OverflowError, match="300 out of bounds for int8"):
        fn(x, 300)


@pytest.mark.parametrize(
    ("fn", "numpy_fn"),
    [(tt.arctan2, np.arctan2), (tt.logaddexp, np.logaddexp), (tt.logaddexp2, np.logaddexp2)],
    ids=["arctan2", "logaddexp", "logaddexp2"],
)
def test_python_integer_out_of_range_in_a_float_only_op(
    fn: Callable[..., Any], numpy_fn: Callable[..., Any]
) -> None:
    x = tt.vector("x", dtype="int8")
    value = np.array([-3, 0, 5], "int8")
    want = numpy_fn(value, 200)
    (got,) = function([x], [fn(x, 200)], mode="python")(value)
    assert got.dtype == want.dtype == "float16"
    np.testing.assert_allclose(got, want, rtol=1e-3)


@pytest.mark.parametrize(
    ("fn", "dtype", "takes"),
    [
        (tt.bitwise_and, "float32", "bool or integer"),
        (tt.erfinv, "complex64", "bool, integer or float"),
        (tt.neg, "bool", "integer, float or complex"),
        (tt.log1mexp, "complex128", "bool, integer or float"),
    ],
    ids=["bitwise_and", "erfinv", "neg", "log1mexp"],
)
def test_refusals_say_what_the_op_takes(fn: Callable[..., Any], dtype: str, takes: str) -> None:
    # NumPy's own refusal lists loops ("ufunc 'invert' not supported for the input types").
    xs = [tt.vector("x", dtype=dtype) for _ in range(2 if fn is tt.bitwise_and else 1)]
    with pytest.raises(TypeError, match=rf"not defined for {dtype}.*: it takes {takes} inputs"):
        fn(*xs)
