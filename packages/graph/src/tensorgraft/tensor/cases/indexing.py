"""Catalog cases: basic and advanced indexing, set/inc-subtensor, take."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import tensorgraft.tensor as tt
from tensorgraft.graph.basic import Variable
from tensorgraft.tensor.catalog import (
    Built,
    case,
    draw,
    index,
    ints,
    list_ops,
    register_case,
    uniform,
)

Shape = tuple[int, ...]


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


@case("subtensor.size0_axis", lambda x: [x[:, 1], x[1:, ::-1], x[::2, 0:0]])
def _sub_size0(rng: np.random.Generator) -> Built:
    x = tt.matrix("x")
    return [x], [x[:, 1], x[1:, ::-1], x[::2, 0:0]], [uniform(rng, (0, 3), -1, 1)]


_DTYPES = (
    "bool",
    "int8",
    "uint16",
    "int32",
    "int64",
    "uint64",
    "float16",
    "float32",
    "complex64",
    "complex128",
)


def _dtype_case(dtype: str) -> None:
    def build(rng: np.random.Generator) -> Built:
        x = tt.matrix("x", dtype=dtype, shape=(3, None))
        return [x], [x[1], x[-1:0:-1, 1::2]], [draw(rng, (3, 4), dtype, -5, 5, False)]

    register_case(f"subtensor.{dtype}", build, lambda x: [x[1], x[-1:0:-1, 1::2]])


for _dtype in _DTYPES:
    _dtype_case(_dtype)


# -- AdvancedSubtensor: integer and boolean arrays, with NumPy as the reference ----------------
_MASK = np.array([True, False, True, True])
# (suffix, shape of x, key): the key is a NumPy key, used as is by the graph and NumPy.
_ADVANCED: list[tuple[str, Shape, Any]] = [
    ("int_array", (5, 3), ([4, 0, -1, 2],)),
    ("repeated", (5, 3), ([1, 1, 3, 1],)),
    ("array_2d", (5, 3), (np.array([[0, 1], [4, -5]]),)),
    ("second_axis", (3, 5, 2), (slice(None), [4, 0, 2])),
    ("adjacent", (3, 4, 5), (slice(1, None), [0, 3], [1, 4])),
    ("separated", (3, 4, 5), ([0, 2], slice(None), [1, 4])),
    ("int_and_array", (3, 4, 5), (0, slice(None), [0, 3])),
    ("int_and_array_adjacent", (3, 4, 5), (slice(None), 1, [0, 3])),
    ("broadcast", (3, 4, 5), (np.array([[0], [2]]), np.array([0, 3, 1]))),
    ("newaxis_between", (3, 4, 5), ([0, 1], None, [1, 2])),
    ("newaxis_ellipsis", (3, 4, 5), (None, ..., [4, 0])),
    ("ellipsis_between", (3, 4, 5), ([0, 1], ..., [1, 2])),
    ("slices_with_steps", (6, 5), (slice(None, None, -2), [0, -1])),
    ("mask", (4, 3), (_MASK,)),
    ("mask_2d", (2, 3, 4), (np.arange(6).reshape(2, 3) % 2 == 0,)),
    ("mask_second_axis", (3, 4), (slice(None, 2), _MASK)),
    ("mask_and_array", (4, 3), (_MASK, [0, 2, 1])),
    ("mask_all_false", (4, 3), (np.zeros(4, dtype=bool),)),
    ("scalar_true", (4, 3), (True,)),
    ("scalar_false", (4, 3), (False, slice(1, None))),
    ("scalar_mask_with_int", (4, 3), (slice(None), 0, True)),
    ("empty_index", (4, 3), (np.zeros((0,), dtype="int64"),)),
    ("size0_axis", (0, 3), (slice(None), [2, 0])),
    ("uint_index", (4, 3), (np.array([3, 1], dtype="uint8"), np.array([2], dtype="uint64"))),
]


def _advanced_case(suffix: str, shape: Shape, key: Any, dtype: str, static: bool) -> None:
    def build(rng: np.random.Generator) -> Built:
        x = tt.tensor("x", shape=shape if static else (None,) * len(shape), dtype=dtype)
        return [x], [x[key]], [draw(rng, shape, dtype, -5, 5, False)]

    register_case(f"indexing.advanced.{suffix}", build, lambda x: [x[key]])


for _k, (_suffix, _shape, _key) in enumerate(_ADVANCED):
    _advanced_case(_suffix, _shape, _key, _DTYPES[_k % len(_DTYPES)], static=_k % 3 != 0)


@case("indexing.advanced.symbolic", lambda x, i, m: [x[i], x[m], x[i, 1:], x[:, i[:2]]])
def _advanced_symbolic(rng: np.random.Generator) -> Built:
    x = tt.matrix("x", shape=(None, 4))
    i, m = tt.vector("i", dtype="int32"), tt.vector("m", dtype="bool")
    values = [uniform(rng, (4, 4), -1, 1), np.array([3, -4, 0], dtype="int32"), _MASK.copy()]
    return [x, i, m], [x[i], x[m], x[i, 1:], x[:, i[:2]]], values


@case("indexing.advanced.symbolic_int_and_mask", lambda x, k, m: [x[k, :, m], x[:, k, m]])
def _advanced_symbolic_int(rng: np.random.Generator) -> Built:
    x = tt.tensor3("x")
    k, m = tt.scalar("k", dtype="int64"), tt.scalar("m", dtype="bool")
    values = [uniform(rng, (3, 2, 4), -1, 1), index(-1), np.array(True)]
    return [x, k, m], [x[k, :, m], x[:, k, m]], values


# -- set_subtensor / inc_subtensor ---------------------------------------------------------------
def _set(x: np.ndarray, key: Any, v: Any) -> np.ndarray:
    out = np.array(x, copy=True)
    out[key] = v
    return out


def _inc(x: np.ndarray, key: Any, v: Any) -> np.ndarray:
    out = np.array(x, copy=True)
    np.add.at(out, key, np.asarray(v).astype(out.dtype))
    return out


# (suffix, shape of x, key, shape of v, dtype of x, dtype of v)
_WRITES: list[tuple[str, Shape, Any, Shape, str, str]] = [
    ("int", (3, 4), (1,), (4,), "float64", "float64"),
    ("slice_broadcast", (5, 3), (slice(1, 4),), (3,), "float32", "float32"),
    ("negative_step", (6, 2), (slice(None, None, -2), 0), (1,), "int32", "int8"),
    ("newaxis", (4, 3), (None, slice(1, None)), (1, 3, 1), "float64", "float32"),
    ("scalar_value", (2, 3), (0, 2), (), "complex128", "float64"),
    ("array", (5, 3), ([4, 0, -2],), (3, 3), "float64", "float64"),
    ("repeated", (5,), ([1, 3, 1, 1],), (4,), "int64", "int64"),
    ("separated", (3, 4, 5), ([0, 2], slice(None), [1, 1]), (4,), "float64", "int16"),
    ("mask", (4, 3), (_MASK,), (3, 1), "uint8", "uint8"),
    ("scalar_mask", (2, 3), (True, 1), (), "bool", "bool"),
    ("empty_index", (4, 3), (np.zeros((0,), dtype="int64"),), (3,), "float64", "float64"),
    ("size0", (0, 3), (slice(None), [1, 2]), (2,), "float64", "float64"),
]


def _write_case(what: str, form: tuple[str, Shape, Any, Shape, str, str], static: bool) -> None:
    suffix, shape, key, v_shape, dtype, v_dtype = form
    write = tt.set_subtensor if what == "set_subtensor" else tt.inc_subtensor
    ref: Callable[..., np.ndarray] = _set if what == "set_subtensor" else _inc

    def build(rng: np.random.Generator) -> Built:
        x = tt.tensor("x", shape=shape if static else (None,) * len(shape), dtype=dtype)
        v = tt.tensor("v", shape=v_shape, dtype=v_dtype)
        values = [draw(rng, shape, dtype, -5, 5, False), draw(rng, v_shape, v_dtype, 0, 3, False)]
        return [x, v], [write(x[key], v)], values

    register_case(f"indexing.{what}.{suffix}", build, lambda x, v: [ref(x, key, v)])


for _what in ("set_subtensor", "inc_subtensor"):
    for _k, _form in enumerate(_WRITES):
        _write_case(_what, _form, static=_k % 2 == 0)


@case(
    "indexing.set_subtensor.methods",
    lambda x, i, v: [_set(x, (slice(1, None), i), v), _inc(x, (i,), 1.5), _set(x, (0,), 2)],
)
def _write_methods(rng: np.random.Generator) -> Built:
    # x[idx].set / .inc, symbolic indices, Python numbers as values.
    x, i = tt.matrix("x"), tt.vector("i", dtype="int64")
    v = tt.vector("v", shape=(2,))
    outs = [x[1:, i].set(v), x[i].inc(1.5), x[0].set(2)]
    values = [uniform(rng, (3, 4), -1, 1), np.array([2, 2]), uniform(rng, (2,), -1, 1)]
    return [x, i, v], outs, values


@case("indexing.inc_subtensor.symbolic_mask", lambda x, m, v: [_inc(x, (slice(None), m), v)])
def _inc_mask(rng: np.random.Generator) -> Built:
    x, m, v = tt.matrix("x"), tt.vector("m", dtype="bool"), tt.scalar("v")
    values = [uniform(rng, (2, 4), -1, 1), _MASK.copy(), np.asarray(0.5)]
    return [x, m, v], [x[:, m].inc(v)], values


# -- take, take_along_axis ---------------------------------------------------------------------
@case(
    "indexing.take.axes",
    lambda x, i: [np.take(x, i), np.take(x, i, axis=0), np.take(x, i, axis=-1), np.take(x, 1, 1)],
)
def _take(rng: np.random.Generator) -> Built:
    x, i = tt.tensor3("x", shape=(2, 3, 4)), tt.matrix("i", dtype="int64")
    outs = [tt.take(x, i), x.take(i, axis=0), tt.take(x, i, axis=-1), tt.take(x, 1, 1)]
    return [x, i], outs, [uniform(rng, (2, 3, 4), -1, 1), np.array([[1, -1], [0, 1]])]


@case("indexing.take.list", lambda x: [np.take(x, [3, 0, -4]), np.take(x, [], axis=0)])
def _take_list(rng: np.random.Generator) -> Built:
    x = tt.vector("x", dtype="int16")
    return [x], [tt.take(x, [3, 0, -4]), tt.take(x, [], axis=0)], [ints(rng, (5,), -9, 9, "int16")]


@case(
    "indexing.take.modes",
    lambda x, i: [np.take(x, i, 1, mode="wrap"), np.take(x, i, mode="clip")],
)
def _take_modes(rng: np.random.Generator) -> Built:
    x, i = tt.matrix("x", shape=(None, 3)), tt.vector("i", dtype="uint8")
    outs: list[Variable] = [tt.take(x, i, axis=1, mode="wrap"), tt.take(x, i, mode="clip")]
    return [x, i], outs, [uniform(rng, (2, 3), -1, 1), np.array([7, 0, 255], dtype="uint8")]


@case(
    "indexing.take_along_axis.sorted",
    lambda x, i: [np.take_along_axis(x, i, axis=1), np.take_along_axis(x, i[:1], axis=0)],
)
def _take_along(rng: np.random.Generator) -> Built:
    x = tt.matrix("x", shape=(4, 4))
    i = tt.matrix("i", dtype="int64", shape=(4, None))
    values = [uniform(rng, (4, 4), -1, 1), np.argsort(rng.uniform(size=(4, 4)), axis=1)]
    outs: list[Variable] = [tt.take_along_axis(x, i, axis=1), tt.take_along_axis(x, i[:1], axis=0)]
    return [x, i], outs, values


@case(
    "indexing.take_along_axis.broadcast",
    lambda x, i: [np.take_along_axis(x, i, axis=-1), np.take_along_axis(x[0, 0], i[0, 0], None)],
)
def _take_along_broadcast(rng: np.random.Generator) -> Built:
    x = tt.tensor3("x", shape=(2, 3, 4))
    i = tt.tensor3("i", dtype="int32", shape=(1, 3, 2))
    values = [uniform(rng, (2, 3, 4), -1, 1), ints(rng, (1, 3, 2), -4, 3, "int32")]
    outs: list[Variable] = [
        tt.take_along_axis(x, i, axis=-1),
        tt.take_along_axis(x[0, 0], i[0, 0], axis=None),
    ]
    return [x, i], outs, values


list_ops("indexing", "set_subtensor inc_subtensor take take_along_axis")
