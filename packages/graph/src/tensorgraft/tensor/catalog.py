"""The op catalog: small runnable graphs for every op, each with its NumPy reference.

Every stage tests itself against this list. The python backend must reproduce each
case's `reference` (tests/graph); every other backend must reproduce the python backend
on every case; a stage's coverage check asks which op types the catalog uses
(`catalog_op_types`) and fails on those it has no rule for. A new op comes with cases:

    @case("elemwise.log", lambda x: [np.log(x)])
    def _(rng):
        x = tt.vector("x")
        return [x], [tt.log(x)], [rng.uniform(0.5, 3.0, size=4)]

`build(rng)` returns (inputs, outputs, input values); the values must be valid for the op
(positive for log, no integer division by zero, ...). `reference(*values)` computes the
same outputs with NumPy/SciPy, with the same dtypes and shapes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

import tensorgraft.tensor as tt
from tensorgraft.graph.basic import Variable
from tensorgraft.graph.op import Op
from tensorgraft.graph.traversal import io_toposort, toposort
from tensorgraft.tensor import scalar_ops as ts
from tensorgraft.tensor.blockwise import Blockwise
from tensorgraft.tensor.elemwise import Elemwise

Built = tuple[list[Variable], list[Variable], list[np.ndarray]]
Build = Callable[[np.random.Generator], Built]
Reference = Callable[..., list[Any]]  # arrays (or NumPy scalars, read with np.asarray)
Shapes = tuple[tuple[int, ...], tuple[int, ...]]


@dataclass(frozen=True)
class OpCase:
    """One catalog entry: a graph to build and the NumPy computation it must match.

    Attributes:
        name: unique, "<family>.<what>", e.g. "elemwise.log", "subtensor.symbolic_slice".
        build: rng -> (inputs, outputs, values of the inputs).
        reference: values of the inputs -> expected values of the outputs.
    """

    name: str
    build: Build
    reference: Reference

    def __str__(self) -> str:
        return self.name


CASES: list[OpCase] = []
_BY_NAME: dict[str, OpCase] = {}


def register_case(name: str, build: Build, reference: Reference) -> OpCase:
    """Add a case to `CASES` and return it. Names are unique: "<family>.<what>"."""
    if "." not in name or name != name.strip():
        raise ValueError(f"case names look like 'family.what', got {name!r}")
    if name in _BY_NAME:
        raise ValueError(f"the catalog already has a case named {name!r}")
    new = OpCase(name, build, reference)
    CASES.append(new)
    _BY_NAME[name] = new
    return new


def case(name: str, reference: Reference) -> Callable[[Build], Build]:
    """Decorator form of `register_case`: decorate the build function."""

    def register(build: Build) -> Build:
        register_case(name, build, reference)
        return build

    return register


def get_case(name: str) -> OpCase:
    """The case called `name`."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise KeyError(f"no catalog case named {name!r}") from None


def ops_in(op_case: OpCase) -> set[Op]:
    """Every op a case's graph applies, with the ops inside Elemwise, Composite, Blockwise."""
    _, outputs, _ = op_case.build(np.random.default_rng(0))
    found: set[Op] = set()
    stack: list[Op] = [node.op for node in toposort(outputs)]
    while stack:
        op = stack.pop()
        if op in found:
            continue
        found.add(op)
        if isinstance(op, Elemwise):
            stack.append(op.scalar_op)
        elif isinstance(op, Blockwise):
            stack.append(op.core_op)
        elif op.inner_outputs is not None:  # a Composite's scalar graph
            stack.extend(n.op for n in io_toposort(op.inner_inputs or [], op.inner_outputs))
    return found


def op_types_in(op_case: OpCase) -> set[type]:
    """The Op types a case's graph uses, scalar op types (Add, Cast, ...) included."""
    return {type(op) for op in ops_in(op_case)}


def catalog_op_types() -> set[type]:
    """Every Op type (scalar op types included) that some catalog case uses."""
    return {t for c in CASES for t in op_types_in(c)}


def catalog_scalar_ops() -> set[ts.ScalarOp]:
    """Every scalar op (an instance: `add`, `Cast('int32')`, a Composite) some case uses."""
    return {op for c in CASES for op in ops_in(c) if isinstance(op, ts.ScalarOp)}


# -- helpers for writing cases --------------------------------------------------------------
# Relative tolerance when comparing float results across engines, by dtype.
RTOL = {"float16": 1e-3, "float32": 1e-5, "complex64": 1e-5}


def assert_matches(got: Any, expected: Any, what: str = "") -> None:
    """Assert an ndarray result equals a reference: same dtype, shape and values.

    Floats are compared with a tolerance by dtype (NaNs equal); everything else exactly.
    Backends' differential tests compare against the python backend with this.
    """
    expected = np.asarray(expected)
    assert isinstance(got, np.ndarray), f"{what}: got {type(got).__name__}, not an ndarray"
    assert got.dtype == expected.dtype, f"{what}: dtype {got.dtype} != expected {expected.dtype}"
    assert got.shape == expected.shape, f"{what}: shape {got.shape} != expected {expected.shape}"
    if got.dtype.kind in "fc":
        rtol = RTOL.get(got.dtype.name, 1e-10)
        np.testing.assert_allclose(got, expected, rtol=rtol, atol=0, err_msg=what)
    else:
        np.testing.assert_array_equal(got, expected, err_msg=what)


def _uniform(
    rng: np.random.Generator, shape: tuple[int, ...], lo: float, hi: float, dtype: str = "float64"
) -> np.ndarray:
    return rng.uniform(lo, hi, size=shape).astype(dtype)


def _ints(
    rng: np.random.Generator, shape: tuple[int, ...], lo: int, hi: int, dtype: str = "int64"
) -> np.ndarray:
    """Integers in [lo, hi] (inclusive)."""
    return rng.integers(lo, hi, size=shape, endpoint=True).astype(dtype)


def _index(value: int) -> np.ndarray:
    return np.asarray(value, dtype="int64")


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


def _draw(
    rng: np.random.Generator, shape: tuple[int, ...], dtype: str, lo: float, hi: float, ties: bool
) -> np.ndarray:
    kind = np.dtype(dtype).kind
    if kind in "iu" or ties:
        return _ints(rng, shape, int(lo), int(hi), dtype)
    if kind == "c":
        re, im = _uniform(rng, shape, lo, hi), _uniform(rng, shape, lo, hi)
        return (re + 1j * im).astype(dtype)
    return _uniform(rng, shape, lo, hi, dtype)


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
            _draw(rng, s, dtype, lo, hi, ties) for s, (lo, hi) in zip(shapes, ranges, strict=True)
        ]
        return inputs, [fn(*inputs)], values

    register_case(f"elemwise.{suffix}", build, lambda *v: [ref(*v)])


for _suffix, _fn, _ref, _dtype, _ranges in _ELEMWISE:
    _elemwise_case(_suffix, _fn, _ref, _dtype, _ranges)


@case("elemwise.add.variadic", lambda x, y, z: [x + y + z])
def _add_variadic(rng: np.random.Generator) -> Built:
    x, y = tt.vector("x", dtype="int8"), tt.vector("y", dtype="int16")
    z = tt.scalar("z", dtype="float32")
    values = [_ints(rng, (4,), -9, 9, "int8"), _ints(rng, (4,), -9, 9, "int16")]
    return [x, y, z], [tt.add(x, y, z)], [*values, np.asarray(0.5, dtype="float32")]


@case("elemwise.mul.variadic", lambda x, y, z: [x * y * z])
def _mul_variadic(rng: np.random.Generator) -> Built:
    x, y, z = tt.matrix("x"), tt.vector("y"), tt.tensor3("z")
    values = [_uniform(rng, s, -2, 2) for s in [(2, 3), (3,), (4, 1, 3)]]
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
        _uniform(rng, (2, 3), -3, 3),
        np.asarray(7.5, "float32"),
    ]
    return [c, a, b], [tt.switch(c, a, b)], values


@case("elemwise.switch.comparison", lambda x: [np.where(x > 0, x, 0.1 * x)])
def _switch_comparison(rng: np.random.Generator) -> Built:
    x = tt.vector("x")
    return [x], [tt.switch(x > 0, x, 0.1 * x)], [_uniform(rng, (6,), -3, 3)]


@case("elemwise.weak_int_scalar", lambda x: [x + 1, 2 * x, x - 3])
def _weak_int(rng: np.random.Generator) -> Built:
    x = tt.vector("x", dtype="int8")
    return [x], [x + 1, 2 * x, x - 3], [_ints(rng, (5,), -50, 50, "int8")]


@case("elemwise.weak_float_scalar", lambda x: [x * 2.5, 1.5 / x, x**2])
def _weak_float(rng: np.random.Generator) -> Built:
    x = tt.vector("x", dtype="float32")
    return [x], [x * 2.5, 1.5 / x, x**2], [_uniform(rng, (5,), 0.5, 3, "float32")]


@case("elemwise.cast.float64_int32", lambda x: [x.astype("int32")])
def _cast_to_int(rng: np.random.Generator) -> Built:
    x = tt.matrix("x")
    return [x], [tt.cast(x, "int32")], [_uniform(rng, (2, 3), -100, 100)]


@case("elemwise.cast.int64_float32", lambda x: [x.astype("float32")])
def _cast_to_float(rng: np.random.Generator) -> Built:
    x = tt.vector("x", dtype="int64")
    return [x], [x.astype("float32")], [_ints(rng, (5,), -1000, 1000)]


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
    return [x, y], [op(x, y)], [_uniform(rng, (2, 3), -2, 2), _uniform(rng, (3,), -2, 2)]


@case(
    "elemwise.composite.multi_output",
    lambda x, y: [np.exp(x) * y, np.broadcast_to(np.log1p(y * y), (2, 3))],
)
def _composite_multi(rng: np.random.Generator) -> Built:
    # The second output only reads i1: it still has the broadcast shape of both inputs.
    i0, i1 = _scalars("float64", "float64")
    op = Elemwise(ts.Composite([i0, i1], [ts.exp(i0) * i1, ts.log1p(i1 * i1)]))
    x, y = tt.matrix("x"), tt.vector("y")
    return [x, y], op(x, y), [_uniform(rng, (2, 3), -2, 2), _uniform(rng, (3,), -2, 2)]


@case("elemwise.composite.cast", lambda x, y: [x.astype("float32") * 2 + y])
def _composite_cast(rng: np.random.Generator) -> Built:
    # Python numbers are weak inside scalar graphs too: the result stays float32.
    i0, i1 = _scalars("int8", "float32")
    op = Elemwise(ts.Composite([i0, i1], [ts.Cast("float32")(i0) * 2 + i1]))
    x, y = tt.vector("x", dtype="int8"), tt.vector("y", dtype="float32")
    return (
        [x, y],
        [op(x, y)],
        [_ints(rng, (4,), -9, 9, "int8"), _uniform(rng, (4,), -2, 2, "float32")],
    )


@case("elemwise.composite.switch", lambda x: [np.where(x < 1, np.cos(x), x**2)])
def _composite_switch(rng: np.random.Generator) -> Built:
    (i0,) = _scalars("float64")
    op = Elemwise(ts.Composite([i0], [ts.switch(ts.lt(i0, 1.0), ts.cos(i0), i0**2)]))
    x = tt.vector("x")
    return [x], [op(x)], [_uniform(rng, (6,), -3, 3)]


@case("elemwise.empty", lambda x, y: [x * y, np.exp(x)])
def _elemwise_empty(rng: np.random.Generator) -> Built:
    x, y = tt.matrix("x"), tt.vector("y", shape=(3,))
    return [x, y], [x * y, tt.exp(x)], [np.zeros((0, 3)), _uniform(rng, (3,), -1, 1)]


@case("elemwise.broadcast_unknown_one", lambda x, y: [x + y])
def _broadcast_runtime(rng: np.random.Generator) -> Built:
    # Dimensions of unknown length that are 1 at run time broadcast, as in NumPy.
    x, y = tt.matrix("x"), tt.matrix("y")
    return [x, y], [x + y], [_uniform(rng, (1, 3), -1, 1), _uniform(rng, (2, 1), -1, 1)]


# -- DimShuffle: expand, drop, transpose ---------------------------------------------------------
@case("dimshuffle.expand_dims", lambda x: [x[None], np.expand_dims(x, (0, 2)), x[:, None]])
def _expand_dims(rng: np.random.Generator) -> Built:
    x = tt.vector("x")
    return [x], [x[None], tt.expand_dims(x, (0, 2)), x[:, None]], [_uniform(rng, (3,), -1, 1)]


@case("dimshuffle.expand_scalar", lambda x: [np.reshape(x, (1, 1))])
def _expand_scalar(rng: np.random.Generator) -> Built:
    x = tt.scalar("x")
    return [x], [tt.expand_dims(x, (0, 1))], [np.asarray(1.5)]


@case("dimshuffle.drop_dims", lambda x: [np.squeeze(x, axis=(0, 2))])
def _drop_dims(rng: np.random.Generator) -> Built:
    x = tt.tensor3("x", shape=(1, 3, 1))
    return [x], [x.squeeze()], [_uniform(rng, (1, 3, 1), -1, 1)]


@case("dimshuffle.drop_unknown_dim", lambda x: [np.squeeze(x, axis=1)])
def _drop_unknown(rng: np.random.Generator) -> Built:
    # The length of axis 1 is not known statically: checked at run time.
    x = tt.matrix("x")
    return [x], [x.squeeze(1)], [_uniform(rng, (4, 1), -1, 1)]


@case(
    "dimshuffle.transpose", lambda x: [x.T, np.transpose(x, (1, 0, 2)), np.transpose(x, (2, 0, 1))]
)
def _transpose(rng: np.random.Generator) -> Built:
    x = tt.tensor3("x")
    outs = [x.T, x.transpose(1, 0, 2), tt.transpose(x, (2, 0, 1))]
    return [x], outs, [_uniform(rng, (2, 3, 4), -1, 1)]


@case("dimshuffle.general", lambda x: [np.transpose(x[0], (1, 0))[:, None, :]])
def _dimshuffle_general(rng: np.random.Generator) -> Built:
    x = tt.tensor3("x", shape=(1, None, None))
    return [x], [x.dimshuffle(2, "x", 1)], [_uniform(rng, (1, 3, 4), -1, 1)]


# -- Shape, ShapeI -------------------------------------------------------------------------------
@case("shape.shape", lambda x: [np.asarray(x.shape, dtype="int64")])
def _shape(rng: np.random.Generator) -> Built:
    x = tt.tensor3("x", shape=(2, None, None))
    return [x], [x.shape], [_uniform(rng, (2, 0, 4), -1, 1)]


@case("shape.shape_scalar", lambda x: [np.zeros((0,), dtype="int64")])
def _shape_scalar(rng: np.random.Generator) -> Built:
    x = tt.scalar("x")
    return [x], [tt.shape(x)], [np.asarray(2.0)]


@case("shape.shape_i", lambda x: [np.asarray(x.shape[1], dtype="int64")])
def _shape_i(rng: np.random.Generator) -> Built:
    x = tt.matrix("x")
    return [x], [tt.ShapeI(1)(x)], [_uniform(rng, (2, 5), -1, 1)]


@case("shape.shape_i_arith", lambda x: [x * 0 + np.int64(x.shape[0])])
def _shape_i_arith(rng: np.random.Generator) -> Built:
    x = tt.vector("x")
    n = tt.ShapeI(0)(x)
    return [x], [x * 0 + n], [_uniform(rng, (4,), -1, 1)]


# -- Sum -----------------------------------------------------------------------------------------
_SUMS: list[tuple[str, dict[str, Any], str, tuple[int, ...]]] = [
    ("all", {}, "float64", (2, 3, 4)),
    ("axis_int", {"axis": 1}, "float64", (2, 3, 4)),
    ("axis_negative", {"axis": -1}, "float64", (2, 3, 4)),
    ("axis_tuple", {"axis": (0, 2)}, "float64", (2, 3, 4)),
    ("keepdims", {"axis": (0, 2), "keepdims": True}, "float64", (2, 3, 4)),
    ("keepdims_all", {"keepdims": True}, "float64", (2, 3, 4)),
    ("dtype", {"axis": 0, "dtype": "float32"}, "float64", (2, 3, 4)),
    ("int8", {"axis": 1}, "int8", (2, 3, 4)),
    ("uint8", {}, "uint8", (2, 3, 4)),
    ("bool", {"axis": 0}, "bool", (2, 3, 4)),
    ("float32", {"axis": 2}, "float32", (2, 3, 4)),
    ("empty_axis", {"axis": 1}, "float64", (2, 0, 4)),
]


def _sum_case(suffix: str, kwargs: dict[str, Any], dtype: str, shape: tuple[int, ...]) -> None:
    def build(rng: np.random.Generator) -> Built:
        x = tt.tensor3("x", dtype=dtype)
        return [x], [x.sum(**kwargs)], [_draw(rng, shape, dtype, -3, 3, ties=False)]

    register_case(f"sum.{suffix}", build, lambda x: [np.sum(x, **kwargs)])


for _suffix, _kwargs, _dtype, _sum_shape in _SUMS:
    _sum_case(_suffix, _kwargs, _dtype, _sum_shape)


@case("sum.scalar", lambda x: [np.sum(x)])
def _sum_scalar(rng: np.random.Generator) -> Built:
    x = tt.scalar("x")
    return [x], [tt.sum(x)], [np.asarray(2.5)]


# -- Subtensor: basic indexing -------------------------------------------------------------------
@case("subtensor.int", lambda x: [x[1], x[0, 2], x[1, :, 3]])
def _sub_int(rng: np.random.Generator) -> Built:
    x = tt.tensor3("x", shape=(2, 3, 4))
    return [x], [x[1], x[0, 2], x[1, :, 3]], [_uniform(rng, (2, 3, 4), -1, 1)]


@case("subtensor.negative_int", lambda x: [x[-1], x[-2, -1]])
def _sub_negative_int(rng: np.random.Generator) -> Built:
    x = tt.matrix("x")
    return [x], [x[-1], x[-2, -1]], [_uniform(rng, (3, 4), -1, 1)]


@case("subtensor.slice", lambda x: [x[1:], x[:2], x[1:3, 2:], x[-3:-1]])
def _sub_slice(rng: np.random.Generator) -> Built:
    x = tt.matrix("x", shape=(5, None))
    return [x], [x[1:], x[:2], x[1:3, 2:], x[-3:-1]], [_uniform(rng, (5, 4), -1, 1)]


@case("subtensor.step", lambda x: [x[::2], x[1::3], x[::-1], x[4:0:-2], x[:, ::-1]])
def _sub_step(rng: np.random.Generator) -> Built:
    x = tt.matrix("x", shape=(6, 3))
    outs = [x[::2], x[1::3], x[::-1], x[4:0:-2], x[:, ::-1]]
    return [x], outs, [_uniform(rng, (6, 3), -1, 1)]


@case("subtensor.out_of_range_slice", lambda x: [x[2:100], x[-100:2], x[7:], x[3:1]])
def _sub_out_of_range(rng: np.random.Generator) -> Built:
    x = tt.vector("x")
    outs = [x[2:100], x[-100:2], x[7:], x[3:1]]
    return [x], outs, [_uniform(rng, (5,), -1, 1)]


@case("subtensor.symbolic_int", lambda x, i: [x[i], x[:, i]])
def _sub_symbolic_int(rng: np.random.Generator) -> Built:
    x, i = tt.matrix("x"), tt.scalar("i", dtype="int64")
    return [x, i], [x[i], x[:, i]], [_uniform(rng, (3, 3), -1, 1), _index(-2)]


@case("subtensor.symbolic_slice", lambda x, a, b, s: [x[a:b:s], x[a:], x[:b], x[::s]])
def _sub_symbolic_slice(rng: np.random.Generator) -> Built:
    x = tt.vector("x")
    a, b, s = (tt.scalar(n, dtype="int64") for n in "abs")
    values = [_uniform(rng, (8,), -1, 1), _index(1), _index(-2), _index(2)]
    return [x, a, b, s], [x[a:b:s], x[a:], x[:b], x[::s]], values


@case("subtensor.symbolic_negative_step", lambda x, a, s: [x[a::s], x[:a:s]])
def _sub_symbolic_negative_step(rng: np.random.Generator) -> Built:
    x = tt.vector("x", shape=(7,))
    a, s = tt.scalar("a", dtype="int32"), tt.scalar("s", dtype="int64")
    values = [_uniform(rng, (7,), -1, 1), np.asarray(5, dtype="int32"), _index(-2)]
    return [x, a, s], [x[a::s], x[:a:s]], values


@case("subtensor.newaxis_ellipsis", lambda x: [x[None, ..., -1], x[..., 1, None], x[1, ...]])
def _sub_newaxis(rng: np.random.Generator) -> Built:
    x = tt.tensor3("x")
    outs = [x[None, ..., -1], x[..., 1, None], x[1, ...]]
    return [x], outs, [_uniform(rng, (2, 3, 4), -1, 1)]


@case("subtensor.empty", lambda x: [x[2:2], x[:, 1:1]])
def _sub_empty(rng: np.random.Generator) -> Built:
    x = tt.matrix("x", shape=(3, 4))
    return [x], [x[2:2], x[:, 1:1]], [_uniform(rng, (3, 4), -1, 1)]


# -- Blockwise, Dot, matmul, dot -----------------------------------------------------------------
@case("dot.core", lambda a, b: [a @ b])
def _dot_core(rng: np.random.Generator) -> Built:
    a, b = tt.matrix("a"), tt.matrix("b")
    return [a, b], [tt.Dot()(a, b)], [_uniform(rng, (2, 3), -1, 1), _uniform(rng, (3, 4), -1, 1)]


def _product_case(
    name: str,
    fn: Callable[[Any, Any], Any],
    ref: Callable[[Any, Any], Any],
    shapes: Shapes,
    dtypes: tuple[str, str] = ("float64", "float64"),
    static: bool = False,
) -> None:
    def build(rng: np.random.Generator) -> Built:
        a, b = (
            tt.tensor(n, shape=s if static else (None,) * len(s), dtype=d)
            for n, s, d in zip("ab", shapes, dtypes, strict=True)
        )
        values = [_draw(rng, s, d, -3, 3, ties=False) for s, d in zip(shapes, dtypes, strict=True)]
        return [a, b], [fn(a, b)], values

    register_case(name, build, lambda a, b: [ref(a, b)])


def _blockwise_dot(a: Any, b: Any) -> Any:
    return Blockwise(tt.Dot(), "(m,k),(k,n)->(m,n)")(a, b)


_PRODUCTS: list[tuple[str, Callable[[Any, Any], Any], Callable[[Any, Any], Any], Shapes]] = [
    ("blockwise.dot", _blockwise_dot, np.matmul, ((2, 3), (3, 4))),
    ("blockwise.dot_batch", _blockwise_dot, np.matmul, ((5, 2, 3), (5, 3, 4))),
    ("blockwise.dot_broadcast_batch", _blockwise_dot, np.matmul, ((2, 1, 2, 3), (4, 3, 2))),
    ("blockwise.dot_unbatched_operand", _blockwise_dot, np.matmul, ((3, 2, 3), (3, 4))),
    ("blockwise.dot_empty_batch", _blockwise_dot, np.matmul, ((0, 2, 3), (1, 3, 4))),
    ("matmul.vector_vector", tt.matmul, np.matmul, ((4,), (4,))),
    ("matmul.matrix_vector", tt.matmul, np.matmul, ((3, 4), (4,))),
    ("matmul.vector_matrix", tt.matmul, np.matmul, ((4,), (4, 2))),
    ("matmul.matrix_matrix", tt.matmul, np.matmul, ((3, 4), (4, 2))),
    ("matmul.stack_stack", tt.matmul, np.matmul, ((2, 3, 4), (2, 4, 5))),
    ("matmul.stack_matrix", tt.matmul, np.matmul, ((2, 3, 4), (4, 5))),
    ("matmul.stack_vector", tt.matmul, np.matmul, ((2, 3, 4), (4,))),
    ("matmul.vector_stack", tt.matmul, np.matmul, ((4,), (2, 4, 5))),
    ("matmul.broadcast_stacks", tt.matmul, np.matmul, ((3, 1, 2, 4), (2, 4, 1))),
    ("matmul.operator", lambda a, b: a @ b, lambda a, b: a @ b, ((2, 3), (3,))),
    ("dot.vector_vector", tt.dot, np.dot, ((4,), (4,))),
    ("dot.matrix_matrix", tt.dot, np.dot, ((3, 4), (4, 2))),
    ("dot.tensor3_matrix", tt.dot, np.dot, ((2, 3, 4), (4, 5))),
    ("dot.matrix_tensor3", tt.dot, np.dot, ((3, 4), (2, 4, 5))),
    ("dot.vector_tensor3", tt.dot, np.dot, ((4,), (2, 4, 5))),
    ("dot.tensor3_tensor3", tt.dot, np.dot, ((2, 3, 4), (5, 4, 2))),
    ("dot.tensor3_vector", tt.dot, np.dot, ((2, 3, 4), (4,))),
    ("dot.scalar", tt.dot, np.dot, ((), (2, 3))),
]
for _name, _fn, _ref, _shapes in _PRODUCTS:
    _product_case(_name, _fn, _ref, _shapes)
_product_case(
    "blockwise.dot_static", _blockwise_dot, np.matmul, ((2, 1, 2, 3), (4, 3, 2)), static=True
)
_product_case("matmul.int", tt.matmul, np.matmul, ((3, 4), (4, 2)), ("int32", "int64"))
_product_case("matmul.mixed_float", tt.matmul, np.matmul, ((3, 4), (4,)), ("float32", "float64"))
