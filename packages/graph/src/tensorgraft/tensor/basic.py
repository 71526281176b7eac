"""Creating tensor variables: placeholders (`tensor`, `vector`, ...), `constant`, `as_tensor`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from tensorgraft.graph.basic import Variable
from tensorgraft.tensor.type import TensorType, as_dtype, floatX
from tensorgraft.tensor.variable import TensorConstant, TensorVariable

ShapeArg = Sequence[int | None] | None


def _type(dtype: Any, shape: Sequence[int | None], ndim: int | None, ctor: str) -> TensorType:
    shape = tuple(shape)
    if ndim is not None and len(shape) != ndim:
        raise ValueError(f"{ctor} has {ndim} dimensions, got shape={shape}")
    return TensorType(floatX if dtype is None else dtype, shape)


def tensor(
    name: str | None = None, *, shape: Sequence[int | None], dtype: Any = None
) -> TensorVariable:
    """A placeholder array of the given static `shape` (None = unknown) and `dtype`.

    `tensor("x", shape=(None, 3), dtype="float32")` is a float32 matrix with 3 columns.
    """
    if isinstance(name, tuple | list):
        raise TypeError("tensor(name, *, shape, dtype): pass the shape as shape=...")
    return TensorVariable(_type(dtype, shape, None, "tensor"), name=name)


def scalar(name: str | None = None, *, dtype: Any = None) -> TensorVariable:
    """A placeholder rank-0 array."""
    return TensorVariable(_type(dtype, (), 0, "scalar"), name=name)


def vector(name: str | None = None, *, shape: ShapeArg = None, dtype: Any = None) -> TensorVariable:
    """A placeholder rank-1 array (`shape=(3,)` fixes its length)."""
    return TensorVariable(_type(dtype, shape or (None,), 1, "vector"), name=name)


def matrix(name: str | None = None, *, shape: ShapeArg = None, dtype: Any = None) -> TensorVariable:
    """A placeholder rank-2 array."""
    return TensorVariable(_type(dtype, shape or (None, None), 2, "matrix"), name=name)


def tensor3(
    name: str | None = None, *, shape: ShapeArg = None, dtype: Any = None
) -> TensorVariable:
    """A placeholder rank-3 array."""
    return TensorVariable(_type(dtype, shape or (None, None, None), 3, "tensor3"), name=name)


def _default_array(value: Any, dtype: Any) -> np.ndarray:
    if dtype is not None:
        return np.asarray(value, dtype=as_dtype(dtype))
    arr = np.asarray(value)
    if arr.dtype.kind not in "biufc":
        raise TypeError(f"cannot make a tensor constant from {type(value).__name__} {value!r}")
    return arr


def constant(value: Any, name: str | None = None, dtype: Any = None) -> TensorConstant:
    """A constant array holding `value` (its dtype as NumPy would choose, or `dtype`)."""
    arr = _default_array(value, dtype)
    const = TensorConstant(TensorType(arr.dtype, arr.shape), arr, name=name)
    return const


def as_tensor(x: Any, name: str | None = None, dtype: Any = None) -> TensorVariable:
    """`x` as a tensor variable: variables pass through, arrays and numbers become constants.

    With `dtype`, a variable of another dtype is cast.
    """
    if isinstance(x, TensorVariable):
        if dtype is not None and as_dtype(dtype) != x.dtype:
            from tensorgraft.tensor.math import cast

            return cast(x, dtype)
        return x
    if isinstance(x, Variable):
        raise TypeError(f"expected a tensor, got {x} of type {x.type}")
    if isinstance(x, list | tuple) and any(isinstance(e, Variable) for e in _flatten(x)):
        raise TypeError(
            "a list holding symbolic variables cannot become a constant; "
            "stack the variables instead"
        )
    return constant(x, name=name, dtype=dtype)


def _flatten(x: Any) -> list[Any]:
    out: list[Any] = []
    stack = [x]
    while stack:
        e = stack.pop()
        if isinstance(e, list | tuple):
            stack.extend(e)
        else:
            out.append(e)
    return out


as_tensor_variable = as_tensor

__all__ = [
    "as_tensor",
    "as_tensor_variable",
    "constant",
    "matrix",
    "scalar",
    "tensor",
    "tensor3",
    "vector",
]
