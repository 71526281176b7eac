"""Catalog cases: elementwise arithmetic, comparisons, casts and Composite."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import tensorgraft.tensor as tt
from tensorgraft.graph.basic import Variable
from tensorgraft.tensor import scalar_ops as ts
from tensorgraft.tensor.catalog import (
    Built,
    case,
    draw,
    ints,
    list_ops,
    register_case,
    uniform,
)
from tensorgraft.tensor.elemwise import Elemwise

# -- elementwise: every scalar op through Elemwise --------------------------------------------
# (case suffix, tt function, NumPy function, dtype, one (lo, hi) range per input).
# Integer dtypes draw integers; a (lo, hi) that excludes 0 keeps divisors non-zero.
_ELEMWISE: list[
    tuple[str, Callable[..., Any], Callable[..., Any], str, list[tuple[float, float]]]
] = [
    ("add", tt.add, np.add, "float64", [(-3, 3), (-3, 3)]),
    ("add.int8", tt.add, np.add, "int8", [(-50, 50), (-50, 50)]),
    ("sub", tt.sub, np.subtract, "float64", [(-3, 3), (-3, 3)]),
    ("sub.uint8", tt.sub, np.subtract, "uint8", [(0, 255), (0, 255)]),
    ("mul", tt.mul, np.multiply, "float64", [(-3, 3), (-3, 3)]),
    ("mul.float32", tt.mul, np.multiply, "float32", [(-3, 3), (-3, 3)]),
    ("mul.int64", tt.mul, np.multiply, "int64", [(-9, 9), (-9, 9)]),
    ("true_div", tt.true_div, np.true_divide, "float64", [(-3, 3), (0.5, 3)]),
    ("true_div.int64", tt.true_div, np.true_divide, "int64", [(-9, 9), (1, 4)]),
    ("floor_div", tt.floor_div, np.floor_divide, "float64", [(-5, 5), (0.5, 3)]),
    ("floor_div.int64", tt.floor_div, np.floor_divide, "int64", [(-9, 9), (1, 4)]),
    ("pow", tt.pow, np.power, "float64", [(0.1, 3), (-2, 2)]),
    ("pow.int64", tt.pow, np.power, "int64", [(-4, 4), (0, 5)]),
    ("neg", tt.neg, np.negative, "float64", [(-3, 3)]),
    ("neg.int8", tt.neg, np.negative, "int8", [(-100, 100)]),
    ("maximum", tt.maximum, np.maximum, "float64", [(-3, 3), (-3, 3)]),
    ("maximum.int64", tt.maximum, np.maximum, "int64", [(-9, 9), (-9, 9)]),
    ("minimum", tt.minimum, np.minimum, "float64", [(-3, 3), (-3, 3)]),
    ("exp", tt.exp, np.exp, "float64", [(-3, 3)]),
    ("exp.float32", tt.exp, np.exp, "float32", [(-3, 3)]),
    ("exp.complex128", tt.exp, np.exp, "complex128", [(-2, 2)]),
    ("log", tt.log, np.log, "float64", [(0.1, 5)]),
    ("log.int64", tt.log, np.log, "int64", [(1, 100)]),
    ("log1p", tt.log1p, np.log1p, "float64", [(-0.9, 5)]),
    ("sin", tt.sin, np.sin, "float64", [(-4, 4)]),
    ("cos", tt.cos, np.cos, "float64", [(-4, 4)]),
    ("cos.float32", tt.cos, np.cos, "float32", [(-4, 4)]),
    ("eq", tt.eq, np.equal, "float64", [(-2, 2), (-2, 2)]),
    ("neq", tt.neq, np.not_equal, "float64", [(-2, 2), (-2, 2)]),
    ("lt", tt.lt, np.less, "float64", [(-2, 2), (-2, 2)]),
    ("le", tt.le, np.less_equal, "float64", [(-2, 2), (-2, 2)]),
    ("gt", tt.gt, np.greater, "float64", [(-2, 2), (-2, 2)]),
    ("ge", tt.ge, np.greater_equal, "float64", [(-2, 2), (-2, 2)]),
    ("lt.int64", tt.lt, np.less, "int64", [(-2, 2), (-2, 2)]),
]

# Comparisons draw integer-valued floats, so that ties happen.
_TIES = {"eq", "neq", "lt", "le", "gt", "ge"}


def _elemwise_case(
    suffix: str,
    fn: Callable[..., Any],
    ref: Callable[..., Any],
    dtype: str,
    ranges: list[tuple[float, float]],
) -> None:
    # A matrix of unknown shape, broadcast against a vector of static length 3.
    shapes = [(2, 3), (3,)][: len(ranges)]
    ties = suffix.split(".")[0] in _TIES

    def build(rng: np.random.Generator) -> Built:
        x = tt.matrix("x", dtype=dtype)
        inputs: list[Variable] = [x]
        if len(ranges) > 1:
            inputs.append(tt.vector("y", shape=(3,), dtype=dtype))
        values = [
            draw(rng, s, dtype, lo, hi, ties) for s, (lo, hi) in zip(shapes, ranges, strict=True)
        ]
        return inputs, [fn(*inputs)], values

    register_case(f"elemwise.{suffix}", build, lambda *v: [ref(*v)])


for _suffix, _fn, _ref, _dtype, _ranges in _ELEMWISE:
    _elemwise_case(_suffix, _fn, _ref, _dtype, _ranges)


@case("elemwise.add.variadic", lambda x, y, z: [x + y + z])
def _add_variadic(rng: np.random.Generator) -> Built:
    x, y = tt.vector("x", dtype="int8"), tt.vector("y", dtype="int16")
    z = tt.scalar("z", dtype="float32")
    values = [ints(rng, (4,), -9, 9, "int8"), ints(rng, (4,), -9, 9, "int16")]
    return [x, y, z], [tt.add(x, y, z)], [*values, np.asarray(0.5, dtype="float32")]


@case("elemwise.mul.variadic", lambda x, y, z: [x * y * z])
def _mul_variadic(rng: np.random.Generator) -> Built:
    x, y, z = tt.matrix("x"), tt.vector("y"), tt.tensor3("z")
    values = [uniform(rng, s, -2, 2) for s in [(2, 3), (3,), (4, 1, 3)]]
    return [x, y, z], [tt.mul(x, y, z)], values


@case("elemwise.maximum.nan", lambda x, y: [np.maximum(x, y)])
def _maximum_nan(rng: np.random.Generator) -> Built:
    x, y = tt.vector("x"), tt.vector("y")
    nan = float("nan")
    values = [np.array([1.0, nan, -2.0, nan]), np.array([nan, 3.0, -1.0, nan])]
    return [x, y], [tt.maximum(x, y)], values


@case("elemwise.minimum.nan", lambda x, y: [np.minimum(x, y)])
def _minimum_nan(rng: np.random.Generator) -> Built:
    x, y = tt.vector("x"), tt.vector("y")
    nan = float("nan")
    values = [np.array([1.0, nan, -2.0, nan]), np.array([nan, 3.0, -1.0, nan])]
    return [x, y], [tt.minimum(x, y)], values


@case("elemwise.switch", lambda c, a, b: [np.where(c, a, b)])
def _switch(rng: np.random.Generator) -> Built:
    c = tt.vector("c", dtype="bool")
    a, b = tt.matrix("a"), tt.scalar("b", dtype="float32")
    values = [
        np.asarray(rng.random(3) < 0.5),
        uniform(rng, (2, 3), -3, 3),
        np.asarray(7.5, "float32"),
    ]
    return [c, a, b], [tt.switch(c, a, b)], values


@case("elemwise.switch.comparison", lambda x: [np.where(x > 0, x, 0.1 * x)])
def _switch_comparison(rng: np.random.Generator) -> Built:
    x = tt.vector("x")
    return [x], [tt.switch(x > 0, x, 0.1 * x)], [uniform(rng, (6,), -3, 3)]


@case("elemwise.weak_int_scalar", lambda x: [x + 1, 2 * x, x - 3])
def _weak_int(rng: np.random.Generator) -> Built:
    x = tt.vector("x", dtype="int8")
    return [x], [x + 1, 2 * x, x - 3], [ints(rng, (5,), -50, 50, "int8")]


@case("elemwise.weak_float_scalar", lambda x: [x * 2.5, 1.5 / x, x**2])
def _weak_float(rng: np.random.Generator) -> Built:
    x = tt.vector("x", dtype="float32")
    return [x], [x * 2.5, 1.5 / x, x**2], [uniform(rng, (5,), 0.5, 3, "float32")]


@case("elemwise.cast.float64_int32", lambda x: [x.astype("int32")])
def _cast_to_int(rng: np.random.Generator) -> Built:
    x = tt.matrix("x")
    return [x], [tt.cast(x, "int32")], [uniform(rng, (2, 3), -100, 100)]


@case("elemwise.cast.int64_float32", lambda x: [x.astype("float32")])
def _cast_to_float(rng: np.random.Generator) -> Built:
    x = tt.vector("x", dtype="int64")
    return [x], [x.astype("float32")], [ints(rng, (5,), -1000, 1000)]


@case("elemwise.cast.float64_bool", lambda x: [x.astype("bool")])
def _cast_to_bool(rng: np.random.Generator) -> Built:
    x = tt.vector("x")
    return [x], [tt.cast(x, "bool")], [np.array([0.0, 1.5, -0.0, -2.0, 0.0])]


@case("elemwise.cast.bool_uint8", lambda x: [x.astype("uint8")])
def _cast_from_bool(rng: np.random.Generator) -> Built:
    x = tt.vector("x", dtype="bool")
    return [x], [tt.cast(x, "uint8")], [np.asarray(rng.random(5) < 0.5)]


def _scalars(*dtypes: str) -> list[Any]:
    return [ts.ScalarType(d)() for d in dtypes]


@case("elemwise.composite", lambda x, y: [np.exp(np.sin(x)) * y + 1])
def _composite(rng: np.random.Generator) -> Built:
    i0, i1 = _scalars("float64", "float64")
    op = Elemwise(ts.Composite([i0, i1], [ts.exp(ts.sin(i0)) * i1 + 1]))
    x, y = tt.matrix("x"), tt.vector("y")
    return [x, y], [op(x, y)], [uniform(rng, (2, 3), -2, 2), uniform(rng, (3,), -2, 2)]


@case(
    "elemwise.composite.multi_output",
    lambda x, y: [np.exp(x) * y, np.broadcast_to(np.log1p(y * y), (2, 3))],
)
def _composite_multi(rng: np.random.Generator) -> Built:
    # The second output only reads i1: it still has the broadcast shape of both inputs.
    i0, i1 = _scalars("float64", "float64")
    op = Elemwise(ts.Composite([i0, i1], [ts.exp(i0) * i1, ts.log1p(i1 * i1)]))
    x, y = tt.matrix("x"), tt.vector("y")
    return [x, y], op(x, y), [uniform(rng, (2, 3), -2, 2), uniform(rng, (3,), -2, 2)]


@case("elemwise.composite.cast", lambda x, y: [x.astype("float32") * 2 + y])
def _composite_cast(rng: np.random.Generator) -> Built:
    # Python numbers are weak inside scalar graphs too: the result stays float32.
    i0, i1 = _scalars("int8", "float32")
    op = Elemwise(ts.Composite([i0, i1], [ts.Cast("float32")(i0) * 2 + i1]))
    x, y = tt.vector("x", dtype="int8"), tt.vector("y", dtype="float32")
    return (
        [x, y],
        [op(x, y)],
        [ints(rng, (4,), -9, 9, "int8"), uniform(rng, (4,), -2, 2, "float32")],
    )


@case("elemwise.composite.switch", lambda x: [np.where(x < 1, np.cos(x), x**2)])
def _composite_switch(rng: np.random.Generator) -> Built:
    (i0,) = _scalars("float64")
    op = Elemwise(ts.Composite([i0], [ts.switch(ts.lt(i0, 1.0), ts.cos(i0), i0**2)]))
    x = tt.vector("x")
    return [x], [op(x)], [uniform(rng, (6,), -3, 3)]


@case("elemwise.empty", lambda x, y: [x * y, np.exp(x)])
def _elemwise_empty(rng: np.random.Generator) -> Built:
    x, y = tt.matrix("x"), tt.vector("y", shape=(3,))
    return [x, y], [x * y, tt.exp(x)], [np.zeros((0, 3)), uniform(rng, (3,), -1, 1)]


@case("elemwise.broadcast_unknown_one", lambda x, y: [x + y])
def _broadcast_runtime(rng: np.random.Generator) -> Built:
    # Dimensions of unknown length that are 1 at run time broadcast, as in NumPy.
    x, y = tt.matrix("x"), tt.matrix("y")
    return [x, y], [x + y], [uniform(rng, (1, 3), -1, 1), uniform(rng, (2, 1), -1, 1)]


list_ops(
    "elemwise",
    "add sub mul true_div floor_div pow neg maximum minimum exp log log1p sin cos "
    "eq neq lt le gt ge switch cast",
)
