"""The jax backend against plain `jax.jit` and PyTensor's JAX mode, side by side.

    hatch run bench:python benchmarks/jax_backend.py            # 3 fresh processes each
    hatch run bench:python benchmarks/jax_backend.py --quick    # checks that it runs
    hatch run python benchmarks/jax_backend.py --cases seed,chain --json out.json

For each case and engine, `--repeats` fresh Python processes each measure:

* **imports**: importing the engine (jax; jax and the tensorgraft packages the case
  uses: tensor, autodiff, the rewrites and the jax backend, whose per-op rules import
  jax.numpy lazily, when compiling; pytensor, which imports jax only when it compiles,
  so its first result includes that);
* **first result**: build the graph + rewrite + compile + the first call (for plain
  JAX: `jax.jit` + trace + XLA compile + the first call), after the imports;
* **steady**: the median time of one call once warm (batches of at least 5 ms).

The table shows the medians over the processes and their ratios to plain `jax.jit`.
`first cpu/jax` is the ratio of the CPU time (all threads) the first result took: on a
busy machine wall times swing by 2x from one process to the next, CPU time much less.
Every engine takes NumPy arrays and returns NumPy arrays (plain JAX: `np.asarray` of its
result), and its first result is checked against a NumPy reference before it is timed.
float64 throughout: plain JAX runs with `jax_enable_x64`; tensorgraft leaves the global
flag alone and enables x64 around its own calls (see packages/compile-jax/README.md).
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

ENGINES = ("tensorgraft[jax]", "jax.jit", "pytensor[JAX]")


# -- the cases: one expression per case, written against a NumPy-like namespace `m` -------------
@dataclass(frozen=True)
class Case:
    name: str
    formula: str
    inputs: Callable[[np.random.Generator], dict[str, np.ndarray]]
    expr: Callable[..., Any]  # expr(m, **arrays) -> scalar to differentiate, or the output
    wrt: tuple[str, ...]  # inputs to differentiate by ("" : no gradient)
    reference: Callable[..., list[np.ndarray]]  # NumPy: [value, *gradients]


def _seed(m: Any, x: Any) -> Any:
    z = m.exp(m.sin(x))
    return m.cos((z[None, :] @ z[:, None]).squeeze())


def _seed_ref(x: np.ndarray) -> list[np.ndarray]:
    z = np.exp(np.sin(x))
    return [np.cos(z @ z)]


def _logreg(m: Any, X: Any, w: Any, y: Any) -> Any:
    return m.log1p(m.exp(-y * (X @ w))).sum()


def _logreg_ref(X: np.ndarray, w: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
    t = -y * (X @ w)
    return [np.log1p(np.exp(t)).sum(), X.T @ (-y / (1 + np.exp(-t)))]


CHAIN = 200


def _chain(m: Any, x: Any) -> Any:
    steps = (m.sin, lambda v: v * 0.9, m.cos, lambda v: v + 0.1, m.tanh, lambda v: v * 1.1)
    y = x
    for k in range(CHAIN):
        y = steps[k % len(steps)](y)
    return y


def _chain_ref(x: np.ndarray) -> list[np.ndarray]:
    return [_chain(np, x)]


def _hier(m: Any, mu: Any, log_tau: Any, theta_raw: Any, y: Any, sigma: Any, g: Any) -> Any:
    # Non-centred hierarchical normal model: theta_j = mu + tau * theta_raw_j.
    theta = mu + m.exp(log_tau) * theta_raw
    resid = (y - theta[g]) / sigma
    prior = -0.5 * (mu / 5.0) ** 2 - 0.5 * log_tau**2 - 0.5 * (theta_raw**2).sum()
    return prior - 0.5 * (resid**2).sum()


def _hier_ref(mu: Any, log_tau: Any, theta_raw: Any, y: Any, sigma: Any, g: Any) -> list[Any]:
    tau = np.exp(log_tau)
    r = (y - (mu + tau * theta_raw)[g]) / sigma**2
    per_group = np.bincount(g, r, minlength=theta_raw.size)
    return [
        _hier(np, mu, log_tau, theta_raw, y, sigma, g),
        -mu / 25.0 + r.sum(),
        -log_tau + tau * (theta_raw[g] * r).sum(),
        -theta_raw + tau * per_group,
    ]


def _hier_inputs(rng: np.random.Generator) -> dict[str, np.ndarray]:
    groups, n = 50, 2000
    return {
        "mu": np.asarray(1.0),
        "log_tau": np.asarray(0.3),
        "theta_raw": rng.normal(size=groups),
        "y": rng.normal(2.0, 3.0, size=n),
        "sigma": rng.uniform(1.0, 3.0, size=n),
        "g": rng.integers(0, groups, size=n),
    }


CASES = {
    c.name: c
    for c in [
        Case(
            "seed",
            "cos((z[None, :] @ z[:, None]).squeeze()), z = exp(sin(x)); x: 1000",
            lambda rng: {"x": rng.normal(size=1000)},
            _seed,
            (),
            _seed_ref,
        ),
        Case(
            "logreg",
            "sum(log1p(exp(-y * (X @ w)))) and its gradient in w; X: 1000x20",
            lambda rng: {
                "X": rng.normal(size=(1000, 20)),
                "w": rng.normal(size=20) / np.sqrt(20),
                "y": rng.choice([-1.0, 1.0], size=1000),
            },
            _logreg,
            ("w",),
            _logreg_ref,
        ),
        Case(
            "chain",
            f"{CHAIN} elementwise ops (sin, *0.9, cos, +0.1, tanh, *1.1, ...); x: 1e5",
            lambda rng: {"x": rng.normal(size=100_000)},
            _chain,
            (),
            _chain_ref,
        ),
        Case(
            "hier",
            "hierarchical normal log-density and its gradient; 50 groups, 2000 points",
            _hier_inputs,
            _hier,
            ("mu", "log_tau", "theta_raw"),
            _hier_ref,
        ),
    ]
}


# -- one engine on one case, in this (fresh) process ----------------------------------------------
def _tensorgraft(case: Case, arrays: dict[str, np.ndarray]) -> Callable[[], list[Any]]:
    import tensorgraft.tensor as tt
    from tensorgraft.compile import function
    from tensorgraft.compile_jax import backend

    xs = {k: tt.tensor(k, shape=(None,) * a.ndim, dtype=a.dtype) for k, a in arrays.items()}
    out = case.expr(tt, **xs)
    outs = [out]
    if case.wrt:
        from tensorgraft.autodiff import grad

        outs += grad(out, [xs[k] for k in case.wrt])
    f = function(list(xs.values()), outs, mode=backend)
    args = list(arrays.values())
    return lambda: f(*args)


def _jax(case: Case, arrays: dict[str, np.ndarray]) -> Callable[[], list[Any]]:
    import jax
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", True)
    names = list(arrays)

    def fn(*xs: Any) -> Any:
        return case.expr(jnp, **dict(zip(names, xs, strict=True)))

    if case.wrt:
        argnums = tuple(names.index(k) for k in case.wrt)
        value_and_grad = jax.value_and_grad(fn, argnums=argnums)

        def fn_all(*xs: Any) -> Any:
            value, grads = value_and_grad(*xs)
            return [value, *grads]

        jitted = jax.jit(fn_all)
    else:
        jitted = jax.jit(lambda *xs: [fn(*xs)])
    args = list(arrays.values())
    return lambda: [np.asarray(r) for r in jitted(*args)]


def _pytensor(case: Case, arrays: dict[str, np.ndarray]) -> Callable[[], list[Any]]:
    import pytensor
    import pytensor.tensor as pt

    xs = {k: pt.tensor(k, shape=(None,) * a.ndim, dtype=str(a.dtype)) for k, a in arrays.items()}
    out = case.expr(pt, **xs)
    outs = [out]
    if case.wrt:
        outs += pytensor.grad(out, [xs[k] for k in case.wrt])
    f = pytensor.function(list(xs.values()), outs, mode="JAX")
    args = list(arrays.values())
    # PyTensor's JAX mode returns JAX arrays, computed asynchronously: wait for NumPy's.
    return lambda: [np.asarray(r) for r in f(*args)]


SETUPS = {"tensorgraft[jax]": _tensorgraft, "jax.jit": _jax, "pytensor[JAX]": _pytensor}


def steady_state(call: Callable[[], Any], budget_s: float, batch_s: float = 0.005) -> float:
    """The median per-call time (s) over timed batches of at least `batch_s`, after warm-up."""
    for _ in range(5):
        call()
    number = 1
    while True:  # calibrate the batch size
        start = time.perf_counter()
        for _ in range(number):
            call()
        if time.perf_counter() - start >= batch_s:
            break
        number *= 2
    samples: list[float] = []
    deadline = time.perf_counter() + budget_s
    gc.disable()
    try:
        while len(samples) < 3 or (len(samples) < 31 and time.perf_counter() < deadline):
            start = time.perf_counter()
            for _ in range(number):
                call()
            samples.append((time.perf_counter() - start) / number)
    finally:
        gc.enable()
    return statistics.median(samples)


def child(case_name: str, engine: str, budget_s: float) -> dict[str, Any]:
    """Run one engine on one case in this process and measure it."""
    case = CASES[case_name]
    arrays = case.inputs(np.random.default_rng(0))
    start = time.perf_counter()
    if engine == "jax.jit":
        import jax
    elif engine == "tensorgraft[jax]":
        import jax  # noqa: F401

        import tensorgraft.autodiff
        import tensorgraft.compile_jax
        import tensorgraft.rewrite
        import tensorgraft.tensor  # noqa: F401
    else:
        import pytensor  # noqa: F401
    imports_s = time.perf_counter() - start
    start, start_cpu = time.perf_counter(), time.process_time()
    call = SETUPS[engine](case, arrays)
    first = call()
    first_s = time.perf_counter() - start
    first_cpu_s = time.process_time() - start_cpu
    expected = case.reference(**arrays)
    ok = len(first) == len(expected) and all(
        np.allclose(np.asarray(g), e, rtol=1e-8, atol=1e-10)
        for g, e in zip(first, expected, strict=True)
    )
    steady_s = steady_state(call, budget_s) if ok else None
    return {
        "imports_s": imports_s,
        "first_s": first_s,
        "first_cpu_s": first_cpu_s,
        "steady_s": steady_s,
        "ok": ok,
    }


# -- the parent: fresh processes, medians, ratios ------------------------------------------------
def available(engine: str) -> bool:
    import importlib.util

    module = {"tensorgraft[jax]": "tensorgraft.compile_jax", "jax.jit": "jax"}.get(
        engine, "pytensor"
    )
    try:
        return (
            importlib.util.find_spec(module) is not None
            and importlib.util.find_spec("jax") is not None
        )
    except ModuleNotFoundError:
        return False


def run_fresh(case: str, engine: str, budget_s: float) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--child", case, engine, "--budget", str(budget_s)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "?"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _fmt(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", default=",".join(CASES))
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--repeats", type=int, default=3, help="fresh processes per engine")
    parser.add_argument("--quick", action="store_true", help="1 process, short timing")
    parser.add_argument("--json", help="save every measurement here")
    parser.add_argument("--child", nargs=2, metavar=("CASE", "ENGINE"), help=argparse.SUPPRESS)
    parser.add_argument("--budget", type=float, default=2.0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(*args.child, args.budget)))
        return 0
    repeats, budget = (1, 0.1) if args.quick else (args.repeats, 2.0)
    results: dict[str, dict[str, Any]] = {}
    status = 0
    for name in args.cases.split(","):
        case = CASES[name]
        print(f"\n{name}: {case.formula}")
        header = (
            "engine",
            "imports",
            "first result",
            "steady",
            "first/jax",
            "steady/jax",
            "first cpu/jax",
        )
        print("  {:<18} {:>9} {:>13} {:>10} {:>10} {:>11} {:>14}".format(*header))
        rows: dict[str, dict[str, Any]] = {}
        engines = [e for e in args.engines.split(",") if available(e)]
        rows.update({e: {"status": "not installed"} for e in args.engines.split(",")})
        # Round-robin over the engines, so that they share the machine's load alike.
        runs: dict[str, list[dict[str, Any]]] = {e: [] for e in engines}
        for _ in range(repeats):
            for engine in engines:
                runs[engine].append(run_fresh(name, engine, budget))
        for engine in engines:
            bad = [r for r in runs[engine] if "error" in r or not r["ok"]]
            if bad:
                rows[engine] = {"status": bad[0].get("error", "wrong result"), "runs": runs}
                status = 1
                continue
            rows[engine] = {
                "status": "ok",
                "first_s": statistics.median(r["first_s"] for r in runs[engine]),
                "first_cpu_s": statistics.median(r["first_cpu_s"] for r in runs[engine]),
                "steady_s": statistics.median(r["steady_s"] for r in runs[engine]),
                "imports_s": statistics.median(r["imports_s"] for r in runs[engine]),
                "runs": runs[engine],
            }
        ref = rows.get("jax.jit", {})
        for engine, row in rows.items():
            if row["status"] != "ok":
                print(f"  {engine:<18} {row['status']}")
                continue
            if ref.get("status") == "ok":
                row["first_vs_jax"] = row["first_s"] / ref["first_s"]
                row["steady_vs_jax"] = row["steady_s"] / ref["steady_s"]
                row["first_cpu_vs_jax"] = row["first_cpu_s"] / ref["first_cpu_s"]
            print(
                f"  {engine:<18} {_fmt(row['imports_s']):>9} {_fmt(row['first_s']):>13} "
                f"{_fmt(row['steady_s']):>10} "
                f"{row.get('first_vs_jax', float('nan')):>10.2f} "
                f"{row.get('steady_vs_jax', float('nan')):>11.2f} "
                f"{row.get('first_cpu_vs_jax', float('nan')):>14.2f}"
            )
        results[name] = rows
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"repeats": repeats, "results": results}, fh, indent=1)
    return status


if __name__ == "__main__":
    sys.exit(main())
