"""Rules for `Elemwise` (one table of scalar-op rules), `Composite` and `DimShuffle`.

A scalar rule `rule(g, z, *xs)` returns `g * dz/dx_i` for each input, written with tensor
ops on the node's inputs `xs` (all of the output's rank) and output `z`. The pullback
then sums each result over the axes its input was broadcast along; the pushforward
calls the same rule with an input's tangent as `g`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

import tensorgraft.tensor as tt
from tensorgraft.autodiff.engine import (
    NoGradientRuleError,
    _backprop,
    _missing_rule,
    _total,
    broadcast_like,
    forward_sweep,
    is_differentiable,
)
from tensorgraft.autodiff.registry import (
    GradNotImplemented,
    defscalar,
    register_pullback,
    register_pushforward,
    scalar_rule,
)
from tensorgraft.graph.basic import Apply, Constant, Variable
from tensorgraft.graph.traversal import io_toposort
from tensorgraft.tensor.elemwise import DimShuffle, Elemwise
from tensorgraft.tensor.scalar_ops import basic as ts
from tensorgraft.tensor.scalar_ops.composite import Composite


# -- un-broadcasting ---------------------------------------------------------------------------
def broadcast_axes(
    x: Variable, operands: Sequence[Variable], upto: int | None = None
) -> tuple[list[int], list[int]]:
    """The axes (before `upto`) along which `x` may have been broadcast against `operands`.

    Returns (static, dynamic): axes where x has static length 1 and some operand may not,
    and axes where x's length is unknown (it may be 1 at run time) and some operand's
    length may differ from 1.
    """
    static: list[int] = []
    dynamic: list[int] = []
    others = [o for o in operands if o is not x]
    for a, n in enumerate(x.type.shape[:upto]):  # type: ignore[attr-defined]
        lengths = [o.type.shape[a] for o in others]  # type: ignore[attr-defined]
        if n is not None and n != 1:
            continue
        if all(m == 1 for m in lengths):
            continue  # nothing broadcasts along this axis
        if n == 1:
            static.append(a)
            continue
        source = length_source(x, a)
        if all(
            m == 1 or length_source(o, a) == source for o, m in zip(others, lengths, strict=True)
        ):
            continue  # every operand has x's own length there
        dynamic.append(a)
    return static, dynamic


def length_source(v: Variable, axis: int, depth: int = 8) -> tuple[Variable, int]:
    """A (variable, axis) whose length equals the length of `v` along `axis`.

    Follows unary elementwise ops, elementwise ops whose other operands are 1 along the
    axis, and axis-keeping DimShuffles, a few steps up (x and log1p(x) share a length).
    """
    for _ in range(depth):
        node = v.owner
        if node is None:
            break
        if isinstance(node.op, DimShuffle):
            a = node.op.new_order[axis]
            if a == "x":
                break
            v, axis = node.inputs[0], int(a)
        elif isinstance(node.op, Elemwise):
            wide = [i for i in node.inputs if i.type.shape[axis] != 1]  # type: ignore[attr-defined]
            if len(wide) != 1:
                break
            v = wide[0]
        else:
            break
    return v, axis


def unbroadcast(
    g: Variable, x: Variable, operands: Sequence[Variable], upto: int | None = None
) -> Variable:
    """`g` (of the broadcast shape) summed back to the shape of `x`, one of `operands`.

    Only axes before `upto` are considered (a Blockwise's batch axes). Axes where x has
    an unknown length are summed only when it is 1 at run time.
    """
    static, dynamic = broadcast_axes(x, operands, upto)
    if static and any(g.type.shape[a] != 1 for a in static):  # type: ignore[attr-defined]
        g = tt.sum(g, axis=tuple(static), keepdims=True)
    if not dynamic:
        return g
    # Along an axis of unknown length, x is 1 (g is summed) or has g's length (it is not):
    # sum_to decides at run time. Elsewhere x's shape is g's already.
    return tt.sum_to(g, tt.shape(x))


# -- Elemwise --------------------------------------------------------------------------------
def _rule_for(node: Apply) -> Any:
    rule = scalar_rule(type(node.op.scalar_op))  # type: ignore[attr-defined]
    if rule is None:
        raise _missing_rule(node)
    return rule


@register_pullback(Elemwise)
def _elemwise_pullback(node: Apply, g: list[Any]) -> list[Any]:
    if isinstance(node.op.scalar_op, Composite):  # type: ignore[attr-defined]
        return _composite_pullback(node, g)
    (gz,) = g
    partials = _rule_for(node)(gz, node.outputs[0], *node.inputs)
    return [
        None
        if p is None or not is_differentiable(x)
        else p
        if isinstance(p, GradNotImplemented)
        else unbroadcast(p, x, node.inputs)
        for p, x in zip(partials, node.inputs, strict=True)
    ]


@register_pushforward(Elemwise)
def _elemwise_pushforward(node: Apply, t: list[Any]) -> list[Any]:
    if isinstance(node.op.scalar_op, Composite):  # type: ignore[attr-defined]
        return _composite_pushforward(node, t)
    rule = _rule_for(node)
    z = node.outputs[0]
    terms = []
    for k, tk in enumerate(t):
        if tk is None:
            continue
        p = rule(tk, z, *node.inputs)[k]
        if isinstance(p, GradNotImplemented):
            raise NoGradientRuleError(f"{node.op}: {p.reason} is not implemented")
        if p is not None:
            x = node.inputs[k]
            terms.append(broadcast_like(p, z) if any(broadcast_axes(x, node.inputs)) else p)
    return [_total(terms)]


# -- Composite: differentiate its scalar graph re-expressed with Elemwise ops ----------------------
def expand_composite(node: Apply) -> list[Variable]:
    """The outputs of an `Elemwise(Composite)` node rebuilt as a graph of Elemwise nodes."""
    comp: Composite = node.op.scalar_op  # type: ignore[attr-defined]
    env: dict[Variable, Variable] = dict(zip(comp.inner_inputs, node.inputs, strict=True))

    def get(v: Variable) -> Variable:
        if v in env:
            return env[v]
        assert isinstance(v, Constant)
        return tt.constant(np.asarray(v.data, dtype=v.type.dtype))  # type: ignore[attr-defined]

    for inner in io_toposort(comp.inner_inputs, comp.inner_outputs):
        outs = Elemwise(inner.op).make_node(*[get(i) for i in inner.inputs]).outputs  # type: ignore[arg-type]
        env.update(zip(inner.outputs, outs, strict=True))
    return [get(o) for o in comp.inner_outputs]


def _composite_pullback(node: Apply, g: list[Any]) -> list[Any]:
    outs = expand_composite(node)
    # An inner output may ignore some inputs: its expanded form is then smaller.
    pairs = [
        (o, unbroadcast(gk, o, node.inputs))
        for o, gk in zip(outs, g, strict=True)
        if gk is not None
    ]
    if not pairs:
        return [None] * len(node.inputs)
    terms, _ = _backprop(
        [o for o, _ in pairs], [c for _, c in pairs], node.inputs, set(), stop=node.inputs
    )
    return [_total(terms.get(x)) for x in node.inputs]


def _composite_pushforward(node: Apply, t: list[Any]) -> list[Any]:
    outs = expand_composite(node)
    pairs = [(x, tk) for x, tk in zip(node.inputs, t, strict=True) if tk is not None]
    tan = forward_sweep(outs, pairs, stop=node.inputs)
    return [
        None if tan.get(o) is None else broadcast_like(tan[o], z)
        for o, z in zip(outs, node.outputs, strict=True)
    ]


# -- DimShuffle ------------------------------------------------------------------------------
@register_pullback(DimShuffle)
def _dimshuffle_pullback(node: Apply, g: list[Any]) -> list[Any]:
    op: DimShuffle = node.op  # type: ignore[assignment]
    (gz,) = g
    # Input axis j comes back from its output position; dropped axes come back as 'x'.
    where = {a: k for k, a in enumerate(op.new_order) if a != "x"}
    order = tuple(where.get(j, "x") for j in range(op.input_ndim))
    return [DimShuffle(len(op.new_order), order)(gz)]


def linear_in_first(node: Apply, t: list[Any]) -> list[Any]:
    """Pushforward of an op linear in its first input (the others are indices, shapes)."""
    if t[0] is None:
        return [None] * len(node.outputs)
    return list(node.op.make_node(t[0], *node.inputs[1:]).outputs)


register_pushforward(DimShuffle)(linear_in_first)


# -- the scalar rules ------------------------------------------------------------------------------
def _mul_partials(g: Any, z: Any, *xs: Any) -> list[Any]:
    if len(xs) == 1:
        return [g]
    return [g * _product([x for j, x in enumerate(xs) if j != k]) for k in range(len(xs))]


def _product(xs: list[Any]) -> Any:
    return xs[0] if len(xs) == 1 else tt.mul(*xs)


def _where(cond: Any, g: Any) -> Any:
    return tt.switch(cond, g, 0)


def _zero(g: Any, z: Any, *xs: Any) -> list[Any]:
    return [None] * len(xs)


defscalar(ts.Add, lambda g, z, *xs: [g] * len(xs))  # d(x + y) = dx + dy
defscalar(ts.Sub, lambda g, z, x, y: [g, -g])
defscalar(ts.Mul, _mul_partials)  # d(x y) = y dx + x dy
defscalar(ts.TrueDiv, lambda g, z, x, y: [g / y, -(g * z) / y])  # d(x/y) = dx/y - x/y^2 dy
defscalar(ts.Pow, lambda g, z, x, y: [g * y * x ** (y - 1), g * z * tt.log(x)])
defscalar(ts.Neg, lambda g, z, x: [-g])
defscalar(ts.Maximum, lambda g, z, x, y: [_where(tt.eq(z, x), g), _where(tt.eq(z, y), g)])
defscalar(ts.Minimum, lambda g, z, x, y: [_where(tt.eq(z, x), g), _where(tt.eq(z, y), g)])
defscalar(ts.Exp, lambda g, z, x: [g * z])
defscalar(ts.Log, lambda g, z, x: [g / x])
defscalar(ts.Log1p, lambda g, z, x: [g / (1 + x)])
defscalar(ts.Sin, lambda g, z, x: [g * tt.cos(x)])
defscalar(ts.Cos, lambda g, z, x: [-g * tt.sin(x)])
defscalar(ts.Switch, lambda g, z, c, a, b: [None, _where(c, g), tt.switch(c, 0, g)])
defscalar(ts.Cast, lambda g, z, x: [g])  # the engine casts back to x's dtype
# Piecewise constant, or boolean-valued: a zero gradient.
for _op in (ts.FloorDiv, ts.EQ, ts.NEQ, ts.LT, ts.LE, ts.GT, ts.GE):
    defscalar(_op, _zero)
