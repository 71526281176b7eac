"""Jacobians and Hessians, built from pullbacks.

`jacobian(y, x)` pulls back every basis cotangent of `y` at once: the pullback graph,
written for one cotangent `u`, is vectorized (tensorgraft-vectorize) over the rows of an
identity matrix. With `vectorize=False` it unrolls one pullback per element of `y`
(which needs a static size).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import tensorgraft.tensor as tt
from tensorgraft.autodiff.engine import Disconnected, _as_list, grad, pullback
from tensorgraft.graph.basic import Variable
from tensorgraft.graph.traversal import ancestors
from tensorgraft.graph.utils import describe
from tensorgraft.tensor.shape import shape_tuple


def jacobian(
    expression: Variable,
    wrt: Variable | Sequence[Variable],
    disconnected: Disconnected = "raise",
    vectorize: bool = True,
) -> Any:
    """The Jacobian of `expression` with respect to `wrt` (a variable or a list).

    Each result has shape `expression.shape + wrt.shape`: entry [i..., j...] is
    d expression[i...] / d wrt[j...].
    """
    ws, single = _as_list(wrt)
    y = tt.as_tensor(expression)
    if y.type.numpy_dtype.kind != "f":
        raise TypeError(f"jacobian: {describe(y)} is not a floating-point expression")
    if y.ndim == 0:
        rows = grad(y, ws, disconnected=disconnected)
    elif vectorize:
        rows = _vectorized_rows(y, ws, disconnected)
    else:
        rows = _unrolled_rows(y, ws, disconnected)
    return rows[0] if single else rows


def _vectorized_rows(y: Any, ws: list[Variable], disconnected: Disconnected) -> list[Any]:
    from tensorgraft.vectorize import vectorize_graph

    u = y.type()  # one cotangent of y; vectorized over the basis below
    rows = pullback(y, ws, u, disconnected=disconnected)
    size = tt.prod(tt.shape(y))
    basis = tt.reshape(tt.eye(size, dtype=y.dtype), (size, *shape_tuple(y)))
    out = []
    for w, row in zip(ws, rows, strict=True):
        if u in set(ancestors([row])):
            batched = vectorize_graph(row, {u: basis})
        else:  # the row does not depend on the cotangent (a zero gradient)
            batched = tt.broadcast_to(row, (size, *shape_tuple(w)))
        out.append(tt.reshape(batched, (*shape_tuple(y), *shape_tuple(w))))
    return out


def _unrolled_rows(y: Any, ws: list[Variable], disconnected: Disconnected) -> list[Any]:
    if None in y.type.shape:
        raise ValueError(
            f"jacobian(vectorize=False) needs a static shape; {describe(y)} has {y.type.shape}"
        )
    flat = tt.flatten(y)
    per_element = [grad(flat[i], ws, disconnected=disconnected) for i in range(len(flat))]
    out = []
    for k, w in enumerate(ws):
        stacked = tt.stack([g[k] for g in per_element])
        out.append(tt.reshape(stacked, (*y.type.shape, *shape_tuple(w))))
    return out


def hessian(
    cost: Variable,
    wrt: Variable | Sequence[Variable],
    disconnected: Disconnected = "raise",
    vectorize: bool = True,
) -> Any:
    """The Hessian of the scalar `cost` with respect to `wrt` (each variable separately).

    For a list, the result is the list of d^2 cost / d wrt_k^2, each of shape
    `wrt_k.shape + wrt_k.shape`, as in PyTensor.
    """
    ws, single = _as_list(wrt)
    grads = grad(cost, ws, disconnected=disconnected)
    out = [
        jacobian(g, w, disconnected="ignore", vectorize=vectorize)
        for g, w in zip(grads, ws, strict=True)
    ]
    return out[0] if single else out


def hessian_vector_product(
    cost: Variable,
    wrt: Variable | Sequence[Variable],
    vectors: Variable | Sequence[Variable],
    disconnected: Disconnected = "raise",
) -> Any:
    """H v for the Hessian H of the scalar `cost` with respect to `wrt`, without forming H.

    Reverse over reverse: the Hessian is symmetric, so H v is the pullback of the
    gradient along v. `vectors` has one entry of each wrt's type.
    """
    ws, single = _as_list(wrt)
    vs, _ = _as_list(vectors)
    grads = grad(cost, ws, disconnected=disconnected)
    out = pullback(grads, ws, vs, disconnected="ignore")
    return out[0] if single else out
