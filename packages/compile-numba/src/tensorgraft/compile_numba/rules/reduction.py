"""Reductions as loop nests over the input: trailing reduced axes accumulate into locals,
others into the output array."""

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


# Independent accumulators on the innermost axis: the additions overlap (and vectorize)
# without fastmath's license to reorder.
LANES = 8


def _acc_dtype(op: red.Reduce, dtype: str) -> str:
    """float32 / complex64 sums and products accumulate in double precision (NumPy's
    pairwise summation is about that accurate); the result is cast back."""
    if isinstance(op, red.Sum | red.Prod):
        return {"float32": "float64", "complex64": "complex128"}.get(dtype, dtype)
    return dtype


def _lanes(op: red.Reduce, dtype: str) -> int:
    kind = np.dtype(dtype).kind
    if isinstance(op, red.Sum | red.Prod) and kind in "fc":
        return LANES
    return LANES if isinstance(op, red.Max | red.Min) and kind == "f" else 1


@numba_impl.register(red.Sum, red.Prod, red.Max, red.Min, red.All, red.Any)
def _reduce(ctx: Context, node: Apply, ins: list[str], outs: list[str]) -> str | None:
    """Loops in the input's axis order. The trailing run of reduced axes accumulates into
    locals (LANES of them along the last axis), stored once per output element; reduced
    axes before a kept one accumulate into the output array."""
    op: red.Reduce = node.op  # type: ignore[assignment]
    (x,), (out,) = ins, outs
    var = node.inputs[0]
    ndim = ndim_of(var)
    dtype = dtype_of(node.outputs[0])
    acc_dtype = _acc_dtype(op, dtype)
    init = _init(op, acc_dtype)
    if init is None:
        return f"{type(op).__name__} to {dtype}"
    reduced = op.reduced(ndim)
    kept = [d for d in range(ndim) if d not in reduced]
    if op.needs_elements and reduced:
        ctx.emit(f"if {' or '.join(f'{x}.shape[{d}] == 0' for d in reduced)}:")
        with ctx.indent():
            ctx.fail("ValueError", "zero-size array to a reduction that has no identity")
    # Axes from `start` on are reduced into locals.
    start = ndim
    while start > 0 and start - 1 in reduced:
        start -= 1
    outer_reduced = any(d < start for d in reduced)
    cast = np_dtype(dtype)
    shape = shape_tuple([f"{x}.shape[{d}]" for d in kept])
    # Reduced axes before a kept one accumulate into an array: `out`, or one of the
    # accumulation dtype cast at the end.
    racc, rdtype = out, dtype
    if outer_reduced and acc_dtype != dtype:
        racc, rdtype = ctx.fresh("racc"), acc_dtype
    ctx.emit(f"{racc} = empty_c({shape}, {np_dtype(rdtype)})")
    if outer_reduced:
        ctx.emit(f"{racc}.fill({_init(op, rdtype)})")
    level = ctx.level
    for d in range(start):
        ctx.emit(f"for i{d} in range({x}.shape[{d}]):")
        ctx.level += 1
    dst = ", ".join(f"i{d}" for d in kept) + ("," if len(kept) == 1 else "")
    target = f"{racc}[{dst or '()'}]"
    rcast = np_dtype(rdtype)
    if start == ndim:  # the last axis is kept: no local accumulation
        src = ", ".join(f"i{d}" for d in range(ndim)) + ("," if ndim == 1 else "")
        acc = target if outer_reduced else init  # no reduced axis at all: init, x
        ctx.emit(f"{target} = {rcast}({_combine(op, acc, f'{x}[{src or ()}]', rdtype)})")
        ctx.level = level
        if racc != out:
            ctx.emit(f"{out} = {racc}.astype({cast})")
        return None
    lanes = _lanes(op, acc_dtype)
    # The same names in every reduction: Numba's SSA pass costs about (names assigned
    # more than once) x (blocks of the function), so shared names compile faster.
    accs = [f"acc{k}_{np.dtype(acc_dtype).name}" for k in range(lanes)]
    for a in accs:
        ctx.emit(f"{a} = {init}")
    for d in range(start, ndim - 1):
        ctx.emit(f"for i{d} in range({x}.shape[{d}]):")
        ctx.level += 1
    last = ndim - 1
    head = ", ".join(f"i{d}" for d in range(last))
    head += ", " if head else ""
    if lanes > 1:
        m = ctx.fresh("m")
        ctx.emit(f"{m} = {x}.shape[{last}] - {x}.shape[{last}] % {lanes}")
        ctx.emit(f"for i{last} in range(0, {m}, {lanes}):")
        with ctx.indent():
            for k, a in enumerate(accs):
                ctx.emit(f"{a} = {_combine(op, a, f'{x}[{head}i{last} + {k}]', acc_dtype)}")
        ctx.emit(f"for i{last} in range({m}, {x}.shape[{last}]):")
    else:
        ctx.emit(f"for i{last} in range({x}.shape[{last}]):")
    with ctx.indent():
        ctx.emit(f"{accs[0]} = {_combine(op, accs[0], f'{x}[{head}i{last}]', acc_dtype)}")
    ctx.level = level + start
    total = _tree(op, accs, acc_dtype)
    if outer_reduced:
        total = _combine(op, target, total, rdtype)
    ctx.emit(f"{target} = {rcast}({total})")
    ctx.level = level
    if racc != out:
        ctx.emit(f"{out} = {racc}.astype({cast})")
    return None


def _tree(op: red.Reduce, accs: list[str], dtype: str) -> str:
    """The accumulators combined pairwise."""
    while len(accs) > 1:
        pairs = [accs[k : k + 2] for k in range(0, len(accs), 2)]
        accs = [p[0] if len(p) == 1 else f"({_combine(op, p[0], p[1], dtype)})" for p in pairs]
    return accs[0]


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
    level = ctx.level
    src = ", ".join(f"i{d}" for d in range(ndim)) + ("," if ndim == 1 else "")
    # empty_c and loops, not np.zeros / copy: each NumPy helper costs compile time.
    alloc = f"{out} = empty_c({shape_tuple(dims)}, {cast})"
    same = [f"{dim} == {x}.shape[{lead + k}]" for k, dim in enumerate(dims)]
    if lead == 0 and same:
        # Nothing to sum at run time (a gradient of a broadcast that did not happen): the
        # input itself (SumTo's view_map allows it), or a copy where the dtype changes.
        ctx.emit(f"if {' and '.join(same)}:")
        with ctx.indent():
            if dtype_of(node.inputs[0]) == dtype_of(node.outputs[0]):
                ctx.emit(f"{out} = {x}")
            else:
                ctx.emit(alloc)
                for d in range(ndim):
                    ctx.emit(f"for i{d} in range({x}.shape[{d}]):")
                    ctx.level += 1
                ctx.emit(f"{out}[{src or '()'}] = {cast}({x}[{src or '()'}])")
                ctx.level = level + 1
        ctx.emit("else:")
        ctx.level += 1
    ctx.emit(alloc)
    for d in range(m):
        ctx.emit(f"for j{d} in range({dims[d]}):")
        ctx.level += 1
    zero = ", ".join(f"j{d}" for d in range(m)) + ("," if m == 1 else "")
    ctx.emit(f"{out}[{zero or '()'}] = {cast}(0)")
    ctx.level -= m
    for d in range(ndim):
        ctx.emit(f"for i{d} in range({x}.shape[{d}]):")
        ctx.level += 1
    acc = f"{out}[{', '.join(dst) + (',' if m == 1 else '') if dst else '()'}]"
    ctx.emit(f"{acc} += {cast}({x}[{src or '()'}])")
    ctx.level = level
    return None
