"""FunctionGraph: cloning, clients, replace and pruning, imports, features, toposort."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest

import tensorgraft.tensor as tt
from tensorgraft.graph import Apply, Feature, FunctionGraph, MissingInputError, Variable, dprint


def vec(name: str, n: int | None = 3) -> Variable:
    return tt.vector(name, shape=(n,))


class Recorder(Feature):
    """Records every callback as a tuple, in order."""

    def __init__(self) -> None:
        self.events: list[tuple[Any, ...]] = []
        self.nodes_at_attach: set[Apply] | None = None

    def on_attach(self, fgraph: FunctionGraph) -> None:
        self.nodes_at_attach = set(fgraph.apply_nodes)
        self.events.append(("attach", fgraph))

    def on_detach(self, fgraph: FunctionGraph) -> None:
        self.events.append(("detach", fgraph))

    def on_import(self, fgraph: FunctionGraph, node: Apply, reason: str | None) -> None:
        self.events.append(("import", node, reason))

    def on_prune(self, fgraph: FunctionGraph, node: Apply, reason: str | None) -> None:
        self.events.append(("prune", node, reason))

    def on_change_input(
        self, fgraph: FunctionGraph, node: Any, i: int, old: Variable, new: Variable, reason: Any
    ) -> None:
        self.events.append(("change", node, i, old, new, reason))


def chain() -> tuple[Variable, Variable, Variable, Variable]:
    """x -> a = exp(x) -> b = sin(a) -> y = b * 2."""
    x = vec("x")
    a = tt.exp(x)
    b = tt.sin(a)
    return x, a, b, b * 2.0


# -- construction -------------------------------------------------------------------------
def test_construction_clones_and_maps_originals() -> None:
    x, a, b, y = chain()
    before = dprint(y, file="str")
    fg = FunctionGraph([x], [y])
    fg.check_integrity()
    assert fg.equiv is not None
    assert fg.inputs == [fg.equiv[x]] and fg.inputs[0] is not x
    assert fg.outputs == [fg.equiv[y]] and fg.outputs[0] is not y
    assert fg.equiv[b].owner in fg.apply_nodes
    assert not {y.owner, b.owner, a.owner} & fg.apply_nodes

    fg.replace(fg.equiv[b], fg.inputs[0])
    fg.check_integrity()
    # The user's graph is untouched.
    assert y.owner.inputs[0] is b and b.owner.inputs[0] is a and a.owner.inputs[0] is x
    assert dprint(y, file="str") == before


def test_clone_false_works_on_the_given_variables() -> None:
    x, _, _, y = chain()
    fg = FunctionGraph([x], [y], clone=False)
    fg.check_integrity()
    assert fg.equiv is None
    assert fg.inputs == [x] and fg.outputs == [y]
    assert y.owner in fg.apply_nodes


def test_inputs_default_to_the_non_constant_roots() -> None:
    x, z = vec("x"), vec("z")
    fg = FunctionGraph(outputs=[tt.log(x + 1) * z])
    assert [v.name for v in fg.inputs] == ["x", "z"]
    assert not any(isinstance(v, tt.TensorConstant) for v in fg.inputs)


def test_a_missing_input_at_construction_is_named() -> None:
    x, z = vec("x"), vec("z")
    with pytest.raises(MissingInputError, match="'z'"):
        FunctionGraph([x], [x + z])


def test_intermediate_input_cuts_the_graph_there() -> None:
    x = vec("x")
    a = tt.exp(x)
    y = tt.sin(a) + a
    fg = FunctionGraph([a], [y])
    fg.check_integrity()
    (cut,) = fg.inputs
    assert cut.owner is None and cut.type == a.type
    assert fg.equiv is not None and fg.equiv[a] is cut
    assert sorted(str(n.op) for n in fg.apply_nodes) == ["Add", "Sin"]
    assert x not in fg.variables and fg.equiv.get(x) is None
    assert sorted(str(node.op) for node, _ in fg.clients[cut]) == ["Add", "Sin"]


def test_an_intermediate_input_without_cloning_is_refused() -> None:
    x = vec("x")
    a = tt.exp(x)
    with pytest.raises(ValueError, match="inputs are roots"):
        FunctionGraph([a], [tt.sin(a)], clone=False)


# -- clients ----------------------------------------------------------------------------
def test_clients_of_every_variable() -> None:
    x = vec("x")
    a = tt.exp(x)
    y = a * tt.log(x) + a
    fg = FunctionGraph([x], [y], clone=False)
    add = y.owner
    mul = add.inputs[0].owner
    log = mul.inputs[1].owner
    assert sorted(fg.clients[x], key=str) == sorted([(a.owner, 0), (log, 0)], key=str)
    assert sorted(fg.clients[a], key=lambda c: c[1]) == [(mul, 0), (add, 1)]
    assert fg.clients[log.out] == [(mul, 1)]
    assert fg.clients[mul.out] == [(add, 0)]
    assert fg.clients[y] == [("output", 0)]
    assert set(fg.clients) == fg.variables == {x, a, log.out, mul.out, y}


def test_clients_of_a_variable_used_twice_by_one_node() -> None:
    x = vec("x")
    y = x * x
    fg = FunctionGraph([x], [y, y], clone=False)
    fg.check_integrity()
    assert fg.clients[x] == [(y.owner, 0), (y.owner, 1)]
    assert fg.clients[y] == [("output", 0), ("output", 1)]


# -- replace ----------------------------------------------------------------------------
def test_replace_moves_clients_and_prunes_unused_nodes() -> None:
    x, a, b, y = chain()
    fg = FunctionGraph([x], [y], clone=False)
    n_before = len(fg.apply_nodes)
    new = tt.cos(x)
    fg.replace(b, new)
    fg.check_integrity()
    assert y.owner.inputs[0] is new
    assert a.owner not in fg.apply_nodes and b.owner not in fg.apply_nodes
    assert new.owner in fg.apply_nodes
    assert len(fg.apply_nodes) == n_before - 1
    assert a not in fg.variables and b not in fg.variables
    assert a not in fg.clients and b not in fg.clients
    assert fg.clients[x] == [(new.owner, 0)]
    assert fg.clients[new] == [(y.owner, 0)]


def test_replace_keeps_a_node_that_still_has_a_client() -> None:
    x = vec("x")
    a = tt.exp(x)
    y = tt.sin(a) + tt.cos(a)
    fg = FunctionGraph([x], [y], clone=False)
    sin = y.owner.inputs[0]
    fg.replace(sin, x)
    fg.check_integrity()
    assert a.owner in fg.apply_nodes and sin.owner not in fg.apply_nodes
    assert fg.clients[a] == [(y.owner.inputs[1].owner, 0)]


def test_replace_prunes_constants_nothing_uses_any_more() -> None:
    x = vec("x")
    two = tt.constant(np.array([2.0, 2.0, 2.0]))
    inner = x + two
    fg = FunctionGraph([x], [tt.exp(inner)], clone=False)
    assert two in fg.variables
    fg.replace(inner, x)
    fg.check_integrity()
    assert two not in fg.variables and two not in fg.clients
    assert fg.variables == {x, fg.outputs[0]}


def test_replace_an_output() -> None:
    x, _, _, y = chain()
    fg = FunctionGraph([x], [y], clone=False)
    new = tt.log(x)
    fg.replace(y, new)
    fg.check_integrity()
    assert fg.outputs == [new]
    assert fg.apply_nodes == {new.owner}
    assert fg.clients[new] == [("output", 0)]


def test_replace_an_output_by_an_input() -> None:
    x, _, _, y = chain()
    fg = FunctionGraph([x], [y], clone=False)
    fg.replace(y, x)
    fg.check_integrity()
    assert fg.outputs == [x] and fg.apply_nodes == set()
    assert fg.clients[x] == [("output", 0)]


def test_replace_an_output_listed_twice() -> None:
    x = vec("x")
    y = tt.exp(x)
    fg = FunctionGraph([x], [y, y], clone=False)
    fg.replace(y, x)
    fg.check_integrity()
    assert fg.outputs == [x, x]


def test_replace_by_an_expression_of_the_replaced_variable() -> None:
    # The usual shape of a rewrite: every client of `a` now uses f(a).
    x = vec("x")
    a = tt.exp(x)
    y = tt.sin(a) + a
    fg = FunctionGraph([x], [y], clone=False)
    new = tt.log(a)
    fg.replace(a, new)
    fg.check_integrity()
    assert fg.clients[a] == [(new.owner, 0)]
    assert sorted(i for _, i in fg.clients[new]) == [0, 1]
    assert y.owner.inputs[1] is new


def test_replace_with_an_incompatible_type_names_both_types() -> None:
    x, _, b, y = chain()
    fg = FunctionGraph([x], [y], clone=False)
    bad = tt.cast(x, "float32")
    msg = re.escape("Vector(float64, shape=(3,))") + ".*" + re.escape("Vector(float32, shape=(3,))")
    with pytest.raises(TypeError, match=msg):
        fg.replace(b, bad)
    fg.check_integrity()
    assert bad.owner not in fg.apply_nodes


@pytest.mark.parametrize("shape", [(4,), (3, 1)], ids=["other-static-length", "other-rank"])
def test_replace_with_an_other_shape_is_refused(shape: tuple[int, ...]) -> None:
    x = vec("x")
    y = tt.exp(x)
    fg = FunctionGraph([x], [y], clone=False)
    with pytest.raises(TypeError, match="cannot replace"):
        fg.replace(y, tt.constant(np.ones(shape)))


def test_replace_by_a_more_specific_type_is_allowed() -> None:
    x = vec("x", None)
    a = tt.exp(x)
    y = tt.sin(a)
    fg = FunctionGraph([x], [y], clone=False)
    specific = tt.constant(np.ones(3))
    assert specific.type.shape == (3,) and a.type.shape == (None,)
    fg.replace(a, specific)
    fg.check_integrity()
    assert y.owner.inputs[0] is specific
    # ... but not the other way round.
    fg2 = FunctionGraph(outputs=[tt.sin(specific + 1)], clone=False)
    with pytest.raises(TypeError, match=re.escape("shape=(None,)")):
        fg2.replace(fg2.outputs[0].owner.inputs[0], x)


def test_replace_of_a_variable_not_in_the_graph_does_nothing() -> None:
    x, _, _, y = chain()
    fg = FunctionGraph([x], [y])
    nodes = set(fg.apply_nodes)
    fg.replace(y, x)  # the user's y, not the graph's copy
    fg.check_integrity()
    assert fg.apply_nodes == nodes


def test_replace_all_applies_pairs_in_order() -> None:
    x, a, b, y = chain()
    fg = FunctionGraph([x], [y], clone=False)
    c = tt.cos(x)
    fg.replace_all([(b, tt.log(a)), (a, c)])
    fg.check_integrity()
    log = y.owner.inputs[0]
    assert str(log.owner.op) == "Log" and log.owner.inputs[0] is c


# -- change_node_input ------------------------------------------------------------------
def test_change_node_input() -> None:
    x, a, b, y = chain()
    fg = FunctionGraph([x], [y], clone=False)
    fg.change_node_input(b.owner, 0, x)
    fg.check_integrity()
    assert b.owner.inputs == [x]
    assert a.owner not in fg.apply_nodes
    assert sorted(map(str, fg.clients[x])) == [str((b.owner, 0))]


def test_change_node_input_of_an_output() -> None:
    x, a, _, y = chain()
    fg = FunctionGraph([x], [y], clone=False)
    fg.change_node_input("output", 0, a)
    fg.check_integrity()
    assert fg.outputs == [a] and fg.apply_nodes == {a.owner}


def test_change_node_input_with_an_incompatible_type_changes_nothing() -> None:
    x, a, b, y = chain()
    fg = FunctionGraph([x], [y], clone=False)
    with pytest.raises(TypeError, match="float32"):
        fg.change_node_input(b.owner, 0, tt.cast(x, "float32"))
    fg.check_integrity()
    assert b.owner.inputs == [a]


# -- imports ----------------------------------------------------------------------------
def test_import_node_adds_the_node_and_what_it_needs() -> None:
    x, _, _, y = chain()
    fg = FunctionGraph([x], [y], clone=False)
    new = tt.log(tt.exp(x) + 1.0)
    fg.import_node(new.owner)
    assert new.owner in fg.apply_nodes and new in fg.variables
    assert new.owner.inputs[0].owner in fg.apply_nodes
    fg.add_output(new)
    fg.check_integrity()
    assert fg.clients[new] == [("output", 1)]


def test_import_node_with_a_missing_root_names_it_and_changes_nothing() -> None:
    x, _, _, y = chain()
    fg = FunctionGraph([x], [y], clone=False)
    nodes, variables = set(fg.apply_nodes), set(fg.variables)
    z = vec("z")
    new = tt.sin(tt.log(x) + z)  # log(x) could be imported; z cannot
    with pytest.raises(MissingInputError, match=r"'z' \(created at test_core_fg\.py:\d+\)"):
        fg.import_node(new.owner)
    assert fg.apply_nodes == nodes and fg.variables == variables
    fg.check_integrity()


def test_replace_by_a_variable_with_a_missing_root_changes_nothing() -> None:
    x, _, b, y = chain()
    fg = FunctionGraph([x], [y], clone=False)
    with pytest.raises(MissingInputError, match="'z'"):
        fg.replace(b, tt.exp(x) * vec("z"))
    fg.check_integrity()
    assert y.owner.inputs[0] is b


def test_import_var_of_an_unknown_root_is_refused() -> None:
    x, _, _, y = chain()
    fg = FunctionGraph([x], [y], clone=False)
    with pytest.raises(MissingInputError, match="'w'"):
        fg.import_var(vec("w"))
    fg.import_var(tt.constant(np.zeros(3)))  # constants need no input


# -- features ---------------------------------------------------------------------------
def test_features_are_told_about_every_change_in_order() -> None:
    x, a, b, y = chain()
    fg = FunctionGraph([x], [y], clone=False)
    rec = Recorder()
    fg.attach_feature(rec)
    fg.attach_feature(rec)  # attaching twice is attaching once
    assert rec.events == [("attach", fg)]

    new = tt.cos(x)
    fg.replace(b, new, reason="test")
    fg.check_integrity()
    assert rec.events[1:] == [
        ("import", new.owner, "test"),
        ("prune", b.owner, "test"),
        ("prune", a.owner, "test"),
        ("change", y.owner, 0, b, new, "test"),
    ]

    del rec.events[:]
    fg.change_node_input("output", 0, new, reason="out")
    expand = y.owner.inputs[1].owner  # the ExpandDims of the constant 2.0
    assert rec.events == [
        ("prune", y.owner, "out"),
        ("prune", expand, "out"),
        ("change", "output", 0, y, new, "out"),
    ]

    del rec.events[:]
    fg.remove_feature(rec)
    fg.replace(new, x)
    assert rec.events == [("detach", fg)]


def test_import_callbacks_come_in_dependency_order() -> None:
    x, _, _, y = chain()
    fg = FunctionGraph([x], [y], clone=False)
    rec = Recorder()
    fg.attach_feature(rec)
    a2 = tt.exp(x)
    new = tt.sin(tt.log(a2))
    fg.import_node(new.owner, reason="imp")
    assert rec.events[1:] == [
        ("import", a2.owner, "imp"),
        ("import", new.owner.inputs[0].owner, "imp"),
        ("import", new.owner, "imp"),
    ]


def test_features_given_to_the_constructor_see_the_whole_graph() -> None:
    x, _, _, y = chain()
    rec = Recorder()
    fg = FunctionGraph([x], [y], features=[rec])
    assert rec.events == [("attach", fg)]
    assert rec.nodes_at_attach == fg.apply_nodes and len(fg.apply_nodes) == 4


# -- queries and copies -----------------------------------------------------------------
def test_toposort_respects_dependencies() -> None:
    x, z = vec("x"), vec("z")
    a = tt.exp(x)
    b = tt.sin(a) * tt.cos(z)
    y = tt.log(b + a)
    fg = FunctionGraph([x, z], [y, b])
    order = fg.toposort()
    assert set(order) == fg.apply_nodes
    position = {node: k for k, node in enumerate(order)}
    for node in order:
        for inp in node.inputs:
            if inp.owner is not None:
                assert position[inp.owner] < position[node]


def test_clone_is_independent() -> None:
    x, _, _, y = chain()
    fg = FunctionGraph([x], [y])
    text = dprint(fg, file="str")
    copy = fg.clone()
    copy.check_integrity()
    assert dprint(copy, file="str") == text
    assert not copy.apply_nodes & fg.apply_nodes
    assert not copy.variables & fg.variables

    copy.replace(copy.outputs[0], copy.inputs[0])
    copy.check_integrity()
    fg.check_integrity()
    assert copy.apply_nodes == set()
    assert dprint(fg, file="str") == text


def test_a_deep_chain_is_built_and_pruned_without_recursion() -> None:
    x = vec("x")
    y = x
    for _ in range(5000):
        y = tt.exp(y)
    fg = FunctionGraph([x], [y])
    assert len(fg.apply_nodes) == 5000
    fg.check_integrity()
    fg.replace(fg.outputs[0], fg.inputs[0])
    assert fg.apply_nodes == set() and fg.variables == {fg.inputs[0]}
    fg.check_integrity()


def test_check_integrity_catches_inconsistent_clients() -> None:
    x, _, b, y = chain()
    fg = FunctionGraph([x], [y], clone=False)
    fg.clients[b].append((y.owner, 0))
    with pytest.raises(AssertionError, match="clients of"):
        fg.check_integrity()


# -- clients at scale, creation sites, deep shape graphs ----------------------------------
def test_client_list_reads_like_a_list() -> None:
    from tensorgraft.graph.fg import ClientList

    x = vec("x")
    a, b = tt.exp(x).owner, tt.sin(x).owner
    clients = ClientList([(a, 0), (b, 0), ("output", 0)])
    assert clients == [(a, 0), (b, 0), ("output", 0)] and len(clients) == 3
    assert (
        clients[0] == (a, 0)
        and clients[-1] == ("output", 0)
        and clients[1:] == [(b, 0), ("output", 0)]
    )
    assert (b, 0) in clients and bool(clients)
    clients.append((a, 0))  # a second use by the same client is kept
    clients.remove((a, 0))
    assert clients == [(a, 0), (b, 0), ("output", 0)]
    clients.remove((a, 0))
    assert list(clients) == [(b, 0), ("output", 0)] and repr(clients) == repr(list(clients))
    with pytest.raises(ValueError, match="not a client"):
        clients.remove((a, 0))
    with pytest.raises(IndexError):
        clients[2]


def test_replacing_a_variable_with_thousands_of_clients() -> None:
    # Each client removal is constant time (a list made this quadratic).
    x = vec("x")
    outs = [tt.exp(x) + float(k) for k in range(2000)]
    fg = FunctionGraph([x], outs, clone=False)
    e = outs[0].owner.inputs[0]
    others = [o.owner.inputs[0] for o in outs[1:]]
    for other in others:
        fg.replace(other, e)
    assert len(fg.clients[e]) == 2000
    assert [c.outputs[0] for c, _ in fg.clients[e]] == outs
    new = tt.sin(x)
    fg.replace(e, new)
    assert fg.clients[new][0] == (outs[0].owner, 0) and e not in fg.clients
    fg.check_integrity()


def test_fixed_site_replaces_the_stack_walk() -> None:
    from tensorgraft.graph.utils import fixed_site, set_fixed_site

    with fixed_site(("model.py", 7)):
        a = tt.exp(vec("x"))
        set_fixed_site(("model.py", 8))
        b = tt.sin(a)
    c = tt.cos(a)
    assert a.owner.site == ("model.py", 7) and b.owner.site == ("model.py", 8)
    assert c.owner.site is not None and c.owner.site[0] == __file__


def test_static_entries_of_a_shape_graph_deeper_than_the_recursion_limit() -> None:
    import sys

    from tensorgraft.tensor.shape import static_entries, static_int

    x = tt.matrix("x", shape=(4, None))
    n = tt.shape(x)[0]
    depth = sys.getrecursionlimit() + 500
    total = n
    for _ in range(depth):
        total = total + 1
    assert static_int(total) == 4 + depth
    vec_ = tt.shape(tt.matrix("y", shape=(4, 5)))
    for _ in range(depth):
        vec_ = vec_ + 1
    assert static_entries(vec_) == (4 + depth, 5 + depth)
    # A float vector is not a shape: its entries are never read (nan has no int value).
    assert static_entries(tt.constant(np.array([np.nan, 1.0])) + 1) == (None, None)
