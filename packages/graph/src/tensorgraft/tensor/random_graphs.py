"""Randomly composed graphs for differential tests of backends (ARCHITECTURE §7).

The catalog checks each op alone; these graphs check that ops compose: views feeding
in-place ops, fused elementwise chains reading reductions, indexing of fresh results,
run-time broadcasting. Every step maps two (3, 3) arrays to one, so any steps compose:

    inputs, outputs, values = random_graph(seed)
    expected = function(inputs, outputs, mode="python")(*values)
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import tensorgraft.tensor as tt
from tensorgraft.graph.basic import Variable
from tensorgraft.tensor.variable import TensorVariable

Step = Callable[[TensorVariable, TensorVariable], TensorVariable]

STEPS: tuple[Step, ...] = (
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
    lambda a, b: tt.log1p(tt.exp(a)) - tt.sigmoid(b),
    lambda a, b: a.reshape((9,))[::3][:, None] + b * b[0, 0],
    lambda a, b: (a - a.mean(axis=1, keepdims=True)) / (1.0 + b.var()),
    lambda a, b: tt.where(tt.isnan(a), 0.0, a) * b.min(),
    lambda a, b: tt.stack([a.trace(), b.sum(), a.prod()])[:, None] + b,
    lambda a, b: tt.tensordot(a, b, axes=[[1], [0]]) + tt.outer(a[0], b[:, 1]),
)


def random_graph(
    seed: int, steps: int = 8, outputs: int = 3
) -> tuple[list[Variable], list[Variable], list[np.ndarray]]:
    """Inputs, outputs and input values of a graph of `steps` random steps.

    The outputs are the last `outputs` values made; both inputs are (3, 3) float64.
    """
    rng = np.random.default_rng(seed)
    x, y = tt.tensor("x", shape=(3, 3)), tt.tensor("y", shape=(3, 3))
    pool: list[TensorVariable] = [x, y]
    for _ in range(steps):
        step = STEPS[int(rng.integers(len(STEPS)))]
        a, b = (pool[int(k)] for k in rng.integers(len(pool), size=2))
        pool.append(step(a, b))
    values = [rng.normal(size=(3, 3)), rng.normal(size=(3, 3))]
    return [x, y], list(pool[-outputs:]), values
