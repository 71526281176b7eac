"""Shapes, reshapes and shape assertions."""

from __future__ import annotations

from tensorgraft.compile_numba.codegen import Context, ndim_of
from tensorgraft.compile_numba.registry import numba_impl
from tensorgraft.compile_numba.rules.elemwise import shape_tuple
from tensorgraft.graph.basic import Apply
from tensorgraft.tensor.shape import Reshape, Shape, ShapeI, SpecifyShape


@numba_impl.register(Shape)
def _shape(ctx: Context, node: Apply, ins: list[str], outs: list[str]) -> str | None:
    ndim = ndim_of(node.inputs[0])
    ctx.emit(f"{outs[0]} = empty_c({ndim}, np.int64)")
    for d in range(ndim):
        ctx.emit(f"{outs[0]}[{d}] = {ins[0]}.shape[{d}]")
    return None


@numba_impl.register(ShapeI)
def _shape_i(ctx: Context, node: Apply, ins: list[str], outs: list[str]) -> str | None:
    ctx.emit(f"{outs[0]} = empty_c((), np.int64)")
    ctx.emit(f"{outs[0]}[()] = {ins[0]}.shape[{node.op.i}]")  # type: ignore[attr-defined]
    return None


@numba_impl.register(SpecifyShape)
def _specify_shape(ctx: Context, node: Apply, ins: list[str], outs: list[str]) -> str | None:
    x, *lengths = ins
    it = iter(lengths)
    for d, given in enumerate(node.op.given):  # type: ignore[attr-defined]
        if given:
            ctx.emit(f"if {x}.shape[{d}] != {next(it)}[()]:")
            with ctx.indent():
                ctx.fail("ValueError", f"specify_shape: axis {d} has another length")
    ctx.emit(f"{outs[0]} = {x}")
    return None


@numba_impl.register(Reshape)
def _reshape(ctx: Context, node: Apply, ins: list[str], outs: list[str]) -> str | None:
    x, shape = ins
    ndim = node.op.ndim  # type: ignore[attr-defined]
    dims = [f"{shape}[{d}]" for d in range(ndim)]
    # Numba reshapes contiguous arrays only: a strided view is copied first.
    ctx.emit(f"{outs[0]} = np.ascontiguousarray({x}).reshape({shape_tuple(dims)})")
    return None
