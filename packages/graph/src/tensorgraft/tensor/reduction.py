"""Reductions over axes: sum, prod, max, min, all, any, argmax, argmin; mean, var and std.

`Reduce` is the one base of the reductions over a set of axes (`Sum`, `Prod`, `Max`, `Min`,
`All`, `Any`), so later stages handle them generically: their `axes` are sorted
non-negative axes, or None for all of them. `Argmax` / `Argmin` reduce one axis (or the
flattened array). mean, var and std are small graphs of these and elementwise ops.
"""

from __future__ import annotations

import builtins
import functools
import typing
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar, cast

import numpy as np

from tensorgraft.graph.basic import Apply
from tensorgraft.graph.op import Op
from tensorgraft.graph.utils import describe
from tensorgraft.tensor import math
from tensorgraft.tensor.basic import as_tensor
from tensorgraft.tensor.shape import (
    ShapeI,
    as_shape_vector,
    expand_dims,
    normalize_axes,
    static_entries,
)
from tensorgraft.tensor.type import TensorType, as_dtype
from tensorgraft.tensor.variable import TensorVariable


@functools.lru_cache(maxsize=1024)
def numpy_reduce_dtype(
    fn: Callable[..., typing.Any], dtype: str, out_dtype: str | None = None
) -> str:
    """The dtype NumPy's reduction `fn` returns for `dtype` input (and a `dtype=` argument).

    Raises TypeError where NumPy refuses the combination.
    """
    kwargs = {} if out_dtype is None else {"dtype": out_dtype}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a ComplexWarning means the cast loses data
            return np.asarray(fn(np.zeros((1,), dtype=dtype), **kwargs)).dtype.name
    except (TypeError, ValueError, Warning):
        with_dtype = "" if out_dtype is None else f" with dtype={out_dtype}"
        raise TypeError(f"numpy.{fn.__name__} of {dtype}{with_dtype} is not supported") from None


def _fmt_axes(axes: tuple[int, ...] | None) -> str:
    if axes is None:
        return "axes=None"
    if len(axes) == 1:
        return f"axis={axes[0]}"
    return f"axes={list(axes)}"


@dataclass(frozen=True)
class Reduce:
    """Base of the reductions of an array over `axes` (None: all axes).

    Concrete reductions are `Reduce` and `Op` together (`class Sum(Reduce, Op)`): `Reduce`
    holds what they share; it is no op of its own. `axes` are sorted, non-negative and
    distinct; `Reduce(axes=())` reduces nothing (but still converts the dtype, as NumPy).
    """

    axes: tuple[int, ...] | None = None

    # The NumPy reduction (`np.sum`, ...), and whether it has no identity (max of nothing).
    numpy_fn: ClassVar[Callable[..., typing.Any]]
    needs_elements: ClassVar[bool] = False

    def __post_init__(self) -> None:
        if self.axes is None:
            return
        axes = tuple(int(a) for a in self.axes)
        if builtins.any(a < 0 for a in axes) or len(set(axes)) != len(axes):
            raise ValueError(f"{type(self).__name__}: axes {axes} must be distinct and >= 0")
        object.__setattr__(self, "axes", tuple(sorted(axes)))

    def reduced(self, ndim: int) -> tuple[int, ...]:
        """The axes this reduces on an input of `ndim` dimensions."""
        return tuple(range(ndim)) if self.axes is None else self.axes

    def output_dtype(self, dtype: str) -> str:
        """The output dtype for an input of `dtype` (NumPy's)."""
        return numpy_reduce_dtype(type(self).numpy_fn, dtype)

    def make_node(self, x: typing.Any) -> Apply:
        x = as_tensor(x)
        reduced = self.reduced(x.ndim)
        if builtins.any(a >= x.ndim for a in reduced):
            raise ValueError(f"{self}: {describe(x)} has only {x.ndim} dimensions")
        if self.needs_elements and builtins.any(x.type.shape[a] == 0 for a in reduced):
            raise ValueError(
                f"{self} of {describe(x)} with shape {x.type.shape}: a zero-size axis "
                "has no maximum or minimum"
            )
        out_dtype = self.output_dtype(x.dtype)
        shape = tuple(s for a, s in enumerate(x.type.shape) if a not in reduced)
        return Apply(cast(Op, self), [x], [TensorType(out_dtype, shape)()])

    def perform(self, node: Apply, inputs: Sequence[typing.Any]) -> list[typing.Any]:
        (x,) = inputs
        if self.needs_elements and builtins.any(x.shape[a] == 0 for a in self.reduced(x.ndim)):
            raise ValueError(
                f"{self}: zero-size array (shape {x.shape}) to a reduction that has no identity"
            )
        out_dtype = node.outputs[0].type.dtype  # type: ignore[attr-defined]
        return [np.asarray(self.compute(x), dtype=out_dtype)]

    def compute(self, x: np.ndarray) -> typing.Any:
        """The reduction of the array `x` with NumPy."""
        return type(self).numpy_fn(x, axis=self.axes)

    def infer_shape(
        self, fgraph: typing.Any, node: Apply, input_shapes: Sequence[typing.Any]
    ) -> list[typing.Any]:
        (shape,) = input_shapes
        reduced = self.reduced(len(shape))
        return [tuple(s for a, s in enumerate(shape) if a not in reduced)]

    def __str__(self) -> str:
        dtype = getattr(self, "dtype", None)
        extra = "" if dtype is None else f", dtype={dtype}"
        return f"{type(self).__name__}{{{_fmt_axes(self.axes)}{extra}}}"


@dataclass(frozen=True)
class _WithDtype(Reduce):
    """A reduction with NumPy's `dtype=` argument: the accumulator and output dtype."""

    dtype: str | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.dtype is not None:
            object.__setattr__(self, "dtype", as_dtype(self.dtype))

    def output_dtype(self, dtype: str) -> str:
        return numpy_reduce_dtype(type(self).numpy_fn, dtype, self.dtype)

    def compute(self, x: np.ndarray) -> typing.Any:
        return type(self).numpy_fn(x, axis=self.axes, dtype=self.dtype)


@dataclass(frozen=True)
class Sum(_WithDtype, Op):
    """Sum over `axes` (None: all axes). `dtype` overrides NumPy's accumulator dtype."""

    numpy_fn = np.sum


@dataclass(frozen=True)
class Prod(_WithDtype, Op):
    """Product over `axes` (None: all axes). `dtype` overrides NumPy's accumulator dtype."""

    numpy_fn = np.prod


@dataclass(frozen=True)
class Max(Reduce, Op):
    """Maximum over `axes`, propagating NaN (numpy.max); a zero-size axis is an error."""

    numpy_fn = np.max
    needs_elements = True


@dataclass(frozen=True)
class Min(Reduce, Op):
    """Minimum over `axes`, propagating NaN (numpy.min); a zero-size axis is an error."""

    numpy_fn = np.min
    needs_elements = True


@dataclass(frozen=True)
class All(Reduce, Op):
    """Whether every element over `axes` is nonzero (numpy.all): a bool array."""

    numpy_fn = np.all


@dataclass(frozen=True)
class Any(Reduce, Op):
    """Whether some element over `axes` is nonzero (numpy.any): a bool array."""

    numpy_fn = np.any


@dataclass(frozen=True)
class ArgReduce:
    """Base of `Argmax` / `Argmin`: the int64 index along `axis` (None: of the flattened array).

    Like `Reduce`, a base holding what the two ops share, not an op itself.
    """

    axis: int | None = None

    numpy_fn: ClassVar[Callable[..., typing.Any]]

    def __post_init__(self) -> None:
        if self.axis is not None and self.axis < 0:
            raise ValueError(f"{type(self).__name__}: axis {self.axis} must be >= 0")

    def make_node(self, x: typing.Any) -> Apply:
        x = as_tensor(x)
        if self.axis is not None and self.axis >= x.ndim:
            raise ValueError(f"{self}: {describe(x)} has only {x.ndim} dimensions")
        reduced = range(x.ndim) if self.axis is None else (self.axis,)
        if builtins.any(x.type.shape[a] == 0 for a in reduced):
            raise ValueError(
                f"{self} of {describe(x)} with shape {x.type.shape}: a zero-size axis "
                "has no maximum or minimum"
            )
        shape = (
            () if self.axis is None else x.type.shape[: self.axis] + x.type.shape[self.axis + 1 :]
        )
        return Apply(cast(Op, self), [x], [TensorType("int64", shape)()])

    def perform(self, node: Apply, inputs: Sequence[typing.Any]) -> list[typing.Any]:
        (x,) = inputs
        if x.size == 0 if self.axis is None else x.shape[self.axis] == 0:
            raise ValueError(
                f"{self}: attempt to get the index of an empty sequence (shape {x.shape})"
            )
        return [np.asarray(type(self).numpy_fn(x, axis=self.axis), dtype="int64")]

    def infer_shape(
        self, fgraph: typing.Any, node: Apply, input_shapes: Sequence[typing.Any]
    ) -> list[typing.Any]:
        (shape,) = input_shapes
        if self.axis is None:
            return [()]
        return [tuple(shape[: self.axis]) + tuple(shape[self.axis + 1 :])]

    def __str__(self) -> str:
        return f"{type(self).__name__}{{axis={self.axis}}}"


@dataclass(frozen=True)
class Argmax(ArgReduce, Op):
    """Index of the first maximum along `axis` (numpy.argmax)."""

    numpy_fn = np.argmax


@dataclass(frozen=True)
class Argmin(ArgReduce, Op):
    """Index of the first minimum along `axis` (numpy.argmin)."""

    numpy_fn = np.argmin


# -- the functions --------------------------------------------------------------------------
def reduction_axes(axis: typing.Any, x: TensorVariable) -> tuple[int, ...] | None:
    """`axis` (None, an int or a tuple of ints) as sorted non-negative axes of `x`.

    None (and every axis of `x`) gives None: the canonical form of "reduce everything".
    """
    if axis is None:
        return None
    axes = tuple(axis) if isinstance(axis, tuple | list) else (axis,)
    norm = [normalize_axes(a, x.ndim, x)[0] for a in axes]  # type: ignore[index]
    if len(set(norm)) != len(norm):
        raise ValueError(f"repeated axis in {axis} for {describe(x)} with {x.ndim} dimensions")
    if len(norm) == x.ndim:
        return None
    return tuple(sorted(norm))


def _keep(out: TensorVariable, x: TensorVariable, axes: tuple[int, ...] | None) -> TensorVariable:
    """`out` with the reduced `axes` of `x` put back as axes of length 1."""
    return expand_dims(out, tuple(range(x.ndim)) if axes is None else axes)


def _reduce(
    op_type: type, x: typing.Any, axis: typing.Any, keepdims: bool, **params: typing.Any
) -> TensorVariable:
    x = as_tensor(x)
    axes = reduction_axes(axis, x)
    out: TensorVariable = op_type(axes, **params)(x)
    return _keep(out, x, axes) if keepdims else out


def _dtype_arg(dtype: typing.Any) -> str | None:
    return None if dtype is None else as_dtype(dtype)


def sum(
    x: typing.Any, axis: typing.Any = None, keepdims: bool = False, dtype: typing.Any = None
) -> TensorVariable:
    """Sum of `x` over `axis` (None, an int or a tuple of ints), like numpy.sum."""
    return _reduce(Sum, x, axis, keepdims, dtype=_dtype_arg(dtype))


def prod(
    x: typing.Any, axis: typing.Any = None, keepdims: bool = False, dtype: typing.Any = None
) -> TensorVariable:
    """Product of `x` over `axis`, like numpy.prod."""
    return _reduce(Prod, x, axis, keepdims, dtype=_dtype_arg(dtype))


def max(x: typing.Any, axis: typing.Any = None, keepdims: bool = False) -> TensorVariable:
    """Maximum of `x` over `axis`, like numpy.max (NaN wins; a zero-size axis is an error)."""
    return _reduce(Max, x, axis, keepdims)


def min(x: typing.Any, axis: typing.Any = None, keepdims: bool = False) -> TensorVariable:
    """Minimum of `x` over `axis`, like numpy.min (NaN wins; a zero-size axis is an error)."""
    return _reduce(Min, x, axis, keepdims)


def all(x: typing.Any, axis: typing.Any = None, keepdims: bool = False) -> TensorVariable:
    """Whether every element of `x` over `axis` is nonzero (numpy.all): a bool array."""
    return _reduce(All, x, axis, keepdims)


def any(x: typing.Any, axis: typing.Any = None, keepdims: bool = False) -> TensorVariable:
    """Whether some element of `x` over `axis` is nonzero (numpy.any): a bool array."""
    return _reduce(Any, x, axis, keepdims)


amax = max
amin = min


def _arg(op_type: type, x: typing.Any, axis: int | None, keepdims: bool) -> TensorVariable:
    x = as_tensor(x)
    if axis is not None and isinstance(axis, tuple | list):
        raise TypeError(f"{op_type.__name__.lower()} takes one axis (or None), got {axis!r}")
    axes = reduction_axes(axis, x)
    # Along the only axis of a vector, `axis=0` is the same as the flattened array.
    op_axis = None if axes is None else axes[0]
    out: TensorVariable = op_type(op_axis)(x)
    return _keep(out, x, axes) if keepdims else out


def argmax(x: typing.Any, axis: int | None = None, keepdims: bool = False) -> TensorVariable:
    """Index (int64) of the first maximum of `x` along `axis`, or of the flattened array
    when `axis` is None, like numpy.argmax."""
    return _arg(Argmax, x, axis, keepdims)


def argmin(x: typing.Any, axis: int | None = None, keepdims: bool = False) -> TensorVariable:
    """Index (int64) of the first minimum of `x` along `axis` (None: flattened), like
    numpy.argmin."""
    return _arg(Argmin, x, axis, keepdims)


# -- mean, var, std: graphs of the reductions above --------------------------------------------
def element_count(x: TensorVariable, axes: tuple[int, ...] | None) -> typing.Any:
    """The number of elements of `x` over `axes`: a Python int when every length is static,
    else an int64 scalar variable."""
    reduced = range(x.ndim) if axes is None else axes
    lengths = [x.type.shape[a] for a in reduced]
    static = int(np.prod([n for n in lengths if n is not None], dtype="int64"))
    symbolic = [ShapeI(a)(x) for a, n in zip(reduced, lengths, strict=True) if n is None]
    if not symbolic:
        return static
    count = symbolic[0] if len(symbolic) == 1 else math.mul(*symbolic)
    return count if static == 1 else math.mul(count, static)


def _divide(total: TensorVariable, count: typing.Any) -> TensorVariable:
    """`total / count` in the dtype of a float or complex `total` (NumPy's dtype for ints)."""
    if isinstance(count, TensorVariable) and total.dtype[0] in "fc":
        count = math.cast(count, total.dtype)
    return math.true_div(total, count)


def _mean_dtype(dtype: str) -> str:
    return "float64" if np.dtype(dtype).kind in "biu" else dtype


def mean(
    x: typing.Any, axis: typing.Any = None, keepdims: bool = False, dtype: typing.Any = None
) -> TensorVariable:
    """Arithmetic mean of `x` over `axis` (numpy.mean): sum / count.

    Integers give float64; float16 is accumulated in float32, as NumPy does.
    """
    x = as_tensor(x)
    axes = reduction_axes(axis, x)
    out_dtype = _mean_dtype(x.dtype) if dtype is None else as_dtype(dtype)
    acc = "float32" if out_dtype == "float16" else out_dtype
    # Name the accumulator dtype only where it is not numpy.sum's own (a plainer graph).
    given = None if numpy_reduce_dtype(np.sum, x.dtype) == acc else acc
    total = sum(x, axes, keepdims=keepdims, dtype=given)
    return math.cast(_divide(total, element_count(x, axes)), out_dtype)


def var(
    x: typing.Any, axis: typing.Any = None, ddof: int = 0, keepdims: bool = False
) -> TensorVariable:
    """Variance of `x` over `axis` (numpy.var): sum(|x - mean|**2) / (count - ddof).

    The result is real (float32 for complex64); a count <= ddof gives inf or nan.
    """
    x = as_tensor(x)
    axes = reduction_axes(axis, x)
    centered = x - mean(x, axes, keepdims=True)
    if centered.dtype[0] == "c":
        squares = math.real(centered * math.conj(centered))  # |z|**2, as NumPy
    else:
        squares = math.sqr(centered)
    total = sum(squares, axes, keepdims=keepdims)
    count = element_count(x, axes)
    if isinstance(count, int):
        dof: typing.Any = builtins.max(count - ddof, 0)
    else:
        dof = math.maximum(count - ddof, 0) if ddof else count
    return _divide(total, dof)


def std(
    x: typing.Any, axis: typing.Any = None, ddof: int = 0, keepdims: bool = False
) -> TensorVariable:
    """Standard deviation of `x` over `axis` (numpy.std): the square root of `var`."""
    return math.sqrt(var(x, axis, ddof=ddof, keepdims=keepdims))


# -- sum_to: broadcasting in reverse ----------------------------------------------------------
def sum_to_axes(x_shape: Sequence[int | None], target: Sequence[int | None]) -> list[int] | None:
    """The axes of x that summing x down to `target` reduces (None entries: unknown lengths
    are not summed here), or None when x's shape cannot broadcast from `target`."""
    lead = len(x_shape) - len(target)
    if lead < 0:
        return None
    axes = list(range(lead))
    for a, (s, t) in enumerate(zip(x_shape[lead:], target, strict=True), start=lead):
        if s is None or t is None or s == t:
            continue
        if t != 1:
            return None
        axes.append(a)
    return axes


@dataclass(frozen=True)
class SumTo(Op):
    """`x` summed down to the shape given by an int64 vector: broadcasting in reverse.

    Sums the leading axes x has beyond the shape, and every axis where the shape has
    length 1 and x does not; the output has the shape. The dtype is numpy.sum's.
    """

    # make_node reads static lengths from the graph of the shape input (constants, shape(x)).
    reads_input_values: ClassVar[bool] = True
    # Where nothing is summed at run time a backend may return x itself (no copy).
    view_map: ClassVar[dict[int, list[int]]] = {0: [0]}

    def make_node(self, x: typing.Any, shape: typing.Any) -> Apply:
        x = as_tensor(x)
        vec = as_shape_vector(shape, "sum_to: shape")
        length = vec.type.shape[0]
        if length is None:
            raise ValueError(f"sum_to: the length of the shape {describe(vec)} must be static")
        known = static_entries(vec) or (None,) * length
        if builtins.any(k is not None and k < 0 for k in known):
            raise ValueError(f"sum_to: negative dimensions in shape {_fmt_shape(known)}")
        if sum_to_axes(x.type.shape, known) is None:
            raise ValueError(
                f"sum_to: {describe(x)} with shape {_fmt_shape(x.type.shape)} does not "
                f"broadcast from shape {_fmt_shape(known)}"
            )
        lead = x.ndim - length
        # An unknown target entry is 1 where x has 1 (the only length x can be summed to).
        out = [
            k if k is not None or s != 1 else 1
            for k, s in zip(known, x.type.shape[lead:], strict=True)
        ]
        dtype = numpy_reduce_dtype(np.sum, x.dtype)
        return Apply(self, [x, vec], [TensorType(dtype, out)()])

    def perform(self, node: Apply, inputs: Sequence[typing.Any]) -> list[typing.Any]:
        x, shape = inputs
        target = tuple(int(n) for n in shape)
        axes = sum_to_axes(x.shape, target)
        if axes is None or builtins.any(n < 0 for n in target):
            raise ValueError(
                f"sum_to: {describe(node.inputs[0])} with shape {x.shape} does not broadcast "
                f"from shape {target}"
            )
        out_dtype = node.outputs[0].type.dtype  # type: ignore[attr-defined]
        total = np.sum(x, axis=tuple(axes), dtype=out_dtype, keepdims=True)
        return [np.asarray(total.reshape(target), dtype=out_dtype)]

    def infer_shape(
        self, fgraph: typing.Any, node: Apply, input_shapes: Sequence[typing.Any]
    ) -> list[typing.Any]:
        static = node.outputs[0].type.shape  # type: ignore[attr-defined]
        vec = node.inputs[1]
        return [tuple(s if s is not None else vec[i] for i, s in enumerate(static))]  # type: ignore[index]

    def __str__(self) -> str:
        return "SumTo"


def _fmt_shape(shape: Sequence[int | None]) -> str:
    return (
        "("
        + ", ".join("?" if s is None else str(s) for s in shape)
        + ("," if len(shape) == 1 else "")
        + ")"
    )


def sum_to(x: typing.Any, shape: typing.Any) -> TensorVariable:
    """`x` summed down to `shape`: the reverse of broadcasting `shape` to x's shape.

    Sums the leading axes x has beyond `shape` and every axis where `shape` has length 1
    and x does not. `shape` holds ints or integer scalars, or is an integer vector (of
    static length); its entries may be symbolic. The dtype is numpy.sum's.
    """
    out: TensorVariable = SumTo()(x, shape)
    return out


__all__ = [
    "All",
    "Any",
    "Argmax",
    "Argmin",
    "Max",
    "Min",
    "Prod",
    "Sum",
    "SumTo",
    "all",
    "amax",
    "amin",
    "any",
    "argmax",
    "argmin",
    "max",
    "mean",
    "min",
    "prod",
    "std",
    "sum",
    "sum_to",
    "var",
]
