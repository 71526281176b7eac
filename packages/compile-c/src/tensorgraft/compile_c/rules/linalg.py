"""Matrix products with SciPy's BLAS."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tensorgraft.compile_c.registry import (
    RERAISE,
    call_kernel,
    register,
    typenum,
)
from tensorgraft.compile_c.scalar import C_TYPES
from tensorgraft.graph.basic import Apply
from tensorgraft.tensor.matmul import Dot

if TYPE_CHECKING:
    from tensorgraft.compile_c.codegen import Writer


@register(Dot)
def _dot(w: Writer, k: int, node: Apply) -> list[str] | None:
    """(m, k) x (k, n) with SciPy's BLAS gemm (scipy.linalg.cython_blas), any layout."""
    a, b = node.inputs
    dtype = node.outputs[0].type.dtype  # type: ignore[attr-defined]
    if dtype not in ("float32", "float64") or a.type.dtype != dtype or b.type.dtype != dtype:  # type: ignore[attr-defined]
        return None
    name = w.kernel(
        DOT_KERNEL.replace("@T@", C_TYPES[dtype])
        .replace("@GEMM@", "sgemm" if dtype == "float32" else "dgemm")
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
