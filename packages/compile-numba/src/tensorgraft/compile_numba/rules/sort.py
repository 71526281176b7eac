"""Sort and ArgSort along any axis, stably, NaNs last (NumPy's kind='stable').

Each line along the axis is copied into a buffer and sorted by an inline bottom-up merge
sort of indices (stable: a right element moves first only when strictly smaller), then
scattered back. Complex numbers order as NumPy's: by real part, then imaginary part,
NaNs last. (Numba's own np.sort / np.argsort take ~10 s to compile and no complex.)
"""

from __future__ import annotations

import numpy as np

from tensorgraft.compile_numba.codegen import Context, dtype_of, ndim_of, np_dtype
from tensorgraft.compile_numba.registry import numba_impl
from tensorgraft.compile_numba.rules.along_axis import outer_loops
from tensorgraft.graph.basic import Apply
from tensorgraft.tensor.sort import ArgSort, Sort


def _less(ctx: Context, kind: str, a: str, b: str, result: str) -> None:
    """Emit `result = a < b` in NumPy's sort order (NaNs last)."""
    if kind in "biu":
        ctx.emit(f"{result} = {a} < {b}")
    elif kind == "f":
        ctx.emit(f"{result} = {a} < {b} or ({b} != {b} and {a} == {a})")
    else:  # complex: NumPy's nan-aware lexicographic order
        ar, ai, br, bi = (f"{a}.real", f"{a}.imag", f"{b}.real", f"{b}.imag")
        ctx.emit(f"if {ar} < {br}:")
        with ctx.indent():
            ctx.emit(f"{result} = {ai} == {ai} or {bi} != {bi}")
        ctx.emit(f"elif {ar} > {br}:")
        with ctx.indent():
            ctx.emit(f"{result} = {bi} != {bi} and {ai} == {ai}")
        ctx.emit(f"elif {ar} == {br} or ({ar} != {ar} and {br} != {br}):")
        with ctx.indent():
            ctx.emit(f"{result} = {ai} < {bi} or ({bi} != {bi} and {ai} == {ai})")
        ctx.emit("else:")
        with ctx.indent():
            ctx.emit(f"{result} = {br} != {br}")


def emit_merge_argsort(ctx: Context, buf: str, kind: str) -> str:
    """Emit a stable merge sort of the indices of the 1-d `buf`; the name of the result."""
    n, perm, tmp, width, lo, mid, hi, i, j, k, lt = (
        ctx.fresh(p) for p in ("n", "perm", "tmp", "w", "lo", "mid", "hi", "i", "j", "k", "lt")
    )
    ctx.emit(f"{n} = {buf}.shape[0]")
    ctx.emit(f"{perm} = np.arange({n})")
    ctx.emit(f"{tmp} = empty_c({n}, np.int64)")
    ctx.emit(f"{width} = 1")
    ctx.emit(f"while {width} < {n}:")
    with ctx.indent():
        ctx.emit(f"{lo} = 0")
        ctx.emit(f"while {lo} < {n}:")
        with ctx.indent():
            ctx.emit(f"{mid} = min({lo} + {width}, {n})")
            ctx.emit(f"{hi} = min({lo} + 2 * {width}, {n})")
            ctx.emit(f"{i} = {lo}")
            ctx.emit(f"{j} = {mid}")
            ctx.emit(f"{k} = {lo}")
            ctx.emit(f"while {i} < {mid} and {j} < {hi}:")
            with ctx.indent():
                _less(ctx, kind, f"{buf}[{perm}[{j}]]", f"{buf}[{perm}[{i}]]", lt)
                ctx.emit(f"if {lt}:")
                with ctx.indent():
                    ctx.emit(f"{tmp}[{k}] = {perm}[{j}]")
                    ctx.emit(f"{j} += 1")
                ctx.emit("else:")
                with ctx.indent():
                    ctx.emit(f"{tmp}[{k}] = {perm}[{i}]")
                    ctx.emit(f"{i} += 1")
                ctx.emit(f"{k} += 1")
            for a, end in ((i, mid), (j, hi)):
                ctx.emit(f"while {a} < {end}:")
                with ctx.indent():
                    ctx.emit(f"{tmp}[{k}] = {perm}[{a}]")
                    ctx.emit(f"{a} += 1")
                    ctx.emit(f"{k} += 1")
            ctx.emit(f"{lo} += 2 * {width}")
        ctx.emit(f"{perm}, {tmp} = {tmp}, {perm}")
        ctx.emit(f"{width} *= 2")
    return perm


@numba_impl.register(Sort, ArgSort)
def _sort(ctx: Context, node: Apply, ins: list[str], outs: list[str]) -> str | None:
    dtype = dtype_of(node.inputs[0])
    kind = np.dtype(dtype).kind
    is_arg = isinstance(node.op, ArgSort)
    x, out = ins[0], outs[0]
    ndim, axis = ndim_of(node.inputs[0]), node.op.axis  # type: ignore[attr-defined]
    out_dtype = np_dtype(dtype_of(node.outputs[0]))
    ctx.emit(f"{out} = empty_c({x}.shape, {out_dtype})")
    buf, j = ctx.fresh("sb"), ctx.fresh("j")
    ctx.emit(f"{buf} = empty_c({x}.shape[{axis}], {np_dtype(dtype)})")
    index = outer_loops(ctx, x, ndim, axis)
    ctx.emit(f"for {j} in range({x}.shape[{axis}]):")
    with ctx.indent():
        ctx.emit(f"{buf}[{j}] = {x}[{index(j)}]")
    perm = emit_merge_argsort(ctx, buf, kind)
    ctx.emit(f"for {j} in range({x}.shape[{axis}]):")
    with ctx.indent():
        ctx.emit(
            f"{out}[{index(j)}] = {perm}[{j}]"
            if is_arg
            else f"{out}[{index(j)}] = {buf}[{perm}[{j}]]"
        )
    ctx.level -= ndim - 1
    return None
