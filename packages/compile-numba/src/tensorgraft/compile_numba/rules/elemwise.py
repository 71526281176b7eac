"""Elemwise (and fused Composite) as explicit loop nests; DimShuffle as a view.

An Elemwise node of rank n becomes n nested loops over the broadcast shape. An input
axis of static length 1 is read at index 0; an axis of unknown length gets a 0/1
stride factor computed once, so a run-time length of 1 broadcasts as in NumPy. Inputs
that are one-element constants are inlined as literals.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from tensorgraft.compile_numba.codegen import (
    Context,
    dtype_of,
    literal,
    ndim_of,
    np_dtype,
    scalar_constant,
)
from tensorgraft.compile_numba.registry import numba_impl, scalar_impl
from tensorgraft.compile_numba.rules.special import kernels_in
from tensorgraft.graph.basic import Apply, Constant, Variable
from tensorgraft.tensor.elemwise import DimShuffle, Elemwise
from tensorgraft.tensor.scalar_ops.basic import ScalarOp
from tensorgraft.tensor.scalar_ops.composite import Composite


def scalar_code(
    ctx: Context, op: ScalarOp, args: Sequence[str], in_dtypes: Sequence[str]
) -> list[str] | str:
    """Emit code computing `op` on scalar expressions `args`; the output names, or a reason.

    A Composite emits one local per inner node, each cast to its declared dtype.
    """
    if isinstance(op, Composite):
        values: dict[Variable, str] = dict(zip(op.inner_inputs, args, strict=True))

        def value(var: Variable) -> str:
            if var in values:
                return values[var]
            if isinstance(var, Constant):
                return literal(var.data, dtype_of(var))
            raise ValueError(f"Composite variable {var} has no value")

        for inner in op._nodes:  # toposorted inner scalar nodes
            outs = scalar_code(
                ctx,
                inner.op,  # type: ignore[arg-type]
                [value(i) for i in inner.inputs],
                [dtype_of(i) for i in inner.inputs],
            )
            if isinstance(outs, str):
                return outs
            values.update(zip(inner.outputs, outs, strict=True))
        return [value(o) for o in op.inner_outputs]
    impl = scalar_impl.lookup(op)
    if impl is None:
        return scalar_impl.reason(op) or f"no numba implementation of scalar {op.name}"
    out_dtypes = list(op.output_dtypes(*in_dtypes))
    exprs = impl(op, list(args), list(in_dtypes), out_dtypes)
    if isinstance(exprs, str):
        return exprs
    names = []
    for expr, dt in zip(exprs, out_dtypes, strict=True):
        ctx.globals.update(kernels_in(expr))  # the special-function kernels it calls
        name = ctx.fresh("s")
        ctx.emit(f"{name} = {np_dtype(dt)}({expr})")
        names.append(name)
    return names


def broadcast_shape(ctx: Context, node: Apply, ins: Sequence[str]) -> list[str]:
    """Emit the broadcast shape of the array inputs (with checks); one name per axis.

    Also returns, through `ctx`, nothing else: index expressions come from `index_of`.
    """
    out_shape = node.outputs[0].type.shape  # type: ignore[attr-defined]
    dims = []
    for d, static in enumerate(out_shape):
        n = f"n{d}"  # shared by every Elemwise node: fewer reassigned names for Numba's SSA
        dims.append(n)
        unknown = [
            name
            for var, name in zip(node.inputs, ins, strict=True)
            if scalar_constant(var) is None and var.type.shape[d] is None  # type: ignore[attr-defined]
        ]
        if static is not None:
            ctx.emit(f"{n} = {static}")
            for name in unknown:
                ctx.emit(f"if {name}.shape[{d}] != 1 and {name}.shape[{d}] != {n}:")
                with ctx.indent():
                    ctx.fail("ValueError", f"shapes cannot be broadcast together on axis {d}")
            continue
        if not unknown:
            ctx.emit(f"{n} = 1")
            continue
        ctx.emit(f"{n} = {unknown[0]}.shape[{d}]")  # the first input's length, as is
        for name in unknown[1:]:
            ln = ctx.fresh("l")
            ctx.emit(f"{ln} = {name}.shape[{d}]")
            ctx.emit(f"if {ln} != 1:")
            with ctx.indent():
                ctx.emit(f"if {n} != 1 and {n} != {ln}:")
                with ctx.indent():
                    ctx.fail("ValueError", f"shapes cannot be broadcast together on axis {d}")
                ctx.emit(f"{n} = {ln}")
    return dims


def index_of(ctx: Context, var: Variable, name: str, alone: Sequence[bool] = ()) -> str:
    """Emit stride factors for `var`'s unknown axes; the index expression for the loop.

    `alone[d]`: no other input can be longer on axis d, so a length of 1 there is the
    loop's length too and needs no factor (which keeps the loop a unit-stride one).
    """
    parts = []
    for d, static in enumerate(var.type.shape):  # type: ignore[attr-defined]
        if static == 1:
            parts.append("0")
        elif static is not None or (d < len(alone) and alone[d]):
            parts.append(f"i{d}")
        else:
            b = ctx.fresh("b")
            ctx.emit(f"{b} = 1 if {name}.shape[{d}] != 1 else 0")
            parts.append(f"i{d} * {b}")
    if not parts:
        return "()"
    return ", ".join(parts) + ("," if len(parts) == 1 else "")


def shape_tuple(dims: Sequence[str]) -> str:
    if not dims:
        return "()"
    return "(" + ", ".join(dims) + ("," if len(dims) == 1 else "") + ")"


@numba_impl.register(Elemwise)
def _elemwise(ctx: Context, node: Apply, ins: list[str], outs: list[str]) -> str | None:
    op: Elemwise = node.op  # type: ignore[assignment]
    ndim = ndim_of(node.outputs[0])
    dims = broadcast_shape(ctx, node, ins)
    shape = shape_tuple(dims)
    arrays = [v for v in node.inputs if scalar_constant(v) is None]
    # Per axis: how many inputs may be longer than 1 there.
    longer = [
        sum(1 for v in arrays if v.type.shape[d] != 1)  # type: ignore[attr-defined]
        for d in range(ndim)
    ]
    reads: list[tuple[str | None, str]] = []
    for var, name in zip(node.inputs, ins, strict=True):
        value = scalar_constant(var)
        if value is not None:
            reads.append((None, literal(value, dtype_of(var))))
        else:
            alone = [n == 1 for n in longer]
            reads.append((name, index_of(ctx, var, name, alone)))
    destroyed = dict(op.inplace_pattern)
    out_idx = ", ".join(f"i{d}" for d in range(ndim)) + ("," if ndim == 1 else "")
    for k, (out, name) in enumerate(zip(node.outputs, outs, strict=True)):
        alloc = f"empty_c({shape}, {np_dtype(dtype_of(out))})"
        j = destroyed.get(k)
        if j is None:
            ctx.emit(f"{name} = {alloc}")
            continue
        src, idx = reads[j]
        if src is None or dtype_of(node.inputs[j]) != dtype_of(out):
            ctx.emit(f"{name} = {ins[j]} if {ins[j]}.shape == {shape} else {alloc}")
            continue
        # The output lives in the destroyed input's buffer when the shapes agree, else in
        # a new one holding the input broadcast. The loop reads that input back from the
        # output at the output's own index: one base pointer, so LLVM can vectorize.
        ctx.emit(f"if {src}.shape == {shape}:")
        with ctx.indent():
            ctx.emit(f"{name} = {src}")
        ctx.emit("else:")
        with ctx.indent():
            ctx.emit(f"{name} = {alloc}")
            for d in range(ndim):
                ctx.emit(f"for i{d} in range({dims[d]}):")
                ctx.level += 1
            ctx.emit(f"{name}[{out_idx or '()'}] = {src}[{idx}]")
            ctx.level -= ndim
        reads[j] = (name, out_idx or "()")
    factors = sorted({f for _, idx in reads for f in _FACTOR.findall(idx)})
    if len(factors) < 2:  # LLVM's loop versioning copes with one symbolic stride
        return _loop_nest(ctx, node, dims, reads, outs, out_idx)
    # Several (where LLVM gave up, measured on the hierarchical model): a unit-stride
    # copy of the loops for the usual case where no input broadcasts at run time.
    ctx.emit(f"if {' and '.join(f'{f} == 1' for f in factors)}:")
    plain = [(arr, _FACTOR_TERM.sub("", idx)) for arr, idx in reads]
    with ctx.indent():
        reason = _loop_nest(ctx, node, dims, plain, outs, out_idx)
    ctx.emit("else:")
    with ctx.indent():
        return reason or _loop_nest(ctx, node, dims, reads, outs, out_idx)


_FACTOR_TERM = re.compile(r" \* (b_\d+)")
_FACTOR = re.compile(r"(?<= \* )b_\d+")


def _loop_nest(
    ctx: Context,
    node: Apply,
    dims: Sequence[str],
    reads: Sequence[tuple[str | None, str]],
    outs: Sequence[str],
    out_idx: str,
) -> str | None:
    """Emit the loops of an Elemwise node over `dims`; a reason if its scalar op has none."""
    op: Elemwise = node.op  # type: ignore[assignment]
    ndim = len(dims)
    for d in range(ndim):
        ctx.emit(f"for i{d} in range({dims[d]}):")
        ctx.level += 1
    try:
        args = []
        for arr, idx in reads:
            if arr is None:
                args.append(idx)
            else:
                s = ctx.fresh("x")
                ctx.emit(f"{s} = {arr}[{idx}]")
                args.append(s)
        results = scalar_code(ctx, op.scalar_op, args, [dtype_of(v) for v in node.inputs])
        if isinstance(results, str):
            return results
        for name, res, out in zip(outs, results, node.outputs, strict=True):
            ctx.emit(f"{name}[{out_idx or '()'}] = {np_dtype(dtype_of(out))}({res})")
    finally:
        ctx.level -= ndim
    return None


@numba_impl.register(DimShuffle)
def _dimshuffle(ctx: Context, node: Apply, ins: list[str], outs: list[str]) -> str | None:
    op: DimShuffle = node.op  # type: ignore[assignment]
    (x,) = ins
    static = node.inputs[0].type.shape  # type: ignore[attr-defined]
    for a in op.dropped:
        if static[a] != 1:
            ctx.emit(f"if {x}.shape[{a}] != 1:")
            with ctx.indent():
                ctx.fail("ValueError", f"cannot drop axis {a}: its length is not 1")
    y = x
    if op.dropped and not op.kept:
        # Every axis dropped: a 0-d array holding the one element (Numba indexing gives a
        # scalar, not a 0-d view).
        y = ctx.fresh("y")
        ctx.emit(f"{y} = empty_c((), {np_dtype(dtype_of(node.inputs[0]))})")
        ctx.emit(f"{y}[()] = {x}[{', '.join('0' * op.input_ndim)},]")
    elif op.dropped:
        key = ", ".join("0" if a in op.dropped else ":" for a in range(op.input_ndim))
        y = ctx.fresh("y")
        ctx.emit(f"{y} = {x}[{key},]")
    kept = op.kept
    # Positions of kept axes once dropped axes are gone.
    rank = {a: k for k, a in enumerate(a for a in range(op.input_ndim) if a not in op.dropped)}
    perm = [rank[a] for a in kept]
    if perm != sorted(perm):
        t = ctx.fresh("y")
        if perm == sorted(perm, reverse=True):
            # `.T` keeps Numba's layout knowledge (C <-> F), so BLAS calls need no copy.
            ctx.emit(f"{t} = {y}.T")
        else:
            ctx.emit(f"{t} = {y}.transpose(({', '.join(map(str, perm))},))")
        y = t
    if "x" in op.new_order and not kept:
        # Not `.reshape`: its compiled helper makes each cache load import Numba's array
        # lowering module (~30 ms of a warm start).
        ctx.emit(f"{outs[0]} = ones_view({y}, {len(op.new_order)})")
    elif "x" in op.new_order:
        key = ", ".join("None" if a == "x" else ":" for a in op.new_order)
        ctx.emit(f"{outs[0]} = {y}[{key},]")
    else:
        ctx.emit(f"{outs[0]} = {y}")
    return None
