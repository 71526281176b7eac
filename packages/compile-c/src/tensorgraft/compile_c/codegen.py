"""C source for whole graphs: one `run_<k>(state, inputs)` function per graph.

Each variable lives in a slot `v[i]` (a reference to an ndarray or any object). Inputs
are checked (type, dtype, rank, static lengths); every length the code relies on is
checked at run time. Nodes with a C rule (`NODE_RULES`, keyed by op type) run as C;
every other node calls back its op's `perform`. Names in the source are generated
(`v[3]`, `t5`); no user string ever reaches it: errors are raised by a Python function
held in the state tuple, which names the user's variables.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tensorgraft.compile_c.scalar import C_TYPES, convert, helpers, scalar_expr
from tensorgraft.compile_c.toolchain import MODULE_NAME
from tensorgraft.graph.basic import Apply, Constant, Variable
from tensorgraft.graph.fg import FunctionGraph
from tensorgraft.graph.traversal import io_toposort
from tensorgraft.tensor import reduction as tr
from tensorgraft.tensor import scalar_ops as ts
from tensorgraft.tensor.construction import Alloc, Join
from tensorgraft.tensor.elemwise import DimShuffle, Elemwise
from tensorgraft.tensor.indexing_key import INT, SliceSpec
from tensorgraft.tensor.matmul import Dot
from tensorgraft.tensor.shape import Reshape, Shape, ShapeI
from tensorgraft.tensor.subtensor import Subtensor
from tensorgraft.tensor.type import TensorType

# Stands for the number of callbacks until all nodes are written.
CALLBACK_COUNT = "@CALLBACK_COUNT@"
KERNEL = "@KERNEL@"  # the name of a kernel function in its text
# Failure codes passed to the state's `fail(code, index, obj)`.
BAD_INPUT, NO_BROADCAST, NOT_DROPPABLE, BAD_CALLBACK, NO_ELEMENTS, RERAISE = 0, 1, 2, 3, 4, 5


def is_tensor(var: Variable) -> bool:
    return isinstance(var.type, TensorType) and var.type.dtype in C_TYPES


def typenum(dtype: str) -> int:
    return np.dtype(dtype).num


@dataclass
class GraphCode:
    """The C function of one graph and what its state needs at run time."""

    fgraph: FunctionGraph
    order: list[Apply]
    body: str = ""
    callbacks: list[Apply] = field(default_factory=list)
    constants: list[Variable] = field(default_factory=list)
    # node -> "C" or "python callback", in execution order.
    report: list[tuple[Apply, str]] = field(default_factory=list)


class Writer:
    """Writes the C function for one graph."""

    def __init__(self, fgraph: FunctionGraph, fname: str, kernels: dict[str, str]) -> None:
        self.code = GraphCode(fgraph, fgraph.toposort())
        self.kernels = kernels
        self.fname = fname
        self.slot: dict[Variable, int] = {}
        self.lines: list[str] = []

    def place(self, var: Variable) -> int:
        if var not in self.slot:
            self.slot[var] = len(self.slot)
        return self.slot[var]

    def kernel(self, text: str) -> str:
        """The name of the static function `text` (written once per module)."""
        if text not in self.kernels:
            self.kernels[text] = f"tg_kernel_{len(self.kernels)}"
        return self.kernels[text]

    def emit(self, *lines: str) -> None:
        self.lines.extend(lines)

    def write(self) -> GraphCode:
        fg, code = self.code.fgraph, self.code
        n_in = len(fg.inputs)
        for var in fg.inputs:
            self.place(var)
        # Constants right after the inputs, so the prologue loads both in one loop.
        for var in [i for node in code.order for i in node.inputs] + list(fg.outputs):
            if isinstance(var, Constant) and var not in self.slot:
                self.place(var)
                code.constants.append(var)
        for node in code.order:
            for var in node.outputs:
                self.place(var)
        last_use: dict[Variable, int] = {}
        for k, node in enumerate(code.order):
            for var in node.inputs:
                last_use[var] = k
        kept = set(fg.outputs)
        n_slots = max(len(self.slot), 1)
        self.emit(
            f"static PyObject* {self.fname}(PyObject* self, PyObject* const* args, Py_ssize_t n)",
            "{",
            f"    PyObject* v[{n_slots}] = {{NULL}};",
            "    PyObject *fail, *callbacks, *result = NULL;",
            f"    if (!tg_start(args, n, {CALLBACK_COUNT}, {len(code.constants)}, {n_in}, v, "
            "&fail, &callbacks)) goto done;",
        )
        for k, var in enumerate(fg.inputs):
            self.check_input(k, var)
        for k, node in enumerate(code.order):
            self.node(k, node)
            for var in node.inputs:
                if last_use.get(var) == k and var not in kept:
                    self.emit(f"    Py_CLEAR(v[{self.slot[var]}]);")
        outs = ", ".join(str(self.slot[v]) for v in fg.outputs) or "0"
        self.emit(
            f"    {{ static const int outs[] = {{{outs}}};",
            f"      result = tg_outputs(v, {len(fg.outputs)}, outs); }}",
            "done:",
            f"    tg_release(v, {n_slots});",
            "    return result;",
            "}",
        )
        code.body = "\n".join(self.lines)
        # The callback tuple's size was written before the nodes were visited.
        code.body = code.body.replace(CALLBACK_COUNT, str(len(code.callbacks)))
        return code

    def check_input(self, k: int, var: Variable) -> None:
        if not is_tensor(var):
            return
        t: Any = var.type
        conds = [f"PyArray_DIM((PyArrayObject*)v[{k}], {a}) != {s}" for a, s in _fixed(t)]
        self.emit(f"    if (!tg_input(fail, v, {k}, {typenum(t.dtype)}, {t.ndim})) goto done;")
        if conds:
            self.emit(
                f"    if ({' || '.join(conds)}) {{",
                f"        tg_fail(fail, {BAD_INPUT}, {k}, v[{k}]); goto done; }}",
            )

    def node(self, k: int, node: Apply) -> None:
        rule = NODE_RULES.get(type(node.op))
        if rule is not None and all(is_tensor(v) for v in [*node.inputs, *node.outputs]):
            lines = rule(self, k, node)
            if lines is not None:
                self.emit(*lines)
                self.code.report.append((node, "C"))
                return
        self.callback(k, node)
        self.code.report.append((node, "python callback"))

    def callback(self, k: int, node: Apply) -> None:
        j = len(self.code.callbacks)
        self.code.callbacks.append(node)
        ins = ", ".join(str(self.slot[v]) for v in node.inputs) or "0"
        # Per output: slot, type number (-1: not an array) and rank.
        outs = ", ".join(
            f"{self.slot[o]}, {typenum(o.type.dtype) if is_tensor(o) else -1}, "  # type: ignore[attr-defined]
            f"{o.type.ndim if is_tensor(o) else 0}"  # type: ignore[attr-defined]
            for o in node.outputs
        )
        self.emit(
            f"    {{ static const int ins[] = {{{ins}}}, outs[] = {{{outs}}};",
            f"      if (!tg_call(fail, PyTuple_GET_ITEM(callbacks, {j}), {k}, v, "
            f"{len(node.inputs)}, ins, {len(node.outputs)}, outs)) goto done; }}",
        )


def _fixed(t: Any) -> list[tuple[int, int]]:
    return [(a, s) for a, s in enumerate(t.shape) if s is not None]


NodeRule = Callable[[Writer, int, Apply], list[str] | None]
NODE_RULES: dict[type, NodeRule] = {}


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
    lines += [
        "        total = PyArray_SIZE(b0);",
        *[f"        p{p} = PyArray_BYTES(a{p});" for p in range(n_in)],
        *[f"        q{q} = PyArray_BYTES(b{q});" for q in range(n_out)],
        f"        if (total > 0 && ({fast})) {{",
        "            npy_intp i;",
        "            for (i = 0; i < total; ++i) {",
        *[inner + "    " + x for x in [*loads_fast, *body, *stores_fast]],
        "            }",
        "        } else if (total > 0) {",
        "            npy_intp j, inner, m;",
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
        "            for (m = 0; m < total; m += inner) {",
        "                for (j = 0; j < inner; ++j) {",
        *[inner + "        " + x for x in [*loads_strided, *body, *stores_strided]],
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
    ins_list = ", ".join(f"v[{w.slot[i]}]" for i in node.inputs)
    outs_list = ", ".join(f"&v[{w.slot[o]}]" for o in node.outputs)
    return [
        "    {",
        f"        PyObject* in[{n_in}] = {{{ins_list}}};",
        f"        PyObject** out[{n_out}] = {{{outs_list}}};",
        f"        if (!{name}(fail, {k}, in, out)) goto done;",
        "    }",
    ]


NODE_RULES[Elemwise] = _elemwise


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


NODE_RULES[DimShuffle] = _dimshuffle


# Reductions: (accumulator dtype or None for the output's, init, step on `acc` and `x`).
def _reduce_parts(op: Any, in_dtype: str, out_dtype: str) -> tuple[str, str, str] | None:
    acc = "float64" if out_dtype == "float32" else out_dtype
    x = convert("x", in_dtype, acc)
    if isinstance(op, tr.Sum):
        return acc, "0", f"acc = acc + {x};"
    if isinstance(op, tr.Prod):
        return acc, "1", f"acc = acc * {x};"
    if isinstance(op, tr.Max | tr.Min):
        which = "max" if isinstance(op, tr.Max) else "min"
        # Start from the first element (there is one: checked); NaN propagates.
        return (
            out_dtype,
            f"*(const {C_TYPES[in_dtype]}*)p",
            f"acc = tg_{which}_{out_dtype}(acc, x);",
        )
    if isinstance(op, tr.All):
        return "bool", "1", "acc = acc && (x != 0);"
    if isinstance(op, tr.Any):
        return "bool", "0", "acc = acc || (x != 0);"
    return None


def _reduce(w: Writer, k: int, node: Apply) -> list[str] | None:
    op: Any = node.op
    x, y = node.inputs[0], node.outputs[0]
    in_dtype, out_dtype = x.type.dtype, y.type.dtype  # type: ignore[attr-defined]
    parts = _reduce_parts(op, in_dtype, out_dtype)
    if parts is None:
        return None
    acc, init, step = parts
    nd = x.type.ndim  # type: ignore[attr-defined]
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
    if op.needs_elements:
        lines.append(
            f"    if (n_red == 0) {{ tg_fail(fail, {NO_ELEMENTS}, node, in[0]); return 0; }}"
        )
    lines += [
        f"    *out[0] = PyArray_EMPTY({nk}, shape, {typenum(out_dtype)}, 0);",
        "    if (!*out[0]) return 0;",
        f"    y = ({C_TYPES[out_dtype]}*)PyArray_DATA((PyArrayObject*)*out[0]);",
        "    for (i = 0; i < n_out; ++i) {",
        f"        {C_TYPES[acc]} acc = {init};",
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
        f"        y[i] = {convert('acc', acc, out_dtype)};",
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
    return [
        "    {",
        f"        PyObject* in[1] = {{v[{w.slot[x]}]}};",
        f"        PyObject** out[1] = {{&v[{w.slot[y]}]}};",
        f"        if (!{name}(fail, {k}, in, out)) goto done;",
        "    }",
    ]


for _op in (tr.Sum, tr.Prod, tr.Max, tr.Min, tr.All, tr.Any):
    NODE_RULES[_op] = _reduce


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
    ins = ", ".join(f"v[{w.slot[i]}]" for i in node.inputs)
    return [
        "    {",
        f"        PyObject* in[{len(node.inputs)}] = {{{ins}}};",
        f"        PyObject** out[1] = {{&v[{w.slot[node.outputs[0]]}]}};",
        f"        if (!{name}(fail, {k}, in, out)) goto done;",
        "    }",
    ]


NODE_RULES[Subtensor] = _subtensor


def _shape_i(w: Writer, k: int, node: Apply) -> list[str] | None:
    op: Any = node.op
    src, dst = w.slot[node.inputs[0]], w.slot[node.outputs[0]]
    return [
        f"    v[{dst}] = PyArray_EMPTY(0, NULL, NPY_INT64, 0);",
        f"    if (!v[{dst}]) goto done;",
        f"    *(npy_int64*)PyArray_DATA((PyArrayObject*)v[{dst}]) = "
        f"PyArray_DIM((PyArrayObject*)v[{src}], {op.i});",
    ]


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


def _dot(w: Writer, k: int, node: Apply) -> list[str] | None:
    """(m, k) x (k, n) with SciPy's BLAS gemm (scipy.linalg.cython_blas), any layout."""
    a, b = node.inputs
    dtype = node.outputs[0].type.dtype  # type: ignore[attr-defined]
    if dtype not in ("float32", "float64") or a.type.dtype != dtype or b.type.dtype != dtype:  # type: ignore[attr-defined]
        return None
    name = w.kernel(
        DOT_KERNEL.replace("@T@", C_TYPES[dtype])
        .replace("@GEMM@", "sgemm" if dtype == "float32" else "dgemm")
        .replace("@TYPENUM@", str(typenum(dtype)))
        .replace("@RERAISE@", str(RERAISE))
    )
    return [
        "    {",
        f"        PyObject* in[2] = {{v[{w.slot[a]}], v[{w.slot[b]}]}};",
        f"        PyObject** out[1] = {{&v[{w.slot[node.outputs[0]]}]}};",
        f"        if (!{name}(fail, {k}, in, out)) goto done;",
        "    }",
    ]


DOT_KERNEL = r"""
static int @KERNEL@(PyObject* fail, Py_ssize_t node, PyObject** in, PyObject*** out)
{
    typedef void (*gemm_t)(char*, char*, int*, int*, int*, @T@*, @T@*, int*, @T@*, int*,
                           @T@*, @T@*, int*);
    static gemm_t gemm = NULL;
    PyArrayObject *a = (PyArrayObject*)in[0], *b = (PyArrayObject*)in[1], *c;
    PyArrayObject *ac = NULL, *bc = NULL;
    npy_intp dims[2];
    int m, n, kk, lda, ldb, ldc, ok = 0;
    char ta, tb;
    @T@ one = 1, zero = 0;
    if (PyArray_DIM(a, 1) != PyArray_DIM(b, 0)) {
        tg_fail_arrays(fail, @RERAISE@, node, 2, in[0], in[1]);
        return 0;
    }
    if (PyArray_DIM(a, 0) > INT_MAX || PyArray_DIM(a, 1) > INT_MAX || PyArray_DIM(b, 1) > INT_MAX) {
        PyErr_SetString(PyExc_ValueError, "dot: matrices too large for BLAS");
        return 0;
    }
    if (!gemm && !(gemm = (gemm_t)tg_blas("@GEMM@"))) return 0;
    m = (int)PyArray_DIM(a, 0); kk = (int)PyArray_DIM(a, 1); n = (int)PyArray_DIM(b, 1);
    dims[0] = m; dims[1] = n;
    *out[0] = PyArray_ZEROS(2, dims, @TYPENUM@, 0);
    if (!*out[0]) return 0;
    c = (PyArrayObject*)*out[0];
    if (m == 0 || n == 0 || kk == 0) return 1;
    /* Row-major C = A B is column-major C^T = B^T A^T. */
    if (!tg_blas_layout(a, &ta, &lda)) {
        ac = (PyArrayObject*)PyArray_NewCopy(a, NPY_CORDER);
        if (!ac) return 0;
        tg_blas_layout(ac, &ta, &lda);
        a = ac;
    }
    if (!tg_blas_layout(b, &tb, &ldb)) {
        bc = (PyArrayObject*)PyArray_NewCopy(b, NPY_CORDER);
        if (!bc) goto out;
        tg_blas_layout(bc, &tb, &ldb);
        b = bc;
    }
    ldc = n;
    gemm(&tb, &ta, &n, &m, &kk, &one, (@T@*)PyArray_DATA(b), &ldb, (@T@*)PyArray_DATA(a), &lda,
         &zero, (@T@*)PyArray_DATA(c), &ldc);
    ok = 1;
out:
    Py_XDECREF(ac);
    Py_XDECREF(bc);
    return ok;
}
"""


NODE_RULES[ShapeI] = _shape_i
NODE_RULES[Shape] = _shape
NODE_RULES[Alloc] = _alloc
NODE_RULES[Reshape] = _reshape
NODE_RULES[Join] = _join
NODE_RULES[Dot] = _dot


PRELUDE = r"""
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#define NPY_NO_DEPRECATED_API NPY_1_7_API_VERSION
#include <numpy/arrayobject.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <limits.h>

/* 1: `*slot` is an ndarray of this dtype and rank (made aligned and native-endian);
   0: it is not; -1: an error is set. */
static int tg_array(PyObject** slot, int typenum, int ndim)
{
    PyArrayObject* a;
    if (ndim == 0 && PyArray_IsScalar(*slot, Generic)) {  /* a NumPy scalar: a 0-d array */
        PyObject* c = PyArray_FromScalar(*slot, NULL);
        if (!c) return -1;
        Py_SETREF(*slot, c);
    }
    if (!PyArray_Check(*slot)) return 0;
    a = (PyArrayObject*)*slot;
    if (PyArray_NDIM(a) != ndim || !PyArray_EquivTypenums(PyArray_TYPE(a), typenum)) return 0;
    if (!PyArray_ISALIGNED(a) || !PyArray_ISNOTSWAPPED(a)) {
        PyObject* c = PyArray_FromAny(*slot, PyArray_DescrFromType(typenum), 0, 0,
                                      NPY_ARRAY_ALIGNED, NULL);
        if (!c) return -1;
        Py_SETREF(*slot, c);
    }
    return 1;
}

/* Raise the error `fail(code, index, obj)` describes (it names the user's variables). */
static void tg_fail(PyObject* fail, int code, Py_ssize_t index, PyObject* obj)
{
    PyObject* r = PyObject_CallFunction(fail, "inO", code, index, obj);
    Py_XDECREF(r);
    if (!PyErr_Occurred()) PyErr_SetString(PyExc_RuntimeError, "compiled function failed");
}

static void tg_fail_arrays(PyObject* fail, int code, Py_ssize_t index, int n, ...)
{
    va_list ap;
    int i;
    PyObject* t = PyTuple_New(n);
    if (!t) return;
    va_start(ap, n);
    for (i = 0; i < n; ++i) {
        PyObject* o = va_arg(ap, PyObject*);
        Py_INCREF(o);
        PyTuple_SET_ITEM(t, i, o);
    }
    va_end(ap);
    tg_fail(fail, code, index, t);
    Py_DECREF(t);
}

/* A BLAS routine of scipy.linalg.cython_blas (SciPy ships BLAS: no system BLAS needed). */
static void* tg_blas(const char* name)
{
    void* f = NULL;
    PyObject *mod, *capi, *capsule;
    mod = PyImport_ImportModule("scipy.linalg.cython_blas");
    if (!mod) return NULL;
    capi = PyObject_GetAttrString(mod, "__pyx_capi__");
    Py_DECREF(mod);
    if (!capi) return NULL;
    capsule = PyDict_GetItemString(capi, name);
    if (capsule) f = PyCapsule_GetPointer(capsule, PyCapsule_GetName(capsule));
    else PyErr_Format(PyExc_RuntimeError, "scipy.linalg.cython_blas has no %s", name);
    Py_DECREF(capi);
    return f;
}

/* How BLAS (column-major) sees the row-major matrix `x`: 'N' with leading dimension `ld`
   if its rows are contiguous (then it is x^T), 'T' if its columns are; 0 otherwise. */
static int tg_blas_layout(PyArrayObject* x, char* trans, int* ld)
{
    npy_intp r = PyArray_DIM(x, 0), c = PyArray_DIM(x, 1), isz = PyArray_ITEMSIZE(x);
    npy_intp s0 = PyArray_STRIDE(x, 0), s1 = PyArray_STRIDE(x, 1);
    if ((c <= 1 || s1 == isz) && (r <= 1 || (s0 % isz == 0 && s0 / isz >= (c > 1 ? c : 1)))) {
        npy_intp l = r <= 1 ? (c > 1 ? c : 1) : s0 / isz;
        if (l > INT_MAX) return 0;
        *trans = 'N'; *ld = (int)l;
        return 1;
    }
    if ((r <= 1 || s0 == isz) && (c <= 1 || (s1 % isz == 0 && s1 / isz >= (r > 1 ? r : 1)))) {
        npy_intp l = c <= 1 ? (r > 1 ? r : 1) : s1 / isz;
        if (l > INT_MAX) return 0;
        *trans = 'T'; *ld = (int)l;
        return 1;
    }
    return 0;
}

/* Check the state tuple, take new references to the inputs and constants. */
static int tg_start(PyObject* const* args, Py_ssize_t n, Py_ssize_t n_cb, Py_ssize_t n_const,
                    Py_ssize_t n_in, PyObject** v, PyObject** fail, PyObject** callbacks)
{
    PyObject *state, *constants, *seq;
    Py_ssize_t k;
    if (n != 2 || !PyTuple_Check(args[0]) || PyTuple_GET_SIZE(args[0]) != 3) {
        PyErr_SetString(PyExc_TypeError, "run(state, inputs)");
        return 0;
    }
    state = args[0];
    *fail = PyTuple_GET_ITEM(state, 0);
    *callbacks = PyTuple_GET_ITEM(state, 1);
    constants = PyTuple_GET_ITEM(state, 2);
    if (!PyTuple_Check(*callbacks) || PyTuple_GET_SIZE(*callbacks) != n_cb
        || !PyTuple_Check(constants) || PyTuple_GET_SIZE(constants) != n_const) {
        PyErr_SetString(PyExc_TypeError, "run: bad state");
        return 0;
    }
    seq = PySequence_Fast(args[1], "run: inputs must be a sequence");
    if (!seq) return 0;
    if (PySequence_Fast_GET_SIZE(seq) != n_in) {
        PyErr_Format(PyExc_TypeError, "run: expected %zd inputs, got %zd", n_in,
                     PySequence_Fast_GET_SIZE(seq));
        Py_DECREF(seq);
        return 0;
    }
    for (k = 0; k < n_in; ++k) { v[k] = PySequence_Fast_GET_ITEM(seq, k); Py_INCREF(v[k]); }
    Py_DECREF(seq);
    for (k = 0; k < n_const; ++k) {
        v[n_in + k] = PyTuple_GET_ITEM(constants, k);
        Py_INCREF(v[n_in + k]);
    }
    return 1;
}

static int tg_input(PyObject* fail, PyObject** v, Py_ssize_t k, int typenum, int ndim)
{
    int ok = tg_array(&v[k], typenum, ndim);
    if (ok < 0) return 0;
    if (!ok) { tg_fail(fail, 0, k, v[k]); return 0; }
    return 1;
}

/* Call a node's Python `perform` (through `cb`) and check what it returns. */
static int tg_call(PyObject* fail, PyObject* cb, Py_ssize_t node, PyObject** v,
                   int n_in, const int* ins, int n_out, const int* outs)
{
    PyObject *r, *a = PyList_New(n_in);
    int k, ok;
    if (!a) return 0;
    for (k = 0; k < n_in; ++k) { Py_INCREF(v[ins[k]]); PyList_SET_ITEM(a, k, v[ins[k]]); }
    r = PyObject_CallOneArg(cb, a);
    Py_DECREF(a);
    if (!r) return 0;
    if (!PyTuple_Check(r) || PyTuple_GET_SIZE(r) != n_out) {
        Py_DECREF(r);
        tg_fail(fail, 3, node, Py_None);
        return 0;
    }
    for (k = 0; k < n_out; ++k) {
        PyObject** slot = &v[outs[3 * k]];
        *slot = PyTuple_GET_ITEM(r, k);
        Py_INCREF(*slot);
    }
    Py_DECREF(r);
    for (k = 0; k < n_out; ++k) {
        PyObject** slot = &v[outs[3 * k]];
        if (outs[3 * k + 1] < 0) continue;
        ok = tg_array(slot, outs[3 * k + 1], outs[3 * k + 2]);
        if (ok < 0) return 0;
        if (!ok) { tg_fail(fail, 3, node, *slot); return 0; }
    }
    return 1;
}

static PyObject* tg_outputs(PyObject** v, int n, const int* slots)
{
    int k;
    PyObject* result = PyList_New(n);
    if (!result) return NULL;
    for (k = 0; k < n; ++k) { Py_INCREF(v[slots[k]]); PyList_SET_ITEM(result, k, v[slots[k]]); }
    return result;
}

static void tg_release(PyObject** v, int n)
{
    int k;
    for (k = 0; k < n; ++k) Py_XDECREF(v[k]);
}
"""


def module_source(codes: list[GraphCode], kernels: dict[str, str]) -> str:
    """The whole module: prelude, helpers, one `run_<k>` per graph, the module table."""
    methods = "\n".join(
        f'    {{"run_{k}", (PyCFunction)(void(*)(void))run_{k}, METH_FASTCALL, NULL}},'
        for k in range(len(codes))
    )
    return "\n".join(
        [
            PRELUDE,
            helpers(),
            *[text.replace(KERNEL, name) for text, name in kernels.items()],
            *[c.body for c in codes],
            "static PyMethodDef tg_methods[] = {",
            methods,
            "    {NULL, NULL, 0, NULL}",
            "};",
            "static struct PyModuleDef tg_module = {",
            f'    PyModuleDef_HEAD_INIT, "{MODULE_NAME}", NULL, -1, tg_methods',
            "};",
            f"PyMODINIT_FUNC PyInit_{MODULE_NAME}(void)",
            "{",
            "    import_array();",
            "    return PyModule_Create(&tg_module);",
            "}",
            "",
        ]
    )


def write_graph(fgraph: FunctionGraph, k: int, kernels: dict[str, str]) -> GraphCode:
    """The C function `run_<k>` for `fgraph`; shared kernels are added to `kernels`."""
    return Writer(fgraph, f"run_{k}", kernels).write()
