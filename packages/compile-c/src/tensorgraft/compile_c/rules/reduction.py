"""Reductions as loops: Sum, Prod, Max, Min, All, Any, Argmax, Argmin; SumTo; the
cumulative ops CumSum, CumProd; Softmax, LogSoftmax."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

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
from tensorgraft.tensor.cumulative import CumProd, CumSum
from tensorgraft.tensor.softmax import LogSoftmax, Softmax

if TYPE_CHECKING:
    from tensorgraft.compile_c.codegen import Writer


# Max, Min, All, Any, Argmax, Argmin: (accumulator declaration, step on the element `x`
# (its index is `j`), result).
def _reduce_parts(op: Any, in_dtype: str, out_dtype: str) -> tuple[str, str, str] | None:
    t_in = C_TYPES[in_dtype]
    if isinstance(op, tr.Argmax | tr.Argmin):
        cmp = ">" if isinstance(op, tr.Argmax) else "<"
        # The first extremum; the first NaN wins (as numpy.argmax).
        better = f"x {cmp} best || (x != x && best == best)"
        decl = f"{t_in} best = *(const {t_in}*)p; npy_int64 arg = 0;"
        return decl, f"if ({better}) {{ best = x; arg = j; }}", "arg"
    if isinstance(op, tr.Max | tr.Min):
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
    if isinstance(op, tr.Sum | tr.Prod):
        return _sum_or_prod(w, k, node)
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


# -- shared: walking the axes [lo, hi) of permuted views ----------------------------------------
def _walk(ptrs: list[tuple[str, str]], lo: str, hi: str, count: str, body: list[str]) -> list[str]:
    """A loop running `body` on `count` elements: an odometer over the axes [lo, hi) of
    `shape` (index `idx`), moving each pointer of `ptrs` (pointer, its stride array).

    The odometer ends where it started (all its digits back at 0), so walks repeat.
    """
    return [
        f"for (j = 0; j < {count}; ++j) {{",
        *[f"    {line}" for line in body],
        f"    for (d = {hi} - 1; d >= {lo}; --d) {{",
        *[f"        {ptr} += {st}[d];" for ptr, st in ptrs],
        "        if (++idx[d] < shape[d]) break;",
        *[f"        {ptr} -= {st}[d] * shape[d];" for ptr, st in ptrs],
        "        idx[d] = 0;",
        "    }",
        "}",
    ]


def _kernel(w: Writer, k: int, node: Apply, body: list[str]) -> list[str]:
    lines = [
        f"static int {KERNEL}(PyObject* fail, Py_ssize_t node, PyObject** in, PyObject*** out)",
        "{",
        *[f"    {line}" for line in body],
        "}",
    ]
    return call_kernel(w, w.kernel("\n".join(lines)), k, node)


def _ordered(nd: int, order: list[int], arrays: list[tuple[str, str]]) -> list[str]:
    """Load `shape` (from the first array) and each array's strides in the axis `order`."""
    lines = []
    for d, axis in enumerate(order):
        lines.append(
            f"shape[{d}] = PyArray_DIM({arrays[0][0]}, {axis}); idx[{d}] = 0;"
            + "".join(f" {st}[{d}] = PyArray_STRIDE({a}, {axis});" for a, st in arrays)
        )
    return lines


def _counts(nd: int, nk: int) -> str:
    """`n_out`: elements of the first `nk` ordered axes; `n_red`: of the others."""
    return (
        f"for (d = 0; d < {nd}; ++d) {{ if (d < {nk}) n_out *= shape[d]; else n_red *= shape[d]; }}"
    )


# -- Sum, Prod, SumTo in the input's order ---------------------------------------------------------
def _fold(in_dtype: str, out_dtype: str, product: bool) -> list[str]:
    """Statements adding (multiplying) every element of `a` into the C-ordered output `y`
    of `n_out` elements, where `kept[d]` says whether x's axis d is an output axis.

    x is read in its own order, row by row (its last axis innermost), each row added into
    an accumulator array of the output's size (float32 accumulates in float64 there): no
    strided walks along summed axes, as NumPy does.
    """
    acc = "float64" if out_dtype == "float32" else out_dtype
    t_in, t_acc = C_TYPES[in_dtype], C_TYPES[acc]
    op, identity = ("*", "1") if product else ("+", "0")
    if acc == "bool":  # dtype=bool: logical or / and
        op = "&&" if product else "||"

    def x_at(j: str) -> str:
        return convert(f"*(const {t_in}*)(p + ({j}) * s_in)", in_dtype, acc)

    x = x_at("j")
    x_fast = convert("xs[j]", in_dtype, acc)
    separate = acc != out_dtype
    return [
        f"{t_acc} *acc, *base;",
        "npy_intp so[TG_ND], sx[TG_ND], shape[TG_ND], idx[TG_ND], es = 1, rows = 1, i, j, n;",
        "npy_intp s_in, s_acc;",
        "const char* p = PyArray_BYTES(a);",
        *(
            [
                f"acc = ({t_acc}*)PyMem_Malloc((n_out > 0 ? n_out : 1) * sizeof({t_acc}));",
                "if (!acc) { PyErr_NoMemory(); return 0; }",
            ]
            if separate
            else [f"acc = ({t_acc}*)y;"]
        ),
        f"for (i = 0; i < n_out; ++i) acc[i] = {identity};",
        "shape[0] = 1; sx[0] = 0; so[0] = 0; idx[0] = 0;  /* a 0-d x: one element */",
        "for (d = TG_NX - 1; d >= 0; --d) {",
        "    shape[d] = PyArray_DIM(a, d); sx[d] = PyArray_STRIDE(a, d); idx[d] = 0;",
        "    so[d] = kept[d] ? es : 0;  /* the accumulator's element stride along axis d */",
        "    if (kept[d]) es *= shape[d];",
        "}",
        "if (PyArray_SIZE(a) > 0) {",
        "    n = shape[TG_ND - 1]; s_in = sx[TG_ND - 1]; s_acc = so[TG_ND - 1];",
        "    for (d = 0; d < TG_ND - 1; ++d) rows *= shape[d];",
        "    base = acc;",
        "    for (i = 0; i < rows; ++i) {",
        "        if (s_acc == 0) {  /* a summed last axis: a row's total, then one update */",
        # Four partial results: the adds do not wait on each other.
        f"            {t_acc} r0 = {identity}, r1 = {identity}, r2 = {identity}, r3 = {identity};",
        "            for (j = 0; j + 4 <= n; j += 4) {",
        f"                r0 = r0 {op} {x}; r1 = r1 {op} {x_at('j + 1')};",
        f"                r2 = r2 {op} {x_at('j + 2')}; r3 = r3 {op} {x_at('j + 3')};",
        "            }",
        f"            for (; j < n; ++j) r0 = r0 {op} {x};",
        f"            *base = *base {op} ((r0 {op} r1) {op} (r2 {op} r3));",
        f"        }} else if (s_acc == 1 && s_in == sizeof({t_in})) {{  /* contiguous */",
        f"            const {t_in}* restrict xs = (const {t_in}*)p;",
        f"            {t_acc}* restrict ys = base;",
        # Elementwise across j (each accumulator its own order): vectorizing keeps results.
        '            _Pragma("omp simd")',
        f"            for (j = 0; j < n; ++j) ys[j] = ys[j] {op} {x_fast};",
        "        } else {",
        f"            for (j = 0; j < n; ++j) base[j * s_acc] = base[j * s_acc] {op} {x};",
        "        }",
        "        for (d = TG_ND - 2; d >= 0; --d) {",
        "            p += sx[d]; base += so[d];",
        "            if (++idx[d] < shape[d]) break;",
        "            p -= sx[d] * shape[d]; base -= so[d] * shape[d]; idx[d] = 0;",
        "        }",
        "    }",
        "}",
        *(
            [
                f"for (i = 0; i < n_out; ++i) y[i] = {convert('acc[i]', acc, out_dtype)};",
                "PyMem_Free(acc);",
            ]
            if separate
            else []
        ),
    ]


def _fold_text(lines: list[str], nd: int) -> list[str]:
    """`_fold`'s statements for an input of `nd` dimensions (a 0-d one is one element)."""
    return [line.replace("TG_ND", str(max(nd, 1))).replace("TG_NX", str(nd)) for line in lines]


def _sum_or_prod(w: Writer, k: int, node: Apply) -> list[str]:
    """Sum / Prod: x folded in its own order into the output (see `_fold`)."""
    op: Any = node.op
    x, y = node.inputs[0], node.outputs[0]
    in_dtype, out_dtype = x.type.dtype, y.type.dtype  # type: ignore[attr-defined]
    nd = x.type.ndim  # type: ignore[attr-defined]
    reduced = op.reduced(nd)
    kept = [a for a in range(nd) if a not in reduced]
    flags = ", ".join("0" if a in reduced else "1" for a in range(nd)) or "0"
    body = [
        "PyArrayObject* a = (PyArrayObject*)in[0];",
        f"static const int kept[{max(nd, 1)}] = {{{flags}}};",
        f"npy_intp dims[{max(len(kept), 1)}], n_out = 1;",
        "int d;",
        f"{C_TYPES[out_dtype]}* y;",
        *[f"dims[{j}] = PyArray_DIM(a, {a}); n_out *= dims[{j}];" for j, a in enumerate(kept)],
        f"*out[0] = PyArray_EMPTY({len(kept)}, dims, {typenum(out_dtype)}, 0);",
        "if (!*out[0]) return 0;",
        f"y = ({C_TYPES[out_dtype]}*)PyArray_DATA((PyArrayObject*)*out[0]);",
        "{",
        *[
            f"    {line}"
            for line in _fold_text(_fold(in_dtype, out_dtype, isinstance(op, tr.Prod)), nd)
        ],
        "}",
        "return 1;",
    ]
    return _kernel(w, k, node, body)


# -- SumTo: broadcasting in reverse ------------------------------------------------------------
@register(tr.SumTo)
def _sum_to(w: Writer, k: int, node: Apply) -> list[str] | None:
    x, vec = node.inputs
    vt: Any = vec.type
    if vt.dtype != "int64" or vt.ndim != 1 or vt.shape[0] is None:
        return None
    in_dtype, out_dtype = x.type.dtype, node.outputs[0].type.dtype  # type: ignore[attr-defined]
    nd, n = x.type.ndim, vt.shape[0]  # type: ignore[attr-defined]
    lead = nd - n
    body = [
        "PyArrayObject* a = (PyArrayObject*)in[0];",
        "PyArrayObject* v = (PyArrayObject*)in[1];",
        f"npy_intp target[{max(n, 1)}], n_out, s;",
        f"int d, kept[{max(nd, 1)}];",
        f"{C_TYPES[out_dtype]}* y;",
        f"if (PyArray_DIM(v, 0) != {n}) goto bad;",
        f"for (d = 0; d < {n}; ++d) {{",
        "    target[d] = *(const npy_int64*)(PyArray_BYTES(v) + d * PyArray_STRIDE(v, 0));",
        f"    s = PyArray_DIM(a, d + {lead});",
        "    if (target[d] < 0 || (s != target[d] && target[d] != 1)) goto bad;",
        "}",
        # Kept: where the target has x's length. Summed: the leading axes, and those the
        # target has 1 for.
        f"for (d = 0; d < {nd}; ++d)",
        f"    kept[d] = d >= {lead} && PyArray_DIM(a, d) == target[d - {lead}];",
        f"*out[0] = PyArray_EMPTY({n}, target, {typenum(out_dtype)}, 0);",
        "if (!*out[0]) return 0;",
        f"y = ({C_TYPES[out_dtype]}*)PyArray_DATA((PyArrayObject*)*out[0]);",
        "n_out = PyArray_SIZE((PyArrayObject*)*out[0]);",
        "{",
        *[f"    {line}" for line in _fold_text(_fold(in_dtype, out_dtype, False), nd)],
        "}",
        "return 1;",
        "bad:",
        f"tg_fail_arrays(fail, {RERAISE}, node, 2, in[0], in[1]);  /* perform names the shapes */",
        "return 0;",
    ]
    return _kernel(w, k, node, body)


# -- CumSum, CumProd ---------------------------------------------------------------------------
def _accumulate(op: Any, t: str, dtype: str) -> str:
    """`acc = acc (+ or *) x` in `dtype` as NumPy's add/multiply.accumulate do."""
    add = isinstance(op, CumSum)
    if dtype == "bool":
        return f"acc = acc {'||' if add else '&&'} x;"
    if np.dtype(dtype).kind == "i":
        # Wrap around as NumPy does, in unsigned arithmetic (signed overflow is undefined in C).
        return f"acc = ({t})((npy_uint64)acc {'+' if add else '*'} (npy_uint64)x);"
    return f"acc = acc {'+' if add else '*'} x;"


def _next_outer(nk: int) -> list[str]:
    """C lines moving the read and write pointers `p`, `q` to the next of the `nk` outer
    (kept) positions, odometer style over `shape`/`idx` with strides `sa`, `sb`."""
    return [
        f"    for (d = {nk} - 1; d >= 0; --d) {{",
        "        p += sa[d]; q += sb[d];",
        "        if (++idx[d] < shape[d]) break;",
        "        p -= sa[d] * shape[d]; q -= sb[d] * shape[d]; idx[d] = 0;",
        "    }",
    ]


@register(CumSum, CumProd)
def _cumulative(w: Writer, k: int, node: Apply) -> list[str] | None:
    op: Any = node.op
    (x,), (y,) = node.inputs, node.outputs
    in_dtype, out_dtype = x.type.dtype, y.type.dtype  # type: ignore[attr-defined]
    nd = x.type.ndim  # type: ignore[attr-defined]
    t_in, t = C_TYPES[in_dtype], C_TYPES[out_dtype]
    n1 = max(nd, 1)
    load = f"const {t} x = {convert(f'*(const {t_in}*)pa', in_dtype, out_dtype)};"
    step = [load, "if (j == 0) acc = x; else " + _accumulate(op, t, out_dtype), f"*({t}*)pb = acc;"]
    body = [
        "PyArrayObject* a = (PyArrayObject*)in[0];",
        "PyArrayObject* b;",
        f"npy_intp shape[{n1}], sa[{n1}], sb[{n1}], idx[{n1}], n_out = 1, n_red = 1, i, j;",
        "int d;",
        "const char *p, *pa;",
        "char *q, *pb;",
    ]
    if op.axis is None:
        # The running reduction of the flattened array (C order): a vector, written in order.
        nk = 0
        body += [
            "npy_intp total = PyArray_SIZE(a);",
            f"*out[0] = PyArray_EMPTY(1, &total, {typenum(out_dtype)}, 0);",
            "if (!*out[0]) return 0;",
            "b = (PyArrayObject*)*out[0];",
            *_ordered(nd, list(range(nd)), [("a", "sa")]),
            f"for (d = 0; d < {nd}; ++d) n_red *= shape[d];",
            "sb[0] = 0;",
        ]
        walk_ptrs = [("pa", "sa")]
        step = [*step[:-1], f"*({t}*)pb = acc; pb += sizeof({t});"]
    else:
        nk = nd - 1
        body += [
            f"*out[0] = PyArray_EMPTY({nd}, PyArray_DIMS(a), {typenum(out_dtype)}, 0);",
            "if (!*out[0]) return 0;",
            "b = (PyArrayObject*)*out[0];",
            *_ordered(
                nd, [a for a in range(nd) if a != op.axis] + [op.axis], [("a", "sa"), ("b", "sb")]
            ),
            _counts(nd, nk),
        ]
        walk_ptrs = [("pa", "sa"), ("pb", "sb")]
    body += [
        "p = PyArray_BYTES(a); q = PyArray_BYTES(b);",
        "for (i = 0; i < n_out; ++i) {",
        f"    {t} acc = 0;",
        "    pa = p; pb = q;",
        *["    " + line for line in _walk(walk_ptrs, str(nk), str(nd), "n_red", step)],
        *_next_outer(nk),
        "}",
        "return 1;",
    ]
    return _kernel(w, k, node, body)


# -- Softmax, LogSoftmax -----------------------------------------------------------------------
@register(Softmax, LogSoftmax)
def _softmax(w: Writer, k: int, node: Apply) -> list[str] | None:
    op: Any = node.op
    (x,), (y,) = node.inputs, node.outputs
    in_dtype, out_dtype = x.type.dtype, y.type.dtype  # type: ignore[attr-defined]
    if out_dtype not in ("float32", "float64"):
        return None
    nd = x.type.ndim  # type: ignore[attr-defined]
    t_in, t = C_TYPES[in_dtype], C_TYPES[out_dtype]
    f = "f" if out_dtype == "float32" else ""
    n1 = max(nd, 1)
    if op.axis is None:
        order, nk = list(range(nd)), 0
    else:
        order, nk = [a for a in range(nd) if a != op.axis] + [op.axis], nd - 1
    load = f"const {t} x = {convert(f'*(const {t_in}*)pa', in_dtype, out_dtype)};"

    def walk(ptrs: list[tuple[str, str]], body: list[str]) -> list[str]:
        return ["    " + line for line in _walk(ptrs, str(nk), str(nd), "n_red", body)]

    # As scipy.special: shift by the maximum (NaN propagates); the sum accumulates in
    # float64. log_softmax shifts by 0 where the maximum is infinite.
    passes = [
        "    pa = p;",
        *walk([("pa", "sa")], [load, f"m = tg_max_{out_dtype}(m, x);"]),
    ]
    if isinstance(op, Softmax):
        passes += [
            "    pa = p; pb = q;",
            *walk(
                [("pa", "sa"), ("pb", "sb")],
                [load, f"const {t} e = exp{f}(x - m);", f"*({t}*)pb = e; s += e;"],
            ),
            "    pb = q;",
            *walk([("pb", "sb")], [f"*({t}*)pb = ({t})(*({t}*)pb / s);"]),
        ]
    else:
        passes += [
            "    if (!isfinite(m)) m = 0;",
            "    pa = p;",
            *walk([("pa", "sa")], [load, f"s += exp{f}(x - m);"]),
            f"    l = ({t})log(s);",
            "    pa = p; pb = q;",
            *walk([("pa", "sa"), ("pb", "sb")], [load, f"*({t}*)pb = (x - m) - l;"]),
        ]
    body = [
        "PyArrayObject* a = (PyArrayObject*)in[0];",
        "PyArrayObject* b;",
        f"npy_intp shape[{n1}], sa[{n1}], sb[{n1}], idx[{n1}], n_out = 1, n_red = 1, i, j;",
        "int d;",
        "const char *p, *pa;",
        "char *q, *pb;",
        f"*out[0] = PyArray_EMPTY({nd}, PyArray_DIMS(a), {typenum(out_dtype)}, 0);",
        "if (!*out[0]) return 0;",
        "b = (PyArrayObject*)*out[0];",
        *_ordered(nd, order, [("a", "sa"), ("b", "sb")]),
        _counts(nd, nk),
        "p = PyArray_BYTES(a); q = PyArray_BYTES(b);",
        "if (n_red == 0) n_out = 0;  /* an empty output: nothing to normalise */",
        "for (i = 0; i < n_out; ++i) {",
        f"    {t} m = -INFINITY{'' if isinstance(op, Softmax) else ', l'};",
        "    double s = 0;",
        *passes,
        *_next_outer(nk),
        "}",
        "return 1;",
    ]
    return _kernel(w, k, node, body)
