"""A bounded smoke test of benchmarks/rewrite_scaling.py: small sizes, loose bounds."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from tensorgraft.rewrite import default_pipeline
from tensorgraft.rewrite.testing import evaluate

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "rewrite_scaling.py"


def _benchmark() -> ModuleType:
    spec = importlib.util.spec_from_file_location("rewrite_scaling", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look the module up by name
    spec.loader.exec_module(module)
    return module


def test_benchmark_graph_keeps_its_values() -> None:
    bench = _benchmark()
    fgraph, n_nodes = bench.tensorgraft_case(12)
    before = list(fgraph.outputs)
    default_pipeline(fgraph, exclude=("inplace",))
    assert len(fgraph.apply_nodes) < n_nodes
    rng = np.random.default_rng(0)
    values = {v: rng.uniform(-1, 1, (3, 4)) for v in fgraph.inputs}
    want = evaluate(before, values)[0]
    got = evaluate(fgraph.outputs, values)[0]
    assert np.isfinite(want).all()
    np.testing.assert_allclose(got, want, rtol=1e-10)


def test_benchmark_runs_and_grows_about_linearly() -> None:
    bench = _benchmark()
    rows = bench.measure([400, 1600], repeats=3, pytensor_max=0)
    table = bench.report(rows)
    assert len(table.splitlines()) == 3 and "growth" in table
    small, large = rows
    assert 300 < small.nodes < 500 and 1400 < large.nodes < 1800
    # CPU time per node may not grow much with 4x the nodes (1.0 is linear); loose for CI.
    assert large.per_node_us < 3 * small.per_node_us


def test_gradient_graph_rewrites_in_about_linear_time() -> None:
    # Gradient graphs carry deep shape graphs (switch(len == 1, ...) per broadcast): a
    # rule that walks them (as the shape helpers of tensor/shape.py do) made this hang.
    import time

    import tensorgraft.tensor as tt

    grad = pytest.importorskip("tensorgraft.autodiff").grad  # not in the rewrite-only stage
    from tensorgraft.graph import FunctionGraph

    def case(n: int) -> tuple[FunctionGraph, list[object], float]:
        x, y = tt.matrix("x"), tt.matrix("y")
        a, b = x, y
        for k in range(n):
            if k % 3 == 0:
                a, b = tt.log1p(tt.exp(a)) * b, a
            elif k % 3 == 1:
                a, b = tt.tanh(a + b) / (1 + b**2), a
            else:
                a, b = tt.sum(a, axis=0, keepdims=True) * tt.reshape(b, b.shape), a
        outs = grad(tt.sum(a), [x, y])
        fgraph = FunctionGraph([x, y], outs, clone=False)
        start = time.process_time()
        default_pipeline(fgraph, exclude=("inplace",))
        return fgraph, outs, time.process_time() - start

    small = case(15)[2]
    fgraph, outs, large = case(60)
    assert large < 10 * small + 0.5  # 4x the graph: about 4x the time, loosely
    rng = np.random.default_rng(0)
    values = [rng.uniform(0, 0.1, (2, 3)) for _ in fgraph.inputs]
    want = evaluate(outs, dict(zip(fgraph.inputs, values, strict=True)))  # type: ignore[arg-type]
    got = evaluate(fgraph.outputs, dict(zip(fgraph.inputs, values, strict=True)))
    for w, g in zip(want, got, strict=True):
        np.testing.assert_allclose(g, w, rtol=1e-8)
