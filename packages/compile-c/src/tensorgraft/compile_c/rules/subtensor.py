"""Basic indexing as views, and writing through a basic index (IncSubtensor)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from tensorgraft.compile_c.registry import (
    read_index,
    register,
    reraise_kernel,
)
from tensorgraft.graph.basic import Apply, Variable
from tensorgraft.tensor.indexing_key import INT, IndexEntry, SliceSpec
from tensorgraft.tensor.subtensor import IncSubtensor, Subtensor

if TYPE_CHECKING:
    from tensorgraft.compile_c.codegen import Writer


def _basic(idx_list: Sequence[IndexEntry]) -> bool:
    return all(e == INT or isinstance(e, SliceSpec) for e in idx_list)


def view_lines(
    idx_list: Sequence[IndexEntry],
    index: Sequence[Variable],
    first: int,
    nd: int,
    n_out: int,
    bad: str = "goto bad;",
) -> list[str]:
    """C computing `dims`, `strides` and `data` of the view `a[idx]` of the array `a`.

    The index values are `in[first]`, `in[first + 1]`, ...; Python's slice rules
    (PySlice_AdjustIndices); an integer out of range or a zero step runs `bad`.
    Declares its locals.
    """
    values = iter(range(first, first + len(index)))

    def read() -> str:
        p = next(values)
        return read_index(index[p - first], f"in[{p}]")

    lines = [
        f"    npy_intp dims[{max(n_out, 1)}], strides[{max(n_out, 1)}], n;",
        "    Py_ssize_t i, start, stop, step;",
        "    char* data = PyArray_BYTES(a);",
        "    (void)i; (void)start; (void)stop; (void)step; (void)n;",
    ]
    j = 0
    for axis, entry in enumerate(idx_list):
        lines.append(f"    n = PyArray_DIM(a, {axis});")
        if entry == INT:
            lines += [
                f"    i = {read()};",
                "    if (i < 0) i += n;",
                f"    if (i < 0 || i >= n) {bad}",
                f"    data += i * PyArray_STRIDE(a, {axis});",
            ]
            continue
        assert isinstance(entry, SliceSpec)
        start = read() if entry.start else None
        stop = read() if entry.stop else None
        step = read() if entry.step else "1"
        lines += [
            f"    step = {step};",
            f"    if (step == 0) {bad}",
            "    if (step < -PY_SSIZE_T_MAX) step = -PY_SSIZE_T_MAX;  /* as PySlice_Unpack */",
            f"    start = {start or '(step > 0 ? 0 : PY_SSIZE_T_MAX)'};",
            f"    stop = {stop or '(step > 0 ? PY_SSIZE_T_MAX : PY_SSIZE_T_MIN)'};",
            f"    dims[{j}] = PySlice_AdjustIndices(n, &start, &stop, step);",
            f"    strides[{j}] = PyArray_STRIDE(a, {axis}) * step;",
            f"    if (dims[{j}] > 0) data += start * PyArray_STRIDE(a, {axis});",
        ]
        j += 1
    for axis in range(len(idx_list), nd):
        lines.append(
            f"    dims[{j}] = PyArray_DIM(a, {axis}); strides[{j}] = PyArray_STRIDE(a, {axis});"
        )
        j += 1
    assert j == n_out
    return lines


def make_view(target: str, n_out: int, fail: str = "return 0;") -> list[str]:
    """C setting `target` to a new view of `a` from `dims`, `strides`, `data`; `fail` runs
    on an error (with `target` NULL or a reference to release)."""
    return [
        "    Py_INCREF(PyArray_DESCR(a));",
        f"    {target} = PyArray_NewFromDescr(&PyArray_Type, PyArray_DESCR(a), {n_out}, dims,",
        "        strides, data, PyArray_FLAGS(a) & NPY_ARRAY_WRITEABLE, NULL);",
        f"    if (!{target}) {fail}",
        "    Py_INCREF(a);",
        f"    if (PyArray_SetBaseObject((PyArrayObject*){target}, (PyObject*)a) < 0) {fail}",
    ]


@register(Subtensor, any_dtype=True)
def _subtensor(w: Writer, k: int, node: Apply) -> list[str] | None:
    """`x[i, a:b:c]` as a view: Python's slice rules, integer indices checked."""
    op: Any = node.op
    x, *index = node.inputs
    n_out = node.outputs[0].type.ndim  # type: ignore[attr-defined]
    if not _basic(op.idx_list):
        return None
    body = [
        "    PyArrayObject* a = (PyArrayObject*)in[0];",
        *view_lines(op.idx_list, index, 1, x.type.ndim, n_out),  # type: ignore[attr-defined]
        *make_view("*out[0]", n_out),
        "    return 1;",
    ]
    return reraise_kernel(w, k, node, body)


@register(IncSubtensor, any_dtype=True)
def _inc_subtensor(w: Writer, k: int, node: Apply) -> list[str] | None:
    """`x` with `x[idx]` set to, or incremented by, `v` (broadcast): written into a view.

    In place (destroy map) the view is of `x` itself, unless `x` is read-only; otherwise
    of a copy of `x`. NumPy's CopyInto / in-place add broadcast `v` and handle overlap.
    """
    op: Any = node.op
    x, _, *index = node.inputs
    if not _basic(op.idx_list):
        return None
    nd = x.type.ndim  # type: ignore[attr-defined]
    n_out = nd - sum(1 for e in op.idx_list if e == INT)
    write = (
        ["    if (PyArray_CopyInto((PyArrayObject*)view, (PyArrayObject*)in[1]) < 0) goto bad;"]
        if op.set_instead_of_inc
        else [
            "    r = PyNumber_InPlaceAdd(view, in[1]);",
            "    if (!r) goto bad;",
            "    Py_DECREF(r);",
        ]
    )
    # In place: write into x itself (unless it is read-only); else into a copy.
    own = "if (PyArray_ISWRITEABLE(x)) { a = x; Py_INCREF(a); } else " if op.inplace else ""
    body = [
        "    PyArrayObject* x = (PyArrayObject*)in[0];",
        "    PyArrayObject* a;",
        "    PyObject *r = NULL, *view = NULL;",
        f"    {own}a = (PyArrayObject*)PyArray_NewCopy(x, NPY_KEEPORDER);",
        "    if (!a) return 0;",
        "    (void)r;",
        "    {",
        *view_lines(op.idx_list, index, 2, nd, n_out, "goto bad;"),
        *make_view("view", n_out, "goto error;"),
        "    }",
        *write,
        "    Py_DECREF(view);",
        "    *out[0] = (PyObject*)a;",
        "    return 1;",
        "error:",
        "    Py_XDECREF(view);",
        "    Py_DECREF(a);",
        "    return 0;",
    ]
    # `bad` (index out of range, value not broadcastable) must release them too.
    body = [
        line.replace("goto bad;", "{ Py_XDECREF(view); Py_DECREF(a); goto bad; }") for line in body
    ]
    return reraise_kernel(w, k, node, body)
