"""Elemwise (fused Composite too) as loops over the broadcast shape; DimShuffle as views."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from tensorgraft.compile_c.registry import (
    KERNEL,
    NO_BROADCAST,
    NOT_DROPPABLE,
    call_kernel,
    register,
    typenum,
)
from tensorgraft.compile_c.scalar import C_TYPES, scalar_expr, uses_vector_math
from tensorgraft.graph.basic import Apply, Constant, Variable
from tensorgraft.graph.traversal import io_toposort
from tensorgraft.tensor import scalar_ops as ts
from tensorgraft.tensor.elemwise import DimShuffle, Elemwise

if TYPE_CHECKING:
    from tensorgraft.compile_c.codegen import Writer


# -- scalar expressions of a whole Elemwise / Composite -------------------------------------
def c_literal(value: Any, dtype: str) -> str:
    """A C literal of `value` in `dtype` (hex floats are exact)."""
    x = np.asarray(value, dtype=dtype).item()
    kind = np.dtype(dtype).kind
    if kind == "b":
        return "1" if x else "0"
    if kind == "f":
        if math.isnan(x):
            return "NAN"
        if math.isinf(x):
            return "INFINITY" if x > 0 else "(-INFINITY)"
        return f"(({C_TYPES[dtype]}){float(x).hex()})"
    if kind == "u":
        return f"(({C_TYPES[dtype]}){int(x)}ULL)"
    if x == np.iinfo("int64").min:
        return "((npy_int64)(-9223372036854775807LL - 1))"
    return f"(({C_TYPES[dtype]}){int(x)}LL)"


def scalar_body(op: ts.ScalarOp, ins: list[str], in_dtypes: list[str]) -> list[str] | None:
    """C statements computing `op`'s outputs into temporaries `o0`, `o1`, ...; or None."""
    lines: list[str] = []
    if isinstance(op, ts.Composite):
        env: dict[Variable, str] = {}
        for var, expr in zip(op.inner_inputs, ins, strict=True):
            env[var] = expr
        count = 0
        for node in io_toposort(op.inner_inputs, op.inner_outputs):
            args: list[str] = []
            for i in node.inputs:
                if i in env:
                    args.append(env[i])
                elif isinstance(i, Constant):
                    args.append(c_literal(i.data, i.type.dtype))  # type: ignore[attr-defined]
                else:
                    return None
            if len(node.outputs) != 1 or isinstance(node.op, ts.Composite):
                return None
            (out,) = node.outputs
            inner_op: Any = node.op
            out_dtype: str = out.type.dtype  # type: ignore[attr-defined]
            dtypes = [i.type.dtype for i in node.inputs]  # type: ignore[attr-defined]
            c_expr = scalar_expr(inner_op, args, dtypes, out_dtype)
            if c_expr is None:
                return None
            name = f"t{count}"
            count += 1
            lines.append(f"const {C_TYPES[out_dtype]} {name} = {c_expr};")
            env[out] = name
        for j, var in enumerate(op.inner_outputs):
            if var in env:
                src = env[var]
            elif isinstance(var, Constant):
                src = c_literal(var.data, var.type.dtype)  # type: ignore[attr-defined]
            else:
                return None
            lines.append(f"const {C_TYPES[var.type.dtype]} o{j} = {src};")  # type: ignore[attr-defined]
        return lines
    return None


@register(Elemwise)
def _elemwise(w: Writer, k: int, node: Apply) -> list[str] | None:
    op: Any = node.op
    destroyed = dict(op.inplace_pattern)  # output -> the input whose buffer it reuses
    ins = [f"x{p}" for p in range(len(node.inputs))]
    in_dtypes = [i.type.dtype for i in node.inputs]  # type: ignore[attr-defined]
    outs = [o.type.dtype for o in node.outputs]  # type: ignore[attr-defined]
    if isinstance(op.scalar_op, ts.Composite):
        body = scalar_body(op.scalar_op, ins, in_dtypes)
    elif len(outs) == 1:
        expr = scalar_expr(op.scalar_op, ins, in_dtypes, outs[0])
        body = None if expr is None else [f"const {C_TYPES[outs[0]]} o0 = {expr};"]
    else:
        body = None
    if body is None:
        return None
    nd = node.outputs[0].type.ndim  # type: ignore[attr-defined]
    a = [f"a{p}" for p in range(len(node.inputs))]
    n_in, n_out = len(a), len(outs)
    dims = max(nd, 1)
    lines = [
        f"static int {KERNEL}(PyObject* fail, Py_ssize_t node, PyObject** in, PyObject*** out)",
        "{",
    ]
    lines += [f"        PyArrayObject* a{p} = (PyArrayObject*)in[{p}];" for p in range(n_in)]
    lines += [f"        PyArrayObject* b{q};" for q in range(n_out)]
    lines += [f"        npy_intp shape[{dims}], idx[{dims}], total, s, d;"]
    for p in range(n_in):
        lines.append(f"        npy_intp st{p}[{dims}]; char* p{p};")
    for q in range(n_out):
        lines.append(f"        npy_intp sq{q}[{dims}]; char* q{q};")
    lines.append(f"        for (d = 0; d < {nd}; ++d) {{")
    lines.append("            shape[d] = 1;")
    for p in range(n_in):
        lines.append(
            f"            s = PyArray_DIM(a{p}, d); if (s != 1) {{ if (shape[d] == 1) "
            f"shape[d] = s; else if (s != shape[d]) goto bad; }}"
        )
    lines.append("        }")
    for q, dtype in enumerate(outs):
        src = destroyed.get(q)
        if src is not None:
            # Destroy map: write into input src's buffer when it has the output's shape.
            same = " && ".join(
                [f"PyArray_DIM(a{src}, {d}) == shape[{d}]" for d in range(nd)] or ["1"]
            )
            lines += [
                f"        if (PyArray_ISWRITEABLE(a{src}) && {same}) {{",
                f"            Py_INCREF(a{src}); *out[{q}] = (PyObject*)a{src};",
                "        } else {",
                f"            *out[{q}] = PyArray_EMPTY({nd}, shape, {typenum(dtype)}, 0);",
                "        }",
            ]
        else:
            lines.append(f"        *out[{q}] = PyArray_EMPTY({nd}, shape, {typenum(dtype)}, 0);")
        lines += [
            f"        if (!*out[{q}]) return 0;",
            f"        b{q} = (PyArrayObject*)*out[{q}];",
        ]
    loads_fast = [
        f"const {C_TYPES[d]} x{p} = ((const {C_TYPES[d]}*)p{p})[i];"
        for p, d in enumerate(in_dtypes)
    ]
    stores_fast = [f"(({C_TYPES[d]}*)q{q})[i] = o{q};" for q, d in enumerate(outs)]
    loads_strided = [
        f"const {C_TYPES[d]} x{p} = *(const {C_TYPES[d]}*)(p{p} + j * st{p}[{dims - 1}]);"
        for p, d in enumerate(in_dtypes)
    ]
    stores_strided = [
        f"*({C_TYPES[d]}*)(q{q} + j * sq{q}[{dims - 1}]) = o{q};" for q, d in enumerate(outs)
    ]
    fast = " && ".join(
        [f"PyArray_IS_C_CONTIGUOUS(a{p}) && PyArray_SIZE(a{p}) == total" for p in range(n_in)]
        or ["1"]
    )
    inner = "            "
    fast_loop = _fast_loop(w, n_in, n_out, [*loads_fast, *body, *stores_fast])
    lines += [
        "        total = PyArray_SIZE(b0);",
        *[f"        p{p} = PyArray_BYTES(a{p});" for p in range(n_in)],
        *[f"        q{q} = PyArray_BYTES(b{q});" for q in range(n_out)],
        f"        if (total > 0 && ({fast})) {{",
        f"            {_call_fast(fast_loop, 'total', n_in, n_out)}",
        "        } else if (total > 0) {",
        "            npy_intp j, inner, m;",
        "            int rows;",
        f"            for (d = 0; d < {nd}; ++d) {{",
        "                idx[d] = 0;",
        *[
            f"                st{p}[d] = PyArray_DIM(a{p}, d) == 1 ? 0 : PyArray_STRIDE(a{p}, d);"
            for p in range(n_in)
        ],
        *[f"                sq{q}[d] = PyArray_STRIDE(b{q}, d);" for q in range(n_out)],
        "            }",
        f"            if ({nd} == 0) {{ shape[0] = 1; idx[0] = 0;"
        + "".join(f" st{p}[0] = 0;" for p in range(n_in))
        + "".join(f" sq{q}[0] = 0;" for q in range(n_out))
        + " }",
        f"            inner = shape[{dims - 1}];",
        # Rows contiguous in every operand (broadcasting along outer axes only): each row
        # runs the contiguous loop, with its wider SIMD clones.
        "            rows = "
        + " && ".join(
            [f"st{p}[{dims - 1}] == {np.dtype(d).itemsize}" for p, d in enumerate(in_dtypes)]
            + [f"sq{q}[{dims - 1}] == {np.dtype(d).itemsize}" for q, d in enumerate(outs)]
        )
        + ";",
        "            for (m = 0; m < total; m += inner) {",
        f"                if (rows) {{ {_call_fast(fast_loop, 'inner', n_in, n_out)} }}",
        "                else {",
        '                _Pragma("omp simd")',
        "                for (j = 0; j < inner; ++j) {",
        *[inner + "        " + x for x in [*loads_strided, *body, *stores_strided]],
        "                }",
        "                }",
        f"                for (d = {nd} - 2; d >= 0; --d) {{",
        *[f"                    p{p} += st{p}[d];" for p in range(n_in)],
        *[f"                    q{q} += sq{q}[d];" for q in range(n_out)],
        "                    if (++idx[d] < shape[d]) break;",
        *[f"                    p{p} -= st{p}[d] * shape[d];" for p in range(n_in)],
        *[f"                    q{q} -= sq{q}[d] * shape[d];" for q in range(n_out)],
        "                    idx[d] = 0;",
        "                }",
        "            }",
        "        }",
        "        return 1;",
        "    bad:",
        f"        tg_fail_arrays(fail, {NO_BROADCAST}, node, {n_in}, "
        + ", ".join(f"(PyObject*)a{p}" for p in range(n_in))
        + ");",
        "        return 0;",
        "}",
    ]
    name = w.kernel("\n".join(lines))
    return call_kernel(w, name, k, node)


def _names(prefix: str, n: int) -> list[str]:
    return [f"{prefix}{j}" for j in range(n)]


def _call_fast(name: str, count: str, n_in: int, n_out: int) -> str:
    """C calling the contiguous loop `name` on `count` elements from p0.., into q0.."""
    ins = ", ".join(_names("p", n_in)) or "NULL"
    outs = ", ".join(_names("q", n_out))
    return (
        f"char* pp[{max(n_in, 1)}] = {{{ins}}}; char* qq[{n_out}] = {{{outs}}}; "
        f"{name}({count}, pp, qq);"
    )


def _fast_loop(w: Writer, n_in: int, n_out: int, statements: list[str]) -> str:
    """The name of the function running `statements` over contiguous operands.

    No dependence between iterations (an in-place output is read at the same index only),
    so the loop is vectorized, calling libmvec's SIMD math where declared; a loop that
    calls it is compiled for AVX-512, AVX2 and the baseline (TG_CLONES), the loader
    picking one. Only this loop: the clones cost compile time.
    """
    clones = "TG_CLONES " if uses_vector_math(statements) else ""
    lines = [
        f"{clones}static void {KERNEL}(npy_intp total, char* const* pp, char* const* qq)",
        "{",
        *[f"    const char* p{p} = pp[{p}];" for p in range(n_in)],
        *[f"    char* q{q} = qq[{q}];" for q in range(n_out)],
        "    npy_intp i;",
        "    (void)pp;",
        '    _Pragma("omp simd")',
        "    for (i = 0; i < total; ++i) {",
        *[f"        {x}" for x in statements],
        "    }",
        "}",
    ]
    return w.kernel("\n".join(lines))


@register(DimShuffle, any_dtype=True)  # a view: strides and the dtype are copied
def _dimshuffle(w: Writer, k: int, node: Apply) -> list[str] | None:
    op: Any = node.op
    src, dst = w.slot[node.inputs[0]], w.slot[node.outputs[0]]
    nd = len(op.new_order)
    lines = [
        "    {",
        f"        PyArrayObject* a = (PyArrayObject*)v[{src}];",
        f"        npy_intp dims[{max(nd, 1)}], strides[{max(nd, 1)}];",
        "        PyArray_Descr* descr;",
    ]
    for axis in op.dropped:
        lines.append(
            f"        if (PyArray_DIM(a, {axis}) != 1) {{ "
            f"tg_fail(fail, {NOT_DROPPABLE}, {k}, v[{src}]); goto done; }}"
        )
    for j, axis in enumerate(op.new_order):
        if axis == "x":
            lines.append(f"        dims[{j}] = 1; strides[{j}] = 0;")
        else:
            lines.append(
                f"        dims[{j}] = PyArray_DIM(a, {axis}); "
                f"strides[{j}] = PyArray_STRIDE(a, {axis});"
            )
    lines += [
        "        descr = PyArray_DESCR(a); Py_INCREF(descr);",
        f"        v[{dst}] = PyArray_NewFromDescr(&PyArray_Type, descr, {nd}, dims, strides,",
        "            PyArray_DATA(a), PyArray_FLAGS(a) & NPY_ARRAY_WRITEABLE, NULL);",
        f"        if (!v[{dst}]) goto done;",
        "        Py_INCREF(a);",
        f"        if (PyArray_SetBaseObject((PyArrayObject*)v[{dst}], (PyObject*)a) < 0)",
        "            goto done;",
        "    }",
    ]
    return lines
