"""How rewrite time grows with graph size: tensorgraft's default pipeline vs PyTensor.

    hatch run bench:python benchmarks/rewrite_scaling.py [--sizes 1000,10000,100000]

The graph is a deterministic mix of elementwise expressions, sums and broadcasting,
including the forms the rules rewrite (`log(1 + x)`, `x * 1`, `exp(x) - 1`, `x ** 2`,
`1 / (1 + exp(-x))`, ...), written once against a NumPy-like namespace so that
tensorgraft and PyTensor rewrite the very same graph. Prints, per size, the medians of
the wall-clock and CPU time of tensorgraft's default pipeline (merge, canonicalize,
stabilize, specialize, fusion), its CPU time per node and how that grew since the
previous size (1.0x is linear; CPU time is steadier than wall time on a busy machine);
and PyTensor's `rewrite_graph` with canonicalize, stabilize and specialize where pytensor
is importable (only up to --pytensor-max nodes: it grows much faster than linearly),
with its ratio to tensorgraft's wall time.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
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


def time_tensorgraft(n_steps: int, repeats: int) -> tuple[int, list[float], list[float]]:
    """Nodes of the graph, and wall-clock and CPU seconds of each run of the pipeline."""
    from tensorgraft.rewrite import default_pipeline

    wall, cpu = [], []
    n_nodes = 0
    for _ in range(repeats):
        fgraph, n_nodes = tensorgraft_case(n_steps)
        gc.collect()
        start, start_cpu = time.perf_counter(), time.process_time()
        default_pipeline(fgraph, exclude=("inplace",))
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return n_nodes, wall, cpu


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


@dataclass
class Row:
    """One size: medians of tensorgraft's wall and CPU time, PyTensor's (None if not run)."""

    nodes: int
    wall: float
    cpu: float
    pytensor: float | None

    @property
    def per_node_us(self) -> float:
        return self.cpu / self.nodes * 1e6


def measure(sizes: list[int], repeats: int, pytensor_max: int) -> list[Row]:
    """Time the pipeline on graphs of about `sizes` nodes (fewer repeats beyond 10k)."""
    _, per_step_nodes = tensorgraft_case(60)  # nodes per step, measured on a small graph
    per_step = per_step_nodes / 60
    rows = []
    for size in sizes:
        n_steps = max(1, round(size / per_step))
        reps = repeats if size <= 10_000 else max(1, repeats // 3)
        n_nodes, wall, cpu = time_tensorgraft(n_steps, reps)
        pyt = time_pytensor(n_steps, 1) if size <= pytensor_max else None
        rows.append(
            Row(
                n_nodes,
                statistics.median(wall),
                statistics.median(cpu),
                statistics.median(pyt) if pyt else None,
            )
        )
    return rows


def report(rows: list[Row]) -> str:
    """A table: medians, cost per node, growth against the previous size, PyTensor."""
    lines = [
        f"{'nodes':>8} {'wall':>9} {'cpu':>9} {'cpu/node':>9} {'growth':>7} "
        f"{'pytensor':>9} {'pytensor/tg':>11}"
    ]
    for k, r in enumerate(rows):
        # Growth: how much the time per node grew since the previous size (1.0 = linear).
        growth = f"{r.per_node_us / rows[k - 1].per_node_us:6.2f}x" if k else f"{'-':>7}"
        pyt = f"{r.pytensor:8.3f}s" if r.pytensor is not None else f"{'-':>9}"
        ratio = f"{r.pytensor / r.wall:10.1f}x" if r.pytensor is not None else f"{'-':>11}"
        lines.append(
            f"{r.nodes:8d} {r.wall:8.3f}s {r.cpu:8.3f}s {r.per_node_us:7.1f}us {growth} "
            f"{pyt} {ratio}"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="approximate node counts")
    parser.add_argument("--repeats", type=int, default=5, help="runs per size (median)")
    parser.add_argument("--pytensor-max", type=int, default=3000, help="largest size for PyTensor")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(report(measure(sizes, args.repeats, args.pytensor_max)))


if __name__ == "__main__":
    main()
