"""Softmax, log-softmax and logsumexp along axes.

`Softmax` and `LogSoftmax` are ops of their own so that later stages recognise them
(`log(softmax(x)) -> log_softmax(x)`, their gradients); logsumexp is a graph of
reductions and elementwise ops, shifted by the maximum for stability.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, cast

import numpy as np

from tensorgraft.graph.basic import Apply
from tensorgraft.graph.op import Op
from tensorgraft.graph.utils import describe
from tensorgraft.tensor import math
from tensorgraft.tensor.basic import as_tensor
from tensorgraft.tensor.reduction import max, reduction_axes, sum
from tensorgraft.tensor.shape import expand_dims, normalize_axes
from tensorgraft.tensor.type import TensorType
from tensorgraft.tensor.variable import TensorVariable


@functools.lru_cache(maxsize=64)
def exp_dtype(dtype: str) -> str:
    """The float (or complex) dtype NumPy's exp gives for `dtype`: int8 -> float16, ..."""
    return np.exp(np.zeros((0,), dtype=dtype)).dtype.name


@dataclass(frozen=True)
class SoftmaxBase:
    """Base of `Softmax` / `LogSoftmax` along `axis` (None: over all elements).

    Integer inputs are computed in the float dtype NumPy's exp gives them (int8 ->
    float16, int32 -> float64); bool is refused, as scipy.special does. Like `Reduce`,
    a base holding what the ops share, not an op of its own.
    """

    axis: int | None = None

    scipy_name: ClassVar[str]  # the scipy.special function, imported on first use (it is slow)

    def __post_init__(self) -> None:
        if self.axis is not None and self.axis < 0:
            raise ValueError(f"{type(self).__name__}: axis {self.axis} must be >= 0")

    def make_node(self, x: Any) -> Apply:
        x = as_tensor(x)
        if x.dtype == "bool":
            raise TypeError(f"{self} of {describe(x)}: bool input is not supported; cast it")
        if self.axis is not None and self.axis >= x.ndim:
            raise ValueError(f"{self}: {describe(x)} has only {x.ndim} dimensions")
        return Apply(cast(Op, self), [x], [TensorType(exp_dtype(x.dtype), x.type.shape)()])

    def perform(self, node: Apply, inputs: Sequence[Any]) -> list[Any]:
        out_dtype = node.outputs[0].type.dtype  # type: ignore[attr-defined]
        x = inputs[0].astype(out_dtype)
        if x.size == 0:  # nothing to normalise (scipy would fail on max of nothing)
            return [x]
        import scipy.special

        fn = getattr(scipy.special, self.scipy_name)
        return [np.asarray(fn(x, axis=self.axis), dtype=out_dtype)]

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: Sequence[Any]) -> list[Any]:
        return [tuple(input_shapes[0])]

    def __str__(self) -> str:
        return f"{type(self).__name__}{{axis={self.axis}}}"


@dataclass(frozen=True)
class Softmax(SoftmaxBase, Op):
    """exp(x) / sum(exp(x)) along `axis`, shifted by the maximum (scipy.special.softmax)."""

    scipy_name = "softmax"


@dataclass(frozen=True)
class LogSoftmax(SoftmaxBase, Op):
    """x - logsumexp(x) along `axis`, computed stably (scipy.special.log_softmax)."""

    scipy_name = "log_softmax"


def _axis(x: TensorVariable, axis: Any, name: str) -> int | None:
    if isinstance(axis, tuple | list):
        raise TypeError(f"{name} takes one axis (or None), got {axis!r}")
    return None if axis is None else normalize_axes(axis, x.ndim, x)[0]  # type: ignore[index]


def softmax(x: Any, axis: int | None = None) -> TensorVariable:
    """exp(x) / sum(exp(x)) along `axis` (None: over all elements), like scipy.special.softmax."""
    x = as_tensor(x)
    out: TensorVariable = Softmax(_axis(x, axis, "softmax"))(x)
    return out


def log_softmax(x: Any, axis: int | None = None) -> TensorVariable:
    """log(softmax(x)) along `axis`, computed stably, like scipy.special.log_softmax."""
    x = as_tensor(x)
    out: TensorVariable = LogSoftmax(_axis(x, axis, "log_softmax"))(x)
    return out


def logsumexp(x: Any, axis: Any = None, keepdims: bool = False) -> TensorVariable:
    """log(sum(exp(x))) over `axis`, like scipy.special.logsumexp.

    Shifted by the maximum m (of the real parts): log(sum(exp(x - m))) + m. Where m is
    infinite (every entry -inf, or some +inf) the shift is 0, giving -inf or +inf.
    Integers and bools give float64. An empty axis has no maximum: an error.
    """
    x = as_tensor(x)
    if x.dtype[0] not in "fc":
        x = math.cast(x, "float64")
    axes = reduction_axes(axis, x)
    peak = max(math.real(x) if x.dtype[0] == "c" else x, axes)
    shift = math.switch(math.isfinite(peak), peak, 0)
    kept = expand_dims(shift, tuple(range(x.ndim)) if axes is None else axes)
    total = sum(math.exp(x - kept), axes, keepdims=keepdims)
    return math.add(math.log(total), kept if keepdims else shift)


__all__ = [
    "LogSoftmax",
    "Softmax",
    "log_softmax",
    "logsumexp",
    "softmax",
]
