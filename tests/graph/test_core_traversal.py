"""Traversal: ancestors, graph_inputs, io_toposort, clone, equal_computations."""

from __future__ import annotations

import numpy as np
import pytest

import tensorgraft.tensor as tt
from tensorgraft.graph import (
    Constant,
    Variable,
    ancestors,
    applys_between,
    clone,
    clone_get_equiv,
    equal_computations,
    graph_inputs,
    io_toposort,
    toposort,
)

DEEP = 5000  # well past Python's default recursion limit of 1000


def vec(name: str) -> Variable:
    return tt.vector(name, shape=(3,))


def diamond() -> tuple[Variable, Variable, Variable, Variable]:
    """x -> a = exp(x), b = sin(x) -> y = a + b."""
    x = vec("x")
    a = tt.exp(x)
    b = tt.sin(x)
    return x, a, b, a + b


def deep_chain(n: int = DEEP) -> tuple[Variable, Variable]:
    x = vec("x")
    y = x
    for _ in range(n):
        y = tt.exp(y)
    return x, y


# -- ancestors / graph_inputs -----------------------------------------------------------
def test_ancestors_depth_first_from_the_outputs() -> None:
    x, a, b, y = diamond()
    assert list(ancestors([y])) == [y, a, x, b]


def test_ancestors_stop_at_blockers() -> None:
    x, a, b, y = diamond()
    assert list(ancestors([y], blockers=[a])) == [y, a, b, x]
    assert list(ancestors([y], blockers=[a, b])) == [y, a, b]
    assert list(ancestors([y], blockers=[y])) == [y]


def test_graph_inputs_include_constants() -> None:
    x, z = vec("x"), vec("z")
    y = tt.log(x + 1) * z
    roots = graph_inputs([y])
    assert [v for v in roots if not isinstance(v, Constant)] == [x, z]
    (one,) = [v for v in roots if isinstance(v, Constant)]
    assert one.data == 1


def test_graph_inputs_with_blockers_stop_there() -> None:
    x, a, b, y = diamond()
    assert graph_inputs([y], blockers=[a]) == [a, x]
    assert graph_inputs([y], blockers=[a, b]) == [a, b]


# -- io_toposort ------------------------------------------------------------------------
def test_io_toposort_on_a_diamond() -> None:
    x, a, b, y = diamond()
    assert io_toposort([x], [y]) == [a.owner, b.owner, y.owner]
    assert toposort([y]) == [a.owner, b.owner, y.owner]


def test_io_toposort_stops_at_inputs() -> None:
    _, a, b, y = diamond()
    assert io_toposort([a], [y]) == [b.owner, y.owner]
    assert io_toposort([a, b], [y]) == [y.owner]
    assert io_toposort([y], [y]) == []
    assert applys_between([a], [y]) == [b.owner, y.owner]


def test_io_toposort_of_several_outputs_lists_each_node_once() -> None:
    x, a, b, y = diamond()
    z = tt.log(a)
    order = io_toposort([x], [z, y, a])
    assert order == [a.owner, z.owner, b.owner, y.owner]


def test_io_toposort_of_a_deep_chain() -> None:
    x, y = deep_chain()
    order = io_toposort([x], [y])
    assert len(order) == DEEP
    assert order[0].inputs == [x] and order[-1] is y.owner
    assert all(order[k].outputs[0] is order[k + 1].inputs[0] for k in range(DEEP - 1))


def test_ancestors_and_graph_inputs_of_a_deep_chain() -> None:
    x, y = deep_chain()
    assert sum(1 for _ in ancestors([y])) == DEEP + 1
    assert graph_inputs([y]) == [x]


# -- clone / clone_get_equiv ------------------------------------------------------------
def test_clone_copies_every_node_and_the_inputs() -> None:
    x = vec("x")
    y = tt.log(x + 1)
    (x2,), (y2,) = clone([x], [y])
    assert x2 is not x and x2.name == "x" and x2.type == x.type and x2.owner is None
    assert equal_computations([y2], [y], [x2], [x])
    assert not set(toposort([y2])) & set(toposort([y]))
    assert graph_inputs([y2])[0] is x2


def test_clone_keeps_inputs_and_orphans_when_asked() -> None:
    x = vec("x")
    y = tt.log(x + 1)
    one = next(v for v in graph_inputs([y]) if isinstance(v, Constant))

    (x2,), (y2,) = clone([x], [y], copy_inputs=False, copy_orphans=False)
    assert x2 is x and one in graph_inputs([y2])
    assert y2 is not y and equal_computations([y2], [y])

    (x3,), (y3,) = clone([x], [y], copy_inputs=False, copy_orphans=True)
    (one3,) = [v for v in graph_inputs([y3]) if isinstance(v, Constant)]
    assert x3 is x and one3 is not one and one3.equals(one)


def test_clone_get_equiv_maps_every_variable() -> None:
    x, a, b, y = diamond()
    equiv = clone_get_equiv([x], [y])
    assert set(equiv) == {x, a, b, y}
    assert equiv[y].owner.inputs == [equiv[a], equiv[b]]
    assert equiv[a].owner.inputs == [equiv[x]]
    assert all(equiv[v] is not v for v in (x, a, b, y))


def test_clone_get_equiv_uses_the_memo() -> None:
    x, a, _, y = diamond()
    new_a = tt.cos(vec("w"))
    equiv = clone_get_equiv([x], [y], memo={a: new_a})
    assert equiv[a] is new_a
    assert equiv[y].owner.inputs[0] is new_a


def test_clone_from_an_intermediate_variable_cuts_the_graph() -> None:
    x, a, _, y = diamond()
    (a2,), (y2,) = clone([a], [y])
    assert a2.owner is None and a2.type == a.type
    # b = sin(x) still needs x, which is an orphan here (copied by default).
    a_root, x_copy = graph_inputs([y2])
    assert a_root is a2 and x_copy is not x and x_copy.name == "x"
    assert a.owner not in toposort([y2])


def test_clone_of_a_deep_chain() -> None:
    x, y = deep_chain()
    (x2,), (y2,) = clone([x], [y])
    assert len(toposort([y2])) == DEEP
    assert equal_computations([y2], [y], [x2], [x])


# -- equal_computations -----------------------------------------------------------------
def test_equal_computations_of_separately_built_graphs() -> None:
    x = vec("x")
    assert equal_computations([tt.log(x + 1)], [tt.log(x + 1)])
    assert equal_computations([tt.log(x + 1), x], [tt.log(x + 1), x])


@pytest.mark.parametrize(
    "other",
    [
        lambda x, z: tt.exp(x + 1),  # other op
        lambda x, z: tt.log(x + 2),  # other constant
        lambda x, z: tt.log(x + np.float32(1)),  # other constant dtype
        lambda x, z: tt.log(z + 1),  # other input
        lambda x, z: tt.log(1 + x),  # other order of inputs
    ],
    ids=["op", "constant", "constant-dtype", "input", "argument-order"],
)
def test_equal_computations_sees_differences(other) -> None:  # type: ignore[no-untyped-def]
    x, z = vec("x"), vec("z")
    assert not equal_computations([tt.log(x + 1)], [other(x, z)])


def test_equal_computations_with_corresponding_inputs() -> None:
    x, z = vec("x"), vec("z")
    assert not equal_computations([tt.log(x)], [tt.log(z)])
    assert equal_computations([tt.log(x)], [tt.log(z)], in_xs=[x], in_ys=[z])
    assert equal_computations([x + z], [z + x], in_xs=[x, z], in_ys=[z, x])
    assert not equal_computations([x + z], [z + x], in_xs=[x, z], in_ys=[x, z])
    # x stands for z: it is no longer equal to itself.
    assert not equal_computations([x], [x], in_xs=[x], in_ys=[z])


def test_equal_computations_of_different_lengths_or_types() -> None:
    x = vec("x")
    assert not equal_computations([x], [x, x])
    assert not equal_computations([x], [x], in_xs=[x], in_ys=[])
    assert not equal_computations([tt.log(x)], [tt.log(tt.vector("w", shape=(None,)))])


def test_equal_computations_of_constants() -> None:
    a = tt.constant(np.array([1.0, 2.0]))
    assert equal_computations([a], [tt.constant(np.array([1.0, 2.0]))])
    assert not equal_computations([a], [tt.constant(np.array([1.0, 3.0]))])
    assert not equal_computations([a], [vec("x")])
    assert not equal_computations([tt.exp(a)], [a])
