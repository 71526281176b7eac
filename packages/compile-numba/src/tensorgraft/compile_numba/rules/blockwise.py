"""Blockwise: loops over the batch axes around the core op's own template.

The batch lengths broadcast at run time (a length of 1 repeats, others must agree). Each
batch element gives the core template views of its inputs; the core outputs are copied
into arrays allocated once the first element tells the core shapes. A core op without a
template (or whose template declines) leaves the whole node to a Python callback.
"""

from __future__ import annotations

from tensorgraft.compile_numba.codegen import Context, dtype_of, ndim_of, np_dtype
from tensorgraft.compile_numba.registry import numba_impl
from tensorgraft.graph.basic import Apply
from tensorgraft.tensor.blockwise import Blockwise


def _tuple(parts: list[str]) -> str:
    return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"


def _index(parts: list[str]) -> str:
    return ", ".join(parts) + ("," if len(parts) == 1 else "") if parts else "()"


@numba_impl.register(Blockwise)
def _blockwise(ctx: Context, node: Apply, ins: list[str], outs: list[str]) -> str | None:
    op: Blockwise = node.op  # type: ignore[assignment]
    core = op.core_node(node)
    impl = numba_impl.lookup(core.op)
    if impl is None:
        return f"its core op {core.op} has no numba template"
    if getattr(core.op, "destroy_map", None):
        return f"its core op {core.op} works in place"
    bn = ndim_of(node.outputs[0]) - len(op.outputs_sig[0])
    if bn == 0:
        return impl(ctx, core, ins, outs)
    level = ctx.level
    try:
        return _emit(ctx, node, core, impl, bn, ins, outs)
    finally:
        ctx.level = level


def _emit(ctx, node, core, impl, bn, ins, outs) -> str | None:  # type: ignore[no-untyped-def]
    op: Blockwise = node.op
    # The broadcast batch lengths, checked (a length of 1 broadcasts, as in NumPy).
    lengths = [ctx.fresh("bn") for _ in range(bn)]
    for d, n in enumerate(lengths):
        ctx.emit(f"{n} = 1")
        for x in ins:
            ctx.emit(f"if {x}.shape[{d}] != 1:")
            with ctx.indent():
                ctx.emit(f"if {n} != 1 and {n} != {x}.shape[{d}]:")
                with ctx.indent():
                    ctx.fail("ValueError", f"{core.op}: batch dimensions cannot be broadcast")
                ctx.emit(f"{n} = {x}.shape[{d}]")
    # 0/1 factors: an input whose batch axis has length 1 is read at index 0.
    factors = []
    for x in ins:
        fs = []
        for d in range(bn):
            f = ctx.fresh("bf")
            ctx.emit(f"{f} = 0 if {x}.shape[{d}] == 1 else 1")
            fs.append(f)
        factors.append(fs)
    results = []
    for var in node.outputs:
        r = ctx.fresh("br")
        ctx.emit(f"{r} = empty_c({_tuple(['0'] * ndim_of(var))}, {np_dtype(dtype_of(var))})")
        results.append(r)
    total = " * ".join(lengths)
    # An empty batch: core lengths from the inputs' where the signature ties them.
    sizes: dict[str, str] = {}
    for x, sig in zip(ins, op.inputs_sig, strict=True):
        for a, dim in enumerate(sig):
            sizes.setdefault(dim, f"{x}.shape[{bn + a}]")
    ctx.emit(f"if {total} == 0:")
    with ctx.indent():
        shapes = []
        for var, sig in zip(node.outputs, op.outputs_sig, strict=True):
            static = var.type.shape[bn:]  # type: ignore[attr-defined]
            shapes.append(
                [
                    str(s) if s is not None else sizes.get(d, "")
                    for d, s in zip(sig, static, strict=True)
                ]
            )
        if any("" in shape for shape in shapes):
            # A length the signature does not tie to an input (svd's min(m, n)): the
            # core op on zeros of the core input shapes tells it.
            dummies = []
            for x, var in zip(ins, core.inputs, strict=True):
                z = ctx.fresh("bz")
                cs = [f"{x}.shape[{bn + a}]" for a in range(ndim_of(var))]
                ctx.emit(f"{z} = np.zeros({_tuple(cs)}, dtype={np_dtype(dtype_of(var))})")
                dummies.append(z)
            dummy_outs = [ctx.fresh("bzo") for _ in outs]
            reason = impl(ctx, core, dummies, dummy_outs)
            if reason is not None:
                return reason
            shapes = [
                [f"{z}.shape[{a}]" for a in range(ndim_of(var))]
                for z, var in zip(dummy_outs, core.outputs, strict=True)
            ]
        for r, shape in zip(results, shapes, strict=True):
            ctx.emit(f"{r} = empty_c({_tuple(lengths + shape)}, {r}.dtype)")
    first = ctx.fresh("bfirst")
    ctx.emit(f"{first} = True")
    idx = [ctx.fresh("bi") for _ in range(bn)]
    for i, n in zip(idx, lengths, strict=True):
        ctx.emit(f"for {i} in range({n}):")
        ctx.level += 1
    core_ins = []
    for x, var, fs in zip(ins, core.inputs, factors, strict=True):
        key = ", ".join(f"{i} * {f}" for i, f in zip(idx, fs, strict=True))
        c = ctx.fresh("bc")
        if ndim_of(var) == 0:
            ctx.emit(f"{c} = empty_c((), {np_dtype(dtype_of(var))})")
            ctx.emit(f"{c}[()] = {x}[{key}]")
        else:
            ctx.emit(f"{c} = {x}[{key}]")
        core_ins.append(c)
    core_outs = [ctx.fresh("bo") for _ in outs]
    reason = impl(ctx, core, core_ins, core_outs)
    if reason is not None:
        return reason
    here = _index(idx)
    for r, c, var in zip(results, core_outs, core.outputs, strict=True):
        cn = ndim_of(var)
        ctx.emit(f"if {first}:")
        with ctx.indent():
            shape = lengths + [f"{c}.shape[{a}]" for a in range(cn)]
            ctx.emit(f"{r} = empty_c({_tuple(shape)}, {r}.dtype)")
        for a in range(cn):
            ctx.emit(f"if {c}.shape[{a}] != {r}.shape[{bn + a}]:")
            with ctx.indent():
                ctx.fail("ValueError", f"{core.op} gives results of different shapes (ragged)")
        ctx.emit(f"{r}[{here}] = {c}[()]" if cn == 0 else f"{r}[{here}] = {c}")
    ctx.emit(f"{first} = False")
    ctx.level -= bn
    for out, r in zip(outs, results, strict=True):
        ctx.emit(f"{out} = {r}")
    return None
