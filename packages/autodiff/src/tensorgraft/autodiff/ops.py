"""Gradient-blocking identity ops: `stop_gradient` (= `zero_grad`) and `disconnected_grad`.

Both compute their input unchanged. They only change what the engine does: a zero
gradient flows through `ZeroGrad` (the variable below stays connected), none at all
through `DisconnectedGrad`. Canonicalize removes them (`identity_at_run_time`), so
backends never see them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from tensorgraft.autodiff.registry import (
    register_disconnected,
    register_pullback,
    register_pushforward,
)
from tensorgraft.graph.basic import Apply
from tensorgraft.graph.op import Op
from tensorgraft.tensor.basic import as_tensor
from tensorgraft.tensor.variable import TensorVariable


class _GradientIdentity(Op):
    """An identity op that only the autodiff engine treats specially."""

    identity_at_run_time: ClassVar[bool] = True
    view_map = {0: [0]}  # noqa: RUF012 - class-level constant shared by all instances

    def make_node(self, x: Any) -> Apply:
        x = as_tensor(x)
        return Apply(self, [x], [x.type()])

    def perform(self, node: Apply, inputs: Sequence[Any]) -> list[Any]:
        return [inputs[0]]

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: Sequence[Any]) -> list[Any]:
        return [tuple(input_shapes[0])]


class ZeroGrad(_GradientIdentity):
    """Identity whose gradient is zero (the input stays connected to the cost)."""


class DisconnectedGrad(_GradientIdentity):
    """Identity through which no gradient flows (the input is disconnected)."""


def stop_gradient(x: Any) -> TensorVariable:
    """`x`, treated as a constant by differentiation: its gradient is zero."""
    return ZeroGrad()(x)


zero_grad = stop_gradient


def disconnected_grad(x: Any) -> TensorVariable:
    """`x`, cut from differentiation: variables reached only through it are disconnected."""
    return DisconnectedGrad()(x)


@register_pullback(ZeroGrad)
def _zero_grad_pullback(node: Apply, g: list[Any]) -> list[Any]:
    return [None]  # zero, but connected


@register_pushforward(ZeroGrad, DisconnectedGrad)
def _blocked_pushforward(node: Apply, t: list[Any]) -> list[Any]:
    return [None]


register_disconnected(DisconnectedGrad, lambda node: [0])
