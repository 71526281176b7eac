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
    if dt.kind == "c":  # lexicographically below (above) every number
        return literal(complex(np.inf, np.inf) if big else complex(-np.inf, -np.inf), dt)
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
    if np.dtype(dtype).kind == "c":
        # NumPy's complex maximum/minimum: lexicographic, the first NaN propagates.
        cmp = "<" if isinstance(op, red.Min) else ">"
        a, v = acc, value
        keep = (
            f"np.isnan({a}.real) or np.isnan({a}.imag) or ({a}.real {cmp} {v}.real and not "
            f"np.isnan({a}.imag) and not np.isnan({v}.imag)) or ({a}.real == {v}.real and "
            f"{a}.imag {cmp}= {v}.imag)"
        )
        return f"{a} if ({keep}) else {v}"
    fn = "np.minimum" if isinstance(op, red.Min) else "np.maximum"
    return f"{fn}({acc}, {value})"


@numba_impl.register(red.Sum, red.Prod, red.Max, red.Min, red.All, red.Any)
def _reduce(ctx: Context, node: Apply, ins: list[str], outs: list[str]) -> str | None:
    op: red.Reduce = node.op  # type: ignore[assignment]
    (x,), (out,) = ins, outs
    var = node.inputs[0]
    ndim = ndim_of(var)
    dtype = dtype_of(node.outputs[0])
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


@numba_impl.register(red.SumTo)
def _sum_to(ctx: Context, node: Apply, ins: list[str], outs: list[str]) -> str | None:
    (x, shape), (out,) = ins, outs
    ndim, m = ndim_of(node.inputs[0]), ndim_of(node.outputs[0])
    lead = ndim - m
    static = node.outputs[0].type.shape  # type: ignore[attr-defined]
    cast = np_dtype(dtype_of(node.outputs[0]))
    ctx.emit(f"if {shape}.shape[0] != {m}:")
    with ctx.indent():
        ctx.fail("ValueError", f"sum_to: the target shape must have {m} entries")
    dims, dst = [], []
    for k in range(m):
        a = lead + k
        dim = ctx.fresh(f"n{k}")
        ctx.emit(f"{dim} = {shape}[{k}]")
        # A negative entry is neither 1 nor a length, so this check rejects it too.
        ctx.emit(f"if {dim} != 1 and {dim} != {x}.shape[{a}]:")
        with ctx.indent():
            ctx.fail(
                "ValueError",
                "sum_to: the input does not broadcast from the target shape "
                "(each target length must be 1 or the input's length)",
            )
        dims.append(dim)
        if static[k] == 1:
            dst.append("0")
        elif static[k] is not None:
            dst.append(f"i{a}")
        else:
            # Unknown target length: summed (index 0) only when it is 1 at run time.
            b = ctx.fresh("b")
            ctx.emit(f"{b} = 0 if {dim} == 1 else 1")
            dst.append(f"i{a} * {b}")
    ctx.emit(f"{out} = np.zeros({shape_tuple(dims)}, dtype={cast})")
    for d in range(ndim):
        ctx.emit(f"for i{d} in range({x}.shape[{d}]):")
        ctx.level += 1
    src = ", ".join(f"i{d}" for d in range(ndim)) + ("," if ndim == 1 else "")
    acc = f"{out}[{', '.join(dst) + (',' if m == 1 else '') if dst else '()'}]"
    ctx.emit(f"{acc} += {cast}({x}[{src or '()'}])")
    ctx.level -= ndim
    return None
