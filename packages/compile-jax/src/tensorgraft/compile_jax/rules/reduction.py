"""Reductions, cumulative ops, softmax and sorting."""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp

from tensorgraft.compile_jax.registry import jax_impl, jss
from tensorgraft.graph.basic import Apply
from tensorgraft.tensor.cumulative import CumProd, CumSum
from tensorgraft.tensor.reduction import (
    All,
    Argmax,
    Argmin,
    Max,
    Min,
    Prod,
    Sum,
    SumTo,
    sum_to_axes,
)
from tensorgraft.tensor.reduction import Any as AnyOp
from tensorgraft.tensor.softmax import LogSoftmax, Softmax
from tensorgraft.tensor.sort import ArgSort, Sort


def _out_dtype(node: Apply) -> Any:
    return node.outputs[0].type.dtype  # type: ignore[attr-defined]


@jax_impl.register(Sum)
def _sum(op: Sum, node: Apply, x: Any) -> Any:
    return jnp.sum(x, axis=op.axes, dtype=_out_dtype(node))


@jax_impl.register(SumTo, static=(1,))
def _sum_to(op: SumTo, node: Apply, x: Any, shape: Any) -> Any:
    # The target decides the output shape: known while tracing, as x's shape is.
    target = tuple(int(n) for n in shape)
    axes = sum_to_axes(x.shape, target)
    if axes is None:
        raise ValueError(f"sum_to: shape {x.shape} does not broadcast from shape {target}")
    if not axes and x.dtype == _out_dtype(node):  # nothing to sum (gradients make many)
        return x if x.shape == target else jnp.reshape(x, target)
    total = jnp.sum(x, axis=tuple(axes), dtype=_out_dtype(node), keepdims=True)
    return jnp.reshape(total, target)


@jax_impl.register(Prod)
def _prod(op: Prod, node: Apply, x: Any) -> Any:
    return jnp.prod(x, axis=op.axes, dtype=_out_dtype(node))


@jax_impl.register(Max)
def _max(op: Max, node: Apply, x: Any) -> Any:
    return jnp.max(x, axis=op.axes)


@jax_impl.register(Min)
def _min(op: Min, node: Apply, x: Any) -> Any:
    return jnp.min(x, axis=op.axes)


@jax_impl.register(All)
def _all(op: All, node: Apply, x: Any) -> Any:
    return jnp.all(x, axis=op.axes)


@jax_impl.register(AnyOp)
def _any(op: AnyOp, node: Apply, x: Any) -> Any:
    return jnp.any(x, axis=op.axes)


@jax_impl.register(Argmax)
def _argmax(op: Argmax, node: Apply, x: Any) -> Any:
    return jnp.argmax(x, axis=op.axis)


@jax_impl.register(Argmin)
def _argmin(op: Argmin, node: Apply, x: Any) -> Any:
    return jnp.argmin(x, axis=op.axis)


@jax_impl.register(CumSum)
def _cumsum(op: CumSum, node: Apply, x: Any) -> Any:
    return jnp.cumsum(x, axis=op.axis, dtype=_out_dtype(node))


@jax_impl.register(CumProd)
def _cumprod(op: CumProd, node: Apply, x: Any) -> Any:
    return jnp.cumprod(x, axis=op.axis, dtype=_out_dtype(node))


def _log_softmax(x: Any, axis: int | None) -> Any:
    if x.size == 0:
        return x
    return x - jss.logsumexp(x, axis=axis, keepdims=True)


@jax_impl.register(LogSoftmax)
def _logsoftmax(op: LogSoftmax, node: Apply, x: Any) -> Any:
    return _log_softmax(x.astype(_out_dtype(node)), op.axis)


@jax_impl.register(Softmax)
def _softmax(op: Softmax, node: Apply, x: Any) -> Any:
    x = x.astype(_out_dtype(node))
    if x.size == 0:
        return x
    e = jnp.exp(x - jnp.max(x, axis=op.axis, keepdims=True))
    return e / jnp.sum(e, axis=op.axis, keepdims=True)


@jax_impl.register(Sort)
def _sort(op: Sort, node: Apply, x: Any) -> Any:
    return jnp.sort(x, axis=op.axis, stable=True)


@jax_impl.register(ArgSort)
def _argsort(op: ArgSort, node: Apply, x: Any) -> Any:
    return jnp.argsort(x, axis=op.axis, stable=True)
