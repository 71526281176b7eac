"""The rewrite engine: tagged rules indexed by op, run by one worklist to a fixed point.

A rule looks at one node and returns replacements for its outputs (or None). Rules are
registered in one database with tags (`canonicalize`, `stabilize`, ...); a query picks
the rules whose tags are included and not excluded. `rewrite_fgraph` runs a query:

* nodes are visited from a worklist that starts in topological order; after a
  replacement only the new nodes, the nodes whose inputs changed and their clients are
  visited again, never the whole graph;
* a node is only offered the rules indexed by its op type (and, for `Elemwise`, its
  scalar op type), so most nodes see no rule at all;
* equal constants and identical nodes (same op, same inputs) are merged on the way
  (small constants, and what nodes compute from them alone, by value: see `_run`);
* a replacement must keep each output's dtype and static shape (TypeError otherwise);
* a loop guard stops rules that keep undoing each other, naming them.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from tensorgraft.graph.basic import Apply, Constant, Variable
from tensorgraft.graph.fg import ClientNode, Feature, FunctionGraph
from tensorgraft.graph.op import Op
from tensorgraft.graph.traversal import clone_get_equiv, graph_inputs
from tensorgraft.graph.utils import describe, fixed_site, set_fixed_site
from tensorgraft.rewrite.patterns import Pattern, build, head_key, match, pattern_names
from tensorgraft.tensor.elemwise import Elemwise

# What a rule returns: new outputs for the node (None to leave one), or None.
RuleResult = Sequence[Variable | None] | None
RuleFn = Callable[[FunctionGraph, Apply], RuleResult]


class RewriteError(RuntimeError):
    """A rule produced an invalid replacement, or rules kept rewriting each other."""


@dataclass(frozen=True, eq=False)
class Rule:
    """A node rewrite: `fn(fgraph, node)` gives new outputs or None.

    `tracks` lists the index keys (op types, or `(Elemwise, scalar op type)`) of the
    nodes it can rewrite; an empty tuple means every node.
    """

    name: str
    fn: RuleFn
    tracks: tuple[Any, ...]
    tags: frozenset[str]
    doc: str = ""

    def __call__(self, fgraph: FunctionGraph, node: Apply) -> RuleResult:
        return self.fn(fgraph, node)


@dataclass
class RewriteEvent:
    """One rule application: which rule rewrote which node into what."""

    rule: str
    node: str
    replacements: list[str]

    def __str__(self) -> str:
        return f"{self.rule}: {self.node} -> {', '.join(self.replacements)}"


RULES: dict[str, Rule] = {}
# Constants up to this size are keyed by value rather than merged into one variable.
SMALL_CONSTANT_BYTES = 64


def register(
    *tags: str, tracks: Iterable[Any] = (), name: str | None = None
) -> Callable[[RuleFn], RuleFn]:
    """Decorator: register `fn(fgraph, node)` as a rule with these tags.

    `tracks` holds op types, scalar op types (meaning an `Elemwise` of them) or op /
    scalar op instances (their types).
    """

    def deco(fn: RuleFn) -> RuleFn:
        keys = tuple(head_key(t) for t in tracks)
        rule_name = name or fn.__name__
        add_rule(Rule(rule_name, fn, keys, frozenset(tags), (fn.__doc__ or "").strip()))
        return fn

    return deco


def add_rule(rule: Rule) -> Rule:
    """Add `rule` to the database (ValueError if its name is taken)."""
    if rule.name in RULES:
        raise ValueError(f"a rewrite rule named {rule.name!r} is already registered")
    RULES[rule.name] = rule
    return rule


def register_pattern(
    name: str,
    pattern: Pattern,
    result: Pattern,
    *tags: str,
    when: Callable[[dict[str, Any]], bool] | None = None,
) -> Rule:
    """Register the declarative rule `pattern -> result` (see `tensorgraft.rewrite.patterns`).

    `when(bindings)` is an optional side condition. The rule does not fire where the
    result would differ in dtype or static shape, or where it drops a pattern variable
    (which could change the broadcast shape).
    """
    if not isinstance(pattern, tuple):
        raise TypeError(f"pattern of {name} must be a tuple (op, *args), got {pattern!r}")
    dropped = pattern_names(pattern) - pattern_names(result)
    if dropped:
        raise ValueError(f"{name}: the result drops {sorted(dropped)}; write a function rule")

    def fn(fgraph: FunctionGraph, node: Apply) -> RuleResult:
        bound = match(pattern, node.outputs[0], {})
        if bound is None or (when is not None and not when(bound)):
            return None
        new = build(result, bound)
        if not fits(node.outputs[0], new):
            return None
        return [new]

    return add_rule(Rule(name, fn, (head_key(pattern[0]),), frozenset(tags), f"{pattern}"))


def fits(old: Variable, new: Any) -> bool:
    """Whether `new` may replace `old`: a variable of the same dtype and static shape."""
    return isinstance(new, Variable) and old.type.convert_variable(new) is not None


def query(include: Iterable[str], exclude: Iterable[str] = ()) -> list[Rule]:
    """The rules tagged with one of `include` and none of `exclude` (names count as tags)."""
    inc, exc = set(include), set(exclude)
    return [
        r
        for r in RULES.values()
        if (r.tags & inc or r.name in inc) and not (r.tags & exc or r.name in exc)
    ]


class _RuleIndex:
    """Rules by the keys of the nodes they track, with a per-op-type cache."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        self.by_key: dict[Any, list[Rule]] = {}
        self.every: list[Rule] = []
        for rule in rules:
            if not rule.tracks:
                self.every.append(rule)
            for key in rule.tracks:
                self.by_key.setdefault(key, []).append(rule)
        self._cache: dict[Any, list[Rule]] = {}

    def rules_for(self, op: Op) -> list[Rule]:
        key = (type(op), type(op.scalar_op)) if isinstance(op, Elemwise) else type(op)
        found = self._cache.get(key)
        if found is None:
            found = list(self.every)
            for cls in type(op).__mro__:
                found.extend(self.by_key.get(cls, ()))
            if isinstance(op, Elemwise):
                for cls in type(op.scalar_op).__mro__:
                    found.extend(self.by_key.get((Elemwise, cls), ()))
            self._cache[key] = found
        return found


class _Worklist(Feature):
    """Queues the nodes a change may let rules rewrite again."""

    def __init__(self) -> None:
        self.queue: deque[Apply] = deque()
        self.queued: set[Apply] = set()

    def push(self, node: Apply) -> None:
        if node not in self.queued:
            self.queued.add(node)
            self.queue.append(node)

    def on_import(self, fgraph: FunctionGraph, node: Apply, reason: str | None) -> None:
        self.push(node)

    def on_change_input(
        self,
        fgraph: FunctionGraph,
        node: ClientNode,
        i: int,
        old: Variable,
        new: Variable,
        reason: str | None,
    ) -> None:
        if node == "output":
            return
        self.push(node)
        # Patterns look a few nodes deep: the clients may match now too.
        for out in node.outputs:
            for client, _ in fgraph.clients.get(out, ()):
                if client != "output":
                    self.push(client)


def rewrite_fgraph(
    fgraph: FunctionGraph,
    rules: Sequence[Rule],
    events: list[RewriteEvent] | None = None,
    max_steps: int | None = None,
) -> int:
    """Apply `rules` to `fgraph` in place until none applies; return how many fired.

    Equal constants and identical nodes are merged along the way. `events` collects a
    trace of the rules that fired. Raises RewriteError when more than `max_steps`
    rules fire (default: proportional to the graph size), naming the rules that cycle.
    """
    index = _RuleIndex(rules)
    worklist = _Worklist()
    fgraph.attach_feature(worklist)
    try:
        for node in fgraph.toposort():
            worklist.push(node)
        limit = max_steps if max_steps is not None else 1000 + 20 * len(fgraph.apply_nodes)
        # What a rule builds takes the site of the node it rewrites (no stack walks).
        with fixed_site():
            return _run(fgraph, index, worklist, events, limit)
    finally:
        fgraph.remove_feature(worklist)


def _run(
    fgraph: FunctionGraph,
    index: _RuleIndex,
    worklist: _Worklist,
    events: list[RewriteEvent] | None,
    limit: int,
) -> int:
    constants: dict[Any, Constant] = {}
    # Keys of small constants and of what nodes compute from them alone ("constant
    # expressions"): equal keys are equal values. Such values are not rewired to one shared
    # variable (a variable with thousands of clients makes every later change to one of
    # them cost as much as the others), nodes reading them are merged by key instead.
    value_keys: dict[Variable, Any] = {}
    merged: dict[tuple[Any, ...], Apply] = {}
    unfolded: dict[tuple[Any, ...], Apply] = {}
    rewritten: dict[tuple[Any, ...], list[Variable | None]] = {}
    recent: deque[str] = deque(maxlen=64)
    fired = 0
    queue, queued, nodes = worklist.queue, worklist.queued, fgraph.apply_nodes
    while queue:
        node = queue.popleft()
        queued.discard(node)
        if node not in nodes:
            continue
        # Large equal constants are merged into one; small ones are keyed by value.
        for i, inp in enumerate(node.inputs):
            if isinstance(inp, Constant) and inp not in value_keys:
                sig = inp.signature()
                if getattr(inp.data, "nbytes", SMALL_CONSTANT_BYTES + 1) <= SMALL_CONSTANT_BYTES:
                    value_keys[inp] = sig
                else:
                    canon = constants.setdefault(sig, inp)
                    if canon is not inp:
                        fgraph.change_node_input(node, i, canon, reason="merge")
        if node not in nodes:
            continue
        ins = [value_keys.get(i, i) for i in node.inputs]
        key = (node.op, *ins)
        constant_expression = bool(node.inputs) and all(i in value_keys for i in node.inputs)
        if constant_expression:
            # Keyed by value and left to constant folding; merged below if not folded.
            for k, out in enumerate(node.outputs):
                value_keys[out] = (k, *key)
        else:
            other = merged.get(key)
            if other is not None and other is not node and other in nodes:
                if other.op == node.op and [value_keys.get(i, i) for i in other.inputs] == ins:
                    for old, new in zip(node.outputs, other.outputs, strict=True):
                        fgraph.replace(old, new, reason="merge")
                    continue
            # A node identical to one rewritten before gets the same result (CSE across rules).
            earlier = rewritten.get(key)
            if earlier is not None and all(_alive(fgraph, v) for v in earlier if v is not None):
                pairs = [
                    (o, v) for o, v in zip(node.outputs, earlier, strict=True) if v is not None
                ]
                fgraph.replace_all(pairs, reason="merge")
                continue
        merged[key] = node
        set_fixed_site(node.site)
        for rule in index.rules_for(node.op):
            result = rule.fn(fgraph, node)
            if result is None:
                continue
            pairs = [
                (old, new)
                for old, new in zip(node.outputs, result, strict=True)
                if new is not None and new is not old
            ]
            if not pairs:
                continue
            _check(rule, pairs)
            if events is not None:
                events.append(
                    RewriteEvent(rule.name, _show_node(node), [_show(new) for _, new in pairs])
                )
            fgraph.replace_all(pairs, reason=rule.name)
            rewritten[key] = list(result)
            fired += 1
            recent.append(rule.name)
            if fired > limit:
                names = sorted(set(recent))
                raise RewriteError(
                    f"rewriting did not reach a fixed point after {limit} rewrites; "
                    f"these rules keep firing: {', '.join(names)}"
                )
            break
        else:
            if constant_expression:  # not folded (too large, say): computed once all the same
                other = unfolded.setdefault(key, node)
                if other is not node and other in nodes:
                    fgraph.replace_all(
                        zip(node.outputs, other.outputs, strict=True), reason="merge"
                    )
    return fired


def _alive(fgraph: FunctionGraph, var: Variable) -> bool:
    return var in fgraph.variables or isinstance(var, Constant)


def _check(rule: Rule, pairs: list[tuple[Variable, Variable]]) -> None:
    for old, new in pairs:
        if not isinstance(new, Variable) or old.type.convert_variable(new) is None:
            got = new.type if isinstance(new, Variable) else type(new).__name__
            raise RewriteError(
                f"rule {rule.name} replaced {describe(old)} of type {old.type} by "
                f"{new} of type {got}; a rewrite must keep the dtype and static shape"
            )


def _show(var: Variable, depth: int = 2) -> str:
    """`var` as a call expression `Log(Add([1], x))`, `depth` levels deep."""
    if var.owner is None or depth == 0:
        return str(var)
    return _show_node(var.owner, depth)


def _show_node(node: Apply, depth: int = 2) -> str:
    return f"{node.op}({', '.join(_show(i, depth - 1) for i in node.inputs)})"


@dataclass
class RewriteResult:
    """What `rewrite_graph` did: the new outputs and the trace of rules fired."""

    outputs: list[Variable]
    events: list[RewriteEvent] = field(default_factory=list)


def clone_for_rewrite(outputs: Sequence[Variable]) -> FunctionGraph:
    """A FunctionGraph over a copy of the graph of `outputs` that keeps the user's inputs.

    The nodes are copied (so the user's graph is never changed) but root variables are
    shared, so the rewritten outputs are still functions of the user's placeholders.
    """
    inputs = [v for v in graph_inputs(outputs) if not isinstance(v, Constant)]
    equiv = clone_get_equiv(inputs, outputs, copy_inputs=False, copy_orphans=False)
    return FunctionGraph(inputs, [equiv[o] for o in outputs], clone=False)
