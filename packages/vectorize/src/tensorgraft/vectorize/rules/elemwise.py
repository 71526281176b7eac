"""Elemwise broadcasts its batch dimensions by itself; DimShuffle keeps them in front."""

from __future__ import annotations

from collections.abc import Sequence

from tensorgraft.graph.basic import Apply, Variable
from tensorgraft.tensor.elemwise import DimShuffle, Elemwise
from tensorgraft.vectorize.core import align_batch, vectorize_node


def _expand_left(x: Variable, ndim: int) -> Variable:
    """`x` with leading axes of length 1 up to `ndim` axes, merged into the ExpandDims
    that `x` may already be (the core graph's broadcast of a lower-rank operand)."""
    n = x.type.ndim  # type: ignore[attr-defined]
    if n == ndim:
        return x
    op = x.owner.op if x.owner is not None else None
    if isinstance(op, DimShuffle):
        k = n - op.input_ndim
        if op.new_order == ("x",) * k + tuple(range(op.input_ndim)):
            x, n = x.owner.inputs[0], op.input_ndim  # type: ignore[union-attr]
    return DimShuffle(n, ("x",) * (ndim - n) + tuple(range(n)))(x)


@vectorize_node.register(Elemwise)
def _elemwise(op: Elemwise, node: Apply, *inputs: Variable) -> Sequence[Variable]:
    # Core inputs have equal rank, so the batch dims line up as leading broadcast dims.
    ndim = max(i.type.ndim for i in inputs)  # type: ignore[attr-defined]
    out = Elemwise(op.scalar_op)(*[_expand_left(i, ndim) for i in inputs])
    return out if isinstance(out, list) else [out]


@vectorize_node.register(DimShuffle)
def _dimshuffle(op: DimShuffle, node: Apply, x: Variable) -> Sequence[Variable]:
    # x.dimshuffle(order) -> x.dimshuffle(batch axes, order shifted past them)
    b, (x,) = align_batch(node, [x])
    order = tuple(a if a == "x" else a + b for a in op.new_order)  # type: ignore[operator]
    return [DimShuffle(op.input_ndim + b, (*range(b), *order))(x)]
