"""Shape ops: `Shape`, `ShapeI`, and the DimShuffle helpers transpose / squeeze / expand_dims."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from tensorgraft.graph.basic import Apply, Variable
from tensorgraft.graph.op import Op
from tensorgraft.graph.utils import describe
from tensorgraft.tensor.basic import as_tensor, constant
from tensorgraft.tensor.elemwise import DimShuffle
from tensorgraft.tensor.type import TensorType
from tensorgraft.tensor.variable import TensorVariable


class Shape(Op):
    """The shape of an array, as an int64 vector."""

    def make_node(self, x: Any) -> Apply:
        x = as_tensor(x)
        return Apply(self, [x], [TensorType("int64", (x.ndim,))()])

    def perform(self, node: Apply, inputs: Sequence[Any]) -> list[Any]:
        return [np.asarray(inputs[0].shape, dtype="int64")]

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: Sequence[Any]) -> list[Any]:
        return [(node.inputs[0].type.ndim,)]  # type: ignore[attr-defined]


@dataclass(frozen=True)
class ShapeI(Op):
    """The length of axis `i` of an array, as an int64 scalar."""

    i: int

    def make_node(self, x: Any) -> Apply:
        x = as_tensor(x)
        if not 0 <= self.i < x.ndim:
            raise ValueError(f"{self}: {describe(x)} has no axis {self.i}")
        return Apply(self, [x], [TensorType("int64", ())()])

    def perform(self, node: Apply, inputs: Sequence[Any]) -> list[Any]:
        return [np.asarray(inputs[0].shape[self.i], dtype="int64")]

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: Sequence[Any]) -> list[Any]:
        return [()]

    def __str__(self) -> str:
        return f"Shape_i{{{self.i}}}"


def shape(x: Any) -> TensorVariable:
    """The symbolic shape of `x` (an int64 vector)."""
    return Shape()(x)


def shape_tuple(x: Variable) -> tuple[Any, ...]:
    """The shape of `x` as a tuple: static lengths as ints, others as `ShapeI` scalars."""
    return tuple(
        s if s is not None else ShapeI(i)(x)
        for i, s in enumerate(x.type.shape)  # type: ignore[attr-defined]
    )


def shape_entry_variable(entry: Any) -> TensorVariable:
    """A shape entry (int or scalar variable) as an int64 scalar variable."""
    if isinstance(entry, Variable):
        return entry  # type: ignore[return-value]
    return constant(int(entry), dtype="int64")


def _normalize_axis(axis: int, ndim: int, x: Variable) -> int:
    if isinstance(axis, bool) or not isinstance(axis, int | np.integer):
        raise TypeError(f"axis must be an int, got {axis!r}")
    if not -ndim <= axis < ndim:
        raise ValueError(f"axis {axis} is out of bounds for {describe(x)} with {ndim} dimensions")
    return int(axis) % ndim


def normalize_axes(axis: Any, ndim: int, x: Variable) -> tuple[int, ...] | None:
    """`axis` (None, int or tuple) as sorted non-negative axes; None means all axes."""
    if axis is None:
        return None
    axes = (axis,) if not isinstance(axis, tuple | list) else tuple(axis)
    norm = [_normalize_axis(a, ndim, x) for a in axes]
    if len(set(norm)) != len(norm):
        raise ValueError(f"repeated axis in {axis} for {describe(x)}")
    return tuple(sorted(norm))


def transpose(x: Any, axes: Sequence[int] | None = None) -> TensorVariable:
    """Permute the axes of `x` (reverse them when `axes` is None), like numpy.transpose."""
    x = as_tensor(x)
    if axes is None:
        order = tuple(range(x.ndim))[::-1]
    else:
        order = tuple(_normalize_axis(a, x.ndim, x) for a in axes)
        if sorted(order) != list(range(x.ndim)):
            raise ValueError(
                f"axes {tuple(axes)} do not permute the {x.ndim} axes of {describe(x)}"
            )
    if order == tuple(range(x.ndim)):
        return x
    return DimShuffle(x.ndim, order)(x)


def squeeze(x: Any, axis: Any = None) -> TensorVariable:
    """Drop axes of length 1: those statically known to be 1, or the given `axis`."""
    x = as_tensor(x)
    if axis is None:
        drop = [a for a, s in enumerate(x.type.shape) if s == 1]
    else:
        drop = list(normalize_axes(axis, x.ndim, x) or ())
    if not drop:
        return x
    order = tuple(a for a in range(x.ndim) if a not in drop)
    return DimShuffle(x.ndim, order)(x)


def expand_dims(x: Any, axis: int | Sequence[int]) -> TensorVariable:
    """Insert axes of length 1 at positions `axis` of the result, like numpy.expand_dims."""
    x = as_tensor(x)
    axes = (axis,) if isinstance(axis, int | np.integer) else tuple(axis)
    out_ndim = x.ndim + len(axes)
    positions = {_normalize_axis(a, out_ndim, x) for a in axes}
    if len(positions) != len(axes):
        raise ValueError(f"repeated axis in {axis}")
    rest = iter(range(x.ndim))
    order = tuple("x" if k in positions else next(rest) for k in range(out_ndim))
    return DimShuffle(x.ndim, order)(x)


__all__ = [
    "Shape",
    "ShapeI",
    "expand_dims",
    "shape",
    "squeeze",
    "transpose",
]
