"""Shape ops: `Shape`, `ShapeI`, `Reshape`, `SpecifyShape`, and the DimShuffle helpers
(transpose, swapaxes, moveaxis, squeeze, expand_dims).

Shapes given by users (`reshape(x, (n, -1))`) become int64 vectors: a constant when all
entries are ints, else the entries stacked. `static_entries` reads back what is known of
such a vector statically, so the static output shape survives symbolic entries.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from tensorgraft.graph.basic import Apply, Constant, Variable
from tensorgraft.graph.op import Op
from tensorgraft.graph.utils import describe
from tensorgraft.tensor.basic import as_tensor, constant
from tensorgraft.tensor.elemwise import DimShuffle, Elemwise
from tensorgraft.tensor.subtensor import INT, SliceSpec, Subtensor
from tensorgraft.tensor.type import TensorType
from tensorgraft.tensor.variable import TensorVariable


class Shape(Op):
    """The shape of an array, as an int64 vector."""

    def make_node(self, x: Any) -> Apply:
        x = as_tensor(x)
        return Apply(self, [x], [TensorType("int64", (x.ndim,))()])

    def perform(self, node: Apply, inputs: Sequence[Any]) -> list[Any]:
        return [np.asarray(inputs[0].shape, dtype="int64")]

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: Sequence[Any]) -> list[Any]:
        return [(node.inputs[0].type.ndim,)]  # type: ignore[attr-defined]


@dataclass(frozen=True)
class ShapeI(Op):
    """The length of axis `i` of an array, as an int64 scalar."""

    i: int

    def make_node(self, x: Any) -> Apply:
        x = as_tensor(x)
        if not 0 <= self.i < x.ndim:
            raise ValueError(f"{self}: {describe(x)} has no axis {self.i}")
        return Apply(self, [x], [TensorType("int64", ())()])

    def perform(self, node: Apply, inputs: Sequence[Any]) -> list[Any]:
        return [np.asarray(inputs[0].shape[self.i], dtype="int64")]

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: Sequence[Any]) -> list[Any]:
        return [()]

    def __str__(self) -> str:
        return f"Shape_i{{{self.i}}}"


def shape(x: Any) -> TensorVariable:
    """The symbolic shape of `x` (an int64 vector)."""
    return Shape()(x)


def shape_tuple(x: Variable) -> tuple[Any, ...]:
    """The shape of `x` as a tuple: static lengths as ints, others as `ShapeI` scalars."""
    return tuple(
        s if s is not None else ShapeI(i)(x)
        for i, s in enumerate(x.type.shape)  # type: ignore[attr-defined]
    )


def shape_entry_variable(entry: Any) -> TensorVariable:
    """A shape entry (int or scalar variable) as an int64 scalar variable."""
    if isinstance(entry, Variable):
        return entry  # type: ignore[return-value]
    return constant(int(entry), dtype="int64")


def _normalize_axis(axis: int, ndim: int, x: Variable, result: str = "") -> int:
    """`axis` as a non-negative axis of `ndim` dimensions: those of `x`, or, when `result`
    names what they are ("the result"), of an array built from `x` (expand_dims, stack)."""
    if isinstance(axis, bool) or not isinstance(axis, int | np.integer):
        raise TypeError(f"axis must be an int, got {axis!r}")
    if not -ndim <= axis < ndim:
        where = f"{describe(x)} with" if not result else f"{result} of {describe(x)}, with"
        raise ValueError(f"axis {axis} is out of bounds for {where} {ndim} dimensions")
    return int(axis) % ndim


def _repeated(axis: Any, ndim: int, x: Variable, result: str = "") -> ValueError:
    where = f"{describe(x)} with" if not result else f"{result} of {describe(x)}, with"
    return ValueError(f"repeated axis in {axis} for {where} {ndim} dimensions")


def normalize_axes(axis: Any, ndim: int, x: Variable) -> tuple[int, ...] | None:
    """`axis` (None, int or tuple) as sorted non-negative axes; None means all axes."""
    if axis is None:
        return None
    axes = (axis,) if not isinstance(axis, tuple | list) else tuple(axis)
    norm = [_normalize_axis(a, ndim, x) for a in axes]
    if len(set(norm)) != len(norm):
        raise _repeated(axis, ndim, x)
    return tuple(sorted(norm))


def transpose(x: Any, axes: Sequence[int] | None = None) -> TensorVariable:
    """Permute the axes of `x` (reverse them when `axes` is None), like numpy.transpose."""
    x = as_tensor(x)
    if axes is None:
        order = tuple(range(x.ndim))[::-1]
    else:
        order = tuple(_normalize_axis(a, x.ndim, x) for a in axes)
        if sorted(order) != list(range(x.ndim)):
            raise ValueError(
                f"axes {tuple(axes)} do not permute the {x.ndim} axes of {describe(x)}"
            )
    if order == tuple(range(x.ndim)):
        return x
    return DimShuffle(x.ndim, order)(x)


def squeeze(x: Any, axis: Any = None) -> TensorVariable:
    """Drop axes of length 1: those statically known to be 1, or the given `axis`."""
    x = as_tensor(x)
    if axis is None:
        drop = [a for a, s in enumerate(x.type.shape) if s == 1]
    else:
        drop = list(normalize_axes(axis, x.ndim, x) or ())
    if not drop:
        return x
    order = tuple(a for a in range(x.ndim) if a not in drop)
    return DimShuffle(x.ndim, order)(x)


def expand_dims(x: Any, axis: int | Sequence[int]) -> TensorVariable:
    """Insert axes of length 1 at positions `axis` of the result, like numpy.expand_dims."""
    x = as_tensor(x)
    axes = (axis,) if isinstance(axis, int | np.integer) else tuple(axis)
    out_ndim = x.ndim + len(axes)
    positions = {_normalize_axis(a, out_ndim, x, "the result") for a in axes}
    if len(positions) != len(axes):
        raise _repeated(axis, out_ndim, x, "the result")
    rest = iter(range(x.ndim))
    order = tuple("x" if k in positions else next(rest) for k in range(out_ndim))
    return DimShuffle(x.ndim, order)(x)


# -- static facts about shape entries -------------------------------------------------------------
def static_int(var: Any) -> int | None:
    """The value of an integer scalar when it is known statically, else None.

    Reads constants, static lengths behind `ShapeI(i)(x)` and `x.shape[i]`, and folds
    integer elementwise arithmetic on those (`n * m`, `n - 1`, casts); else unknown.
    """
    return _static_int(var, {})


def static_scalar(var: Variable) -> int | float | None:
    """The value of a real scalar variable when it is known statically, else None.

    Like `static_int`, for floats too (`arange(n / 2)` with a static `n`).
    """
    return _static_scalar(var, {})


def static_entries(vec: Variable) -> tuple[int | None, ...] | None:
    """What is statically known of the entries of an integer vector (None: its length too).

    Reads constants, `shape(x)`, vectors stacked from scalars (`[n, 3]`), a scalar
    allocated to a vector, and folds integer elementwise arithmetic on those.
    """
    return _static_entries(vec, {})


# Shape graphs share subgraphs (`n * n`, the same `shape(x)` in many entries): a memo per
# query keeps the walk linear instead of exponential in the depth of the sharing. Keys:
# id(var) for a scalar's value, -id(var) - 1 for a vector's entries.
_Memo = dict[int, Any]
_SCALAR, _ENTRIES = 0, 1


def _memo_key(kind: int, var: Variable) -> int:
    return id(var) if kind == _SCALAR else -id(var) - 1


def _fill(kind: int, var: Variable, memo: _Memo) -> None:
    """Compute the query (kind, var) and those it depends on, deepest first, with an
    explicit stack: a shape graph as deep as a gradient would overflow Python's
    recursion limit. Each `_compute_*` then finds what it asks for in `memo`."""
    stack: list[tuple[int, Variable, bool]] = [(kind, var, False)]
    while stack:
        k, v, ready = stack.pop()
        key = _memo_key(k, v)
        if key in memo:
            continue
        if ready:
            memo[key] = (
                _compute_static_scalar(v, memo)
                if k == _SCALAR
                else _compute_static_entries(v, memo)
            )
            continue
        stack.append((k, v, True))
        for child in _queries_below(k, v):
            if _memo_key(*child) not in memo:
                stack.append((*child, False))


def _queries_below(kind: int, var: Variable) -> list[tuple[int, Variable]]:
    """The queries `_compute_*` of (kind, var) asks, under the same conditions (a query
    it would not ask may fail: the entries of a float vector holding nan)."""
    from tensorgraft.tensor.construction import Alloc, Join

    node = var.owner
    if node is None or isinstance(var, Constant):
        return []
    op = node.op
    ins = node.inputs
    scalars: list[Variable] = []
    vectors: list[Variable] = []
    dtype_kind = var.type.numpy_dtype.kind  # type: ignore[attr-defined]
    if kind == _SCALAR:
        if isinstance(op, ShapeI):
            pass
        elif isinstance(op, Subtensor) and op.idx_list == (INT,):
            vectors, scalars = [ins[0]], [ins[1]]
        elif isinstance(op, Elemwise) and var.type.ndim == 0 and dtype_kind in "biuf":  # type: ignore[attr-defined]
            scalars = list(ins)
    elif isinstance(op, Shape):
        pass
    elif isinstance(op, DimShuffle) and op.new_order == ("x",):
        scalars = [ins[0]] if ins[0].type.numpy_dtype.kind in "biu" else []  # type: ignore[attr-defined]
    elif isinstance(op, Join) and op.axis == 0:
        vectors = list(ins)
    elif isinstance(op, Subtensor) and len(op.idx_list) == 1 and op.idx_list[0] != INT:
        vectors = [ins[0]]
        scalars = [b for b in ins[1:] if b.type.numpy_dtype.kind in "biu"]  # type: ignore[attr-defined]
    elif isinstance(op, Alloc) and ins[0].type.ndim == 0 and var.type.shape[0] is not None:  # type: ignore[attr-defined]
        scalars = [ins[0]] if ins[0].type.numpy_dtype.kind in "biu" else []  # type: ignore[attr-defined]
    elif isinstance(op, Elemwise) and dtype_kind in "biu":
        vectors = list(ins)
    return [(_SCALAR, v) for v in scalars if getattr(v.type, "ndim", None) == 0] + [
        (_ENTRIES, v) for v in vectors if getattr(v.type, "ndim", None) == 1
    ]


def _static_int(var: Any, memo: _Memo) -> int | None:
    if isinstance(var, int | np.integer) and not isinstance(var, bool | np.bool_):
        return int(var)
    if not isinstance(var, Variable) or var.type.numpy_dtype.kind not in "biu":  # type: ignore[attr-defined]
        return None
    value = _static_scalar(var, memo)
    return None if value is None else int(value)


def _static_scalar(var: Variable, memo: _Memo) -> int | float | None:
    key = id(var)
    if key not in memo:
        _fill(_SCALAR, var, memo)
    return memo[key]


def _compute_static_scalar(var: Variable, memo: _Memo) -> int | float | None:
    if isinstance(var, Constant):
        data = np.asarray(var.data)
        return data.item() if data.ndim == 0 and data.dtype.kind in "biuf" else None
    node = var.owner
    if node is None:
        return None
    op = node.op
    if isinstance(op, ShapeI):
        return node.inputs[0].type.shape[op.i]  # type: ignore[attr-defined]
    if isinstance(op, Subtensor) and op.idx_list == (INT,):
        vec, idx = node.inputs
        i = _static_int(idx, memo)
        lengths = _static_entries(vec, memo)
        if i is not None and lengths is not None and -len(lengths) <= i < len(lengths):
            return lengths[i]
    kind = var.type.numpy_dtype.kind  # type: ignore[attr-defined]
    if isinstance(op, Elemwise) and var.type.ndim == 0 and kind in "biuf":  # type: ignore[attr-defined]
        values = [_static_scalar(i, memo) for i in node.inputs]
        if None not in values:
            args = [np.asarray(v, i.type.dtype) for v, i in zip(values, node.inputs, strict=True)]  # type: ignore[attr-defined]
            try:
                with np.errstate(all="ignore"):
                    return op.perform(node, args)[node.outputs.index(var)].item()
            except (ArithmeticError, ValueError, TypeError):
                return None  # the run-time error is reported when the graph runs
    return None


def _static_entries(vec: Variable, memo: _Memo) -> tuple[int | None, ...] | None:
    key = -id(vec) - 1  # entries and scalar values of one variable are memoized apart
    if key not in memo:
        _fill(_ENTRIES, vec, memo)
    return memo[key]


def _compute_static_entries(vec: Variable, memo: _Memo) -> tuple[int | None, ...] | None:
    from tensorgraft.tensor.construction import Alloc, Join

    length = vec.type.shape[0]  # type: ignore[attr-defined]
    unknown = None if length is None else (None,) * length
    if isinstance(vec, Constant):
        return tuple(int(v) for v in np.asarray(vec.data))
    node = vec.owner
    if node is None:
        return unknown
    op = node.op
    if isinstance(op, Shape):
        return node.inputs[0].type.shape  # type: ignore[attr-defined]
    if isinstance(op, DimShuffle) and op.new_order == ("x",):
        return (_static_int(node.inputs[0], memo),)
    if isinstance(op, Join) and op.axis == 0:
        parts = [_static_entries(p, memo) for p in node.inputs]
        if all(p is not None for p in parts):
            return tuple(e for p in parts for e in p)  # type: ignore[union-attr]
    if isinstance(op, Subtensor) and len(op.idx_list) == 1 and op.idx_list[0] != INT:
        return _sliced_entries(node, op.idx_list[0], memo) or unknown  # type: ignore[arg-type]
    if isinstance(op, Alloc) and node.inputs[0].type.ndim == 0 and length is not None:  # type: ignore[attr-defined]
        return (_static_int(node.inputs[0], memo),) * length
    if isinstance(op, Elemwise) and vec.type.numpy_dtype.kind in "biu":  # type: ignore[attr-defined]
        known = [_static_entries(i, memo) for i in node.inputs]
        if all(k is not None and None not in k for k in known):
            args = [np.asarray(k, i.type.dtype) for k, i in zip(known, node.inputs, strict=True)]  # type: ignore[attr-defined]
            try:
                with np.errstate(all="ignore"):
                    folded = op.perform(node, args)[node.outputs.index(vec)]
                return tuple(int(v) for v in folded)
            except (ArithmeticError, ValueError, TypeError):
                return unknown
    return unknown


def _sliced_entries(node: Apply, spec: SliceSpec, memo: _Memo) -> tuple[int | None, ...] | None:
    """The static entries of `vec[start:stop:step]` when the vector's and bounds' are."""
    entries = _static_entries(node.inputs[0], memo)
    values = iter(node.inputs[1:])
    bounds = [
        _static_int(next(values), memo) if given else None
        for given in (spec.start, spec.stop, spec.step)
    ]
    if entries is None or sum(b is not None for b in bounds) != len(node.inputs) - 1:
        return None
    return entries[slice(*bounds)]


def as_shape_vector(shape: Any, what: str = "shape") -> TensorVariable:
    """A shape given as an int, a sequence of ints / integer scalars, or an integer vector,
    as an int64 vector variable (a constant when every entry is an int)."""
    from tensorgraft.tensor.construction import stack
    from tensorgraft.tensor.math import cast

    if isinstance(shape, Variable):
        var = as_tensor(shape)
        if var.ndim > 1 or var.type.numpy_dtype.kind not in "iu":
            raise TypeError(f"{what} must be integers; got {describe(var)}, a {var.type}")
        return cast(var if var.ndim == 1 else expand_dims(var, 0), "int64")
    entries = [shape] if not isinstance(shape, tuple | list | np.ndarray) else list(shape)
    for e in entries:
        ok = isinstance(e, int | np.integer) and not isinstance(e, bool | np.bool_)
        if not ok and not (
            isinstance(e, Variable)
            and e.type.ndim == 0  # type: ignore[attr-defined]
            and e.type.numpy_dtype.kind in "iu"  # type: ignore[attr-defined]
        ):
            raise TypeError(f"{what} entries must be integers or integer scalars, got {e!r}")
    if all(not isinstance(e, Variable) for e in entries):
        return constant(np.asarray([int(e) for e in entries], dtype="int64"))
    return stack([cast(shape_entry_variable(e), "int64") for e in entries])


def _prod(entries: Sequence[Any]) -> Any:
    """The product of shape entries: an int when all are ints, else an int64 scalar."""
    from tensorgraft.tensor.math import mul

    static = int(np.prod([e for e in entries if isinstance(e, int)], dtype="int64"))
    symbolic = [e for e in entries if not isinstance(e, int)]
    if not symbolic:
        return static
    out = symbolic[0] if static == 1 else mul(symbolic[0], static)
    for e in symbolic[1:]:
        out = mul(out, e)
    return out


def _fmt(entries: Sequence[int | None]) -> str:
    """A shape with unknown entries as '?': (2, ?)."""
    text = ", ".join("?" if e is None else str(e) for e in entries)
    return f"({text},)" if len(entries) == 1 else f"({text})"


# -- Reshape --------------------------------------------------------------------------------------
def _reshape_static(x: TensorVariable, entries: tuple[int | None, ...]) -> tuple[int | None, ...]:
    """The static output shape of reshaping `x` to `entries`; ValueError where impossible.

    With the size of `x` known, the known entries must divide it, and one entry left
    (a -1, or one unknown entry when there is no -1) is what they leave of it.
    """
    known = [e for e in entries if e is not None]
    if any(e < -1 for e in known) or known.count(-1) > 1:
        raise ValueError(
            f"cannot reshape {describe(x)} into shape {_fmt(entries)}: lengths must be >= 0, "
            "with at most one -1"
        )
    static = [s for s in x.type.shape if s is not None]
    size = None if len(static) < x.ndim else int(np.prod(static, dtype="int64"))
    out = [None if e == -1 else e for e in entries]
    if size is None:
        return tuple(out)
    rest = int(np.prod([e for e in known if e != -1], dtype="int64"))
    free = [i for i, e in enumerate(entries) if e is None or e == -1]
    # An unknown entry may be -1 at run time too, but never next to a -1 given here.
    if (size and (rest == 0 or size % rest)) or (not free and rest != size):
        raise ValueError(
            f"cannot reshape {describe(x)} with shape {x.type.shape} ({size} elements) "
            f"into shape {_fmt(entries)}"
        )
    if -1 in entries and rest == 0:  # NumPy cannot tell what -1 stands for next to a 0
        raise ValueError(
            f"cannot reshape {describe(x)} with shape {x.type.shape} ({size} elements) "
            f"into shape {_fmt(entries)}: -1 is ambiguous next to a 0"
        )
    if len(free) == 1 and rest:
        out[free[0]] = size // rest
    return tuple(out)


@dataclass(frozen=True)
class Reshape(Op):
    """`x` with a new shape of `ndim` dimensions, given by an int64 vector input.

    One entry may be -1: that length is what the size of `x` leaves. The static output
    shape comes from the entries known statically (constants, static lengths).
    """

    # make_node reads static lengths from the graphs of its integer inputs (constants,
    # ShapeI of a static axis): a rebuilt graph must call it again, types alone are not enough.
    reads_input_values: ClassVar[bool] = True

    ndim: int

    view_map = {0: [0]}  # noqa: RUF012 - class-level constant shared by all instances

    def make_node(self, x: Any, shape: Any) -> Apply:
        x = as_tensor(x)
        shape = as_shape_vector(shape)
        if shape.type.shape[0] not in (None, self.ndim):
            raise ValueError(
                f"{self}: the shape {describe(shape)} has {shape.type.shape[0]} entries, "
                f"not {self.ndim}"
            )
        entries = static_entries(shape) or (None,) * self.ndim
        out = _reshape_static(x, entries)
        return Apply(self, [x, shape], [TensorType(x.dtype, out)()])

    def perform(self, node: Apply, inputs: Sequence[Any]) -> list[Any]:
        x, shape = inputs
        new = tuple(int(s) for s in shape)
        if len(new) != self.ndim:
            raise ValueError(f"{self}: got a shape of {len(new)} entries, {new}")
        try:
            return [np.reshape(x, new)]
        except ValueError:
            raise ValueError(
                f"cannot reshape {describe(node.inputs[0])} with shape {x.shape} "
                f"({x.size} elements) into shape {new}"
            ) from None

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: Sequence[Any]) -> list[Any]:
        from tensorgraft.tensor.math import eq, floor_div, maximum, switch

        static = node.outputs[0].type.shape  # type: ignore[attr-defined]
        vec = node.inputs[1]
        entries = static_entries(vec) or (None,) * self.ndim
        given = [e if e is not None and e >= 0 else vec[i] for i, e in enumerate(entries)]  # type: ignore[index]
        size = _prod(input_shapes[0])
        out: list[Any] = []
        for i, e in enumerate(entries):
            if static[i] is not None:
                out.append(static[i])
                continue
            if e is not None and e >= 0:
                out.append(given[i])
                continue
            rest = _prod(given[:i] + given[i + 1 :])
            inferred = floor_div(size, rest if isinstance(rest, int) and rest else maximum(rest, 1))
            out.append(inferred if e == -1 else switch(eq(given[i], -1), inferred, given[i]))
        return [tuple(out)]

    def __str__(self) -> str:
        return f"Reshape{{{self.ndim}}}"


def reshape(x: Any, shape: Any, ndim: int | None = None) -> TensorVariable:
    """`x` with a new shape, like numpy.reshape: `reshape(x, (n, -1))`.

    `shape` is an int, a sequence of ints and integer scalars (one entry may be -1), or an
    integer vector; `ndim` gives its length when a vector's length is not known statically.
    """
    x = as_tensor(x)
    vec = as_shape_vector(shape)
    length = vec.type.shape[0]
    if length is None:
        if ndim is None:
            raise ValueError(
                f"reshape of {describe(x)}: the length of the shape {describe(vec)} is not "
                "known statically; pass ndim="
            )
        length = ndim
    elif ndim is not None and ndim != length:
        raise ValueError(
            f"reshape of {describe(x)}: ndim={ndim} but the shape has {length} entries"
        )
    return Reshape(length)(x, vec)


def flatten(x: Any, ndim: int = 1) -> TensorVariable:
    """`x` with its trailing axes merged so that `ndim` axes remain (numpy flatten: ndim=1)."""
    x = as_tensor(x)
    if not 1 <= ndim <= max(x.ndim, 1):
        raise ValueError(f"flatten of {describe(x)} with {x.ndim} dimensions to ndim={ndim}")
    lengths = shape_tuple(x)
    # An explicit product, not -1: (0, -1) cannot be reshaped, (0, 3 * 4) can.
    last = -1 if ndim == 1 else _prod(lengths[ndim - 1 :])
    return reshape(x, (*lengths[: ndim - 1], last))


# -- SpecifyShape ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class SpecifyShape(Op):
    """`x` itself, checked at run time to have the given lengths.

    `given[a]` says whether axis `a` has a length to check (one int64 scalar input each,
    in axis order); the output's static shape takes those known statically.
    """

    # make_node reads static lengths from the graphs of its integer inputs (constants,
    # ShapeI of a static axis): a rebuilt graph must call it again, types alone are not enough.
    reads_input_values: ClassVar[bool] = True

    given: tuple[bool, ...]

    view_map = {0: [0]}  # noqa: RUF012 - class-level constant shared by all instances

    def make_node(self, x: Any, *lengths: Any) -> Apply:
        x = as_tensor(x)
        if x.ndim != len(self.given) or len(lengths) != sum(self.given):
            raise ValueError(
                f"{self}: {describe(x)} has {x.ndim} dimensions, {len(lengths)} lengths given"
            )
        lengths_v = [_length_input(n, x) for n in lengths]
        it = iter(lengths_v)
        wanted = [static_int(next(it)) if g else None for g in self.given]
        if any(w is not None and w < 0 for w in wanted):
            raise ValueError(f"specify_shape of {describe(x)}: negative length in {_fmt(wanted)}")
        for have, want in zip(x.type.shape, wanted, strict=True):
            if have is not None and want is not None and have != want:
                raise ValueError(
                    f"specify_shape: {describe(x)} has static shape {x.type.shape}, "
                    f"not {_fmt(wanted)}"
                )
        out = tuple(w if w is not None else s for s, w in zip(x.type.shape, wanted, strict=True))
        return Apply(self, [x, *lengths_v], [TensorType(x.dtype, out)()])

    def perform(self, node: Apply, inputs: Sequence[Any]) -> list[Any]:
        x, *lengths = inputs
        it = iter(lengths)
        wanted = [int(next(it)) if g else None for g in self.given]
        if x.ndim != len(wanted) or any(
            w is not None and w != n for w, n in zip(wanted, x.shape, strict=True)
        ):
            raise ValueError(
                f"specify_shape: {describe(node.inputs[0])} has shape {x.shape}, "
                f"expected {_fmt(wanted)}"
            )
        return [x]

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: Sequence[Any]) -> list[Any]:
        static = node.outputs[0].type.shape  # type: ignore[attr-defined]
        it = iter(node.inputs[1:])
        out = []
        for a, g in enumerate(self.given):
            length = next(it) if g else None
            if static[a] is not None:
                out.append(static[a])
            else:
                out.append(input_shapes[0][a] if length is None else length)
        return [tuple(out)]

    def __str__(self) -> str:
        return "SpecifyShape{" + ", ".join("n" if g else "?" for g in self.given) + "}"


def _length_input(n: Any, x: Variable) -> TensorVariable:
    from tensorgraft.tensor.math import cast

    var = as_tensor(n) if isinstance(n, Variable) else None
    if var is None:
        if isinstance(n, bool | np.bool_) or not isinstance(n, int | np.integer):
            raise TypeError(f"specify_shape of {describe(x)}: lengths must be integers, got {n!r}")
        return constant(int(n), dtype="int64")
    if var.ndim != 0 or var.type.numpy_dtype.kind not in "iu":
        raise TypeError(
            f"specify_shape of {describe(x)}: a length must be an integer scalar, "
            f"got {describe(var)}, a {var.type}"
        )
    return cast(var, "int64")


def specify_shape(x: Any, shape: Any) -> TensorVariable:
    """`x`, asserting at run time that its shape is `shape`; the static shape takes it.

    `shape` holds ints, integer scalars and None (a length left free), one per axis.
    """
    x = as_tensor(x)
    if isinstance(shape, Variable):
        vec = as_shape_vector(shape)
        if vec.type.shape[0] is None:
            raise ValueError(
                f"specify_shape of {describe(x)}: the length of {describe(vec)} is unknown"
            )
        entries: list[Any] = [vec[i] for i in range(vec.type.shape[0])]
    else:
        entries = [shape] if not isinstance(shape, tuple | list) else list(shape)
    if len(entries) != x.ndim:
        raise ValueError(
            f"specify_shape: {describe(x)} has {x.ndim} dimensions, got shape {tuple(entries)}"
        )
    if all(e is None for e in entries):
        return x
    given = tuple(e is not None for e in entries)
    return SpecifyShape(given)(x, *[e for e in entries if e is not None])


# -- axis permutations ----------------------------------------------------------------------------
def swapaxes(x: Any, axis1: int, axis2: int) -> TensorVariable:
    """`x` with two axes exchanged (numpy.swapaxes)."""
    x = as_tensor(x)
    order = list(range(x.ndim))
    a, b = _normalize_axis(axis1, x.ndim, x), _normalize_axis(axis2, x.ndim, x)
    order[a], order[b] = order[b], order[a]
    return transpose(x, order)


def moveaxis(
    x: Any, source: int | Sequence[int], destination: int | Sequence[int]
) -> TensorVariable:
    """`x` with axes moved from `source` to `destination`, the others in order (numpy.moveaxis)."""
    x = as_tensor(x)
    src = normalize_axes_ordered(source, x)
    dst = normalize_axes_ordered(destination, x)
    if len(src) != len(dst):
        raise ValueError(
            f"moveaxis: source {source} and destination {destination} differ in length"
        )
    order = [a for a in range(x.ndim) if a not in src]
    for d, s in sorted(zip(dst, src, strict=True)):
        order.insert(d, s)
    return transpose(x, order)


def normalize_axes_ordered(axis: int | Sequence[int], x: Variable) -> list[int]:
    """`axis` (an int or a sequence) as non-negative axes of `x`, in the given order."""
    ndim = x.type.ndim  # type: ignore[attr-defined]
    axes = [axis] if isinstance(axis, int | np.integer) else list(axis)
    norm = [_normalize_axis(a, ndim, x) for a in axes]
    if len(set(norm)) != len(norm):
        raise _repeated(axis, ndim, x)
    return norm


__all__ = [
    "Reshape",
    "Shape",
    "ShapeI",
    "SpecifyShape",
    "expand_dims",
    "flatten",
    "moveaxis",
    "reshape",
    "shape",
    "specify_shape",
    "squeeze",
    "swapaxes",
    "transpose",
]
