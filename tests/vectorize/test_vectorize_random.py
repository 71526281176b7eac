"""Randomly built graphs: the vectorized graph equals the core graph on each element."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

import tensorgraft.tensor as tt
from tensorgraft.compile import function
from tensorgraft.graph.traversal import ancestors
from tensorgraft.tensor.variable import TensorVariable
from tensorgraft.vectorize import vectorize_graph

Step = Callable[[np.random.Generator, list[TensorVariable]], TensorVariable | None]


def _pick(rng: np.random.Generator, pool: list[TensorVariable]) -> TensorVariable:
    return pool[int(rng.integers(len(pool)))]


def _unary(rng: np.random.Generator, pool: list[TensorVariable]) -> TensorVariable:
    fn = [tt.sin, tt.tanh, tt.neg, lambda v: tt.exp(tt.tanh(v))][int(rng.integers(4))]
    return fn(_pick(rng, pool))


def _binary(rng: np.random.Generator, pool: list[TensorVariable]) -> TensorVariable | None:
    a, b = _pick(rng, pool), _pick(rng, pool)
    try:
        np.broadcast_shapes(a.type.shape, b.type.shape)  # type: ignore[arg-type]
    except ValueError:
        return None
    return a * b if rng.integers(2) else a - b


def _axis_op(rng: np.random.Generator, pool: list[TensorVariable]) -> TensorVariable | None:
    x = _pick(rng, pool)
    if x.ndim == 0:
        return None
    axis = int(rng.integers(x.ndim))
    fns = [
        lambda: x.sum(axis=axis),
        lambda: tt.max(x, axis=axis),
        lambda: tt.cumsum(x, axis=axis),
        lambda: tt.softmax(x, axis=axis),
        lambda: tt.sort(x, axis=axis),
        lambda: tt.argmax(x, axis=axis) * 1.0,
    ]
    return fns[int(rng.integers(len(fns)))]()


def _layout(rng: np.random.Generator, pool: list[TensorVariable]) -> TensorVariable | None:
    x = _pick(rng, pool)
    if x.ndim == 0:
        return x[None]
    fns = [
        lambda: x[::-1],
        lambda: x[1:] if (x.type.shape[0] or 0) > 1 else x[None],
        lambda: x[0],
        lambda: x.T,
        lambda: x[None, ...],
        lambda: tt.reshape(x, (-1,)),
        lambda: tt.concatenate([x, x], axis=x.ndim - 1),
    ]
    return fns[int(rng.integers(len(fns)))]()


def _product(rng: np.random.Generator, pool: list[TensorVariable]) -> TensorVariable | None:
    a, b = _pick(rng, pool), _pick(rng, pool)
    if a.ndim == 0 or b.ndim == 0 or a.type.shape[-1] != b.type.shape[-2 if b.ndim > 1 else 0]:
        return None
    return tt.matmul(a, b)


# An integer input, batched too: an index that differs per batch element.
INDEX = tt.scalar("i", dtype="int64")


def _index(rng: np.random.Generator, pool: list[TensorVariable]) -> TensorVariable | None:
    x = _pick(rng, pool)
    n = x.type.shape[0] if x.ndim else None
    if not n:
        return None
    i = INDEX % n  # a valid index for any value of i
    return x[i] if rng.integers(2) else x[i, None] * x[..., i, None]


STEPS: list[Step] = [_unary, _binary, _axis_op, _layout, _product, _index]


def _random_graph(
    rng: np.random.Generator,
) -> tuple[list[TensorVariable], list[TensorVariable]]:
    x, y = tt.tensor("x", shape=(3, 4)), tt.tensor("y", shape=(4,))
    pool = [x, y]
    while len(pool) < 9:
        out = STEPS[int(rng.integers(len(STEPS)))](rng, pool)
        if out is not None:
            pool.append(out)
    return [x, y, INDEX], pool[-3:]


@pytest.mark.parametrize("seed", range(40))
def test_random_graph_vectorizes_to_the_stacked_core_results(seed: int) -> None:
    rng = np.random.default_rng(seed)
    (x, y, i), outputs = _random_graph(rng)
    new_x, new_y = tt.tensor("new_x", shape=(2, 3, 4)), tt.tensor("new_y", shape=(3, 1, 4))
    new_i = tt.tensor("new_i", shape=(3, 1), dtype="int64")
    used = set(ancestors(outputs))
    replace = {x: new_x, y: new_y, i: new_i}
    batched = vectorize_graph(outputs, {k: v for k, v in replace.items() if k in used})
    xv, yv = rng.uniform(-1, 1, size=(2, 3, 4)), rng.uniform(-1, 1, size=(3, 1, 4))
    iv = rng.integers(-20, 20, size=(3, 1))
    fn = function([new_x, new_y, new_i], batched, mode="python", on_unused_input="ignore")
    got = fn(xv, yv, iv)
    core = function([x, y, i], outputs, mode="python", on_unused_input="ignore")
    per_element = [[core(xv[j], yv[k, 0], iv[k, 0]) for j in range(2)] for k in range(3)]
    for k, g in enumerate(got):
        expected = np.array([[np.asarray(r[k]) for r in row] for row in per_element])
        np.testing.assert_allclose(np.broadcast_to(g, expected.shape), expected, rtol=1e-10)
