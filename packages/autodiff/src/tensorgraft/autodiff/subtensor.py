"""Rules for indexing: basic and advanced `x[idx]`, and set/inc-subtensor.

The gradient of `x[idx]` adds the cotangent into zeros at `idx` (repeated advanced
indices accumulate); index inputs are integers and never get a gradient.
"""

from __future__ import annotations

from typing import Any

import tensorgraft.tensor as tt
from tensorgraft.autodiff.elemwise import linear_in_first, unbroadcast
from tensorgraft.autodiff.engine import is_differentiable, zeros_like
from tensorgraft.autodiff.registry import (
    register_disconnected,
    register_pullback,
    register_pushforward,
)
from tensorgraft.graph.basic import Apply
from tensorgraft.tensor.indexing import AdvancedIncSubtensor, AdvancedSubtensor
from tensorgraft.tensor.subtensor import IncSubtensor, Subtensor

_READ = {IncSubtensor: Subtensor, AdvancedIncSubtensor: AdvancedSubtensor}
_WRITE = {Subtensor: IncSubtensor, AdvancedSubtensor: AdvancedIncSubtensor}


@register_pullback(Subtensor, AdvancedSubtensor)
def _subtensor_pullback(node: Apply, g: list[Any]) -> list[Any]:
    x, *index = node.inputs
    write = _WRITE[type(node.op)](node.op.idx_list, set_instead_of_inc=False)  # type: ignore[attr-defined]
    return [write(zeros_like(x), g[0], *index), *[None] * len(index)]


@register_pullback(IncSubtensor, AdvancedIncSubtensor)
def _inc_subtensor_pullback(node: Apply, g: list[Any]) -> list[Any]:
    op: Any = node.op
    v, *index = node.inputs[1:]
    (gz,) = g
    # set: the old values at idx are overwritten, so x gets no gradient there.
    gx = (
        type(op)(op.idx_list, set_instead_of_inc=True)(gz, 0, *index)
        if op.set_instead_of_inc
        else gz
    )
    gv = None
    if is_differentiable(v):
        gv = _READ[type(op)](op.idx_list)(gz, *index)
        extra = gv.type.ndim - v.type.ndim  # type: ignore[attr-defined]
        if extra:  # v broadcast along new leading axes
            gv = tt.sum(gv, axis=tuple(range(extra)))
        gv = unbroadcast(gv, v, [gv])
    return [gx, gv, *[None] * len(index)]


@register_pushforward(IncSubtensor, AdvancedIncSubtensor)
def _inc_subtensor_pushforward(node: Apply, t: list[Any]) -> list[Any]:
    # Linear in (x, v) together.
    x, v, *index = node.inputs
    tx = zeros_like(x) if t[0] is None else t[0]
    tv = zeros_like(v, x.type.dtype) if t[1] is None else t[1]  # type: ignore[attr-defined]
    return [node.op.make_node(tx, tv, *index).outputs[0]]


register_pushforward(Subtensor, AdvancedSubtensor)(linear_in_first)
for _op in (Subtensor, AdvancedSubtensor):
    register_disconnected(_op, lambda node: range(1, len(node.inputs)))
for _inc in (IncSubtensor, AdvancedIncSubtensor):
    register_disconnected(_inc, lambda node: range(2, len(node.inputs)))
