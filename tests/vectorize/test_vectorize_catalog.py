"""Every op of the catalog, batched: coverage of the rule table, and the vectorized graph
on a batch against the core graph on each batch element, stacked."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest

import tensorgraft.tensor as tt
from tensorgraft.compile import function
from tensorgraft.graph.basic import Variable
from tensorgraft.tensor import catalog
from tensorgraft.vectorize import catalog_coverage, vectorize_graph

Batch = tuple[int, ...]


def test_every_catalog_op_has_a_rule_or_an_accepted_fallback() -> None:
    table = catalog_coverage()
    assert sorted(table) == sorted(t.__name__ for t in catalog.catalog_op_types())
    missing = sorted(name for name, how in table.items() if how is None)
    assert not missing, f"ops with no vectorize rule and no declared Blockwise fallback: {missing}"
    assert table["Elemwise"] == "tensorgraft.vectorize.rules.elemwise._elemwise"
    assert table["Dot"] == "tensorgraft.vectorize.core.blockwise_rule"
    assert table["Add"] == "through Elemwise"


# -- the sweep ---------------------------------------------------------------------------------
# Batch shapes given to the batched inputs, in turn (cycled), and whether the batched
# variables know their batch lengths statically.
SPECS: dict[str, tuple[list[Batch], bool]] = {
    "batch3": ([(3,)], False),
    "batch2x2_static": ([(2, 2)], True),
    "broadcast": ([(2, 1), (3,)], True),
    "broadcast_unknown": ([(1, 3), (2, 1)], False),
}
# Which inputs get batch dimensions.
WHICH = ("all", "first", "last")
# Every case runs with every spec; the cross product with WHICH is sampled: the choice of
# inputs rotates with the spec and the case, so each case sees all three choices.
SWEEP = [
    pytest.param(op_case, spec, WHICH[(k + s) % len(WHICH)], id=f"{op_case}-{spec}")
    for k, op_case in enumerate(catalog.CASES)
    for s, spec in enumerate(sorted(SPECS))
]


def _values(op_case: catalog.OpCase, batch: Batch, k: int) -> np.ndarray | None:
    """Values of input `k` for every element of `batch`, each from its own build."""
    n = math.prod(batch)
    per_element = [np.asarray(op_case.build(np.random.default_rng(s))[2][k]) for s in range(n)]
    if len({(v.shape, v.dtype) for v in per_element}) > 1:
        return None  # the case draws shapes at random: nothing to stack
    core = per_element[0]
    return np.stack(per_element).reshape(batch + core.shape) if n else None


def _batched_variable(core: Variable, batch: Batch, static: bool) -> Variable:
    lengths = batch if static else (None,) * len(batch)
    return tt.tensor(f"{core.name}_batch", shape=lengths + core.type.shape, dtype=core.type.dtype)  # type: ignore[attr-defined]


class Ragged(Exception):
    """The core results of the batch elements differ in shape: they do not stack."""


def _stack_reference(
    fn: Any, values: Sequence[np.ndarray], batches: Sequence[Batch], batch: Batch
) -> list[np.ndarray]:
    """The core function on each batch element (inputs broadcast over `batch`), stacked."""
    full = [
        np.broadcast_to(v, batch + v.shape[len(b) :]) for v, b in zip(values, batches, strict=True)
    ]
    per_element = [fn(*[v[idx] for v in full]) for idx in np.ndindex(*batch)]
    for k in range(len(per_element[0])):
        if len({np.shape(outs[k]) for outs in per_element}) > 1:
            raise Ragged(f"output {k} has a different shape for some batch elements")
    return [
        np.stack([np.asarray(outs[k]) for outs in per_element]).reshape(
            batch + np.shape(per_element[0][k])
        )
        for k in range(len(per_element[0]))
    ]


@pytest.mark.parametrize(("op_case", "spec", "which"), SWEEP)
def test_vectorized_case_equals_stacked_core_results(
    op_case: catalog.OpCase, spec: str, which: str
) -> None:
    inputs, outputs, core_values = op_case.build(np.random.default_rng(0))
    if not inputs:
        pytest.skip("the case has no inputs to batch")
    chosen = {"all": range(len(inputs)), "first": [0], "last": [len(inputs) - 1]}[which]
    shapes, static = SPECS[spec]
    batches: list[Batch] = []
    values: list[np.ndarray] = []
    replace: dict[Variable, Variable] = {}
    new_inputs: list[Variable] = []
    for k, inp in enumerate(inputs):
        batch = shapes[len(replace) % len(shapes)] if k in chosen else ()
        vals = _values(op_case, batch, k) if batch else np.asarray(core_values[k])
        if vals is None:
            pytest.skip("the case's input shapes vary between builds")
        if batch:
            replace[inp] = _batched_variable(inp, batch, static)
        batches.append(batch)
        values.append(vals)
        new_inputs.append(replace.get(inp, inp))
    batch_shape = np.broadcast_shapes(*batches)

    batched_outputs = vectorize_graph(outputs, replace)
    core_fn = function(inputs, outputs, mode="python", on_unused_input="ignore")
    batched_fn = function(new_inputs, batched_outputs, mode="python", on_unused_input="ignore")
    try:
        expected = _stack_reference(core_fn, values, batches, batch_shape)
    except Ragged:
        with pytest.raises(ValueError, match="ragged"):
            batched_fn(*values)
        return
    got = batched_fn(*values)
    for k, (g, e, out) in enumerate(zip(got, expected, batched_outputs, strict=True)):
        core_ndim = outputs[k].type.ndim  # type: ignore[attr-defined]
        extra = out.type.ndim - core_ndim  # type: ignore[attr-defined]
        assert 0 <= extra <= len(batch_shape), f"output {k}: {out.type}"
        if g.shape != e.shape:  # an output that does not vary over some batch axes
            g = np.array(np.broadcast_to(g, e.shape))
        catalog.assert_matches(g, e, f"{op_case.name}, output {k}")
