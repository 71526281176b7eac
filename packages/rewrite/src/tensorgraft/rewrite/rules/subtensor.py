"""Indexing rewrites (phase `canonicalize`): index before computing ("scalarization").

`f(x, y)[i, j] -> f(x[i, j], y[i, j])` for an elementwise `f`, so that indexing one
entry of a big elementwise graph computes that entry only. The index moves through
`DimShuffle` (onto the input axes it reads) and through the batch axes of `Blockwise`
the same way; a `Blockwise` left with no batch axis becomes its core op. An input that
broadcasts along an indexed axis is indexed at 0 there (an integer index) or kept whole
(a slice). Where an input's length is not known to equal the result's or to be 1,
nothing is done.

The index also moves through ops that work along some axes only, onto the others: the
kept axes of a reduction, the axes of `Softmax` / `CumSum` / `Join` other than theirs,
and the leading axes of a `Reshape` that keeps them (the form vectorize gives: the batch
axes stay in front).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from tensorgraft.graph.basic import Apply, Constant, Variable
from tensorgraft.graph.fg import FunctionGraph
from tensorgraft.rewrite.engine import RuleResult, fits, register
from tensorgraft.rewrite.patterns import scalar_constant
from tensorgraft.rewrite.rules.shapes import dim_key
from tensorgraft.tensor.basic import constant
from tensorgraft.tensor.blockwise import Blockwise
from tensorgraft.tensor.construction import Join
from tensorgraft.tensor.cumulative import Cumulative
from tensorgraft.tensor.elemwise import DimShuffle, Elemwise
from tensorgraft.tensor.indexing_key import FULL_SLICE, INT, SliceSpec, group_inputs, n_inputs
from tensorgraft.tensor.reduction import Reduce
from tensorgraft.tensor.shape import Reshape, Shape
from tensorgraft.tensor.softmax import SoftmaxBase
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
    if all(e == FULL_SLICE for e in batch):
        return None  # nothing to move inside (the rule would replace the node by itself)
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


# -- ops that work along some axes: the index moves onto the others ------------------------

Pair = tuple[Any, Any]  # an index entry and its inputs (as `group_inputs` groups them)
_WHOLE: Pair = (FULL_SLICE, (None, None, None))
_LEADING = SliceSpec(False, True, False)  # `[:stop]`


def _pairs(node: Apply) -> list[Pair]:
    """The entries of a Subtensor node with their inputs, trailing `:` left out."""
    op = node.op
    assert isinstance(op, Subtensor)
    pairs = list(zip(op.idx_list, group_inputs(op.idx_list, node.inputs[1:]), strict=True))
    while pairs and pairs[-1][0] == FULL_SLICE:
        pairs.pop()
    return pairs


def _subtensor(x: Variable, pairs: list[Pair]) -> Variable:
    """x[pairs] (x itself when every entry is `:`)."""
    pairs = list(pairs)
    while pairs and pairs[-1][0] == FULL_SLICE:
        pairs.pop()
    if not pairs:
        return x
    values: list[Variable] = []
    for entry, value in pairs:
        if entry == INT:
            values.append(value)
        else:
            values.extend(p for p in value if p is not None)
    result: Variable = Subtensor(tuple(e for e, _ in pairs))(x, *values)
    return result


def _axis_owner(fgraph: FunctionGraph, node: Apply, kind: Any) -> Apply | None:
    """The node computing a Subtensor's input when it is a `kind` op, and lifting a basic
    index onto its input computes nothing twice."""
    op = node.op
    assert isinstance(op, Subtensor)
    x = node.inputs[0]
    inner = x.owner
    if inner is None or not isinstance(inner.op, kind) or len(inner.outputs) != 1:
        return None
    if not _basic(op) or not _computed_once(fgraph, op, x):
        return None
    return inner


def _shifted(axis: int, pairs: list[Pair]) -> int:
    """`axis` once the integer-indexed axes before it are gone."""
    return axis - sum(e == INT for e, _ in pairs[:axis])


@register("canonicalize", tracks=[Subtensor])
def lift_subtensor_through_reduction(fgraph: FunctionGraph, node: Apply) -> RuleResult:
    """sum(x, axis=a)[idx] -> sum(x[idx'], axis=a'): index the kept axes of x."""
    inner = _axis_owner(fgraph, node, Reduce)
    pairs = _pairs(node)
    if inner is None or not pairs or inner.op.axes is None:  # type: ignore[attr-defined]
        return None
    y = inner.inputs[0]
    reduced = inner.op.reduced(y.type.ndim)  # type: ignore[attr-defined]
    kept = iter(pairs)
    in_pairs = [_WHOLE if a in reduced else next(kept, _WHOLE) for a in range(y.type.ndim)]  # type: ignore[attr-defined]
    axes = tuple(_shifted(a, in_pairs) for a in reduced)
    new = dataclasses.replace(inner.op, axes=axes)(_subtensor(y, in_pairs))  # type: ignore[type-var]
    return [new] if fits(node.outputs[0], new) else None


@register("canonicalize", tracks=[Subtensor])
def lift_subtensor_through_axis_op(fgraph: FunctionGraph, node: Apply) -> RuleResult:
    """softmax(x, axis=a)[idx] -> softmax(x[idx], axis=a') (and cumsum, cumprod,
    log_softmax) where the index takes all of axis a."""
    inner = _axis_owner(fgraph, node, SoftmaxBase | Cumulative)
    pairs = _pairs(node)
    if inner is None or not pairs:
        return None
    axis = inner.op.axis  # type: ignore[attr-defined]
    if axis is None or (axis < len(pairs) and pairs[axis][0] != FULL_SLICE):
        return None
    sub = _subtensor(inner.inputs[0], pairs)
    new = dataclasses.replace(inner.op, axis=_shifted(axis, pairs))(sub)  # type: ignore[type-var]
    return [new] if fits(node.outputs[0], new) else None


@register("canonicalize", tracks=[Subtensor])
def lift_subtensor_through_join(fgraph: FunctionGraph, node: Apply) -> RuleResult:
    """join(a, (x, y))[idx] -> join(a', (x[idx], y[idx])) where the index takes all of a."""
    inner = _axis_owner(fgraph, node, Join)
    pairs = _pairs(node)
    if inner is None or not pairs:
        return None
    axis = inner.op.axis  # type: ignore[attr-defined]
    if axis < len(pairs) and pairs[axis][0] != FULL_SLICE:
        return None
    parts = [_subtensor(i, pairs) for i in inner.inputs]
    new = Join(_shifted(axis, pairs))(*parts)
    return [new] if fits(node.outputs[0], new) else None


@register("canonicalize", tracks=[Subtensor])
def lift_subtensor_through_reshape(fgraph: FunctionGraph, node: Apply) -> RuleResult:
    """reshape(x, (*shape(x)[:k], *s))[idx] -> reshape(x[idx], (*shape(x[idx])[:k'], *s))
    where idx indexes only the k leading axes, which the reshape keeps."""
    inner = _axis_owner(fgraph, node, Reshape)
    pairs = _pairs(node)
    if inner is None or not pairs:
        return None
    y, vec = inner.inputs
    split = _kept_leading(y, vec, len(pairs))
    if split is None:
        return None
    n_kept, rest = split
    sub = _subtensor(y, pairs)
    dropped = sum(e == INT for e, _ in pairs)
    n_lead = n_kept - dropped
    parts = list(rest)
    if n_lead:
        parts.insert(0, Subtensor((_LEADING,))(Shape()(sub), constant(n_lead, dtype="int64")))
    if not parts:
        return None
    new_vec = parts[0] if len(parts) == 1 else Join(0)(*parts)
    new = Reshape(inner.op.ndim - dropped)(sub, new_vec)  # type: ignore[attr-defined]
    return [new] if fits(node.outputs[0], new) else None


def _kept_leading(y: Variable, vec: Variable, k: int) -> tuple[int, list[Variable]] | None:
    """How the shape vector `vec` of a reshape of `y` keeps y's leading axes: (n, rest)
    where `vec` is y's first n >= k lengths followed by the vectors `rest`; None where
    that is not known."""
    if isinstance(vec, Constant):
        data = np.asarray(vec.data)
        static = y.type.shape  # type: ignore[attr-defined]
        if len(static) < k or any(static[a] != int(data[a]) for a in range(k)):
            return None
        return k, [constant(data[k:].astype("int64"))]
    join = vec.owner
    if join is None or not isinstance(join.op, Join) or join.op.axis != 0:
        return None
    head, *rest = join.inputs
    sub = head.owner
    if sub is None or not isinstance(sub.op, Subtensor) or sub.op.idx_list != (_LEADING,):
        return None
    n = scalar_constant(sub.inputs[1])
    shape = sub.inputs[0].owner
    if n is None or shape is None or not isinstance(shape.op, Shape) or int(n) < k:
        return None
    z = shape.inputs[0]
    n = int(n)
    if n > min(y.type.ndim, z.type.ndim):  # type: ignore[attr-defined]
        return None
    if z is not y and any(dim_key(z, a) != dim_key(y, a) for a in range(n)):
        return None
    return n, rest
