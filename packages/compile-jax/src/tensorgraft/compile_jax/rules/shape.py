"""Shapes and constructors. Inputs that decide an output shape are static (known when
tracing): reshape targets, alloc lengths, arange bounds, eye sizes, repeat counts and
split sizes."""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp
import numpy as np

from tensorgraft.compile_jax.registry import jax_impl
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
from tensorgraft.tensor.shape import Reshape, Shape, ShapeI, SpecifyShape


def _all_but_first(op: Any, node: Apply) -> range:
    return range(1, len(node.inputs))


@jax_impl.register(Shape)
def _shape(op: Shape, node: Apply, x: Any) -> Any:
    return np.asarray(jnp.shape(x), dtype="int64")  # static: known when tracing


@jax_impl.register(ShapeI)
def _shape_i(op: ShapeI, node: Apply, x: Any) -> Any:
    return np.asarray(jnp.shape(x)[op.i], dtype="int64")


@jax_impl.register(SpecifyShape)
def _specify_shape(op: SpecifyShape, node: Apply, x: Any, *lengths: Any) -> Any:
    # The shape is fixed when tracing: check it there when the lengths are known too.
    it = iter(lengths)
    for axis, given in enumerate(op.given):
        n = next(it) if given else None
        if isinstance(n, np.ndarray | np.generic) and int(n) != jnp.shape(x)[axis]:
            raise ValueError(
                f"specify_shape: the input has shape {jnp.shape(x)}, axis {axis} != {n}"
            )
    return x


@jax_impl.register(Reshape, static=(1,))
def _reshape(op: Reshape, node: Apply, x: Any, shape: Any) -> Any:
    return jnp.reshape(x, tuple(int(s) for s in shape))


@jax_impl.register(Alloc, static=_all_but_first)
def _alloc(op: Alloc, node: Apply, value: Any, *lengths: Any) -> Any:
    return jnp.broadcast_to(value, tuple(int(n) for n in lengths))


@jax_impl.register(ARange, static=(0, 1, 2))
def _arange(op: ARange, node: Apply, start: Any, stop: Any, step: Any) -> Any:
    # NumPy computes the length and values; they are constants of the program.
    return jnp.asarray(np.arange(start, stop, step, dtype=op.dtype))


@jax_impl.register(Eye, static=(0, 1, 2))
def _eye(op: Eye, node: Apply, n: Any, m: Any, k: Any) -> Any:
    return jnp.eye(int(n), int(m), int(k), dtype=op.dtype)


@jax_impl.register(Join)
def _join(op: Join, node: Apply, *xs: Any) -> Any:
    return jnp.concatenate(xs, axis=op.axis)


@jax_impl.register(Split, static=(1,))
def _split(op: Split, node: Apply, x: Any, sizes: Any) -> Any:
    return jnp.split(x, np.cumsum(sizes)[:-1].tolist(), axis=op.axis)


@jax_impl.register(Repeat, static=(1,))
def _repeat(op: Repeat, node: Apply, x: Any, reps: Any) -> Any:
    reps = np.asarray(reps)
    if reps.ndim == 1 and reps.size == 1:  # one count for every entry, as NumPy
        reps = reps[0]
    total = int(reps.sum()) if reps.ndim else int(reps) * jnp.shape(x)[op.axis]
    return jnp.repeat(x, reps, axis=op.axis, total_repeat_length=total)


@jax_impl.register(AllocDiag)
def _alloc_diag(op: AllocDiag, node: Apply, v: Any) -> Any:
    return jnp.diag(v, op.offset)


@jax_impl.register(ExtractDiag)
def _extract_diag(op: ExtractDiag, node: Apply, x: Any) -> Any:
    return jnp.diagonal(x, op.offset, op.axis1, op.axis2)
