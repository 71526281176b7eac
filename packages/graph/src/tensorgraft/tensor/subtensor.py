"""Basic indexing: `x[i]`, `x[1:n:2]`, `x[None, ..., -1]` (a view of `x`).

`Subtensor.idx_list` records the *form* of the index (an integer, or a slice with some
of start/stop/step); the values, constant or symbolic, are the node's extra inputs. So
`x[0]` and `x[1]` apply the same op to different constants.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from tensorgraft.graph.basic import Apply, Constant, Variable
from tensorgraft.graph.op import Op
from tensorgraft.graph.utils import describe
from tensorgraft.tensor.basic import as_tensor, constant
from tensorgraft.tensor.elemwise import DimShuffle
from tensorgraft.tensor.type import TensorType
from tensorgraft.tensor.variable import TensorVariable


@dataclass(frozen=True)
class SliceSpec:
    """Which parts of a slice are given (each given part is one scalar input)."""

    start: bool
    stop: bool
    step: bool

    def __str__(self) -> str:
        text = f"{'start' if self.start else ''}:{'stop' if self.stop else ''}"
        return text + (":step" if self.step else "")


INT = "i"  # an integer index (one scalar input)
IndexEntry = str | SliceSpec
_INT_NAMES = "ijklmnopqrstuvwxyz"


def _const_value(var: Variable) -> int | None:
    if isinstance(var, Constant):
        return int(var.data)
    return None


def _static_length(n: int | None, start: Any, stop: Any, step: Any) -> int | None:
    """The static length of a slice of an axis of length `n`, or None if not known."""
    if step is not None and step == 0:
        raise ValueError("slice step cannot be zero")
    if start is None and stop is None and step in (None, 1):
        return n
    if n is None:
        return None  # even x[0:5] has length min(5, n)
    return len(range(*slice(start, stop, step).indices(n)))


@dataclass(frozen=True)
class Subtensor(Op):
    """`x[idx]` for integers and slices (basic indexing). The result is a view."""

    idx_list: tuple[IndexEntry, ...]

    view_map = {0: [0]}  # noqa: RUF012 - class-level constant shared by all instances

    def n_index_inputs(self) -> int:
        return sum(
            1 if isinstance(e, str) else int(e.start) + int(e.stop) + int(e.step)
            for e in self.idx_list
        )

    def _split(self, values: Sequence[Any]) -> list[Any]:
        """Group the flat index inputs by entry: an int value, or (start, stop, step)."""
        it = iter(values)
        out: list[Any] = []
        for e in self.idx_list:
            if e == INT:
                out.append(next(it))
            else:
                assert isinstance(e, SliceSpec)
                out.append(
                    (
                        next(it) if e.start else None,
                        next(it) if e.stop else None,
                        next(it) if e.step else None,
                    )
                )
        return out

    def make_node(self, x: Any, *index: Any) -> Apply:
        x = as_tensor(x)
        if len(self.idx_list) > x.ndim:
            raise IndexError(
                f"too many indices for {describe(x)}: it has {x.ndim} dimensions, "
                f"{len(self.idx_list)} were indexed"
            )
        if len(index) != self.n_index_inputs():
            raise TypeError(f"{self} takes {self.n_index_inputs()} index inputs, got {len(index)}")
        idx = [as_index_scalar(i, x) for i in index]
        shape: list[int | None] = []
        for axis, (entry, value) in enumerate(zip(self.idx_list, self._split(idx), strict=False)):
            n = x.type.shape[axis]
            if entry == INT:
                v = _const_value(value)
                if v is not None and n is not None and not -n <= v < n:
                    raise IndexError(
                        f"index {v} is out of bounds for axis {axis} of {describe(x)} with size {n}"
                    )
                continue
            parts = [None if p is None else _const_value(p) for p in value]
            known = all(p is None or _const_value(p) is not None for p in value)
            shape.append(_static_length(n, *parts) if known else None)
        shape.extend(x.type.shape[len(self.idx_list) :])
        return Apply(self, [x, *idx], [TensorType(x.dtype, shape)()])

    def perform(self, node: Apply, inputs: Sequence[Any]) -> list[Any]:
        x, *values = inputs
        key = tuple(
            int(v) if e == INT else slice(*(None if p is None else int(p) for p in v))
            for e, v in zip(self.idx_list, self._split(values), strict=True)
        )
        return [np.asarray(x[key])]

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: Sequence[Any]) -> list[Any]:
        from tensorgraft.tensor.shape import shape_entry_variable

        x_shape = input_shapes[0]
        out: list[Any] = []
        static = node.outputs[0].type.shape  # type: ignore[attr-defined]
        groups = self._split(node.inputs[1:])
        for axis, (entry, value) in enumerate(zip(self.idx_list, groups, strict=False)):
            if entry == INT:
                continue
            k = len(out)
            if static[k] is not None:
                out.append(static[k])
            else:
                out.append(slice_length(shape_entry_variable(x_shape[axis]), *value))
        out.extend(x_shape[len(self.idx_list) :])
        return [tuple(out)]

    def __str__(self) -> str:
        names = iter(_INT_NAMES)
        parts = [next(names) if e == INT else str(e) for e in self.idx_list]
        return f"Subtensor{{{', '.join(parts)}}}"


def as_index_scalar(value: Any, x: Variable | None = None) -> TensorVariable:
    """An index (of `x`) as an integer scalar variable (Python ints become int64 constants)."""
    where = "" if x is None else f"indexing {describe(x)}: "
    if isinstance(value, Variable):
        var = as_tensor(value)
    elif isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_):
        var = constant(int(value), dtype="int64")
    else:
        raise TypeError(f"{where}indices must be integers, slices, None or ..., got {value!r}")
    if var.ndim != 0 or var.type.numpy_dtype.kind not in "iu":
        raise TypeError(
            f"{where}an index must be an integer scalar; {describe(var)} is a {var.type}"
            + ("" if var.ndim == 0 else " (array indexing is not basic indexing)")
        )
    return var


def slice_length(n: Any, start: Any, stop: Any, step: Any) -> TensorVariable:
    """The symbolic length of `range(*slice(start, stop, step).indices(n))`."""
    from tensorgraft.tensor.math import cast, floor_div, maximum, minimum, switch

    # Lengths are int64 whatever the index dtypes (uint64 with int64 would give float64).
    n = cast(n, "int64")
    start, stop, step = (
        p if p is None or isinstance(p, int) else cast(p, "int64") for p in (start, stop, step)
    )
    step_v = 1 if step is None else step
    pos = (step_v > 0) if isinstance(step_v, int) else None

    def clip(bound: Any, default_pos: Any, default_neg: Any) -> Any:
        # Python's slice.indices: negatives count from the end, then clip to the range.
        if bound is None:
            return (
                default_pos
                if pos
                else default_neg
                if pos is not None
                else switch(step_v > 0, default_pos, default_neg)
            )
        b = switch(bound < 0, bound + n, bound)
        lo_pos, hi_pos = 0, n
        lo_neg, hi_neg = -1, n - 1
        clipped_pos = minimum(maximum(b, lo_pos), hi_pos)
        clipped_neg = minimum(maximum(b, lo_neg), hi_neg)
        if pos is None:
            return switch(step_v > 0, clipped_pos, clipped_neg)
        return clipped_pos if pos else clipped_neg

    start_v = clip(start, 0, n - 1)
    stop_v = clip(stop, n, -1)
    up = maximum(floor_div(stop_v - start_v + step_v - 1, step_v), 0)
    down = maximum(floor_div(start_v - stop_v - step_v - 1, -step_v), 0)
    if pos is None:
        return switch(step_v > 0, up, down)
    return up if pos else down


def _is_full_slice(entry: Any) -> bool:
    return isinstance(entry, slice) and entry == slice(None, None, None)


def getitem(x: TensorVariable, key: Any) -> TensorVariable:
    """`x[key]` for basic indexing: ints, slices, None (new axis) and Ellipsis."""
    key = key if isinstance(key, tuple) else (key,)
    for k in key:
        if isinstance(k, list | np.ndarray) or (isinstance(k, Variable) and k.type.ndim > 0):  # type: ignore[attr-defined]
            raise TypeError(
                f"indexing {describe(x)} with an array: integer and boolean array "
                "(advanced) indexing is not supported yet; use ints, slices, None or ..."
            )
    n_ellipsis = sum(k is Ellipsis for k in key)
    if n_ellipsis > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    n_real = sum(k is not None and k is not Ellipsis for k in key)
    if n_real > x.ndim:
        raise IndexError(
            f"too many indices for {describe(x)}: it has {x.ndim} dimensions, {n_real} were indexed"
        )
    if n_ellipsis:
        at = next(i for i, k in enumerate(key) if k is Ellipsis)
        key = key[:at] + (slice(None),) * (x.ndim - n_real) + key[at + 1 :]

    real = [k for k in key if k is not None]
    idx_list: list[IndexEntry] = []
    values: list[Any] = []
    for k in real:
        if isinstance(k, slice):
            idx_list.append(SliceSpec(k.start is not None, k.stop is not None, k.step is not None))
            values.extend(p for p in (k.start, k.stop, k.step) if p is not None)
        else:
            idx_list.append(INT)
            values.append(k)
    while idx_list and _is_full_slice(real[len(idx_list) - 1]):
        idx_list.pop()  # trailing ':' index nothing
    out = Subtensor(tuple(idx_list))(x, *values) if idx_list else x

    if any(k is None for k in key):
        # New axes: walk the key, placing an 'x' for each None among the kept axes.
        order: list[int | str] = []
        axis = 0
        for k in key:
            if k is None:
                order.append("x")
            elif isinstance(k, slice):
                order.append(axis)
                axis += 1
        order.extend(range(axis, out.ndim))
        out = DimShuffle(out.ndim, tuple(order))(out)
    return out


__all__ = [
    "Subtensor",
]
