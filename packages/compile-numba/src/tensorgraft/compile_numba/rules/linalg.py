"""Matrix products: np.dot (BLAS) for matrix-matrix products where Numba supports the
dtype, loops for matrix-vector shapes and other dtypes;
inverse, determinants, Cholesky, eigh, svd, qr, pinv, lstsq and solve through Numba's
np.linalg (LAPACK); triangular and Cholesky solves as substitution loops."""

from __future__ import annotations

import numpy as np

from tensorgraft.compile_numba.codegen import Context, dtype_of, np_dtype
from tensorgraft.compile_numba.registry import numba_impl
from tensorgraft.graph.basic import Apply
from tensorgraft.tensor.linalg.decompositions import QR, SVD, Cholesky, Eigh
from tensorgraft.tensor.linalg.inverse import Det, MatrixInverse, Pinv, SlogDet
from tensorgraft.tensor.linalg.solvers import CholeskySolve, Lstsq, Solve, SolveTriangular
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
    blas = dtype in BLAS_DTYPES and all(dtype_of(v) == dtype for v in node.inputs)
    a_static, b_static = (v.type.shape for v in node.inputs)  # type: ignore[attr-defined]
    if blas and (b_static[1] == 1 or a_static[0] == 1):
        # Matrix-vector: loops as fast as BLAS at these sizes, and a first call that does
        # not import SciPy (Numba's BLAS comes from scipy.linalg.cython_blas).
        # empty_c, not np.zeros: each NumPy helper a graph uses costs compile time.
        ctx.emit(f"{out} = empty_c(({a}.shape[0], {b}.shape[1]), {np_dtype(dtype)})")
        if b_static[1] == 1:
            _matvec(ctx, a, b, out, np_dtype(dtype))
        else:  # (1, k) @ (k, n): the same loops on the transposes
            _matvec(ctx, f"{b}.T", f"{a}.T", f"{out}.T", np_dtype(dtype))
        return None
    if blas:
        ctx.emit(f"{out} = np.dot({a}, {b})")
        return None
    # Integers and bools: accumulate in the output dtype (bool: in int64, then != 0).
    acc_dtype = "int64" if dtype == "bool" else dtype
    cast = np_dtype(acc_dtype)
    ctx.emit(f"{out} = empty_c(({a}.shape[0], {b}.shape[1]), {np_dtype(dtype)})")
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


def _matvec(ctx: Context, m: str, v: str, out: str, cast: str) -> None:
    """Emit out[:, 0] = m @ v[:, 0]: dot products along m's rows when they are
    contiguous (four accumulators), else column updates along its columns."""
    mm, vv, oo = ctx.fresh("mm"), ctx.fresh("mv"), ctx.fresh("mo")
    ctx.emit(f"{mm}, {vv}, {oo} = {m}, {v}, {out}")
    ctx.emit(f"if {mm}.strides[1] <= {mm}.strides[0]:")
    with ctx.indent():
        accs = [f"acc{k}_{cast[3:]}" for k in range(4)]  # shared names: see reduction.py
        n4 = ctx.fresh("n4")
        ctx.emit(f"{n4} = {mm}.shape[1] - {mm}.shape[1] % 4")
        ctx.emit(f"for i in range({mm}.shape[0]):")
        with ctx.indent():
            for acc in accs:
                ctx.emit(f"{acc} = {cast}(0)")
            ctx.emit(f"for k in range(0, {n4}, 4):")
            with ctx.indent():
                for j, acc in enumerate(accs):
                    ctx.emit(f"{acc} += {mm}[i, k + {j}] * {vv}[k + {j}, 0]")
            ctx.emit(f"for k in range({n4}, {mm}.shape[1]):")
            with ctx.indent():
                ctx.emit(f"{accs[0]} += {mm}[i, k] * {vv}[k, 0]")
            ctx.emit(f"{oo}[i, 0] = ({accs[0]} + {accs[1]}) + ({accs[2]} + {accs[3]})")
    ctx.emit("else:")
    with ctx.indent():
        ctx.emit(f"for i in range({mm}.shape[0]):")
        with ctx.indent():
            ctx.emit(f"{oo}[i, 0] = {cast}(0)")
        ctx.emit(f"for k in range({mm}.shape[1]):")
        with ctx.indent():
            vk = ctx.fresh("vk")
            ctx.emit(f"{vk} = {vv}[k, 0]")
            ctx.emit(f"for i in range({mm}.shape[0]):")
            with ctx.indent():
                ctx.emit(f"{oo}[i, 0] += {mm}[i, k] * {vk}")


def _lapack_input(ctx: Context, node: Apply, x: str, out: int = -1) -> str | None:
    """A contiguous copy of `x` in the dtype of output `out` (Numba's LAPACK calls need
    one), or None when that dtype is not one Numba's np.linalg handles."""
    dtype = dtype_of(node.outputs[out])
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
    ctx.emit(f"{outs[0]} = empty_c((), {np_dtype(dtype_of(node.outputs[0]))})")
    ctx.emit(f"{outs[0]}[()] = np.linalg.det({a})")
    return None


@numba_impl.register(SlogDet)
def _slogdet(ctx: Context, node: Apply, ins: list[str], outs: list[str]) -> str | None:
    # The sign has the matrix's dtype (complex for a complex matrix), the log real.
    a = _lapack_input(ctx, node, ins[0], 0)
    if a is None:
        return f"slogdet to {dtype_of(node.outputs[1])}"
    _square(ctx, a, "slogdet")
    sign, logdet = ctx.fresh("sg"), ctx.fresh("ld")
    ctx.emit(f"{sign}, {logdet} = np.linalg.slogdet({a})")
    for out, var, value in zip(outs, node.outputs, (sign, logdet), strict=True):
        ctx.emit(f"{out} = empty_c((), {np_dtype(dtype_of(var))})")
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


def _is_complex(node: Apply) -> bool:
    return dtype_of(node.outputs[-1]).startswith("complex")


@numba_impl.register(Eigh)
def _eigh(ctx: Context, node: Apply, ins: list[str], outs: list[str]) -> str | None:
    if not node.op.lower:  # type: ignore[attr-defined]
        # LAPACK reduces the upper triangle otherwise than the lower one (a^H's): the
        # eigenvectors would differ in sign from NumPy's.
        return "eigh of the upper triangle (Numba's eigh reads the lower one)"
    a = _lapack_input(ctx, node, ins[0])
    if a is None:
        return f"eigh to {dtype_of(node.outputs[1])}"
    _square(ctx, a, "eigh")
    ctx.emit(f"{outs[0]}, {outs[1]} = np.linalg.eigh({a})")
    return None


@numba_impl.register(SVD)
def _svd(ctx: Context, node: Apply, ins: list[str], outs: list[str]) -> str | None:
    op: SVD = node.op  # type: ignore[assignment]
    if not op.compute_uv:
        dtype = dtype_of(node.inputs[0])
        if dtype not in BLAS_DTYPES:
            dtype = "float64"
        a = ctx.fresh("la")
        ctx.emit(f"{a} = np.ascontiguousarray({ins[0]}).astype({np_dtype(dtype)})")
    else:
        a = _lapack_input(ctx, node, ins[0])
    if a is None:
        return f"svd to {dtype_of(node.outputs[-1])}"
    if not op.compute_uv:
        u, vh = ctx.fresh("u"), ctx.fresh("vh")
        ctx.emit(f"{u}, {outs[0]}, {vh} = np.linalg.svd({a}, False)")
        return None
    ctx.emit(f"{outs[0]}, {outs[1]}, {outs[2]} = np.linalg.svd({a}, {op.full_matrices})")
    return None


@numba_impl.register(QR)
def _qr(ctx: Context, node: Apply, ins: list[str], outs: list[str]) -> str | None:
    mode = node.op.mode  # type: ignore[attr-defined]
    a = _lapack_input(ctx, node, ins[0])
    if a is None:
        return f"qr to {dtype_of(node.outputs[-1])}"
    if mode in ("reduced", "r"):
        q, r = ctx.fresh("q"), ctx.fresh("r")
        ctx.emit(f"{q}, {r} = np.linalg.qr({a})")
        if mode == "r":
            ctx.emit(f"{outs[0]} = {r}")
        else:
            ctx.emit(f"{outs[0]} = {q}")
            ctx.emit(f"{outs[1]} = {r}")
        return None
    # Numba's qr gives the reduced Q only: LAPACK's Householder QR written out.
    tau = _householder(ctx, a, _is_complex(node))
    if mode == "raw":
        ctx.emit(f"{outs[0]} = np.ascontiguousarray({a}.T)")
        ctx.emit(f"{outs[1]} = {tau}")
        return None
    _complete_q(ctx, a, tau, outs[0], _is_complex(node))
    r, i, j = outs[1], ctx.fresh("i"), ctx.fresh("j")
    ctx.emit(f"{r} = {a}.copy()")
    ctx.emit(f"for {i} in range({r}.shape[0]):")
    with ctx.indent():
        ctx.emit(f"for {j} in range(min({i}, {r}.shape[1])):")
        with ctx.indent():
            ctx.emit(f"{r}[{i}, {j}] = 0")
    return None


def _householder(ctx: Context, a: str, complex_: bool) -> str:
    """Overwrite the matrix `a` with LAPACK's geqr2 result (R above the diagonal, the
    reflectors below); the name of tau. H_j = I - tau_j v_j v_j^H, v_j[j] = 1."""
    tau, j, i, c, alpha, xn, beta, scale, s = (
        ctx.fresh(p) for p in ("tau", "j", "i", "c", "al", "xn", "be", "sc", "s")
    )
    conj = (lambda e: f"np.conj({e})") if complex_ else (lambda e: e)
    absq = (lambda e: f"({e}.real ** 2 + {e}.imag ** 2)") if complex_ else (lambda e: f"{e} ** 2")
    ctx.emit(f"{tau} = np.zeros(min({a}.shape[0], {a}.shape[1]), dtype={a}.dtype)")
    ctx.emit(f"for {j} in range({tau}.shape[0]):")
    with ctx.indent():
        ctx.emit(f"{alpha} = {a}[{j}, {j}]")
        ctx.emit(f"{xn} = 0.0")
        ctx.emit(f"for {i} in range({j} + 1, {a}.shape[0]):")
        with ctx.indent():
            ctx.emit(f"{xn} += {absq(f'{a}[{i}, {j}]')}")
        zero = f"{xn} == 0.0" + (f" and {alpha}.imag == 0.0" if complex_ else "")
        ctx.emit(f"if not ({zero}):")
        with ctx.indent():
            ctx.emit(f"{beta} = -math.copysign(math.sqrt({absq(alpha)} + {xn}), {alpha}.real)")
            ctx.emit(f"{tau}[{j}] = ({beta} - {alpha}) / {beta}")
            ctx.emit(f"{scale} = 1 / ({alpha} - {beta})")
            ctx.emit(f"for {i} in range({j} + 1, {a}.shape[0]):")
            with ctx.indent():
                ctx.emit(f"{a}[{i}, {j}] *= {scale}")
            ctx.emit(f"{a}[{j}, {j}] = {beta}")
            # The rest of the matrix: H_j^H from the left.
            ctx.emit(f"for {c} in range({j} + 1, {a}.shape[1]):")
            with ctx.indent():
                ctx.emit(f"{s} = {a}[{j}, {c}]")
                ctx.emit(f"for {i} in range({j} + 1, {a}.shape[0]):")
                with ctx.indent():
                    ctx.emit(f"{s} += {conj(f'{a}[{i}, {j}]')} * {a}[{i}, {c}]")
                ctx.emit(f"{s} = {conj(f'{tau}[{j}]')} * {s}")
                ctx.emit(f"{a}[{j}, {c}] -= {s}")
                ctx.emit(f"for {i} in range({j} + 1, {a}.shape[0]):")
                with ctx.indent():
                    ctx.emit(f"{a}[{i}, {c}] -= {a}[{i}, {j}] * {s}")
    return tau


def _complete_q(ctx: Context, h: str, tau: str, q: str, complex_: bool) -> None:
    """q = H_0 H_1 ... H_{k-1} (m, m) from the reflectors in `h` (LAPACK's orgqr)."""
    j, i, c, s = (ctx.fresh(p) for p in ("j", "i", "c", "s"))
    conj = (lambda e: f"np.conj({e})") if complex_ else (lambda e: e)
    ctx.emit(f"{q} = np.eye({h}.shape[0], dtype={h}.dtype)")
    ctx.emit(f"for {j} in range({tau}.shape[0] - 1, -1, -1):")
    with ctx.indent():
        ctx.emit(f"for {c} in range({j}, {h}.shape[0]):")
        with ctx.indent():
            ctx.emit(f"{s} = {q}[{j}, {c}]")
            ctx.emit(f"for {i} in range({j} + 1, {h}.shape[0]):")
            with ctx.indent():
                ctx.emit(f"{s} += {conj(f'{h}[{i}, {j}]')} * {q}[{i}, {c}]")
            ctx.emit(f"{s} = {tau}[{j}] * {s}")
            ctx.emit(f"{q}[{j}, {c}] -= {s}")
            ctx.emit(f"for {i} in range({j} + 1, {h}.shape[0]):")
            with ctx.indent():
                ctx.emit(f"{q}[{i}, {c}] -= {h}[{i}, {j}] * {s}")


@numba_impl.register(Pinv)
def _pinv(ctx: Context, node: Apply, ins: list[str], outs: list[str]) -> str | None:
    op: Pinv = node.op  # type: ignore[assignment]
    a = _lapack_input(ctx, node, ins[0])
    if a is None:
        return f"pinv to {dtype_of(node.outputs[0])}"
    rcond = repr(1e-15 if op.rcond is None else float(op.rcond))
    out = outs[0]
    cast = np_dtype(dtype_of(node.outputs[0]))
    ctx.emit(f"if {a}.size == 0:")
    with ctx.indent():
        ctx.emit(f"{out} = np.zeros(({a}.shape[1], {a}.shape[0]), dtype={cast})")
    ctx.emit("else:")
    with ctx.indent():
        if not op.hermitian:
            ctx.emit(f"{out} = np.linalg.pinv({a}, {rcond})")
            return None
        # NumPy's hermitian pinv: from eigh, |w| as singular values, signs kept apart.
        _square(ctx, a, "pinv")
        w, v, s, inv, k = (ctx.fresh(p) for p in ("w", "v", "s", "inv", "k"))
        ctx.emit(f"{w}, {v} = np.linalg.eigh({a})")
        ctx.emit(f"{s} = np.abs({w})")
        ctx.emit(f"{inv} = np.zeros_like({w})")
        ctx.emit(f"for {k} in range({w}.shape[0]):")
        with ctx.indent():
            ctx.emit(f"if {s}[{k}] > {rcond} * np.max({s}):")
            with ctx.indent():
                ctx.emit(f"{inv}[{k}] = np.sign({w}[{k}]) / {s}[{k}]")
        conj = f"np.conj({v})" if _is_complex(node) else v
        ctx.emit(f"{out} = np.dot({conj} * {inv}.astype({cast}), np.ascontiguousarray({v}.T))")
    return None


def _rows_check(ctx: Context, a: str, b: str, what: str) -> None:
    ctx.emit(f"if {a}.shape[0] != {a}.shape[1] or {a}.shape[1] != {b}.shape[0]:")
    with ctx.indent():
        ctx.fail("ValueError", f"{what}: a must be square with as many rows as b")


def _substitute(
    ctx: Context, a: str, x: str, lower: bool, trans: int, unit: bool, complex_: bool, what: str
) -> None:
    """Overwrite the 2-D `x` with op(a)^-1 x, op(a) = a, a^T, a^H (`trans` 0, 1, 2),
    reading only the triangle `lower` of `a` (its diagonal as ones when `unit`)."""
    n, c, ii, i, j, s, d = (ctx.fresh(p) for p in ("n", "c", "ii", "i", "j", "s", "d"))

    def m(r: str, k: str) -> str:
        if trans == 0:
            return f"{a}[{r}, {k}]"
        return f"np.conj({a}[{k}, {r}])" if trans == 2 and complex_ else f"{a}[{k}, {r}]"

    forward = lower if trans == 0 else not lower
    ctx.emit(f"{n} = {a}.shape[0]")
    ctx.emit(f"for {c} in range({x}.shape[1]):")
    with ctx.indent():
        ctx.emit(f"for {ii} in range({n}):")
        with ctx.indent():
            ctx.emit(f"{i} = {ii}" if forward else f"{i} = {n} - 1 - {ii}")
            ctx.emit(f"{s} = {x}[{i}, {c}]")
            span = f"range({i})" if forward else f"range({i} + 1, {n})"
            ctx.emit(f"for {j} in {span}:")
            with ctx.indent():
                ctx.emit(f"{s} -= {m(i, j)} * {x}[{j}, {c}]")
            if not unit:
                ctx.emit(f"{d} = {m(i, i)}")
                ctx.emit(f"if {d} == 0:")
                with ctx.indent():
                    ctx.fail("np.linalg.LinAlgError", f"{what}: the matrix is singular")
                ctx.emit(f"{s} = {s} / {d}")
            ctx.emit(f"{x}[{i}, {c}] = {s}")


def _rhs(ctx: Context, node: Apply, b: str, b_ndim: int) -> str:
    """A 2-D C-contiguous copy of the right-hand side `b` in the output dtype."""
    x = ctx.fresh("x")
    cast = np_dtype(dtype_of(node.outputs[0]))
    if b_ndim == 1:
        ctx.emit(f"{x} = empty_c(({b}.shape[0], 1), {cast})")
        ctx.emit(f"{x}[:, 0] = {b}")
    else:
        ctx.emit(f"{x} = np.ascontiguousarray({b}).astype({cast})")
    return x


def _result(ctx: Context, x: str, out: str, b_ndim: int) -> None:
    ctx.emit(f"{out} = {x}[:, 0].copy()" if b_ndim == 1 else f"{out} = {x}")


@numba_impl.register(SolveTriangular)
def _solve_triangular(ctx: Context, node: Apply, ins: list[str], outs: list[str]) -> str | None:
    op: SolveTriangular = node.op  # type: ignore[assignment]
    a = _lapack_input(ctx, node, ins[0])
    if a is None:
        return f"solve_triangular to {dtype_of(node.outputs[0])}"
    _rows_check(ctx, a, ins[1], "solve_triangular")
    x = _rhs(ctx, node, ins[1], op.b_ndim)
    cplx = _is_complex(node)
    _substitute(ctx, a, x, op.lower, op.trans, op.unit_diagonal, cplx, "solve_triangular")
    _result(ctx, x, outs[0], op.b_ndim)
    return None


@numba_impl.register(CholeskySolve)
def _cho_solve(ctx: Context, node: Apply, ins: list[str], outs: list[str]) -> str | None:
    op: CholeskySolve = node.op  # type: ignore[assignment]
    c = _lapack_input(ctx, node, ins[0])
    if c is None:
        return f"cho_solve to {dtype_of(node.outputs[0])}"
    _rows_check(ctx, c, ins[1], "cho_solve")
    x = _rhs(ctx, node, ins[1], op.b_ndim)
    cplx = _is_complex(node)
    # a = L L^H: L y = b, then L^H x = y; a = U^H U: U^H y = b, then U x = y.
    first, second = (0, 2) if op.lower else (2, 0)
    _substitute(ctx, c, x, op.lower, first, False, cplx, "cho_solve")
    _substitute(ctx, c, x, op.lower, second, False, cplx, "cho_solve")
    _result(ctx, x, outs[0], op.b_ndim)
    return None


@numba_impl.register(Solve)
def _solve(ctx: Context, node: Apply, ins: list[str], outs: list[str]) -> str | None:
    op: Solve = node.op  # type: ignore[assignment]
    a = _lapack_input(ctx, node, ins[0])
    if a is None:
        return f"solve to {dtype_of(node.outputs[0])}"
    _rows_check(ctx, a, ins[1], "solve")
    x = _rhs(ctx, node, ins[1], op.b_ndim)
    cplx = _is_complex(node)
    if op.assume_a != "gen":
        # Only the triangle `lower` is read: mirror it onto the other one.
        i, j = ctx.fresh("i"), ctx.fresh("j")
        conj = op.assume_a in ("her", "pos") and cplx
        ctx.emit(f"for {i} in range({a}.shape[0]):")
        with ctx.indent():
            ctx.emit(f"for {j} in range({i}):")
            with ctx.indent():
                src, dst = (f"{a}[{i}, {j}]", f"{a}[{j}, {i}]")
                if not op.lower:
                    src, dst = dst, src
                ctx.emit(f"{dst} = np.conj({src})" if conj else f"{dst} = {src}")
            if conj:
                ctx.emit(f"{a}[{i}, {i}] = {a}[{i}, {i}].real")
    if op.assume_a == "pos":
        low = ctx.fresh("low")
        ctx.emit(f"{low} = np.linalg.cholesky({a})")
        _substitute(ctx, low, x, True, 0, False, cplx, "solve")
        _substitute(ctx, low, x, True, 2, False, cplx, "solve")
    else:
        ctx.emit(f"{x} = np.linalg.solve({a}, {x})")
    _result(ctx, x, outs[0], op.b_ndim)
    return None


@numba_impl.register(Lstsq)
def _lstsq(ctx: Context, node: Apply, ins: list[str], outs: list[str]) -> str | None:
    op: Lstsq = node.op  # type: ignore[assignment]
    a = _lapack_input(ctx, node, ins[0], 0)
    if a is None:
        return f"lstsq to {dtype_of(node.outputs[0])}"
    b = ctx.fresh("b")
    ctx.emit(f"{b} = np.ascontiguousarray({ins[1]}).astype({np_dtype(dtype_of(node.outputs[0]))})")
    ctx.emit(f"if {a}.shape[0] != {b}.shape[0]:")
    with ctx.indent():
        ctx.fail("ValueError", "lstsq: a and b have different numbers of rows")
    rcond = ctx.fresh("rc")
    if op.rcond is None:
        eps = repr(float(np.finfo(dtype_of(node.outputs[0])).eps))
        ctx.emit(f"{rcond} = {eps} * max({a}.shape[0], {a}.shape[1])")
    else:
        ctx.emit(f"{rcond} = {float(op.rcond)!r}")
    rank = ctx.fresh("rk")
    x, res, s = outs[0], outs[1], outs[3]
    ctx.emit(f"{x}, {res}, {rank}, {s} = np.linalg.lstsq({a}, {b}, {rcond})")
    ctx.emit(f"{outs[2]} = empty_c((), np.int32)")
    ctx.emit(f"{outs[2]}[()] = {rank}")
    return None
