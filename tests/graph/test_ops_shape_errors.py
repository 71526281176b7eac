"""Shape and construction ops: static inference, graph structure, and their errors
(bad dtypes and impossible static shapes at build time, shape mismatches at run time)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import tensorgraft.tensor as tt
from tensorgraft.compile import function
from tensorgraft.graph.traversal import toposort


def run(inputs: list[Any], output: Any, *values: Any) -> Any:
    return function(inputs, output, mode="python")(*values)


def op_types(*outputs: Any) -> set[type]:
    return {type(node.op) for node in toposort(list(outputs))}


# -- static inference and structure ---------------------------------------------------------------
def test_reshape_static_shape_from_constant_and_symbolic_entries() -> None:
    x, n = tt.tensor("x", shape=(2, 3, 4)), tt.scalar("n", dtype="int64")
    assert x.reshape(4, -1).type.shape == (4, 6)
    assert tt.reshape(x, (n, 3, -1)).type.shape == (None, 3, None)
    y = tt.matrix("y", shape=(2, None))
    assert x.reshape(y.shape[0], -1).type.shape == (2, 12)
    assert tt.flatten(x, 2).type.shape == (2, 12)
    assert x.flatten().type.shape == (24,)
    node = x.reshape(4, -1).owner
    assert node.op == tt.Reshape(2) and node.inputs[1].type.dtype == "int64"


def test_reshape_symbolic_minus_one_at_run_time() -> None:
    x, s = tt.vector("x"), tt.vector("s", dtype="int64")
    y = tt.reshape(x, s, ndim=2)
    (shape,) = y.owner.op.infer_shape(None, y.owner, [(tt.ShapeI(0)(x),), (2,)])
    f = function([x, s], [y, *shape], mode="python")
    out, rows, cols = f(np.arange(6.0), np.asarray([-1, 3]))
    assert out.shape == (rows, cols) == (2, 3)


def test_specify_shape_sets_the_static_shape() -> None:
    x, n = tt.matrix("x"), tt.scalar("n", dtype="int32")
    assert tt.specify_shape(x, (3, None)).type.shape == (3, None)
    assert tt.specify_shape(x, (n, 2)).type.shape == (None, 2)
    assert tt.specify_shape(x, (None, None)) is x


def test_split_returns_a_list_and_stack_is_expand_dims_plus_join() -> None:
    x = tt.matrix("x", shape=(4, 2))
    pieces = tt.split(x, 1)
    assert isinstance(pieces, list) and len(pieces) == 1 and pieces[0].type.shape == (4, 2)
    assert [p.type.shape for p in tt.split(x, 2)] == [(2, 2), (2, 2)]
    assert op_types(tt.stack([x, x])) == {tt.Join, tt.DimShuffle}


def test_flip_roll_tile_build_no_new_op() -> None:
    x = tt.matrix("x", shape=(3, 4))
    assert op_types(tt.flip(x)) == {tt.Subtensor}
    assert tt.Subtensor in op_types(tt.roll(x, 1, axis=0)) and tt.Join in op_types(tt.roll(x, 1, 0))
    assert op_types(tt.tile(x, (2, 3))) <= {tt.Alloc, tt.Reshape, tt.DimShuffle}
    assert tt.tile(x, (2, 3)).type.shape == (6, 12)


def test_constructors_default_dtypes_follow_numpy() -> None:
    assert tt.zeros(3).dtype == np.zeros(3).dtype.name
    assert tt.full(3, 7).dtype == np.full(3, 7).dtype.name
    assert tt.full(3, True).dtype == "bool"
    assert tt.arange(3).dtype == "int64" and tt.arange(0.5, 3).dtype == "float64"
    assert tt.arange(tt.scalar("n", dtype="int8")).dtype == "int64"
    assert tt.eye(2).dtype == "float64" and tt.tri(2).dtype == "float64"
    f32 = tt.scalar("a", dtype="float32")
    assert tt.linspace(f32, 1, 4).dtype == np.linspace(np.float32(0), 1, 4).dtype.name


def test_arange_static_length_only_for_static_bounds() -> None:
    n = tt.scalar("n", dtype="int64")
    assert tt.arange(2, 11, 3).type.shape == (3,)
    assert tt.arange(n).type.shape == (None,)
    assert tt.arange(tt.matrix("m", shape=(5, None)).shape[0]).type.shape == (5,)


# -- build-time errors -----------------------------------------------------------------------
def test_reshape_impossible_static_shapes() -> None:
    x = tt.matrix("x", shape=(2, 3))
    with pytest.raises(ValueError, match=r"'x'.*\(2, 3\).*6 elements.*\(4,\)"):
        x.reshape(4)
    with pytest.raises(ValueError, match=r"'x'.*\(4, -1\)"):
        x.reshape(4, -1)
    with pytest.raises(ValueError, match="at most one -1"):
        x.reshape(-1, -1)
    with pytest.raises(ValueError, match=">= 0"):
        x.reshape(-2, -3)


def test_reshape_bad_shape_arguments() -> None:
    x = tt.vector("x")
    with pytest.raises(TypeError, match="integers"):
        x.reshape(2.5)
    with pytest.raises(TypeError, match="integers"):
        tt.reshape(x, tt.vector("s"))
    with pytest.raises(ValueError, match="ndim="):
        tt.reshape(x, tt.vector("s", dtype="int64"))


def test_specify_shape_static_mismatch() -> None:
    x = tt.matrix("x", shape=(2, None))
    with pytest.raises(ValueError, match=r"'x'.*\(2, None\).*\(3, \?\)"):
        tt.specify_shape(x, (3, None))
    with pytest.raises(ValueError, match="2 dimensions"):
        tt.specify_shape(x, (2,))
    with pytest.raises(TypeError, match="integer"):
        tt.specify_shape(x, (2, 1.5))


def test_join_and_split_static_errors() -> None:
    x, y = tt.matrix("x", shape=(2, 3)), tt.matrix("y", shape=(2, 4))
    with pytest.raises(ValueError, match=r"'x' .*\(2, 3\) and 'y' .*\(2, 4\)"):
        tt.concatenate([x, y])
    with pytest.raises(ValueError, match=r"'v'.*1 dimensions"):
        tt.concatenate([x, tt.vector("v")])
    with pytest.raises(ValueError, match="0-d"):
        tt.concatenate([tt.scalar("s"), tt.scalar("t")])
    with pytest.raises(ValueError, match=r"'x'.*\(2, 3\).*3 is not a multiple of 2"):
        tt.split(x, 2, axis=1)


def test_alloc_and_broadcast_static_errors() -> None:
    x = tt.vector("x", shape=(3,))
    with pytest.raises(ValueError, match=r"'x' .*\(3,\).*\(2, 4\)"):
        tt.alloc(x, 2, 4)
    with pytest.raises(ValueError, match=r"'x'.*\(3,\).*\(2,\)"):
        tt.broadcast_to(x, (2,))
    with pytest.raises(ValueError, match="cannot be broadcast"):
        tt.broadcast_arrays(x, tt.vector("y", shape=(2,)))
    with pytest.raises(TypeError, match="integer"):
        tt.zeros((2.0, 3))


@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
def test_arange_refuses_complex_bounds(dtype: str) -> None:
    with pytest.raises(TypeError, match="real scalars"):
        tt.arange(tt.scalar("n", dtype=dtype))


def test_range_constructor_errors() -> None:
    with pytest.raises(TypeError, match="bool"):
        tt.arange(3, dtype="bool")
    with pytest.raises(ValueError, match="zero"):
        tt.arange(0, 3, 0)
    with pytest.raises(ValueError, match="num"):
        tt.linspace(0, 1, -1)
    with pytest.raises(ValueError, match="negative"):
        tt.eye(-1)


def test_repeat_diag_sort_errors() -> None:
    x = tt.matrix("x", shape=(2, 3))
    with pytest.raises(ValueError, match=r"'x'.*\(2, 3\).*2 repeats for 3 elements"):
        tt.repeat(x, [1, 2], axis=1)
    with pytest.raises(TypeError, match="integers"):
        tt.repeat(x, 1.5)
    with pytest.raises(ValueError, match="negative"):
        tt.repeat(x, -1)
    with pytest.raises(ValueError, match="vector or a matrix"):
        tt.diag(tt.tensor3("t"))
    with pytest.raises(ValueError, match="at least 2"):
        tt.diagonal(tt.vector("v"))
    with pytest.raises(ValueError, match="0-d"):
        tt.sort(tt.scalar("s"))
    with pytest.raises(ValueError, match="out of bounds"):
        tt.argsort(x, 2)


# -- run-time errors -------------------------------------------------------------------------
def test_reshape_run_time_error_names_variable_and_shapes() -> None:
    x = tt.vector("x")
    with pytest.raises(ValueError, match=r"'x'.*\(6,\).*6 elements.*\(4,\)"):
        run([x], x.reshape(4), np.zeros(6))


def test_specify_shape_run_time_error() -> None:
    x = tt.matrix("x")
    with pytest.raises(ValueError, match=r"'x'.*\(2, 5\).*expected \(3, \?\)"):
        run([x], tt.specify_shape(x, (3, None)), np.zeros((2, 5)))


def test_split_unequal_sections_at_run_time() -> None:
    x = tt.vector("x")
    with pytest.raises(ValueError, match=r"'x'.*\(7,\).*\(2, 2, 2\)"):
        run([x], tt.split(x, 3)[0], np.zeros(7))


def test_join_alloc_repeat_arange_run_time_errors() -> None:
    x, y = tt.matrix("x"), tt.matrix("y")
    with pytest.raises(ValueError, match=r"'y'.*\(2, 4\).*'x'.*\(2, 3\)"):
        run([x, y], tt.concatenate([x, y]), np.zeros((2, 3)), np.zeros((2, 4)))
    n = tt.scalar("n", dtype="int64")
    with pytest.raises(ValueError, match=r"'x'.*\(2, 3\).*\(2, 4\)"):
        run([x, n], tt.alloc(x, 2, n), np.zeros((2, 3)), 4)
    r = tt.vector("r", dtype="int64")
    with pytest.raises(ValueError, match=r"'x'.*\(2, 3\).*\[1, 2\]"):
        run([x, r], tt.repeat(x, r, axis=1), np.zeros((2, 3)), np.asarray([1, 2]))
    with pytest.raises(ValueError, match=r"step .* zero"):
        run([n], tt.arange(0, 5, n), 0)


@pytest.mark.parametrize("dtype", ["bool", "int8", "uint32", "uint64", "float16", "float32"])
def test_arange_default_dtype_is_numpys(dtype: str) -> None:
    stop = tt.scalar("stop", dtype=dtype)
    start = np.asarray(0, "int64" if dtype == "bool" else dtype)[()]
    assert tt.arange(stop).dtype == np.arange(np.asarray(1, dtype)[()]).dtype.name
    assert (
        tt.arange(start, stop, 1).dtype == np.arange(start, np.asarray(1, dtype)[()], 1).dtype.name
    )


# -- static inference from partly known shapes, and NumPy-compatible arguments -------------------
def test_reshape_infers_the_one_unknown_entry() -> None:
    x, n = tt.matrix("x", shape=(2, 3)), tt.scalar("n", dtype="int64")
    assert tt.reshape(x, (n, 6)).type.shape == (1, 6)
    assert tt.reshape(x, (3, n, 2)).type.shape == (3, 1, 2)
    assert tt.reshape(x, (n, -1)).type.shape == (None, None)
    z = tt.matrix("z", shape=(0, 3))
    assert tt.reshape(z, (n, 6)).type.shape == (0, 6)
    assert tt.reshape(z, (n, 0)).type.shape == (None, 0)
    assert tt.reshape(z, (-1, 5)).type.shape == (0, 5)


def test_reshape_known_entries_must_divide_the_static_size() -> None:
    x, n = tt.matrix("x", shape=(2, 3)), tt.scalar("n", dtype="int64")
    with pytest.raises(ValueError, match=r"'x'.*\(2, 3\).*6 elements.*\(\?, 4\)"):
        tt.reshape(x, (n, 4))
    with pytest.raises(ValueError, match=r"'x'.*\(\?, 4, -1\)"):
        tt.reshape(x, (n, 4, -1))
    with pytest.raises(ValueError, match=r"'x'.*\(\?, 0\)"):
        tt.reshape(x, (n, 0))
    with pytest.raises(ValueError):
        np.zeros((0, 3)).reshape(0, -1)  # NumPy cannot tell what -1 is next to a 0: nor can we
    with pytest.raises(ValueError, match=r"'z'.*\(0, -1\).*ambiguous"):
        tt.reshape(tt.matrix("z", shape=(0, 3)), (0, -1))


@pytest.mark.parametrize(
    ("build", "pattern"),
    [
        (lambda m: tt.squeeze(m, (0, -2)), r"repeated axis.*'m'.* 2 dimensions"),
        (lambda m: tt.flip(m, (1, 1)), r"repeated axis.*'m'.* 2 dimensions"),
        (lambda m: tt.moveaxis(m, (0, 0), (0, 1)), r"repeated axis.*'m'.* 2 dimensions"),
        (lambda m: tt.expand_dims(m, (0, -4)), r"repeated axis.*result of 'm'.* 4 dimensions"),
        (lambda m: tt.expand_dims(m, 3), r"axis 3 .*result of 'm'.* 3 dimensions"),
        (lambda m: tt.stack([m, m], axis=-4), r"axis -4 .*result of 'm'.* 3 dimensions"),
    ],
)
def test_axis_errors_name_the_array_and_its_dimensions(build: Any, pattern: str) -> None:
    with pytest.raises(ValueError, match=pattern):
        build(tt.matrix("m"))


def test_stack_static_shape_mismatch_names_the_arrays() -> None:
    x, y = tt.vector("x", shape=(3,)), tt.vector("y", shape=(4,))
    with pytest.raises(ValueError, match=r"'x'.*\(3,\).*'y'.*\(4,\)"):
        tt.stack([x, y])
    with pytest.raises(ValueError):
        np.stack([np.zeros(3), np.zeros(4)])


def test_negative_lengths_and_counts() -> None:
    x, n = tt.vector("x", shape=(3,)), tt.scalar("n", dtype="int64")
    with pytest.raises(ValueError, match=r"negative dimensions.*\(-1, 2\)"):
        tt.zeros((-1, 2))
    with pytest.raises(ValueError, match=r"'x'.*negative repetitions.*\(-1,\)"):
        tt.tile(x, -1)
    with pytest.raises(ValueError, match=r"'x'.*number of sections must be > 0, got 0"):
        tt.split(x, 0)
    with pytest.raises(ValueError, match=r"negative dimensions.*\(2, -1\)"):
        run([n], tt.ones((2, n)), -1)
    with pytest.raises(ValueError, match=r"negative dimensions"):
        run([x, n], tt.tile(x, n), np.zeros(3), -1)


def test_sort_kind_is_accepted_and_checked() -> None:
    x = tt.vector("x")
    for kind in ("quicksort", "mergesort", "heapsort", "stable"):
        assert tt.sort(x, kind=kind).owner.op == tt.Sort(0)
        assert tt.argsort(x, kind=kind).owner.op == tt.ArgSort(0)
    with pytest.raises(ValueError, match=r"'x'.*unknown kind 'bubble'"):
        tt.sort(x, kind="bubble")


def test_linspace_num_and_axis() -> None:
    d, n = tt.vector("d"), tt.scalar("n", dtype="int64")
    assert tt.linspace(0, 1, tt.vector("w", shape=(4,)).shape[0]).type.shape == (4,)
    assert tt.linspace(0, 1, d.shape[0]).type.shape == (None,)
    assert tt.linspace(tt.vector("a", shape=(2,)), 1, 3, axis=-1).type.shape == (2, 3)
    with pytest.raises(TypeError, match="num must be an integer"):
        tt.linspace(0, 1, 2.5)
    with pytest.raises(TypeError, match="integer scalar"):
        tt.linspace(0, 1, tt.scalar("f"))
    with pytest.raises(ValueError, match=r"axis 2 .*2 dimensions"):
        tt.linspace(tt.vector("a"), 1, 3, axis=2)
    values = {k: run([n], tt.linspace(-1.0, 2.0, n), k) for k in (0, 1, 2, 7)}
    for k, got in values.items():
        np.testing.assert_allclose(got, np.linspace(-1.0, 2.0, k), rtol=1e-12)
