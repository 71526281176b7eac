"""Constructors: batch dimensions go in front of the shape they build. Where a shape
argument is itself batched, each element may have its own shape: Blockwise stacks the
results when the shapes agree and raises (a ragged result) when not."""

from __future__ import annotations

from collections.abc import Sequence

from tensorgraft.graph.basic import Apply, Variable
from tensorgraft.tensor.construction import (
    Alloc,
    AllocDiag,
    ARange,
    ExtractDiag,
    Eye,
    Join,
    Repeat,
    Split,
)
from tensorgraft.tensor.elemwise import DimShuffle
from tensorgraft.vectorize.core import (
    align_batch,
    batch_lengths,
    blockwise_rule,
    broadcast_batch,
    is_batched,
    shift_axis_rule,
    use_blockwise,
    vectorize_node,
)

# Their outputs have no core dimension tied to a batched input: one array per element.
use_blockwise(ARange)
use_blockwise(Eye)
use_blockwise(AllocDiag)


@vectorize_node.register(Alloc)
def _alloc(op: Alloc, node: Apply, value: Variable, *shape: Variable) -> Sequence[Variable]:
    if any(is_batched(node, [value, *shape], k) for k in range(1, node.nin)):
        return blockwise_rule(op, node, value, *shape)
    # alloc(v, *s) -> alloc(batched v with its core padded to len(s) axes, *batch, *s)
    b, (v,) = align_batch(node, [value])
    pad = len(shape) - node.inputs[0].type.ndim  # type: ignore[attr-defined]
    order = (*range(b), *("x",) * pad, *range(b, v.ndim))
    v = DimShuffle(v.ndim, order)(v) if pad else v
    return [Alloc()(v, *batch_lengths([v], b), *shape)]


@vectorize_node.register(Join)
def _join(op: Join, node: Apply, *arrays: Variable) -> Sequence[Variable]:
    # join(axis, *xs) -> join(axis + b, *xs broadcast to one batch shape)
    b, aligned = align_batch(node, arrays)
    return [Join(op.axis + b)(*broadcast_batch(aligned, b))]


# split(x, sizes, axis) -> split(batched x, sizes, axis + b); repeat likewise
vectorize_node.register(Split)(shift_axis_rule("axis"))
vectorize_node.register(Repeat)(shift_axis_rule("axis"))
# diagonal(x, offset, axis1, axis2) -> diagonal(batched x, offset, axis1 + b, axis2 + b)
vectorize_node.register(ExtractDiag)(shift_axis_rule("axis1", "axis2"))
