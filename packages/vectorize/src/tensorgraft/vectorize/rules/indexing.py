"""Indexing: the batch dimensions stay in front, indexed by full slices.

Batched integer and array indices pick different entries per batch element: the key
becomes one advanced key whose batch axes are indexed by aranges, a gather (or, for
set/inc, a scatter). Batched slice bounds and masks may give each element its own
length: Blockwise batches those, stacking the results when the lengths agree and
raising (a ragged result) when not.
"""

from __future__ import annotations

from collections.abc import Sequence

from tensorgraft.graph.basic import Apply, Variable
from tensorgraft.graph.op import Op
from tensorgraft.tensor.construction import arange
from tensorgraft.tensor.elemwise import DimShuffle
from tensorgraft.tensor.indexing import AdvancedIncSubtensor, AdvancedSubtensor
from tensorgraft.tensor.indexing_key import (
    ARRAY,
    FULL_SLICE,
    INT,
    MASK,
    NEWAXIS,
    IndexEntry,
    SliceSpec,
    group_inputs,
    n_inputs,
    static_shape,
)
from tensorgraft.tensor.shape import shape_tuple
from tensorgraft.tensor.subtensor import IncSubtensor, Subtensor
from tensorgraft.tensor.variable import TensorVariable
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


def _indices_batched(node: Apply, inputs: Sequence[Variable], first: int) -> bool:
    return any(is_batched(node, inputs, k) for k in range(first, node.nin))


def _slice_bounds_batched(
    idx_list: Sequence[IndexEntry], node: Apply, inputs: Sequence[Variable], first: int
) -> bool:
    """Whether a batched index input of `node` (from input `first` on) is a slice bound."""
    k = first
    for e in idx_list:
        n = n_inputs(e)
        if isinstance(e, SliceSpec) and any(is_batched(node, inputs, j) for j in range(k, k + n)):
            return True
        k += n
    return False


def _gather_key(
    op: Subtensor | IncSubtensor,
    x: TensorVariable,
    b: int,
    index: Sequence[Variable],
    aligned: Sequence[TensorVariable],
) -> tuple[tuple[str | SliceSpec, ...], list[Variable]]:
    """The advanced key that picks, in each batch element of `x` (b batch axes), the
    entry its own integer indices name: arange per batch axis, then the core key with its
    integers as arrays (from `aligned`, the `index` inputs aligned to b batch axes).

    All arrays broadcast to the batch shape, and NumPy puts that block first: the batch
    axes stay in front."""
    lengths = shape_tuple(x)[:b]
    aranges = [
        DimShuffle(1, (*("x",) * a, 0, *("x",) * (b - a - 1)))(arange(lengths[a])) for a in range(b)
    ]
    values: list[Variable] = []
    k = 0
    for e in op.idx_list:
        n = n_inputs(e)
        values.extend(aligned[k : k + n] if e == INT else index[k : k + n])  # bounds: unbatched
        k += n
    entries = tuple(ARRAY if e == INT else e for e in op.idx_list)
    return (ARRAY,) * b + entries, [*aranges, *values]


@vectorize_node.register(Subtensor)
def _subtensor(op: Subtensor, node: Apply, x: Variable, *index: Variable) -> Sequence[Variable]:
    if _slice_bounds_batched(op.idx_list, node, [x, *index], 1):
        return blockwise_rule(op, node, x, *index)
    if _indices_batched(node, [x, *index], 1):
        # x[i] with i batched -> batched_x[arange(B), i]: one gather
        b, (xb, *aligned) = align_batch(node, [x, *index])
        key, values = _gather_key(op, xb, b, index, aligned)
        return [AdvancedSubtensor(key)(xb, *values)]
    # x[idx] -> batched_x[:, ..., :, idx]
    b, (x,) = align_batch(node, [x])
    return [Subtensor((FULL_SLICE,) * b + op.idx_list)(x, *index)]


@vectorize_node.register(IncSubtensor)
def _inc_subtensor(
    op: IncSubtensor, node: Apply, x: Variable, v: Variable, *index: Variable
) -> Sequence[Variable]:
    if _slice_bounds_batched(op.idx_list, node, [x, v, *index], 2):
        return blockwise_rule(op, node, x, v, *index)
    if _indices_batched(node, [x, v, *index], 2):
        # inc(x[i], v) with i batched -> inc(batched_x[arange(B), i], v): one scatter
        b, (xb, vb, *aligned) = align_batch(node, [x, v, *index])
        vb = _pad_value(op, node, vb, b)
        # Every batch element writes to its own x: x needs the full batch shape.
        xb = broadcast_batch([xb, vb, *aligned], b)[0]
        key, values = _gather_key(op, xb, b, index, aligned)
        return [AdvancedIncSubtensor(key, op.set_instead_of_inc)(xb, vb, *values)]
    # inc(x[idx], v) -> inc(batched_x[:, ..., :, idx], v with its core padded to x[idx])
    b, (xb, vb) = align_batch(node, [x, v])
    vb = _pad_value(op, node, vb, b)
    # Every batch element of x is written to: x needs the full batch shape.
    xb = broadcast_batch([xb, vb], b)[0]
    new_op = IncSubtensor((FULL_SLICE,) * b + op.idx_list, op.set_instead_of_inc)
    return [new_op(xb, vb, *index)]


def _pad_value(op: IncSubtensor, node: Apply, vb: TensorVariable, b: int) -> TensorVariable:
    """The batched value `vb` with its core padded on the left to the rank of x[idx]."""
    indexed_ndim = node.inputs[0].type.ndim - sum(e == INT for e in op.idx_list)  # type: ignore[attr-defined]
    return _pad_after_batch(vb, b, indexed_ndim - node.inputs[1].type.ndim)  # type: ignore[attr-defined]


def _basic_output_dims(
    idx_list: Sequence[IndexEntry], x: Variable, index: Sequence[Variable]
) -> int:
    """How many output dimensions of the core x[idx] are not the advanced block: one per
    slice and new axis, plus the axes the key leaves untouched."""
    values = group_inputs(idx_list, index)
    consumed = sum(
        0 if e == NEWAXIS else v.type.ndim if e == MASK else 1  # a mask spans its ndim axes
        for e, v in zip(idx_list, values, strict=True)
    )
    spans = sum(isinstance(e, SliceSpec) or e == NEWAXIS for e in idx_list)
    return spans + x.type.ndim - consumed  # type: ignore[attr-defined]


def _adjacent(idx_list: Sequence[IndexEntry]) -> bool:
    """Whether the advanced entries of a key are next to each other (NumPy then keeps
    their block in place; otherwise it goes first)."""
    advanced = [k for k, e in enumerate(idx_list) if e in (INT, ARRAY, MASK)]
    return advanced[-1] - advanced[0] + 1 == len(advanced)


def _block_ndim(idx_list: Sequence[IndexEntry], x: Variable, index: Sequence[Variable]) -> int:
    """The rank of the advanced block of the core x[idx]."""
    shape = static_shape(x, idx_list, index)  # type: ignore[arg-type]
    return len(shape) - _basic_output_dims(idx_list, x, index)


def _block_after_batch(out: TensorVariable, block: int, b: int) -> TensorVariable:
    """`out` (advanced block of rank `block` first, then b batch axes) with the batch first."""
    order = (*range(block, block + b), *range(block), *range(block + b, out.ndim))
    return DimShuffle(out.ndim, order)(out)


@vectorize_node.register(AdvancedSubtensor)
def _advanced_subtensor(
    op: AdvancedSubtensor, node: Apply, x: Variable, *index: Variable
) -> Sequence[Variable]:
    if _indices_batched(node, [x, *index], 1):
        return _batched_advanced_subtensor(op, node, x, *index)
    # x[idx] -> batched_x[:, ..., :, idx]
    b, (xb,) = align_batch(node, [x])
    out = AdvancedSubtensor((FULL_SLICE,) * b + op.idx_list)(xb, *index)
    if _adjacent(op.idx_list):
        return [out]  # adjacent array indices keep their place, after the batch
    # Non-adjacent array indices put their block first, before the batch: move it after.
    return [_block_after_batch(out, _block_ndim(op.idx_list, node.inputs[0], index), b)]


def _batched_advanced_subtensor(
    op: AdvancedSubtensor, node: Apply, x: Variable, *index: Variable
) -> Sequence[Variable]:
    """x[arrays] with batched arrays -> batched_x[arange(B), arrays]: one gather."""
    if MASK in op.idx_list or _slice_bounds_batched(op.idx_list, node, [x, *index], 1):
        return blockwise_rule(op, node, x, *index)  # masks and slice bounds may be ragged
    b, (xb, *aligned) = align_batch(node, [x, *index])
    key, arrays, m, before = _batched_array_key(op.idx_list, node.inputs[1:], index, aligned, xb, b)
    out = AdvancedSubtensor(key)(xb, *arrays)
    if not before:
        return [out]  # (batch, block, rest), as in the core
    # The core keeps its block after `before` axes: move them in front of it.
    order = (*range(b), *range(b + m, b + m + before), *range(b, b + m))
    return [DimShuffle(out.ndim, (*order, *range(b + m + before, out.ndim)))(out)]


def _batched_array_key(
    idx_list: Sequence[IndexEntry],
    core_index: Sequence[Variable],
    index: Sequence[Variable],
    aligned: Sequence[TensorVariable],
    xb: TensorVariable,
    b: int,
) -> tuple[tuple[IndexEntry, ...], list[Variable], int, int]:
    """The key that picks, in each batch element of `xb`, what the element's own arrays
    name: an arange per batch axis, then the core key with integers as arrays, each array
    padded so that all broadcast to (batch, core block), which NumPy puts first.

    Returns the key, its inputs, the rank of the core block and how many axes the core
    result has before its block (nonzero only where the core keeps the block in place)."""
    values = group_inputs(idx_list, core_index)
    m = max(v.type.ndim for e, v in zip(idx_list, values, strict=True) if e in (INT, ARRAY))
    lengths = shape_tuple(xb)[:b]
    arrays: list[Variable] = [
        DimShuffle(1, (*("x",) * a, 0, *("x",) * (b - a - 1 + m)))(arange(lengths[a]))
        for a in range(b)
    ]
    k = 0
    for e in idx_list:
        n = n_inputs(e)
        if e in (INT, ARRAY):
            pad = m - core_index[k].type.ndim  # type: ignore[attr-defined]
            arrays.append(_pad_after_batch(aligned[k], b, pad))
        else:
            arrays.extend(index[k : k + n])  # unbatched slice bounds
        k += n
    key = (ARRAY,) * b + tuple(ARRAY if e == INT else e for e in idx_list)
    first = next(k for k, e in enumerate(idx_list) if e in (INT, ARRAY))
    spans = sum(isinstance(e, SliceSpec) or e == NEWAXIS for e in idx_list[:first])
    return key, arrays, m, spans if _adjacent(idx_list) else 0


@vectorize_node.register(AdvancedIncSubtensor)
def _advanced_inc_subtensor(
    op: AdvancedIncSubtensor, node: Apply, x: Variable, v: Variable, *index: Variable
) -> Sequence[Variable]:
    core_x, core_v, core_index = node.inputs[0], node.inputs[1], node.inputs[2:]
    target = len(static_shape(core_x, op.idx_list, core_index))  # type: ignore[arg-type]
    if _indices_batched(node, [x, v, *index], 2):
        if MASK in op.idx_list or _slice_bounds_batched(op.idx_list, node, [x, v, *index], 2):
            return blockwise_rule(op, node, x, v, *index)  # may be ragged
        # inc(x[arrays], v) with batched arrays -> inc(batched_x[arange(B), arrays], v)
        b, (xb, vb, *aligned) = align_batch(node, [x, v, *index])
        vb = _pad_after_batch(vb, b, target - core_v.type.ndim)  # type: ignore[attr-defined]
        # Every batch element writes to its own x: x needs the full batch shape.
        xb = broadcast_batch([xb, vb, *aligned], b)[0]
        key, arrays, m, before = _batched_array_key(op.idx_list, core_index, index, aligned, xb, b)
        if before:  # v follows the core layout (batch, before, block, rest): block first
            order = (*range(b), *range(b + before, b + before + m), *range(b, b + before))
            vb = DimShuffle(vb.ndim, (*order, *range(b + before + m, vb.ndim)))(vb)
        return [AdvancedIncSubtensor(key, op.set_instead_of_inc)(xb, vb, *arrays)]
    # inc(x[idx], v) -> inc(batched_x[:, ..., :, idx], v laid out like batched_x[..., idx])
    b, (xb, vb) = align_batch(node, [x, v])
    vb = _pad_after_batch(vb, b, target - core_v.type.ndim)  # type: ignore[attr-defined]
    # Every batch element of x is written to: x needs the full batch shape.
    xb = broadcast_batch([xb, vb], b)[0]
    if not _adjacent(op.idx_list):
        # The batched target has the block first, then the batch: lay v out so too.
        block = _block_ndim(op.idx_list, core_x, core_index)
        order = (*range(b, b + block), *range(b), *range(b + block, vb.ndim))
        vb = DimShuffle(vb.ndim, order)(vb)
    new_op = AdvancedIncSubtensor((FULL_SLICE,) * b + op.idx_list, op.set_instead_of_inc)
    return [new_op(xb, vb, *index)]


def _pad_after_batch(v: TensorVariable, b: int, pad: int) -> TensorVariable:
    """`v` with `pad` axes of length 1 between its b batch axes and its core axes."""
    if not pad:
        return v
    return DimShuffle(v.ndim, (*range(b), *("x",) * pad, *range(b, v.ndim)))(v)
