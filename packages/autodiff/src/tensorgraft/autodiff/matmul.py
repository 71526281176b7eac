"""Rules for matrix products: `Dot` and `Blockwise`, through batch-agnostic core rules.

A core rule `rule(g, z, *xs)` is written with ops that work on stacks of matrices
(matmul, `mT` transposes of the last two axes), so it applies to a `Blockwise` node's
batched inputs directly; the pullback then sums over broadcast batch axes.

A Blockwise of any other core op (a Subtensor with batched slice bounds, an Alloc with
batched lengths, ...) is differentiated through the core op's own rule, built on
core-shaped stand-ins and batched by `vectorize_graph`.
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
from tensorgraft.autodiff.registry import (
    GradNotImplemented,
    pullback_rule,
    pushforward_rule,
    register_pullback,
    register_pushforward,
)
from tensorgraft.graph.basic import Apply, Variable
from tensorgraft.graph.traversal import ancestors
from tensorgraft.tensor.blockwise import Blockwise, user_operand
from tensorgraft.tensor.elemwise import DimShuffle
from tensorgraft.tensor.matmul import Dot
from tensorgraft.tensor.type import TensorType

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


def _core_rule(node: Apply, op: Any) -> CoreRule | None:
    for klass in type(op).__mro__:
        if klass in core_rules:
            return core_rules[klass]
    return None


def _batch_ndim(node: Apply) -> int:
    op: Blockwise = node.op  # type: ignore[assignment]
    return node.outputs[0].type.ndim - len(op.outputs_sig[0])  # type: ignore[attr-defined]


def _core_stand_ins(node: Apply) -> tuple[Apply, dict[Variable, Variable]]:
    """The core op applied to core-shaped stand-ins of `node`'s inputs, and the map of
    each stand-in to its batched input.

    Unbatched integer or boolean operands (lengths, bounds) are their own core inputs,
    so that the core rule can read their static values.
    """
    op: Blockwise = node.op  # type: ignore[assignment]
    b = _batch_ndim(node)
    core_inputs: list[Variable] = []
    replace: dict[Variable, Variable] = {}
    for x in node.inputs:
        operand = user_operand(x)
        if not is_differentiable(x) and operand.type.ndim == x.type.ndim - b:  # type: ignore[attr-defined]
            core_inputs.append(operand)
            continue
        stand_in = TensorType(x.type.dtype, x.type.shape[b:])()  # type: ignore[attr-defined]
        core_inputs.append(stand_in)
        replace[stand_in] = x
    return op.core_op.make_node(*core_inputs), replace


def _batched(results: list[Any], replace: dict[Variable, Variable]) -> list[Any]:
    """The variables among `results` (a core rule's) batched by `replace`; other entries
    (None, GradNotImplemented) are kept."""
    from tensorgraft.vectorize import vectorize_graph

    live = [r for r in results if isinstance(r, Variable)]
    if not live:
        return results
    used = set(ancestors(live))
    new = iter(vectorize_graph(live, {k: v for k, v in replace.items() if k in used}))
    return [next(new) if isinstance(r, Variable) else r for r in results]


def _generic_pullback(node: Apply, g: list[Any]) -> list[Any]:
    """A Blockwise's input cotangents from its core op's pullback, batched."""
    op: Blockwise = node.op  # type: ignore[assignment]
    rule = pullback_rule(type(op.core_op))
    if rule is None:
        raise _missing_rule(node)
    core, replace = _core_stand_ins(node)
    g_core = [None if gk is None else o.type() for gk, o in zip(g, core.outputs, strict=True)]
    replace.update({u: gk for u, gk in zip(g_core, g, strict=True) if u is not None})
    replace.update(zip(core.outputs, node.outputs, strict=True))
    # Inputs used as they are (unbatched integers) get no gradient: the caller drops it.
    return _batched(list(rule(core, g_core)), replace)


@register_pullback(Dot)
def _dot_pullback(node: Apply, g: list[Any]) -> list[Any]:
    rule = _core_rule(node, node.op)
    assert rule is not None
    return rule(node.op, g, node.outputs, *node.inputs)


@register_pullback(Blockwise)
def _blockwise_pullback(node: Apply, g: list[Any]) -> list[Any]:
    op: Blockwise = node.op  # type: ignore[assignment]
    rule = _core_rule(node, op.core_op)
    if rule is None:
        grads = _generic_pullback(node, g)
    else:
        grads = rule(op.core_op, g, node.outputs, *node.inputs)
    batch = _batch_ndim(node)
    out: list[Any] = []
    for gx, x in zip(grads, node.inputs, strict=True):
        if gx is None or not is_differentiable(x):
            out.append(None)
            continue
        if isinstance(gx, GradNotImplemented):
            out.append(gx)
            continue
        out.append(unbroadcast(gx, x, node.inputs, upto=batch))  # only batch axes broadcast
    return out


@register_pushforward(Dot, Blockwise)
def _product_pushforward(node: Apply, t: list[Any]) -> list[Any]:
    # Products are linear in each argument: J t = sum_k f(.., t_k, ..).
    op = node.op
    if isinstance(op, Blockwise) and _core_rule(node, op.core_op) is None:
        return _generic_pushforward(node, t)
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


def _generic_pushforward(node: Apply, t: list[Any]) -> list[Any]:
    """A Blockwise's output tangents from its core op's pushforward (or its transposed
    pullback), on core-shaped stand-ins, batched."""
    op: Blockwise = node.op  # type: ignore[assignment]
    if pullback_rule(type(op.core_op)) is None and pushforward_rule(type(op.core_op)) is None:
        raise _missing_rule(node)
    core, replace = _core_stand_ins(node)
    t_core = [
        None if tk is None or c not in replace else c.type()
        for tk, c in zip(t, core.inputs, strict=True)
    ]
    replace.update({u: tk for u, tk in zip(t_core, t, strict=True) if u is not None})
    replace.update(zip(core.outputs, node.outputs, strict=True))
    rule = pushforward_rule(type(op.core_op)) or _transposed_pullback
    return _batched(list(rule(core, t_core)), replace)
