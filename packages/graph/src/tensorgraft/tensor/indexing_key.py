"""The form of an index `x[key]`, shared by the basic and advanced indexing ops.

An indexing op's `idx_list` holds one entry per element of the key, in key order; the
values, constant or symbolic, are the node's inputs after `x` (and after `v` for the
set/inc ops):

* `INT` ("i"): an integer, one int scalar input;
* `SliceSpec(start, stop, step)`: a slice, one int scalar input per given bound;
* `NEWAXIS` ("x"): None, a new axis of length 1, no input (advanced ops only: basic
  indexing adds new axes with a DimShuffle);
* `ARRAY` ("array"): an integer array of one or more dimensions, one input;
* `MASK` ("mask"): a boolean array, one input, selecting along as many axes as it has
  dimensions (a 0-d mask adds an axis of length 1 or 0).

Ellipsis is expanded into full slices when a key is parsed, and trailing full slices are
dropped. The output layout is NumPy's: once an array index is present, integers count
as 0-d arrays; all array indices broadcast together into one block of dimensions, which
replaces them in place when they are adjacent in the key and goes first otherwise.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from tensorgraft.graph.basic import Constant, Variable
from tensorgraft.graph.utils import describe
from tensorgraft.tensor.basic import as_tensor, constant
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


INT = "i"
NEWAXIS = "x"
ARRAY = "array"
MASK = "mask"
IndexEntry = str | SliceSpec
FULL_SLICE = SliceSpec(False, False, False)
_INT_NAMES = "ijklmnopqrstuvwxyz"


def n_inputs(entry: IndexEntry) -> int:
    """How many node inputs an index entry takes."""
    if isinstance(entry, SliceSpec):
        return int(entry.start) + int(entry.stop) + int(entry.step)
    return 0 if entry == NEWAXIS else 1


def group_inputs(idx_list: Sequence[IndexEntry], values: Sequence[Any]) -> list[Any]:
    """The flat index inputs grouped by entry: a value, (start, stop, step), or None."""
    it = iter(values)
    out: list[Any] = []
    for e in idx_list:
        if isinstance(e, SliceSpec):
            out.append(tuple(next(it) if given else None for given in (e.start, e.stop, e.step)))
        else:
            out.append(None if e == NEWAXIS else next(it))
    return out


def is_advanced(idx_list: Sequence[IndexEntry]) -> bool:
    """Whether the index holds an array or a mask (NumPy's advanced indexing)."""
    return any(e in (ARRAY, MASK) for e in idx_list)


def format_idx_list(idx_list: Sequence[IndexEntry]) -> str:
    """`i, start:, array` for printing an op: integers get the letters i, j, k..."""
    names = iter(_INT_NAMES)
    return ", ".join(next(names) if e == INT else str(e) for e in idx_list)


def numpy_key(idx_list: Sequence[IndexEntry], values: Sequence[Any]) -> tuple[Any, ...]:
    """The NumPy key for index input values."""
    key: list[Any] = []
    for e, v in zip(idx_list, group_inputs(idx_list, values), strict=True):
        if e == INT:
            key.append(int(v))
        elif isinstance(e, SliceSpec):
            key.append(slice(*(None if p is None else int(p) for p in v)))
        elif e == NEWAXIS:
            key.append(None)
        else:
            key.append(np.asarray(v))
    return tuple(key)


# -- converting a user's key -----------------------------------------------------------------
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
        )
    return var


def as_index(value: Any, x: Variable) -> tuple[IndexEntry, list[TensorVariable]]:
    """One element of a key as an index entry and its inputs (None and slices included)."""
    if value is None:
        return NEWAXIS, []
    if isinstance(value, slice):
        parts = (value.start, value.stop, value.step)
        spec = SliceSpec(*(p is not None for p in parts))
        return spec, [as_index_scalar(p, x) for p in parts if p is not None]
    if isinstance(value, bool | np.bool_):
        return MASK, [constant(bool(value), dtype="bool")]
    if isinstance(value, list | tuple | np.ndarray):
        value = _index_array(value, x)
    elif not isinstance(value, Variable):
        return INT, [as_index_scalar(value, x)]
    var = as_tensor(value)
    kind = var.type.numpy_dtype.kind
    if kind == "b":
        return MASK, [var]
    if kind not in "iu":
        raise TypeError(
            f"indexing {describe(x)}: indices must be integers or booleans; "
            f"{describe(var)} is a {var.type}"
        )
    return (INT if var.ndim == 0 else ARRAY), [var]


def as_index_inputs(
    idx_list: Sequence[IndexEntry], x: TensorVariable, index: Sequence[Any]
) -> list[TensorVariable]:
    """Index inputs given to an op as variables, checked against the op's entries."""
    expected = sum(n_inputs(e) for e in idx_list)
    if len(index) != expected:
        raise TypeError(
            f"indexing {describe(x)}: {expected} index inputs expected, got {len(index)}"
        )
    kinds = [k for e in idx_list for k in [e if e in (ARRAY, MASK) else INT] * n_inputs(e)]
    out: list[TensorVariable] = []
    for kind, value in zip(kinds, index, strict=True):
        if kind == INT:
            out.append(as_index_scalar(value, x))
            continue
        var = as_tensor(value)
        ok = var.type.numpy_dtype.kind == "b" if kind == MASK else var.type.numpy_dtype.kind in "iu"
        if not ok or (kind == ARRAY and var.ndim == 0):
            want = "a boolean array" if kind == MASK else "an integer array"
            raise TypeError(
                f"indexing {describe(x)}: expected {want}, got {describe(var)} ({var.type})"
            )
        out.append(var)
    return out


def _index_array(value: Any, x: Variable) -> TensorVariable:
    try:
        arr = np.asarray(value)
    except ValueError as err:
        raise TypeError(f"indexing {describe(x)} with {value!r}: {err}") from None
    if arr.dtype == object and any(isinstance(e, Variable) for e in arr.flat):
        raise TypeError(
            f"indexing {describe(x)}: a list holding symbolic variables is not an index; "
            "stack them into one array first"
        )
    if arr.size == 0 and arr.dtype.kind == "f":
        arr = arr.astype("int64")  # NumPy reads an empty list as an empty integer index
    if arr.dtype.kind not in "biu":
        raise TypeError(
            f"indexing {describe(x)}: array indices must be integers or booleans, "
            f"got {arr.dtype} values ({value!r})"[:200]
        )
    return constant(arr)


def parse_key(x: TensorVariable, key: Any) -> tuple[tuple[IndexEntry, ...], list[TensorVariable]]:
    """The entries and inputs of `x[key]`: Ellipsis expanded, trailing full slices dropped."""
    key = key if isinstance(key, tuple) else (key,)
    if sum(k is Ellipsis for k in key) > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    parsed = [None if k is Ellipsis else as_index(k, x) for k in key]
    used = sum(_n_axes(p[0], p[1]) for p in parsed if p is not None)
    if used > x.ndim:
        raise IndexError(
            f"too many indices for {describe(x)}: it has {x.ndim} dimensions, {used} were indexed"
        )
    entries: list[IndexEntry] = []
    values: list[TensorVariable] = []
    for p in parsed:
        if p is None:
            entries.extend([FULL_SLICE] * (x.ndim - used))
        else:
            entries.append(p[0])
            values.extend(p[1])
    while entries and entries[-1] == FULL_SLICE:
        entries.pop()
    return tuple(entries), values


def _n_axes(entry: IndexEntry, values: Sequence[Any]) -> int:
    """How many axes of the indexed array an entry consumes."""
    if entry == NEWAXIS:
        return 0
    if entry == MASK:
        return int(values[0].ndim)
    return 1


# -- the shape of an indexing result ----------------------------------------------------------
def arrange(
    idx_list: Sequence[IndexEntry],
    per_entry: Sequence[Any],
    rest: Sequence[Any],
    broadcast: Callable[[list[tuple[Any, ...]]], tuple[Any, ...]],
) -> tuple[Any, ...]:
    """The result's dimensions from each entry's part, in NumPy's order.

    `per_entry` holds a length for a slice or new axis, and for an integer, array or mask
    the shape it contributes as an advanced index; `rest` the untouched trailing axes.
    """
    if not is_advanced(idx_list):
        return (*(d for e, d in zip(idx_list, per_entry, strict=True) if e != INT), *rest)
    adv = [k for k, e in enumerate(idx_list) if e in (INT, ARRAY, MASK)]
    block = broadcast([per_entry[k] for k in adv])
    basic = [d for k, d in enumerate(per_entry) if k not in adv]
    if adv[-1] - adv[0] + 1 == len(adv):  # adjacent: in place
        return (*basic[: adv[0]], *block, *basic[adv[0] :], *rest)
    return (*block, *basic, *rest)


def static_length(n: int | None, start: Any, stop: Any, step: Any) -> int | None:
    """The static length of a slice of an axis of length `n`, or None if not known."""
    if step is not None and step == 0:
        raise ValueError("slice step cannot be zero")
    if start is None and stop is None and step in (None, 1):
        return n
    if n is None:
        return None  # even x[0:5] has length min(5, n)
    return len(range(*slice(start, stop, step).indices(n)))


def _const(var: Variable) -> Any:
    return var.data if isinstance(var, Constant) else None


def _check_bounds(x: Variable, axis: int, n: int | None, var: Variable) -> None:
    data = _const(var)
    if data is None or n is None or np.size(data) == 0:
        return
    lo, hi = int(np.min(data)), int(np.max(data))
    bad = lo if lo < -n else hi if hi >= n else None
    if bad is not None:
        raise IndexError(
            f"index {bad} is out of bounds for axis {axis} of {describe(x)} with size {n}"
        )


def _check_mask(x: Variable, axis: int, mask: Variable) -> None:
    if 0 in mask.type.shape:  # type: ignore[attr-defined]
        return  # NumPy takes an empty mask for any length (it selects nothing)
    x_dims = x.type.shape[axis : axis + mask.type.ndim]  # type: ignore[attr-defined]
    for k, (a, b) in enumerate(zip(x_dims, mask.type.shape, strict=True)):  # type: ignore[attr-defined]
        if a is not None and b is not None and a != b:
            raise IndexError(
                f"boolean index {describe(mask)} of shape {mask.type.shape} does not match "  # type: ignore[attr-defined]
                f"{describe(x)} of shape {x.type.shape} at axis {axis + k}"  # type: ignore[attr-defined]
            )


def broadcast_static(shapes: list[tuple[Any, ...]], x: Variable | None = None) -> tuple[Any, ...]:
    """The broadcast of the static shapes of advanced indices (IndexError if impossible)."""
    ndim = max((len(s) for s in shapes), default=0)
    padded = [(1,) * (ndim - len(s)) + tuple(s) for s in shapes]
    out: list[int | None] = []
    for dims in zip(*padded, strict=True):
        known = {d for d in dims if d is not None and d != 1}
        if len(known) > 1:
            where = "" if x is None else f" of {describe(x)}"
            raise IndexError(
                f"shape mismatch: the array indices{where} cannot be broadcast together "
                f"with shapes {' '.join(str(tuple(s)) for s in shapes)}"
            )
        out.append(known.pop() if known else 1 if all(d == 1 for d in dims) else None)
    return tuple(out)


def static_shape(
    x: TensorVariable, idx_list: Sequence[IndexEntry], values: Sequence[Variable]
) -> tuple[int | None, ...]:
    """The static shape of `x[key]`, checking what is known statically (bounds, shapes)."""
    shape = x.type.shape
    per_entry: list[Any] = []
    bounds: list[tuple[int, int | None, Variable]] = []
    axis = 0
    for e, v in zip(idx_list, group_inputs(idx_list, values), strict=True):
        if e == NEWAXIS:
            per_entry.append(1)
            continue
        if axis + _n_axes(e, [v]) > x.ndim:
            raise IndexError(f"too many indices for {describe(x)}: it has {x.ndim} dimensions")
        if e == MASK:
            _check_mask(x, axis, v)
            data = _const(v)
            per_entry.append((None if data is None else int(np.count_nonzero(data)),))
            axis += v.ndim
            continue
        n = shape[axis]
        if e in (INT, ARRAY):
            bounds.append((axis, n, v))
            per_entry.append(v.type.shape)
        else:
            parts = [None if p is None else _const(p) for p in v]
            known = all(p is None or _const(p) is not None for p in v)
            per_entry.append(static_length(n, *parts) if known else None)
        axis += 1
    blocks: list[tuple[Any, ...]] = []

    def broadcast(parts: list[tuple[Any, ...]]) -> tuple[Any, ...]:
        blocks.append(broadcast_static(parts, x))
        return blocks[-1]

    out = arrange(idx_list, per_entry, shape[axis:], broadcast)
    if not (blocks and 0 in blocks[0]):  # NumPy checks no bounds when it selects nothing
        for check in bounds:
            _check_bounds(x, *check)
    return out


def symbolic_shape(
    x_shape: Sequence[Any],
    idx_list: Sequence[IndexEntry],
    values: Sequence[Variable],
    value_shapes: Sequence[Any],
    static: Sequence[int | None],
) -> tuple[Any, ...]:
    """The shape of `x[key]` from the shapes of `x` and of the index inputs (infer_shape).

    Lengths known statically (`static`, the output's static shape) are used as they are.
    """
    from tensorgraft.tensor.elemwise import broadcast_dim
    from tensorgraft.tensor.reduction import sum as sum_
    from tensorgraft.tensor.shape import shape_entry_variable

    shapes = iter(value_shapes)
    per_entry: list[Any] = []
    axis = 0
    for e, v in zip(idx_list, group_inputs(idx_list, values), strict=True):
        if e == NEWAXIS:
            per_entry.append(1)
            continue
        if isinstance(e, SliceSpec):
            for _ in range(n_inputs(e)):
                next(shapes)  # the bounds are scalars
            parts = [None if p is None else _const(p) for p in v]
            n = x_shape[axis]
            known = isinstance(n, int) and all(p is None or _const(p) is not None for p in v)
            per_entry.append(
                static_length(n, *parts) if known else slice_length(shape_entry_variable(n), *v)
            )
            axis += 1
            continue
        v_shape = next(shapes)
        if e == MASK:
            data = _const(v)
            per_entry.append((sum_(v) if data is None else int(np.count_nonzero(data)),))
            axis += v.ndim
        else:
            per_entry.append(tuple(v_shape))
            axis += 1

    def broadcast(parts: list[tuple[Any, ...]]) -> tuple[Any, ...]:
        ndim = max((len(p) for p in parts), default=0)
        padded = [(1,) * (ndim - len(p)) + tuple(p) for p in parts]
        return tuple(broadcast_dim(dims) for dims in zip(*padded, strict=True))

    out = arrange(idx_list, per_entry, x_shape[axis:], broadcast)
    return tuple(s if s is not None else d for s, d in zip(static, out, strict=True))


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
