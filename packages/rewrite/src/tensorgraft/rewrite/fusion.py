"""Elementwise fusion (phase `fusion`): trees of `Elemwise` nodes become one `Composite`.

One pass over the graph. A cluster grows from a root `Elemwise` towards its inputs,
taking each producer all of whose clients are already in the cluster (so no value is
computed twice and no cycle appears), or whose other clients come after the root in
topological order and whose value has the root's shape: that value becomes one more
output of the composite (multiple outputs). Producers are considered in decreasing
topological order, so a diamond (`exp(x) * sin(exp(x))`) is fused whole. The cluster
becomes `Elemwise(Composite(...))`: backends run one loop and `dprint` shows the inner
graph. One-element constants are inlined into the composite.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from typing import Any

import numpy as np

from tensorgraft.graph.basic import Apply, Variable
from tensorgraft.graph.fg import FunctionGraph
from tensorgraft.rewrite.engine import RewriteEvent, fits
from tensorgraft.rewrite.patterns import constant_value
from tensorgraft.rewrite.pipeline import register_graph_phase
from tensorgraft.rewrite.rules.shapes import dim_key
from tensorgraft.tensor.elemwise import Elemwise
from tensorgraft.tensor.scalar_ops import Composite, ScalarType
from tensorgraft.tensor.type import TensorType

# Bounds that keep a composite (and its printed name) small.
MAX_CLUSTER = 64
MAX_EXPANDED = 2000


def _fusable(node: Apply) -> bool:
    op = node.op
    return (
        isinstance(op, Elemwise)
        and not op.inplace_pattern
        and all(isinstance(o.type, TensorType) for o in node.outputs)
    )


@register_graph_phase("fusion")
def fuse_elemwise(
    fgraph: FunctionGraph, exclude: Sequence[str] = (), events: list[RewriteEvent] | None = None
) -> None:
    """Replace each cluster of two or more fusable `Elemwise` nodes by one composite node."""
    if "fuse_elemwise" in exclude:
        return
    order = fgraph.toposort()
    position = {node: k for k, node in enumerate(order)}
    taken: set[Apply] = set()
    memo: dict[tuple[Variable, int], Any] = {}  # lengths (dim_key) of values
    for root in reversed(order):
        if root in taken or not _fusable(root):
            continue
        members = _grow(fgraph, root, position, taken, memo)
        taken.update(members)
        if len(members) < 2:
            continue
        ordered = sorted(members, key=position.__getitem__)
        # Values also used outside the cluster become extra outputs of the composite.
        olds = [
            *root.outputs,
            *(o for n in ordered if n is not root for o in _used_outside(fgraph, n, members)),
        ]
        new = _fuse(ordered, olds)
        if new is None:
            continue
        position[new] = position[root]
        if events is not None:
            events.append(RewriteEvent("fuse_elemwise", str(root), [str(new.op)]))
        fgraph.replace_all(zip(olds, new.outputs, strict=True), reason="fuse_elemwise")


def _used_outside(fgraph: FunctionGraph, node: Apply, members: set[Apply]) -> list[Variable]:
    return [
        out
        for out in node.outputs
        if any(c == "output" or c not in members for c, _ in fgraph.clients[out])
    ]


def _grow(
    fgraph: FunctionGraph,
    root: Apply,
    position: dict[Apply, int],
    taken: set[Apply],
    memo: dict[tuple[Variable, int], Any],
) -> set[Apply]:
    """The cluster of `root`: producers whose values are used inside it only, or also
    after `root` (in topological order, so no cycle) where they have `root`'s shape."""
    members = {root}
    heap: list[tuple[int, int, Apply]] = []
    pushed: set[Apply] = set()
    last = position[root]

    def keys(var: Variable) -> list[Any]:
        return [dim_key(var, a, memo=memo) for a in range(var.type.ndim)]  # type: ignore[attr-defined]

    def push_producers(node: Apply) -> None:
        for inp in node.inputs:
            p = inp.owner
            if p is not None and p not in pushed and p not in taken and _fusable(p):
                pushed.add(p)
                heapq.heappush(heap, (-position[p], id(p), p))

    def joins(node: Apply) -> bool:
        for out in node.outputs:
            outside = [c for c, _ in fgraph.clients[out] if c == "output" or c not in members]
            if not outside:
                continue
            if any(c != "output" and position.get(c, last + 1) <= last for c in outside):
                return False  # read before the cluster is complete: it would make a cycle
            if keys(out) != keys(root.outputs[0]):
                return False  # the composite computes every output at the full shape
        return True

    push_producers(root)
    while heap and len(members) < MAX_CLUSTER:
        _, _, node = heapq.heappop(heap)
        if joins(node):
            members.add(node)
            push_producers(node)
    return members


def _fuse(members: list[Apply], outputs: list[Variable]) -> Apply | None:
    """The composite node computing `outputs` from the cluster's outside inputs."""
    inner: dict[Variable, Variable] = {}
    outer_inputs: list[Variable] = []
    inner_inputs: list[Variable] = []
    expanded: dict[Variable, int] = {}
    for node in members:
        args = []
        for inp in node.inputs:
            if inp not in inner:
                value = _inline_value(inp)
                if value is not None:
                    inner[inp] = ScalarType(value.dtype).make_constant(value)
                else:
                    var = ScalarType(inp.type.dtype)()  # type: ignore[attr-defined]
                    inner[inp] = var
                    inner_inputs.append(var)
                    outer_inputs.append(inp)
            args.append(inner[inp])
        size = 1 + sum(expanded.get(a, 1) for a in args)
        if size > MAX_EXPANDED:
            return None  # shared subexpressions would print (and build) too large a name
        scalar_node = node.op.scalar_op.make_node(*args)  # type: ignore[attr-defined]
        for out, new in zip(node.outputs, scalar_node.outputs, strict=True):
            inner[out] = new
            expanded[new] = size
    if not outer_inputs:
        return None
    composite = Composite(inner_inputs, [inner[o] for o in outputs])
    new = Elemwise(composite).make_node(*outer_inputs)
    if not all(fits(o, n) for o, n in zip(outputs, new.outputs, strict=True)):
        return None
    return new


def _inline_value(var: Variable) -> np.ndarray | None:
    """The scalar value of a one-element constant input, which the composite inlines."""
    data = constant_value(var)  # through ExpandDims
    return data.reshape(()) if data is not None and data.size == 1 else None
