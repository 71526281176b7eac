"""Randomly composed graphs: the c backend against the python backend (ARCHITECTURE §7).

The steps of `tensorgraft.tensor.random_graphs` plus steps of indexing, construction and
sorting ops, on inputs of unknown static shape (every length is checked at run time),
given contiguous, strided, Fortran-ordered and broadcast (stride 0, read-only). All
graphs compile into one module.
"""

from __future__ import annotations

import functools
import warnings
from typing import Any

import numpy as np

import tensorgraft.tensor as tt
from tensorgraft.compile import function
from tensorgraft.compile_c import DeferredC
from tensorgraft.tensor import catalog, random_graphs
from tensorgraft.tensor.random_graphs import Step

# More steps mapping two (3, 3) float64 arrays to one: indexing and construction ops.
C_STEPS: tuple[Step, ...] = (
    lambda a, b: a[[2, 0, 1]] + b,
    lambda a, b: tt.inc_subtensor(a[[0, 0, -1]], b),  # repeated indices accumulate
    lambda a, b: tt.set_subtensor(a[b > 0], 1.0),
    lambda a, b: tt.set_subtensor(tt.exp(a)[1, ::-1], b[0]),  # in place into exp(a)
    lambda a, b: tt.inc_subtensor(a[::2, 1:], b[:2, :1]),
    lambda a, b: tt.sort(a, axis=1) * b,
    lambda a, b: tt.take_along_axis(a, tt.argsort(b, axis=0), axis=0),
    lambda a, b: tt.repeat(a[:, :1], 3, axis=1) - b,
    lambda a, b: tt.eye(3) * a + b,
    lambda a, b: tt.diag(tt.diagonal(a)) + b.T,
    lambda a, b: tt.arange(3.0)[None, :] * a + b,
    lambda a, b: tt.concatenate(tt.split(a, 3, axis=0)[::-1]) + b,
    lambda a, b: tt.concatenate([a[1:, ::-1], b[:1]]),
    lambda a, b: a.reshape((9,))[::-1].reshape((3, 3)) * b,
)
STEPS = (*random_graphs.STEPS, *C_STEPS)
SEEDS = range(30)


def _graph(seed: int) -> tuple[list[Any], list[Any], list[np.ndarray]]:
    rng = np.random.default_rng(seed)
    x, y = tt.matrix("x"), tt.matrix("y")
    pool = [x, y]
    for _ in range(8):
        step = STEPS[int(rng.integers(len(STEPS)))]
        a, b = (pool[int(k)] for k in rng.integers(len(pool), size=2))
        pool.append(step(a, b))
    values = [rng.normal(size=(3, 3)), rng.normal(size=(3, 3))]
    return [x, y], pool[-3:], values


@functools.cache
def _compiled() -> dict[int, tuple[Any, Any, list[np.ndarray]]]:
    batch = DeferredC()
    out = {}
    for seed in SEEDS:
        inputs, outputs, values = _graph(seed)
        fp = function(inputs, outputs, mode="python", on_unused_input="ignore")
        fc = function(inputs, outputs, mode=batch, on_unused_input="ignore")
        out[seed] = (fc, fp, values)
    batch.build()
    return out


def _layouts(value: np.ndarray) -> list[tuple[str, np.ndarray]]:
    strided = np.repeat(np.repeat(value, 2, axis=0), 2, axis=1)[::2, 1::2]
    return [
        ("contiguous", value),
        ("strided", strided),
        ("fortran", np.asfortranarray(value)),
        ("broadcast", np.broadcast_to(value[1], value.shape)),  # read-only, stride 0
    ]


def test_random_graphs_match_python() -> None:
    """One test for all seeds: the graphs share one module, compiled once per process."""
    failures = []
    for seed, (fc, fp, values) in _compiled().items():
        for (what, x), (_, y) in zip(*map(_layouts, values), strict=True):
            try:
                before = x.copy()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    expected = fp(x.copy(), y.copy())
                    got = fc(x, y)
                for k, (g, e) in enumerate(zip(got, expected, strict=True)):
                    catalog.assert_matches(g, e, f"output {k}")
                np.testing.assert_array_equal(x, before)  # inputs are never written
            except Exception as err:
                failures.append(f"seed {seed} ({what}): {type(err).__name__}: {err}"[:300])
    assert not failures, "\n".join(failures)


def test_random_graphs_run_as_c() -> None:
    """Every node of these graphs has a C rule: none calls back its Python `perform`."""
    callbacks = {
        str(node.op) for fc, _, _ in _compiled().values() for node, how in fc.report if how != "C"
    }
    assert not callbacks, callbacks
