"""Construction ops: Alloc, Join, Split, Repeat, ARange, Eye and the diagonal ops, as C
loops or NumPy's C API after checking the lengths (bad lengths re-raise the reference's
error, which names the user's variables)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tensorgraft.compile_c.registry import (
    RERAISE,
    check_static,
    read_index,
    register,
    reraise_kernel,
    typenum,
)
from tensorgraft.compile_c.scalar import C_TYPES
from tensorgraft.graph.basic import Apply
from tensorgraft.tensor.construction import (
    Alloc,
    AllocDiag,
    ARange,
    ExtractDiag,
    Eye,
    Join,
    Repeat,
    Split,
)

if TYPE_CHECKING:
    from tensorgraft.compile_c.codegen import Writer


@register(Alloc, any_dtype=True)
def _alloc(w: Writer, k: int, node: Apply) -> list[str] | None:
    """`value` broadcast to the shape inputs: lengths and broadcasting checked, NumPy copies."""
    value, *lengths = node.inputs
    n, vd = len(lengths), value.type.ndim  # type: ignore[attr-defined]
    if vd > n:
        return None
    ins = ", ".join(f"v[{w.slot[i]}]" for i in node.inputs)
    lines = [
        "    {",
        f"        PyObject* in[{n + 1}] = {{{ins}}};",
        "        PyArrayObject* a = (PyArrayObject*)in[0];",
        f"        npy_intp shape[{max(n, 1)}];",
        "        int bad = 0;",
    ]
    for d, var in enumerate(lengths):
        t = C_TYPES[var.type.dtype]  # type: ignore[attr-defined]
        lines.append(
            f"        shape[{d}] = (npy_intp)*(const {t}*)"
            f"PyArray_DATA((PyArrayObject*)in[{d + 1}]); if (shape[{d}] < 0) bad = 1;"
        )
    for d in range(vd):
        lines.append(
            f"        if (PyArray_DIM(a, {d}) != 1 && PyArray_DIM(a, {d}) != shape[{n - vd + d}]) "
            "bad = 1;"
        )
    dst = w.slot[node.outputs[0]]
    lines += [
        "        if (bad) {",
        f"            tg_fail_arrays(fail, {RERAISE}, {k}, {n + 1}, "
        + ", ".join(f"in[{p}]" for p in range(n + 1))
        + ");",
        "            goto done;",
        "        }",
        f"        v[{dst}] = PyArray_EMPTY({n}, shape, PyArray_TYPE(a), 0);",
        f"        if (!v[{dst}]) goto done;",
        f"        if (PyArray_CopyInto((PyArrayObject*)v[{dst}], a) < 0) goto done;",
        "    }",
    ]
    return lines


@register(Join, any_dtype=True)
def _join(w: Writer, k: int, node: Apply) -> list[str] | None:
    """numpy.concatenate through the C API (lengths off the axis checked first)."""
    op: Any = node.op
    out = node.outputs[0]
    if any(i.type.dtype != out.type.dtype for i in node.inputs):  # type: ignore[attr-defined]
        return None
    n, nd = len(node.inputs), out.type.ndim  # type: ignore[attr-defined]
    ins = ", ".join(f"v[{w.slot[i]}]" for i in node.inputs)
    dst = w.slot[out]
    same = (
        " || ".join(
            f"PyArray_DIM((PyArrayObject*)in[j], {d}) != PyArray_DIM((PyArrayObject*)in[0], {d})"
            for d in range(nd)
            if d != op.axis
        )
        or "0"
    )
    return [
        "    {",
        f"        PyObject* in[{n}] = {{{ins}}};",
        "        PyObject* t;",
        "        int j, bad = 0;",
        f"        for (j = 1; j < {n}; ++j) if ({same}) bad = 1;",
        "        if (bad) {",
        f"            tg_fail_arrays(fail, {RERAISE}, {k}, {n}, "
        + ", ".join(f"in[{p}]" for p in range(n))
        + ");",
        "            goto done;",
        "        }",
        f"        t = PyTuple_New({n});",
        "        if (!t) goto done;",
        f"        for (j = 0; j < {n}; ++j) {{ Py_INCREF(in[j]); PyTuple_SET_ITEM(t, j, in[j]); }}",
        f"        v[{dst}] = PyArray_Concatenate(t, {op.axis});",
        "        Py_DECREF(t);",
        f"        if (!v[{dst}]) goto done;",
        "    }",
    ]


@register(Split, any_dtype=True)
def _split(w: Writer, k: int, node: Apply) -> list[str] | None:
    """Pieces of `x` along the axis: sizes checked (>= 0, adding up), each piece a copy
    (the op has no view map, so no output may alias `x`)."""
    op: Any = node.op
    x = node.inputs[0]
    nd = x.type.ndim  # type: ignore[attr-defined]
    body = [
        "    PyArrayObject* a = (PyArrayObject*)in[0];",
        "    PyArrayObject* s = (PyArrayObject*)in[1];",
        f"    npy_intp dims[{nd}], total = 0, size, j;",
        "    char* data = PyArray_BYTES(a);",
        f"    if (PyArray_DIM(s, 0) != {op.n_splits}) goto bad;",
        f"    for (j = 0; j < {op.n_splits}; ++j) {{",
        "        size = *(const npy_int64*)(PyArray_BYTES(s) + j * PyArray_STRIDE(s, 0));",
        "        if (size < 0 || size > PyArray_DIM(a, " + str(op.axis) + ") - total) goto bad;",
        "        total += size;",
        "    }",
        f"    if (total != PyArray_DIM(a, {op.axis})) goto bad;",
        f"    for (j = 0; j < {nd}; ++j) dims[j] = PyArray_DIM(a, (int)j);",
        f"    for (j = 0; j < {op.n_splits}; ++j) {{",
        "        PyObject* view;",
        "        size = *(const npy_int64*)(PyArray_BYTES(s) + j * PyArray_STRIDE(s, 0));",
        f"        dims[{op.axis}] = size;",
        "        Py_INCREF(PyArray_DESCR(a));",
        f"        view = PyArray_NewFromDescr(&PyArray_Type, PyArray_DESCR(a), {nd}, dims,",
        "            PyArray_STRIDES(a), data, 0, NULL);",
        "        if (!view) return 0;",
        "        Py_INCREF(a);",
        "        if (PyArray_SetBaseObject((PyArrayObject*)view, (PyObject*)a) < 0) {",
        "            Py_DECREF(view); return 0; }",
        "        *out[j] = PyArray_NewCopy((PyArrayObject*)view, NPY_KEEPORDER);",
        "        Py_DECREF(view);",
        "        if (!*out[j]) return 0;",
        f"        if (size > 0) data += size * PyArray_STRIDE(a, {op.axis});",
        "    }",
        "    return 1;",
    ]
    return reraise_kernel(w, k, node, body)


@register(Repeat, any_dtype=True)
def _repeat(w: Writer, k: int, node: Apply) -> list[str] | None:
    """numpy.repeat through PyArray_Repeat (it checks the counts: one, or one per element,
    none negative)."""
    op: Any = node.op
    body = [
        f"    *out[0] = PyArray_Repeat((PyArrayObject*)in[0], in[1], {op.axis});",
        "    if (!*out[0]) goto bad;",
        *check_static(node.outputs[0], "*out[0]"),
        "    return 1;",
    ]
    return reraise_kernel(w, k, node, body)


@register(ARange)
def _arange(w: Writer, k: int, node: Apply) -> list[str] | None:
    """numpy.arange through PyArray_ArangeObj: NumPy's length rule and dtype handling."""
    out = node.outputs[0]
    body = [
        f"    PyArray_Descr* d = PyArray_DescrFromType({typenum(out.type.dtype)});",  # type: ignore[attr-defined]
        "    if (!d) return 0;",
        "    if (PyObject_Not(in[2]) != 0) { Py_DECREF(d); goto bad; }  /* a zero step */",
        "    *out[0] = PyArray_ArangeObj(in[0], in[1], in[2], d);",
        "    Py_DECREF(d);",
        "    if (!*out[0]) goto bad;",
        *check_static(out, "*out[0]"),
        "    return 1;",
    ]
    return reraise_kernel(w, k, node, body)


@register(Eye)
def _eye(w: Writer, k: int, node: Apply) -> list[str] | None:
    """Zeros with ones on diagonal k (numpy.eye); negative lengths re-raise."""
    n, m, off = node.inputs
    t = C_TYPES[node.outputs[0].type.dtype]  # type: ignore[attr-defined]
    body = [
        f"    npy_intp dims[2] = {{{read_index(n, 'in[0]')}, {read_index(m, 'in[1]')}}};",
        f"    npy_intp off = {read_index(off, 'in[2]')}, i, r0, c0;",
        f"    {t}* out_data;",
        "    if (dims[0] < 0 || dims[1] < 0) goto bad;",
        f"    *out[0] = PyArray_ZEROS(2, dims, {typenum(node.outputs[0].type.dtype)}, 0);",  # type: ignore[attr-defined]
        "    if (!*out[0]) return 0;",
        f"    out_data = ({t}*)PyArray_DATA((PyArrayObject*)*out[0]);",
        # The diagonal starts at (r0, c0) and runs while both stay in range.
        "    r0 = off < 0 ? -off : 0; c0 = off > 0 ? off : 0;",
        "    if (r0 < dims[0] && c0 < dims[1])",
        "        for (i = 0; r0 + i < dims[0] && c0 + i < dims[1]; ++i)",
        f"            out_data[(r0 + i) * dims[1] + c0 + i] = ({t})1;",
        "    return 1;",
    ]
    return reraise_kernel(w, k, node, body)


@register(AllocDiag, any_dtype=True)
def _alloc_diag(w: Writer, k: int, node: Apply) -> list[str] | None:
    """A zero square matrix with the vector on diagonal `offset` (numpy.diag)."""
    op: Any = node.op
    r0, c0 = max(0, -op.offset), max(0, op.offset)
    body = [
        "    PyArrayObject* v = (PyArrayObject*)in[0];",
        "    npy_intp n = PyArray_DIM(v, 0), dims[2], i, isz = PyArray_ITEMSIZE(v);",
        "    char* dst;",
        f"    dims[0] = dims[1] = n + {abs(op.offset)};",
        "    *out[0] = PyArray_ZEROS(2, dims, PyArray_TYPE(v), 0);",
        "    if (!*out[0]) return 0;",
        f"    dst = PyArray_BYTES((PyArrayObject*)*out[0]) + ({r0} * dims[1] + {c0}) * isz;",
        "    for (i = 0; i < n; ++i)",
        "        memcpy(dst + i * (dims[1] + 1) * isz,",
        "               PyArray_BYTES(v) + i * PyArray_STRIDE(v, 0), (size_t)isz);",
        "    return 1;",
    ]
    return reraise_kernel(w, k, node, body)


@register(ExtractDiag, any_dtype=True)
def _extract_diag(w: Writer, k: int, node: Apply) -> list[str] | None:
    """numpy.diagonal (a view), copied: the op has no view map."""
    op: Any = node.op
    body = [
        "    PyObject* view = PyArray_Diagonal((PyArrayObject*)in[0], "
        f"{op.offset}, {op.axis1}, {op.axis2});",
        "    if (!view) goto bad;",
        "    *out[0] = PyArray_NewCopy((PyArrayObject*)view, NPY_CORDER);",
        "    Py_DECREF(view);",
        "    if (!*out[0]) return 0;",
        "    return 1;",
    ]
    return reraise_kernel(w, k, node, body)
