"""Shape rewrites (phase `canonicalize`): shapes come from shapes, never from values.

`dim_key(var, axis)` names the length of an axis without computing anything: a static
int, or a key such as `("dim", x, 0)` for the length of axis 0 of the root `x`. Two
lengths with equal keys are equal at run time. It looks through elementwise ops,
Blockwise batch axes, DimShuffle, Alloc and `Shape_i`, at most `MAX_VISITS` nodes
(rules stay local). The broadcast of several unknown lengths is keyed by their set,
`("bcast", frozenset(keys))`, whether it comes from an elementwise op or from the
`switch(eq(a, 1), b, a)` length that `infer_shape` writes for it; like the rest of the
rewrites, this assumes the graph's shapes broadcast (where they don't, it fails anyway).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from tensorgraft.graph.basic import Apply, Variable
from tensorgraft.graph.fg import FunctionGraph
from tensorgraft.rewrite.engine import RuleResult, fits, register
from tensorgraft.rewrite.patterns import constant_value, scalar_constant
from tensorgraft.tensor import scalar_ops as ts
from tensorgraft.tensor.blockwise import Blockwise
from tensorgraft.tensor.construction import Alloc, Join
from tensorgraft.tensor.elemwise import DimShuffle, Elemwise
from tensorgraft.tensor.reduction import SumTo
from tensorgraft.tensor.shape import Reshape, Shape, ShapeI
from tensorgraft.tensor.subtensor import INT, Subtensor

# Nodes one key may look at: rules stay local, and a deep graph costs no more.
MAX_VISITS = 16


def dim_key(
    var: Variable,
    axis: int,
    budget: list[int] | None = None,
    memo: dict[tuple[Variable, int], Any] | None = None,
) -> Any:
    """A key for the length of `axis` of `var`: an int when static (see module doc).

    `budget` (one shared counter) bounds how many nodes one query looks at; `memo` keeps
    keys between queries on a graph that only changes by value-preserving replacements
    (a key found with the budget spent is less precise, never wrong).
    """
    static = var.type.shape[axis]  # type: ignore[attr-defined]
    if static is not None:
        return static
    if memo is not None:
        found = memo.get((var, axis))
        if found is not None:
            return found
    if budget is None:
        budget = [MAX_VISITS]
    node = var.owner
    if node is None or budget[0] <= 0:
        return ("dim", var, axis)
    budget[0] -= 1
    op = node.op
    key: Any = ("dim", var, axis)
    if isinstance(op, Elemwise) or (isinstance(op, Blockwise) and _batch_axis(op, var, axis)):
        # A broadcast axis: the inputs' lengths, ignoring those of length 1.
        found = broadcast_key(dim_key(i, axis, budget, memo) for i in node.inputs)
        if found is not None:
            key = found
    elif isinstance(op, DimShuffle):
        src = op.new_order[axis]
        key = 1 if src == "x" else dim_key(node.inputs[0], src, budget, memo)  # type: ignore[arg-type]
    elif isinstance(op, Alloc):
        key = length_key(node.inputs[1 + axis], budget, memo)
    if memo is not None:
        memo[var, axis] = key
    return key


def broadcast_key(keys: Iterable[Any]) -> Any:
    """The key of the length that lengths with these keys broadcast to (None: not known)."""
    members: set[Any] = set()
    for k in keys:
        if isinstance(k, tuple) and k[0] == "bcast":
            members |= k[1]
        elif k != 1:
            members.add(k)
    if not members:
        return 1
    if len(members) == 1:
        return members.pop()
    statics = {k for k in members if isinstance(k, int)}
    if statics:
        # Where they broadcast, the result is the one length that is not 1.
        return statics.pop() if len(statics) == 1 else None
    return ("bcast", frozenset(members))


def _batch_axis(op: Blockwise, var: Variable, axis: int) -> bool:
    core_ndim = len(op.outputs_sig[var.index or 0])
    return axis < var.type.ndim - core_ndim  # type: ignore[attr-defined]


def constant_int(n: Variable) -> int | None:
    """The value of an integer constant scalar (constants are folded by now), else None.

    Rules never ask the shape helpers of tensor/shape.py: they walk whole shape graphs,
    which in a gradient graph are as deep as the graph itself.
    """
    value = scalar_constant(n)
    if value is None or not isinstance(value, int | np.integer):
        return None
    return int(value)


def length_key(
    n: Variable,
    budget: list[int] | None = None,
    memo: dict[tuple[Variable, int], Any] | None = None,
) -> Any:
    """A key for an integer scalar used as a length (see `dim_key`)."""
    static = constant_int(n)
    if static is not None:
        return static
    node = n.owner
    if node is not None and isinstance(node.op, ShapeI):
        return dim_key(node.inputs[0], node.op.i, budget, memo)
    if node is not None and _is_scalar_op(node, ts.switch):
        # switch(eq(a, 1), b, a): the broadcast of a and b (Elemwise.infer_shape).
        cond, then, other = node.inputs
        test = cond.owner
        if budget is None:
            budget = [MAX_VISITS]
        if (
            budget[0] > 0
            and test is not None
            and _is_scalar_op(test, ts.eq)
            and constant_int(test.inputs[1]) == 1
        ):
            budget[0] -= 1  # nested switches are as deep as the graph: stay local
            first = length_key(other, budget, memo)
            if length_key(test.inputs[0], budget, memo) == first:
                found = broadcast_key([first, length_key(then, budget, memo)])
                if found is not None:
                    return found
    return ("len", n)


def _is_scalar_op(node: Apply, scalar_op: Any) -> bool:
    return isinstance(node.op, Elemwise) and node.op.scalar_op == scalar_op


@register("canonicalize", "basic", tracks=[Alloc])
def alloc_useless(fgraph: FunctionGraph, node: Apply) -> RuleResult:
    """alloc(v, *shape) -> v where v already has that shape (same dtype and rank)."""
    value, *lengths = node.inputs
    out = node.outputs[0]
    if value.type.ndim != len(lengths):  # type: ignore[attr-defined]
        return None
    same = all(dim_key(value, a) == length_key(n) for a, n in enumerate(lengths))
    return [value] if same and fits(out, value) else None


@register("canonicalize", tracks=[Elemwise])
def elemwise_drop_alloc(fgraph: FunctionGraph, node: Apply) -> RuleResult:
    """f(alloc(v, *shape), y) -> f(v, y) where the other operands already give the shape.

    The gradient of `log1p(x).sum()` is `alloc(1.0, shape(x)) / (1 + x)`: the alloc only
    repeats what broadcasting does anyway.
    """
    op = node.op
    assert isinstance(op, Elemwise)
    if len(node.inputs) < 2 or not any(
        i.owner is not None and isinstance(i.owner.op, Alloc) for i in node.inputs
    ):
        return None
    for k, inp in enumerate(node.inputs):
        alloc = inp.owner
        if alloc is None or not isinstance(alloc.op, Alloc):
            continue
        value, *lengths = alloc.inputs
        others = node.inputs[:k] + node.inputs[k + 1 :]
        covered = all(
            length_key(n) in (1, _broadcast_key(others, a)) for a, n in enumerate(lengths)
        )
        if not covered:
            continue
        ndim = len(lengths)
        vdim = value.type.ndim  # type: ignore[attr-defined]
        if vdim < ndim:
            value = DimShuffle(vdim, ("x",) * (ndim - vdim) + tuple(range(vdim)))(value)
        new = op(*node.inputs[:k], value, *node.inputs[k + 1 :])
        if fits(node.outputs[0], new):
            return [new]
    return None


def _broadcast_key(inputs: list[Variable], axis: int) -> Any:
    key = broadcast_key(dim_key(i, axis) for i in inputs)
    return ("none",) if key is None or key == 1 else key


@register("canonicalize", "basic", tracks=[Subtensor])
def shape_entry_to_shape_i(fgraph: FunctionGraph, node: Apply) -> RuleResult:
    """shape(x)[i] -> Shape_i{i}(x) for a constant i."""
    op = node.op
    assert isinstance(op, Subtensor)
    vec = node.inputs[0]
    if op.idx_list != (INT,) or vec.owner is None or not isinstance(vec.owner.op, Shape):
        return None
    i = constant_int(node.inputs[1])
    x = vec.owner.inputs[0]
    ndim = x.type.ndim  # type: ignore[attr-defined]
    if i is None or not -ndim <= i < ndim:
        return None
    new = ShapeI(i % ndim)(x)
    return [new] if fits(node.outputs[0], new) else None


@register("canonicalize", "basic", tracks=[Reshape])
def reshape_useless(fgraph: FunctionGraph, node: Apply) -> RuleResult:
    """reshape(x, shape) -> x where shape is x's own shape (entry by entry)."""
    x, vec = node.inputs
    ndim = x.type.ndim  # type: ignore[attr-defined]
    op = node.op
    assert isinstance(op, Reshape)
    if op.ndim != ndim:
        return None
    keys = _entry_keys(vec)
    if keys is None or len(keys) != ndim:
        return None
    # A vector reshaped to (-1,) is itself; elsewhere -1 is left alone.
    same = keys == [-1] or all(k == dim_key(x, a) for a, k in enumerate(keys))
    return [x] if same and fits(node.outputs[0], x) else None


@register("canonicalize", "basic", tracks=[SumTo])
def sum_to_useless(fgraph: FunctionGraph, node: Apply) -> RuleResult:
    """sum_to(x, shape) -> x where shape is x's own shape (entry by entry): nothing to sum."""
    x, vec = node.inputs
    keys = _entry_keys(vec)
    if keys is None or len(keys) != x.type.ndim:  # type: ignore[attr-defined]
        return None
    same = all(k == dim_key(x, a) for a, k in enumerate(keys))
    return [x] if same and fits(node.outputs[0], x) else None


def _entry_keys(vec: Variable) -> list[Any] | None:
    """Length keys of the entries of an integer shape vector, or None where not known."""
    node = vec.owner
    if node is not None and isinstance(node.op, Shape):
        return [dim_key(node.inputs[0], a) for a in range(node.inputs[0].type.ndim)]  # type: ignore[attr-defined]
    if node is not None and isinstance(node.op, Join) and node.op.axis == 0:
        keys: list[Any] = []
        for part in node.inputs:
            owner = part.owner
            if (
                owner is None
                or not isinstance(owner.op, DimShuffle)
                or owner.op.new_order != ("x",)
            ):
                return None
            keys.append(length_key(owner.inputs[0]))
        return keys
    data = constant_value(vec)
    return None if data is None or data.ndim != 1 else [int(v) for v in data]


@register("canonicalize", tracks=[Shape])
def shape_to_lengths(fgraph: FunctionGraph, node: Apply) -> RuleResult:
    """shape(f(x)) -> the vector of the Shape_i(f(x)), which later rules compute from shapes.

    `shape(exp(x @ x.T))` then needs neither the dot nor the exp. A leading slice
    `shape(v)[:k]` (the shape vector vectorize gives a reshape) is left as it is.
    """
    x = node.inputs[0]
    ndim = x.type.ndim  # type: ignore[attr-defined]
    if x.owner is None or None not in x.type.shape:  # type: ignore[attr-defined]
        return None  # an input's shape is read, a static one folded (shape_of_static)
    for client, _ in fgraph.clients.get(node.outputs[0], ()):
        op = getattr(client, "op", None)
        if isinstance(op, Subtensor) and op.idx_list != (INT,):
            return None
    parts = [DimShuffle(0, ("x",))(ShapeI(a)(x)) for a in range(ndim)]
    new = parts[0] if ndim == 1 else Join(0)(*parts)
    return [new] if fits(node.outputs[0], new) else None
