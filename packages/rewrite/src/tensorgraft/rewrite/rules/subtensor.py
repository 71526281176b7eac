"""Indexing rewrites (phase `canonicalize`): index before computing ("scalarization").

`f(x, y)[i, j] -> f(x[i, j], y[i, j])` for an elementwise `f`, so that indexing one
entry of a big elementwise graph computes that entry only. The index moves through
`DimShuffle` (onto the input axes it reads) and through the batch axes of `Blockwise`
the same way; a `Blockwise` left with no batch axis becomes its core op. An input that
broadcasts along an indexed axis is indexed at 0 there (an integer index) or kept whole
(a slice). Where an input's length is not known to equal the result's or to be 1,
nothing is done.
"""

from __future__ import annotations

from typing import Any

from tensorgraft.graph.basic import Apply, Variable
from tensorgraft.graph.fg import FunctionGraph
from tensorgraft.rewrite.engine import RuleResult, fits, register
from tensorgraft.rewrite.patterns import scalar_constant
from tensorgraft.rewrite.rules.shapes import dim_key
from tensorgraft.tensor.basic import constant
from tensorgraft.tensor.blockwise import Blockwise
from tensorgraft.tensor.elemwise import DimShuffle, Elemwise
from tensorgraft.tensor.indexing_key import FULL_SLICE, INT, SliceSpec, group_inputs, n_inputs
from tensorgraft.tensor.subtensor import Subtensor


def _basic(op: Subtensor) -> bool:
    """Whether the index holds only integers and slices (no new axes)."""
    return all(e == INT or isinstance(e, SliceSpec) for e in op.idx_list)


def _computed_once(fgraph: FunctionGraph, op: Subtensor, x: Variable) -> bool:
    """Whether lifting the index computes nothing twice: one entry, or x's only use."""
    return all(e == INT for e in op.idx_list) or len(fgraph.clients[x]) == 1


@register("canonicalize", tracks=[Subtensor])
def lift_subtensor_through_elemwise(fgraph: FunctionGraph, node: Apply) -> RuleResult:
    """f(x, y)[idx] -> f(x[idx], y[idx]) (broadcast axes indexed at 0 or kept whole)."""
    op = node.op
    assert isinstance(op, Subtensor)
    x = node.inputs[0]
    inner = x.owner
    if inner is None or not isinstance(inner.op, Elemwise) or len(inner.outputs) != 1:
        return None
    if not _basic(op) or not _computed_once(fgraph, op, x):
        return None
    new = _lifted(inner, op, node.inputs[1:])
    return [new] if new is not None and fits(node.outputs[0], new) else None


@register("canonicalize", tracks=[Subtensor])
def lift_subtensor_through_blockwise(fgraph: FunctionGraph, node: Apply) -> RuleResult:
    """f(x, y)[idx] -> f(x[idx], y[idx]) for a Blockwise f indexed on batch axes only."""
    op = node.op
    assert isinstance(op, Subtensor)
    x = node.inputs[0]
    inner = x.owner
    if inner is None or not isinstance(inner.op, Blockwise) or len(inner.outputs) != 1:
        return None
    batch_ndim = x.type.ndim - len(inner.op.outputs_sig[0])  # type: ignore[attr-defined]
    if not batch_ndim or not _basic(op) or not _computed_once(fgraph, op, x):
        return None
    # The batch part of the index moves inside; the core part stays on the result.
    batch, core = op.idx_list[:batch_ndim], op.idx_list[batch_ndim:]
    n_batch = sum(n_inputs(e) for e in batch)
    lifted = _lifted(inner, Subtensor(batch), node.inputs[1 : 1 + n_batch])
    if lifted is None:
        return None
    new = lifted
    if core:
        kept = tuple(FULL_SLICE for e in batch if e != INT)
        new = Subtensor(kept + core)(lifted, *node.inputs[1 + n_batch :])
    return [new] if fits(node.outputs[0], new) else None


def _lifted(inner: Apply, op: Subtensor, index: list[Variable]) -> Variable | None:
    """`inner`'s op applied to its inputs indexed by `op` (None where lengths may differ)."""
    groups = group_inputs(op.idx_list, index)
    # Per indexed axis, which inputs broadcast along it (length 1 where the result is not).
    broadcast: list[list[bool]] = []
    for axis in range(len(op.idx_list)):
        keys = [dim_key(i, axis) for i in inner.inputs]
        lengths = {k for k in keys if k != 1}
        if len(lengths) > 1:
            return None  # lengths not known to agree: one of them may be 1 at run time
        broadcast.append([k == 1 and bool(lengths) for k in keys])
    new_inputs = [
        _index_like(inp, [b[k] for b in broadcast], op.idx_list, groups)
        for k, inp in enumerate(inner.inputs)
    ]
    result: Variable = inner.op(*new_inputs)
    return result


@register("canonicalize", tracks=[Blockwise])
def blockwise_without_batch_axes(fgraph: FunctionGraph, node: Apply) -> RuleResult:
    """Blockwise(op)(x, y) -> op(x, y) when no input has a batch axis."""
    op = node.op
    assert isinstance(op, Blockwise)
    if any(i.type.ndim != len(sig) for i, sig in zip(node.inputs, op.inputs_sig, strict=True)):  # type: ignore[attr-defined]
        return None
    try:
        new = op.core_op.make_node(*node.inputs)
    except (TypeError, ValueError):
        return None
    if not all(fits(o, n) for o, n in zip(node.outputs, new.outputs, strict=True)):
        return None
    return list(new.outputs)


@register("canonicalize", tracks=[Subtensor])
def lift_subtensor_through_dimshuffle(fgraph: FunctionGraph, node: Apply) -> RuleResult:
    """DimShuffle(x)[idx] -> DimShuffle(x[idx']): index the axes of x that are read."""
    op = node.op
    assert isinstance(op, Subtensor)
    inner = node.inputs[0].owner
    if inner is None or not isinstance(inner.op, DimShuffle) or not _basic(op):
        return None
    order = inner.op.new_order
    x = inner.inputs[0]
    by_source: dict[int, tuple[Any, Any]] = {}
    for entry, value, src in zip(
        op.idx_list, group_inputs(op.idx_list, node.inputs[1:]), order, strict=False
    ):
        if src != "x":
            by_source[src] = (entry, value)  # type: ignore[index]
        elif entry == INT:
            if scalar_constant(value) not in (0, -1):
                return None  # another index is an error on an axis of length 1; keep it
        elif entry != FULL_SLICE:
            return None
    entries: list[Any] = []
    values: list[Variable] = []
    for axis in range(inner.op.input_ndim):
        entry, value = by_source.get(axis, (FULL_SLICE, None))
        entries.append(entry)
        if entry == INT:
            values.append(value)
        elif value is not None:
            values.extend(p for p in value if p is not None)
    left = [a for a in range(inner.op.input_ndim) if entries[a] != INT]
    position = {a: k for k, a in enumerate(left)}
    new_order = tuple(
        "x" if src == "x" else position[src]  # type: ignore[index]
        for j, src in enumerate(order)
        if j >= len(op.idx_list) or op.idx_list[j] != INT
    )
    while entries and entries[-1] == FULL_SLICE:
        entries.pop()
    sub = Subtensor(tuple(entries))(x, *values) if entries else x
    new = DimShuffle(len(left), new_order)(sub)
    return [new] if fits(node.outputs[0], new) else None


def _index_like(
    inp: Variable, broadcast: list[bool], idx_list: tuple[Any, ...], groups: list[Any]
) -> Variable:
    """`inp[idx]` as it contributes to `out[idx]`: a broadcast axis is indexed at 0 (an
    integer index) or kept whole (a slice)."""
    entries: list[Any] = []
    values: list[Variable] = []
    for entry, value, along in zip(idx_list, groups, broadcast, strict=True):
        if entry == INT:
            entries.append(INT)
            values.append(constant(0, dtype="int64") if along else value)
        elif along:
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
