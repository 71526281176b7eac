"""Helpers to test rewrites: evaluate a graph as written, list the ops a graph uses."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from tensorgraft.graph.basic import Constant, Variable
from tensorgraft.graph.traversal import toposort


def evaluate(
    outputs: Sequence[Variable], values: Mapping[Any, Any], copy: bool = True
) -> list[Any]:
    """The outputs' values computed node by node with `perform`, with no rewrite at all.

    With `copy=False` each node gets the very arrays computed (or given) before it, so
    a node with a destroy map really overwrites them (to test in-place rewrites).
    """
    env: dict[Variable, Any] = {k: np.asarray(v) for k, v in values.items()}
    with np.errstate(all="ignore"):
        for node in toposort(outputs):
            args = [env[i] if i in env else _root(i) for i in node.inputs]
            results = node.op.perform(node, [np.array(a) for a in args] if copy else args)
            for out, value in zip(node.outputs, results, strict=True):
                env[out] = np.asarray(value)
    return [env[o] if o in env else _root(o) for o in outputs]


def _root(var: Variable) -> Any:
    if isinstance(var, Constant):
        return var.data
    raise KeyError(f"no value given for input {var}")


def op_names(outputs: Variable | Sequence[Variable]) -> list[str]:
    """The names of the ops (scalar op names for Elemwise) in a graph, in topological order."""
    outs = [outputs] if isinstance(outputs, Variable) else list(outputs)
    names = []
    for node in toposort(outs):
        scalar = getattr(node.op, "scalar_op", None)
        names.append(type(scalar).__name__ if scalar is not None else type(node.op).__name__)
    return names
