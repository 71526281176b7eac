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

# (case suffix, tt function, NumPy function, dtype, one (lo, hi) range per input).
Table = list[tuple[str, Callable[..., Any], Callable[..., Any], str, list[tuple[float, float]]]]

# -- elementwise: every scalar op through Elemwise --------------------------------------------
# Integer dtypes draw integers; a (lo, hi) that excludes 0 keeps divisors non-zero.
_ELEMWISE: Table = [
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
    ("minimum.uint16", tt.minimum, np.minimum, "uint16", [(0, 999), (0, 999)]),
    ("exp", tt.exp, np.exp, "float64", [(-3, 3)]),
    ("exp.float32", tt.exp, np.exp, "float32", [(-3, 3)]),
    ("exp.complex128", tt.exp, np.exp, "complex128", [(-2, 2)]),
    ("log", tt.log, np.log, "float64", [(0.1, 5)]),
    ("log.int64", tt.log, np.log, "int64", [(1, 100)]),
    ("log1p", tt.log1p, np.log1p, "float64", [(-0.9, 5)]),
    ("sin", tt.sin, np.sin, "float64", [(-4, 4)]),
    ("cos", tt.cos, np.cos, "float64", [(-4, 4)]),
    ("cos.float32", tt.cos, np.cos, "float32", [(-4, 4)]),
    ("sin.int16", tt.sin, np.sin, "int16", [(-9, 9)]),
    ("eq", tt.eq, np.equal, "float64", [(-2, 2), (-2, 2)]),
    ("neq", tt.neq, np.not_equal, "float64", [(-2, 2), (-2, 2)]),
    ("lt", tt.lt, np.less, "float64", [(-2, 2), (-2, 2)]),
    ("le", tt.le, np.less_equal, "float64", [(-2, 2), (-2, 2)]),
    ("gt", tt.gt, np.greater, "float64", [(-2, 2), (-2, 2)]),
    ("ge", tt.ge, np.greater_equal, "float64", [(-2, 2), (-2, 2)]),
    ("eq.int8", tt.eq, np.equal, "int8", [(-2, 2), (-2, 2)]),
    ("neq.bool", tt.neq, np.not_equal, "bool", [(0, 1), (0, 1)]),
    ("le.uint32", tt.le, np.less_equal, "uint32", [(0, 3), (0, 3)]),
    ("gt.float32", tt.gt, np.greater, "float32", [(-2, 2), (-2, 2)]),
    ("ge.int16", tt.ge, np.greater_equal, "int16", [(-2, 2), (-2, 2)]),
    ("lt.int64", tt.lt, np.less, "int64", [(-2, 2), (-2, 2)]),
    # Remainders, absolute values, roots.
    ("mod", tt.mod, np.remainder, "float64", [(-5, 5), (0.5, 3)]),
    ("mod.int64", tt.mod, np.remainder, "int64", [(-9, 9), (1, 4)]),
    ("mod.int8_negative_divisor", tt.mod, np.remainder, "int8", [(-9, 9), (-4, -1)]),
    ("abs", tt.abs, np.absolute, "float64", [(-3, 3)]),
    ("abs.int8", tt.abs, np.absolute, "int8", [(-100, 100)]),
    ("abs.complex128", tt.abs, np.absolute, "complex128", [(-2, 2)]),
    ("sign", tt.sign, np.sign, "float64", [(-3, 3)]),
    ("sign.int64", tt.sign, np.sign, "int64", [(-2, 2)]),
    ("reciprocal", tt.reciprocal, np.reciprocal, "float64", [(0.5, 3)]),
    ("reciprocal.float32", tt.reciprocal, np.reciprocal, "float32", [(-3, -0.5)]),
    ("sqr", tt.sqr, np.square, "float64", [(-3, 3)]),
    ("sqr.int64", tt.sqr, np.square, "int64", [(-9, 9)]),
    ("sqr.complex128", tt.sqr, np.square, "complex128", [(-2, 2)]),
    ("sqrt", tt.sqrt, np.sqrt, "float64", [(0, 5)]),
    ("sqrt.float32", tt.sqrt, np.sqrt, "float32", [(0, 5)]),
    ("sqrt.int64", tt.sqrt, np.sqrt, "int64", [(0, 100)]),
    ("sqrt.complex128", tt.sqrt, np.sqrt, "complex128", [(-2, 2)]),
    # Rounding.
    ("round", tt.round, np.round, "float64", [(-5, 5)]),
    ("round.float32", tt.round, np.round, "float32", [(-5, 5)]),
    ("floor", tt.floor, np.floor, "float64", [(-5, 5)]),
    ("floor.int64", tt.floor, np.floor, "int64", [(-9, 9)]),
    ("ceil", tt.ceil, np.ceil, "float64", [(-5, 5)]),
    ("ceil.float32", tt.ceil, np.ceil, "float32", [(-5, 5)]),
    ("trunc", tt.trunc, np.trunc, "float64", [(-5, 5)]),
    ("trunc.float32", tt.trunc, np.trunc, "float32", [(-5, 5)]),
    # Logic.
    ("logical_and", tt.logical_and, np.logical_and, "bool", [(0, 1), (0, 1)]),
    ("logical_and.float64", tt.logical_and, np.logical_and, "float64", [(-1, 1), (-1, 1)]),
    ("logical_or", tt.logical_or, np.logical_or, "bool", [(0, 1), (0, 1)]),
    ("logical_or.int64", tt.logical_or, np.logical_or, "int64", [(-1, 1), (-1, 1)]),
    ("logical_xor", tt.logical_xor, np.logical_xor, "bool", [(0, 1), (0, 1)]),
    ("logical_xor.int64", tt.logical_xor, np.logical_xor, "int64", [(-1, 1), (-1, 1)]),
    ("logical_not", tt.logical_not, np.logical_not, "bool", [(0, 1)]),
    ("logical_not.int8", tt.logical_not, np.logical_not, "int8", [(-1, 1)]),
    # Bits.
    ("bitwise_and", tt.bitwise_and, np.bitwise_and, "int64", [(-99, 99), (-99, 99)]),
    ("bitwise_and.bool", tt.bitwise_and, np.bitwise_and, "bool", [(0, 1), (0, 1)]),
    ("bitwise_or", tt.bitwise_or, np.bitwise_or, "int64", [(-99, 99), (-99, 99)]),
    ("bitwise_or.uint8", tt.bitwise_or, np.bitwise_or, "uint8", [(0, 255), (0, 255)]),
    ("bitwise_xor", tt.bitwise_xor, np.bitwise_xor, "int64", [(-99, 99), (-99, 99)]),
    ("bitwise_xor.bool", tt.bitwise_xor, np.bitwise_xor, "bool", [(0, 1), (0, 1)]),
    ("invert", tt.invert, np.invert, "int64", [(-99, 99)]),
    ("invert.uint8", tt.invert, np.invert, "uint8", [(0, 255)]),
    ("invert.bool", tt.invert, np.invert, "bool", [(0, 1)]),
    ("left_shift", tt.left_shift, np.left_shift, "int64", [(-99, 99), (0, 8)]),
    ("left_shift.uint8", tt.left_shift, np.left_shift, "uint8", [(0, 255), (0, 7)]),
    ("right_shift", tt.right_shift, np.right_shift, "int64", [(-999, 999), (0, 8)]),
    ("right_shift.int8", tt.right_shift, np.right_shift, "int8", [(-128, 127), (0, 7)]),
    # Complex numbers.
    ("real", tt.real, np.real, "complex128", [(-2, 2)]),
    ("real.complex64", tt.real, np.real, "complex64", [(-2, 2)]),
    ("imag", tt.imag, np.imag, "complex128", [(-2, 2)]),
    ("imag.float64", tt.imag, np.imag, "float64", [(-2, 2)]),
    ("conj", tt.conj, np.conjugate, "complex128", [(-2, 2)]),
    ("conj.complex64", tt.conj, np.conjugate, "complex64", [(-2, 2)]),
    ("conj.float64", tt.conj, np.conjugate, "float64", [(-2, 2)]),
    ("angle", tt.angle, np.angle, "complex128", [(-2, 2)]),
    ("angle.float64", tt.angle, np.angle, "float64", [(-2, 2)]),
    # Exponentials and logarithms.
    ("exp2", tt.exp2, np.exp2, "float64", [(-5, 5)]),
    ("exp2.int64", tt.exp2, np.exp2, "int64", [(-5, 5)]),
    ("expm1", tt.expm1, np.expm1, "float64", [(-1e-3, 1e-3)]),
    ("expm1.float32", tt.expm1, np.expm1, "float32", [(-3, 3)]),
    ("log2", tt.log2, np.log2, "float64", [(0.1, 9)]),
    ("log2.int32", tt.log2, np.log2, "int32", [(1, 99)]),
    ("log10", tt.log10, np.log10, "float64", [(0.1, 999)]),
    ("log10.float32", tt.log10, np.log10, "float32", [(0.1, 999)]),
    ("log.complex128", tt.log, np.log, "complex128", [(-2, 2)]),
    ("log1p.float32", tt.log1p, np.log1p, "float32", [(-0.9, 5)]),
    ("exp.complex64", tt.exp, np.exp, "complex64", [(-2, 2)]),
    # Trigonometric and hyperbolic.
    ("tan", tt.tan, np.tan, "float64", [(-1.2, 1.2)]),
    ("tan.float32", tt.tan, np.tan, "float32", [(-1.2, 1.2)]),
    ("arcsin", tt.arcsin, np.arcsin, "float64", [(-1, 1)]),
    ("arcsin.float32", tt.arcsin, np.arcsin, "float32", [(-1, 1)]),
    ("arccos", tt.arccos, np.arccos, "float64", [(-1, 1)]),
    ("arccos.float32", tt.arccos, np.arccos, "float32", [(-1, 1)]),
    ("arctan", tt.arctan, np.arctan, "float64", [(-9, 9)]),
    ("arctan.int64", tt.arctan, np.arctan, "int64", [(-9, 9)]),
    ("arctan2", tt.arctan2, np.arctan2, "float64", [(-3, 3), (-3, 3)]),
    ("arctan2.float32", tt.arctan2, np.arctan2, "float32", [(-3, 3), (-3, 3)]),
    ("sinh", tt.sinh, np.sinh, "float64", [(-3, 3)]),
    ("sinh.float32", tt.sinh, np.sinh, "float32", [(-3, 3)]),
    ("cosh", tt.cosh, np.cosh, "float64", [(-3, 3)]),
    ("cosh.complex128", tt.cosh, np.cosh, "complex128", [(-2, 2)]),
    ("tanh", tt.tanh, np.tanh, "float64", [(-5, 5)]),
    ("tanh.float32", tt.tanh, np.tanh, "float32", [(-5, 5)]),
    ("tanh.complex128", tt.tanh, np.tanh, "complex128", [(-1, 1)]),
    ("arcsinh", tt.arcsinh, np.arcsinh, "float64", [(-9, 9)]),
    ("arcsinh.float32", tt.arcsinh, np.arcsinh, "float32", [(-9, 9)]),
    ("arccosh", tt.arccosh, np.arccosh, "float64", [(1, 9)]),
    ("arccosh.float32", tt.arccosh, np.arccosh, "float32", [(1, 9)]),
    ("arctanh", tt.arctanh, np.arctanh, "float64", [(-0.99, 0.99)]),
    ("arctanh.float32", tt.arctanh, np.arctanh, "float32", [(-0.99, 0.99)]),
]

# Comparisons and logic draw integer-valued floats, so that ties and zeros happen.
_TIES = {"eq", "neq", "lt", "le", "gt", "ge", "logical_and", "logical_or", "logical_xor"}


# Inputs of the cases of `register_elemwise_case`, by (layout, arity): each input's name,
# static shape, run-time shape and which argument of the op it is (that gives its range);
# then the calls, each a list of input positions.
_Input = tuple[str, tuple[int | None, ...], tuple[int, ...], int]
_LAYOUTS: dict[tuple[str, int], tuple[list[_Input], list[list[int]]]] = {
    # A matrix of unknown shape, broadcast against a vector of static length 3.
    ("matrix", 1): ([("x", (None, None), (2, 3), 0)], [[0]]),
    ("matrix", 2): ([("x", (None, None), (2, 3), 0), ("y", (3,), (3,), 1)], [[0, 1]]),
    # 0-d and empty inputs: f(s), f(e).
    ("edge", 1): ([("s", (), (), 0), ("e", (None, None), (0, 3), 0)], [[0], [1]]),
    # f(p, q): a static (1, 3) against a (2, 1) of unknown length; f(s, t) of two 0-d
    # inputs; f(s, e): a 0-d input against an empty one.
    ("edge", 2): (
        [
            ("p", (1, 3), (1, 3), 0),
            ("q", (None, 1), (2, 1), 1),
            ("s", (), (), 0),
            ("t", (), (), 1),
            ("e", (None, None), (0, 3), 1),
        ],
        [[0, 1], [2, 3], [2, 4]],
    ),
}


def register_elemwise_case(
    name: str,
    fn: Callable[..., Any],
    ref: Callable[..., Any],
    dtype: str,
    ranges: list[tuple[float, float]],
    edge: bool = False,
) -> None:
    """Register case `name`: `fn` on inputs of `dtype` drawn from `ranges`, against `ref`.

    By default `fn(x, y)` of a matrix of unknown shape (2, 3 at run time) and a vector of
    static shape (3,). With `edge`, `fn` is applied to 0-d, empty and length-1 broadcast
    inputs instead, one output each (see `_LAYOUTS`). Integer dtypes draw integers; a
    range that excludes 0 keeps divisors non-zero.
    """
    ties = name.split(".")[1] in _TIES
    key = ("edge" if edge else "matrix", len(ranges))
    if key not in _LAYOUTS:
        raise ValueError(f"register_elemwise_case takes 1 or 2 ranges, got {len(ranges)}")
    layout, calls = _LAYOUTS[key]

    def build(rng: np.random.Generator) -> Built:
        inputs: list[Variable] = [
            tt.tensor(n, shape=static, dtype=dtype) for n, static, *_ in layout
        ]
        # np.asarray: a 0-d complex draw comes back as a NumPy scalar.
        values = [np.asarray(draw(rng, s, dtype, *ranges[k], ties)) for _, _, s, k in layout]
        return inputs, [fn(*[inputs[k] for k in args]) for args in calls], values

    def reference(*values: Any) -> list[Any]:
        return [ref(*[values[k] for k in args]) for args in calls]

    register_case(name, build, reference)


def register_elemwise_cases(family: str, table: Table) -> None:
    """Register `family.<suffix>` for each (suffix, fn, reference, dtype, ranges) of `table`.

    An op's first entry (the op is the suffix's first part) gets the matrix shapes, its
    other entries (other dtypes, other domains) the edge shapes: every op is run on both.
    """
    seen: set[str] = set()
    for suffix, fn, ref, dtype, ranges in table:
        op_name = suffix.partition(".")[0]
        register_elemwise_case(f"{family}.{suffix}", fn, ref, dtype, ranges, op_name in seen)
        seen.add(op_name)


register_elemwise_cases("elemwise", _ELEMWISE)


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


@case(
    "elemwise.switch.edge",
    lambda c, a, b, s, e: [np.where(c, a, b), np.where(s > 0, s, 0.5), np.where(e, s, e)],
)
def _switch_edge(rng: np.random.Generator) -> Built:
    # A (2, 1) condition picks between (1, 3) and 0-d; a 0-d condition; an empty one.
    c, a = tt.tensor("c", shape=(2, 1), dtype="bool"), tt.tensor("a", shape=(1, 3))
    b, s, e = tt.scalar("b", dtype="int8"), tt.scalar("s"), tt.matrix("e", dtype="int16")
    values = [
        np.array([[True], [False]]),
        uniform(rng, (1, 3), -3, 3),
        np.asarray(-7, "int8"),
        np.asarray(1.5),
        np.zeros((0, 3), "int16"),
    ]
    return (
        [c, a, b, s, e],
        [tt.switch(c, a, b), tt.switch(s > 0, s, 0.5), tt.where(e, s, e)],
        values,
    )


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


@case("elemwise.cast.edge", lambda s, e: [s.astype("complex64"), e.astype("uint16")])
def _cast_edge(rng: np.random.Generator) -> Built:
    s, e = tt.scalar("s", dtype="int32"), tt.tensor("e", shape=(None, 0), dtype="float32")
    values = [np.asarray(-12, "int32"), np.zeros((2, 0), "float32")]
    return [s, e], [tt.cast(s, "complex64"), e.astype("uint16")], values


@case("elemwise.clip", lambda x, lo, hi: [np.clip(x, lo, hi)])
def _clip(rng: np.random.Generator) -> Built:
    x, lo, hi = tt.matrix("x"), tt.vector("lo", shape=(3,)), tt.scalar("hi")
    values = [uniform(rng, (2, 3), -3, 3), uniform(rng, (3,), -2, 0), np.asarray(1.5)]
    return [x, lo, hi], [tt.clip(x, lo, hi)], values


@case("elemwise.clip.int8_python_bounds", lambda x: [np.clip(x, -5, 5), np.clip(x, -1000, 7)])
def _clip_int8(rng: np.random.Generator) -> Built:
    # A Python bound beyond int8's range is no bound (numpy.clip): a minimum, not a clip.
    x = tt.vector("x", dtype="int8")
    return [x], [x.clip(-5, 5), tt.clip(x, -1000, 7)], [ints(rng, (6,), -9, 9, "int8")]


@case("elemwise.clip.one_bound", lambda x: [np.clip(x, None, 0.5), np.clip(x, -0.5, None)])
def _clip_one_bound(rng: np.random.Generator) -> Built:
    x = tt.matrix("x", dtype="float32")
    return [x], [tt.clip(x, None, 0.5), x.clip(min=-0.5)], [uniform(rng, (2, 3), -1, 1, "float32")]


@case("elemwise.clip.nan", lambda x: [np.clip(x, -1.0, 1.0)])
def _clip_nan(rng: np.random.Generator) -> Built:
    x = tt.vector("x")
    return [x], [tt.clip(x, -1.0, 1.0)], [np.array([np.nan, -np.inf, np.inf, 0.25, -3.0])]


@case(
    "elemwise.clip.edge",
    lambda x, lo, hi, e: [np.clip(x, lo, hi), np.clip(hi, -1.0, 0.5), np.clip(e, hi, 2)],
)
def _clip_edge(rng: np.random.Generator) -> Built:
    # Bounds of length-1 axes broadcast against x; a 0-d x; an empty x.
    x, lo = tt.tensor("x", shape=(1, 3)), tt.tensor("lo", shape=(None, 1))
    hi, e = tt.scalar("hi"), tt.matrix("e")
    values = [
        uniform(rng, (1, 3), -3, 3),
        uniform(rng, (2, 1), -2, 0),
        np.asarray(1.25),
        np.zeros((0, 2)),
    ]
    return [x, lo, hi, e], [tt.clip(x, lo, hi), tt.clip(hi, -1.0, 0.5), tt.clip(e, hi, 2)], values


@case("elemwise.round.half_to_even", lambda x: [np.round(x)])
def _round_ties(rng: np.random.Generator) -> Built:
    x = tt.vector("x")
    return [x], [tt.round(x)], [np.array([0.5, 1.5, 2.5, -0.5, -2.5, 3.49, -0.0])]


@case("elemwise.round.decimals", lambda x: [np.round(x, 2), np.round(x, -1)])
def _round_decimals(rng: np.random.Generator) -> Built:
    x = tt.matrix("x")
    return [x], [tt.round(x, 2), x.round(-1)], [uniform(rng, (2, 3), -99, 99)]


@case("elemwise.round.int64_decimals", lambda x: [np.round(x, -1), np.round(x, 1)])
def _round_int(rng: np.random.Generator) -> Built:
    x = tt.vector("x", dtype="int64")
    return [x], [tt.round(x, -1), tt.round(x, 1)], [np.array([-25, -15, 5, 14, 15, 25, 1001])]


def _special_values(dtype: str) -> np.ndarray:
    return np.array([np.nan, np.inf, -np.inf, 0.0, -1.5, 2.0], dtype=dtype)


@case("elemwise.isnan", lambda x: [np.isnan(x), np.isinf(x), np.isfinite(x)])
def _classify(rng: np.random.Generator) -> Built:
    x = tt.vector("x")
    return [x], [tt.isnan(x), tt.isinf(x), tt.isfinite(x)], [_special_values("float64")]


@case("elemwise.isinf.float32", lambda x: [np.isinf(x), np.isfinite(x), np.isnan(x)])
def _classify_float32(rng: np.random.Generator) -> Built:
    x = tt.vector("x", dtype="float32")
    return [x], [tt.isinf(x), tt.isfinite(x), tt.isnan(x)], [_special_values("float32")]


@case("elemwise.isfinite.int64", lambda x: [np.isfinite(x), np.isnan(x), np.isinf(x)])
def _classify_int(rng: np.random.Generator) -> Built:
    x = tt.vector("x", dtype="int64")
    return [x], [tt.isfinite(x), tt.isnan(x), tt.isinf(x)], [ints(rng, (4,), -9, 9)]


@case("elemwise.isnan.complex128", lambda x: [np.isnan(x), np.isfinite(x)])
def _classify_complex(rng: np.random.Generator) -> Built:
    x = tt.vector("x", dtype="complex128")
    value = np.array([complex(np.nan, 0), complex(0, np.inf), 1 + 2j])
    return [x], [tt.isnan(x), tt.isfinite(x)], [value]


@case(
    "elemwise.isinf.edge",
    lambda s, e: [f(v) for v in (s, e) for f in (np.isinf, np.isnan, np.isfinite)],
)
def _classify_edge(rng: np.random.Generator) -> Built:
    s, e = tt.scalar("s", dtype="float32"), tt.matrix("e", dtype="complex64")
    values = [np.asarray(-np.inf, "float32"), np.zeros((0, 3), "complex64")]
    outputs = [f(v) for v in (s, e) for f in (tt.isinf, tt.isnan, tt.isfinite)]
    return [s, e], outputs, values


@case("elemwise.operators", lambda x, y: [x % y, abs(x), ~x, x & y, x | y, x ^ y, x << 2, x >> 1])
def _operators(rng: np.random.Generator) -> Built:
    x, y = tt.vector("x", dtype="int32"), tt.vector("y", dtype="int32")
    outs = [x % y, abs(x), ~x, x & y, x | y, x ^ y, x << 2, x >> 1]
    return [x, y], outs, [ints(rng, (5,), -50, 50, "int32"), ints(rng, (5,), 1, 9, "int32")]


@case("elemwise.mod.weak_scalar", lambda x: [x % 3, 7.5 % x])
def _mod_weak(rng: np.random.Generator) -> Built:
    x = tt.vector("x", dtype="float32")
    return [x], [x % 3, 7.5 % x], [uniform(rng, (5,), 0.5, 9, "float32")]


@case("elemwise.real.methods", lambda z: [z.real, z.imag, z.conj()])
def _complex_methods(rng: np.random.Generator) -> Built:
    z = tt.matrix("z", dtype="complex64")
    value = (uniform(rng, (2, 3), -2, 2) + 1j * uniform(rng, (2, 3), -2, 2)).astype("complex64")
    return [z], [z.real, z.imag, z.conj()], [value]


@case("elemwise.sqrt.scalar", lambda x: [np.sqrt(x)])
def _sqrt_scalar(rng: np.random.Generator) -> Built:
    x = tt.scalar("x")
    return [x], [tt.sqrt(x)], [np.asarray(2.25)]


@case("elemwise.arctan2.static_broadcast", lambda y, x: [np.arctan2(y, x)])
def _arctan2_static(rng: np.random.Generator) -> Built:
    y, x = tt.tensor("y", shape=(1, 3)), tt.tensor("x", shape=(2, 1))
    return [y, x], [tt.arctan2(y, x)], [uniform(rng, (1, 3), -2, 2), uniform(rng, (2, 1), -2, 2)]


@case("elemwise.tanh.empty", lambda x: [np.tanh(x), np.floor(x)])
def _tanh_empty(rng: np.random.Generator) -> Built:
    x = tt.tensor("x", shape=(0, 3))
    return [x], [tt.tanh(x), tt.floor(x)], [np.zeros((0, 3))]


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


@case(
    "elemwise.composite.math",
    lambda x, y: [np.sqrt(np.square(x) + 1) * np.tanh(y) - np.floor(np.abs(x) % 2)],
)
def _composite_math(rng: np.random.Generator) -> Built:
    i0, i1 = _scalars("float64", "float64")
    expr = ts.sqrt(ts.sqr(i0) + 1) * ts.tanh(i1) - ts.floor(ts.mod(ts.abs(i0), 2.0))
    op = Elemwise(ts.Composite([i0, i1], [expr]))
    x, y = tt.matrix("x"), tt.vector("y")
    return [x, y], [op(x, y)], [uniform(rng, (2, 3), -3, 3), uniform(rng, (3,), -2, 2)]


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
    "add sub mul true_div floor_div mod pow neg abs sign reciprocal sqr sqrt maximum minimum "
    "clip round floor ceil trunc cast eq neq lt le gt ge isnan isinf isfinite "
    "logical_and logical_or logical_xor logical_not "
    "bitwise_and bitwise_or bitwise_xor invert left_shift right_shift "
    "switch real imag conj angle "
    "exp exp2 expm1 log log2 log10 log1p "
    "sin cos tan arcsin arccos arctan arctan2 sinh cosh tanh arcsinh arccosh arctanh",
)
