"""Matrix products with SciPy's BLAS; Blockwise stacks of matrix products and of the
LAPACK ops (`lapack.py`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tensorgraft.compile_c.registry import (
    RERAISE,
    call_kernel,
    is_tensor,
    register,
    typenum,
)
from tensorgraft.compile_c.rules.lapack import core_kernel
from tensorgraft.compile_c.scalar import C_TYPES
from tensorgraft.graph.basic import Apply
from tensorgraft.tensor.blockwise import Blockwise
from tensorgraft.tensor.matmul import Dot

if TYPE_CHECKING:
    from tensorgraft.compile_c.codegen import Writer


@register(Dot)
def _dot(w: Writer, k: int, node: Apply) -> list[str] | None:
    """(m, k) x (k, n) with SciPy's BLAS (scipy.linalg.cython_blas), any layout: gemv
    when m or n is 1 (a matrix times a vector), gemm otherwise."""
    a, b = node.inputs
    dtype = node.outputs[0].type.dtype  # type: ignore[attr-defined]
    if dtype not in ("float32", "float64") or a.type.dtype != dtype or b.type.dtype != dtype:  # type: ignore[attr-defined]
        return None
    name = w.kernel(
        DOT_KERNEL.replace("@T@", C_TYPES[dtype])
        .replace("@GEMM@", "sgemm" if dtype == "float32" else "dgemm")
        .replace("@GEMV@", "sgemv" if dtype == "float32" else "dgemv")
        .replace("@TYPENUM@", str(typenum(dtype)))
        .replace("@RERAISE@", str(RERAISE))
    )
    return call_kernel(w, name, k, node)


DOT_KERNEL = r"""
static int @KERNEL@(PyObject* fail, Py_ssize_t node, PyObject** in, PyObject*** out)
{
    typedef void (*gemm_t)(char*, char*, int*, int*, int*, @T@*, @T@*, int*, @T@*, int*,
                           @T@*, @T@*, int*);
    static gemm_t gemm = NULL;
    PyArrayObject *a = (PyArrayObject*)in[0], *b = (PyArrayObject*)in[1], *c;
    PyArrayObject *ac = NULL, *bc = NULL;
    npy_intp dims[2];
    int m, n, kk, lda, ldb, ldc, ok = 0;
    char ta, tb;
    @T@ one = 1, zero = 0;
    if (PyArray_DIM(a, 1) != PyArray_DIM(b, 0)) {
        tg_fail_arrays(fail, @RERAISE@, node, 2, in[0], in[1]);
        return 0;
    }
    if (PyArray_DIM(a, 0) > INT_MAX || PyArray_DIM(a, 1) > INT_MAX || PyArray_DIM(b, 1) > INT_MAX) {
        PyErr_SetString(PyExc_ValueError, "dot: matrices too large for BLAS");
        return 0;
    }
    if (!gemm && !(gemm = (gemm_t)tg_blas("@GEMM@"))) return 0;
    m = (int)PyArray_DIM(a, 0); kk = (int)PyArray_DIM(a, 1); n = (int)PyArray_DIM(b, 1);
    dims[0] = m; dims[1] = n;
    *out[0] = PyArray_ZEROS(2, dims, @TYPENUM@, 0);
    if (!*out[0]) return 0;
    c = (PyArrayObject*)*out[0];
    if (m == 0 || n == 0 || kk == 0) return 1;
    /* Row-major C = A B is column-major C^T = B^T A^T. */
    if (!tg_blas_layout(a, &ta, &lda)) {
        ac = (PyArrayObject*)PyArray_NewCopy(a, NPY_CORDER);
        if (!ac) return 0;
        tg_blas_layout(ac, &ta, &lda);
        a = ac;
    }
    if (!tg_blas_layout(b, &tb, &ldb)) {
        bc = (PyArrayObject*)PyArray_NewCopy(b, NPY_CORDER);
        if (!bc) goto out;
        tg_blas_layout(bc, &tb, &ldb);
        b = bc;
    }
    if (n == 1 || m == 1) {
        /* A matrix times a vector: gemv on the stored matrix S (A when n == 1, else B). */
        typedef void (*gemv_t)(char*, int*, int*, @T@*, @T@*, int*, @T@*, int*, @T@*, @T@*,
                               int*);
        static gemv_t gemv = NULL;
        int col = n == 1;  /* A (m, kk) times the column B (kk, 1) */
        PyArrayObject *mat = col ? a : b, *vec = col ? b : a, *vc = NULL;
        char t = col ? ta : tb, tr;
        int ld = col ? lda : ldb, rows, cols, inc, incy = 1;
        npy_intp sv = PyArray_STRIDE(vec, col ? 0 : 1), isz = (npy_intp)sizeof(@T@);
        if (!gemv && !(gemv = (gemv_t)tg_blas("@GEMV@"))) goto out;
        /* S is column-major (rows, cols): A^T or A for a column, B^T or B for a row. */
        if (col) { tr = t == 'N' ? 'T' : 'N'; rows = t == 'N' ? kk : m; cols = t == 'N' ? m : kk; }
        else { tr = t == 'N' ? 'N' : 'T'; rows = t == 'N' ? n : kk; cols = t == 'N' ? kk : n; }
        if (kk == 1) sv = isz;
        if (sv <= 0 || sv % isz != 0 || sv / isz > INT_MAX) {
            vc = (PyArrayObject*)PyArray_NewCopy(vec, NPY_CORDER);
            if (!vc) goto out;
            vec = vc;
            sv = isz;
        }
        inc = (int)(sv / isz);
        gemv(&tr, &rows, &cols, &one, (@T@*)PyArray_DATA(mat), &ld, (@T@*)PyArray_DATA(vec),
             &inc, &zero, (@T@*)PyArray_DATA(c), &incy);
        Py_XDECREF(vc);
        ok = 1;
        goto out;
    }
    ldc = n;
    gemm(&tb, &ta, &n, &m, &kk, &one, (@T@*)PyArray_DATA(b), &ldb, (@T@*)PyArray_DATA(a), &lda,
         &zero, (@T@*)PyArray_DATA(c), &ldc);
    ok = 1;
out:
    Py_XDECREF(ac);
    Py_XDECREF(bc);
    return ok;
}
"""


@register(Blockwise)
def _blockwise(w: Writer, k: int, node: Apply) -> list[str] | None:
    """Blockwise(Dot) as batched gemm; Blockwise of a LAPACK op as a loop of its kernel."""
    op: Any = node.op
    if isinstance(op.core_op, Dot):
        return _batched_dot(w, k, node)
    return _batched_kernel(w, k, node)


def _batched_kernel(w: Writer, k: int, node: Apply) -> list[str] | None:
    """The core op's kernel called on each batch item (views of the inputs, broadcast
    batch axes), its results copied into the stacks. An empty batch calls back `perform`
    (the core shapes then come from the signature); an error re-raises the reference's,
    which names the batch index."""
    op: Any = node.op
    core = op.core_node(node)
    if not all(is_tensor(v) for v in [*core.inputs, *core.outputs]):
        return None
    name = core_kernel(w, core)
    if name is None:
        return None
    nb = node.outputs[0].type.ndim - core.outputs[0].type.ndim  # type: ignore[attr-defined]
    if nb == 0:
        return call_kernel(w, name, k, node)
    n_in, n_out = len(node.inputs), len(node.outputs)
    core_in = ", ".join(str(v.type.ndim) for v in core.inputs)
    core_out = ", ".join(str(v.type.ndim) for v in core.outputs)
    loop = w.kernel(
        BATCH_LOOP.replace("@CORE@", name)
        .replace("@NB@", str(nb))
        .replace("@NIN@", str(n_in))
        .replace("@NOUT@", str(n_out))
        .replace("@CIN@", core_in)
        .replace("@COUT@", core_out)
        .replace("@MAXND@", str(nb + max(v.type.ndim for v in core.outputs)))
        .replace("@RERAISE@", str(RERAISE))
        .replace("@INS@", ", ".join(f"in[{p}]" for p in range(n_in)))
    )
    ins = ", ".join(f"v[{w.slot[i]}]" for i in node.inputs)
    outs = ", ".join(f"&v[{w.slot[o]}]" for o in node.outputs)
    lines = [
        "    {",
        f"        PyObject* in[{n_in}] = {{{ins}}};",
        f"        PyObject** out[{n_out}] = {{{outs}}};",
        f"        int r = {loop}(fail, {k}, in, out);",
        "        if (r < 0) goto done;",
        "        if (r == 0) {",
    ]
    mark = len(w.lines)
    w.callback(k, node)  # an empty batch
    lines += [*w.lines[mark:], "        }", "    }"]
    del w.lines[mark:]
    return lines


# Returns 1 when done, 0 for an empty batch (the caller calls back), -1 on an error.
BATCH_LOOP = r"""
static int @KERNEL@(PyObject* fail, Py_ssize_t node, PyObject** in, PyObject*** out)
{
    static const int cin[@NIN@] = {@CIN@}, cout[@NOUT@] = {@COUT@};
    npy_intp bdims[@NB@], idx[@NB@], dims[@MAXND@], total = 1, item, size;
    PyObject *views[@NIN@] = {NULL}, *res[@NOUT@] = {NULL}, *dst;
    PyObject** res_p[@NOUT@];
    char* ptr[@NIN@];
    int j, d;
    for (d = 0; d < @NB@; ++d) {
        bdims[d] = 1;
        for (j = 0; j < @NIN@; ++j) {
            npy_intp n = PyArray_DIM((PyArrayObject*)in[j], d);
            if (n == 1) continue;
            if (bdims[d] != 1 && bdims[d] != n) goto bad;
            bdims[d] = n;
        }
        total *= bdims[d];
        idx[d] = 0;
    }
    if (total == 0) return 0;
    for (j = 0; j < @NIN@; ++j) ptr[j] = PyArray_BYTES((PyArrayObject*)in[j]);
    for (j = 0; j < @NOUT@; ++j) res_p[j] = &res[j];
    for (item = 0; item < total; ++item) {
        for (j = 0; j < @NIN@; ++j) {
            PyArrayObject* a = (PyArrayObject*)in[j];
            Py_INCREF(PyArray_DESCR(a));
            views[j] = PyArray_NewFromDescr(&PyArray_Type, PyArray_DESCR(a), cin[j],
                                            PyArray_DIMS(a) + @NB@, PyArray_STRIDES(a) + @NB@,
                                            ptr[j], 0, NULL);
            if (!views[j]) goto error;
            Py_INCREF(a);
            if (PyArray_SetBaseObject((PyArrayObject*)views[j], (PyObject*)a) < 0) goto error;
        }
        if (!@CORE@(fail, node, views, res_p)) goto bad;
        for (j = 0; j < @NIN@; ++j) Py_CLEAR(views[j]);
        for (j = 0; j < @NOUT@; ++j) {
            PyArrayObject* r = (PyArrayObject*)res[j];
            if (item == 0) {  /* the stack: the batch shape, then the item's shape */
                for (d = 0; d < @NB@; ++d) dims[d] = bdims[d];
                for (d = 0; d < cout[j]; ++d) dims[@NB@ + d] = PyArray_DIM(r, d);
                *out[j] = PyArray_EMPTY(@NB@ + cout[j], dims, PyArray_TYPE(r), 0);
                if (!*out[j]) goto error;
            }
            for (d = 0; d < cout[j]; ++d)  /* a ragged result */
                if (PyArray_DIM(r, d) != PyArray_DIM((PyArrayObject*)*out[j], @NB@ + d)) goto bad;
            size = PyArray_NBYTES(r);
            Py_INCREF(PyArray_DESCR(r));
            dst = PyArray_NewFromDescr(&PyArray_Type, PyArray_DESCR(r), cout[j], PyArray_DIMS(r),
                                       NULL, PyArray_BYTES((PyArrayObject*)*out[j]) + item * size,
                                       NPY_ARRAY_WRITEABLE, NULL);
            if (!dst) goto error;
            d = PyArray_CopyInto((PyArrayObject*)dst, r);
            Py_DECREF(dst);
            if (d < 0) goto error;
            Py_CLEAR(res[j]);
        }
        for (d = @NB@ - 1; d >= 0; --d) {
            for (j = 0; j < @NIN@; ++j)
                if (PyArray_DIM((PyArrayObject*)in[j], d) != 1)
                    ptr[j] += PyArray_STRIDE((PyArrayObject*)in[j], d);
            if (++idx[d] < bdims[d]) break;
            for (j = 0; j < @NIN@; ++j)
                if (PyArray_DIM((PyArrayObject*)in[j], d) != 1)
                    ptr[j] -= PyArray_STRIDE((PyArrayObject*)in[j], d) * bdims[d];
            idx[d] = 0;
        }
    }
    return 1;
error:
    for (j = 0; j < @NIN@; ++j) Py_XDECREF(views[j]);
    for (j = 0; j < @NOUT@; ++j) Py_XDECREF(res[j]);
    return -1;
bad:
    for (j = 0; j < @NIN@; ++j) Py_XDECREF(views[j]);
    for (j = 0; j < @NOUT@; ++j) Py_XDECREF(res[j]);
    PyErr_Clear();
    tg_fail_arrays(fail, @RERAISE@, node, @NIN@, @INS@);
    return -1;
}
"""


def _batched_dot(w: Writer, k: int, node: Apply) -> list[str] | None:
    """Stacks of matrix products (Blockwise(Dot), i.e. matmul of >2-D arrays): one gemm
    per batch item, reading each operand in place when its matrices suit BLAS."""
    a, b = node.inputs
    (out,) = node.outputs
    dtype = out.type.dtype  # type: ignore[attr-defined]
    if dtype not in ("float32", "float64") or a.type.dtype != dtype or b.type.dtype != dtype:  # type: ignore[attr-defined]
        return None
    nd = out.type.ndim  # type: ignore[attr-defined]
    if a.type.ndim != nd or b.type.ndim != nd or nd < 3:  # type: ignore[attr-defined]
        return None
    name = w.kernel(
        BATCHED_DOT_KERNEL.replace("@T@", C_TYPES[dtype])
        .replace("@GEMM@", "sgemm" if dtype == "float32" else "dgemm")
        .replace("@TYPENUM@", str(typenum(dtype)))
        .replace("@RERAISE@", str(RERAISE))
        .replace("@ND@", str(nd))
        .replace("@NB@", str(nd - 2))
    )
    return call_kernel(w, name, k, node)


BATCHED_DOT_KERNEL = r"""
static int @KERNEL@(PyObject* fail, Py_ssize_t node, PyObject** in, PyObject*** out)
{
    typedef void (*gemm_t)(char*, char*, int*, int*, int*, @T@*, @T@*, int*, @T@*, int*,
                           @T@*, @T@*, int*);
    static gemm_t gemm = NULL;
    PyArrayObject *a = (PyArrayObject*)in[0], *b = (PyArrayObject*)in[1], *c;
    PyArrayObject *ac = NULL, *bc = NULL;
    npy_intp dims[@ND@], idx[@NB@], sa[@NB@], sb[@NB@], total = 1, item, d;
    npy_intp isz = (npy_intp)sizeof(@T@);
    int m, n, kk, lda, ldb, ldc, ok = 0;
    char ta, tb, *pa, *pb, *pc;
    @T@ one = 1, zero = 0;
    if (PyArray_DIM(a, @ND@ - 1) != PyArray_DIM(b, @ND@ - 2)) goto bad;
    for (d = 0; d < @NB@; ++d) {
        npy_intp da = PyArray_DIM(a, d), db = PyArray_DIM(b, d);
        if (da != db && da != 1 && db != 1) goto bad;
        dims[d] = da == 1 ? db : da;
        total *= dims[d];
    }
    if (PyArray_DIM(a, @ND@ - 2) > INT_MAX || PyArray_DIM(a, @ND@ - 1) > INT_MAX
        || PyArray_DIM(b, @ND@ - 1) > INT_MAX) {
        PyErr_SetString(PyExc_ValueError, "matmul: matrices too large for BLAS");
        return 0;
    }
    m = (int)PyArray_DIM(a, @ND@ - 2); kk = (int)PyArray_DIM(a, @ND@ - 1);
    n = (int)PyArray_DIM(b, @ND@ - 1);
    dims[@ND@ - 2] = m; dims[@ND@ - 1] = n;
    *out[0] = PyArray_ZEROS(@ND@, dims, @TYPENUM@, 0);
    if (!*out[0]) return 0;
    c = (PyArrayObject*)*out[0];
    if (total == 0 || m == 0 || n == 0 || kk == 0) return 1;
    if (!gemm && !(gemm = (gemm_t)tg_blas("@GEMM@"))) return 0;
    /* Operands whose matrices BLAS cannot read as they are: one C-order copy. */
    if (!PyArray_ISALIGNED(a) || !tg_blas_layout_of(m, kk, PyArray_STRIDE(a, @ND@ - 2),
                                                    PyArray_STRIDE(a, @ND@ - 1), isz, &ta, &lda)) {
        ac = (PyArrayObject*)PyArray_NewCopy(a, NPY_CORDER);
        if (!ac) return 0;
        a = ac;
        tg_blas_layout_of(m, kk, PyArray_STRIDE(a, @ND@ - 2), PyArray_STRIDE(a, @ND@ - 1), isz,
                          &ta, &lda);
    }
    if (!PyArray_ISALIGNED(b) || !tg_blas_layout_of(kk, n, PyArray_STRIDE(b, @ND@ - 2),
                                                    PyArray_STRIDE(b, @ND@ - 1), isz, &tb, &ldb)) {
        bc = (PyArrayObject*)PyArray_NewCopy(b, NPY_CORDER);
        if (!bc) goto out;
        b = bc;
        tg_blas_layout_of(kk, n, PyArray_STRIDE(b, @ND@ - 2), PyArray_STRIDE(b, @ND@ - 1), isz,
                          &tb, &ldb);
    }
    for (d = 0; d < @NB@; ++d) {
        /* A broadcast (length-1) batch axis repeats its one matrix. */
        sa[d] = PyArray_DIM(a, d) == 1 ? 0 : PyArray_STRIDE(a, d);
        sb[d] = PyArray_DIM(b, d) == 1 ? 0 : PyArray_STRIDE(b, d);
        idx[d] = 0;
    }
    ldc = n;
    pa = PyArray_BYTES(a); pb = PyArray_BYTES(b); pc = PyArray_BYTES(c);
    for (item = 0; item < total; ++item) {
        /* Row-major C = A B is column-major C^T = B^T A^T. */
        gemm(&tb, &ta, &n, &m, &kk, &one, (@T@*)pb, &ldb, (@T@*)pa, &lda, &zero, (@T@*)pc,
             &ldc);
        pc += (npy_intp)m * n * isz;
        for (d = @NB@ - 1; d >= 0; --d) {
            pa += sa[d]; pb += sb[d];
            if (++idx[d] < dims[d]) break;
            pa -= sa[d] * dims[d]; pb -= sb[d] * dims[d];
            idx[d] = 0;
        }
    }
    ok = 1;
out:
    Py_XDECREF(ac);
    Py_XDECREF(bc);
    return ok;
bad:
    tg_fail_arrays(fail, @RERAISE@, node, 2, in[0], in[1]);
    return 0;
}
"""
