"""Reductions as loop nests over the input, accumulating into the output array."""

from __future__ import annotations

import numpy as np

from tensorgraft.compile_numba.codegen import Context, dtype_of, literal, ndim_of, np_dtype
from tensorgraft.compile_numba.registry import numba_impl
from tensorgraft.compile_numba.rules.elemwise import shape_tuple
from tensorgraft.graph.basic import Apply
from tensorgraft.tensor import reduction as red


def _init(op: red.Reduce, dtype: str) -> str | None:
    dt = np.dtype(dtype)
    if isinstance(op, red.Sum):
        return literal(0, dt)
    if isinstance(op, red.Prod):
        return literal(1, dt)
    if isinstance(op, red.All):
        return "True"
    if isinstance(op, red.Any):
        return "False"
    big = isinstance(op, red.Min)
    if dt.kind == "f":
        return literal(np.inf if big else -np.inf, dt)
    if dt.kind in "iu":
        info = np.iinfo(dt)
        return literal(info.max if big else info.min, dt)
    if dt.kind == "b":
        return "True" if big else "False"
    return None


def _combine(op: red.Reduce, acc: str, value: str, dtype: str) -> str:
    cast = np_dtype(dtype)
    if isinstance(op, red.Sum):
        return f"{acc} + {cast}({value})"
    if isinstance(op, red.Prod):
        return f"{acc} * {cast}({value})"
    if isinstance(op, red.All):
        return f"{acc} and ({value} != 0)"
    if isinstance(op, red.Any):
        return f"{acc} or ({value} != 0)"
    fn = "np.minimum" if isinstance(op, red.Min) else "np.maximum"
    return f"{fn}({acc}, {value})"


@numba_impl.register(red.Sum, red.Prod, red.Max, red.Min, red.All, red.Any)
def _reduce(ctx: Context, node: Apply, ins: list[str], outs: list[str]) -> str | None:
    op: red.Reduce = node.op  # type: ignore[assignment]
    (x,), (out,) = ins, outs
    var = node.inputs[0]
    ndim = ndim_of(var)
    dtype = dtype_of(node.outputs[0])
    if np.dtype(dtype_of(var)).kind == "c" and isinstance(op, red.Max | red.Min):
        return "max/min of complex numbers (NumPy orders them lexicographically)"
    init = _init(op, dtype)
    if init is None:
        return f"{type(op).__name__} to {dtype}"
    reduced = op.reduced(ndim)
    kept = [d for d in range(ndim) if d not in reduced]
    if op.needs_elements and reduced:
        ctx.emit(f"if {' or '.join(f'{x}.shape[{d}] == 0' for d in reduced)}:")
        with ctx.indent():
            ctx.fail("ValueError", "zero-size array to a reduction that has no identity")
    shape = shape_tuple([f"{x}.shape[{d}]" for d in kept])
    ctx.emit(f"{out} = np.empty({shape}, dtype={np_dtype(dtype)})")
    ctx.emit(f"{out}.fill({init})" if kept else f"{out}[()] = {init}")
    for d in range(ndim):
        ctx.emit(f"for i{d} in range({x}.shape[{d}]):")
        ctx.level += 1
    src = ", ".join(f"i{d}" for d in range(ndim)) + ("," if ndim == 1 else "")
    dst = ", ".join(f"i{d}" for d in kept) + ("," if len(kept) == 1 else "")
    acc = f"{out}[{dst or '()'}]"
    ctx.emit(f"{acc} = {_combine(op, acc, f'{x}[{src or ()}]', dtype)}")
    ctx.level -= ndim
    return None
