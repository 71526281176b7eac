"""Which ops vectorize handles, and how: the coverage check against the op catalog."""

from __future__ import annotations

from collections.abc import Iterable

from tensorgraft.tensor.scalar_ops import ScalarOp
from tensorgraft.vectorize.core import vectorize_rule_of


def how_vectorized(op_type: type, inside_blockwise_only: bool = False) -> str | None:
    """How nodes of `op_type` are batched: the name of its rule, or how its enclosing op
    batches it. None when it has no rule and is not declared for the Blockwise fallback
    (it would still be batched by Blockwise, unchecked).

    `inside_blockwise_only`: the op only appears as the core op of a Blockwise, which
    batches it (a batched Blockwise collapses).
    """
    if issubclass(op_type, ScalarOp):
        return "through Elemwise"
    rule = vectorize_rule_of(op_type)
    if rule is not None:
        return f"{rule.__module__}.{rule.__name__}"
    if inside_blockwise_only:
        return "core op of a Blockwise (Blockwise of Blockwise collapses)"
    return None


def catalog_coverage() -> dict[str, str | None]:
    """Every op type the catalog uses, by name, with `how_vectorized`."""
    import numpy as np

    from tensorgraft.graph.traversal import toposort
    from tensorgraft.tensor import catalog

    top_level: set[type] = set()
    for c in catalog.CASES:
        _, outputs, _ = c.build(np.random.default_rng(0))
        top_level.update(type(node.op) for node in toposort(outputs))
    return _table(catalog.catalog_op_types(), top_level)


def _table(op_types: Iterable[type], top_level: set[type]) -> dict[str, str | None]:
    return {t.__name__: how_vectorized(t, t not in top_level) for t in sorted(op_types, key=str)}


__all__ = ["catalog_coverage", "how_vectorized"]
