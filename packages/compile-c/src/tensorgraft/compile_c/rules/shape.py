"""Shape queries, Reshape and SpecifyShape."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tensorgraft.compile_c.registry import (
    RERAISE,
    register,
)
from tensorgraft.compile_c.scalar import C_TYPES
from tensorgraft.graph.basic import Apply
from tensorgraft.tensor.shape import Reshape, Shape, ShapeI, SpecifyShape

if TYPE_CHECKING:
    from tensorgraft.compile_c.codegen import Writer


@register(ShapeI, any_dtype=True)
def _shape_i(w: Writer, k: int, node: Apply) -> list[str] | None:
    op: Any = node.op
    src, dst = w.slot[node.inputs[0]], w.slot[node.outputs[0]]
    return [
        f"    v[{dst}] = PyArray_EMPTY(0, NULL, NPY_INT64, 0);",
        f"    if (!v[{dst}]) goto done;",
        f"    *(npy_int64*)PyArray_DATA((PyArrayObject*)v[{dst}]) = "
        f"PyArray_DIM((PyArrayObject*)v[{src}], {op.i});",
    ]


@register(Shape, any_dtype=True)
def _shape(w: Writer, k: int, node: Apply) -> list[str] | None:
    src, dst = w.slot[node.inputs[0]], w.slot[node.outputs[0]]
    nd = node.inputs[0].type.ndim  # type: ignore[attr-defined]
    return [
        "    {",
        f"        npy_intp n = {nd}, d;",
        f"        v[{dst}] = PyArray_EMPTY(1, &n, NPY_INT64, 0);",
        f"        if (!v[{dst}]) goto done;",
        "        for (d = 0; d < n; ++d)",
        f"            ((npy_int64*)PyArray_DATA((PyArrayObject*)v[{dst}]))[d] = "
        f"PyArray_DIM((PyArrayObject*)v[{src}], (int)d);",
        "    }",
    ]


@register(Reshape, any_dtype=True)
def _reshape(w: Writer, k: int, node: Apply) -> list[str] | None:
    """NumPy's own reshape (a view where the layout allows, else a copy)."""
    op: Any = node.op
    x, shape = node.inputs
    t = C_TYPES[shape.type.dtype]  # type: ignore[attr-defined]
    nd = op.ndim
    dst = w.slot[node.outputs[0]]
    return [
        "    {",
        f"        PyArrayObject* a = (PyArrayObject*)v[{w.slot[x]}];",
        f"        PyArrayObject* s = (PyArrayObject*)v[{w.slot[shape]}];",
        f"        npy_intp dims[{max(nd, 1)}], d;",
        "        PyArray_Dims newshape;",
        "        int bad = 0;",
        f"        if (PyArray_DIM(s, 0) != {nd}) bad = 1;",
        f"        else for (d = 0; d < {nd}; ++d)",
        f"            dims[d] = (npy_intp)*(const {t}*)"
        "(PyArray_BYTES(s) + d * PyArray_STRIDE(s, 0));",
        "        if (!bad) {",
        f"            newshape.ptr = dims; newshape.len = {nd};",
        f"            v[{dst}] = PyArray_Newshape(a, &newshape, NPY_CORDER);",
        f"            if (!v[{dst}]) {{ PyErr_Clear(); bad = 1; }}",
        "        }",
        "        if (bad) {",
        f"            tg_fail_arrays(fail, {RERAISE}, {k}, 2, (PyObject*)a, (PyObject*)s);",
        "            goto done;",
        "        }",
        "    }",
    ]


@register(SpecifyShape, any_dtype=True)
def _specify_shape(w: Writer, k: int, node: Apply) -> list[str] | None:
    """Check the given lengths; the output is the input itself."""
    op: Any = node.op
    x, *lengths = node.inputs
    values = iter(lengths)
    conds = []
    for axis, given in enumerate(op.given):
        if given:
            n = next(values)
            t = C_TYPES[n.type.dtype]  # type: ignore[attr-defined]
            conds.append(
                f"PyArray_DIM((PyArrayObject*)v[{w.slot[x]}], {axis}) != "
                f"(npy_intp)*(const {t}*)PyArray_DATA((PyArrayObject*)v[{w.slot[n]}])"
            )
    ins = ", ".join(f"v[{w.slot[i]}]" for i in node.inputs)
    dst = w.slot[node.outputs[0]]
    return [
        f"    if ({' || '.join(conds) or '0'}) {{",
        f"        tg_fail_arrays(fail, {RERAISE}, {k}, {len(node.inputs)}, {ins});",
        "        goto done;",
        "    }",
        f"    v[{dst}] = v[{w.slot[x]}]; Py_INCREF(v[{dst}]);",
    ]
