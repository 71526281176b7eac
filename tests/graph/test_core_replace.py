"""graph_replace (truncate, extend) and clone_replace: new graphs, the user's left alone."""

from __future__ import annotations

import re

import numpy as np
import pytest

import tensorgraft.tensor as tt
from tensorgraft.compile import function
from tensorgraft.graph import (
    Apply,
    Variable,
    clone_replace,
    dprint,
    equal_computations,
    graph_inputs,
    graph_replace,
    toposort,
)

SEED = """\
Log [id A]
 └─ Add [id B]
    ├─ ExpandDims{axis=0} [id C]
    │  └─ 1 [id D]
    └─ x [id E]"""


def seed() -> tuple[Variable, Variable]:
    x = tt.vector("x", shape=(3,))
    return x, tt.log(1 + x)


def snapshot(y: Variable) -> dict[Apply, tuple[list[Variable], list[Variable]]]:
    """Every node of the graph with copies of its input and output lists."""
    return {node: (list(node.inputs), list(node.outputs)) for node in toposort([y])}


def assert_unchanged(y: Variable, before: dict[Apply, tuple[list[Variable], list[Variable]]]):
    assert snapshot(y) == before
    assert dprint(y, file="str") == SEED


# -- the seed examples ------------------------------------------------------------------
def test_truncate() -> None:
    _, y = seed()
    before = snapshot(y)
    x_plus_1 = tt.vector("x_plus_1", shape=(3,))
    new = graph_replace(y, {y.owner.inputs[0]: x_plus_1})
    assert dprint(new, file="str") == "Log [id A]\n └─ x_plus_1 [id B]"
    assert graph_inputs([new]) == [x_plus_1]
    assert_unchanged(y, before)

    f = function([x_plus_1], new, mode="python")
    v = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(f(v), np.log(v))


def test_extend() -> None:
    x, y = seed()
    before = snapshot(y)
    log_x = tt.vector("log_x", shape=(3,))
    new = graph_replace(y, {x: tt.exp(log_x)})
    assert dprint(new, file="str") == (
        "Log [id A]\n"
        " └─ Add [id B]\n"
        "    ├─ ExpandDims{axis=0} [id C]\n"
        "    │  └─ 1 [id D]\n"
        "    └─ Exp [id E]\n"
        "       └─ log_x [id F]"
    )
    assert_unchanged(y, before)
    # Upstream of the replacement, the ExpandDims of the constant is shared.
    assert new.owner.inputs[0].owner.inputs[0] is y.owner.inputs[0].owner.inputs[0]

    f = function([log_x], new, mode="python")
    v = np.array([-1.0, 0.0, 2.0])
    np.testing.assert_allclose(f(v), np.log1p(np.exp(v)))


def test_only_nodes_downstream_of_a_replacement_are_rebuilt() -> None:
    x, z = tt.vector("x", shape=(3,)), tt.vector("z", shape=(3,))
    a = tt.sin(z)
    b = tt.exp(a)
    y = tt.log(x) * b
    w = tt.vector("w", shape=(3,))
    new = graph_replace(y, {x: w})
    assert new is not y and new.owner.inputs[1] is b  # b's whole subgraph is shared
    assert new.owner.inputs[0] is not y.owner.inputs[0]
    assert new.owner.inputs[0].owner.inputs == [w]
    assert set(toposort([new])) - set(toposort([y])) == {new.owner, new.owner.inputs[0].owner}


def test_a_replacement_that_uses_the_replaced_variable() -> None:
    x, y = seed()
    new = graph_replace(y, {x: x + 1})
    f = function([x], new, mode="python")
    v = np.array([0.5, 1.0, 2.0])
    np.testing.assert_allclose(f(v), np.log(2 + v))
    assert dprint(y, file="str") == SEED


def test_replace_an_output_itself() -> None:
    x, y = seed()
    z = tt.vector("z", shape=(3,))
    assert graph_replace(y, {y: z}) is z
    assert graph_replace([y, x], {y: z}) == [z, x]


def test_several_replacements_and_several_outputs() -> None:
    x, z = tt.vector("x", shape=(3,)), tt.vector("z", shape=(3,))
    a = tt.exp(x)
    b = tt.sin(z)
    outs = [a + b, a * b, x]
    p, q = tt.vector("p", shape=(3,)), tt.vector("q", shape=(3,))
    new = graph_replace(outs, [(a, p), (z, q)])
    assert isinstance(new, list) and new[2] is x
    f = function([p, q, x], new, mode="python")
    pv, qv, xv = np.array([1.0, 2, 3]), np.array([0.1, 0.2, 0.3]), np.zeros(3)
    r = f(pv, qv, xv)
    np.testing.assert_allclose(r[0], pv + np.sin(qv))
    np.testing.assert_allclose(r[1], pv * np.sin(qv))


def test_replacements_are_simultaneous() -> None:
    x, z = tt.vector("x", shape=(3,)), tt.vector("z", shape=(3,))
    swapped = graph_replace(x - tt.exp(z), {x: z, z: x})
    f = function([x, z], swapped, mode="python")
    xv, zv = np.array([1.0, 2.0, 3.0]), np.array([0.5, -1.0, 0.0])
    np.testing.assert_allclose(f(xv, zv), zv - np.exp(xv))


def test_without_replacements_nothing_is_rebuilt() -> None:
    _, y = seed()
    assert graph_replace(y, {}) is y


# -- errors -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "new, new_type",
    [
        (lambda: tt.vector("i", shape=(3,), dtype="int64"), "Vector(int64, shape=(3,))"),
        (lambda: tt.matrix("m", shape=(3, 3)), "Matrix(float64, shape=(3, 3))"),
        (lambda: tt.vector("v", shape=(4,)), "Vector(float64, shape=(4,))"),
        (lambda: tt.vector("v", shape=(None,)), "Vector(float64, shape=(None,))"),
    ],
    ids=["dtype", "rank", "static-length", "less-specific"],
)
def test_a_replacement_of_another_type_is_refused(new, new_type: str) -> None:  # type: ignore[no-untyped-def]
    x, y = seed()
    msg = (
        r"cannot replace 'x' \(created at test_core_replace\.py:\d+\) of type "
        + re.escape("Vector(float64, shape=(3,))")
        + r" by '\w' \(created at test_core_replace\.py:\d+\) of type "
        + re.escape(new_type)
        + "; pass strict=False"
    )
    with pytest.raises(TypeError, match=msg):
        graph_replace(y, {x: new()})
    assert dprint(y, file="str") == SEED


def test_a_replacement_that_is_not_a_variable_is_refused() -> None:
    x, y = seed()
    with pytest.raises(TypeError, match="must be a Variable"):
        graph_replace(y, {x: np.ones(3)})  # type: ignore[dict-item]


def test_a_key_not_in_the_graph_is_refused() -> None:
    x, y = seed()
    z = tt.vector("z", shape=(3,))
    with pytest.raises(ValueError, match=r"'z' \(created at test_core_replace\.py:\d+\) is not"):
        graph_replace(y, {z: x})


# -- strict=False -----------------------------------------------------------------------
def test_strict_false_infers_types_again() -> None:
    x, y = seed()
    v = tt.vector("v", shape=(None,))
    new = graph_replace(y, {x: v}, strict=False)
    assert new.type.shape == (None,)
    assert new.owner.inputs[0].type.shape == (None,)
    assert y.type.shape == (3,) and dprint(y, file="str") == SEED

    f = function([v], new, mode="python")
    np.testing.assert_allclose(f(np.array([1.0, 2.0, 3.0, 4.0])), np.log1p([1, 2, 3, 4]))


def test_strict_false_through_indexing_and_matmul() -> None:
    x = tt.vector("x", shape=(3,))
    z = tt.exp(tt.sin(x))
    out = tt.cos((z[None, :] @ z[:, None]).squeeze()) + x[0]
    v = tt.vector("v", shape=(None,))
    new = graph_replace(out, {x: v}, strict=False)
    matmul = new.owner.inputs[0].owner.inputs[0].owner.inputs[0]
    assert matmul.type.shape == (1, 1)
    assert matmul.owner.inputs[0].type.shape == (1, None)
    f = function([v], new, mode="python")
    w = np.array([0.1, 0.2, 0.3, 0.4, 0.5])
    zw = np.exp(np.sin(w))
    np.testing.assert_allclose(f(w), np.cos(zw @ zw) + w[0])


def test_strict_false_accepts_another_dtype() -> None:
    x, y = seed()
    i = tt.vector("i", shape=(3,), dtype="float32")
    new = graph_replace(y, {x: i}, strict=False)
    assert new.type.dtype == "float32"


def test_a_more_specific_replacement_refines_downstream_types() -> None:
    x = tt.vector("x", shape=(None,))
    y = tt.log(1 + x)
    new = graph_replace(y, {x: tt.vector("x3", shape=(3,))})
    assert new.type.shape == (3,) and y.type.shape == (None,)


# -- clone_replace ----------------------------------------------------------------------
def test_clone_replace_copies_every_node() -> None:
    x, y = seed()
    before = snapshot(y)
    new = clone_replace(y)
    assert new is not y
    assert not set(toposort([new])) & set(toposort([y]))
    assert equal_computations([new], [y])
    assert graph_inputs([new])[-1] is x  # roots are kept
    assert dprint(new, file="str") == SEED
    assert_unchanged(y, before)


def test_clone_replace_with_replacements() -> None:
    x, y = seed()
    before = snapshot(y)
    log_x = tt.vector("log_x", shape=(3,))
    new = clone_replace(y, {x: tt.exp(log_x)})
    assert not set(toposort([new])) & set(toposort([y]))
    assert equal_computations([new], [graph_replace(y, {x: tt.exp(log_x)})])
    assert_unchanged(y, before)
    f = function([log_x], new, mode="python")
    np.testing.assert_allclose(f(np.zeros(3)), np.log(2.0) * np.ones(3))


def test_clone_replace_is_lenient_unless_strict() -> None:
    x, y = seed()
    v = tt.vector("v", shape=(None,))
    assert clone_replace(y, {x: v}).type.shape == (None,)
    with pytest.raises(TypeError, match="cannot replace 'x'"):
        clone_replace(y, {x: v}, strict=True)


def test_clone_replace_of_several_outputs() -> None:
    x, y = seed()
    z = tt.exp(x)
    new_y, new_z = clone_replace([y, z])
    assert equal_computations([new_y, new_z], [y, z])
    assert new_z.owner is not z.owner
