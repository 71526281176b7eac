"""Sort and ArgSort through NumPy's C sorts (stable: ties keep their order, NaNs last)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tensorgraft.compile_c.registry import register, reraise_kernel
from tensorgraft.graph.basic import Apply
from tensorgraft.tensor.sort import ArgSort, Sort

if TYPE_CHECKING:
    from tensorgraft.compile_c.codegen import Writer


@register(Sort, any_dtype=True)
def _sort(w: Writer, k: int, node: Apply) -> list[str] | None:
    """A C-ordered copy of `x`, sorted in place along the axis by NumPy's stable sort."""
    op: Any = node.op
    body = [
        "    *out[0] = PyArray_NewCopy((PyArrayObject*)in[0], NPY_CORDER);",
        "    if (!*out[0]) return 0;",
        f"    if (PyArray_Sort((PyArrayObject*)*out[0], {op.axis}, NPY_STABLESORT) < 0) goto bad;",
        "    return 1;",
    ]
    return reraise_kernel(w, k, node, body)


@register(ArgSort, any_dtype=True)
def _argsort(w: Writer, k: int, node: Apply) -> list[str] | None:
    """NumPy's stable argsort (a merge or radix sort), as int64."""
    op: Any = node.op
    body = [
        f"    *out[0] = PyArray_ArgSort((PyArrayObject*)in[0], {op.axis}, NPY_STABLESORT);",
        "    if (!*out[0]) goto bad;",
        # intp is int64 on 64-bit platforms; elsewhere cast it.
        "    if (PyArray_TYPE((PyArrayObject*)*out[0]) != NPY_INT64) {",
        "        PyObject* c = PyArray_Cast((PyArrayObject*)*out[0], NPY_INT64);",
        "        if (!c) goto bad;",
        "        Py_SETREF(*out[0], c);",
        "    }",
        "    return 1;",
    ]
    return reraise_kernel(w, k, node, body)
