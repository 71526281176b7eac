"""Basic indexing: `x[i]`, `x[1:n:2]`, `x[None, ..., -1]` (a view of `x`), and writing
through it: `IncSubtensor` sets or increments the entries a basic index selects.

`Subtensor.idx_list` records the *form* of the index (an integer, or a slice with some
of start/stop/step, see `indexing_key`); the values, constant or symbolic, are the node's
extra inputs. So `x[0]` and `x[1]` apply the same op to different constants. Keys with
integer or boolean arrays build `indexing.AdvancedSubtensor` nodes instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from tensorgraft.graph.basic import Apply
from tensorgraft.graph.op import Op
from tensorgraft.graph.utils import describe
from tensorgraft.tensor.basic import as_tensor, constant
from tensorgraft.tensor.elemwise import DimShuffle
from tensorgraft.tensor.indexing_key import (
    FULL_SLICE,
    INT,
    NEWAXIS,
    IndexEntry,
    SliceSpec,
    as_index_inputs,
    format_idx_list,
    is_advanced,
    numpy_key,
    parse_key,
    static_shape,
    symbolic_shape,
)
from tensorgraft.tensor.indexing_key import as_index_scalar as as_index_scalar
from tensorgraft.tensor.indexing_key import slice_length as slice_length
from tensorgraft.tensor.type import TensorType
from tensorgraft.tensor.variable import TensorVariable


def _check_basic(op: Op, idx_list: Sequence[IndexEntry]) -> None:
    if any(e != INT and not isinstance(e, SliceSpec) for e in idx_list):
        raise TypeError(f"{op} takes integers and slices; arrays and None need AdvancedSubtensor")


@dataclass(frozen=True)
class Subtensor(Op):
    """`x[idx]` for integers and slices (basic indexing). The result is a view."""

    idx_list: tuple[IndexEntry, ...]

    view_map = {0: [0]}  # noqa: RUF012 - class-level constant shared by all instances

    def make_node(self, x: Any, *index: Any) -> Apply:
        x = as_tensor(x)
        _check_basic(self, self.idx_list)
        if len(self.idx_list) > x.ndim:
            raise IndexError(
                f"too many indices for {describe(x)}: it has {x.ndim} dimensions, "
                f"{len(self.idx_list)} were indexed"
            )
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
        return f"Subtensor{{{format_idx_list(self.idx_list)}}}"


# -- writing through an index --------------------------------------------------------------
def _kind_rank(kind: str) -> int:
    return "bifc".index("i" if kind == "u" else kind)


def _weak_kind(value: Any) -> str:
    """The dtype kind of a Python number ('b', 'i', 'f', 'c'), or '' for anything else."""
    if isinstance(value, np.generic):
        return ""
    kinds = ((bool, "b"), (int, "i"), (float, "f"), (complex, "c"))
    return next((k for t, k in kinds if isinstance(value, t)), "")


def _fits(value: int, dtype: np.dtype[Any]) -> bool:
    info = np.iinfo(dtype)
    return bool(info.min <= value <= info.max)


def update_value(
    x: TensorVariable, value: Any, target: tuple[int | None, ...], set_instead_of_inc: bool
) -> TensorVariable:
    """`value` ready to be written into `x[idx]` (of static shape `target`).

    Casting follows NumPy. Setting (`x[idx] = v`) casts `v` to x's dtype whatever it is;
    incrementing (`x[idx] += v`) only within a kind (NumPy's "same_kind" rule: no float
    added into an int array) and raises TypeError otherwise. A Python integer that does not
    fit an integer `x` raises OverflowError; arrays are cast as NumPy casts arrays (integers
    wrap). `v` must broadcast to `target`; extra leading axes of length 1 are dropped.
    """
    from tensorgraft.tensor.math import cast

    what = "set_subtensor" if set_instead_of_inc else "inc_subtensor"
    dtype = x.type.numpy_dtype
    weak = _weak_kind(value)  # Python numbers are weakly typed, as in NumPy
    v = None if weak else as_tensor(value)
    kind = weak or v.type.numpy_dtype.kind  # type: ignore[union-attr]
    if not set_instead_of_inc and _kind_rank(kind) > _kind_rank(dtype.kind):
        got = type(value).__name__ if v is None else describe(v)
        raise TypeError(
            f"{what}: cannot add {got} values into {describe(x)} of dtype {x.dtype} "
            "(NumPy's same_kind casting); cast them first"
        )
    if v is None:
        if kind == "i" and dtype.kind in "iu" and not _fits(value, dtype):
            raise OverflowError(f"{what}: Python integer {value} out of bounds for {x.dtype}")
        v = constant(np.asarray(value).astype(dtype), dtype=dtype)
    v = cast(v, dtype)
    extra = v.ndim - len(target)
    if extra > 0:
        if any(d != 1 for d in v.type.shape[:extra]):
            raise ValueError(
                f"{what}: value {describe(v)} of shape {v.type.shape} has more dimensions than "
                f"the indexed part of {describe(x)}, of shape {target}"
            )
        v = DimShuffle(v.ndim, tuple(range(extra, v.ndim)))(v)
    for vd, td in zip(v.type.shape[::-1], target[::-1], strict=False):
        if vd is not None and td is not None and vd not in (1, td):
            raise ValueError(
                f"{what}: value {describe(v)} of shape {v.type.shape} cannot be broadcast to "
                f"the indexed part of {describe(x)}, of shape {target}"
            )
    return v


def write_indexed(
    node: Apply, inputs: Sequence[Any], set_instead_of_inc: bool, inplace: bool
) -> np.ndarray:
    """The reference of the set/inc ops: `x` (copied unless in place) with `x[key]` written.

    Increments accumulate over repeated indices (numpy.add.at); a set with repeated
    indices keeps the last value, as NumPy's `x[idx] = v`.
    """
    x, v, *values = inputs
    out = x if inplace else np.array(x, copy=True)
    key = numpy_key(node.op.idx_list, values)  # type: ignore[attr-defined]
    try:
        if set_instead_of_inc:
            out[key] = v
        elif is_advanced(node.op.idx_list):  # type: ignore[attr-defined]
            np.add.at(out, key, v)
        else:
            out[key] += v  # a basic index selects each entry once
    except (IndexError, ValueError) as err:
        what = "set_subtensor" if set_instead_of_inc else "inc_subtensor"
        raise type(err)(f"{what} of {describe(node.inputs[0])}: {err}") from None
    return out


@dataclass(frozen=True)
class IndexedWrite(Op):
    """Base of the ops that write through an index: `x` with `x[idx]` incremented by `v`
    (or set to `v`). Inputs are (x, v, *index values); `v` has x's dtype and broadcasts
    to the indexed shape. A new array unless `inplace` (then x is overwritten)."""

    idx_list: tuple[IndexEntry, ...]
    set_instead_of_inc: bool
    inplace: bool = False

    _label: ClassVar[str] = ""  # the prefix of a subclass's name

    def _check_key(self, idx_list: Sequence[IndexEntry]) -> None:
        """Raise TypeError if this op does not take index entries like `idx_list`."""
        raise NotImplementedError

    @property
    def destroy_map(self) -> dict[int, list[int]]:  # type: ignore[override]
        return {0: [0]} if self.inplace else {}

    def make_node(self, x: Any, v: Any, *index: Any) -> Apply:
        x = as_tensor(x)
        self._check_key(self.idx_list)
        idx = as_index_inputs(self.idx_list, x, index)
        target = static_shape(x, self.idx_list, idx)
        value = update_value(x, v, target, self.set_instead_of_inc)
        return Apply(self, [x, value, *idx], [TensorType(x.dtype, x.type.shape)()])

    def perform(self, node: Apply, inputs: Sequence[Any]) -> list[Any]:
        return [write_indexed(node, inputs, self.set_instead_of_inc, self.inplace)]

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: Sequence[Any]) -> list[Any]:
        return [tuple(input_shapes[0])]

    def __str__(self) -> str:
        kind = "Set" if self.set_instead_of_inc else "Inc"
        inplace = ", inplace" if self.inplace else ""
        return f"{self._label}{kind}Subtensor{{{format_idx_list(self.idx_list)}{inplace}}}"


@dataclass(frozen=True)
class IncSubtensor(IndexedWrite):
    """`x` with `x[idx]` incremented by `v` (or set to `v`) for a basic index
    (integers and slices, bounds possibly symbolic)."""

    def _check_key(self, idx_list: Sequence[IndexEntry]) -> None:
        _check_basic(self, idx_list)


def getitem(x: TensorVariable, key: Any) -> TensorVariable:
    """`x[key]`, as NumPy: ints, slices, None (new axis), Ellipsis, integer and bool arrays."""
    entries, values = parse_key(x, key)
    if is_advanced(entries):
        from tensorgraft.tensor.indexing import AdvancedSubtensor

        return AdvancedSubtensor(entries)(x, *values)
    real = [e for e in entries if e != NEWAXIS]
    while real and real[-1] == FULL_SLICE:
        real.pop()  # trailing ':' index nothing
    if not real and NEWAXIS not in entries:
        # `x[:]` / `x[...]` is still an indexing node, so that `x[:].set(v)` works; the
        # rewrites remove it where nothing writes through it.
        real = [FULL_SLICE] if x.ndim else []
        return Subtensor(tuple(real))(x, *values)
    out = Subtensor(tuple(real))(x, *values) if real else x
    if NEWAXIS in entries:
        # New axes: walk the key, placing an 'x' for each None among the kept axes.
        order: list[int | str] = []
        axis = 0
        for e in entries:
            if e == NEWAXIS:
                order.append("x")
            elif isinstance(e, SliceSpec):
                order.append(axis)
                axis += 1
        order.extend(range(axis, out.ndim))
        out = DimShuffle(out.ndim, tuple(order))(out)
    return out


__all__ = [
    "IncSubtensor",
    "Subtensor",
]
