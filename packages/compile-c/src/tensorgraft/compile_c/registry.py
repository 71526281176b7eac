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


def is_tensor(var: Variable) -> bool:
    return isinstance(var.type, TensorType) and var.type.dtype in C_TYPES


def typenum(dtype: str) -> int:
    return np.dtype(dtype).num


NodeRule = Callable[["Writer", int, Apply], list[str] | None]
NODE_RULES: dict[type, NodeRule] = {}


def register(*op_types: type) -> Callable[[NodeRule], NodeRule]:
    """Decorator: the C rule of nodes of these op types."""

    def add(rule: NodeRule) -> NodeRule:
        for t in op_types:
            NODE_RULES[t] = rule
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
