"""Rules for reductions, cumulative ops and softmax.

`Sum` copies its cotangent to every summed element (`SumTo` broadcasts it back);
`Max`/`Min` give it to the elements equal to the result (every tie); `Prod` divides by
no zero; boolean and index reductions (`All`, `Any`, `Argmax`, `Argmin`) have integer
outputs: no gradient.
"""

from __future__ import annotations

from typing import Any

import tensorgraft.tensor as tt
from tensorgraft.autodiff.elemwise import linear_in_first
from tensorgraft.autodiff.engine import broadcast_like
from tensorgraft.autodiff.registry import (
    declare_disconnected,
    register_pullback,
    register_pushforward,
)
from tensorgraft.graph.basic import Apply
from tensorgraft.tensor.cumulative import CumProd, CumSum
from tensorgraft.tensor.reduction import All, Argmax, Argmin, Max, Min, Prod, Sum, SumTo
from tensorgraft.tensor.reduction import Any as AnyOp
from tensorgraft.tensor.shape import shape_tuple
from tensorgraft.tensor.softmax import LogSoftmax, Softmax


def expand_reduced(g: Any, axes: tuple[int, ...] | None, ndim: int) -> Any:
    """`g`, a reduction's cotangent, with the reduced axes put back as length-1 axes."""
    axes = tuple(range(ndim)) if axes is None else axes
    return tt.expand_dims(g, axes) if axes else g


def _expanded(node: Apply, v: Any) -> Any:
    return expand_reduced(v, node.op.axes, node.inputs[0].type.ndim)  # type: ignore[attr-defined]


@register_pullback(Sum)
def _sum_pullback(node: Apply, g: list[Any]) -> list[Any]:
    # d sum(x) = sum(dx): the cotangent is copied to every summed element.
    return [broadcast_like(_expanded(node, g[0]), node.inputs[0])]


@register_pullback(Max, Min)
def _extremum_pullback(node: Apply, g: list[Any]) -> list[Any]:
    x = node.inputs[0]
    hit = tt.eq(x, _expanded(node, node.outputs[0]))
    return [tt.switch(hit, _expanded(node, g[0]), 0)]


@register_pullback(Prod)
def _prod_pullback(node: Apply, g: list[Any]) -> list[Any]:
    # d prod(x) / dx_i = product of the others: prod / x_i without zeros; with one zero,
    # only that element gets the product of the others; with two or more, nothing does.
    x = node.inputs[0]
    axes = node.op.reduced(x.type.ndim)  # type: ignore[attr-defined]
    is_zero = tt.eq(x, 0)
    n_zeros = tt.sum(is_zero, axis=axes, keepdims=True)
    x_safe = tt.switch(is_zero, 1, x)
    others = tt.prod(x_safe, axis=axes, keepdims=True)
    partial = tt.switch(
        is_zero,
        tt.switch(tt.eq(n_zeros, 1), others, 0),
        tt.switch(tt.eq(n_zeros, 0), others / x_safe, 0),
    )
    return [_expanded(node, g[0]) * partial]


@register_pullback(SumTo)
def _sum_to_pullback(node: Apply, g: list[Any]) -> list[Any]:
    # sum_to undoes a broadcast: its cotangent is broadcast back to the input's shape.
    x = node.inputs[0]
    return [tt.broadcast_to(g[0], shape_tuple(x)), None]


register_pushforward(Sum, SumTo)(linear_in_first)
for _op, _why in (
    (All, "its output is boolean"),
    (AnyOp, "its output is boolean"),
    (Argmax, "its output is an integer index (disconnected, as in PyTensor)"),
    (Argmin, "its output is an integer index (disconnected, as in PyTensor)"),
):
    declare_disconnected(_op, _why)


# -- cumulative ops ----------------------------------------------------------------------------
def _reverse_cumsum(g: Any, axis: int) -> Any:
    return tt.flip(tt.cumsum(tt.flip(g, axis), axis), axis)


def _cumulative_input_grad(node: Apply, g: Any) -> Any:
    """sum_{j >= i} g_j along the axis, reshaped to x's shape (flattened for axis None)."""
    x, axis = node.inputs[0], node.op.axis  # type: ignore[attr-defined]
    if axis is None:
        return tt.reshape(_reverse_cumsum(g, 0), tt.shape(x))
    return _reverse_cumsum(g, axis)


@register_pullback(CumSum)
def _cumsum_pullback(node: Apply, g: list[Any]) -> list[Any]:
    return [_cumulative_input_grad(node, g[0])]


@register_pullback(CumProd)
def _cumprod_pullback(node: Apply, g: list[Any]) -> list[Any]:
    # z_j = prod_{k <= j} x_k, so dz_j/dx_i = z_j / x_i for i <= j where x_i != 0. At a zero
    # x_i that quotient is the cumulative product with x_i replaced by 1: exact at the first
    # zero along the axis, and 0 at later ones (the earlier zero is still a factor).
    x, z, axis = node.inputs[0], node.outputs[0], node.op.axis  # type: ignore[attr-defined]
    flat, ax = (tt.flatten(x), 0) if axis is None else (x, axis)
    nonzero = tt.neq(flat, 0)
    divided = _reverse_cumsum(g[0] * z, ax) / tt.switch(nonzero, flat, 1)
    first_zero = tt.logical_and(tt.logical_not(nonzero), tt.eq(tt.cumsum(~nonzero, axis=ax), 1))
    at_first_zero = _reverse_cumsum(g[0] * tt.cumprod(tt.switch(first_zero, 1, flat), axis=ax), ax)
    out = tt.switch(nonzero, divided, tt.switch(first_zero, at_first_zero, 0))
    return [tt.reshape(out, tt.shape(x)) if axis is None else out]


register_pushforward(CumSum)(linear_in_first)


# -- softmax -----------------------------------------------------------------------------------
def _sum_along(v: Any, axis: int | None) -> Any:
    return tt.sum(v, axis=axis, keepdims=True)


@register_pullback(Softmax)
def _softmax_pullback(node: Apply, g: list[Any]) -> list[Any]:
    # dz = z * (dx - sum(z dx)): the Jacobian is diag(z) - z z^T.
    z, axis = node.outputs[0], node.op.axis  # type: ignore[attr-defined]
    return [z * (g[0] - _sum_along(g[0] * z, axis))]


@register_pullback(LogSoftmax)
def _log_softmax_pullback(node: Apply, g: list[Any]) -> list[Any]:
    # z = x - logsumexp(x): dx = g - softmax(x) * sum(g).
    z, axis = node.outputs[0], node.op.axis  # type: ignore[attr-defined]
    return [g[0] - tt.exp(z) * _sum_along(g[0], axis)]
