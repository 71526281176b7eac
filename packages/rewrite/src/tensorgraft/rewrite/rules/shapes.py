"""Shape rewrites (phase `canonicalize`): shapes come from shapes, never from values.

`dim_key(var, axis)` names the length of an axis without computing anything: a static
int, or a key such as `("dim", x, 0)` for the length of axis 0 of the root `x`. Two
lengths with equal keys are equal at run time. It looks through elementwise ops,
DimShuffle, Alloc and `Shape_i` a bounded number of steps (rules stay local).
"""

from __future__ import annotations

from typing import Any

from tensorgraft.graph.basic import Apply, Variable
from tensorgraft.graph.fg import FunctionGraph
from tensorgraft.rewrite.engine import RuleResult, fits, register
from tensorgraft.tensor.construction import Alloc
from tensorgraft.tensor.elemwise import DimShuffle, Elemwise
from tensorgraft.tensor.shape import Shape, ShapeI, static_int
from tensorgraft.tensor.subtensor import INT, Subtensor

MAX_DEPTH = 16


def dim_key(var: Variable, axis: int, depth: int = 0) -> Any:
    """A key for the length of `axis` of `var`: an int when static (see module doc)."""
    static = var.type.shape[axis]  # type: ignore[attr-defined]
    if static is not None:
        return static
    node = var.owner
    if node is None or depth >= MAX_DEPTH:
        return ("dim", var, axis)
    op = node.op
    if isinstance(op, Elemwise):
        keys = {dim_key(i, axis, depth + 1) for i in node.inputs}
        keys.discard(1)
        return keys.pop() if len(keys) == 1 else ("dim", var, axis)
    if isinstance(op, DimShuffle):
        src = op.new_order[axis]
        return 1 if src == "x" else dim_key(node.inputs[0], src, depth + 1)  # type: ignore[arg-type]
    if isinstance(op, Alloc):
        return length_key(node.inputs[1 + axis], depth + 1)
    return ("dim", var, axis)


def length_key(n: Variable, depth: int = 0) -> Any:
    """A key for an integer scalar used as a length (see `dim_key`)."""
    static = static_int(n)
    if static is not None:
        return static
    node = n.owner
    if node is not None and isinstance(node.op, ShapeI) and depth < MAX_DEPTH:
        return dim_key(node.inputs[0], node.op.i, depth + 1)
    return ("len", n)


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
    keys = {dim_key(i, axis) for i in inputs}
    keys.discard(1)
    return keys.pop() if len(keys) == 1 else ("none",)


@register("canonicalize", "basic", tracks=[Subtensor])
def shape_entry_to_shape_i(fgraph: FunctionGraph, node: Apply) -> RuleResult:
    """shape(x)[i] -> Shape_i{i}(x) for a constant i."""
    op = node.op
    assert isinstance(op, Subtensor)
    vec = node.inputs[0]
    if op.idx_list != (INT,) or vec.owner is None or not isinstance(vec.owner.op, Shape):
        return None
    i = static_int(node.inputs[1])
    x = vec.owner.inputs[0]
    ndim = x.type.ndim  # type: ignore[attr-defined]
    if i is None or not -ndim <= i < ndim:
        return None
    new = ShapeI(i % ndim)(x)
    return [new] if fits(node.outputs[0], new) else None
