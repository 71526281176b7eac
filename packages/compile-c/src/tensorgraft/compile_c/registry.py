"""What C rules share: the table keyed by op type, failure codes, placeholders.

A node rule `rule(writer, k, node)` returns the C statements for node `k` (reading and
writing the slots `v[...]`), or None where it does not handle the node (it then calls
back its Python `perform`). Rules that emit a loop put it in a static kernel function
(`writer.kernel(text)` writes each distinct kernel once per module) and call it with
`call_kernel`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from tensorgraft.compile_c.scalar import C_TYPES
from tensorgraft.graph.basic import Apply, Variable
from tensorgraft.tensor.type import TensorType

if TYPE_CHECKING:
    from tensorgraft.compile_c.codegen import Writer

# Stands for the number of callbacks until all nodes are written.
CALLBACK_COUNT = "@CALLBACK_COUNT@"
KERNEL = "@KERNEL@"  # the name of a kernel function in its text
# Failure codes passed to the state's `fail(code, index, obj)`.
BAD_INPUT, NO_BROADCAST, NOT_DROPPABLE, BAD_CALLBACK, NO_ELEMENTS, RERAISE = 0, 1, 2, 3, 4, 5
NOTE = 6  # not a failure: add a note naming the node to the error being raised


def is_tensor(var: Variable) -> bool:
    """An array whose dtype has a C type (rules may compute with its elements)."""
    return isinstance(var.type, TensorType) and var.type.dtype in C_TYPES


def is_array(var: Variable) -> bool:
    """An array of any number dtype (float16 and complex too): compiled code checks it,
    and the rules of `ANY_DTYPE` ops, which only move or index elements, take it."""
    return isinstance(var.type, TensorType) and np.dtype(var.type.dtype).kind in "biufc"


def typenum(dtype: str) -> int:
    return np.dtype(dtype).num


NodeRule = Callable[["Writer", int, Apply], list[str] | None]
NODE_RULES: dict[type, NodeRule] = {}
# Op types whose rule takes arrays of any number dtype (`is_array`), not only C types:
# it views, copies or indexes them through NumPy's C API.
ANY_DTYPE: set[type] = set()


def register(*op_types: type, any_dtype: bool = False) -> Callable[[NodeRule], NodeRule]:
    """Decorator: the C rule of nodes of these op types (`any_dtype`: see ANY_DTYPE)."""

    def add(rule: NodeRule) -> NodeRule:
        for t in op_types:
            NODE_RULES[t] = rule
            if any_dtype:
                ANY_DTYPE.add(t)
        return rule

    return add


def call_kernel(w: Writer, name: str, k: int, node: Apply) -> list[str]:
    """Statements calling kernel `name` on node `k`'s input slots, into its output slots."""
    ins = ", ".join(f"v[{w.slot[i]}]" for i in node.inputs)
    outs = ", ".join(f"&v[{w.slot[o]}]" for o in node.outputs)
    return [
        "    {",
        f"        PyObject* in[{len(node.inputs)}] = {{{ins}}};",
        f"        PyObject** out[{len(node.outputs)}] = {{{outs}}};",
        f"        if (!{name}(fail, {k}, in, out)) goto done;",
        "    }",
    ]


def reraise_kernel(w: Writer, k: int, node: Apply, body: list[str]) -> list[str]:
    """Statements calling a kernel made of `body`, which reads `in[]` and writes `*out[]`.

    `goto bad` in `body` clears any Python error and re-raises the reference's own error
    (the op's `perform` on the same inputs names the user's variables and shapes).
    """
    return call_kernel(w, reraise_kernel_name(w, len(node.inputs), body), k, node)


def reraise_kernel_name(w: Writer, n_inputs: int, body: list[str]) -> str:
    """The name of the kernel `reraise_kernel` calls (for rules that loop over it)."""
    lines = [
        f"static int {KERNEL}(PyObject* fail, Py_ssize_t node, PyObject** in, PyObject*** out)",
        "{",
        *body,
        "bad:",
        "    PyErr_Clear();",
        f"    tg_fail_arrays(fail, {RERAISE}, node, {n_inputs}, "
        + ", ".join(f"in[{p}]" for p in range(n_inputs))
        + ");",
        "    return 0;",
        "}",
    ]
    return w.kernel("\n".join(lines))


def read_index(var: Variable, expr: str) -> str:
    """C reading the integer scalar array `expr` (of `var`'s dtype) as a Py_ssize_t.

    uint64 values past PY_SSIZE_T_MAX clamp to it (out of range, as in Python), so they
    never wrap to negative indices.
    """
    dtype = var.type.dtype  # type: ignore[attr-defined]
    value = f"*(const {C_TYPES[dtype]}*)PyArray_DATA((PyArrayObject*){expr})"
    if dtype == "uint64":
        return f"({value} > (npy_uint64)PY_SSIZE_T_MAX ? PY_SSIZE_T_MAX : (Py_ssize_t){value})"
    return f"(Py_ssize_t){value}"


def check_static(var: Variable, expr: str) -> list[str]:
    """C jumping to `bad` unless the array `expr` has the static lengths of `var`'s type
    (for results NumPy shapes: later code may rely on those lengths)."""
    conds = [
        f"PyArray_DIM((PyArrayObject*){expr}, {a}) != {s}"
        for a, s in enumerate(var.type.shape)  # type: ignore[attr-defined]
        if s is not None
    ]
    return [f"    if ({' || '.join(conds)}) goto bad;"] if conds else []
