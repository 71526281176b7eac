"""Rules for shape ops: `Reshape` and `SpecifyShape` pass the cotangent through (reshaped);
`Shape` and `ShapeI` give integers, and shape inputs never get a gradient."""

from __future__ import annotations

from typing import Any

import tensorgraft.tensor as tt
from tensorgraft.autodiff.elemwise import linear_in_first
from tensorgraft.autodiff.registry import (
    declare_disconnected,
    register_disconnected,
    register_pullback,
    register_pushforward,
)
from tensorgraft.graph.basic import Apply
from tensorgraft.tensor.shape import Reshape, Shape, ShapeI, SpecifyShape

for _op in (Shape, ShapeI):
    declare_disconnected(_op, "its output is an integer shape (disconnected)")


@register_pullback(Reshape)
def _reshape_pullback(node: Apply, g: list[Any]) -> list[Any]:
    x = node.inputs[0]
    return [tt.reshape(g[0], tt.shape(x)), None]


@register_pullback(SpecifyShape)
def _specify_shape_pullback(node: Apply, g: list[Any]) -> list[Any]:
    return [g[0], *[None] * (len(node.inputs) - 1)]


register_pushforward(Reshape, SpecifyShape)(linear_in_first)
for _linear in (Reshape, SpecifyShape):
    register_disconnected(_linear, lambda node: range(1, len(node.inputs)))
