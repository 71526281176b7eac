"""The engines: reverse mode (`grad`, `pullback`) and forward mode (`pushforward`).

Both walk the graph once, calling the rule of each node's op from the tables in
`registry`; the results are ordinary graphs. A variable's gradient is "connected" when
some path of connected edges leads from it to the cost; a connected variable whose
contributions are all zero (integer inputs, piecewise-constant ops, `zero_grad`) gets
an explicit zero, a disconnected one the `disconnected` behaviour.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

import numpy as np

import tensorgraft.tensor as tt
from tensorgraft.autodiff.registry import (
    GradNotImplemented,
    connected_inputs,
    no_gradient_reason,
    pullback_rule,
    pushforward_rule,
)
from tensorgraft.graph.basic import Apply, Variable
from tensorgraft.graph.replace import graph_replace
from tensorgraft.graph.traversal import ancestors, io_toposort
from tensorgraft.graph.utils import describe
from tensorgraft.tensor.type import TensorType, floatX

Disconnected = Literal["raise", "warn", "ignore"]


class DisconnectedInputError(ValueError):
    """A gradient was asked for with respect to a variable the cost does not depend on."""


class NoGradientRuleError(NotImplementedError):
    """An op on the path from a variable to the cost has no gradient rule.

    `declared` says whether the op was declared without one (with a reason), rather than
    simply missing from the tables.
    """

    def __init__(self, message: str, declared: bool = True) -> None:
        super().__init__(message)
        self.declared = declared


def is_differentiable(var: Variable) -> bool:
    """Whether gradients flow through `var`: a real floating-point tensor."""
    t = var.type
    return isinstance(t, TensorType) and t.numpy_dtype.kind == "f"


def _as_list(x: Any) -> tuple[list[Any], bool]:
    if isinstance(x, list | tuple):
        return list(x), False
    return [x], True


# -- small graph helpers used by the engine and the rules ------------------------------------
def broadcast_like(g: Variable, x: Variable) -> Variable:
    """`g` broadcast to the shape of `x` (`g` has x's rank, or is a scalar)."""
    if g.type.shape == x.type.shape and None not in x.type.shape:  # type: ignore[attr-defined]
        return g
    broadcast_to = getattr(tt, "broadcast_to", None)
    if broadcast_to is not None:
        from tensorgraft.tensor.shape import shape_tuple

        return broadcast_to(g, shape_tuple(x))
    # Until tt.broadcast_to lands: pick g where x broadcasts (same value, x's shape).
    return tt.switch(True, g, tt.cast(x, g.type.dtype))  # type: ignore[attr-defined]


def zeros_like(x: Variable, dtype: str | None = None) -> Variable:
    """Zeros of the shape of `x`, of `dtype` (default: x's dtype)."""
    dtype = dtype or x.type.dtype  # type: ignore[attr-defined]
    zero = tt.constant(np.zeros((), dtype=dtype))
    if x.type.ndim == 0:  # type: ignore[attr-defined]
        return zero
    return broadcast_like(zero, x)


def _total(terms: list[Variable] | None) -> Variable | None:
    if not terms:
        return None
    if len(terms) == 1:
        return terms[0]
    return tt.add(*terms)


def _conform(value: Variable, var: Variable, node: Apply | None) -> Variable:
    """`value` as a cotangent/tangent of `var`: same rank, and var's dtype."""
    vt, t = value.type, var.type
    if vt.ndim != t.ndim:  # type: ignore[attr-defined]
        where = f"the rule of {node.op}" if node is not None else "a given gradient"
        raise ValueError(
            f"{where} gave a gradient of rank {vt.ndim} for {describe(var)} of type {t}"  # type: ignore[attr-defined]
        )
    if vt.dtype != t.dtype:  # type: ignore[attr-defined]
        value = tt.cast(value, t.dtype)  # type: ignore[attr-defined]
    return value


def _depends(
    nodes: list[Apply], sources: Iterable[Variable], blockers: set[Variable]
) -> set[Variable]:
    """The variables that depend on `sources` through connected edges."""
    dep = {v for v in sources if v not in blockers}
    for node in nodes:
        conn = connected_inputs(node)
        if any(c and i in dep for c, i in zip(conn, node.inputs, strict=True)):
            dep.update(o for o in node.outputs if o not in blockers)
    return dep


def _missing_rule(node: Apply) -> NoGradientRuleError:
    core = getattr(node.op, "core_op", None)  # a Blockwise: the core op has the reason
    reason = no_gradient_reason(type(node.op if core is None else core))
    out = node.outputs[0]
    text = f"{node.op} (computing {describe(out)}) has no gradient rule"
    if reason is None:
        return NoGradientRuleError(text, declared=False)
    return NoGradientRuleError(f"{text}: {reason}")


def _backprop(
    outputs: Sequence[Variable],
    cotangents: Sequence[Variable | None],
    wrt: Sequence[Variable],
    blockers: set[Variable],
    stop: Iterable[Variable] = (),
) -> tuple[dict[Variable, list[Variable]], set[Variable]]:
    """Reverse sweep: {variable: cotangent terms} and the set of connected variables.

    No gradient flows through `blockers`; the walk does not go above `stop` either.
    """
    nodes = io_toposort(blockers.union(stop), outputs)
    dep = _depends(nodes, wrt, blockers)
    terms: dict[Variable, list[Variable]] = {}
    reached: set[Variable] = set()
    for out, c in zip(outputs, cotangents, strict=True):
        if out in dep:
            reached.add(out)
            if c is not None and is_differentiable(out):
                terms.setdefault(out, []).append(_conform(c, out, None))
    for node in reversed(nodes):
        if not any(o in reached for o in node.outputs):
            continue
        conn = connected_inputs(node)
        targets = [k for k, x in enumerate(node.inputs) if conn[k] and x in dep]
        if not targets:
            continue
        reached.update(node.inputs[k] for k in targets)
        g = []
        for o in node.outputs:
            total = _total(terms.get(o))
            if total is not None:
                terms[o] = [total]
            g.append(total)
        if all(v is None for v in g):
            continue  # only zero cotangents reach this node
        rule = pullback_rule(type(node.op))
        if rule is None:
            raise _missing_rule(node)
        results = rule(node, g)
        for k in targets:
            x, r = node.inputs[k], results[k]
            if isinstance(r, GradNotImplemented) and is_differentiable(x):
                raise NoGradientRuleError(f"{node.op}: {r.reason} is not implemented")
            if r is not None and is_differentiable(x):
                terms.setdefault(x, []).append(_conform(r, x, node))
    return terms, reached


def _handle_disconnected(message: str, disconnected: Disconnected) -> None:
    if disconnected == "raise":
        raise DisconnectedInputError(f"{message}; pass disconnected='ignore' to get zeros instead")
    if disconnected == "warn":
        warnings.warn(message, stacklevel=4)
    elif disconnected != "ignore":
        raise ValueError(f"disconnected must be 'raise', 'warn' or 'ignore', got {disconnected!r}")


def _zero_gradient(w: Variable) -> Variable:
    dtype = w.type.dtype if is_differentiable(w) else floatX  # type: ignore[attr-defined]
    return zeros_like(w, dtype)


def pullback(
    outputs: Variable | Sequence[Variable],
    wrt: Variable | Sequence[Variable],
    cotangents: Variable | Sequence[Variable | None],
    consider_constant: Sequence[Variable] | None = None,
    disconnected: Disconnected = "raise",
) -> Any:
    """The vector-Jacobian product: cotangents of `wrt` given those of `outputs`.

    `cotangents[k]` has the type of `outputs[k]` (None: no gradient flows from it). The
    result has one entry per `wrt` (a single variable if `wrt` is one), each of the type
    of its variable; integer variables get float zeros, as in PyTensor.
    """
    outs, _ = _as_list(outputs)
    cots, _ = _as_list(cotangents)
    if len(outs) != len(cots):
        raise ValueError(f"pullback: {len(outs)} outputs but {len(cots)} cotangents")
    cots = [None if c is None else tt.as_tensor(c) for c in cots]
    ws, single = _as_list(wrt)
    for w in ws:
        if not isinstance(w, Variable):
            raise TypeError(f"pullback: wrt must be variables, got {w!r}")
        if isinstance(w.type, TensorType) and w.type.numpy_dtype.kind == "c":
            raise NotImplementedError(f"gradients with respect to complex {describe(w)}")
    blockers = set(consider_constant or ())
    terms, reached = _backprop(outs, cots, ws, blockers)
    what = "the cost" if len(outs) == 1 else "the outputs"
    result = []
    for w in ws:
        total = _total(terms.get(w))
        if total is None:
            if w not in reached:
                _handle_disconnected(f"{what} does not depend on {describe(w)}", disconnected)
            total = _zero_gradient(w)
        result.append(_with_static_shape(total, w))
    return result[0] if single else result


def _with_static_shape(g: Variable, w: Variable) -> Variable:
    """`g` with the static shape of `w`, so that the gradient has w's type."""
    want, have = w.type.shape, g.type.shape  # type: ignore[attr-defined]
    if all(h is not None or s is None for s, h in zip(want, have, strict=True)):
        return g
    return tt.specify_shape(g, want)


def Lop(
    f: Variable | Sequence[Variable],
    wrt: Variable | Sequence[Variable],
    eval_points: Variable | Sequence[Variable | None],
    disconnected: Disconnected = "raise",
) -> Any:
    """PyTensor's name for `pullback(f, wrt, eval_points)`."""
    return pullback(f, wrt, eval_points, disconnected=disconnected)


def grad(
    cost: Variable | None,
    wrt: Variable | Sequence[Variable],
    consider_constant: Sequence[Variable] | None = None,
    known_grads: Mapping[Variable, Any] | None = None,
    disconnected: Disconnected = "raise",
) -> Any:
    """The gradient of the scalar `cost` with respect to `wrt` (a variable or a list).

    Args:
        cost: a scalar (0-d) variable, or None when `known_grads` gives the start.
        wrt: the variable(s) to differentiate with respect to.
        consider_constant: variables whose gradient is not propagated (as constants).
        known_grads: {variable: its gradient}, added to (or standing for) the cost's.
        disconnected: what to do for a variable the cost does not depend on: "raise"
            (DisconnectedInputError), "warn" or "ignore" (both return zeros).

    Returns a variable (or a list) with the type of each `wrt`: an ordinary graph that
    can be rewritten, vectorized and compiled.
    """
    outputs: list[Variable] = []
    cotangents: list[Variable | None] = []
    if cost is not None:
        if not isinstance(cost, Variable) or not isinstance(cost.type, TensorType):
            raise TypeError(f"grad: cost must be a tensor variable, got {cost!r}")
        if cost.type.ndim != 0:
            raise TypeError(
                f"grad: the cost must be a scalar, but {describe(cost)} has shape "
                f"{cost.type.shape}; reduce it (e.g. .sum()) or use jacobian/pullback"
            )
        kind = cost.type.numpy_dtype.kind
        if kind == "c":
            raise TypeError(f"grad: the cost {describe(cost)} is complex; take a real part")
        outputs.append(cost)
        dtype = cost.type.dtype if kind == "f" else floatX
        cotangents.append(tt.constant(np.ones((), dtype=dtype)) if kind == "f" else None)
    for var, g in (known_grads or {}).items():
        outputs.append(var)
        cotangents.append(tt.as_tensor(g))
    if not outputs:
        raise ValueError("grad needs a cost or known_grads")
    return pullback(outputs, wrt, cotangents, consider_constant, disconnected)


# -- forward mode ------------------------------------------------------------------------------
def _transposed_pullback(node: Apply, tangents: list[Variable | None]) -> list[Variable | None]:
    """Push tangents through `node` by transposing its pullback (linear in cotangents).

    With dummy cotangents u of the outputs, the pullback gives J^T u; differentiating
    <J^T u, t> with respect to u gives J t.
    """
    rule = pullback_rule(type(node.op))
    if rule is None:
        raise _missing_rule(node)
    dummies = [o.type() if is_differentiable(o) else None for o in node.outputs]
    ins = rule(node, dummies)
    pairs = [(r, t) for r, t in zip(ins, tangents, strict=True) if r is not None and t is not None]
    live = [u for u in dummies if u is not None]
    if not pairs or not live:
        return [None] * len(node.outputs)
    terms, _ = _backprop([r for r, _ in pairs], [t for _, t in pairs], live, set())
    results = [None if u is None else _total(terms.get(u)) for u in dummies]
    # J t does not depend on u, but its graph may still read u's shape: use the output's.
    present = [r for r in results if r is not None]
    used = set(ancestors(present))
    swap = {u: o for u, o in zip(dummies, node.outputs, strict=True) if u is not None and u in used}
    if swap:
        new = iter(graph_replace(present, swap, strict=False))
        results = [None if r is None else next(new) for r in results]
    return results


def forward_sweep(
    outputs: Sequence[Variable],
    tangents: Sequence[tuple[Variable, Variable]],
    stop: Iterable[Variable] = (),
) -> dict[Variable, Variable]:
    """Forward sweep from (variable, tangent) pairs: {variable: its tangent} (non-zero ones).

    The walk does not go above `stop`.
    """
    tan: dict[Variable, Variable] = {}
    for w, t in tangents:
        if is_differentiable(w):
            tan[w] = _conform(t, w, None)
    for node in io_toposort(stop, outputs):
        conn = connected_inputs(node)
        ins = [tan.get(x) if c else None for x, c in zip(node.inputs, conn, strict=True)]
        if all(t is None for t in ins):
            continue
        rule = pushforward_rule(type(node.op)) or _transposed_pullback
        results = rule(node, ins)
        for o, t in zip(node.outputs, results, strict=True):
            if t is not None and is_differentiable(o):
                tan[o] = _conform(t, o, node)
    return tan


def pushforward(
    outputs: Variable | Sequence[Variable],
    wrt: Variable | Sequence[Variable],
    tangents: Variable | Sequence[Variable | None],
    disconnected: Disconnected = "raise",
) -> Any:
    """The Jacobian-vector product: tangents of `outputs` given those of `wrt`.

    `tangents[k]` has the type of `wrt[k]` (None: zero). Ops without a pushforward rule
    are pushed forward through their pullback, transposed.
    """
    outs, single = _as_list(outputs)
    ws, _ = _as_list(wrt)
    tans, _ = _as_list(tangents)
    if len(ws) != len(tans):
        raise ValueError(f"pushforward: {len(ws)} variables but {len(tans)} tangents")
    pairs = [(w, tt.as_tensor(t)) for w, t in zip(ws, tans, strict=True) if t is not None]
    tan = forward_sweep(outs, pairs)
    dep = _depends(io_toposort((), outs), ws, set())
    result = []
    for o in outs:
        t = tan.get(o)
        if t is None:
            if o not in dep:
                message = f"{describe(o)} does not depend on the variables pushed forward"
                _handle_disconnected(message, disconnected)
            t = _zero_gradient(o)
        result.append(t)
    return result[0] if single else result


def Rop(
    f: Variable | Sequence[Variable],
    wrt: Variable | Sequence[Variable],
    eval_points: Variable | Sequence[Variable | None],
    disconnected: Disconnected = "raise",
) -> Any:
    """PyTensor's name for `pushforward(f, wrt, eval_points)`."""
    return pushforward(f, wrt, eval_points, disconnected=disconnected)
