"""How rewrite time grows with graph size: tensorgraft's default pipeline vs PyTensor.

    hatch run bench:python benchmarks/rewrite_scaling.py [--sizes 1000,10000,100000]

The graph is a deterministic mix of elementwise expressions, sums and broadcasting,
including the forms the rules rewrite (`log(1 + x)`, `x * 1`, `exp(x) - 1`, `x ** 2`,
`1 / (1 + exp(-x))`, ...), written once against a NumPy-like namespace so that
tensorgraft and PyTensor rewrite the very same graph. Prints, per size, the median time
of tensorgraft's default pipeline (merge, canonicalize, stabilize, specialize, fusion)
and its time per node; and PyTensor's `rewrite_graph` with canonicalize, stabilize and
specialize where pytensor is importable (only up to --pytensor-max nodes: it grows
much faster than linearly).
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from collections.abc import Callable
from typing import Any

# Expressions applied in turn: each takes the two latest values and the module `m`.
STEPS: list[Callable[[Any, Any, Any], Any]] = [
    lambda m, a, b: m.log(1 + m.exp(a)) * 1,
    lambda m, a, b: m.tanh(a * b + 0),
    lambda m, a, b: (m.exp(a) - 1) / (1 + b**2),
    lambda m, a, b: 1 / (1 + m.exp(-a)) + m.sin(b) * 2 * 3,
    lambda m, a, b: m.sqrt(1 + a**2) - m.tanh(b),
    lambda m, a, b: m.log(1 + m.sum(m.sqr(a), axis=0, keepdims=True)) + b,
]


def build(m: Any, x: Any, y: Any, n_steps: int) -> Any:
    """The benchmark graph on inputs `x`, `y` with `n_steps` expressions."""
    a, b = x, y
    for k in range(n_steps):
        a, b = STEPS[k % len(STEPS)](m, a, b), a
    return a


def tensorgraft_case(n_steps: int) -> tuple[Any, int]:
    import tensorgraft.tensor as tt
    from tensorgraft.graph import FunctionGraph

    x, y = tt.matrix("x"), tt.matrix("y")
    fgraph = FunctionGraph([x, y], [build(tt, x, y, n_steps)], clone=False)
    return fgraph, len(fgraph.apply_nodes)


def time_tensorgraft(n_steps: int, repeats: int) -> tuple[int, list[float]]:
    from tensorgraft.rewrite import default_pipeline

    samples = []
    n_nodes = 0
    for _ in range(repeats):
        fgraph, n_nodes = tensorgraft_case(n_steps)
        gc.collect()
        start = time.perf_counter()
        default_pipeline(fgraph, exclude=("inplace",))
        samples.append(time.perf_counter() - start)
    return n_nodes, samples


def time_pytensor(n_steps: int, repeats: int) -> list[float] | None:
    try:
        import pytensor.tensor as pt
        from pytensor.graph.rewriting.utils import rewrite_graph
    except ImportError:
        return None

    class Namespace:
        log, exp, tanh, sin, sqrt, sqr, sum = (
            pt.log,
            pt.exp,
            pt.tanh,
            pt.sin,
            pt.sqrt,
            pt.sqr,
            pt.sum,
        )

    samples = []
    for _ in range(repeats):
        x, y = pt.matrix("x"), pt.matrix("y")
        out = build(Namespace, x, y, n_steps)
        gc.collect()
        start = time.perf_counter()
        rewrite_graph(out, include=("canonicalize", "stabilize", "specialize"))
        samples.append(time.perf_counter() - start)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="approximate node counts")
    parser.add_argument("--repeats", type=int, default=5, help="runs per size (median)")
    parser.add_argument("--pytensor-max", type=int, default=3000, help="largest size for PyTensor")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    # Nodes per step, measured on a small graph.
    _, per_step_nodes = tensorgraft_case(60)
    per_step = per_step_nodes / 60
    print(f"{'nodes':>8} {'tensorgraft':>12} {'per node':>10} {'pytensor':>10}")
    for size in sizes:
        n_steps = max(1, round(size / per_step))
        repeats = args.repeats if size <= 10_000 else max(1, args.repeats // 3)
        n_nodes, samples = time_tensorgraft(n_steps, repeats)
        tg = statistics.median(samples)
        pyt = time_pytensor(n_steps, 1) if size <= args.pytensor_max else None
        pyt_text = f"{statistics.median(pyt):9.3f}s" if pyt else "-"
        print(f"{n_nodes:8d} {tg:11.3f}s {tg / n_nodes * 1e6:8.1f}us {pyt_text:>10}")


if __name__ == "__main__":
    main()
