"""Catalog cases: shape, dimshuffle, reshape and the array constructors."""

from __future__ import annotations

import numpy as np

import tensorgraft.tensor as tt
from tensorgraft.tensor.catalog import (
    Built,
    case,
    list_ops,
    uniform,
)


# -- DimShuffle: expand, drop, transpose ---------------------------------------------------------
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
    outs = [x.T, x.transpose(1, 0, 2), tt.transpose(x, (2, 0, 1))]
    return [x], outs, [uniform(rng, (2, 3, 4), -1, 1)]


@case("dimshuffle.general", lambda x: [np.transpose(x[0], (1, 0))[:, None, :]])
def _dimshuffle_general(rng: np.random.Generator) -> Built:
    x = tt.tensor3("x", shape=(1, None, None))
    return [x], [x.dimshuffle(2, "x", 1)], [uniform(rng, (1, 3, 4), -1, 1)]


# -- Shape, ShapeI -------------------------------------------------------------------------------
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


list_ops("shape", "shape dimshuffle expand_dims squeeze transpose")
