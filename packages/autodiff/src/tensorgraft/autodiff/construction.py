"""Rules for the array constructors: alloc/broadcast_to, concatenate, split, repeat and
the diagonal ops. Sizes, counts and offsets are integers: they never get a gradient."""

from __future__ import annotations

from typing import Any

import tensorgraft.tensor as tt
from tensorgraft.autodiff.elemwise import linear_in_first, unbroadcast
from tensorgraft.autodiff.engine import zeros_like
from tensorgraft.autodiff.registry import (
    declare_disconnected,
    register_disconnected,
    register_pullback,
    register_pushforward,
)
from tensorgraft.graph.basic import Apply
from tensorgraft.tensor.construction import (
    Alloc,
    AllocDiag,
    ARange,
    ExtractDiag,
    Eye,
    Join,
    Repeat,
    Split,
)
from tensorgraft.tensor.shape import ShapeI
from tensorgraft.tensor.sort import ArgSort, Sort


def _rest(n: int) -> list[int]:
    return list(range(1, n))


@register_pullback(Alloc)
def _alloc_pullback(node: Apply, g: list[Any]) -> list[Any]:
    # The value was broadcast: sum the cotangent back to its shape.
    value, (gz,) = node.inputs[0], g
    extra = gz.type.ndim - value.type.ndim  # type: ignore[attr-defined]
    gv = tt.sum(gz, axis=tuple(range(extra))) if extra else gz
    return [unbroadcast(gv, value, [gv]), *[None] * (len(node.inputs) - 1)]


@register_pullback(Join)
def _join_pullback(node: Apply, g: list[Any]) -> list[Any]:
    # Each input gets its own slice of the cotangent along the axis.
    axis: int = node.op.axis  # type: ignore[attr-defined]
    grads, start = [], 0
    for x in node.inputs:
        n = x.type.shape[axis]  # type: ignore[attr-defined]
        stop = start + (n if n is not None else ShapeI(axis)(x))
        grads.append(g[0][(slice(None),) * axis + (slice(start, stop),)])
        start = stop
    return grads


@register_pushforward(Join)
def _join_pushforward(node: Apply, t: list[Any]) -> list[Any]:
    parts = [zeros_like(x) if tk is None else tk for x, tk in zip(node.inputs, t, strict=True)]
    return [node.op.make_node(*parts).outputs[0]]


@register_pullback(Split)
def _split_pullback(node: Apply, g: list[Any]) -> list[Any]:
    parts = [zeros_like(o) if gk is None else gk for o, gk in zip(node.outputs, g, strict=True)]
    return [tt.concatenate(parts, axis=node.op.axis), None]  # type: ignore[attr-defined]


@register_pullback(Repeat)
def _repeat_pullback(node: Apply, g: list[Any]) -> list[Any]:
    # Add each copy back into the element it repeats: a scatter-add at repeat(arange(n)).
    x, repeats = node.inputs
    axis: int = node.op.axis  # type: ignore[attr-defined]
    source = tt.repeat(tt.arange(ShapeI(axis)(x)), repeats)
    key = (slice(None),) * axis + (source,)
    return [tt.inc_subtensor(zeros_like(x)[key], g[0]), None]  # type: ignore[index]


@register_pullback(ExtractDiag)
def _extract_diag_pullback(node: Apply, g: list[Any]) -> list[Any]:
    op: Any = node.op
    x = node.inputs[0]
    n = x.type.ndim  # type: ignore[attr-defined]
    # Put the two axes last, add g on the diagonal there, and move them back.
    order = [a for a in range(n) if a not in (op.axis1, op.axis2)] + [op.axis1, op.axis2]
    zeros = tt.transpose(zeros_like(x), order)
    k = tt.arange(ShapeI(n - 2)(g[0]))
    rows, cols = k + max(-op.offset, 0), k + max(op.offset, 0)
    filled = tt.inc_subtensor(zeros[..., rows, cols], g[0])
    return [tt.transpose(filled, [order.index(a) for a in range(n)])]


@register_pullback(AllocDiag)
def _alloc_diag_pullback(node: Apply, g: list[Any]) -> list[Any]:
    return [ExtractDiag(node.op.offset, 0, 1)(g[0])]  # type: ignore[attr-defined]


@register_pullback(ARange)
def _arange_pullback(node: Apply, g: list[Any]) -> list[Any]:
    # out_k = start + k step; the length is piecewise constant in (start, stop, step).
    k = tt.arange(ShapeI(0)(node.outputs[0]))
    return [tt.sum(g[0]), None, tt.sum(g[0] * k)]


register_pushforward(Alloc, Split, Repeat, ExtractDiag, AllocDiag)(linear_in_first)
for _op in (Alloc, Split, Repeat):
    register_disconnected(_op, lambda node: _rest(len(node.inputs)))
declare_disconnected(Eye, "its inputs are integer sizes and offsets")


# -- sorting -----------------------------------------------------------------------------------
@register_pullback(Sort)
def _sort_pullback(node: Apply, g: list[Any]) -> list[Any]:
    # Un-sort the cotangent: element k of the result came from position order[k].
    x, axis = node.inputs[0], node.op.axis  # type: ignore[attr-defined]
    order = ArgSort(axis)(x)
    return [tt.take_along_axis(g[0], ArgSort(axis)(order), axis=axis)]


declare_disconnected(ArgSort, "its output is integer indices")
