"""Indexing rewrites (phase `canonicalize`): index before computing ("scalarization").

`f(x, y)[i, j] -> f(x[i, j], y[i, j])` for an elementwise `f`, so that indexing one
entry of a big elementwise graph computes that entry only. An input that broadcasts
along an indexed axis is indexed at 0 there (an integer index) or kept whole (a slice).
Where an input's length is not known to equal the result's or to be 1, nothing is done.
"""

from __future__ import annotations

from typing import Any

from tensorgraft.graph.basic import Apply, Variable
from tensorgraft.graph.fg import FunctionGraph
from tensorgraft.rewrite.engine import RuleResult, fits, register
from tensorgraft.rewrite.rules.shapes import dim_key
from tensorgraft.tensor.basic import constant
from tensorgraft.tensor.elemwise import Elemwise
from tensorgraft.tensor.indexing_key import FULL_SLICE, INT, SliceSpec, group_inputs
from tensorgraft.tensor.subtensor import Subtensor


@register("canonicalize", tracks=[Subtensor])
def lift_subtensor_through_elemwise(fgraph: FunctionGraph, node: Apply) -> RuleResult:
    """f(x, y)[idx] -> f(x[idx], y[idx]) (broadcast axes indexed at 0 or kept whole)."""
    op = node.op
    assert isinstance(op, Subtensor)
    x = node.inputs[0]
    inner = x.owner
    if inner is None or not isinstance(inner.op, Elemwise) or len(inner.outputs) != 1:
        return None
    if not all(e == INT or isinstance(e, SliceSpec) for e in op.idx_list):
        return None  # new axes shift the axes; left as they are
    only_ints = all(e == INT for e in op.idx_list)
    # A slice of a value used elsewhere too would be computed twice.
    if not only_ints and len(fgraph.clients[x]) != 1:
        return None
    groups = group_inputs(op.idx_list, node.inputs[1:])
    new_inputs = []
    for inp in inner.inputs:
        indexed = _index_like(inp, x, op.idx_list, groups)
        if indexed is None:
            return None
        new_inputs.append(indexed)
    new = inner.op(*new_inputs)
    return [new] if fits(node.outputs[0], new) else None


def _index_like(
    inp: Variable, out: Variable, idx_list: tuple[Any, ...], groups: list[Any]
) -> Variable | None:
    """`inp[idx]` as it contributes to `out[idx]`, or None where that is not known."""
    entries: list[Any] = []
    values: list[Variable] = []
    for axis, (entry, value) in enumerate(zip(idx_list, groups, strict=True)):
        key = dim_key(inp, axis)
        broadcast = key == 1 and dim_key(out, axis) != 1
        if not broadcast and key != dim_key(out, axis):
            return None
        if entry == INT:
            entries.append(INT)
            values.append(constant(0, dtype="int64") if broadcast else value)
        elif broadcast:
            entries.append(FULL_SLICE)
        else:
            entries.append(entry)
            values.extend(p for p in value if p is not None)
    while entries and entries[-1] == FULL_SLICE:
        entries.pop()
    if not entries:
        return inp
    result: Variable = Subtensor(tuple(entries))(inp, *values)
    return result
