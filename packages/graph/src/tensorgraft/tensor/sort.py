"""Sorting: sort, argsort (stable, NaN last, as NumPy)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from tensorgraft.graph.basic import Apply
from tensorgraft.graph.op import Op
from tensorgraft.graph.utils import describe
from tensorgraft.tensor.basic import as_tensor
from tensorgraft.tensor.shape import _normalize_axis, flatten
from tensorgraft.tensor.type import TensorType
from tensorgraft.tensor.variable import TensorVariable


def _check_axis(op: Op, x: TensorVariable, axis: int) -> None:
    if not 0 <= axis < x.ndim:
        raise ValueError(f"{op}: {describe(x)} has {x.ndim} dimensions")


@dataclass(frozen=True)
class Sort(Op):
    """`x` sorted along `axis`, stably; NaNs last (numpy.sort with kind='stable')."""

    axis: int

    def make_node(self, x: Any) -> Apply:
        x = as_tensor(x)
        _check_axis(self, x, self.axis)
        return Apply(self, [x], [x.type()])

    def perform(self, node: Apply, inputs: Sequence[Any]) -> list[Any]:
        return [np.sort(inputs[0], axis=self.axis, kind="stable")]

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: Sequence[Any]) -> list[Any]:
        return [tuple(input_shapes[0])]


@dataclass(frozen=True)
class ArgSort(Op):
    """The int64 indices that sort `x` along `axis`, stably (numpy.argsort, kind='stable')."""

    axis: int

    def make_node(self, x: Any) -> Apply:
        x = as_tensor(x)
        _check_axis(self, x, self.axis)
        return Apply(self, [x], [TensorType("int64", x.type.shape)()])

    def perform(self, node: Apply, inputs: Sequence[Any]) -> list[Any]:
        return [np.argsort(inputs[0], axis=self.axis, kind="stable").astype("int64")]

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: Sequence[Any]) -> list[Any]:
        return [tuple(input_shapes[0])]


# Every kind sorts values alike; the stable sort also gives valid argsort indices for any.
_KINDS = (None, "quicksort", "mergesort", "heapsort", "stable")


def _sort_axis(x: Any, axis: int | None, kind: str | None, what: str) -> tuple[TensorVariable, int]:
    x = as_tensor(x)
    if kind not in _KINDS:
        raise ValueError(f"{what} of {describe(x)}: unknown kind {kind!r}; one of {_KINDS[1:]}")
    if axis is None:
        return flatten(x), 0
    if x.ndim == 0:
        raise ValueError(f"cannot {what} {describe(x)} along axis {axis}: it is 0-d")
    return x, _normalize_axis(axis, x.ndim, x)


def sort(x: Any, axis: int | None = -1, kind: str | None = None) -> TensorVariable:
    """A sorted copy of `x` along `axis` (numpy.sort; None sorts the flattened array).

    The sort is stable, NaNs last, whatever `kind` (accepted for NumPy compatibility).
    """
    x, axis = _sort_axis(x, axis, kind, "sort")
    return Sort(axis)(x)


def argsort(x: Any, axis: int | None = -1, kind: str | None = None) -> TensorVariable:
    """Indices that sort `x` along `axis` (numpy.argsort; None: flattened).

    Stable whatever `kind`: equal elements keep their order (numpy's kind='stable').
    """
    x, axis = _sort_axis(x, axis, kind, "argsort")
    return ArgSort(axis)(x)


__all__ = [
    "ArgSort",
    "Sort",
    "argsort",
    "sort",
]
