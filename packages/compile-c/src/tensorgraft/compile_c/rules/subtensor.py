"""Basic indexing as views."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tensorgraft.compile_c.registry import (
    KERNEL,
    RERAISE,
    call_kernel,
    register,
)
from tensorgraft.compile_c.scalar import C_TYPES
from tensorgraft.graph.basic import Apply
from tensorgraft.tensor.indexing_key import INT, SliceSpec
from tensorgraft.tensor.subtensor import Subtensor

if TYPE_CHECKING:
    from tensorgraft.compile_c.codegen import Writer


@register(Subtensor)
def _subtensor(w: Writer, k: int, node: Apply) -> list[str] | None:
    """`x[i, a:b:c]` as a view: Python's slice rules (PySlice_AdjustIndices), bounds checked."""
    op: Any = node.op
    x, *index = node.inputs
    nd = x.type.ndim  # type: ignore[attr-defined]
    n_out = node.outputs[0].type.ndim  # type: ignore[attr-defined]
    if any(e != INT and not isinstance(e, SliceSpec) for e in op.idx_list):
        return None
    values = iter(range(1, len(node.inputs)))

    def read(p: int) -> str:
        t = C_TYPES[index[p - 1].type.dtype]  # type: ignore[attr-defined]
        return f"(Py_ssize_t)*(const {t}*)PyArray_DATA((PyArrayObject*)in[{p}])"

    lines = [
        f"static int {KERNEL}(PyObject* fail, Py_ssize_t node, PyObject** in, PyObject*** out)",
        "{",
        "    PyArrayObject* a = (PyArrayObject*)in[0];",
        f"    npy_intp dims[{max(n_out, 1)}], strides[{max(n_out, 1)}], n;",
        "    Py_ssize_t i, start, stop, step;",
        "    char* data = PyArray_BYTES(a);",
        "    PyArray_Descr* descr;",
        "    (void)i; (void)start; (void)stop; (void)step;",
    ]
    j = 0
    for axis, entry in enumerate(op.idx_list):
        lines.append(f"    n = PyArray_DIM(a, {axis});")
        if entry == INT:
            lines += [
                f"    i = {read(next(values))};",
                "    if (i < 0) i += n;",
                "    if (i < 0 || i >= n) goto bad;",
                f"    data += i * PyArray_STRIDE(a, {axis});",
            ]
            continue
        start = read(next(values)) if entry.start else None
        stop = read(next(values)) if entry.stop else None
        step = read(next(values)) if entry.step else "1"
        lines += [
            f"    step = {step};",
            "    if (step == 0) goto bad;",
            "    if (step < -PY_SSIZE_T_MAX) step = -PY_SSIZE_T_MAX;  /* as PySlice_Unpack */",
            f"    start = {start or '(step > 0 ? 0 : PY_SSIZE_T_MAX)'};",
            f"    stop = {stop or '(step > 0 ? PY_SSIZE_T_MAX : PY_SSIZE_T_MIN)'};",
            f"    dims[{j}] = PySlice_AdjustIndices(n, &start, &stop, step);",
            f"    strides[{j}] = PyArray_STRIDE(a, {axis}) * step;",
            f"    if (dims[{j}] > 0) data += start * PyArray_STRIDE(a, {axis});",
        ]
        j += 1
    for axis in range(len(op.idx_list), nd):
        lines.append(
            f"    dims[{j}] = PyArray_DIM(a, {axis}); strides[{j}] = PyArray_STRIDE(a, {axis});"
        )
        j += 1
    assert j == n_out
    lines += [
        "    descr = PyArray_DESCR(a); Py_INCREF(descr);",
        f"    *out[0] = PyArray_NewFromDescr(&PyArray_Type, descr, {n_out}, dims, strides, data,",
        "        PyArray_FLAGS(a) & NPY_ARRAY_WRITEABLE, NULL);",
        "    if (!*out[0]) return 0;",
        "    Py_INCREF(a);",
        "    if (PyArray_SetBaseObject((PyArrayObject*)*out[0], (PyObject*)a) < 0) return 0;",
        "    return 1;",
        "bad:",
        f"    tg_fail_arrays(fail, {RERAISE}, node, {len(node.inputs)}, "
        + ", ".join(f"in[{p}]" for p in range(len(node.inputs)))
        + ");",
        "    return 0;",
        "}",
    ]
    name = w.kernel("\n".join(lines))
    return call_kernel(w, name, k, node)
