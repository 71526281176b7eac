"""Op catalog cases on the numba backend against the python backend, and the coverage
listing of the numba templates.

Numba compiles slowly (~0.5 s a graph, seconds with callbacks), so by default the sweep
runs a greedy cover of the catalog, cheapest case per new key first: cases are picked
until every (scalar op, input dtype kind) of an Elemwise or Composite and every other op
type is exercised at least once, up to `MAX_CASES`. TENSORGRAFT_NUMBA_FULL_SWEEP=1 runs
every case (816 cases: 7 minutes with `-n 2`; on 2026-12-01, after Blockwise, sorting,
advanced indexing, the solvers and decompositions and the SciPy specials got templates,
every case matched or was refused for float16).
"""

from __future__ import annotations

import os
import warnings

import numpy as np
import pytest

from tensorgraft.compile import function
from tensorgraft.compile_numba import (
    NumbaNotImplementedError,
    backend,
    coverage,
    rules,  # noqa: F401  (fills the tables)
)
from tensorgraft.compile_numba.coverage import CALLBACK, COMPILED
from tensorgraft.compile_numba.registry import numba_impl, scalar_impl
from tensorgraft.graph.traversal import toposort
from tensorgraft.tensor import catalog
from tensorgraft.tensor.elemwise import Elemwise
from tensorgraft.tensor.scalar_ops.composite import Composite

MAX_CASES = 100
# Numba has no float16: graphs with float16 values are refused when compiling.
REFUSED_DTYPES = ("float16",)


def _keys_and_cost(case: catalog.OpCase) -> tuple[set[object], int]:
    """What a case exercises (scalar ops with their input dtype kind, other op types), and
    a compile-cost estimate (nodes; a node run as a callback counts 5: objmode is slow)."""
    _, outputs, _ = case.build(np.random.default_rng(0))
    keys: set[object] = set()
    cost = 1
    for node in toposort(outputs):
        op = node.op
        if isinstance(op, Elemwise):
            sop = op.scalar_op
            inner = (
                [(n.op, n.inputs) for n in sop._nodes]
                if isinstance(sop, Composite)
                else [(sop, node.inputs)]
            )
            for o, ins in inner:
                keys.add((type(o), np.dtype(ins[0].type.dtype).kind))
                cost += 5 if scalar_impl.reason(o) else 1
        else:
            keys.add(type(op))
            cost += 5 if numba_impl.lookup(op) is None else 1
    return keys, cost


def selected_cases() -> list[catalog.OpCase]:
    if os.environ.get("TENSORGRAFT_NUMBA_FULL_SWEEP"):
        return list(catalog.CASES)
    found = {c.name: _keys_and_cost(c) for c in catalog.CASES}
    chosen: list[str] = []
    covered: set[object] = set()
    while len(chosen) < MAX_CASES:
        # Greedy cover, cheapest per new key first.
        best = max(found, key=lambda n: len(found[n][0] - covered) / found[n][1])
        if not found[best][0] - covered:
            break
        chosen.append(best)
        covered |= found[best][0]
    return [catalog.get_case(n) for n in chosen]


def _has_dtype(inputs: list, outputs: list, dtypes: tuple[str, ...]) -> bool:  # type: ignore[type-arg]
    variables = {v for n in toposort(outputs) for v in [*n.inputs, *n.outputs]}
    return any(getattr(v.type, "dtype", None) in dtypes for v in [*variables, *inputs])


@pytest.mark.parametrize("case", selected_cases(), ids=str)
def test_case_matches_python_backend(case: catalog.OpCase) -> None:
    inputs, outputs, values = case.build(np.random.default_rng(0))
    expected = function(inputs, outputs, mode="python")(*values)
    if _has_dtype(inputs, outputs, REFUSED_DTYPES):
        with pytest.raises(NumbaNotImplementedError, match="float16"):
            function(inputs, outputs, mode=backend)
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # callbacks are listed by the coverage test
        f = function(inputs, outputs, mode=backend)
    got = f(*values)
    for k, (g, e) in enumerate(zip(got, expected, strict=True)):
        catalog.assert_matches(g, e, f"{case.name} output {k}")


def test_coverage_names_every_catalog_op() -> None:
    listing = coverage()
    assert set(listing) == catalog.catalog_op_types()
    bad = {
        t.__name__: s for t, s in listing.items() if s != COMPILED and not s.startswith(CALLBACK)
    }
    assert not bad, f"ops neither compiled nor declared as callbacks: {bad}"
    for t, status in listing.items():
        if status.startswith(CALLBACK):
            assert len(status) > len(CALLBACK) + 5, f"{t.__name__}: no reason given"
    compiled = {t.__name__ for t, s in listing.items() if s == COMPILED}
    # The core of the backend: loops, reductions, products, views.
    assert {"Elemwise", "Composite", "DimShuffle", "Sum", "Max", "Dot", "Subtensor"} <= compiled
    assert {"Add", "Exp", "Log1p", "Switch", "Cast", "Sigmoid"} <= compiled
    # Batched ops, sorting, advanced indexing, construction and linear algebra.
    assert {
        "Blockwise",
        "Sort",
        "ArgSort",
        "AdvancedSubtensor",
        "AdvancedIncSubtensor",
        "Repeat",
        "Split",
        "AllocDiag",
        "ExtractDiag",
        "Eigh",
        "QR",
        "SVD",
        "Pinv",
        "CholeskySolve",
        "Lstsq",
        "Solve",
        "SolveTriangular",
    } <= compiled
