"""Building arrays: joining (np.concatenate), filling (Alloc: a broadcasting loop),
eye and integer arange."""

from __future__ import annotations

import numpy as np

from tensorgraft.compile_numba.codegen import Context, dtype_of, literal, ndim_of, np_dtype
from tensorgraft.compile_numba.registry import numba_impl
from tensorgraft.compile_numba.rules.elemwise import shape_tuple
from tensorgraft.graph.basic import Apply
from tensorgraft.tensor.construction import Alloc, ARange, Eye, Join


@numba_impl.register(Join)
def _join(ctx: Context, node: Apply, ins: list[str], outs: list[str]) -> str | None:
    dtype = dtype_of(node.outputs[0])
    parts = [
        name if dtype_of(var) == dtype else f"{name}.astype({np_dtype(dtype)})"
        for var, name in zip(node.inputs, ins, strict=True)
    ]
    axis = node.op.axis  # type: ignore[attr-defined]
    ctx.emit(f"{outs[0]} = np.concatenate(({', '.join(parts)},), axis={axis})")
    return None


@numba_impl.register(Alloc)
def _alloc(ctx: Context, node: Apply, ins: list[str], outs: list[str]) -> str | None:
    value, *lengths = ins
    out = outs[0]
    n, nv = len(lengths), ndim_of(node.inputs[0])
    dims = []
    for d, length in enumerate(lengths):
        dim = ctx.fresh(f"n{d}")
        ctx.emit(f"{dim} = {length}[()]")
        ctx.emit(f"if {dim} < 0:")
        with ctx.indent():
            ctx.fail("ValueError", "alloc: negative dimensions")
        dims.append(dim)
    cast = np_dtype(dtype_of(node.outputs[0]))
    ctx.emit(f"{out} = np.empty({shape_tuple(dims)}, dtype={cast})")
    parts = []
    for k in range(nv):
        d = k + n - nv
        b = ctx.fresh("b")
        ctx.emit(f"if {value}.shape[{k}] != 1 and {value}.shape[{k}] != {dims[d]}:")
        with ctx.indent():
            ctx.fail("ValueError", "alloc: the value does not broadcast to the shape")
        ctx.emit(f"{b} = 1 if {value}.shape[{k}] != 1 else 0")
        parts.append(f"i{d} * {b}")
    for d in range(n):
        ctx.emit(f"for i{d} in range({dims[d]}):")
        ctx.level += 1
    src = ", ".join(parts) + ("," if len(parts) == 1 else "") if parts else "()"
    dst = ", ".join(f"i{d}" for d in range(n)) + ("," if n == 1 else "") if n else "()"
    ctx.emit(f"{out}[{dst}] = {cast}({value}[{src}])")
    ctx.level -= n
    return None


@numba_impl.register(Eye)
def _eye(ctx: Context, node: Apply, ins: list[str], outs: list[str]) -> str | None:
    dtype = dtype_of(node.outputs[0])
    n, m, k, i = ctx.fresh("n"), ctx.fresh("m"), ctx.fresh("k"), ctx.fresh("i")
    ctx.emit(f"{n}, {m}, {k} = {ins[0]}[()], {ins[1]}[()], {ins[2]}[()]")
    ctx.emit(f"if {n} < 0 or {m} < 0:")
    with ctx.indent():
        ctx.fail("ValueError", "eye: negative dimensions")
    ctx.emit(f"{outs[0]} = np.zeros(({n}, {m}), dtype={np_dtype(dtype)})")
    ctx.emit(f"for {i} in range(max(0, -{k}), min({n}, {m} - {k})):")
    with ctx.indent():
        ctx.emit(f"{outs[0]}[{i}, {i} + {k}] = {literal(1, dtype)}")
    return None


@numba_impl.register(ARange)
def _arange(ctx: Context, node: Apply, ins: list[str], outs: list[str]) -> str | None:
    if any(np.dtype(dtype_of(v)).kind not in "iu" for v in node.inputs):
        return "arange with float bounds (NumPy's length and rounding rules)"
    dtype = dtype_of(node.outputs[0])
    start, stop, step = (f"np.int64({name}[()])" for name in ins)
    ctx.emit(f"if {step} == 0:")
    with ctx.indent():
        ctx.fail("ValueError", "arange: the step is zero")
    ctx.emit(f"{outs[0]} = np.arange({start}, {stop}, {step}).astype({np_dtype(dtype)})")
    return None
