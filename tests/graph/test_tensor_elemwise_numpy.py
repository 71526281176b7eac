"""Every elementwise op against NumPy: values, output dtype and static shape, over dtypes,
shapes and broadcasting; a TypeError at build time wherever NumPy has no loop."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import tensorgraft.tensor as tt
from tensorgraft.compile import function
from tensorgraft.tensor.catalog import assert_matches
from tensorgraft.tensor.type import ALL_DTYPES

DTYPES = ["bool", "int8", "int64", "uint8", "float32", "float64", "complex128"]

# name -> (NumPy function, domain of each input). Domains: "any"; "pos" (> 0, for log);
# "nonzero" (divisors); "exp" (exponents: >= 0 for integers, NumPy refuses negatives).
UNARY: dict[str, tuple[Callable[..., Any], str]] = {
    "neg": (np.negative, "any"),
    "exp": (np.exp, "any"),
    "log": (np.log, "pos"),
    "log1p": (np.log1p, "pos"),
    "sin": (np.sin, "any"),
    "cos": (np.cos, "any"),
}
BINARY: dict[str, tuple[Callable[..., Any], str, str]] = {
    "add": (np.add, "any", "any"),
    "sub": (np.subtract, "any", "any"),
    "mul": (np.multiply, "any", "any"),
    "true_div": (np.true_divide, "any", "nonzero"),
    "floor_div": (np.floor_divide, "any", "nonzero"),
    "pow": (np.power, "pos", "exp"),
    "maximum": (np.maximum, "any", "any"),
    "minimum": (np.minimum, "any", "any"),
    "eq": (np.equal, "any", "any"),
    "neq": (np.not_equal, "any", "any"),
    "lt": (np.less, "any", "any"),
    "le": (np.less_equal, "any", "any"),
    "gt": (np.greater, "any", "any"),
    "ge": (np.greater_equal, "any", "any"),
}
UNARY_SHAPES = [(), (3,), (2, 3), (0, 3)]
BINARY_SHAPES = [
    ((), ()),
    ((3,), (3,)),
    ((2, 3), (3,)),
    ((1, 3), (2, 1)),
    ((), (2, 3)),
    ((0, 3), (3,)),
    ((2, 0), (1, 1)),
]


def values(rng: np.random.Generator, shape: tuple[int, ...], dtype: str, domain: str) -> Any:
    """Random values of `dtype` valid for `domain`; small integers so that ties happen."""
    kind = np.dtype(dtype).kind
    if kind == "b":
        return np.ones(shape, bool) if domain in ("pos", "nonzero") else rng.random(shape) < 0.5
    if kind in "iu":
        lo = {"any": -4, "pos": 1, "nonzero": 1, "exp": 0}[domain]
        lo = max(lo, 0) if kind == "u" else lo
        out = rng.integers(lo, 5, size=shape)
        if domain == "nonzero" and kind == "i":
            out = out * rng.choice([-1, 1], size=shape)  # negative divisors too
        if domain == "exp":
            out = np.minimum(out, 3)
        return out.astype(dtype)
    lo, hi = {"any": (-3, 3), "pos": (0.5, 3), "nonzero": (0.5, 3), "exp": (-2, 2)}[domain]
    out = rng.uniform(lo, hi, size=shape)
    if domain == "nonzero":
        out = out * rng.choice([-1, 1], size=shape)
    if kind == "c":
        out = out + 1j * rng.uniform(-1, 1, size=shape)
    return out.astype(dtype)


def numpy_result(fn: Callable[..., Any], *args: Any) -> Any:
    """NumPy's result, or the exception it raises."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return fn(*args)
        except TypeError as err:
            return err


def check_against_numpy(
    name: str,
    fn: Callable[..., Any],
    np_fn: Callable[..., Any],
    args: list[np.ndarray],
) -> None:
    """`fn` on placeholders for `args` (static shapes, then unknown ones) against NumPy."""
    expected = numpy_result(np_fn, *args)
    what = f"{name}{tuple(str(a.dtype) + str(a.shape) for a in args)}"
    for static in (True, False):
        xs = [
            tt.tensor(f"x{k}", shape=a.shape if static else (None,) * a.ndim, dtype=a.dtype)
            for k, a in enumerate(args)
        ]
        if isinstance(expected, TypeError):
            with pytest.raises(TypeError, match="not defined for"):
                fn(*xs)
            continue
        y = fn(*xs)
        assert y.dtype == expected.dtype.name, f"{what}: dtype {y.dtype}, NumPy {expected.dtype}"
        want = expected.shape if static else (None,) * expected.ndim
        assert y.type.shape == want, f"{what}: static shape {y.type.shape}, expected {want}"
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            got = function(xs, y, mode="python")(*args)
        assert_matches(got, expected, what)


@pytest.mark.parametrize("shape", UNARY_SHAPES, ids=str)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary(name: str, dtype: str, shape: tuple[int, ...]) -> None:
    np_fn, domain = UNARY[name]
    x = values(np.random.default_rng(0), shape, dtype, domain)
    check_against_numpy(name, getattr(tt, name), np_fn, [x])


@pytest.mark.parametrize("shapes", BINARY_SHAPES, ids=str)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary(name: str, dtype: str, shapes: tuple[tuple[int, ...], ...]) -> None:
    np_fn, *domains = BINARY[name]
    rng = np.random.default_rng(1)
    args = [values(rng, s, dtype, d) for s, d in zip(shapes, domains, strict=True)]
    check_against_numpy(name, getattr(tt, name), np_fn, args)


@pytest.mark.parametrize("name", ["add", "mul", "true_div", "floor_div", "pow", "maximum", "lt"])
def test_binary_mixed_dtypes(name: str) -> None:
    np_fn, *domains = BINARY[name]
    rng = np.random.default_rng(2)
    for d0 in DTYPES:
        for d1 in DTYPES:
            args = [values(rng, (2, 3), d0, domains[0]), values(rng, (3,), d1, domains[1])]
            check_against_numpy(name, getattr(tt, name), np_fn, args)


@pytest.mark.parametrize("name", ["add", "mul"])
def test_variadic(name: str) -> None:
    np_fn = BINARY[name][0]
    rng = np.random.default_rng(3)
    for dtypes in [("int8", "uint8", "float32"), ("bool", "int8", "int8"), ("float32",) * 4]:
        shapes = [(2, 1, 3), (3,), (4, 1), ()][: len(dtypes)]
        args = [values(rng, s, d, "any") for s, d in zip(shapes, dtypes, strict=True)]

        def fold(*xs: Any) -> Any:
            out = xs[0]
            for x in xs[1:]:
                out = np_fn(out, x)
            return out

        check_against_numpy(name, getattr(tt, name), fold, args)


@pytest.mark.parametrize("dtype", DTYPES)
def test_switch(dtype: str) -> None:
    rng = np.random.default_rng(4)
    for shapes in [((), (), ()), ((3,), (2, 3), ()), ((2, 1), (1, 3), (3,)), ((0,), (1,), ())]:
        cond = rng.random(shapes[0]) < 0.5
        a, b = (values(rng, s, dtype, "any") for s in shapes[1:])
        check_against_numpy("switch", tt.switch, np.where, [cond, a, b])
        other = values(rng, shapes[2], "float32", "any")
        check_against_numpy("switch", tt.where, np.where, [cond, a, other])


def test_switch_condition_of_other_dtypes() -> None:
    rng = np.random.default_rng(5)
    for dtype in ["int8", "float64"]:
        cond = values(rng, (5,), dtype, "any")
        a, b = values(rng, (5,), "float64", "any"), values(rng, (), "int64", "any")
        check_against_numpy("switch", tt.switch, np.where, [cond, a, b])


@pytest.mark.parametrize("src", ALL_DTYPES)
def test_cast(src: str) -> None:
    rng = np.random.default_rng(6)
    x = values(rng, (2, 3), src, "pos")
    for dst in ALL_DTYPES:
        check_against_numpy(
            f"cast{{{dst}}}",
            lambda v, d=dst: tt.cast(v, d),
            lambda v, d=dst: v.astype(d),
            [x],
        )


def test_cast_to_same_dtype_is_a_no_op() -> None:
    x = tt.vector("x", dtype="int8")
    assert tt.cast(x, "int8") is x
    assert x.astype(np.int8) is x


@pytest.mark.parametrize("dtype", ["float16", "int16", "uint32", "complex64"])
def test_other_dtypes(dtype: str) -> None:
    rng = np.random.default_rng(7)
    for name, (np_fn, *domains) in BINARY.items():
        args = [values(rng, s, dtype, d) for s, d in zip([(2, 3), (3,)], domains, strict=True)]
        check_against_numpy(name, getattr(tt, name), np_fn, args)
    for name, (np_fn, domain) in UNARY.items():
        check_against_numpy(name, getattr(tt, name), np_fn, [values(rng, (3,), dtype, domain)])


def test_operators_are_the_elemwise_functions() -> None:
    x, y = tt.vector("x"), tt.vector("y")
    pairs = [
        (x + y, tt.add),
        (x - y, tt.sub),
        (x * y, tt.mul),
        (x / y, tt.true_div),
        (x // y, tt.floor_div),
        (x**y, tt.pow),
        (x < y, tt.lt),
        (x <= y, tt.le),
        (x > y, tt.gt),
        (x >= y, tt.ge),
    ]
    for out, fn in pairs:
        assert out.owner.op == fn(x, y).owner.op
        assert out.owner.inputs == [x, y]
    assert (-x).owner.op == tt.neg(x).owner.op
    assert +x is x
    assert (x == y) is False and (x != y) is True  # identity: variables are dict keys


def test_negative_integer_power_fails_at_run_time_like_numpy() -> None:
    x, y = tt.vector("x", dtype="int64"), tt.vector("y", dtype="int64")
    f = function([x, y], x**y, mode="python")
    with pytest.raises(ValueError, match="negative integer powers"):
        f(np.array([2, 3]), np.array([1, -1]))


def test_composite_outputs_have_the_broadcast_shape_and_their_own_memory() -> None:
    from tensorgraft.tensor import scalar_ops as ts

    i0, i1 = ts.ScalarType("float64")(), ts.ScalarType("float64")()
    # Outputs that ignore an input, that are an input, that are a constant.
    outputs = [ts.exp(i1), i0, ts.add(i1, i0), ts.as_scalar(2.5)]
    op = tt.Elemwise(ts.Composite([i0, i1], outputs))
    x, y = tt.matrix("x"), tt.vector("y")
    outs = op(x, y)
    xv, yv = np.ones((2, 3)), np.arange(3.0)
    got = function([x, y], outs, mode="python")(xv, yv)
    for g, want in zip(got, [np.exp(yv), xv, yv + xv, np.asarray(2.5)], strict=True):
        assert_matches(g, np.broadcast_to(want, (2, 3)), "composite")
        assert not np.shares_memory(g, xv) and not np.shares_memory(g, yv)
