"""Shared variables: graph inputs whose value lives between calls (`updates` write them)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from tensorgraft.tensor.type import TensorType
from tensorgraft.tensor.variable import TensorVariable


class SharedVariable(TensorVariable):
    """A root variable with a stored value; functions read it without it being an input."""

    __slots__ = ("container",)

    def get_value(self, borrow: bool = False) -> Any:
        """The current value (a copy unless `borrow`)."""
        return self.container if borrow else self.container.copy()

    def set_value(self, value: Any, borrow: bool = False) -> None:
        """Store `value` (checked against the variable's type; copied unless `borrow`)."""
        value = self.type.filter(value)
        self.container = value if borrow else np.array(value, copy=True)


def shared(
    value: Any,
    name: str | None = None,
    *,
    shape: Sequence[int | None] | None = None,
    dtype: Any = None,
    borrow: bool = False,
) -> SharedVariable:
    """A shared variable holding `value`.

    Its static shape is unknown in every dimension (the value may change shape) unless
    `shape` is given.
    """
    arr = np.asarray(value) if dtype is None else np.asarray(value, dtype=dtype)
    if arr.dtype.kind not in "biufc":
        raise TypeError(f"shared: cannot hold {type(value).__name__} values")
    static = (None,) * arr.ndim if shape is None else tuple(shape)
    var = SharedVariable(TensorType(arr.dtype, static), name=name)
    var.set_value(arr, borrow=borrow)
    return var
