"""Building arrays: joining (np.concatenate), filling (Alloc: a broadcasting loop),
eye and integer arange."""

from __future__ import annotations

import numpy as np

from tensorgraft.compile_numba.codegen import Context, dtype_of, literal, ndim_of, np_dtype
from tensorgraft.compile_numba.registry import numba_impl
from tensorgraft.compile_numba.rules.elemwise import shape_tuple
from tensorgraft.compile_numba.rules.subtensor import write_broadcast
from tensorgraft.graph.basic import Apply
from tensorgraft.tensor.construction import (
    Alloc,
    AllocDiag,
    ARange,
    ExtractDiag,
    Eye,
    Join,
    Repeat,
    Split,
)


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
    nv = ndim_of(node.inputs[0])
    dims = []
    for d, length in enumerate(lengths):
        dim = ctx.fresh(f"n{d}")
        ctx.emit(f"{dim} = {length}[()]")
        ctx.emit(f"if {dim} < 0:")
        with ctx.indent():
            ctx.fail("ValueError", "alloc: negative dimensions")
        dims.append(dim)
    cast = np_dtype(dtype_of(node.outputs[0]))
    ctx.emit(f"{out} = empty_c({shape_tuple(dims)}, {cast})")
    message = "alloc: the value does not broadcast to the shape"
    write_broadcast(ctx, out, dims, value, nv, f"= {cast}", message)
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
    dtype = dtype_of(node.outputs[0])
    if any(np.dtype(dtype_of(v)).kind not in "iu" for v in node.inputs):
        return _float_arange(ctx, node, ins, outs)
    start, stop, step = (f"np.int64({name}[()])" for name in ins)
    ctx.emit(f"if {step} == 0:")
    with ctx.indent():
        ctx.fail("ValueError", "arange: the step is zero")
    ctx.emit(f"{outs[0]} = np.arange({start}, {stop}, {step}).astype({np_dtype(dtype)})")
    return None


def _float_arange(ctx: Context, node: Apply, ins: list[str], outs: list[str]) -> str | None:
    """NumPy's arange with float bounds: ceil((stop - start) / step) values, computed in
    the bounds' dtype; then start, start + step, and start + i * delta in the output's."""
    dtype = dtype_of(node.outputs[0])
    if np.dtype(dtype).kind != "f":
        return f"arange with float bounds to {dtype}"
    common = np_dtype(np.result_type(*[dtype_of(v) for v in node.inputs]))
    cast = np_dtype(dtype)
    start, stop, step = (f"{common}({name}[()])" for name in ins)
    n, delta, i, out = ctx.fresh("n"), ctx.fresh("dl"), ctx.fresh("i"), outs[0]
    ctx.emit(f"if {step} == 0:")
    with ctx.indent():
        ctx.fail("ValueError", "arange: the step is zero")
    ctx.emit(f"{n} = max(0, int(math.ceil(({stop} - {start}) / {step})))")
    ctx.emit(f"{out} = empty_c({n}, {cast})")
    ctx.emit(f"if {n} > 0:")
    with ctx.indent():
        ctx.emit(f"{out}[0] = {cast}({start})")
    ctx.emit(f"if {n} > 1:")
    with ctx.indent():
        ctx.emit(f"{out}[1] = {cast}({start} + {step})")
        ctx.emit(f"{delta} = {out}[1] - {out}[0]")
        ctx.emit(f"for {i} in range(2, {n}):")
        with ctx.indent():
            ctx.emit(f"{out}[{i}] = {out}[0] + {cast}({i}) * {delta}")
    return None


def _at(ndim: int, axis: int, index: str) -> str:
    """`:, :, index` — a key taking `index` along `axis` and everything elsewhere."""
    parts = [index if d == axis else ":" for d in range(ndim)]
    return ", ".join(parts) + ("," if ndim == 1 else "")


@numba_impl.register(Repeat)
def _repeat(ctx: Context, node: Apply, ins: list[str], outs: list[str]) -> str | None:
    x, reps = ins
    out = outs[0]
    axis, ndim = node.op.axis, ndim_of(node.inputs[0])  # type: ignore[attr-defined]
    n, total, j, r, t, pos = (ctx.fresh(p) for p in ("n", "tot", "j", "r", "t", "pos"))
    ctx.emit(f"{n} = {x}.shape[{axis}]")
    if ndim_of(node.inputs[1]) == 1:
        ctx.emit(f"if {reps}.shape[0] != 1 and {reps}.shape[0] != {n}:")
        with ctx.indent():
            ctx.fail("ValueError", f"repeat along axis {axis}: need one count per element, or one")
    ctx.emit(f"{total} = 0")
    ctx.emit(f"for {j} in range({n}):")
    with ctx.indent():
        ctx.emit(f"{r} = {_pick(node, reps, j, n)}")
        ctx.emit(f"if {r} < 0:")
        with ctx.indent():
            ctx.fail("ValueError", "repeat: negative repeats")
        ctx.emit(f"{total} += {r}")
    shape = [total if d == axis else f"{x}.shape[{d}]" for d in range(ndim)]
    ctx.emit(f"{out} = empty_c(({', '.join(shape)},), {np_dtype(dtype_of(node.outputs[0]))})")
    ctx.emit(f"{pos} = 0")
    ctx.emit(f"for {j} in range({n}):")
    with ctx.indent():
        ctx.emit(f"for {t} in range({_pick(node, reps, j, n)}):")
        with ctx.indent():
            ctx.emit(f"{out}[{_at(ndim, axis, pos)}] = {x}[{_at(ndim, axis, j)}]")
            ctx.emit(f"{pos} += 1")
    return None


def _pick(node: Apply, reps: str, j: str, n: str) -> str:
    """The count of element `j`: reps[j], or the one count of a scalar / length-1 vector."""
    if ndim_of(node.inputs[1]) == 0:
        return f"{reps}[()]"
    return f"({reps}[0] if {reps}.shape[0] == 1 else {reps}[{j}])"


@numba_impl.register(Split)
def _split(ctx: Context, node: Apply, ins: list[str], outs: list[str]) -> str | None:
    x, sizes = ins
    op: Split = node.op  # type: ignore[assignment]
    ndim = ndim_of(node.inputs[0])
    total, k, start = ctx.fresh("tot"), ctx.fresh("k"), ctx.fresh("st")
    ctx.emit(f"if {sizes}.shape[0] != {op.n_splits}:")
    with ctx.indent():
        ctx.fail("ValueError", f"split: the sizes must be {op.n_splits} ints")
    ctx.emit(f"{total} = 0")
    ctx.emit(f"for {k} in range({op.n_splits}):")
    with ctx.indent():
        ctx.emit(f"if {sizes}[{k}] < 0:")
        with ctx.indent():
            ctx.fail("ValueError", "split: negative sizes")
        ctx.emit(f"{total} += {sizes}[{k}]")
    ctx.emit(f"if {total} != {x}.shape[{op.axis}]:")
    with ctx.indent():
        ctx.fail("ValueError", f"split: the sizes do not add up to the length of axis {op.axis}")
    ctx.emit(f"{start} = 0")
    for k_, out in enumerate(outs):
        piece = f"{start}:{start} + {sizes}[{k_}]"
        # Copies, as the python backend: no output is a view of x.
        ctx.emit(f"{out} = {x}[{_at(ndim, op.axis, piece)}].copy()")
        ctx.emit(f"{start} += {sizes}[{k_}]")
    return None


@numba_impl.register(AllocDiag)
def _alloc_diag(ctx: Context, node: Apply, ins: list[str], outs: list[str]) -> str | None:
    (v,), out = ins, outs[0]
    k = node.op.offset  # type: ignore[attr-defined]
    i = ctx.fresh("i")
    ctx.emit(
        f"{out} = np.zeros(({v}.shape[0] + {abs(k)}, {v}.shape[0] + {abs(k)}), "
        f"dtype={np_dtype(dtype_of(node.outputs[0]))})"
    )
    ctx.emit(f"for {i} in range({v}.shape[0]):")
    with ctx.indent():
        row, col = (i, f"{i} + {k}") if k >= 0 else (f"{i} + {-k}", i)
        ctx.emit(f"{out}[{row}, {col}] = {v}[{i}]")
    return None


@numba_impl.register(ExtractDiag)
def _extract_diag(ctx: Context, node: Apply, ins: list[str], outs: list[str]) -> str | None:
    op: ExtractDiag = node.op  # type: ignore[assignment]
    (x,), out = ins, outs[0]
    ndim, k = ndim_of(node.inputs[0]), op.offset
    length = ctx.fresh("dl")
    n1, n2 = f"{x}.shape[{op.axis1}]", f"{x}.shape[{op.axis2}]"
    ctx.emit(
        f"{length} = max(0, min({n1}, {n2} - {k}))"
        if k >= 0
        else f"{length} = max(0, min({n1} + {k}, {n2}))"
    )
    rest = [d for d in range(ndim) if d not in (op.axis1, op.axis2)]
    shape = [f"{x}.shape[{d}]" for d in rest] + [length]
    ctx.emit(f"{out} = empty_c(({', '.join(shape)},), {np_dtype(dtype_of(node.outputs[0]))})")
    loops = {d: ctx.fresh("i") for d in rest}
    level = ctx.level
    for d in rest:
        ctx.emit(f"for {loops[d]} in range({x}.shape[{d}]):")
        ctx.level += 1
    j = ctx.fresh("j")
    ctx.emit(f"for {j} in range({length}):")
    with ctx.indent():
        src = []
        for d in range(ndim):
            if d == op.axis1:
                src.append(f"{j} + {-k}" if k < 0 else j)
            elif d == op.axis2:
                src.append(f"{j} + {k}" if k > 0 else j)
            else:
                src.append(loops[d])
        dst = [loops[d] for d in rest] + [j]
        ctx.emit(f"{out}[{', '.join(dst)}] = {x}[{', '.join(src)}]")
    ctx.level = level
    return None
