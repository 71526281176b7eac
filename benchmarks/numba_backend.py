"""The numba backend: time to first result (cold and warm disk cache) and steady state,
side by side with NumPy, plain `jax.jit` and PyTensor's NUMBA mode when installed.

    hatch run bench:python benchmarks/numba_backend.py            # 3 fresh processes each
    hatch run bench:python benchmarks/numba_backend.py --quick    # checks that it runs
    hatch run bench:python benchmarks/numba_backend.py --cases hier,overhead --json out.json

The cases: `elemwise` and `overhead` from cases.py (one expression on 10^6 and on 10
elements), `seed`, `logreg` (loss and gradient) and `hier` (hierarchical log-density and
gradient) from jax_backend.py. For each case and engine, fresh Python processes measure:

* **imports**: NumPy and the engine's package (tensorgraft imports Numba only when it
  compiles, PyTensor likewise: their first results include importing it);
* **cold**: build the graph + rewrite + compile + the first call, after the imports,
  with an empty cache (TENSORGRAFT_CACHE_DIR, and PyTensor's base_compiledir, point at
  a new temporary folder);
* **warm**: the same in a new process with the cache the cold run left (engines with a
  disk cache: tensorgraft and PyTensor);
* **steady**: the median time of one call once warm (batches of at least 5 ms), from the
  warm process (the cold one for engines without a disk cache).

The table shows medians over `--repeats` rounds (engines take turns, so that a busy
machine slows them alike) and ratios: tensorgraft's cold and warm times over PyTensor's
and its steady time over PyTensor's and plain JAX's. Each engine's first result is
checked against NumPy before anything is timed. Processes run with bytecode caching on
(PYTHONDONTWRITEBYTECODE unset), as an installed package does; each engine first runs once
untimed so that no timed process compiles Python bytecode.
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

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import cases as simple_cases
import jax_backend

ENGINES = ("tensorgraft[numba]", "numpy", "jax.jit", "pytensor[NUMBA]")
DISK_CACHED = ("tensorgraft[numba]", "pytensor[NUMBA]")


@dataclass(frozen=True)
class Case:
    name: str
    formula: str
    inputs: Callable[[np.random.Generator], dict[str, np.ndarray]]
    expr: Callable[..., Any]  # expr(m, **arrays): the value (differentiated by `wrt`)
    wrt: tuple[str, ...]  # inputs to differentiate by (none: the value only)
    reference: Callable[..., list[Any]]  # NumPy: [value, *gradients]


def _value_only(case: simple_cases.Case) -> Case:
    return Case(
        case.name,
        case.formula,
        case.inputs,
        case.expr,
        (),
        lambda **arrays: [case.expr(np, **arrays)],
    )


def _with_gradient(case: jax_backend.Case) -> Case:
    return Case(case.name, case.formula, case.inputs, case.expr, case.wrt, case.reference)


CASES = {
    c.name: c
    for c in [
        _value_only(simple_cases.BY_NAME["elemwise"]),
        _with_gradient(jax_backend.CASES["logreg"]),
        _with_gradient(jax_backend.CASES["seed"]),
        _value_only(simple_cases.BY_NAME["overhead"]),
        _with_gradient(jax_backend.CASES["hier"]),
    ]
}


# -- one engine on one case, in this (fresh) process ----------------------------------------
def _tensorgraft(case: Case, arrays: dict[str, np.ndarray]) -> Callable[[], list[Any]]:
    import tensorgraft.tensor as tt
    from tensorgraft.compile import function
    from tensorgraft.compile_numba import backend

    xs = {k: tt.tensor(k, shape=(None,) * a.ndim, dtype=a.dtype) for k, a in arrays.items()}
    out = case.expr(tt, **xs)
    outs = [out]
    if case.wrt:
        from tensorgraft.autodiff import grad

        outs += grad(out, [xs[k] for k in case.wrt])
    f = function(list(xs.values()), outs, mode=backend)
    args = list(arrays.values())
    return lambda: f(*args)


def _numpy(case: Case, arrays: dict[str, np.ndarray]) -> Callable[[], list[Any]]:
    return lambda: case.reference(**arrays)


def _jax(case: Case, arrays: dict[str, np.ndarray]) -> Callable[[], list[Any]]:
    return jax_backend._jax(case, arrays)  # type: ignore[arg-type]


def _pytensor(case: Case, arrays: dict[str, np.ndarray]) -> Callable[[], list[Any]]:
    import pytensor
    import pytensor.tensor as pt

    xs = {k: pt.tensor(k, shape=(None,) * a.ndim, dtype=str(a.dtype)) for k, a in arrays.items()}
    out = case.expr(pt, **xs)
    outs = [out]
    if case.wrt:
        outs += pytensor.grad(out, [xs[k] for k in case.wrt])
    f = pytensor.function(list(xs.values()), outs, mode="NUMBA")
    args = list(arrays.values())
    return lambda: f(*args)


SETUPS = {
    "tensorgraft[numba]": _tensorgraft,
    "numpy": _numpy,
    "jax.jit": _jax,
    "pytensor[NUMBA]": _pytensor,
}
IMPORTS = {
    "tensorgraft[numba]": (
        "tensorgraft.tensor",
        "tensorgraft.compile",
        "tensorgraft.compile_numba",
    ),
    "numpy": (),
    "jax.jit": ("jax",),
    "pytensor[NUMBA]": ("pytensor",),
}


def child(case_name: str, engine: str, budget_s: float) -> dict[str, Any]:
    """Run one engine on one case in this process and measure it."""
    import importlib

    case = CASES[case_name]
    arrays = case.inputs(np.random.default_rng(0))
    start = time.perf_counter()
    for module in IMPORTS[engine]:
        importlib.import_module(module)
    imports_s = time.perf_counter() - start
    start = time.perf_counter()
    call = SETUPS[engine](case, arrays)
    first = call()
    first_s = time.perf_counter() - start
    expected = case.reference(**arrays)
    ok = len(first) == len(expected) and all(
        np.allclose(np.asarray(g), e, rtol=1e-8, atol=1e-10)
        for g, e in zip(first, expected, strict=True)
    )
    steady_s = jax_backend.steady_state(call, budget_s) if ok else None
    return {"imports_s": imports_s, "first_s": first_s, "steady_s": steady_s, "ok": ok}


# -- the parent: fresh processes, medians, ratios --------------------------------------------
def available(engine: str) -> bool:
    import importlib.util

    module = {
        "tensorgraft[numba]": "numba",
        "numpy": "numpy",
        "jax.jit": "jax",
        "pytensor[NUMBA]": "pytensor",
    }[engine]
    try:
        found = importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        found = False
    if engine == "pytensor[NUMBA]":
        found = found and importlib.util.find_spec("numba") is not None
    return found


def _env(cache: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["TENSORGRAFT_CACHE_DIR"] = cache
    flags = env.get("PYTENSOR_FLAGS", "")
    env["PYTENSOR_FLAGS"] = f"{flags},base_compiledir={cache}/pytensor".lstrip(",")
    return env


def run_fresh(case: str, engine: str, budget_s: float, cache: str) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--child", case, engine, "--budget", str(budget_s)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, env=_env(cache))
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "?"}
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def warm_bytecode(engines: list[str]) -> None:
    """Run each engine once on the small case, with bytecode caching on, so that no timed
    process compiles Python sources (a fresh environment, or PYTHONDONTWRITEBYTECODE set
    in the caller's)."""
    for engine in engines:
        with tempfile.TemporaryDirectory() as cache:
            run_fresh("overhead", engine, 0.01, cache)


FLOOR = """
import json, sys, time
start = time.perf_counter()
import numpy as np
numpy_s = time.perf_counter() - start
start = time.perf_counter()
import numba
import_s = time.perf_counter() - start
sys.path.insert(0, sys.argv[1])
import tg_floor_trivial
start = time.perf_counter()
tg_floor_trivial.f(np.ones(3))
call_s = time.perf_counter() - start
hits = sum(tg_floor_trivial.f.stats.cache_hits.values())
print(json.dumps({"numpy_s": numpy_s, "import_s": import_s, "call_s": call_s, "hits": hits}))
"""


def numba_floor(repeats: int) -> dict[str, float] | None:
    """What Numba alone takes to a first result in a fresh process with a warm cache:
    `import numba`, then the first call of a trivial `@njit(cache=True)` function
    (loaded from Numba's cache, Numba's own path). Medians over `repeats` processes."""
    runs = []
    with tempfile.TemporaryDirectory() as folder:
        with open(os.path.join(folder, "tg_floor_trivial.py"), "w") as fh:
            fh.write("import numba\n\n@numba.njit(cache=True)\ndef f(x):\n    return x + 1.0\n")
        for k in range(repeats + 1):  # the first run fills the cache
            proc = subprocess.run(
                [sys.executable, "-c", FLOOR, folder],
                capture_output=True,
                text=True,
                check=False,
                env=_env(folder),
            )
            if proc.returncode != 0:
                return None
            result = json.loads(proc.stdout.strip().splitlines()[-1])
            if k and result["hits"]:
                runs.append(result)
    if not runs:
        return None
    return {key: statistics.median(r[key] for r in runs) for key in ("import_s", "call_s")}


def _fmt(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def _ratio(a: float | None, b: float | None) -> str:
    return "-" if a is None or b is None or b == 0 else f"{a / b:.2f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--cases", default=",".join(CASES))
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--repeats", type=int, default=3, help="rounds of fresh processes")
    parser.add_argument("--quick", action="store_true", help="the overhead case, 1 round")
    parser.add_argument("--json", help="save every measurement here")
    parser.add_argument("--child", nargs=2, metavar=("CASE", "ENGINE"), help=argparse.SUPPRESS)
    parser.add_argument("--budget", type=float, default=1.0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(*args.child, args.budget)))
        return 0
    names = ["overhead"] if args.quick else args.cases.split(",")
    repeats, budget = (1, 0.1) if args.quick else (args.repeats, 1.0)
    engines = [e for e in args.engines.split(",") if available(e)]
    missing = [e for e in args.engines.split(",") if e not in engines]
    warm_bytecode(engines)
    results: dict[str, Any] = {}
    status = 0
    if "tensorgraft[numba]" in engines:
        floor = numba_floor(repeats)
        results["numba_floor"] = floor
        if floor is not None:
            print(
                f"Numba's floor for a warm first result: import numba {_fmt(floor['import_s'])}"
                f" + first cached call of a trivial @njit(cache=True) function "
                f"{_fmt(floor['call_s'])} = {_fmt(floor['import_s'] + floor['call_s'])}"
            )
    for name in names:
        print(f"\n{name}: {CASES[name].formula}")
        header = ("engine", "imports", "cold first", "warm first", "steady", "vs pytensor")
        print("  {:<19} {:>9} {:>11} {:>11} {:>10} {:>22}".format(*header))
        runs: dict[str, list[dict[str, Any]]] = {e: [] for e in engines}
        for _ in range(repeats):
            for engine in engines:
                with tempfile.TemporaryDirectory() as cache:
                    cold = run_fresh(name, engine, budget, cache)
                    warm = run_fresh(name, engine, budget, cache) if engine in DISK_CACHED else {}
                if "error" in cold or "error" in warm:
                    runs[engine].append({"error": cold.get("error") or warm.get("error")})
                    continue
                runs[engine].append(
                    {
                        "ok": cold["ok"] and warm.get("ok", True),
                        "imports_s": cold["imports_s"],
                        "cold_s": cold["first_s"],
                        "warm_s": warm.get("first_s"),
                        "steady_s": warm.get("steady_s", cold["steady_s"]),
                    }
                )
        rows: dict[str, dict[str, Any]] = {e: {"status": "not installed"} for e in missing}
        for engine in engines:
            bad = [r for r in runs[engine] if "error" in r or not r["ok"]]
            if bad:
                rows[engine] = {"status": bad[0].get("error", "wrong result"), "runs": runs[engine]}
                status = 1
                continue
            row: dict[str, Any] = {"status": "ok", "runs": runs[engine]}
            for key in ("imports_s", "cold_s", "warm_s", "steady_s"):
                values = [r[key] for r in runs[engine] if r[key] is not None]
                row[key] = statistics.median(values) if values else None
            rows[engine] = row
        ref = rows.get("pytensor[NUMBA]", {})
        jax = rows.get("jax.jit", {})
        for engine, row in rows.items():
            if row["status"] != "ok":
                print(f"  {engine:<19} {row['status']}")
                continue
            vs = "-"
            if ref.get("status") == "ok" and engine != "pytensor[NUMBA]":
                vs = "cold {} warm {} steady {}".format(
                    _ratio(row["cold_s"], ref["cold_s"]),
                    _ratio(row["warm_s"], ref["warm_s"]),
                    _ratio(row["steady_s"], ref["steady_s"]),
                )
            if jax.get("status") == "ok" and engine == "tensorgraft[numba]":
                row["steady_vs_jax"] = row["steady_s"] / jax["steady_s"]
                vs += f" (steady vs jax {row['steady_vs_jax']:.2f})"
            print(
                f"  {engine:<19} {_fmt(row['imports_s']):>9} {_fmt(row['cold_s']):>11} "
                f"{_fmt(row['warm_s']):>11} {_fmt(row['steady_s']):>10}   {vs}"
            )
        results[name] = rows
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"repeats": repeats, "results": results}, fh, indent=1)
    return status


if __name__ == "__main__":
    sys.exit(main())
