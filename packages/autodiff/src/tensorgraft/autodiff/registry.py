"""The rule tables of autodiff, keyed by op type (and by scalar op type for `Elemwise`).

* `pullback_rules[OpType](node, cotangents) -> input cotangents` (reverse mode, VJP):
  one cotangent per output (None: no gradient reaches that output), one result per input
  (None: no gradient flows to that input).
* `pushforward_rules[OpType](node, tangents) -> output tangents` (forward mode, JVP):
  one tangent per input (None: zero), one result per output (None: zero). An op without
  one is pushed forward by transposing its pullback (see `engine.pushforward`).
* `scalar_rules[ScalarOpType](g, z, *xs) -> [dz/dx_i * g for each x_i]`: the partial
  derivatives of a scalar op times the output cotangent `g`, written with tensor ops on
  the `Elemwise` node's (same-rank) inputs `xs` and output `z`. Elementwise Jacobians are
  diagonal, so the same rule gives both the pullback and the pushforward.
* `disconnected_inputs[OpType](node) -> input positions` no gradient can ever reach
  (shape-only or index inputs): asking for a gradient through them alone is an error.
* `not_differentiable[OpType] = reason`: ops declared without rules, with the reason:
  disconnected ones (`declare_disconnected`: integer outputs) or not implemented ones
  (`declare_not_implemented`: an error when a gradient must go through them).

Third-party ops register with the same calls (`register_pullback`, ...).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from tensorgraft.graph.basic import Apply, Variable

Cotangents = Sequence[Variable | None]
PullbackRule = Callable[[Apply, list[Any]], list[Any]]
PushforwardRule = Callable[[Apply, list[Any]], list[Any]]
ScalarRule = Callable[..., list[Any]]
DisconnectedRule = Callable[[Apply], Sequence[int]]

pullback_rules: dict[type, PullbackRule] = {}
pushforward_rules: dict[type, PushforwardRule] = {}
scalar_rules: dict[type, ScalarRule] = {}
disconnected_inputs: dict[type, DisconnectedRule] = {}
not_differentiable: dict[type, str] = {}

F = TypeVar("F", bound=Callable[..., Any])


class GradNotImplemented:
    """A rule's result for an input whose gradient is not implemented (`reason` says which).

    The engine raises NoGradientRuleError only where such a gradient is actually needed.
    """

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def __repr__(self) -> str:
        return f"GradNotImplemented({self.reason!r})"


def _lookup(table: dict[type, Any], op_type: type) -> Any:
    # Subclasses share their base's rule unless they register their own.
    for klass in op_type.__mro__:
        if klass in table:
            return table[klass]
    return None


def register_pullback(*op_types: type) -> Callable[[F], F]:
    """Decorator: the pullback (VJP) rule of `op_types`."""

    def deco(fn: F) -> F:
        for t in op_types:
            pullback_rules[t] = fn
        return fn

    return deco


def register_pushforward(*op_types: type) -> Callable[[F], F]:
    """Decorator: the pushforward (JVP) rule of `op_types`."""

    def deco(fn: F) -> F:
        for t in op_types:
            pushforward_rules[t] = fn
        return fn

    return deco


def defscalar(op_type: type, rule: ScalarRule) -> None:
    """The rule of an elementwise scalar op: `rule(g, z, *xs) -> [g * dz/dx_i, ...]`.

    An entry may be None where no gradient flows (an integer-valued input).
    """
    scalar_rules[op_type] = rule


def register_disconnected(op_type: type, rule: DisconnectedRule) -> None:
    """Declare the inputs of `op_type` nodes that no gradient can reach."""
    disconnected_inputs[op_type] = rule


def declare_disconnected(op_type: type, reason: str) -> None:
    """Declare that no gradient flows through `op_type` (integer or boolean outputs), and why.

    Every input of its nodes is disconnected.
    """
    not_differentiable[op_type] = reason
    disconnected_inputs[op_type] = lambda node: range(len(node.inputs))


def declare_not_implemented(op_type: type, reason: str) -> None:
    """Declare that `op_type` has no gradient rule yet, and why.

    Differentiating through it raises NoGradientRuleError with `reason`.
    """
    not_differentiable[op_type] = reason


def pullback_rule(op_type: type) -> PullbackRule | None:
    """The pullback rule of `op_type` (or of a base class), or None."""
    return _lookup(pullback_rules, op_type)


def pushforward_rule(op_type: type) -> PushforwardRule | None:
    """The pushforward rule of `op_type` (or of a base class), or None."""
    return _lookup(pushforward_rules, op_type)


def scalar_rule(op_type: type) -> ScalarRule | None:
    """The rule of the scalar op type `op_type`, or None."""
    return _lookup(scalar_rules, op_type)


def connected_inputs(node: Apply) -> list[bool]:
    """For each input of `node`, whether a gradient can flow to it from the outputs."""
    rule = _lookup(disconnected_inputs, type(node.op))
    if rule is None:
        return [True] * len(node.inputs)
    cut = set(rule(node))
    return [i not in cut for i in range(len(node.inputs))]


def no_gradient_reason(op_type: type) -> str | None:
    """Why `op_type` is declared without a gradient, or None."""
    return _lookup(not_differentiable, op_type)
