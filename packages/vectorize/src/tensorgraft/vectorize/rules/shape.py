"""Shape ops. The shape of a batch element is the core part of the batch's shape, the
same for every element, so `Shape` and `ShapeI` stay unbatched. `Reshape` and
`SpecifyShape` keep the batch dimensions in front of their shape arguments."""

from __future__ import annotations

from collections.abc import Sequence

from tensorgraft.graph.basic import Apply, Variable
from tensorgraft.tensor.construction import Join
from tensorgraft.tensor.indexing_key import SliceSpec
from tensorgraft.tensor.shape import Reshape, Shape, ShapeI, SpecifyShape
from tensorgraft.tensor.subtensor import Subtensor
from tensorgraft.vectorize.core import (
    align_batch,
    batch_ndim,
    blockwise_rule,
    is_batched,
    vectorize_node,
)


def _batch_shape(x: Variable, b: int) -> Variable:
    """shape(x)[:b]"""
    return Subtensor((SliceSpec(False, True, False),))(Shape()(x), b)


@vectorize_node.register(Shape)
def _shape(op: Shape, node: Apply, x: Variable) -> Sequence[Variable]:
    # shape(x) -> shape(batched x)[b:]
    b = batch_ndim(node, [x])
    return [Subtensor((SliceSpec(True, False, False),))(Shape()(x), b)]


@vectorize_node.register(ShapeI)
def _shape_i(op: ShapeI, node: Apply, x: Variable) -> Sequence[Variable]:
    # shape_i(x, i) -> shape_i(batched x, i + b)
    return [ShapeI(op.i + batch_ndim(node, [x]))(x)]


@vectorize_node.register(Reshape)
def _reshape(op: Reshape, node: Apply, x: Variable, shape: Variable) -> Sequence[Variable]:
    if is_batched(node, [x, shape], 1):  # one shape per element: stacked if they agree
        return blockwise_rule(op, node, x, shape)
    # reshape(x, s) -> reshape(batched x, concat(shape(batched x)[:b], s))
    b, (x,) = align_batch(node, [x])
    return [Reshape(op.ndim + b)(x, Join(0)(_batch_shape(x, b), shape))]


@vectorize_node.register(SpecifyShape)
def _specify_shape(
    op: SpecifyShape, node: Apply, x: Variable, *lengths: Variable
) -> Sequence[Variable]:
    if any(is_batched(node, [x, *lengths], k) for k in range(1, node.nin)):
        return blockwise_rule(op, node, x, *lengths)
    # specify_shape(x, s) -> specify_shape(batched x, (?, ..., ?, *s))
    b, (x,) = align_batch(node, [x])
    return [SpecifyShape((False,) * b + op.given)(x, *lengths)]
