"""Advanced indexing (integer arrays, masks) through NumPy's own C indexing machinery.

The key tuple is built in C from the index inputs; `PyObject_GetItem` /
`PyObject_SetItem` / `numpy.add.at` then check bounds, wrap negative indices, broadcast
the arrays and accumulate repeated increments, exactly as the reference does. Any error
re-raises the reference's own message (it names the indexed variable).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tensorgraft.compile_c.registry import (
    check_static,
    is_tensor,
    register,
    reraise_kernel,
    typenum,
)
from tensorgraft.compile_c.scalar import C_TYPES
from tensorgraft.graph.basic import Apply
from tensorgraft.tensor.indexing import AdvancedIncSubtensor, AdvancedSubtensor
from tensorgraft.tensor.indexing_key import ARRAY, INT, NEWAXIS, IndexEntry, SliceSpec

if TYPE_CHECKING:
    from tensorgraft.compile_c.codegen import Writer

# `tg_key(kinds, vals)`: the NumPy key. One char per entry: 'i' an integer, 'x' a new
# axis, 'a' an array or mask, '0'..'7' a slice (bits: start, stop, step given).
_KEY = r"""
static PyObject* @KERNEL@(const char* kinds, PyObject** vals)
{
    Py_ssize_t n = (Py_ssize_t)strlen(kinds), j, b;
    PyObject* key = PyTuple_New(n);
    if (!key) return NULL;
    for (j = 0; j < n; ++j) {
        PyObject* e;
        char c = kinds[j];
        if (c == 'i') e = PyNumber_Index(*vals++);
        else if (c == 'x') { e = Py_None; Py_INCREF(e); }
        else if (c == 'a') { e = *vals++; Py_INCREF(e); }
        else {
            PyObject* part[3] = {NULL, NULL, NULL};
            e = NULL;
            for (b = 0; b < 3; ++b)
                if ((c - '0') & (1 << b)) {
                    part[b] = PyNumber_Index(*vals++);
                    if (!part[b]) goto slice_done;
                }
            e = PySlice_New(part[0], part[1], part[2]);
        slice_done:
            for (b = 0; b < 3; ++b) Py_XDECREF(part[b]);
        }
        if (!e) { Py_DECREF(key); return NULL; }
        PyTuple_SET_ITEM(key, j, e);
    }
    return key;
}
"""


def _kinds(idx_list: tuple[IndexEntry, ...]) -> str:
    out = []
    for e in idx_list:
        if isinstance(e, SliceSpec):
            out.append(str(int(e.start) + 2 * int(e.stop) + 4 * int(e.step)))
        else:
            out.append("i" if e == INT else "x" if e == NEWAXIS else "a")
    return "".join(out)


@register(AdvancedSubtensor, any_dtype=True)
def _advanced_subtensor(w: Writer, k: int, node: Apply) -> list[str] | None:
    """`x[key]`: NumPy's mapping code on a key built in C; the result's type is checked."""
    op: Any = node.op
    out = node.outputs[0]
    key = w.kernel(_KEY)
    body = [
        "    PyObject* key;",
        "    int ok;",
        *_take(node),
        f'    key = {key}("{_kinds(op.idx_list)}", in + 1);',
        "    if (!key) goto bad;",
        "    *out[0] = PyObject_GetItem(in[0], key);",
        "    Py_DECREF(key);",
        "    if (!*out[0]) goto bad;",
        # A 0-d result comes back as a NumPy scalar: tg_array makes it an array.
        f"    ok = tg_array(out[0], {typenum(out.type.dtype)}, {out.type.ndim});",  # type: ignore[attr-defined]
        "    if (ok <= 0) goto bad;",
        *check_static(out, "*out[0]"),
        "    return 1;",
    ]
    return reraise_kernel(w, k, node, body)


# `x[idx]` for one integer vector `idx` on the first axis of a C-contiguous `x` (a take,
# an embedding lookup): whole rows copied, each index checked first.
_TAKE = r"""
    if (PyArray_IS_C_CONTIGUOUS((PyArrayObject*)in[0])) {
        PyArrayObject *x = (PyArrayObject*)in[0], *ix = (PyArrayObject*)in[1];
        npy_intp n = PyArray_DIM(ix, 0), n0 = PyArray_DIM(x, 0), is = PyArray_STRIDE(ix, 0);
        npy_intp dims[@ND@], row = PyArray_ITEMSIZE(x), j, i, d;
        char *dst, *ip = PyArray_BYTES(ix);
        for (j = 0; j < n; ++j) {
            i = (npy_intp)*(const @IT@*)(ip + j * is);
            if (i < -n0 || i >= n0) goto bad;
        }
        dims[0] = n;
        for (d = 1; d < @ND@; ++d) { dims[d] = PyArray_DIM(x, d); row *= dims[d]; }
        Py_INCREF(PyArray_DESCR(x));
        *out[0] = PyArray_NewFromDescr(&PyArray_Type, PyArray_DESCR(x), @ND@, dims, NULL, NULL,
                                       0, NULL);
        if (!*out[0]) return 0;
        dst = PyArray_BYTES((PyArrayObject*)*out[0]);
        /* One element a row (x a vector): a constant-size copy, which compiles to a move. */
#define TG_ROWS(size) \
            for (j = 0; j < n; ++j) { \
                i = (npy_intp)*(const @IT@*)(ip + j * is); \
                if (i < 0) i += n0; \
                memcpy(dst + j * row, PyArray_BYTES(x) + i * row, (size_t)(size)); \
            }
        if (row == 8) TG_ROWS(8)
        else if (row == 4) TG_ROWS(4)
        else if (row > 0) TG_ROWS(row)
#undef TG_ROWS
        return 1;
    }
"""


def _take(node: Apply) -> list[str]:
    """The row-copying loop of `x[idx]` (one integer vector) when it applies, else []."""
    op: Any = node.op
    x, *index = node.inputs
    if tuple(op.idx_list) != (ARRAY,) or len(index) != 1:
        return []
    (ix,) = index
    dtype = ix.type.dtype  # type: ignore[attr-defined]
    if ix.type.ndim != 1 or dtype not in C_TYPES or dtype in ("uint64", "bool"):  # type: ignore[attr-defined]
        return []
    nd = x.type.ndim  # type: ignore[attr-defined]
    return _TAKE.replace("@ND@", str(nd)).replace("@IT@", C_TYPES[dtype]).strip("\n").split("\n")


_ADD_AT = r"""
static PyObject* tg_add_at;  /* numpy.add.at, looked up once */
"""


@register(AdvancedIncSubtensor, any_dtype=True)
def _advanced_inc_subtensor(w: Writer, k: int, node: Apply) -> list[str] | None:
    """`x` with `x[key] = v` (NumPy's assignment) or `numpy.add.at(x, key, v)`, into `x`
    itself when in place (destroy map) and writeable, else into a copy."""
    op: Any = node.op
    fast = _take_inc(w, k, node)
    if fast is not None:
        return fast
    key = w.kernel(_KEY)
    if op.set_instead_of_inc:
        write = ["    if (PyObject_SetItem((PyObject*)a, key, in[1]) < 0) goto release;"]
    else:
        write = [
            "    if (!tg_add_at) {",
            '        PyObject* np = PyImport_ImportModule("numpy"), *add;',
            "        if (!np) goto release;",
            '        add = PyObject_GetAttrString(np, "add");',
            "        Py_DECREF(np);",
            "        if (!add) goto release;",
            '        tg_add_at = PyObject_GetAttrString(add, "at");',
            "        Py_DECREF(add);",
            "        if (!tg_add_at) goto release;",
            "    }",
            "    r = PyObject_CallFunctionObjArgs(tg_add_at, (PyObject*)a, key, in[1], NULL);",
            "    if (!r) goto release;",
            "    Py_DECREF(r);",
        ]
    own = "if (PyArray_ISWRITEABLE(x)) { a = x; Py_INCREF(a); } else " if op.inplace else ""
    body = [
        "    PyArrayObject* x = (PyArrayObject*)in[0];",
        "    PyArrayObject* a;",
        "    PyObject *key, *r;",
        "    (void)r;",
        f"    {own}a = (PyArrayObject*)PyArray_NewCopy(x, NPY_KEEPORDER);",
        "    if (!a) return 0;",
        f'    key = {key}("{_kinds(op.idx_list)}", in + 2);',
        "    if (!key) { Py_DECREF(a); goto bad; }",
        *write,
        "    Py_DECREF(key);",
        "    *out[0] = (PyObject*)a;",
        "    return 1;",
        "release:",
        "    Py_DECREF(key);",
        "    Py_DECREF(a);",
        "    goto bad;",
    ]
    if not op.set_instead_of_inc:
        w.kernel(_ADD_AT)  # the static variable, written once per module
    return reraise_kernel(w, k, node, body)


# `x[idx] += v` for one integer vector `idx` on the first axis (the gradient of `x[idx]`,
# e.g. an embedding lookup): a loop, where numpy.add.at goes row by row through its
# generic machinery. Indices are all checked before anything is written.
_TAKE_INC = r"""
    PyArrayObject *x = (PyArrayObject*)in[0], *v = (PyArrayObject*)in[1];
    PyArrayObject *ix = (PyArrayObject*)in[2], *a, *vc = NULL;
    npy_intp n = PyArray_DIM(ix, 0), n0 = PyArray_DIM(x, 0), is = PyArray_STRIDE(ix, 0);
    npy_intp j, i, d, t, e, m, sa, sv, count = 1, vstep, vs[@ND@], cnt[@ND@];
    char *pa, *pv, *ip = PyArray_BYTES(ix);
    if (PyArray_DIM(v, 0) != 1 && PyArray_DIM(v, 0) != n) goto bad;
    for (d = 1; d < @ND@; ++d)
        if (PyArray_DIM(v, d) != 1 && PyArray_DIM(v, d) != PyArray_DIM(x, d)) goto bad;
    for (j = 0; j < n; ++j) {
        i = (npy_intp)*(const @IT@*)(ip + j * is);
        if (i < -n0 || i >= n0) goto bad;
    }
    @OWN@a = (PyArrayObject*)PyArray_NewCopy(x, NPY_KEEPORDER);
    if (!a) return 0;
    if (a == x && tg_overlap(a, v)) {  /* v reads what the loop writes: read a copy */
        vc = (PyArrayObject*)PyArray_NewCopy(v, NPY_KEEPORDER);
        if (!vc) { Py_DECREF(a); return 0; }
        v = vc;
    }
    for (d = 1; d < @ND@; ++d) {
        vs[d] = PyArray_DIM(v, d) == 1 ? 0 : PyArray_STRIDE(v, d);
        if (d < @ND@ - 1) count *= PyArray_DIM(a, d);
        cnt[d] = 0;
    }
    /* Rows: the last axis is the inner loop (one element when x is a vector). */
    m = @ND@ > 1 ? PyArray_DIM(a, @ND@ - 1) : 1;
    sa = @ND@ > 1 ? PyArray_STRIDE(a, @ND@ - 1) : 0;
    sv = @ND@ > 1 ? vs[@ND@ - 1] : 0;
    vstep = PyArray_DIM(v, 0) == 1 ? 0 : PyArray_STRIDE(v, 0);
    for (j = 0; j < n && @ND@ == 1; ++j) {  /* x a vector: one element a row */
        @T@* dst;
        const @T@* src = (const @T@*)(PyArray_BYTES(v) + j * vstep);
        i = (npy_intp)*(const @IT@*)(ip + j * is);
        if (i < 0) i += n0;
        dst = (@T@*)(PyArray_BYTES(a) + i * PyArray_STRIDE(a, 0));
        *dst = @ADD@;
    }
    for (j = 0; j < n && @ND@ > 1; ++j) {
        i = (npy_intp)*(const @IT@*)(ip + j * is);
        if (i < 0) i += n0;
        pa = PyArray_BYTES(a) + i * PyArray_STRIDE(a, 0);
        pv = PyArray_BYTES(v) + j * vstep;
        for (t = 0; t < count; ++t) {
            for (e = 0; e < m; ++e) {
                @T@* dst = (@T@*)(pa + e * sa);
                const @T@* src = (const @T@*)(pv + e * sv);
                *dst = @ADD@;
            }
            for (d = @ND@ - 2; d >= 1; --d) {  /* the next row */
                pa += PyArray_STRIDE(a, d); pv += vs[d];
                if (++cnt[d] < PyArray_DIM(a, d)) break;
                pa -= PyArray_STRIDE(a, d) * PyArray_DIM(a, d);
                pv -= vs[d] * PyArray_DIM(a, d);
                cnt[d] = 0;
            }
        }
    }
    Py_XDECREF(vc);
    *out[0] = (PyObject*)a;
    return 1;
"""

# Whether the memory spans of two arrays intersect (a conservative overlap test).
_OVERLAP = r"""
static void tg_span(PyArrayObject* a, char** lo, char** hi)
{
    int d;
    *lo = *hi = PyArray_BYTES(a);
    for (d = 0; d < PyArray_NDIM(a); ++d) {
        npy_intp ext = (PyArray_DIM(a, d) - 1) * PyArray_STRIDE(a, d);
        if (PyArray_DIM(a, d) == 0) return;
        if (ext < 0) *lo += ext; else *hi += ext;
    }
    *hi += PyArray_ITEMSIZE(a);
}

static int tg_overlap(PyArrayObject* a, PyArrayObject* b)
{
    char *alo, *ahi, *blo, *bhi;
    tg_span(a, &alo, &ahi);
    tg_span(b, &blo, &bhi);
    return alo < bhi && blo < ahi;
}
"""


def _take_inc(w: Writer, k: int, node: Apply) -> list[str] | None:
    """The loop for `inc_subtensor(x[idx], v)` with one integer vector `idx`, or None."""
    op: Any = node.op
    x, v, *index = node.inputs
    if op.set_instead_of_inc or tuple(op.idx_list) != (ARRAY,) or len(index) != 1:
        return None
    (ix,) = index
    nd = x.type.ndim  # type: ignore[attr-defined]
    ok = all(is_tensor(var) for var in node.inputs) and ix.type.dtype != "uint64"  # type: ignore[attr-defined]
    if not ok or ix.type.ndim != 1 or v.type.ndim != nd:  # type: ignore[attr-defined]
        return None
    dtype = x.type.dtype  # type: ignore[attr-defined]
    add = "(*dst || *src)" if dtype == "bool" else "*dst + *src"
    w.kernel(_OVERLAP)
    own = "if (PyArray_ISWRITEABLE(x)) { a = x; Py_INCREF(a); } else " if op.inplace else ""
    text = (
        _TAKE_INC.replace("@ADD@", add)
        .replace("@OWN@", own)
        .replace("@T@", C_TYPES[dtype])
        .replace("@IT@", C_TYPES[ix.type.dtype])  # type: ignore[attr-defined]
        .replace("@ND@", str(nd))
    )
    return reraise_kernel(w, k, node, text.strip("\n").split("\n"))
