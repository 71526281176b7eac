"""Matrix products: np.dot (BLAS) where Numba supports the dtype, else a loop nest;
inverse, determinants and Cholesky through Numba's np.linalg (LAPACK)."""

from __future__ import annotations

from tensorgraft.compile_numba.codegen import Context, dtype_of, np_dtype
from tensorgraft.compile_numba.registry import numba_impl
from tensorgraft.graph.basic import Apply
from tensorgraft.tensor.linalg.decompositions import Cholesky
from tensorgraft.tensor.linalg.inverse import Det, MatrixInverse, SlogDet
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


def _lapack_input(ctx: Context, node: Apply, x: str) -> str | None:
    """A contiguous copy of `x` in the output dtype (Numba's LAPACK calls need one), or
    None when that dtype is not one Numba's np.linalg handles."""
    dtype = dtype_of(node.outputs[-1])
    if dtype not in BLAS_DTYPES:
        return None
    a = ctx.fresh("la")
    ctx.emit(f"{a} = np.ascontiguousarray({x}).astype({np_dtype(dtype)})")
    return a


def _square(ctx: Context, a: str, what: str) -> None:
    ctx.emit(f"if {a}.shape[0] != {a}.shape[1]:")
    with ctx.indent():
        ctx.fail("ValueError", f"{what}: the matrix is not square")


@numba_impl.register(MatrixInverse)
def _inv(ctx: Context, node: Apply, ins: list[str], outs: list[str]) -> str | None:
    a = _lapack_input(ctx, node, ins[0])
    if a is None:
        return f"inv to {dtype_of(node.outputs[0])}"
    _square(ctx, a, "inv")
    ctx.emit(f"{outs[0]} = np.linalg.inv({a})")
    return None


@numba_impl.register(Det)
def _det(ctx: Context, node: Apply, ins: list[str], outs: list[str]) -> str | None:
    a = _lapack_input(ctx, node, ins[0])
    if a is None:
        return f"det to {dtype_of(node.outputs[0])}"
    _square(ctx, a, "det")
    ctx.emit(f"{outs[0]} = np.empty((), dtype={np_dtype(dtype_of(node.outputs[0]))})")
    ctx.emit(f"{outs[0]}[()] = np.linalg.det({a})")
    return None


@numba_impl.register(SlogDet)
def _slogdet(ctx: Context, node: Apply, ins: list[str], outs: list[str]) -> str | None:
    if dtype_of(node.outputs[0]) != dtype_of(node.outputs[1]):
        return "slogdet of complex matrices (the sign is complex)"
    a = _lapack_input(ctx, node, ins[0])
    if a is None:
        return f"slogdet to {dtype_of(node.outputs[1])}"
    _square(ctx, a, "slogdet")
    sign, logdet = ctx.fresh("sg"), ctx.fresh("ld")
    ctx.emit(f"{sign}, {logdet} = np.linalg.slogdet({a})")
    for out, value in zip(outs, (sign, logdet), strict=True):
        ctx.emit(f"{out} = np.empty((), dtype={np_dtype(dtype_of(node.outputs[0]))})")
        ctx.emit(f"{out}[()] = {value}")
    return None


@numba_impl.register(Cholesky)
def _cholesky(ctx: Context, node: Apply, ins: list[str], outs: list[str]) -> str | None:
    a = _lapack_input(ctx, node, ins[0])
    if a is None:
        return f"cholesky to {dtype_of(node.outputs[0])}"
    _square(ctx, a, "cholesky")
    low = ctx.fresh("low")
    ctx.emit(f"{low} = np.linalg.cholesky({a})")
    lower = node.op.lower  # type: ignore[attr-defined]
    ctx.emit(f"{outs[0]} = {low}" if lower else f"{outs[0]} = np.ascontiguousarray({low}.T).conj()")
    return None
