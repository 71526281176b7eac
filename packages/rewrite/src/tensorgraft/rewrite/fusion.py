"""Elementwise fusion (phase `fusion`): trees of `Elemwise` nodes become one `Composite`.

One pass over the graph. A cluster grows from a root `Elemwise` towards its inputs,
taking each producer all of whose clients are already in the cluster (so no value is
computed twice and no cycle appears), or whose other clients do not lead to the root
(they come after it in topological order, or a bounded search finds no path) and whose
value has the root's shape: that value becomes one more output of the composite
(multiple outputs). So `r = (y - t) / s` joins the cluster of `-r / s` even where the
earlier `sqr(r)` reads it too. Producers are considered in decreasing
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
# Nodes one search for a path from an earlier client to the root may visit.
MAX_PATH_VISITS = 256


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
    position: dict[Apply, float] = {node: k for k, node in enumerate(order)}
    taken: set[Apply] = set()
    memo: dict[tuple[Variable, int], Any] = {}  # lengths (dim_key) of values
    for root in reversed(order):
        if root in taken or not _fusable(root):
            continue
        members, early = _grow(fgraph, root, position, taken, memo)
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
        if early:
            _place(fgraph, new, position)


def _used_outside(fgraph: FunctionGraph, node: Apply, members: set[Apply]) -> list[Variable]:
    return [
        out
        for out in node.outputs
        if any(c == "output" or c not in members for c, _ in fgraph.clients[out])
    ]


def _grow(
    fgraph: FunctionGraph,
    root: Apply,
    position: dict[Apply, float],
    taken: set[Apply],
    memo: dict[tuple[Variable, int], Any],
) -> tuple[set[Apply], bool]:
    """The cluster of `root`: producers whose values are used inside it only, or also
    by nodes that do not lead to `root` (so no cycle) where they have `root`'s shape.
    Also whether such a node comes before `root` in topological order."""
    members = {root}
    heap: list[tuple[float, int, Apply]] = []
    pushed: set[Apply] = set()
    last = position[root]
    early = False

    def keys(var: Variable) -> list[Any]:
        return [dim_key(var, a, memo=memo) for a in range(var.type.ndim)]  # type: ignore[attr-defined]

    def push_producers(node: Apply) -> None:
        for inp in node.inputs:
            p = inp.owner
            if p is not None and p not in pushed and p not in taken and _fusable(p):
                pushed.add(p)
                heapq.heappush(heap, (-position[p], id(p), p))

    def joins(node: Apply) -> bool:
        nonlocal early
        before = False
        for out in node.outputs:
            outside = [c for c, _ in fgraph.clients[out] if c == "output" or c not in members]
            if not outside:
                continue
            if keys(out) != keys(root.outputs[0]):
                return False  # the composite computes every output at the full shape
            for c in outside:
                if c != "output" and position.get(c, last + 1) <= last:
                    # Every member leads to the root: a client that does too would read
                    # the composite and feed it, a cycle.
                    if _leads_to(c, root, position):
                        return False
                    before = True
        early = early or before
        return True

    push_producers(root)
    while heap and len(members) < MAX_CLUSTER:
        _, _, node = heapq.heappop(heap)
        if joins(node):
            members.add(node)
            push_producers(node)
    return members, early


def _place(fgraph: FunctionGraph, new: Apply, position: dict[Apply, float]) -> None:
    """Keep `position` a topological order once a client placed before the root reads
    the composite `new`: `new` moves just after its latest producer where all its
    clients come later (the usual case), else every node is numbered again."""
    after = max((position[i.owner] for i in new.inputs if i.owner is not None), default=-1.0)
    clients = [c for o in new.outputs for c, _ in fgraph.clients[o] if c != "output"]
    before = min((position[c] for c in clients), default=after + 2.0)
    middle = (after + before) / 2
    if after < middle < before:  # (fails too where halving ran out of float precision)
        position[new] = middle
    else:
        position.update((n, k) for k, n in enumerate(fgraph.toposort()))


def _leads_to(start: Apply, root: Apply, position: dict[Apply, float]) -> bool:
    """Whether `root` depends on `start`; True also when the search runs out of budget.

    Walks up from `root`, skipping nodes placed before `start` (they cannot depend on it).
    """
    low = position[start]
    stack = [root]
    seen = {root}
    visits = 0
    while stack:
        node = stack.pop()
        visits += 1
        if visits > MAX_PATH_VISITS:
            return True
        for inp in node.inputs:
            p = inp.owner
            if p is None or p in seen:
                continue
            if p is start:
                return True
            if position.get(p, low + 1) > low:
                seen.add(p)
                stack.append(p)
    return False


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
        results = _apply_scalar(node.op.scalar_op, args, expanded)  # type: ignore[attr-defined]
        if results is None:
            return None  # shared subexpressions would print (and build) too large a name
        inner.update(zip(node.outputs, results, strict=True))
    if not outer_inputs:
        return None
    composite = Composite(inner_inputs, [inner[o] for o in outputs])
    new = Elemwise(composite).make_node(*outer_inputs)
    if not all(fits(o, n) for o, n in zip(outputs, new.outputs, strict=True)):
        return None
    return new


def _apply_scalar(
    op: Any, args: list[Variable], expanded: dict[Variable, int]
) -> list[Variable] | None:
    """The outputs of scalar `op` on `args`; a composite is inlined (no nested composites).

    `expanded` holds each value's printed size; None where one grows past the bound.
    """
    if not isinstance(op, Composite):
        size = 1 + sum(expanded.get(a, 1) for a in args)
        if size > MAX_EXPANDED:
            return None
        made = list(op.make_node(*args).outputs)
        expanded.update((o, size) for o in made)
        return made
    values: dict[Variable, Variable] = dict(zip(op.inner_inputs, args, strict=True))
    for node in op._nodes:
        ins = [values.get(i, i) for i in node.inputs]  # constants stay as they are
        outs = _apply_scalar(node.op, ins, expanded)
        if outs is None:
            return None
        values.update(zip(node.outputs, outs, strict=True))
    return [values.get(o, o) for o in op.inner_outputs]


def _inline_value(var: Variable) -> np.ndarray | None:
    """The scalar value of a one-element constant input, which the composite inlines."""
    data = constant_value(var)  # through ExpandDims
    return data.reshape(()) if data is not None and data.size == 1 else None
