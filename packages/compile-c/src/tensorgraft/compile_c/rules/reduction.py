"""Reductions as loops: Sum, Prod, Max, Min, All, Any, Argmax, Argmin."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tensorgraft.compile_c.registry import (
    KERNEL,
    NO_ELEMENTS,
    RERAISE,
    call_kernel,
    register,
    typenum,
)
from tensorgraft.compile_c.scalar import C_TYPES, convert
from tensorgraft.graph.basic import Apply
from tensorgraft.tensor import reduction as tr

if TYPE_CHECKING:
    from tensorgraft.compile_c.codegen import Writer


# Reductions: (accumulator declaration, step on the element `x` (its index is `j`), result).
def _reduce_parts(op: Any, in_dtype: str, out_dtype: str) -> tuple[str, str, str] | None:
    t_in = C_TYPES[in_dtype]
    if isinstance(op, tr.Argmax | tr.Argmin):
        cmp = ">" if isinstance(op, tr.Argmax) else "<"
        # The first extremum; the first NaN wins (as numpy.argmax).
        better = f"x {cmp} best || (x != x && best == best)"
        decl = f"{t_in} best = *(const {t_in}*)p; npy_int64 arg = 0;"
        return decl, f"if ({better}) {{ best = x; arg = j; }}", "arg"
    acc = "float64" if out_dtype == "float32" else out_dtype
    x = convert("x", in_dtype, acc)
    if isinstance(op, tr.Sum):
        init, step = "0", f"acc = acc + {x};"
    elif isinstance(op, tr.Prod):
        init, step = "1", f"acc = acc * {x};"
    elif isinstance(op, tr.Max | tr.Min):
        # Start from the first element (there is one: checked); NaN propagates.
        acc, init = out_dtype, f"*(const {t_in}*)p"
        step = f"acc = tg_{'max' if isinstance(op, tr.Max) else 'min'}_{out_dtype}(acc, x);"
    elif isinstance(op, tr.All):
        acc, init, step = "bool", "1", "acc = acc && (x != 0);"
    elif isinstance(op, tr.Any):
        acc, init, step = "bool", "0", "acc = acc || (x != 0);"
    else:
        return None
    return f"{C_TYPES[acc]} acc = {init};", step, convert("acc", acc, out_dtype)


@register(tr.Sum, tr.Prod, tr.Max, tr.Min, tr.All, tr.Any, tr.Argmax, tr.Argmin)
def _reduce(w: Writer, k: int, node: Apply) -> list[str] | None:
    op: Any = node.op
    x, y = node.inputs[0], node.outputs[0]
    in_dtype, out_dtype = x.type.dtype, y.type.dtype  # type: ignore[attr-defined]
    parts = _reduce_parts(op, in_dtype, out_dtype)
    if parts is None:
        return None
    decl, step, result = parts
    nd = x.type.ndim  # type: ignore[attr-defined]
    arg = isinstance(op, tr.Argmax | tr.Argmin)
    if arg:
        reduced: tuple[int, ...] = tuple(range(nd)) if op.axis is None else (op.axis,)
    else:
        reduced = op.reduced(nd)
    kept = [a for a in range(nd) if a not in reduced]
    order = [*kept, *reduced]
    nk, n1 = len(kept), max(nd, 1)
    lines = [
        f"static int {KERNEL}(PyObject* fail, Py_ssize_t node, PyObject** in, PyObject*** out)",
        "{",
        "    PyArrayObject* a = (PyArrayObject*)in[0];",
        f"    npy_intp shape[{n1}], st[{n1}], idx[{n1}], n_out = 1, n_red = 1, i, j;",
        "    int d;",
        "    char* p = PyArray_BYTES(a);",
        f"    {C_TYPES[out_dtype]}* y;",
    ]
    for d, axis in enumerate(order):
        lines.append(
            f"    shape[{d}] = PyArray_DIM(a, {axis}); st[{d}] = PyArray_STRIDE(a, {axis}); "
            f"idx[{d}] = 0;"
        )
    lines += [
        f"    for (d = 0; d < {nk}; ++d) n_out *= shape[d];",
        f"    for (d = {nk}; d < {nd}; ++d) n_red *= shape[d];",
    ]
    if arg:  # the reference raises its own error
        lines.append(
            f"    if (n_red == 0) {{ tg_fail_arrays(fail, {RERAISE}, node, 1, in[0]); return 0; }}"
        )
    elif op.needs_elements:
        lines.append(
            f"    if (n_red == 0) {{ tg_fail(fail, {NO_ELEMENTS}, node, in[0]); return 0; }}"
        )
    lines += [
        f"    *out[0] = PyArray_EMPTY({nk}, shape, {typenum(out_dtype)}, 0);",
        "    if (!*out[0]) return 0;",
        f"    y = ({C_TYPES[out_dtype]}*)PyArray_DATA((PyArrayObject*)*out[0]);",
        "    for (i = 0; i < n_out; ++i) {",
        f"        {decl}",
        "        const char* q = p;",
        "        for (j = 0; j < n_red; ++j) {",
        f"            const {C_TYPES[in_dtype]} x = *(const {C_TYPES[in_dtype]}*)q;",
        f"            {step}",
        f"            for (d = {nd} - 1; d >= {nk}; --d) {{",
        "                q += st[d];",
        "                if (++idx[d] < shape[d]) break;",
        "                q -= st[d] * shape[d]; idx[d] = 0;",
        "            }",
        "        }",
        f"        y[i] = {result};",
        f"        for (d = {nk} - 1; d >= 0; --d) {{",
        "            p += st[d];",
        "            if (++idx[d] < shape[d]) break;",
        "            p -= st[d] * shape[d]; idx[d] = 0;",
        "        }",
        "    }",
        "    return 1;",
        "}",
    ]
    name = w.kernel("\n".join(lines))
    return call_kernel(w, name, k, node)
