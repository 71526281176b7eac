"""Numerically stable forms (phase `stabilize`).

Each rule replaces an expression that loses precision or overflows by one computed
accurately: `log(1 + x)` at x = 1e-20 is 0, `log1p(x)` is 1e-20; `log(1 + exp(x))` at
x = 800 is inf, `softplus(x)` is 800. Patterns match the canonical form of README.md
(`neg`, `sub` and constants first), so the more specific (deeper) patterns come first.
"""

from __future__ import annotations

from typing import Any

from tensorgraft.graph.basic import Apply
from tensorgraft.graph.fg import FunctionGraph
from tensorgraft.rewrite.engine import RuleResult, fits, register, register_pattern
from tensorgraft.rewrite.patterns import match
from tensorgraft.tensor import scalar_ops as ts
from tensorgraft.tensor.elemwise import DimShuffle, Elemwise
from tensorgraft.tensor.reduction import Max, Sum
from tensorgraft.tensor.softmax import LogSoftmax, Softmax, logsumexp

S = "stabilize"


def _nonnegative(bound: dict[str, Any]) -> bool:
    """Whether the value bound to x is known to be >= 0 (or NaN) from the op computing it."""
    node = bound["x"].owner
    if node is None or not isinstance(node.op, Elemwise):
        return False
    return node.op.scalar_op in _NONNEGATIVE


_NONNEGATIVE = (ts.exp, ts.sqr, ts.abs, ts.sqrt, ts.softplus, ts.sigmoid)


# log(1 + exp(x)) -> softplus(x), and log1p(exp(x)) -> softplus(x)
register_pattern("softplus_from_log", (ts.log, (ts.add, 1, (ts.exp, "x"))), (ts.softplus, "x"), S)
register_pattern("softplus_from_log1p", (ts.log1p, (ts.exp, "x")), (ts.softplus, "x"), S)
# log(1 - exp(x)) -> log1mexp(x), also once it reads log1p(-exp(x))
register_pattern("log1mexp_from_log", (ts.log, (ts.sub, 1, (ts.exp, "x"))), (ts.log1mexp, "x"), S)
register_pattern("log1mexp_from_log1p", (ts.log1p, (ts.neg, (ts.exp, "x"))), (ts.log1mexp, "x"), S)
# log(1 - sigmoid(x)) -> -softplus(x)
register_pattern(
    "log_one_minus_sigmoid",
    (ts.log, (ts.sub, 1, (ts.sigmoid, "x"))),
    (ts.neg, (ts.softplus, "x")),
    S,
)
register_pattern(
    "log1p_neg_sigmoid", (ts.log1p, (ts.neg, (ts.sigmoid, "x"))), (ts.neg, (ts.softplus, "x")), S
)
# log(sigmoid(x)) -> -softplus(-x)
register_pattern(
    "log_sigmoid", (ts.log, (ts.sigmoid, "x")), (ts.neg, (ts.softplus, (ts.neg, "x"))), S
)
# 1 / (1 + exp(-x)) -> sigmoid(x)
register_pattern(
    "sigmoid_from_div",
    (ts.true_div, 1, (ts.add, 1, (ts.exp, (ts.neg, "x")))),
    (ts.sigmoid, "x"),
    S,
)
register_pattern(
    "sigmoid_from_reciprocal",
    (ts.reciprocal, (ts.add, 1, (ts.exp, (ts.neg, "x")))),
    (ts.sigmoid, "x"),
    S,
)
# exp(x) / (1 + exp(x)) -> sigmoid(x): the gradient of log(1 + exp(x)) (see also below)
register_pattern(
    "sigmoid_from_exp_div",
    (ts.true_div, (ts.exp, "x"), (ts.add, 1, (ts.exp, "x"))),
    (ts.sigmoid, "x"),
    S,
)
# log(1 + x) -> log1p(x) (the other terms of a sum too); log(1 - x) -> log1p(-x)
register_pattern("log1p_from_log", (ts.log, (ts.add, 1, "*xs")), (ts.log1p, (ts.add, "*xs")), S)
register_pattern("log1p_from_log_sub", (ts.log, (ts.sub, 1, "x")), (ts.log1p, (ts.neg, "x")), S)
# exp(x) - 1 -> expm1(x), also as -1 + exp(x) (constants first)
register_pattern("expm1_from_sub", (ts.sub, (ts.exp, "x"), 1), (ts.expm1, "x"), S)
register_pattern("expm1_from_add", (ts.add, -1, (ts.exp, "x")), (ts.expm1, "x"), S)
# log(exp(x)) -> x; exp(log(x)) -> x where x >= 0 is known
register_pattern("log_exp", (ts.log, (ts.exp, "x")), "x", S)
register_pattern("exp_log", (ts.exp, (ts.log, "x")), "x", S, when=_nonnegative)
# 1 - erf(x) -> erfc(x); 1 - erfc(x) -> erf(x)
register_pattern("erfc_from_erf", (ts.sub, 1, (ts.erf, "x")), (ts.erfc, "x"), S)
register_pattern("erf_from_erfc", (ts.sub, 1, (ts.erfc, "x")), (ts.erf, "x"), S)
# log(erfc(x)): erfc underflows for x > 26; log(erfcx(x)) - x**2 does not. Each branch
# reads x only on its own side of 0 (else 0), so the branch not taken stays finite and so
# does its gradient (0 * inf would make the gradient nan).
_POSITIVE = (ts.switch, (ts.gt, "x", 0), "x", 0)
_NOT_POSITIVE = (ts.switch, (ts.gt, "x", 0), 0, "x")
register_pattern(
    "log_erfc",
    (ts.log, (ts.erfc, "x")),
    (
        ts.switch,
        (ts.gt, "x", 0),
        (ts.sub, (ts.log, (ts.erfcx, _POSITIVE)), (ts.sqr, _POSITIVE)),
        (ts.log1p, (ts.neg, (ts.erf, _NOT_POSITIVE))),
    ),
    S,
    when=lambda b: b["x"].type.dtype[0] == "f",
)


@register(S, tracks=[ts.log])
def log_softmax_from_log(fgraph: FunctionGraph, node: Apply) -> RuleResult:
    """log(softmax(x)) -> log_softmax(x)."""
    inner = node.inputs[0].owner
    if inner is None or not isinstance(inner.op, Softmax):
        return None
    new = LogSoftmax(inner.op.axis)(inner.inputs[0])
    return [new] if fits(node.outputs[0], new) else None


@register(S, tracks=[ts.log])
def logsumexp_from_log(fgraph: FunctionGraph, node: Apply) -> RuleResult:
    """log(sum(exp(x))) -> logsumexp(x): max(x) + log(sum(exp(x - max(x))))."""
    total = node.inputs[0]
    summed = total.owner
    if summed is None or type(summed.op) is not Sum or summed.op.dtype is not None:
        return None
    exp_out = summed.inputs[0]
    inner = exp_out.owner
    if inner is None or not isinstance(inner.op, Elemwise) or inner.op.scalar_op != ts.exp:
        return None
    x = inner.inputs[0]
    if x.type.dtype[0] != "f" or len(fgraph.clients[exp_out]) != 1 or _is_shifted(x):  # type: ignore[attr-defined]
        return None
    new = logsumexp(x, axis=summed.op.axes)
    return [new] if fits(node.outputs[0], new) else None


def _is_shifted(x: Any) -> bool:
    """Whether x is already `y - max(y)` (possibly behind DimShuffle / switch)."""
    node = x.owner
    if node is None or not isinstance(node.op, Elemwise) or node.op.scalar_op != ts.sub:
        return False
    var = node.inputs[1]
    for _ in range(4):
        owner = var.owner
        if owner is None:
            return False
        if isinstance(owner.op, Max):
            return True
        if isinstance(owner.op, DimShuffle):
            var = owner.inputs[0]
        elif isinstance(owner.op, Elemwise) and owner.op.scalar_op == ts.switch:
            var = owner.inputs[1]
        else:
            return False
    return False


_ONE_PLUS_EXP = (ts.add, 1, (ts.exp, "x"))


@register(S, "specialize", tracks=[ts.mul])
def sigmoid_from_exp_product(fgraph: FunctionGraph, node: Apply) -> RuleResult:
    """g / (1 + exp(x)) * exp(x) -> g * sigmoid(x), in any order among other factors.

    This is how the gradient of log(1 + exp(x)) reads; at x = 800 it is inf / inf = nan,
    sigmoid(x) is 1. `exp(x) * reciprocal(1 + exp(x))` and `exp(x) * (1 + exp(x))**-1`
    (what specialize makes of `1 / (1 + exp(x))`) become sigmoid(x) too.
    """
    factors = list(node.inputs)
    for k, f in enumerate(factors):
        owner = f.owner
        if owner is None or not isinstance(owner.op, Elemwise) or owner.op.inplace_pattern:
            continue
        op = owner.op.scalar_op
        if op == ts.true_div:
            g: Any = owner.inputs[0]
            denominator = owner.inputs[1]
        elif op == ts.reciprocal:
            g, denominator = None, owner.inputs[0]
        elif op == ts.pow and match((ts.pow, "a", -1), f, {}) is not None:
            g, denominator = None, owner.inputs[0]
        else:
            continue
        bound = match(_ONE_PLUS_EXP, denominator, {})
        if bound is None:
            continue
        x = bound["x"]
        for j, e in enumerate(factors):
            if j != k and _is_exp_of(e, x):
                rest = [v for i, v in enumerate(factors) if i not in (j, k)]
                terms = ([g] if g is not None else []) + [Elemwise(ts.sigmoid)(x)] + rest
                new = terms[0] if len(terms) == 1 else Elemwise(ts.mul)(*terms)
                return [new] if fits(node.outputs[0], new) else None
    return None


def _is_exp_of(var: Any, x: Any) -> bool:
    owner = var.owner
    return (
        owner is not None
        and isinstance(owner.op, Elemwise)
        and not owner.op.inplace_pattern
        and owner.op.scalar_op == ts.exp
        and owner.inputs[0] is x
    )
