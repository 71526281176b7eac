"""Advanced indexing (integer arrays, boolean masks) and writing through it, as loops.

The slices of the key are applied first as a view (integers, arrays and masks keep
their axis there); integer arrays are normalized (negatives count from the end) and
bounds-checked once, masks become the integer arrays of `np.nonzero`. All array
indices broadcast into one block of output dimensions, placed as NumPy places it (in
place when the advanced entries are adjacent in the key, else first). Then one loop
nest over the output shape reads (or writes) one element at a time: an increment
accumulates over repeated indices (numpy.add.at) and a set keeps the last value written.

The common gather / scatter-add `x[i]` with one 1-d integer array on axis 0 (an
embedding lookup, a group index and its gradient) takes a tight path: one loop over
`i`, each index normalized and checked where it is read, no index copy.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tensorgraft.compile_numba.codegen import Context, dtype_of, ndim_of, np_dtype
from tensorgraft.compile_numba.registry import numba_impl
from tensorgraft.graph.basic import Apply
from tensorgraft.tensor.indexing import AdvancedIncSubtensor, AdvancedSubtensor
from tensorgraft.tensor.indexing_key import ARRAY, INT, MASK, NEWAXIS, SliceSpec, group_inputs


def _index(parts: list[str]) -> str:
    return ", ".join(parts) + ("," if len(parts) == 1 else "") if parts else "()"


@dataclass
class _Plan:
    """What the loop nest over an advanced index needs."""

    view: str
    # Per output dimension: ("new",), ("axis", a) (a slice or a trailing axis of the
    # view) or ("block", q) (dimension q of the broadcast index block).
    dims: list[tuple] = field(default_factory=list)  # type: ignore[type-arg]
    lengths: list[str] = field(default_factory=list)
    # Per axis of the view: how its index is read, given the output loop variables.
    sources: list[object] = field(default_factory=list)
    block_size: str = "1"
    # Fast path: (index array, checked index name) normalized inside the first loop.
    gather: tuple[str, str] | None = None


def _plan_axis0(ctx: Context, node: Apply, x: str, values: list[str]) -> _Plan | None:
    """The plan of `x[i]` with one 1-d integer array `i` (read in the loop); else None."""
    idx_list = node.op.idx_list  # type: ignore[attr-defined]
    if tuple(idx_list) != (ARRAY,) or ndim_of(node.inputs[-1]) != 1:
        return None
    ndim = ndim_of(node.inputs[0])
    q = "q_idx"  # shared names compile faster (see reduction.py)
    lengths = [f"{values[0]}.shape[0]", *(f"{x}.shape[{a}]" for a in range(1, ndim))]
    dims: list[tuple] = [("block", 0), *(("axis", a) for a in range(1, ndim))]  # type: ignore[type-arg]
    sources: list[object] = [("expr", q), *(("loop", a) for a in range(1, ndim))]
    return _Plan(x, dims, lengths, sources, lengths[0], gather=(values[0], q))


def _plan(ctx: Context, node: Apply, x: str, values: list[str]) -> _Plan | str:
    """Emit the view, the normalized index arrays and the block lengths; or a reason."""
    idx_list = node.op.idx_list  # type: ignore[attr-defined]
    x_var = node.inputs[0]
    value_vars = node.inputs[len(node.inputs) - len(values) :]
    grouped = group_inputs(idx_list, values)
    grouped_vars = group_inputs(idx_list, value_vars)
    ndim = ndim_of(x_var)
    key: list[str] = []
    # Advanced entries: (ndim, [(array, its dims)] or an int scalar name).
    adv_arrays: list[tuple[str, int]] = []  # (normalized array name, ndim)
    sources: list[object] = []
    parts: list[object] = []  # per entry: ("new",), ("slice", axis) or ("adv",)
    checks: list[tuple[str, str]] = []  # (bad flag, axis label) raised if the block is non-empty
    axis = 0
    for entry, v, var in zip(idx_list, grouped, grouped_vars, strict=True):
        if entry == NEWAXIS:
            parts.append(("new",))
        elif isinstance(entry, SliceSpec):
            given = [f"{p}[()]" if p is not None else "" for p in v]
            if entry.step:
                ctx.emit(f"if {given[2]} == 0:")
                with ctx.indent():
                    ctx.fail("ValueError", "slice step cannot be zero")
            key.append(":".join(given) if entry.step else f"{given[0]}:{given[1]}")
            parts.append(("slice", axis))
            sources.append(("axis", axis))
            axis += 1
        elif entry == INT:
            k = ctx.fresh("k")
            ctx.emit(f"{k} = np.int64({v}[()])")
            ctx.emit(f"if {k} < 0:")
            with ctx.indent():
                ctx.emit(f"{k} += {x}.shape[{axis}]")
            # NumPy checks an integer index even where the result is empty.
            ctx.emit(f"if {k} < 0 or {k} >= {x}.shape[{axis}]:")
            with ctx.indent():
                ctx.fail("IndexError", f"index out of bounds for axis {axis}")
            key.append(":")
            parts.append(("adv",))
            sources.append(("int", k))
            axis += 1
        elif entry == ARRAY:
            nd = ndim_of(var)
            a, flat, raw, t, q = (ctx.fresh(p) for p in ("ia", "iaf", "iar", "t", "q"))
            bad = ctx.fresh("bad")
            ctx.emit(f"{a} = empty_c({v}.shape, np.int64)")
            ctx.emit(f"{flat} = {a}.reshape(-1)")
            ctx.emit(f"{raw} = np.ascontiguousarray({v}).reshape(-1)")
            ctx.emit(f"{bad} = False")
            ctx.emit(f"for {t} in range({raw}.shape[0]):")
            with ctx.indent():
                ctx.emit(f"{q} = np.int64({raw}[{t}])")
                ctx.emit(f"if {q} < 0:")
                with ctx.indent():
                    ctx.emit(f"{q} += {x}.shape[{axis}]")
                ctx.emit(f"if {q} < 0 or {q} >= {x}.shape[{axis}]:")
                with ctx.indent():
                    ctx.emit(f"{bad} = True")
                ctx.emit(f"{flat}[{t}] = {q}")
            checks.append((bad, str(axis)))
            key.append(":")
            parts.append(("adv",))
            sources.append(("array", len(adv_arrays), 0))
            adv_arrays.append((a, nd))
            axis += 1
        elif entry == MASK:
            nd = ndim_of(var)
            if nd == 0:
                # x[True] / x[False]: a block axis of length 1 / 0, reading no axis of x.
                name = ctx.fresh("zm")
                ctx.emit(f"{name} = np.zeros(1 if {v}[()] else 0, dtype=np.int64)")
                parts.append(("adv",))
                adv_arrays.append((name, 1))
                continue
            ctx.emit(f"if {v}.size != 0:")
            with ctx.indent():
                for q in range(nd):
                    ctx.emit(f"if {v}.shape[{q}] != {x}.shape[{axis + q}]:")
                    with ctx.indent():
                        ctx.fail("IndexError", f"boolean index did not match axis {axis + q}")
            nz = ctx.fresh("nz")
            ctx.emit(f"{nz} = np.nonzero({v})")
            parts.append(("adv",))
            for q in range(nd):
                name = ctx.fresh("nzq")
                ctx.emit(f"{name} = {nz}[{q}]")
                key.append(":")
                sources.append(("array", len(adv_arrays), 0))
                adv_arrays.append((name, 1))
                axis += 1
        else:
            return f"index entry {entry!r}"
    for a in range(axis, ndim):
        sources.append(("axis", a))
    view = x
    if any(isinstance(e, SliceSpec) for e in idx_list):
        view = ctx.fresh("av")
        ctx.emit(f"{view} = {x}[{', '.join(key)},]")
    # The broadcast block of the index arrays (ints are 0-d).
    nb = max((nd for _, nd in adv_arrays), default=0)
    block = [ctx.fresh("bl") for _ in range(nb)]
    factors: dict[tuple[int, int], str] = {}
    for q, n in enumerate(block):
        ctx.emit(f"{n} = 1")
        for a, nd in adv_arrays:
            p = q - (nb - nd)
            if p < 0:
                continue
            ctx.emit(f"if {a}.shape[{p}] != 1:")
            with ctx.indent():
                ctx.emit(f"if {n} != 1 and {n} != {a}.shape[{p}]:")
                with ctx.indent():
                    ctx.fail("IndexError", "shape mismatch: index arrays cannot be broadcast")
                ctx.emit(f"{n} = {a}.shape[{p}]")
    for j, (a, nd) in enumerate(adv_arrays):
        for p in range(nd):
            f = ctx.fresh("af")
            ctx.emit(f"{f} = 0 if {a}.shape[{p}] == 1 else 1")
            factors[(j, p)] = f
    size = " * ".join(block) if block else "1"
    for bad, label in checks:
        ctx.emit(f"if {bad} and {size} != 0:")
        with ctx.indent():
            ctx.fail("IndexError", f"index out of bounds for axis {label}")
    # The output dimensions in NumPy's order.
    positions = [k for k, p in enumerate(parts) if p[0] == "adv"]  # type: ignore[index]
    basic = [p for p in parts if p[0] != "adv"]  # type: ignore[index]
    block_dims = [("block", q) for q in range(nb)]
    adjacent = positions[-1] - positions[0] + 1 == len(positions)
    before = sum(1 for k, p in enumerate(parts) if k < positions[0] and p[0] != "adv")  # type: ignore[index]
    if adjacent:
        order = [*basic[:before], *block_dims, *basic[before:]]
    else:
        order = [*block_dims, *basic]
    dims: list[tuple] = []  # type: ignore[type-arg]
    lengths: list[str] = []
    for d in order:
        if d[0] == "new":  # type: ignore[index]
            dims.append(("new",))
            lengths.append("1")
        elif d[0] == "slice":  # type: ignore[index]
            dims.append(("axis", d[1]))  # type: ignore[index]
            lengths.append(f"{view}.shape[{d[1]}]")  # type: ignore[index]
        else:
            dims.append(d)  # type: ignore[arg-type]
            lengths.append(block[d[1]])  # type: ignore[index]
    for a in range(axis, ndim):
        dims.append(("axis", a))
        lengths.append(f"{view}.shape[{a}]")
    plan = _Plan(view, dims, lengths, [], size)
    # Source index of each view axis, from the output loop variables `o{p}`.
    block_var = {d[1]: p for p, d in enumerate(dims) if d[0] == "block"}
    axis_var = {d[1]: p for p, d in enumerate(dims) if d[0] == "axis"}
    for s in sources:
        if s[0] == "axis":  # type: ignore[index]
            plan.sources.append(("loop", axis_var[s[1]]))  # type: ignore[index]
        elif s[0] == "int":  # type: ignore[index]
            plan.sources.append(("expr", s[1]))  # type: ignore[index]
        else:
            j = s[1]  # type: ignore[index]
            a, nd = adv_arrays[j]
            idx = [(block_var[nb - nd + p], factors[(j, p)]) for p in range(nd)]
            plan.sources.append(("array", a, idx))
    return plan


def _loops(ctx: Context, plan: _Plan) -> tuple[list[str], str]:
    """Open the loop nest over the output (the caller closes it); (loop vars, source key)."""
    loop_vars = [ctx.fresh("o") for _ in plan.dims]
    for p, (o, n) in enumerate(zip(loop_vars, plan.lengths, strict=True)):
        ctx.emit(f"for {o} in range({n}):")
        ctx.level += 1
        if p == 0 and plan.gather is not None:
            idx, q = plan.gather
            ctx.emit(f"{q} = np.int64({idx}[{o}])")
            ctx.emit(f"if {q} < 0:")
            with ctx.indent():
                ctx.emit(f"{q} += {plan.view}.shape[0]")
            ctx.emit(f"if {q} < 0 or {q} >= {plan.view}.shape[0]:")
            with ctx.indent():
                ctx.fail("IndexError", "index out of bounds for axis 0")
    src = []
    for s in plan.sources:
        if s[0] == "loop":  # type: ignore[index]
            src.append(loop_vars[s[1]])  # type: ignore[index]
        elif s[0] == "expr":  # type: ignore[index]
            src.append(s[1])  # type: ignore[index]
        else:
            _, a, idx = s  # type: ignore[misc]
            src.append(f"{a}[{_index([f'{loop_vars[p]} * {f}' for p, f in idx])}]")
    return loop_vars, _index(src)


@numba_impl.register(AdvancedSubtensor)
def _advanced_subtensor(ctx: Context, node: Apply, ins: list[str], outs: list[str]) -> str | None:
    x, *values = ins
    plan = _plan_axis0(ctx, node, x, values) or _plan(ctx, node, x, values)
    if isinstance(plan, str):
        return plan
    out = outs[0]
    dtype = np_dtype(dtype_of(node.outputs[0]))
    shape = ", ".join(plan.lengths) + ("," if len(plan.lengths) == 1 else "")
    ctx.emit(f"{out} = empty_c(({shape}), {dtype})")
    level = ctx.level
    loop_vars, src = _loops(ctx, plan)
    ctx.emit(f"{out}[{_index(loop_vars)}] = {plan.view}[{src}]")
    ctx.level = level
    return None


@numba_impl.register(AdvancedIncSubtensor)
def _advanced_inc_subtensor(
    ctx: Context, node: Apply, ins: list[str], outs: list[str]
) -> str | None:
    op: AdvancedIncSubtensor = node.op  # type: ignore[assignment]
    x, y, *values = ins
    out = outs[0]
    if dtype_of(node.inputs[1]) != dtype_of(node.outputs[0]):
        return "a value dtype other than the array's"
    ctx.emit(f"{out} = {x}" if op.inplace else f"{out} = {x}.copy()")
    plan = _plan_axis0(ctx, node, out, values) or _plan(ctx, node, out, values)
    if isinstance(plan, str):
        return plan
    m, ny = len(plan.dims), ndim_of(node.inputs[1])
    if ny > m:
        return "a value with more dimensions than the indexed part"
    fy = []
    for k in range(ny):
        d = k + m - ny
        ctx.emit(f"if {y}.shape[{k}] != 1 and {y}.shape[{k}] != {plan.lengths[d]}:")
        with ctx.indent():
            ctx.fail("ValueError", "the value does not broadcast to the indexed shape")
        f = ctx.fresh("yf")
        ctx.emit(f"{f} = 0 if {y}.shape[{k}] == 1 else 1")
        fy.append(f)
    level = ctx.level
    loop_vars, src = _loops(ctx, plan)
    value = f"{y}[{_index([f'{loop_vars[k + m - ny]} * {fy[k]}' for k in range(ny)])}]"
    target = f"{plan.view}[{src}]"
    if op.set_instead_of_inc:
        ctx.emit(f"{target} = {value}")
    elif dtype_of(node.outputs[0]) == "bool":
        ctx.emit(f"{target} = {target} or {value}")
    else:
        ctx.emit(f"{target} += {value}")
    ctx.level = level
    return None
