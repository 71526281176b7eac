"""Randomly built graphs: the jax backend against the python backend."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

import tensorgraft.tensor as tt
from tensorgraft.compile import function
from tensorgraft.compile_jax import backend
from tensorgraft.tensor import catalog
from tensorgraft.tensor.variable import TensorVariable

# Every step takes (3, 3) float64 matrices and returns one, so any step composes.
Step = Callable[[TensorVariable, TensorVariable], TensorVariable]
STEPS: list[Step] = [
    lambda a, b: tt.sin(a) + b,
    lambda a, b: tt.tanh(a) * b,
    lambda a, b: tt.exp(tt.tanh(a)) - b,
    lambda a, b: tt.maximum(a, b),
    lambda a, b: a @ b / 3.0,
    lambda a, b: a.T,
    lambda a, b: a[::-1] + b[:, ::-1],
    lambda a, b: a.sum(axis=0, keepdims=True) + b,
    lambda a, b: a.max(axis=1)[:, None] * b,
    lambda a, b: tt.set_subtensor(a[1:], b[:2]),
    lambda a, b: tt.inc_subtensor(a[:, 0], b[0]),
    lambda a, b: tt.concatenate([a, b])[1:4],
    lambda a, b: tt.softmax(a, axis=1) + tt.log1p(tt.abs(b)),
    lambda a, b: tt.switch(a > b, a, b * 2.0),
    lambda a, b: tt.cumsum(a, axis=0) - tt.sqrt(tt.abs(b)),
    lambda a, b: a[tt.argsort(b[0])],
]


@pytest.mark.parametrize("seed", range(20))
def test_random_graph_matches_the_python_backend(seed: int) -> None:
    rng = np.random.default_rng(seed)
    x, y = tt.tensor("x", shape=(3, 3)), tt.tensor("y", shape=(3, 3))
    pool = [x, y]
    for _ in range(8):
        step = STEPS[int(rng.integers(len(STEPS)))]
        a, b = (pool[int(k)] for k in rng.integers(len(pool), size=2))
        pool.append(step(a, b))
    outputs = pool[-3:]
    values = [rng.normal(size=(3, 3)), rng.normal(size=(3, 3))]
    expected = function([x, y], outputs, mode="python", on_unused_input="ignore")(*values)
    got = function([x, y], outputs, mode=backend, on_unused_input="ignore")(*values)
    for k, (g, e) in enumerate(zip(got, expected, strict=True)):
        catalog.assert_matches(g, e, f"seed {seed}, output {k}")
