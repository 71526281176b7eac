"""Cumulative reductions along an axis: cumsum, cumprod."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, cast

import numpy as np

from tensorgraft.graph.basic import Apply
from tensorgraft.graph.op import Op
from tensorgraft.graph.utils import describe
from tensorgraft.tensor import math
from tensorgraft.tensor.basic import as_tensor
from tensorgraft.tensor.reduction import numpy_reduce_dtype
from tensorgraft.tensor.shape import normalize_axes
from tensorgraft.tensor.type import TensorType, as_dtype
from tensorgraft.tensor.variable import TensorVariable


def shape_product(entries: Sequence[Any]) -> Any:
    """The product of shape entries (ints and int64 scalar variables): an int when all are
    ints, else an int64 scalar variable."""
    static = 1
    symbolic = []
    for e in entries:
        if isinstance(e, int):
            static *= e
        else:
            symbolic.append(e)
    if not symbolic:
        return static
    if static != 1:
        symbolic.append(static)
    return symbolic[0] if len(symbolic) == 1 else math.mul(*symbolic)


@dataclass(frozen=True)
class Cumulative:
    """Base of `CumSum` / `CumProd`: running reductions along `axis` (None: of the flattened
    array, giving a vector). `dtype` overrides NumPy's accumulator dtype.

    Like `Reduce`, a base holding what the ops share, not an op of its own.
    """

    axis: int | None = None
    dtype: str | None = None

    numpy_fn: ClassVar[Callable[..., Any]]

    def __post_init__(self) -> None:
        if self.axis is not None and self.axis < 0:
            raise ValueError(f"{type(self).__name__}: axis {self.axis} must be >= 0")
        if self.dtype is not None:
            object.__setattr__(self, "dtype", as_dtype(self.dtype))

    def make_node(self, x: Any) -> Apply:
        x = as_tensor(x)
        if self.axis is not None and self.axis >= x.ndim:
            raise ValueError(f"{self}: {describe(x)} has only {x.ndim} dimensions")
        out_dtype = numpy_reduce_dtype(type(self).numpy_fn, x.dtype, self.dtype)
        if self.axis is not None:
            shape = x.type.shape
        else:
            known = None not in x.type.shape
            shape = (int(np.prod(x.type.shape, dtype="int64")) if known else None,)
        return Apply(cast(Op, self), [x], [TensorType(out_dtype, shape)()])

    def perform(self, node: Apply, inputs: Sequence[Any]) -> list[Any]:
        out_dtype = node.outputs[0].type.dtype  # type: ignore[attr-defined]
        return [np.asarray(type(self).numpy_fn(inputs[0], axis=self.axis, dtype=out_dtype))]

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: Sequence[Any]) -> list[Any]:
        (shape,) = input_shapes
        if self.axis is None:
            return [(shape_product(shape),)]
        return [tuple(shape)]

    def __str__(self) -> str:
        extra = "" if self.dtype is None else f", dtype={self.dtype}"
        return f"{type(self).__name__}{{axis={self.axis}{extra}}}"


@dataclass(frozen=True)
class CumSum(Cumulative, Op):
    """Running sum along `axis` (numpy.cumsum)."""

    numpy_fn = np.cumsum


@dataclass(frozen=True)
class CumProd(Cumulative, Op):
    """Running product along `axis` (numpy.cumprod)."""

    numpy_fn = np.cumprod


def _cumulative(op_type: type, x: Any, axis: int | None, dtype: Any) -> TensorVariable:
    x = as_tensor(x)
    if isinstance(axis, tuple | list):
        raise TypeError(f"{op_type.__name__.lower()} takes one axis (or None), got {axis!r}")
    norm = None if axis is None else normalize_axes(axis, x.ndim, x)[0]  # type: ignore[index]
    out: TensorVariable = op_type(norm, None if dtype is None else as_dtype(dtype))(x)
    return out


def cumsum(x: Any, axis: int | None = None, dtype: Any = None) -> TensorVariable:
    """Running sum of `x` along `axis` (None: of the flattened array), like numpy.cumsum."""
    return _cumulative(CumSum, x, axis, dtype)


def cumprod(x: Any, axis: int | None = None, dtype: Any = None) -> TensorVariable:
    """Running product of `x` along `axis` (None: flattened), like numpy.cumprod."""
    return _cumulative(CumProd, x, axis, dtype)


__all__ = [
    "CumProd",
    "CumSum",
    "cumprod",
    "cumsum",
]
