"""Wrong inputs fed straight to compiled code raise Python exceptions, never crash."""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import pytest

import tensorgraft.tensor as tt
from tensorgraft.compile import Function, function
from tensorgraft.compile_c import DeferredC

_batch = DeferredC()


@functools.cache
def _functions() -> dict[str, Function]:
    x = tt.matrix("x", shape=(None, 3))
    y = tt.vector("y")
    m = tt.matrix("m")
    i = tt.scalar("i", dtype="int64")
    fns = {
        "add": function([x, y], tt.exp(x) + y, mode=_batch),
        "drop": function([m], tt.dimshuffle(m, (0,)) * 2.0, mode=_batch),
        "callback": function([m], tt.linalg.det(m) + 1.0, mode=_batch),
        "index": function([m, i], m[i, ::-1], mode=_batch),
        "max": function([m], tt.max(m, axis=1), mode=_batch),
    }
    for fn in fns.values():
        fn.trust_input = True  # skip Function's checks: the compiled code must catch it all
    _batch.build()
    return fns


def _ref(x: Any, y: Any) -> Any:
    return np.exp(x) + y


@pytest.mark.parametrize(
    ("args", "error", "words"),
    [
        ((np.zeros((2, 3), "int32"), np.zeros(3)), TypeError, ["'x'", "float64", "int32"]),
        ((np.zeros((2, 3)), np.zeros((1, 3))), TypeError, ["'y'", "1 dimensions"]),
        ((np.zeros((2, 4)), np.zeros(4)), TypeError, ["'x'", "(None, 3)", "(2, 4)"]),
        ((np.zeros((2, 3)), np.zeros(4)), ValueError, ["(2, 3)", "'y'", "broadcast"]),
        (([[1.0, 2.0, 3.0]], np.zeros(3)), TypeError, ["'x'", "list"]),
        ((np.zeros((2, 3)), None), TypeError, ["'y'", "NoneType"]),
    ],
)
def test_bad_inputs_raise(args: tuple[Any, ...], error: type, words: list[str]) -> None:
    with pytest.raises(error) as info:
        _functions()["add"](*args)
    for word in words:
        assert word in str(info.value)


def test_wrong_number_of_inputs_to_the_raw_thunk() -> None:
    fn = _functions()["add"]
    with pytest.raises(TypeError, match="expected 2 inputs"):
        fn._thunk([np.zeros((2, 3))])


def test_dropping_an_axis_that_is_not_1() -> None:
    fn = _functions()["drop"]
    np.testing.assert_array_equal(fn(np.ones((3, 1))), np.full(3, 2.0))
    with pytest.raises(ValueError, match=r"cannot drop axes \[1\].*\(3, 2\)"):
        fn(np.ones((3, 2)))


def test_callback_errors_propagate() -> None:
    fn = _functions()["callback"]
    m = np.random.default_rng(0).normal(size=(3, 3))
    np.testing.assert_allclose(fn(m), np.linalg.det(m) + 1.0, rtol=1e-12)
    with pytest.raises(TypeError, match="'m'"):
        fn(np.ones(3))
    with pytest.raises(np.linalg.LinAlgError):
        fn(np.ones((2, 3)))


def test_index_out_of_bounds() -> None:
    fn = _functions()["index"]
    m = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(fn(m, np.int64(-1)), m[-1, ::-1])
    for bad in (2, -3):
        with pytest.raises(IndexError, match=r"'m'.*out of bounds"):
            fn(m, np.int64(bad))


def test_max_of_nothing() -> None:
    fn = _functions()["max"]
    assert fn(np.zeros((0, 3))).shape == (0,)
    with pytest.raises(ValueError, match="zero-size"):
        fn(np.zeros((3, 0)))


def _odd_layouts(x: np.ndarray) -> list[np.ndarray]:
    """The values of `x` as: transposed, negatively strided, byte-swapped and misaligned."""
    transposed = np.asfortranarray(x)
    reversed_ = x[::-1][::-1] if x.shape[0] < 2 else np.ascontiguousarray(x[::-1])[::-1]
    swapped = x.astype(x.dtype.newbyteorder(">" if np.little_endian else "<"))
    raw = np.zeros(x.nbytes + 1, dtype=np.uint8)
    misaligned = raw[1:].view(x.dtype).reshape(x.shape)
    misaligned[...] = x
    return [transposed, reversed_, swapped, misaligned]


def test_odd_layouts_compute_the_right_values() -> None:
    fn = _functions()["add"]
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(4, 3)), rng.normal(size=3)
    for xv in _odd_layouts(x):
        for yv in [y, y[::-1].copy()[::-1], np.repeat(y, 2)[::2]]:
            np.testing.assert_allclose(fn(xv, yv), _ref(x, y), rtol=1e-12)


def test_size_zero_and_broadcast_inputs() -> None:
    fn = _functions()["add"]
    assert fn(np.zeros((0, 3)), np.zeros(3)).shape == (0, 3)
    assert fn(np.zeros((0, 3)), np.zeros(1)).shape == (0, 3)
    np.testing.assert_allclose(fn(np.zeros((2, 3)), np.ones(1)), np.full((2, 3), 2.0))
    with pytest.raises(ValueError, match="broadcast"):
        fn(np.zeros((0, 3)), np.zeros(0))


def _error(fn: Function, *args: Any) -> BaseException:
    with pytest.raises(Exception) as info:
        fn(*args)
    return info.value


def test_errors_inside_compiled_code_note_the_users_node() -> None:
    x, m, i = tt.vector("x"), tt.matrix("m"), tt.scalar("i", dtype="int64")
    dot = function([x, m], (m @ x).sum(), mode=_batch)
    index = function([m, i], tt.exp(m[i]), mode=_batch)
    reshape = function([m], m.reshape((5, -1)), mode=_batch)
    _batch.build()
    for fn, args, error, words in [
        (dot, (np.zeros(2), np.zeros((2, 3))), ValueError, ["while computing dot", "(2, 3)"]),
        (index, (np.zeros((2, 3)), np.int64(5)), IndexError, ["Subtensor", "(2, 3), ()"]),
        (reshape, (np.zeros((2, 3)),), ValueError, ["while computing Reshape", "(2, 3)"]),
    ]:
        err = _error(fn, *args)
        assert isinstance(err, error)
        (note,) = err.__notes__  # type: ignore[attr-defined]
        assert "test_errors.py:" in note  # where the user created the node
        for word in words:
            assert word in note, (note, word)


def test_errors_that_name_their_node_get_no_second_note() -> None:
    fns = _functions()
    broadcast = _error(fns["add"], np.zeros((2, 3)), np.zeros(4))
    assert "broadcast" in str(broadcast) and not getattr(broadcast, "__notes__", None)
    callback = _error(fns["callback"], np.ones((2, 3)))
    assert len(callback.__notes__) == 1  # type: ignore[attr-defined]
    empty = _error(fns["max"], np.zeros((3, 0)))
    assert not getattr(empty, "__notes__", None)
