"""Catalog cases: shape, dimshuffle, reshape and the array constructors."""

from __future__ import annotations

import numpy as np

import tensorgraft.tensor as tt
from tensorgraft.graph.basic import Variable
from tensorgraft.tensor.catalog import (
    Built,
    case,
    draw,
    index,
    list_ops,
    register_case,
    uniform,
)


# -- DimShuffle: expand, drop, transpose ----------------------------------------------------------
@case("dimshuffle.expand_dims", lambda x: [x[None], np.expand_dims(x, (0, 2)), x[:, None]])
def _expand_dims(rng: np.random.Generator) -> Built:
    x = tt.vector("x")
    return [x], [x[None], tt.expand_dims(x, (0, 2)), x[:, None]], [uniform(rng, (3,), -1, 1)]


@case("dimshuffle.expand_scalar", lambda x: [np.reshape(x, (1, 1))])
def _expand_scalar(rng: np.random.Generator) -> Built:
    x = tt.scalar("x")
    return [x], [tt.expand_dims(x, (0, 1))], [np.asarray(1.5)]


@case("dimshuffle.squeeze", lambda x: [np.squeeze(x, axis=(0, 2))])
def _drop_dims(rng: np.random.Generator) -> Built:
    x = tt.tensor3("x", shape=(1, 3, 1))
    return [x], [x.squeeze()], [uniform(rng, (1, 3, 1), -1, 1)]


@case("dimshuffle.squeeze.unknown_dim", lambda x: [np.squeeze(x, axis=1)])
def _drop_unknown(rng: np.random.Generator) -> Built:
    # The length of axis 1 is not known statically: checked at run time.
    x = tt.matrix("x")
    return [x], [x.squeeze(1)], [uniform(rng, (4, 1), -1, 1)]


@case(
    "dimshuffle.transpose", lambda x: [x.T, np.transpose(x, (1, 0, 2)), np.transpose(x, (2, 0, 1))]
)
def _transpose(rng: np.random.Generator) -> Built:
    x = tt.tensor3("x")
    outs: list[Variable] = [x.T, x.transpose(1, 0, 2), tt.transpose(x, (2, 0, 1))]
    return [x], outs, [uniform(rng, (2, 3, 4), -1, 1)]


@case("dimshuffle.general", lambda x: [np.transpose(x[0], (1, 0))[:, None, :]])
def _dimshuffle_general(rng: np.random.Generator) -> Built:
    x = tt.tensor3("x", shape=(1, None, None))
    return [x], [x.dimshuffle(2, "x", 1)], [uniform(rng, (1, 3, 4), -1, 1)]


@case(
    "dimshuffle.negative_axes",
    lambda x: [np.expand_dims(x, (-1, -3)), np.squeeze(x[:, :1], -1), np.transpose(x, (-1, -2))],
)
def _negative_axes(rng: np.random.Generator) -> Built:
    x = tt.matrix("x", shape=(None, 3), dtype="uint32")
    outs: list[Variable] = [
        tt.expand_dims(x, (-1, -3)),
        tt.squeeze(x[:, :1], -1),
        tt.transpose(x, (-1, -2)),
    ]
    return [x], outs, [draw(rng, (2, 3), "uint32", 0, 9, False)]


# -- Shape, ShapeI --------------------------------------------------------------------------------
@case("shape.shape", lambda x: [np.asarray(x.shape, dtype="int64")])
def _shape(rng: np.random.Generator) -> Built:
    x = tt.tensor3("x", shape=(2, None, None))
    return [x], [x.shape], [uniform(rng, (2, 0, 4), -1, 1)]


@case("shape.shape_scalar", lambda x: [np.zeros((0,), dtype="int64")])
def _shape_scalar(rng: np.random.Generator) -> Built:
    x = tt.scalar("x")
    return [x], [tt.shape(x)], [np.asarray(2.0)]


@case("shape.shape_i", lambda x: [np.asarray(x.shape[1], dtype="int64")])
def _shape_i(rng: np.random.Generator) -> Built:
    x = tt.matrix("x")
    return [x], [tt.ShapeI(1)(x)], [uniform(rng, (2, 5), -1, 1)]


@case("shape.shape_i_arith", lambda x: [x * 0 + np.int64(x.shape[0])])
def _shape_i_arith(rng: np.random.Generator) -> Built:
    x = tt.vector("x")
    n = tt.ShapeI(0)(x)
    return [x], [x * 0 + n], [uniform(rng, (4,), -1, 1)]


# -- Reshape --------------------------------------------------------------------------------------
@case(
    "shape.reshape.minus_one",
    lambda x: [x.reshape(2, -1), x.reshape(4, 3), x.reshape(-1), x.reshape(1, 3, -1, 1)],
)
def _reshape_minus_one(rng: np.random.Generator) -> Built:
    x = tt.matrix("x")
    outs: list[Variable] = [
        x.reshape(2, -1),
        x.reshape((4, 3)),
        tt.reshape(x, -1),
        x.reshape(1, 3, -1, 1),
    ]
    return [x], outs, [uniform(rng, (3, 4), -1, 1)]


@case("shape.reshape.static", lambda x: [x.reshape(4, -1), x.reshape(24), x.reshape(2, 12)])
def _reshape_static(rng: np.random.Generator) -> Built:
    x = tt.tensor("x", shape=(2, 3, 4), dtype="int8")
    outs: list[Variable] = [x.reshape(4, -1), x.reshape(24), tt.reshape(x, [2, 12])]
    return [x], outs, [draw(rng, (2, 3, 4), "int8", -9, 9, False)]


@case(
    "shape.reshape.symbolic",
    lambda x, d, y: [
        x.reshape(len(d), -1),
        x.reshape(y.shape),
        x.reshape(-1, len(d)),
        x.reshape(len(d), 3),
    ],
)
def _reshape_symbolic(rng: np.random.Generator) -> Built:
    # Entries computed from input lengths: shapes never depend on input values here.
    x, y, d = tt.vector("x"), tt.matrix("y", shape=(None, 2)), tt.vector("d")
    n = tt.cast(d.shape[0], "int32")
    outs: list[Variable] = [
        tt.reshape(x, (n, -1)),
        x.reshape(y.shape),
        x.reshape(-1, n),
        x.reshape(n, 3),
    ]
    return [x, d, y], outs, [uniform(rng, (6,), -1, 1), np.zeros(2), np.ones((3, 2))]


@case("shape.reshape.shape_vector", lambda x, t: [x.reshape(t.shape), x.reshape(-1, *t.shape[1:])])
def _reshape_vector(rng: np.random.Generator) -> Built:
    x, t = tt.matrix("x", dtype="complex64"), tt.tensor3("t")
    s = tt.cast(t.shape, "int16")
    outs: list[Variable] = [tt.reshape(x, s), tt.reshape(x, tt.concatenate([[-1], s[1:]]))]
    value = draw(rng, (2, 6), "complex64", -1, 1, False)
    return [x, t], outs, [value, np.zeros((3, 2, 2))]


@case(
    "shape.reshape.inferred_entry",
    lambda x, d: [x.reshape(len(d), 6), x.reshape(3, len(d), 2), x.reshape(-1, len(d), 3)],
)
def _reshape_inferred_entry(rng: np.random.Generator) -> Built:
    # One unknown entry next to static ones is what they leave of the static size: 1 here.
    x, d = tt.matrix("x", shape=(2, 3), dtype="int32"), tt.vector("d")
    n = d.shape[0]
    outs: list[Variable] = [x.reshape(n, 6), x.reshape(3, n, 2), x.reshape(-1, n, 3)]
    return [x, d], outs, [draw(rng, (2, 3), "int32", -9, 9, False), np.zeros(1)]


@case(
    "shape.reshape.size_zero",
    lambda x: [x.reshape(3, 0), x.reshape(-1, 3), x.reshape(0, 5, 2)],
)
def _reshape_size_zero(rng: np.random.Generator) -> Built:
    x = tt.matrix("x", dtype="bool")
    outs: list[Variable] = [x.reshape(3, 0), x.reshape(-1, 3), x.reshape(0, 5, 2)]
    return [x], outs, [np.zeros((0, 3), dtype=bool)]


@case("shape.reshape.scalar", lambda x, v: [x.reshape(1, 1), v.reshape(()), x.reshape(-1)])
def _reshape_scalar(rng: np.random.Generator) -> Built:
    x, v = tt.scalar("x", dtype="uint16"), tt.vector("v", shape=(1,))
    outs: list[Variable] = [x.reshape(1, 1), v.reshape(()), x.reshape(-1)]
    return [x, v], outs, [np.asarray(7, "uint16"), np.asarray([0.5])]


@case("shape.flatten", lambda x: [x.flatten(), x.reshape(2, -1), x.reshape(-1)])
def _flatten(rng: np.random.Generator) -> Built:
    x = tt.tensor3("x", dtype="float32")
    outs: list[Variable] = [x.flatten(), tt.flatten(x, ndim=2), x.ravel()]
    return [x], outs, [uniform(rng, (2, 3, 4), -1, 1, "float32")]


@case("shape.flatten.size_zero", lambda x: [x.reshape(0, 12), x.reshape(0)])
def _flatten_size_zero(rng: np.random.Generator) -> Built:
    x = tt.tensor3("x", shape=(None, 3, None))
    return [x], [tt.flatten(x, 2), x.flatten()], [np.zeros((0, 3, 4))]


@case("shape.flatten.scalar", lambda x: [x.reshape(1)])
def _flatten_scalar(rng: np.random.Generator) -> Built:
    x = tt.scalar("x", dtype="int64")
    return [x], [x.flatten()], [index(5)]


# -- axis permutations ----------------------------------------------------------------------------
@case(
    "shape.swapaxes",
    lambda x: [np.swapaxes(x, 0, 2), np.swapaxes(x, -1, 1), np.swapaxes(x, 1, 1)],
)
def _swapaxes(rng: np.random.Generator) -> Built:
    x = tt.tensor3("x", shape=(2, None, 1))
    outs: list[Variable] = [x.swapaxes(0, 2), tt.swapaxes(x, -1, 1), tt.swapaxes(x, 1, 1)]
    return [x], outs, [uniform(rng, (2, 3, 1), -1, 1)]


@case(
    "shape.moveaxis",
    lambda x: [
        np.moveaxis(x, 0, -1),
        np.moveaxis(x, (0, 1), (2, 0)),
        np.moveaxis(x, -1, 0),
    ],
)
def _moveaxis(rng: np.random.Generator) -> Built:
    x = tt.tensor3("x", dtype="int16")
    outs: list[Variable] = [
        tt.moveaxis(x, 0, -1),
        tt.moveaxis(x, (0, 1), (2, 0)),
        tt.moveaxis(x, -1, 0),
    ]
    return [x], outs, [draw(rng, (2, 3, 4), "int16", -5, 5, False)]


# -- SpecifyShape ---------------------------------------------------------------------------------
@case("shape.specify_shape", lambda x, n: [x, x, x])
def _specify_shape(rng: np.random.Generator) -> Built:
    x, n = tt.matrix("x"), tt.scalar("n", dtype="int64")
    outs: list[Variable] = [
        tt.specify_shape(x, (3, None)),
        tt.specify_shape(x, (n, 2)),
        tt.specify_shape(x, tt.shape(x)),
    ]
    return [x, n], outs, [uniform(rng, (3, 2), -1, 1), index(3)]


@case("shape.specify_shape.size_zero", lambda x: [x])
def _specify_shape_zero(rng: np.random.Generator) -> Built:
    x = tt.tensor3("x", dtype="complex128")
    return [x], [tt.specify_shape(x, (None, 0, 1))], [np.zeros((2, 0, 1), "complex128")]


def _reshape_dtype_case(dtype: str) -> None:
    def build(rng: np.random.Generator) -> Built:
        x = tt.tensor("x", shape=(None, 4), dtype=dtype)
        return (
            [x],
            [x.reshape(-1, 2, 2).swapaxes(0, 2)],
            [draw(rng, (3, 4), dtype, 0, 5, dtype == "bool")],
        )

    register_case(
        f"shape.reshape.{dtype}",
        build,
        lambda x: [np.swapaxes(x.reshape(-1, 2, 2), 0, 2)],
    )


for _dtype in ("bool", "uint8", "int32", "uint64", "float16", "complex128"):
    _reshape_dtype_case(_dtype)


list_ops(
    "shape",
    "shape dimshuffle expand_dims squeeze transpose reshape flatten swapaxes moveaxis "
    "specify_shape",
)
