"""`Elemwise` maps a scalar op over arrays; `DimShuffle` reorders, adds and drops axes.

Broadcasting follows NumPy. Inputs of lower rank are first given leading axes by an
explicit `ExpandDims` (a `DimShuffle`), so every `Elemwise` node sees inputs of equal
rank. A dimension of static length 1 broadcasts; a dimension of unknown length (None)
broadcasts at run time if it turns out to be 1, exactly as in NumPy.

Python numbers are weakly typed (NEP 50): `x + 1` keeps `x`'s dtype. A Python number
becomes a constant of the smallest integer dtype that gives the same result (so it
prints as `1`), or else of the dtype it combines into; a value that does not fit that
dtype (`int8_x + 300`) raises OverflowError, as NumPy does. Where the op computes in
another dtype anyway (comparisons, true division), the integer keeps its exact value
instead: `int8_x < 300` is all True and `int8_x / 300` is float64, as in NumPy.
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
from tensorgraft.tensor.scalar_ops.basic import ScalarOp, eq, switch
from tensorgraft.tensor.scalar_ops.composite import Composite
from tensorgraft.tensor.type import TensorType
from tensorgraft.tensor.variable import TensorVariable

_PY_NUMBERS = (bool, int, float, complex)


def _is_weak(x: Any) -> bool:
    return isinstance(x, _PY_NUMBERS) and not isinstance(x, np.generic)


def _smallest_int_dtype(value: int) -> np.dtype[Any] | None:
    for d in ("int8", "int16", "int32", "int64"):
        info = np.iinfo(d)
        if info.min <= value <= info.max:
            return np.dtype(d)
    return None


def _exceeds(value: Any, target: np.dtype[Any]) -> bool:
    """Whether `value` is a Python integer out of bounds for the integer dtype `target`."""
    if not isinstance(value, int) or isinstance(value, bool) or target.kind not in "iu":
        return False
    info = np.iinfo(target)
    return not info.min <= value <= info.max


def _exact_dtype(value: int) -> np.dtype[Any]:
    """A dtype holding the Python integer `value` (float64 beyond 64 bits)."""
    small = _smallest_int_dtype(value)
    if small is not None:
        return small
    return np.dtype("uint64" if 0 <= value <= np.iinfo("uint64").max else "float64")


def _weak_constant(value: Any, target: np.dtype[Any], strong: list[np.dtype[Any]]) -> Variable:
    """The constant a weak Python number becomes next to `strong` operands."""
    if isinstance(value, int) and not isinstance(value, bool) and strong:
        small = _smallest_int_dtype(value)
        if small is not None and np.result_type(small, *strong) == target:
            return constant(value, dtype=small)
    if _exceeds(value, target):
        raise OverflowError(f"Python integer {value} out of bounds for {target}")
    return constant(value, dtype=target)


def as_elemwise_inputs(
    inputs: Sequence[Any], scalar_op: ScalarOp | None = None
) -> list[TensorVariable]:
    """Convert elementwise operands to tensors, Python numbers weakly (see module doc).

    With `scalar_op`, an integer out of bounds for the dtype it combines into keeps its
    exact value where that does not change the op's output dtypes (`int8_x < 300`).
    """
    if not any(_is_weak(x) for x in inputs):
        return [as_tensor(x) for x in inputs]
    converted: list[Any] = [None if _is_weak(x) else as_tensor(x) for x in inputs]
    strong = [np.dtype(v.dtype) for v in converted if v is not None]
    weak = [x for x in inputs if _is_weak(x)]
    target = np.result_type(*strong, *weak)
    # The dtypes NumPy computes with: every Python number in the target dtype.
    dtypes = [target.name if c is None else c.dtype for c in converted]
    result: list[TensorVariable] = []
    for k, (x, c) in enumerate(zip(inputs, converted, strict=True)):
        if c is not None:
            result.append(c)
        elif scalar_op is not None and _exceeds(x, target):
            exact = _exact_dtype(x)
            if _same_output_dtypes(scalar_op, dtypes, k, exact.name):
                result.append(constant(x, dtype=exact))
                continue
            loop = _float_loop_dtype(scalar_op, dtypes)
            if loop is None:
                raise OverflowError(f"Python integer {x} out of bounds for {target}")
            # An op without an integer loop (arctan2) computes in a float dtype: NumPy casts
            # the number to it, overflowing to inf as NumPy does (float16 for int8 operands).
            with np.errstate(over="ignore"):
                result.append(constant(np.asarray(x, dtype=loop)))
        else:
            result.append(_weak_constant(x, target, strong))  # type: ignore[arg-type]
    return result


def _float_loop_dtype(scalar_op: ScalarOp, dtypes: list[str]) -> np.dtype[Any] | None:
    """The float dtype an op with no integer loop computes in for integer `dtypes`, else None."""
    try:
        outs = {np.dtype(d) for d in scalar_op.output_dtypes(*dtypes)}
    except TypeError:
        return None
    if len(outs) != 1 or next(iter(outs)).kind != "f":
        return None
    return next(iter(outs))


def _same_output_dtypes(scalar_op: ScalarOp, dtypes: list[str], k: int, dtype: str) -> bool:
    """Whether `scalar_op` gives the same output dtypes with input `k` of `dtype`."""
    try:
        other = scalar_op.output_dtypes(*dtypes[:k], dtype, *dtypes[k + 1 :])
        return other == scalar_op.output_dtypes(*dtypes)
    except TypeError:
        return False


def broadcast_static_shape(
    shapes: Sequence[tuple[int | None, ...]], variables: Sequence[Variable] | None = None
) -> tuple[int | None, ...]:
    """The broadcast of static shapes of equal rank; ValueError if they cannot broadcast.

    `variables` (the user's operands, before any ExpandDims) name the inputs in the error.
    """
    out: list[int | None] = []
    ndim = len(shapes[0]) if shapes else 0
    for axis, dims in enumerate(zip(*shapes, strict=True)):
        known = {d for d in dims if d is not None and d != 1}
        if len(known) > 1:
            parts = [
                f"{describe(variables[k]) if variables else f'input {k}'} has shape "
                f"{variables[k].type.shape if variables else shapes[k]}"  # type: ignore[attr-defined]
                for k, d in enumerate(dims)
                if d is not None and d != 1
            ]
            raise ValueError(
                f"shapes cannot be broadcast together: {' and '.join(parts)} "
                f"(axis {axis - ndim} has lengths {' and '.join(map(str, sorted(known)))})"
            )
        if known:
            out.append(known.pop())
        elif all(d == 1 for d in dims):
            out.append(1)
        else:
            out.append(None)
    return tuple(out)


@dataclass(frozen=True)
class Elemwise(Op):
    """Apply `scalar_op` to every element of arrays broadcast together.

    `inplace_pattern` maps output positions to the input they overwrite (set by the
    in-place rewrites of backends that honour destroy maps).
    """

    scalar_op: ScalarOp
    inplace_pattern: tuple[tuple[int, int], ...] = ()

    @property
    def destroy_map(self) -> dict[int, list[int]]:  # type: ignore[override]
        return {o: [i] for o, i in self.inplace_pattern}

    @property
    def inner_inputs(self) -> list[Variable] | None:
        return self.scalar_op.inner_inputs

    @property
    def inner_outputs(self) -> list[Variable] | None:
        return self.scalar_op.inner_outputs

    def make_node(self, *inputs: Any) -> Apply:
        self.scalar_op.check_nin(len(inputs))
        tensors = as_elemwise_inputs(inputs, self.scalar_op)
        ndim = max(t.ndim for t in tensors)
        operands = tensors
        tensors = [t if t.ndim == ndim else expand_dims_left(t, ndim - t.ndim) for t in tensors]
        shape = broadcast_static_shape([t.type.shape for t in tensors], operands)
        try:
            dtypes = self.scalar_op.output_dtypes(*[t.dtype for t in tensors])
        except TypeError as err:
            names = ", ".join(describe(t) for t in operands)
            raise TypeError(f"{self}: {err} (inputs: {names})") from None
        outputs = [TensorType(d, shape)() for d in dtypes]
        return Apply(self, tensors, outputs)

    def perform(self, node: Apply, inputs: Sequence[Any]) -> list[Any]:
        outs = self.scalar_op.impl(*inputs)
        if len(node.outputs) == 1:
            outs = (outs,)
        # A scalar op's impl gives a fresh array of the broadcast shape, except a Composite
        # output (it may ignore inputs, or be one) and a variadic op's lone input.
        lone = self.scalar_op.nin == -1 and len(inputs) == 1
        exact = not isinstance(self.scalar_op, Composite) and not lone
        shape = None if exact else np.broadcast_shapes(*[np.shape(i) for i in inputs])
        results = []
        for o, out in zip(outs, node.outputs, strict=True):
            r = np.asarray(o).astype(out.type.dtype, copy=False)  # type: ignore[attr-defined]
            if shape is not None and (r.shape != shape or any(r is i for i in inputs)):
                # A Composite output that ignores some inputs (or is one) gets its own array.
                r = np.array(np.broadcast_to(r, shape))
            results.append(r)
        for o, i in self.inplace_pattern:
            # Honour the destroy map: the output lives in the overwritten input's buffer.
            if inputs[i].shape == results[o].shape and inputs[i].dtype == results[o].dtype:
                np.copyto(inputs[i], results[o])
                results[o] = inputs[i]
        return results

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: Sequence[Any]) -> list[Any]:
        out_shape = []
        for dims in zip(*input_shapes, strict=True):
            out_shape.append(broadcast_dim(dims))
        return [tuple(out_shape) for _ in node.outputs]

    def __str__(self) -> str:
        name = str(self.scalar_op)
        if name.startswith("Composite"):
            return name
        return name[0].upper() + name[1:]

    def __repr__(self) -> str:
        return (
            f"Elemwise(scalar_op={self.scalar_op!r}, inplace_pattern={dict(self.inplace_pattern)})"
        )


def broadcast_dim(dims: Sequence[Any]) -> Any:
    """The broadcast length of one axis from lengths that are ints or scalar variables."""
    static = [d for d in dims if isinstance(d, int)]
    non_one = [d for d in static if d != 1]
    if non_one:
        return non_one[0]
    symbolic = [d for d in dims if not isinstance(d, int)]
    if not symbolic:
        return 1
    # The first length that is not 1, else 1 (exact for shapes that broadcast).
    result = symbolic[-1]
    for d in reversed(symbolic[:-1]):
        result = Elemwise(switch)(Elemwise(eq)(d, 1), result, d)
    return result


def expand_dims_left(x: TensorVariable, n: int) -> TensorVariable:
    """`x` with `n` new leading axes of length 1."""
    return DimShuffle(x.ndim, ("x",) * n + tuple(range(x.ndim)))(x)


@dataclass(frozen=True)
class DimShuffle(Op):
    """Reorder the axes of an array, insert new axes ('x') and drop axes of length 1.

    `new_order` lists, for each output axis, an input axis or 'x'. Input axes missing
    from it are dropped; they must have length 1 (checked statically where the length
    is known, at run time otherwise). Prints as ExpandDims, DropDims or Transpose when it
    is only that. The output is a view of the input.
    """

    input_ndim: int
    new_order: tuple[int | str, ...]

    view_map = {0: [0]}  # noqa: RUF012 - class-level constant shared by all instances

    def __post_init__(self) -> None:
        axes = [a for a in self.new_order if a != "x"]
        if any(not isinstance(a, int) or not 0 <= a < self.input_ndim for a in axes):
            raise ValueError(f"DimShuffle order {self.new_order} for {self.input_ndim} axes")
        if len(set(axes)) != len(axes):
            raise ValueError(f"DimShuffle order {self.new_order} repeats an axis")

    @property
    def dropped(self) -> tuple[int, ...]:
        return tuple(a for a in range(self.input_ndim) if a not in self.new_order)

    @property
    def kept(self) -> tuple[int, ...]:
        return tuple(a for a in self.new_order if a != "x")  # type: ignore[misc]

    def make_node(self, x: Any) -> Apply:
        x = as_tensor(x)
        if x.ndim != self.input_ndim:
            raise ValueError(f"{self} expects {self.input_ndim} dimensions, got {describe(x)}")
        for a in self.dropped:
            if x.type.shape[a] not in (1, None):
                raise ValueError(
                    f"{self}: cannot drop axis {a} of {describe(x)} with shape "
                    f"{x.type.shape}: its length is not 1"
                )
        shape = tuple(1 if a == "x" else x.type.shape[a] for a in self.new_order)
        return Apply(self, [x], [TensorType(x.dtype, shape)()])

    def perform(self, node: Apply, inputs: Sequence[Any]) -> list[Any]:
        (x,) = inputs
        for a in self.dropped:
            if x.shape[a] != 1:
                raise ValueError(
                    f"cannot drop axis {a} of {describe(node.inputs[0])} with shape "
                    f"{x.shape}: its length is {x.shape[a]}, not 1"
                )
        kept = self.kept
        y = np.transpose(x, (*kept, *self.dropped))
        y = y.reshape(tuple(1 if a == "x" else x.shape[a] for a in self.new_order))
        return [y]

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: Sequence[Any]) -> list[Any]:
        (shape,) = input_shapes
        return [tuple(1 if a == "x" else shape[a] for a in self.new_order)]

    def __str__(self) -> str:
        kept = self.kept
        expands = [k for k, a in enumerate(self.new_order) if a == "x"]
        in_order = list(kept) == sorted(kept)
        if in_order and not self.dropped and expands:
            return f"ExpandDims{{{_axes(expands)}}}"
        if in_order and not expands and self.dropped:
            return f"DropDims{{{_axes(list(self.dropped))}}}"
        if not expands and not self.dropped:
            if not in_order:
                return f"Transpose{{axes={list(kept)}}}"
            return "DimShuffle{identity}"
        return f"DimShuffle{{order={list(self.new_order)}}}"


def _axes(axes: list[int]) -> str:
    return f"axis={axes[0]}" if len(axes) == 1 else f"axes={axes}"


def dimshuffle(x: Any, pattern: Sequence[int | str]) -> TensorVariable:
    """`x` with its axes reordered / added ('x') / dropped, as `pattern` says."""
    x = as_tensor(x)
    return DimShuffle(x.ndim, tuple(pattern))(x)


__all__ = [
    "DimShuffle",
    "Elemwise",
    "dimshuffle",
]
