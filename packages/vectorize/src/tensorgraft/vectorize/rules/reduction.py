"""Reductions, cumulative ops, softmax and sorting: their axes move past the batch
dimensions. Those working on the flattened array (axis None) use Blockwise."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any, cast

from tensorgraft.graph.basic import Apply, Variable
from tensorgraft.tensor.construction import shape_entries
from tensorgraft.tensor.cumulative import Cumulative
from tensorgraft.tensor.reduction import ArgReduce, Reduce, SumTo, sum_to
from tensorgraft.tensor.shape import squeeze
from tensorgraft.tensor.softmax import SoftmaxBase
from tensorgraft.tensor.sort import ArgSort, Sort
from tensorgraft.vectorize.core import (
    align_batch,
    batch_lengths,
    blockwise_rule,
    is_batched,
    shift_axis_rule,
    vectorize_node,
)


def shift_axes(axes: tuple[int, ...] | None, core_ndim: int, b: int) -> tuple[int, ...]:
    """Core `axes` (None: all) as axes of an array with `b` leading batch dimensions."""
    return tuple(a + b for a in (range(core_ndim) if axes is None else axes))


def _reduce(op: Any, node: Apply, x: Variable) -> Sequence[Variable]:
    # sum(x, axes) -> sum(batched x, axes + b), and so for prod, max, min, all, any
    b, (x,) = align_batch(node, [x])
    return [replace(op, axes=shift_axes(op.axes, node.inputs[0].type.ndim, b))(x)]  # type: ignore[attr-defined]


# Reduce is a base class but no Op subclass, which mypy's singledispatch check refuses.
vectorize_node.register(cast(Any, Reduce))(_reduce)

# argmax(x, axis) -> argmax(batched x, axis + b); cumsum, softmax, sort likewise
for _op_type in (ArgReduce, Cumulative, SoftmaxBase, Sort, ArgSort):
    vectorize_node.register(_op_type)(shift_axis_rule("axis"))


@vectorize_node.register(SumTo)
def _sum_to(op: SumTo, node: Apply, x: Variable, shape: Variable) -> Sequence[Variable]:
    if is_batched(node, [x, shape], 1):
        return blockwise_rule(op, node, x, shape)  # each element has its own target
    # sum_to(x, s) -> sum_to(batched x, (*batch, 1 per extra core axis, *s)), those 1s dropped
    b, (bx,) = align_batch(node, [x])
    extra = node.inputs[0].type.ndim - len(shape_entries(shape))  # type: ignore[attr-defined]
    target = (*batch_lengths([bx], b), *(1,) * extra, *shape_entries(shape))
    out = sum_to(bx, target)
    return [squeeze(out, tuple(range(b, b + extra))) if extra else out]
