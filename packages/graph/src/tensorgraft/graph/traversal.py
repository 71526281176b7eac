"""Walking graphs: ancestors, roots, topological order, cloning and structural equality.

Every walk is iterative (deep graphs must not hit Python's recursion limit).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence

from tensorgraft.graph.basic import Apply, Constant, Variable


def ancestors(
    outputs: Iterable[Variable], blockers: Collection[Variable] | None = None
) -> Iterator[Variable]:
    """Every variable the `outputs` depend on (themselves included), depth first.

    The walk does not go above a variable in `blockers`.
    """
    blockers = blockers or ()
    seen: set[Variable] = set()
    stack = list(outputs)[::-1]
    while stack:
        var = stack.pop()
        if var in seen:
            continue
        seen.add(var)
        yield var
        if var.owner is not None and var not in blockers:
            stack.extend(reversed(var.owner.inputs))


def graph_inputs(
    outputs: Iterable[Variable], blockers: Collection[Variable] | None = None
) -> list[Variable]:
    """The root variables (no owner, constants included) and blockers the outputs need."""
    blockers = blockers or ()
    return [v for v in ancestors(outputs, blockers) if v.owner is None or v in blockers]


def io_toposort(inputs: Iterable[Variable], outputs: Iterable[Variable]) -> list[Apply]:
    """The nodes between `inputs` and `outputs`, each after the nodes it depends on."""
    blockers = inputs if isinstance(inputs, set | frozenset) else set(inputs)
    order: list[Apply] = []
    done: set[Apply] = set()
    # Post-order DFS: a node is emitted once all its inputs' owners are.
    for out in outputs:
        if out.owner is None or out in blockers or out.owner in done:
            continue
        stack: list[tuple[Apply, int]] = [(out.owner, 0)]
        on_stack = {out.owner}
        while stack:
            node, k = stack[-1]
            if k < len(node.inputs):
                stack[-1] = (node, k + 1)
                inp = node.inputs[k]
                owner = inp.owner
                if owner is None or inp in blockers or owner in done:
                    continue
                if owner in on_stack:
                    raise ValueError(f"the graph has a cycle through {owner}")
                stack.append((owner, 0))
                on_stack.add(owner)
            else:
                stack.pop()
                on_stack.discard(node)
                done.add(node)
                order.append(node)
    return order


def toposort(outputs: Iterable[Variable]) -> list[Apply]:
    """Every node the `outputs` depend on, in topological order."""
    return io_toposort((), outputs)


def applys_between(inputs: Iterable[Variable], outputs: Iterable[Variable]) -> list[Apply]:
    """The nodes on some path from `inputs` (or roots) to `outputs`."""
    return io_toposort(inputs, outputs)


def clone_get_equiv(
    inputs: Sequence[Variable],
    outputs: Sequence[Variable],
    copy_inputs: bool = True,
    copy_orphans: bool = True,
    memo: dict[Variable, Variable] | None = None,
) -> dict[Variable, Variable]:
    """Clone the graph between `inputs` and `outputs`; return {old variable: new one}.

    `inputs` become fresh root variables (cutting the graph above them) when
    `copy_inputs`; other roots (constants, ...) are copied when `copy_orphans`.
    Entries already in `memo` are used as they are (that is how replacement works).
    """
    equiv: dict[Variable, Variable] = {} if memo is None else memo
    for inp in inputs:
        if inp not in equiv:
            equiv[inp] = inp.clone() if copy_inputs else inp
    for node in io_toposort(list(equiv), outputs):
        new_inputs = []
        for inp in node.inputs:
            if inp not in equiv:
                equiv[inp] = inp.clone() if copy_orphans else inp
            new_inputs.append(equiv[inp])
        new_node = node.clone_with_new_inputs(new_inputs, strict=False)
        for old, new in zip(node.outputs, new_node.outputs, strict=True):
            equiv.setdefault(old, new)
    for out in outputs:
        if out not in equiv:
            equiv[out] = out.clone() if copy_orphans else out
    return equiv


def clone(
    inputs: Sequence[Variable],
    outputs: Sequence[Variable],
    copy_inputs: bool = True,
    copy_orphans: bool = True,
) -> tuple[list[Variable], list[Variable]]:
    """A copy of the graph from `inputs` to `outputs`: (new inputs, new outputs)."""
    equiv = clone_get_equiv(inputs, outputs, copy_inputs, copy_orphans)
    return [equiv[i] for i in inputs], [equiv[o] for o in outputs]


def equal_computations(
    xs: Sequence[Variable],
    ys: Sequence[Variable],
    in_xs: Sequence[Variable] | None = None,
    in_ys: Sequence[Variable] | None = None,
) -> bool:
    """Whether `xs` and `ys` compute the same thing: equal ops on equal inputs.

    Root variables are equal when they are the same object, when they are equal
    constants, or when they stand at the same position in `in_xs` / `in_ys`.
    """
    if len(xs) != len(ys):
        return False
    in_xs, in_ys = in_xs or [], in_ys or []
    if len(in_xs) != len(in_ys):
        return False
    same: dict[Variable, Variable] = dict(zip(in_xs, in_ys, strict=True))
    stack = list(zip(xs, ys, strict=True))
    while stack:
        x, y = stack.pop()
        if same.get(x) is y:
            continue
        if x in same or x.type != y.type:
            return False
        if x.owner is None or y.owner is None:
            if x is y and x not in in_xs:
                same[x] = y
                continue
            if isinstance(x, Constant) and x.equals(y):
                same[x] = y
                continue
            return False
        if x.index != y.index or x.owner.op != y.owner.op:
            return False
        if len(x.owner.inputs) != len(y.owner.inputs):
            return False
        same[x] = y
        stack.extend(zip(x.owner.inputs, y.owner.inputs, strict=True))
    return True
