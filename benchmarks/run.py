"""Side-by-side benchmarks: tensorgraft on every installed backend, NumPy, JAX, PyTensor.

    hatch run bench:run                   # every case, full timing (well under a minute)
    hatch run bench:run --quick           # few repeats (the smoke test uses this)
    hatch run bench:run --cases seed,logreg --json results.json

Per case and engine: graph build, compile, first call, time to first result (their sum)
and the steady-state call time (median over many timed batches, after warm-up), with
its ratio to NumPy's and JAX's. Each engine's first result is checked against NumPy's
(np.allclose) before it is timed; a wrong or failing engine is reported, not timed, and
makes the run exit with status 1. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import numpy as np
from cases import BY_NAME, Case, same
from engines import Engine, engines


@dataclass(frozen=True)
class Settings:
    build_repeats: int  # fresh graph builds (median)
    warmup: int  # untimed calls before the steady-state samples
    samples: int  # timed batches at most (median of their per-call times)
    batch_ns: int  # a batch repeats the call until it lasts at least this long
    budget_ns: int  # stop sampling after this much time (at least 3 samples)


FULL = Settings(build_repeats=5, warmup=5, samples=31, batch_ns=5_000_000, budget_ns=3 * 10**9)
QUICK = Settings(build_repeats=1, warmup=1, samples=3, batch_ns=200_000, budget_ns=10**8)


@dataclass
class Result:
    case: str
    engine: str
    status: str = "ok"  # ok | wrong | error | unavailable
    detail: str = ""
    build_ns: int | None = None
    compile_ns: int | None = None
    first_call_ns: int | None = None
    first_result_ns: int | None = None
    steady_ns: float | None = None  # median per-call time
    calls_per_sample: int = 0
    samples_ns: list[float] = field(default_factory=list)
    vs_numpy: float | None = None
    vs_jax: float | None = None


# -- timing ----------------------------------------------------------------------------------
def _batch(call: Callable[[], Any], number: int) -> int:
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        start = time.perf_counter_ns()
        for _ in range(number):
            call()
        return time.perf_counter_ns() - start
    finally:
        if gc_was_enabled:
            gc.enable()


def steady_state(call: Callable[[], Any], s: Settings) -> tuple[float, int, list[float]]:
    """Median per-call time (ns), calls per batch, and every batch's per-call time."""
    for _ in range(s.warmup):
        call()
    number = 1
    while (t := _batch(call, number)) < s.batch_ns and number < 10**6:
        # Grow the batch towards batch_ns (x10 at most per step).
        number = min(number * 10, max(number + 1, int(number * 1.2 * s.batch_ns / max(t, 1))))
    per_call = [t / number]
    deadline = time.perf_counter_ns() + s.budget_ns
    while len(per_call) < s.samples and (len(per_call) < 3 or time.perf_counter_ns() < deadline):
        per_call.append(_batch(call, number) / number)
    return statistics.median(per_call), number, per_call


def run_case(case: Case, engine_list: Sequence[Engine], s: Settings) -> list[Result]:
    arrays = case.inputs(np.random.default_rng(0))
    reference = case.reference(arrays)
    results = []
    for engine in engine_list:
        r = Result(case.name, engine.name)
        results.append(r)
        if engine.unavailable is not None:
            r.status, r.detail = "unavailable", engine.unavailable
            continue
        try:
            setup = engine.setup(case, arrays, s.build_repeats)
        except Exception as err:
            r.status, r.detail = "error", f"{type(err).__name__}: {err}".splitlines()[0]
            continue
        r.build_ns, r.compile_ns, r.first_call_ns = (
            setup.build_ns,
            setup.compile_ns,
            setup.first_call_ns,
        )
        r.first_result_ns = sum(t for t in (r.build_ns, r.compile_ns, r.first_call_ns) if t)
        if not same(setup.first_value, reference):
            r.status = "wrong"
            r.detail = f"result differs from NumPy's: {setup.first_value!r}"[:120]
            continue
        r.steady_ns, r.calls_per_sample, r.samples_ns = steady_state(setup.call, s)
    numpy_ns = _steady_of(results, "numpy")
    jax_ns = _steady_of(results, "jax")
    for r in results:
        if r.steady_ns is not None:
            r.vs_numpy = r.steady_ns / numpy_ns if numpy_ns else None
            r.vs_jax = r.steady_ns / jax_ns if jax_ns else None
    return results


def _steady_of(results: Sequence[Result], prefix: str) -> float | None:
    return next((r.steady_ns for r in results if r.engine.startswith(prefix) and r.steady_ns), None)


# -- output ----------------------------------------------------------------------------------
def fmt_time(ns: float | None) -> str:
    """850 ns, 12.3 µs, 4.56 ms, 1.23 s."""
    if ns is None:
        return "—"
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            v = ns / scale
            return f"{v:.3g} {unit}" if v < 100 else f"{v:.0f} {unit}"
    return f"{ns:.0f} ns"


def _fmt_ratio(x: float | None) -> str:
    return "—" if x is None else f"{x:.2f}x" if x < 100 else f"{x:.0f}x"


TIMES = ("build", "compile", "first call", "first result", "steady")
COLUMNS = ("engine", *TIMES, "vs numpy", "vs jax")


def table(case: Case, results: Sequence[Result], with_jax: bool) -> str:
    columns = COLUMNS if with_jax else COLUMNS[:-1]
    rows = []
    for r in results:
        if r.status != "ok":
            rows.append([r.engine, f"{r.status}: {r.detail}"])
            continue
        row = [r.engine, *(fmt_time(t) for t in (r.build_ns, r.compile_ns, r.first_call_ns))]
        row += [fmt_time(r.first_result_ns), fmt_time(r.steady_ns), _fmt_ratio(r.vs_numpy)]
        if with_jax:
            row.append(_fmt_ratio(r.vs_jax))
        rows.append(row)
    name_w = max(len(columns[0]), *(len(row[0]) for row in rows))
    widths = [name_w, *(max(len(c), 9) for c in columns[1:])]

    def line(cells: Sequence[str]) -> str:
        if len(cells) == 2 and len(columns) > 2:  # a status message spans the timing columns
            return f"{cells[0]:<{name_w}}  {cells[1]}"
        return "  ".join(
            f"{c:<{w}}" if k == 0 else f"{c:>{w}}"
            for k, (c, w) in enumerate(zip(cells, widths, strict=True))
        )

    head = f"{case.name}: {case.formula}" + (f"  [{case.note}]" if case.note else "")
    rule = "-" * len(line(columns))
    return "\n".join([head, line(columns), rule, *(line(row) for row in rows)])


def _version(dist: str) -> str:
    try:
        return version(dist)
    except PackageNotFoundError:
        return "not installed"


def environment() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "numpy": np.__version__,
        "tensorgraft-graph": _version("tensorgraft-graph"),
        "jax": _version("jax"),
        "pytensor": _version("pytensor"),
    }


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--quick", action="store_true", help="few repeats: a smoke run, not numbers")
    p.add_argument("--cases", help=f"comma-separated, from: {', '.join(BY_NAME)} (default: all)")
    p.add_argument(
        "--engines",
        help="comma-separated name prefixes: numpy, tensorgraft, jax, pytensor (default: all)",
    )
    p.add_argument("--json", metavar="PATH", help="also save every result and sample as JSON")
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    names = args.cases.split(",") if args.cases else list(BY_NAME)
    unknown = [n for n in names if n not in BY_NAME]
    if unknown:
        print(f"unknown case {', '.join(unknown)}; cases: {', '.join(BY_NAME)}", file=sys.stderr)
        return 2
    engine_list = engines()
    if args.engines:
        wanted = tuple(args.engines.split(","))
        engine_list = [e for e in engine_list if e.name == "numpy" or e.name.startswith(wanted)]
    settings = QUICK if args.quick else FULL
    env = environment()
    print(", ".join(f"{k} {v}" for k, v in env.items()))
    print(f"engines: {', '.join(e.name for e in engine_list)}; times are medians, see README")
    with_jax = any(e.name.startswith("jax") and e.unavailable is None for e in engine_list)
    results: list[Result] = []
    for name in names:
        case_results = run_case(BY_NAME[name], engine_list, settings)
        results += case_results
        print()
        print(table(BY_NAME[name], case_results, with_jax), flush=True)
    if args.json:
        with open(args.json, "w") as fh:
            data = {"environment": env, "quick": args.quick, "settings": asdict(settings)}
            json.dump({**data, "results": [asdict(r) for r in results]}, fh, indent=1)
    failed = [r for r in results if r.status in ("wrong", "error")]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
