"""Building arrays: zeros, ones, full, alloc, arange, linspace, eye, concatenate, stack, ...

Few ops, many functions: `Alloc` (a value broadcast to a shape) makes zeros / ones /
full / broadcast_to; `Join` concatenates and stacks; `Split` cuts into equal sections;
`ARange`, `Eye`, `AllocDiag`, `ExtractDiag` and `Repeat` are the rest. flip, roll, tile,
tri, tril, triu, linspace and trace are graphs of those and of indexing and elementwise
ops, so later stages (gradients, batching, backends) need no rule of their own for them.
Lengths that build arrays are int64 scalar inputs, so symbolic sizes work.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from tensorgraft.graph.basic import Apply, Variable
from tensorgraft.graph.op import Op
from tensorgraft.graph.utils import describe
from tensorgraft.tensor.basic import as_tensor, constant
from tensorgraft.tensor.elemwise import broadcast_dim, broadcast_static_shape
from tensorgraft.tensor.shape import (
    _fmt,
    _normalize_axis,
    _prod,
    expand_dims,
    flatten,
    moveaxis,
    normalize_axes,
    reshape,
    shape_entry_variable,
    shape_tuple,
    static_entries,
    static_int,
    static_scalar,
)
from tensorgraft.tensor.type import TensorType, as_dtype, floatX
from tensorgraft.tensor.variable import TensorVariable


def _math() -> Any:
    # math imports matmul, which imports this package's basics: import it when first used.
    from tensorgraft.tensor import math

    return math


def _length(n: Any, what: str) -> TensorVariable:
    """A length (int or integer scalar) as an int64 scalar variable."""
    if isinstance(n, Variable):
        var = as_tensor(n)
        if var.ndim != 0 or var.type.numpy_dtype.kind not in "iu":
            raise TypeError(f"{what}: a length must be an integer scalar, got {describe(var)}")
        return _math().cast(var, "int64")
    if isinstance(n, bool | np.bool_) or not isinstance(n, int | np.integer):
        raise TypeError(f"{what}: a length must be an integer, got {n!r}")
    return constant(int(n), dtype="int64")


def shape_entries(shape: Any, what: str = "shape") -> list[Any]:
    """A shape argument (an int, a sequence of ints / integer scalars, an integer vector of
    static length) as a list of entries: ints and integer scalar variables."""
    if isinstance(shape, Variable):
        var = as_tensor(shape)
        if var.ndim == 0:
            return [var]
        length = var.type.shape[0] if var.ndim == 1 else None
        if length is None:
            raise ValueError(f"{what}: the length of the shape {describe(var)} must be static")
        known = static_entries(var) or (None,) * length
        return [k if k is not None else var[i] for i, k in enumerate(known)]
    if isinstance(shape, tuple | list | np.ndarray):
        return list(shape)
    return [shape]


# -- Alloc ----------------------------------------------------------------------------------------
class Alloc(Op):
    """A new array: `value` broadcast to the shape given by int64 scalar inputs."""

    # make_node reads static lengths from the graphs of its integer inputs (constants,
    # ShapeI of a static axis): a rebuilt graph must call it again, types alone are not enough.
    reads_input_values: ClassVar[bool] = True

    def make_node(self, value: Any, *shape: Any) -> Apply:
        value = as_tensor(value)
        lengths = [_length(n, "alloc") for n in shape]
        wanted = [static_int(n) for n in lengths]
        if any(w is not None and w < 0 for w in wanted):
            raise ValueError(f"alloc: negative dimensions in shape {_fmt(wanted)}")
        if len(lengths) < value.ndim:
            raise ValueError(
                f"alloc: cannot broadcast {describe(value)} with shape {value.type.shape} "
                f"to shape {_fmt(wanted)}"
            )
        have = (1,) * (len(lengths) - value.ndim) + value.type.shape
        out: list[int | None] = []
        for w, h in zip(wanted, have, strict=True):
            if w is not None and h not in (None, 1, w):
                raise ValueError(
                    f"alloc: cannot broadcast {describe(value)} with shape {value.type.shape} "
                    f"to shape {_fmt(wanted)}"
                )
            out.append(w if w is not None else h if h != 1 else None)
        return Apply(self, [value, *lengths], [TensorType(value.dtype, out)()])

    def perform(self, node: Apply, inputs: Sequence[Any]) -> list[Any]:
        value, *lengths = inputs
        shape = tuple(int(n) for n in lengths)
        if any(n < 0 for n in shape):
            raise ValueError(f"alloc: negative dimensions in shape {shape}")
        try:
            return [np.array(np.broadcast_to(value, shape))]
        except ValueError:
            raise ValueError(
                f"alloc: cannot broadcast {describe(node.inputs[0])} with shape "
                f"{np.shape(value)} to shape {shape}"
            ) from None

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: Sequence[Any]) -> list[Any]:
        static = node.outputs[0].type.shape  # type: ignore[attr-defined]
        return [
            tuple(s if s is not None else n for s, n in zip(static, node.inputs[1:], strict=True))
        ]


def alloc(value: Any, *shape: Any) -> TensorVariable:
    """`value` broadcast to `shape` (ints or integer scalars), as a new array (PyTensor's alloc)."""
    return Alloc()(value, *shape)


def broadcast_to(x: Any, shape: Any) -> TensorVariable:
    """`x` broadcast to `shape` (numpy.broadcast_to; here a new array, not a view)."""
    return alloc(x, *shape_entries(shape, "broadcast_to"))


def broadcast_arrays(*arrays: Any) -> list[TensorVariable]:
    """The arrays broadcast against each other (numpy.broadcast_arrays)."""
    tensors = [as_tensor(a) for a in arrays]
    ndim = max((t.ndim for t in tensors), default=0)
    padded = [(1,) * (ndim - t.ndim) + shape_tuple(t) for t in tensors]
    static = [(1,) * (ndim - t.ndim) + t.type.shape for t in tensors]
    broadcast_static_shape(static, tensors)  # raises on shapes that cannot broadcast
    lengths = [broadcast_dim(dims) for dims in zip(*padded, strict=True)]
    target = broadcast_static_shape(static, tensors)
    return [
        t if t.type.shape == target and None not in target else alloc(t, *lengths) for t in tensors
    ]


def _fill_value(value: Any, dtype: Any) -> TensorVariable:
    return as_tensor(value, dtype=None if dtype is None else as_dtype(dtype))


def full(shape: Any, fill_value: Any, dtype: Any = None) -> TensorVariable:
    """An array of `shape` filled with `fill_value` (numpy.full); dtype: fill_value's."""
    return alloc(_fill_value(fill_value, dtype), *shape_entries(shape, "full"))


def zeros(shape: Any, dtype: Any = None) -> TensorVariable:
    """An array of zeros (numpy.zeros); `shape` holds ints or integer scalars."""
    return full(shape, 0, floatX if dtype is None else dtype)


def ones(shape: Any, dtype: Any = None) -> TensorVariable:
    """An array of ones (numpy.ones); `shape` holds ints or integer scalars."""
    return full(shape, 1, floatX if dtype is None else dtype)


def full_like(x: Any, fill_value: Any, dtype: Any = None) -> TensorVariable:
    """An array shaped like `x`, filled with `fill_value` in `x`'s dtype (numpy.full_like)."""
    x = as_tensor(x)
    return alloc(_fill_value(fill_value, dtype or x.dtype), *shape_tuple(x))


def zeros_like(x: Any, dtype: Any = None) -> TensorVariable:
    """Zeros shaped like `x` (numpy.zeros_like)."""
    return full_like(x, 0, dtype)


def ones_like(x: Any, dtype: Any = None) -> TensorVariable:
    """Ones shaped like `x` (numpy.ones_like)."""
    return full_like(x, 1, dtype)


# -- Join, Split ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Join(Op):
    """Arrays of equal rank joined along `axis` (numpy.concatenate).

    Inputs of different dtypes are first cast to their common dtype (explicit Cast nodes).
    """

    axis: int

    def make_node(self, *arrays: Any) -> Apply:
        if not arrays:
            raise ValueError("concatenate needs at least one array")
        tensors = [as_tensor(a) for a in arrays]
        dtype = np.result_type(*[t.dtype for t in tensors]).name
        tensors = [_math().cast(t, dtype) for t in tensors]
        first = tensors[0]
        for t in tensors:
            if t.ndim != first.ndim:
                raise ValueError(
                    f"concatenate: {describe(t)} has {t.ndim} dimensions, "
                    f"{describe(first)} has {first.ndim}"
                )
        if not 0 <= self.axis < first.ndim:
            raise ValueError(f"{self}: cannot join arrays of {first.ndim} dimensions on this axis")
        shape: list[int | None] = []
        for a in range(first.ndim):
            dims = [t.type.shape[a] for t in tensors]
            if a == self.axis:
                shape.append(None if None in dims else sum(dims))  # type: ignore[arg-type]
                continue
            known = {d for d in dims if d is not None}
            if len(known) > 1:
                parts = " and ".join(f"{describe(t)} has shape {t.type.shape}" for t in tensors)
                raise ValueError(f"concatenate along axis {self.axis}: {parts}")
            shape.append(known.pop() if known else None)
        return Apply(self, tensors, [TensorType(dtype, shape)()])

    def perform(self, node: Apply, inputs: Sequence[Any]) -> list[Any]:
        first = inputs[0]
        for var, value in zip(node.inputs, inputs, strict=True):
            other = [n for a, n in enumerate(value.shape) if a != self.axis]
            if other != [n for a, n in enumerate(first.shape) if a != self.axis]:
                raise ValueError(
                    f"concatenate along axis {self.axis}: {describe(var)} has shape "
                    f"{value.shape}, {describe(node.inputs[0])} has shape {first.shape}"
                )
        return [np.concatenate(inputs, axis=self.axis)]

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: Sequence[Any]) -> list[Any]:
        out: list[Any] = []
        for a, dims in enumerate(zip(*input_shapes, strict=True)):
            if a == self.axis:
                total = sum(d for d in dims if isinstance(d, int))
                for d in dims:
                    if not isinstance(d, int):
                        total = _math().add(d, total) if isinstance(total, int) else total + d
                out.append(total)
            else:
                out.append(next((d for d in dims if isinstance(d, int)), dims[0]))
        return [tuple(out)]


def concatenate(arrays: Sequence[Any], axis: int | None = 0) -> TensorVariable:
    """The arrays joined along an existing `axis` (numpy.concatenate; None flattens them)."""
    tensors = [as_tensor(a) for a in arrays]
    if not tensors:
        raise ValueError("concatenate needs at least one array")
    if axis is None:
        tensors, axis = [flatten(t) for t in tensors], 0
    if tensors[0].ndim == 0:
        raise ValueError(f"concatenate: {describe(tensors[0])} is 0-d and has no axis to join")
    axis = _normalize_axis(axis, tensors[0].ndim, tensors[0])
    return Join(axis)(*tensors)


def stack(arrays: Sequence[Any], axis: int = 0) -> TensorVariable:
    """The arrays joined along a new `axis` (numpy.stack); they must have one shape."""
    tensors = [as_tensor(a) for a in arrays]
    if not tensors:
        raise ValueError("stack needs at least one array")
    first = tensors[0]
    axis = _normalize_axis(axis, first.ndim + 1, first, "the result")
    for t in tensors:
        if t.ndim != first.ndim:
            raise ValueError(
                f"stack: {describe(t)} has {t.ndim} dimensions, {describe(first)} has {first.ndim}"
            )
        if any(
            a is not None and b is not None and a != b
            for a, b in zip(t.type.shape, first.type.shape, strict=True)
        ):
            raise ValueError(
                f"stack: arrays must have one shape; {describe(first)} has shape "
                f"{first.type.shape}, {describe(t)} has {t.type.shape}"
            )
    return Join(axis)(*[expand_dims(t, axis) for t in tensors])


@dataclass(frozen=True)
class Split(Op):
    """`x` cut along `axis` into `n_splits` pieces whose lengths an int64 vector gives."""

    # make_node reads static lengths from the graphs of its integer inputs (constants,
    # ShapeI of a static axis): a rebuilt graph must call it again, types alone are not enough.
    reads_input_values: ClassVar[bool] = True

    axis: int
    n_splits: int

    def make_node(self, x: Any, sizes: Any) -> Apply:
        x = as_tensor(x)
        if not 0 <= self.axis < x.ndim:
            raise ValueError(f"{self}: {describe(x)} has {x.ndim} dimensions")
        sizes = _math().cast(as_tensor(sizes), "int64")
        if sizes.ndim != 1 or sizes.type.shape[0] not in (None, self.n_splits):
            raise ValueError(f"{self}: the sizes {describe(sizes)} must be {self.n_splits} ints")
        known = static_entries(sizes) or (None,) * self.n_splits
        n = x.type.shape[self.axis]
        counts = [k for k in known if k is not None]
        if len(counts) == self.n_splits and (n not in (None, sum(counts)) or min(counts) < 0):
            raise ValueError(
                f"split of {describe(x)} with shape {x.type.shape} along axis {self.axis} "
                f"into sizes {_fmt(known)}"
            )
        outs = [
            TensorType(x.dtype, (*x.type.shape[: self.axis], k, *x.type.shape[self.axis + 1 :]))()
            for k in known
        ]
        return Apply(self, [x, sizes], outs)

    def perform(self, node: Apply, inputs: Sequence[Any]) -> list[Any]:
        x, sizes = inputs
        if (
            sizes.shape != (self.n_splits,)
            or sizes.sum() != x.shape[self.axis]
            or (sizes < 0).any()
        ):
            raise ValueError(
                f"split of {describe(node.inputs[0])} with shape {x.shape} along axis "
                f"{self.axis} into sizes {tuple(int(s) for s in sizes)}: they do not add up "
                f"to {x.shape[self.axis]}"
            )
        pieces = np.split(x, np.cumsum(sizes)[:-1], axis=self.axis)
        return [np.array(p) for p in pieces]  # copies: no output is a view of x

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: Sequence[Any]) -> list[Any]:
        shape = input_shapes[0]
        out = []
        for k, var in enumerate(node.outputs):
            static = var.type.shape[self.axis]  # type: ignore[attr-defined]
            length = static if static is not None else node.inputs[1][k]  # type: ignore[index]
            out.append((*shape[: self.axis], length, *shape[self.axis + 1 :]))
        return out


def split(x: Any, indices_or_sections: Any, axis: int = 0) -> list[TensorVariable]:
    """`x` cut along `axis` (numpy.split): into equal sections (an int), or at indices.

    Equal sections must divide the length (checked statically, else at run time).
    """
    x = as_tensor(x)
    axis = _normalize_axis(axis, x.ndim, x)
    if isinstance(indices_or_sections, int | np.integer) and not isinstance(
        indices_or_sections, bool
    ):
        sections = int(indices_or_sections)
        n = shape_tuple(x)[axis]
        if sections <= 0:
            raise ValueError(
                f"split of {describe(x)}: the number of sections must be > 0, got {sections}"
            )
        if isinstance(n, int) and n % sections:
            raise ValueError(
                f"split of {describe(x)} with shape {x.type.shape} into {sections} equal "
                f"sections along axis {axis}: {n} is not a multiple of {sections}"
            )
        if isinstance(n, int):
            sizes: Any = constant(np.full(sections, n // sections), dtype="int64")
        else:
            sizes = alloc(_math().floor_div(n, sections), sections)
        return Split(axis, sections).make_node(x, sizes).outputs  # type: ignore[return-value]
    # Indices: the pieces are slices, which gives NumPy's clipping of out-of-range indices.
    cuts = [None, *shape_entries(indices_or_sections, "split"), None]
    lead = (slice(None),) * axis
    return [x[(*lead, slice(a, b))] for a, b in itertools.pairwise(cuts)]


# -- tile, repeat, flip, roll ---------------------------------------------------------------------
def tile(x: Any, reps: Any) -> TensorVariable:
    """`x` repeated `reps` times along each axis (numpy.tile).

    A graph, not an op: the copies are a broadcast (Alloc) of `x` with interleaved new
    axes, merged by a Reshape, so every later stage handles tile through those two.
    """
    x = as_tensor(x)
    reps_list = shape_entries(reps, "tile")
    counts = [static_int(r) for r in reps_list]
    if any(c is not None and c < 0 for c in counts):
        raise ValueError(f"tile of {describe(x)}: negative repetitions in {_fmt(counts)}")
    ndim = max(x.ndim, len(reps_list))
    reps_list = [1] * (ndim - len(reps_list)) + reps_list
    x = expand_dims(x, tuple(range(ndim - x.ndim))) if ndim > x.ndim else x
    lengths = shape_tuple(x)
    if all(isinstance(r, int) and r == 1 for r in reps_list):
        return x
    interleaved = x.dimshuffle(*[p for a in range(ndim) for p in ("x", a)])
    copies = alloc(
        interleaved, *[p for r, n in zip(reps_list, lengths, strict=True) for p in (r, n)]
    )
    return reshape(copies, [_prod([r, n]) for r, n in zip(reps_list, lengths, strict=True)])


@dataclass(frozen=True)
class Repeat(Op):
    """Each element of `x` along `axis` repeated (numpy.repeat): `repeats` is an int64
    scalar, or an int64 vector with one count per element."""

    # make_node reads static lengths from the graphs of its integer inputs (constants,
    # ShapeI of a static axis): a rebuilt graph must call it again, types alone are not enough.
    reads_input_values: ClassVar[bool] = True

    axis: int

    def make_node(self, x: Any, repeats: Any) -> Apply:
        x = as_tensor(x)
        if not 0 <= self.axis < x.ndim:
            raise ValueError(f"{self}: {describe(x)} has {x.ndim} dimensions")
        reps = as_tensor(repeats)
        if reps.ndim > 1 or reps.type.numpy_dtype.kind not in "iu":
            raise TypeError(
                f"repeat: repeats must be integers, got {describe(reps)}, a {reps.type}"
            )
        reps = _math().cast(reps, "int64")
        n = x.type.shape[self.axis]
        counts = (static_int(reps),) if reps.ndim == 0 else static_entries(reps)
        if counts is not None and any(c is not None and c < 0 for c in counts):
            raise ValueError(f"repeat of {describe(x)}: negative repeats {_fmt(counts)}")
        if reps.ndim == 1 and counts is not None and n is not None and len(counts) not in (1, n):
            raise ValueError(
                f"repeat of {describe(x)} with shape {x.type.shape} along axis {self.axis}: "
                f"{len(counts)} repeats for {n} elements"
            )
        length = None
        if counts is not None and None not in counts:
            if len(counts) == 1 and n is not None:
                length = n * counts[0]
            elif len(counts) > 1 or n == 1:
                length = sum(counts)  # type: ignore[arg-type]
        shape = (*x.type.shape[: self.axis], length, *x.type.shape[self.axis + 1 :])
        return Apply(self, [x, reps], [TensorType(x.dtype, shape)()])

    def perform(self, node: Apply, inputs: Sequence[Any]) -> list[Any]:
        x, reps = inputs
        n = x.shape[self.axis]
        if (reps.ndim == 1 and reps.shape[0] not in (1, n)) or (reps < 0).any():
            raise ValueError(
                f"repeat of {describe(node.inputs[0])} with shape {x.shape} along axis "
                f"{self.axis}: repeats {reps.tolist()} (need {n} counts >= 0, or one)"
            )
        return [np.repeat(x, reps, axis=self.axis)]

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: Sequence[Any]) -> list[Any]:
        shape, reps_shape = input_shapes
        static = node.outputs[0].type.shape[self.axis]  # type: ignore[attr-defined]
        reps = node.inputs[1]
        if static is not None:
            length = static
        elif reps.type.ndim == 0:  # type: ignore[attr-defined]
            length = _prod([shape[self.axis], reps])
        else:
            m = _math()
            from tensorgraft.tensor.reduction import sum as total

            # One count repeats every element: sum(counts) * n; else sum(counts).
            one = reps_shape[0] == 1 if isinstance(reps_shape[0], int) else None
            scale = shape[self.axis] if one else 1 if one is False else None
            if scale is None:
                scale = m.switch(m.eq(reps_shape[0], 1), shape[self.axis], 1)
            length = _prod([total(reps), scale])
        return [(*shape[: self.axis], length, *shape[self.axis + 1 :])]


def repeat(x: Any, repeats: Any, axis: int | None = None) -> TensorVariable:
    """Repeat each element of `x` (numpy.repeat); `axis=None` repeats the flattened array."""
    x = as_tensor(x)
    if axis is None:
        x, axis = flatten(x), 0
    return Repeat(_normalize_axis(axis, x.ndim, x))(x, repeats)


def flip(x: Any, axis: Any = None) -> TensorVariable:
    """`x` with the order of elements reversed along `axis` (all axes by default)."""
    x = as_tensor(x)
    axes = normalize_axes(axis, x.ndim, x)
    axes = tuple(range(x.ndim)) if axes is None else axes
    if not axes:
        return x
    return x[tuple(slice(None, None, -1) if a in axes else slice(None) for a in range(x.ndim))]


def roll(x: Any, shift: Any, axis: Any = None) -> TensorVariable:
    """`x` with elements shifted along `axis`, wrapping around (numpy.roll).

    `axis=None` rolls the flattened array. Each roll joins the last `shift` elements
    before the others.
    """
    x = as_tensor(x)
    if axis is None:
        return reshape(roll(flatten(x), shift, 0), shape_tuple(x))
    axes = [axis] if isinstance(axis, int | np.integer) else list(axis)
    shifts = shift if isinstance(shift, tuple | list) else [shift] * len(axes)
    if len(shifts) != len(axes):
        raise ValueError(f"roll of {describe(x)}: {len(shifts)} shifts for {len(axes)} axes")
    m = _math()
    for given, s in zip(axes, shifts, strict=True):
        a = _normalize_axis(int(given), x.ndim, x)
        n = shape_tuple(x)[a]
        if isinstance(n, int) and isinstance(s, int | np.integer):
            k: Any = int(s) % n if n else 0
            if k == 0:
                continue
        else:
            period = m.maximum(shape_entry_variable(n), 1)  # n = 0 rolls nothing
            k = m.sub(s, m.mul(period, m.floor_div(s, period)))
        cut = m.sub(n, k) if not isinstance(k, int) or not isinstance(n, int) else n - k
        lead = (slice(None),) * a
        x = concatenate([x[(*lead, slice(cut, None))], x[(*lead, slice(None, cut))]], axis=a)
    return x


# -- ranges ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ARange(Op):
    """Evenly spaced values in [start, stop) by step, of `dtype` (numpy.arange).

    Its length is ceil((stop - start) / step), at least 0; static when the inputs are.
    """

    # make_node reads static lengths from the graphs of its integer inputs (constants,
    # ShapeI of a static axis): a rebuilt graph must call it again, types alone are not enough.
    reads_input_values: ClassVar[bool] = True

    dtype: str

    def make_node(self, start: Any, stop: Any, step: Any) -> Apply:
        inputs = [as_tensor(v) for v in (start, stop, step)]
        for v in inputs:
            if v.ndim != 0 or v.type.numpy_dtype.kind not in "biuf":
                raise TypeError(f"arange: bounds and step must be real scalars, got {describe(v)}")
        if self.dtype == "bool":  # NumPy fails at run time past 2 values: refuse it here
            raise TypeError("arange: dtype bool is not supported; use a number dtype")
        first, last, step = (static_scalar(v) for v in inputs)
        if step == 0:
            raise ValueError(f"arange: the step {describe(inputs[2])} is zero")
        length = None
        if first is not None and last is not None and step is not None:
            length = len(np.arange(first, last, step, dtype=self.dtype))
        return Apply(self, inputs, [TensorType(self.dtype, (length,))()])

    def perform(self, node: Apply, inputs: Sequence[Any]) -> list[Any]:
        start, stop, step = inputs
        if step == 0:
            raise ValueError(f"arange: the step {describe(node.inputs[2])} is zero")
        return [np.arange(start, stop, step, dtype=self.dtype)]

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: Sequence[Any]) -> list[Any]:
        static = node.outputs[0].type.shape[0]  # type: ignore[attr-defined]
        if static is not None:
            return [(static,)]
        m = _math()
        start, stop, step = node.inputs
        if all(v.type.numpy_dtype.kind in "biu" for v in node.inputs):  # type: ignore[attr-defined]
            start, stop, step = (m.cast(v, "int64") for v in node.inputs)
            # ceil(a / b) == -floor(-a / b), exactly, in integers.
            length = m.neg(m.floor_div(m.sub(start, stop), step))
        else:
            start, stop, step = (m.cast(v, "float64") for v in node.inputs)
            quotient = m.true_div(m.sub(stop, start), step)
            length = m.cast(m.neg(m.floor_div(m.neg(quotient), 1.0)), "int64")
        return [(m.maximum(length, 0),)]


def arange(start: Any, stop: Any = None, step: Any = 1, dtype: Any = None) -> TensorVariable:
    """Evenly spaced values in [start, stop) (numpy.arange); `arange(n)` counts from 0.

    Bounds may be symbolic scalars. The dtype defaults to NumPy's: int64 for integer
    bounds, float64 for float ones.
    """
    if stop is None:
        start, stop = 0, start
    inputs = [as_tensor(v) for v in (start, stop, step)]
    if dtype is None and all(v.type.numpy_dtype.kind in "biuf" for v in inputs):
        dtype = _arange_dtype(tuple(v.dtype for v in inputs))
    return ARange(as_dtype(dtype or "float64"))(*inputs)


@functools.lru_cache(maxsize=64)
def _arange_dtype(dtypes: tuple[str, ...]) -> str:
    # NumPy's choice for bounds of these dtypes: int64 for most integers, float64 for
    # floats and for uint64 with int64. Bool bounds count as int64 (NumPy cannot subtract them).
    start, stop, step = (
        np.dtype("int64" if d == "bool" else d).type(v)
        for v, d in zip((0, 1, 1), dtypes, strict=True)
    )
    return np.arange(start, stop, step).dtype.name


def linspace(
    start: Any,
    stop: Any,
    num: Any = 50,
    endpoint: bool = True,
    dtype: Any = None,
    axis: int = 0,
) -> TensorVariable:
    """`num` evenly spaced values from `start` to `stop` (numpy.linspace).

    Computed as NumPy does: start + arange(num) * step, with the last value set to `stop`
    when `endpoint`. Array bounds give one column of values per element, on a new axis
    `axis`. `num` is an int or an integer scalar (the length is static when it is).
    """
    m = _math()
    if isinstance(num, Variable):
        count_var = _length(num, "linspace")
        count = static_int(count_var)
    elif isinstance(num, bool | np.bool_) or not isinstance(num, int | np.integer):
        raise TypeError(f"linspace: num must be an integer, got {num!r}")
    else:
        count = int(num)
    if count is not None and count < 0:
        raise ValueError(f"linspace: num must be >= 0, got {count}")
    # Python numbers are weak, as in NumPy; the Python float makes the dtype inexact.
    bounds = [
        b if isinstance(b, Variable) else np.asarray(b) if np.ndim(b) else b for b in (start, stop)
    ]
    dt = np.result_type(
        *(as_tensor(b).dtype if isinstance(b, Variable) else b for b in bounds), 1.0
    ).name
    start, stop = (as_tensor(b, dtype=dt) for b in bounds)
    delta = m.sub(stop, start)
    new_axes = tuple(range(1, delta.ndim + 1))
    if count is not None:
        div = count - 1 if endpoint else count
        grid = arange(0, count, dtype=dt)
        grid = expand_dims(grid, new_axes) if delta.ndim else grid
        y = m.add(m.mul(grid, m.true_div(delta, div) if div > 0 else delta), start)
        if endpoint and count > 1:
            last = expand_dims(m.add(stop, m.mul(delta, 0)), 0)  # stop broadcast like delta
            y = concatenate([y[:-1], last], axis=0)
    else:
        # The same values with a symbolic count: a step of delta / max(div, 1) (num <= 1
        # never uses it), and the last value replaced by `stop` where num > 1.
        divisor = m.sub(count_var, 1) if endpoint else count_var
        step = m.true_div(delta, m.cast(m.maximum(divisor, 1), dt))
        grid = arange(0, count_var, dtype=dt)
        y = m.add(m.mul(expand_dims(grid, new_axes) if delta.ndim else grid, step), start)
        if endpoint:
            k = arange(count_var)
            last = m.logical_and(m.eq(k, m.sub(count_var, 1)), m.gt(count_var, 1))
            y = m.switch(expand_dims(last, new_axes) if delta.ndim else last, stop, y)
    out_dtype = dt if dtype is None else as_dtype(dtype)
    if np.dtype(out_dtype).kind in "iu":
        y = m.floor_div(y, 1)  # NumPy floors before casting to an integer dtype
    y = m.cast(y, out_dtype)
    target = _normalize_axis(axis, y.ndim, start, "the result")
    return y if target == 0 else moveaxis(y, 0, target)


# -- eye, tri, diagonals --------------------------------------------------------------------------
@dataclass(frozen=True)
class Eye(Op):
    """An (N, M) array of `dtype` with ones on diagonal k (numpy.eye); N, M, k are inputs."""

    # make_node reads static lengths from the graphs of its integer inputs (constants,
    # ShapeI of a static axis): a rebuilt graph must call it again, types alone are not enough.
    reads_input_values: ClassVar[bool] = True

    dtype: str

    def make_node(self, n: Any, m: Any, k: Any) -> Apply:
        inputs = [_length(v, "eye") for v in (n, m, k)]
        rows, cols = static_int(inputs[0]), static_int(inputs[1])
        if any(d is not None and d < 0 for d in (rows, cols)):
            raise ValueError(f"eye: negative dimensions {_fmt((rows, cols))}")
        return Apply(self, inputs, [TensorType(self.dtype, (rows, cols))()])

    def perform(self, node: Apply, inputs: Sequence[Any]) -> list[Any]:
        n, m, k = (int(v) for v in inputs)
        if n < 0 or m < 0:
            raise ValueError(f"eye: negative dimensions {(n, m)}")
        return [np.eye(n, m, k, dtype=self.dtype)]

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: Sequence[Any]) -> list[Any]:
        static = node.outputs[0].type.shape  # type: ignore[attr-defined]
        return [
            tuple(s if s is not None else v for s, v in zip(static, node.inputs[:2], strict=True))
        ]


def eye(N: Any, M: Any = None, k: Any = 0, dtype: Any = None) -> TensorVariable:
    """An (N, M) array with ones on diagonal `k`, zeros elsewhere (numpy.eye)."""
    return Eye(as_dtype(floatX if dtype is None else dtype))(N, N if M is None else M, k)


def identity(n: Any, dtype: Any = None) -> TensorVariable:
    """The (n, n) identity matrix (numpy.identity)."""
    return eye(n, dtype=dtype)


def tri(N: Any, M: Any = None, k: Any = 0, dtype: Any = None) -> TensorVariable:
    """An (N, M) array with ones at and below diagonal `k` (numpy.tri): row + k >= column."""
    m = _math()
    rows = expand_dims(arange(N), 1)
    cols = expand_dims(arange(N if M is None else M), 0)
    mask = m.ge(m.add(rows, k), cols)
    return m.cast(mask, floatX if dtype is None else dtype)


def _triangle(x: Any, k: Any, lower: bool, what: str) -> TensorVariable:
    m = _math()
    x = as_tensor(x)
    if x.ndim == 0:
        raise ValueError(f"{what} of {describe(x)}: needs at least 1 dimension")
    rows, cols = shape_tuple(x)[-2:] if x.ndim > 1 else shape_tuple(x) * 2
    # tril keeps tri(k); triu drops tri(k - 1).
    mask = tri(rows, cols, k if lower else m.sub(k, 1), dtype="bool")
    zero = constant(0, dtype=x.dtype)
    return m.switch(mask, x, zero) if lower else m.switch(mask, zero, x)


def tril(x: Any, k: Any = 0) -> TensorVariable:
    """`x` with the elements above diagonal `k` zeroed, over the last two axes (numpy.tril)."""
    return _triangle(x, k, True, "tril")


def triu(x: Any, k: Any = 0) -> TensorVariable:
    """`x` with the elements below diagonal `k` zeroed, over the last two axes (numpy.triu)."""
    return _triangle(x, k, False, "triu")


def _diag_length(n1: Any, n2: Any, offset: int) -> Any:
    """The length of diagonal `offset` of an (n1, n2) matrix: ints or int64 scalars."""
    a, b = (n1, _add(n2, -offset)) if offset >= 0 else (_add(n1, offset), n2)
    if isinstance(a, int) and isinstance(b, int):
        return max(0, min(a, b))
    m = _math()
    return m.maximum(m.minimum(a, b), 0)


def _add(n: Any, k: int) -> Any:
    return n + k if isinstance(n, int) or k == 0 else _math().add(n, k)


@dataclass(frozen=True)
class ExtractDiag(Op):
    """Diagonal `offset` of the matrices on axes (axis1, axis2), as a last axis (numpy.diagonal)."""

    offset: int = 0
    axis1: int = 0
    axis2: int = 1

    def make_node(self, x: Any) -> Apply:
        x = as_tensor(x)
        if x.ndim < 2 or not (0 <= self.axis1 < x.ndim and 0 <= self.axis2 < x.ndim):
            raise ValueError(f"{self}: {describe(x)} has {x.ndim} dimensions")
        if self.axis1 == self.axis2:
            raise ValueError(f"{self}: axis1 and axis2 cannot be the same")
        n1, n2 = x.type.shape[self.axis1], x.type.shape[self.axis2]
        length = None if n1 is None or n2 is None else _diag_length(n1, n2, self.offset)
        rest = tuple(s for a, s in enumerate(x.type.shape) if a not in (self.axis1, self.axis2))
        return Apply(self, [x], [TensorType(x.dtype, (*rest, length))()])

    def perform(self, node: Apply, inputs: Sequence[Any]) -> list[Any]:
        # np.diagonal gives a read-only view: return our own array.
        return [np.array(np.diagonal(inputs[0], self.offset, self.axis1, self.axis2))]

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: Sequence[Any]) -> list[Any]:
        (shape,) = input_shapes
        static = node.outputs[0].type.shape[-1]  # type: ignore[attr-defined]
        rest = tuple(s for a, s in enumerate(shape) if a not in (self.axis1, self.axis2))
        length = static if static is not None else None
        if length is None:
            length = _diag_length(shape[self.axis1], shape[self.axis2], self.offset)
        return [(*rest, length)]


@dataclass(frozen=True)
class AllocDiag(Op):
    """A square matrix with the vector input on diagonal `offset`, zeros elsewhere (numpy.diag)."""

    offset: int = 0

    def make_node(self, v: Any) -> Apply:
        v = as_tensor(v)
        if v.ndim != 1:
            raise ValueError(f"{self}: {describe(v)} is not a vector")
        n = v.type.shape[0]
        size = None if n is None else n + abs(self.offset)
        return Apply(self, [v], [TensorType(v.dtype, (size, size))()])

    def perform(self, node: Apply, inputs: Sequence[Any]) -> list[Any]:
        return [np.diag(inputs[0], self.offset)]

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: Sequence[Any]) -> list[Any]:
        size = _add(input_shapes[0][0], abs(self.offset))
        return [(size, size)]


def _static_offset(offset: Any, what: str) -> int:
    if isinstance(offset, bool) or not isinstance(offset, int | np.integer):
        raise TypeError(f"{what}: the offset must be a static int, got {offset!r}")
    return int(offset)


def diagonal(x: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> TensorVariable:
    """Diagonal `offset` of `x` over (axis1, axis2), appended as the last axis (numpy.diagonal)."""
    x = as_tensor(x)
    if x.ndim < 2:
        raise ValueError(f"diagonal of {describe(x)}: needs at least 2 dimensions")
    a1, a2 = _normalize_axis(axis1, x.ndim, x), _normalize_axis(axis2, x.ndim, x)
    return ExtractDiag(_static_offset(offset, "diagonal"), a1, a2)(x)


def diag(v: Any, k: int = 0) -> TensorVariable:
    """A vector's diagonal matrix, or a matrix's diagonal `k` as a vector (numpy.diag)."""
    v = as_tensor(v)
    if v.ndim == 1:
        return AllocDiag(_static_offset(k, "diag"))(v)
    if v.ndim == 2:
        return diagonal(v, k)
    raise ValueError(f"diag of {describe(v)}: needs a vector or a matrix, got {v.ndim} dimensions")


def trace(
    x: Any, offset: int = 0, axis1: int = 0, axis2: int = 1, dtype: Any = None
) -> TensorVariable:
    """The sum of diagonal `offset` over (axis1, axis2) (numpy.trace)."""
    from tensorgraft.tensor.reduction import sum as total

    return total(diagonal(x, offset, axis1, axis2), axis=-1, dtype=dtype)


__all__ = [
    "ARange",
    "Alloc",
    "AllocDiag",
    "ExtractDiag",
    "Eye",
    "Join",
    "Repeat",
    "Split",
    "alloc",
    "arange",
    "broadcast_arrays",
    "broadcast_to",
    "concatenate",
    "diag",
    "diagonal",
    "eye",
    "flip",
    "full",
    "full_like",
    "identity",
    "linspace",
    "ones",
    "ones_like",
    "repeat",
    "roll",
    "split",
    "stack",
    "tile",
    "trace",
    "tri",
    "tril",
    "triu",
    "zeros",
    "zeros_like",
]
