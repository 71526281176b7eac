"""Advanced (integer and boolean array) indexing, set/inc-subtensor, take.

`x[[0, 2], 1:]`, `x[mask]`, `x[i, None, idx]` build `AdvancedSubtensor` nodes; their
`idx_list` describes each entry of the key (see `indexing_key`) and the result follows
NumPy. `set_subtensor(x[idx], v)` / `x[idx].set(v)` and `inc_subtensor` write through any
index; `take` and `take_along_axis` are advanced-indexing graphs.
"""

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
from tensorgraft.tensor.indexing_key import (
    IndexEntry,
    as_index_inputs,
    format_idx_list,
    is_advanced,
    numpy_key,
    static_shape,
    symbolic_shape,
)
from tensorgraft.tensor.shape import ShapeI
from tensorgraft.tensor.subtensor import (
    IncSubtensor,
    IndexedWrite,
    Subtensor,
    getitem,
)
from tensorgraft.tensor.type import TensorType
from tensorgraft.tensor.variable import TensorVariable


def _check_advanced(op: Op, idx_list: Sequence[IndexEntry]) -> None:
    if not is_advanced(idx_list):
        raise TypeError(f"{op} needs an array or mask entry; use Subtensor for basic indices")


@dataclass(frozen=True)
class AdvancedSubtensor(Op):
    """`x[key]` for a key holding integer or boolean arrays (a new array, as in NumPy).

    `idx_list` has one entry per element of the key: integers, slices, new axes, integer
    arrays and boolean masks; the inputs are (x, *index values).
    """

    idx_list: tuple[IndexEntry, ...]

    def make_node(self, x: Any, *index: Any) -> Apply:
        x = as_tensor(x)
        _check_advanced(self, self.idx_list)
        idx = as_index_inputs(self.idx_list, x, index)
        shape = static_shape(x, self.idx_list, idx)
        return Apply(self, [x, *idx], [TensorType(x.dtype, shape)()])

    def perform(self, node: Apply, inputs: Sequence[Any]) -> list[Any]:
        x, *values = inputs
        try:
            return [np.asarray(x[numpy_key(self.idx_list, values)])]
        except IndexError as err:
            raise IndexError(f"indexing {describe(node.inputs[0])}: {err}") from None

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: Sequence[Any]) -> list[Any]:
        static = node.outputs[0].type.shape  # type: ignore[attr-defined]
        shape = symbolic_shape(
            input_shapes[0], self.idx_list, node.inputs[1:], input_shapes[1:], static
        )
        return [shape]

    def __str__(self) -> str:
        return f"AdvancedSubtensor{{{format_idx_list(self.idx_list)}}}"


@dataclass(frozen=True)
class AdvancedIncSubtensor(IndexedWrite):
    """`x` with `x[key]` incremented by `v` (or set to `v`) for an advanced key.

    Increments accumulate over repeated indices (numpy.add.at); a set keeps the last
    value written.
    """

    def _check_key(self, idx_list: Sequence[IndexEntry]) -> None:
        _check_advanced(self, idx_list)

    _label = "Advanced"


def _write(indexed: Any, value: Any, set_instead_of_inc: bool) -> TensorVariable:
    what = "set_subtensor" if set_instead_of_inc else "inc_subtensor"
    node = getattr(indexed, "owner", None)
    if node is not None and isinstance(node.op, DimShuffle) and _only_expands(node.op):
        inner = node.inputs[0]
        if inner.owner is not None and isinstance(inner.owner.op, Subtensor):
            # x[None, idx]: write v without the new axes into x[idx].
            value = _drop_new_axes(indexed, node.op, value, what)
            node = inner.owner
    if node is None or not isinstance(node.op, Subtensor | AdvancedSubtensor):
        raise TypeError(
            f"{what}: {describe(indexed)} is not the result of indexing; "
            f"call it on x[idx] (as in {what}(x[1:], v))"
        )
    x, *index = node.inputs
    op_type = IncSubtensor if isinstance(node.op, Subtensor) else AdvancedIncSubtensor
    return op_type(node.op.idx_list, set_instead_of_inc)(x, value, *index)


def _only_expands(op: DimShuffle) -> bool:
    return not op.dropped and list(op.kept) == sorted(op.kept)


def _drop_new_axes(indexed: Variable, op: DimShuffle, value: Any, what: str) -> Any:
    """`value`, broadcast against x[None, idx], as a value for x[idx] (new axes dropped)."""
    if isinstance(value, bool | int | float | complex) and not isinstance(value, np.generic):
        return value  # a Python number broadcasts to anything
    v = as_tensor(value)
    ndim = len(op.new_order)
    if v.ndim > ndim:
        return v  # update_value reports the extra axes against x[idx]
    v = DimShuffle(v.ndim, ("x",) * (ndim - v.ndim) + tuple(range(v.ndim)))(v)
    new = [k for k, a in enumerate(op.new_order) if a == "x"]
    for k in new:
        if v.type.shape[k] not in (1, None):
            raise ValueError(
                f"{what}: value of shape {v.type.shape} cannot be broadcast to "
                f"{describe(indexed)}, of shape {indexed.type.shape}"  # type: ignore[attr-defined]
            )
    return DimShuffle(ndim, tuple(k for k in range(ndim) if k not in new))(v)


def set_subtensor(indexed: Any, value: Any) -> TensorVariable:
    """The array `x` indexed by `indexed = x[idx]`, with `x[idx]` replaced by `value`.

    Works for basic and advanced indices; `value` broadcasts to the indexed shape and is
    cast to x's dtype as NumPy's `x[idx] = value` does. With repeated indices the last
    value wins. Same as `x[idx].set(value)`; `x[:].set(v)` fills the whole array. (`x[None]`
    is a DimShuffle of x, not an index: there is nothing to write through.)
    """
    return _write(indexed, value, True)


def inc_subtensor(indexed: Any, value: Any) -> TensorVariable:
    """The array `x` indexed by `indexed = x[idx]`, with `value` added to `x[idx]`.

    Repeated indices accumulate (numpy.add.at). `value` broadcasts to the indexed shape;
    its dtype must cast to x's within a kind (no floats into an int array), as NumPy's
    `x[idx] += value`. Same as `x[idx].inc(value)`.
    """
    return _write(indexed, value, False)


# -- take --------------------------------------------------------------------------------------
def _axis(axis: Any, ndim: int, x: Variable, what: str) -> int:
    if isinstance(axis, bool) or not isinstance(axis, int | np.integer):
        raise TypeError(f"{what}: axis must be an int or None, got {axis!r}")
    if not -ndim <= axis < ndim:
        raise ValueError(f"{what}: axis {axis} is out of bounds for {describe(x)} ({ndim}-d)")
    return int(axis) % ndim


def _int_indices(indices: Any, what: str) -> TensorVariable:
    if not isinstance(indices, Variable):
        arr = np.asarray(indices)
        if arr.size == 0 and arr.dtype.kind == "f":
            arr = arr.astype("int64")  # an empty list
        indices = arr
    idx = as_tensor(indices)
    if idx.type.numpy_dtype.kind not in "iu":
        raise TypeError(f"{what}: indices must be integers; {describe(idx)} is a {idx.type}")
    return idx


def _flatten(x: TensorVariable) -> TensorVariable:
    import tensorgraft.tensor as tt

    return tt.flatten(x)


def take(x: Any, indices: Any, axis: int | None = None, mode: str = "raise") -> TensorVariable:
    """Elements of `x` at `indices` along `axis` (numpy.take; axis None: of x flattened).

    Negative indices count from the end. Out-of-range indices raise IndexError (mode
    "raise"), wrap around ("wrap") or go to the nearest end ("clip", negatives too).
    """
    import tensorgraft.tensor as tt

    x = as_tensor(x)
    idx = _int_indices(indices, "take")
    if mode not in ("raise", "wrap", "clip"):
        raise ValueError(f"take: mode must be 'raise', 'wrap' or 'clip', got {mode!r}")
    if axis is None:
        x, axis = (_flatten(x) if x.ndim != 1 else x), 0
    axis = _axis(axis, x.ndim, x, "take")
    if mode != "raise":
        # In int64: the length may not fit the indices' dtype.
        n = x.type.shape[axis]
        length = ShapeI(axis)(x) if n is None else n
        idx = tt.cast(idx, "int64")
        idx = tt.mod(idx, length) if mode == "wrap" else tt.clip(idx, 0, length - 1)
    return getitem(x, (slice(None),) * axis + (idx,))


def take_along_axis(arr: Any, indices: Any, axis: int | None = -1) -> TensorVariable:
    """Pick values of `arr` at `indices` along `axis` (numpy.take_along_axis).

    `indices` has as many dimensions as `arr` and broadcasts against it on the other
    axes; with axis None, `arr` is flattened and `indices` is 1-d.
    """
    arr = as_tensor(arr)
    idx = _int_indices(indices, "take_along_axis")
    if axis is None:
        arr, axis = (_flatten(arr) if arr.ndim != 1 else arr), 0
    axis = _axis(axis, arr.ndim, arr, "take_along_axis")
    if idx.ndim != arr.ndim:
        raise ValueError(
            f"take_along_axis: indices {describe(idx)} must have as many dimensions as "
            f"{describe(arr)} ({arr.ndim}), got {idx.ndim}"
        )
    key: list[Any] = []
    for d in range(arr.ndim):
        if d == axis:
            key.append(idx)
            continue
        # An arange along axis d, broadcasting against the indices on the other axes.
        n = arr.type.shape[d]
        shape = [1] * arr.ndim
        if n is not None:
            shape[d] = n
            key.append(constant(np.arange(n, dtype="int64").reshape(shape)))
        else:
            import tensorgraft.tensor as tt
            from tensorgraft.tensor.shape import ShapeI

            span = tt.arange(ShapeI(d)(arr))
            order = tuple(0 if k == d else "x" for k in range(arr.ndim))
            key.append(DimShuffle(1, order)(span))
    return getitem(arr, tuple(key))


__all__ = [
    "AdvancedIncSubtensor",
    "AdvancedSubtensor",
    "inc_subtensor",
    "set_subtensor",
    "take",
    "take_along_axis",
]
