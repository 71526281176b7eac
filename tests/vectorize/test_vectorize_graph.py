"""vectorize_graph on small graphs: the batched graph's structure, values and errors."""

from __future__ import annotations

import numpy as np
import pytest

import tensorgraft.tensor as tt
from tensorgraft.compile import function
from tensorgraft.graph.basic import Variable
from tensorgraft.graph.op import Op
from tensorgraft.graph.traversal import ancestors, toposort
from tensorgraft.tensor.blockwise import Blockwise
from tensorgraft.tensor.construction import Alloc
from tensorgraft.tensor.reduction import Sum
from tensorgraft.tensor.subtensor import Subtensor
from tensorgraft.vectorize import core_signature, vectorize_graph


def _ops(output: Variable) -> list[Op]:
    return [node.op for node in toposort([output])]


def test_the_seed_example_gives_a_batched_matrix() -> None:
    x = tt.vector("x", shape=(3,))
    y = tt.log(1 + x)
    new_x = tt.matrix("new_x", shape=(2, 3))
    new_y = vectorize_graph(y, {x: new_x})
    assert str(new_y.type) == "Matrix(float64, shape=(2, 3))"
    xv = np.arange(6.0).reshape(2, 3)
    np.testing.assert_allclose(function([new_x], new_y, mode="python")(xv), np.log1p(xv))


def test_returns_the_form_it_was_given() -> None:
    x = tt.vector("x")
    new_x = tt.matrix("new_x")
    assert isinstance(vectorize_graph(tt.exp(x), {x: new_x}), tt.TensorVariable)
    outs = vectorize_graph([tt.exp(x), tt.sin(x)], {x: new_x})
    assert isinstance(outs, list) and [o.type.ndim for o in outs] == [2, 2]  # type: ignore[attr-defined]


def test_an_output_that_does_not_depend_on_the_batch_is_kept() -> None:
    x, z = tt.vector("x"), tt.vector("z")
    kept = tt.exp(z)
    assert vectorize_graph([tt.exp(x), kept], {x: tt.matrix("new_x")})[1] is kept


def test_inputs_with_different_batch_ranks_broadcast() -> None:
    x, y = tt.vector("x"), tt.vector("y")
    new_x = tt.tensor("new_x", shape=(5, 3))
    new_y = tt.tensor("new_y", shape=(2, 1, 3))
    out = vectorize_graph(x * y, {x: new_x, y: new_y})
    assert out.type.shape == (2, 5, 3)
    xv, yv = np.ones((5, 3)), np.arange(6.0).reshape(2, 1, 3)
    np.testing.assert_allclose(function([new_x, new_y], out, mode="python")(xv, yv), xv * yv)


def test_reduction_axes_move_past_the_batch() -> None:
    x = tt.matrix("x")
    out = vectorize_graph(x.sum(axis=1), {x: tt.tensor("new_x", shape=(None, None, 4, 5))})
    assert out.owner is not None and out.owner.op == Sum(axes=(3,))
    assert out.type.shape == (None, None, 4)


def test_full_reduction_becomes_a_reduction_over_the_core_axes() -> None:
    x = tt.matrix("x")
    new_x = tt.tensor3("new_x")
    out = vectorize_graph(x.sum(), {x: new_x})
    assert out.owner is not None and out.owner.op == Sum(axes=(1, 2))
    xv = np.arange(24.0).reshape(2, 3, 4)
    np.testing.assert_allclose(function([new_x], out, mode="python")(xv), xv.sum(axis=(1, 2)))


def test_basic_indexing_keeps_the_batch_in_front() -> None:
    x = tt.matrix("x")
    new_x = tt.tensor3("new_x")
    out = vectorize_graph(x[1:, 0], {x: new_x})
    assert any(isinstance(op, Subtensor) for op in _ops(out))
    assert not any(isinstance(op, Blockwise) for op in _ops(out))
    xv = np.arange(24.0).reshape(2, 3, 4)
    np.testing.assert_allclose(function([new_x], out, mode="python")(xv), xv[:, 1:, 0])


def test_batched_integer_index_picks_one_entry_per_element() -> None:
    x, i = tt.vector("x"), tt.scalar("i", dtype="int64")
    new_x, new_i = tt.matrix("new_x"), tt.vector("new_i", dtype="int64")
    out = vectorize_graph(x[i], {x: new_x, i: new_i})
    xv, iv = np.arange(12.0).reshape(3, 4), np.array([0, 3, -1])
    np.testing.assert_allclose(function([new_x, new_i], out, mode="python")(xv, iv), [0, 7, 11])


def test_batched_slice_bounds_stack_when_lengths_agree_and_raise_when_ragged() -> None:
    x, a = tt.vector("x"), tt.scalar("a", dtype="int64")
    new_a = tt.vector("new_a", dtype="int64")
    out = vectorize_graph(x[a : a + 2], {a: new_a})
    fn = function([x, new_a], out, mode="python")
    xv = np.arange(5.0)
    np.testing.assert_allclose(fn(xv, np.array([0, 2])), [[0, 1], [2, 3]])
    with pytest.raises(ValueError, match="ragged"):
        fn(xv, np.array([0, 4]))  # x[4:6] has one element, x[0:2] two


def test_reshape_keeps_the_batch_in_front_of_the_new_shape() -> None:
    x = tt.vector("x")
    new_x = tt.matrix("new_x")
    out = vectorize_graph(x.reshape((2, -1)), {x: new_x})
    assert out.ndim == 3
    xv = np.arange(12.0).reshape(2, 6)
    np.testing.assert_allclose(function([new_x], out, mode="python")(xv), xv.reshape(2, 2, 3))


def test_batched_reshape_shape_is_ragged_unless_the_shapes_agree() -> None:
    x, n = tt.vector("x"), tt.scalar("n", dtype="int64")
    new_n = tt.vector("new_n", dtype="int64")
    out = vectorize_graph(tt.reshape(x, (n, -1)), {n: new_n})
    fn = function([x, new_n], out, mode="python")
    assert fn(np.arange(6.0), np.array([2, 2])).shape == (2, 2, 3)
    with pytest.raises(ValueError, match="ragged"):
        fn(np.arange(6.0), np.array([2, 3]))


def test_shape_of_a_batched_array_stays_unbatched() -> None:
    x = tt.matrix("x")
    new_x = tt.tensor3("new_x")
    out = vectorize_graph(x.shape, {x: new_x})
    assert out.ndim == 1
    np.testing.assert_array_equal(
        function([new_x], out, mode="python")(np.zeros((5, 2, 3))), [2, 3]
    )


def test_blockwise_of_blockwise_collapses() -> None:
    a, b = tt.matrix("a"), tt.matrix("b")
    out = tt.matmul(a, b)
    batched = vectorize_graph(out, {a: tt.tensor3("new_a")})
    blockwise = [op for op in _ops(batched) if isinstance(op, Blockwise)]
    assert blockwise == [out.owner.op]  # type: ignore[union-attr]


def test_derived_signature_ties_dimensions_that_infer_shape_ties() -> None:
    x = tt.tensor3("x")
    node = tt.transpose(x, (2, 0, 1)).owner
    assert node is not None
    assert core_signature(node.op, node) == "(i0_0,i0_1,i0_2)->(i0_2,i0_0,i0_1)"


@pytest.mark.parametrize(
    ("new", "message"),
    [
        (tt.matrix("bad_dtype", dtype="float32"), "bad_dtype"),
        (tt.tensor("bad_core", shape=(2, 4)), "core shape"),
        (tt.scalar("too_few"), "too_few"),
    ],
)
def test_a_replacement_must_end_with_the_core_type(new: tt.TensorVariable, message: str) -> None:
    x = tt.vector("x", shape=(3,))
    with pytest.raises(TypeError, match=message):
        vectorize_graph(tt.exp(x), {x: new})


def test_replacing_a_variable_outside_the_graph_is_an_error() -> None:
    x, other = tt.vector("x"), tt.vector("other")
    with pytest.raises(ValueError, match="'other'"):
        vectorize_graph(tt.exp(x), {other: tt.matrix("m")})


def test_an_intermediate_variable_can_be_replaced() -> None:
    x = tt.vector("x")
    h = tt.exp(x)
    y = h.sum()
    new_h = tt.matrix("new_h")
    out = vectorize_graph(y, {h: new_h})
    hv = np.arange(6.0).reshape(2, 3)
    np.testing.assert_allclose(function([new_h], out, mode="python")(hv), hv.sum(axis=1))


ADVANCED_KEYS = {
    "adjacent_arrays": (np.array([[0, 1], [1, 0]]), slice(None), 1),
    "arrays_apart": ([0, 1], None, [1, 2]),
    "int_and_array_apart": (1, slice(None), [0, 2]),
    "mask": (slice(None), [True, False, True], 0),
    "slice_between": (0, slice(1, None), [1, 1]),
}


@pytest.mark.parametrize("key", ADVANCED_KEYS.values(), ids=list(ADVANCED_KEYS))
def test_advanced_indexing_keeps_the_batch_in_front(key: tuple[object, ...]) -> None:
    x = tt.tensor3("x")
    new_x = tt.tensor("new_x", shape=(None, None, None, None, None))
    out = vectorize_graph(x[key], {x: new_x})
    assert not any(isinstance(op, Blockwise) for op in _ops(out))
    xv = np.random.default_rng(0).uniform(size=(2, 3, 2, 3, 4))
    got = function([new_x], out, mode="python")(xv)
    expected = np.stack([xv[a, b][key] for a in range(2) for b in range(3)])
    np.testing.assert_allclose(got, expected.reshape((2, 3, *expected.shape[1:])))


# -- symbolic shape and index arguments that become batched ---------------------------------


def test_batched_alloc_value_keeps_the_alloc() -> None:
    v, n = tt.vector("v", shape=(3,)), tt.scalar("n", dtype="int64")
    new_v = tt.matrix("new_v", shape=(None, 3))
    out = vectorize_graph(tt.alloc(v, n, 3), {v: new_v})
    assert not any(isinstance(op, Blockwise) for op in _ops(out))
    vv = np.arange(6.0).reshape(2, 3)
    got = function([new_v, n], out, mode="python")(vv, np.asarray(4))
    np.testing.assert_array_equal(got, np.broadcast_to(vv[:, None, :], (2, 4, 3)))


def test_batched_alloc_length_stacks_or_raises_naming_the_variable() -> None:
    v, n = tt.vector("v", shape=(3,)), tt.scalar("n", dtype="int64")
    filled = tt.alloc(v, n, 3)
    filled.name = "filled"
    new_n = tt.vector("new_n", dtype="int64")
    batched = vectorize_graph(filled, {n: new_n})
    # The batched node says where the user wrote the core one.
    assert batched.name == "filled" and batched.owner.site == filled.owner.site  # type: ignore[union-attr]
    fn = function([v, new_n], batched, mode="python")
    vv = np.array([1.0, 2.0, 3.0])
    np.testing.assert_array_equal(fn(vv, np.array([2, 2])), np.broadcast_to(vv, (2, 2, 3)))
    with pytest.raises(
        ValueError, match=r"'filled' \(created at test_vectorize_graph.py:\d+\).*ragged"
    ):
        fn(vv, np.array([2, 1]))


def test_batched_arange_bounds_stack_when_the_lengths_agree() -> None:
    start, stop = tt.scalar("start", dtype="int64"), tt.scalar("stop", dtype="int64")
    new_start, new_stop = (
        tt.vector("new_start", dtype="int64"),
        tt.vector("new_stop", dtype="int64"),
    )
    shifted = function(
        [new_start], vectorize_graph(tt.arange(start, start + 3), {start: new_start}), mode="python"
    )
    np.testing.assert_array_equal(shifted(np.array([0, 5])), [[0, 1, 2], [5, 6, 7]])
    counts = function([new_stop], vectorize_graph(tt.arange(stop), {stop: new_stop}), mode="python")
    np.testing.assert_array_equal(counts(np.array([2, 2])), [[0, 1], [0, 1]])
    with pytest.raises(ValueError, match="ragged"):
        counts(np.array([2, 3]))


def test_batched_split_points_give_batched_pieces() -> None:
    x, k = tt.vector("x", shape=(5,)), tt.scalar("k", dtype="int64")
    new_x, new_k = tt.matrix("new_x", shape=(None, 5)), tt.vector("new_k", dtype="int64")
    first, rest = tt.split(x, [k])  # x[:k], x[k:]
    outs = vectorize_graph([first, rest], {x: new_x, k: new_k})
    fn = function([new_x, new_k], outs, mode="python")
    xv = np.arange(10.0).reshape(2, 5)
    got_first, got_rest = fn(xv, np.array([2, 2]))
    np.testing.assert_array_equal(got_first, xv[:, :2])
    np.testing.assert_array_equal(got_rest, xv[:, 2:])
    with pytest.raises(ValueError, match="ragged"):
        fn(xv, np.array([2, 3]))


def test_batched_integer_index_of_a_batched_array_in_two_batch_dims() -> None:
    x, i = tt.matrix("x", shape=(3, 4)), tt.scalar("i", dtype="int64")
    new_x = tt.tensor("new_x", shape=(2, 1, 3, 4))
    new_i = tt.tensor("new_i", shape=(5,), dtype="int64")
    out = vectorize_graph(x[i, 1:], {x: new_x, i: new_i})
    assert out.type.shape[:2] == (2, 5)  # type: ignore[attr-defined]
    xv = np.arange(24.0).reshape(2, 1, 3, 4)
    iv = np.array([0, 1, 2, -1, -3])
    got = function([new_x, new_i], out, mode="python")(xv, iv)
    expected = np.stack([np.stack([xv[a, 0][iv[b], 1:] for b in range(5)]) for a in range(2)])
    np.testing.assert_array_equal(got, expected)


def test_batched_integer_index_becomes_one_gather() -> None:
    x, i, j = (
        tt.matrix("x", shape=(3, 4)),
        tt.scalar("i", dtype="int64"),
        tt.scalar("j", dtype="int64"),
    )
    new_x, new_j = tt.tensor3("new_x", shape=(2, 3, 4)), tt.vector("new_j", dtype="int64")
    out = vectorize_graph(x[1:, j], {x: new_x, j: new_j})
    assert not any(isinstance(op, Blockwise) for op in _ops(out))
    xv = np.arange(24.0).reshape(2, 3, 4)
    got = function([new_x, new_j], out, mode="python")(xv, np.array([3, -4]))
    np.testing.assert_array_equal(got, [xv[0, 1:, 3], xv[1, 1:, -4]])
    # The index alone batched: each element reads the same x.
    new_i = tt.vector("new_i", dtype="int64")
    out = vectorize_graph(x[i, 1:], {i: new_i})
    fn = function([x, new_i], out, mode="python")
    np.testing.assert_array_equal(fn(xv[0], np.array([2, 0])), [xv[0, 2, 1:], xv[0, 0, 1:]])


@pytest.mark.parametrize("set_instead_of_inc", [False, True])
@pytest.mark.parametrize("batched", ["index", "index_and_x", "index_and_value", "all"])
def test_batched_integer_index_of_inc_subtensor_becomes_one_scatter(
    batched: str, set_instead_of_inc: bool
) -> None:
    x, v, i = (
        tt.matrix("x", shape=(3, 4)),
        tt.vector("v", shape=(4,)),
        tt.scalar("i", dtype="int64"),
    )
    write = tt.set_subtensor if set_instead_of_inc else tt.inc_subtensor
    core = write(x[i], v)
    rng = np.random.default_rng(0)
    xv, vv, iv = rng.uniform(size=(3, 4)), rng.uniform(size=(4,)), np.array([2, -3])
    new = {
        i: (tt.vector("new_i", dtype="int64"), iv),
        x: (tt.tensor3("new_x", shape=(1, 3, 4)), xv[None]),
        v: (tt.matrix("new_v", shape=(2, 4)), np.stack([vv, 2 * vv])),
    }
    chosen = {
        "index": [i],
        "index_and_x": [i, x],
        "index_and_value": [i, v],
        "all": [i, x, v],
    }[batched]
    out = vectorize_graph(core, {k: new[k][0] for k in chosen})
    assert not any(isinstance(op, Blockwise) for op in _ops(out))
    inputs = [new[k][0] if k in chosen else k for k in (x, v, i)]
    values = [new[k][1] if k in chosen else val for k, val in ((x, xv), (v, vv), (i, iv))]
    got = function(inputs, out, mode="python")(*values)
    core_fn = function([x, v, i], core, mode="python")
    xs = np.broadcast_to(values[0], (2, 3, 4)) if x in chosen else [xv, xv]
    vs = values[1] if v in chosen else [vv, vv]
    expected = [core_fn(xs[n], vs[n], iv[n]) for n in range(2)]
    np.testing.assert_allclose(got, expected)


@pytest.mark.parametrize("kind", ["integer", "array"])
def test_gradient_through_a_batched_index(kind: str) -> None:
    autodiff = pytest.importorskip("tensorgraft.autodiff")
    x = tt.vector("x", shape=(4,))
    i = tt.scalar("i", dtype="int64") if kind == "integer" else tt.vector("i", dtype="int64")
    new_x = tt.matrix("new_x", shape=(None, 4))
    new_i = tt.tensor("new_i", shape=(None, *i.type.shape), dtype="int64")
    out = vectorize_graph(tt.exp(x[i]).sum() + x.sum(), {x: new_x, i: new_i})
    assert not any(isinstance(op, Blockwise) for op in _ops(out))
    g = function([new_x, new_i], autodiff.grad(out.sum(), new_x), mode="python")
    xv = np.linspace(0, 1, 12).reshape(3, 4)
    iv = np.array([0, 3, -2]) if kind == "integer" else np.array([[0, 1], [3, 3], [-2, 0]])
    expected = np.ones((3, 4))
    for n in range(3):
        np.add.at(expected[n], iv[n], np.exp(xv[n, iv[n]]))  # repeated indices accumulate
    np.testing.assert_allclose(g(xv, iv), expected)


# Keys of a (3, 4, 5) array with one or two array indices, in every layout NumPy has.
ARRAY_KEYS = {
    "first": lambda a, i: (a,),
    "after_a_slice": lambda a, i: (slice(1, None), a),
    "two_adjacent": lambda a, i: (slice(None), a, i),
    "apart": lambda a, i: (a, slice(None), i),
    "int_and_array": lambda a, i: (1, a),
    "with_new_axis": lambda a, i: (None, a, slice(None), i),
}
A_CORE = np.array([[0, 2], [1, -1]])  # a (2, 2) array index into axes of length >= 3
I_CORE = 1


@pytest.mark.parametrize("batched", ["array", "array_and_x", "x"])
@pytest.mark.parametrize("key", ARRAY_KEYS.values(), ids=list(ARRAY_KEYS))
def test_batched_array_indices_gather_per_element(key: object, batched: str) -> None:
    x = tt.tensor3("x", shape=(3, 4, 5))
    a, i = tt.matrix("a", shape=(2, 2), dtype="int64"), tt.scalar("i", dtype="int64")
    core = x[key(a, i)]  # type: ignore[operator]
    new_x = tt.tensor("new_x", shape=(2, 1, 3, 4, 5))
    new_a = tt.tensor("new_a", shape=(3, 2, 2), dtype="int64")
    new_i = tt.vector("new_i", dtype="int64")
    replace = {"array": {a: new_a, i: new_i}, "array_and_x": {x: new_x, a: new_a, i: new_i}}
    chosen = replace.get(batched, {x: new_x})
    chosen = {k: v for k, v in chosen.items() if k in set(ancestors([core]))}
    out = vectorize_graph(core, chosen)
    assert not any(isinstance(op, Blockwise) for op in _ops(out))
    rng = np.random.default_rng(1)
    xv = rng.uniform(size=(2, 1, 3, 4, 5))
    av = np.stack([A_CORE, A_CORE[::-1], -A_CORE - 1])
    iv = np.array([0, 2, -1])
    values = {x: xv if x in chosen else xv[0, 0], a: av if a in chosen else A_CORE}
    values[i] = iv if i in chosen else np.asarray(I_CORE)
    inputs = [chosen.get(k, k) for k in (x, a, i)]
    fn = function(inputs, out, mode="python", on_unused_input="ignore")
    got = fn(*[values[k] for k in (x, a, i)])
    core_fn = function([x, a, i], core, mode="python", on_unused_input="ignore")
    batch = np.broadcast_shapes(*[values[k].shape[: values[k].ndim - k.ndim] for k in chosen])
    full = {k: np.broadcast_to(values[k], batch + k.type.shape) for k in chosen}
    expected = np.stack(
        [
            core_fn(*[full[k][idx] if k in chosen else values[k] for k in (x, a, i)])
            for idx in np.ndindex(*batch)
        ]
    )
    np.testing.assert_allclose(got, expected.reshape(batch + expected.shape[1:]))


@pytest.mark.parametrize("batched", ["x_and_value", "arrays", "all"])
@pytest.mark.parametrize("set_instead_of_inc", [False, True])
@pytest.mark.parametrize("key", ARRAY_KEYS.values(), ids=list(ARRAY_KEYS))
def test_advanced_inc_subtensor_keeps_the_batch_in_front(
    key: object, set_instead_of_inc: bool, batched: str
) -> None:
    x = tt.tensor3("x", shape=(3, 4, 5))
    a, i = tt.matrix("a", shape=(2, 2), dtype="int64"), tt.scalar("i", dtype="int64")
    target = x[key(a, i)]  # type: ignore[operator]
    v = tt.tensor("v", shape=target.type.shape[1:])  # broadcasts over the first axis
    write = tt.set_subtensor if set_instead_of_inc else tt.inc_subtensor
    core = write(target, v)
    new = {
        x: tt.tensor("new_x", shape=(2, 1, 3, 4, 5)),
        v: tt.tensor("new_v", shape=(3, *v.type.shape)),
        a: tt.tensor("new_a", shape=(1, 3, 2, 2), dtype="int64"),
        i: tt.tensor("new_i", shape=(2, 1), dtype="int64"),
    }
    chosen = {"x_and_value": [x, v], "arrays": [a, i], "all": [x, v, a, i]}[batched]
    used = set(ancestors([core]))
    replace = {k: new[k] for k in chosen if k in used}
    out = vectorize_graph(core, replace)
    assert not any(isinstance(op, Blockwise) for op in _ops(out))
    rng = np.random.default_rng(2)
    core_values = {
        x: rng.uniform(size=(3, 4, 5)),
        v: rng.uniform(size=v.type.shape),
        a: A_CORE,
        i: np.asarray(I_CORE),
    }
    batched_values = {
        x: rng.uniform(size=(2, 1, 3, 4, 5)),
        v: rng.uniform(size=new[v].type.shape),
        a: np.stack([A_CORE, A_CORE[::-1], -A_CORE - 1])[None],
        i: np.array([[0], [-2]]),
    }
    inputs = [k for k in (x, v, a, i) if k in used]
    fn = function([replace.get(k, k) for k in inputs], out, mode="python")
    got = fn(*[batched_values[k] if k in replace else core_values[k] for k in inputs])
    core_fn = function(inputs, core, mode="python")
    batch = np.broadcast_shapes(*[new[k].type.shape[: new[k].ndim - k.ndim] for k in replace])
    full = {k: np.broadcast_to(batched_values[k], batch + k.type.shape) for k in replace}
    expected = np.stack(
        [
            core_fn(*[full[k][idx] if k in replace else core_values[k] for k in inputs])
            for idx in np.ndindex(*batch)
        ]
    )
    np.testing.assert_allclose(got, expected.reshape(batch + expected.shape[1:]))


def test_join_broadcasts_only_what_may_differ_in_batch_shape() -> None:
    x, z = tt.vector("x", shape=(3,)), tt.vector("z", shape=(2,))
    new_x = tt.matrix("new_x", shape=(None, 3))
    # One replacement: every batched value has its batch shape; only z is broadcast.
    out = vectorize_graph(tt.concatenate([x, tt.exp(x), z]), {x: new_x})
    allocs = [node for node in toposort([out]) if isinstance(node.op, Alloc)]
    assert len(allocs) == 1 and z in set(ancestors([allocs[0].inputs[0]]))
    xv, zv = np.arange(6.0).reshape(2, 3), np.array([7.0, 8.0])
    got = function([new_x, z], out, mode="python")(xv, zv)
    np.testing.assert_allclose(got, np.concatenate([xv, np.exp(xv), np.tile(zv, (2, 1))], axis=1))
    # Two replacements of unknown batch lengths may broadcast against each other.
    new_z = tt.matrix("new_z", shape=(None, 2))
    out = vectorize_graph(tt.concatenate([x, z]), {x: new_x, z: new_z})
    got = function([new_x, new_z], out, mode="python")(xv, zv[None])
    np.testing.assert_allclose(got, np.concatenate([xv, np.tile(zv, (2, 1))], axis=1))
