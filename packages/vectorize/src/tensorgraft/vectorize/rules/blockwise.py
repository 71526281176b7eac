"""Blockwise already broadcasts leading dimensions, so a batched Blockwise is the same
op on the batched inputs (Blockwise of Blockwise collapses). Core ops with a known gufunc
signature (their `gufunc_signature`) are batched by Blockwise directly."""

from __future__ import annotations

from collections.abc import Sequence

from tensorgraft.graph.basic import Apply, Variable
from tensorgraft.tensor.blockwise import Blockwise
from tensorgraft.tensor.matmul import Dot
from tensorgraft.vectorize.core import use_blockwise, vectorize_node


@vectorize_node.register(Blockwise)
def _blockwise(op: Blockwise, node: Apply, *inputs: Variable) -> Sequence[Variable]:
    # Blockwise(Blockwise(core)) -> Blockwise(core)
    out = op(*inputs)
    return out if isinstance(out, list) else [out]


# Dot declares its signature itself (`Dot.gufunc_signature`), as the linalg core ops do.
use_blockwise(Dot)
