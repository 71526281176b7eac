"""Ops that work along one axis: arg-reductions, cumulative sums/products, softmax.

Each becomes loops over every other axis around an inner loop along the axis. With
axis=None the input is flattened first (a copy when it is a strided view).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from tensorgraft.compile_numba.codegen import Context, dtype_of, literal, ndim_of, np_dtype
from tensorgraft.compile_numba.registry import numba_impl
from tensorgraft.graph.basic import Apply
from tensorgraft.tensor import cumulative as cum
from tensorgraft.tensor import reduction as red
from tensorgraft.tensor.softmax import LogSoftmax, Softmax


def outer_loops(ctx: Context, x: str, ndim: int, axis: int) -> Callable[[str], str]:
    """Open loops over every axis but `axis` (the caller closes them: ctx.level -= ndim - 1).

    Returns: j -> the index of x with `j` at `axis`.
    """
    for d in range(ndim):
        if d != axis:
            ctx.emit(f"for i{d} in range({x}.shape[{d}]):")
            ctx.level += 1

    def index(j: str) -> str:
        parts = [j if d == axis else f"i{d}" for d in range(ndim)]
        return ", ".join(parts) + ("," if ndim == 1 else "")

    return index


def _flat(ctx: Context, x: str, axis: int | None, ndim: int) -> tuple[str, int, int]:
    """(array, its ndim, the axis) with axis=None turned into the flattened array's axis 0."""
    if axis is not None:
        return x, ndim, axis
    flat = ctx.fresh("f")
    ctx.emit(f"{flat} = np.ascontiguousarray({x}).reshape(-1)")
    return flat, 1, 0


def _kept_index(ndim: int, axis: int) -> str:
    parts = [f"i{d}" for d in range(ndim) if d != axis]
    return ", ".join(parts) + ("," if len(parts) == 1 else "") if parts else "()"


@numba_impl.register(red.Argmax, red.Argmin)
def _arg_reduce(ctx: Context, node: Apply, ins: list[str], outs: list[str]) -> str | None:
    if np.dtype(dtype_of(node.inputs[0])).kind == "c":
        return "argmax/argmin of complex numbers (lexicographic order)"
    better = ">" if isinstance(node.op, red.Argmax) else "<"
    x, ndim, axis = _flat(ctx, ins[0], node.op.axis, ndim_of(node.inputs[0]))  # type: ignore[attr-defined]
    out = outs[0]
    shape = [f"{x}.shape[{d}]" for d in range(ndim) if d != axis]
    ctx.emit(f"if {x}.shape[{axis}] == 0:")
    with ctx.indent():
        ctx.fail("ValueError", "attempt to get the index of an empty sequence")
    ctx.emit(f"{out} = empty_c(({', '.join(shape)}{',' if shape else ''}), np.int64)")
    index = outer_loops(ctx, x, ndim, axis)
    best, pos, j, v = ctx.fresh("best"), ctx.fresh("pos"), ctx.fresh("j"), ctx.fresh("v")
    ctx.emit(f"{best} = {x}[{index('0')}]")
    ctx.emit(f"{pos} = 0")
    # NumPy returns the first NaN's position: stop there.
    ctx.emit(f"if {best} == {best}:")
    with ctx.indent():
        ctx.emit(f"for {j} in range(1, {x}.shape[{axis}]):")
        with ctx.indent():
            ctx.emit(f"{v} = {x}[{index(j)}]")
            ctx.emit(f"if {v} != {v}:")
            with ctx.indent():
                ctx.emit(f"{pos} = {j}")
                ctx.emit("break")
            ctx.emit(f"if {v} {better} {best}:")
            with ctx.indent():
                ctx.emit(f"{best} = {v}")
                ctx.emit(f"{pos} = {j}")
    ctx.emit(f"{out}[{_kept_index(ndim, axis)}] = {pos}")
    ctx.level -= ndim - 1
    return None


@numba_impl.register(cum.CumSum, cum.CumProd)
def _cumulative(ctx: Context, node: Apply, ins: list[str], outs: list[str]) -> str | None:
    dtype = dtype_of(node.outputs[0])
    if dtype == "bool":
        return "a cumulative reduction to bool"
    x, ndim, axis = _flat(ctx, ins[0], node.op.axis, ndim_of(node.inputs[0]))  # type: ignore[attr-defined]
    out, cast = outs[0], np_dtype(dtype)
    is_sum = isinstance(node.op, cum.CumSum)
    ctx.emit(f"{out} = empty_c({x}.shape, {cast})")
    index = outer_loops(ctx, x, ndim, axis)
    acc, j = ctx.fresh("acc"), ctx.fresh("j")
    ctx.emit(f"{acc} = {literal(0 if is_sum else 1, dtype)}")
    ctx.emit(f"for {j} in range({x}.shape[{axis}]):")
    with ctx.indent():
        ctx.emit(f"{acc} = {acc} {'+' if is_sum else '*'} {cast}({x}[{index(j)}])")
        ctx.emit(f"{out}[{index(j)}] = {acc}")
    ctx.level -= ndim - 1
    return None


@numba_impl.register(Softmax, LogSoftmax)
def _softmax(ctx: Context, node: Apply, ins: list[str], outs: list[str]) -> str | None:
    dtype = dtype_of(node.outputs[0])
    if np.dtype(dtype).kind != "f":
        return f"softmax to {dtype}"
    src, ndim0 = ins[0], ndim_of(node.inputs[0])
    if ndim0 == 0:
        return "softmax of a 0-d array"
    cast = np_dtype(dtype)
    xc = ctx.fresh("xc")
    ctx.emit(f"{xc} = np.ascontiguousarray({src}).astype({cast})")
    x, ndim, axis = _flat(ctx, xc, node.op.axis, ndim0)  # type: ignore[attr-defined]
    res = ctx.fresh("sm")
    ctx.emit(f"{res} = empty_c({x}.shape, {cast})")
    index = outer_loops(ctx, x, ndim, axis)
    m, s, j = ctx.fresh("m"), ctx.fresh("s"), ctx.fresh("j")
    ctx.emit(f"{m} = {literal(-np.inf, dtype)}")
    ctx.emit(f"for {j} in range({x}.shape[{axis}]):")
    with ctx.indent():
        ctx.emit(f"{m} = max({m}, {x}[{index(j)}])")
    ctx.emit(f"{s} = {literal(0, dtype)}")
    ctx.emit(f"for {j} in range({x}.shape[{axis}]):")
    with ctx.indent():
        ctx.emit(f"{s} += np.exp({x}[{index(j)}] - {m})")
    ctx.emit(f"for {j} in range({x}.shape[{axis}]):")
    with ctx.indent():
        if isinstance(node.op, Softmax):
            ctx.emit(f"{res}[{index(j)}] = np.exp({x}[{index(j)}] - {m}) / {s}")
        else:
            ctx.emit(f"{res}[{index(j)}] = {x}[{index(j)}] - {m} - np.log({s})")
    ctx.level -= ndim - 1
    ctx.emit(f"{outs[0]} = {res}.reshape({xc}.shape)")
    return None
