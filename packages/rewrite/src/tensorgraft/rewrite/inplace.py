"""In-place rewrites (phase `inplace`) and the destroy-map check.

An op may overwrite an input (its `destroy_map`) only when that is invisible:

* the input is a fresh array made inside the graph (an `Elemwise`, `Alloc` or reduction
  output), or a chain of views (`DimShuffle`, `Subtensor`, `Reshape`: ops with a
  `view_map`) of one: never a graph input, a constant, or a view that may share their
  memory;
* nothing else uses it: its only client is the node that overwrites it, and each
  buffer of a view chain has one client, the next view (so no value is read after it
  was destroyed, and none is a graph output).

The phase turns `Elemwise` nodes into `Elemwise(..., inplace_pattern)` and indexed
writes (`IncSubtensor`, `AdvancedIncSubtensor`) into their `inplace=True` forms where an
input qualifies, then runs `check_destroy_maps`. Only backends that honour destroy maps
include it (the python backend excludes the tag).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from tensorgraft.graph.basic import Apply, Constant, Variable
from tensorgraft.graph.fg import FunctionGraph
from tensorgraft.graph.utils import describe
from tensorgraft.rewrite.engine import RewriteError, RewriteEvent
from tensorgraft.rewrite.pipeline import register_graph_phase
from tensorgraft.tensor.construction import Alloc
from tensorgraft.tensor.elemwise import Elemwise
from tensorgraft.tensor.reduction import Reduce
from tensorgraft.tensor.subtensor import IndexedWrite

# Ops whose outputs are always new arrays (never views of an input).
FRESH_OUTPUTS: tuple[type, ...] = (Elemwise, Alloc, Reduce)


def can_destroy(fgraph: FunctionGraph, var: Variable, node: Apply) -> bool:
    """Whether `node` may overwrite `var` (see the module doc)."""
    return _only_client(fgraph, var, node) and _fresh_buffer(fgraph, var)


def _only_client(fgraph: FunctionGraph, var: Variable, node: Apply) -> bool:
    clients = fgraph.clients.get(var)
    return clients is not None and len(clients) == 1 and clients[0][0] is node


def _fresh_buffer(fgraph: FunctionGraph, var: Variable) -> bool:
    """Whether `var` is a fresh intermediate array, or a view chain of one in which every
    buffer is read only by the next view (so writing through the view is invisible)."""
    while True:
        owner = var.owner
        if owner is None or isinstance(var, Constant) or var in fgraph.inputs:
            return False
        op = owner.op
        if op.destroy_map:
            return False
        if not op.view_map:
            return isinstance(op, FRESH_OUTPUTS)
        sources = op.view_map.get(var.index or 0, [])
        if len(owner.outputs) != 1 or len(sources) != 1:
            return False
        base = owner.inputs[sources[0]]
        if not _only_client(fgraph, base, owner):
            return False
        var = base


@register_graph_phase("inplace")
def make_inplace(
    fgraph: FunctionGraph, exclude: Sequence[str] = (), events: list[RewriteEvent] | None = None
) -> None:
    """Let elementwise and inc/set-subtensor nodes overwrite an input nobody else needs."""
    for node in fgraph.toposort():
        op = node.op
        new: Apply | None = None
        if (
            isinstance(op, Elemwise)
            and not op.inplace_pattern
            and "inplace_elemwise" not in exclude
        ):
            new = _inplace_elemwise(fgraph, node, op)
        elif isinstance(op, IndexedWrite) and not op.inplace and "inplace_subtensor" not in exclude:
            if can_destroy(fgraph, node.inputs[0], node):
                new = dataclasses.replace(op, inplace=True).make_node(*node.inputs)
        if new is None:
            continue
        if events is not None:
            events.append(RewriteEvent("inplace", str(node), [str(new.op)]))
        fgraph.replace_all(zip(node.outputs, new.outputs, strict=True), reason="inplace")
    check_destroy_maps(fgraph)


def _inplace_elemwise(fgraph: FunctionGraph, node: Apply, op: Elemwise) -> Apply | None:
    out = node.outputs[0]
    for i, inp in enumerate(node.inputs):
        # Same dtype and static shape: the output can live in the input's buffer.
        if inp.type == out.type and can_destroy(fgraph, inp, node):
            return Elemwise(op.scalar_op, ((0, i),)).make_node(*node.inputs)
    return None


def check_destroy_maps(fgraph: FunctionGraph) -> None:
    """Raise RewriteError if a node overwrites a graph input, a constant, or a value
    that another node (or the caller, as an output) still reads."""
    for node in fgraph.apply_nodes:
        for positions in node.op.destroy_map.values():
            for i in positions:
                var = node.inputs[i]
                if var in fgraph.inputs or isinstance(var, Constant):
                    raise RewriteError(f"{node.op} would overwrite the input {describe(var)}")
                others = [c for c, _ in fgraph.clients[var] if c is not node]
                if others:
                    raise RewriteError(
                        f"{node.op} overwrites {describe(var)}, which {others[0]} still reads"
                    )
                owner = var.owner
                if owner is not None and owner.op.view_map and not _fresh_buffer(fgraph, var):
                    raise RewriteError(
                        f"{node.op} overwrites {describe(var)}, a view made by {owner.op} "
                        "of a value that is an input or that something else reads"
                    )
