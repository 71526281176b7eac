"""Randomly composed graphs on every usable backend against the python backend.

The catalog sweeps check each op alone; these graphs check that the ops compose (views
feeding in-place ops, fusion across reductions, indexing of fresh results) and that no
backend writes into the caller's arrays.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import numpy as np
import pytest

from tensorgraft.compile import function, installed_backends, load_backend
from tensorgraft.tensor import catalog
from tensorgraft.tensor.random_graphs import random_graph

BACKENDS = [
    name
    for name in installed_backends()
    if name != "python" and load_backend(name).unavailable_reason() is None
]
# Numba compiles take seconds each: fewer graphs there keep the suite short.
CASES = [(mode, seed) for mode in BACKENDS for seed in range(6 if mode == "numba" else 12)]


@pytest.fixture(autouse=True, scope="module")
def _cold_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    # A private, empty compile cache, as on a fresh machine.
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TENSORGRAFT_CACHE_DIR", str(tmp_path_factory.mktemp("tg-cache")))
        yield


@pytest.mark.parametrize(("mode", "seed"), CASES)
def test_random_graph_matches_the_python_backend(mode: str, seed: int) -> None:
    inputs, outputs, values = random_graph(seed)
    expected = function(inputs, outputs, mode="python", on_unused_input="ignore")(*values)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # callbacks are reported elsewhere
        fn = function(inputs, outputs, mode=mode, on_unused_input="ignore")
    kept = [v.copy() for v in values]
    got = fn(*values)
    for k, (g, e) in enumerate(zip(got, expected, strict=True)):
        catalog.assert_matches(g, e, f"{mode}, seed {seed}, output {k}")
    for v, k in zip(values, kept, strict=True):
        np.testing.assert_array_equal(v, k, err_msg=f"{mode} wrote into an input")
    again = fn(*values)  # buffers reused in place must not leak between calls
    for k, (g, e) in enumerate(zip(again, expected, strict=True)):
        catalog.assert_matches(g, e, f"{mode}, seed {seed}, output {k}, second call")


def test_the_steps_keep_the_shape() -> None:
    import tensorgraft.tensor as tt
    from tensorgraft.tensor.random_graphs import STEPS

    x, y = tt.tensor("x", shape=(3, 3)), tt.tensor("y", shape=(3, 3))
    for k, step in enumerate(STEPS):
        assert step(x, y).type.shape == (3, 3), f"step {k}"
