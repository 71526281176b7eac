"""Reductions, cumulative ops, softmax and sorting: their axes move past the batch
dimensions. Those working on the flattened array (axis None) use Blockwise."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any, cast

from tensorgraft.graph.basic import Apply, Variable
from tensorgraft.tensor.cumulative import Cumulative
from tensorgraft.tensor.reduction import ArgReduce, Reduce
from tensorgraft.tensor.softmax import SoftmaxBase
from tensorgraft.tensor.sort import ArgSort, Sort
from tensorgraft.vectorize.core import align_batch, shift_axis_rule, vectorize_node


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
