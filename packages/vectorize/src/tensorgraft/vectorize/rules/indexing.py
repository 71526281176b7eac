"""Indexing: the batch dimensions stay in front, indexed by full slices.

Batched indices pick different entries per batch element, and Blockwise loops over
them; where they are slice bounds, each element may get its own length: Blockwise
stacks the results when the lengths agree and raises (a ragged result) when not.
"""

from __future__ import annotations

from collections.abc import Sequence

from tensorgraft.graph.basic import Apply, Variable
from tensorgraft.graph.op import Op
from tensorgraft.tensor.elemwise import DimShuffle
from tensorgraft.tensor.indexing import AdvancedIncSubtensor, AdvancedSubtensor
from tensorgraft.tensor.indexing_key import (
    ARRAY,
    FULL_SLICE,
    INT,
    MASK,
    NEWAXIS,
    SliceSpec,
    group_inputs,
    n_inputs,
)
from tensorgraft.tensor.subtensor import IncSubtensor, Subtensor
from tensorgraft.vectorize.core import (
    align_batch,
    blockwise_rule,
    broadcast_batch,
    is_batched,
    use_blockwise,
    vectorize_node,
)


def _subtensor_signature(op: Op, node: Apply) -> str:
    """'(x0,x1),()->(o0,x1)' for x[i:j]: unsliced axes keep their names."""
    assert isinstance(op, Subtensor)
    ndim = node.inputs[0].type.ndim  # type: ignore[attr-defined]
    x_dims = [f"x{a}" for a in range(ndim)]
    out_dims = [
        x_dims[a] if e == FULL_SLICE else f"o{a}" for a, e in enumerate(op.idx_list) if e != INT
    ]
    out_dims += x_dims[len(op.idx_list) :]
    indices = ",()" * sum(n_inputs(e) for e in op.idx_list)
    return f"({','.join(x_dims)}){indices}->({','.join(out_dims)})"


use_blockwise(Subtensor, _subtensor_signature)
use_blockwise(AdvancedIncSubtensor)


def _indices_batched(node: Apply, inputs: Sequence[Variable], first: int) -> bool:
    return any(is_batched(node, inputs, k) for k in range(first, node.nin))


@vectorize_node.register(Subtensor)
def _subtensor(op: Subtensor, node: Apply, x: Variable, *index: Variable) -> Sequence[Variable]:
    if _indices_batched(node, [x, *index], 1):
        return blockwise_rule(op, node, x, *index)
    # x[idx] -> batched_x[:, ..., :, idx]
    b, (x,) = align_batch(node, [x])
    return [Subtensor((FULL_SLICE,) * b + op.idx_list)(x, *index)]


@vectorize_node.register(IncSubtensor)
def _inc_subtensor(
    op: IncSubtensor, node: Apply, x: Variable, v: Variable, *index: Variable
) -> Sequence[Variable]:
    if _indices_batched(node, [x, v, *index], 2):
        return blockwise_rule(op, node, x, v, *index)
    # inc(x[idx], v) -> inc(batched_x[:, ..., :, idx], v with its core padded to x[idx])
    b, (xb, vb) = align_batch(node, [x, v])
    indexed_ndim = node.inputs[0].type.ndim - sum(e == INT for e in op.idx_list)  # type: ignore[attr-defined]
    pad = indexed_ndim - node.inputs[1].type.ndim  # type: ignore[attr-defined]
    if pad:
        vb = DimShuffle(vb.ndim, (*range(b), *("x",) * pad, *range(b, vb.ndim)))(vb)
    # Every batch element of x is written to: x needs the full batch shape.
    xb = broadcast_batch([xb, vb], b)[0]
    new_op = IncSubtensor((FULL_SLICE,) * b + op.idx_list, op.set_instead_of_inc)
    return [new_op(xb, vb, *index)]


def _basic_output_dims(op: AdvancedSubtensor, node: Apply) -> int:
    """How many output dimensions of the core node are not the advanced block: one per
    slice and new axis, plus the axes the key leaves untouched."""
    values = group_inputs(op.idx_list, node.inputs[1:])
    consumed = sum(
        0 if e == NEWAXIS else v.type.ndim if e == MASK else 1  # a mask spans its ndim axes
        for e, v in zip(op.idx_list, values, strict=True)
    )
    spans = sum(isinstance(e, SliceSpec) or e == NEWAXIS for e in op.idx_list)
    return spans + node.inputs[0].type.ndim - consumed  # type: ignore[attr-defined]


@vectorize_node.register(AdvancedSubtensor)
def _advanced_subtensor(
    op: AdvancedSubtensor, node: Apply, x: Variable, *index: Variable
) -> Sequence[Variable]:
    if _indices_batched(node, [x, *index], 1):
        return blockwise_rule(op, node, x, *index)
    # x[idx] -> batched_x[:, ..., :, idx]
    b, (x,) = align_batch(node, [x])
    out = AdvancedSubtensor((FULL_SLICE,) * b + op.idx_list)(x, *index)
    advanced = [k for k, e in enumerate(op.idx_list) if e in (INT, ARRAY, MASK)]
    if advanced[-1] - advanced[0] + 1 == len(advanced):
        return [out]  # adjacent array indices keep their place, after the batch
    # Non-adjacent array indices put their block first, before the batch: move it after.
    block = node.outputs[0].type.ndim - _basic_output_dims(op, node)  # type: ignore[attr-defined]
    order = (*range(block, block + b), *range(block), *range(block + b, out.ndim))
    return [DimShuffle(out.ndim, order)(out)]
