"""Basic indexing with constant or symbolic bounds: a view (0-d copy for one element),
and writing through it (IncSubtensor: a copy unless in place, then a broadcasting loop)."""

from __future__ import annotations

from collections.abc import Sequence

from tensorgraft.compile_numba.codegen import Context, dtype_of, ndim_of, np_dtype
from tensorgraft.compile_numba.registry import numba_impl
from tensorgraft.graph.basic import Apply
from tensorgraft.tensor.indexing_key import INT, IndexEntry, SliceSpec
from tensorgraft.tensor.subtensor import IncSubtensor, Subtensor


def basic_key(
    ctx: Context, idx_list: Sequence[IndexEntry], x: str, values: Sequence[str]
) -> str | None:
    """Emit bounds checks; the key `x[...]` takes (None: an entry this cannot index with)."""
    it = iter(values)
    key = []
    for axis, entry in enumerate(idx_list):
        if entry == INT:
            i = ctx.fresh("k")
            ctx.emit(f"{i} = {next(it)}[()]")
            ctx.emit(f"if {i} < -{x}.shape[{axis}] or {i} >= {x}.shape[{axis}]:")
            with ctx.indent():
                ctx.fail("IndexError", f"index out of bounds for axis {axis}")
            key.append(i)
        elif isinstance(entry, SliceSpec):
            given = (entry.start, entry.stop, entry.step)
            parts = [f"{next(it)}[()]" if g else "" for g in given]
            if entry.step:
                ctx.emit(f"if {parts[2]} == 0:")
                with ctx.indent():
                    ctx.fail("ValueError", "slice step cannot be zero")
            key.append(":".join(parts) if entry.step else f"{parts[0]}:{parts[1]}")
        else:
            return None
    return ", ".join(key) + ","


def _all_ints(idx_list: Sequence[IndexEntry], ndim: int) -> bool:
    return len(idx_list) == ndim and all(e == INT for e in idx_list)


@numba_impl.register(Subtensor)
def _subtensor(ctx: Context, node: Apply, ins: list[str], outs: list[str]) -> str | None:
    op: Subtensor = node.op  # type: ignore[assignment]
    x, *values = ins
    if not op.idx_list:
        ctx.emit(f"{outs[0]} = {x}")
        return None
    key = basic_key(ctx, op.idx_list, x, values)
    if key is None:
        return f"index entries {op.idx_list}"
    if _all_ints(op.idx_list, ndim_of(node.inputs[0])):
        ctx.emit(f"{outs[0]} = empty_c((), {np_dtype(dtype_of(node.outputs[0]))})")
        ctx.emit(f"{outs[0]}[()] = {x}[{key}]")
    else:
        ctx.emit(f"{outs[0]} = {x}[{key}]")
    return None


@numba_impl.register(IncSubtensor)
def _inc_subtensor(ctx: Context, node: Apply, ins: list[str], outs: list[str]) -> str | None:
    op: IncSubtensor = node.op  # type: ignore[assignment]
    x, y, *values = ins
    out = outs[0]
    dtype = dtype_of(node.outputs[0])
    if dtype_of(node.inputs[0]) != dtype:
        return "an output dtype other than the input's"
    ctx.emit(f"{out} = {x}" if op.inplace else f"{out} = {x}.copy()")
    key = basic_key(ctx, op.idx_list, out, values) if op.idx_list else None
    if op.idx_list and key is None:
        return f"index entries {op.idx_list}"
    cast = np_dtype(dtype)
    assign = "=" if op.set_instead_of_inc else "+="
    ny = ndim_of(node.inputs[1])
    if op.idx_list and _all_ints(op.idx_list, ndim_of(node.inputs[0])):
        ctx.emit(f"{out}[{key}] {assign} {cast}({y}[()])")
        return None
    w = ctx.fresh("w")
    ctx.emit(f"{w} = {out}[{key}]" if key else f"{w} = {out}")
    m = ndim_of(node.inputs[0]) - sum(e == INT for e in op.idx_list)
    dims = [f"{w}.shape[{d}]" for d in range(m)]
    message = "the value does not broadcast to the indexed shape"
    write_broadcast(ctx, w, dims, y, ny, f"{assign} {cast}", message)
    return None


def write_broadcast(
    ctx: Context, dst: str, dims: Sequence[str], value: str, nv: int, assign: str, message: str
) -> None:
    """Loops writing `value` (rank `nv`, broadcast NumPy's way) into every element of `dst`
    (lengths `dims`): `dst[i] <assign>(value[i'])`, e.g. assign "= np.float64" or "+= ...".
    A value axis that is neither 1 nor the target's length raises ValueError(message)."""
    n = len(dims)
    parts = []
    for k in range(nv):
        d = k + n - nv
        b = ctx.fresh("b")
        ctx.emit(f"if {value}.shape[{k}] != 1 and {value}.shape[{k}] != {dims[d]}:")
        with ctx.indent():
            ctx.fail("ValueError", message)
        ctx.emit(f"{b} = 1 if {value}.shape[{k}] != 1 else 0")
        parts.append(f"i{d} * {b}")
    for d in range(n):
        ctx.emit(f"for i{d} in range({dims[d]}):")
        ctx.level += 1
    src = ", ".join(parts) + ("," if len(parts) == 1 else "") if parts else "()"
    index = ", ".join(f"i{d}" for d in range(n)) + ("," if n == 1 else "") if n else "()"
    ctx.emit(f"{dst}[{index}] {assign}({value}[{src}])")
    ctx.level -= n
