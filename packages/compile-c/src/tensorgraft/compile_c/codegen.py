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

from tensorgraft.graph.basic import Apply, Constant, Variable
from tensorgraft.graph.fg import FunctionGraph
from tensorgraft.graph.traversal import io_toposort
from tensorgraft.tensor import scalar_ops as ts
from tensorgraft.tensor.elemwise import DimShuffle, Elemwise
from tensorgraft.tensor.type import TensorType

from tensorgraft.compile_c.scalar import C_TYPES, helpers, scalar_expr
from tensorgraft.compile_c.toolchain import MODULE_NAME

# Stands for the number of callbacks until all nodes are written.
CALLBACK_COUNT = "@CALLBACK_COUNT@"
# Failure codes passed to the state's `fail(code, index, obj)`.
BAD_INPUT, NO_BROADCAST, NOT_DROPPABLE, BAD_CALLBACK = 0, 1, 2, 3


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

    def __init__(self, fgraph: FunctionGraph, fname: str) -> None:
        self.code = GraphCode(fgraph, fgraph.toposort())
        self.fname = fname
        self.slot: dict[Variable, int] = {}
        self.lines: list[str] = []

    def place(self, var: Variable) -> int:
        if var not in self.slot:
            self.slot[var] = len(self.slot)
        return self.slot[var]

    def emit(self, *lines: str) -> None:
        self.lines.extend(lines)

    def write(self) -> GraphCode:
        fg, code = self.code.fgraph, self.code
        n_in = len(fg.inputs)
        for var in fg.inputs:
            self.place(var)
        for node in code.order:
            for var in node.inputs:
                if isinstance(var, Constant) and var not in self.slot:
                    self.place(var)
                    code.constants.append(var)
            for var in node.outputs:
                self.place(var)
        for var in fg.outputs:  # an output may be a constant no node uses
            if isinstance(var, Constant) and var not in self.slot:
                self.place(var)
                code.constants.append(var)
        last_use: dict[Variable, int] = {}
        for k, node in enumerate(code.order):
            for var in node.inputs:
                last_use[var] = k
        kept = set(fg.outputs)

        self.emit(
            f"static PyObject* {self.fname}(PyObject* self, PyObject* const* args, Py_ssize_t n)",
            "{",
            f"    PyObject* v[{max(len(self.slot), 1)}] = {{NULL}};",
            "    PyObject *state, *fail, *callbacks, *constants, *seq, *result = NULL;",
            "    int ok;",
            "    (void)ok; (void)callbacks; (void)fail;",
            '    if (n != 2 || !PyTuple_Check(args[0]) || PyTuple_GET_SIZE(args[0]) != 3) {',
            '        PyErr_SetString(PyExc_TypeError, "run(state, inputs)"); return NULL; }',
            "    state = args[0];",
            "    fail = PyTuple_GET_ITEM(state, 0);",
            "    callbacks = PyTuple_GET_ITEM(state, 1);",
            "    constants = PyTuple_GET_ITEM(state, 2);",
            f"    if (!PyTuple_Check(callbacks) || PyTuple_GET_SIZE(callbacks) != "
            f"{CALLBACK_COUNT} || !PyTuple_Check(constants) || "
            f"PyTuple_GET_SIZE(constants) != {len(code.constants)}) {{",
            '        PyErr_SetString(PyExc_TypeError, "run: bad state"); return NULL; }',
            '    seq = PySequence_Fast(args[1], "run: inputs must be a sequence");',
            "    if (!seq) return NULL;",
            f"    if (PySequence_Fast_GET_SIZE(seq) != {n_in}) {{",
            f'        PyErr_Format(PyExc_TypeError, "run: expected {n_in} inputs, got %zd",',
            "                     PySequence_Fast_GET_SIZE(seq));",
            "        Py_DECREF(seq); return NULL; }",
        )
        for k in range(n_in):
            self.emit(f"    v[{k}] = PySequence_Fast_GET_ITEM(seq, {k}); Py_INCREF(v[{k}]);")
        self.emit("    Py_DECREF(seq);")
        for k, var in enumerate(fg.inputs):
            self.check_input(k, var)
        for j, var in enumerate(code.constants):
            s = self.slot[var]
            self.emit(f"    v[{s}] = PyTuple_GET_ITEM(constants, {j}); Py_INCREF(v[{s}]);")
        for k, node in enumerate(code.order):
            self.emit(f"    /* node {k} */")
            self.node(k, node)
            for var in node.inputs:
                if last_use.get(var) == k and var not in kept:
                    self.emit(f"    Py_CLEAR(v[{self.slot[var]}]);")
        outs = [self.slot[v] for v in fg.outputs]
        self.emit(f"    result = PyList_New({len(outs)});", "    if (!result) goto done;")
        for j, s in enumerate(outs):
            self.emit(f"    Py_INCREF(v[{s}]); PyList_SET_ITEM(result, {j}, v[{s}]);")
        self.emit(
            "done:",
            f"    for (n = 0; n < {max(len(self.slot), 1)}; ++n) Py_XDECREF(v[n]);",
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
        self.emit(
            f"    ok = tg_array(&v[{k}], {typenum(t.dtype)}, {t.ndim});",
            "    if (ok < 0) goto done;",
            f"    if (!ok{''.join(' || ' + c for c in conds)}) {{",
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
        ins = [self.slot[v] for v in node.inputs]
        self.emit(
            "    {",
            f"        PyObject *r, *a = PyList_New({len(ins)});",
            "        if (!a) goto done;",
        )
        for p, s in enumerate(ins):
            self.emit(f"        Py_INCREF(v[{s}]); PyList_SET_ITEM(a, {p}, v[{s}]);")
        n_out = len(node.outputs)
        self.emit(
            f"        r = PyObject_CallOneArg(PyTuple_GET_ITEM(callbacks, {j}), a);",
            "        Py_DECREF(a);",
            "        if (!r) goto done;",
            f"        if (!PyTuple_Check(r) || PyTuple_GET_SIZE(r) != {n_out}) {{",
            f"            Py_DECREF(r); tg_fail(fail, {BAD_CALLBACK}, {k}, Py_None); goto done; }}",
        )
        for p, var in enumerate(node.outputs):
            s = self.slot[var]
            self.emit(f"        v[{s}] = PyTuple_GET_ITEM(r, {p}); Py_INCREF(v[{s}]);")
        self.emit("        Py_DECREF(r);")
        for var in node.outputs:
            if is_tensor(var):
                s, t = self.slot[var], var.type
                self.emit(
                    f"        ok = tg_array(&v[{s}], {typenum(t.dtype)}, {t.ndim});",  # type: ignore[attr-defined]
                    "        if (ok < 0) goto done;",
                    f"        if (!ok) {{ tg_fail(fail, {BAD_CALLBACK}, {k}, v[{s}]); goto done; }}",
                )
        self.emit("    }")


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
            dtypes = [i.type.dtype for i in node.inputs]  # type: ignore[attr-defined]
            expr = scalar_expr(node.op, args, dtypes, out.type.dtype)  # type: ignore[attr-defined]
            if expr is None:
                return None
            name = f"t{count}"
            count += 1
            lines.append(f"const {C_TYPES[out.type.dtype]} {name} = {expr};")  # type: ignore[attr-defined]
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
    if op.inplace_pattern:
        return None
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
    lines = ["    {"]
    lines += [f"        PyArrayObject* a{p} = (PyArrayObject*)v[{w.slot[i]}];" for p, i in
              enumerate(node.inputs)]
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
            f"shape[d] = s; else if (s != shape[d]) goto bad{k}; }}"
        )
    lines.append("        }")
    for q, (var, dtype) in enumerate(zip(node.outputs, outs, strict=True)):
        s_out = w.slot[var]
        lines += [
            f"        v[{s_out}] = PyArray_EMPTY({nd}, shape, {typenum(dtype)}, 0);",
            f"        if (!v[{s_out}]) goto done;",
            f"        b{q} = (PyArrayObject*)v[{s_out}];",
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
        "        if (0) {",
        f"        bad{k}:",
        f"            tg_fail_arrays(fail, {NO_BROADCAST}, {k}, {n_in}, "
        + ", ".join(f"(PyObject*)a{p}" for p in range(n_in))
        + ");",
        "            goto done;",
        "        }",
        "    }",
    ]
    return lines


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
        f"        if (PyArray_SetBaseObject((PyArrayObject*)v[{dst}], (PyObject*)a) < 0) goto done;",
        "    }",
    ]
    return lines


NODE_RULES[DimShuffle] = _dimshuffle


PRELUDE = r"""
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#define NPY_NO_DEPRECATED_API NPY_1_7_API_VERSION
#include <numpy/arrayobject.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>

/* 1: `*slot` is an ndarray of this dtype and rank (made aligned and native-endian);
   0: it is not; -1: an error is set. */
static int tg_array(PyObject** slot, int typenum, int ndim)
{
    PyArrayObject* a;
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
"""


def module_source(codes: list[GraphCode]) -> str:
    """The whole module: prelude, helpers, one `run_<k>` per graph, the module table."""
    methods = "\n".join(
        f'    {{"run_{k}", (PyCFunction)(void(*)(void))run_{k}, METH_FASTCALL, NULL}},'
        for k in range(len(codes))
    )
    return "\n".join(
        [
            PRELUDE,
            helpers(),
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


def write_graph(fgraph: FunctionGraph, k: int) -> GraphCode:
    """The C function `run_<k>` for `fgraph`."""
    return Writer(fgraph, f"run_{k}").write()
