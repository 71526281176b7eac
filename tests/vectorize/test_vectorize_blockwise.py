"""Blockwise as the batching fallback: output lengths the signature does not tie to an
input, ragged results, empty batches."""

from __future__ import annotations

import numpy as np
import pytest

import tensorgraft.tensor as tt
from tensorgraft.compile import function
from tensorgraft.tensor.blockwise import Blockwise, ShapeUnknownError
from tensorgraft.tensor.construction import Alloc
from tensorgraft.tensor.shape import shape_tuple

# alloc(value, n): the output length 'n' is no input dimension.
ALLOC = Blockwise(Alloc(), "(),()->(n)")


def _infer_shape(out: tt.TensorVariable) -> tuple[object, ...]:
    node = out.owner
    assert node is not None
    return node.op.infer_shape(None, node, [shape_tuple(i) for i in node.inputs])[0]


def test_output_length_from_an_unbatched_shape_argument() -> None:
    v, n = tt.vector("v"), tt.scalar("n", dtype="int64")
    out = ALLOC(v, n)
    batch, length = _infer_shape(out)
    fn = function([v, n], [batch, length], mode="python", on_unused_input="ignore")  # type: ignore[list-item]
    assert [int(s) for s in fn(np.zeros(4), np.asarray(3))] == [4, 3]
    np.testing.assert_array_equal(
        function([v, n], out, mode="python")(np.arange(2.0), np.asarray(3)), [[0, 0, 0], [1, 1, 1]]
    )


def test_output_length_from_a_batched_shape_argument_is_known_once_computed() -> None:
    v, n = tt.vector("v"), tt.vector("n", dtype="int64")
    out = ALLOC(v, n)
    with pytest.raises(ShapeUnknownError, match="batched input"):
        _infer_shape(out)
    fn = function([v, n], out.shape[1], mode="python")
    assert int(fn(np.zeros(2), np.array([3, 3]))) == 3


def test_ragged_core_results_raise() -> None:
    v, n = tt.vector("v"), tt.vector("n", dtype="int64")
    fn = function([v, n], ALLOC(v, n), mode="python")
    with pytest.raises(ValueError, match="ragged"):
        fn(np.zeros(2), np.array([3, 1]))  # a length-1 result must not broadcast silently


def test_empty_batch_with_a_static_output_length() -> None:
    v = tt.vector("v")
    out = ALLOC(v, 3)
    assert function([v], out, mode="python")(np.zeros(0)).shape == (0, 3)


def test_empty_batch_with_an_unknown_output_length_raises() -> None:
    v, n = tt.vector("v"), tt.scalar("n", dtype="int64")
    fn = function([v, n], ALLOC(v, n), mode="python")
    with pytest.raises(ValueError, match="empty batch"):
        fn(np.zeros(0), np.asarray(3))
