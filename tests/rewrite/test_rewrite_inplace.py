"""In-place rewrites: only values nobody else needs are overwritten."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import tensorgraft.tensor as tt
from tensorgraft.graph import FunctionGraph
from tensorgraft.graph.basic import Variable
from tensorgraft.rewrite import RewriteError, run_phases
from tensorgraft.rewrite.inplace import check_destroy_maps
from tensorgraft.rewrite.testing import evaluate
from tensorgraft.tensor.elemwise import Elemwise


def _inplace(outputs: list[Variable], inputs: list[Variable]) -> FunctionGraph:
    fg = FunctionGraph(inputs, outputs)
    run_phases(fg, ["inplace"])
    return fg


def _patterns(fg: FunctionGraph) -> list[tuple[str, tuple[tuple[int, int], ...]]]:
    return [
        (str(n.op.scalar_op), n.op.inplace_pattern)
        for n in fg.toposort()
        if isinstance(n.op, Elemwise)
    ]


def test_a_temporary_is_overwritten_but_never_a_user_input() -> None:
    x = tt.vector("x")
    fg = _inplace([tt.exp(tt.sin(x))], [x])
    assert _patterns(fg) == [("sin", ()), ("exp", ((0, 0),))]


def test_a_value_read_twice_is_not_overwritten() -> None:
    x = tt.vector("x")
    s = tt.sin(x)
    fg = _inplace([tt.exp(s) + s], [x])
    assert ("exp", ()) in _patterns(fg)


def test_outputs_are_not_overwritten() -> None:
    x = tt.vector("x")
    s = tt.sin(x)
    fg = _inplace([tt.exp(s), s], [x])
    assert _patterns(fg) == [("sin", ()), ("exp", ())]


def test_inplace_values_match_and_user_arrays_survive() -> None:
    x, y = tt.vector("x"), tt.vector("y")
    out = tt.log1p(tt.exp(tt.sin(x) * y)) - tt.cos(y)
    fg = _inplace([out], [x, y])
    assert any(p for _, p in _patterns(fg))
    xv, yv = np.array([0.1, 0.2, 0.3]), np.array([1.0, -2.0, 0.5])
    saved = xv.copy(), yv.copy()
    got = evaluate(fg.outputs, dict(zip(fg.inputs, (xv, yv), strict=True)), copy=False)[0]
    np.testing.assert_allclose(
        got, np.log1p(np.exp(np.sin(saved[0]) * saved[1])) - np.cos(saved[1])
    )
    np.testing.assert_array_equal(xv, saved[0])
    np.testing.assert_array_equal(yv, saved[1])


def test_set_subtensor_of_a_temporary_becomes_inplace() -> None:
    x = tt.vector("x")
    out = tt.set_subtensor(tt.exp(x)[1:], 0.0)
    fg = _inplace([out], [x])
    (node,) = [n for n in fg.toposort() if type(n.op).__name__ == "IncSubtensor"]
    assert node.op.inplace
    xv = np.array([0.0, 1.0, 2.0])
    got = evaluate(fg.outputs, {fg.inputs[0]: xv}, copy=False)[0]
    np.testing.assert_allclose(got, [1.0, 0.0, 0.0])
    np.testing.assert_array_equal(xv, [0.0, 1.0, 2.0])


def test_an_advanced_inc_of_a_temporary_becomes_inplace_but_not_of_an_input() -> None:
    # The gradient of a gather: scatter-add into a fresh buffer of zeros.
    x, idx = tt.vector("x"), tt.vector("idx", dtype="int64")
    out = tt.inc_subtensor(tt.zeros_like(tt.exp(x))[idx], tt.exp(x)[idx])
    on_input = tt.inc_subtensor(x[idx], 1.0)
    fg = _inplace([out, on_input], [x, idx])
    writes = [n for n in fg.toposort() if type(n.op).__name__ == "AdvancedIncSubtensor"]
    assert sorted(n.op.inplace for n in writes) == [False, True]
    assert next(n for n in writes if not n.op.inplace).inputs[0] is fg.inputs[0]
    xv, iv = np.array([0.0, 1.0, 2.0]), np.array([2, 0, 2])
    got, got_input = evaluate(fg.outputs, dict(zip(fg.inputs, (xv, iv), strict=True)), copy=False)
    expected = np.zeros(3)
    np.add.at(expected, iv, np.exp(xv)[iv])
    np.testing.assert_allclose(got, expected)
    expected_input = xv.copy()
    np.add.at(expected_input, iv, 1.0)
    np.testing.assert_allclose(got_input, expected_input)
    np.testing.assert_array_equal(xv, [0.0, 1.0, 2.0])


def test_checker_refuses_to_overwrite_an_input() -> None:
    x = tt.vector("x")
    fg = FunctionGraph([x], [Elemwise(tt.scalar_ops.exp, ((0, 0),))(x)])
    with pytest.raises(RewriteError, match="overwrite the input"):
        check_destroy_maps(fg)


def test_checker_refuses_to_overwrite_a_value_read_later() -> None:
    x = tt.vector("x")
    s = tt.sin(x)
    fg = FunctionGraph([x], [Elemwise(tt.scalar_ops.exp, ((0, 0),))(s) + s])
    with pytest.raises(RewriteError, match="still reads"):
        check_destroy_maps(fg)


def _cos_pattern(fg: FunctionGraph) -> tuple[tuple[int, int], ...]:
    (pattern,) = [p for name, p in _patterns(fg) if name == "cos"]
    return pattern


@pytest.mark.parametrize(
    ("view", "numpy_view"),
    [
        (lambda e: e.T, lambda e: e.T),
        (lambda e: e[1:, ::-1], lambda e: e[1:, ::-1]),
        (lambda e: e.reshape((6,)), lambda e: e.reshape(6)),
        (lambda e: e[None].T[..., 0], lambda e: e[None].T[..., 0]),  # a chain of views
    ],
    ids=["transpose", "subtensor", "reshape", "chain"],
)
def test_a_view_of_a_temporary_is_overwritten(view: Any, numpy_view: Any) -> None:
    x = tt.matrix("x", shape=(2, 3))
    fg = _inplace([tt.cos(view(tt.exp(x)))], [x])
    assert _cos_pattern(fg) == ((0, 0),)
    check_destroy_maps(fg)
    xv = np.arange(6.0).reshape(2, 3) / 7
    saved = xv.copy()
    got = evaluate(fg.outputs, {fg.inputs[0]: xv}, copy=False)[0]
    np.testing.assert_allclose(got, np.cos(numpy_view(np.exp(saved))))
    np.testing.assert_array_equal(xv, saved)


def test_the_seed_graph_overwrites_the_dropped_sum() -> None:
    x = tt.vector("x")
    z = tt.exp(tt.sin(x))
    s = tt.sum(tt.sqr(z[None, :]), axis=1, keepdims=True)
    fg = _inplace([tt.cos(s.squeeze())], [x])
    assert _cos_pattern(fg) == ((0, 0),)
    xv = np.linspace(-1.0, 2.0, 7)
    saved = xv.copy()
    got = evaluate(fg.outputs, {fg.inputs[0]: xv}, copy=False)[0]
    zv = np.exp(np.sin(saved))
    np.testing.assert_allclose(got, np.cos(zv @ zv))
    np.testing.assert_array_equal(xv, saved)


def test_views_of_inputs_and_of_shared_values_are_not_overwritten() -> None:
    x = tt.matrix("x")
    assert _cos_pattern(_inplace([tt.cos(x.T)], [x])) == ()
    e = tt.exp(x)
    # The viewed temporary is read again, returned, or the view itself is returned.
    assert _cos_pattern(_inplace([tt.cos(e.T) + e], [x])) == ()
    assert _cos_pattern(_inplace([tt.cos(e.T), e], [x])) == ()
    assert _cos_pattern(_inplace([tt.cos(e.T), e.T], [x])) == ()
    # Two views of one temporary: overwriting either would change the other.
    assert _cos_pattern(_inplace([tt.cos(e.T) * e[0].sum()], [x])) == ()


def test_checker_refuses_to_overwrite_a_view_of_an_input() -> None:
    x = tt.matrix("x")
    fg = FunctionGraph([x], [Elemwise(tt.scalar_ops.cos, ((0, 0),))(x.T)])
    with pytest.raises(RewriteError, match="a view made by"):
        check_destroy_maps(fg)
