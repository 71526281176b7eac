"""The compiled backends against NumPy, plain `jax.jit` and PyTensor, in fresh processes.

    hatch run bench:python benchmarks/backends.py                 # every case and engine
    hatch run bench:python benchmarks/backends.py --quick         # checks that it runs
    hatch run bench:python benchmarks/backends.py --cases logreg,hier --engines c,numba,numpy

For each case (cases.py) and engine, fresh Python processes measure after the engine's
imports (timed apart, in the "imports" column: its packages and the compiler library it
runs on, e.g. `import numba` for tensorgraft's numba backend and PyTensor's NUMBA mode
alike; the report also gives the numba backend's warm start with that import added):

* **cold**: time to first result (build the graph + rewrite + compile + the first
  call) with empty on-disk caches: TENSORGRAFT_CACHE_DIR, PyTensor's compiledir and
  Numba's cache all point into a new temporary folder;
* **warm**: the same in a new process that finds the caches the cold run left (JAX keeps
  no persistent cache by default: its warm start is a second cold start);
* **steady**: the median time of one call once warm, over batches of at least 5 ms. It
  is measured again with every engine of the case in one process, one batch of each in
  turn ("in turns"), so that a busy machine slows all engines alike, in two processes
  that set the engines up in opposite orders (averaged); the table and ratios use that.

Every engine's first result is checked against NumPy's before anything is timed. The
run ends with the targets of the backend issues, each marked met or missed.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import importlib.util
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
from cases import BY_NAME, Case, jax_function, same, symbolic

# engine -> modules imported before the clock starts: the packages a user imports and the
# compiler library the engine runs on (numba, jax), a fixed cost per process whatever the
# graph, the same for tensorgraft and PyTensor; it is in the "imports" column.
TG = ("tensorgraft.tensor", "tensorgraft.compile", "tensorgraft.rewrite", "tensorgraft.autodiff")
ENGINES: dict[str, tuple[str, ...]] = {
    "numpy": (),
    "tg[c]": (*TG, "tensorgraft.compile_c"),
    "tg[numba]": (*TG, "tensorgraft.compile_numba", "numba"),
    "tg[jax]": (*TG, "tensorgraft.compile_jax", "jax"),
    "tg[python]": TG,  # not run unless asked for
    "jax.jit": ("jax", "jax.numpy"),
    "pytensor[CVM]": ("pytensor", "pytensor.tensor"),
    "pytensor[NUMBA]": ("pytensor", "pytensor.tensor", "numba"),
    "pytensor[JAX]": ("pytensor", "pytensor.tensor", "jax"),
}
# What each tensorgraft backend is compared with (same kind of code generation).
PEER = {"tg[c]": "pytensor[CVM]", "tg[numba]": "pytensor[NUMBA]", "tg[jax]": "pytensor[JAX]"}


# -- in the child process -----------------------------------------------------------------------
def make_call(engine: str, case: Case, arrays: dict[str, np.ndarray]) -> Callable[[], Any]:
    """Build and compile `case` on `engine`; a callable computing [value, *gradients]."""
    args = list(arrays.values())
    if engine == "numpy":
        return lambda: case.reference(arrays)
    if engine.startswith("tg["):
        from tensorgraft.compile import function

        inputs, outputs = symbolic(case, arrays, "tensorgraft")
        f = function(inputs, outputs, mode=engine[3:-1])
        return lambda: f(*args)
    if engine == "jax.jit":
        import jax

        jitted = jax_function(case, arrays)
        return lambda: [np.asarray(r) for r in jax.block_until_ready(jitted(*args))]
    if engine.startswith("pytensor["):
        import pytensor

        inputs, outputs = symbolic(case, arrays, "pytensor")
        mode = engine[len("pytensor[") : -1]
        pf = pytensor.function(inputs, outputs, mode=mode)
        pf.trust_input = True  # its fastest call path, as a tuned user would set it
        if mode == "JAX":  # JAX arrays come back computed asynchronously: wait for them
            return lambda: [np.asarray(r) for r in pf(*args)]
        return lambda: pf(*args)
    raise ValueError(f"unknown engine {engine!r}")


def _batch(call: Callable[[], Any], number: int) -> float:
    gc.disable()
    try:
        start = time.perf_counter()
        for _ in range(number):
            call()
        return (time.perf_counter() - start) / number
    finally:
        gc.enable()


def _batch_size(call: Callable[[], Any], batch_s: float) -> int:
    number = 1
    while _batch(call, number) * number < batch_s and number < 10**6:
        number *= 2
    return number


def child_first(case_name: str, engine: str, samples: int, batch_s: float) -> dict[str, Any]:
    """Imports, time to first result, and the steady call time of one engine."""
    case = BY_NAME[case_name]
    arrays = case.inputs(np.random.default_rng(0))
    expected = case.reference(arrays)
    start = time.perf_counter()
    for module in ENGINES[engine]:
        importlib.import_module(module)
    imports_s = time.perf_counter() - start
    start = time.perf_counter()
    call = make_call(engine, case, arrays)
    value = call()
    first_s = time.perf_counter() - start
    if not same(value, expected):
        return {"error": "its first result differs from NumPy's"}
    number = _batch_size(call, batch_s)
    steady = statistics.median(_batch(call, number) for _ in range(samples))
    return {"imports_s": imports_s, "first_s": first_s, "steady_s": steady}


def child_turns(case_name: str, engines: list[str], samples: int, batch_s: float) -> dict[str, Any]:
    """The steady call time of several engines measured in one process, in turns."""
    case = BY_NAME[case_name]
    arrays = case.inputs(np.random.default_rng(0))
    calls = {e: make_call(e, case, arrays) for e in engines}
    for call in calls.values():
        call()
    sizes = {e: _batch_size(call, batch_s) for e, call in calls.items()}
    times: dict[str, list[float]] = {e: [] for e in engines}
    for _ in range(samples):
        for e, call in calls.items():
            times[e].append(_batch(call, sizes[e]))
    return {e: statistics.median(v) for e, v in times.items()}


# -- in the parent ------------------------------------------------------------------------------
def available(engine: str) -> str | None:
    """None if `engine` can run here, else why not."""
    for module in ENGINES[engine]:
        try:
            if importlib.util.find_spec(module) is None:
                return f"{module} is not installed"
        except ModuleNotFoundError:
            return f"{module} is not installed"
    if engine.startswith("tg["):
        from tensorgraft.compile import load_backend

        try:
            return load_backend(engine[3:-1]).unavailable_reason()
        except ValueError as err:
            return str(err)
    return None


def _environment(cache: str) -> dict[str, str]:
    env = dict(os.environ)
    # Without .pyc files every process recompiles the libraries' sources (seconds for
    # Numba): a user's machine writes them, so the measured processes must too.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return {
        **env,
        "TENSORGRAFT_CACHE_DIR": os.path.join(cache, "tensorgraft"),
        "PYTENSOR_FLAGS": f"base_compiledir={os.path.join(cache, 'pytensor')}",
        "NUMBA_CACHE_DIR": os.path.join(cache, "numba"),
    }


def run_child(flag: str, args: list[str], cache: str) -> dict[str, Any]:
    """One fresh process; its measurements, or {"error": the last line it printed}."""
    cmd = [sys.executable, os.path.abspath(__file__), flag, *args]
    done = subprocess.run(
        cmd, env=_environment(cache), capture_output=True, text=True, timeout=1200, check=False
    )
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        err = done.stderr.strip().splitlines()
        return {"error": err[-1] if err else f"exit status {done.returncode}"}
    result: dict[str, Any] = json.loads(lines[-1])
    return result


@dataclass
class Row:
    engine: str
    imports_s: float | None = None
    cold_s: float | None = None
    warm_s: float | None = None
    steady_s: float | None = None  # alone in its process
    turns_s: float | None = None  # in turns with the other engines
    error: str | None = None

    @property
    def steady(self) -> float | None:
        return self.turns_s if self.turns_s is not None else self.steady_s


_PRIMED: set[str] = set()


def measure(case: str, engines: list[str], repeats: int, samples: int, batch_s: float) -> list[Row]:
    rows = {e: Row(e) for e in engines}
    cold: dict[str, list[float]] = {e: [] for e in engines}
    warm: dict[str, list[float]] = {e: [] for e in engines}
    steady: dict[str, list[float]] = {e: [] for e in engines}
    imports: dict[str, list[float]] = {e: [] for e in engines}
    args = [case, "", str(samples), str(batch_s)]
    for engine in set(engines) - _PRIMED:  # untimed: write the libraries' bytecode once
        with tempfile.TemporaryDirectory() as cache:
            run_child("--child-first", [case, engine, "1", "0"], cache)
        _PRIMED.add(engine)
    for _ in range(repeats):  # round-robin: the engines share the machine's load alike
        for engine in engines:
            if rows[engine].error:
                continue
            args[1] = engine
            with tempfile.TemporaryDirectory() as cache:
                first = run_child("--child-first", args, cache)
                second = run_child("--child-first", args, cache) if "error" not in first else {}
            bad = first.get("error") or second.get("error")
            if bad:
                rows[engine].error = bad
                continue
            cold[engine].append(first["first_s"])
            warm[engine].append(second["first_s"])
            steady[engine] += [first["steady_s"], second["steady_s"]]
            imports[engine] += [first["imports_s"], second["imports_s"]]
    for engine, row in rows.items():
        if row.error is None:
            row.cold_s = statistics.median(cold[engine])
            row.warm_s = statistics.median(warm[engine])
            row.steady_s = statistics.median(steady[engine])
            row.imports_s = statistics.median(imports[engine])
    good = [e for e in engines if rows[e].error is None]
    # Twice, the engines set up in opposite orders: JAX's runtime favours whichever jitted
    # function a process made first (seen here: ±30% on logreg), so average the two.
    both = []
    for order in (good, good[::-1]):
        with tempfile.TemporaryDirectory() as cache:
            args = [case, ",".join(order), str(samples), str(batch_s)]
            both.append(run_child("--child-turns", args, cache))
    for engine in good:
        times = [t[engine] for t in both if engine in t]
        rows[engine].turns_s = statistics.mean(times) if times else None
    return list(rows.values())


def fmt(seconds: float | None) -> str:
    """1.23 s, 45.6 ms, 7.89 µs, 850 ns."""
    if seconds is None:
        return "-"
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds * 1e9:.0f} ns"


def ratio(a: float | None, b: float | None) -> str:
    return "-" if a is None or not b else f"{a / b:.2f}x"


def table(case: Case, rows: list[Row]) -> str:
    by = {r.engine: r for r in rows}
    numpy, jax_ = by.get("numpy"), by.get("jax.jit")
    head = (
        "engine",
        "imports",
        "cold first",
        "warm first",
        "steady",
        "/numpy",
        "/jax.jit",
        "/peer",
    )
    lines = [
        f"\n{case.name}: {case.formula}",
        "  {:<16}{:>10}{:>12}{:>12}{:>11}{:>9}{:>9}{:>8}".format(*head),
    ]
    for r in rows:
        if r.error:
            lines.append(f"  {r.engine:<16}{r.error[:100]}")
            continue
        peer = by.get(PEER.get(r.engine, ""))
        cells = [
            fmt(r.imports_s),
            fmt(r.cold_s),
            fmt(r.warm_s),
            fmt(r.steady),
            ratio(r.steady, numpy.steady if numpy else None),
            ratio(r.steady, jax_.steady if jax_ else None),
            ratio(r.steady, peer.steady if peer else None),
        ]
        lines.append("  {:<16}{:>10}{:>12}{:>12}{:>11}{:>9}{:>9}{:>8}".format(r.engine, *cells))
    return "\n".join(lines)


# -- Numba's own floor ---------------------------------------------------------------------------
FLOOR = """
import json, sys, time
import numpy as np
start = time.perf_counter()
import numba
import_s = time.perf_counter() - start
sys.path.insert(0, sys.argv[1])
import tg_floor_trivial
start = time.perf_counter()
tg_floor_trivial.f(np.ones(3))
call_s = time.perf_counter() - start
hits = sum(tg_floor_trivial.f.stats.cache_hits.values())
print(json.dumps({"import_s": import_s, "call_s": call_s, "hits": hits}))
"""


def numba_floor(repeats: int) -> dict[str, float] | None:
    """What Numba alone needs for a warm first result in a fresh process: `import numba`
    and the first call of a trivial `@njit(cache=True)` function loaded from its cache."""
    runs = []
    with tempfile.TemporaryDirectory() as folder:
        with open(os.path.join(folder, "tg_floor_trivial.py"), "w") as fh:
            fh.write("import numba\n\n@numba.njit(cache=True)\ndef f(x):\n    return x + 1.0\n")
        for k in range(repeats + 1):  # the first run fills the cache
            cmd = [sys.executable, "-c", FLOOR, folder]
            env = _environment(folder)
            done = subprocess.run(cmd, capture_output=True, text=True, check=False, env=env)
            if done.returncode != 0:
                return None
            result = json.loads(done.stdout.strip().splitlines()[-1])
            if k and result["hits"]:
                runs.append(result)
    if not runs:
        return None
    return {key: statistics.median(r[key] for r in runs) for key in ("import_s", "call_s")}


# -- the issues' targets ---------------------------------------------------------------------------
Results = dict[str, dict[str, Row]]


def _get(results: Results, case: str, engine: str, field: str) -> float | None:
    row = results.get(case, {}).get(engine)
    return None if row is None or row.error else getattr(row, field)


def targets(results: Results) -> list[tuple[str, float | None, float | None, str]]:
    """(what, measured, limit, unit) for each target of issues 7, 8 and 9 measurable here."""
    out: list[tuple[str, float | None, float | None, str]] = []

    def versus(what: str, case: str, a: str, b: str, field: str, factor: float) -> None:
        x, y = _get(results, case, a, field), _get(results, case, b, field)
        out.append((f"{what} [{case}]", None if x is None or not y else x / y, factor, "x"))

    def absolute(what: str, case: str, engine: str, field: str, limit: float) -> None:
        out.append((f"{what} [{case}]", _get(results, case, engine, field), limit, "s"))

    for case in ("seed", "logreg", "chain", "hier"):
        versus("jax: first result / jax.jit", case, "tg[jax]", "jax.jit", "cold_s", 1.5)
        versus("jax: steady / jax.jit", case, "tg[jax]", "jax.jit", "steady", 1.1)
    for backend, peer, cold, warm in (("numba", "NUMBA", 0.5, 0.1), ("c", "CVM", 1 / 3, 0.05)):
        for case in ("elemwise", "logreg", "seed", "overhead", "hier"):
            engine, other = f"tg[{backend}]", f"pytensor[{peer}]"
            versus(f"{backend}: cold first / pytensor {peer}", case, engine, other, "cold_s", cold)
            absolute(f"{backend}: warm first", case, engine, "warm_s", warm)
            versus(f"{backend}: steady / pytensor {peer}", case, engine, other, "steady", 1.0)
    versus("numba: steady / jax.jit", "elemwise", "tg[numba]", "jax.jit", "steady", 1.5)
    absolute("numba: per-call overhead", "overhead", "tg[numba]", "steady", 3e-6)
    versus("c: steady / numpy", "matmul", "tg[c]", "numpy", "steady", 1.2)
    absolute("c: per-call overhead", "overhead", "tg[c]", "steady", 2e-6)
    return [t for t in out if t[1] is not None]


def target_report(results: Results) -> str:
    lines = ["\nTargets (issues 7, 8, 9):"]
    for what, got, limit, unit in targets(results):
        assert got is not None and limit is not None
        shown = f"{got:.2f}x <= {limit:.2f}x" if unit == "x" else f"{fmt(got)} <= {fmt(limit)}"
        lines.append(f"  {'met   ' if got <= limit else 'MISSED'} {what}: {shown}")
    for case, rows in results.items():
        row = rows.get("tg[numba]")
        if row is not None and row.warm_s is not None and row.imports_s is not None:
            lines.append(
                f"  (info) numba: warm first + imports [{case}]: {fmt(row.warm_s + row.imports_s)}"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--cases", default=",".join(BY_NAME), help="comma-separated")
    parser.add_argument(
        "--engines",
        default=",".join(e for e in ENGINES if e != "tg[python]"),
        help="comma-separated; c, numba, jax stand for tg[c], tg[numba], tg[jax]",
    )
    parser.add_argument("--repeats", type=int, default=3, help="cold+warm process pairs")
    parser.add_argument("--quick", action="store_true", help="one pair, short timing")
    parser.add_argument("--json", help="save the measurements here")
    parser.add_argument("--child-first", nargs=4, help=argparse.SUPPRESS)
    parser.add_argument("--child-turns", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    for flag, fn in ((args.child_first, child_first), (args.child_turns, child_turns)):
        if flag:
            case, what, samples, batch_s = flag
            what_arg: Any = what if fn is child_first else what.split(",")
            print(json.dumps(fn(case, what_arg, int(samples), float(batch_s))))
            return 0
    names = args.cases.split(",")
    wanted = [
        f"tg[{e}]" if e in ("c", "numba", "jax", "python") else e for e in args.engines.split(",")
    ]
    unknown = [n for n in names if n not in BY_NAME] + [e for e in wanted if e not in ENGINES]
    if unknown:
        print(f"unknown: {', '.join(unknown)}", file=sys.stderr)
        return 2
    if "numpy" not in wanted:
        wanted.insert(0, "numpy")
    engines = []
    for engine in wanted:
        reason = available(engine)
        if reason:
            print(f"{engine}: skipped ({reason})")
        else:
            engines.append(engine)
    repeats, samples, batch_s = (1, 3, 0.001) if args.quick else (args.repeats, 15, 0.005)
    results: Results = {}
    for name in names:
        rows = measure(name, engines, repeats, samples, batch_s)
        results[name] = {r.engine: r for r in rows}
        print(table(BY_NAME[name], rows), flush=True)
    print(target_report(results))
    floor = numba_floor(repeats) if "tg[numba]" in engines else None
    if floor:
        print(
            f"\nNumba's own warm floor: import numba {fmt(floor['import_s'])} + first cached call"
            f" of a trivial function {fmt(floor['call_s'])}"
        )
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(
                {c: {e: vars(r) for e, r in rows.items()} for c, rows in results.items()},
                fh,
                indent=1,
            )
    return 1 if any(r.error for rows in results.values() for r in rows.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
