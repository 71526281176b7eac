"""Queries and pipelines: `rewrite_graph` for users, `default_pipeline` for `function`.

A pipeline is an ordered sequence of phases. A rule phase (`canonicalize`, `stabilize`,
`specialize`) runs the rules tagged with its name to a fixed point; a graph phase
(`fusion`, `inplace`) runs one pass over the whole graph. `merge` only merges constants
and identical nodes. `default_pipeline` is what `tensorgraft.compile.function` runs
(entry point `tensorgraft.rewriters: default`); backends add or exclude tags.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Sequence
from typing import Any

from tensorgraft.graph.basic import Variable
from tensorgraft.graph.fg import FunctionGraph
from tensorgraft.graph.utils import fixed_site
from tensorgraft.rewrite.engine import RewriteEvent, clone_for_rewrite, query, rewrite_fgraph

# A graph phase: fn(fgraph, exclude, events) rewrites the whole graph in one pass.
GraphPhase = Callable[[FunctionGraph, Sequence[str], "list[RewriteEvent] | None"], None]

RULE_PHASES = ("canonicalize", "stabilize", "specialize")
GRAPH_PHASES: dict[str, GraphPhase] = {}
PHASE_ORDER = ("merge", "canonicalize", "stabilize", "specialize", "fusion", "inplace")
DEFAULT_PHASES = PHASE_ORDER


def register_graph_phase(name: str) -> Callable[[GraphPhase], GraphPhase]:
    """Decorator: make `fn(fgraph, exclude, events)` the whole-graph phase `name`."""

    def deco(fn: GraphPhase) -> GraphPhase:
        GRAPH_PHASES[name] = fn
        return fn

    return deco


def run_phases(
    fgraph: FunctionGraph,
    include: Sequence[str],
    exclude: Sequence[str] = (),
    events: list[RewriteEvent] | None = None,
) -> None:
    """Run the phases named in `include` in pipeline order (tags that are no phase too)."""
    wanted = [t for t in include if t not in exclude]
    # Rewriting makes many short-lived cycles (nodes <-> variables); a full collection
    # every few thousand allocations made large graphs quadratic. Collect once after.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        with fixed_site():  # new nodes: no stack walk (the engine gives them a site)
            for phase in PHASE_ORDER:
                if phase not in wanted:
                    continue
                if phase in GRAPH_PHASES:
                    GRAPH_PHASES[phase](fgraph, exclude, events)
                elif phase == "merge":
                    if not any(p in wanted for p in RULE_PHASES):  # rule phases merge too
                        rewrite_fgraph(fgraph, [], events)
                else:
                    rewrite_fgraph(fgraph, query([phase], exclude), events)
            others = [t for t in wanted if t not in PHASE_ORDER]
            if others:
                rewrite_fgraph(fgraph, query(others, exclude), events)
    finally:
        if gc_was_enabled:
            gc.enable()


def rewrite_graph(
    outputs: Variable | Sequence[Variable],
    include: Sequence[str] = ("canonicalize",),
    exclude: Sequence[str] = (),
    trace: bool | list[RewriteEvent] = False,
) -> Any:
    """Rewrite the graph of `outputs` and return the new outputs (same structure).

    `include` names phases (`canonicalize`, `stabilize`, `specialize`, `fusion`, ...),
    run in pipeline order, or other tags / rule names; `exclude` removes tags or rules.
    The user's graph is not changed; the result uses the same input variables.
    With `trace=True` each rule that fired is printed, in order; pass a list to collect
    the `RewriteEvent`s instead.
    """
    single = isinstance(outputs, Variable)
    outs: list[Variable] = [outputs] if isinstance(outputs, Variable) else list(outputs)
    fgraph = clone_for_rewrite(outs)
    events: list[RewriteEvent] | None = trace if isinstance(trace, list) else None
    if trace is True:
        events = []
    run_phases(fgraph, include, exclude, events)
    if trace is True and events is not None:
        for event in events:
            print(event)
    return fgraph.outputs[0] if single else list(fgraph.outputs)


def default_pipeline(
    fgraph: FunctionGraph, include: Sequence[str] = (), exclude: Sequence[str] = ()
) -> None:
    """Rewrite `fgraph` in place with the default phases, plus `include`, minus `exclude`."""
    run_phases(fgraph, [*DEFAULT_PHASES, *include], exclude)
