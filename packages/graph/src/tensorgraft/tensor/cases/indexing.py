"""Catalog cases: basic and advanced indexing, set/inc-subtensor, take."""

from __future__ import annotations

import numpy as np

import tensorgraft.tensor as tt
from tensorgraft.tensor.catalog import (
    Built,
    case,
    index,
    uniform,
)


# -- Subtensor: basic indexing -------------------------------------------------------------------
@case("subtensor.int", lambda x: [x[1], x[0, 2], x[1, :, 3]])
def _sub_int(rng: np.random.Generator) -> Built:
    x = tt.tensor3("x", shape=(2, 3, 4))
    return [x], [x[1], x[0, 2], x[1, :, 3]], [uniform(rng, (2, 3, 4), -1, 1)]


@case("subtensor.negative_int", lambda x: [x[-1], x[-2, -1]])
def _sub_negative_int(rng: np.random.Generator) -> Built:
    x = tt.matrix("x")
    return [x], [x[-1], x[-2, -1]], [uniform(rng, (3, 4), -1, 1)]


@case("subtensor.slice", lambda x: [x[1:], x[:2], x[1:3, 2:], x[-3:-1]])
def _sub_slice(rng: np.random.Generator) -> Built:
    x = tt.matrix("x", shape=(5, None))
    return [x], [x[1:], x[:2], x[1:3, 2:], x[-3:-1]], [uniform(rng, (5, 4), -1, 1)]


@case("subtensor.step", lambda x: [x[::2], x[1::3], x[::-1], x[4:0:-2], x[:, ::-1]])
def _sub_step(rng: np.random.Generator) -> Built:
    x = tt.matrix("x", shape=(6, 3))
    outs = [x[::2], x[1::3], x[::-1], x[4:0:-2], x[:, ::-1]]
    return [x], outs, [uniform(rng, (6, 3), -1, 1)]


@case("subtensor.out_of_range_slice", lambda x: [x[2:100], x[-100:2], x[7:], x[3:1]])
def _sub_out_of_range(rng: np.random.Generator) -> Built:
    x = tt.vector("x")
    outs = [x[2:100], x[-100:2], x[7:], x[3:1]]
    return [x], outs, [uniform(rng, (5,), -1, 1)]


@case("subtensor.symbolic_int", lambda x, i: [x[i], x[:, i]])
def _sub_symbolic_int(rng: np.random.Generator) -> Built:
    x, i = tt.matrix("x"), tt.scalar("i", dtype="int64")
    return [x, i], [x[i], x[:, i]], [uniform(rng, (3, 3), -1, 1), index(-2)]


@case("subtensor.symbolic_slice", lambda x, a, b, s: [x[a:b:s], x[a:], x[:b], x[::s]])
def _sub_symbolic_slice(rng: np.random.Generator) -> Built:
    x = tt.vector("x")
    a, b, s = (tt.scalar(n, dtype="int64") for n in "abs")
    values = [uniform(rng, (8,), -1, 1), index(1), index(-2), index(2)]
    return [x, a, b, s], [x[a:b:s], x[a:], x[:b], x[::s]], values


@case("subtensor.symbolic_negative_step", lambda x, a, s: [x[a::s], x[:a:s]])
def _sub_symbolic_negative_step(rng: np.random.Generator) -> Built:
    x = tt.vector("x", shape=(7,))
    a, s = tt.scalar("a", dtype="int32"), tt.scalar("s", dtype="int64")
    values = [uniform(rng, (7,), -1, 1), np.asarray(5, dtype="int32"), index(-2)]
    return [x, a, s], [x[a::s], x[:a:s]], values


@case("subtensor.newaxis_ellipsis", lambda x: [x[None, ..., -1], x[..., 1, None], x[1, ...]])
def _sub_newaxis(rng: np.random.Generator) -> Built:
    x = tt.tensor3("x")
    outs = [x[None, ..., -1], x[..., 1, None], x[1, ...]]
    return [x], outs, [uniform(rng, (2, 3, 4), -1, 1)]


@case("subtensor.empty", lambda x: [x[2:2], x[:, 1:1]])
def _sub_empty(rng: np.random.Generator) -> Built:
    x = tt.matrix("x", shape=(3, 4))
    return [x], [x[2:2], x[:, 1:1]], [uniform(rng, (3, 4), -1, 1)]
