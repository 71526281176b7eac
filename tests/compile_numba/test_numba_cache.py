"""The numba backend in fresh processes: a warm disk cache loads compiled code without
compiling and without Numba's first-use registry setup, and a process that then
compiles new graphs (and loads more) still works. Results are checked against NumPy."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from typing import Any

import numpy as np

import tensorgraft.tensor as tt
from tensorgraft.compile import function
from tensorgraft.compile_numba import backend

# Loads (or compiles) graph A, then, given a number c, compiles a graph B with constant
# c (a new c: a cache miss) and loads A again.
SCRIPT = textwrap.dedent(
    """
    import json, sys, time
    import numpy as np
    import tensorgraft.tensor as tt
    from tensorgraft.compile import function
    from tensorgraft.compile_numba import backend

    start = time.perf_counter()
    x = tt.vector("x")
    f = function([x], tt.exp(tt.sin(x)) * tt.cos(x) + tt.log1p(x**2), mode=backend)
    v = np.linspace(0.0, 1.0, 7)
    got = f(v)
    first = time.perf_counter() - start
    assert np.allclose(got, np.exp(np.sin(v)) * np.cos(v) + np.log1p(v**2))
    registries = "numba.np.arraymath" in sys.modules
    stats = f._thunk.dispatcher.stats
    new_misses = None
    if len(sys.argv) > 1:  # a new graph, compiled here: dot and a reduction
        X, w = tt.matrix("X"), tt.vector("w")
        c = float(sys.argv[1])
        g = function([X, w], tt.sum(tt.log1p(tt.exp(-(X @ w)))) * c, mode=backend)
        Xv, wv = np.arange(12.0).reshape(4, 3) / 10, np.array([0.5, -1.0, 2.0])
        assert np.allclose(g(Xv, wv), np.log1p(np.exp(-(Xv @ wv))).sum() * c)
        new_misses = sum(g._thunk.dispatcher.stats.cache_misses.values())
        again = function([x], tt.exp(tt.sin(x)) * tt.cos(x) + tt.log1p(x**2), mode=backend)
        assert np.allclose(again(v), got)
    print(json.dumps({
        "hits": sum(stats.cache_hits.values()),
        "misses": sum(stats.cache_misses.values()),
        "new_misses": new_misses,
        "registries_at_first_result": registries,
        "first": first,
    }))
    """
)


def _run(cache: str, *args: str, **env: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, *args],
        env={**os.environ, "TENSORGRAFT_CACHE_DIR": cache, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_warm_process_loads_without_compiling_then_compiles_new_graphs(tmp_path) -> None:  # type: ignore[no-untyped-def]
    cold = _run(str(tmp_path))
    assert (cold["hits"], cold["misses"]) == (0, 1)
    assert cold["registries_at_first_result"]  # compiling set Numba up fully
    warm = _run(str(tmp_path), "2.0")
    assert (warm["hits"], warm["misses"]) == (1, 0)
    # The fast load skipped Numba's registry setup; compiling afterwards still works.
    assert not warm["registries_at_first_result"]
    assert warm["new_misses"] == 1
    assert warm["first"] < cold["first"]
    # TENSORGRAFT_NUMBA_FAST_LOAD=0: Numba's own path, the same results.
    plain = _run(str(tmp_path), TENSORGRAFT_NUMBA_FAST_LOAD="0")
    assert (plain["hits"], plain["misses"]) == (1, 0)
    assert plain["registries_at_first_result"]


UNCACHED_FIRST = textwrap.dedent(
    """
    import numpy as np
    import tensorgraft.tensor as tt
    from tensorgraft.compile import function
    from tensorgraft.compile_numba import NumbaBackend
    X, w = tt.matrix("X"), tt.vector("w")
    f = function([X, w], tt.sum(tt.tanh(X @ w)), mode=NumbaBackend(cache=False))
    Xv, wv = np.arange(6.0).reshape(2, 3), np.array([0.1, -0.2, 0.3])
    assert np.allclose(f(Xv, wv), np.tanh(Xv @ wv).sum())
    assert "refresh" not in f._thunk.dispatcher.targetctx.__dict__
    assert "load_overload" not in f._thunk.dispatcher._cache.__dict__
    """
)


def test_a_first_compile_without_disk_cache_sets_numba_up_fully(tmp_path) -> None:  # type: ignore[no-untyped-def]
    done = subprocess.run(
        [sys.executable, "-c", UNCACHED_FIRST],
        env={**os.environ, "TENSORGRAFT_CACHE_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr


def test_in_process_recompile_of_the_same_graph_hits_the_cache() -> None:
    x = tt.vector("x")
    out = tt.sqrt(tt.abs(x)) - x / 3
    xv = np.linspace(-2.0, 2.0, 9)
    first = function([x], out, mode=backend)
    second = function([x], out, mode=backend)
    assert sum(second._thunk.dispatcher.stats.cache_hits.values()) == 1
    for f in (first, second):
        np.testing.assert_allclose(f(xv), np.sqrt(np.abs(xv)) - xv / 3)
