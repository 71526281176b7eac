"""The c backend: time to first result (cold and warm disk cache) and steady state,
side by side with NumPy, plain `jax.jit` and PyTensor (CVM and FAST_RUN) when installed.

    hatch run bench:python benchmarks/c_backend.py            # every case
    hatch run bench:python benchmarks/c_backend.py --quick    # checks that it runs

For each case and engine, fresh Python processes measure, after their imports:

* **cold**: build + rewrite + generate + compile + first call (after the imports, which
  are reported apart), with an empty cache
  (TENSORGRAFT_CACHE_DIR, and PyTensor's base_compiledir, point at a new temporary folder);
* **warm**: the same in a new process with the cache the cold run left (engines with a
  disk cache: tensorgraft and PyTensor);
* **steady**: the median time of one call once warm (batches of at least 5 ms), in the
  engine's own process (the better of the cold and warm runs);
* **in turns**: the same with every engine in one more process, a batch of each per
  round, so that a busy machine slows them all alike (but one engine's idle BLAS or XLA
  threads may then slow the next).

Ratios: steady time over NumPy's, and tensorgraft[c]'s over PyTensor CVM's. Each engine's
first result is checked against NumPy before it is timed.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Case:
    name: str
    formula: str
    inputs: Callable[[np.random.Generator], dict[str, np.ndarray]]
    # expr(m, **arrays) with m a NumPy-like namespace (numpy, jax.numpy, tensorgraft.tensor,
    # pytensor.tensor): one expression, or a tuple of expressions.
    expr: Callable[..., Any]
    # grad(m, cost, wrt) when the case also returns the gradient of its first output.
    grad_of: str | None = None


def _elemwise(m: Any, x: Any) -> Any:
    return m.exp(m.sin(x)) * m.cos(x) + m.log1p(x**2)


def _seed(m: Any, x: Any) -> Any:
    z = m.exp(m.sin(x))
    return m.cos((z[None, :] @ z[:, None]).squeeze())


def _logreg(m: Any, X: Any, w: Any, y: Any) -> Any:
    return m.log1p(m.exp(-y * (X @ w))).sum()


def _logreg_numpy(X: Any, w: Any, y: Any) -> tuple[Any, Any]:
    s = -y * (X @ w)
    return np.log1p(np.exp(s)).sum(), X.T @ (-y / (1.0 + np.exp(-s)))


def _matmul(m: Any, a: Any, b: Any) -> Any:
    return a @ b


CASES = [
    Case(
        "elemwise",
        "exp(sin(x)) * cos(x) + log1p(x**2); x: 1e6 in (0, 1)",
        lambda rng: {"x": rng.uniform(0.0, 1.0, size=1_000_000)},
        _elemwise,
    ),
    Case(
        "logreg",
        "loss sum(log1p(exp(-y * (X @ w)))) and its gradient in w; X: 1000x20",
        lambda rng: {
            "X": rng.normal(size=(1000, 20)),
            "w": rng.normal(size=20) / np.sqrt(20),
            "y": rng.choice([-1.0, 1.0], size=1000),
        },
        _logreg,
        grad_of="w",
    ),
    Case(
        "seed",
        "cos((z[None, :] @ z[:, None]).squeeze()), z = exp(sin(x)); x: 1000",
        lambda rng: {"x": rng.normal(size=1000)},
        _seed,
    ),
    Case(
        "overhead",
        "exp(sin(x)) * cos(x) + log1p(x**2); x: 10 (per-call overhead)",
        lambda rng: {"x": rng.uniform(0.0, 1.0, size=10)},
        _elemwise,
    ),
    Case(
        "matmul",
        "a @ b; a, b: 512x512",
        lambda rng: {"a": rng.normal(size=(512, 512)), "b": rng.normal(size=(512, 512))},
        _matmul,
    ),
]
BY_NAME = {case.name: case for case in CASES}
ENGINES = ("tensorgraft[c]", "numpy", "jax.jit", "pytensor[CVM]", "pytensor[FAST_RUN]")
CACHED = ("tensorgraft[c]", "pytensor[CVM]", "pytensor[FAST_RUN]")


def _numpy_call(case: Case, arrays: dict[str, np.ndarray]) -> Callable[[], Any]:
    if case.name == "logreg":
        return lambda: _logreg_numpy(**arrays)
    return lambda: case.expr(np, **arrays)


def _make_call(engine: str, case: Case, arrays: dict[str, np.ndarray]) -> Callable[[], Any]:
    """Build and compile `case` with `engine`; a callable that computes it once."""
    args = list(arrays.values())
    if engine == "numpy":
        return _numpy_call(case, arrays)
    if engine == "tensorgraft[c]":
        import tensorgraft.tensor as tt
        from tensorgraft.compile import function
        from tensorgraft.compile_c import backend

        xs = {k: tt.tensor(k, shape=(None,) * a.ndim, dtype=a.dtype) for k, a in arrays.items()}
        out = case.expr(tt, **xs)
        if case.grad_of:
            from tensorgraft.autodiff import grad

            out = [out, grad(out, xs[case.grad_of])]
        f = function(list(xs.values()), out, mode=backend)
        return lambda: f(*args)
    if engine == "jax.jit":
        import jax

        jax.config.update("jax_enable_x64", True)
        import jax.numpy as jnp

        if case.grad_of:
            names = list(arrays)
            pos = names.index(case.grad_of)
            vg = jax.jit(
                jax.value_and_grad(
                    lambda *a: case.expr(jnp, **dict(zip(names, a, strict=True))), argnums=pos
                )
            )
            return lambda: jax.block_until_ready(vg(*args))
        jf = jax.jit(lambda **kw: case.expr(jnp, **kw))
        return lambda: jf(**arrays).block_until_ready()
    if engine.startswith("pytensor"):
        import pytensor
        import pytensor.tensor as pt

        mode = engine[len("pytensor[") : -1]
        xs = {
            k: pt.tensor(k, shape=(None,) * a.ndim, dtype=str(a.dtype)) for k, a in arrays.items()
        }
        out = case.expr(pt, **xs)
        if case.grad_of:
            out = [out, pytensor.grad(out, xs[case.grad_of])]
        pf = pytensor.function(list(xs.values()), out, mode=mode)
        pf.trust_input = True
        return lambda: pf(*args)
    raise ValueError(f"unknown engine {engine!r}")


def _import(engine: str) -> None:
    """Import the engine's packages (not timed as part of the first result)."""
    import importlib

    modules = {
        "tensorgraft[c]": [
            "tensorgraft.tensor",
            "tensorgraft.compile",
            "tensorgraft.compile_c",
            "tensorgraft.autodiff",
            "tensorgraft.rewrite",  # loaded by the first function() otherwise
        ],
        "jax.jit": ["jax", "jax.numpy"],
    }.get(engine, ["pytensor", "pytensor.tensor"] if "pytensor" in engine else [])
    for module in modules:
        importlib.import_module(module)


def child(case_name: str, engine: str, repeats: int) -> dict[str, float]:
    """Run in a fresh process: time to first result, then the steady call time."""
    case = BY_NAME[case_name]
    arrays = case.inputs(np.random.default_rng(0))
    expected = _numpy_call(case, arrays)()
    t_imports = time.perf_counter()
    _import(engine)
    t0 = time.perf_counter()
    call = _make_call(engine, case, arrays)
    value = call()
    first = time.perf_counter() - t0
    got = value if isinstance(value, list | tuple) else [value]
    want = expected if isinstance(expected, tuple) else [expected]
    for g, w in zip(got, want, strict=True):
        np.testing.assert_allclose(np.asarray(g), w, rtol=1e-8, atol=1e-10)
    n = _batch_size(call)
    samples = []
    for _ in range(repeats):
        t = time.perf_counter()
        for _ in range(n):
            call()
        samples.append((time.perf_counter() - t) / n)
    imports = t0 - t_imports
    return {"first": first, "steady": statistics.median(samples), "imports": imports}


def _batch_size(call: Callable[[], Any]) -> int:
    n = 1
    while True:
        t = time.perf_counter()
        for _ in range(n):
            call()
        if time.perf_counter() - t > 0.005:
            return n
        n *= 2


def child_steady(case_name: str, engines: list[str], repeats: int) -> dict[str, float]:
    """Run in a fresh process: every engine's steady call time, measured in turns (one
    batch of each engine per round), so that a busy machine slows them all alike."""
    case = BY_NAME[case_name]
    arrays = case.inputs(np.random.default_rng(0))
    calls = {e: _make_call(e, case, arrays) for e in engines}
    sizes = {e: _batch_size(call) for e, call in calls.items()}
    samples: dict[str, list[float]] = {e: [] for e in engines}
    for _ in range(repeats):
        for e, call in calls.items():
            t = time.perf_counter()
            for _ in range(sizes[e]):
                call()
            samples[e].append((time.perf_counter() - t) / sizes[e])
    return {e: statistics.median(v) for e, v in samples.items()}


def _available(engine: str) -> bool:
    import importlib.util

    module = {"jax.jit": "jax"}.get(engine, "pytensor" if "pytensor" in engine else None)
    return module is None or importlib.util.find_spec(module) is not None


def run_child(case: str, engine: str, cache: str, repeats: int) -> dict[str, float] | str:
    """One fresh process; its timings, or the last line of its error output."""
    return _run([case, engine, str(repeats)], cache, "--child")


def _run(args: list[str], cache: str, flag: str) -> dict[str, float] | str:
    env = {
        **os.environ,
        "TENSORGRAFT_CACHE_DIR": cache,
        "PYTENSOR_FLAGS": f"base_compiledir={os.path.join(cache, 'pytensor')}",
    }
    cmd = [sys.executable, os.path.abspath(__file__), flag, *args]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines()
        return lines[-1] if lines else "failed"
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _fmt(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.2f} us"


def _ratio(a: float | None, b: float | None) -> str:
    return "-" if a is None or b is None else f"{a / b:.2f}x"


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks; print one table; 1 if an engine failed or was wrong."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--cases", default=",".join(c.name for c in CASES))
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--quick", action="store_true", help="the overhead case, few repeats")
    parser.add_argument("--json", help="write the results here")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--steady-child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        case, engine, repeats = args.child
        print(json.dumps(child(case, engine, int(repeats))))
        return 0
    if args.steady_child:
        case, engines_arg, repeats = args.steady_child
        print(json.dumps(child_steady(case, engines_arg.split(","), int(repeats))))
        return 0
    names = ["overhead"] if args.quick else args.cases.split(",")
    engines = [e for e in args.engines.split(",") if _available(e)]
    if "numpy" not in engines:
        engines.insert(0, "numpy")
    repeats = 3 if args.quick else 15
    rows: list[dict[str, Any]] = []
    failed = False
    head = f"{'case':<9} {'engine':<19} {'cold first':>11} {'warm first':>11} {'steady':>11}"
    print(f"{head} {'/numpy':>8} {'c/CVM':>8} {'in turns':>11} {'/numpy':>8} {'imports':>10}")
    for name in names:
        done: dict[str, dict[str, Any]] = {}
        for engine in engines:
            with tempfile.TemporaryDirectory() as cache:
                cold = run_child(name, engine, cache, repeats)
                warm = (
                    run_child(name, engine, cache, repeats)
                    if engine in CACHED and not isinstance(cold, str)
                    else None
                )
            if isinstance(cold, str) or isinstance(warm, str):
                failed = True
                print(f"{name:<9} {engine:<19} failed: {cold if isinstance(cold, str) else warm}")
                continue
            done[engine] = {
                "case": name,
                "engine": engine,
                "cold_first": cold["first"],
                "warm_first": warm["first"] if warm else None,
                "imports": cold["imports"],
                "steady": min(cold["steady"], warm["steady"]) if warm else cold["steady"],
            }
        with tempfile.TemporaryDirectory() as cache:
            together = _run([name, ",".join(done), str(repeats)], cache, "--steady-child")
        if isinstance(together, str):
            failed = True
            print(f"{name:<9} steady in turns failed: {together}")
        for engine, row in done.items():
            row["in_turns"] = None if isinstance(together, str) else together[engine]
        base = done.get("numpy", {}).get("steady")
        base_turns = done.get("numpy", {}).get("in_turns")
        cvm = done.get("pytensor[CVM]", {}).get("steady")
        for engine, row in done.items():
            row["vs_numpy"] = row["steady"] / base if base else None
            vs_cvm = _ratio(row["steady"], cvm) if engine == "tensorgraft[c]" else ""
            print(
                f"{name:<9} {engine:<19} {_fmt(row['cold_first']):>11} "
                f"{_fmt(row['warm_first']):>11} {_fmt(row['steady']):>11} "
                f"{_ratio(row['steady'], base):>8} {vs_cvm:>8} {_fmt(row['in_turns']):>11} "
                f"{_ratio(row['in_turns'], base_turns):>8} {_fmt(row['imports']):>10}"
            )
            rows.append(row)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(rows, fh, indent=1)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
