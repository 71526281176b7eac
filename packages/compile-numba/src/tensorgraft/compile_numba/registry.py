"""The numba backend's rule tables: source templates per op type and per scalar op.

A node rule writes Numba-compilable Python for one node into the generated function:

    @numba_impl.register(Sum)
    def _(ctx, node, ins, outs):
        ctx.emit(f"{outs[0]} = ...")        # ins/outs: names of local variables

Every value is a NumPy array (0-d for scalars). A rule may decline a node by returning
a reason (a string): the node then runs through a Python callback (`perform` in an
`objmode` block), or is rejected at compile time when callbacks are disabled.

`Elemwise` looks up its scalar op in `scalar_impl`: `fn(op, args, in_dtypes, out_dtypes)`
returns one expression per output over scalar expressions `args`, or a reason string.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tensorgraft.graph.op import Op

NodeImpl = Callable[..., Any]
ScalarImpl = Callable[..., Any]


class TypeTable:
    """Op type -> implementation, looked up along the MRO; plus declared reasons."""

    def __init__(self) -> None:
        self.impls: dict[type, Callable[..., Any]] = {}
        self.reasons: dict[type, str] = {}

    def register(self, *op_types: type) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Decorator: the function implements nodes (or scalar ops) of `op_types`."""

        def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
            for t in op_types:
                self.impls[t] = fn
            return fn

        return deco

    def python_callback(self, op_type: type, reason: str) -> None:
        """Declare that `op_type` runs through a Python callback on purpose, and why."""
        self.reasons[op_type] = reason

    def lookup(self, op: Op | type) -> Callable[..., Any] | None:
        """The implementation for `op` (an instance or a type), or None."""
        t = op if isinstance(op, type) else type(op)
        for base in t.__mro__:
            if base in self.impls:
                return self.impls[base]
        return None

    def reason(self, op: Op | type) -> str | None:
        """The declared reason `op` runs through a callback, if any."""
        t = op if isinstance(op, type) else type(op)
        for base in t.__mro__:
            if base in self.reasons:
                return self.reasons[base]
        return None


numba_impl = TypeTable()
scalar_impl = TypeTable()
