"""The reference backend: run each node's `perform` in topological order.

It is the oracle every other backend and every rewrite is tested against, so it checks
that each `perform` returns values of the declared type.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from tensorgraft.compile.backends import Thunk
from tensorgraft.graph.basic import Apply, Constant, Variable
from tensorgraft.graph.fg import FunctionGraph
from tensorgraft.graph.utils import format_site


def node_label(node: Apply) -> str:
    """'Log (created at model.py:12)' for error messages."""
    return f"{node.op} (created at {format_site(node.site)})"


Checker = Callable[[Any], None]


def _output_checker(node: Apply, var: Variable) -> Checker | None:
    """A check that a value fits `var`'s type, with the type's facts read once."""
    t = var.type
    if getattr(t, "dtype", None) is None:
        return None
    dtype = np.dtype(t.dtype)  # type: ignore[attr-defined]
    ndim = getattr(t, "ndim", 0)
    fixed = [(a, s) for a, s in enumerate(getattr(t, "shape", ())) if s is not None]

    def check(value: Any) -> None:
        if (
            isinstance(value, np.ndarray | np.generic)
            and value.dtype == dtype
            and value.ndim == ndim
            and all(value.shape[a] == s for a, s in fixed)
        ):
            return
        got = f"{type(value).__name__} {getattr(value, 'dtype', '')} {np.shape(value)}"
        raise TypeError(f"{node_label(node)} returned {got}, but its output type is {t}")

    return check


class PythonBackend:
    """Runs the graph node by node with the ops' NumPy/SciPy `perform`."""

    name = "python"
    rewrite_include: tuple[str, ...] = ()
    rewrite_exclude: tuple[str, ...] = ("inplace",)

    def __init__(self, check_outputs: bool = True) -> None:
        self.check_outputs = check_outputs

    def unavailable_reason(self) -> str | None:
        return None

    def link(self, fgraph: FunctionGraph) -> Thunk:
        order = fgraph.toposort()
        slot: dict[Variable, int] = {}
        template: list[Any] = []

        def place(var: Variable) -> int:
            if var not in slot:
                slot[var] = len(template)
                template.append(var.data if isinstance(var, Constant) else None)
            return slot[var]

        input_slots = [place(v) for v in fgraph.inputs]
        steps = [
            (
                node,
                [place(i) for i in node.inputs],
                [place(o) for o in node.outputs],
                [_output_checker(node, o) if self.check_outputs else None for o in node.outputs],
            )
            for node in order
        ]
        output_slots = [place(v) for v in fgraph.outputs]

        def run(inputs: Sequence[Any]) -> list[Any]:
            storage = list(template)
            for k, value in zip(input_slots, inputs, strict=True):
                storage[k] = value
            for node, ins, outs, checks in steps:
                try:
                    results = node.op.perform(node, [storage[k] for k in ins])
                except Exception as err:
                    shapes = ", ".join(str(np.shape(storage[k])) for k in ins)
                    err.add_note(f"while computing {node_label(node)} on inputs of shapes {shapes}")
                    raise
                for k, check, value in zip(outs, checks, results, strict=True):
                    if check is not None:
                        check(value)
                    storage[k] = value
            return [storage[k] for k in output_slots]

        return run

    def __repr__(self) -> str:
        return "PythonBackend()"


backend = PythonBackend()
