"""Rules every rule phase runs: constant folding and removal of useless nodes.

Tagged `canonicalize`, `stabilize` and `specialize` (and `basic`), so each phase leaves
no foldable or do-nothing node behind for the next one.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tensorgraft.graph.basic import Apply, Constant, Variable
from tensorgraft.graph.fg import FunctionGraph
from tensorgraft.rewrite.engine import RuleResult, register, register_pattern
from tensorgraft.rewrite.patterns import constant_value
from tensorgraft.rewrite.rules.shapes import dim_key
from tensorgraft.tensor import scalar_ops as ts
from tensorgraft.tensor.construction import Join
from tensorgraft.tensor.elemwise import DimShuffle, Elemwise
from tensorgraft.tensor.shape import Reshape, Shape, ShapeI
from tensorgraft.tensor.type import TensorType

PHASES = ("basic", "canonicalize", "stabilize", "specialize")
# Folding may not blow a graph up: results beyond this many bytes stay computed at run time.
FOLD_MAX_BYTES = 1 << 20


def make_constant(var: Variable, value: Any) -> Constant | None:
    """A constant for `value` with `var`'s dtype and the value's (static) shape."""
    if not isinstance(var.type, TensorType):
        return None
    arr = np.asarray(value)
    if arr.dtype != var.type.numpy_dtype or arr.ndim != var.type.ndim:
        return None
    return var.type.clone(shape=arr.shape).make_constant(np.array(arr))


@register(*PHASES)
def constant_folding(fgraph: FunctionGraph, node: Apply) -> RuleResult:
    """f(constants) -> constant: compute a node whose inputs are all constants."""
    if not node.inputs or not all(isinstance(i, Constant) for i in node.inputs):
        return None
    if node.op.destroy_map:
        return None
    try:
        with np.errstate(all="ignore"):
            values = node.op.perform(node, [np.array(i.data) for i in node.inputs])  # type: ignore[attr-defined]
    except Exception:
        return None
    limit = max(FOLD_MAX_BYTES, *(np.asarray(i.data).nbytes for i in node.inputs))  # type: ignore[attr-defined]
    if any(np.asarray(v).nbytes > limit for v in values):
        return None
    consts = [make_constant(o, v) for o, v in zip(node.outputs, values, strict=True)]
    return None if any(c is None for c in consts) else consts


@register(*PHASES)
def remove_identity_markers(fgraph: FunctionGraph, node: Apply) -> RuleResult:
    """marker(x) -> x for ops that are the identity at run time (stop_gradient, ...)."""
    if not getattr(node.op, "identity_at_run_time", False):
        return None
    if len(node.inputs) < len(node.outputs):
        return None
    return list(node.inputs[: len(node.outputs)])


# x + 0 -> x, x * 1 -> x, and friends (they only fire where the dtype is unchanged).
register_pattern("add_zero", (ts.add, 0, "*xs"), (ts.add, "*xs"), *PHASES)
register_pattern("mul_one", (ts.mul, 1, "*xs"), (ts.mul, "*xs"), *PHASES)
register_pattern("sub_zero", (ts.sub, "x", 0), "x", *PHASES)
register_pattern("zero_sub", (ts.sub, 0, "x"), (ts.neg, "x"), *PHASES)
register_pattern("div_one", (ts.true_div, "x", 1), "x", *PHASES)
register_pattern("pow_one", (ts.pow, "x", 1), "x", *PHASES)
register_pattern("neg_neg", (ts.neg, (ts.neg, "x")), "x", *PHASES)
register_pattern("cast_same_dtype", (ts.Cast, "x"), "x", *PHASES)
register_pattern("lone_add", (ts.add, "x"), "x", *PHASES)
register_pattern("lone_mul", (ts.mul, "x"), "x", *PHASES)


@register(*PHASES, tracks=[ts.switch])
def switch_constant_condition(fgraph: FunctionGraph, node: Apply) -> RuleResult:
    """switch(True, a, b) -> a and switch(False, a, b) -> b (where the type is kept)."""
    cond = constant_value(node.inputs[0])
    if cond is None or cond.size == 0:
        return None
    if cond.all():
        pick = node.inputs[1]
    elif not cond.any():
        pick = node.inputs[2]
    else:
        return None
    out = node.outputs[0]
    if pick.type != out.type:  # a branch smaller than the result still needs broadcasting
        return None
    return [pick]


@register(*PHASES, tracks=[ts.switch])
def switch_same_branches(fgraph: FunctionGraph, node: Apply) -> RuleResult:
    """switch(c, a, a) -> a (where c does not broadcast a to a bigger result)."""
    _, a, b = node.inputs
    if a is not b or a.type != node.outputs[0].type:
        return None
    return [a]


@register(*PHASES, tracks=[DimShuffle])
def dimshuffle_useless_or_nested(fgraph: FunctionGraph, node: Apply) -> RuleResult:
    """DimShuffle{identity}(x) -> x; DimShuffle(DimShuffle(x)) -> one DimShuffle."""
    op = node.op
    assert isinstance(op, DimShuffle)
    x = node.inputs[0]
    if op.new_order == tuple(range(op.input_ndim)):
        return [x]
    inner = x.owner
    if inner is None or not isinstance(inner.op, DimShuffle):
        return None
    order = tuple(a if a == "x" else inner.op.new_order[a] for a in op.new_order)  # type: ignore[index]
    y = inner.inputs[0]
    if order == tuple(range(inner.op.input_ndim)):
        return [y]  # a double transpose
    return [DimShuffle(inner.op.input_ndim, order)(y)]


@register(*PHASES, tracks=[ShapeI])
def shape_i_from_shapes(fgraph: FunctionGraph, node: Apply) -> RuleResult:
    """Shape_i(x) -> its static length, or the length computed from x's inputs' shapes.

    Only the node computing x is looked at (its `infer_shape`), never the graph below.
    """
    op = node.op
    assert isinstance(op, ShapeI)
    x = node.inputs[0]
    static = x.type.shape[op.i]  # type: ignore[attr-defined]
    if static is not None:
        return [make_constant(node.outputs[0], np.asarray(static, dtype="int64"))]
    owner = x.owner
    if owner is None:
        return None
    if isinstance(owner.op, Elemwise):
        # The length of an input that is not broadcast, where they are known to agree
        # (no switch(len == 1, ...) expression that grows with the depth of the graph).
        full = [i for i in owner.inputs if i.type.shape[op.i] != 1]  # type: ignore[attr-defined]
        if full and len({dim_key(i, op.i) for i in full}) == 1:
            return [ShapeI(op.i)(full[0])]
    if isinstance(owner.op, Reshape):
        # Reshape's infer_shape reads its whole shape graph; take the entry where it is
        # a length (never -1), else keep Shape_i of the reshape (a cheap view).
        length = _reshape_entry(owner.inputs[1], op.i)
        return [length] if length is not None and length.type == node.outputs[0].type else None
    try:
        shapes = [shape_entries(i) for i in owner.inputs]
        entry = owner.op.infer_shape(fgraph, owner, shapes)[x.index][op.i]  # type: ignore[index]
    except Exception:
        return None
    if isinstance(entry, int | np.integer):
        return [make_constant(node.outputs[0], np.asarray(entry, dtype="int64"))]
    if isinstance(entry, Variable) and entry.type == node.outputs[0].type:
        return [entry]
    return None


def _reshape_entry(vec: Variable, i: int) -> Variable | None:
    """Entry `i` of a reshape's shape vector where it is known to be a length, else None."""
    node = vec.owner
    if node is None:
        return None
    if isinstance(node.op, Shape):
        length: Variable = ShapeI(i)(node.inputs[0])
        return length
    if isinstance(node.op, Join) and node.op.axis == 0 and len(node.inputs) > i:
        part = node.inputs[i].owner
        if part is not None and getattr(part.op, "new_order", None) == ("x",):
            entry = part.inputs[0]
            if entry.owner is not None and isinstance(entry.owner.op, ShapeI):
                return entry
    return None


def shape_entries(var: Variable) -> tuple[Any, ...]:
    """The shape of `var` for `infer_shape`: static ints, else `Shape_i(var)` scalars."""
    if not isinstance(var.type, TensorType):
        return ()
    return tuple(s if s is not None else ShapeI(i)(var) for i, s in enumerate(var.type.shape))


@register(*PHASES, tracks=[Shape])
def shape_of_static(fgraph: FunctionGraph, node: Apply) -> RuleResult:
    """shape(x) -> a constant when x's static shape is fully known."""
    shape = node.inputs[0].type.shape  # type: ignore[attr-defined]
    if None in shape:
        return None
    return [make_constant(node.outputs[0], np.asarray(shape, dtype="int64"))]


def _is_elemwise(node: Apply | None, scalar_op: Any) -> bool:
    return (
        node is not None
        and isinstance(node.op, Elemwise)
        and not node.op.inplace_pattern
        and node.op.scalar_op == scalar_op
    )
