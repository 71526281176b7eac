"""Gradients of Blockwise nodes whose core op has no batch-agnostic rule (what vectorize
makes of batched slice bounds, lengths and masks): the core op's own pullback and
pushforward, batched by vectorize_graph, checked against finite differences."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

import tensorgraft.tensor as tt
from tensorgraft.autodiff import NoGradientRuleError, grad, pushforward, verify_grad
from tensorgraft.compile import function
from tensorgraft.graph.basic import Apply
from tensorgraft.graph.op import Op
from tensorgraft.graph.traversal import toposort
from tensorgraft.tensor.blockwise import Blockwise
from tensorgraft.tensor.type import TensorType
from tensorgraft.vectorize import vectorize_graph

rng = np.random.default_rng(7)


def _batched(core: Callable[..., Any], *batched: Any) -> Any:
    """`core` written on core-shaped inputs, vectorized over the batched variables."""
    placeholders = [TensorType(b.dtype, (None,) * (b.ndim - 1))() for b in batched]
    out = core(*placeholders)
    result = vectorize_graph(out, dict(zip(placeholders, batched, strict=True)))
    assert any(isinstance(n.op, Blockwise) for n in toposort([result]))
    return result


def _slice(x: Any, i: Any) -> Any:  # each row's own window of two
    return tt.exp(x[i : i + 2]) * 2


def _alloc(v: Any, n: Any) -> Any:  # each row's value repeated n times
    return tt.alloc(v.sum(), n.sum()) * v[0]


def _mask(x: Any, m: Any) -> Any:  # each row's selected entries
    return tt.sin(x[m])


# (core function, the batched points: a float stack, then integer or boolean arguments)
CASES: dict[str, tuple[Callable[..., Any], list[np.ndarray]]] = {
    "batched slice bounds": (_slice, [rng.normal(size=(3, 5)), np.array([0, 2, 3])]),
    "batched lengths": (_alloc, [rng.normal(size=(3, 2)), np.array([[1, 2], [3, 0], [2, 1]])]),
    "batched masks": (
        _mask,
        [
            rng.normal(size=(2, 4)),
            np.array([[True, False, True, False], [False, True, True, False]]),
        ],
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_pullback_matches_finite_differences(name: str) -> None:
    core, points = CASES[name]
    verify_grad(lambda *xs: _batched(core, *xs), points, rng=0)


@pytest.mark.parametrize("name", sorted(CASES))
def test_pushforward_matches_finite_differences(name: str) -> None:
    core, points = CASES[name]
    x, arg = tt.matrix("x"), tt.as_tensor(points[1]).type()
    out = _batched(core, x, arg)
    t = tt.matrix("t")
    fn = function([x, arg], out, mode="python")
    jvp = function([x, arg, t], pushforward(out, x, t), mode="python")
    direction = rng.normal(size=points[0].shape)
    eps = 1e-6
    numeric = (
        fn(points[0] + eps * direction, points[1]) - fn(points[0] - eps * direction, points[1])
    ) / (2 * eps)
    np.testing.assert_allclose(jvp(points[0], points[1], direction), numeric, rtol=1e-6, atol=1e-8)


def test_broadcast_batch_axes_sum_their_gradient() -> None:
    # x has one row for every batch element of the bounds: its gradient sums over them.
    x, i = tt.matrix("x"), tt.vector("i", dtype="int64")
    xv, iv = rng.normal(size=(1, 5)), np.array([0, 1, 3])
    out = _batched(_slice, x, i)
    g = function([x, i], grad(out.sum(), x), mode="python")(xv, iv)
    expected = np.zeros(5)
    for k in iv:
        expected[k : k + 2] += 2 * np.exp(xv[0, k : k + 2])
    np.testing.assert_allclose(g, expected[None, :])


@dataclass(frozen=True)
class _NoRule(Op):
    """A core op that no gradient table knows."""

    def make_node(self, x: Any) -> Apply:
        x = tt.as_tensor(x)
        return Apply(self, [x], [x.type()])

    def perform(self, node: Apply, inputs: Sequence[Any]) -> list[Any]:
        return [np.asarray(inputs[0])]


def test_a_core_op_without_any_rule_still_raises() -> None:
    x = tt.matrix("x")
    out = Blockwise(_NoRule(), "(n)->(n)")(x)
    with pytest.raises(NoGradientRuleError, match="_NoRule"):
        grad(out.sum(), x)


def test_unbatched_lengths_are_read_as_they_are() -> None:
    from tensorgraft.tensor.construction import Alloc

    alloc = Blockwise(Alloc(), "(),()->(n)")  # each value repeated n times
    points = [rng.normal(size=4), np.asarray(3)]
    verify_grad(lambda v, n: tt.exp(alloc(v, n)), points, rng=1)
    verify_grad(lambda v: alloc(v, 3) ** 2, points[:1], rng=2)


def test_second_order_goes_through_the_batched_core_rules_again() -> None:
    # The gradient graph holds Blockwise nodes of the core pullback (an IncSubtensor
    # with batched bounds): differentiating it again takes the same path.
    core, points = CASES["batched slice bounds"]
    verify_grad(lambda x, i: grad(_batched(core, x, i).sum(), x), points, rng=3)
