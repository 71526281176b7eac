"""Linear algebra with SciPy's LAPACK (`scipy.linalg.cython_lapack`, no system LAPACK).

Each routine works on a Fortran-ordered copy, as NumPy's own linalg does, so the pivots
(and so the rounding) are NumPy's. Float32 and float64 results; integer inputs are
converted as NumPy converts them; complex calls back. A matrix LAPACK rejects (singular,
not positive definite, non-square, lengths that do not match) re-raises the reference's
error, which names the user's matrix.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from tensorgraft.compile_c.registry import call_kernel, register, reraise_kernel_name
from tensorgraft.compile_c.scalar import C_TYPES
from tensorgraft.graph.basic import Apply
from tensorgraft.tensor.linalg.decompositions import QR, SVD, Cholesky, Eigh
from tensorgraft.tensor.linalg.inverse import Det, MatrixInverse, SlogDet
from tensorgraft.tensor.linalg.solvers import CholeskySolve, Solve, SolveTriangular

if TYPE_CHECKING:
    from tensorgraft.compile_c.codegen import Writer

_LAPACK = r"""
/* A routine of scipy.linalg.cython_lapack (its function pointer). */
static void* @KERNEL@(const char* name)
{
    void* f = NULL;
    PyObject *mod, *capi, *capsule;
    mod = PyImport_ImportModule("tensorgraft.compile_c.blas");
    if (!mod) return NULL;
    capi = PyObject_CallMethod(mod, "lapack_capi", NULL);
    Py_DECREF(mod);
    if (!capi) return NULL;
    capsule = PyDict_GetItemString(capi, name);
    if (capsule) f = PyCapsule_GetPointer(capsule, PyCapsule_GetName(capsule));
    else PyErr_Format(PyExc_RuntimeError, "scipy.linalg.cython_lapack has no %s", name);
    Py_DECREF(capi);
    return f;
}
"""

# Lengths LAPACK takes as int.
_INT_LENGTHS = r"""
    if (@COND@) {
        PyErr_SetString(PyExc_ValueError, "matrix too large for LAPACK's int lengths");
        return 0;
    }"""


def _dtype(node: Apply) -> str | None:
    """The float dtype of the node's outputs, or None. Inputs may be of that dtype, or
    of one that converts to it exactly as NumPy's linalg converts (integers, booleans,
    float32 into float64): the kernels compute on converted copies."""
    outs = {v.type.dtype for v in node.outputs}  # type: ignore[attr-defined]
    if len(outs) != 1 or (dtype := outs.pop()) not in ("float32", "float64"):
        return None
    for v in node.inputs:
        d = np.dtype(v.type.dtype)  # type: ignore[attr-defined]
        if d != dtype and d.kind not in "biu" and not (d == "float32" and dtype == "float64"):
            return None
    return dtype


_FCOPY = r"""
/* A Fortran-ordered copy of `a` as `typenum` (cast as NumPy's linalg casts). */
static PyObject* @KERNEL@(PyObject* a, int typenum)
{
    return PyArray_FromAny(a, PyArray_DescrFromType(typenum), 0, 0,
                           NPY_ARRAY_F_CONTIGUOUS | NPY_ARRAY_ALIGNED | NPY_ARRAY_WRITEABLE
                           | NPY_ARRAY_ENSURECOPY | NPY_ARRAY_FORCECAST, NULL);
}
"""


def _fill(w: Writer, text: str, dtype: str) -> str:
    f32 = dtype == "float32"
    return (
        text.replace("@T@", C_TYPES[dtype])
        .replace("@P@", "s" if f32 else "d")
        .replace("@LOG@", "logf" if f32 else "log")
        .replace("@EXP@", "expf" if f32 else "exp")
        .replace("@NUM@", "NPY_FLOAT32" if f32 else "NPY_FLOAT64")
        .replace("@LAPACK@", w.kernel(_LAPACK))
        .replace("@FCOPY@", w.kernel(_FCOPY))
    )


# Op type -> the C body of its kernel for a node (None: the node calls back).
BODIES: dict[type, Callable[[Apply], str | None]] = {}


# Op types NumPy computes in float64 for float32 inputs too (results rounded once at the
# end): their kernels do the same, where LAPACK's float32 routines would round otherwise
# (eigenvectors' signs, singular vectors).
IN_DOUBLE: set[type] = set()

_ROUND_TO_FLOAT32 = r"""
static int @KERNEL@(PyObject* fail, Py_ssize_t node, PyObject** in, PyObject*** out)
{
    int j;
    if (!@INNER@(fail, node, in, out)) return 0;
    for (j = 0; j < @NOUT@; ++j) {
        PyObject* c = PyArray_CastToType((PyArrayObject*)*out[j],
                                         PyArray_DescrFromType(NPY_FLOAT32), 0);
        if (!c) return 0;
        Py_SETREF(*out[j], c);
    }
    return 1;
}
"""


def core_kernel(w: Writer, node: Apply) -> str | None:
    """The name of the kernel computing `node` (one matrix), or None; Blockwise loops it."""
    body = BODIES.get(type(node.op))
    dtype = _dtype(node)
    text = None if body is None or dtype is None else body(node)
    if text is None or dtype is None:
        return None
    rounded = dtype == "float32" and type(node.op) in IN_DOUBLE
    lines = _fill(w, text, "float64" if rounded else dtype).strip("\n").split("\n")
    name = reraise_kernel_name(w, len(node.inputs), lines)
    if not rounded:
        return name
    outer = _ROUND_TO_FLOAT32.replace("@INNER@", name).replace("@NOUT@", str(len(node.outputs)))
    return w.kernel(outer)


def _lapack(op_type: type) -> Callable[[Callable[[Apply], str | None]], Callable[..., Any]]:
    """Decorator: `body(node)` is the kernel body of nodes of `op_type`."""

    def add(body: Callable[[Apply], str | None]) -> Callable[..., Any]:
        BODIES[op_type] = body

        def rule(w: Writer, k: int, node: Apply) -> list[str] | None:
            name = core_kernel(w, node)
            return None if name is None else call_kernel(w, name, k, node)

        register(op_type)(rule)
        return body

    return add


_SQUARE = """
    PyArrayObject* a = (PyArrayObject*)in[0];
    npy_intp m = PyArray_DIM(a, 0);
    if (PyArray_DIM(a, 1) != m) goto bad;""" + _INT_LENGTHS.replace("@COND@", "m > INT_MAX")


@_lapack(Cholesky)
def _cholesky(node: Apply) -> str | None:
    """potrf on a copy of the triangle NumPy reads; the other triangle zeroed."""
    op: Any = node.op
    keep = "i >= j" if op.lower else "i <= j"
    text = (
        """
    typedef void (*potrf_t)(char*, int*, @T@*, int*, int*);
    static potrf_t potrf = NULL;
    char uplo = '@UPLO@';
    int n, info = 0;
    npy_intp i, j;
    @T@* p;"""
        + _SQUARE
        + """
    *out[0] = @FCOPY@((PyObject*)a, @NUM@);
    if (!*out[0]) return 0;
    if (m == 0) return 1;
    if (!potrf && !(potrf = (potrf_t)@LAPACK@("@P@potrf"))) return 0;
    n = (int)m;
    p = (@T@*)PyArray_DATA((PyArrayObject*)*out[0]);
    potrf(&uplo, &n, p, &n, &info);
    if (info != 0) goto bad;
    for (j = 0; j < m; ++j)
        for (i = 0; i < m; ++i)
            if (!(@KEEP@)) p[j * m + i] = 0;
    return 1;
"""
    )
    return text.replace("@UPLO@", "L" if op.lower else "U").replace("@KEEP@", keep)


# sign and log|det| of `a` from its LU factors (NumPy's slogdet: a singular matrix gives
# (0, -inf)); declares `sign` and `logdet`.
_SLOGDET = (
    """
    typedef void (*getrf_t)(int*, int*, @T@*, int*, int*, int*);
    static getrf_t getrf = NULL;
    PyArrayObject* lu;
    @T@ sign = 1, logdet = 0, d, *p;
    int n, info = 0, i, *ipiv;"""
    + _SQUARE
    + """
    if (m > 0) {
        if (!getrf && !(getrf = (getrf_t)@LAPACK@("@P@getrf"))) return 0;
        lu = (PyArrayObject*)@FCOPY@((PyObject*)a, @NUM@);
        if (!lu) return 0;
        ipiv = (int*)PyMem_Malloc((size_t)m * sizeof(int));
        if (!ipiv) { Py_DECREF(lu); PyErr_NoMemory(); return 0; }
        n = (int)m;
        p = (@T@*)PyArray_DATA(lu);
        getrf(&n, &n, p, &n, ipiv, &info);
        if (info != 0) { sign = 0; logdet = -(@T@)INFINITY; }
        else
            for (i = 0; i < n; ++i) {
                if (ipiv[i] != i + 1) sign = -sign;
                d = p[(npy_intp)i * (m + 1)];
                if (d < 0) { sign = -sign; d = -d; }
                logdet += @LOG@(d);
            }
        PyMem_Free(ipiv);
        Py_DECREF(lu);
    }"""
)


def _scalar_out(j: int, value: str) -> str:
    return f"""
    *out[{j}] = PyArray_EMPTY(0, NULL, @NUM@, 0);
    if (!*out[{j}]) return 0;
    *(@T@*)PyArray_DATA((PyArrayObject*)*out[{j}]) = {value};"""


@_lapack(Det)
def _det(node: Apply) -> str | None:
    """getrf, then NumPy's sign * exp(log |det|)."""
    return _SLOGDET + _scalar_out(0, "sign * @EXP@(logdet)") + "\n    return 1;"


@_lapack(SlogDet)
def _slogdet(node: Apply) -> str | None:
    """getrf: the sign from the pivots and the diagonal, the sum of log |u_ii|."""
    return _SLOGDET + _scalar_out(0, "sign") + _scalar_out(1, "logdet") + "\n    return 1;"


# gesv of Fortran copies of `a` and of the right-hand side `rhs` (written into *out[0]).
_GESV = (
    """
    typedef void (*gesv_t)(int*, int*, @T@*, int*, int*, @T@*, int*, int*);
    static gesv_t gesv = NULL;
    PyArrayObject *lu, *x;
    npy_intp nrhs_;
    int n, nrhs, info = 0, *ipiv;"""
    + _SQUARE
    + """
    @RHS@
    if (!*out[0]) return 0;
    x = (PyArrayObject*)*out[0];
    nrhs_ = PyArray_NDIM(x) == 2 ? PyArray_DIM(x, 1) : 1;"""
    + _INT_LENGTHS.replace("@COND@", "nrhs_ > INT_MAX")
    + """
    if (m == 0 || nrhs_ == 0) return 1;
    if (!gesv && !(gesv = (gesv_t)@LAPACK@("@P@gesv"))) return 0;
    lu = (PyArrayObject*)@FCOPY@((PyObject*)a, @NUM@);
    if (!lu) return 0;
    ipiv = (int*)PyMem_Malloc((size_t)m * sizeof(int));
    if (!ipiv) { Py_DECREF(lu); PyErr_NoMemory(); return 0; }
    n = (int)m; nrhs = (int)nrhs_;
    gesv(&n, &nrhs, (@T@*)PyArray_DATA(lu), &n, ipiv, (@T@*)PyArray_DATA(x), &n, &info);
    PyMem_Free(ipiv);
    Py_DECREF(lu);
    if (info != 0) goto bad;
    return 1;
"""
)


@_lapack(Solve)
def _solve(node: Apply) -> str | None:
    """gesv (LU with partial pivoting, as numpy.linalg.solve) for a general `a`."""
    op: Any = node.op
    if op.assume_a != "gen":
        return None
    rhs = (
        "if (PyArray_DIM((PyArrayObject*)in[1], 0) != m) goto bad;\n"
        "    *out[0] = @FCOPY@(in[1], @NUM@);"
    )
    return _GESV.replace("@RHS@", rhs)


@_lapack(MatrixInverse)
def _inverse(node: Apply) -> str | None:
    """gesv with the identity as right-hand side (as numpy.linalg.inv)."""
    rhs = (
        "{ npy_intp dims[2] = {m, m}, i;\n"
        "      *out[0] = PyArray_ZEROS(2, dims, @NUM@, 1);\n"
        "      if (*out[0]) for (i = 0; i < m; ++i)\n"
        "          ((@T@*)PyArray_DATA((PyArrayObject*)*out[0]))[i * (m + 1)] = 1; }"
    )
    return _GESV.replace("@RHS@", rhs)


# Fortran copies of `a` (into `t`) and of the right-hand side (into *out[0], as `x`,
# with `nrhs` columns); like SciPy's check_finite, a NaN or infinity jumps to `bad`.
# An empty system returns its (empty) copy.
_FINITE_COPIES = (
    """
    PyArrayObject *t, *x;
    npy_intp nrhs_, i, size;
    int n, nrhs, ldb, info = 0;
    const @T@* q;"""
    + _SQUARE
    + """
    if (PyArray_DIM((PyArrayObject*)in[1], 0) != m) goto bad;
    *out[0] = @FCOPY@(in[1], @NUM@);
    if (!*out[0]) return 0;
    x = (PyArrayObject*)*out[0];
    nrhs_ = PyArray_NDIM(x) == 2 ? PyArray_DIM(x, 1) : 1;"""
    + _INT_LENGTHS.replace("@COND@", "nrhs_ > INT_MAX")
    + """
    size = PyArray_SIZE(x);
    q = (const @T@*)PyArray_DATA(x);
    for (i = 0; i < size; ++i) if (!isfinite(q[i])) goto bad;
    t = (PyArrayObject*)@FCOPY@((PyObject*)a, @NUM@);
    if (!t) return 0;
    size = PyArray_SIZE(t);
    q = (const @T@*)PyArray_DATA(t);
    for (i = 0; i < size; ++i) if (!isfinite(q[i])) { Py_DECREF(t); goto bad; }
    if (m == 0 || nrhs_ == 0) { Py_DECREF(t); return 1; }
    n = (int)m; nrhs = (int)nrhs_; ldb = n;"""
)


@_lapack(CholeskySolve)
def _cho_solve(node: Apply) -> str | None:
    """potrs with the factor's triangle, as scipy.linalg.cho_solve (finite inputs only)."""
    op: Any = node.op
    text = (
        """
    typedef void (*potrs_t)(char*, int*, int*, @T@*, int*, @T@*, int*, int*);
    static potrs_t potrs = NULL;
    char uplo = '@UPLO@';"""
        + _FINITE_COPIES
        + """
    if (!potrs && !(potrs = (potrs_t)@LAPACK@("@P@potrs"))) { Py_DECREF(t); return 0; }
    potrs(&uplo, &n, &nrhs, (@T@*)PyArray_DATA(t), &n, (@T@*)PyArray_DATA(x), &ldb, &info);
    Py_DECREF(t);
    if (info != 0) goto bad;
    return 1;
"""
    )
    return text.replace("@UPLO@", "L" if op.lower else "U")


@_lapack(SolveTriangular)
def _solve_triangular(node: Apply) -> str | None:
    """trtrs on Fortran copies; like SciPy, non-finite entries and a zero diagonal (unless
    unit) re-raise."""
    op: Any = node.op
    text = (
        """
    typedef void (*trtrs_t)(char*, char*, char*, int*, int*, @T@*, int*, @T@*, int*, int*);
    static trtrs_t trtrs = NULL;
    char uplo = '@UPLO@', trans = '@TRANS@', diag = '@DIAG@';"""
        + _FINITE_COPIES
        + """
    if (!trtrs && !(trtrs = (trtrs_t)@LAPACK@("@P@trtrs"))) { Py_DECREF(t); return 0; }
    trtrs(&uplo, &trans, &diag, &n, &nrhs, (@T@*)PyArray_DATA(t), &n, (@T@*)PyArray_DATA(x),
          &ldb, &info);
    Py_DECREF(t);
    if (info != 0) goto bad;
    return 1;
"""
    )
    return (
        text.replace("@UPLO@", "L" if op.lower else "U")
        .replace("@TRANS@", "NTC"[op.trans])
        .replace("@DIAG@", "U" if op.unit_diagonal else "N")
    )


IN_DOUBLE.update((Eigh, SVD, QR))


@_lapack(Eigh)
def _eigh(node: Apply) -> str | None:
    """syevd (divide and conquer, as numpy.linalg.eigh) on a Fortran copy, which becomes
    the eigenvectors (columns); in float64, as NumPy (IN_DOUBLE)."""
    op: Any = node.op
    text = (
        """
    typedef void (*syevd_t)(char*, char*, int*, @T@*, int*, @T@*, @T@*, int*, int*, int*,
                            int*);
    static syevd_t syevd = NULL;
    char jobz = 'V', uplo = '@UPLO@';
    int n, lwork = -1, liwork = -1, info = 0, iwq = 0;
    @T@ wq = 0, *work, *vp, *wp;
    int* iwork;"""
        + _SQUARE
        + """
    *out[1] = @FCOPY@((PyObject*)a, @NUM@);
    if (!*out[1]) return 0;
    *out[0] = PyArray_EMPTY(1, &m, @NUM@, 0);
    if (!*out[0]) return 0;
    if (m == 0) return 1;
    if (!syevd && !(syevd = (syevd_t)@LAPACK@("@P@syevd"))) return 0;
    n = (int)m;
    vp = (@T@*)PyArray_DATA((PyArrayObject*)*out[1]);
    wp = (@T@*)PyArray_DATA((PyArrayObject*)*out[0]);
    syevd(&jobz, &uplo, &n, vp, &n, wp, &wq, &lwork, &iwq, &liwork, &info);  /* sizes */
    if (info != 0) goto bad;
    lwork = (int)wq; liwork = iwq;
    work = (@T@*)PyMem_Malloc((size_t)(lwork > 1 ? lwork : 1) * sizeof(@T@));
    iwork = (int*)PyMem_Malloc((size_t)(liwork > 1 ? liwork : 1) * sizeof(int));
    if (!work || !iwork) { PyMem_Free(work); PyMem_Free(iwork); PyErr_NoMemory(); return 0; }
    syevd(&jobz, &uplo, &n, vp, &n, wp, work, &lwork, iwork, &liwork, &info);
    PyMem_Free(work);
    PyMem_Free(iwork);
    if (info != 0) goto bad;
    return 1;
"""
    )
    return text.replace("@UPLO@", "L" if op.lower else "U")


@_lapack(SVD)
def _svd(node: Apply) -> str | None:
    """gesdd (as numpy.linalg.svd: jobz 'A', 'S' or 'N', the workspace LAPACK asks for) on
    a Fortran copy, in float64 (IN_DOUBLE); U and Vh come out Fortran-ordered. An empty
    matrix gives NumPy's results (identities where full_matrices asks for square ones)."""
    op: Any = node.op
    uv, full = bool(op.compute_uv), bool(op.full_matrices)
    s_out = 1 if uv else 0
    text = (
        """
    typedef void (*gesdd_t)(char*, int*, int*, @T@*, int*, @T@*, @T@*, int*, @T@*, int*,
                            @T@*, int*, int*, int*);
    static gesdd_t gesdd = NULL;
    char jobz = '@JOBZ@';
    PyArrayObject *a = (PyArrayObject*)in[0], *t;
    npy_intp m = PyArray_DIM(a, 0), n = PyArray_DIM(a, 1), k = m < n ? m : n;
    npy_intp ucol = @FULL@ ? m : k, vrow = @FULL@ ? n : k, i, dims[2];
    int im, in_, ldu, ldvt, lwork = -1, info = 0, *iwork;
    @T@ wq = 0, dummy = 0, *work, *up = &dummy, *vp = &dummy;"""
        + _INT_LENGTHS.replace("@COND@", "m > INT_MAX || n > INT_MAX")
        + """
    (void)ucol; (void)vrow; (void)i;
    dims[0] = k;
    *out[@S@] = PyArray_EMPTY(1, dims, @NUM@, 0);
    if (!*out[@S@]) return 0;
    if (@UV@) {
        dims[0] = m; dims[1] = ucol;
        *out[0] = PyArray_ZEROS(2, dims, @NUM@, 1);
        if (!*out[0]) return 0;
        dims[0] = vrow; dims[1] = n;
        *out[2] = PyArray_ZEROS(2, dims, @NUM@, 1);
        if (!*out[2]) return 0;
        up = (@T@*)PyArray_DATA((PyArrayObject*)*out[0]);
        vp = (@T@*)PyArray_DATA((PyArrayObject*)*out[2]);
        if (k == 0) {  /* NumPy: identities (the square factors of an empty matrix) */
            for (i = 0; i < m && i < ucol; ++i) up[i * (m + 1)] = 1;
            for (i = 0; i < n && i < vrow; ++i) vp[i * (vrow + 1)] = 1;
            return 1;
        }
    }
    if (k == 0) return 1;
    if (!gesdd && !(gesdd = (gesdd_t)@LAPACK@("@P@gesdd"))) return 0;
    t = (PyArrayObject*)@FCOPY@((PyObject*)a, @NUM@);
    if (!t) return 0;
    iwork = (int*)PyMem_Malloc((size_t)(8 * k) * sizeof(int));
    if (!iwork) { Py_DECREF(t); PyErr_NoMemory(); return 0; }
    im = (int)m; in_ = (int)n;
    ldu = @UV@ ? (int)m : 1; ldvt = @UV@ ? (int)vrow : 1;
    gesdd(&jobz, &im, &in_, (@T@*)PyArray_DATA(t), &im,
          (@T@*)PyArray_DATA((PyArrayObject*)*out[@S@]), up, &ldu, vp, &ldvt, &wq, &lwork,
          iwork, &info);  /* the workspace size */
    work = NULL;
    if (info == 0) {
        lwork = (int)wq > 1 ? (int)wq : 1;
        work = (@T@*)PyMem_Malloc((size_t)lwork * sizeof(@T@));
        if (!work) { PyMem_Free(iwork); Py_DECREF(t); PyErr_NoMemory(); return 0; }
        gesdd(&jobz, &im, &in_, (@T@*)PyArray_DATA(t), &im,
              (@T@*)PyArray_DATA((PyArrayObject*)*out[@S@]), up, &ldu, vp, &ldvt, work,
              &lwork, iwork, &info);
    }
    PyMem_Free(work);
    PyMem_Free(iwork);
    Py_DECREF(t);
    if (info != 0) goto bad;
    return 1;
"""
    )
    return (
        text.replace("@JOBZ@", ("A" if full else "S") if uv else "N")
        .replace("@FULL@", "1" if full else "0")
        .replace("@UV@", "1" if uv else "0")
        .replace("@S@", str(s_out))
    )


# The outputs of each QR mode, from the factored Fortran copy `fp` (m x n) and `tau`.
_QR_OUTPUTS = {
    "r": """
    dims[0] = k; dims[1] = n;
    *out[0] = PyArray_ZEROS(2, dims, @NUM@, 0);
    if (!*out[0]) goto fail;
    rp = (@T@*)PyArray_DATA((PyArrayObject*)*out[0]);
    for (i = 0; i < k; ++i) for (j = i; j < n; ++j) rp[i * n + j] = fp[j * m + i];""",
    "raw": """
    dims[0] = n; dims[1] = m;  /* NumPy: the factored matrix transposed, and tau */
    *out[0] = PyArray_EMPTY(2, dims, @NUM@, 0);
    if (!*out[0]) goto fail;
    if (m * n) memcpy(PyArray_DATA((PyArrayObject*)*out[0]), fp, (size_t)(m * n) * sizeof(@T@));
    dims[0] = k;
    *out[1] = PyArray_EMPTY(1, dims, @NUM@, 0);
    if (!*out[1]) goto fail;
    if (k) memcpy(PyArray_DATA((PyArrayObject*)*out[1]), tau, (size_t)k * sizeof(@T@));""",
    "q": """
    dims[0] = m; dims[1] = mc;
    *out[0] = PyArray_ZEROS(2, dims, @NUM@, 1);
    if (!*out[0]) goto fail;
    qp = (@T@*)PyArray_DATA((PyArrayObject*)*out[0]);
    if (k == 0) {
        for (i = 0; i < m && i < mc; ++i) qp[i * (m + 1)] = 1;
    } else {
        memcpy(qp, fp, (size_t)(m * k) * sizeof(@T@));
        if (!orgqr && !(orgqr = (orgqr_t)@LAPACK@("@P@orgqr"))) goto fail;
        imc = (int)mc; lwork = -1;
        orgqr(&im, &imc, &ik, qp, &im, tau, &wq, &lwork, &info);  /* the workspace size */
        if (info != 0) goto refused;
        lwork = (int)wq > imc ? (int)wq : (imc > 1 ? imc : 1);
        work = (@T@*)PyMem_Malloc((size_t)lwork * sizeof(@T@));
        if (!work) { PyErr_NoMemory(); goto fail; }
        orgqr(&im, &imc, &ik, qp, &im, tau, work, &lwork, &info);
        PyMem_Free(work); work = NULL;
        if (info != 0) goto refused;
    }
    dims[0] = mc; dims[1] = n;
    *out[1] = PyArray_ZEROS(2, dims, @NUM@, 0);
    if (!*out[1]) goto fail;
    rp = (@T@*)PyArray_DATA((PyArrayObject*)*out[1]);
    for (i = 0; i < mc && i < m; ++i) for (j = i; j < n; ++j) rp[i * n + j] = fp[j * m + i];""",
}


@_lapack(QR)
def _qr(node: Apply) -> str | None:
    """geqrf, then orgqr for Q, as numpy.linalg.qr (in float64, IN_DOUBLE): R is the upper
    triangle of the factored matrix; 'raw' returns it transposed, with tau."""
    op: Any = node.op
    outputs = _QR_OUTPUTS["q" if op.mode in ("reduced", "complete") else op.mode]
    text = (
        """
    typedef void (*geqrf_t)(int*, int*, @T@*, int*, @T@*, @T@*, int*, int*);
    typedef void (*orgqr_t)(int*, int*, int*, @T@*, int*, @T@*, @T@*, int*, int*);
    static geqrf_t geqrf = NULL;
    static orgqr_t orgqr = NULL;
    PyArrayObject *a = (PyArrayObject*)in[0], *t;
    npy_intp m = PyArray_DIM(a, 0), n = PyArray_DIM(a, 1), k = m < n ? m : n;
    npy_intp mc = (@COMPLETE@ && m > n) ? m : k, i, j, dims[2];
    int im = (int)m, in_ = (int)n, ik = (int)k, imc, lwork = -1, info = 0;
    @T@ wq = 0, *work = NULL, *fp, *tau, *qp, *rp;"""
        + _INT_LENGTHS.replace("@COND@", "m > INT_MAX || n > INT_MAX")
        + """
    (void)mc; (void)qp; (void)rp; (void)imc; (void)i; (void)j; (void)dims; (void)orgqr;
    t = (PyArrayObject*)@FCOPY@((PyObject*)a, @NUM@);
    if (!t) return 0;
    fp = (@T@*)PyArray_DATA(t);
    tau = (@T@*)PyMem_Malloc((size_t)(k > 1 ? k : 1) * sizeof(@T@));
    if (!tau) { Py_DECREF(t); PyErr_NoMemory(); return 0; }
    if (k > 0) {
        if (!geqrf && !(geqrf = (geqrf_t)@LAPACK@("@P@geqrf"))) goto fail;
        geqrf(&im, &in_, fp, &im, tau, &wq, &lwork, &info);  /* the workspace size */
        if (info != 0) goto refused;
        lwork = (int)wq > in_ ? (int)wq : (in_ > 1 ? in_ : 1);
        work = (@T@*)PyMem_Malloc((size_t)lwork * sizeof(@T@));
        if (!work) { PyErr_NoMemory(); goto fail; }
        geqrf(&im, &in_, fp, &im, tau, work, &lwork, &info);
        PyMem_Free(work); work = NULL;
        if (info != 0) goto refused;
    }"""
        + outputs
        + """
    PyMem_Free(tau);
    Py_DECREF(t);
    return 1;
fail:
    PyMem_Free(work); PyMem_Free(tau); Py_DECREF(t);
    return 0;
refused:
    PyMem_Free(work); PyMem_Free(tau); Py_DECREF(t);
    goto bad;
"""
    )
    return text.replace("@COMPLETE@", "1" if op.mode == "complete" else "0")
