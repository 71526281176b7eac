"""Rules for matrix products: `Dot` and `Blockwise`, through batch-agnostic core rules.

A core rule `rule(g, z, *xs)` is written with ops that work on stacks of matrices
(matmul, `mT` transposes of the last two axes), so it applies to a `Blockwise` node's
batched inputs directly; the pullback then sums over broadcast batch axes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import tensorgraft.tensor as tt
from tensorgraft.autodiff.elemwise import unbroadcast
from tensorgraft.autodiff.engine import (
    _missing_rule,
    _total,
    _transposed_pullback,
    is_differentiable,
)
from tensorgraft.autodiff.registry import register_pullback, register_pushforward
from tensorgraft.graph.basic import Apply
from tensorgraft.tensor.blockwise import Blockwise
from tensorgraft.tensor.elemwise import DimShuffle
from tensorgraft.tensor.matmul import Dot

# core op type -> rule(op, g: output cotangents, z: outputs, *xs) -> input cotangents
CoreRule = Callable[..., list[Any]]
core_rules: dict[type, CoreRule] = {}


def defcore(op_type: type, rule: CoreRule) -> None:
    """The batch-agnostic pullback of a core op: `rule(op, g, z, *xs)`, g and z lists."""
    core_rules[op_type] = rule


def mT(x: Any) -> Any:
    """`x` with its last two axes swapped (a stack of transposed matrices)."""
    n = x.type.ndim
    return DimShuffle(n, (*range(n - 2), n - 1, n - 2))(x)


def _core_rule(node: Apply, op: Any) -> CoreRule:
    for klass in type(op).__mro__:
        if klass in core_rules:
            return core_rules[klass]
    raise _missing_rule(node)


@register_pullback(Dot)
def _dot_pullback(node: Apply, g: list[Any]) -> list[Any]:
    return _core_rule(node, node.op)(node.op, g, node.outputs, *node.inputs)


@register_pullback(Blockwise)
def _blockwise_pullback(node: Apply, g: list[Any]) -> list[Any]:
    op: Blockwise = node.op  # type: ignore[assignment]
    grads = _core_rule(node, op.core_op)(op.core_op, g, node.outputs, *node.inputs)
    batch = node.outputs[0].type.ndim - len(op.outputs_sig[0])  # type: ignore[attr-defined]
    out: list[Any] = []
    for gx, x in zip(grads, node.inputs, strict=True):
        if gx is None or not is_differentiable(x):
            out.append(None)
            continue
        out.append(unbroadcast(gx, x, node.inputs, upto=batch))  # only batch axes broadcast
    return out


@register_pushforward(Dot, Blockwise)
def _product_pushforward(node: Apply, t: list[Any]) -> list[Any]:
    # Products are linear in each argument: J t = sum_k f(.., t_k, ..).
    op = node.op
    if isinstance(op, Blockwise) and not isinstance(op.core_op, Dot):
        return _transposed_pullback(node, t)
    terms = []
    for k, tk in enumerate(t):
        if tk is not None:
            args = [tk if j == k else x for j, x in enumerate(node.inputs)]
            terms.append(op.make_node(*args).outputs[0])
    return [_total(terms)]


# d(a b) = da b + a db
defcore(Dot, lambda op, g, z, a, b: [tt.matmul(g[0], mT(b)), tt.matmul(mT(a), g[0])])
