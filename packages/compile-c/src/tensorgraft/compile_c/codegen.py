"""C source for whole graphs: one `run_<k>(state, inputs)` function per graph.

Each variable lives in a slot `v[i]` (a reference to an ndarray or any object). Inputs
are checked (type, dtype, rank, static lengths); every length the code relies on is
checked at run time. Nodes with a C rule (`NODE_RULES`, keyed by op type) run as C;
every other node calls back its op's `perform`. Names in the source are generated
(`v[3]`, `t5`); no user string ever reaches it: errors are raised by a Python function
held in the state tuple, which names the user's variables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import tensorgraft.compile_c.rules  # noqa: F401  (fills NODE_RULES)
from tensorgraft.compile_c.registry import (
    ANY_DTYPE,
    BAD_INPUT,
    CALLBACK_COUNT,
    KERNEL,
    NODE_RULES,
    NOTE,
    is_array,
    is_tensor,
    typenum,
)
from tensorgraft.compile_c.scalar import helpers
from tensorgraft.compile_c.toolchain import MODULE_NAME
from tensorgraft.graph.basic import Apply, Constant, Variable
from tensorgraft.graph.fg import FunctionGraph


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
    # variable -> its slot in `v[]` (to name the inputs of a node that failed).
    slots: dict[Variable, int] = field(default_factory=dict)


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
            "    Py_ssize_t at = -1;  /* the node running: an error gets a note naming it */",
            f"    if (!tg_start(args, n, {CALLBACK_COUNT}, {len(code.constants)}, {n_in}, v, "
            "&fail, &callbacks)) goto done;",
        )
        for k, var in enumerate(fg.inputs):
            self.check_input(k, var)
        for k, node in enumerate(code.order):
            self.emit(f"    at = {k};")
            self.node(k, node)
            for var in node.inputs:
                if last_use.get(var) == k and var not in kept:
                    self.emit(f"    Py_CLEAR(v[{self.slot[var]}]);")
        outs = ", ".join(str(self.slot[v]) for v in fg.outputs) or "0"
        self.emit(
            f"    {{ static const int outs[] = {{{outs}}};",
            f"      result = tg_outputs(v, {len(fg.outputs)}, outs); }}",
            "done:",
            f"    if (!result && at >= 0) tg_note(fail, at, v, {n_slots});",
            f"    tg_release(v, {n_slots});",
            "    return result;",
            "}",
        )
        code.body = "\n".join(self.lines)
        code.slots = self.slot
        # The callback tuple's size was written before the nodes were visited.
        code.body = code.body.replace(CALLBACK_COUNT, str(len(code.callbacks)))
        return code

    def check_input(self, k: int, var: Variable) -> None:
        if not is_array(var):
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
        accepts = is_array if type(node.op) in ANY_DTYPE else is_tensor
        if rule is not None and all(accepts(v) for v in [*node.inputs, *node.outputs]):
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
            f"{self.slot[o]}, {typenum(o.type.dtype) if is_array(o) else -1}, "  # type: ignore[attr-defined]
            f"{o.type.ndim if is_array(o) else 0}"  # type: ignore[attr-defined]
            for o in node.outputs
        )
        self.emit(
            f"    {{ static const int ins[] = {{{ins}}}, outs[] = {{{outs}}};",
            f"      if (!tg_call(fail, PyTuple_GET_ITEM(callbacks, {j}), {k}, v, "
            f"{len(node.inputs)}, ins, {len(node.outputs)}, outs)) goto done; }}",
        )


def _fixed(t: Any) -> list[tuple[int, int]]:
    return [(a, s) for a, s in enumerate(t.shape) if s is not None]


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
    mod = PyImport_ImportModule("tensorgraft.compile_c.blas");
    if (!mod) return NULL;
    capi = PyObject_CallMethod(mod, "capi", NULL);
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
static int tg_blas_layout_of(npy_intp r, npy_intp c, npy_intp s0, npy_intp s1, npy_intp isz,
                             char* trans, int* ld)
{
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

static int tg_blas_layout(PyArrayObject* x, char* trans, int* ld)
{
    return tg_blas_layout_of(PyArray_DIM(x, 0), PyArray_DIM(x, 1), PyArray_STRIDE(x, 0),
                             PyArray_STRIDE(x, 1), PyArray_ITEMSIZE(x), trans, ld);
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

/* Let `fail(NOTE, node, (*v, error))` add a note naming node `at` to the error being
   raised (as the python backend does); a note that fails never hides the error. */
static void tg_note(PyObject* fail, Py_ssize_t at, PyObject** v, int n)
{
    PyObject *type, *value, *tb, *t, *r;
    int k;
    if (!PyErr_Occurred()) return;
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    t = value ? PyTuple_New(n + 1) : NULL;
    if (t) {
        for (k = 0; k < n; ++k) {
            PyObject* o = v[k] ? v[k] : Py_None;
            Py_INCREF(o);
            PyTuple_SET_ITEM(t, k, o);
        }
        Py_INCREF(value);
        PyTuple_SET_ITEM(t, n, value);
        r = PyObject_CallFunction(fail, "inO", NOTE_CODE, at, t);
        Py_XDECREF(r);
        Py_DECREF(t);
    }
    PyErr_Clear();
    PyErr_Restore(type, value, tb);
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
            PRELUDE.replace("NOTE_CODE", str(NOTE)),
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
