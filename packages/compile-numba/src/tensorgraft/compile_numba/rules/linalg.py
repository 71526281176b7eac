"""Matrix products: np.dot (BLAS) where Numba supports the dtype, else a loop nest."""

from __future__ import annotations

from tensorgraft.compile_numba.codegen import Context, dtype_of, np_dtype
from tensorgraft.compile_numba.registry import numba_impl
from tensorgraft.graph.basic import Apply
from tensorgraft.tensor.matmul import Dot

BLAS_DTYPES = ("float32", "float64", "complex64", "complex128")


@numba_impl.register(Dot)
def _dot(ctx: Context, node: Apply, ins: list[str], outs: list[str]) -> str | None:
    a, b = ins
    (out,) = outs
    dtype = dtype_of(node.outputs[0])
    ctx.emit(f"if {a}.shape[1] != {b}.shape[0]:")
    with ctx.indent():
        ctx.fail("ValueError", "dot: shapes are not aligned")
    if dtype in BLAS_DTYPES and all(dtype_of(v) == dtype for v in node.inputs):
        ctx.emit(f"{out} = np.dot({a}, {b})")
        return None
    # Integers and bools: accumulate in the output dtype (bool: in int64, then != 0).
    acc_dtype = "int64" if dtype == "bool" else dtype
    cast = np_dtype(acc_dtype)
    ctx.emit(f"{out} = np.empty(({a}.shape[0], {b}.shape[1]), dtype={np_dtype(dtype)})")
    ctx.emit(f"for i0 in range({a}.shape[0]):")
    with ctx.indent():
        ctx.emit(f"for i1 in range({b}.shape[1]):")
        with ctx.indent():
            acc = ctx.fresh("acc")
            ctx.emit(f"{acc} = {cast}(0)")
            ctx.emit(f"for k in range({a}.shape[1]):")
            with ctx.indent():
                ctx.emit(f"{acc} += {cast}({a}[i0, k]) * {cast}({b}[k, i1])")
            ctx.emit(f"{out}[i0, i1] = {acc}{' != 0' if dtype == 'bool' else ''}")
    return None
