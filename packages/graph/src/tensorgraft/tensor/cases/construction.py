"""Catalog cases: array constructors, joining and splitting, sorting."""

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


def _i64(*values: int) -> list[np.ndarray]:
    return [index(v) for v in values]


# -- Alloc: zeros, ones, full, *_like, broadcast_to, broadcast_arrays -----------------------------
@case(
    "construction.zeros",
    lambda d: [
        np.zeros((2, 3)),
        np.zeros((len(d), 2), "int8"),
        np.zeros(len(d), "bool"),
        np.zeros(()),
    ],
)
def _zeros(rng: np.random.Generator) -> Built:
    # Symbolic sizes come from input lengths: shapes never depend on input values here.
    d = tt.vector("d")
    n = d.shape[0]
    outs: list[Variable] = [
        tt.zeros((2, 3)),
        tt.zeros((n, 2), dtype="int8"),
        tt.zeros(n, "bool"),
        tt.zeros(()),
    ]
    return [d], outs, [np.zeros(4)]


@case(
    "construction.ones",
    lambda m: [np.ones(m.shape), np.ones((0, 3), "complex64"), np.ones(3, "uint32")],
)
def _ones(rng: np.random.Generator) -> Built:
    m = tt.matrix("m")
    s = tt.cast(m.shape, "int32")
    outs: list[Variable] = [tt.ones(s), tt.ones((0, 3), "complex64"), tt.ones(3, dtype="uint32")]
    return [m], outs, [np.zeros((2, 3))]


@case(
    "construction.full",
    lambda v: [
        np.full((2, 3), 1.5),
        np.full((2, 3), 7),
        np.full((3, 2), v),
        np.full(4, v, "int16"),
    ],
)
def _full(rng: np.random.Generator) -> Built:
    v = tt.scalar("v", dtype="float32")
    outs: list[Variable] = [
        tt.full((2, 3), 1.5),
        tt.full((2, 3), 7),
        tt.full((3, 2), v),
        tt.full(4, v, "int16"),
    ]
    return [v], outs, [np.asarray(2.5, "float32")]


@case("construction.full.array_value", lambda row: [np.full((3, 4), row)])
def _full_array(rng: np.random.Generator) -> Built:
    row = tt.vector("row", dtype="int8")
    return [row], [tt.full((3, 4), row)], [draw(rng, (4,), "int8", -5, 5, False)]


@case(
    "construction.full_like",
    lambda x: [
        np.zeros_like(x),
        np.ones_like(x, "int32"),
        np.full_like(x, 2.7),
        np.full_like(x, 3, "complex128"),
    ],
)
def _like(rng: np.random.Generator) -> Built:
    x = tt.tensor3("x", shape=(2, None, 1), dtype="float32")
    outs: list[Variable] = [
        tt.zeros_like(x),
        tt.ones_like(x, "int32"),
        tt.full_like(x, 2.7),
        tt.full_like(x, 3, "complex128"),
    ]
    return [x], outs, [uniform(rng, (2, 0, 1), -1, 1, "float32")]


@case("construction.ones_like", lambda x: [np.ones_like(x), np.ones_like(x, "float16")])
def _ones_like(rng: np.random.Generator) -> Built:
    x = tt.vector("x", dtype="bool")
    return [x], [tt.ones_like(x), tt.ones_like(x, "float16")], [np.zeros(3, "bool")]


@case(
    "construction.zeros_like.int", lambda x: [np.zeros_like(x), np.ones_like(x), np.full_like(x, 5)]
)
def _like_int(rng: np.random.Generator) -> Built:
    x = tt.matrix("x", dtype="uint8")
    outs: list[Variable] = [tt.zeros_like(x), tt.ones_like(x), tt.full_like(x, 5)]
    return [x], outs, [draw(rng, (2, 3), "uint8", 0, 9, False)]


@case(
    "construction.alloc",
    lambda x, d: [
        np.broadcast_to(x, (len(d), 3)).copy(),
        np.broadcast_to(x, (2, len(d), 3)).copy(),
    ],
)
def _alloc(rng: np.random.Generator) -> Built:
    x, d = tt.vector("x", shape=(3,)), tt.vector("d")
    n = tt.cast(d.shape[0], "int16")
    outs: list[Variable] = [tt.alloc(x, n, 3), tt.alloc(x, 2, n, 3)]
    return [x, d], outs, [uniform(rng, (3,), -1, 1), np.zeros(4)]


@case(
    "construction.broadcast_to",
    lambda x: [
        np.broadcast_to(x, (2, 4, 3)),
        np.broadcast_to(x, (4, 3)),
        np.broadcast_to(x, (0, 4, 3)),
    ],
)
def _broadcast_to(rng: np.random.Generator) -> Built:
    x = tt.matrix("x", shape=(None, 3), dtype="complex64")
    outs: list[Variable] = [
        tt.broadcast_to(x, (2, 4, 3)),
        tt.broadcast_to(x, x.shape * [4, 1]),
        tt.broadcast_to(x, (0, 4, 3)),
    ]
    return [x], outs, [draw(rng, (1, 3), "complex64", -1, 1, False)]


@case("construction.broadcast_arrays", lambda a, b, c: list(np.broadcast_arrays(a, b, c)))
def _broadcast_arrays(rng: np.random.Generator) -> Built:
    a, b = tt.matrix("a"), tt.vector("b", dtype="int32")
    c = tt.scalar("c", dtype="bool")
    values = [uniform(rng, (2, 1), -1, 1), draw(rng, (3,), "int32", -5, 5, False), np.asarray(True)]
    outs: list[Variable] = [*tt.broadcast_arrays(a, b, c)]
    return [a, b, c], outs, values


@case("construction.broadcast_arrays.static", lambda a, b: list(np.broadcast_arrays(a, b)))
def _broadcast_arrays_static(rng: np.random.Generator) -> Built:
    a, b = tt.matrix("a", shape=(2, 3)), tt.tensor3("b", shape=(4, 1, 3))
    outs: list[Variable] = [*tt.broadcast_arrays(a, b)]
    return [a, b], outs, [uniform(rng, (2, 3), -1, 1), uniform(rng, (4, 1, 3), -1, 1)]


# -- Join, Split ----------------------------------------------------------------------------------
@case(
    "construction.concatenate",
    lambda x, y: [
        np.concatenate([x, y]),
        np.concatenate([x, y, x], axis=-1),
        np.concatenate([x, y], axis=None),
    ],
)
def _concatenate(rng: np.random.Generator) -> Built:
    x, y = tt.matrix("x", shape=(2, 3)), tt.matrix("y")
    outs: list[Variable] = [
        tt.concatenate([x, y]),
        tt.concatenate([x, y, x], axis=-1),
        tt.concatenate([x, y], axis=None),
    ]
    return [x, y], outs, [uniform(rng, (2, 3), -1, 1), uniform(rng, (2, 3), -1, 1)]


@case(
    "construction.concatenate.mixed_dtypes",
    lambda a, b, c: [np.concatenate([a, b]), np.concatenate([b, c]), np.concatenate([a, a[:0]])],
)
def _concatenate_dtypes(rng: np.random.Generator) -> Built:
    a, b, c = (
        tt.vector("a", dtype="int8"),
        tt.vector("b", dtype="uint8"),
        tt.vector("c", dtype="float32"),
    )
    outs: list[Variable] = [
        tt.concatenate([a, b]),
        tt.concatenate([b, c]),
        tt.concatenate([a, a[:0]]),
    ]
    values = [draw(rng, (3,), "int8", -5, 5, False), draw(rng, (0,), "uint8", 0, 5, False)]
    return [a, b, c], outs, [*values, uniform(rng, (2,), -1, 1, "float32")]


@case(
    "construction.stack",
    lambda x, y: [np.stack([x, y]), np.stack([x, y, x], axis=-1), np.stack([x], axis=1)],
)
def _stack(rng: np.random.Generator) -> Built:
    x, y = tt.matrix("x", dtype="bool"), tt.matrix("y", dtype="bool", shape=(None, 1))
    outs: list[Variable] = [tt.stack([x, y]), tt.stack([x, y, x], axis=-1), tt.stack([x], axis=1)]
    values = [draw(rng, (2, 1), "bool", 0, 1, True), draw(rng, (2, 1), "bool", 0, 1, True)]
    return [x, y], outs, values


@case("construction.stack.scalars", lambda a, b: [np.stack([a, b, np.int64(3)])])
def _stack_scalars(rng: np.random.Generator) -> Built:
    a, b = tt.scalar("a", dtype="int64"), tt.scalar("b", dtype="int64")
    return [a, b], [tt.stack([a, b, 3])], _i64(1, 2)


@case("construction.split.sections", lambda x: [*np.split(x, 3), *np.split(x, 2, axis=-1)])
def _split_sections(rng: np.random.Generator) -> Built:
    x = tt.matrix("x")
    outs: list[Variable] = [*tt.split(x, 3), *tt.split(x, 2, axis=-1)]
    return [x], outs, [uniform(rng, (6, 4), -1, 1)]


@case("construction.split.static", lambda x: [*np.split(x, 2, axis=1), *np.split(x, 1)])
def _split_static(rng: np.random.Generator) -> Built:
    x = tt.tensor3("x", shape=(2, 4, 0), dtype="complex64")
    return [x], [*tt.split(x, 2, axis=1), *tt.split(x, 1)], [np.zeros((2, 4, 0), "complex64")]


@case("construction.split.indices", lambda x, i: [*np.split(x, [2, i, 9]), *np.split(x, [-2])])
def _split_indices(rng: np.random.Generator) -> Built:
    x, i = tt.vector("x", dtype="int32"), tt.scalar("i", dtype="int64")
    outs: list[Variable] = [*tt.split(x, [2, i, 9]), *tt.split(x, [-2])]
    return [x, i], outs, [draw(rng, (6,), "int32", -9, 9, False), index(4)]


# -- tile, repeat, flip, roll ---------------------------------------------------------------------
@case(
    "construction.tile",
    lambda x: [np.tile(x, 2), np.tile(x, (2, 1, 3)), np.tile(x, (1, 1)), np.tile(x, 0)],
)
def _tile(rng: np.random.Generator) -> Built:
    x = tt.matrix("x", dtype="int16")
    outs: list[Variable] = [tt.tile(x, 2), tt.tile(x, (2, 1, 3)), tt.tile(x, (1, 1)), tt.tile(x, 0)]
    return [x], outs, [draw(rng, (2, 3), "int16", -9, 9, False)]


@case("construction.tile.symbolic", lambda x, d: [np.tile(x, (len(d), 2)), np.tile(x, len(d))])
def _tile_symbolic(rng: np.random.Generator) -> Built:
    x, d = tt.vector("x", shape=(3,)), tt.vector("d")
    r = d.shape[0]
    return [x, d], [tt.tile(x, (r, 2)), tt.tile(x, r)], [uniform(rng, (3,), -1, 1), np.zeros(2)]


@case(
    "construction.repeat",
    lambda x: [
        np.repeat(x, 2),
        np.repeat(x, 3, axis=0),
        np.repeat(x, [1, 0, 2], axis=-1),
        np.repeat(x, [2], axis=1),
    ],
)
def _repeat(rng: np.random.Generator) -> Built:
    x = tt.matrix("x", shape=(2, 3))
    outs: list[Variable] = [
        x.repeat(2),
        tt.repeat(x, 3, axis=0),
        tt.repeat(x, [1, 0, 2], axis=-1),
        tt.repeat(x, [2], axis=1),
    ]
    return [x], outs, [uniform(rng, (2, 3), -1, 1)]


@case(
    "construction.repeat.symbolic",
    lambda x, t: [
        np.repeat(x, len(t), axis=0),
        np.repeat(x, t.shape, axis=1),
        np.repeat(x, [len(t)], axis=0),
    ],
)
def _repeat_symbolic(rng: np.random.Generator) -> Built:
    # Counts from the shape of `t`: (3, 0, 1).
    x, t = tt.matrix("x", dtype="uint16"), tt.tensor3("t")
    r = tt.cast(t.shape[0], "int32")
    outs: list[Variable] = [
        tt.repeat(x, r, axis=0),
        tt.repeat(x, t.shape, axis=1),
        tt.repeat(x, tt.stack([r]), axis=0),
    ]
    return [x, t], outs, [draw(rng, (2, 3), "uint16", 0, 9, False), np.zeros((3, 0, 1))]


@case(
    "construction.flip", lambda x: [np.flip(x), np.flip(x, 0), np.flip(x, (-1, 1)), np.flip(x, ())]
)
def _flip(rng: np.random.Generator) -> Built:
    x = tt.tensor3("x", shape=(2, None, None), dtype="float16")
    outs: list[Variable] = [tt.flip(x), tt.flip(x, 0), tt.flip(x, (-1, 1)), tt.flip(x, ())]
    return [x], outs, [uniform(rng, (2, 3, 0), -1, 1, "float16")]


@case(
    "construction.roll",
    lambda x: [
        np.roll(x, 2),
        np.roll(x, -1, axis=1),
        np.roll(x, (1, 7), axis=(0, -1)),
        np.roll(x, 3, axis=0),
    ],
)
def _roll(rng: np.random.Generator) -> Built:
    x = tt.matrix("x", shape=(3, 4))
    outs: list[Variable] = [
        tt.roll(x, 2),
        tt.roll(x, -1, axis=1),
        tt.roll(x, (1, 7), axis=(0, -1)),
        tt.roll(x, 3, axis=0),
    ]
    return [x], outs, [uniform(rng, (3, 4), -1, 1)]


@case(
    "construction.roll.symbolic",
    lambda x, s, e: [np.roll(x, s, axis=0), np.roll(x, s), np.roll(e, s, axis=0)],
)
def _roll_symbolic(rng: np.random.Generator) -> Built:
    x, e = tt.matrix("x", dtype="int64"), tt.vector("e")
    s = tt.scalar("s", dtype="int64")
    outs: list[Variable] = [tt.roll(x, s, axis=0), tt.roll(x, s), tt.roll(e, s, axis=0)]
    return [x, s, e], outs, [draw(rng, (3, 2), "int64", -9, 9, False), index(-4), np.zeros(0)]


# -- ranges ---------------------------------------------------------------------------------------
@case(
    "construction.arange",
    lambda: [
        np.arange(5),
        np.arange(2, 11, 3),
        np.arange(1.0, 0, -0.25),
        np.arange(5, 1),
        np.arange(4, dtype="float32"),
    ],
)
def _arange(rng: np.random.Generator) -> Built:
    outs: list[Variable] = [
        tt.arange(5),
        tt.arange(2, 11, 3),
        tt.arange(1.0, 0, -0.25),
        tt.arange(5, 1),
        tt.arange(4, dtype="float32"),
    ]
    return [], outs, []


@case(
    "construction.arange.symbolic",
    lambda d, e: [
        np.arange(np.int32(len(d))),
        np.arange(len(e) - 2, np.int32(len(d)), 2),
        np.arange(np.int32(len(d)), len(e) - 2, -3),
        np.arange(np.float32(len(d)) / 3, np.int32(len(d))),
        np.arange(len(e) - 2, np.float32(len(d)) / 3, 0.5),
    ],
)
def _arange_symbolic(rng: np.random.Generator) -> Built:
    # Bounds computed from input lengths (7 and 0): n = 7, a = -2, b = 7 / 3.
    d, e = tt.vector("d"), tt.vector("e")
    n, a = tt.cast(d.shape[0], "int32"), e.shape[0] - 2
    b = tt.cast(d.shape[0], "float32") / 3
    outs: list[Variable] = [
        tt.arange(n),
        tt.arange(a, n, 2),
        tt.arange(n, a, -3),
        tt.arange(b, n),
        tt.arange(a, b, 0.5),
    ]
    return [d, e], outs, [np.zeros(7), np.zeros(0)]


@case(
    "construction.linspace",
    lambda: [
        np.linspace(0, 1, 5),
        np.linspace(2, -1, 4, endpoint=False),
        np.linspace(0, 10, 1),
        np.linspace(0, 1, 0),
        np.linspace(0, 5, 7, dtype="int32"),
    ],
)
def _linspace(rng: np.random.Generator) -> Built:
    outs: list[Variable] = [
        tt.linspace(0, 1, 5),
        tt.linspace(2, -1, 4, endpoint=False),
        tt.linspace(0, 10, 1),
        tt.linspace(0, 1, 0),
        tt.linspace(0, 5, 7, dtype="int32"),
    ]
    return [], outs, []


@case(
    "construction.linspace.symbolic",
    lambda a, b, v: [
        np.linspace(a, b, 6),
        np.linspace(a, v, 3),
        np.linspace(v, b, 4, endpoint=False),
    ],
)
def _linspace_symbolic(rng: np.random.Generator) -> Built:
    a, b = tt.scalar("a", dtype="float32"), tt.scalar("b", dtype="float32")
    v = tt.vector("v", dtype="float32")
    outs: list[Variable] = [
        tt.linspace(a, b, 6),
        tt.linspace(a, v, 3),
        tt.linspace(v, b, 4, endpoint=False),
    ]
    values = [
        np.asarray(-1.5, "float32"),
        np.asarray(2.0, "float32"),
        uniform(rng, (2,), 0, 3, "float32"),
    ]
    return [a, b, v], outs, values


@case(
    "construction.linspace.symbolic_num",
    lambda d, e, f, v: [
        np.linspace(-1, 2, len(d)),
        np.linspace(v, 0, len(d), endpoint=False, axis=-1),
        np.linspace(3, v, len(e)),
        np.linspace(0, 5, len(f), dtype="int16"),
        np.linspace(1, 4, len(d), dtype="int8"),
    ],
)
def _linspace_symbolic_num(rng: np.random.Generator) -> Built:
    # Counts from input lengths (5, 1, 0), not known statically.
    d, e, f = tt.vector("d"), tt.vector("e"), tt.vector("f")
    v = tt.vector("v", dtype="float32", shape=(2,))
    n = tt.cast(d.shape[0], "int32")
    outs: list[Variable] = [
        tt.linspace(-1, 2, n),
        tt.linspace(v, 0, d.shape[0], endpoint=False, axis=-1),
        tt.linspace(3, v, e.shape[0]),
        tt.linspace(0, 5, f.shape[0], dtype="int16"),
        tt.linspace(1, 4, n, dtype="int8"),
    ]
    values = [np.zeros(5), np.zeros(1), np.zeros(0), uniform(rng, (2,), -2, 2, "float32")]
    return [d, e, f, v], outs, values


# -- eye, tri, diagonals --------------------------------------------------------------------------
@case(
    "construction.eye",
    lambda d, k: [
        np.eye(3),
        np.eye(2, 4, 1, "int8"),
        np.eye(len(d), k=-1, dtype="bool"),
        np.eye(len(d), 2, k),
        np.eye(3, 2, 5),
    ],
)
def _eye(rng: np.random.Generator) -> Built:
    d, k = tt.vector("d"), tt.scalar("k", dtype="int16")
    n = d.shape[0]
    outs: list[Variable] = [
        tt.eye(3),
        tt.eye(2, 4, 1, "int8"),
        tt.eye(n, k=-1, dtype="bool"),
        tt.eye(n, 2, k),
        tt.eye(3, 2, 5),
    ]
    return [d, k], outs, [np.zeros(3), np.asarray(-1, "int16")]


@case("construction.identity", lambda d: [np.identity(len(d)), np.identity(2, "uint8")])
def _identity(rng: np.random.Generator) -> Built:
    d = tt.vector("d")
    return [d], [tt.identity(d.shape[0]), tt.identity(2, "uint8")], [np.zeros(4)]


@case(
    "construction.tri",
    lambda d, k: [
        np.tri(3),
        np.tri(2, 4, 1, "int32"),
        np.tri(len(d), 3, k),
        np.tri(len(d), dtype="bool"),
    ],
)
def _tri(rng: np.random.Generator) -> Built:
    d, k = tt.vector("d"), tt.scalar("k", dtype="int64")
    n = d.shape[0]
    outs: list[Variable] = [
        tt.tri(3),
        tt.tri(2, 4, 1, "int32"),
        tt.tri(n, 3, k),
        tt.tri(n, dtype="bool"),
    ]
    return [d, k], outs, [np.zeros(4), index(-1)]


@case(
    "construction.tril",
    lambda x, v: [np.tril(x), np.tril(x, 1), np.triu(x), np.triu(x, -1), np.tril(v), np.triu(v, 1)],
)
def _tril(rng: np.random.Generator) -> Built:
    x, v = tt.tensor3("x", shape=(2, None, None), dtype="int8"), tt.vector("v", dtype="bool")
    outs: list[Variable] = [
        tt.tril(x),
        tt.tril(x, 1),
        tt.triu(x),
        tt.triu(x, -1),
        tt.tril(v),
        tt.triu(v, 1),
    ]
    return (
        [x, v],
        outs,
        [draw(rng, (2, 3, 4), "int8", -9, 9, False), draw(rng, (3,), "bool", 0, 1, True)],
    )


@case("construction.triu.symbolic", lambda x, k: [np.triu(x, k), np.tril(x, k)])
def _triu_symbolic(rng: np.random.Generator) -> Built:
    x, k = tt.matrix("x", dtype="complex128"), tt.scalar("k", dtype="int32")
    value = draw(rng, (3, 2), "complex128", -1, 1, False)
    return [x, k], [tt.triu(x, k), tt.tril(x, k)], [value, np.asarray(-1, "int32")]


@case(
    "construction.diag",
    lambda v, m: [
        np.diag(v),
        np.diag(v, 2),
        np.diag(v, -1),
        np.diag(m),
        np.diag(m, -1),
        np.diag(m, 5),
    ],
)
def _diag(rng: np.random.Generator) -> Built:
    v, m = tt.vector("v"), tt.matrix("m", shape=(3, 4), dtype="int32")
    outs: list[Variable] = [
        tt.diag(v),
        tt.diag(v, 2),
        tt.diag(v, -1),
        tt.diag(m),
        tt.diag(m, -1),
        tt.diag(m, 5),
    ]
    return [v, m], outs, [uniform(rng, (3,), -1, 1), draw(rng, (3, 4), "int32", -9, 9, False)]


@case(
    "construction.diagonal",
    lambda x: [
        np.diagonal(x),
        np.diagonal(x, 1, 1, 2),
        np.diagonal(x, -2, -1, 0),
        np.diagonal(x, 9),
    ],
)
def _diagonal(rng: np.random.Generator) -> Built:
    x = tt.tensor3("x", dtype="complex64")
    outs: list[Variable] = [
        x.diagonal(),
        tt.diagonal(x, 1, 1, 2),
        tt.diagonal(x, -2, -1, 0),
        tt.diagonal(x, 9),
    ]
    return [x], outs, [draw(rng, (3, 4, 5), "complex64", -1, 1, False)]


@case(
    "construction.trace",
    lambda x, b: [
        np.trace(x),
        np.trace(x, 1),
        np.trace(b),
        np.trace(x, axis1=1, axis2=0),
        np.trace(x, -5),
    ],
)
def _trace(rng: np.random.Generator) -> Built:
    x, b = tt.matrix("x", dtype="int8"), tt.tensor3("b", dtype="float32", shape=(2, 2, None))
    outs: list[Variable] = [
        x.trace(),
        tt.trace(x, 1),
        tt.trace(b),
        tt.trace(x, axis1=1, axis2=0),
        tt.trace(x, -5),
    ]
    values = [draw(rng, (3, 4), "int8", -9, 9, False), uniform(rng, (2, 2, 3), -1, 1, "float32")]
    return [x, b], outs, values


# -- sorting --------------------------------------------------------------------------------------
_SORT_DTYPES = ("bool", "int8", "uint32", "int64", "float32", "float64", "complex64")


def _sort_case(dtype: str) -> None:
    def build(rng: np.random.Generator) -> Built:
        x = tt.matrix("x", dtype=dtype)
        value = draw(rng, (3, 5), dtype, 0, 3, True)  # ties: stability matters
        if dtype.startswith(("float", "complex")):
            value[0, 1] = value[2, 3] = np.nan
        outs: list[Variable] = [
            x.sort(),
            tt.sort(x, axis=0),
            tt.sort(x, None),
            x.argsort(),
            tt.argsort(x, 0),
            tt.argsort(x, None),
        ]
        return [x], outs, [value]

    def reference(x: np.ndarray) -> list[np.ndarray]:
        sorts = [np.sort(x, axis=a, kind="stable") for a in (-1, 0, None)]
        return [*sorts, *(np.argsort(x, axis=a, kind="stable") for a in (-1, 0, None))]

    register_case(f"construction.sort.{dtype}", build, reference)


for _dtype in _SORT_DTYPES:
    _sort_case(_dtype)


@case(
    "construction.argsort.shapes",
    lambda x, e: [
        np.sort(x, 1),
        np.argsort(x, -2, kind="stable"),
        np.sort(e),
        np.argsort(e),
        np.sort(x, -1, kind="heapsort"),
        np.argsort(x, 0, kind="stable"),
    ],
)
def _argsort_shapes(rng: np.random.Generator) -> Built:
    x, e = tt.tensor3("x", shape=(2, None, 1)), tt.vector("e", dtype="int16")
    outs: list[Variable] = [
        tt.sort(x, 1),
        tt.argsort(x, -2),
        tt.sort(e),
        tt.argsort(e),
        tt.sort(x, -1, kind="heapsort"),
        tt.argsort(x, 0, kind="quicksort"),  # stable whatever the kind
    ]
    return [x, e], outs, [uniform(rng, (2, 4, 1), -1, 1), np.zeros(0, "int16")]


list_ops(
    "construction",
    "alloc zeros ones full zeros_like ones_like full_like broadcast_to broadcast_arrays "
    "concatenate stack split tile repeat flip roll arange linspace eye identity tri tril triu "
    "diag diagonal trace sort argsort",
)
