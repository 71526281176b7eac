"""Graph surgery that returns new graphs: `clone_replace` and `graph_replace`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TypeVar

from tensorgraft.graph.basic import Variable
from tensorgraft.graph.traversal import ancestors, clone_get_equiv, io_toposort
from tensorgraft.graph.utils import describe

Outputs = TypeVar("Outputs", Variable, Sequence[Variable])
Replacements = Mapping[Variable, Variable] | Iterable[tuple[Variable, Variable]]


def _as_pairs(replace: Replacements | None) -> list[tuple[Variable, Variable]]:
    if replace is None:
        return []
    items = replace.items() if isinstance(replace, Mapping) else replace
    return [(old, new) for old, new in items]


def _unpack(outputs: Variable | Sequence[Variable]) -> tuple[list[Variable], bool]:
    if isinstance(outputs, Variable):
        return [outputs], True
    return list(outputs), False


def clone_replace(
    outputs: Outputs, replace: Replacements | None = None, strict: bool = False
) -> Outputs:
    """A full copy of the graph of `outputs`, with each key of `replace` replaced.

    The replacement variables themselves are used as they are (not copied). Node types
    are inferred again where a replacement changes an input type; with `strict`, a
    replacement must fit the type of the variable it replaces.
    """
    outs, single = _unpack(outputs)
    pairs = _as_pairs(replace)
    if strict:
        _check_types(pairs)
    memo = dict(pairs)
    equiv = clone_get_equiv([], outs, copy_inputs=False, copy_orphans=False, memo=memo)
    new_outs = [equiv[o] for o in outs]
    return new_outs[0] if single else new_outs  # type: ignore[return-value]


def graph_replace(outputs: Outputs, replace: Replacements, strict: bool = True) -> Outputs:
    """The graph of `outputs` with each key of `replace` replaced by its value.

    Only the nodes downstream of a replaced variable are rebuilt; everything else, and
    the user's original graph, is left untouched. Use it to truncate a graph (replace an
    intermediate variable by a new input) or to extend it (replace an input by an
    expression).

    With `strict` (the default) each replacement must fit the type of the variable it
    replaces (same dtype and rank, a compatible static shape). With `strict=False` any
    replacement is accepted and downstream types are inferred again.
    """
    outs, single = _unpack(outputs)
    pairs = _as_pairs(replace)
    if strict:
        _check_types(pairs)
    used = set(ancestors(outs))
    for old, _ in pairs:
        if old not in used:
            raise ValueError(f"graph_replace: {describe(old)} is not part of the graph")
    memo: dict[Variable, Variable] = dict(pairs)
    for node in io_toposort(list(memo), outs):
        new_inputs = [memo.get(i, i) for i in node.inputs]
        if all(n is o for n, o in zip(new_inputs, node.inputs, strict=True)):
            continue
        new_node = node.clone_with_new_inputs(new_inputs, strict=strict)
        for old, new in zip(node.outputs, new_node.outputs, strict=True):
            memo[old] = new
    new_outs = [memo.get(o, o) for o in outs]
    return new_outs[0] if single else new_outs  # type: ignore[return-value]


def _check_types(pairs: list[tuple[Variable, Variable]]) -> None:
    for old, new in pairs:
        if not isinstance(new, Variable):
            raise TypeError(f"replacement for {describe(old)} must be a Variable, got {new!r}")
        if old.type.convert_variable(new) is None:
            raise TypeError(
                f"cannot replace {describe(old)} of type {old.type} by {describe(new)} of "
                f"type {new.type}; pass strict=False to allow a different type"
            )
