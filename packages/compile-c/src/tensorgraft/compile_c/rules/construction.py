"""Alloc and Join through NumPy's C API, after checking the lengths."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tensorgraft.compile_c.registry import (
    RERAISE,
    register,
)
from tensorgraft.compile_c.scalar import C_TYPES
from tensorgraft.graph.basic import Apply
from tensorgraft.tensor.construction import Alloc, Join

if TYPE_CHECKING:
    from tensorgraft.compile_c.codegen import Writer


@register(Alloc)
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


@register(Join)
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
