"""Elemwise broadcasts its batch dimensions by itself; DimShuffle keeps them in front."""

from __future__ import annotations

from collections.abc import Sequence

from tensorgraft.graph.basic import Apply, Variable
from tensorgraft.tensor.elemwise import DimShuffle, Elemwise
from tensorgraft.vectorize.core import align_batch, vectorize_node


@vectorize_node.register(Elemwise)
def _elemwise(op: Elemwise, node: Apply, *inputs: Variable) -> Sequence[Variable]:
    # Core inputs have equal rank, so the batch dims line up as leading broadcast dims.
    out = Elemwise(op.scalar_op)(*inputs)
    return out if isinstance(out, list) else [out]


@vectorize_node.register(DimShuffle)
def _dimshuffle(op: DimShuffle, node: Apply, x: Variable) -> Sequence[Variable]:
    # x.dimshuffle(order) -> x.dimshuffle(batch axes, order shifted past them)
    b, (x,) = align_batch(node, [x])
    order = tuple(a if a == "x" else a + b for a in op.new_order)  # type: ignore[operator]
    return [DimShuffle(op.input_ndim + b, (*range(b), *order))(x)]
