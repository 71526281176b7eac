"""The numba backend: time to first result (cold and warm disk cache) and steady state,
against NumPy, plain `jax.jit` and PyTensor's NUMBA mode when they are installed.

    hatch run python benchmarks/numba_backend.py            # every case of cases.py
    hatch run python benchmarks/numba_backend.py --quick    # checks that it runs

For each case, fresh Python processes measure, after their imports:

* **cold**: build + rewrite + generate + compile + first call, with an empty cache
  folder (TENSORGRAFT_CACHE_DIR pointing at a new temporary folder);
* **warm**: the same in a new process with the cache the cold run left;
* **steady**: the median time of one call once warm (batches of at least 5 ms).

Each engine's first result is checked against NumPy before it is timed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile

CHILD = r"""
import json, statistics, sys, time
t_start = time.perf_counter()
import numpy as np
sys.path.insert(0, {bench_dir!r})
from cases import BY_NAME
case = BY_NAME[{case!r}]
arrays = case.inputs(np.random.default_rng(0))
engine = {engine!r}
expected = case.expr(np, **arrays)
imports = time.perf_counter() - t_start
t0 = time.perf_counter()
if engine == "tensorgraft[numba]":
    import tensorgraft.tensor as tt
    from tensorgraft.compile import function
    from tensorgraft.compile_numba import backend
    xs = {{k: tt.tensor(k, shape=(None,) * a.ndim, dtype=a.dtype) for k, a in arrays.items()}}
    f = function(list(xs.values()), case.expr(tt, **xs), mode=backend)
    args = list(arrays.values())
    call = lambda: f(*args)
elif engine == "numpy":
    call = lambda: case.expr(np, **arrays)
elif engine == "jax.jit":
    import jax
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    jf = jax.jit(lambda **kw: case.expr(jnp, **kw))
    call = lambda: np.asarray(jf(**arrays))
elif engine == "pytensor[NUMBA]":
    import pytensor, pytensor.tensor as pt
    xs = {{k: pt.tensor(k, shape=(None,) * a.ndim, dtype=str(a.dtype)) for k, a in arrays.items()}}
    pf = pytensor.function(list(xs.values()), case.expr(pt, **xs), mode="NUMBA")
    args = list(arrays.values())
    call = lambda: pf(*args)
value = call()
first = time.perf_counter() - t0
np.testing.assert_allclose(np.asarray(value), np.asarray(expected), rtol=1e-9)
n = 1
while True:
    t = time.perf_counter()
    for _ in range(n):
        call()
    if time.perf_counter() - t > 0.005:
        break
    n *= 2
samples = []
for _ in range(7):
    t = time.perf_counter()
    for _ in range(n):
        call()
    samples.append((time.perf_counter() - t) / n)
print(json.dumps({{"first": first, "steady": statistics.median(samples), "imports": imports}}))
"""

ENGINES = ("tensorgraft[numba]", "numpy", "jax.jit", "pytensor[NUMBA]")


def _available(engine: str) -> bool:
    import importlib.util

    module = {"jax.jit": "jax", "pytensor[NUMBA]": "pytensor"}.get(engine)
    return module is None or importlib.util.find_spec(module) is not None


def run_child(case: str, engine: str, cache: str) -> dict[str, float] | str:
    """One fresh process; its timings, or the tail of its error output."""
    code = CHILD.format(
        bench_dir=os.path.dirname(os.path.abspath(__file__)), case=case, engine=engine
    )
    env = {**os.environ, "TENSORGRAFT_CACHE_DIR": cache}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=600
    )
    if done.returncode != 0:
        return done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "failed"
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _fmt(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.1f} us"


def main() -> None:
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from cases import CASES

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default=",".join(c.name for c in CASES))
    parser.add_argument("--quick", action="store_true", help="the overhead case only")
    parser.add_argument("--json", help="write the results here")
    args = parser.parse_args()
    names = ["overhead"] if args.quick else args.cases.split(",")
    rows = []
    print(f"{'case':<10} {'engine':<20} {'cold first':>12} {'warm first':>12} {'steady':>12}")
    for name in names:
        for engine in ENGINES:
            if not _available(engine):
                continue
            with tempfile.TemporaryDirectory() as cache:
                cold = run_child(name, engine, cache)
                warm = run_child(name, engine, cache) if engine.startswith("tensorgraft") else None
            if isinstance(cold, str) or isinstance(warm, str):
                print(f"{name:<10} {engine:<20} failed: {cold if isinstance(cold, str) else warm}")
                continue
            row = {
                "case": name,
                "engine": engine,
                "cold_first": cold["first"],
                "warm_first": warm["first"] if warm else None,
                "steady": cold["steady"],
            }
            rows.append(row)
            print(
                f"{name:<10} {engine:<20} {_fmt(row['cold_first']):>12} "
                f"{_fmt(row['warm_first']):>12} {_fmt(row['steady']):>12}"
            )
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(rows, fh, indent=1)


if __name__ == "__main__":
    main()
