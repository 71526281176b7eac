"""Reductions over axes. `Sum` for now; the catalog adds the others alongside it."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from tensorgraft.graph.basic import Apply
from tensorgraft.graph.op import Op
from tensorgraft.graph.utils import describe
from tensorgraft.tensor.basic import as_tensor
from tensorgraft.tensor.shape import expand_dims, normalize_axes
from tensorgraft.tensor.type import TensorType, as_dtype
from tensorgraft.tensor.variable import TensorVariable


@functools.lru_cache(maxsize=256)
def _sum_dtype(dtype: str) -> str:
    # NumPy's accumulator: small ints widen to int64/uint64, bool counts as int.
    return np.sum(np.zeros((0,), dtype=dtype)).dtype.name


@dataclass(frozen=True)
class Sum(Op):
    """Sum over `axes` (None: all axes). `dtype` overrides NumPy's accumulator dtype."""

    axes: tuple[int, ...] | None = None
    dtype: str | None = None

    def make_node(self, x: Any) -> Apply:
        x = as_tensor(x)
        axes = range(x.ndim) if self.axes is None else self.axes
        if any(a >= x.ndim for a in axes):
            raise ValueError(f"{self}: {describe(x)} has only {x.ndim} dimensions")
        out_dtype = self.dtype or _sum_dtype(x.dtype)
        shape = tuple(s for a, s in enumerate(x.type.shape) if a not in axes)
        return Apply(self, [x], [TensorType(out_dtype, shape)()])

    def perform(self, node: Apply, inputs: Sequence[Any]) -> list[Any]:
        out_dtype = node.outputs[0].type.dtype  # type: ignore[attr-defined]
        return [np.asarray(np.sum(inputs[0], axis=self.axes, dtype=out_dtype))]

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: Sequence[Any]) -> list[Any]:
        (shape,) = input_shapes
        if self.axes is None:
            return [()]
        return [tuple(s for a, s in enumerate(shape) if a not in self.axes)]

    def __str__(self) -> str:
        if self.axes is None:
            axes = "axes=None"
        elif len(self.axes) == 1:
            axes = f"axis={self.axes[0]}"
        else:
            axes = f"axes={list(self.axes)}"
        return f"Sum{{{axes}}}" if self.dtype is None else f"Sum{{{axes}, dtype={self.dtype}}}"


def sum(x: Any, axis: Any = None, keepdims: bool = False, dtype: Any = None) -> TensorVariable:
    """Sum of `x` over `axis` (None, an int or a tuple of ints), like numpy.sum."""
    x = as_tensor(x)
    axes = normalize_axes(axis, x.ndim, x)
    if axes is not None and len(axes) == x.ndim:
        axes = None
    op = Sum(axes, None if dtype is None else as_dtype(dtype))
    out: TensorVariable = op(x)
    if keepdims:
        out = expand_dims(out, tuple(range(x.ndim)) if axes is None else axes)
    return out


__all__ = [
    "Sum",
    "sum",
]
